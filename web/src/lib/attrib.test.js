import { describe, it, expect } from 'vitest';
import { explainQuery, splitLines, mapScale, colorOf, mapRGBA, camLayers, legendStops } from './attrib.js';

describe('attribution maps', () => {
  it('build the query: class and layer only when given, gradcam only for the layer', () => {
    expect(explainQuery({ method: 'saliency' })).toBe('method=saliency&stream=1');
    expect(explainQuery({ method: 'gradcam', cls: 3, layer: 'conv_2', example: 'a b.png' })).toBe('method=gradcam&class=3&layer=conv_2&example=a+b.png&stream=1');
    expect(explainQuery({ method: 'ig', cls: 0, layer: 'conv_2' })).toBe('method=ig&class=0&stream=1');
    expect(explainQuery({ method: 'ig', pre: { mean: [1, 2, 3] } })).toContain('mean=1%2C2%2C3');
  });

  it('split an NDJSON stream at line ends, keeping a partial line', () => {
    expect(splitLines('{"done":1,"total":4}\n{"done":2')).toEqual({ lines: [{ done: 1, total: 4 }], rest: '{"done":2' });
    expect(splitLines('\n{"result":{"map":[1]}}\n')).toEqual({ lines: [{ result: { map: [1] } }], rest: '' });
  });

  it('scale a non-negative map from 0 to its max, a signed one symmetrically', () => {
    expect(mapScale([0, 0.5, 2])).toEqual({ signed: false, lo: 0, hi: 2, max: 2 });
    expect(mapScale([-3, 1, null])).toEqual({ signed: true, lo: -3, hi: 3, max: 3 });
    expect(mapScale([0, 0])).toEqual({ signed: false, lo: 0, hi: 1, max: 1 });
  });

  it('colour by value with the magnitude as alpha', () => {
    const s = mapScale([0, 1, 2]);
    expect(colorOf(0, s)[3]).toBe(0);
    expect(colorOf(2, s)[3]).toBe(255);
    expect(colorOf(1, s)[3]).toBe(128);
    // Inferno: black at 0, pale yellow at the top.
    expect(colorOf(0, s).slice(0, 3)).toEqual([0, 0, 4]);
    expect(colorOf(2, s)[0]).toBeGreaterThan(240);
    const d = mapScale([-1, 1]);
    const [r1, , b1] = colorOf(1, d); // a drop: red
    const [r2, , b2] = colorOf(-1, d); // a rise: blue
    expect(r1).toBeGreaterThan(b1);
    expect(b2).toBeGreaterThan(r2);
    expect(colorOf(0, d)[3]).toBe(0);
    const px = mapRGBA([0, 2]);
    expect([...px.slice(4)]).toEqual(colorOf(2, mapScale([0, 2])));
    expect(legendStops(s)).toMatch(/^linear-gradient\(to right, rgb\(0, 0, 4\) 0%/);
  });

  it('offer the map columns for Grad-CAM', () => {
    const cols = [{ kind: 'input', name: 'in', shape: [3, 4, 4] }, { kind: 'map', name: 'c1', shape: [8, 4, 4] }, { kind: 'vector', name: 'fc', shape: [10] }, { kind: 'output', name: 'output' }];
    expect(camLayers(cols)).toEqual(['c1']);
  });
});
