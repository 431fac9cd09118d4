import { describe, it, expect } from 'vitest';
import { tourSteps, channelRange, negativeShare, attr, viewAction } from './steps.js';
import { buildColumns } from '../layout.js';
import catalogue from '../../i18n/tour.js';
import tinyvgg from '../testdata/tinyvgg.json';
import { CONV, RELU, SIGMOID, MAXPOOL, GLOBALPOOL, FLATTEN, DENSE, SOFTMAX } from '../testdata/traits.js';

/** value makes a run value of shape [C, H, W] whose channel c holds fill(c, i) at element i. */
function value(shape, fill, channels = shape[0]) {
  const n = shape.length === 3 ? shape[1] * shape[2] : shape[0];
  const data = new Float32Array(channels * (shape.length === 3 ? n : 1));
  for (let c = 0; c < channels; c++) for (let i = 0; i < n && c * n + i < data.length; i++) data[c * n + i] = fill(c, i);
  let min = Infinity;
  let max = -Infinity;
  for (const x of data) [min, max] = [Math.min(min, x), Math.max(max, x)];
  return { shape, channels, data, min, max };
}

/** runOf builds a decoded run for a model: every layer output filled by fill, the given probabilities. */
function runOf(model, probs, fill = () => 0.5) {
  const values = new Map();
  for (const i of model.inputs) values.set(i.name, value(i.shape, fill));
  for (const l of model.layers) values.set(l.outputs[0], value(l.shape, fill));
  const predicted = probs.indexOf(Math.max(...probs));
  const logits = probs.map((p) => Math.log(p));
  return { header: { model: model.id, predicted, class: model.labels?.[predicted] ?? '', probabilities: probs, logits }, values };
}

const ids = (steps) => steps.map((s) => s.id);
const en = catalogue.en;
const probs10 = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.62, 0.07, 0.05, 0.05];

describe('tour steps', () => {
  const cols = buildColumns(tinyvgg);

  it('walk Tiny VGG from the overview to the softmax (and "Why?" when the page has it)', () => {
    const run = runOf(tinyvgg, probs10);
    const steps = tourSteps({ model: tinyvgg, columns: cols, run, labels: tinyvgg.labels });
    expect(ids(steps)).toEqual(['overview', 'input', 'conv', 'conv-view', 'formula', 'act', 'pool', 'flatten', 'softmax', 'end']);
    const withWhy = tourSteps({ model: tinyvgg, columns: cols, run, labels: tinyvgg.labels, why: true });
    expect(ids(withWhy)).toEqual(['overview', 'input', 'conv', 'conv-view', 'formula', 'act', 'pool', 'flatten', 'softmax', 'why', 'end']);
    expect(withWhy.length).toBeGreaterThanOrEqual(8);
    expect(withWhy.length).toBeLessThanOrEqual(12);
    const by = Object.fromEntries(withWhy.map((s) => [s.id, s]));
    // The views each step opens, as the overview's clicks open them.
    expect(by.overview.view).toBeNull();
    expect(by['conv-view'].view).toEqual({ kind: 'conv', layer: 'conv_1_1', neuron: 0 });
    expect(by.formula.view).toEqual({ kind: 'conv-formula', layer: 'conv_1_1', neuron: 0, ch: 0 });
    expect(by.act.view).toEqual({ kind: 'relu', layer: 'relu_1_1', neuron: 0 });
    expect(by.pool.view).toEqual({ kind: 'pool', layer: 'max_pool_1', neuron: 0 });
    expect(by.flatten.view).toEqual({ kind: 'flatten', cls: 6 });
    expect(by.softmax.view).toEqual({ kind: 'softmax', cls: 6 });
    expect(by.why.target).toBe('[data-tour="why"]');
    expect(by.conv.target).toBe('.neuron[data-layer="conv_1_1"][data-neuron="0"]');
    expect(by.input.target).toBe('canvas[data-col-layer="input"]');
    // The run's own numbers: the predicted class (index 6, "Shirt") and its probability.
    expect(by.overview.vars).toMatchObject({ cls: 'Shirt', p: '62.0', n: 10 });
    expect(by.softmax.vars).toMatchObject({ cls: 'Shirt', p: '62.0', n: 10, logit: Math.log(0.62).toFixed(3).replace('-', '−') });
    // Tiny VGG's shapes: 3×3 kernels over 3 input channels; 2×2 pooling with stride 2 of 60×60 into 30×30; 13×13×10 = 1690 flattened.
    expect(by.conv.vars).toMatchObject({ layer: 'conv_1_1', kh: 3, kw: 3, cin: 3 });
    expect(by.formula.vars).toMatchObject({ ch: 0, k: 9 });
    expect(by.pool.vars).toEqual({ layer: 'max_pool_1', kh: 2, kw: 2, sh: 2, sw: 2, h: 60, w: 60, oh: 30, ow: 30 });
    expect(by.pool.body).toBe('tour.pool.body');
    expect(by.flatten.vars).toMatchObject({ c: 10, h: 13, w: 13, n: 1690, layer: 'output', cls: 'Shirt' });
  });

  it('name the class in the UI language and fill the numbers of the run', () => {
    // conv_1_1's channel 0 holds i/10 − 3 for i = 0…3843 (62×62): from −3 to 381.3; 30 of its values are negative.
    const fill = (c, i) => (c === 0 ? i / 10 - 3 : 1);
    const run = runOf(tinyvgg, probs10, fill);
    const steps = tourSteps({ model: tinyvgg, columns: cols, run, labels: tinyvgg.labels_i18n['zh-TW'] });
    const by = Object.fromEntries(steps.map((s) => [s.id, s]));
    expect(by.overview.vars.cls).toBe('襯衫');
    expect(by.conv.vars).toMatchObject({ lo: '−3.00', hi: '381.30' });
    expect(by.act.vars).toEqual({ layer: 'relu_1_1', n: 0, share: (100 * 30 / 3844).toFixed(0) });
  });

  it('show the most activated map of this image (its ReLU too), and the pool map with the largest value', () => {
    // Channel 3 of every value holds the largest number (7 at element 5; the others at most 1), channel 2 of max_pool_1 a larger one (9).
    const fill = (c, i) => (c === 3 && i === 5 ? 7 : Math.sin(c + i));
    const run = runOf(tinyvgg, probs10, fill);
    run.values.get('max_pool_1').data[2 * 30 * 30 + 11] = 9;
    const by = Object.fromEntries(tourSteps({ model: tinyvgg, columns: cols, run }).map((s) => [s.id, s]));
    expect(by.conv.target).toBe('.neuron[data-layer="conv_1_1"][data-neuron="3"]');
    expect(by.conv.vars.hi).toBe('7.00');
    expect(by['conv-view'].view).toEqual({ kind: 'conv', layer: 'conv_1_1', neuron: 3 });
    expect(by.formula.view).toEqual({ kind: 'conv-formula', layer: 'conv_1_1', neuron: 3, ch: 0 });
    expect(by.act.view).toEqual({ kind: 'relu', layer: 'relu_1_1', neuron: 3 });
    expect(by.pool.view).toEqual({ kind: 'pool', layer: 'max_pool_1', neuron: 2 });
  });

  it('skip what the model lacks: no pooling, a sigmoid, global pooling into a conv classifier', () => {
    const model = {
      id: 'm', name: 'm', classes: 3, logits: 'gap', probabilities: 'prob', labels: ['a', 'b', 'c'],
      inputs: [{ name: 'x', shape: [1, 8, 8] }],
      layers: [
        { name: 'c1', op: 'Conv', type: 'Conv', traits: CONV, inputs: ['x'], outputs: ['c1'], shape: [4, 6, 6], attrs: { kernel: [3, 3], groups: 1 } },
        { name: 's1', op: 'Activation', type: 'Sigmoid', traits: SIGMOID, inputs: ['c1'], outputs: ['s1'], shape: [4, 6, 6], attrs: { func: 'Sigmoid' } },
        { name: 'c2', op: 'Conv', type: 'Conv', traits: CONV, inputs: ['s1'], outputs: ['c2'], shape: [3, 6, 6], attrs: { kernel: [1, 1], groups: 1 } },
        { name: 'gap', op: 'GlobalAveragePool', type: 'GAP', traits: GLOBALPOOL, inputs: ['c2'], outputs: ['gap'], shape: [3] },
        { name: 'prob', op: 'Softmax', type: 'Softmax', traits: SOFTMAX, inputs: ['gap'], outputs: ['prob'], shape: [3] },
      ],
    };
    const run = runOf(model, [0.2, 0.5, 0.3]);
    const steps = tourSteps({ model, columns: buildColumns(model), run, labels: model.labels, why: true });
    expect(ids(steps)).toEqual(['overview', 'input', 'conv', 'conv-view', 'formula', 'act', 'softmax', 'why', 'end']);
    const act = steps.find((s) => s.id === 'act');
    expect(act.body).toBe('tour.act.bodyOther');
    expect(act.vars).toEqual({ layer: 's1', func: 'Sigmoid' });
    expect(steps.find((s) => s.id === 'conv').vars.cin).toBe(1);
  });

  it('use the grouped convolution’s own input channels and an average pool', () => {
    const model = {
      id: 'g', name: 'g', classes: 2, logits: 'fc', probabilities: 'prob', labels: ['a', 'b'],
      inputs: [{ name: 'x', shape: [4, 8, 8] }],
      layers: [
        { name: 'dw', op: 'Conv', type: 'Conv', traits: CONV, inputs: ['x'], outputs: ['dw'], shape: [4, 8, 8], attrs: { kernel: [3, 3], groups: 4 } },
        { name: 'r', op: 'Relu', type: 'Relu', traits: RELU, inputs: ['dw'], outputs: ['r'], shape: [4, 8, 8], attrs: { func: 'Relu' } },
        { name: 'ap', op: 'AveragePool', type: 'AvgPool', traits: MAXPOOL, inputs: ['r'], outputs: ['ap'], shape: [4, 4, 4], attrs: { kernel: [2, 2], stride: [2, 2], type: 'avg' } },
        { name: 'fl', op: 'Flatten', type: 'Flatten', traits: FLATTEN, inputs: ['ap'], outputs: ['fl'], shape: [64] },
        { name: 'fc', op: 'Dense', type: 'Dense', traits: DENSE, inputs: ['fl'], outputs: ['fc'], shape: [2] },
        { name: 'prob', op: 'Softmax', type: 'Softmax', traits: SOFTMAX, inputs: ['fc'], outputs: ['prob'], shape: [2] },
      ],
    };
    const steps = tourSteps({ model, columns: buildColumns(model), run: runOf(model, [0.3, 0.7]), labels: model.labels });
    const by = Object.fromEntries(steps.map((s) => [s.id, s]));
    expect(by.conv.vars.cin).toBe(1); // a depthwise filter reads one channel
    expect(by.pool.body).toBe('tour.pool.bodyAvg');
    expect(by.flatten.vars).toMatchObject({ c: 4, h: 4, w: 4, n: 64, cls: 'b' });
  });

  it('without a run keep only the overview steps, and a model with no conv only what it has', () => {
    const noRun = tourSteps({ model: tinyvgg, columns: cols, run: null, labels: tinyvgg.labels, why: true });
    expect(ids(noRun)).toEqual(['overview', 'input', 'conv', 'end']);
    expect(noRun[0].body).toBe('tour.overview.bodyNoRun');
    expect(noRun[2].body).toBe('tour.conv.bodyNoRun');
    // A run of another model (a stale one) counts as none.
    const stale = runOf({ ...tinyvgg, id: 'other' }, probs10);
    expect(ids(tourSteps({ model: tinyvgg, columns: cols, run: stale }))).toEqual(['overview', 'input', 'conv', 'end']);
    const mlp = {
      id: 'mlp', name: 'mlp', classes: 2, logits: 'fc', probabilities: 'prob', labels: ['a', 'b'],
      inputs: [{ name: 'x', shape: [16] }],
      layers: [
        { name: 'fc', op: 'Dense', type: 'Dense', traits: DENSE, inputs: ['x'], outputs: ['fc'], shape: [2] },
        { name: 'prob', op: 'Softmax', type: 'Softmax', traits: SOFTMAX, inputs: ['fc'], outputs: ['prob'], shape: [2] },
      ],
    };
    expect(ids(tourSteps({ model: mlp, columns: buildColumns(mlp), run: runOf(mlp, [0.9, 0.1]) }))).toEqual(['overview', 'softmax', 'end']);
    expect(tourSteps({ model: null })).toEqual([]);
  });

  it('ask only for messages the catalogue has, with the placeholders it fills', () => {
    const run = runOf(tinyvgg, probs10, (c, i) => i - 5);
    const all = [
      ...tourSteps({ model: tinyvgg, columns: cols, run, labels: tinyvgg.labels, why: true }),
      ...tourSteps({ model: tinyvgg, columns: cols, run: null }),
    ];
    for (const s of all) {
      for (const key of [s.title, s.body]) {
        expect(en[key], key).toBeTypeOf('string');
        const wanted = [...en[key].matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        if (key === s.body) for (const w of wanted) expect(s.vars, `${key} {${w}}`).toHaveProperty(w);
      }
    }
  });
});

describe('tour helpers', () => {
  it('channelRange and negativeShare read one channel of a [C, H, W] value', () => {
    const v = value([2, 2, 2], (c, i) => (c === 0 ? [-1, 2, -3, 4][i] : 9));
    expect(channelRange(v, 0)).toEqual([-3, 4]);
    expect(channelRange(v, 1)).toEqual([9, 9]);
    expect(negativeShare(v, 0)).toBe(50);
    expect(negativeShare(v, 1)).toBe(0);
    // A channel the run did not send (max_channels), or no value.
    expect(channelRange({ ...v, channels: 1 }, 1)).toBeNull();
    expect(negativeShare(undefined, 0)).toBeNull();
  });

  it('attr quotes any layer name', () => {
    expect(attr('data-layer', 'a"b\\c')).toBe('[data-layer="a\\"b\\\\c"]');
    expect(attr('data-layer', 'model/conv 1')).toBe('[data-layer="model/conv 1"]');
  });
});

describe('viewAction', () => {
  const conv = { kind: 'conv', layer: 'conv_1_1', neuron: 3 };
  it('opens a step’s view unless it is open already, and closes any view for an overview step', () => {
    expect(viewAction(null, conv)).toBe('open');
    expect(viewAction({ ...conv }, conv)).toBeNull();
    expect(viewAction(conv, { ...conv, kind: 'conv-formula', ch: 0 })).toBe('open');
    expect(viewAction({ ...conv, neuron: 4 }, conv)).toBe('open');
    expect(viewAction(conv, null)).toBe('close');
    expect(viewAction(null, null)).toBeNull();
  });
});
