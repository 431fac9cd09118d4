// Facts about the current model for the article's sentences, from the
// model description of GET /api/models/{id} (docs/api.md). Pure functions.

import { pickLabels } from '../lib/classes.js';

/** hwc writes a [C, H, W] shape as H×W×C (as the overview does) and a vector [F] as F. */
export function hwc(shape) {
  if (!shape) return '';
  if (shape.length === 3) return `${shape[1]}×${shape[2]}×${shape[0]}`;
  return shape.join('×');
}

/** shapeOf is the shape of a value: a layer's output or a graph input. */
function shapeOf(model, name) {
  const l = model.layers.find((x) => x.outputs?.includes(name) || x.name === name);
  if (l) return l.shape;
  return model.inputs?.find((x) => x.name === name)?.shape ?? null;
}

/**
 * modelFacts picks what the article says about the model: its input, the
 * first layer of each kind (with the shape it reads and writes), and
 * counts. A kind the model lacks is null.
 */
export function modelFacts(model, loc = 'en') {
  const layers = model?.layers ?? [];
  const first = (op) => {
    const l = layers.find((x) => x.op === op);
    if (!l) return null;
    const inShape = shapeOf(model, l.inputs?.[0]);
    const from = layers.find((x) => x.outputs?.includes(l.inputs?.[0]));
    return { name: l.name, in: inShape, out: l.shape, attrs: l.attrs ?? {}, params: l.param_count ?? 0, fromOp: from?.op ?? null, from: from?.name ?? null };
  };
  const count = (...ops) => layers.filter((x) => ops.includes(x.op)).length;
  const input = model?.inputs?.[0] ?? null;
  const conv = first('Conv');
  const convKernels = conv && conv.in && conv.attrs.out_channels
    ? (conv.in[0] / (conv.attrs.groups || 1)) * conv.attrs.out_channels
    : null;
  return {
    name: model?.name ?? '',
    input: input ? { name: input.name, shape: input.shape, channels: input.shape[0] } : null,
    conv,
    convKernels,
    relu: first('Relu'),
    pool: first('MaxPool') ?? first('AveragePool'),
    flatten: first('Flatten'),
    dense: first('Dense') ?? first('Gemm') ?? first('MatMul'),
    softmax: first('Softmax'),
    classes: model?.classes ?? 0,
    labels: pickLabels(model, loc),
    counts: { conv: count('Conv'), relu: count('Relu'), pool: count('MaxPool', 'AveragePool'), layers: layers.length },
    params: layers.reduce((s, l) => s + (l.param_count ?? 0), 0),
  };
}

/** softmax of a list of numbers (shifted by the maximum, so large logits do not overflow). */
export function softmax(xs) {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** maxPool2 is 2×2 max pooling with stride 2 of a square grid (rows of numbers); odd edges are dropped. */
export function maxPool2(grid) {
  const out = [];
  for (let r = 0; r + 1 < grid.length; r += 2) {
    const row = [];
    for (let c = 0; c + 1 < grid[r].length; c += 2) row.push(Math.max(grid[r][c], grid[r][c + 1], grid[r + 1][c], grid[r + 1][c + 1]));
    out.push(row);
  }
  return out;
}
