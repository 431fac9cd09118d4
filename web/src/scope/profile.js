// The Scope's Profile and "colour by": merging a profile (POST
// /api/profile, docs/api.md) into the layer rows, a box's value of a metric
// (the sum over the layers drawn in it) and the sequential colour scale of
// the graph with its legend. Pure.

/** METRICS a graph can be coloured by ('family' is the operator colours of colors.js). */
export const METRICS = ['family', 'time', 'macs', 'params', 'memory'];

/**
 * mergeProfile returns rows with each layer's ms, share and gflops from
 * profile (rows of layers the profile lacks, the graph inputs, keep them
 * undefined; a fused layer gets fused: true).
 */
export function mergeProfile(rows, profile) {
  if (!profile) return rows;
  const by = new Map(profile.layers.map((l) => [l.name, l]));
  return rows.map((r) => {
    const p = by.get(r.name);
    return p ? { ...r, ms: p.ms, share: p.share, gflops: p.gflops, fused: !!p.fused } : r;
  });
}

/** metricOf is a row's value of a metric: time (ms), macs, params, memory (activation bytes); 0 when absent. */
export function metricOf(row, metric) {
  switch (metric) {
    case 'time':
      return row?.ms ?? 0;
    case 'macs':
      return row?.macs ?? 0;
    case 'params':
      return row?.params ?? 0;
    case 'memory':
      return row?.activation_bytes ?? 0;
    default:
      return 0;
  }
}

/** boxValues maps each group (fold.js) to the sum of the metric over its layers (head and folded members). */
export function boxValues(groups, rowByName, metric) {
  const m = new Map();
  for (const g of groups) {
    const names = g.block ? g.block.layers : [g.head.name, ...g.members.map((x) => x.name)]; // a collapsed block: all its layers
    m.set(g.id, names.reduce((v, n) => v + metricOf(rowByName.get(n), metric), 0));
  }
  return m;
}

// Sequential stops from pale yellow to salmon: light enough that the boxes'
// dark text stays readable on every one.
const STOPS = ['#fff6d5', '#fde3a0', '#fcc583', '#f9a374', '#f3827a'];
const ZERO = { fill: '#f1f3f4', stroke: '#bdc1c6' };

const hex = (s) => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
const toHex = (c) => '#' + c.map((x) => Math.round(x).toString(16).padStart(2, '0')).join('');

/** ramp gives the colour at t in [0, 1] along STOPS (clamped). */
export function ramp(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const a = hex(STOPS[i]);
  const b = hex(STOPS[i + 1]);
  const f = x - i;
  return toHex(a.map((v, k) => v + (b[k] - v) * f));
}

const darker = (c) => toHex(hex(c).map((v) => v * 0.62));

/**
 * heatScale builds the colour scale of the positive values: linear from 0
 * to the largest, or logarithmic from the smallest to the largest when they
 * span more than two decades. Returns {log, min, max, position(v) → t in
 * [0, 1], colour(v) → {fill, stroke}, stops}; a value ≤ 0 (no time, no
 * MACs) is grey.
 */
export function heatScale(values) {
  const pos = [...values].filter((v) => Number.isFinite(v) && v > 0);
  const max = pos.length ? Math.max(...pos) : 0;
  const min = pos.length ? Math.min(...pos) : 0;
  const log = min > 0 && max / min > 100;
  const position = (v) => {
    if (!(v > 0) || !(max > 0)) return 0;
    if (log) return Math.log(v / min) / Math.log(max / min);
    return v / max;
  };
  const colour = (v) => {
    if (!(v > 0)) return ZERO;
    const fill = ramp(position(v));
    return { fill, stroke: darker(fill) };
  };
  return { log, min: log ? min : 0, max, position, colour, stops: STOPS };
}
