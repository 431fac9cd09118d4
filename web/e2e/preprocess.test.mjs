// End-to-end: the Explainer shows a model's preprocessing and lets the
// user change it; the image runs again with it and the input column shows
// the tensor the network gets (its legend: the real range). Checked
// against the run API with the same parameters and against hand
// computation (x = (p·scale − mean)/std of the default run's pixels).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { STATIC, withServer, waitReady, decodeBinary, repoRoot, screenshotPath, axe, axeCount } from './harness.mjs';

const modelFile = path.join(repoRoot, 'internal/zoo/defaultmodel/model.json');

async function run(base, model, example, query) {
  const res = await fetch(`${base}/api/models/${model}/examples/${example}/run?max_channels=16&${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  const { header, floats } = decodeBinary(await res.arrayBuffer());
  const input = header.values.find((v) => v.op === 'Input');
  return { header, input: floats(input.offset, input.length) };
}

const legendTicks = (page) => page.locator('[data-legend="input:0"] .tick').allTextContents();

// A TF.js model whose input size is free ([null, null, null, 3]): a 1×1
// convolution whose class 0 reads the first input plane and class 1 the
// third, then global average pooling: its logits are those planes' means.
function freeModel() {
  const js = JSON.stringify({
    modelTopology: { model_config: { class_name: 'Sequential', config: { layers: [
      { class_name: 'Conv2D', config: { name: 'conv', batch_input_shape: [null, null, null, 3], filters: 2, kernel_size: [1, 1], use_bias: false } },
      { class_name: 'GlobalAveragePooling2D', config: { name: 'gap' } },
    ] } } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'conv/kernel', shape: [1, 1, 3, 2], dtype: 'float32' }] }],
  });
  const w = new Float32Array([1, 0, 0, 0, 0, 1]); // HWIO: (in c, out k) at 2c+k
  return [
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(js) },
    { name: 'group1-shard1of1.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(w.buffer) },
  ];
}

describe('preprocessing and model upload in the Explainer', () => {
  // The default model, and the same file served with a Caffe-style preprocessing.
  const ctx = withServer(['--model', modelFile, '--mean', '104,117,123', '--scale', '255', '--bgr']);

  it('shows the model’s preprocessing, runs with a changed one, and draws the real input tensor', async () => {
    const base = ctx.server.url;
    const page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${base}/`);
    await waitReady(page);
    const summary = page.getByTestId('pre-summary');
    assert.equal(await summary.textContent(), '[0, 1] RGB · RGB · 0…1');
    assert.deepEqual(await legendTicks(page), ['0', '0.5', '1']);
    const example = await page.locator('[data-example].thumb[aria-pressed="true"]').getAttribute('data-example');
    const canvas = () => page.locator('canvas[data-col="0"]').evaluate((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data));
    const before = await canvas();

    // Change it to [−1, 1] (Keras/TF.js MobileNet) and run.
    await page.locator('[data-testid="preprocess"] summary').click();
    const c = axeCount(await axe(page));
    assert.equal(c.critical + c.serious, 0, `axe with the panel open: ${JSON.stringify(c)}`);
    await page.getByTestId('pre-convention').selectOption('tf');
    assert.equal(await page.getByTestId('pre-mean').inputValue(), '127.5');
    await page.getByTestId('pre-apply').click();
    await page.getByTestId('pre-changed').waitFor();
    await waitReady(page);
    assert.equal(await summary.textContent(), '[−1, 1] (Keras, TF.js MobileNet) · RGB · −1…1');
    assert.deepEqual(await legendTicks(page), ['−1', '0', '1']);

    // The run the page shows is the API's run with the same parameters …
    const own = await run(base, 'default', example, '');
    const tf = await run(base, 'default', example, 'mean=127.5&std=127.5&scale=255');
    assert.deepEqual(tf.header.preprocess, { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5], scale: 255, bgr: false, resize: 'crop' });
    // … whose input is 2p − 1 of the default run's pixels p, by hand.
    let worst = 0;
    own.input.forEach((p, i) => (worst = Math.max(worst, Math.abs(tf.input[i] - (2 * p - 1)))));
    assert.ok(worst < 1e-5, `input differs from 2p − 1 by ${worst}`);
    const k = tf.header.predicted;
    const shown = await page.getByTestId('prediction').textContent();
    assert.ok(shown.includes(`${(tf.header.probabilities[k] * 100).toFixed(1)}%`), `prediction ${shown} vs the API's ${tf.header.probabilities[k]}`);
    // The grey scale spans −1 … 1, so the input looks as before (black stays black, white white).
    const after = await canvas();
    let diff = 0;
    before.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - after[i]))));
    assert.ok(diff <= 2, `the input column's pixels changed by ${diff}`);
    await page.screenshot({ path: screenshotPath('preprocess-tf-1366.png') });

    // Back to the model's own.
    await page.getByTestId('pre-reset').click();
    await waitReady(page);
    await page.getByTestId('pre-changed').waitFor({ state: 'detached' });
    assert.deepEqual(await legendTicks(page), ['0', '0.5', '1']);
    await page.close();
  });

  it('shows a served model’s own preprocessing: B, G, R planes and the range −123 … 151', async () => {
    const base = ctx.server.url;
    const models = (await (await fetch(`${base}/api/models`)).json()).models;
    const m = models.find((x) => !x.default);
    const page = await ctx.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/?model=${encodeURIComponent(m.id)}`);
    await waitReady(page);
    assert.equal(await page.getByTestId('pre-summary').textContent(), 'Caffe BGR 0–255 − mean · BGR · −123…151');
    const labels = await page.locator('.channel-label').allTextContents();
    assert.deepEqual(labels.map((s) => s.trim()), ['Blue', 'Green', 'Red']);
    const ticks = await legendTicks(page);
    assert.equal(ticks[0], '−123');
    assert.equal(ticks.at(-1), '151');
    // The first plane is B: (p·255 − 104) of the image's blue pixels.
    const ex = m.examples[0];
    const own = await run(base, 'default', ex, '');
    const caffe = await run(base, m.id, ex, '');
    const hw = own.input.length / 3;
    let worst = 0;
    for (let i = 0; i < hw; i++) worst = Math.max(worst, Math.abs(caffe.input[i] - (own.input[2 * hw + i] * 255 - 104)));
    assert.ok(worst < 1e-3, `B plane differs by ${worst}`);
    await page.screenshot({ path: screenshotPath('preprocess-caffe-390.png') });
    await page.close();
  });

  it('opens a model file whose input size is free: asks for the size (prefilled), runs it at the size given', async () => {
    const base = ctx.server.url;
    const page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${base}/`);
    await waitReady(page);
    await page.getByTestId('model-upload').setInputFiles(freeModel());
    const ask = page.getByTestId('free-size');
    await ask.waitFor();
    const c = axeCount(await axe(page));
    assert.equal(c.critical + c.serious, 0, `axe with the size asked: ${JSON.stringify(c)}`);
    assert.match(await ask.textContent(), /model\.json.*3×\?×\?/);
    const field = page.getByTestId('free-size-input');
    assert.equal(await field.inputValue(), '3,224,224');
    await field.fill('3, 32 32');
    await ask.locator('button[type="submit"]').click();
    await ask.waitFor({ state: 'detached' });
    await waitReady(page);
    await page.screenshot({ path: screenshotPath('open-model-1366.png') });
    let id = await page.getByTestId('model-picker').inputValue();
    if (STATIC) {
      // The model lives in the page's engine: the oracle server gets the same upload.
      const form = new FormData();
      for (const f of freeModel()) form.append('file', new Blob([f.buffer]), f.name);
      id = (await (await fetch(`${base}/api/models?input=3,32,32`, { method: 'POST', body: form })).json()).model.id;
    }
    const models = (await (await fetch(`${base}/api/models`)).json()).models;
    const m = models.find((x) => x.id === id);
    assert.deepEqual(m.input, [3, 32, 32]);
    // The page shows the API's run of this model, whose logits are the means of the R and B planes of its input, by hand.
    const example = await page.locator('[data-example].thumb[aria-pressed="true"]').getAttribute('data-example');
    const r = await run(base, id, example, '');
    const hw = 32 * 32;
    const mean = (k) => r.input.slice(k * hw, (k + 1) * hw).reduce((a, b) => a + b, 0) / hw;
    assert.ok(Math.abs(r.header.logits[0] - mean(0)) < 1e-5 && Math.abs(r.header.logits[1] - mean(2)) < 1e-5, `logits ${r.header.logits} vs means ${mean(0)}, ${mean(2)}`);
    const k = r.header.predicted;
    const shown = await page.getByTestId('prediction').textContent();
    assert.ok(shown.includes(`${(r.header.probabilities[k] * 100).toFixed(1)}%`), `prediction ${shown} vs ${r.header.probabilities[k]}`);
    await page.close();
  });
});
