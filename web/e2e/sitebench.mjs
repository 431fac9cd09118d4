// Budgets of the static site (docs/performance.md, "The static site"), in
// headless Chromium: node e2e/sitebench.mjs [rounds]
//  - bytes: every file of an export with the default model, and the files
//    the page loads until its first picture, gzip-compressed (level 6, as a
//    static host serves them; level 9 beside it);
//  - first picture: navigation → main[data-ready] on a fresh context (cold
//    cache) and on a warm one (the browser's cache and compiled wasm);
//  - image switch: a click on an example → the new picture drawn;
//  - Tiny VGG, every activation: convscope's engine in its Web Worker (the
//    run's run_ms and the round trip) vs TensorFlow.js's wasm backend in the
//    same browser (tfjs from the corpus cache, served to the page only here).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildServer, serveStatic, launch, repoRoot, median } from './harness.mjs';

const rounds = +(process.argv[2] ?? 7);
const dir = mkdtempSync(path.join(tmpdir(), 'convscope-sitebench-'));
execFileSync(buildServer(), ['export-site', '--out', dir], { cwd: repoRoot, stdio: 'inherit' });

const gz = (file, level) => zlib.gzipSync(readFileSync(file), { level }).length;
const walk = (d) => readdirSync(d).flatMap((f) => (statSync(path.join(d, f)).isDirectory() ? walk(path.join(d, f)) : [path.join(d, f)]));
const files = walk(dir);
const sum = (fs, f) => fs.reduce((a, x) => a + f(x), 0);
const MB = (b) => (b / 1e6).toFixed(2) + ' MB';
console.log(`export: ${files.length} files, ${MB(sum(files, (f) => statSync(f).size))} raw, ${MB(sum(files, (f) => gz(f, 6)))} gzip -6, ${MB(sum(files, (f) => gz(f, 9)))} gzip -9`);
console.log(`  convscope.wasm ${MB(statSync(path.join(dir, 'convscope.wasm')).size)} raw, ${MB(gz(path.join(dir, 'convscope.wasm'), 6))} gzip -6`);

const tfjs = path.join(homedir(), '.cache/convscope-corpus/node/node_modules/@tensorflow');
const bench = mkdtempSync(path.join(tmpdir(), 'convscope-sitebench-page-'));
writeFileSync(path.join(bench, 'tfjs.html'), `<!doctype html><meta charset="utf-8"><script src="/tfjs/tfjs/dist/tf.min.js"></script><script src="/tfjs/tfjs-backend-wasm/dist/tf-backend-wasm.min.js"></script>`);
const site = await serveStatic(dir, null, { '/bench/': bench, '/tfjs/': tfjs, '/model/': path.join(repoRoot, 'internal/zoo/defaultmodel') });
const browser = await launch();

const readyScript = () => {
  new MutationObserver(() => {
    const el = document.querySelector('main.app');
    if (el?.dataset.ready === 'true' && window.__readyAt === undefined) window.__readyAt = performance.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'], childList: true });
};

// First picture, cold: a new context each time (empty cache).
const cold = [];
let loaded = [];
for (let i = 0; i < rounds; i++) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  const urls = [];
  page.on('request', (r) => urls.push(new URL(r.url()).pathname));
  await page.addInitScript(readyScript);
  await page.goto(site.url + '/');
  await page.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 60000 });
  cold.push(await page.evaluate(() => window.__readyAt));
  if (i === 0) loaded = urls;
  await ctx.close();
}
const first = [...new Set(loaded)].map((u) => path.join(dir, u === '/' ? 'index.html' : decodeURIComponent(u))).filter((f) => existsSync(f));
console.log(`loaded until the first picture: ${first.length} files, ${MB(sum(first, (f) => gz(f, 6)))} gzip -6`);
console.log(`first picture, cold cache: median ${median(cold).toFixed(0)} ms (${cold.map((x) => x.toFixed(0)).join(' ')})`);

// Warm: the same context (HTTP cache, V8's cache of the compiled module).
const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
await ctx.addInitScript(readyScript);
const warm = [];
for (let i = 0; i < rounds; i++) {
  const page = await ctx.newPage();
  await page.goto(site.url + '/');
  await page.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 60000 });
  warm.push(await page.evaluate(() => window.__readyAt));
  await page.close();
}
console.log(`first picture, warm cache: median ${median(warm).toFixed(0)} ms (${warm.map((x) => x.toFixed(0)).join(' ')})`);

// Image switch: click each example in turn; event → data-ready again.
const page = await ctx.newPage();
await page.goto(site.url + '/');
await page.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 60000 });
const names = await page.$$eval('[data-example]', (els) => els.map((e) => e.dataset.example));
const switches = [];
for (let r = 0; r < 2; r++) {
  for (const name of names) {
    await page.evaluate(() => {
      const el = document.querySelector('main.app');
      window.__switch = new Promise((resolve) => {
        let t0 = null;
        let sawFalse = false;
        document.addEventListener('click', (e) => (t0 ??= e.timeStamp), { capture: true, once: true });
        const mo = new MutationObserver(() => {
          if (el.dataset.ready === 'false') sawFalse = true;
          else if (sawFalse && el.dataset.ready === 'true') {
            mo.disconnect();
            resolve(performance.now() - t0);
          }
        });
        mo.observe(el, { attributes: true, attributeFilter: ['data-ready'] });
      });
    });
    await page.click(`[data-example="${name}"]`);
    switches.push(await page.evaluate(() => window.__switch));
  }
}
console.log(`image switch: median ${median(switches).toFixed(0)} ms, max ${Math.max(...switches).toFixed(0)} ms over ${switches.length}`);

// Tiny VGG, all activations: the engine in a worker of its own (the site's worker script).
const st = JSON.parse(readFileSync(path.join(dir, 'site.json'), 'utf8'));
const workerFile = st.files.find((f) => /engine\.worker-.*\.js$/.test(f));
const go = await page.evaluate(async ({ workerFile, rounds }) => {
  const w = new Worker(workerFile);
  const site = JSON.parse(document.getElementById('convscope-site').textContent);
  let id = 0;
  const ask = (url) => new Promise((resolve) => {
    const my = ++id;
    w.onmessage = (e) => e.data.id === my && resolve(e.data);
    w.postMessage({ type: 'request', id: my, req: { method: 'GET', url, headers: [], body: null } });
  });
  const t0 = performance.now();
  w.postMessage({ type: 'init', engine: new URL(site.engine, location.href).href, wasmExec: new URL(site.wasm_exec, location.href).href, site, base: location.href });
  await ask('/api/models');
  const start = performance.now() - t0;
  const runMs = [];
  const trip = [];
  for (let i = 0; i < rounds + 2; i++) {
    const t = performance.now();
    const r = await ask('/api/models/default/examples/05_sandal.png/run?max_channels=0');
    const dt = performance.now() - t;
    const n = new DataView(r.body.buffer).getUint32(0, true);
    const h = JSON.parse(new TextDecoder().decode(r.body.subarray(4, 4 + n)));
    if (i >= 2) {
      runMs.push(h.run_ms);
      trip.push(dt);
    }
  }
  w.terminate();
  return { start, runMs, trip };
}, { workerFile, rounds: rounds * 3 });
console.log(`convscope engine (Go→wasm, in a worker): start ${go.start.toFixed(0)} ms; Tiny VGG all activations: run_ms median ${median(go.runMs).toFixed(1)} ms, request round trip median ${median(go.trip).toFixed(1)} ms`);

const tp = await ctx.newPage();
await tp.goto(site.url + '/bench/tfjs.html');
const tf = await tp.evaluate(async (rounds) => {
  const tf = window.tf;
  tf.wasm.setWasmPaths('/tfjs/tfjs-backend-wasm/dist/');
  await tf.setBackend('wasm');
  await tf.ready();
  const model = await tf.loadLayersModel('/model/model.json');
  const all = tf.model({ inputs: model.inputs, outputs: model.layers.slice(1).map((l) => l.output) });
  const x = tf.randomUniform([1, 64, 64, 3]);
  const times = [];
  for (let i = 0; i < rounds + 2; i++) {
    const t = performance.now();
    const outs = all.predict(x);
    for (const o of outs) o.dataSync();
    const dt = performance.now() - t;
    tf.dispose(outs);
    if (i >= 2) times.push(dt);
  }
  return { backend: tf.getBackend(), simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), threads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), times };
}, rounds * 3);
console.log(`TensorFlow.js ${tf.backend} (simd ${tf.simd}, threads ${tf.threads}): Tiny VGG all activations median ${median(tf.times).toFixed(1)} ms`);
await browser.close();
await site.stop();
