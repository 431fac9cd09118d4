import { describe, it, expect } from 'vitest';
import { trainConfig, archQuery, mergeState, curvePath, lossRange, kernelPixels, duration, confusionCells, probeLayers, DEFAULTS } from './train.js';

describe('trainConfig', () => {
  it('makes the request of the defaults', () => {
    expect(trainConfig(DEFAULTS)).toEqual({
      config: { arch: 'tinyvgg', dataset: 'fashion-mnist', blocks: 2, filters: 10, kernel: 3, input: 64, lr: 0.001, batch: 32, epochs: 1, augment: true, max_steps: 0 },
    });
  });
  it('leaves the dataset out for an upload and reads strings from inputs', () => {
    const { config } = trainConfig({ ...DEFAULTS, dataset: 'upload', input: '32', lr: '0.01', augment: false });
    expect(config.dataset).toBeUndefined();
    expect(config.input).toBe(32);
    expect(config.lr).toBe(0.01);
    expect(config.augment).toBe(false);
  });
  it('names the first field out of range', () => {
    expect(trainConfig({ ...DEFAULTS, kernel: 9 }).error).toEqual({ field: 'kernel', min: 1, max: 7 });
    expect(trainConfig({ ...DEFAULTS, input: 8 }).error.field).toBe('input');
    expect(trainConfig({ ...DEFAULTS, batch: 2.5 }).error.field).toBe('batch');
    expect(trainConfig({ ...DEFAULTS, lr: 0 }).error.field).toBe('lr');
  });
  it('archQuery', () => {
    expect(archQuery({ ...DEFAULTS, blocks: '1' }, 3)).toBe('blocks=1&filters=10&kernel=3&input=64&classes=3');
  });
});

describe('mergeState', () => {
  const full = { job: 1, from: 0, point_step: [1, 2], loss: [2, 1.5], accuracy: [0.1, 0.2] };
  it('appends the points new since the last event', () => {
    const next = { job: 1, from: 2, step: 3, point_step: [3], loss: [1.2], accuracy: [0.4] };
    const m = mergeState(full, next);
    expect(m.point_step).toEqual([1, 2, 3]);
    expect(m.loss).toEqual([2, 1.5, 1.2]);
    expect(m.accuracy).toEqual([0.1, 0.2, 0.4]);
    expect(m.step).toBe(3);
    expect(m.from).toBe(0);
  });
  it('replaces points from an earlier index (a resume dropped some)', () => {
    expect(mergeState(full, { job: 1, from: 1, point_step: [5], loss: [9], accuracy: [0] }).loss).toEqual([2, 9]);
  });
  it('asks for a reload when points are missing or the job changed', () => {
    expect(mergeState(full, { job: 1, from: 3, point_step: [], loss: [], accuracy: [] })).toBeNull();
    expect(mergeState(full, { job: 2, from: 1, point_step: [], loss: [], accuracy: [] })).toBeNull();
    expect(mergeState(null, { job: 2, from: 1, point_step: [], loss: [], accuracy: [] })).toBeNull();
    expect(mergeState(full, { ...full, job: 2 })).toEqual({ ...full, job: 2 });
  });
});

describe('curves', () => {
  it('scales points into the box, y up', () => {
    // x 0..10 → 0..100, y 0..2 → 50..0.
    expect(curvePath([0, 5, 10], [2, 1, 0], { width: 100, height: 50, xMax: 10, yLo: 0, yHi: 2 })).toBe('M0,0L50,25L100,50');
  });
  it('clamps and skips non-finite values', () => {
    expect(curvePath([0, 1, 2], [5, NaN, -1], { width: 10, height: 10, xMax: 2, yLo: 0, yHi: 1 })).toBe('M0,0L10,10');
  });
  it('lossRange', () => {
    expect(lossRange([2.3, 1], [0.5])).toEqual([0, 2.3]);
    expect(lossRange([0.01], [])).toEqual([0, 0.1]);
  });
});

describe('kernelPixels', () => {
  it('maps weights to colours around mid-grey, one image per filter', () => {
    // 2 filters of 1×1 over RGB: the largest |w| is 2 → ±127.5.
    const { size, images } = kernelPixels({ shape: [2, 3, 1, 1], data: [2, 0, -2, 1, -1, 0] });
    expect(size).toBe(1);
    expect([...images[0]]).toEqual([255, 128, 0, 255]); // 127.5+127.5, 127.5 (rounds to 128), 0
    expect([...images[1]]).toEqual([191, 64, 128, 255]); // 127.5 ± 63.75
  });
  it('averages other channel counts into grey', () => {
    const { images } = kernelPixels({ shape: [1, 2, 1, 1], data: [1, 0] });
    expect([...images[0]]).toEqual([191, 191, 191, 255]);
  });
});

describe('duration and confusion', () => {
  it('duration', () => {
    expect(duration(42.4)).toBe('42 s');
    expect(duration(185)).toBe('3 min 05 s');
    expect(duration(3720)).toBe('1 h 02 min');
    expect(duration(NaN)).toBe('');
  });
  it('confusionCells shades by row', () => {
    const { rows, accuracy } = confusionCells([[3, 1], [0, 0]]);
    expect(rows[0].map((c) => c.share)).toEqual([0.75, 0.25]);
    expect(rows[1].map((c) => c.share)).toEqual([0, 0]);
    expect(accuracy).toBe(0.75);
  });
  it('probeLayers keeps stacks of maps', () => {
    const v = (name, shape, op = 'Conv') => ({ name, node: name, op, shape, channels: shape[0], data: new Float32Array(1), min: 0, max: 1 });
    const got = probeLayers([v('input', [3, 8, 8], 'Input'), v('c', [10, 6, 6]), v('flat', [360, 1, 1], 'Flatten'), v('out', [3])], 4);
    expect(got.map((l) => [l.name, l.channels])).toEqual([['input', 3], ['c', 4]]);
  });
});
