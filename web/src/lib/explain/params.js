// Layer parameters from GET /api/models/{id}/params/{layer} (binary),
// cached per model and layer for the page's lifetime.
import { decodeTensors } from '../decode.js';
import { apiFetch, check } from '../api.js';

const cache = new Map();

/** loadParams resolves with {name: {shape, data: Float32Array, min, max, stats}} of a layer. */
export function loadParams(modelId, layer, fetchImpl = apiFetch) {
  const key = `${modelId}\n${layer}`;
  let p = cache.get(key);
  if (!p) {
    const url = `/api/models/${encodeURIComponent(modelId)}/params/${layer.split('/').map(encodeURIComponent).join('/')}`;
    p = fetchImpl(url).then(check).then(async (res) => decodeParams(await res.arrayBuffer()));
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/** decodeParams turns a binary params response into {name: {shape, data, min, max, stats}} (stats: docs/api.md). */
export function decodeParams(buf) {
  const { header, floats } = decodeTensors(buf);
  const out = {};
  for (const p of header.params ?? []) out[p.name] = { shape: p.shape, min: p.min, max: p.max, stats: p.stats, data: floats(p.offset, p.length) };
  return out;
}
