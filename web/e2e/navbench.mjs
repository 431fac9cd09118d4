// Navigation → data-ready of the Explainer (the first picture), and image
// switch → data-ready, for servers (or pages) compared alternately:
//   node e2e/navbench.mjs URL_A [URL_B …] [rounds]
// Each round opens every URL in a fresh browser context, in turn; after the
// first picture it clicks SWITCHES (default 3) other example images, when the
// page has any, and times each (click → data-ready, as overview.test.mjs).
// Prints per URL the median, the quartiles and every time; and the load average.
import { loadavg } from 'node:os';
import { launch, median, READY_PROBE, timedSwitch, firstPicture } from './harness.mjs';

const args = process.argv.slice(2);
const rounds = /^\d+$/.test(args.at(-1) ?? '') ? +args.pop() : 10;
const urls = args;
const switches = +(process.env.SWITCHES ?? 3);
const browser = await launch();
const nav = new Map(urls.map((u) => [u, []]));
const sw = new Map(urls.map((u) => [u, []]));
const load = [loadavg()[0]];
for (let i = 0; i < rounds; i++) {
  for (const url of urls) {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await ctx.newPage();
    await page.addInitScript(READY_PROBE);
    nav.get(url).push(await firstPicture(page, url));
    const names = await page.$$eval('[data-example]', (els) => els.map((e) => e.dataset.example));
    for (const name of names.slice(1, 1 + switches)) {
      sw.get(url).push(await timedSwitch(page, () => page.click(`[data-example="${name}"]`)));
    }
    await ctx.close();
  }
  load.push(loadavg()[0]);
}
const q = (xs, f) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(f * xs.length))];
const fmt = (xs) => (xs.length ? `median ${median(xs).toFixed(0)} ms (quartiles ${q(xs, 0.25).toFixed(0)}–${q(xs, 0.75).toFixed(0)})` : '—');
for (const url of urls) {
  console.log(`${url}\n  first picture ${fmt(nav.get(url))}: ${nav.get(url).map((x) => x.toFixed(0)).join(' ')}`);
  if (sw.get(url).length) console.log(`  image switch ${fmt(sw.get(url))}: ${sw.get(url).map((x) => x.toFixed(0)).join(' ')}`);
}
console.log(`load average (1 min) during the rounds: ${Math.min(...load).toFixed(2)}–${Math.max(...load).toFixed(2)}`);
await browser.close();
