// Softmax with its terms, for the softmax formula view.

/**
 * softmax returns {exps, sum, probs}: exps[i] = exp(x_i − max) (the shift
 * cancels in the ratio and keeps exp from overflowing), probs = exps / sum.
 * Missing (null) logits count as −∞.
 */
export function softmax(logits) {
  let m = -Infinity;
  for (const x of logits) if (x !== null && x > m) m = x;
  const exps = logits.map((x) => (x === null || !Number.isFinite(m) ? 0 : Math.exp(x - m)));
  const sum = exps.reduce((a, b) => a + b, 0);
  return { exps, sum, shift: m, probs: exps.map((e) => (sum > 0 ? e / sum : 0)) };
}

/** topIndices lists the indices of the n largest values, largest first (ties by index). */
export function topIndices(xs, n) {
  return xs
    .map((_, i) => i)
    .sort((a, b) => (xs[b] ?? -Infinity) - (xs[a] ?? -Infinity) || a - b)
    .slice(0, n);
}
