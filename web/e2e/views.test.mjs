// End-to-end tests of the explanation views in headless Chromium:
// node --test --test-concurrency=1 e2e/views.test.mjs
//
// Every view is opened on the default model (Tiny VGG) and the numbers it
// shows are checked against values computed here, independently, from the
// API (the run's activations and the layers' parameters); the conv view is
// also opened for the original CNN Explainer model. Screenshots of every
// view at 1366×768, in English and in Chinese, go to e2e/out/views-*.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, waitReady, screenshotPath, refDir, refClasses, fetchRun, fetchParams, uiNumber, decodeBinary, makeImage, needRef, serverOnly, stillBox } from './harness.mjs';

const VIEWPORT = { width: 1366, height: 768 };

/** conv computes output cell (y, x) of output channel o independently: per input channel and in total. */
function convOracle(layer, input, params, o, y, x) {
  const [cin, h, w] = input.shape;
  const [kh, kw] = layer.attrs.kernel;
  const [sh, sw] = layer.attrs.stride;
  const [dh, dw] = layer.attrs.dilation;
  const [pt, pl] = layer.attrs.pads;
  const W = params.weight;
  const per = [];
  for (let c = 0; c < cin; c++) {
    let s = 0;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const iy = y * sh + a * dh - pt;
        const ix = x * sw + b * dw - pl;
        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
        s += input.data[(c * h + iy) * w + ix] * W.data[((o * cin + c) * kh + a) * kw + b];
      }
    }
    per.push(s);
  }
  const bias = params.bias ? params.bias.data[o] : 0;
  return { per, bias, total: per.reduce((p, q) => p + q, 0) + bias };
}

const close = (a, b, tol, msg) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${msg}: ${a} vs ${b}`);

/** hoverCell moves the mouse over cell (y, x) of a map element with h×w cells. */
async function hoverCell(page, selector, y, x, h, w) {
  await stillBox(page, selector); // a view that slides in moves its cells
  const box = await page.locator(selector).boundingBox();
  await page.mouse.move(box.x + ((x + 0.5) / w) * box.width, box.y + ((y + 0.5) / h) * box.height);
}

/** hoverCellOf hovers cell (y, x) of a map and waits for the formula to show that cell. */
async function hoverCellOf(page, selector, y, x, h, w) {
  await hoverCell(page, selector, y, x, h, w);
  await page.waitForSelector(`[data-cell][data-y="${y}"][data-x="${x}"]`);
}

/**
 * hoverNear hovers cell (ty, tx) of the formula view's h×w output map
 * whose cells may be under 2 px wide: it resolves with the cell {y, x} the
 * view reports, within one cell of the target.
 */
async function hoverNear(page, ty, tx, h, w) {
  await hoverCell(page, '[data-formula-output]', ty, tx, h, w);
  await page.waitForFunction(([ty, tx]) => {
    const e = document.querySelector('[data-cell]');
    return e && Math.abs(e.dataset.y - ty) <= 1 && Math.abs(e.dataset.x - tx) <= 1;
  }, [ty, tx]);
  return { y: await num(page, '[data-cell]', 'data-y'), x: await num(page, '[data-cell]', 'data-x') };
}

async function attrs(page, selector, names) {
  return page.$eval(selector, (e, names) => Object.fromEntries(names.map((n) => [n, e.getAttribute(n)])), names);
}

/** num is a numeric attribute of the first element matching selector. */
const num = async (page, selector, name) => Number(await page.getAttribute(selector, name));

/** newPage opens url (after setting the UI's locale, when given) and collects the page's errors in page.errors. */
async function newPage(browser, url, locale) {
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  if (locale) await page.addInitScript((loc) => localStorage.setItem('convscope.locale', loc), locale);
  await page.goto(url);
  await waitReady(page);
  return page;
}

/** done checks that the page raised no errors, and closes it. */
async function done(page) {
  assert.deepEqual(page.errors, []);
  await page.close();
}

/** openView clicks neuron n of a layer in the overview and waits for `ready`; paused: pauses the stepper. */
async function openView(page, layer, n, ready, { paused = false } = {}) {
  await page.click(`[data-layer="${layer}"][data-neuron="${n}"]`);
  await page.waitForSelector(ready);
  await stillBox(page, ready);
  if (paused) await page.click('[data-step="play"]');
}

/** openFormula opens the formula view of input channel ch from the conv view, paused. */
async function openFormula(page, ch) {
  await page.click(`[data-intermediate="${ch}"]`);
  await page.waitForSelector('[data-view="conv-formula"]');
  await page.click('[data-step="play"]');
}

/** closeView closes view `kind` with Esc, or with its close button, and waits until it is gone. */
async function closeView(page, kind, { button = false } = {}) {
  if (button) await page.click(`[data-close="${kind}"]`);
  else await page.keyboard.press('Escape');
  await page.waitForSelector(`[data-view="${kind}"]`, { state: 'detached' });
}

/** upload sends a PNG through the page's upload input and waits for its run. */
async function upload(page, name, buffer) {
  await page.setInputFiles('input[data-testid="upload"]', { name, mimeType: 'image/png', buffer });
  await page.waitForSelector('[data-testid="status"]');
  await waitReady(page);
}

describe('explanation views (default model)', () => {
  let server;
  let browser;
  let model;
  let run;
  const example = '00_tshirt.png';

  before(async () => {
    server = await startServer();
    browser = await launch();
    model = await (await fetch(`${server.url}/api/models/default`)).json();
    run = await fetchRun(server.url, 'default', example);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const open = (q = `/?example=${example}`, locale = 'en') => newPage(browser, server.url + q, locale);
  const layerOf = (name) => model.layers.find((l) => l.name === name);

  it('conv elastic view and formula view show the convolution of the current image', async () => {
    const page = await open();
    const layer = layerOf('conv_1_2');
    const params = await fetchParams(server.url, 'default', 'conv_1_2');
    const input = run.values.get('relu_1_1');
    const o = 3;
    await openView(page, 'conv_1_2', o, '[data-view="conv"] [data-output-map]');
    assert.match(page.url(), /view=conv&layer=conv_1_2&neuron=3/);
    assert.equal(await page.locator('[data-view="conv"] [data-intermediate]').count(), 10);
    // The sum of the intermediate maps plus the bias equals the run's map.
    const check = await num(page, '[data-output-map]', 'data-check');
    assert.ok(check < 1e-4, `Σ intermediate + bias vs the run: ${check}`);
    // The bias on hover.
    close(await num(page, '[data-view="conv"] [data-bias]', 'data-bias'), params.bias.data[o], 1e-6, 'bias');
    await page.hover('[data-view="conv"] [data-bias]');
    assert.equal((await page.textContent('[data-testid="bias-tip"]')).trim(), `bias = ${uiNumber(params.bias.data[o], 4)}`);
    // A kernel's 3×3 weights on hover.
    await page.hover('[data-kernel="2"]');
    const cells = await page.$$eval('[data-testid="kernel-tip"] td', (els) => els.map((e) => e.textContent));
    const want = Array.from({ length: 9 }, (_, i) => uiNumber(params.weight.data[(o * 10 + 2) * 9 + i], 2));
    assert.deepEqual(cells, want);
    await page.mouse.move(5, 400);
    await page.screenshot({ path: screenshotPath('views-conv-1366x768.png') });

    // The formula view of input channel 2.
    await page.click('[data-intermediate="2"]');
    await page.waitForSelector('[data-view="conv-formula"]');
    assert.match(page.url(), /view=conv-formula&layer=conv_1_2&neuron=3&ch=2/);
    await page.click('[data-step="play"]'); // pause
    for (const [y, x] of [[0, 0], [17, 41], [59, 59]]) {
      await hoverCellOf(page, '[data-formula-output]', y, x, 60, 60);
      const a = await attrs(page, '[data-cell]', ['data-value', 'data-map-value']);
      const t = await attrs(page, '[data-total]', ['data-output-value', 'data-run-value']);
      const oracle = convOracle(layer, input, params, o, y, x);
      close(Number(a['data-value']), oracle.per[2], 1e-4, `intermediate (${y}, ${x})`);
      close(Number(a['data-map-value']), oracle.per[2], 1e-4, `intermediate map (${y}, ${x})`);
      close(Number(t['data-output-value']), oracle.total, 1e-4, `output (${y}, ${x})`);
      const act = run.values.get('conv_1_2').data[(o * 60 + y) * 60 + x];
      close(Number(t['data-run-value']), act, 1e-6, `run value (${y}, ${x})`);
      close(Number(t['data-output-value']), act, 1e-4, `formula output = activation (${y}, ${x})`);
      assert.equal((await page.textContent('[data-cell]')).trim(), uiNumber(oracle.per[2], 3));
      assert.ok((await page.textContent('[data-total]')).includes(uiNumber(act, 4)));
      // The window shows the 9 input values and weights.
      const terms = await page.$$eval('[data-view="conv-formula"] [data-term] .x', (els) => els.map((e) => e.textContent));
      assert.deepEqual(terms, Array.from({ length: 9 }, (_, i) => uiNumber(input.data[(2 * 62 + y + Math.floor(i / 3)) * 62 + x + (i % 3)], 2)));
    }
    await page.screenshot({ path: screenshotPath('views-conv-formula-1366x768.png') });
    // Stepping: forward moves one cell.
    await page.click('[data-step="forward"]');
    assert.equal(await page.getAttribute('[data-cell]', 'data-x'), '0');
    assert.equal(await page.getAttribute('[data-cell]', 'data-y'), '0'); // (59, 59) wraps to (0, 0)
    // Playing moves on by itself.
    await page.click('[data-step="play"]');
    await page.waitForFunction(() => document.querySelector('[data-cell]')?.dataset.x !== '0');
    // Esc backs out one level, then closes.
    await closeView(page, 'conv-formula');
    assert.equal(await page.locator('[data-view="conv"]').count(), 1);
    await closeView(page, 'conv');
    assert.doesNotMatch(page.url(), /view=/);

    // A link reopens the formula view.
    await page.goto(`${server.url}/?example=${example}&view=conv-formula&layer=conv_1_2&neuron=3&ch=2`);
    await waitReady(page);
    await page.waitForSelector('[data-view="conv-formula"]');
    // The close button of the elastic view closes everything; a click on empty space backs out one level.
    await page.mouse.click(VIEWPORT.width - 20, VIEWPORT.height - 120);
    await page.waitForSelector('[data-view="conv-formula"]', { state: 'detached' });
    await closeView(page, 'conv', { button: true });
    await done(page);
  });

  it('ReLU view shows max(0, x) for the cell under the pointer', async () => {
    const page = await open();
    await openView(page, 'relu_1_1', 4, '[data-view="relu"]', { paused: true });
    const conv = run.values.get('conv_1_1');
    const relu = run.values.get('relu_1_1');
    // Cells with a negative and a positive input (found in the API's run), and a corner.
    const plane = Array.from(conv.data.subarray(4 * 62 * 62, 5 * 62 * 62));
    const neg = plane.findIndex((v) => v < -0.01);
    const pos = plane.findIndex((v) => v > 0.01);
    assert.ok(neg >= 0 && pos >= 0, 'conv_1_1 map 4 has negative and positive values');
    for (const [y, x] of [[61, 0], [Math.floor(pos / 62), pos % 62], [Math.floor(neg / 62), neg % 62]]) {
      await hoverCellOf(page, '[data-view="relu"] .map >> nth=1', y, x, 62, 62);
      const i = (4 * 62 + y) * 62 + x;
      const a = await attrs(page, '[data-cell]', ['data-input-value', 'data-value', 'data-run-value']);
      close(Number(a['data-input-value']), conv.data[i], 1e-6, 'x');
      close(Number(a['data-value']), Math.max(0, conv.data[i]), 1e-6, 'max(0, x)');
      close(Number(a['data-run-value']), relu.data[i], 1e-6, 'run');
      const text = (await page.textContent('[data-cell]')).replace(/\s+/g, ' ').trim();
      assert.equal(text, `max( 0 , ${uiNumber(conv.data[i], 3)} ) = ${uiNumber(relu.data[i], 3)}`.replace(/\( /g, '(').replace(/ \)/g, ')').replace(/ ,/g, ','));
    }
    // The last cell was negative: ReLU gave 0.
    assert.equal(await num(page, '[data-cell]', 'data-value'), 0);
    await page.screenshot({ path: screenshotPath('views-relu-1366x768.png') });
    assert.match(page.url(), /view=relu&layer=relu_1_1&neuron=4/);
    await closeView(page, 'relu', { button: true });
    await done(page);
  });

  it('pooling view shows the max of each 2×2 window', async () => {
    const page = await open();
    await openView(page, 'max_pool_1', 2, '[data-view="pool"]', { paused: true });
    const inp = run.values.get('relu_1_2');
    const out = run.values.get('max_pool_1');
    for (const [y, x] of [[0, 0], [29, 29], [14, 9]]) {
      await hoverCellOf(page, '[data-view="pool"] .map >> nth=1', y, x, 30, 30);
      const win = [0, 1, 2, 3].map((k) => inp.data[(2 * 60 + 2 * y + (k >> 1)) * 60 + 2 * x + (k & 1)]);
      const a = await attrs(page, '[data-cell]', ['data-value', 'data-run-value']);
      close(Number(a['data-value']), Math.max(...win), 1e-6, 'max of the window');
      close(Number(a['data-run-value']), out.data[(2 * 30 + y) * 30 + x], 1e-6, 'run');
      const shown = await page.$$eval('[data-view="pool"] .wv', (els) => els.map((e) => e.textContent));
      assert.deepEqual(shown, win.map((v) => uiNumber(v, 2)));
    }
    await page.screenshot({ path: screenshotPath('views-pool-1366x768.png') });
    await closeView(page, 'pool');
    await done(page);
  });

  it('flatten view computes the logit from the flattened maps, and the softmax view the probability', async () => {
    const page = await open();
    const dense = await fetchParams(server.url, 'default', 'output');
    const flat = run.values.get('flatten').data;
    const maps = run.values.get('max_pool_2');
    const [C, H, W] = maps.shape;
    const k = 2;
    await openView(page, 'output', k, '[data-view="flatten"] [data-logit]');
    assert.match(page.url(), /view=flatten&class=2/);
    // The logit: Σ w·x + b over the flattened vector equals the run's.
    let z = dense.bias.data[k];
    for (let i = 0; i < flat.length; i++) z += dense.weight.data[k * flat.length + i] * flat[i];
    close(z, run.header.logits[k], 1e-4, 'oracle logit vs run');
    const lg = await attrs(page, '[data-logit]', ['data-value', 'data-run-value']);
    close(Number(lg['data-value']), run.header.logits[k], 1e-4, 'view logit');
    assert.equal((await page.textContent('[data-logit]')).trim(), uiNumber(run.header.logits[k], 3));
    // Hovering the strip names the map and cell of each entry, in the model's real order.
    const strip = await page.locator('[data-strip]').boundingBox();
    for (const frac of [0.001, 0.37, 0.81, 0.999]) {
      await page.mouse.move(strip.x + strip.width / 2, strip.y + frac * strip.height);
      await page.waitForSelector('[data-testid="flatten-tip"]');
      const a = await attrs(page, '[data-testid="flatten-tip"]', ['data-entry', 'data-map', 'data-row', 'data-col']);
      const i = Number(a['data-entry']);
      const [c, r, x] = [Number(a['data-map']), Number(a['data-row']), Number(a['data-col'])];
      assert.ok(c < C && r < H && x < W);
      assert.equal(flat[i], maps.data[(c * H + r) * W + x], `entry ${i} = map ${c} (${r}, ${x})`);
      const tip = await page.textContent('[data-testid="flatten-tip"]');
      assert.ok(tip.includes(`map ${c}, row ${r}, column ${x}`), tip);
    }
    // Tiny VGG is a Keras model: channels-last, so neighbouring entries come from neighbouring maps.
    assert.equal(model.layers.find((l) => l.op === 'Flatten').attrs.channels_last, true);
    await page.mouse.move(strip.x + strip.width / 2, strip.y + 0.37 * strip.height);
    await page.screenshot({ path: screenshotPath('views-flatten-1366x768.png') });

    await page.click('[data-open="softmax"]');
    await page.waitForSelector('[data-view="softmax"]');
    assert.match(page.url(), /view=softmax&class=2/);
    const p = await attrs(page, '[data-view="softmax"] .p', ['data-value', 'data-run-value']);
    close(Number(p['data-value']), run.header.probabilities[k], 1e-5, 'softmax probability');
    const lg2 = run.header.logits;
    const ez = lg2.map((v) => Math.exp(v - Math.max(...lg2)));
    close(Number(p['data-value']), ez[k] / ez.reduce((a, b) => a + b, 0), 1e-6, 'exp/Σexp');
    assert.equal((await page.textContent('[data-view="softmax"] .p')).trim(), uiNumber(run.header.probabilities[k], 4));
    const terms = await page.$$eval('[data-view="softmax"] .term', (els) => els.map((e) => [e.dataset.term, e.querySelector('.lg').textContent]));
    assert.deepEqual(terms, lg2.map((v, j) => [String(j), uiNumber(v, 2)]));
    await page.hover('[data-view="softmax"] .term[data-term="6"]');
    assert.match(await page.textContent('[data-testid="softmax-hot"]'), new RegExp(`^${model.labels[6]}`));
    assert.equal(await page.locator('[data-view="flatten"] .cls.marked').count(), 1);
    await page.screenshot({ path: screenshotPath('views-softmax-1366x768.png') });
    // Esc: softmax → flatten → overview.
    await closeView(page, 'softmax');
    assert.equal(await page.locator('[data-view="flatten"]').count(), 1);
    await closeView(page, 'flatten');
    await done(page);
  });

  it('opens views from the keyboard and wires layer headers to the article', async () => {
    const page = await open();
    await page.focus('.overview');
    await page.keyboard.press('ArrowDown'); // input, red channel
    await page.keyboard.press('ArrowRight'); // conv_1_1
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-view="conv"]');
    await page.keyboard.press('Tab');
    await closeView(page, 'conv');
    const ids = await page.$$eval('[data-layer-header] button', (els) => els.map((e) => e.dataset.article));
    assert.deepEqual(ids, ['article-input', 'article-conv', 'article-relu', 'article-conv', 'article-relu', 'article-pool', 'article-conv', 'article-relu', 'article-conv', 'article-relu', 'article-pool', 'article-softmax']);
    // The views follow the image: another example while the formula view is open.
    await page.goto(`${server.url}/?example=${example}&view=conv-formula&layer=conv_2_1&neuron=6&ch=9`);
    await waitReady(page);
    await page.waitForSelector('[data-view="conv-formula"]');
    await page.click('[data-step="play"]');
    await page.click('[data-example="01_trouser.png"]');
    await page.waitForFunction(() => /example=01_trouser\.png&view=conv-formula&layer=conv_2_1&neuron=6&ch=9/.test(location.search));
    await waitReady(page);
    const trouser = await fetchRun(server.url, 'default', '01_trouser.png');
    await hoverCellOf(page, '[data-formula-output]', 11, 20, 28, 28);
    close(await num(page, '[data-total]', 'data-run-value'), trouser.values.get('conv_2_1').data[(6 * 28 + 11) * 28 + 20], 1e-6, 'run value of the new image');
    close(await num(page, '[data-total]', 'data-output-value'), trouser.values.get('conv_2_1').data[(6 * 28 + 11) * 28 + 20], 1e-4, 'computed value of the new image');
    assert.ok((await num(page, '[data-output-map]', 'data-check')) < 1e-4);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="view-host"]', { state: 'detached' });

    // Clicking a header scrolls to its section when the article has it (and does nothing otherwise).
    const before = await page.evaluate(() => window.scrollY);
    await page.click('[data-layer-header="max_pool_1"] button');
    const has = await page.evaluate(() => !!document.getElementById('article-pool'));
    if (has) await page.waitForFunction((b) => window.scrollY > b, before);
    await done(page);
  });

  it('shows every view in Chinese', async () => {
    const views = [
      ['conv', '&view=conv&layer=conv_1_1&neuron=0', '[data-view="conv"] [data-output-map]', '中间结果'],
      ['conv-formula', '&view=conv-formula&layer=conv_1_1&neuron=0&ch=0', '[data-view="conv-formula"]', '卷积'],
      ['relu', '&view=relu&layer=relu_1_2&neuron=1', '[data-view="relu"]', 'ReLU 激活'],
      ['pool', '&view=pool&layer=max_pool_2&neuron=5', '[data-view="pool"]', '最大池化'],
      ['flatten', '&view=flatten&class=0', '[data-view="flatten"] [data-logit]', '输出'],
      ['softmax', '&view=softmax&class=0', '[data-view="softmax"]', 'Softmax 分数'],
    ];
    for (const [name, q, sel, text] of views) {
      const page = await open(`/?example=${example}${q}`, 'zh-CN');
      await page.waitForSelector(sel);
      if (name === 'conv') {
        // The output column names the classes in Chinese (the default model's labels.zh-CN.txt).
        const rows = await page.$$eval('[data-layer="output"] .out-label', (els) => els.map((e) => e.textContent.trim()));
        assert.deepEqual(rows, ['T恤/上衣', '裤子', '套头衫', '连衣裙', '外套', '凉鞋', '衬衫', '运动鞋', '包', '短靴']);
        assert.match(await page.textContent('[data-testid="output-knows"]'), /^认识 10 个类别：T恤\/上衣, 裤子, 套头衫, 连衣裙 ……等另外 6 个$/);
      }
      assert.ok((await page.textContent('[data-testid="view-host"]')).includes(text), `${name} in Chinese`);
      const stepper = await page.locator('[data-step="play"]').count();
      if (stepper) await page.click('[data-step="play"]');
      await page.screenshot({ path: screenshotPath(`views-${name}-zh-1366x768.png`) });
      await done(page);
    }
  });
});

describe('conv view of the CNN Explainer model', { skip: needRef(path.join(refDir, 'model.json'), path.join(refDir, 'images')) }, () => {
  let server;
  let browser;
  before(async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'convscope-ref-'));
    writeFileSync(path.join(tmp, 'classes.txt'), refClasses.join('\n') + '\n');
    const ex = path.join(tmp, 'examples');
    mkdirSync(ex);
    for (const f of readdirSync(path.join(refDir, 'images'))) if (f.endsWith('.png')) copyFileSync(path.join(refDir, 'images', f), path.join(ex, f));
    server = await startServer(['--model', path.join(refDir, 'model.json'), '--labels', path.join(tmp, 'classes.txt'), '--examples', ex]);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sums the intermediate maps of espresso_1.png to conv_1_1 map 0', async () => {
    const model = await (await fetch(`${server.url}/api/models/cnn-explainer`)).json();
    const run = await fetchRun(server.url, 'cnn-explainer', 'espresso_1.png');
    const params = await fetchParams(server.url, 'cnn-explainer', 'conv_1_1');
    const layer = model.layers.find((l) => l.name === 'conv_1_1');
    const page = await newPage(browser, `${server.url}/?model=cnn-explainer&example=espresso_1.png`);
    await openView(page, 'conv_1_1', 0, '[data-view="conv"] [data-output-map]');
    assert.equal(await page.locator('[data-intermediate]').count(), 3);
    assert.ok((await num(page, '[data-output-map]', 'data-check')) < 1e-4);
    await openFormula(page, 1);
    await hoverCellOf(page, '[data-formula-output]', 20, 33, 62, 62);
    const oracle = convOracle(layer, run.values.get('input'), params, 0, 20, 33);
    close(await num(page, '[data-cell]', 'data-value'), oracle.per[1], 1e-4, 'intermediate');
    close(await num(page, '[data-total]', 'data-output-value'), run.values.get('conv_1_1').data[20 * 62 + 33], 1e-4, 'output');
    await page.screenshot({ path: screenshotPath('views-cnn-explainer-conv-formula-1366x768.png') });
    await done(page);
  });
});

describe('views of a model with big kernels, strides, padding and many channels (preset:resnet18)', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer(['--model', 'preset:resnet18', '--model', 'preset:mobilenetv2']);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('explains the 7×7 stride-2 padded stem, a 64-input conv, a padded pool and the 1000-class output', { skip: serverOnly('explains the 7×7 stride-2 padded stem, a 64-input conv, a padded pool and the 1000-class output') }, async () => {
    const page = await newPage(browser, `${server.url}/?model=resnet18`);
    // resnet18 has no example images: upload one (a PNG drawn in the page).
    const png = Buffer.from(await page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 240;
      c.height = 200;
      const g = c.getContext('2d');
      g.fillStyle = '#d9a441';
      g.fillRect(0, 0, 240, 200);
      g.fillStyle = '#2a4d8f';
      g.beginPath();
      g.arc(110, 90, 60, 0, Math.PI * 2);
      g.fill();
      const blob = await new Promise((r) => c.toBlob(r, 'image/png'));
      return [...new Uint8Array(await blob.arrayBuffer())];
    }));
    await upload(page, 'disc.png', png);
    const model = await (await fetch(`${server.url}/api/models/resnet18`)).json();
    // The same image through the API, for the oracle.
    const res = await fetch(`${server.url}/api/models/resnet18/run`, { method: 'POST', body: png });
    const { header, floats } = decodeBinary(await res.arrayBuffer());
    const val = (name) => {
      const v = header.values.find((x) => x.name === name);
      return { ...v, data: floats(v.offset, v.length) };
    };

    // conv1: 3 inputs, 7×7, stride 2, padding 3, no bias.
    await openView(page, 'conv1', 5, '[data-view="conv"] [data-output-map]');
    assert.equal(await page.locator('[data-intermediate]').count(), 3);
    assert.ok((await num(page, '[data-output-map]', 'data-check')) < 1e-3);
    await page.hover('[data-kernel="0"]');
    assert.equal(await page.locator('[data-testid="kernel-tip"] td').count(), 49);
    await page.mouse.move(5, 400);
    await page.screenshot({ path: screenshotPath('views-resnet18-conv1-1366x768.png') });
    await openFormula(page, 1);
    const layer = model.layers.find((l) => l.name === 'conv1');
    const params = await fetchParams(server.url, 'resnet18', 'conv1');
    const input = val('data');
    for (const [ty, tx] of [[0, 0], [57, 80], [111, 111]]) {
      // Cells are 1.3 px wide here: the pointer lands within one cell of the
      // target, and the oracle is computed for the cell the view reports.
      const { y, x } = await hoverNear(page, ty, tx, 112, 112);
      const oracle = convOracle(layer, input, params, 5, y, x);
      close(await num(page, '[data-cell]', 'data-value'), oracle.per[1], 1e-4, `conv1 intermediate (${y}, ${x})`);
      close(await num(page, '[data-total]', 'data-output-value'), val('conv1').data[(5 * 112 + y) * 112 + x], 1e-3, `conv1 output (${y}, ${x})`);
      // 49 terms, the padding ones (outside the image) shown as such.
      assert.equal(await page.locator('[data-view="conv-formula"] [data-term]').count(), 49);
      const pads = await page.locator('[data-view="conv-formula"] [data-term].pad').count();
      if (y === 0 && x === 0) assert.equal(pads, 49 - 16); // rows/cols −3…3 of which 0…3 are inside
    }
    await page.screenshot({ path: screenshotPath('views-resnet18-conv1-formula-1366x768.png') });
    await closeView(page, 'conv', { button: true });

    // layer1.0.conv1: 64 inputs, of which the overview's run sent 16: the
    // view fetches the input whole (expand=maxpool) and sums all 64.
    await openView(page, 'layer1.0.conv1', 0, '[data-view="conv"] [data-output-map]:not([data-check=""])');
    assert.equal(await page.locator('[data-intermediate]').count(), 10);
    assert.ok((await num(page, '[data-output-map]', 'data-check')) < 1e-3);
    const summary = await page.textContent('[data-summary]');
    assert.match(summary, /first 10 of 64 input channels are shown; all 64 intermediate maps are summed/);
    await openFormula(page, 7);
    const l10 = model.layers.find((l) => l.name === 'layer1.0.conv1');
    const p10 = await fetchParams(server.url, 'resnet18', 'layer1.0.conv1');
    const mp = val('maxpool'); // the API's run of the upload, all channels
    for (const [ty, tx] of [[0, 0], [30, 17]]) {
      const { y, x } = await hoverNear(page, ty, tx, 56, 56);
      const oracle = convOracle(l10, mp, p10, 0, y, x);
      close(await num(page, '[data-cell]', 'data-value'), oracle.per[7], 1e-4, `layer1.0.conv1 intermediate (${y}, ${x})`);
      close(await num(page, '[data-total]', 'data-output-value'), oracle.total, 1e-3, `layer1.0.conv1 Σ of 64 (${y}, ${x})`);
      close(await num(page, '[data-total]', 'data-output-value'), val('layer1.0.conv1').data[y * 56 + x], 1e-3, `layer1.0.conv1 vs run (${y}, ${x})`);
    }
    await page.screenshot({ path: screenshotPath('views-resnet18-64in-1366x768.png') });
    await closeView(page, 'conv-formula');
    await closeView(page, 'conv');

    // maxpool: 3×3, stride 2, padding 1.
    await openView(page, 'maxpool', 2, '[data-view="pool"]', { paused: true });
    await hoverCellOf(page, '[data-view="pool"] .map >> nth=1', 0, 0, 56, 56);
    assert.equal(await page.locator('[data-view="pool"] .wv.pad').count(), 5);
    const relu = val('relu');
    const win = [0, 1, 0, 1].map((dy, k) => relu.data[(2 * 112 + (k < 2 ? 0 : 1)) * 112 + dy]);
    close(await num(page, '[data-cell]', 'data-value'), Math.max(...win), 1e-6, 'padded max');
    close(await num(page, '[data-cell]', 'data-run-value'), val('maxpool').data[2 * 56 * 56], 1e-6, 'run');
    await page.keyboard.press('Escape');

    // 1000 classes: the flatten view of the top class and its softmax.
    const top = header.predicted;
    await openView(page, 'output', top, '[data-view="flatten"] [data-logit]');
    // fc reads avgpool, a [512, 1, 1] map of which the overview's run sends
    // 16 channels: the view fetches it whole and recomputes the logit.
    await page.waitForSelector('[data-logit]:not([data-value=""])');
    close(await num(page, '[data-logit]', 'data-value'), header.logits[top], 1e-3, 'fc logit');
    assert.equal((await page.textContent('[data-logit]')).trim(), uiNumber(header.logits[top], 3));
    assert.match(await page.textContent('[data-view="flatten"] [data-summary]'), /Σ of 512 products/);
    await page.screenshot({ path: screenshotPath('views-resnet18-flatten-1366x768.png') });
    await page.click('[data-open="softmax"]');
    await page.waitForSelector('[data-view="softmax"]');
    close(await num(page, '[data-view="softmax"] .p', 'data-value'), header.probabilities[top], 1e-5, 'softmax');
    assert.equal(await page.locator('[data-view="softmax"] .term').count(), 12);
    await page.screenshot({ path: screenshotPath('views-resnet18-softmax-1366x768.png') });
    await done(page);
  });

  it('explains a depthwise convolution (mobilenetv2)', async () => {
    const page = await newPage(browser, `${server.url}/?model=mobilenetv2`);
    await upload(page, 'x.png', await makeImage(page, 'image/png', { width: 260, height: 230, seed: 9 }));
    const model = await (await fetch(`${server.url}/api/models/mobilenetv2`)).json();
    const dw = model.layers.find((l) => l.op === 'Conv' && l.attrs.groups > 1 && l.attrs.groups === l.shape[0]);
    assert.ok(dw, 'mobilenetv2 has a depthwise conv');
    await page.locator(`[data-layer="${dw.name}"][data-neuron="5"]`).scrollIntoViewIfNeeded();
    await openView(page, dw.name, 5, '[data-view="conv"] [data-output-map]:not([data-check=""])');
    // One input channel — the same index as the output map — and its kernel.
    assert.deepEqual(await page.$$eval('[data-intermediate]', (els) => els.map((e) => e.dataset.intermediate)), ['5']);
    assert.ok((await num(page, '[data-output-map]', 'data-check')) < 1e-4);
    assert.match(await page.textContent('[data-summary]'), new RegExp(`reads one input channel \\(channel 5\\).*${dw.attrs.groups} groups`));
    await page.screenshot({ path: screenshotPath('views-mobilenetv2-depthwise-1366x768.png') });
    await done(page);
  });
});
