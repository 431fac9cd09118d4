// Where the time to the first picture goes: navigations in headless
// Chromium, each with a Chrome trace summarised on the renderer's main
// thread up to data-ready (resource timings, self time by trace event, the
// long tasks and what they contain).
//   node e2e/navprofile.mjs URL [URL_B …] [runs]
// With several URLs they are traced alternately and only the summary is
// printed (VERBOSE=1 prints every run): per URL the medians of data-ready
// and of the main thread's CPU time up to it (the trace's thread time of
// its top-level tasks: steadier than wall time on a busy machine).
// TRACE=file.json keeps each trace (file-<url#>-<run>.json).
// CPU=N adds V8's sampling profile: the N functions with the most self and
// total time; build the UI with `npx vite build --minify false` (or
// --sourcemap) for readable names. Profiling slows the page ~1.5–2×.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { launch, median, READY_PROBE, firstPicture } from './harness.mjs';
const args = process.argv.slice(2);
const runs = /^\d+$/.test(args.at(-1) ?? '') ? +args.pop() : 3;
const urls = args;
const out = process.env.TRACE;
const verbose = urls.length === 1 || !!process.env.VERBOSE;
const summary = new Map(urls.map((u) => [u, { ready: [], cpu: [] }]));
const log = (...a) => verbose && console.log(...a);
const load = [loadavg()[0]];
const browser = await launch();
for (let k = 0; k < runs; k++) for (const [ui, url] of urls.entries()) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  await page.addInitScript(READY_PROBE);
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading', ...(process.env.CPU ? ['disabled-by-default-v8.cpu_profiler'] : [])] });
  const readyAt = await firstPicture(page, url);
  const res = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => [r.name.replace(location.origin, ''), Math.round(r.startTime), Math.round(r.responseStart), Math.round(r.responseEnd), r.transferSize]));
  const nav = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0]; return { responseStart: Math.round(n.responseStart), responseEnd: Math.round(n.responseEnd), domInteractive: Math.round(n.domInteractive), dcl: Math.round(n.domContentLoadedEventEnd), size: n.transferSize }; });
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]));
  const buf = await browser.stopTracing();
  await ctx.close();
  const trace = JSON.parse(buf.toString());
  if (out) writeFileSync(out.replace('.json', `-${ui}-${k}.json`), buf);
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
  const topTasks = tasks.filter((e, i) => !tasks.slice(0, i).some((p) => p.ts + p.dur >= e.ts + e.dur));
  const cpu = topTasks.reduce((a, e) => a + (e.tdur ?? e.dur), 0) / 1000;
  summary.get(url).ready.push(readyAt);
  summary.get(url).cpu.push(cpu);
  load.push(loadavg()[0]);
  log(`# ${url} run ${k}: ready at ${readyAt.toFixed(0)} ms, main-thread CPU ${cpu.toFixed(0)} ms; html ${nav.responseStart}-${nav.responseEnd} ms (${nav.size} B), domInteractive ${nav.domInteractive}, DCL ${nav.dcl}`);
  for (const r of res) log(`  res ${r[0].slice(0, 70)} start ${r[1]} first byte ${r[2]} end ${r[3]} (${r[4]} B)`);
  for (const m of marks) log(`  mark ${m[0]} ${m[1]}`);
  log('  main-thread self time by event (ms):', [...self].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, d]) => `${n} ${(d / 1000).toFixed(1)}`).join(', '));
  const big = tasks.filter((e) => e.dur > 8000);
  for (const tk of big) {
    const kids = sorted.filter((e) => e !== tk && e.ts >= tk.ts && e.ts + e.dur <= tk.ts + tk.dur && e.dur > 2000 && e.name !== 'RunTask');
    log(`  task at ${((tk.ts - t0) / 1000).toFixed(0)} ms, ${(tk.dur / 1000).toFixed(1)} ms (CPU ${((tk.tdur ?? tk.dur) / 1000).toFixed(1)}): ${kids.slice(0, 6).map((e) => `${e.name}${e.args?.data?.url ? '(' + e.args.data.url.split('/').pop() + ')' : ''}${e.args?.data?.functionName ? '(' + e.args.data.functionName + ')' : ''} ${(e.dur / 1000).toFixed(1)}`).join(' | ')}`);
  }
  if (process.env.CPU && verbose) {
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
for (const [url, { ready, cpu }] of summary) {
  console.log(`${url}\n  data-ready median ${median(ready).toFixed(0)} ms: ${ready.map((x) => x.toFixed(0)).join(' ')}\n  main-thread CPU to it median ${median(cpu).toFixed(0)} ms: ${cpu.map((x) => x.toFixed(0)).join(' ')}`);
}
console.log(`load average (1 min): ${Math.min(...load).toFixed(2)}–${Math.max(...load).toFixed(2)}`);
await browser.close();
