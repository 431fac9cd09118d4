// Small text helpers of the overview.
import { t } from './i18n.svelte.js';

/** fmt prints a number with the given decimals, a real minus sign, and "–" for missing values. */
export function fmt(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const s = (Math.abs(v) < 0.5 * 10 ** -digits ? 0 : v).toFixed(digits);
  return s.replace('-', '−');
}

/** shapeLabel is a column's shape as height×width×channels (as the original shows it). */
export function shapeLabel(col) {
  const s = col.shape;
  if (col.kind === 'output') return t('labels.classes', { n: s[0] });
  if (s.length === 3) return `${s[1]}×${s[2]}×${s[0]}`;
  return s.join('×');
}

/**
 * outputOrder lists the class index drawn in each output row: class order
 * when all classes fit, else the classes of the current image sorted by
 * probability.
 */
export function outputOrder(col, run) {
  if (!col || col.kind !== 'output') return [];
  const n = col.shown;
  if (!col.topK || !run) return Array.from({ length: n }, (_, i) => i);
  const p = run.header.probabilities;
  return p.map((_, i) => i).sort((a, b) => (p[b] ?? 0) - (p[a] ?? 0) || a - b).slice(0, n);
}

/** shortName shortens long layer names in the middle ("inception_4a/…/conv_3x3"). */
export function shortName(name, max = 22) {
  if (name.length <= max) return name;
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${name.slice(0, head)}…${name.slice(name.length - (keep - head))}`;
}

const SEP = /[_./:-]/;

/** blockPrefix is the common prefix of a and b up to and including its last separator (_ . / : -), or ''. */
function blockPrefix(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  let k = n - 1;
  while (k >= 0 && !SEP.test(a[k])) k--;
  return k >= 0 ? a.slice(0, k + 1) : '';
}

/**
 * blockLabels finds repeated blocks among the names of consecutive columns
 * (block_1_expand, block_1_depthwise, block_1_project; layer1.0.conv1,
 * layer1.0.conv2 …): a run of at least two columns whose names share a
 * prefix ending at a separator is a block. Returns one {block, label} per
 * name — block: the shared prefix without its last separator ('' outside
 * blocks), label: the rest of the name (the whole name outside blocks).
 * Only blocks whose labels another block repeats are kept, and only when
 * there are at least minBlocks of them; a prefix shorter than 3 characters
 * is no block.
 */
export function blockLabels(names, { minBlocks = 2 } = {}) {
  const out = names.map((n) => ({ block: '', label: n }));
  const found = [];
  let i = 0;
  while (i < names.length - 1) {
    const p = blockPrefix(names[i], names[i + 1]);
    // A name sharing only a shallower prefix than its next two share stays
    // alone (features.0.0 before features.1.conv.0.0, features.1.conv.1).
    const q = i + 2 < names.length ? blockPrefix(names[i + 1], names[i + 2]) : '';
    if (p.length < 3 || p === names[i] || p === names[i + 1] || q.length > p.length) {
      i++;
      continue;
    }
    let j = i;
    while (j < names.length && names[j].startsWith(p) && names[j].length > p.length) j++;
    found.push([i, j, p]);
    i = j;
  }
  // Only repeated blocks: a block is kept when another has the same labels
  // (block_1 and block_3: expand, pad, depthwise, project), which leaves out
  // names numbered by operator (p2o.Conv.0, p2o.Conv.1 — no structure).
  const key = ([a, b, p]) => names.slice(a, b).map((n) => n.slice(p.length)).join('\n');
  const count = new Map();
  for (const f of found) count.set(key(f), (count.get(key(f)) ?? 0) + 1);
  const kept = found.filter((f) => count.get(key(f)) >= 2);
  if (kept.length < minBlocks) return out;
  for (const [a, b, p] of kept) {
    for (let k = a; k < b; k++) out[k] = { block: p.slice(0, -1), label: names[k].slice(p.length) };
  }
  return out;
}

/** estimateText is a text width estimate for when no canvas can measure. */
export const estimateText = (text, px) => text.length * px * 0.55;

/**
 * headerWidth is the width in CSS pixels of a column header (name at 12px,
 * shape at 10px, or 11px/10px on a phone) for spacing the columns; measure
 * (text, px) → width does the measuring.
 */
export const FOLD_BADGE = 26;

export function headerWidth(col, compact = false, measure = estimateText) {
  if (col.kind === 'output') return 0;
  // A column with folded layers has their badge (+N, FOLD_BADGE px) beside its name.
  const badge = col.folded?.length ? FOLD_BADGE : 0;
  // The badge stands beside the name-and-shape button, so it adds to the wider of the two.
  return Math.max(measure(shortName(col.label ?? col.name), compact ? 11 : 12), measure(shapeLabel(col), 10)) + badge;
}

/** thousands writes an integer with thin-space-free comma grouping (no Intl: its first use is slow). */
export function thousands(n) {
  const s = String(Math.round(Math.abs(n)));
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `−${out}` : out;
}

/** modelNotes are a model's notes (GET /api/models "notes": how the import changed it, e.g. "dequantized") as messages; an unknown note shows as it is. */
export function modelNotes(notes) {
  return (notes ?? []).map((n) => {
    const key = `modelinfo.note.${n}`;
    const s = t(key);
    return s === key ? n : s;
  });
}
