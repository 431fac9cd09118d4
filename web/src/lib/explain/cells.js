// The current cell of a formula view: moving it with the arrow keys, and
// the input window that an output cell reads.

const STEPS = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

/**
 * arrowKey is the cell index (row-major, cols per row, count cells) after
 * the key event e, clamped to the map; null when e is not an arrow key. An
 * arrow key's default action (scrolling) is prevented.
 */
export function arrowKey(e, pos, cols, count) {
  const s = STEPS[e.key];
  if (!s) return null;
  e.preventDefault();
  return Math.max(0, Math.min(count - 1, pos + s[0] * cols + s[1]));
}

/** windowBox is the input cells {y, x, h, w} read by output cell (oy, ox) under geom g (conv.js). */
export function windowBox(g, oy, ox) {
  return { y: oy * g.sh - g.pt, x: ox * g.sw - g.pl, h: (g.kh - 1) * g.dh + 1, w: (g.kw - 1) * g.dw + 1 };
}
