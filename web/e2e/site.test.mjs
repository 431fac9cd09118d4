// The static site (convscope export-site) against the server: the engine in
// the page's Web Worker answers a run of an uploaded image with the same
// bytes as `convscope serve` (same decoder, same pixels, same values);
// routes without a static meaning say so; --no-scope leaves the Scope out.
// Self-contained (it exports its own sites), so it runs in the server mode
// of the suite only.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { STATIC, buildServer, startServer, serveStatic, launch, waitReady, makeImage, decodeBinary, repoRoot, screenshotPath } from './harness.mjs';

function exportSite(args = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'convscope-site-test-'));
  execFileSync(buildServer(), ['export-site', '--out', dir, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  return dir;
}

/**
 * sameRun checks a run of the site's engine against the server's: the
 * same values (names, shapes), the input tensor — the decoded, fitted
 * pixels — bit for bit, and every other value within float rounding (the
 * server's amd64 kernels use FMA, the WebAssembly build the portable Go
 * ones, so sums round differently).
 */
function sameRun(mine, theirs, what) {
  const a = decodeBinary(mine);
  const b = decodeBinary(theirs);
  assert.equal(a.header.predicted, b.header.predicted, `${what}: predicted`);
  assert.deepEqual(a.header.values.map((v) => [v.name, v.shape]), b.header.values.map((v) => [v.name, v.shape]), `${what}: values`);
  assert.ok(a.header.values.some((v) => v.name === a.header.input), `${what}: the run has its input tensor`);
  for (const [i, v] of a.header.values.entries()) {
    const w = b.header.values[i];
    const x = a.floats(v.offset, v.length);
    const y = b.floats(w.offset, w.length);
    if (v.name === a.header.input) {
      assert.deepEqual(x, y, `${what}: the input tensor (decoded pixels) differs from the server's`);
      continue;
    }
    let scale = 1e-30;
    for (const t of y) scale = Math.max(scale, Math.abs(t));
    let worst = 0;
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j] - y[j]));
    assert.ok(worst <= 1e-5 * scale, `${what}: ${v.name} differs by ${worst} (values up to ${scale})`);
  }
}

/**
 * engineRequest starts the site's engine in a Worker of its own in the page
 * (the site's worker script, as the page does) and answers one request
 * {method, url, headers, body: base64 | null} with {status, body: base64}.
 */
function engineRequest(page, workerFile, req) {
  return page.evaluate(async ({ workerFile, req }) => {
    const site = JSON.parse(document.getElementById('convscope-site').textContent);
    const w = new Worker(workerFile);
    w.postMessage({ type: 'init', engine: new URL(site.engine, location.href).href, wasmExec: new URL(site.wasm_exec, location.href).href, site, base: location.href });
    const body = req.body === null ? null : Uint8Array.from(atob(req.body), (c) => c.charCodeAt(0));
    const r = await new Promise((resolve) => {
      w.onmessage = (e) => resolve(e.data);
      w.postMessage({ type: 'request', id: 1, req: { ...req, body } });
    });
    w.terminate();
    let s = '';
    for (const x of r.body) s += String.fromCharCode(x);
    return { status: r.status, body: btoa(s) };
  }, { workerFile, req });
}

describe('static site', { skip: STATIC && 'self-contained: runs in the server mode' }, () => {
  let dir, site, server, browser;
  before(async () => {
    dir = exportSite();
    site = await serveStatic(dir, null);
    server = await startServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers runs of uploaded images with the server's bytes (same pixels)", async () => {
    const page = await browser.newPage();
    await page.route((u) => new URL(u).pathname.startsWith('/api/'), (r) => r.abort());
    await page.goto(site.url + '/');
    await waitReady(page, 60000);
    const workerFile = JSON.parse(readFileSync(path.join(dir, 'site.json'), 'utf8')).files.find((f) => /engine\.worker-.*\.js$/.test(f));
    const images = {
      'image/png': await makeImage(page, 'image/png', { width: 150, height: 97, seed: 3 }),
      'image/jpeg': await makeImage(page, 'image/jpeg', { width: 80, height: 120, seed: 5 }),
      'image/webp': await makeImage(page, 'image/webp', { width: 64, height: 64, seed: 9 }),
    };
    for (const [type, bytes] of Object.entries(images)) {
      const url = '/api/models/default/run?max_channels=0&mean=0.5&std=0.25';
      const mine = await engineRequest(page, workerFile, { method: 'POST', url, headers: [['content-type', type]], body: bytes.toString('base64') });
      assert.equal(mine.status, 200, type);
      const res = await fetch(server.url + url, { method: 'POST', body: bytes, headers: { 'Content-Type': type } });
      assert.equal(res.status, 200);
      const buf = Buffer.from(mine.body, 'base64');
      sameRun(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), await res.arrayBuffer(), type);
    }
    await page.close();
  });

  it('says a route it has no static meaning for is not available, and serves example images as files', async () => {
    const page = await browser.newPage();
    await page.goto(site.url + '/');
    await waitReady(page, 60000);
    const workerFile = JSON.parse(readFileSync(path.join(dir, 'site.json'), 'utf8')).files.find((f) => /engine\.worker-.*\.js$/.test(f));
    const r = await engineRequest(page, workerFile, { method: 'POST', url: '/api/train', headers: [], body: null });
    assert.equal(r.status, 501);
    assert.match(JSON.parse(Buffer.from(r.body, 'base64').toString()).error, /POST \/api\/train is not available in the static site/);
    const srcs = await page.$$eval('[data-example] img', (els) => els.map((e) => e.getAttribute('src')));
    assert.equal(srcs.length, 10);
    for (const s of srcs) assert.match(s, /^examples\/default\/\d\d_\w+\.png$/);
    assert.ok(await page.$eval('[data-example] img', (e) => e.naturalWidth > 0), 'the thumbnail loads');
    await page.close();
  });

  it('leaves the Scope page out with --no-scope', async () => {
    const d = exportSite(['--no-scope']);
    const s = await serveStatic(d, null);
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(s.url + '/#/scope');
      await waitReady(page, 60000);
      assert.equal(await page.locator('[data-nav="scope"]').count(), 0);
      assert.equal(await page.locator('[data-nav="explainer"]').count(), 1);
      await page.screenshot({ path: screenshotPath('site-no-scope-1366x768.png') });
      await page.close();
    } finally {
      await s.stop();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
