// Accessibility of every page in headless Chromium with axe-core:
// node --test --test-concurrency=1 e2e/a11y.test.mjs
//
// axe-core (a pinned devDependency) goes into the page through the DevTools
// protocol (harness.mjs's axe), leaving the page's CSP as served. The
// Explainer, each explanation view, the article and the Scope must have no
// critical and no serious violation, at a desktop and a phone viewport.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, waitReady, waitScopeReady, graphSettled, axeClean, VIEWPORTS, nextFrames, screenshotPath, overlaps } from './harness.mjs';

/** clean asserts that axe finds no critical or serious violation (harness.mjs axeClean). */
const clean = axeClean;

describe('accessibility (axe-core): default model', () => {
  const ctx = withServer([]);

  for (const vp of VIEWPORTS) {
    const views = [
      ['overview', ''],
      ['conv view', 'view=conv&layer=conv_1_2&neuron=3'],
      ['conv formula', 'view=conv-formula&layer=conv_1_2&neuron=3&ch=2'],
      ['relu view', 'view=relu&layer=relu_1_1&neuron=1'],
      ['pool view', 'view=pool&layer=max_pool_1&neuron=2'],
      ['flatten view', 'view=flatten&class=1'],
      ['softmax view', 'view=softmax&class=1'],
    ];
    for (const [name, q] of views) {
      it(`${name} at ${vp.name} size`, async () => {
        const page = await ctx.browser.newPage({ viewport: vp });
        await page.goto(`${ctx.server.url}/?${q}`);
        await waitReady(page);
        if (q) await page.waitForSelector('[data-view]');
        await nextFrames(page);
        await clean(page, `${name} (${vp.name})`);
        await page.screenshot({ path: screenshotPath(`a11y-${name.replace(/ /g, '-')}-${vp.name}.png`) });
        // The header's parts, the open view's card and the bottom bar fit the width; the header's parts do not overlap.
        const parts = await page.$$eval('.topbar h1, .topbar .pages a, .model-info, .lang-pick, .card, .article-peek', (els) => els.map((e, i) => {
          const r = e.getBoundingClientRect();
          return { id: `${e.className || e.tagName}#${i}`, x: r.x, y: r.y, width: r.width, height: r.height, fits: r.left >= -1 && r.right <= innerWidth + 1 && e.scrollWidth <= e.clientWidth + 1 };
        }));
        assert.deepEqual(parts.filter((b) => !b.fits).map((b) => b.id), [], 'parts wider than the screen or cut');
        assert.deepEqual(overlaps(parts.filter((b) => !/card|article-peek/.test(b.id))), [], 'header parts overlap');
        await page.close();
      });
    }

    it(`article at ${vp.name} size`, async () => {
      const page = await ctx.browser.newPage({ viewport: vp });
      await page.goto(`${ctx.server.url}/`);
      await waitReady(page);
      await page.waitForSelector('#article-flatten', { timeout: 15000 });
      await page.$eval('#article-flatten', (e) => e.scrollIntoView());
      await nextFrames(page);
      await clean(page, `article (${vp.name})`);
      await page.close();
    });

    it(`Scope at ${vp.name} size`, async () => {
      const page = await ctx.browser.newPage({ viewport: vp });
      await page.goto(`${ctx.server.url}/#/scope/preset/resnet18`);
      await waitScopeReady(page);
      await graphSettled(page);
      await clean(page, `Scope (${vp.name})`);
      await page.screenshot({ path: screenshotPath(`a11y-scope-${vp.name}.png`) });
      // The graph is usable: it takes most of the width and a good part of the screen.
      const g = await page.locator('.graph-view').boundingBox();
      assert.ok(g.width >= vp.width * 0.9 - 260 * (vp.width > 800) - 310 * (vp.width > 800), `graph ${g.width} px wide at ${vp.width}`);
      assert.ok(g.height >= 300, `graph ${g.height} px high`);
      // Nothing of the header is off-screen.
      const off = await page.$$eval('.totals *, .topbar *', (els) => els.filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && getComputedStyle(e).visibility !== 'hidden' && (r.right > innerWidth + 1 || r.left < -1);
      }).map((e) => e.className || e.tagName));
      assert.deepEqual(off, [], 'header parts off-screen');
      await page.close();
    });

    it(`Scope keyboard at ${vp.name} size: the skip link, then arrows choose a box with nothing selected`, async () => {
      const page = await ctx.browser.newPage({ viewport: vp });
      await page.goto(`${ctx.server.url}/#/scope/preset/resnet18`);
      await waitScopeReady(page);
      await graphSettled(page);
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute('data-skip')), true, 'the first Tab reaches the skip link');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('graph-view')), true, 'the skip link focuses the graph');
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction(() => /sel=/.test(location.hash));
      const first = await page.evaluate(() => new URLSearchParams(location.hash.split('?')[1]).get('sel'));
      assert.ok(first, 'an arrow selects the first layer');
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction((f) => new URLSearchParams(location.hash.split('?')[1]).get('sel') !== f, first);
      await page.close();
    });
  }
});
