// Runs that send some values with all their channels (the run API's
// expand=NAME), for views whose arithmetic needs channels beyond the
// overview's max_channels. Cached per model, image and value names.
import { decodeRun } from '../decode.js';
import { apiFetch, check } from '../api.js';
import { preParams } from '../preprocess.js';

const cache = new Map();

/** expandURL is the run request for an example with values expanded. */
export function expandURL(modelId, example, names, maxChannels, pre = null) {
  const q = new URLSearchParams();
  if (maxChannels > 0) q.set('max_channels', String(maxChannels));
  for (const n of names) q.append('expand', n);
  for (const [k, v] of preParams(pre)) q.set(k, v);
  return `/api/models/${encodeURIComponent(modelId)}/examples/${encodeURIComponent(example)}/run?${q}`;
}

/**
 * runExpanded runs the model again on the current image (source is
 * {example} or {upload: {file}}, with its preprocessing override pre)
 * sending `names` whole; resolves with the decoded run.
 */
export function runExpanded(modelId, source, names, { maxChannels = 16, fetchImpl = apiFetch } = {}) {
  if (!source) return Promise.reject(new Error('no image'));
  const key = `${modelId}\n${source.example ? `e:${source.example}` : `u:${source.upload.name}:${source.upload.url}`}\n${JSON.stringify(source.pre ?? null)}\n${[...names].sort().join('\n')}`;
  let p = cache.get(key);
  if (!p) {
    const req = source.example
      ? fetchImpl(expandURL(modelId, source.example, names, maxChannels, source.pre))
      : fetchImpl(`/api/models/${encodeURIComponent(modelId)}/run?${new URLSearchParams([['max_channels', String(maxChannels)], ...names.map((n) => ['expand', n]), ...preParams(source.pre)])}`, {
          method: 'POST',
          body: source.upload.file,
          headers: { 'Content-Type': source.upload.file.type || 'application/octet-stream' },
        });
    p = req.then(check).then(async (res) => decodeRun(await res.arrayBuffer()));
    cache.set(key, p);
    p.catch(() => cache.delete(key));
    // Keep the cache small: the oldest entries go first.
    while (cache.size > 24) cache.delete(cache.keys().next().value);
  }
  return p;
}
