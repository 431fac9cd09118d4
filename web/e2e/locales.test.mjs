// End-to-end tests of the three UI languages (docs/i18n.md) in headless
// Chromium: a Traditional-Chinese browser (zh-TW, zh-HK) gets Traditional text
// on the overview, in an explanation view and in the article, with the
// default model's zh-TW class names; switching language keeps the URL's
// state; axe stays clean in zh-TW. Screenshots of each language go to
// e2e/out/locale-*.png (a CJK font, Debian fonts-noto-cjk, draws them).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, waitReady, nextFrames, screenshotPath, axe } from './harness.mjs';

const VIEW = { width: 1366, height: 768 };
const STATE = 'example=03_dress.png&view=conv&layer=conv_1_2&neuron=3';

// Characters that differ between the scripts, (Simplified, Traditional) pairs:
// text in one script has none of the other's.
const PAIRS = [...'经經网網层層数數图圖关關显顯点點击擊输輸权權类類选選择擇这這个個们們时時为為过過进進开開结結'];
const SIMPLIFIED = PAIRS.filter((_, i) => i % 2 === 0);
const TRADITIONAL = PAIRS.filter((_, i) => i % 2 === 1);
const count = (text, chars) => [...text].filter((c) => chars.includes(c)).length;

/** scripts counts the Traditional-only and Simplified-only characters of a part of the page. */
async function scripts(page, selector) {
  const text = (await page.$$eval(selector, (els) => els.map((e) => e.textContent + ' ' + (e.getAttribute('aria-label') ?? '')).join(' ')));
  return { trad: count(text, TRADITIONAL), simp: count(text, SIMPLIFIED), text };
}

describe('languages: Traditional Chinese and the switch', () => {
  const ctx = withServer([]);

  async function open(locale, query = STATE) {
    const context = await ctx.browser.newContext({ viewport: VIEW, locale });
    const page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    await page.goto(`${ctx.server.url}/?${query}`);
    await waitReady(page);
    if (query.includes('view=')) await page.waitForSelector('[data-view="conv"] [data-output-map]');
    await page.waitForSelector('article.article section#article-intro', { timeout: 15000 });
    await nextFrames(page);
    return page;
  }

  for (const locale of ['zh-TW', 'zh-HK']) {
    it(`a ${locale} browser gets Traditional Chinese on the overview, in a view and in the article`, async () => {
      const page = await open(locale);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-TW');
      assert.equal(await page.inputValue('[data-testid="language"]'), 'zh-TW');
      assert.equal(await page.evaluate(() => localStorage.getItem('convscope.locale')), null, 'chosen from the browser, nothing remembered');
      const parts = {
        overview: '.topbar, .controls, [data-testid="overview"]',
        view: '[data-view="conv"]',
        article: 'article.article',
      };
      for (const [part, sel] of Object.entries(parts)) {
        const s = await scripts(page, sel);
        console.log(`${locale} ${part}: ${s.trad} Traditional-only, ${s.simp} Simplified-only characters`);
        assert.ok(s.trad >= (part === 'article' ? 200 : 5), `${part}: ${s.trad} Traditional-only characters`);
        assert.equal(s.simp, 0, `${part}: Simplified characters in ${s.text.slice(0, 300)}`);
      }
      // Taiwan's terms, not a conversion of the Simplified text.
      assert.equal((await page.textContent('#article-intro h2')).trim(), '什麼是卷積神經網路？');
      assert.match(await page.textContent('[data-testid="facts-conv"]'), /參數/);
      assert.doesNotMatch(await page.textContent('article.article'), /引數|影象|畫素|啟用函式/);
      // The default model's class names from labels.zh-TW.txt (洋裝 is Taiwan's word for dress).
      const overview = (await scripts(page, '[data-testid="overview"], .controls')).text;
      assert.match(overview, /洋裝/);
      assert.doesNotMatch(overview, /连衣裙|連衣裙|Dress/);
      // Numbers formatted for the locale: the parameter count with grouping.
      assert.match(await page.textContent('.model-info'), /\d{1,3}(,\d{3})+ 個參數/);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }

  it('switching language keeps the URL state and the open view', async () => {
    const page = await open('en-US');
    const url = page.url();
    assert.match(url, /view=conv&layer=conv_1_2&neuron=3/);
    const expect = { en: 'What is a convolutional neural network?', 'zh-CN': '什么是卷积神经网络？', 'zh-TW': '什麼是卷積神經網路？' };
    for (const loc of ['en', 'zh-CN', 'zh-TW', 'en', 'zh-TW']) {
      await page.selectOption('[data-testid="language"]', loc);
      await page.waitForFunction((l) => document.documentElement.lang === l, loc);
      assert.equal(page.url(), url, `URL after switching to ${loc}`);
      assert.equal(await page.locator('[data-view="conv"] [data-output-map]').count(), 1, `view still open in ${loc}`);
      assert.equal((await page.textContent('#article-intro h2')).trim(), expect[loc]);
      const v = await scripts(page, '[data-view="conv"]');
      if (loc === 'zh-TW') assert.ok(v.trad > 0 && v.simp === 0, `zh-TW view: ${v.trad}/${v.simp}`);
      if (loc === 'zh-CN') assert.ok(v.simp > 0 && v.trad === 0, `zh-CN view: ${v.trad}/${v.simp}`);
    }
    assert.equal(await page.evaluate(() => localStorage.getItem('convscope.locale')), 'zh-TW');
    // Remembered over the browser's language after a reload, with the same state.
    await page.reload();
    await waitReady(page);
    await page.waitForSelector('[data-view="conv"] [data-output-map]');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-TW');
    assert.equal(page.url(), url);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('a screenshot in each language: overview with a view, the article', async () => {
    for (const locale of ['en-US', 'zh-CN', 'zh-TW']) {
      const page = await open(locale);
      const tag = locale.slice(0, 2) === 'en' ? 'en' : locale;
      await page.screenshot({ path: screenshotPath(`locale-${tag}-view-1366x768.png`) });
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-view]', { state: 'detached' });
      await page.$eval('#article-conv', (e) => e.scrollIntoView({ block: 'start' }));
      await nextFrames(page);
      await page.screenshot({ path: screenshotPath(`locale-${tag}-article-1366x768.png`) });
      await page.context().close();
    }
  });

  it('axe finds no critical or serious violation in zh-TW (view, article, Scope)', async () => {
    const page = await open('zh-TW');
    const check = async (what) => {
      const bad = (await axe(page)).filter((x) => x.impact === 'critical' || x.impact === 'serious');
      assert.deepEqual(bad.map((x) => `${x.impact} ${x.id}: ${x.help}\n    ${x.nodes.join('\n    ')}`), [], `${what}: axe violations`);
    };
    await check('conv view');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-view]', { state: 'detached' });
    await page.$eval('#article-flatten', (e) => e.scrollIntoView());
    await nextFrames(page);
    await check('article');
    await page.goto(`${ctx.server.url}/#/scope/preset/resnet18`);
    await page.waitForSelector('.graph-view', { timeout: 30000 });
    await nextFrames(page);
    await check('Scope');
    await page.screenshot({ path: screenshotPath('locale-zh-TW-scope-1366x768.png') });
    await page.context().close();
  });
});
