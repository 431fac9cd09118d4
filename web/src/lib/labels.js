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
  return Math.max(measure(shortName(col.name), compact ? 11 : 12) + badge, measure(shapeLabel(col), 10));
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
