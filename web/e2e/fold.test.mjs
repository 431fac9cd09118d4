// End-to-end tests of folding big graphs into blocks (issue 21):
//   node --test --test-concurrency=1 e2e/fold.test.mjs
//
// ResNet-50 folds into its blocks (blocks.js) with the toolbar's button;
// the oracle for each block's totals is `convscope analyze --format json`
// summed over the block's layers (the names under the block's prefix).
// Screenshots: e2e/out/fold-*.png.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, waitScopeReady, graphSettled, cli, axeClean, VIEWPORTS, screenshotPath } from './harness.mjs';

const blockBoxes = (page) => page.$$eval('.graph-svg g.node[data-node^="block:"]', (els) => els.map((e) => e.dataset.node));

/** totalsOf sums the CLI analysis over the layers whose names start with prefix + '.'. */
function totalsOf(analysis, prefix) {
  const ls = analysis.layers.filter((l) => l.name.startsWith(prefix + '.'));
  return { layers: ls.length, params: ls.reduce((s, l) => s + l.params, 0), macs: ls.reduce((s, l) => s + l.macs, 0), memory: ls.reduce((s, l) => s + l.activation_bytes, 0) };
}

async function shownTotals(page) {
  return page.$$eval('[data-block-total]', (els) => Object.fromEntries(els.map((e) => [e.dataset.blockTotal, Number(e.dataset.value)])));
}

describe('folding big graphs', () => {
  const ctx = withServer([]);
  const analysis = JSON.parse(cli(['analyze', '--format', 'json', 'preset:resnet50']));

  it('folds ResNet-50 into its stages; expands and folds by mouse and keyboard', async () => {
    const page = await ctx.browser.newPage({ viewport: VIEWPORTS[0] });
    try {
      await page.goto(`${ctx.server.url}/#/scope/preset/resnet50`);
      await waitScopeReady(page, 90000);
      await graphSettled(page);
      assert.deepEqual(await blockBoxes(page), [], 'a preset opens with every layer drawn');
      await page.click('[data-action="blocks"]');
      await page.waitForSelector('g.node[data-node="block:layer1"]', { timeout: 60000 });
      await waitScopeReady(page, 60000);
      await graphSettled(page);
      assert.deepEqual(await blockBoxes(page), ['block:layer1', 'block:layer2', 'block:layer3', 'block:layer4']);
      await page.screenshot({ path: screenshotPath('fold-resnet50-desktop.png') });
      // The whole graph in view, the tables hidden: every box can be clicked.
      await page.click('[data-tab="none"]');
      const fit = async () => {
        await page.click('[data-action="fit"]');
        await graphSettled(page);
      };
      await fit();

      // Select layer2 with the mouse: its totals are the sum of its layers.
      await page.click('g.node[data-node="block:layer2"]');
      await page.waitForSelector('[data-block="block:layer2"]');
      const want = totalsOf(analysis, 'layer2');
      assert.deepEqual(await shownTotals(page), want);
      await axeClean(page, 'block inspector');

      // Enter expands it into its four bottlenecks.
      await page.focus('.graph-view');
      await page.keyboard.press('Enter');
      await page.waitForSelector('g.node[data-node="block:layer2.0"]', { timeout: 60000 });
      await waitScopeReady(page, 60000);
      await graphSettled(page);
      const after = await blockBoxes(page);
      assert.deepEqual(after, ['block:layer1', 'block:layer2.0', 'block:layer2.1', 'block:layer2.2', 'block:layer2.3', 'block:layer3', 'block:layer4']);
      await fit();
      for (const b of ['layer2.0', 'layer2.1', 'layer2.2', 'layer2.3']) {
        await page.click(`g.node[data-node="block:${b}"]`);
        await page.waitForSelector(`[data-block="block:${b}"]`);
        assert.deepEqual(await shownTotals(page), totalsOf(analysis, b), b);
      }
      // A double click draws layer2.3's layers; − folds layer2.3 again.
      await page.dblclick('g.node[data-node="block:layer2.3"]');
      await page.waitForSelector('g.node[data-node="layer2.3.conv1"]', { timeout: 60000 });
      await waitScopeReady(page, 60000);
      await graphSettled(page);
      assert.ok(await page.$('g.node[data-node="layer2.3.conv1"]'), 'layer2.3.conv1 is drawn');
      await page.screenshot({ path: screenshotPath('fold-resnet50-expanded-desktop.png') });
      await page.focus('.graph-view');
      await page.keyboard.press('-');
      await waitScopeReady(page, 60000);
      await page.waitForSelector('g.node[data-node="block:layer2.3"]');
      assert.equal(await page.$('g.node[data-node="layer2.3.conv1"]'), null);

      // The toolbar draws every layer, and folds again.
      await page.click('[data-tab="layers"]'); // (the tables were hidden)
      await page.click('[data-action="blocks"]');
      await page.waitForSelector('g.node[data-node="layer4.2.conv3"]', { timeout: 60000 });
      await waitScopeReady(page, 60000);
      assert.deepEqual(await blockBoxes(page), []);
      assert.ok(await page.$('g.node[data-node="layer4.2.conv3"]'));
      await page.click('[data-action="blocks"]');
      await page.waitForSelector('g.node[data-node="block:layer1"]', { timeout: 60000 });
      await waitScopeReady(page, 60000);
      assert.equal((await blockBoxes(page)).length, 4);
    } finally {
      await page.close();
    }
  });

  it('folds on a phone', async () => {
    const page = await ctx.browser.newPage({ viewport: VIEWPORTS[1], isMobile: true, hasTouch: true });
    try {
      await page.goto(`${ctx.server.url}/#/scope/preset/resnet50`);
      await waitScopeReady(page, 90000);
      await page.click('[data-action="blocks"]');
      await page.waitForSelector('g.node[data-node="block:layer1"]', { timeout: 60000 });
      await waitScopeReady(page, 60000);
      await graphSettled(page);
      await page.screenshot({ path: screenshotPath('fold-resnet50-phone.png') });
      await axeClean(page, 'fold phone');
    } finally {
      await page.close();
    }
  });
});
