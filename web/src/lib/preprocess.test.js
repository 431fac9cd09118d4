import { describe, it, expect } from 'vitest';
import { normalPre, inputRange, conventionOf, parseNums, fmtNums, preParams, checkPre, channelOrder, samePre, CONVENTIONS } from './preprocess.js';

describe('preprocessing', () => {
  it('spells out the defaults as the API does', () => {
    expect(normalPre({})).toEqual({ mean: [0, 0, 0], std: [1, 1, 1], scale: 1, bgr: false, resize: 'crop' });
    expect(normalPre({ mean: [127.5], std: [127.5], scale: 255 }).mean).toEqual([127.5, 127.5, 127.5]);
  });

  it('gives the input tensor range of black and white pixels, by hand', () => {
    expect(inputRange(null)).toEqual([0, 1]);
    // [-1, 1]: (0 − 127.5)/127.5 and (255 − 127.5)/127.5.
    expect(inputRange({ mean: [127.5], std: [127.5], scale: 255 })).toEqual([-1, 1]);
    // torchvision: the lowest is R's (0 − 0.485)/0.229 = −2.1179, the highest B's (1 − 0.406)/0.225 = 2.64.
    const [lo, hi] = inputRange({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(lo).toBeCloseTo(-2.117904, 5);
    expect(hi).toBeCloseTo(2.64, 5);
    // Caffe: 0 − 123 and 255 − 104.
    expect(inputRange({ mean: [104, 117, 123], scale: 255, bgr: true })).toEqual([-123, 151]);
    // A one-channel model uses the first mean and std only.
    expect(inputRange({ mean: [104, 117, 123], scale: 255 }, 1)).toEqual([-104, 151]);
  });

  it('recognises the documented conventions', () => {
    expect(conventionOf(null)).toBe('unit');
    expect(conventionOf({ mean: [0.5], std: [0.5] })).toBe('custom');
    expect(conventionOf({ mean: [127.5, 127.5, 127.5], std: [127.5], scale: 255, resize: 'stretch' })).toBe('tf');
    expect(conventionOf({ mean: [104, 117, 123], std: [1, 1, 1], scale: 255, bgr: true })).toBe('caffe');
    expect(new Set(CONVENTIONS.map((c) => c.id)).size).toBe(CONVENTIONS.length);
    expect(samePre({ std: [2] }, { std: [2, 2, 2] })).toBe(true);
    expect(samePre({ std: [2] }, { std: [2, 2, 2], resize: 'stretch' })).toBe(false);
  });

  it('reads and writes the fields', () => {
    expect(parseNums('0.485, 0.456 0.406')).toEqual([0.485, 0.456, 0.406]);
    expect(parseNums(' 127.5 ')).toEqual([127.5]);
    expect(parseNums('1, 2')).toBeNull();
    expect(parseNums('a')).toBeNull();
    expect(fmtNums([127.5, 127.5, 127.5])).toBe('127.5');
    expect(fmtNums([0.485, 0.456, 0.406])).toBe('0.485, 0.456, 0.406');
    expect(checkPre({ mean: [0], std: [0], scale: 1 })).toBe('pre.bad.std');
    expect(checkPre({ mean: null, std: [1], scale: 1 })).toBe('pre.bad.mean');
    expect(checkPre({ mean: [0], std: [1], scale: 0 })).toBe('pre.bad.scale');
    expect(checkPre({ mean: [0], std: [1], scale: 255 })).toBe('');
    expect(channelOrder({ bgr: true })).toEqual(['B', 'G', 'R']);
  });

  it('builds the run parameters (none for the model’s own)', () => {
    expect(preParams(null)).toEqual([]);
    expect(new URLSearchParams(preParams({ mean: [104, 117, 123], scale: 255, bgr: true })).toString()).toBe('mean=104%2C117%2C123&std=1%2C1%2C1&scale=255&bgr=true&resize=crop');
  });
});
