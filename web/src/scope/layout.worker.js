// Lays the Scope graph out off the main thread, so that a large network
// (Inception-ResNet-v2: 783 layers) does not freeze the page while dagre
// runs. Message in: {id, graph, rankdir, fold, blocks: {collapsed, details}}; out: {id, folded, layout, ms}
// or {id, error}.
import { foldBlocks } from './blocks.js';
import { layoutGraph, estimateWidth } from './layout.js';

let ctx = null;
function measure(text, font) {
  try {
    ctx ??= new OffscreenCanvas(1, 1).getContext('2d');
    ctx.font = font;
    return ctx.measureText(text).width;
  } catch {
    return estimateWidth(text, font);
  }
}

self.onmessage = (e) => {
  const { id, graph, rankdir, fold, blocks } = e.data;
  try {
    const t0 = performance.now();
    const folded = foldBlocks(graph, { fold, ...blocks });
    const layout = layoutGraph(folded, { rankdir, measure });
    self.postMessage({ id, folded, layout, ms: performance.now() - t0 });
  } catch (err) {
    self.postMessage({ id, error: String(err?.message ?? err) });
  }
};
