import { describe, it, expect } from 'vitest';
import { edgePath, edgesInto, meshOf, drawMesh, MESH_STYLE } from './edges.js';
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

  it('gathers the background mesh per column, every edge inside its box', () => {
    const cols = buildColumns(tinyvgg);
    const geo = computeGeometry(cols, { width: 1920, height: 900 });
    const mesh = meshOf(cols, geo);
    expect(mesh).toHaveLength(11);
    expect(mesh.map((m) => m.count)).toEqual([30, 10, 100, 10, 10, 100, 10, 100, 10, 10, 100]);
    for (const { pts, box } of mesh) {
      for (let j = 0; j < pts.length; j += 2) {
        expect(pts[j]).toBeGreaterThan(box.x);
        expect(pts[j]).toBeLessThan(box.x + box.w);
        expect(pts[j + 1]).toBeGreaterThan(box.y);
        expect(pts[j + 1]).toBeLessThan(box.y + box.h);
      }
    }
  });

  it('draws on a canvas the curves edgesInto describes, moved into the box and scaled by dpr', () => {
    const cols = buildColumns(tinyvgg);
    const geo = computeGeometry(cols, { width: 1366, height: 700 });
    const link = linkHorizontal().digits(null);
    for (const m of meshOf(cols, geo)) {
      const calls = [];
      const ctx = new Proxy({}, { get: (_, name) => (...a) => calls.push([name, ...a]), set: (_, name, v) => (calls.push([`set ${name}`, v]), true) });
      drawMesh(ctx, m, 2);
      expect(calls[2]).toEqual(['setTransform', 2, 0, 0, 2, -m.box.x * 2, -m.box.y * 2]);
      // The path, rebuilt from the calls, is d3.linkHorizontal's for the edges into the column's neurons, in order.
      const d = calls.filter(([n]) => n === 'moveTo' || n === 'bezierCurveTo').map(([n, ...a]) => (n === 'moveTo' ? 'M' : 'C') + a.join(',')).join('');
      const expected = [];
      for (let i = 0; i < geo.columns[m.col].neurons.length; i++) {
        for (const e of edgesInto(cols, geo, m.col, i)) {
          const [sc, k] = e.from;
          const s = geo.columns[sc].neurons[k];
          const t = geo.columns[m.col].neurons[i];
          expected.push(link({ source: [cols[sc].kind === 'output' ? s.x : s.x + s.w, s.cy], target: [cols[m.col].kind === 'output' ? t.x - 4 : t.x, t.cy] }));
        }
      }
      expect(d).toBe(expected.join(''));
      expect(calls.at(-1)).toEqual(['stroke']);
      expect(calls).toContainEqual(['set strokeStyle', MESH_STYLE.strokeStyle]);
    }
  });
});
