// The Scope inspector's weights panel (issue 21): the figures of a weight
// tensor's `stats` (GET /api/models/{id}/params/{layer}, docs/api.md,
// computed in Go by analyze.Weights) as rows, and its histogram as bar
// geometry. Pure functions; WeightsPanel.svelte only draws them.
import { percent } from './format.js';

/** weightNumber writes a weight figure with 3 significant digits and a real minus sign: -0.19634 → '−0.196', 0 → '0'. */
export function weightNumber(v) {
  const x = Number(v);
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e-3 && a < 1e5 ? String(Number(a.toPrecision(3))) : a.toExponential(2).replace(/\.?0+e/, 'e');
  return x < 0 ? `−${s}` : s;
}

/**
 * weightRows lists the panel's figures of stats as [{key, value, text}]:
 * min, max, mean, std and the sparsity (the share of exact zeros) always;
 * the share of |w| < 1e-6 and the count of non-finite values only when they
 * are not zero.
 */
export function weightRows(stats) {
  const rows = [
    { key: 'min', value: stats.min, text: weightNumber(stats.min) },
    { key: 'max', value: stats.max, text: weightNumber(stats.max) },
    { key: 'mean', value: stats.mean, text: weightNumber(stats.mean) },
    { key: 'std', value: stats.std, text: weightNumber(stats.std) },
    { key: 'zeros', value: stats.zeros, text: percent(stats.zeros, 1) },
  ];
  if (stats.tiny > 0 && stats.tiny !== stats.zeros) rows.push({ key: 'tiny', value: stats.tiny, text: percent(stats.tiny, 1) });
  if (stats.non_finite > 0) rows.push({ key: 'nonFinite', value: stats.non_finite, text: `${stats.non_finite} / ${stats.count}` });
  return rows;
}

/**
 * histogramBars lays the histogram's bins out in a width × height box:
 * equal widths, each bar's height its count over the largest count (a bin
 * of 1 value of a 10,000-value bin still shows: at least minH pixels).
 * Returns [{x, y, w, h, count, lo, hi}], y measured from the top.
 */
export function histogramBars(stats, width, height, { gap = 1, minH = 1 } = {}) {
  const counts = stats.counts ?? [];
  const edges = stats.edges ?? [];
  if (!counts.length) return [];
  const top = Math.max(...counts);
  const bw = width / counts.length;
  return counts.map((c, i) => {
    const h = c === 0 || top === 0 ? 0 : Math.max(minH, (c / top) * height);
    return { x: i * bw, y: height - h, w: Math.max(bw - gap, 1), h, count: c, lo: edges[i], hi: edges[i + 1] ?? edges[i] };
  });
}

/** zeroX is where w = 0 falls in the histogram's width (null when 0 is outside [min, max] or the range is empty). */
export function zeroX(stats, width) {
  const { min, max } = stats;
  if (!(min < 0 && max > 0)) return null;
  return ((0 - min) / (max - min)) * width;
}
