// Colour ranges of the explanation views (the overview's rule: a symmetric
// diverging scale of full width 2·(0.1 + max|v|)).
import { rangeFromMaxAbs } from '../colors.js';

/** maxAbs of an array (non-finite values ignored). */
export function maxAbs(a) {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m && Number.isFinite(v)) m = v;
  }
  return m;
}

/** symmetric returns [lo, hi] of the diverging scale for a largest magnitude m. */
export function symmetric(m) {
  const r = rangeFromMaxAbs(m) / 2;
  return [-r, r];
}

/** weightRange is [lo, hi] of the brown–teal weight scale: ±max|w| exactly. */
export function weightRange(m) {
  const r = m > 0 ? m : 1;
  return [-r, r];
}
