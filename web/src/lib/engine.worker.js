// The static site's engine (lib/transport.js): convscope's Go server
// compiled to WebAssembly (cmd/convscope-wasm), loaded once with Go's
// wasm_exec.js. Each message {type: 'request', id, req} is answered with
// {id, status, headers, body} or {id, error}. All heavy work (decoding
// images, running and analysing models) happens here, off the page's thread.
let ready = null;

async function start({ engine, wasmExec, site, base }) {
  importScripts(wasmExec);
  // The models beyond the default one: their files, fetched before the module starts.
  const files = {};
  await Promise.all(
    (site.models ?? []).flatMap((m) =>
      m.files.map(async (f) => {
        const res = await fetch(new URL(f, base));
        if (!res.ok) throw new Error(`${f}: ${res.status} ${res.statusText}`);
        files[f] = new Uint8Array(await res.arrayBuffer());
      }),
    ),
  );
  self.convscopeSite = JSON.stringify(site);
  self.convscopeFiles = files;
  return new Promise((resolve, reject) => {
    self.convscopeReady = resolve;
    self.convscopeFailed = (msg) => reject(new Error(`the in-browser engine could not start: ${msg}`));
    const go = new self.Go();
    const load = WebAssembly.instantiateStreaming
      ? WebAssembly.instantiateStreaming(fetch(engine), go.importObject).catch(() =>
          fetch(engine).then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, go.importObject)),
        )
      : fetch(engine).then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, go.importObject));
    load.then(({ instance }) => go.run(instance)).catch(reject);
  });
}

// Requests are answered one at a time, in order: the module has one thread.
// A request cancelled before its turn (the page moved on) is skipped.
let queue = Promise.resolve();
const cancelled = new Set();

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'init') {
    ready = start(m);
    ready.catch(() => {});
    return;
  }
  if (m.type === 'cancel') {
    cancelled.add(m.id);
    return;
  }
  queue = queue.then(async () => {
    if (cancelled.delete(m.id)) return;
    try {
      await ready;
      const res = await self.convscopeServe(m.req);
      self.postMessage({ id: m.id, status: res.status, headers: res.headers, body: res.body }, [res.body.buffer]);
    } catch (err) {
      self.postMessage({ id: m.id, error: String(err?.message ?? err) });
    }
  });
};
