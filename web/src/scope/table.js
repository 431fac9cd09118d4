// The Scope tables: sorting the per-layer rows and the per-operator summary.
// Pure.

/** size is the number of elements of a shape (1 for []). */
export function size(shape) {
  return (shape ?? []).reduce((a, b) => a * b, 1);
}

/** other counts a layer's arithmetic besides its MACs. */
export const otherOps = (r) => (r.additions ?? 0) + (r.comparisons ?? 0) + (r.divisions ?? 0) + (r.exponentials ?? 0);

/** sortValue gives the value a column sorts by ('#' = the row's index). */
export function sortValue(row, key) {
  switch (key) {
    case '#':
      return row.index;
    case 'output':
      return size(row.output);
    case 'other':
      return otherOps(row);
    default:
      return row[key];
  }
}

/**
 * sortRows returns rows sorted by key, ascending or descending (dir 'asc' |
 * 'desc'); strings compare case-insensitively and numerically ('conv10' after
 * 'conv9'); ties keep their order (by index).
 */
export function sortRows(rows, key, dir = 'asc') {
  const sign = dir === 'desc' ? -1 : 1;
  const coll = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return [...rows].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    let c;
    if (typeof va === 'string' || typeof vb === 'string') c = coll.compare(String(va ?? ''), String(vb ?? ''));
    else c = (va ?? 0) - (vb ?? 0);
    return c !== 0 ? sign * c : a.index - b.index;
  });
}

/** layerRows numbers the analysis' layers (index = position in the file's topological order). */
export function layerRows(analysis) {
  return (analysis?.layers ?? []).map((l, index) => ({ ...l, index }));
}

/**
 * summarize groups layers by operator (kind): [{kind, traits, count, params,
 * macs, other, activation_bytes, param_bytes, index}] in order of first
 * appearance; traits are the first layer's; index is that order (for the
 * '#' sort).
 */
export function summarize(layers) {
  const by = new Map();
  for (const l of layers ?? []) {
    let s = by.get(l.kind);
    if (!s) {
      s = { kind: l.kind, traits: l.traits, count: 0, params: 0, macs: 0, other: 0, activation_bytes: 0, param_bytes: 0, index: by.size };
      by.set(l.kind, s);
    }
    s.count++;
    s.params += l.params ?? 0;
    s.macs += l.macs ?? 0;
    s.other += otherOps(l);
    s.activation_bytes += l.activation_bytes ?? 0;
    s.param_bytes += l.param_bytes ?? 0;
  }
  return [...by.values()];
}

/** readerMap maps each value name to the layers reading it (a layer reading a value twice counts once), in graph order. */
export function readerMap(nodes) {
  const m = new Map();
  for (const n of nodes) for (const p of new Set(n.inputs)) (m.get(p) ?? m.set(p, []).get(p)).push(n.name);
  return m;
}
