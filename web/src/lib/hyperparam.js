// The arithmetic of the article's hyperparameter widget: a square input of
// n×n cells, zero padding p on every side, a k×k window moving in steps of
// s. Pure functions (no DOM); article/HyperparamWidget.svelte draws them.
//
// Output size along one axis: ⌊(n + 2p − k) / s⌋ + 1 (0 when the window does
// not fit at all). "Valid" is meant as in CNN Explainer's widget: the
// window tiles the padded input exactly, so every cell is visited — that is
// k ≤ n + 2p and (n + 2p − k) mod s = 0. Frameworks accept the other
// combinations too: they drop the cells a last step cannot reach.

/** LIMITS: the widget's input ranges; values outside are clamped, so no combination can make it slow. */
export const LIMITS = {
  input: { min: 1, max: 32 },
  padding: { min: 0, max: 8 },
  kernel: { min: 1, max: 16 },
  stride: { min: 1, max: 16 },
};

/** DEFAULTS: the widget's first state (a 5×5 input, no padding, 2×2 kernel, stride 1: output 4×4). */
export const DEFAULTS = { input: 5, padding: 0, kernel: 2, stride: 1 };

/**
 * clampParam makes v a whole number within LIMITS[name]; a value that is
 * not a number (an empty field, "abc") gives fallback.
 */
export function clampParam(name, v, fallback = DEFAULTS[name]) {
  const { min, max } = LIMITS[name];
  const x = typeof v === 'string' ? Number(v.trim() === '' ? NaN : v) : Number(v);
  if (!Number.isFinite(x)) return fallback;
  return Math.min(max, Math.max(min, Math.round(x)));
}

/** clampParams applies clampParam to all four hyperparameters. */
export function clampParams(p = {}) {
  return {
    input: clampParam('input', p.input),
    padding: clampParam('padding', p.padding),
    kernel: clampParam('kernel', p.kernel),
    stride: clampParam('stride', p.stride),
  };
}

/** outputSize is ⌊(n + 2p − k) / s⌋ + 1, or 0 when the kernel is larger than the padded input. */
export function outputSize(n, p, k, s) {
  const span = n + 2 * p - k;
  if (span < 0 || s < 1) return 0;
  return Math.floor(span / s) + 1;
}

/**
 * analyse describes a combination: padded size, output size, and whether
 * it is valid. reason is null when valid, 'kernel' when the window is
 * larger than the padded input, 'stride' when the window does not tile it
 * (leftover cells at the right and bottom are never visited; covered is
 * how many are).
 */
export function analyse(params) {
  const { input: n, padding: p, kernel: k, stride: s } = clampParams(params);
  const padded = n + 2 * p;
  const output = outputSize(n, p, k, s);
  const out = { input: n, padding: p, kernel: k, stride: s, padded, output, valid: true, reason: null, leftover: 0, covered: padded };
  if (k > padded) {
    return { ...out, valid: false, reason: 'kernel', covered: 0 };
  }
  const leftover = (padded - k) % s;
  if (leftover) {
    out.valid = false;
    out.reason = 'stride';
    out.leftover = leftover;
    out.covered = padded - leftover;
  }
  // Padding wider than k − 1 gives windows that hold only zeros: allowed,
  // but worth saying.
  out.paddingOnly = p >= k;
  return out;
}

/**
 * windowAt is the top-left cell (row, col) in padded coordinates of the
 * window that computes output cell i (row-major), or null when there is no
 * such cell.
 */
export function windowAt(a, i) {
  if (!a.output || i < 0 || i >= a.output * a.output || !Number.isInteger(i)) return null;
  return { row: Math.floor(i / a.output) * a.stride, col: (i % a.output) * a.stride };
}

/** cellKind classifies padded-input cell (r, c): 'pad' (zero padding), 'left' (never visited), or 'in'. */
export function cellKind(a, r, c) {
  if (r < a.padding || c < a.padding || r >= a.padding + a.input || c >= a.padding + a.input) return 'pad';
  if (r >= a.covered || c >= a.covered) return 'left';
  return 'in';
}

/** explain is the widget's sentence about a combination; t is the translator (key, vars) → text. */
export function explain(a, t) {
  if (a.reason === 'kernel') {
    return t('article.widget.bad.kernel', { k: a.kernel, m: a.padded, need: Math.ceil((a.kernel - a.input) / 2) });
  }
  const vars = { n: a.input, p: a.padding, k: a.kernel, s: a.stride, m: a.padded, o: a.output, span: a.padded - a.kernel };
  if (a.reason === 'stride') {
    // 1-based numbers of the padded columns (and rows) no window reaches.
    const from = a.covered + 1;
    const range = from === a.padded ? `${from}` : `${from}–${a.padded}`;
    const v = { ...vars, r: a.leftover, range, end: a.covered };
    return a.leftover === 1 ? t('article.widget.bad.stride1', v) : t('article.widget.bad.stride', v);
  }
  return a.paddingOnly ? t('article.widget.ok.padonly', vars) : t('article.widget.ok', vars);
}
