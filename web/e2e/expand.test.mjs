// The overview of a wide model (preset:resnet18, 64–512 channels per
// layer): the "+M more" expander shows a layer's further maps, fetched whole
// from the run API (expand=NAME), and paints them with the real values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitReady, screenshotPath, makeImage, decodeBinary, withServer, serverOnly } from './harness.mjs';

describe('overview of a wide model: the "+M more" expander', () => {
  const ctx = withServer(['--model', 'preset:resnet18']);

  it('expands conv1 from 16 to all 64 maps with the values of the expanded run', { skip: serverOnly('expands conv1 from 16 to all 64 maps with the values of the expanded run') }, async () => {
    const { server, browser } = ctx;
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/?model=resnet18`);
    await waitReady(page);
    const png = await makeImage(page, 'image/png', { width: 160, height: 120, seed: 7 });
    await page.setInputFiles('input[data-testid="upload"]', { name: 'blobs.png', mimeType: 'image/png', buffer: png });
    await page.waitForSelector('[data-testid="status"]');
    await waitReady(page);
    assert.equal(await page.locator('[data-layer="conv1"][data-neuron]').count(), 16);
    const button = page.locator('[data-expand="conv1"]');
    assert.equal((await button.textContent()).trim(), '+48 more');

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('expand=conv1')),
      button.click(),
    ]);
    assert.equal(response.status(), 200);
    const { header, floats } = decodeBinary(await response.body());
    const conv1 = header.values.find((v) => v.name === 'conv1');
    assert.equal(conv1.channels, 64, 'the expanded run carries all of conv1');
    assert.equal(header.values.find((v) => v.name === 'layer1.0.conv1').channels, 16, 'other values stay cut');

    await page.waitForFunction(() => document.querySelectorAll('[data-layer="conv1"][data-neuron]').length === 64);
    assert.equal(await page.locator('[data-expand="conv1"]').count(), 0, 'nothing left to expand');

    // Map 40 (beyond the first 16) is painted from the data: its darkest and
    // lightest pixels sit where the value's plane has its extremes' signs.
    const plane = conv1.shape[1] * conv1.shape[2];
    const map40 = floats(conv1.offset + 40 * plane * 4, plane);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of map40) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    assert.ok(hi - lo > 1e-3, `map 40 is not flat in the API (${lo} … ${hi})`);
    await page.locator('[data-layer="conv1"][data-neuron="40"]').scrollIntoViewIfNeeded();
    const colours = await page.evaluate(() => {
      const c = document.querySelector('canvas[data-col-layer="conv1"]');
      const cr = c.getBoundingClientRect();
      const nr = document.querySelector('[data-layer="conv1"][data-neuron="40"]').getBoundingClientRect();
      const k = c.width / cr.width;
      const d = c.getContext('2d').getImageData(Math.round((nr.x - cr.x) * k), Math.round((nr.y - cr.y) * k), Math.max(1, Math.round(nr.width * k)), Math.max(1, Math.round(nr.height * k))).data;
      const s = new Set();
      for (let i = 0; i < d.length; i += 4) s.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return s.size;
    });
    assert.ok(colours > 5, `conv1 map 40 is drawn with ${colours} colours`);
    await page.screenshot({ path: screenshotPath('expand-resnet18-1366x768.png') });

    // Another image: one run, with conv1 whole from the start.
    const runs = [];
    page.on('request', (r) => r.url().includes('/run') && runs.push(r.url()));
    const png2 = await makeImage(page, 'image/png', { width: 140, height: 100, seed: 11 });
    await page.setInputFiles('input[data-testid="upload"]', { name: 'other.png', mimeType: 'image/png', buffer: png2 });
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent.includes('other.png') || document.querySelectorAll('[data-upload]').length === 2);
    await waitReady(page);
    assert.equal(runs.length, 1, `runs for the second image: ${runs.join(', ')}`);
    assert.match(runs[0], /expand=conv1/);
    assert.equal(await page.locator('[data-layer="conv1"][data-neuron]').count(), 64);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
