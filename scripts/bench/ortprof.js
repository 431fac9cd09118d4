// onnxruntime's side of the A/B in docs/performance.md ("Real CNNs against onnxruntime").
// Copy it into the folder set up from ../shared/bench/ort (it needs onnxruntime-node there) and run
//   node ortprof.js RUNS FILE.onnx...
// For each file: RUNS runs at batch 1 with 2 intra-op threads (input 0.5 everywhere, as bench.js)
// with per-node profiling; prints the fastest and the median run and the sum over nodes of each
// node's fastest time ("layers", comparable to the Go benchmarks' layers-ms). LAYERS=1 also prints
// the time by operator and the 15 slowest nodes, LAYERS=all every node.
const ort = require('onnxruntime-node');
const fs = require('fs');
const os = require('os');
const path = require('path');
(async () => {
  const runs = +process.argv[2];
  for (const f of process.argv.slice(3)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ortprof-'));
    const s = await ort.InferenceSession.create(f, { intraOpNumThreads: 2, interOpNumThreads: 1, logSeverityLevel: 3,
      enableProfiling: true, profileFilePrefix: path.join(dir, 'p') });
    const x = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.5), [1, 3, 224, 224]);
    await s.run({ x });
    const t = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      await s.run({ x });
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    s.endProfiling();
    await new Promise((r) => setTimeout(r, 200)); // the file is written asynchronously
    const file = path.join(dir, fs.readdirSync(dir)[0]);
    const ev = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.rmSync(dir, { recursive: true });
    t.sort((a, b) => a - b);
    const best = new Map(), op = new Map();
    for (const e of ev) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      const n = e.name.slice(0, -'_kernel_time'.length);
      best.set(n, Math.min(best.get(n) ?? Infinity, e.dur));
      op.set(n, e.args?.op_name);
    }
    let sum = 0;
    for (const v of best.values()) sum += v;
    console.log(`ort ${f} min ${t[0].toFixed(2)} median ${t[runs >> 1].toFixed(2)} layers ${(sum / 1000).toFixed(2)} ms (${best.size} nodes)`);
    if (process.env.LAYERS) {
      const byOp = {};
      for (const [n, v] of best) byOp[op.get(n)] = (byOp[op.get(n)] ?? 0) + v;
      console.log('  by op (ms):', Object.entries(byOp).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join(', '));
      [...best].sort((a, b) => b[1] - a[1]).slice(0, process.env.LAYERS === 'all' ? best.size : 15).forEach(([n, v]) => console.log(`  ${(v / 1000).toFixed(3)} ms ${n} ${op.get(n)}`));
    }
  }
})();
