import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { hwc, modelFacts, softmax, maxPool2 } from './facts.js';

const tinyvgg = JSON.parse(readFileSync(new URL('../lib/testdata/tinyvgg.json', import.meta.url), 'utf8'));

describe('modelFacts', () => {
  it('reads Tiny VGG as the article describes it', () => {
    const f = modelFacts(tinyvgg);
    expect(f.input).toEqual({ name: 'input', shape: [3, 64, 64], channels: 3 });
    expect(f.conv).toMatchObject({ name: 'conv_1_1', in: [3, 64, 64], out: [10, 62, 62], params: 280, from: null });
    expect(f.conv.attrs.kernel).toEqual([3, 3]);
    // 3 input channels × 10 output channels, one 3×3 kernel each; 30·9 weights + 10 biases = 280.
    expect(f.convKernels).toBe(30);
    expect(f.convKernels * 9 + 10).toBe(f.conv.params);
    expect(f.relu).toMatchObject({ name: 'relu_1_1', in: [10, 62, 62], out: [10, 62, 62], from: 'conv_1_1', fromOp: 'Conv' });
    expect(f.pool).toMatchObject({ name: 'max_pool_1', in: [10, 60, 60], out: [10, 30, 30] });
    expect(f.flatten).toMatchObject({ name: 'flatten', in: [10, 13, 13], out: [1690] });
    expect(f.dense).toMatchObject({ name: 'output', in: [1690], out: [10], params: 1690 * 10 + 10 });
    expect(f.softmax).toMatchObject({ name: 'output_softmax', in: [10] });
    expect(f.counts).toEqual({ conv: 4, relu: 4, pool: 2, layers: 13 });
    expect(f.params).toBe(tinyvgg.params); // the API's own total
    expect(f.classes).toBe(10);
  });

  it('gives null for the kinds a model lacks', () => {
    const f = modelFacts({ name: 'x', inputs: [{ name: 'in', shape: [1, 8, 8] }], layers: [{ name: 'fc', op: 'Dense', inputs: ['in'], outputs: ['fc'], shape: [4], param_count: 260 }] });
    expect(f.conv).toBeNull();
    expect(f.convKernels).toBeNull();
    expect(f.pool).toBeNull();
    expect(f.dense).toMatchObject({ name: 'fc', in: [1, 8, 8], out: [4] });
    expect(modelFacts(null).counts.layers).toBe(0);
  });
});

describe('helpers', () => {
  it('hwc writes shapes height×width×channels', () => {
    expect(hwc([10, 62, 62])).toBe('62×62×10');
    expect(hwc([3, 64, 32])).toBe('64×32×3');
    expect(hwc([1690])).toBe('1690');
  });

  it('softmax matches a hand computation and survives large logits', () => {
    // e^2 = 7.389, e^1 = 2.718, e^0.1 = 1.105; sum 11.212
    const p = softmax([2, 1, 0.1]);
    expect(p[0]).toBeCloseTo(0.659, 3);
    expect(p[1]).toBeCloseTo(0.242, 3);
    expect(p[2]).toBeCloseTo(0.099, 3);
    const q = softmax([1000, 1000]);
    expect(q).toEqual([0.5, 0.5]);
  });

  it('maxPool2 keeps the largest of each 2×2 block', () => {
    expect(maxPool2([
      [1, 3, 0, -2],
      [4, 2, 5, 1],
      [-1, 0, 2, 2],
      [6, -3, 1, 7],
    ])).toEqual([[4, 5], [6, 7]]);
    expect(maxPool2([[1, 2, 9], [3, 4, 9], [9, 9, 9]])).toEqual([[4]]);
  });
});
