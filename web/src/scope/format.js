// Number formatting of the Scope page: counts with SI prefixes (25.6 M
// params, 4.09 GMAC), memory in decimal units like the CLI and its Markdown
// export (9.63 MB; docs/api.md, Analysis, "Units") and shapes (64×56×56).
// Pure functions; the decimal separator is always '.', as in the CLI.

const SI = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** sig3 writes x (≥ 0, < 1000) with three significant digits, trailing zeros dropped. */
function sig3(x) {
  let s;
  if (x >= 100) s = x.toFixed(0);
  else if (x >= 10) s = x.toFixed(1);
  else s = x.toFixed(2);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** siParts splits n into a 3-significant-digit mantissa and an SI prefix: 25557032 → ['25.6', 'M']. */
export function siParts(n) {
  const v = Number(n);
  if (!Number.isFinite(v)) return ['–', ''];
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  for (const [f, p] of SI) {
    // 999,950 rounds to 1000 k: promote it to 1 M instead
    if (a >= f * 0.9995) return [sign + sig3(Math.min(a / f, 999)), p];
  }
  return [sign + (Number.isInteger(a) ? String(a) : sig3(a)), ''];
}

/** compact writes a count with an SI prefix: 25557032 → '25.6 M', 950 → '950'. */
export function compact(n) {
  const [m, p] = siParts(n);
  return p ? `${m} ${p}` : m;
}

/** macs writes multiply-accumulates: 4089184256 → '4.09 GMAC'. */
export function macs(n) {
  const [m, p] = siParts(n);
  return `${m} ${p}MAC`;
}

/** bytes writes a size in decimal units, as `convscope analyze` and its exports do: 9633792 → '9.63 MB', 512 → '512 B'. */
export function bytes(n) {
  const v = Number(n);
  if (!Number.isFinite(v)) return '–';
  const [m, p] = siParts(v);
  return p ? `${m} ${p}B` : `${v} B`;
}

/** shape writes a per-image shape: [64, 56, 56] → '64×56×56', [1000] → '1000', [] → '–'. */
export function shape(s) {
  if (!Array.isArray(s) || s.length === 0) return '–';
  return s.join('×');
}

/** percent writes part/whole as a percentage with one decimal: '12.3%' ('0%' for a zero whole). */
export function percent(part, whole) {
  if (!whole) return '0%';
  const p = (100 * part) / whole;
  if (p > 0 && p < 0.05) return '<0.1%';
  return `${p.toFixed(1).replace(/\.0$/, '')}%`;
}

/** grouped writes an integer with thin grouping: 25557032 → '25,557,032'. */
export function grouped(n) {
  const v = Number(n);
  if (!Number.isFinite(v)) return '–';
  return Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
