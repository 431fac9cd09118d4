import { describe, it, expect } from 'vitest';
import { statusMaps, markOf, deltaRows, bytesToBase64, sideOf } from './compare.js';

const diff = {
  layers: [
    { status: 'same', a: { name: 'data' }, b: { name: 'data' } },
    { status: 'added', a: null, b: { name: 'conv3_4' } },
    { status: 'changed', a: { name: 'pool3' }, b: { name: 'pool3' } },
    { status: 'removed', a: { name: 'drop' }, b: null },
  ],
};

describe('compare', () => {
  it('marks the layers that differ on each side', () => {
    const m = statusMaps(diff);
    expect([...m.a.keys()]).toEqual(['data', 'pool3', 'drop']);
    expect([...m.b.keys()]).toEqual(['data', 'conv3_4', 'pool3']);
    const b = markOf(m.b);
    expect(b('data')).toBe(null);
    expect(b('conv3_4')).toEqual({ status: 'added', text: '+' });
    expect(markOf(m.a)('drop')).toEqual({ status: 'removed', text: '−' });
    expect(deltaRows(diff).map((l) => l.status)).toEqual(['added', 'changed', 'removed']);
  });
  it('builds the request sides', async () => {
    expect(bytesToBase64(new Uint8Array([0, 255, 10]))).toBe('AP8K');
    expect(await sideOf({ kind: 'preset', name: 'vgg16' })).toEqual({ preset: 'vgg16' });
    expect(await sideOf({ kind: 'file', name: 'a.prototxt', text: 'x' })).toEqual({ name: 'a.prototxt', text: 'x' });
    const f = new File([new Uint8Array([1, 2, 3])], 'm.onnx');
    expect(await sideOf({ kind: 'file', name: 'm.onnx', files: [f] })).toEqual({ name: 'm.onnx', data: 'AQID' });
  });
});

import { signed, cmpSource } from './compare.js';
describe('compare helpers', () => {
  it('writes deltas and reads the URL value', () => {
    expect(signed(1200, String)).toBe('+1200');
    expect(signed(-3, String)).toBe('−3');
    expect(signed(0, String)).toBe('0');
    expect(cmpSource('preset:vgg19')).toEqual({ kind: 'preset', name: 'vgg19' });
    expect(cmpSource('editor')).toEqual({ kind: 'editor' });
    expect(cmpSource('file:a.onnx')).toEqual({ kind: 'file', name: 'a.onnx' });
    expect(cmpSource('preset:')).toBe(null);
    expect(cmpSource('')).toBe(null);
  });
});
