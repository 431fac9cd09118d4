import { describe, it, expect } from 'vitest';
import { mergeProfile, metricOf, boxValues, heatScale, ramp } from './profile.js';
import { foldGraph } from './fold.js';

describe('mergeProfile', () => {
  const rows = [
    { name: 'data', index: 0, macs: 0 },
    { name: 'conv', index: 1, macs: 100, params: 30, activation_bytes: 400 },
    { name: 'relu', index: 2, macs: 0, activation_bytes: 400 },
  ];
  const profile = {
    layers: [
      { name: 'conv', ms: 2, share: 0.8, gflops: 1e-4 },
      { name: 'relu', ms: 0, share: 0, gflops: 0, fused: true },
    ],
  };
  it('adds ms, share, GFLOP/s and fused by name, and leaves the input alone', () => {
    const m = mergeProfile(rows, profile);
    expect(m[0]).toBe(rows[0]);
    expect(m[1]).toMatchObject({ ms: 2, share: 0.8, gflops: 1e-4, fused: false, macs: 100 });
    expect(m[2].fused).toBe(true);
    expect(mergeProfile(rows, null)).toBe(rows);
  });
  it('reads each metric', () => {
    const m = mergeProfile(rows, profile);
    expect([metricOf(m[1], 'time'), metricOf(m[1], 'macs'), metricOf(m[1], 'params'), metricOf(m[1], 'memory')]).toEqual([2, 100, 30, 400]);
    expect(metricOf(m[0], 'time')).toBe(0);
  });
  it('sums a box over the layers drawn in it', () => {
    const g = { outputs: ['relu'], nodes: [
      { name: 'data', inputs: [], traits: {} },
      { name: 'conv', inputs: ['data'], traits: {} },
      { name: 'relu', inputs: ['conv'], in_place: true, traits: {} },
    ] };
    const f = foldGraph(g);
    const by = new Map(rows.map((r) => [r.name, r]));
    const v = boxValues(f.groups, by, 'memory');
    expect(v.get('conv')).toBe(800); // conv 400 + its folded ReLU 400
    expect(v.get('data')).toBe(0);
  });
});

describe('heatScale', () => {
  it('is linear from 0 to the largest value within two decades', () => {
    const s = heatScale([0, 2, 10, 20]);
    expect(s.log).toBe(false);
    expect(s.position(10)).toBe(0.5);
    expect(s.position(20)).toBe(1);
    expect(s.colour(20).fill).toBe('#f3827a');
    expect(s.colour(0).fill).toBe('#f1f3f4'); // zero: grey
  });
  it('is logarithmic beyond two decades', () => {
    const s = heatScale([1, 10, 1000]);
    expect(s.log).toBe(true);
    expect(s.min).toBe(1);
    expect(s.position(1)).toBe(0);
    expect(s.position(1000)).toBeCloseTo(1, 12);
    expect(s.position(10)).toBeCloseTo(1 / 3, 12);
  });
  it('interpolates between the stops', () => {
    expect(ramp(0)).toBe('#fff6d5');
    expect(ramp(1)).toBe('#f3827a');
    // halfway between stop 0 (ff f6 d5) and stop 1 (fd e3 a0): t = 1/8
    expect(ramp(1 / 8)).toBe('#feedbb');
    expect(ramp(-1)).toBe('#fff6d5');
    expect(ramp(NaN)).toBe('#fff6d5');
  });
  it('copes with nothing positive', () => {
    const s = heatScale([0, 0]);
    expect(s.max).toBe(0);
    expect(s.colour(0).fill).toBe('#f1f3f4');
  });
});
