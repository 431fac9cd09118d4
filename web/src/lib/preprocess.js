// A model's preprocessing (docs/preprocessing.md): how an image's pixels p
// in [0, 1] become the input tensor, x = (p·scale − mean[c]) / std[c], in
// B,G,R order when bgr. The Explainer shows it, lets the user try another
// convention (the run API's mean, std, scale, bgr, resize parameters), and
// draws the input column on the range these numbers give. Pure.

/** DEFAULT_PRE is the default preprocessing: RGB in [0, 1], centre crop. */
export const DEFAULT_PRE = Object.freeze({ mean: [0, 0, 0], std: [1, 1, 1], scale: 1, bgr: false, resize: 'crop' });

const three = (v, def) => {
  if (!Array.isArray(v) || v.length === 0) return [def, def, def];
  if (v.length === 1) return [v[0], v[0], v[0]];
  return v.slice(0, 3).map(Number);
};

/** normalPre spells out every default of a preprocessing (the API's `preprocess`, possibly partial). */
export function normalPre(p) {
  return {
    mean: three(p?.mean, 0),
    std: three(p?.std, 1),
    scale: p?.scale > 0 ? p.scale : 1,
    bgr: !!p?.bgr,
    resize: p?.resize === 'stretch' ? 'stretch' : 'crop',
  };
}

/**
 * CONVENTIONS are the common preprocessing conventions of
 * docs/preprocessing.md, by id (the panel's choices; names are i18n
 * messages `pre.conv.<id>`).
 */
export const CONVENTIONS = [
  { id: 'unit', pre: { mean: [0], std: [1], scale: 1 } },
  { id: 'torch', pre: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], scale: 1 } },
  { id: 'tf', pre: { mean: [127.5], std: [127.5], scale: 255 } },
  { id: 'caffe', pre: { mean: [104, 117, 123], std: [1], scale: 255, bgr: true } },
  { id: 'keras-caffe', pre: { mean: [103.939, 116.779, 123.68], std: [1], scale: 255, bgr: true } },
  { id: 'bytes', pre: { mean: [0], std: [1], scale: 255 } },
].map((c) => ({ id: c.id, pre: normalPre(c.pre) }));

const same = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-6);

/** samePre tells whether two preprocessings are the same (resize included). */
export function samePre(a, b) {
  const x = normalPre(a);
  const y = normalPre(b);
  return same(x.mean, y.mean) && same(x.std, y.std) && x.scale === y.scale && x.bgr === y.bgr && x.resize === y.resize;
}

/** conventionOf is the id of the convention p follows (its resize aside), or 'custom'. */
export function conventionOf(p) {
  const n = normalPre(p);
  const hit = CONVENTIONS.find((c) => samePre({ ...c.pre, resize: n.resize }, n));
  return hit ? hit.id : 'custom';
}

/**
 * inputRange is the range [lo, hi] of the input tensor's values under p:
 * what black (p = 0) and white (p = 1) become, over the channels. The
 * input column's grey scale spans it, so black and white pixels stay black
 * and white whatever the preprocessing, and its legend shows the numbers
 * the network really gets.
 */
export function inputRange(p, channels = 3) {
  const n = normalPre(p);
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < Math.min(3, Math.max(1, channels)); c++) {
    const a = (0 * n.scale - n.mean[c]) / n.std[c];
    const b = (1 * n.scale - n.mean[c]) / n.std[c];
    lo = Math.min(lo, a, b);
    hi = Math.max(hi, a, b);
  }
  return [lo, hi];
}

/** channelOrder names the input planes: ['R', 'G', 'B'], or B, G, R when bgr. */
export const channelOrder = (p) => (normalPre(p).bgr ? ['B', 'G', 'R'] : ['R', 'G', 'B']);

/** fmtNums writes numbers for the panel's fields: "0.485, 0.456, 0.406" (one number when all are equal). */
export function fmtNums(v) {
  const r = v.map((x) => +Number(x).toPrecision(6));
  return (r.every((x) => x === r[0]) ? [r[0]] : r).join(', ');
}

/** parseNums reads a mean or std field ("0.485, 0.456 0.406", or one number): 1 or 3 finite numbers, else null. */
export function parseNums(s) {
  const parts = String(s ?? '').trim().split(/[\s,;]+/).filter(Boolean);
  if (parts.length !== 1 && parts.length !== 3) return null;
  const v = parts.map(Number);
  return v.every(Number.isFinite) ? v : null;
}

/** checkPre returns the message key of the first invalid field of a preprocessing, or '' (the server's rules). */
export function checkPre(p) {
  if (!p.mean) return 'pre.bad.mean';
  if (!p.std || p.std.some((v) => v === 0)) return 'pre.bad.std';
  if (!(p.scale > 0) || !Number.isFinite(p.scale)) return 'pre.bad.scale';
  return '';
}

/** preParams are the run API's query parameters for a preprocessing (none for null: the model's own). */
export function preParams(p) {
  if (!p) return [];
  const n = normalPre(p);
  return [
    ['mean', n.mean.join(',')],
    ['std', n.std.join(',')],
    ['scale', String(n.scale)],
    ['bgr', String(n.bgr)],
    ['resize', n.resize],
  ];
}
