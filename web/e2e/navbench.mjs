// Navigation → data-ready of the Explainer for two servers, alternated:
// node e2e/navbench.mjs URL_A URL_B [rounds]
import { launch } from './harness.mjs';
const [a, b, rounds = '10'] = process.argv.slice(2);
const browser = await launch();
const times = { [a]: [], [b]: [] };
for (let i = 0; i < +rounds; i++) {
  for (const url of [a, b]) {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await ctx.newPage();
    await page.addInitScript(() => {
      new MutationObserver(() => {
        const el = document.querySelector('main.app');
        if (el?.dataset.ready === 'true' && window.__readyAt === undefined) window.__readyAt = performance.now();
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'], childList: true });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 30000 });
    times[url].push(await page.evaluate(() => window.__readyAt));
    await ctx.close();
  }
}
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
for (const url of [a, b]) console.log(url, 'median', med(times[url]).toFixed(0), 'ms', times[url].map((x) => x.toFixed(0)).join(' '));
await browser.close();
