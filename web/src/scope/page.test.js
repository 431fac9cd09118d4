// The Scope page's pure rules (route.js, keys.js, search.js, files.js).
import { describe, it, expect } from 'vitest';
import { isScopeHash, hashAction, parseScopeHash } from './route.js';
import { graphStep, neighbourBox, nextMatch, clampSplit, splitByKey, startBox } from './keys.js';
import { matchingBoxes, matchOrder, searchHit } from './search.js';
import { mainFile, editable, pastedModel, textSource, editorName, exportName, savedText, saveText, TEXT_KEY } from './files.js';
import { looksLikeText } from './prototxt.js';
import { readerMap } from './table.js';

describe('isScopeHash', () => {
  it('accepts the Scope page and its sub-paths, nothing else', () => {
    for (const h of ['#/scope', '#/scope/', '#/scope/preset/resnet50', '#/scope?tab=none']) expect(isScopeHash(h), h).toBe(true);
    for (const h of ['', '#', '#/scopes', '#/scopex/preset/a', '#article-intro', '#/', null]) expect(isScopeHash(h), String(h)).toBe(false);
  });
});

describe('hashAction', () => {
  const st = (h) => parseScopeHash(h);
  const resnet = { kind: 'preset', name: 'resnet50' };
  const file = { kind: 'file', name: 'net.prototxt', files: [] };
  it('opens a preset or a file not open yet', () => {
    expect(hashAction(st('#/scope/preset/resnet50'), null)).toBe('preset');
    expect(hashAction(st('#/scope/preset/googlenet'), resnet)).toBe('preset');
    expect(hashAction(st('#/scope/preset/googlenet'), file)).toBe('preset');
    expect(hashAction(st('#/scope/file/net.prototxt'), resnet)).toBe('file');
    expect(hashAction(st('#/scope/file/other.prototxt'), file)).toBe('file');
  });
  it('keeps the open model (preset names in any case) and selects, or lays it out again', () => {
    expect(hashAction(st('#/scope/preset/ResNet50?sel=conv1'), resnet, { open: true })).toBe('select');
    expect(hashAction(st('#/scope/file/net.prototxt'), file, { open: true })).toBe('select');
    expect(hashAction(st('#/scope/preset/resnet50?dir=LR'), resnet, { dirChanged: true, open: true })).toBe('relayout');
    expect(hashAction(st('#/scope/preset/resnet50?dir=LR'), resnet, { dirChanged: true, open: false })).toBe('select');
    // a hash without a model keeps the open one
    expect(hashAction(st('#/scope'), resnet, { open: true })).toBe('select');
  });
  it('does nothing when nothing is asked or open', () => {
    expect(hashAction(st('#/scope'), null)).toBe('idle');
    expect(hashAction(st('#/scope?dir=LR'), null, { dirChanged: true })).toBe('idle');
  });
});

describe('graph keys', () => {
  it('moves along the layout direction; Escape clears', () => {
    expect(graphStep('Escape', 'TB')).toBe('clear');
    expect(graphStep('ArrowUp', 'TB')).toBe('back');
    expect(graphStep('ArrowDown', 'TB')).toBe('forward');
    expect(graphStep('ArrowLeft', 'TB')).toBe(null);
    expect(graphStep('ArrowRight', 'TB')).toBe(null);
    expect(graphStep('ArrowLeft', 'LR')).toBe('back');
    expect(graphStep('ArrowRight', 'LR')).toBe('forward');
    expect(graphStep('ArrowUp', 'LR')).toBe(null);
    expect(graphStep('Enter', 'TB')).toBe(null);
  });
  it('finds the first box one edge back or forward', () => {
    // a → b, a → c, b → d, c → d
    const edges = [{ from: 'a', to: 'b' }, { from: 'a', to: 'c' }, { from: 'b', to: 'd' }, { from: 'c', to: 'd' }];
    expect(neighbourBox(edges, 'a', 'forward')).toBe('b');
    expect(neighbourBox(edges, 'd', 'back')).toBe('b');
    expect(neighbourBox(edges, 'c', 'back')).toBe('a');
    expect(neighbourBox(edges, 'a', 'back')).toBe('');
    expect(neighbourBox(edges, 'd', 'forward')).toBe('');
  });
  it('steps through matches, wrapping around', () => {
    expect(nextMatch(-1, 3)).toBe(0);
    expect(nextMatch(0, 3)).toBe(1);
    expect(nextMatch(2, 3)).toBe(0);
    expect(nextMatch(0, 3, true)).toBe(2);
    expect(nextMatch(1, 3, true)).toBe(0);
    expect(nextMatch(-1, 0)).toBe(-1);
  });
});

describe('splitter', () => {
  it('keeps at least 90 px of tables and 140 px of graph', () => {
    expect(clampSplit(300.4, 600)).toBe(300);
    expect(clampSplit(20, 600)).toBe(90);
    expect(clampSplit(590, 600)).toBe(460);
  });
  it('grows the tables by 40 px on ArrowUp, from 38 % of the height at first', () => {
    expect(splitByKey('ArrowUp', 0, 500)).toBe(230); // 0.38·500 + 40
    expect(splitByKey('ArrowDown', 0, 500)).toBe(150);
    expect(splitByKey('ArrowUp', 300, 500)).toBe(340);
    expect(splitByKey('ArrowUp', 350, 500)).toBe(360); // 500 − 140
    expect(splitByKey('ArrowDown', 100, 500)).toBe(90);
    expect(splitByKey('Enter', 300, 500)).toBe(null);
  });
});

describe('search', () => {
  // conv1 holds relu1 (folded); pool1 a box of its own
  const nodes = [{ name: 'data', op: 'Input' }, { name: 'conv1', op: 'Conv' }, { name: 'relu1', op: 'Relu' }, { name: 'pool1', op: 'MaxPool' }, { name: 'conv2', op: 'Conv' }];
  const groupOf = new Map([['data', 'data'], ['conv1', 'conv1'], ['relu1', 'conv1'], ['pool1', 'pool1'], ['conv2', 'conv2']]);
  const groups = ['data', 'conv1', 'pool1', 'conv2'].map((id) => ({ id }));
  it('marks the boxes holding a matching layer name, case-insensitively', () => {
    expect(matchingBoxes(nodes, groupOf, { query: '' })).toBe(null);
    expect(matchingBoxes(nodes, groupOf, { query: '  ' })).toBe(null);
    expect([...matchingBoxes(nodes, groupOf, { query: ' RELU ' })]).toEqual(['conv1']);
    expect([...matchingBoxes(nodes, groupOf, { query: 'conv' })]).toEqual(['conv1', 'conv2']);
    expect(matchingBoxes(nodes, groupOf, { query: 'zz' }).size).toBe(0);
  });
  it('marks an operator kind when nothing is typed (the query wins over the kind)', () => {
    expect([...matchingBoxes(nodes, groupOf, { kind: 'Relu' })]).toEqual(['conv1']);
    const rowByName = new Map([['pool1', { kind: 'Pooling' }]]);
    expect([...matchingBoxes(nodes, groupOf, { kind: 'Pooling', rowByName })]).toEqual(['pool1']);
    expect([...matchingBoxes(nodes, groupOf, { kind: 'Relu', query: 'pool' })]).toEqual(['pool1']);
  });
  it('orders matches as the layout does and selects the matching layer of a box', () => {
    expect(matchOrder(groups, new Set(['conv2', 'conv1']))).toEqual(['conv1', 'conv2']);
    expect(matchOrder(groups, null)).toEqual([]);
    const g = { head: { name: 'conv1' }, members: [{ name: 'relu1' }] };
    expect(searchHit(g, 'RELU').name).toBe('relu1');
    expect(searchHit(g, 'conv').name).toBe('conv1');
    expect(searchHit(g, 'nothing').name).toBe('conv1');
  });
});

describe('files', () => {
  const file = (name, size = 10) => ({ name, size });
  it('takes the model among opened files, not its weights', () => {
    expect(mainFile([file('w.caffemodel'), file('net.prototxt')]).name).toBe('net.prototxt');
    expect(mainFile([file('group1-shard1of1.bin'), file('model.json')]).name).toBe('model.json');
    expect(mainFile([file('a.bin'), file('b.bin')]).name).toBe('a.bin');
    expect(mainFile([file('labels.txt'), file('cnn.keras')]).name).toBe('cnn.keras');
    expect(mainFile([file('labels.txt'), file('cnn.h5')]).name).toBe('cnn.h5');
  });
  it('puts one small text model in the editor', () => {
    const p = file('net.prototxt');
    expect(editable([p], p)).toBe(true);
    expect(editable([file('notes.TXT')], file('notes.TXT'))).toBe(true);
    expect(editable([p, file('w.caffemodel')], p)).toBe(false);
    expect(editable([file('m.onnx')], file('m.onnx'))).toBe(false);
    const big = file('big.prototxt', 8 << 20);
    expect(editable([big], big)).toBe(false);
  });
  it('takes pasted prototxt or JSON text, not a stray word', () => {
    expect(pastedModel('name: "x"\nlayer { }', looksLikeText)).toBe(true);
    expect(pastedModel('hello world', looksLikeText)).toBe(false);
  });
  it('makes a text source with its file', async () => {
    const s = textSource('a.prototxt', 'name: "a"', '3,8,8');
    expect(s).toMatchObject({ kind: 'file', name: 'a.prototxt', text: 'name: "a"', input: '3,8,8' });
    expect(s.files[0].name).toBe('a.prototxt');
    expect(await s.files[0].text()).toBe('name: "a"');
    expect(editorName(s)).toBe('a.prototxt');
    expect(editorName({ kind: 'file', name: 'm.onnx', files: [] })).toBe('editor.prototxt');
    expect(editorName({ kind: 'preset', name: 'resnet50' })).toBe('editor.prototxt');
    expect(editorName(null)).toBe('editor.prototxt');
  });
  it('names exports after the preset or the file', () => {
    expect(exportName({ kind: 'preset', name: 'resnet50' }, { name: 'ResNet-50' }, 'csv')).toBe('resnet50.csv');
    expect(exportName({ kind: 'file', name: 'x' }, { name: 'bvlc googlenet.prototxt' }, 'markdown')).toBe('bvlc_googlenet.md');
    expect(exportName({ kind: 'file', name: 'x' }, { name: 'light_squeezenet.onnx' }, 'png')).toBe('light_squeezenet.png');
    expect(exportName({ kind: 'file', name: 'x' }, { name: '' }, 'dot')).toBe('model.dot');
    expect(exportName(null, null, 'svg')).toBe('model.svg');
    expect(exportName({ kind: 'preset', name: 'a/b c' }, null, 'json')).toBe('a_b_c.json');
  });
  it('keeps a text model for a reload, and survives a refusing or broken storage', () => {
    const m = new Map();
    const storage = { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v) };
    expect(savedText(storage)).toBe(null);
    expect(saveText(storage, 'a.prototxt', 'name: "a"')).toBe(true);
    expect(savedText(storage)).toEqual({ name: 'a.prototxt', text: 'name: "a"' });
    m.set(TEXT_KEY, '{broken');
    expect(savedText(storage)).toBe(null);
    const full = { setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(saveText(full, 'a', 'b')).toBe(false);
  });
});

describe('readerMap', () => {
  it('lists the readers of each value once, in graph order', () => {
    const nodes = [
      { name: 'data', inputs: [] },
      { name: 'a', inputs: ['data'] },
      { name: 'b', inputs: ['data'] },
      { name: 'add', inputs: ['a', 'b', 'b'] },
    ];
    const m = readerMap(nodes);
    expect(m.get('data')).toEqual(['a', 'b']);
    expect(m.get('b')).toEqual(['add']);
    expect(m.get('add')).toBe(undefined);
  });
});

describe('startBox (an arrow on the graph with nothing selected)', () => {
  // a → b → d, a → c → d, and a lone box e drawn last
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const edges = [{ from: 'a', to: 'b' }, { from: 'a', to: 'c' }, { from: 'b', to: 'd' }, { from: 'c', to: 'd' }];
  it('forward starts at the first box no edge enters', () => {
    expect(startBox(ids, edges, 'forward')).toBe('a');
    expect(startBox(['b', 'a'], [{ from: 'a', to: 'b' }], 'forward')).toBe('a');
  });
  it('back starts at the last box no edge leaves', () => {
    expect(startBox(ids, edges, 'back')).toBe('e');
    expect(startBox(['a', 'b', 'c', 'd'], edges, 'back')).toBe('d');
  });
  it('no boxes: nothing', () => {
    expect(startBox([], [], 'forward')).toBe('');
  });
});
