// End-to-end: the overview of a model with repeated blocks (the MobileNet
// v2 preset, 150+ layers, random weights) puts one compact header over each
// block, its columns show the rest of their names, and a header shows the
// full name on keyboard focus as on hover. No two headers (block or column)
// overlap, measured from their bounding boxes; axe stays clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, waitReady, overlaps, screenshotPath, axe, axeCount, makeImage } from './harness.mjs';

describe('repeated blocks in the overview', () => {
  const ctx = withServer(['--model', 'preset:mobilenetv2']);

  for (const [vw, vh] of [[1366, 768], [390, 844]]) {
    it(`compact block headers, full names on focus (${vw}×${vh})`, async () => {
      const base = ctx.server.url;
      const m = (await (await fetch(`${base}/api/models`)).json()).models.find((x) => !x.default);
      const page = await ctx.browser.newPage({ viewport: { width: vw, height: vh } });
      await page.goto(`${base}/?model=${encodeURIComponent(m.id)}`);
      await waitReady(page, 60000);
      if (!m.examples.length) {
        await page.setInputFiles('[data-testid="upload"]', { name: 'x.png', mimeType: 'image/png', buffer: await makeImage(page, 'png') });
        await page.locator('[data-testid="predicted-class"]').waitFor({ timeout: 60000 });
        await waitReady(page, 60000);
      }
      const blocks = await page.locator('[data-block]').evaluateAll((els) => els.map((e) => ({ name: e.dataset.block, ...e.getBoundingClientRect().toJSON() })));
      assert.ok(blocks.length >= 10, `${blocks.length} block headers`);
      assert.ok(blocks.some((b) => b.name === 'features.2.conv'), blocks.map((b) => b.name).join(', '));
      // The columns of block features.2.conv show the rest of their names.
      const header = page.locator('[data-layer-header="features.2.conv.0.0"] .header-btn');
      assert.equal((await header.locator('.layer-name').textContent()).trim(), '0.0');
      // Headers never overlap: the block bands among themselves, the column headers among themselves and with the bands.
      const heads = await page.locator('.col-header').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()));
      assert.deepEqual(overlaps(blocks.map((b) => ({ ...b, id: b.name }))), []);
      assert.deepEqual(overlaps(heads.map((h, i) => ({ ...h, id: i }))), []);
      for (const b of blocks) for (const h of heads) assert.ok(b.y + b.height <= h.y + 0.5 || h.y + h.height <= b.y + 0.5, 'a block band overlaps a column header');
      // Focus (the keyboard) shows the full name, as hover does.
      const full = header.locator('[data-full-name]');
      const shown = () => full.evaluate((e) => e.getBoundingClientRect().width > 20);
      assert.equal(await shown(), false);
      await header.focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      assert.equal(await shown(), true);
      assert.equal((await full.textContent()).trim(), 'features.2.conv.0.0');
      const v = await axe(page);
      const c = axeCount(v);
      assert.equal(c.critical + c.serious, 0, JSON.stringify(v.filter((x) => x.impact === 'serious' || x.impact === 'critical')));
      await page.screenshot({ path: screenshotPath(`blocks-${vw}.png`) });
      await page.close();
    });
  }
});
