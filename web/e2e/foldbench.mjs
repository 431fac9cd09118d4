// A 5,000-layer graph in the Scope (issue 21): layout time folded into its
// blocks and fully expanded, and frame times while panning, in headless
// Chromium. node e2e/foldbench.mjs [units per stage = 100]
//
// The model is a synthetic Caffe prototxt: 10 stages of N residual units
// (conv, ReLU, conv, ReLU, Eltwise sum: 5 layers each, named
// stage{s}/unit{u}/…), 8 channels at 8×8 so that the analysis is quick.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { startServer, launch, waitScopeReady, graphSettled } from './harness.mjs';

const units = Number(process.argv[2] ?? 100); // --all: also expand every block (dagre lays out every box)
let text = 'name: "bench5000"\ninput: "data" input_dim: 1 input_dim: 8 input_dim: 8 input_dim: 8\n';
let prev = 'data';
for (let s = 0; s < 10; s++) {
  for (let u = 0; u < units; u++) {
    const p = `stage${s}/unit${u}`;
    text += `layer { name: "${p}/conv1" type: "Convolution" bottom: "${prev}" top: "${p}/conv1" convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }\n`;
    text += `layer { name: "${p}/relu1" type: "ReLU" bottom: "${p}/conv1" top: "${p}/conv1" }\n`;
    text += `layer { name: "${p}/conv2" type: "Convolution" bottom: "${p}/conv1" top: "${p}/conv2" convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }\n`;
    text += `layer { name: "${p}/relu2" type: "ReLU" bottom: "${p}/conv2" top: "${p}/conv2" }\n`;
    text += `layer { name: "${p}/sum" type: "Eltwise" bottom: "${prev}" bottom: "${p}/conv2" top: "${p}/sum" }\n`;
    prev = `${p}/sum`;
  }
}
const dir = mkdtempSync(path.join(tmpdir(), 'foldbench-'));
const file = path.join(dir, 'bench5000.prototxt');
writeFileSync(file, text);

const server = await startServer([]);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });

/** panFrames drags the graph around for ~2 s and returns the frame intervals (ms). */
async function panFrames() {
  const box = await page.$eval('.graph-view', (e) => {
    const r = e.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__frames.length < 10000 && !window.__stop) requestAnimationFrame(tick);
    };
    window.__stop = false;
    requestAnimationFrame(tick);
  });
  await page.mouse.move(box.x, box.y);
  await page.mouse.down();
  for (let i = 0; i < 120; i++) await page.mouse.move(box.x + 200 * Math.sin(i / 10), box.y + 150 * Math.cos(i / 13) - i * 2);
  await page.mouse.up();
  return page.evaluate(() => {
    window.__stop = true;
    return window.__frames.slice(1);
  });
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const report = (what, frames) => console.log(`${what}: ${frames.length} frames, median ${pct(frames, 0.5).toFixed(1)} ms, p95 ${pct(frames, 0.95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms`);

try {
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (${5 * 10 * units} layers)`);
  await page.goto(`${server.url}/#/scope`);
  await waitScopeReady(page, 60000);
  const t0 = Date.now();
  await page.setInputFiles('[data-testid="model-file"]', file);
  await page.waitForSelector('g.node[data-node^="block:"]', { timeout: 300000 });
  await waitScopeReady(page, 300000);
  await graphSettled(page);
  const boxes = await page.$$eval('.graph-svg g.node', (e) => e.length);
  console.log(`folded: open → drawn ${Date.now() - t0} ms, layout ${await page.$eval('main.scope', (m) => m.dataset.layoutMs)} ms, ${boxes} boxes`);
  report('folded, panning', await panFrames());

  // Expanding one stage: its 100 units as blocks, the other stages folded.
  await page.click('[data-tab="none"]');
  await page.click('[data-action="fit"]');
  await graphSettled(page);
  const t2 = Date.now();
  await page.dblclick('g.node[data-node="block:stage0"]');
  await page.waitForSelector('g.node[data-node="block:stage0/unit0"]', { timeout: 300000 });
  await waitScopeReady(page, 300000);
  await graphSettled(page, 60000);
  const one = await page.$$eval('.graph-svg g.node', (e) => e.length);
  console.log(`stage0 expanded: double click → drawn ${Date.now() - t2} ms, layout ${await page.$eval('main.scope', (m) => m.dataset.layoutMs)} ms, ${one} boxes`);
  report('stage0 expanded, panning', await panFrames());
  if (!process.argv.includes('--all')) throw 'done';

  const t1 = Date.now();
  await page.click('[data-action="blocks"]');
  await page.waitForFunction(() => !document.querySelector('g.node[data-node^="block:"]'), null, { timeout: 600000 });
  await waitScopeReady(page, 600000);
  await graphSettled(page, 60000);
  const all = await page.$$eval('.graph-svg g.node', (e) => e.length);
  console.log(`expanded: click → drawn ${Date.now() - t1} ms, layout ${await page.$eval('main.scope', (m) => m.dataset.layoutMs)} ms, ${all} boxes`);
  report('expanded, panning', await panFrames());
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} catch (e) {
  if (e !== 'done') throw e;
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
