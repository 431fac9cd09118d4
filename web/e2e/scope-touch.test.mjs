// End-to-end: the Scope on a phone (390×844, touch): one finger pans the
// graph, two fingers pinch-zoom it (by the ratio of the fingers' distances,
// as d3-zoom computes it) without zooming the page; the family legend sits
// under the graph, not over it (bounding boxes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, waitScopeReady, graphSettled, screenshotPath } from './harness.mjs';

const transformOf = (page) => page.locator('.graph-svg g[transform]').first().evaluate((g) => {
  const m = /translate\(([-\d.e]+),\s*([-\d.e]+)\)\s*scale\(([-\d.e]+)\)/.exec(g.getAttribute('transform'));
  return m ? { x: +m[1], y: +m[2], k: +m[3] } : null;
});

describe('the Scope on a touch phone', () => {
  const ctx = withServer([]);

  it('pans with one finger, pinch-zooms with two, and keeps the legend off the graph', async () => {
    const context = await ctx.browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${ctx.server.url}/#/scope/preset/resnet18`);
    await waitScopeReady(page);
    await graphSettled(page);
    const legend = await page.locator('.graph-area > .colour-by .legend').boundingBox();
    const view = await page.locator('.graph-view').boundingBox();
    assert.ok(legend.y >= view.y + view.height - 0.5, `legend ${JSON.stringify(legend)} overlaps the graph ${JSON.stringify(view)}`);

    const cdp = await context.newCDPSession(page);
    const touch = (type, pts) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: pts.map(([x, y], id) => ({ x, y, id })) });
    const cx = view.x + view.width / 2;
    const cy = view.y + view.height / 2;

    // One finger: the graph moves with it.
    const t0 = await transformOf(page);
    await touch('touchStart', [[cx, cy]]);
    for (let i = 1; i <= 6; i++) await touch('touchMove', [[cx + 10 * i, cy + 5 * i]]);
    await touch('touchEnd', []);
    await graphSettled(page);
    const t1 = await transformOf(page);
    assert.ok(Math.abs(t1.x - t0.x - 60) < 1 && Math.abs(t1.y - t0.y - 30) < 1 && t1.k === t0.k, `pan ${JSON.stringify(t0)} → ${JSON.stringify(t1)}`);

    // Two fingers 80 px apart moving to 230 px: the scale grows 230/80 = 2.875 times.
    await touch('touchStart', [[cx - 40, cy], [cx + 40, cy]]);
    for (let i = 1; i <= 5; i++) await touch('touchMove', [[cx - 40 - 15 * i, cy], [cx + 40 + 15 * i, cy]]);
    await touch('touchEnd', []);
    await graphSettled(page);
    const t2 = await transformOf(page);
    assert.ok(Math.abs(t2.k / t1.k - 2.875) < 0.01, `pinch: scale ${t1.k} → ${t2.k}`);
    assert.equal(await page.evaluate(() => window.visualViewport.scale), 1, 'the page itself zoomed');
    await page.screenshot({ path: screenshotPath('scope-touch-390.png') });
    await context.close();
  });
});
