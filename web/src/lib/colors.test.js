import { describe, it, expect } from 'vitest';
import { rangeFromMaxAbs, divergingT, legendTicks, formatTick, fillPixels, makeLUT, scaleGroups, LUTS, channelExtent, cssGradient, lutCSS, lutRGB, lutT } from './colors.js';
import { buildColumns } from './layout.js';
import tinyvgg from './testdata/tinyvgg.json';

describe('legend range rule', () => {
  it('is 2·(0.1 + max|v|) rounded to 3 decimals, as the original', () => {
    expect(rangeFromMaxAbs(0.68)).toBe(1.56);
    expect(rangeFromMaxAbs(-1.31)).toBe(2.82);
    expect(rangeFromMaxAbs(0.12345)).toBe(0.446);
    expect(rangeFromMaxAbs(0)).toBe(0.2);
    expect(rangeFromMaxAbs(NaN)).toBe(0.2);
  });

  it('labels ±range/2, which is where the colours saturate', () => {
    const r = rangeFromMaxAbs(2.23);
    const [lo, mid, hi] = legendTicks(r);
    expect(lo).toBeCloseTo(-2.33, 10);
    expect(mid).toBe(0);
    expect(hi).toBeCloseTo(2.33, 10);
    expect(divergingT(lo, r)).toBe(0);
    expect(divergingT(hi, r)).toBe(1);
    expect(divergingT(0, r)).toBe(0.5);
    expect(divergingT(10, r)).toBe(1);
    expect(divergingT(-10, r)).toBe(0);
  });

  it('does not drift when the image changes (the original doubles its labels)', () => {
    const cols = buildColumns(tinyvgg);
    const statsA = new Map([['conv_1_1', { min: -0.5, max: 0.68 }], ['relu_1_1', { min: 0, max: 0.68 }]]);
    const statsB = new Map([['conv_1_1', { min: -2, max: 1 }], ['relu_1_1', { min: 0, max: 1 }]]);
    const a1 = scaleGroups(cols, statsA, 'unit');
    scaleGroups(cols, statsB, 'unit');
    const a2 = scaleGroups(cols, statsA, 'unit');
    expect(a2.legends).toEqual(a1.legends);
    const conv = cols.findIndex((c) => c.name === 'conv_1_1');
    expect(a1.ranges.get(conv)).toBe(1.56);
    expect(legendTicks(a1.ranges.get(conv)).map(formatTick)).toEqual(['−0.78', '0.00', '0.78']);
  });

  it('formats ticks with two decimals and a real minus', () => {
    expect(formatTick(-1.5)).toBe('−1.50');
    expect(formatTick(-0.001)).toBe('0.00');
    expect(formatTick(2.825)).toMatch(/^2\.8[23]$/);
  });
});

describe('scale modes', () => {
  const cols = buildColumns(tinyvgg);
  const maxes = { conv_1_1: 0.7, relu_1_1: 0.7, conv_1_2: 1.3, relu_1_2: 1.3, max_pool_1: 1.2, conv_2_1: 2.2, relu_2_1: 2.2, conv_2_2: 2.8, relu_2_2: 2.5, max_pool_2: 2.5 };
  const stats = new Map(Object.entries(maxes).map(([k, v]) => [k, { min: -v, max: v }]));
  const rangeOf = (res, name) => res.ranges.get(cols.findIndex((c) => c.name === name));

  it('unit: each layer its own range (issue 16: a pool map is not drawn on its conv\'s range)', () => {
    const res = scaleGroups(cols, stats, 'unit');
    expect(rangeOf(res, 'conv_1_2')).toBe(rangeFromMaxAbs(1.3));
    expect(rangeOf(res, 'relu_1_2')).toBe(rangeFromMaxAbs(1.3));
    expect(rangeOf(res, 'max_pool_1')).toBe(rangeFromMaxAbs(1.2));
    expect(rangeOf(res, 'relu_2_2')).toBe(rangeFromMaxAbs(2.5));
    expect(rangeOf(res, 'conv_2_1')).toBe(rangeFromMaxAbs(2.2));
    expect(res.legends.map((l) => l.columns.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('signed and constant legends', () => {
    const s = new Map([...stats, ['relu_1_1', { min: 0, max: 0.7 }], ['relu_1_2', { min: 0, max: 0 }], ['max_pool_1', { min: 0, max: 0 }]]);
    const unit = scaleGroups(cols, s, 'unit');
    const leg = (name) => unit.legends.find((l) => l.columns.includes(cols.findIndex((c) => c.name === name)));
    expect([leg('conv_1_1').signed, leg('relu_1_1').signed, leg('relu_1_2').signed]).toEqual([true, false, false]);
    expect([leg('conv_1_1').constant, leg('relu_1_1').constant, leg('relu_1_2').constant]).toEqual([null, null, 0]);
    // a module is constant only when all its maps hold the same one value
    const mod = scaleGroups(cols, s, 'module');
    expect(mod.legends.map((l) => l.constant)).toEqual([null, null]);
    const zero = new Map(cols.map((c) => [c.value, { min: 0, max: 0 }]));
    expect(scaleGroups(cols, zero, 'global').legends[0].constant).toBe(0);
    // without stats (no run yet) a legend is signed and not constant
    expect(scaleGroups(cols, new Map(), 'unit').legends[0]).toMatchObject({ signed: true, constant: null });
  });

  it('module: the blocks before and after max_pool_1', () => {
    const res = scaleGroups(cols, stats, 'module');
    expect(rangeOf(res, 'conv_1_1')).toBe(rangeFromMaxAbs(1.3));
    expect(rangeOf(res, 'max_pool_1')).toBe(rangeFromMaxAbs(1.3));
    expect(rangeOf(res, 'conv_2_1')).toBe(rangeFromMaxAbs(2.8));
    expect(res.legends.map((l) => l.columns.length)).toEqual([5, 5]);
  });

  it('global: one range for every hidden layer, none for input and output', () => {
    const res = scaleGroups(cols, stats, 'global');
    expect(new Set(res.ranges.values())).toEqual(new Set([rangeFromMaxAbs(2.8)]));
    expect(res.ranges.size).toBe(10);
    expect(res.legends).toHaveLength(1);
  });
});

describe('pixels', () => {
  it('maps values through a LUT with clamping', () => {
    const lut = makeLUT((t) => `rgb(${Math.round(t * 255)}, 0, ${255 - Math.round(t * 255)})`, 256);
    const out = new Uint8ClampedArray(4 * 4);
    fillPixels(out, new Float32Array([-1, 0, 1, NaN]), lut, -1, 1);
    expect([...out.slice(0, 4)]).toEqual([0, 0, 255, 255]);
    expect(out[4]).toBeGreaterThanOrEqual(127);
    expect(out[4]).toBeLessThanOrEqual(128);
    expect([...out.slice(8, 12)]).toEqual([255, 0, 0, 255]);
    expect(out[12]).toBe(0); // NaN drawn at the low end, never garbage
  });

  it('uses red for negative, white for zero, blue for positive activations', () => {
    const out = new Uint8ClampedArray(12);
    fillPixels(out, new Float32Array([-1, 0, 1]), LUTS.diverging, -1, 1);
    expect(out[0]).toBeGreaterThan(out[2]); // red
    expect(Math.min(out[4], out[5], out[6])).toBeGreaterThan(230); // white-ish (d3's basis spline gives ~(242, 239, 238))
    expect(out[10]).toBeGreaterThan(out[8]); // blue
  });

  it('draws input channels black (0) to white (1)', () => {
    const out = new Uint8ClampedArray(8);
    fillPixels(out, new Float32Array([0, 1]), LUTS.grey, 0, 1);
    expect(out[0]).toBeLessThan(10);
    expect(out[4]).toBeGreaterThan(245);
  });

  it('finds a channel extent and builds a gradient', () => {
    expect(channelExtent(new Float32Array([3, -1, 2]))).toEqual([-1, 3]);
    expect(channelExtent(new Float32Array([]))).toEqual([0, 0]);
    expect(cssGradient(LUTS.grey, 3)).toMatch(/^linear-gradient\(to right, rgb\(/);
  });
});

import { scaleInto } from './colors.js';
describe('scaleInto', () => {
  it('scales a map with nearest-neighbour sampling at an offset', () => {
    const lut = makeLUT((t) => `rgb(${Math.round(t * 255)}, 0, 0)`, 256);
    const stride = 6;
    const out = new Uint8ClampedArray(stride * 5 * 4);
    // A 2×2 map (0, 1 / 1, 0) into 4×4 pixels at (1, 1).
    scaleInto(out, stride, 1, 1, 4, 4, new Float32Array([0, 1, 1, 0]), 2, 2, lut, 0, 1);
    const red = (x, y) => out[4 * (y * stride + x)];
    expect([red(1, 1), red(2, 1), red(3, 1), red(4, 1)]).toEqual([0, 0, 255, 255]);
    expect([red(1, 3), red(2, 4), red(3, 3), red(4, 4)]).toEqual([255, 255, 0, 0]);
    expect(out[3]).toBe(0); // untouched outside the box
    expect(out[4 * (1 * stride + 1) + 3]).toBe(255);
  });

  it('shrinks maps and greys out missing values', () => {
    const stride = 3;
    const out = new Uint8ClampedArray(stride * 3 * 4);
    const v = Float32Array.from({ length: 36 }, (_, i) => i % 6); // 6×6, columns 0..5
    scaleInto(out, stride, 0, 0, 3, 3, v, 6, 6, LUTS.grey, 0, 5);
    // Column centres sample source columns 1, 3, 5.
    expect(out[0]).toBeLessThan(out[4]);
    expect(out[4]).toBeLessThan(out[8]);
    const out2 = new Uint8ClampedArray(4 * 4);
    scaleInto(out2, 2, 0, 0, 2, 2, new Float32Array(0), 1, 1, LUTS.grey, 0, 1);
    expect([...out2.slice(0, 4)]).toEqual([236, 237, 239, 255]);
  });
});

describe('value → CSS colour (lutCSS, the one lookup of the views)', () => {
  const L = LUTS.weights;
  const entry = (i) => `rgb(${L[4 * i]},${L[4 * i + 1]},${L[4 * i + 2]})`;

  it('maps lo, hi and the midpoint to the first, last and middle entries', () => {
    expect(lutCSS(L, -2, -2, 2)).toBe(entry(0));
    expect(lutCSS(L, 2, -2, 2)).toBe(entry(255));
    // (0 − (−2)) / 4 · 255 = 127.5 → 128
    expect(lutCSS(L, 0, -2, 2)).toBe(entry(128));
    // 1 on [−2, 2]: 0.75 · 255 = 191.25 → 191
    expect(lutCSS(L, 1, -2, 2)).toBe(entry(191));
    expect(lutRGB(L, 1, -2, 2)).toEqual([L[4 * 191], L[4 * 191 + 1], L[4 * 191 + 2]]);
  });

  it('clamps values outside the range', () => {
    expect(lutCSS(L, -9, -2, 2)).toBe(entry(0));
    expect(lutCSS(L, 9, -2, 2)).toBe(entry(255));
  });

  it('gives the middle colour for a zero span (min == max), never rgb(undefined…)', () => {
    // all weights of a layer zero: the range is [0, 0]; the ConvView copy
    // divided by hi − lo and produced "rgb(undefined,undefined,undefined)"
    for (const [v, lo, hi] of [[0, 0, 0], [3, 3, 3], [1, 2, 2], [5, 1, -1]]) {
      const c = lutCSS(L, v, lo, hi);
      expect(c).toMatch(/^rgb\(\d+,\d+,\d+\)$/);
      expect(c).toBe(entry(128));
    }
    expect(lutT(0, 0, 0)).toBe(0.5);
    // the same middle as fillPixels paints for a zero span
    const px = fillPixels(new Uint8ClampedArray(4), new Float32Array([0]), L, 0, 0);
    expect(lutCSS(L, 0, 0, 0)).toBe(`rgb(${px[0]},${px[1]},${px[2]})`);
  });

  it('takes the first entry for NaN, like fillPixels', () => {
    expect(lutCSS(L, NaN, -1, 1)).toBe(entry(0));
    expect(Number.isNaN(lutT(NaN, -1, 1))).toBe(true);
  });
});

// The colour tables are built without d3 (a quarter of the first script);
// d3-scale-chromatic itself is the oracle, at every one of the 256 entries
// and between them.
import * as d3 from 'd3';
import { interpolateScheme, SCHEMES } from './colors.js';
describe('colour schemes match d3-scale-chromatic', () => {
  it('interpolates each scheme exactly as d3 does', () => {
    for (const name of Object.keys(SCHEMES)) {
      const ours = interpolateScheme(name);
      const theirs = d3[`interpolate${name}`];
      for (let i = -2; i <= 1002; i++) expect(ours(i / 1000), `${name} at ${i / 1000}`).toBe(theirs(i / 1000));
      expect(SCHEMES[name]).toBe(d3[`scheme${name}`].at(-1).join('').replaceAll('#', ''));
    }
  });

  it('builds every table from them as from d3', () => {
    const fromD3 = {
      diverging: makeLUT(d3.interpolateRdBu),
      grey: makeLUT((t) => d3.interpolateGreys(1 - t)),
      orange: makeLUT((t) => d3.interpolateOranges(0.1 + 0.9 * t)),
      weights: makeLUT(d3.interpolateBrBG),
      positive: makeLUT((t) => d3.interpolateRdBu(0.5 + t / 2)),
    };
    expect(Object.keys(LUTS).sort()).toEqual(Object.keys(fromD3).sort());
    for (const [name, lut] of Object.entries(fromD3)) expect([...LUTS[name]], name).toEqual([...lut]);
  });
});
