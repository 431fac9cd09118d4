// Every column opens a view: on the default model, a 150+-layer model
// (preset:mobilenetv2: BatchNorm, ReLU6, depthwise convs, Add, global
// pooling), preset:googlenet (Concat, LRN) and a TF.js graph model
// (internal/format/tfjs/testdata/graph/classifier: fused conv/depthwise with
// their activations, element-wise ops with constants, Pad, Mean), each neuron 0 of every column is
// clicked (after unfolding the layers folded into their producer); a view
// opens, and where it recomputes the cell (BatchNorm from
// the params API, Add, Concat, Pad, global pooling) the number it computes
// equals the run's value. Screenshots: e2e/out/layers-*.png.
// node --test --test-concurrency=1 e2e/layers.test.mjs
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { withServer, waitReady, makeImage, screenshotPath, axe, repoRoot } from './harness.mjs';

const SUITES = [
  { model: 'default', q: '' },
  { model: 'mobilenetv2', q: '?model=mobilenetv2', upload: true, min: 100 },
  { model: 'googlenet', q: '?model=googlenet', upload: true, min: 100 },
  { model: 'classifier', q: '?model=classifier', upload: true, min: 13 },
];
const graphModel = path.join(repoRoot, 'internal/format/tfjs/testdata/graph/classifier/model.json');

describe('every column opens a view', () => {
  const ctx = withServer(['--model', 'preset:mobilenetv2', '--model', 'preset:googlenet', '--model', graphModel]);

  for (const s of SUITES) {
    it(`${s.model}: each column's first neuron opens a view whose numbers match the run`, async () => {
      const page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${ctx.server.url}/${s.q}`);
      await waitReady(page);
      if (s.upload) {
        const png = await makeImage(page, 'image/png', { width: 160, height: 120, seed: 3 });
        await page.setInputFiles('input[data-testid="upload"]', { name: 'blobs.png', mimeType: 'image/png', buffer: png });
        await page.waitForSelector('[data-testid="status"]');
        await page.waitForFunction(() => document.querySelector('main.app')?.dataset.ready === 'true' && document.querySelector('[data-layer][data-neuron="0"]:not([data-layer="output"])'));
      }
      // Big models open with their in-place layers folded: unfold them all, so every layer has its column.
      for (let i = 0; i < 200 && (await page.locator('[data-unfold]').count()); i++) {
        const n = await page.locator('[data-layer-header]').count();
        await page.locator('[data-unfold]').first().click();
        await page.waitForFunction((n) => document.querySelectorAll('[data-layer-header]').length > n, n);
      }
      const layers = await page.$$eval('[data-neuron="0"][data-layer]', (els) => [...new Set(els.map((e) => e.dataset.layer))]);
      const model = await (await fetch(`${ctx.server.url}/api/models/${s.model}`)).json();
      const inputs = model.inputs.map((i) => i.name);
      const cols = layers.filter((l) => !inputs.includes(l));
      if (s.min) assert.ok(cols.length >= s.min, `${cols.length} columns`);
      const kinds = {};
      let checked = 0;
      for (const name of cols) {
        const el = page.locator(`[data-layer="${name}"][data-neuron="0"]`).first();
        await el.scrollIntoViewIfNeeded();
        await el.click();
        const view = await page.waitForSelector('[data-view]', { timeout: 10000 }).catch(() => null);
        assert.ok(view, `clicking ${name} opens a view`);
        const kind = await view.getAttribute('data-view');
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        // Parameters may still load; then the view has its values (no message instead of it).
        await page.waitForFunction(() => !document.querySelector('.view-msg'), null, { timeout: 15000 }).catch(() => {});
        const msg = await page.$$eval('.view-msg', (els) => els.map((e) => e.textContent.trim()));
        assert.deepEqual(msg, [], `${name} (${kind}): the view has its values`);
        if (kind === 'layer') {
          // The layer view's formula: where it computes a value, it is the run's.
          await page.waitForSelector('[data-layer-note]');
          const note = await page.getAttribute('[data-layer-note]', 'data-layer-note');
          if (note === 'scale') await page.waitForFunction(() => document.querySelector('[data-cell]')?.dataset.value !== '');
          const cell = await page.$eval('[data-cell]', (e) => ({ v: e.dataset.value, r: e.dataset.runValue }));
          if (cell.v !== '' && cell.v !== undefined) {
            const v = Number(cell.v);
            const r = Number(cell.r);
            assert.ok(Math.abs(v - r) <= 1e-4 * Math.max(1, Math.abs(r)), `${name} (${note}): computed ${v}, run ${r}`);
            checked++;
          } else {
            assert.ok(['generic', 'channel'].includes(note) || note === 'vector-elementwise', `${name}: ${note} without a computed value`);
          }
          if (!kinds.shot?.[note]) {
            kinds.shot = { ...kinds.shot, [note]: true };
            await page.screenshot({ path: screenshotPath(`layers-${s.model}-${note}.png`) });
          }
        }
        await page.keyboard.press('Escape');
        await page.waitForSelector('[data-view]', { state: 'detached' });
      }
      delete kinds.shot;
      console.log(`${s.model}: ${cols.length} columns opened: ${JSON.stringify(kinds)}; ${checked} recomputed cells match the run`);
      if (s.model !== 'default') assert.ok(checked >= (s.min >= 100 ? 5 : 3), `${checked} layer-view cells recomputed`);
      const v = await axe(page);
      assert.deepEqual(v.filter((x) => x.impact === 'critical' || x.impact === 'serious').map((x) => x.id), [], 'axe');
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
