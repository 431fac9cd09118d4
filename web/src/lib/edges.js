// Edge paths between neurons: smooth horizontal links from the right side
// of a source box to the left side of its target — the path d3's
// linkHorizontal() draws (a cubic Bézier with both control points at the
// middle x; coordinates rounded to 3 decimals, as d3-path does), written
// directly: d3's path objects were a tenth of the overview's first render.
import { incoming, neuronCount } from './layout.js';

const r3 = (v) => Math.round(v * 1000) / 1000;

/** edgePath is the SVG path of one edge. */
export function edgePath(x1, y1, x2, y2) {
  const mx = r3((x1 + x2) / 2);
  const ya = r3(y1);
  const yb = r3(y2);
  return `M${r3(x1)},${ya}C${mx},${ya},${mx},${yb},${r3(x2)},${yb}`;
}

/** anchors returns the [x, y] where edges leave (right) or enter (left) a neuron. */
export function anchorOut(col, n) {
  return col.kind === 'output' ? [n.x, n.cy] : [n.x + n.w, n.cy];
}
export function anchorIn(col, n) {
  return col.kind === 'output' ? [n.x - 4, n.cy] : [n.x, n.cy];
}

/** edgesInto returns the edges into one neuron as {from: [col, idx], d}. */
export function edgesInto(cols, geo, ci, idx) {
  const c = cols[ci];
  const target = geo.columns[ci].neurons[idx];
  if (!target) return [];
  const [x2, y2] = anchorIn(c, target);
  return incoming(cols, ci, idx).map(([sc, k]) => {
    const src = geo.columns[sc].neurons[k];
    const [x1, y1] = anchorOut(cols[sc], src);
    return { from: [sc, k], d: edgePath(x1, y1, x2, y2) };
  });
}

/**
 * allEdges returns one combined path per column (all edges into its
 * neurons), to draw the pale background mesh with few DOM nodes.
 */
export function allEdges(cols, geo) {
  return cols.map((c, ci) => {
    const parts = [];
    for (let i = 0; i < neuronCount(c); i++) {
      for (const e of edgesInto(cols, geo, ci, i)) parts.push(e.d);
    }
    return { col: ci, d: parts.join(''), count: parts.length };
  }).filter((e) => e.count > 0);
}
