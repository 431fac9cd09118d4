import { describe, it, expect } from 'vitest';
import { parseCount, isDefault, countQuery, countLabel, countView } from './count.js';

describe('counting conventions', () => {
  it('parses and names them', () => {
    expect(parseCount('flops', 'pool, BIAS,x')).toEqual({ count: 'flops', include: ['bias', 'pool'] });
    expect(parseCount('', 'all').include).toEqual(['bias', 'norm', 'act', 'pool', 'merge', 'other']);
    expect(parseCount('gmacs', '')).toEqual({ count: 'macs', include: [] });
    expect(isDefault(parseCount('macs', ''))).toBe(true);
    expect(isDefault(parseCount('macs', 'bias'))).toBe(false);
    expect(countQuery(parseCount('macs', ''))).toEqual({});
    expect(countQuery(parseCount('flops', 'norm,bias'))).toEqual({ count: 'flops', include: 'bias,norm' });
    expect(countLabel(parseCount('flops', 'norm'), 'FLOPs')).toBe('FLOPs+norm');
  });
  it('shows the ops figures in place of the MACs', () => {
    const a = { count: 'flops', include: [], macs: 10, ops: 20, layers: [{ macs: 4, ops: 8 }, { macs: 6, ops: 12 }] };
    const v = countView(a);
    expect(v.macs).toBe(20);
    expect(v.layers.map((l) => l.macs)).toEqual([8, 12]);
    expect(a.layers[0].macs).toBe(4);
    const d = { count: 'macs', include: [], macs: 10, ops: 10, layers: [] };
    expect(countView(d)).toBe(d);
  });
});
