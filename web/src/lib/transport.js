// The one transport of the API client (docs/architecture.md, "The static
// site"): a request to /api/... either goes to the server with fetch, or —
// in a static site written by `convscope export-site` — to a Web Worker
// running convscope's Go engine compiled to WebAssembly, which answers with
// the same status, headers and bytes the server would. The page knows it is
// a static site from the data block export-site writes into index.html
// (the contents of its site.json), never from failing requests.

/** SiteID is the id of the static site's data block in index.html. */
export const SiteID = 'convscope-site';

/** readSite returns the static site's description ({engine, wasm_exec, ...}) or null when a server serves the page. */
export function readSite(doc = globalThis.document) {
  const el = doc?.getElementById?.(SiteID);
  if (!el) return null;
  try {
    const s = JSON.parse(el.textContent);
    return s && typeof s.engine === 'string' ? s : null;
  } catch {
    return null;
  }
}

const site = readSite();

/** isStatic tells whether the page is a static site (no server behind /api/). */
export const isStatic = () => site !== null;

/** hasScope tells whether the app has its Scope page (a static site exported with --no-scope has not). */
export const hasScope = () => site?.scope !== false;

/** siteFile is the URL of a file of the static site (relative to the page). */
export const siteFile = (p) => new URL(p, globalThis.document?.baseURI ?? 'http://localhost/').href;

/** exampleFile is the file of a model's example image in the static site (a model uploaded there has the default model's), else null. */
export function exampleFile(id, name) {
  const dir = site?.examples?.[id] ?? site?.examples?.default;
  return dir ? dir + encodeURIComponent(name) : null;
}

let worker = null;
let seq = 0;
const pending = new Map();

function engine() {
  if (worker) return worker;
  worker = new Worker(new URL('./engine.worker.js', import.meta.url));
  worker.onmessage = (e) => {
    const p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    p(e.data);
  };
  worker.onerror = (e) => {
    e.preventDefault?.();
    for (const p of pending.values()) p({ error: `the in-browser engine failed: ${e.message ?? 'unknown error'}` });
    pending.clear();
    // The next request starts a new engine (models opened in this one are gone).
    worker?.terminate();
    worker = null;
  };
  worker.postMessage({ type: 'init', engine: siteFile(site.engine), wasmExec: siteFile(site.wasm_exec), site, base: siteFile('./') });
  return worker;
}

// The engine starts loading with the page, while the UI draws its first frame.
if (site && typeof Worker !== 'undefined') engine();

function abortError() {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** engineFetch answers a request with the in-browser engine: a Response as fetch's. */
async function engineFetch(url, init = {}) {
  const req = new Request(new URL(url, siteFile('./')), init);
  const signal = init.signal;
  if (signal?.aborted) throw abortError();
  const body = req.method === 'GET' || req.method === 'HEAD' ? null : new Uint8Array(await req.arrayBuffer());
  const u = new URL(req.url);
  const msg = { method: req.method, url: u.pathname.slice(u.pathname.indexOf('/api/')) + u.search, headers: [...req.headers], body };
  const id = ++seq;
  const answer = await new Promise((resolve, reject) => {
    pending.set(id, resolve);
    signal?.addEventListener('abort', () => {
      pending.delete(id);
      engine().postMessage({ type: 'cancel', id }); // not started yet: skipped
      reject(abortError());
    });
    engine().postMessage({ type: 'request', id, req: msg }, body ? [body.buffer] : []);
  });
  if (answer.error) throw new TypeError(answer.error);
  const empty = answer.status === 204 || answer.status === 304 || req.method === 'HEAD';
  return new Response(empty ? null : answer.body, { status: answer.status, headers: answer.headers });
}

/** apiFetch is fetch for the API's URLs (/api/...), answered by the server or the in-browser engine. */
export function apiFetch(url, init) {
  return site ? engineFetch(url, init) : fetch(url, init);
}
