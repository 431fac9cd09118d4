// The Scope page's search and operator marks: which boxes match. Pure.

/**
 * matchingBoxes is the set of box ids to mark: the boxes holding a layer
 * whose name contains query (case-insensitive), or, without a query, those
 * of kind (an op, or a summary row's kind from rowByName); null when
 * nothing is searched.
 */
export function matchingBoxes(nodes, groupOf, { query = '', kind = '', rowByName = new Map() } = {}) {
  const q = query.trim().toLowerCase();
  if (!q && !kind) return null;
  const s = new Set();
  for (const n of nodes) {
    const hit = q ? n.name.toLowerCase().includes(q) : n.op === kind || rowByName.get(n.name)?.kind === kind;
    if (hit) s.add(groupOf.get(n.name));
  }
  return s;
}

/** matchOrder lists the matching box ids in the layout's order. */
export const matchOrder = (groups, matches) => (matches ? groups.map((g) => g.id).filter((id) => matches.has(id)) : []);

/** searchHit is the layer of box group to select: the first of its layers matching query (a folded layer may be the match), else its head. */
export function searchHit(group, query) {
  const q = query.trim().toLowerCase();
  return [group.head, ...group.members].find((n) => n.name.toLowerCase().includes(q)) ?? group.head;
}
