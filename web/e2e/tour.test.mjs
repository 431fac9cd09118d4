// End-to-end tests of the guided tour (issue 19) in headless Chromium:
// node --test --test-concurrency=1 e2e/tour.test.mjs
//
// The browser is launched with the tour unseen (launch({tour: true}); the
// other tests' pages have it marked seen). The first visit shows it, Esc
// closes it for good, the Tour button restarts it, the keys walk through
// every step with each step's element in view and outlined and the view it
// talks about open, its text carries this run's numbers (checked against
// the run API), in Traditional Chinese too; on a phone the popover is a
// bottom sheet that leaves the element uncovered and the page usable; axe
// finds nothing critical or serious with it open. On another model (the
// SqueezeNet 1.1 preset: folded layers, global pooling instead of a Dense
// classifier) the steps it lacks are left out and the others work.
// Screenshots go to e2e/out/tour-*.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, waitReady, screenshotPath, fetchRun, uiNumber, axe, axeCount, nextFrames, makeImage, TOUR_SEEN, stillBox } from './harness.mjs';
import catalogue from '../src/i18n/tour.js';

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const EXAMPLE = '00_tshirt.png';
const PAD = 4; // the outline's distance from the element (components/Tour.svelte)
// The view each step opens (none: the overview).
const VIEW = { 'conv-view': 'conv', formula: 'conv-formula', act: 'relu', pool: 'pool', flatten: 'flatten', softmax: 'softmax' };

/** state reads the tour's popover, its step's element and the outline around it (null when closed). */
function state(page) {
  return page.evaluate(() => {
    const pop = document.querySelector('[data-tour-popover]');
    if (!pop) return null;
    const box = (e) => {
      if (!e) return null;
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const target = document.querySelector(pop.dataset.target);
    const spot = document.querySelector('[data-tour-spot]');
    const t = box(target);
    const hit = t ? document.elementFromPoint(t.x + t.width / 2, t.y + t.height / 2) : null;
    return {
      step: pop.dataset.step,
      side: pop.dataset.side,
      selector: pop.dataset.target,
      count: pop.querySelector('[data-tour-count]').textContent,
      title: pop.querySelector('h2').textContent,
      body: pop.querySelector('p').textContent,
      role: pop.getAttribute('role'),
      modal: pop.getAttribute('aria-modal'),
      labelled: document.getElementById(pop.getAttribute('aria-labelledby'))?.textContent,
      focusInside: pop.contains(document.activeElement),
      pop: box(pop),
      target: t,
      spot: box(spot),
      spotFor: spot?.dataset.tourSpot,
      // What a click at the element's centre reaches is the page, not the tour.
      centreHits: !!hit && !pop.contains(hit) && !hit.closest('[data-tour-spot]'),
      views: [...document.querySelectorAll('[data-view]')].map((e) => e.dataset.view),
      vw: innerWidth,
      vh: innerHeight,
    };
  });
}

const overlap = (a, b) => Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/**
 * waitStep waits until step id is shown with its outline settled around its element, and returns the state.
 * The element must first have stopped moving (stillBox): a view slides in, and the outline, which
 * follows it every frame, can meet it before the slide ends.
 */
async function waitStep(page, id) {
  await page.waitForSelector(`[data-tour-popover][data-step="${id}"]`);
  await stillBox(page, await page.getAttribute('[data-tour-popover]', 'data-target'));
  await page.waitForFunction((pad) => {
    const pop = document.querySelector('[data-tour-popover]');
    const t = document.querySelector(pop?.dataset.target);
    const s = document.querySelector(`[data-tour-spot="${pop?.dataset.step}"]`);
    if (!t || !s) return false;
    const a = t.getBoundingClientRect();
    const b = s.getBoundingClientRect();
    return Math.abs(a.x - pad - b.x) < 1.5 && Math.abs(a.y - pad - b.y) < 1.5 && Math.abs(a.width + 2 * pad - b.width) < 1.5 && Math.abs(a.height + 2 * pad - b.height) < 1.5 && pop.contains(document.activeElement);
  }, PAD);
  return state(page);
}

/** visible asserts that a box lies inside the viewport and has a size. */
function assertVisible(s, what) {
  const t = s.target;
  assert.ok(t && t.width > 0 && t.height > 0, `${what}: element ${s.selector} has no box`);
  assert.ok(t.x >= -1 && t.y >= -1 && t.x + t.width <= s.vw + 1 && t.y + t.height <= s.vh + 1, `${what}: element ${s.selector} is not inside the viewport: ${JSON.stringify(t)}`);
}

/** liveliest is the channel holding a value's largest number (the tour's neuron), computed here from the run API's data. */
function liveliest(v) {
  const n = v.shape[1] * v.shape[2];
  let best = 0;
  for (let i = 0; i < v.data.length; i++) if (v.data[i] > v.data[best]) best = i;
  return Math.floor(best / n);
}

describe('guided tour (default model)', () => {
  let server;
  let browser;
  let model;
  let run;

  before(async () => {
    server = await startServer();
    browser = await launch({ tour: true });
    model = await (await fetch(`${server.url}/api/models/default`)).json();
    run = await fetchRun(server.url, 'default', EXAMPLE);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** open loads the Explainer; seen: the tour was shown before (it then does not start by itself). */
  async function open({ viewport = DESKTOP, seen = false, locale = '', touch = false } = {}) {
    const page = await browser.newPage({ viewport, hasTouch: touch });
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    await page.addInitScript(([seenKV, loc]) => {
      if (seenKV) localStorage.setItem(seenKV[0], seenKV[1]);
      if (loc) localStorage.setItem('convscope.locale', loc);
    }, [seen ? TOUR_SEEN : null, locale]);
    await page.goto(`${server.url}/?example=${EXAMPLE}`);
    await waitReady(page);
    return page;
  }
  async function done(page) {
    assert.deepEqual(page.errors, []);
    await page.close();
  }
  /** expected lists the steps the default model gets: every kind but "Why?" when the page lacks its control. */
  const expected = (why) => ['overview', 'input', 'conv', 'conv-view', 'formula', 'act', 'pool', 'flatten', 'softmax', ...(why ? ['why'] : []), 'end'];
  const hasWhy = (page) => page.evaluate(() => !!document.querySelector('[data-tour="why"]'));

  it('starts on the first visit, closes with Esc and does not come back on reload', async () => {
    const page = await open();
    const s = await waitStep(page, 'overview');
    assert.equal(s.role, 'dialog');
    assert.equal(s.modal, 'false', 'the popover must not trap the page');
    assert.equal(s.labelled, catalogue.en['tour.overview.title']);
    assert.ok(s.focusInside, 'focus moves into the popover');
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), TOUR_SEEN[0]), TOUR_SEEN[1]);
    assert.equal(await page.getAttribute('[data-tour-button]', 'aria-expanded'), 'true');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-tour-popover]', { state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.matches('[data-tour-button]'));
    assert.equal(await page.getAttribute('[data-tour-button]', 'aria-expanded'), 'false');
    await page.reload();
    await waitReady(page);
    await nextFrames(page, 5);
    assert.equal(await page.getAttribute('[data-tour-button]', 'aria-expanded'), 'false', 'the tour started again after it was seen');
    assert.equal(await page.$('[data-tour-popover]'), null);
    await done(page);
  });

  it('restarts from the Tour button and walks every step by keyboard, each element in view and outlined, with this run’s numbers', async () => {
    const page = await open({ seen: true });
    assert.equal(await page.getAttribute('[data-tour-button]', 'aria-expanded'), 'false');
    await page.click('[data-tour-button]');
    const ids = expected(await hasWhy(page));
    const h = run.header;
    const labels = model.labels;
    // The neuron the tour opens: conv_1_1's map with this image's largest value.
    const conv = run.values.get('conv_1_1');
    const ch = liveliest(conv);
    const n = conv.shape[1] * conv.shape[2];
    const plane = conv.data.subarray(ch * n, (ch + 1) * n);
    const lo = Math.min(...plane);
    const hi = Math.max(...plane);
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      const s = await waitStep(page, id);
      assert.equal(s.count, `${k + 1} / ${ids.length}`);
      assert.equal(s.title, catalogue.en[`tour.${id}.title`]);
      assert.ok(s.focusInside, `${id}: focus in the popover`);
      assertVisible(s, id);
      assert.equal(s.spotFor, id);
      // The popover sits beside its element (the overview fills the screen: it covers at most a corner of it).
      const covered = overlap(s.pop, s.target) / (s.target.width * s.target.height);
      if (id === 'overview') assert.ok(covered < 0.15, `overview: the popover covers ${covered} of it`);
      else {
        assert.equal(covered, 0, `${id}: the popover covers its element (${s.side})`);
        assert.ok(s.centreHits, `${id}: the element's centre is not clickable`);
      }
      // The view the step talks about is open (through the page's own state: the URL says so too).
      if (VIEW[id]) assert.ok(s.views.includes(VIEW[id]), `${id}: view ${VIEW[id]} not open: ${s.views}`);
      else assert.deepEqual(s.views, [], `${id}: no view should be open`);
      if (VIEW[id]) assert.equal(new URL(page.url()).searchParams.get('view'), VIEW[id]);
      // This run's numbers.
      if (id === 'overview') {
        assert.ok(s.body.includes(`“${labels[h.predicted]}”`), s.body);
        assert.ok(s.body.includes(`${(100 * h.probabilities[h.predicted]).toFixed(1)}%`), s.body);
      }
      if (id === 'conv') {
        assert.equal(s.selector, `.neuron[data-layer="conv_1_1"][data-neuron="${ch}"]`);
        assert.ok(s.body.includes(`from ${uiNumber(lo, 2)} to ${uiNumber(hi, 2)}`), s.body);
      }
      if (id === 'conv-view') assert.equal(await page.getAttribute('[data-view="conv"]', 'data-neuron-view'), String(ch));
      if (id === 'act') {
        const neg = plane.filter((x) => x < 0).length;
        assert.ok(s.body.includes(`in channel ${ch}, ${(100 * neg / n).toFixed(0)}% of the values`), s.body);
      }
      if (id === 'softmax') {
        assert.ok(s.body.includes(`exp(${uiNumber(h.logits[h.predicted], 3)})`), s.body);
        assert.ok(s.body.includes(`${(100 * h.probabilities[h.predicted]).toFixed(1)}%`), s.body);
      }
      if (['overview', 'conv', 'formula', 'act', 'softmax'].includes(id)) await page.screenshot({ path: screenshotPath(`tour-desktop-${k + 1}-${id}.png`) });
      if (id === 'conv') {
        // ← goes back one step, → forward again.
        await page.keyboard.press('ArrowLeft');
        await waitStep(page, ids[k - 1]);
        await page.keyboard.press('ArrowRight');
        await waitStep(page, id);
      }
      await page.keyboard.press(k % 2 ? 'Enter' : 'ArrowRight');
    }
    // Past the last step the tour is over: no view left open, focus back on the button.
    await page.waitForSelector('[data-tour-popover]', { state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.matches('[data-tour-button]'));
    assert.equal(await page.$('[data-view]'), null);
    // Esc during a view closes the tour first, and the view the tour opened with it.
    await page.click('[data-tour-button]');
    await waitStep(page, 'overview');
    for (const id of ids.slice(1, 4)) {
      await page.click('[data-tour-next]');
      await waitStep(page, id);
    }
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-tour-popover]', { state: 'detached' });
    await page.waitForSelector('[data-view]', { state: 'detached' });
    await done(page);
  });

  it('speaks Traditional Chinese', async () => {
    const page = await open({ seen: true, locale: 'zh-TW' });
    const tw = catalogue['zh-TW'];
    assert.equal((await page.textContent('[data-tour-button]')).trim(), tw['tour.button']);
    await page.click('[data-tour-button]');
    let s = await waitStep(page, 'overview');
    assert.equal(s.title, tw['tour.overview.title']);
    assert.ok(s.body.includes(`「${model.labels_i18n['zh-TW'][run.header.predicted]}」`), s.body);
    assert.equal((await page.textContent('[data-tour-skip]')).trim(), tw['tour.skip']);
    assert.equal((await page.textContent('[data-tour-next]')).trim(), tw['tour.next']);
    await page.keyboard.press('ArrowRight');
    s = await waitStep(page, 'input');
    assert.equal(s.title, tw['tour.input.title']);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    s = await waitStep(page, 'conv-view');
    assert.equal(s.title, tw['tour.conv-view.title']);
    await page.screenshot({ path: screenshotPath('tour-desktop-zh-TW-conv-view.png') });
    await done(page);
  });

  it('docks to the bottom of a phone without covering the element or blocking the page', async () => {
    const page = await open({ viewport: PHONE, touch: true });
    const ids = expected(await hasWhy(page));
    let s = await waitStep(page, 'overview');
    // The page stays usable under the tour: it scrolls, and a tap on an example image runs it (the tour follows).
    const y0 = await page.evaluate(() => scrollY);
    await page.evaluate(() => window.scrollBy(0, 120));
    assert.notEqual(await page.evaluate(() => scrollY), y0, 'the page does not scroll with the tour open');
    await page.tap('[data-example="01_trouser.png"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent.startsWith('01_trouser.png'));
    const trouser = await fetchRun(server.url, 'default', '01_trouser.png');
    await page.waitForFunction((name) => document.querySelector('[data-tour-popover] p')?.textContent.includes(`“${name}”`), model.labels[trouser.header.predicted]);
    await page.tap('[data-example="00_tshirt.png"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent.startsWith('00_tshirt.png'));
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      if (k) {
        await page.tap('[data-tour-next]');
        s = await waitStep(page, id);
      }
      assert.equal(s.side, 'sheet');
      assert.deepEqual([Math.round(s.pop.x), Math.round(s.pop.width), Math.round(s.pop.y + s.pop.height)], [0, PHONE.width, PHONE.height], `${id}: not docked to the bottom`);
      assert.ok(s.pop.height <= 0.45 * PHONE.height, `${id}: the sheet is ${s.pop.height} px high`);
      assertVisible(s, id);
      assert.equal(overlap(s.pop, s.target), 0, `${id}: the sheet covers its element: ${JSON.stringify([s.pop, s.target])}`);
      assert.ok(s.centreHits, `${id}: the element's centre is not tappable`);
      if (['overview', 'conv', 'conv-view', 'act', 'flatten', 'end'].includes(id)) await page.screenshot({ path: screenshotPath(`tour-phone-${k + 1}-${id}.png`) });
    }
    await page.tap('[data-tour-next]');
    await page.waitForSelector('[data-tour-popover]', { state: 'detached' });
    // The room the sheet needed below the page is given back.
    assert.equal(await page.evaluate(() => document.body.style.paddingBottom), '');
    await done(page);
  });

  it('has no critical or serious axe violation with the tour open', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await open({ viewport, seen: true });
      await page.click('[data-tour-button]');
      for (const id of ['overview', 'input', 'conv', 'conv-view']) {
        if (id !== 'overview') await page.click('[data-tour-next]');
        await waitStep(page, id);
        const v = await axe(page);
        const bad = v.filter((x) => x.impact === 'critical' || x.impact === 'serious');
        console.log(`axe tour ${id} ${viewport.width}: ${JSON.stringify(axeCount(v))}`);
        assert.deepEqual(bad.map((x) => `${x.impact} ${x.id}: ${x.help}\n    ${x.nodes.join('\n    ')}`), [], `${id}: axe violations`);
      }
      await done(page);
    }
  });
});

describe('guided tour (another model: SqueezeNet 1.1, random weights)', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer(['--model', 'preset:squeezenet1.1']);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('leaves out what the model lacks (flatten) and walks the rest on an uploaded image', async () => {
    const m = (await (await fetch(`${server.url}/api/models`)).json()).models.find((x) => !x.default);
    const detail = await (await fetch(`${server.url}/api/models/${encodeURIComponent(m.id)}`)).json();
    const page = await browser.newPage({ viewport: DESKTOP });
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    await page.goto(`${server.url}/?model=${encodeURIComponent(m.id)}`);
    await waitReady(page, 60000);
    // Without an image the tour can only show the overview's parts.
    await page.click('[data-tour-button]');
    await waitStep(page, 'overview');
    assert.equal(await page.textContent('[data-tour-count]'), '1 / 4');
    await page.keyboard.press('Escape');
    await page.setInputFiles('[data-testid="upload"]', { name: 'x.png', mimeType: 'image/png', buffer: await makeImage(page, 'png') });
    await page.locator('[data-testid="predicted-class"]').waitFor({ timeout: 60000 });
    await waitReady(page, 60000);
    await page.click('[data-tour-button]');
    // The layers the steps need, found here by the traits the API sends.
    const first = (kind) => detail.layers.find((l) => l.traits?.explain === kind);
    const ids = ['overview', 'input', 'conv', 'conv-view', 'formula', 'act', 'pool', 'softmax', ...((await page.$('[data-tour="why"]')) ? ['why'] : []), 'end'];
    for (let k = 0; k < ids.length; k++) {
      const s = await waitStep(page, ids[k]);
      assert.equal(s.count, `${k + 1} / ${ids.length}`);
      assertVisible(s, ids[k]);
      if (VIEW[ids[k]]) assert.ok(s.views.includes(VIEW[ids[k]]), `${ids[k]}: view ${VIEW[ids[k]]} not open: ${s.views}`);
      if (ids[k] === 'conv') assert.ok(s.selector.includes(`[data-layer="${first('conv').name}"]`), s.selector);
      if (ids[k] === 'act') assert.equal(await page.getAttribute('[data-view="relu"]', 'data-layer-view'), first('relu').name);
      if (ids[k] === 'pool') assert.equal(await page.getAttribute('[data-view="pool"]', 'data-layer-view'), first('pool').name);
      if (ids[k] === 'act') await page.screenshot({ path: screenshotPath('tour-squeezenet-act.png') });
      await page.keyboard.press('ArrowRight');
    }
    await page.waitForSelector('[data-tour-popover]', { state: 'detached' });
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
