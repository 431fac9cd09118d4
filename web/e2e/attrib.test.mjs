// The "Why?" control: each of the four attribution overlays on the default
// model, a preset with (random) weights and a TF.js model opened with
// "Open model…"; the map drawn on the input column equals the API's
// (POST /api/models/{id}/explain with the same image) through the same
// colour scale (lib/attrib.js mapRGBA), a click on a class row picks the
// class, axe finds no critical/serious violation, screenshots at 1366×768
// and 390×844 go to e2e/out/attrib-*.png.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { withServer, waitReady, makeImage, screenshotPath, axe, axeCount, refDir, needRef, STATIC } from './harness.mjs';
import { mapRGBA } from '../src/lib/attrib.js';

const METHODS = ['saliency', 'gradcam', 'ig', 'occlusion'];

async function apiMap(base, id, method, cls, png) {
  const res = await fetch(`${base}/api/models/${encodeURIComponent(id)}/explain?method=${method}&class=${cls}`, { method: 'POST', body: png });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

/** drawn reads the first overlay canvas of the input column: {w, h, data, cls}. */
async function drawn(page, method) {
  const sel = `canvas.attrib-overlay[data-attrib-method="${method}"]`;
  await page.locator('[data-testid="why"][data-why-state="ready"]').waitFor({ timeout: 120000 });
  await page.locator(sel).first().waitFor({ timeout: 120000 });
  return page.locator(sel).first().evaluate((c) => ({
    w: c.width, h: c.height, cls: +c.dataset.attribClass, layer: c.dataset.attribLayer,
    data: [...c.getContext('2d').getImageData(0, 0, c.width, c.height).data],
  }));
}

/** sameRGBA compares drawn pixels with the expected ones (the canvas keeps premultiplied alpha: faint pixels lose colour precision). */
function sameRGBA(got, want, what) {
  assert.equal(got.length, want.length, `${what}: ${got.length / 4} pixels, want ${want.length / 4}`);
  for (let i = 0; i < want.length; i += 4) {
    const a = want[i + 3];
    assert.ok(Math.abs(got[i + 3] - a) <= 1, `${what}: alpha of pixel ${i / 4} ${got[i + 3]}, want ${a}`);
    if (a < 32) continue;
    const tol = Math.ceil(255 / a) + 1;
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(got[i + k] - want[i + k]) <= tol, `${what}: pixel ${i / 4} channel ${k} ${got[i + k]}, want ${want[i + k]}`);
  }
}

async function checkModel(page, base, id, name, png, vw) {
  await page.locator('[data-tour="why"]').click();
  const predicted = +(await page.locator('.out-row.top').first().getAttribute('data-neuron'));
  for (const m of METHODS) {
    await page.locator(`input[data-method="${m}"]`).check();
    const d = await drawn(page, m);
    const api = await apiMap(base, id, m, d.cls, png);
    assert.equal(d.cls, predicted, `${name} ${m}: class ${d.cls}, predicted ${predicted}`);
    assert.deepEqual([d.h, d.w], api.shape, `${name} ${m}: canvas ${d.h}×${d.w}, API ${api.shape}`);
    sameRGBA(d.data, [...mapRGBA(api.map)], `${name} ${m}`);
    if (m === 'gradcam') {
      // Also over the layer's own column.
      assert.ok(await page.locator(`canvas.attrib-overlay[data-attrib-layer="${api.layer}"]`).count() > 0, `${name}: no overlay on ${api.layer}`);
    }
    await page.screenshot({ path: screenshotPath(`attrib-${name}-${m}-${vw}.png`) });
  }
  // A click on another class row picks it.
  const other = await page.locator('.out-row:not(.top)').first();
  const cls = +(await other.getAttribute('data-neuron'));
  await other.click();
  await page.locator(`canvas.attrib-overlay[data-attrib-class="${cls}"]`).first().waitFor({ timeout: 120000 });
  const d = await drawn(page, 'occlusion');
  sameRGBA(d.data, [...mapRGBA((await apiMap(base, id, 'occlusion', cls, png)).map)], `${name} occlusion of class ${cls}`);
  const v = await axe(page);
  const bad = v.filter((x) => x.impact === 'critical' || x.impact === 'serious');
  console.log(`axe ${name} ${vw}: ${JSON.stringify(axeCount(v))}`);
  assert.deepEqual(bad.map((x) => `${x.impact} ${x.id}: ${x.help}\n    ${x.nodes.join('\n    ')}`), [], `${name}: axe violations`);
}

async function useImage(page) {
  const png = await makeImage(page, 'png', { width: 96, height: 80, seed: 3 });
  await page.setInputFiles('[data-testid="upload"]', { name: 'x.png', mimeType: 'image/png', buffer: png });
  await page.locator('[data-testid="predicted-class"]').waitFor({ timeout: 60000 });
  await waitReady(page, 60000);
  return png;
}

/** registerWithOracle uploads files with POST /api/models (multipart `file` parts) and returns the model's id. */
async function registerWithOracle(base, files) {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([readFileSync(f)]), path.basename(f));
  const res = await fetch(`${base}/api/models`, { method: 'POST', body: form });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.model.id;
}

const skip = needRef(path.join(refDir, 'model.json'));

describe('the Why? overlays', { skip }, () => {
  const ctx = withServer(['--model', 'preset:tinyvgg']);
  for (const [vw, vh] of [[1366, 768], [390, 844]]) {
    it(`default model, a preset and an opened TF.js model (${vw}×${vh})`, async () => {
      const base = ctx.server.url;
      const page = await ctx.browser.newPage({ viewport: { width: vw, height: vh } });
      await page.goto(base);
      await waitReady(page);
      let png = await useImage(page);
      await checkModel(page, base, 'default', 'default', png, vw);

      await page.goto(`${base}/?model=tinyvgg`);
      await waitReady(page, 60000);
      png = await useImage(page);
      await checkModel(page, base, 'tinyvgg', 'preset', png, vw);

      await page.goto(base);
      await waitReady(page);
      await page.setInputFiles('[data-testid="model-upload"]', [path.join(refDir, 'model.json'), path.join(refDir, 'group1-shard1of1.bin')]);
      await page.waitForFunction(() => /model=/.test(location.search) && !/model=default/.test(location.search), null, { timeout: 60000 });
      await waitReady(page, 60000);
      let id = new URL(page.url()).searchParams.get('model');
      // A static site registered the files in the page's engine only: the
      // oracle server (reached from Node) gets the same files under its own id.
      if (STATIC) id = await registerWithOracle(base, [path.join(refDir, 'model.json'), path.join(refDir, 'group1-shard1of1.bin')]);
      png = await useImage(page);
      await checkModel(page, base, id, 'uploaded', png, vw);
      await page.close();
    });
  }
});
