import { describe, it, expect } from 'vitest';
import { decodeTensors, decodeRun, encodeTensors, dataStart } from './decode.js';

describe('binary responses', () => {
  it('aligns the data section to 4 bytes', () => {
    expect(dataStart(0)).toBe(4);
    expect(dataStart(1)).toBe(8);
    expect(dataStart(4)).toBe(8);
    expect(dataStart(5)).toBe(12);
  });

  it('round-trips a run with zero-copy views', () => {
    const a = new Float32Array([1, -2.5, 3]);
    const b = new Float32Array([0.25, 1e-7]);
    const buf = encodeTensors(
      ([oa, ob]) => ({ format: 'convscope-run/1', model: 'm', values: [
        { name: 'a', shape: [3], offset: oa, length: 3, min: -2.5, max: 3 },
        { name: 'b', shape: [2], offset: ob, length: 2, min: 1e-7, max: 0.25 },
      ] }),
      [a, b],
    );
    const run = decodeRun(buf);
    expect(run.header.model).toBe('m');
    expect([...run.values.get('a').data]).toEqual([1, -2.5, 3]);
    expect(run.values.get('b').data[1]).toBeCloseTo(1e-7, 12);
    expect(run.values.get('a').data.buffer).toBe(buf); // a view, not a copy
  });

  it('rejects truncated or inconsistent responses', () => {
    expect(() => decodeTensors(new ArrayBuffer(2))).toThrow(/short/);
    const bad = new ArrayBuffer(8);
    new DataView(bad).setUint32(0, 100, true);
    expect(() => decodeTensors(bad)).toThrow(/exceeds/);
    const buf = encodeTensors(() => ({ values: [{ name: 'x', offset: 0, length: 10 }] }), [new Float32Array(2)]);
    expect(() => decodeRun(buf)).toThrow(RangeError);
  });

  it('decodes a header with multi-byte UTF-8', () => {
    const buf = encodeTensors(() => ({ class: 'Café · ≥' }), []);
    expect(decodeTensors(buf).header.class).toBe('Café · ≥');
  });
});
