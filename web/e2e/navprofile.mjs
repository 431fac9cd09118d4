// Where the time to the first picture goes: navigations in headless
// Chromium, each with a Chrome trace summarised on the renderer's main
// thread up to data-ready (resource timings, self time by trace event, the
// long tasks and what they contain).
//   node e2e/navprofile.mjs URL [runs] [trace.json]   (writes trace-<run>.json)
// CPU=N adds V8's sampling profile: the N functions with the most self and
// total time; build the UI with `npx vite build --minify false` (or
// --sourcemap) for readable names. Profiling slows the page ~1.5–2×.
import { writeFileSync } from 'node:fs';
import { launch, READY_PROBE } from './harness.mjs';
const [url, runs = '3', out] = process.argv.slice(2);
const browser = await launch();
for (let k = 0; k < +runs; k++) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  await page.addInitScript(READY_PROBE);
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading', ...(process.env.CPU ? ['disabled-by-default-v8.cpu_profiler'] : [])] });
  await page.goto(url);
  await page.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 30000 });
  const readyAt = await page.evaluate(() => window.__readyAt);
  const res = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => [r.name.replace(location.origin, ''), Math.round(r.startTime), Math.round(r.responseStart), Math.round(r.responseEnd), r.transferSize]));
  const nav = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0]; return { responseStart: Math.round(n.responseStart), responseEnd: Math.round(n.responseEnd), domInteractive: Math.round(n.domInteractive), dcl: Math.round(n.domContentLoadedEventEnd), size: n.transferSize }; });
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]));
  const buf = await browser.stopTracing();
  await ctx.close();
  const trace = JSON.parse(buf.toString());
  if (out) writeFileSync(out.replace('.json', `-${k}.json`), buf);
  const ev = trace.traceEvents;
  // The renderer main thread: the thread with the most blink work.
  const names = ev.filter((e) => e.ph === 'M' && e.name === 'thread_name');
  const mains = names.filter((e) => e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`);
  const navStart = ev.find((e) => e.name === 'navigationStart' && mains.includes(`${e.pid}:${e.tid}`) && e.args?.data?.isLoadingMainFrame && e.args?.data?.documentLoaderURL?.startsWith('http'));
  const t0 = navStart ? navStart.ts : Math.min(...ev.filter((e) => e.ts).map((e) => e.ts));
  const main = navStart ? `${navStart.pid}:${navStart.tid}` : mains[0];
  const on = ev.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.dur !== undefined);
  const end = t0 + readyAt * 1000;
  // self time by event name up to readyAt
  const sorted = on.filter((e) => e.ts < end).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  for (const e of sorted) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    if (stack.length) stack.at(-1).child = (stack.at(-1).child ?? 0) + e.dur;
    stack.push(e);
  }
  for (const e of sorted) self.set(e.name, (self.get(e.name) ?? 0) + (e.dur - (e.child ?? 0)));
  const tasks = sorted.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  console.log(`# run ${k}: ready at ${readyAt.toFixed(0)} ms; html ${nav.responseStart}-${nav.responseEnd} ms (${nav.size} B), domInteractive ${nav.domInteractive}, DCL ${nav.dcl}`);
  for (const r of res) console.log(`  res ${r[0].slice(0, 70)} start ${r[1]} first byte ${r[2]} end ${r[3]} (${r[4]} B)`);
  for (const m of marks) console.log(`  mark ${m[0]} ${m[1]}`);
  console.log('  main-thread self time by event (ms):', [...self].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, d]) => `${n} ${(d / 1000).toFixed(1)}`).join(', '));
  const big = tasks.filter((e) => e.dur > 8000);
  for (const tk of big) {
    const kids = sorted.filter((e) => e !== tk && e.ts >= tk.ts && e.ts + e.dur <= tk.ts + tk.dur && e.dur > 2000 && e.name !== 'RunTask');
    console.log(`  task at ${((tk.ts - t0) / 1000).toFixed(0)} ms, ${(tk.dur / 1000).toFixed(1)} ms: ${kids.slice(0, 6).map((e) => `${e.name}${e.args?.data?.url ? '(' + e.args.data.url.split('/').pop() + ')' : ''}${e.args?.data?.functionName ? '(' + e.args.data.functionName + ')' : ''} ${(e.dur / 1000).toFixed(1)}`).join(' | ')}`);
  }
  if (process.env.CPU) {
    // Self time by function from the trace's CPU profile chunks (up to readyAt).
    const nodes = new Map();
    const selfBy = new Map();
    const totalBy = new Map();
    let tsCur = null;
    for (const e of ev.filter((x) => x.name === 'ProfileChunk' || x.name === 'Profile')) {
      if (e.name === 'Profile') { tsCur = e.args.data.startTime; continue; }
      const d = e.args.data.cpuProfile ?? {};
      for (const n of d.nodes ?? []) nodes.set(`${e.id}:${n.id}`, n);
      const deltas = e.args.data.timeDeltas ?? [];
      (d.samples ?? []).forEach((id, i) => {
        tsCur += deltas[i];
        if (tsCur > end) return;
        const n = nodes.get(`${e.id}:${id}`);
        if (!n) return;
        const dt = deltas[i + 1] ?? deltas[i];
        const key = (m) => `${m.callFrame.functionName || '(anon)'} ${(m.callFrame.url ?? '').split('/').pop()}:${(m.callFrame.lineNumber ?? -1) + 1}`;
        selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + dt);
        const seen = new Set();
        for (let m = n; m; m = m.parent !== undefined ? nodes.get(`${e.id}:${m.parent}`) : null) {
          const k3 = key(m);
          if (seen.has(k3)) continue;
          seen.add(k3);
          totalBy.set(k3, (totalBy.get(k3) ?? 0) + dt);
        }
      });
    }
    console.log('  JS self time by function (ms):');
    for (const [k2, v] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, +(process.env.CPU) || 30)) console.log(`    ${(v / 1000).toFixed(1)} ${k2}`);
    console.log('  JS total time by function (ms):');
    for (const [k2, v] of [...totalBy].sort((a, b) => b[1] - a[1]).slice(0, +(process.env.CPU) || 30)) console.log(`    ${(v / 1000).toFixed(1)} ${k2}`);
  }
}
await browser.close();
