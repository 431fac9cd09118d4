// The Scope page's files: which of several opened files is the model, which
// go to the editor, the names of exports, and a prototxt kept for a reload
// of the tab. Pure (storage is passed in).

const MODEL = /\.(prototxt|pbtxt|json|onnx|keras|h5|hdf5|tflite)$/i;
const TEXT = /\.(prototxt|pbtxt|txt)$/i;
export const EDITOR_MAX = 8 << 20; // bytes: larger text files are not put in the editor

/** mainFile is the model among opened files (a weight file beside it is not): the first .prototxt/.pbtxt/.json/.onnx/.keras/.h5/.tflite, else the first. */
export const mainFile = (files) => files.find((f) => MODEL.test(f.name)) ?? files[0];

/** editable tells whether the opened files are one text model small enough for the editor. */
export const editable = (files, main) => files.length === 1 && TEXT.test(main.name) && main.size < EDITOR_MAX;

/** pastedModel tells whether pasted text looks like a model's text (prototxt or JSON), not a stray word. */
export const pastedModel = (s, looksLikeText) => looksLikeText(s) && /[{:]/.test(s);

/** textSource is the source of a prototxt typed, pasted or opened as text. */
export const textSource = (name, text, input) => ({ kind: 'file', name, text, input, files: [new File([text], name, { type: 'text/plain' })] });

/** editorName is the file name the editor's text renders under: the opened text file's, else editor.prototxt. */
export const editorName = (source) => (source?.kind === 'file' && source.text !== undefined ? source.name : 'editor.prototxt');

export const EXPORTS = { csv: 'csv', markdown: 'md', json: 'json', dot: 'dot', svg: 'svg', png: 'png' };

/** exportName is the file name of an export: the preset's name or the file's without its extension, made safe, and the format's extension. */
export function exportName(source, analysis, kind) {
  const base = source?.kind === 'preset' ? source.name : (analysis?.name || 'model').replace(/\.[^.]+$/, '');
  return `${base.replace(/[^\w.-]+/g, '_')}.${EXPORTS[kind]}`;
}

export const TEXT_KEY = 'convscope.scope.text';

/** savedText reads the text kept for a reload ({name, text}) from storage, or null. */
export function savedText(storage) {
  try {
    return JSON.parse(storage.getItem(TEXT_KEY) ?? 'null');
  } catch {
    return null;
  }
}

/** saveText keeps a text model for a reload of the tab; answers false when storage refuses (too large, private mode). */
export function saveText(storage, name, text) {
  try {
    storage.setItem(TEXT_KEY, JSON.stringify({ name, text }));
    return true;
  } catch {
    return false;
  }
}
