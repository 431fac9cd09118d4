// End-to-end tests of the Scope inspector's weights panel (issue 21) in
// headless Chromium:
//   node --test --test-concurrency=1 e2e/weights.test.mjs
//
// The oracle: the API's own `stats` of the same layer of the same weights
// (GET /api/models/default/params/conv_1_1?format=json, the default model
// is the TF.js file opened here), themselves checked against the numbers
// in `data`. Screenshots: e2e/out/weights-*.png.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { withServer, waitScopeReady, axeClean, VIEWPORTS, screenshotPath, repoRoot, serverOnly } from './harness.mjs';
import { weightNumber } from '../src/scope/weights.js';
import { percent } from '../src/scope/format.js';

const modelDir = path.join(repoRoot, 'internal/zoo/defaultmodel');
const LAYER = 'conv_1_1';

/** apiStats answers the layer's parameters from the JSON API, each stats checked against its data. */
async function apiStats(base) {
  const res = await fetch(`${base}/api/models/default/params/${LAYER}?format=json`);
  assert.equal(res.status, 200);
  const { params } = await res.json();
  for (const p of params) {
    const d = p.data;
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    assert.equal(p.stats.count, d.length);
    // data holds float32 values written in their shortest float32 form; stats the same values as float64
    assert.equal(Math.fround(p.stats.min), Math.fround(Math.min(...d)), `${p.name} min`);
    assert.equal(Math.fround(p.stats.max), Math.fround(Math.max(...d)), `${p.name} max`);
    assert.ok(Math.abs(p.stats.mean - mean) < 1e-7, `${p.name} mean`);
    assert.equal(p.stats.counts.reduce((s, c) => s + c, 0), d.length, `${p.name} histogram total`);
  }
  return new Map(params.map((p) => [p.name, p.stats]));
}

/** openModel opens the default model's model.json and weight shard in the Scope and selects LAYER. */
async function openModel(page, base) {
  await page.goto(`${base}/#/scope`);
  await waitScopeReady(page, 60000);
  await page.setInputFiles('[data-testid="model-file"]', [path.join(modelDir, 'model.json'), path.join(modelDir, 'group1-shard1of1.bin')]);
  await page.waitForFunction(() => location.hash.startsWith('#/scope/file/'));
  await waitScopeReady(page, 60000);
  await page.click(`tr[data-row="${LAYER}"]`);
  await page.waitForSelector('[data-testid="weights"] figure[data-param="weight"]', { timeout: 30000 });
}

describe('Scope weights panel', () => {
  const ctx = withServer([]);

  it('shows a conv layer’s weight statistics and histogram, equal to the API’s stats', async () => {
    const want = await apiStats(ctx.server.url);
    assert.deepEqual([...want.keys()], ['bias', 'weight']);
    const page = await ctx.browser.newPage({ viewport: VIEWPORTS[0] });
    try {
      await openModel(page, ctx.server.url);
      const shown = await page.$$eval('[data-testid="weights"] figure', (figs) =>
        figs.map((f) => ({
          name: f.dataset.param,
          stats: Object.fromEntries([...f.querySelectorAll('[data-stat]')].map((d) => [d.dataset.stat, { value: Number(d.dataset.value), text: d.textContent.trim() }])),
          bars: [...f.querySelectorAll('svg.hist rect')].map((r) => ({ count: Number(r.dataset.count), h: r.getBoundingClientRect().height })),
          svgH: f.querySelector('svg.hist').getBoundingClientRect().height,
        })),
      );
      assert.deepEqual(shown.map((f) => f.name), ['bias', 'weight']);
      for (const f of shown) {
        const s = want.get(f.name);
        for (const k of ['min', 'max', 'mean', 'std']) {
          assert.equal(f.stats[k].value, s[k], `${f.name} ${k}`);
          assert.equal(f.stats[k].text, weightNumber(s[k]), `${f.name} ${k} text`);
        }
        assert.equal(f.stats.zeros.value, s.zeros, `${f.name} sparsity`);
        assert.equal(f.stats.zeros.text, percent(s.zeros, 1), `${f.name} sparsity text`);
        assert.equal('nonFinite' in f.stats, s.non_finite > 0);
        // one bar per bin, its count the API's and its drawn height proportional to it
        assert.deepEqual(f.bars.map((b) => b.count), s.counts, `${f.name} counts`);
        const top = Math.max(...s.counts);
        f.bars.forEach((b, i) => {
          const h = s.counts[i] === 0 ? 0 : Math.max(1, (s.counts[i] / top) * 56) * (f.svgH / 56);
          assert.ok(Math.abs(b.h - h) < 0.5, `${f.name} bin ${i}: height ${b.h}, want ${h}`);
        });
      }
      assert.equal(shown.find((f) => f.name === 'weight').bars.length, 32);
      await page.$eval('[data-testid="weights"]', (e) => e.scrollIntoView());
      await page.screenshot({ path: screenshotPath('weights-desktop.png') });
      await axeClean(page, 'weights desktop');
    } finally {
      await page.close();
    }
  });

  const shared = 'registers an opened file once for the weights panel and the Profile';
  it(shared, { skip: serverOnly(shared) }, async () => {
    const page = await ctx.browser.newPage({ viewport: VIEWPORTS[0] });
    try {
      const posts = [];
      page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/models' && posts.push(r.url()));
      await openModel(page, ctx.server.url);
      await page.click('[data-action="profile"]');
      await page.waitForSelector('[data-testid="profile-done"]', { timeout: 60000 });
      await page.click('tr[data-row="conv_2_1"]');
      await page.waitForSelector('[data-testid="weights"] figure[data-param="weight"]');
      assert.equal(posts.length, 1, 'one POST /api/models');
    } finally {
      await page.close();
    }
  });

  it('says a preset has no weights', async () => {
    const page = await ctx.browser.newPage({ viewport: VIEWPORTS[0] });
    try {
      await page.goto(`${ctx.server.url}/#/scope/preset/tinyvgg`);
      await waitScopeReady(page, 60000);
      await page.click(`tr[data-row="${LAYER}"]`);
      await page.waitForSelector('[data-testid="weights"] [data-weights="none"]');
      assert.equal(await page.$('[data-testid="weights"] figure'), null);
    } finally {
      await page.close();
    }
  });

  it('is usable on a phone', async () => {
    const page = await ctx.browser.newPage({ viewport: VIEWPORTS[1], isMobile: true, hasTouch: true });
    try {
      await openModel(page, ctx.server.url);
      await page.$eval('[data-testid="weights"]', (e) => e.scrollIntoView());
      await page.screenshot({ path: screenshotPath('weights-phone.png') });
      await axeClean(page, 'weights phone');
    } finally {
      await page.close();
    }
  });
});
