// End-to-end tests of the overview in headless Chromium: `npm run e2e`.
//
// Runs twice: against the default model alone, and with the original CNN
// Explainer model added (--model ../shared/reference/cnn-explainer/model.json
// with its class names and example images). Without the reference data the
// second run is skipped, except under CI=true, where it fails.
//
// Timings (navigation → data-ready, image switch → data-ready) are printed
// and written to e2e/out/timings-<suite>.json; screenshots go to e2e/out/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  startServer, launch, waitReady, median, screenshotPath, overlaps, makeImage, refDir, refClasses, needRef, READY_PROBE, timedSwitch,
} from './harness.mjs';

const suites = [{ name: 'default', modelId: 'default', args: () => [] }];
{
  suites.push({
    name: 'cnn-explainer',
    modelId: 'cnn-explainer',
    skip: needRef(path.join(refDir, 'model.json'), path.join(refDir, 'images')),
    args: () => {
      const tmp = mkdtempSync(path.join(tmpdir(), 'convscope-ref-'));
      writeFileSync(path.join(tmp, 'classes.txt'), refClasses.join('\n') + '\n');
      const ex = path.join(tmp, 'examples');
      mkdirSync(ex);
      for (const f of readdirSync(path.join(refDir, 'images'))) {
        if (f.endsWith('.png')) copyFileSync(path.join(refDir, 'images', f), path.join(ex, f));
      }
      return ['--model', path.join(refDir, 'model.json'), '--labels', path.join(tmp, 'classes.txt'), '--examples', ex];
    },
  });
}

async function predicted(page) {
  return (await page.textContent('[data-testid="predicted-class"]'))?.trim();
}

/** neuronBoxes returns the bounding boxes of every neuron element. */
function neuronBoxes(page) {
  return page.$$eval('[data-layer][data-neuron]', (els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return { id: `${e.dataset.layer}:${e.dataset.neuron}`, x: r.x, y: r.y, width: r.width, height: r.height };
  }));
}

async function uploadFile(page, name, mimeType, buffer) {
  await page.setInputFiles('input[data-testid="upload"]', { name, mimeType, buffer });
}

for (const suite of suites) {
  describe(`overview (${suite.name} model)`, { skip: suite.skip }, () => {
    let server;
    let browser;
    let model;
    let summary;
    const nav = [];
    const switches = [];
    const query = suite.modelId === 'default' ? '/' : `/?model=${suite.modelId}`;

    before(async () => {
      server = await startServer(suite.args());
      browser = await launch();
      const list = await (await fetch(`${server.url}/api/models`)).json();
      summary = list.models.find((m) => m.id === suite.modelId);
      assert.ok(summary, `model ${suite.modelId} is served`);
      model = await (await fetch(`${server.url}/api/models/${suite.modelId}`)).json();
    });

    after(async () => {
      const t = {
        suite: suite.name,
        navigationToReadyMs: nav,
        switchToReadyMs: switches,
        medianNavigationMs: nav.length ? median(nav) : null,
        medianSwitchMs: switches.length ? median(switches) : null,
      };
      if (nav.length || switches.length) {
        writeFileSync(screenshotPath(`timings-${suite.name}.json`), JSON.stringify(t, null, 1));
        console.log(`# timings ${suite.name}: navigation → data-ready median ${t.medianNavigationMs?.toFixed(0)} ms (n=${nav.length}), image switch → data-ready median ${t.medianSwitchMs?.toFixed(0)} ms (n=${switches.length})`);
      }
      await browser?.close();
      await server?.stop();
    });

    /** open navigates a fresh page and waits for the overview. */
    async function open(viewport, q = query) {
      const page = await browser.newPage({ viewport });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.errors = errors;
      await page.addInitScript(READY_PROBE);
      await page.goto(server.url + q);
      await waitReady(page);
      return page;
    }

    /** ensureImage makes sure an image is shown (uploads one when the model has no examples). */
    async function ensureImage(page) {
      if (summary.examples.length) return;
      await timedSwitch(page, () => uploadFile(page, 'start.png', 'image/png', readyPNG));
    }
    let readyPNG;

    /**
     * checkOutputInfo checks the line under the output column (the classes
     * the model knows, its first four names) and the warning, shown exactly
     * when the API's top probability is under 0.5, with that percentage.
     */
    async function checkOutputInfo(page, probabilities, what) {
      const n = model.labels.length;
      const list = n > 4 ? `${model.labels.slice(0, 4).join(', ')} …and ${n - 4} more` : model.labels.join(', ');
      assert.equal((await page.textContent('[data-testid="output-knows"]')).trim(), `knows ${n} classes: ${list}`, what);
      assert.equal(await page.getAttribute('[data-testid="output-knows"]', 'title'), model.labels.join(', '), what);
      const top = Math.max(...probabilities);
      const warn = page.locator('[data-testid="output-unsure"]');
      if (top < 0.5) assert.equal((await warn.textContent()).trim(), `not sure: the top class has only ${Math.round(top * 100)} %`, what);
      else assert.equal(await warn.count(), 0, `${what}: top ${top}, no warning`);
      return top;
    }

    it('draws every neuron of the model at 1920×1080', async () => {
      // Navigation timing: fresh pages, the first one with a cold cache.
      for (let i = 0; i < 7; i++) {
        const page = await open({ width: 1920, height: 1080 });
        nav.push(await page.evaluate(() => window.__readyAt));
        await page.close();
      }
      const page = await open({ width: 1920, height: 1080 });
      readyPNG = await makeImage(page, 'image/png', { seed: 7 });
      await ensureImage(page);
      const expected = new Map([[model.inputs[0].name, model.inputs[0].shape[0]]]);
      for (const l of model.layers) {
        if (l.shape.length === 3 && l.shape[1] * l.shape[2] > 1) expected.set(l.name, Math.min(l.shape[0], 16));
      }
      expected.set('output', model.classes);
      for (const [layer, n] of expected) {
        const count = await page.locator(`[data-layer="${layer}"][data-neuron]`).count();
        assert.equal(count, n, `layer ${layer}: ${count} neuron elements, want ${n}`);
      }
      if (suite.name === 'default') {
        // Tiny VGG: the original's 12 columns.
        const headers = await page.$$eval('[data-layer-header]', (els) => els.map((e) => e.dataset.layerHeader));
        assert.deepEqual(headers, ['input', 'conv_1_1', 'relu_1_1', 'conv_1_2', 'relu_1_2', 'max_pool_1', 'conv_2_1', 'relu_2_1', 'conv_2_2', 'relu_2_2', 'max_pool_2', 'output']);
      }
      // The maps are painted: a conv map is not a flat colour.
      const distinct = await page.evaluate(() => {
        // The first map of conv_1_1, read back from its column's canvas.
        const c = document.querySelector('canvas[data-col-layer="conv_1_1"]');
        const cr = c.getBoundingClientRect();
        const nr = document.querySelector('[data-layer="conv_1_1"][data-neuron="0"]').getBoundingClientRect();
        const k = c.width / cr.width;
        const d = c.getContext('2d').getImageData(Math.round((nr.x - cr.x) * k), Math.round((nr.y - cr.y) * k), Math.round(nr.width * k), Math.round(nr.height * k)).data;
        const s = new Set();
        for (let i = 0; i < d.length; i += 4) s.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return s.size;
      });
      assert.ok(distinct > 5, `conv_1_1 map 0 has ${distinct} colours`);
      // Nothing is cut off at this size: no horizontal scrolling needed.
      const scroll = await page.$eval('[data-testid="overview"]', (e) => [e.scrollWidth, e.clientWidth]);
      assert.ok(scroll[0] <= scroll[1] + 1, `overview scrolls at 1920: ${scroll}`);
      await page.screenshot({ path: screenshotPath(`${suite.name}-1920x1080.png`) });
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('highlights the inputs of a hovered neuron and shows its value range', async () => {
      const page = await open({ width: 1920, height: 1080 });
      await ensureImage(page);
      await page.hover('[data-layer="conv_1_2"][data-neuron="3"]');
      await page.waitForSelector('.edge-hl');
      assert.equal(await page.locator('.edge-hl').count(), 10);
      assert.equal(await page.locator('.neuron.source[data-layer="relu_1_1"]').count(), 10);
      const tip = await page.textContent('[data-testid="tooltip"]');
      assert.match(tip, /conv_1_2/);
      assert.match(tip, /min −?\d+\.\d{3} · max −?\d+\.\d{3}/);
      await page.screenshot({ path: screenshotPath(`${suite.name}-hover-1920x1080.png`) });
      // A ReLU neuron has exactly one input: the same map of its conv layer.
      await page.hover('[data-layer="relu_2_1"][data-neuron="4"]');
      await page.waitForFunction(() => document.querySelectorAll('.edge-hl').length === 1);
      assert.equal(await page.getAttribute('.edge-hl', 'data-edge-from'), 'conv_2_1:4');
      assert.equal(await page.locator('.neuron.source').count(), 1);
      // An output class shows its probability.
      await page.hover('[data-layer="output"][data-neuron="2"]');
      await page.waitForFunction(() => /Output value: \d\.\d{4}/.test(document.querySelector('[data-testid="tooltip"]')?.textContent ?? ''));
      assert.equal(await page.locator('.edge-hl').count(), 10);
      // Keyboard: arrow keys walk the neurons.
      await page.mouse.move(0, 0);
      await page.focus('.overview');
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction(() => /red channel/.test(document.querySelector('[data-testid="tooltip"]')?.textContent ?? ''));
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => /conv_1_1 · map/.test(document.querySelector('[data-testid="tooltip"]')?.textContent ?? ''));
      assert.equal(await page.locator('.edge-hl').count(), 3);
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('[data-testid="tooltip"]').count(), 0);
      // Colour-scale modes: the legends follow (Unit: one per layer, issue 16).
      const legends = async () => page.locator('[data-legend]:not([data-legend="input:0"]):not([data-legend="output"])').count();
      assert.equal(await legends(), 10);
      await page.click('[data-scale="module"]');
      assert.equal(await legends(), 2);
      await page.click('[data-scale="global"]');
      assert.equal(await legends(), 1);
      await page.screenshot({ path: screenshotPath(`${suite.name}-global-1920x1080.png`) });
      await page.click('[data-testid="detail"]');
      assert.equal(await page.locator('[data-legend]').count(), 0);
      assert.equal(await page.locator('.layer-shape').count(), 0);
      await page.click('[data-testid="detail"]');
      await page.click('[data-scale="unit"]');
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('changes the predicted class when another example is picked, with correct legends', async (t) => {
      if (summary.examples.length < 2) {
        t.skip(`model ${suite.modelId} ships ${summary.examples.length} example image(s)`);
        return;
      }
      const page = await open({ width: 1366, height: 768 });
      const seen = new Set([await predicted(page)]);
      for (const name of summary.examples) {
        switches.push(await timedSwitch(page, () => page.click(`[data-example="${name}"]`)));
        seen.add(await predicted(page));
        // Legends always show ±range/2 of the current image (the original
        // doubles them after a switch): check conv_1_1's against the API.
        const res = await fetch(`${server.url}/api/models/${suite.modelId}/run?example=${encodeURIComponent(name)}`, { method: 'POST' });
        const buf = Buffer.from(await res.arrayBuffer());
        const header = JSON.parse(buf.subarray(4, 4 + buf.readUInt32LE(0)).toString());
        await checkOutputInfo(page, header.probabilities, `after switching to ${name}`);
        const v = header.values.filter((x) => x.name === 'conv_1_1');
        const maxAbs = Math.max(...v.flatMap((x) => [Math.abs(x.min), Math.abs(x.max)]));
        const half = Math.round(2 * (0.1 + Math.round(maxAbs * 1000) / 1000) * 1000) / 1000 / 2;
        const ticks = await page.$$eval('[data-legend="u1"] .tick', (els) => els.map((e) => e.textContent));
        // the ends, or in a narrow box one centred ±max
        if (ticks.length === 1) assert.equal(ticks[0], `±${half.toFixed(2)}`, `legend of conv_1_1 after switching to ${name}`);
        else {
          assert.equal(ticks.at(-1), half.toFixed(2), `legend of conv_1_1 after switching to ${name}`);
          assert.equal(ticks[0], `−${half.toFixed(2)}`);
        }
      }
      assert.ok(seen.size >= 2, `predictions over all examples: ${[...seen]}`);
      if (suite.name === 'cnn-explainer') {
        await timedSwitch(page, () => page.click('[data-example="bug_1.png"]'));
        assert.equal(await predicted(page), 'ladybug');
        await timedSwitch(page, () => page.click('[data-example="boat_1.png"]'));
        assert.equal(await predicted(page), 'lifeboat');
      }
      await page.screenshot({ path: screenshotPath(`${suite.name}-1366x768.png`) });
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('runs uploaded PNG and JPEG files, and survives a corrupt one', async () => {
      const page = await open({ width: 1366, height: 768 });
      let png;
      let jpeg;
      let wantPNG = null;
      let wantJPEG = null;
      if (suite.name === 'cnn-explainer') {
        png = readFileSync(path.join(refDir, 'images', 'espresso_1.png'));
        jpeg = readFileSync(path.join(refDir, 'images', 'bug_1.jpeg'));
        wantPNG = 'espresso';
        wantJPEG = 'ladybug';
      } else {
        // seed 2: a picture of circles the default model is unsure about (top 0.37), for the warning
        png = await makeImage(page, 'image/png', { width: 300, height: 200, seed: 2 });
        jpeg = await makeImage(page, 'image/jpeg', { width: 47, height: 90, seed: 11 });
      }
      switches.push(await timedSwitch(page, () => uploadFile(page, 'photo.png', 'image/png', png)));
      assert.equal(await page.locator('[data-testid="error"]').count(), 0);
      assert.match(await page.textContent('[data-testid="status"]'), /uploaded image/);
      const p1 = await predicted(page);
      assert.ok(p1 && model.labels.includes(p1), `PNG prediction ${p1}`);
      {
        // The output column's info against the API's run of the same file.
        const res = await fetch(`${server.url}/api/models/${suite.modelId}/run`, { method: 'POST', body: png, headers: { 'Content-Type': 'image/png' } });
        const buf = Buffer.from(await res.arrayBuffer());
        const header = JSON.parse(buf.subarray(4, 4 + buf.readUInt32LE(0)).toString());
        const top = await checkOutputInfo(page, header.probabilities, 'uploaded PNG');
        console.log(`# ${suite.name}: uploaded PNG top probability ${top.toFixed(3)}`);
        if (suite.name === 'default') assert.ok(top < 0.5, `the random PNG should leave the default model unsure (top ${top})`);
      }
      if (wantPNG) assert.equal(p1, wantPNG);
      switches.push(await timedSwitch(page, () => uploadFile(page, 'photo.jpg', 'image/jpeg', jpeg)));
      const p2 = await predicted(page);
      assert.ok(p2 && model.labels.includes(p2), `JPEG prediction ${p2}`);
      if (wantJPEG) assert.equal(p2, wantJPEG);
      assert.equal(await page.locator('[data-upload]').count(), 2);

      // A corrupt file: an inline error, the previous image stays.
      await uploadFile(page, 'broken.png', 'image/png', Buffer.from('\x89PNG\r\n\x1a\nthis is not really a png'));
      await page.waitForSelector('[data-testid="error"]');
      await waitReady(page);
      const msg = await page.textContent('[data-testid="error"]');
      assert.match(msg, /broken\.png/);
      assert.equal(await predicted(page), p2);
      await page.screenshot({ path: screenshotPath(`${suite.name}-upload-error-1366x768.png`) });
      // … and the app keeps working.
      await timedSwitch(page, () => page.click('[data-upload="photo.png"]'));
      assert.equal(await page.locator('[data-testid="error"]').count(), 0);
      assert.equal(await predicted(page), p1);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('has no overlapping neurons or headers on a 390×844 phone', async () => {
      const page = await open({ width: 390, height: 844 });
      await ensureImage(page);
      const boxes = await neuronBoxes(page);
      assert.ok(boxes.length >= 100, `${boxes.length} neuron boxes`);
      assert.deepEqual(overlaps(boxes), []);
      const headers = await page.$$eval('[data-layer-header]', (els) => els.map((e) => {
        const r = e.getBoundingClientRect();
        return { id: e.dataset.layerHeader, x: r.x, y: r.y, width: r.width, height: r.height };
      }));
      assert.deepEqual(overlaps(headers), []);
      // Legends, and every label on them, never collide.
      const legends = await page.$$eval('[data-legend] .tick, [data-legend] .legend-note', (els) => els.map((e, i) => {
        const r = e.getBoundingClientRect();
        return { id: i, x: r.x, y: r.y, width: r.width, height: r.height };
      }));
      assert.deepEqual(overlaps(legends), []);
      // The page itself does not scroll sideways; the overview does.
      const pageScroll = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      assert.ok(pageScroll, 'the page is wider than the phone');
      await page.screenshot({ path: screenshotPath(`${suite.name}-390x844.png`) });
      await page.$eval('[data-testid="overview"]', (e) => e.scrollTo({ left: e.scrollWidth }));
      await page.screenshot({ path: screenshotPath(`${suite.name}-390x844-scrolled.png`) });
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    if (suite.name === 'cnn-explainer') {
      it("shows the original's classes and predicts espresso for espresso_1.png", async () => {
        const page = await open({ width: 1920, height: 1080 }, `/?model=${suite.modelId}&example=espresso_1.png`);
        const classes = await page.$$eval('[data-layer="output"]', (els) => els.map((e) => e.dataset.class));
        assert.deepEqual(classes, refClasses);
        assert.equal(await predicted(page), 'espresso');
        // The model picker switches back to the default model and again.
        await timedSwitch(page, () => page.selectOption('[data-testid="model-picker"]', 'default'));
        assert.equal(await page.locator('[data-layer="output"][data-class="espresso"]').count(), 0);
        await timedSwitch(page, () => page.selectOption('[data-testid="model-picker"]', suite.modelId));
        assert.deepEqual(await page.$$eval('[data-layer="output"]', (els) => els.map((e) => e.dataset.class)), refClasses);
        await page.screenshot({ path: screenshotPath(`${suite.name}-espresso-1920x1080.png`) });
        assert.deepEqual(page.errors, []);
        await page.close();
      });
    }
  });
}
