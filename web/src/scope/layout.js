// Layout of the Scope graph: dagre's layered layout of the boxes
// (boxes.js), top-down or left-right. Runs in a worker (layout.worker.js).
import dagre from '@dagrejs/dagre';
import { boxOf, edgeLabel, estimateWidth, FONTS } from './boxes.js';

export { BOX, FONTS, estimateWidth, detail, badge, fitText, boxOf, edgeLabel } from './boxes.js';

/**
 * layoutGraph lays the folded graph out with dagre. rankdir is 'TB'
 * (top-down) or 'LR'. Returns {boxes: Map(id → {x, y, width, height, …box}),
 * edges: [{from, to, label, points: [{x, y}], lx, ly}], width, height}; x, y
 * of a box are its centre.
 */
export function layoutGraph(folded, { rankdir = 'TB', measure = estimateWidth, labels = true } = {}) {
  const g = new dagre.graphlib.Graph();
  const lr = rankdir === 'LR';
  g.setGraph({ rankdir, nodesep: lr ? 14 : 22, ranksep: lr ? 30 : 22, edgesep: 8, marginx: 24, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  const boxes = new Map();
  for (const grp of folded.groups) {
    const b = boxOf(grp, measure);
    boxes.set(grp.id, b);
    g.setNode(grp.id, { width: b.width, height: b.height });
  }
  const labelH = 12;
  for (const e of folded.edges) {
    const label = edgeLabel(e);
    const w = labels ? Math.ceil(measure(label, FONTS.label)) + 6 : 0;
    g.setEdge(e.from, e.to, labels ? { width: w, height: labelH, labelpos: 'c' } : {});
  }
  dagre.layout(g);
  for (const id of g.nodes()) {
    const n = g.node(id);
    Object.assign(boxes.get(id), { x: n.x, y: n.y });
  }
  const edges = folded.edges.map((e) => {
    const d = g.edge(e.from, e.to);
    return { from: e.from, to: e.to, value: e.value, label: edgeLabel(e), points: d.points ?? [], lx: d.x, ly: d.y };
  });
  const gg = g.graph();
  return { boxes, edges, width: gg.width ?? 0, height: gg.height ?? 0, rankdir };
}
