// Layout of the overview: which columns to draw for a model graph
// (buildColumns) and where every column, neuron, header and legend goes for
// a given viewport (computeGeometry). Pure functions, no DOM.
//
// Columns follow the graph's topological order, left to right: the image
// input, one column per layer producing feature maps (or a vector), and the
// output column with the classes. Layers that only reshape or pass values on
// (traits.passthrough: Flatten, Reshape, Dropout, Identity) share their
// input's column; the
// layer computing the logits and the final softmax fold into the output
// column. For Tiny VGG this gives the original's 12 columns: input,
// conv_1_1 … max_pool_2, output.
//
// What a layer's operator does comes from its traits (docs/api.md, "traits"),
// which the server sends with every layer: this module knows no operator
// names but Conv (grouped edges) and Concat (stacked edges).
import { headerWidth, blockLabels } from './labels.js';

/** isMapShape: a per-image [C, H, W] shape with more than one pixel. */
export function isMapShape(shape) {
  return shape.length === 3 && shape[1] * shape[2] > 1;
}

/** edgeMode tells how a layer's output neurons connect to one input's channels. */
export function edgeMode(layer, inputIndex, srcChannels, dstChannels) {
  switch (layer.op) {
    case 'Conv': {
      const g = layer.attrs?.groups ?? 1;
      if (g <= 1) return { mode: 'full' };
      if (g === srcChannels && g === dstChannels) return { mode: 'one' };
      return { mode: 'group', groups: g };
    }
    case 'Concat': {
      return { mode: 'concat' };
    }
    default:
      if (layer.traits?.channelwise) return { mode: 'one' };
      return { mode: 'full' };
  }
}

/**
 * buildColumns turns a model description (GET /api/models/{id}) into
 * columns. maxMaps caps the maps drawn per column (the rest are counted as
 * "+M more"); maxClasses caps the output rows (larger outputs show the top
 * classes of the current image). Columns named in expanded (the "+M more"
 * expander) show up to maxExpanded maps instead. With fold, a foldable
 * layer (traits.foldable: BatchNorm, activations, …) reading one column of
 * the same shape draws no column of its own: it is listed in that column's
 * `folded` [{name, op, type}] (the column's maps stay its own output), unless
 * the column's name is in unfolded.
 */
const sameShape = (a, b) => !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);

/** FOLD_ABOVE: models with more layers than this open with their foldable layers folded. */
export const FOLD_ABOVE = 40;

export function buildColumns(model, { maxMaps = 16, maxClasses = 12, expanded = null, maxExpanded = 64, fold = false, unfolded = null } = {}) {
  const cap = (name) => (expanded?.has(name) ? Math.max(maxMaps, maxExpanded) : maxMaps);
  const cols = [];
  const colOfValue = new Map();
  const producer = new Map();
  for (const l of model.layers) for (const o of l.outputs) producer.set(o, l);

  for (const inp of model.inputs) {
    const shape = inp.shape;
    const c = shape.length === 3 ? shape[0] : 1;
    colOfValue.set(inp.name, cols.length);
    cols.push({
      kind: 'input', name: inp.name, value: inp.name, op: 'Input', type: 'Input', shape,
      channels: c, shown: Math.min(c, maxMaps), sources: [],
    });
  }

  const folded = new Set();
  const classes = model.classes > 0 && model.logits ? model.classes : 0;
  if (classes) {
    const lp = producer.get(model.logits);
    if (lp) folded.add(lp.name);
    const pp = model.probabilities && producer.get(model.probabilities);
    if (pp) folded.add(pp.name);
  }

  const channelsOf = (shape) => (shape.length === 3 ? shape[0] : 1);
  for (const l of model.layers) {
    if (folded.has(l.name)) continue;
    const out = l.outputs[0];
    const srcCols = l.inputs.map((v) => colOfValue.get(v));
    if (l.traits?.passthrough && srcCols[0] !== undefined) {
      for (const o of l.outputs) colOfValue.set(o, srcCols[0]);
      continue;
    }
    if (srcCols.every((c) => c === undefined)) continue; // constants and the like
    const host = srcCols.length === 1 && srcCols[0] !== undefined ? cols[srcCols[0]] : null;
    if (fold && l.traits?.foldable && host && (host.kind === 'map' || host.kind === 'vector') && !unfolded?.has(host.name) && sameShape(host.shape, l.shape)) {
      (host.folded ??= []).push({ name: l.name, op: l.op, type: l.type });
      for (const o of l.outputs) colOfValue.set(o, srcCols[0]);
      continue;
    }
    const map = isMapShape(l.shape);
    const channels = map ? channelsOf(l.shape) : 1;
    const shown = Math.min(channels, cap(l.name));
    const col = {
      kind: map ? 'map' : 'vector', name: l.name, value: out, op: l.op, type: l.type, shape: l.shape,
      attrs: l.attrs, traits: l.traits ?? {}, channels, shown, sources: [], expanded: !!expanded?.has(l.name),
    };
    let offset = 0;
    l.inputs.forEach((v, k) => {
      const s = colOfValue.get(v);
      const srcChannels = s !== undefined ? cols[s].channels : 0;
      if (s !== undefined) {
        const em = col.kind === 'map' && cols[s].kind !== 'vector'
          ? edgeMode(l, k, srcChannels, channels)
          : { mode: 'full' };
        col.sources.push({ col: s, ...em, offset });
      }
      offset += srcChannels;
    });
    for (const o of l.outputs) colOfValue.set(o, cols.length);
    cols.push(col);
  }

  if (classes) {
    const lp = producer.get(model.logits);
    let src = lp ? colOfValue.get(lp.inputs[0]) : undefined;
    if (src === undefined) src = cols.length - 1;
    cols.push({
      kind: 'output', name: 'output', value: model.probabilities || model.logits, op: 'Output',
      type: lp ? lp.type : 'Output', shape: [classes], channels: classes,
      shown: Math.min(classes, maxClasses), topK: classes > maxClasses,
      sources: src >= 0 ? [{ col: src, mode: 'full', offset: 0 }] : [],
      labels: model.labels,
    });
  }

  // Colour groups (a layer keeping its input's range joins its group) and
  // modules (each ends with a windowed pool). A channel-wise layer keeping
  // the range of the input image (padding, cropping it) copiesInput: it is
  // drawn like the image, not on a scale of its own.
  let group = -1;
  let module = 0;
  cols.forEach((c) => {
    if (c.kind !== 'map' && c.kind !== 'vector') return;
    const s = c.sources.length === 1 ? cols[c.sources[0].col] : null;
    if (c.kind === 'map' && c.traits.keeps_range && c.traits.channelwise && s && (s.kind === 'input' || s.copiesInput)) c.copiesInput = true;
    if (c.traits.keeps_range && s && (s.kind === 'map' || s.kind === 'vector')) c.group = s.group;
    else c.group = ++group;
    c.module = module;
    if (c.traits.family === 'pool' && !c.attrs?.global) module++;
  });
  // A module that ends with a pool owns the pool; columns after the last
  // pool form the last module.
  // Repeated blocks (block_1_…, layer1.0.…): the columns show the rest of
  // their names under one compact header of the block (labels.blockLabels).
  const inner = cols.filter((c) => c.kind === 'map' || c.kind === 'vector');
  blockLabels(inner.map((c) => c.name)).forEach((b, k) => {
    if (b.block) Object.assign(inner[k], b);
  });
  return cols;
}

/** slotsOf is the number of vertical slots a column uses. */
export function slotsOf(col) {
  if (col.kind === 'vector') return 1;
  return col.shown + (col.channels > col.shown && col.kind !== 'output' ? 1 : 0);
}

/** neuronCount is the number of neuron elements a column draws. */
export function neuronCount(col) {
  return col.kind === 'vector' ? 1 : col.shown;
}

/**
 * gapWeight is the relative width of the gap before column i: wide where
 * every neuron connects to every neuron of the previous column, narrow for
 * one-to-one connections (ReLU, pooling).
 */
export function gapWeight(cols, i) {
  const c = cols[i];
  const oneToOne = c.sources.length > 0 && c.sources.every((s) => s.mode === 'one' && s.col === i - 1);
  return oneToOne ? 1 : 2.2;
}

/** OUTPUT_INFO_SLOTS is the row slots kept free under the output rows (OutputRows' info lines). */
export const OUTPUT_INFO_SLOTS = 2;

/**
 * computeGeometry places everything for a viewport of width × height CSS
 * pixels. detail reserves room for shapes and legends. When the columns do
 * not fit, the returned width is larger than the viewport (the overview
 * then scrolls horizontally); nothing is ever squeezed below the minimum
 * spacing, so neurons and headers never overlap.
 */
export function computeGeometry(cols, { width, height, detail = true, compact = false, measure } = {}) {
  const minUnit = 66; // the unit when the overview scrolls
  const maxBox = compact ? 44 : 52;
  const outputWidth = cols.some((c) => c.kind === 'output') ? (compact ? 118 : 132) : 0;
  const padL = compact ? 34 : 40;
  const padR = compact ? 12 : 24;
  // A band of block headers above the column headers when there are blocks.
  const blockH = cols.some((c) => c.block) ? 16 : 0;
  const headerH = (detail ? 42 : 28) + blockH;
  const legendH = detail ? 40 : 8;
  const padTop = 6;

  // Horizontal: gap i (before column i) is weights[i]·unit, but never less
  // than half of each neighbour's header plus a margin, so headers never
  // touch. The unit is the largest that fits the width (found by bisection,
  // as the total grows monotonically with it); below minUnit the overview
  // scrolls instead of squeezing.
  const weights = cols.map((_, i) => (i === 0 ? 0 : gapWeight(cols, i)));
  const lastIsOutput = cols.length > 0 && cols[cols.length - 1].kind === 'output';
  const hw = cols.map((c) => headerWidth(c, compact, measure));
  const need = cols.map((_, i) => (i === 0 ? 0 : (hw[i - 1] + hw[i]) / 2 + 8));
  const fixed = padL + padR + (lastIsOutput ? outputWidth + 6 : maxBox);
  const total = (u) => weights.reduce((a, w, i) => a + Math.max(w * u, need[i]), 0);
  const maxUnit = compact ? 90 : 130;
  const avail = width - fixed;
  let unit = maxUnit;
  if (total(maxUnit) > avail) {
    let lo = 40;
    let hi = maxUnit;
    for (let k = 0; k < 30; k++) {
      const mid = (lo + hi) / 2;
      if (total(mid) <= avail) lo = mid;
      else hi = mid;
    }
    // Fitting would make the maps too small: keep them readable and scroll.
    unit = lo >= 52 && total(lo) <= avail ? lo : minUnit;
  }

  // Vertical: rows.
  const slots = Math.max(1, ...cols.map(slotsOf));
  const rowsTop = padTop + headerH;
  // (the block band's height comes off the rows' minimum, so the legends stay where they were)
  const rowsArea = Math.max(slots * 30 - blockH, height - rowsTop - legendH - 4);
  const pitch = rowsArea / slots;
  const box = Math.round(Math.max(12, Math.min(maxBox, pitch * 0.7, unit * 0.62)));

  let x = padL + Math.max(box / 2, hw[0] / 2 - padL + 4);
  const columns = cols.map((c, i) => {
    if (i > 0) x += Math.max(weights[i] * unit, need[i]);
    const cx = c.kind === 'output' ? x - box / 2 + 6 : x;
    // The output column keeps the room of OUTPUT_INFO_SLOTS rows at its foot
    // for the line of the classes it knows and the low-confidence warning.
    const n = slotsOf(c) + (c.kind === 'output' ? OUTPUT_INFO_SLOTS : 0);
    const slot = rowsArea / n;
    const neurons = [];
    const count = neuronCount(c);
    for (let k = 0; k < count; k++) {
      const cy = rowsTop + (k + 0.5) * slot;
      neurons.push(c.kind === 'output'
        ? { x: Math.round(cx), y: Math.round(cy - 10), w: outputWidth - 12, h: 20, cx: Math.round(cx), cy: Math.round(cy) }
        : { x: Math.round(cx - box / 2), y: Math.round(cy - box / 2), w: box, h: box, cx: Math.round(cx), cy: Math.round(cy) });
    }
    const more = c.kind !== 'output' && c.kind !== 'vector' && c.channels > c.shown
      ? { x: Math.round(cx), y: Math.round(rowsTop + (n - 0.5) * slot), count: c.channels - c.shown, expandable: c.kind === 'map' && !c.expanded }
      : null;
    return { x: Math.round(cx), neurons, more };
  });
  // One header per run of consecutive columns of the same block, spanning their headers.
  const blocks = [];
  cols.forEach((c, i) => {
    if (!c.block) return;
    const last = blocks.at(-1);
    if (last && last.name === c.block && last.last === i - 1) last.last = i;
    else blocks.push({ name: c.block, first: i, last: i });
  });
  for (const b of blocks) {
    const x0 = columns[b.first].x - hw[b.first] / 2;
    const x1 = columns[b.last].x + hw[b.last] / 2;
    Object.assign(b, { x: Math.round(x0), w: Math.round(x1 - x0) });
  }
  const lastX = columns.length ? columns[columns.length - 1].x : 0;
  const contentWidth = Math.ceil(lastIsOutput ? lastX + outputWidth + padR : lastX + box / 2 + padR);
  return {
    width: Math.max(Math.floor(width), contentWidth),
    contentWidth,
    height: Math.ceil(rowsTop + rowsArea + legendH),
    box, pitch, unit, headerY: padTop + blockH, blockY: padTop, blocks, rowsTop, rowsBottom: rowsTop + rowsArea,
    legendY: rowsTop + rowsArea + 8, columns, outputWidth,
  };
}

/**
 * incoming lists the neurons (column, index) feeding neuron idx of column
 * ci, following each source's edge mode and the maps actually drawn.
 */
export function incoming(cols, ci, idx) {
  const c = cols[ci];
  const out = [];
  for (const s of c.sources) {
    const src = cols[s.col];
    const n = neuronCount(src);
    if (c.kind === 'vector' || c.kind === 'output' || src.kind === 'vector' || s.mode === 'full') {
      for (let k = 0; k < n; k++) out.push([s.col, k]);
    } else if (s.mode === 'one') {
      const k = src.channels === 1 ? 0 : idx;
      if (k < n) out.push([s.col, k]);
    } else if (s.mode === 'concat') {
      const k = idx - s.offset;
      if (k >= 0 && k < n && k < src.channels) out.push([s.col, k]);
    } else if (s.mode === 'group') {
      const perOut = c.channels / s.groups;
      const perIn = src.channels / s.groups;
      const g = Math.floor(idx / perOut);
      for (let k = g * perIn; k < (g + 1) * perIn && k < n; k++) out.push([s.col, k]);
    }
  }
  return out;
}
