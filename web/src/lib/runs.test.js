import { describe, it, expect } from 'vitest';
import { sourceKey, pickSource, uploadName, pastedImage, addUpload, worthPrefetching, ExampleRuns, lazyPart, MAX_UPLOADS, expandedValues, cutExpanded } from './runs.js';

describe('image sources', () => {
  const m = { examples: ['a.png', 'b.png'] };
  const up = { upload: { name: 'cat.jpg' } };
  it('keys examples and uploads apart', () => {
    expect(sourceKey(null)).toBe('');
    expect(sourceKey({ example: 'a.png' })).toBe('example:a.png');
    expect(sourceKey(up)).toBe('upload:cat.jpg');
  });
  it('picks the example asked for, else the current upload, else the first example', () => {
    expect(pickSource(m, 'b.png', up)).toEqual({ example: 'b.png' });
    expect(pickSource(m, 'z.png', up)).toBe(up);
    expect(pickSource(m, '', { example: 'b.png' })).toEqual({ example: 'a.png' });
    expect(pickSource({ examples: [] }, 'a.png', null)).toBe(null);
  });
  it('names pasted images by their type', () => {
    expect(uploadName({ name: 'x.png', type: 'image/png' })).toBe('x.png');
    expect(uploadName({ name: '', type: 'image/jpeg' })).toBe('pasted-image.jpg');
    expect(uploadName({ name: '', type: 'image/webp' })).toBe('pasted-image.webp');
    expect(uploadName({ name: '', type: '' })).toBe('pasted-image.png');
  });
  it('takes the image among pasted files', () => {
    const txt = { type: 'text/plain' };
    const img = { type: 'image/png' };
    expect(pastedImage({ files: [txt, img] })).toBe(img);
    expect(pastedImage({ files: [txt] })).toBe(txt);
    expect(pastedImage({ files: [] })).toBe(undefined);
    expect(pastedImage(null)).toBe(undefined);
  });
  it('keeps the newest uploads once each', () => {
    const us = Array.from({ length: MAX_UPLOADS }, (_, i) => ({ name: `u${i}` }));
    expect(addUpload(us, us[3])).toBe(us);
    const n = { name: 'new' };
    const next = addUpload(us, n);
    expect(next.length).toBe(MAX_UPLOADS);
    expect(next[0]).toBe(us[1]);
    expect(next.at(-1)).toBe(n);
  });
  it('prefetches only for a small response of a model under 1 G MACs', () => {
    const m = { runnable: true, macs: 1e9 };
    expect(worthPrefetching(m, null)).toBe(false);
    expect(worthPrefetching(m, { bytes: 2 << 20 })).toBe(true);
    expect(worthPrefetching(m, { bytes: (2 << 20) + 1 })).toBe(false);
    expect(worthPrefetching({ runnable: true, macs: 1e9 + 1 }, { bytes: 10 })).toBe(false);
    expect(worthPrefetching({ runnable: false, macs: 10 }, { bytes: 10 })).toBe(false);
    expect(worthPrefetching({ runnable: true }, { bytes: 10 })).toBe(false);
  });
});

describe('ExampleRuns', () => {
  function fake(fail = new Set()) {
    const calls = [];
    const run = (id, name, opts) => {
      calls.push([id, name, opts.priority ?? '']);
      return fail.has(name) ? Promise.reject(new Error(`no ${name}`)) : Promise.resolve({ id, name });
    };
    return { calls, runs: new ExampleRuns(run) };
  }
  it('runs an example once and answers the same promise again', async () => {
    const { calls, runs } = fake();
    const p = runs.get('m', 'a.png');
    expect(runs.get('m', 'a.png')).toBe(p);
    expect(await p).toEqual({ id: 'm', name: 'a.png' });
    runs.get('n', 'a.png');
    expect(calls).toEqual([['m', 'a.png', ''], ['n', 'a.png', '']]);
  });
  it('forgets a failed run, so the next request tries again', async () => {
    const { calls, runs } = fake(new Set(['bad.png']));
    await expect(runs.get('m', 'bad.png')).rejects.toThrow('no bad.png');
    await expect(runs.get('m', 'bad.png')).rejects.toThrow('no bad.png');
    expect(calls.length).toBe(2);
  });
  it('warms one example at low priority, once, and forgets a failure', async () => {
    const { calls, runs } = fake(new Set(['b.png']));
    await runs.get('m', 'a.png');
    await runs.warm('m', 'a.png'); // kept: no request
    await runs.warm('m', 'c.png');
    await runs.warm('m', 'c.png');
    await expect(runs.warm('m', 'b.png')).rejects.toThrow('no b.png');
    expect(calls).toEqual([['m', 'a.png', ''], ['m', 'c.png', 'low'], ['m', 'b.png', 'low']]);
    expect(runs.cache.has('m\nb.png')).toBe(false);
    // a click after the warm-up uses the kept run
    await runs.get('m', 'c.png');
    expect(calls.length).toBe(3);
  });
  it('keeps the runs of another preprocessing apart and passes it to the run', async () => {
    const seen = [];
    const runs = new ExampleRuns((id, name, opts) => (seen.push(opts.pre), Promise.resolve({ name, pre: opts.pre })));
    const pre = { mean: [0.5], std: [0.5] };
    const own = await runs.get('m', 'a.png');
    const other = await runs.get('m', 'a.png', pre);
    expect(own.pre).toBeNull();
    expect(other.pre).toBe(pre);
    await runs.get('m', 'a.png', { mean: [0.5], std: [0.5] }); // the same numbers: kept
    expect(seen).toEqual([null, pre]);
  });
});

describe('lazyPart', () => {
  it('loads once, and again after a failure', async () => {
    let n = 0;
    let fail = true;
    const got = [];
    const errors = [];
    const load = lazyPart(
      () => {
        n++;
        return fail ? Promise.reject(new Error('offline')) : Promise.resolve('C');
      },
      (c) => got.push(c),
      (e) => errors.push(e.message),
    );
    await load();
    expect(errors).toEqual(['offline']);
    fail = false;
    await load();
    await load();
    expect(n).toBe(2);
    expect(got).toEqual(['C']);
  });
});

describe('expanded columns', () => {
  const cols = [
    { value: 'conv1', expanded: true, shown: 20 },
    { value: 'conv2', expanded: false, shown: 16 },
    { value: 'conv3', expanded: true, shown: 8 },
  ];
  const runWith = (ch) => ({ values: new Map(Object.entries(ch).map(([k, channels]) => [k, { channels }])) });
  it('lists the expanded values', () => {
    expect(expandedValues(cols)).toEqual(['conv1', 'conv3']);
    expect(expandedValues([])).toEqual([]);
  });
  it('finds an expanded column the run cut', () => {
    expect(cutExpanded(cols, runWith({ conv1: 20, conv2: 16, conv3: 8 }))).toBe(false);
    expect(cutExpanded(cols, runWith({ conv1: 16, conv2: 16, conv3: 8 }))).toBe(true);
    // a collapsed column may be cut
    expect(cutExpanded(cols, runWith({ conv1: 20, conv2: 1, conv3: 8 }))).toBe(false);
    // a value the run lacks counts as cut
    expect(cutExpanded(cols, runWith({ conv1: 20 }))).toBe(true);
  });
});
