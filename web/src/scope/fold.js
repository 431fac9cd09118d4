// Folding of in-place layers for the Scope graph. Pure functions, no DOM.
//
// An analysis' graph (docs/api.md, "Analysis") lists every node with the
// nodes producing its inputs. Caffe-style in-place layers (ReLU, BatchNorm,
// Scale written over their input) and views (Flatten, Dropout) are drawn as
// badges of the box of the layer they follow, as Netscope does: a node folds
// into its producer's box when it is marked in_place (or its operator is
// foldable: traits.foldable, an activation, normalisation or view), reads
// exactly one
// producer, and is that producer's only reader (otherwise another layer
// reads the value before the in-place layer overwrote it, and the edge
// would have to leave the box in the middle of its chain).
//
// The result is the graph dagre lays out: one box per group (id = the name
// of the group's first node, its head), and the edges between boxes, each
// labelled with the shape of the value it carries.

/**
 * foldGraph groups the nodes of graph (graph.nodes as the API gives them).
 * Returns {groups, edges, groupOf}:
 *   groups: [{id, head, members, tail}] in topological order; head is the
 *     first node, members the folded nodes after it (in chain order), tail
 *     the last node of the chain (whose output leaves the box);
 *   edges: [{from, to, shape, value, count}] between group ids, one per
 *     (producer, consumer) pair, count = how often the consumer reads it;
 *   groupOf: Map from every node name to its group id.
 * Set fold = false to keep every node as its own box.
 */
export function foldGraph(graph, { fold = true } = {}) {
  const nodes = graph?.nodes ?? [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  // readers[p] = the distinct nodes reading p's output
  const readers = new Map();
  for (const n of nodes) {
    for (const p of new Set(n.inputs ?? [])) {
      if (!readers.has(p)) readers.set(p, []);
      readers.get(p).push(n.name);
    }
  }
  const outputs = new Set(graph?.outputs ?? []);
  const groupOf = new Map();
  const groups = [];
  const byId = new Map();
  for (const n of nodes) {
    const ins = [...new Set(n.inputs ?? [])];
    const p = ins.length === 1 ? ins[0] : null;
    const foldable = fold && (n.in_place || n.traits?.foldable) && p !== null && byName.has(p) && readers.get(p).length === 1 && !outputs.has(p);
    if (foldable) {
      const g = byId.get(groupOf.get(p));
      g.members.push(n);
      g.tail = n;
      groupOf.set(n.name, g.id);
      continue;
    }
    const g = { id: n.name, head: n, members: [], tail: n };
    groups.push(g);
    byId.set(g.id, g);
    groupOf.set(n.name, g.id);
  }
  const edges = [];
  const seen = new Map();
  for (const g of groups) {
    const n = g.head;
    for (const p of n.inputs ?? []) {
      const from = groupOf.get(p);
      if (from === undefined) continue; // a graph input the node list lacks
      const key = `${from}\u0000${g.id}`;
      if (seen.has(key)) {
        seen.get(key).count++;
        continue;
      }
      const src = byName.get(p);
      const e = { from, to: g.id, value: p, shape: src?.shape ?? [], count: 1 };
      seen.set(key, e);
      edges.push(e);
    }
  }
  return { groups, edges, groupOf };
}

/**
 * neighbours returns the names of the groups directly upstream and
 * downstream of group id (for keyboard moves in the graph).
 */
export function neighbours(folded, id) {
  const up = [];
  const down = [];
  for (const e of folded.edges) {
    if (e.to === id) up.push(e.from);
    if (e.from === id) down.push(e.to);
  }
  return { up, down };
}
