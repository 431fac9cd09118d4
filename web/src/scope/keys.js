// The Scope page's keyboard and splitter rules. Pure.

/**
 * graphStep maps a key pressed on the graph to a move along its edges:
 * 'clear' (Escape), 'back' (to a producer) or 'forward' (to a reader); the
 * arrows along the layout's direction (Up/Down top-to-bottom, Left/Right
 * left-to-right); null for any other key.
 */
export function graphStep(key, dir) {
  if (key === 'Escape') return 'clear';
  const [back, fwd] = dir === 'TB' ? ['ArrowUp', 'ArrowDown'] : ['ArrowLeft', 'ArrowRight'];
  if (key === back) return 'back';
  if (key === fwd) return 'forward';
  return null;
}

/** neighbourBox is the box one edge back from (or forward of) box id, or '' when there is none. */
export function neighbourBox(edges, id, step) {
  const back = step === 'back';
  const e = edges.find((x) => (back ? x.to === id : x.from === id));
  return e ? (back ? e.from : e.to) : '';
}

/** nextMatch is the index of the next (or, with shift, the previous) of n matches after i (−1: none yet). */
export function nextMatch(i, n, shift = false) {
  if (!n) return -1;
  return (i + (shift ? n - 1 : 1)) % n;
}

export const SPLIT_MIN = 90; // px of the tables at least
export const SPLIT_GRAPH_MIN = 140; // px left to the graph at least
export const SPLIT_STEP = 40; // px per arrow key
export const SPLIT_SHARE = 0.38; // the tables' default share of the height (scope.css)

/** clampSplit keeps the tables' height within the centre's height (px, rounded). */
export function clampSplit(h, height) {
  return Math.round(Math.max(SPLIT_MIN, Math.min(height - SPLIT_GRAPH_MIN, h)));
}

/** splitByKey is the tables' height after an arrow key (ArrowUp grows them), or null for another key; cur 0 is the default share. */
export function splitByKey(key, cur, height) {
  if (key !== 'ArrowUp' && key !== 'ArrowDown') return null;
  return clampSplit((cur || height * SPLIT_SHARE) + (key === 'ArrowUp' ? SPLIT_STEP : -SPLIT_STEP), height);
}
