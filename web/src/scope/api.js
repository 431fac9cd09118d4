// The Scope page's API calls (docs/api.md, "Scope"): presets, analyses of
// uploaded files, the text exports, and registering an upload for running.
// Errors are lib/api.js's ApiError (with the response body).
import { apiFetch, check } from '../lib/api.js';

const enc = encodeURIComponent;

export async function listPresets() {
  const res = await check(await apiFetch('/api/presets'));
  return (await res.json()).presets;
}

/** presetURL is the analysis of a preset, as JSON or (format) an export of `convscope analyze --format`; query adds count and include (count.js). */
export function presetURL(name, format, query = {}) {
  const q = new URLSearchParams();
  if (format) q.set('format', format);
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const qs = q.toString();
  return `/api/presets/${enc(name)}${qs ? `?${qs}` : ''}`;
}

export async function getPreset(name, { signal, query } = {}) {
  const res = await check(await apiFetch(presetURL(name, '', query), { signal }));
  return res.json();
}

/** postDiff compares two models (POST /api/diff): sides as compare.js sideOf builds them, query the counting convention. */
export async function postDiff(a, b, query = {}, { signal } = {}) {
  const res = await check(await apiFetch('/api/diff', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ a, b, ...query }), signal }));
  return res.json();
}

/**
 * uploadRequest builds the fetch arguments sending files (File objects) to
 * path: one file as the raw body with ?name=, several as multipart 'file'
 * parts. query holds extra parameters (format, input).
 */
export function uploadRequest(path, files, query = {}) {
  const q = new URLSearchParams();
  let body;
  if (files.length === 1) {
    q.set('name', files[0].name);
    body = files[0];
  } else {
    body = new FormData();
    for (const f of files) body.append('file', f, f.name);
  }
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const init = { method: 'POST', body };
  if (files.length === 1) init.headers = { 'Content-Type': 'application/octet-stream' };
  return [`${path}?${q}`, init];
}

/** analyzeFiles posts files to /api/analyze and answers the analysis (or the response of an export format). */
export async function analyzeFiles(files, { format, input, signal, query = {} } = {}) {
  const [url, init] = uploadRequest('/api/analyze', files, { format, input, ...query });
  const res = await check(await apiFetch(url, { ...init, signal }));
  return format ? res : res.json();
}

/** exportResponse fetches an export (csv, markdown, json) of the open model. */
export async function exportResponse(source, format, query = {}) {
  if (source.kind === 'preset') return check(await apiFetch(presetURL(source.name, format, query)));
  return analyzeFiles(source.files, { format, input: source.input, query });
}

/** registerModel posts an upload with weights (at input size C,H,W when given) to /api/models and answers its model entry. */
export async function registerModel(files, { input } = {}) {
  const [url, init] = uploadRequest('/api/models', files, { input });
  const res = await check(await apiFetch(url, init));
  return (await res.json()).model;
}

/**
 * hasWeights tells whether an upload may be runnable: ONNX, TFLite, Keras
 * (.keras, .h5) and TF.js files carry their weights, a Caffe prototxt needs
 * its .caffemodel beside it.
 */
export function hasWeights(format, files) {
  if (format === 'onnx' || format === 'keras' || format === 'tflite') return true;
  if (format === 'tfjs') return files.some((f) => /\.bin$/i.test(f.name)) || files.length > 1;
  if (format === 'caffe') return files.some((f) => /\.caffemodel$/i.test(f.name));
  return false;
}

/**
 * freeInput reads the server's answer to a file that leaves its input size
 * open (a 422 with input_free, docs/api.md): { input, shape, size } with size
 * the suggested 'C,H,W', or null for any other error.
 */
export function freeInput(err) {
  const f = err?.body?.input_free;
  if (!f || !Array.isArray(f.suggest)) return null;
  return { input: String(f.input ?? ''), shape: (f.shape ?? []).map((d) => (d > 0 ? d : '?')).join('×'), size: f.suggest.join(',') };
}

/** cleanInput normalises the input-size field ('3, 224 224' or '3×224×224' → '3,224,224'); the server checks the numbers. */
export function cleanInput(s) {
  return String(s ?? '')
    .trim()
    .replace(/[\s×x,]+/gi, ',')
    .replace(/^,|,$/g, '');
}

/** profileModel posts {preset} or {model} and runs to /api/profile and answers the profile (docs/api.md). */
export async function profileModel(body, { signal } = {}) {
  const res = await check(
    await apiFetch('/api/profile', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal }),
  );
  return res.json();
}
