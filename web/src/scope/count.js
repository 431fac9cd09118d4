// Counting conventions of the Scope (docs/presets.md, "Counting
// conventions"): MACs or FLOPs, and which other arithmetic counts. The
// server computes the figures (?count=&include=, the analysis' "ops"); this
// module names the convention and shows an analysis under it. Pure.

export const CATEGORIES = ['bias', 'norm', 'act', 'pool', 'merge', 'other'];

/** parseCount reads count and include ('bias,norm') into {count, include} with include in CATEGORIES order; unknown words are dropped. */
export function parseCount(count, include) {
  const inc = new Set(String(include ?? '').split(',').map((s) => s.trim().toLowerCase()));
  return { count: count === 'flops' ? 'flops' : 'macs', include: CATEGORIES.filter((c) => inc.has(c) || inc.has('all')) };
}

/** isDefault tells whether a convention is the default (MACs only). */
export const isDefault = (c) => !c || (c.count !== 'flops' && !c.include?.length);

/** countQuery is the API's query for a convention ({} for the default). */
export function countQuery(c) {
  if (isDefault(c)) return {};
  const q = { count: c.count };
  if (c.include.length) q.include = c.include.join(',');
  return q;
}

/** countLabel names the figure: 'MACs', 'FLOPs', 'MACs+bias,norm' (unit is the translated 'MACs' or 'FLOPs'). */
export function countLabel(c, unit) {
  return c?.include?.length ? `${unit}+${c.include.join(',')}` : unit;
}

/**
 * countView is the analysis as the page shows it under its convention: each
 * layer's and the total's "macs" replaced by "ops" (the server's figure for
 * that convention), so that tables, totals and the inspector follow the
 * switch. The analysis itself is left alone.
 */
export function countView(a) {
  if (!a || (a.count ?? 'macs') === 'macs' && !(a.include ?? []).length) return a;
  return { ...a, macs: a.ops, layers: a.layers.map((l) => ({ ...l, macs: l.ops })) };
}
