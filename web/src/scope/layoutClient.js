// Runs the graph layout in a Web Worker (layout.worker.js), or on the main
// thread when workers are unavailable. One request at a time matters: an
// answer to an older request is dropped by the caller via its id.
import { foldBlocks } from './blocks.js';
import { estimateWidth } from './boxes.js';

let worker = null;
let failed = false;
let seq = 0;
const pending = new Map();

function getWorker() {
  if (worker || failed) return worker;
  try {
    worker = new Worker(new URL('./layout.worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (e) => {
      const p = pending.get(e.data.id);
      if (!p) return;
      pending.delete(e.data.id);
      if (e.data.error) p.reject(new Error(e.data.error));
      else p.resolve(e.data);
    };
    worker.onerror = (e) => {
      failed = true;
      worker = null;
      for (const p of pending.values()) p.fallback();
      pending.clear();
      e.preventDefault?.();
    };
  } catch {
    failed = true;
    worker = null;
  }
  return worker;
}

// dagre is loaded on the main thread only when there is no worker
async function onMainThread(graph, rankdir, fold, measure, blocks) {
  const { layoutGraph } = await import('./layout.js');
  const t0 = performance.now();
  const folded = foldBlocks(graph, { fold, ...blocks });
  const layout = layoutGraph(folded, { rankdir, measure });
  return { folded, layout, ms: performance.now() - t0 };
}

/**
 * layout folds and lays out graph; resolves {folded, layout, ms, where}.
 * measure is used on the main-thread path only; collapsed lists the blocks
 * (blocks.js) drawn as one box, details their boxes' detail lines.
 */
export function layout(graph, { rankdir = 'TB', fold = true, measure = estimateWidth, collapsed = [], details = {} } = {}) {
  const blocks = { collapsed, details };
  const w = getWorker();
  if (!w) return onMainThread(graph, rankdir, fold, measure, blocks).then((r) => ({ ...r, where: 'main' }));
  const id = ++seq;
  return new Promise((resolve, reject) => {
    pending.set(id, {
      resolve: (d) => resolve({ ...d, where: 'worker' }),
      reject,
      fallback: () => onMainThread(graph, rankdir, fold, measure, blocks).then((r) => resolve({ ...r, where: 'main' }), reject),
    });
    try {
      w.postMessage({ id, graph, rankdir, fold, blocks });
    } catch {
      // a reactive proxy cannot be cloned: send a plain copy
      w.postMessage({ id, graph: JSON.parse(JSON.stringify(graph)), rankdir, fold, blocks });
    }
  });
}

/** warmUp starts the worker (loading its code) before the first layout is needed. */
export function warmUp() {
  getWorker();
}
