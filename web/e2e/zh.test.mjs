// End-to-end: the smaller items of issue 16 — Chinese for layer types,
// preset descriptions and column titles; the same (decimal) units on the
// Scope page as in its Markdown export; the chosen layout button's arrow
// visible on hover.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, waitReady, waitScopeReady, screenshotPath, axe, axeCount } from './harness.mjs';

/** contrast is the WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map((v) => {
      const s = +v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

describe('Chinese, units and the layout buttons', () => {
  const ctx = withServer([]);

  for (const [vw, vh] of [[1366, 768], [390, 844]]) {
    it(`the Scope in Chinese: preset description, layer types (${vw}×${vh})`, async () => {
      const base = ctx.server.url;
      const page = await ctx.browser.newPage({ viewport: { width: vw, height: vh }, locale: 'zh-CN' });
      await page.goto(`${base}/#/scope/preset/resnet18`);
      await waitScopeReady(page);
      assert.equal(await page.locator('.insp-head + section .desc').textContent(), '八个残差块，每块两个 3×3 卷积。');
      const row = page.locator('tr', { has: page.locator('td', { hasText: /^conv1$/ }) }).first();
      assert.equal((await row.locator('td.type').textContent()).trim(), '卷积');
      assert.equal(await row.locator('td.type').getAttribute('title'), 'Convolution · 卷积');
      const c = axeCount(await axe(page));
      assert.equal(c.critical + c.serious, 0, JSON.stringify(c));
      await page.screenshot({ path: screenshotPath(`zh-scope-${vw}.png`) });
      await page.close();
    });

    it(`the Explainer in Chinese: the input and output columns' titles (${vw}×${vh})`, async () => {
      const page = await ctx.browser.newPage({ viewport: { width: vw, height: vh }, locale: 'zh-CN' });
      await page.goto(`${ctx.server.url}/`);
      await waitReady(page);
      const titles = await page.locator('.col-header .layer-name').allTextContents();
      assert.equal(titles[0].trim(), '输入');
      assert.equal(titles.at(-1).trim(), '输出');
      await page.screenshot({ path: screenshotPath(`zh-explainer-${vw}.png`) });
      await page.close();
    });
  }

  it('shows sizes in the units of the Markdown export', async () => {
    const base = ctx.server.url;
    const md = await (await fetch(`${base}/api/presets/resnet18?format=markdown`)).text();
    const want = (label) => new RegExp(`\\*\\*${label}:\\*\\* ([\\d.]+)([kMG]?B)`).exec(md).slice(1).join(' ');
    const page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${base}/#/scope/preset/resnet18`);
    await waitScopeReady(page);
    assert.equal(await page.locator('[data-total="param_bytes"]').textContent(), want('Parameter memory'));
    assert.equal(await page.locator('[data-total="peak"]').textContent(), want('Peak activation memory'));
    // The chosen layout button keeps its arrow readable under the pointer.
    const on = page.locator('.btn-group button.on[data-dir]');
    await on.hover();
    const [fg, bg] = await on.evaluate((e) => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]);
    assert.ok(contrast(fg, bg) >= 4.5, `arrow ${fg} on ${bg}: ${contrast(fg, bg).toFixed(2)}:1`);
    await page.close();
  });
});
