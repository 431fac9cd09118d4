// The JSON/binary API client (docs/api.md).
import { decodeRun } from './decode.js';
import { preParams } from './preprocess.js';
import { apiFetch, exampleFile, isStatic } from './transport.js';
import { explainQuery, splitLines } from './attrib.js';

export { apiFetch, isStatic };

/**
 * ApiError is the one error of a failed API response: the server's
 * {"error": "..."} message (else the status line), the status, and the
 * whole JSON body (for a 422 of the Scope page, the source position when known).
 */
export class ApiError extends Error {
  constructor(message, status, body = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

/** check passes an ok response through and turns any other into an ApiError. */
export async function check(res) {
  if (res.ok) return res;
  let body = {};
  try {
    body = (await res.json()) ?? {};
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiError(body.error || `${res.status} ${res.statusText}`, res.status, body);
}

const enc = encodeURIComponent;

export async function getJSON(url, init) {
  const res = await check(await apiFetch(url, init));
  return res.json();
}

export const listModels = () => getJSON('/api/models').then((r) => r.models);
export const getModel = (id) => getJSON(`/api/models/${enc(id)}`);
export const exampleURL = (id, name) => `/api/models/${enc(id)}/examples/${enc(name)}`;
/** exampleImage is the URL of an example image for an <img>: the API's, or in a static site the file export-site wrote. */
export const exampleImage = (id, name) => exampleFile(id, name) ?? exampleURL(id, name);

/**
 * runModel runs a model on an example (source = {example: name}) or on an
 * image file (source = {file: Blob}), with source.pre (if set) laid over
 * the model's preprocessing. Returns the decoded run.
 */
export async function runModel(id, source, { maxChannels = 0, signal, priority } = {}) {
  const params = new URLSearchParams(maxChannels > 0 ? [['max_channels', String(maxChannels)]] : []);
  for (const [k, v] of preParams(source.pre)) params.set(k, v);
  const q = params.size ? `?${params}` : '';
  let res;
  if (source.example) {
    // GET, so that the page's <link rel=preload> of the first run is used.
    res = await apiFetch(`${exampleURL(id, source.example)}/run${q}`, { signal, priority });
  } else {
    res = await apiFetch(`/api/models/${enc(id)}/run${q}`, {
      method: 'POST',
      signal,
      body: source.file,
      headers: { 'Content-Type': source.file.type || 'application/octet-stream' },
    });
  }
  await check(res);
  const buf = await res.arrayBuffer();
  const run = decodeRun(buf);
  run.bytes = buf.byteLength;
  return run;
}

/**
 * readBootstrap returns the data block the server puts into index.html
 * ({models, model}), or null when the page was not served by convscope
 * (e.g. the Vite dev server).
 */
export function readBootstrap(doc = globalThis.document) {
  const el = doc?.getElementById('convscope-bootstrap');
  if (!el) return null;
  try {
    const b = JSON.parse(el.textContent);
    return Array.isArray(b.models) ? b : null;
  } catch {
    return null;
  }
}

/**
 * explain asks for an attribution map (docs/api.md, POST
 * /api/models/{id}/explain) of the image source ({example} or {file}, with
 * source.pre) as an NDJSON stream; onprogress(done, total) gets the
 * progress lines of ig and occlusion. Resolves with the result object.
 */
export async function explain(id, source, { method, cls = -1, layer = '' }, { signal, onprogress } = {}) {
  const q = explainQuery({ method, cls, layer, example: source.example, pre: source.pre });
  const res = await check(await apiFetch(`/api/models/${enc(id)}/explain?${q}`, {
    method: 'POST',
    signal,
    body: source.example ? undefined : source.file,
    headers: source.example ? {} : { 'Content-Type': source.file.type || 'application/octet-stream' },
  }));
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buf += dec.decode(value, { stream: true });
    const { lines, rest } = splitLines(done ? buf + '\n' : buf);
    buf = rest;
    for (const l of lines) {
      if (l.error) throw new ApiError(l.error, 500, l);
      if (l.result) return l.result;
      if (l.total) onprogress?.(l.done, l.total);
    }
    if (done) throw new ApiError('the attribution answer ended without a result', 500);
  }
}
