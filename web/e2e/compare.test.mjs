// End-to-end tests of the Scope's Compare mode and counting switch (issue
// 21) in headless Chromium:
//   node --test --test-concurrency=1 e2e/compare.test.mjs
//
// The oracle is the API of the same server (POST /api/diff, GET
// /api/presets/{name}?count=&include=), itself checked against hand counts
// and the published figures in Go (cmd/convscope/diff_test.go,
// internal/zoo/conventions_test.go). Screenshots go to e2e/out/compare-*.png.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, waitScopeReady, graphSettled, axeClean as clean, VIEWPORTS, nextFrames, screenshotPath } from './harness.mjs';

async function postDiff(base, body) {
  const res = await fetch(`${base}/api/diff`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

async function compareReady(page) {
  await page.waitForSelector('.compare[data-ready="true"] [data-testid="compare-summary"]', { timeout: 60000 });
  await page.waitForSelector('.compare-pane .graph-svg:not([data-moving])');
  await nextFrames(page);
}

/** marked lists, per side, the layer names drawn with each status (boxes and badges). */
function marked(page, side) {
  return page.$$eval(`.compare-pane[data-side="${side}"] [data-diff]`, (els) => {
    const out = {};
    for (const e of els) (out[e.dataset.diff] ??= []).push(e.dataset.node);
    for (const k in out) out[k].sort();
    return out;
  });
}

/** expectedMarks: the names the diff gives each status on one side. */
function expectedMarks(diff, side) {
  const out = {};
  for (const l of diff.layers) {
    if (l.status === 'same' || !l[side]) continue;
    (out[l.status] ??= []).push(l[side].name);
  }
  for (const k in out) out[k].sort();
  return out;
}

async function tableFigures(page) {
  const totals = await page.$$eval('[data-table="compare-totals"] tr[data-total]', (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.total, [r.querySelector('[data-a]').dataset.a, r.querySelector('[data-b]').dataset.b, r.querySelector('[data-delta]').dataset.delta].map(Number)])),
  );
  const rows = await page.$$eval('[data-table="compare-layers"] tr[data-status]', (rs) =>
    rs.map((r) => ({ status: r.dataset.status, a: r.dataset.a ?? null, b: r.dataset.b ?? null, params: Number(r.querySelector('[data-delta-params]').dataset.deltaParams), ops: Number(r.querySelector('[data-delta-ops]').dataset.deltaOps) })),
  );
  return { totals, rows };
}

function checkTables(shown, diff) {
  const d = diff;
  for (const [k, a, b, delta] of [
    ['layers', d.a.layers, d.b.layers, d.delta.layers],
    ['params', d.a.params, d.b.params, d.delta.params],
    ['ops', d.a.ops, d.b.ops, d.delta.ops],
    ['param_bytes', d.a.param_bytes, d.b.param_bytes, d.delta.param_bytes],
    ['activation_bytes', d.a.activation_bytes, d.b.activation_bytes, d.delta.activation_bytes],
    ['peak_activation_bytes', d.a.peak_activation_bytes, d.b.peak_activation_bytes, d.delta.peak_activation_bytes],
  ]) {
    assert.deepEqual(shown.totals[k], [a, b, delta], `totals ${k}`);
  }
  const want = d.layers.filter((l) => l.status !== 'same').map((l) => ({ status: l.status, a: l.a?.name ?? null, b: l.b?.name ?? null, params: l.delta.params, ops: l.delta.ops }));
  assert.deepEqual(shown.rows, want, 'delta table');
}

describe('Scope: Compare and counting conventions', () => {
  const ctx = withServer([]);

  for (const vp of VIEWPORTS) {
    it(`compares VGG-16 with VGG-19 at ${vp.name} size: marks and deltas as the API's`, async () => {
      const page = await ctx.browser.newPage({ viewport: vp });
      await page.goto(`${ctx.server.url}/#/scope/preset/vgg16?cmp=preset:vgg19&count=flops`);
      await waitScopeReady(page, 60000);
      await compareReady(page);
      const { diff } = await postDiff(ctx.server.url, { a: { preset: 'vgg16' }, b: { preset: 'vgg19' }, count: 'flops' });
      assert.equal(diff.added, 6);
      assert.deepEqual(await marked(page, 'a'), expectedMarks(diff, 'a'));
      assert.deepEqual(await marked(page, 'b'), expectedMarks(diff, 'b'));
      // Every marked box carries its text mark too (not colour alone).
      const marks = await page.$$eval('.compare-pane .node[data-diff]', (els) => els.map((e) => [e.dataset.diff, e.querySelector('.diff-mark text')?.textContent]));
      assert.ok(marks.length > 0);
      for (const [status, text] of marks) assert.equal(text, { added: '+', removed: '−', changed: '~' }[status], `${status} mark`);
      checkTables(await tableFigures(page), diff);
      assert.match(await page.textContent('[data-testid="compare-summary"]'), /37 same · 3 changed · 6 added · 0 removed/);
      await page.screenshot({ path: screenshotPath(`compare-vgg-${vp.name}.png`), fullPage: vp.name === 'phone' });
      await clean(page, `compare ${vp.name}`);
      await page.close();
    });
  }

  it('compares the editor’s text with its last saved version: one changed layer', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${ctx.server.url}/#/scope`);
    await waitScopeReady(page, 60000);
    await page.click('[data-left="editor"]');
    await page.click('[data-action="render"]'); // renders and saves the sample
    await waitScopeReady(page);
    await graphSettled(page);
    const saved = await page.inputValue('.editor textarea, textarea');
    const edited = saved.replace('num_output: 32 kernel_size: 3 pad: 1', 'num_output: 32 kernel_size: 5 pad: 2');
    assert.notEqual(edited, saved);
    await page.fill('textarea', edited);
    await page.click('[data-action="compare"]');
    await page.selectOption('[data-testid="compare-with"]', 'editor');
    await compareReady(page);
    assert.match(page.url(), /cmp=editor/);
    const name = (await page.evaluate(() => JSON.parse(sessionStorage.getItem('convscope.scope.text')))).name;
    const { diff } = await postDiff(ctx.server.url, { a: { name, text: saved }, b: { name, text: edited } });
    assert.equal(diff.changed, 1);
    assert.equal(diff.added + diff.removed, 0);
    // conv2: 32·16·(25 − 9) more weights, at 32×32 outputs.
    assert.equal(diff.delta.params, 32 * 16 * 16);
    assert.equal(diff.delta.macs, 32 * 32 * 32 * 16 * 16);
    checkTables(await tableFigures(page), diff);
    assert.deepEqual(await marked(page, 'b'), { changed: ['conv2'] });
    assert.deepEqual(await marked(page, 'a'), { changed: ['conv2'] });
    await page.screenshot({ path: screenshotPath('compare-editor-desktop.png') });
    await page.close();
  });

  it('compares the open model with a file chosen as B', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${ctx.server.url}/#/scope/preset/vgg16`);
    await waitScopeReady(page, 60000);
    await page.click('[data-action="compare"]');
    const text = `name: "tiny"
input: "data"
input_shape { dim: 1 dim: 3 dim: 224 dim: 224 }
layer { name: "conv1_1" type: "Convolution" bottom: "data" top: "conv1_1"
  convolution_param { num_output: 64 kernel_size: 3 pad: 1 } }
layer { name: "relu1_1" type: "ReLU" bottom: "conv1_1" top: "conv1_1" }
`;
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.selectOption('[data-testid="compare-with"]', 'file:')]);
    await chooser.setFiles({ name: 'tiny.prototxt', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await compareReady(page);
    assert.match(page.url(), /cmp=file%3Atiny\.prototxt|cmp=file:tiny\.prototxt/);
    const { diff } = await postDiff(ctx.server.url, { a: { preset: 'vgg16' }, b: { name: 'tiny.prototxt', text } });
    assert.equal(diff.removed, 40 - 3, 'all of VGG-16 but data, conv1_1, relu1_1 is removed');
    checkTables(await tableFigures(page), diff);
    assert.deepEqual(await marked(page, 'a'), expectedMarks(diff, 'a'));
    await page.close();
  });

  it('the counting switch changes the totals to the API’s figures and stays in the URL', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${ctx.server.url}/#/scope/preset/resnet50`);
    await waitScopeReady(page, 60000);
    const api = async (q) => (await (await fetch(`${ctx.server.url}/api/presets/resnet50${q}`)).json()).ops;
    const shown = () => page.$eval('[data-total="macs"]', (e) => Number(e.dataset.value));
    const macs = await api('');
    assert.equal(await shown(), macs);
    await page.selectOption('[data-testid="count"]', 'flops');
    await page.waitForFunction((v) => Number(document.querySelector('[data-total="macs"]').dataset.value) === v, 2 * macs);
    await page.click('.count-include summary');
    await page.check('[data-include="bias"]');
    await page.check('[data-include="norm"]');
    const want = await api('?count=flops&include=bias,norm');
    assert.equal(want, 2 * macs + 1000 + 22227968, 'ResNet-50: 2·MACs + fc bias + BatchNorm 2 per element');
    await page.waitForFunction((v) => Number(document.querySelector('[data-total="macs"]').dataset.value) === v, want);
    assert.match(page.url(), /count=flops&inc=bias%2Cnorm|count=flops&inc=bias,norm/);
    assert.match(await page.textContent('[data-total="macs"]'), /GFLOP/);
    // The layer table follows: its MACs column shows each layer's ops.
    const conv1 = await page.$eval('tr[data-row="conv1"] td.macs', (e) => e.getAttribute('title'));
    const layer = (await (await fetch(`${ctx.server.url}/api/presets/resnet50?count=flops&include=bias,norm`)).json()).layers.find((l) => l.name === 'conv1');
    assert.equal(conv1.replace(/\D/g, ''), String(layer.ops));
    // A reload keeps the convention.
    await page.reload();
    await waitScopeReady(page, 60000);
    assert.equal(await shown(), want);
    await page.screenshot({ path: screenshotPath('compare-count-desktop.png') });
    await clean(page, 'counting switch');
    await page.close();
  });
});
