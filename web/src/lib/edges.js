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

/** ends lists the edges into one neuron as [source column, source index, x1, y1, x2, y2]. */
function ends(cols, geo, ci, idx) {
  const target = geo.columns[ci].neurons[idx];
  if (!target) return [];
  const [x2, y2] = anchorIn(cols[ci], target);
  return incoming(cols, ci, idx).map(([sc, k]) => {
    const [x1, y1] = anchorOut(cols[sc], geo.columns[sc].neurons[k]);
    return [sc, k, x1, y1, x2, y2];
  });
}

/** edgesInto returns the edges into one neuron as {from: [col, idx], d}. */
export function edgesInto(cols, geo, ci, idx) {
  return ends(cols, geo, ci, idx).map(([sc, k, x1, y1, x2, y2]) => ({ from: [sc, k], d: edgePath(x1, y1, x2, y2) }));
}

/**
 * meshOf returns the pale background mesh, per column with incoming
 * edges: {col, count, pts: [x1, y1, x2, y2, …], box: {x, y, w, h}} — the
 * edges' end points and a box (CSS pixels) holding them, for a canvas of
 * its own (drawMesh). As one SVG path per column a big model's mesh was
 * hundreds of kilobytes of path data to parse on the first render.
 */
export function meshOf(cols, geo) {
  const out = [];
  cols.forEach((c, ci) => {
    const pts = [];
    for (let i = 0; i < neuronCount(c); i++) {
      for (const [, , x1, y1, x2, y2] of ends(cols, geo, ci, i)) pts.push(x1, y1, x2, y2);
    }
    if (!pts.length) return;
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let j = 0; j < pts.length; j += 2) {
      x0 = Math.min(x0, pts[j]);
      x1 = Math.max(x1, pts[j]);
      y0 = Math.min(y0, pts[j + 1]);
      y1 = Math.max(y1, pts[j + 1]);
    }
    const box = { x: Math.floor(x0) - 1, y: Math.floor(y0) - 1 };
    box.w = Math.ceil(x1) + 1 - box.x;
    box.h = Math.ceil(y1) + 1 - box.y;
    out.push({ col: ci, count: pts.length / 4, pts, box });
  });
  return out;
}

/** MESH_STYLE is how the mesh is stroked (the colour is #c9ccd1 at 55 % opacity). */
export const MESH_STYLE = { strokeStyle: 'rgba(201, 204, 209, 0.55)', lineWidth: 0.5 };

/**
 * drawMesh strokes one column's mesh (from meshOf) on a 2D context whose
 * canvas covers m.box at dpr device pixels per CSS pixel: each edge the
 * curve edgePath describes.
 */
export function drawMesh(ctx, m, dpr) {
  const { box, pts } = m;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, Math.round(box.w * dpr), Math.round(box.h * dpr));
  ctx.setTransform(dpr, 0, 0, dpr, -box.x * dpr, -box.y * dpr);
  ctx.beginPath();
  for (let j = 0; j < pts.length; j += 4) {
    const [x1, y1, x2, y2] = [pts[j], pts[j + 1], pts[j + 2], pts[j + 3]];
    const mx = (x1 + x2) / 2;
    ctx.moveTo(x1, y1);
    ctx.bezierCurveTo(mx, y1, mx, y2, x2, y2);
  }
  Object.assign(ctx, MESH_STYLE);
  ctx.stroke();
}
