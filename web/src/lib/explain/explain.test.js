import { describe, it, expect } from 'vitest';
import { geom, outSize, windowAt, products, convPlane, sumPlanes, inputChannels, kernelOf, planeOf } from './conv.js';
import { poolAt } from './pool.js';
import { softmax, topIndices } from './softmax.js';
import { flatIndex, unflatten, flattenMap, denseUnit } from './flatten.js';
import { activate } from './activation.js';
import { viewKind, articleSection, classifier, unaryMaps } from './target.js';
import { decodeParams, loadParams } from './params.js';
import { arrowKey, windowBox } from './cells.js';
import { layerKind, scaleOf, merge, concatSource, padSource, globalPool, layerExplain, denseTerms } from './layer.js';
import { encodeTensors } from '../decode.js';
import tinyvgg from '../testdata/tinyvgg.json';
import { CONV, RELU, SIGMOID, MAXPOOL, GLOBALPOOL, ADD, BATCHNORM, FLATTEN_CL, DROPOUT, DENSE, CONCAT } from '../testdata/traits.js';

const f32 = (xs) => Float32Array.from(xs);

// A naive reference convolution written independently: zero-pad the input
// into a bigger array first, then slide without any bounds checks.
function naiveConv(plane, h, w, kernel, kh, kw, s, p, d) {
  const H = h + p[0] + p[2];
  const W = w + p[1] + p[3];
  const padded = new Float64Array(H * W);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) padded[(y + p[0]) * W + x + p[1]] = plane[y * w + x];
  const out = [];
  for (let oy = 0; oy * s[0] + d[0] * (kh - 1) < H; oy++) {
    const row = [];
    for (let ox = 0; ox * s[1] + d[1] * (kw - 1) < W; ox++) {
      let acc = 0;
      for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) acc += padded[(oy * s[0] + a * d[0]) * W + ox * s[1] + b * d[1]] * kernel[a * kw + b];
      row.push(acc);
    }
    out.push(row);
  }
  return out;
}

describe('conv arithmetic', () => {
  it('computes output sizes like the engine (floor)', () => {
    expect(outSize(64, 64, { kernel: [3, 3] })).toEqual([62, 62]);
    // ResNet stem: 224, 7×7, stride 2, pad 3 → 112.
    expect(outSize(224, 224, { kernel: [7, 7], stride: [2, 2], pads: [3, 3, 3, 3] })).toEqual([112, 112]);
    // dilation 2 makes a 3×3 kernel span 5.
    expect(outSize(10, 10, { kernel: [3, 3], dilation: [2, 2] })).toEqual([6, 6]);
    expect(geom({}).kh).toBe(1);
  });

  it('extracts a window by hand on a 4×4 map', () => {
    const plane = f32([...Array(16).keys()]); // value = 4·y + x
    const w = windowAt(plane, 4, 4, 1, 1, { kernel: [2, 2], stride: [2, 2] });
    expect([...w.values]).toEqual([10, 11, 14, 15]);
    expect([...w.inside]).toEqual([1, 1, 1, 1]);
    // padding 1: the top-left window of a 3×3 kernel has 5 padding cells
    const p = windowAt(plane, 4, 4, 0, 0, { kernel: [3, 3], pads: [1, 1, 1, 1] });
    expect([...p.inside]).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 1]);
    expect([...p.values]).toEqual([0, 0, 0, 0, 0, 1, 0, 4, 5]);
    expect(p.ys[0]).toBe(-1);
    // dilation 2: cells (0,0), (0,2), (2,0), (2,2)
    const d = windowAt(plane, 4, 4, 0, 0, { kernel: [2, 2], dilation: [2, 2] });
    expect([...d.values]).toEqual([0, 2, 8, 10]);
  });

  it('multiplies a window by a kernel', () => {
    const r = products(f32([1, 2, 3]), f32([0.5, -1, 2]));
    expect([...r.products]).toEqual([0.5, -2, 6]);
    expect(r.sum).toBeCloseTo(4.5, 6);
  });

  it('matches a naive padded convolution for many geometries', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const cases = [
      [9, 9, 3, 3, [1, 1], [0, 0, 0, 0], [1, 1]],
      [11, 13, 7, 7, [2, 2], [3, 3, 3, 3], [1, 1]],
      [10, 8, 3, 3, [2, 1], [1, 0, 1, 2], [2, 1]],
      [6, 6, 1, 1, [1, 1], [0, 0, 0, 0], [1, 1]],
      [12, 12, 5, 3, [3, 2], [2, 1, 2, 1], [1, 2]],
    ];
    for (const [h, w, kh, kw, s, p, d] of cases) {
      const plane = f32(Array.from({ length: h * w }, rnd));
      const kernel = f32(Array.from({ length: kh * kw }, rnd));
      const attrs = { kernel: [kh, kw], stride: s, pads: p, dilation: d };
      const want = naiveConv(plane, h, w, kernel, kh, kw, s, p, d);
      const [oh, ow] = outSize(h, w, attrs);
      expect([oh, ow]).toEqual([want.length, want[0].length]);
      const got = convPlane(plane, h, w, kernel, attrs);
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          expect(got[y * ow + x]).toBeCloseTo(want[y][x], 5);
          // the per-cell path (window · kernel) agrees with the plane
          expect(products(windowAt(plane, h, w, y, x, attrs).values, kernel).sum).toBeCloseTo(want[y][x], 5);
        }
      }
    }
  });

  it('sums intermediate maps and adds the bias', () => {
    expect([...sumPlanes([f32([1, 2]), f32([10, 20])], 0.5)]).toEqual([11.5, 22.5]);
  });

  it('finds the input channels and kernels of an output channel', () => {
    expect(inputChannels(1, 3, 10, 1)).toEqual([{ channel: 0, k: 0 }, { channel: 1, k: 1 }, { channel: 2, k: 2 }]);
    // groups 2, 4 inputs, 6 outputs: output 4 is in group 1 → inputs 2, 3
    expect(inputChannels(4, 4, 6, 2)).toEqual([{ channel: 2, k: 0 }, { channel: 3, k: 1 }]);
    // depthwise
    expect(inputChannels(5, 8, 8, 8)).toEqual([{ channel: 5, k: 0 }]);
    // weight [2, 3, 2, 2] = 0…23: kernel (1, 2) starts at (1·3 + 2)·4 = 20
    const wgt = f32([...Array(24).keys()]);
    expect([...kernelOf(wgt, [2, 3, 2, 2], 1, 2)]).toEqual([20, 21, 22, 23]);
    expect([...planeOf(f32([...Array(12).keys()]), [3, 2, 2], 1)]).toEqual([4, 5, 6, 7]);
  });
});

describe('pooling', () => {
  const plane = f32([1, -2, 3, 0, 5, 6, -7, 8, 9, 1, 2, 3, 4, 5, 6, 7]); // 4×4
  it('takes the max of each 2×2 window', () => {
    const r = poolAt(plane, 4, 4, 0, 1, { kernel: [2, 2], stride: [2, 2] }, 'max');
    expect([...r.window.values]).toEqual([3, 0, -7, 8]);
    expect(r.value).toBe(8);
    expect(r.argmax).toBe(3);
  });
  it('averages real cells only', () => {
    const r = poolAt(plane, 4, 4, 1, 0, { kernel: [2, 2], stride: [2, 2] }, 'avg');
    expect(r.value).toBeCloseTo((9 + 1 + 4 + 5) / 4, 6);
    const p = poolAt(plane, 4, 4, 0, 0, { kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1] }, 'avg');
    expect(p.count).toBe(4);
    expect(p.value).toBeCloseTo((1 - 2 + 5 + 6) / 4, 6);
    // max pooling ignores padding even when all real cells are negative
    const neg = poolAt(f32([-3, -1, -2, -5]), 2, 2, 0, 0, { kernel: [3, 3], pads: [1, 1, 1, 1] }, 'max');
    expect(neg.value).toBe(-1);
  });
});

describe('softmax', () => {
  it('matches exp(x_i)/Σexp(x_j) by hand', () => {
    const { probs, exps, sum } = softmax([0, Math.log(3)]);
    expect(probs[0]).toBeCloseTo(0.25, 10);
    expect(probs[1]).toBeCloseTo(0.75, 10);
    expect(exps[1] / sum).toBeCloseTo(0.75, 10);
  });
  it('does not overflow on large logits and treats null as −∞', () => {
    const { probs } = softmax([1000, 1000, null]);
    expect(probs).toEqual([0.5, 0.5, 0]);
  });
  it('lists the top indices', () => {
    expect(topIndices([0.1, 0.5, 0.2, 0.5], 3)).toEqual([1, 3, 2]);
  });
});

describe('flatten', () => {
  const shape = [2, 2, 3]; // C=2, H=2, W=3
  it('indexes channels-first and channels-last by hand', () => {
    // channels-first: c·6 + r·3 + x
    expect(flatIndex(1, 1, 2, shape, false)).toBe(11);
    expect(flatIndex(0, 1, 0, shape, false)).toBe(3);
    // channels-last: (r·3 + x)·2 + c
    expect(flatIndex(1, 0, 0, shape, true)).toBe(1);
    expect(flatIndex(0, 1, 2, shape, true)).toBe(10);
  });
  it('round-trips every index in both orders', () => {
    for (const last of [false, true]) {
      const seen = new Set();
      for (let c = 0; c < 2; c++) for (let r = 0; r < 2; r++) for (let x = 0; x < 3; x++) {
        const i = flatIndex(c, r, x, shape, last);
        seen.add(i);
        expect(unflatten(i, shape, last)).toEqual({ c, row: r, col: x });
      }
      expect(seen.size).toBe(12);
    }
  });
  it('flattens a map in the given order', () => {
    const data = f32([...Array(12).keys()]); // CHW planes
    expect([...flattenMap(data, shape, false)]).toEqual([...data]);
    // channels-last interleaves the two planes: (0,6), (1,7), …
    expect([...flattenMap(data, shape, true)]).toEqual([0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
  });
  it('computes a dense unit', () => {
    const w = f32([1, 2, 3, -1, 0, 0.5]); // [2, 3]
    const r = denseUnit(w, f32([1, 1, 2]), 1, 0.25);
    expect([...r.products]).toEqual([-1, 0, 1]);
    expect(r.sum).toBe(0);
    expect(r.value).toBe(0.25);
  });
});

describe('activations', () => {
  it('applies max(0, x) and friends', () => {
    expect(activate('Relu', -2)).toBe(0);
    expect(activate('Relu', 1.5)).toBe(1.5);
    expect(activate('LeakyRelu', -2, { alpha: 0.1 })).toBeCloseTo(-0.2, 10);
    expect(activate('Relu6', 7)).toBe(6);
    expect(activate('Elu', 1)).toBe(null);
  });
});

describe('view targets', () => {
  it('maps columns to views and article sections', () => {
    expect(viewKind({ kind: 'map', op: 'Conv', traits: CONV })).toBe('conv');
    expect(viewKind({ kind: 'map', op: 'Relu', traits: RELU })).toBe('relu');
    expect(viewKind({ kind: 'map', op: 'Sigmoid', traits: SIGMOID })).toBe('relu');
    expect(viewKind({ kind: 'map', op: 'MaxPool', traits: MAXPOOL })).toBe('pool');
    expect(viewKind({ kind: 'map', op: 'GlobalAveragePool', traits: GLOBALPOOL })).toBe('layer');
    expect(viewKind({ kind: 'output' })).toBe('flatten');
    expect(viewKind({ kind: 'map', op: 'Add', traits: ADD })).toBe('layer');
    expect(viewKind({ kind: 'map', op: 'BatchNorm', traits: BATCHNORM })).toBe('layer');
    expect(viewKind({ kind: 'vector', op: 'Relu', traits: RELU })).toBe('layer');
    expect(viewKind({ kind: 'vector', op: 'Dense', traits: DENSE })).toBe('layer');
    expect(viewKind({ kind: 'input' })).toBe(null);
    expect(articleSection({ kind: 'map', op: 'AveragePool', traits: MAXPOOL })).toBe('article-pool');
    expect(articleSection({ kind: 'map', op: 'LeakyRelu', traits: RELU })).toBe('article-relu');
    expect(articleSection({ kind: 'input' })).toBe('article-input');
    expect(articleSection({ kind: 'output' })).toBe('article-softmax');
  });
  it('finds the flatten and dense layer of Tiny VGG', () => {
    const model = {
      logits: 'output',
      inputs: [{ name: 'input', shape: [3, 64, 64] }],
      layers: [
        { name: 'max_pool_2', op: 'MaxPool', traits: MAXPOOL, inputs: ['x'], outputs: ['max_pool_2'], shape: [10, 13, 13] },
        { name: 'flatten', op: 'Flatten', traits: FLATTEN_CL, inputs: ['max_pool_2'], outputs: ['flatten'], shape: [1690], attrs: { channels_last: true } },
        { name: 'drop', op: 'Dropout', traits: DROPOUT, inputs: ['flatten'], outputs: ['drop'], shape: [1690] },
        { name: 'output', op: 'Dense', traits: DENSE, inputs: ['drop'], outputs: ['output'], shape: [10] },
      ],
    };
    const c = classifier(model);
    expect(c.dense.name).toBe('output');
    expect(c.flatten.name).toBe('flatten');
    expect(c.mapValue).toBe('max_pool_2');
    expect(c.mapShape).toEqual([10, 13, 13]);
    expect(c.channelsLast).toBe(true);
    expect(c.vectorValue).toBe('drop');
    expect(classifier({ ...model, logits: 'max_pool_2' }).dense).toBe(null);
    // The server's own description of Tiny VGG.
    const real = classifier(tinyvgg);
    expect([real.dense.name, real.flatten.name, real.mapValue, real.vectorValue, real.channelsLast]).toEqual(['output', 'flatten', 'max_pool_2', 'flatten', true]);
    expect(real.mapShape).toEqual([10, 13, 13]);
  });
});

describe('one-map views', () => {
  // A ReLU on a 2×2×3 input; the run sends all channels of its input and
  // one of its output.
  const model = {
    inputs: [{ name: 'in', shape: [2, 2, 3] }],
    layers: [{ name: 'r', op: 'Relu', inputs: ['in'], outputs: ['r'], shape: [2, 2, 3] }],
  };
  const inData = [1, -2, 3, -4, 5, -6, 0.5, -1.5, 2.5, -3.5, 4.5, -5.5];
  const run = {
    values: new Map([
      ['in', { data: f32(inData), channels: 2, min: -6, max: 5 }],
      ['r', { data: f32([1, 0, 3, 0, 5, 0]), channels: 1, min: 0, max: 5 }],
    ]),
  };
  it('takes channel c of the input and output maps', () => {
    const m = unaryMaps(model, run, model.layers[0], 0);
    expect([m.inName, m.h, m.w]).toEqual(['in', 2, 3]);
    expect([...m.x]).toEqual([1, -2, 3, -4, 5, -6]);
    expect([...m.y]).toEqual([1, 0, 3, 0, 5, 0]);
    // One diverging scale for both, ±(0.1 + max|v|): max|v| = 6.
    expect(m.range[0]).toBeCloseTo(-6.1, 10);
    expect(m.range[1]).toBeCloseTo(6.1, 10);
  });
  it('is null when the run lacks the channel or a value', () => {
    expect(unaryMaps(model, run, model.layers[0], 1)).toBe(null); // output sent with 1 channel
    expect(unaryMaps(model, { values: new Map([['in', run.values.get('in')]]) }, model.layers[0], 0)).toBe(null);
    expect(unaryMaps(model, run, null, 0)).toBe(null);
  });
  it('moves the current cell with the arrow keys, within the map', () => {
    const key = (k) => ({ key: k, prevented: false, preventDefault() { this.prevented = true; } });
    // A 4-wide map of 12 cells (3 rows): cell 5 is (1, 1).
    expect(arrowKey(key('ArrowDown'), 5, 4, 12)).toBe(9);
    expect(arrowKey(key('ArrowUp'), 5, 4, 12)).toBe(1);
    expect(arrowKey(key('ArrowLeft'), 5, 4, 12)).toBe(4);
    expect(arrowKey(key('ArrowRight'), 5, 4, 12)).toBe(6);
    expect(arrowKey(key('ArrowUp'), 2, 4, 12)).toBe(0);
    expect(arrowKey(key('ArrowDown'), 10, 4, 12)).toBe(11);
    const e = key('ArrowLeft');
    arrowKey(e, 3, 4, 12);
    expect(e.prevented).toBe(true);
    const other = key('a');
    expect(arrowKey(other, 3, 4, 12)).toBe(null);
    expect(other.prevented).toBe(false);
  });
  it('boxes the input window of an output cell', () => {
    // 3×3, stride 2, padding 1: output (0, 0) reads rows/cols −1…1, (2, 1) rows 3…5, cols 1…3.
    const g = geom({ kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1] });
    expect(windowBox(g, 0, 0)).toEqual({ y: -1, x: -1, h: 3, w: 3 });
    expect(windowBox(g, 2, 1)).toEqual({ y: 3, x: 1, h: 3, w: 3 });
    // dilation 2 spreads a 3×3 kernel over 5×5 cells
    expect(windowBox(geom({ kernel: [3, 3], dilation: [2, 2] }), 1, 0)).toEqual({ y: 1, x: 0, h: 5, w: 5 });
  });
});

// A failed response as fetch gives it: status line and maybe {"error": ...}.
const failed = (status, statusText, body) => async () => ({
  ok: false,
  status,
  statusText,
  json: async () => (body === undefined ? JSON.parse('not json') : body),
});

describe('params', () => {
  it("rejects with the server's error message, or the status line", async () => {
    await expect(loadParams('m-err', 'nope', failed(404, 'Not Found', { error: 'no layer "nope"' }))).rejects.toThrow('no layer "nope"');
    await expect(loadParams('m-err', 'x', failed(500, 'Internal Server Error'))).rejects.toThrow('500 Internal Server Error');
  });

  it('decodes a binary params response', () => {
    const bias = [0.5, -1];
    const weight = [1, 2, 3, 4];
    const buf = encodeTensors((off) => ({ format: 'convscope-params/1', params: [
      { name: 'bias', shape: [2], offset: off[0], length: 2, min: -1, max: 0.5 },
      { name: 'weight', shape: [2, 2], offset: off[1], length: 4, min: 1, max: 4 },
    ] }), [bias, weight]);
    const p = decodeParams(buf);
    expect([...p.bias.data]).toEqual(bias);
    expect([...p.weight.data]).toEqual(weight);
    expect(p.weight.shape).toEqual([2, 2]);
  });
});

describe('expanded runs', () => {
  it('asks for whole values by name', async () => {
    const { expandURL, runExpanded } = await import('./expand.js');
    expect(expandURL('m 1', 'a b.png', ['layer1.0/x', 'y'], 16)).toBe('/api/models/m%201/examples/a%20b.png/run?max_channels=16&expand=layer1.0%2Fx&expand=y');
    const calls = [];
    const buf = encodeTensors((off) => ({ format: 'convscope-run/1', values: [{ name: 'y', shape: [2], channels: 2, offset: off[0], length: 2 }] }), [[1, 2]]);
    const fake = async (url, init) => {
      calls.push([url, init?.method ?? 'GET']);
      return { ok: true, arrayBuffer: async () => buf };
    };
    const r = await runExpanded('m', { example: 'x.png' }, ['y'], { fetchImpl: fake });
    expect([...r.values.get('y').data]).toEqual([1, 2]);
    await runExpanded('m', { example: 'x.png' }, ['y'], { fetchImpl: fake }); // cached
    await runExpanded('m', { upload: { name: 'u.png', url: 'blob:1', file: new Blob(['x'], { type: 'image/png' }) } }, ['y'], { fetchImpl: fake });
    expect(calls).toEqual([
      ['/api/models/m/examples/x.png/run?max_channels=16&expand=y', 'GET'],
      ['/api/models/m/run?max_channels=16&expand=y', 'POST'],
    ]);
  });
  it("rejects with the server's error message, and asks again next time", async () => {
    const { runExpanded } = await import('./expand.js');
    const bad = failed(400, 'Bad Request', { error: 'unknown value "z"' });
    await expect(runExpanded('m', { example: 'x.png' }, ['z'], { fetchImpl: bad })).rejects.toThrow('unknown value "z"');
    let calls = 0;
    const again = async (...a) => (calls++, bad(...a));
    await expect(runExpanded('m', { example: 'x.png' }, ['z'], { fetchImpl: again })).rejects.toThrow('unknown value "z"');
    expect(calls).toBe(1);
  });
});

describe('layer view arithmetic (ops without a view of their own)', () => {
  it('chooses the explanation from the traits', () => {
    const L = (traits, extra = {}) => ({ traits, inputs: ['a'], attrs: {}, ...extra });
    expect(layerKind(L(BATCHNORM))).toBe('scale');
    expect(layerKind(L(ADD, { inputs: ['a', 'b'] }))).toBe('eltwise');
    expect(layerKind(L(CONCAT, { inputs: ['a', 'b'] }))).toBe('concat');
    expect(layerKind(L(GLOBALPOOL, { attrs: { global: true } }))).toBe('gpool');
    expect(layerKind(L({ family: 'shape', channelwise: true, keeps_range: true }))).toBe('channel');
    expect(layerKind(L(DENSE))).toBe('generic');
  });
  it('BatchNorm: (x − μ)/√(σ² + ε)·γ + β as a·x + b, against the formula term by term', () => {
    const P = (xs) => ({ shape: [xs.length], data: Float32Array.from(xs) });
    const params = { mean: P([0.5, -2]), var: P([4, 0.25]), scale: P([3, -1]), bias: P([1, 0.5]) };
    const s = scaleOf(params, 1, 1e-3);
    const x = 1.7;
    const direct = ((x - -2) / Math.sqrt(0.25 + 1e-3)) * -1 + 0.5;
    expect(s.bn).toBe(true);
    expect([s.mean, s.var, s.gamma, s.beta]).toEqual([-2, 0.25, -1, 0.5]);
    expect(s.a * x + s.b).toBeCloseTo(direct, 6);
    // without γ, β: γ = 1, β = 0
    const plain = scaleOf({ mean: P([1]), var: P([1]) }, 0, 0);
    expect(plain.a * 3 + plain.b).toBeCloseTo(2, 6);
    // an affine layer: x·scale + bias
    const aff = scaleOf({ scale: P([2]), bias: P([-1]) }, 0);
    expect([aff.bn, aff.a * 4 + aff.b]).toEqual([false, 7]);
    expect(scaleOf(null, 0)).toBe(null);
    expect(scaleOf({}, 0)).toBe(null);
  });
  it('element-wise merges', () => {
    expect(merge('Add', [1.5, -0.25, 2])).toBeCloseTo(3.25, 12);
    expect(merge('Add', [1, 2], [0.5, -1])).toBeCloseTo(-1.5, 12);
    expect(merge('Sub', [5, 2, 1])).toBe(2);
    expect(merge('Mul', [2, -3, 0.5])).toBe(-3);
    expect(merge('Div', [8, 2, 2])).toBe(2);
    expect(merge('Max', [1, 7, -2])).toBe(7);
    expect(merge('Min', [1, 7, -2])).toBe(-2);
    expect(merge('Pow', [1, 2])).toBe(null);
  });
  it('concatenation: where each output channel comes from', () => {
    const counts = [3, 1, 4];
    const want = [[0, 0], [0, 1], [0, 2], [1, 0], [2, 0], [2, 1], [2, 2], [2, 3]];
    for (let c = 0; c < 8; c++) {
      const s = concatSource(counts, c);
      expect([s.k, s.channel]).toEqual(want[c]);
    }
    expect(concatSource(counts, 8)).toBe(null);
  });
  it('padding: the input cell each output cell copies, per mode (NumPy np.pad semantics)', () => {
    // a 3×4 input, pads over [N, C, H, W]: top 2, left 1, bottom 1, right 3
    const pads = [0, 0, 2, 1, 0, 0, 1, 3];
    const h = 3;
    const w = 4;
    // np.pad(np.arange(12).reshape(3, 4), ((2, 1), (1, 3)), mode), worked out by hand from NumPy's definition of the modes
    const reflect = [
      [9, 8, 9, 10, 11, 10, 9, 8],
      [5, 4, 5, 6, 7, 6, 5, 4],
      [1, 0, 1, 2, 3, 2, 1, 0],
      [5, 4, 5, 6, 7, 6, 5, 4],
      [9, 8, 9, 10, 11, 10, 9, 8],
      [5, 4, 5, 6, 7, 6, 5, 4],
    ];
    const edge = [
      [0, 0, 1, 2, 3, 3, 3, 3],
      [0, 0, 1, 2, 3, 3, 3, 3],
      [0, 0, 1, 2, 3, 3, 3, 3],
      [4, 4, 5, 6, 7, 7, 7, 7],
      [8, 8, 9, 10, 11, 11, 11, 11],
      [8, 8, 9, 10, 11, 11, 11, 11],
    ];
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 8; x++) {
        const r = padSource(pads, 'reflect', y, x, h, w);
        expect(r.y * w + r.x).toBe(reflect[y][x]);
        const e = padSource(pads, 'edge', y, x, h, w);
        expect(e.y * w + e.x).toBe(edge[y][x]);
        const c = padSource(pads, 'constant', y, x, h, w);
        const inside = y >= 2 && y < 5 && x >= 1 && x < 5;
        expect(c === null ? null : c.y * w + c.x).toBe(inside ? (y - 2) * w + (x - 1) : null);
      }
    }
  });
  it('global pooling', () => {
    const p = Float32Array.from([1, -2, 4.5, 0.5]);
    expect(globalPool(p, 'avg')).toBeCloseTo(1, 12);
    expect(globalPool(p, 'max')).toBe(4.5);
  });
});

describe('layerExplain (a run of a small hand-made graph)', () => {
  // two 2×2×3 inputs a and b; bn = BatchNorm(a); sum = a + b; cat = concat(a, b); pad = Pad(a); gp = global avg pool(a)
  const A = Float32Array.from([1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6]);
  const B = Float32Array.from([0.5, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0]);
  const val = (data) => ({ data, channels: 2, min: Math.min(...data), max: Math.max(...data) });
  const L = (name, traits, inputs, shape, attrs = {}) => ({ name, traits, inputs, outputs: [name], shape, attrs });
  const model = {
    inputs: [{ name: 'a', shape: [2, 2, 3] }, { name: 'b', shape: [2, 2, 3] }],
    layers: [
      L('bn', BATCHNORM, ['a'], [2, 2, 3], { Epsilon: 0 }),
      L('sum', ADD, ['a', 'b'], [2, 2, 3], { Type: 'Add' }),
      L('cat', CONCAT, ['a', 'b'], [4, 2, 3], { Axis: 1 }),
      L('pad', { family: 'shape', channelwise: true, keeps_range: true }, ['a'], [2, 3, 5], { Pads: [0, 0, 1, 1, 0, 0, 0, 1], Mode: 'constant', Value: 0 }),
      L('gp', GLOBALPOOL, ['a'], [2, 1, 1], { global: true, type: 'avg' }),
    ],
  };
  const values = new Map([['a', val(A)], ['b', val(B)]]);
  // outputs as the engine would compute them (independently, here)
  values.set('bn', val(A.map((x, i) => (i < 6 ? (x - 1) / 2 : (x + 2) / 1) * (i < 6 ? 3 : 1) + (i < 6 ? 0.5 : 0))));
  values.set('sum', val(A.map((x, i) => x + B[i])));
  values.set('cat', { ...val(Float32Array.from([...A, ...B])), channels: 4 });
  const pad = new Float32Array(2 * 3 * 5);
  for (let c = 0; c < 2; c++) for (let yy = 0; yy < 2; yy++) for (let xx = 0; xx < 3; xx++) pad[c * 15 + (yy + 1) * 5 + xx + 1] = A[c * 6 + yy * 3 + xx];
  values.set('pad', val(pad));
  values.set('gp', val(Float32Array.from([3.5, -3.5])));
  const run = { values };
  const P = (xs) => ({ shape: [xs.length], data: Float32Array.from(xs) });
  const bnParams = { mean: P([1, -2]), var: P([4, 1]), scale: P([3, 1]), bias: P([0.5, 0]) };
  const layer = (n) => model.layers.find((l) => l.name === n);

  it('every cell of every kind equals the run', () => {
    for (const [name, params] of [['bn', bnParams], ['sum'], ['cat'], ['pad'], ['gp']]) {
      const l = layer(name);
      for (let c = 0; c < l.shape[0]; c++) {
        const e = layerExplain(model, run, l, c, params);
        expect(e.kind).not.toBe('generic');
        for (let pos = 0; pos < e.h * e.w; pos++) {
          const cell = e.cell(pos);
          expect(cell.value, `${name} channel ${c} cell ${pos}`).toBeCloseTo(cell.run, 5);
        }
      }
    }
  });
  it('shows where the operands come from', () => {
    const cat = layerExplain(model, run, layer('cat'), 3);
    expect([cat.from.k, cat.from.channel, cat.inputs[0].name]).toEqual([1, 1, 'b']);
    const sum = layerExplain(model, run, layer('sum'), 1);
    expect(sum.cell(2).xs).toEqual([-3, 4]);
    const pad = layerExplain(model, run, layer('pad'), 0);
    expect(pad.cell(0).src).toEqual([]);
    expect(pad.cell(6).src).toEqual([{ k: 0, pos: 0 }]);
    const bn = layerExplain(model, run, layer('bn'), 0, bnParams);
    expect([bn.scale.mean, bn.scale.var, bn.scale.gamma, bn.scale.beta]).toEqual([1, 4, 3, 0.5]);
    // no parameters: the maps without a formula
    expect(layerExplain(model, run, layer('bn'), 0, null).cell(0).value).toBe(null);
  });
});

describe('Dense on a vector', () => {
  // y = W·x + b with W = [[1, −2, 0.5], [0, 3, −1]], x = (2, 1, −4), b = (0.25, −1), by hand:
  // y0 = 2 − 2 − 2 + 0.25 = −1.75, y1 = 0 + 3 + 4 − 1 = 6.
  const W = { shape: [2, 3], data: Float32Array.from([1, -2, 0.5, 0, 3, -1]) };
  const bias = { shape: [2], data: Float32Array.from([0.25, -1]) };
  const x = Float32Array.from([2, 1, -4]);
  it('breaks a unit into its terms, largest first, and adds up to the run', () => {
    const d = denseTerms(W, x, 0, bias);
    expect(d.terms.map((t) => [t.i, t.p])).toEqual([[0, 2], [1, -2], [2, -2]]);
    expect(d.value).toBeCloseTo(-1.75, 6);
    const e = denseTerms(W, x, 1, bias, 1);
    expect(e.terms.map((t) => [t.i, t.w, t.x, t.p])).toEqual([[2, -1, -4, 4]]);
    expect([e.rest, e.others, e.sum, e.bias, e.value]).toEqual([3, 2, 7, -1, 6]);
    expect(denseTerms(W, Float32Array.from([1, 2]), 0, bias)).toBeNull();
    expect(denseTerms(W, x, 2, bias)).toBeNull();
  });
  it('is the layer view of a Dense layer on a vector', () => {
    const model = { inputs: [{ name: 'v', shape: [3] }], layers: [{ name: 'fc', op: 'Dense', traits: { family: 'dense' }, inputs: ['v'], outputs: ['fc'], shape: [2], attrs: {} }] };
    const run = { values: new Map([['v', { data: x, channels: 3, min: -4, max: 2 }], ['fc', { data: Float32Array.from([-1.75, 6]), channels: 2, min: -1.75, max: 6 }]]) };
    const e = layerExplain(model, run, model.layers[0], 1, { weight: W, bias });
    expect(e.kind).toBe('dense');
    expect(e.dense.value).toBeCloseTo(e.value, 6);
    expect(layerExplain(model, run, model.layers[0], 1, null).kind).toBe('generic');
  });
});

describe('layerExplain colour range', () => {
  it('spans the planes shown, not the whole values', () => {
    const model = { inputs: [{ name: 'a', shape: [2, 1, 2] }], layers: [{ name: 'p', traits: { family: 'shape', channelwise: true }, inputs: ['a'], outputs: ['p'], shape: [2, 1, 2], attrs: {} }] };
    const v = (data) => ({ data: Float32Array.from(data), channels: 2, min: Math.min(...data), max: Math.max(...data) });
    const run = { values: new Map([['a', v([0.1, -0.2, 50, 60])], ['p', v([0.3, 0.1, 50, 60])]]) };
    expect(layerExplain(model, run, model.layers[0], 0).range).toEqual([-0.30000001192092896, 0.30000001192092896]);
  });
});
