import { describe, it, expect } from 'vitest';
import { edgePath, edgesInto, allEdges } from './edges.js';
import { buildColumns, computeGeometry } from './layout.js';
import tinyvgg from './testdata/tinyvgg.json';
import { linkHorizontal } from 'd3';

describe('edges', () => {
  it('draws a horizontal S-curve between two points', () => {
    expect(edgePath(0, 0, 100, 50)).toBe('M0,0C50,0,50,50,100,50');
    expect(edgePath(10, 5, 30, 5)).toBe('M10,5C20,5,20,5,30,5');
  });

  it('is the path d3.linkHorizontal draws, rounding included', () => {
    const link = linkHorizontal();
    let s = 12345;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2000 - 500;
    const cases = [[0.0004, 0.0005, 1.0015, -0.0025], [1 / 3, 2 / 3, 1e-7, 123.4565], [-0.5, 10.0005, 7.25, 7.25]];
    for (let i = 0; i < 500; i++) cases.push([rnd(), rnd(), rnd(), rnd()]);
    for (const [x1, y1, x2, y2] of cases) expect(edgePath(x1, y1, x2, y2)).toBe(link({ source: [x1, y1], target: [x2, y2] }));
  });

  it('connects a conv neuron to every previous map and a ReLU neuron to one', () => {
    const cols = buildColumns(tinyvgg);
    const geo = computeGeometry(cols, { width: 1920, height: 900 });
    const conv12 = cols.findIndex((c) => c.name === 'conv_1_2');
    const e = edgesInto(cols, geo, conv12, 3);
    expect(e).toHaveLength(10);
    const src = geo.columns[conv12 - 1].neurons[0];
    const dst = geo.columns[conv12].neurons[3];
    expect(e[0].d.startsWith(`M${src.x + src.w},${src.cy}C`)).toBe(true);
    expect(e[0].d.endsWith(`${dst.x},${dst.cy}`)).toBe(true);
    expect(edgesInto(cols, geo, conv12 + 1, 3).map((x) => x.from)).toEqual([[conv12, 3]]);
    const conv11 = edgesInto(cols, geo, 1, 0);
    expect(conv11.map((x) => x.from)).toEqual([[0, 0], [0, 1], [0, 2]]);
  });

  it('combines the background mesh into one path per column', () => {
    const cols = buildColumns(tinyvgg);
    const geo = computeGeometry(cols, { width: 1920, height: 900 });
    const mesh = allEdges(cols, geo);
    expect(mesh).toHaveLength(11);
    expect(mesh.map((m) => m.count)).toEqual([30, 10, 100, 10, 10, 100, 10, 100, 10, 10, 100]);
  });
});
