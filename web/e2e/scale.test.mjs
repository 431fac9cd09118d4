// The overview of a 150+-layer model (preset:mobilenetv2) at a desktop and
// a phone size: in-place layers folded into their producer (unfolded on
// demand), a layer index that jumps to any layer, no overlapping headers,
// badges, "+M more" buttons, legend labels or maps, and axe clean.
// Screenshots: e2e/out/scale-*.png.
// node --test --test-concurrency=1 e2e/scale.test.mjs
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, waitReady, makeImage, screenshotPath, overlaps, axe, nextFrames, serverOnly } from './harness.mjs';

const box = (id, r) => ({ id, x: r.x, y: r.y, width: r.width, height: r.height });

/** boxesOf returns the page boxes of the elements matching selector (id: the element's text or data). */
function boxesOf(page, selector) {
  return page.$$eval(selector, (els) => els.map((e, i) => {
    const r = e.getBoundingClientRect();
    return { id: `${e.dataset.layerHeader ?? e.dataset.unfold ?? e.dataset.expand ?? e.dataset.layer ?? ''}#${i}:${e.textContent.trim().slice(0, 20)}`, x: r.x, y: r.y, width: r.width, height: r.height };
  }));
}

describe('overview of a 150+-layer model (preset:mobilenetv2)', () => {
  const ctx = withServer(['--model', 'preset:mobilenetv2']);

  for (const vp of [{ name: 'desktop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }]) {
    it(`folds, indexes and lays out without overlaps at ${vp.width}×${vp.height}`, async () => {
      const page = await ctx.browser.newPage({ viewport: vp });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${ctx.server.url}/?model=mobilenetv2`);
      await waitReady(page);
      // No example images: the page asks for one.
      await page.waitForSelector('[data-testid="need-image"]');
      if (vp.name === 'phone') await page.screenshot({ path: screenshotPath('scale-mobilenetv2-need-image-phone.png') });
      const png = await makeImage(page, 'image/png', { width: 160, height: 120, seed: 5 });
      await page.setInputFiles('input[data-testid="upload"]', { name: 'blobs.png', mimeType: 'image/png', buffer: png });
      await page.waitForSelector('[data-testid="status"]');
      await waitReady(page);
      assert.equal(await page.locator('[data-testid="need-image"]').count(), 0, 'the prompt goes once an image runs');
      const model = await (await fetch(`${ctx.server.url}/api/models/mobilenetv2`)).json();
      assert.ok(model.layers.length >= 150, `${model.layers.length} layers`);
      const foldable = model.layers.filter((l) => l.traits.foldable).length;
      const headers = await page.locator('[data-layer-header]').count();
      assert.ok(headers < model.layers.length - foldable / 2, `${headers} columns for ${model.layers.length} layers (${foldable} foldable)`);

      // Nothing overlaps: headers with their badges, "+M more", legend labels, maps.
      const head = await boxesOf(page, '[data-layer-header]');
      assert.deepEqual(overlaps(head), [], 'headers');
      const more = await boxesOf(page, '[data-expand], .more');
      assert.deepEqual(overlaps(more), [], '+M more');
      const labels = await boxesOf(page, '[data-legend] .tick, [data-legend] .legend-note');
      assert.deepEqual(overlaps(labels), [], 'legend labels');
      const maps = await boxesOf(page, '[data-layer][data-neuron]');
      assert.deepEqual(overlaps(maps), [], 'maps');
      assert.ok(maps.every((m) => m.width >= 16 && m.height >= 16), 'maps at least 16 px');
      await page.screenshot({ path: screenshotPath(`scale-mobilenetv2-${vp.name}.png`) });

      // The layer index jumps to a folded layer deep in the network: its column's header comes into view.
      const target = model.layers.filter((l) => l.traits.foldable).at(-3);
      await page.selectOption('[data-testid="layer-index"]', target.name);
      await nextFrames(page);
      const host = await page.evaluate(() => document.activeElement?.closest('[data-layer-header]')?.dataset.layerHeader);
      // the column it folds into: the first layer up its input chain that is not foldable
      const producer = (v) => model.layers.find((l) => l.outputs.includes(v));
      let want = producer(target.inputs[0]);
      while (want.traits.foldable) want = producer(want.inputs[0]);
      assert.equal(host, want.name, `the index focuses the header of the column ${target.name} is folded into`);
      const hb = await page.locator(`[data-layer-header="${host}"]`).boundingBox();
      assert.ok(hb.x >= 0 && hb.x + hb.width <= vp.width, `the header of ${host} is in view (${hb.x})`);
      await page.screenshot({ path: screenshotPath(`scale-mobilenetv2-${vp.name}-jumped.png`) });

      // Unfolding a column shows its folded layers as columns of their own.
      const first = page.locator('[data-unfold]').first();
      const name = await first.getAttribute('data-unfold');
      await first.click();
      await waitReady(page);
      await page.waitForFunction((n) => document.querySelectorAll('[data-layer-header]').length > n, headers);
      assert.equal(await page.locator(`[data-unfold="${name}"]`).count(), 0, `${name} unfolded`);
      assert.deepEqual(overlaps(await boxesOf(page, '[data-layer-header]')), [], 'headers after unfolding');

      const v = await axe(page);
      assert.deepEqual(v.filter((x) => x.impact === 'critical' || x.impact === 'serious').map((x) => `${x.id}: ${x.nodes.slice(0, 3).join(' | ')}`), [], 'axe');
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  it('fetches an example run when its thumbnail is hovered, not all examples up front', { skip: serverOnly('fetches an example run when its thumbnail is hovered, not all examples up front') }, async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } });
    const runs = [];
    page.on('request', (r) => {
      if (/\/run(\?|$)/.test(r.url())) runs.push(decodeURIComponent(r.url()));
    });
    await page.goto(`${ctx.server.url}/`);
    await waitReady(page);
    // the page's later parts load after the first picture: wait for the article (it loads after any prefetch would start)
    await page.waitForSelector('#article-intro', { timeout: 15000 });
    await nextFrames(page, 4);
    const first = runs.length;
    assert.ok(first <= 1, `runs fetched up front: ${runs.join(', ')}`);
    const [req] = await Promise.all([page.waitForRequest((r) => r.url().includes('03_dress.png')), page.hover('[data-example="03_dress.png"]')]);
    assert.ok(req, 'hovering a thumbnail fetches its run');
    const before = runs.length;
    await page.click('[data-example="03_dress.png"]');
    await waitReady(page);
    await page.waitForFunction(() => /example=03_dress\.png/.test(location.search));
    assert.equal(runs.length, before, 'the click uses the run fetched on hover');
    assert.ok(runs.length <= 2, `${runs.length} runs fetched for two pictures`);
    await page.close();
  });
});
