import { describe, it, expect } from 'vitest';
import { weightNumber, weightRows, histogramBars, zeroX } from './weights.js';

// stats as analyze.Weights computes them, worked by hand for
// [-1, 0, 0, 0.5, 1, 1, 1, 2] (count 8, sum 4.5, mean 0.5625):
// variance = Σ(x-mean)²/8 = (2.44140625+0.31640625*2+0.00390625+0.19140625*3+2.06640625)/8 = 5.71875/8.
const eight = {
  count: 8, non_finite: 0, min: -1, max: 2, mean: 0.5625, std: Math.sqrt(5.71875 / 8), zeros: 0.25, tiny: 0.25,
  edges: [-1, -0.25, 0.5, 1.25, 2], counts: [1, 2, 4, 1],
};

describe('weightNumber', () => {
  it('writes 3 significant digits with a real minus sign', () => {
    expect(weightNumber(-0.19634)).toBe('−0.196');
    expect(weightNumber(0.17561)).toBe('0.176');
    expect(weightNumber(12.345)).toBe('12.3');
    expect(weightNumber(0)).toBe('0');
    expect(weightNumber(0.5)).toBe('0.5');
  });
  it('switches to an exponent for very small and very large values', () => {
    expect(weightNumber(1.234e-5)).toBe('1.23e-5');
    expect(weightNumber(-2e-7)).toBe('−2e-7');
    expect(weightNumber(3.5e6)).toBe('3.5e+6');
    expect(weightNumber(NaN)).toBe('–');
  });
});

describe('weightRows', () => {
  it('lists min, max, mean, std and the sparsity; tiny only when it differs from zeros', () => {
    const r = weightRows(eight);
    expect(r.map((x) => x.key)).toEqual(['min', 'max', 'mean', 'std', 'zeros']);
    expect(r.map((x) => x.text)).toEqual(['−1', '2', '0.563', '0.845', '25%']);
  });
  it('adds |w| < 1e-6 and the non-finite count when there are any', () => {
    const r = weightRows({ ...eight, count: 10, non_finite: 2, tiny: 0.375 });
    expect(r.slice(5)).toEqual([
      { key: 'tiny', value: 0.375, text: '37.5%' },
      { key: 'nonFinite', value: 2, text: '2 / 10' },
    ]);
  });
});

describe('histogramBars', () => {
  it('gives each bin an equal width and a height proportional to its count', () => {
    const b = histogramBars(eight, 200, 80, { gap: 2 });
    expect(b.map((x) => x.x)).toEqual([0, 50, 100, 150]);
    expect(b.map((x) => x.w)).toEqual([48, 48, 48, 48]);
    expect(b.map((x) => x.h)).toEqual([20, 40, 80, 20]);
    expect(b.map((x) => x.y)).toEqual([60, 40, 0, 60]);
    expect(b.map((x) => [x.lo, x.hi])).toEqual([[-1, -0.25], [-0.25, 0.5], [0.5, 1.25], [1.25, 2]]);
  });
  it('keeps a bin of one value visible beside a big one, and an empty bin flat', () => {
    const b = histogramBars({ counts: [10000, 1, 0], edges: [0, 1, 2, 3] }, 30, 50, { minH: 2 });
    expect(b.map((x) => x.h)).toEqual([50, 2, 0]);
  });
  it('draws a tensor of one value as one full bar, and nothing without bins', () => {
    expect(histogramBars({ counts: [5], edges: [0.3, 0.3] }, 100, 40)).toMatchObject([{ x: 0, h: 40, lo: 0.3, hi: 0.3 }]);
    expect(histogramBars({ counts: [], edges: [] }, 100, 40)).toEqual([]);
  });
});

describe('zeroX', () => {
  it('places w = 0 between min and max, and nowhere outside them', () => {
    expect(zeroX(eight, 300)).toBe(100);
    expect(zeroX({ min: 0.1, max: 2 }, 300)).toBeNull();
    expect(zeroX({ min: 0, max: 2 }, 300)).toBeNull();
  });
});
