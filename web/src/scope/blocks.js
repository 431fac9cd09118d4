// Blocks of a big graph, from its layers' names (issue 21): the Scope
// folds a network into its blocks and their sub-blocks, collapsed or
// expanded. Pure.
//
// A name's hierarchy, outermost first (blockPath):
//   '/'  paths (ONNX from PyTorch, Keras nested models, Caffe
//        'inception_3a/1x1', 'fire2/squeeze1x1'): every segment but the last;
//   '.'  dotted module paths (PyTorch 'layer1.0.conv1' → layer1, layer1.0);
//   '_'  otherwise, Caffe/Keras prefixes ('block1_conv1' → block1,
//        'inception_a1_1x1_bn' → inception, inception_a1, inception_a1_1x1),
//        at most three levels;
//   Caffe ResNet: 'res2a_branch2a', 'bn2a_branch2a', 'scale2a_branch1',
//        'res2a', 'res2a_relu' → res2a.
// A block is a run of consecutive layers (in the analysis' topological
// order) sharing a prefix; a prefix met again later starts another block.
// Blocks of fewer than two layers, and a block that only wraps one other
// block, are dropped.

import { foldGraph } from './fold.js';

const CAFFE_RES = /^(?:res|bn|scale)(\d+[a-z]+\d*)(?:_branch\w+)?$|^res(\d+[a-z]+\d*)_relu$/;

/** blockPath lists the block keys of a layer name, outermost first (each key the full prefix). */
export function blockPath(name) {
  const res = CAFFE_RES.exec(name);
  if (res) {
    const id = res[1] ?? res[2];
    // 'res2a' itself (the sum) and its branches; not a bare 'bn2a'.
    if (name.includes('_') || name.startsWith('res')) return [`res${id}`];
  }
  const slash = name.split('/').filter(Boolean);
  if (slash.length > 1) {
    const out = [];
    for (let i = 0; i < slash.length - 1; i++) out.push(slash.slice(0, i + 1).join('/'));
    return out;
  }
  const leaf = slash[0] ?? name;
  if (leaf.includes('.')) {
    const parts = leaf.split('.');
    const out = [];
    for (let i = 0; i < parts.length - 1; i++) out.push(parts.slice(0, i + 1).join('.'));
    return out;
  }
  const parts = leaf.split('_');
  const out = [];
  for (let i = 0; i < Math.min(parts.length - 1, 3); i++) out.push(parts.slice(0, i + 1).join('_'));
  return out;
}

/**
 * blockTree groups names (in topological order) into blocks: returns
 * {blocks: Map(id → {id, key, label, parent, children: [ids], layers:
 * [names, all descendants]}), roots: [ids of outermost blocks], blockOf:
 * Map(name → innermost block id)}. id is 'block:' + key (+ '#n' for a
 * key's n-th run).
 */
export function blockTree(names) {
  const raw = []; // {key, depth, start, end, parent}
  const open = []; // the open blocks, outermost first
  const runs = new Map(); // key → runs so far
  const close = (depth, end) => {
    while (open.length > depth) open.pop().end = end;
  };
  names.forEach((name, i) => {
    const path = blockPath(name);
    let d = 0;
    while (d < open.length && d < path.length && open[d].key === path[d]) d++;
    close(d, i);
    for (; d < path.length; d++) {
      const n = (runs.get(path[d]) ?? 0) + 1;
      runs.set(path[d], n);
      const b = { key: path[d], run: n, depth: d, start: i, end: names.length, parent: open[d - 1] ?? null, children: [] };
      open.push(b);
      raw.push(b);
    }
  });
  close(0, names.length);
  // Keep blocks of at least two layers; a kept block's parent is its
  // nearest kept ancestor. A block with the same layers as its only kept
  // child is replaced by that child.
  const keep = (b) => b.end - b.start >= 2;
  const kept = raw.filter(keep);
  const keptParent = (b) => {
    let p = b.parent;
    while (p && !keep(p)) p = p.parent;
    return p;
  };
  for (const b of kept) b.kp = keptParent(b);
  for (const b of kept) if (b.kp) b.kp.children.push(b);
  const same = (a, b) => a.start === b.start && a.end === b.end;
  for (const b of kept) {
    while (b.kp && same(b, b.kp)) b.kp = b.kp.kp; // skip a wrapper of the same layers
  }
  const alive = kept.filter((b) => !(b.children.length === 1 && same(b, b.children[0])));
  const idOf = (b) => `block:${b.key}${b.run > 1 ? `#${b.run}` : ''}`;
  const blocks = new Map();
  for (const b of alive) {
    let p = b.kp;
    while (p && !alive.includes(p)) p = p.kp;
    const label = b.kp ? shortLabel(b.key, p?.key) : b.key;
    blocks.set(idOf(b), { id: idOf(b), key: b.key, label, parent: p ? idOf(p) : null, children: [], layers: names.slice(b.start, b.end), start: b.start });
  }
  for (const b of blocks.values()) if (b.parent) blocks.get(b.parent).children.push(b.id);
  const roots = [...blocks.values()].filter((b) => !b.parent).map((b) => b.id);
  const blockOf = new Map();
  // innermost: blocks sorted by size descending, later (smaller) ones overwrite
  for (const b of [...blocks.values()].sort((x, y) => y.layers.length - x.layers.length)) for (const n of b.layers) blockOf.set(n, b.id);
  return { blocks, roots, blockOf };
}

/** shortLabel is a block's key without its parent's prefix: 'layer1.0' in 'layer1' → '0'… kept whole when short. */
function shortLabel(key, parentKey) {
  if (!parentKey || !key.startsWith(parentKey) || key.length <= 12) return key;
  return key.slice(parentKey.length).replace(/^[/._]/, '') || key;
}

/** blockTotals sums params, MACs and activation bytes of a block's layers (rowByName: the table rows). */
export function blockTotals(block, rowByName) {
  const t = { layers: block.layers.length, params: 0, macs: 0, activation_bytes: 0 };
  for (const n of block.layers) {
    const r = rowByName.get(n);
    t.params += r?.params ?? 0;
    t.macs += r?.macs ?? 0;
    t.activation_bytes += r?.activation_bytes ?? 0;
  }
  return t;
}

/**
 * outermostCollapsed maps each layer to the outermost collapsed block that
 * holds it (or nothing): the box the layer is drawn in.
 */
export function outermostCollapsed(tree, collapsed) {
  const m = new Map();
  const visit = (id) => {
    const b = tree.blocks.get(id);
    if (collapsed.has(id)) {
      for (const n of b.layers) m.set(n, id);
      return;
    }
    for (const c of b.children) visit(c);
  };
  for (const r of tree.roots) visit(r);
  return m;
}

/**
 * collapseGraph replaces, in a folded graph (fold.js foldGraph), every
 * group whose head lies in a collapsed block by one box for that block:
 * head {name: id, label, op, block: true, traits: {family: 'block'}},
 * members none; edges between the new boxes aggregated (count summed, the
 * first value's shape kept), edges inside a block dropped. groupOf maps
 * every layer to its box, and every collapsed block id to itself.
 */
export function collapseGraph(folded, tree, collapsed, detailOf = (b) => `${b.layers.length} layers`) {
  if (!collapsed.size) return folded;
  const boxOf = outermostCollapsed(tree, collapsed);
  const groups = [];
  const groupOf = new Map();
  const seenBlock = new Map();
  const remap = new Map(); // old group id → new box id
  for (const g of folded.groups) {
    const bid = boxOf.get(g.head.name);
    if (!bid) {
      groups.push(g);
      remap.set(g.id, g.id);
      continue;
    }
    remap.set(g.id, bid);
    if (!seenBlock.has(bid)) {
      const b = tree.blocks.get(bid);
      const head = { name: bid, label: b.key, op: detailOf(b), type: 'Block', block: true, traits: { family: 'block' }, attrs: {}, inputs: [] };
      const box = { id: bid, head, members: [], tail: head, block: b };
      seenBlock.set(bid, box);
      groups.push(box);
    }
  }
  for (const [n, gid] of folded.groupOf) groupOf.set(n, remap.get(gid) ?? gid);
  for (const id of seenBlock.keys()) groupOf.set(id, id);
  const edges = [];
  const seen = new Map();
  for (const e of folded.edges) {
    const from = remap.get(e.from) ?? e.from;
    const to = remap.get(e.to) ?? e.to;
    if (from === to) continue;
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) {
      seen.get(key).count += e.count;
      continue;
    }
    const ne = { ...e, from, to };
    seen.set(key, ne);
    edges.push(ne);
  }
  return { groups, edges, groupOf };
}

/**
 * foldBlocks is what the layout draws: the graph's in-place folding
 * (fold.js) with the collapsed blocks (ids) as single boxes whose detail
 * line is details[id] (default: the block's layer count).
 */
export function foldBlocks(graph, { fold = true, collapsed = [], details = {} } = {}) {
  const folded = foldGraph(graph, { fold });
  if (!collapsed.length) return folded;
  const tree = blockTree((graph?.nodes ?? []).map((n) => n.name));
  return collapseGraph(folded, tree, new Set(collapsed), (b) => details[b.id] ?? `${b.layers.length} layers`);
}
