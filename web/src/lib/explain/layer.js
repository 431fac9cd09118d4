// The arithmetic of the layer view: what one cell of one output map of a
// layer that has no view of its own (traits.explain empty) is made of —
// a per-channel scale (BatchNorm, Affine), an element-wise merge (Add,
// Mul, …), a concatenation, padding, global pooling, or, for any other
// op, just its inputs and its output. Pure; explain.test.js recomputes it.

/**
 * layerKind is the explanation a layer gets from its traits (never its
 * op name): 'scale' (a per-channel element-wise normalisation), 'eltwise'
 * (a channel-wise merge of several inputs), 'concat' (a merge that stacks
 * channels), 'gpool' (global pooling), 'channel' (any other op whose output
 * channel c comes from input channel c: padding, cropping, resizing, …) or
 * 'generic'.
 */
export function layerKind(layer) {
  const tr = layer?.traits ?? {};
  if (tr.family === 'norm' && tr.elementwise && tr.channelwise) return 'scale';
  if (tr.family === 'merge') return tr.channelwise ? 'eltwise' : 'concat';
  if (tr.family === 'pool' && layer.attrs?.global) return 'gpool';
  if (tr.channelwise && layer.inputs.length === 1) return 'channel';
  return 'generic';
}

/**
 * denseTerms is the weighted sum of output unit j of a Dense layer on a
 * vector x, with [Out, In] weights W and bias b: y_j = Σ_i W[j, i]·x_i + b_j.
 * {terms [{i, w, x, p = w·x}] — the `top` largest |w·x|, largest first —,
 * rest (the sum of the other terms), others (their number), sum (Σ all
 * w·x), bias, value (sum + bias)}; null when the shapes disagree.
 */
export function denseTerms(weight, x, j, bias = null, top = 8) {
  const n = x.length;
  if (!weight || weight.shape?.length !== 2 || weight.shape[1] !== n || j >= weight.shape[0]) return null;
  const row = weight.data.subarray(j * n, (j + 1) * n);
  const all = Array.from(x, (xi, i) => ({ i, w: row[i], x: xi, p: row[i] * xi }));
  let sum = 0;
  for (const t of all) sum += t.p;
  all.sort((a, b) => Math.abs(b.p) - Math.abs(a.p) || a.i - b.i);
  const terms = all.slice(0, top);
  let rest = 0;
  for (const t of all.slice(top)) rest += t.p;
  const b = bias ? bias.data[j] : 0;
  return { terms, rest, others: Math.max(0, n - top), sum, bias: b, value: sum + b };
}

/**
 * scaleOf is channel c's y = a·x + b of a per-channel normalisation from
 * its parameters: BatchNorm's (x − mean)/√(var + ε)·γ + β (params mean,
 * var, scale γ, bias β; γ = 1 and β = 0 when absent), or an affine x·scale
 * + bias. {a, b, mean, var, gamma, beta, eps, bn}; null without parameters.
 */
export function scaleOf(params, c, eps = 1e-5) {
  if (!params) return null;
  const at = (name, dflt) => (params[name] ? params[name].data[c] : dflt);
  const gamma = at('scale', 1);
  const beta = at('bias', 0);
  if (params.mean && params.var) {
    const mean = params.mean.data[c];
    const v = params.var.data[c];
    const a = gamma / Math.sqrt(v + eps);
    return { bn: true, mean, var: v, gamma, beta, eps, a, b: beta - a * mean };
  }
  if (!params.scale && !params.bias) return null;
  return { bn: false, gamma, beta, eps, a: gamma, b: beta };
}

/** merge combines the operands xs of an element-wise op of type op (Add, Sub, Mul, Div, Max, Min; coeffs weight an Add). null for another type. */
export function merge(op, xs, coeffs) {
  const k = (i) => (coeffs && coeffs.length === xs.length ? coeffs[i] : 1);
  switch (op) {
    case 'Add': return xs.reduce((s, x, i) => s + k(i) * x, 0);
    case 'Sub': return xs.slice(1).reduce((s, x) => s - x, xs[0]);
    case 'Mul': return xs.reduce((s, x) => s * x, 1);
    case 'Div': return xs.slice(1).reduce((s, x) => s / x, xs[0]);
    case 'Max': return Math.max(...xs);
    case 'Min': return Math.min(...xs);
    default: return null;
  }
}

/** concatSource tells which input (k) and which of its channels (channel) output channel c of a channel concatenation comes from; null when c is beyond them. */
export function concatSource(channelCounts, c) {
  let start = 0;
  for (let k = 0; k < channelCounts.length; k++) {
    if (c < start + channelCounts[k]) return { k, channel: c - start, start };
    start += channelCounts[k];
  }
  return null;
}

/**
 * padSource is the input cell an output cell (y, x) of a padding copies:
 * {y, x} inside the h×w input, or null where a constant fills it. pads
 * are the op's amounts over the input's full rank (begins, then ends);
 * mode 'constant' (or ''), 'reflect' or 'edge'.
 */
export function padSource(pads, mode, y, x, h, w) {
  const r = pads.length / 2;
  const iy = y - pads[r - 2];
  const ix = x - pads[r - 1];
  const fold = (i, n) => {
    if (mode === 'edge') return Math.min(n - 1, Math.max(0, i));
    if (mode === 'reflect') {
      if (n === 1) return 0;
      const p = 2 * (n - 1);
      const m = ((i % p) + p) % p;
      return m < n ? m : p - m;
    }
    return i >= 0 && i < n ? i : null;
  };
  const sy = fold(iy, h);
  const sx = fold(ix, w);
  return sy === null || sx === null ? null : { y: sy, x: sx };
}

/** globalPool is the mean (type 'avg') or the maximum (else) of a plane. */
export function globalPool(plane, type) {
  if (type === 'avg') {
    let s = 0;
    for (const v of plane) s += v;
    return s / plane.length;
  }
  let m = -Infinity;
  for (const v of plane) m = Math.max(m, v);
  return m;
}

const planeAt = (v, shape, c) => {
  const n = shape[1] * shape[2];
  return v && c < v.channels ? v.data.subarray(c * n, (c + 1) * n) : null;
};
const same = (a, b) => !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * layerExplain describes neuron `neuron` of a layer for the layer view from
 * a decoded run (and the layer's parameters, for 'scale'): {kind, vector,
 * h, w, y (the output plane, or the vector), value (vector: y[neuron]),
 * inputs [{name, shape, channel, h, w, plane}] (the input planes shown),
 * range (symmetric, over the planes shown: the view's own scale), cell(pos)} — cell(pos) gives,
 * for output cell pos, {xs (the operands' values), src [{k, pos}] (where
 * in inputs they are), value (recomputed here, null when the op has no
 * formula here), run (the run's value)}. null when the run lacks the output.
 */
export function layerExplain(model, run, layer, neuron, params = null) {
  const out = run.values.get(layer.outputs[0]);
  if (!out || !layer.shape) return null;
  const shapeOf = (name) => model.inputs.find((i) => i.name === name)?.shape ?? model.layers.find((l) => l.outputs.includes(name))?.shape ?? null;
  const ins = layer.inputs.map((name) => ({ name, shape: shapeOf(name), value: run.values.get(name) }));
  let kind = layerKind(layer);
  const a = layer.attrs ?? {};
  let m = 0;
  const extent = (xs) => {
    for (const v of xs) m = Math.max(m, Math.abs(v));
  };
  const range = () => [-(m || 1), m || 1];

  if (layer.shape.length !== 3) {
    // A vector: its value, and the same element of a same-sized input for an element-wise op.
    const x = ins[0]?.value && same(ins[0].shape, layer.shape) && layer.traits?.channelwise ? ins[0].value.data[neuron] : null;
    m = Math.max(Math.abs(out.min), Math.abs(out.max));
    // A Dense layer on a vector: the weighted sum of this unit, term by term.
    const xin = ins[0]?.value;
    const dense = layer.op === 'Dense' && xin && xin.data.length === (ins[0].shape ?? []).reduce((p, q) => p * q, 1) ? denseTerms(params?.weight, xin.data, neuron, params?.bias) : null;
    if (dense) return { kind: 'dense', vector: true, y: out.data, value: out.data[neuron], dense, input: ins[0].name, x: null, inputs: [], range: range(), cell: () => null };
    return { kind: x === null ? 'generic' : 'vector-elementwise', vector: true, y: out.data, value: out.data[neuron], x, inputs: [], range: range(), cell: () => null };
  }
  const [, h, w] = layer.shape;
  const y = planeAt(out, layer.shape, neuron);
  if (!y) return null;
  extent(y);
  const inputs = [];
  const add = (k, channel) => {
    const s = ins[k].shape;
    const plane = s && s.length === 3 ? planeAt(ins[k].value, s, channel) : null;
    if (!plane) return false;
    inputs.push({ name: ins[k].name, shape: s, channel, h: s[1], w: s[2], plane, k });
    extent(plane);
    return true;
  };
  const base = { kind, vector: false, h, w, y, inputs };
  const cellOf = (fn) => (pos) => ({ ...fn(pos), run: y[pos] });

  if (kind === 'scale' && add(0, neuron) && same(inputs[0].shape, layer.shape)) {
    const s = scaleOf(params, neuron, a.Epsilon ?? a.epsilon ?? 1e-5);
    const x = inputs[0].plane;
    return { ...base, scale: s, range: range(), cell: cellOf((pos) => ({ xs: [x[pos]], src: [{ k: 0, pos }], value: s ? s.a * x[pos] + s.b : null })) };
  }
  if (kind === 'eltwise' && ins.every((i) => same(i.shape, layer.shape)) && ins.every((_, k) => add(k, neuron))) {
    return { ...base, op: a.Type, range: range(), cell: cellOf((pos) => {
      const xs = inputs.map((i) => i.plane[pos]);
      return { xs, src: inputs.map((i) => ({ k: i.k, pos })), value: merge(a.Type, xs, a.Coeffs) };
    }) };
  }
  if (kind === 'concat' && ins.every((i) => i.shape?.length === 3 && i.shape[1] === h && i.shape[2] === w)) {
    const from = concatSource(ins.map((i) => i.shape[0]), neuron);
    if (from && add(from.k, from.channel)) {
      return { ...base, from, range: range(), cell: cellOf((pos) => ({ xs: [inputs[0].plane[pos]], src: [{ k: 0, pos }], value: inputs[0].plane[pos] })) };
    }
  }
  if (kind === 'gpool' && add(0, neuron)) {
    const x = inputs[0].plane;
    const all = Array.from(x, (_, pos) => ({ k: 0, pos }));
    return { ...base, pool: a.type, range: range(), cell: cellOf(() => ({ xs: [...x], src: all, value: globalPool(x, a.type) })) };
  }
  if (kind === 'channel' && add(0, neuron)) {
    const x = inputs[0].plane;
    const iw = inputs[0].w;
    if (Array.isArray(a.Pads)) {
      return { ...base, pad: { pads: a.Pads, mode: a.Mode || 'constant', fill: a.Value ?? 0 }, range: range(), cell: cellOf((pos) => {
        const s = padSource(a.Pads, a.Mode, Math.floor(pos / w), pos % w, inputs[0].h, iw);
        return s ? { xs: [x[s.y * iw + s.x]], src: [{ k: 0, pos: s.y * iw + s.x }], value: x[s.y * iw + s.x] } : { xs: [], src: [], value: a.Value ?? 0 };
      }) };
    }
    return { ...base, range: range(), cell: cellOf((pos) => ({ xs: same(inputs[0].shape, layer.shape) ? [x[pos]] : [], src: same(inputs[0].shape, layer.shape) ? [{ k: 0, pos }] : [], value: null })) };
  }
  inputs.length = 0;
  kind = 'generic';
  return { ...base, kind, range: range(), cell: cellOf(() => ({ xs: [], src: [], value: null })) };
}
