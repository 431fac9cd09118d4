// End-to-end tests of the article below the overview, its hyperparameter
// widget and the language switch, in headless Chromium.
//
// Screenshots (1366×768) go to e2e/out/article-*.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, waitReady as overviewReady, screenshotPath, withServer, nextFrames } from './harness.mjs';

/** waitReady: the overview is drawn and the article (loaded after it) is in the page. */
async function waitReady(page, timeout) {
  await overviewReady(page, timeout);
  await page.waitForSelector('article.article section#article-intro', { timeout: timeout ?? 15000 });
}

const SECTIONS = ['article-intro', 'article-input', 'article-conv', 'article-widget', 'article-relu', 'article-pool', 'article-flatten', 'article-softmax', 'article-why', 'article-interactive', 'article-about'];
const VIEW = { width: 1366, height: 768 };

/** expected is the oracle of the widget: slide a k-wide window in steps of s over n + 2p cells and count. */
function expected(n, p, k, s) {
  const m = n + 2 * p;
  let count = 0;
  let end = 0;
  for (let x = 0; x + k <= m; x += s) {
    count++;
    end = x + k;
  }
  return { output: count, valid: count > 0 && end === m };
}

describe('article, hyperparameter widget and languages', () => {
  let server;
  let browser;
  let model;

  before(async () => {
    server = await startServer([]);
    browser = await launch();
    model = await (await fetch(`${server.url}/api/models/default`)).json();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** open navigates a fresh page (in a fresh context: its own localStorage) and waits for the overview. */
  async function open({ viewport = VIEW, locale = 'en-US', context } = {}) {
    const ctx = context ?? (await browser.newContext({ viewport, locale }));
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.errors = errors;
    await page.goto(server.url + '/');
    await waitReady(page);
    return page;
  }

  async function scrollTo(page, id) {
    await page.$eval(`#${id}`, (e) => e.scrollIntoView({ block: 'start' }));
    // there (within its scroll margin), or as far down as the page goes; then painted
    await page.waitForFunction((id) => {
      const top = document.getElementById(id).getBoundingClientRect().top;
      return Math.abs(top) < 20 || window.scrollY >= document.documentElement.scrollHeight - window.innerHeight - 1;
    }, id);
    await nextFrames(page);
  }

  it('renders every section below the overview with the model’s real facts', async () => {
    const page = await open();
    for (const id of SECTIONS) assert.equal(await page.locator(`section#${id}`).count(), 1, `section ${id}`);
    // The first screen is the overview; the bar announcing the article is its last line.
    const peek = await page.$eval('[data-testid="article-peek"]', (e) => e.getBoundingClientRect().toJSON());
    const app = await page.$eval('main.app', (e) => e.getBoundingClientRect().toJSON());
    assert.ok(peek.bottom <= VIEW.height + 0.5 && peek.top >= VIEW.height - 40, `peek bar at ${peek.top}–${peek.bottom}`);
    assert.ok(Math.abs(app.bottom - peek.top) < 1, `overview ends at ${app.bottom}, bar starts at ${peek.top}`);
    // The page scrolls (body used to be overflow: hidden).
    await page.click('[data-testid="article-peek"]');
    await page.waitForFunction(() => window.scrollY > 300);
    // Facts from the API's model description, computed here independently.
    const conv = model.layers.find((l) => l.op === 'Conv');
    const hwc = (s) => `${s[1]}×${s[2]}×${s[0]}`;
    const kernels = model.inputs[0].shape[0] * conv.attrs.out_channels;
    const facts = await page.textContent('[data-testid="facts-conv"]');
    assert.ok(facts.includes(conv.name), facts);
    assert.ok(facts.includes(`${hwc(model.inputs[0].shape)}`) && facts.includes(hwc(conv.shape)), facts);
    assert.ok(facts.includes(`= ${kernels} kernels of ${conv.attrs.kernel[0]}×${conv.attrs.kernel[1]}`), facts);
    assert.ok(facts.includes(`${conv.param_count} parameters`), facts);
    const pool = model.layers.find((l) => l.op === 'MaxPool');
    assert.ok((await page.textContent('[data-testid="facts-pool"]')).includes(`${pool.name} uses a ${pool.attrs.kernel.join('×')} window with stride ${pool.attrs.stride[0]}`));
    const flat = model.layers.find((l) => l.op === 'Flatten');
    assert.ok((await page.textContent('[data-testid="facts-flatten"]')).includes(`into ${flat.shape[0].toLocaleString('en')} numbers`));
    // The layer table lists every layer with its parameter count; the total is the API's.
    const rows = await page.$$eval('[data-layer-row]', (els) => els.map((e) => [e.dataset.layerRow, e.lastElementChild.textContent]));
    assert.deepEqual(rows, model.layers.map((l) => [l.name, l.param_count.toLocaleString('en')]));
    assert.equal((await page.textContent('[data-testid="article-layers"] tfoot .num')).trim(), model.params.toLocaleString('en'));
    // The table of contents jumps to a section and puts it in the address; that address opens there.
    await page.click('.article-toc a[href="#article-pool"]');
    await page.waitForFunction(() => Math.abs(document.getElementById('article-pool').getBoundingClientRect().top) < 20);
    assert.equal(new URL(page.url()).hash, '#article-pool');
    const deep = await page.context().newPage();
    await deep.goto(`${server.url}/#article-flatten`);
    await waitReady(deep);
    await deep.waitForFunction(() => Math.abs(document.getElementById('article-flatten').getBoundingClientRect().top) < 20);
    await deep.close();
    // The Scope link of the intro leads to the Scope page.
    assert.equal(await page.locator('#article-intro a[href="#/scope"]').count(), 1);
    await scrollTo(page, 'article-intro');
    await page.screenshot({ path: screenshotPath('article-en-1366x768.png') });
    await scrollTo(page, 'article-relu');
    await page.screenshot({ path: screenshotPath('article-relu-en-1366x768.png') });
    await page.click('[data-testid="hp-play"]'); // a still widget for the full-page shot
    await page.screenshot({ path: screenshotPath('article-en-fullpage-1366.png'), fullPage: true });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('hyperparameter widget: output size and validity, every combination, never stuck', async () => {
    // Playwright's clock (flowing in real time) lets the paused widget be checked over 1.6 s without waiting them.
    const context = await browser.newContext({ viewport: VIEW, locale: 'en-US' });
    await context.clock.install();
    const page = await open({ context });
    await scrollTo(page, 'article-widget');
    const w = '[data-testid="hp-widget"]';
    const setParams = async (o) => {
      for (const [k, v] of Object.entries(o)) await page.fill(`[data-hp="${k}"]`, String(v));
    };
    // The brief's two cases, typed into the number fields.
    await setParams({ input: 7, padding: 0, kernel: 3, stride: 2 });
    assert.equal((await page.textContent('[data-testid="hp-output"]')).trim(), 'Output 3 × 3');
    assert.equal(await page.getAttribute(w, 'data-valid'), 'true');
    await page.fill('[data-hp="input"]', '6');
    assert.equal((await page.textContent('[data-testid="hp-output"]')).trim(), 'Output 2 × 2');
    assert.equal(await page.getAttribute(w, 'data-valid'), 'false');
    assert.match(await page.textContent('[data-testid="hp-explain"]'), /column 6 .*never covered/);
    assert.equal(await page.locator('.hp-cell.left').count(), 6 + 5); // column 6 and row 6 of a 6×6 grid
    await page.screenshot({ path: screenshotPath('article-widget-invalid-en-1366x768.png') });

    // Input 7 … 12 and many combinations, as fast as the page takes input events.
    const results = await page.evaluate(async () => {
      const field = (k) => document.querySelector(`[data-hp="${k}"]`);
      const out = [];
      for (let input = 7; input <= 12; input++) {
        for (let padding = 0; padding <= 3; padding++) {
          for (let kernel = 1; kernel <= 7; kernel++) {
            for (let stride = 1; stride <= 5; stride++) {
              for (const [k, v] of Object.entries({ input, padding, kernel, stride })) {
                const el = field(k);
                el.value = String(v);
                el.dispatchEvent(new Event('input', { bubbles: true }));
              }
              await new Promise((r) => setTimeout(r, 0));
              const wEl = document.querySelector('[data-testid="hp-widget"]');
              out.push({ input, padding, kernel, stride, size: Number(wEl.dataset.outputSize), valid: wEl.dataset.valid === 'true', text: document.querySelector('[data-testid="hp-output"]').textContent.trim() });
            }
          }
        }
      }
      return out;
    });
    assert.equal(results.length, 6 * 4 * 7 * 5);
    const wrong = results.filter((r) => {
      const e = expected(r.input, r.padding, r.kernel, r.stride);
      const text = e.output ? `Output ${e.output} × ${e.output}` : 'No output';
      return r.size !== e.output || r.valid !== e.valid || r.text !== text;
    });
    assert.deepEqual(wrong, []);

    // Out-of-range and nonsense input is clamped, not obeyed.
    await page.fill('[data-hp="input"]', '500');
    await page.press('[data-hp="input"]', 'Enter');
    assert.equal(await page.inputValue('[data-hp="input"]'), '32');
    await page.fill('[data-hp="stride"]', '0');
    await page.press('[data-hp="stride"]', 'Tab');
    assert.equal(await page.inputValue('[data-hp="stride"]'), '1');
    // The largest grid (32 + 2·8 = 48 cells a side, stride 1) is drawn (its time is logged, not asserted).
    const t0 = Date.now();
    await setParams({ padding: 8, kernel: 16, stride: 1 });
    assert.equal((await page.textContent('[data-testid="hp-output"]')).trim(), `Output ${32 + 16 - 16 + 1} × 33`);
    console.log(`# largest grid (48×48) drawn in ${Date.now() - t0} ms`);
    // A kernel larger than the padded input: no output and a reason.
    await setParams({ input: 3, padding: 0, kernel: 9 });
    assert.equal((await page.textContent('[data-testid="hp-output"]')).trim(), 'No output');
    assert.match(await page.textContent('[data-testid="hp-explain"]'), /9 × 9 kernel is larger than the 3 × 3 padded input.*at least 3/);

    // The window slides while playing, stops when paused, and steps by button.
    await setParams({ input: 7, padding: 1, kernel: 3, stride: 2 }); // 9 padded → 4 × 4
    assert.equal((await page.textContent('[data-testid="hp-output"]')).trim(), 'Output 4 × 4');
    const pos = () => page.getAttribute(w, 'data-position').then(Number);
    const p0 = await pos();
    await page.waitForFunction((p) => Number(document.querySelector('[data-testid="hp-widget"]').dataset.position) !== p, p0, { timeout: 3000 });
    await page.click('[data-testid="hp-play"]');
    const p1 = await pos();
    await page.clock.runFor(1600); // more than two steps of a playing widget
    assert.equal(await pos(), p1, 'paused widget moved');
    await page.click('.hp-btn[aria-label="Next position"]');
    assert.equal(await pos(), (p1 + 1) % 16);
    // The window rectangle sits where the arithmetic says: position i of a 4×4 output, stride 2.
    const i = await pos();
    const geo = await page.evaluate(() => {
      const r = document.querySelector('.hp-window');
      const c = document.querySelector('.hp-cell');
      return { x: Number(r.getAttribute('x')), y: Number(r.getAttribute('y')), cell: Number(c.getAttribute('width')) };
    });
    assert.equal(Math.round((geo.x - 1) / geo.cell), (i % 4) * 2);
    assert.equal(Math.round((geo.y - 1) / geo.cell), Math.floor(i / 4) * 2);
    // The example buttons set all four numbers.
    await page.click('[data-hp-example="bad"]');
    assert.deepEqual(await Promise.all(['input', 'padding', 'kernel', 'stride'].map((k) => page.inputValue(`[data-hp="${k}"]`))), ['6', '0', '3', '2']);
    assert.equal(await page.getAttribute(w, 'data-valid'), 'false');
    await page.click('[data-hp-example="same"]');
    assert.equal((await page.textContent('[data-testid="hp-output"]')).trim(), 'Output 5 × 5');
    await setParams({ input: 7, padding: 1, kernel: 3, stride: 2 });
    // Keyboard: the sliders are real range inputs.
    await page.focus('[data-hp-range="kernel"]');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.inputValue('[data-hp="kernel"]'), '4');
    assert.equal(await page.getAttribute(w, 'data-valid'), 'false'); // 9 − 4 = 5 is odd
    await page.click('[data-testid="hp-play"]');
    // The page still responds: the language switch works right after all this.
    await page.selectOption('[data-testid="language"]', 'zh-CN');
    await page.waitForFunction(() => document.querySelector('[data-testid="hp-output"]').textContent.includes('输出'));
    await setParams({ input: 6, padding: 0, kernel: 3, stride: 2 });
    assert.match(await page.textContent('[data-testid="hp-explain"]'), /第 6 列/);
    await page.screenshot({ path: screenshotPath('article-widget-invalid-zh-1366x768.png') });
    await setParams({ input: 7, padding: 1, kernel: 3, stride: 2 });
    await page.screenshot({ path: screenshotPath('article-widget-zh-1366x768.png') });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('switches to Simplified Chinese, remembers it, and starts in the browser’s language', async () => {
    const page = await open();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.textContent('#article-intro h2')).trim(), 'What is a convolutional neural network?');
    assert.match(await page.textContent('.controls'), /Show detail/);
    await page.selectOption('[data-testid="language"]', 'zh-CN');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal((await page.textContent('#article-intro h2')).trim(), '什么是卷积神经网络？');
    assert.match(await page.textContent('.controls'), /显示细节/);
    assert.match(await page.textContent('.controls'), /预测/);
    assert.match(await page.textContent('[data-testid="facts-conv"]'), /卷积核/);
    assert.equal(await page.evaluate(() => localStorage.getItem('convscope.locale')), 'zh-CN');
    await page.screenshot({ path: screenshotPath('article-overview-zh-1366x768.png') });
    await scrollTo(page, 'article-intro');
    await page.screenshot({ path: screenshotPath('article-zh-1366x768.png') });
    await scrollTo(page, 'article-pool');
    await page.screenshot({ path: screenshotPath('article-pool-zh-1366x768.png') });
    await page.click('[data-testid="hp-play"]'); // a still widget for the full-page shot
    await page.screenshot({ path: screenshotPath('article-zh-fullpage-1366.png'), fullPage: true });
    // Remembered after a reload.
    await page.reload();
    await waitReady(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.inputValue('[data-testid="language"]'), 'zh-CN');
    assert.equal((await page.textContent('#article-softmax h3')).trim(), 'Softmax');
    assert.equal((await page.textContent('#article-pool h3')).trim(), '池化层');
    // And back.
    await page.selectOption('[data-testid="language"]', 'en');
    assert.equal((await page.textContent('#article-pool h3')).trim(), 'Pooling layer');
    assert.deepEqual(page.errors, []);
    await page.context().close();

    // A Chinese browser starts in Chinese, with nothing remembered.
    const zh = await open({ locale: 'zh-CN' });
    assert.equal(await zh.evaluate(() => localStorage.getItem('convscope.locale')), null);
    assert.equal(await zh.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await zh.textContent('.controls'), /显示细节/);
    assert.equal((await zh.textContent('#article-conv h3')).trim(), '卷积层');
    assert.deepEqual(zh.errors, []);
    await zh.context().close();
  });

  it('fits a 390×844 phone without sideways scrolling', async () => {
    const page = await open({ viewport: { width: 390, height: 844 } });
    await scrollTo(page, 'article-widget');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, `page is ${wide} px wide`);
    await page.screenshot({ path: screenshotPath('article-widget-390x844.png') });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('article about another network (preset resnet18)', () => {
  const ctx = withServer(['--model', 'preset:resnet18']);

  it('uses that model’s layers, not Tiny VGG’s', async () => {
    const { server, browser } = ctx;
    const model = await (await fetch(`${server.url}/api/models/resnet18`)).json();
    const page = await browser.newPage({ viewport: VIEW });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/?model=resnet18`);
    await waitReady(page, 60000);
    const conv = model.layers.find((l) => l.op === 'Conv');
    const [k] = conv.attrs.kernel;
    const [s] = conv.attrs.stride;
    const p = conv.attrs.pads[0];
    const n = model.inputs[0].shape[1];
    const facts = await page.textContent('[data-testid="facts-conv"]');
    assert.ok(facts.includes(conv.name) && facts.includes(`${conv.param_count.toLocaleString('en')} parameters`), facts);
    if (conv.attrs.bias === false) assert.match(facts, /no biases/);
    // The formula line, with the layer's real numbers and its real output size.
    const formula = await page.textContent('[data-testid="facts-formula"]');
    assert.ok(formula.includes(`⌊(${n} + 2 × ${p} − ${k}) / ${s}⌋ + 1 = ${conv.shape[1]}`), formula);
    // A long model's table starts folded, and lists every layer.
    assert.equal(await page.$eval('#article-model details', (d) => d.open), false);
    assert.equal(await page.locator('[data-layer-row]').count(), model.layers.length);
    await page.$eval('#article-conv', (e) => e.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: screenshotPath('article-resnet18-conv-1366x768.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
