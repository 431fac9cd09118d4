// End-to-end: a Dense layer on a vector opens the weighted-sum breakdown of
// the clicked unit with its real numbers: the terms w·x, the bias and the
// total, checked against y_j = Σ_i K[i, j]·x_i + b_j computed here from the
// weights written into the model and the run API's input vector.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withServer, waitReady, fetchRun, screenshotPath, axe, axeCount, repoRoot } from './harness.mjs';


// GAP → fc1 (Dense 3→4, linear) → fc2 (Dense 4→3, softmax), 8×8×3 input.
const K1 = [[0.5, -1, 2, 0.25], [1.5, 0.75, -0.5, -2], [-1, 0.5, 1, 3]]; // [in][out], Keras layout
const B1 = [0.1, -0.2, 0.3, 0.05];
const K2 = [[1, 0, -1], [0.5, 0.5, 0.5], [-1, 2, 0], [0, -0.5, 1]];
const B2 = [0, 0.1, -0.1];

function modelDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'convscope-dense-'));
  const js = {
    modelTopology: { model_config: { class_name: 'Sequential', config: { name: 'dense-on-vector', layers: [
      { class_name: 'GlobalAveragePooling2D', config: { name: 'gap', batch_input_shape: [null, 8, 8, 3] } },
      { class_name: 'Dense', config: { name: 'fc1', units: 4, activation: 'linear', use_bias: true } },
      { class_name: 'Dense', config: { name: 'fc2', units: 3, activation: 'softmax', use_bias: true } },
    ] } } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [
      { name: 'fc1/kernel', shape: [3, 4], dtype: 'float32' }, { name: 'fc1/bias', shape: [4], dtype: 'float32' },
      { name: 'fc2/kernel', shape: [4, 3], dtype: 'float32' }, { name: 'fc2/bias', shape: [3], dtype: 'float32' },
    ] }],
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(js));
  const w = Float32Array.from([...K1.flat(), ...B1, ...K2.flat(), ...B2]);
  writeFileSync(path.join(dir, 'group1-shard1of1.bin'), Buffer.from(w.buffer));
  return path.join(dir, 'model.json');
}

describe('Dense on a vector', () => {
  const ctx = withServer(['--model', modelDir(), '--examples', path.join(repoRoot, 'internal/zoo/defaultmodel/examples')]);

  for (const [vw, vh] of [[1366, 768], [390, 844]]) {
    it(`opens the weighted sum of a unit with its real numbers (${vw}×${vh})`, async () => {
      const base = ctx.server.url;
      const id = (await (await fetch(`${base}/api/models`)).json()).models.find((m) => !m.default).id;
      const page = await ctx.browser.newPage({ viewport: { width: vw, height: vh } });
      await page.goto(`${base}/?model=${encodeURIComponent(id)}`);
      await waitReady(page);
      const example = await page.locator('[data-example].thumb[aria-pressed="true"]').getAttribute('data-example');
      const r = await fetchRun(base, id, example);
      const gapName = r.header.values.find((v) => v.node === 'gap').name;
      const x = r.values.get(gapName).data;
      // The column is one picture of the vector: it opens unit 0; the arrow keys step through the units.
      await page.locator('.neuron[data-layer="fc1"][data-neuron="0"]').click();
      await page.locator('[data-dense]').waitFor();
      let at = 0;
      for (const j of [0, 1, 3]) {
        await page.locator('.unary').focus();
        for (; at < j; at++) await page.keyboard.press('ArrowRight');
        await page.locator(`[data-dense] [data-unit="${j}"]`).waitFor();
        // By hand: the products K1[i][j]·x_i, the bias, the total.
        const want = x.map((xi, i) => K1[i][j] * xi);
        const rows = await page.locator('[data-term]').evaluateAll((els) => els.map((e) => [+e.dataset.term, +e.querySelector('[data-product]').dataset.product]));
        assert.equal(rows.length, 3);
        for (const [i, p] of rows) assert.ok(Math.abs(p - want[i]) < 1e-5, `term ${i}: ${p} vs ${want[i]}`);
        const sorted = rows.map(([, p]) => Math.abs(p));
        assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a), 'largest first');
        const total = want.reduce((a, b) => a + b, 0) + B1[j];
        const cell = page.locator('[data-dense] [data-cell]');
        assert.ok(Math.abs(+(await cell.getAttribute('data-value')) - total) < 1e-5);
        assert.ok(Math.abs(+(await cell.getAttribute('data-run-value')) - r.values.get('fc1').data[j]) < 1e-6);
        assert.ok(Math.abs(total - r.values.get('fc1').data[j]) < 1e-5, `hand ${total} vs run ${r.values.get('fc1').data[j]}`);
        assert.equal(+(await page.locator('[data-bias]').getAttribute('data-bias')), Math.fround(B1[j]));
      }
      const v = await axe(page);
      const c = axeCount(v);
      assert.equal(c.critical + c.serious, 0, JSON.stringify(v.filter((x) => x.impact === 'serious' || x.impact === 'critical')));
      await page.screenshot({ path: screenshotPath(`dense-${vw}.png`) });
      await page.close();
    });
  }
});
