// End-to-end tests of the Scope's Profile (issue 21) in headless Chromium:
//   node --test --test-concurrency=1 e2e/profile.test.mjs
//
// The oracles: the profile the page itself received (its POST /api/profile
// answer, read off the network) for the table's times and the boxes'
// colours, recomputed here with the pure colour scale; `convscope analyze
// --format json` for the MACs; the API's own profile of the default model
// against the CLI's analysis of it. Screenshots: e2e/out/profile-*.png.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serverOnly, withServer, waitScopeReady, graphSettled, cli, axeClean, VIEWPORTS, screenshotPath, repoRoot } from './harness.mjs';
import { heatScale } from '../src/scope/profile.js';

/** boxes reads every box of the graph: its id, the layers drawn in it (head and badges) and its fill. */
const boxes = (page) =>
  page.$$eval('.graph-svg g.node', (els) =>
    els.map((g) => ({
      id: g.dataset.node,
      layers: [g.dataset.node, ...[...g.querySelectorAll('.badge')].map((b) => b.dataset.node)],
      fill: g.querySelector(':scope > rect').getAttribute('fill'),
    })),
  );

/** checkColours asserts that every box has the colour of the sum of value over its layers. */
function checkColours(shown, value, what) {
  const sums = shown.map((b) => b.layers.reduce((s, n) => s + (value.get(n) ?? 0), 0));
  const scale = heatScale(sums);
  shown.forEach((b, i) => assert.equal(b.fill, scale.colour(sums[i]).fill, `${what}: box ${b.id} (value ${sums[i]})`));
  return scale;
}

describe('Scope profile', () => {
  const ctx = withServer([]);

  it('profiles the default model through the API: one entry per layer, with the analysis MACs', async () => {
    const res = await fetch(`${ctx.server.url}/api/profile`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'default', runs: 3 }) });
    assert.equal(res.status, 200);
    const p = await res.json();
    const a = JSON.parse(cli(['analyze', '--format', 'json', path.join(repoRoot, 'internal/zoo/defaultmodel/model.json')]));
    const nodes = a.layers.filter((l) => l.kind !== 'Input');
    assert.deepEqual(p.layers.map((l) => l.name), nodes.map((l) => l.name));
    nodes.forEach((l, i) => assert.equal(p.layers[i].macs, l.macs, l.name));
    assert.equal(p.random_weights, false);
    assert.equal(p.mode, 'keep-all');
    const share = p.layers.reduce((s, l) => s + l.share, 0);
    assert.ok(Math.abs(share - 1) < 1e-9, `shares sum to ${share}`);
  });

  const fromPage = 'profiles a preset from the page: table columns, colours by time and MACs, legend';
  it(fromPage, { skip: serverOnly(fromPage) }, async () => {
    const page = await ctx.browser.newPage({ viewport: VIEWPORTS[0] });
    try {
      await page.goto(`${ctx.server.url}/#/scope/preset/resnet18`);
      await waitScopeReady(page, 60000);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/profile'));
      await page.click('[data-action="profile"]');
      const p = await (await answer).json();
      await page.waitForSelector('[data-testid="profile-done"]');
      await graphSettled(page);
      assert.equal(p.source, 'preset:resnet18');
      assert.equal(p.random_weights, true);
      assert.match(await page.textContent('[data-testid="profile-done"]'), /random/);

      // The table's ms column shows the profile's figures; sorting by it puts the slowest first.
      const ms = new Map(p.layers.map((l) => [l.name, l.ms]));
      await page.click('[data-sort="ms"]');
      const rows = await page.$$eval('tr[data-row]', (trs) => trs.map((tr) => ({ name: tr.dataset.row, ms: tr.querySelector('[data-ms]')?.dataset.ms })));
      assert.ok(rows.length > 10);
      const slowest = [...p.layers].sort((a, b) => b.ms - a.ms)[0];
      assert.equal(rows[0].name, slowest.name, 'sorted by ms, slowest first');
      for (const r of rows) if (ms.has(r.name)) assert.equal(Number(r.ms), ms.get(r.name), `${r.name} ms`);

      // Coloured by time: each box has the colour of its layers' summed time.
      assert.equal(await page.$eval('[data-testid="colour-by"]', (s) => s.value), 'time');
      checkColours(await boxes(page), ms, 'time');
      await page.screenshot({ path: screenshotPath('profile-time-desktop.png') });

      // By MACs: the analysis' MACs, the legend's maximum is the largest box.
      await page.selectOption('[data-testid="colour-by"]', 'macs');
      await page.waitForSelector('[data-legend="macs"]');
      const a = JSON.parse(cli(['analyze', '--format', 'json', 'preset:resnet18']));
      const scale = checkColours(await boxes(page), new Map(a.layers.map((l) => [l.name, l.macs])), 'macs');
      assert.equal(Number(await page.$eval('[data-legend="macs"]', (e) => e.dataset.max)), scale.max);
      await axeClean(page, 'profile desktop');

      // Back to the operator colours.
      await page.selectOption('[data-testid="colour-by"]', 'family');
      await page.waitForSelector('[data-legend]', { state: 'detached' });
    } finally {
      await page.close();
    }
  });

  it('is usable on a phone', async () => {
    const page = await ctx.browser.newPage({ viewport: VIEWPORTS[1], isMobile: true, hasTouch: true });
    try {
      await page.goto(`${ctx.server.url}/#/scope/preset/tinyvgg`);
      await waitScopeReady(page, 60000);
      await page.click('[data-action="profile"]');
      await page.waitForSelector('[data-testid="profile-done"]', { timeout: 120000 });
      await graphSettled(page);
      // The table has a time for the convolutions (the static site's engine answers this profile in its worker).
      const ms = await page.$$eval('tr[data-row] [data-ms]', (cells) => cells.map((c) => Number(c.dataset.ms)));
      assert.ok(ms.length >= 4 && ms.every((x) => Number.isFinite(x) && x >= 0) && ms.some((x) => x > 0), `profile times ${ms}`);
      await page.screenshot({ path: screenshotPath('profile-time-phone.png'), fullPage: true });
      await axeClean(page, 'profile phone');
    } finally {
      await page.close();
    }
  });
});
