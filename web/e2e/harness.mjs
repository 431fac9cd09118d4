// Shared helpers of the end-to-end tests: build and start `convscope serve`,
// launch Debian's Chromium through playwright-core, measure and compare.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync, readFileSync, createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';

export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(webDir, '..');
export const refDir = path.resolve(repoRoot, '../shared/reference/cnn-explainer');
export const outDir = path.join(webDir, 'e2e', 'out');
export const refClasses = ['lifeboat', 'ladybug', 'pizza', 'bell pepper', 'school bus', 'koala', 'espresso', 'red panda', 'orange', 'sport car'];

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * needRef is the one guard of the tests that need reference data
 * (../shared/reference): false when every path exists, else the reason to
 * skip, naming the missing path. Under CI=true a missing path is an error,
 * so nothing skips silently in CI. Use as { skip: needRef(a, b) }.
 */
export function needRef(...paths) {
  const missing = paths.filter((p) => !existsSync(p));
  if (!missing.length) return false;
  const why = `reference data missing: ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${why} (CI=true requires it)`);
  return why;
}

let binary;
/** buildServer compiles cmd/convscope once per test process. */
export function buildServer() {
  if (binary) return binary;
  const dir = mkdtempSync(path.join(tmpdir(), 'convscope-e2e-'));
  binary = path.join(dir, 'convscope');
  execFileSync('go', ['build', '-o', binary, './cmd/convscope'], { cwd: repoRoot, stdio: 'inherit' });
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return binary;
}

/**
 * STATIC is the static-site mode of the suite (CONVSCOPE_E2E_SITE=1, run by
 * scripts/test.sh after the server mode): startServer exports the site with
 * `convscope export-site` and serves the folder with a plain static file
 * server, and every page of launch()'s browser has each /api/ request
 * aborted, so the UI can only work through the engine in its Web Worker.
 * The tests' own oracle requests (fetchRun, fetch(`${url}/api/…`) from
 * Node) still reach a real `convscope serve` with the same models, which
 * the static server forwards them to, refusing any request from a browser.
 */
export const STATIC = process.env.CONVSCOPE_E2E_SITE === '1';

/**
 * SERVER_ONLY lists, in one place, the tests that exercise server-only
 * behaviour and do not run in the static mode, with the reason (key: the
 * test's title). serverOnly(title) is their skip option.
 */
export const SERVER_ONLY = {
  // Both watch the page's HTTP requests to /api/…/run (which runs, with
  // which expand=); a static site's requests go to its worker, not the network.
  'expands conv1 from 16 to all 64 maps with the values of the expanded run': 'it reads the expanded run from the network',
  'fetches an example run when its thumbnail is hovered, not all examples up front': 'it counts the run requests on the network',
  // It counts the page's uploads on the network.
  'registers an opened file once for the weights panel and the Profile': 'it counts the POST /api/models requests on the network',
  // Training runs on a server (its data folder, one job per server): a static site has no Train page.
  'trains Tiny VGG on an uploaded zip, stops, resumes, explains the result': 'the training studio trains on the server',
};

/**
 * TOO_SLOW_IN_BROWSER lists the tests whose model is too big for the static site's engine
 * (Go→WebAssembly, one core, no SIMD) to run within the test's waits, with the measurement.
 */
export const TOO_SLOW_IN_BROWSER = {
  'explains the 7×7 stride-2 padded stem, a 64-input conv, a padded pool and the 1000-class output':
    'ResNet-18 runs 45–53 s per image in the wasm engine (docs/performance.md); the upload timed out after 41 s in the static run of 2026-12-02',
  // The phone test of e2e/profile.test.mjs profiles Tiny VGG in the static site.
  'profiles a preset from the page: table columns, colours by time and MACs, legend':
    'ResNet-18 runs 45–53 s per image in the wasm engine and the profile runs it once to warm up and then runs= times',
};

/** serverOnly is the skip option of a test: its reason in the static mode when SERVER_ONLY or TOO_SLOW_IN_BROWSER lists it, else false. */
export function serverOnly(title) {
  if (STATIC && SERVER_ONLY[title]) return `server-only: ${SERVER_ONLY[title]}`;
  return STATIC && TOO_SLOW_IN_BROWSER[title] ? `too slow in the browser: ${TOO_SLOW_IN_BROWSER[title]}` : false;
}

/** startServer runs `convscope serve --addr 127.0.0.1:0 …args` (in the static mode: the exported site beside it) and resolves with its URL. */
export async function startServer(args = []) {
  if (!STATIC) return startConvscope(args);
  const oracle = await startConvscope(args);
  const dir = mkdtempSync(path.join(tmpdir(), 'convscope-site-'));
  try {
    execFileSync(buildServer(), ['export-site', '--out', dir, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    await oracle.stop();
    throw err;
  }
  const site = await serveStatic(dir, oracle.url);
  return {
    url: site.url,
    dir,
    stop: async () => {
      await site.stop();
      await oracle.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const mimeTypes = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.txt': 'text/plain; charset=utf-8',
};

/**
 * serveStatic serves the files of dir as any static host does (GET and
 * HEAD, no index of folders, 404 else). /api/ requests of Node (the tests'
 * oracles) go to the server at oracleURL; one from a browser gets 403.
 * mounts maps a path prefix ('/bench/') to another folder (benchmarks).
 */
export function serveStatic(dir, oracleURL, mounts = {}) {
  const srv = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let root = dir;
    for (const [prefix, d] of Object.entries(mounts)) {
      if (url.pathname.startsWith(prefix)) {
        root = d;
        url.pathname = url.pathname.slice(prefix.length - 1);
      }
    }
    if (url.pathname.startsWith('/api/')) {
      if (!oracleURL || /Mozilla|Chrome/.test(req.headers['user-agent'] ?? '')) {
        res.writeHead(403).end('the static site has no API');
        return;
      }
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await new Promise((r) => {
        const parts = [];
        req.on('data', (d) => parts.push(d)).on('end', () => r(Buffer.concat(parts)));
      });
      const headers = { ...req.headers };
      delete headers.host;
      const up = await fetch(oracleURL + req.url, { method: req.method, headers, body });
      res.writeHead(up.status, Object.fromEntries(up.headers));
      res.end(Buffer.from(await up.arrayBuffer()));
      return;
    }
    let p = decodeURIComponent(url.pathname);
    if (p.endsWith('/')) p += 'index.html';
    const file = path.join(root, path.normalize(p));
    let st;
    try {
      st = file.startsWith(root) && statSync(file);
    } catch {
      st = null;
    }
    if (!st || !st.isFile() || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': mimeTypes[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${srv.address().port}`, stop: () => new Promise((r) => srv.close(() => r())) });
    });
  });
}

/**
 * startConvscope runs `convscope serve --addr 127.0.0.1:0 …args` and resolves with its URL.
 * Without --data in args, the training studio's folder is a fresh temporary one (never
 * the user's cache), removed when the process exits.
 */
function startConvscope(args = []) {
  const bin = buildServer();
  if (!args.includes('--data')) {
    const data = mkdtempSync(path.join(tmpdir(), 'convscope-e2e-data-'));
    process.on('exit', () => rmSync(data, { recursive: true, force: true }));
    args = ['--data', data, ...args];
  }
  const proc = spawn(bin, ['serve', '--addr', '127.0.0.1:0', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not print its URL in 30 s: ${out}${stderr}`)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          stop: () => new Promise((r) => {
            if (proc.exitCode !== null) return r();
            proc.once('exit', r);
            proc.kill('SIGTERM');
          }),
        });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
}

/** TOUR_SEEN: the localStorage entry that stops the guided tour from starting by itself (lib/tour/tour.svelte.js). */
export const TOUR_SEEN = ['convscope.tour', 'seen'];

/**
 * launch starts headless Chromium (playwright gives it a fresh temporary
 * profile). Every context it makes (browser.newPage too, which goes through
 * newContext) has the guided tour marked as seen, so that the first-visit
 * tour does not cover the page the tests look at; { tour: true } leaves it
 * unseen (e2e/tour.test.mjs).
 */
export async function launch({ tour = false } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  if (!tour) {
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (options) => {
      const ctx = await newContext(options);
      await ctx.addInitScript(([k, v]) => {
        try {
          localStorage.setItem(k, v);
        } catch {
          // a page without storage (about:blank)
        }
      }, TOUR_SEEN);
      return ctx;
    };
  }
  if (STATIC) {
    // Every page's /api/ requests fail: only the in-browser engine can answer.
    const noAPI = (target) => target.route((url) => new URL(url).pathname.startsWith('/api/'), (route) => route.abort());
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (...a) => {
      const c = await newContext(...a);
      await noAPI(c);
      return c;
    };
    browser.newPage = async (...a) => {
      const c = await browser.newContext(...a);
      const p = await c.newPage();
      p.on('close', () => c.close().catch(() => {}));
      return p;
    };
  }
  return browser;
}

/** Records the first moment data-ready becomes "true" after navigation (performance.now, ms since navigation start). */
export const READY_PROBE = () => {
  const mark = () => {
    const el = document.querySelector('main.app');
    if (el && el.dataset.ready === 'true' && window.__readyAt === undefined) {
      window.__readyAt = performance.now();
      console.debug(`convscope-ready ${window.__readyAt}`);
    }
  };
  new MutationObserver(mark).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'], childList: true });
};

/**
 * timedSwitch performs action (a click or a file upload) and returns the
 * time from the user event (click/change timestamp) until data-ready is
 * "true" again after having been "false".
 */
export async function timedSwitch(page, action) {
  await page.evaluate(() => {
    const el = document.querySelector('main.app');
    window.__switch = new Promise((resolve, reject) => {
      let t0 = null;
      let sawFalse = false;
      const onEvent = (e) => {
        if (t0 === null) t0 = e.timeStamp;
      };
      document.addEventListener('click', onEvent, true);
      document.addEventListener('change', onEvent, true);
      const mo = new MutationObserver(() => {
        if (el.dataset.ready === 'false') sawFalse = true;
        else if (sawFalse && el.dataset.ready === 'true') {
          mo.disconnect();
          document.removeEventListener('click', onEvent, true);
          document.removeEventListener('change', onEvent, true);
          resolve(performance.now() - (t0 ?? performance.now()));
        }
      });
      mo.observe(el, { attributes: true, attributeFilter: ['data-ready'] });
      setTimeout(() => reject(new Error('no data-ready cycle within 15 s')), 15000);
    });
  });
  await action();
  return page.evaluate(() => window.__switch);
}

/**
 * firstPicture navigates page (with READY_PROBE added) to url and resolves
 * with the time to data-ready, waiting for the probe's console message:
 * nothing is evaluated in the page before it (waitForFunction would inject
 * Playwright's script and poll, costing the page main-thread time).
 */
export async function firstPicture(page, url, timeout = 30000) {
  const ready = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('convscope-ready '), timeout });
  await page.goto(url, { waitUntil: 'commit' });
  return +(await ready).text().split(' ')[1];
}

// In the static mode a page first loads and starts the engine (a 17 MB
// module) in its worker: on the shared CI machine that takes seconds.
export async function waitReady(page, timeout = STATIC ? 60000 : 15000) {
  await page.waitForSelector('main.app[data-ready="true"]', { timeout });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function screenshotPath(name) {
  mkdirSync(outDir, { recursive: true });
  // The static mode's screenshots (of the exported site) sit beside the server's.
  return path.join(outDir, STATIC ? `site-${name}` : name);
}

/** overlaps returns the pairs of boxes that intersect (touching edges do not count). */
export function overlaps(boxes) {
  const bad = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5) bad.push([a.id, b.id]);
    }
  }
  return bad;
}

/** makeImage draws a test picture in the page and returns it encoded as PNG or JPEG. */
export async function makeImage(page, type, { width = 120, height = 90, seed = 1 } = {}) {
  const b64 = await page.evaluate(async ({ type, width, height, seed }) => {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    const g = c.getContext('2d');
    let s = seed;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    g.fillStyle = `hsl(${Math.floor(rnd() * 360)}, 60%, 70%)`;
    g.fillRect(0, 0, width, height);
    for (let i = 0; i < 12; i++) {
      g.fillStyle = `hsl(${Math.floor(rnd() * 360)}, 70%, ${30 + Math.floor(rnd() * 40)}%)`;
      g.beginPath();
      g.arc(rnd() * width, rnd() * height, 5 + rnd() * 30, 0, Math.PI * 2);
      g.fill();
    }
    const blob = await new Promise((r) => c.toBlob(r, type, 0.9));
    const buf = new Uint8Array(await blob.arrayBuffer());
    let bin = '';
    for (const x of buf) bin += String.fromCharCode(x);
    return btoa(bin);
  }, { type, width, height, seed });
  return Buffer.from(b64, 'base64');
}

// ---- Scope page helpers (e2e/scope.test.mjs) ----

/** waitScopeReady waits until the Scope page has drawn (main.scope[data-ready="true"]). */
export async function waitScopeReady(page, timeout = 30000) {
  await page.waitForSelector('main.scope[data-ready="true"]', { timeout });
}

/** nextFrames resolves after n animation frames of the page (what was changed has been painted). */
export function nextFrames(page, n = 2) {
  return page.evaluate((n) => new Promise((r) => {
    const step = (i) => (i ? requestAnimationFrame(() => step(i - 1)) : r());
    step(n);
  }), n);
}

/** graphSettled waits until the Scope graph's view stops moving (no zoom or pan transition: no data-moving) and is painted. */
export async function graphSettled(page, timeout = 15000) {
  await page.waitForSelector('.graph-svg:not([data-moving])', { timeout });
  await nextFrames(page);
}

/**
 * stillBox waits until the (first) element of selector, a Playwright selector,
 * has kept the same box for 5 animation frames: an explanation view slides in
 * (views.css view-slide, 0.3 s), and a box read or a pointer placed before
 * that ends is off by up to 14 px.
 */
export async function stillBox(page, selector, timeout = 15000) {
  const loc = page.locator(selector).first();
  const end = Date.now() + timeout;
  let last = '';
  for (let same = 0; same < 4; ) {
    if (Date.now() > end) throw new Error(`${selector} still moving (or absent) after ${timeout} ms`);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    const b = await loc.boundingBox();
    const key = JSON.stringify(b);
    same = b && key === last ? same + 1 : 0;
    last = key;
  }
}

/** cli runs the built convscope binary with args and returns its standard output. */
export function cli(args) {
  return execFileSync(buildServer(), args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
}

// ---- helpers of the explanation-view tests (views.test.mjs) ----

/** decodeBinary parses a convscope binary response (independently of the UI's decoder). */
export function decodeBinary(arrayBuffer) {
  const buf = Buffer.from(arrayBuffer);
  const n = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + n).toString('utf8'));
  const start = (4 + n + 3) & ~3;
  const floats = (offset, length) => {
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = buf.readFloatLE(start + offset + 4 * i);
    return out;
  };
  return { header, floats };
}

/** fetchRun runs an example through the API and returns {header, values: Map name → {shape, channels, data}}. */
export async function fetchRun(base, model, example, maxChannels = 0) {
  const q = maxChannels ? `&max_channels=${maxChannels}` : '';
  const res = await fetch(`${base}/api/models/${encodeURIComponent(model)}/run?example=${encodeURIComponent(example)}${q}`, { method: 'POST' });
  if (!res.ok) throw new Error(`run ${model}/${example}: ${res.status} ${await res.text()}`);
  const { header, floats } = decodeBinary(await res.arrayBuffer());
  const values = new Map();
  for (const v of header.values) values.set(v.name, { ...v, data: floats(v.offset, v.length) });
  return { header, values };
}

/** fetchParams returns a layer's parameters {name: {shape, data}} from the binary API. */
export async function fetchParams(base, model, layer) {
  const res = await fetch(`${base}/api/models/${encodeURIComponent(model)}/params/${layer}`);
  if (!res.ok) throw new Error(`params ${model}/${layer}: ${res.status}`);
  const { header, floats } = decodeBinary(await res.arrayBuffer());
  const out = {};
  for (const p of header.params) out[p.name] = { shape: p.shape, data: floats(p.offset, p.length) };
  return out;
}

/** uiNumber prints a number as the UI does: fixed decimals, a real minus sign, no negative zero. */
export function uiNumber(v, digits) {
  const s = (Math.abs(v) < 0.5 * 10 ** -digits ? 0 : v).toFixed(digits);
  return s.replace('-', '−');
}

/**
 * withServer, called inside a describe block, starts `convscope serve …args`
 * and Chromium before its tests and stops both after them; the returned
 * object gets {server, browser} once they run.
 */
export function withServer(args) {
  const ctx = {};
  before(async () => {
    ctx.server = await startServer(args);
    ctx.browser = await launch();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}

// ---- accessibility (e2e/a11y.test.mjs) ----

let axeSource;
/**
 * axe runs axe-core (the pinned devDependency) on the page and returns its
 * violations [{id, impact, nodes: [target…]}]. The script goes in through
 * the DevTools protocol (page.evaluate), not a <script> element, so the
 * page's Content-Security-Policy stays as served.
 */
export async function axe(page, { exclude = [] } = {}) {
  axeSource ??= readFileSync(path.join(webDir, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  return page.evaluate(async (exclude) => {
    // Views fade and slide in (views.css): a colour read mid-animation is blended with
    // the background (a 4.39 contrast once, for text of 6+). Let finite animations end.
    await Promise.all(document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity).map((a) => a.finished.catch(() => {})));
    const r = await window.axe.run({ include: [document], exclude: exclude.map((s) => [s]) }, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`) }));
  }, exclude);
}

/** VIEWPORTS are the desktop and phone sizes every page is checked (and screenshotted) at. */
export const VIEWPORTS = [
  { name: 'desktop', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
];

/** axeClean asserts that axe finds no critical or serious violation on the page, listing them when it does. */
export async function axeClean(page, what) {
  const v = await axe(page);
  const bad = v.filter((x) => x.impact === 'critical' || x.impact === 'serious');
  console.log(`axe ${what}: ${JSON.stringify(axeCount(v))}`);
  assert.deepEqual(bad.map((x) => `${x.impact} ${x.id}: ${x.help}\n    ${x.nodes.join('\n    ')}`), [], `${what}: axe violations`);
}

/** axeCount counts violations' nodes by impact: {critical, serious, moderate, minor}. */
export function axeCount(violations) {
  const c = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  for (const v of violations) c[v.impact] = (c[v.impact] ?? 0) + v.nodes.length;
  return c;
}
