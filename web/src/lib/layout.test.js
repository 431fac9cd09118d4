import { describe, it, expect } from 'vitest';
import { buildColumns, computeGeometry, incoming, neuronCount, gapWeight, OUTPUT_INFO_SLOTS } from './layout.js';
import { legendBoxes } from './legend.js';
import { scaleGroups } from './colors.js';
import tinyvgg from './testdata/tinyvgg.json';
import { CONV, ADD, CONCAT, DROPOUT, MAXPOOL, FLATTEN, DENSE, SOFTMAX, PAD } from './testdata/traits.js';

// A small DAG with a residual add, a concat, a depthwise conv, a hidden dense
// layer and 40 channels (more than drawn).
const dag = {
  classes: 3, logits: 'fc2', probabilities: 'prob', labels: ['a', 'b', 'c'],
  inputs: [{ name: 'data', shape: [3, 16, 16] }],
  layers: [
    { name: 'c1', op: 'Conv', traits: CONV, type: 'Conv', inputs: ['data'], outputs: ['c1'], shape: [8, 16, 16], attrs: { groups: 1 } },
    { name: 'dw', op: 'Conv', traits: CONV, type: 'Conv', inputs: ['c1'], outputs: ['dw'], shape: [8, 16, 16], attrs: { groups: 8 } },
    { name: 'add', op: 'Add', traits: ADD, type: 'Add', inputs: ['c1', 'dw'], outputs: ['add'], shape: [8, 16, 16] },
    { name: 'c2', op: 'Conv', traits: CONV, type: 'Conv', inputs: ['add'], outputs: ['c2'], shape: [32, 16, 16], attrs: { groups: 1 } },
    { name: 'cat', op: 'Concat', traits: CONCAT, type: 'Concat', inputs: ['add', 'c2'], outputs: ['cat'], shape: [40, 16, 16] },
    { name: 'drop', op: 'Dropout', traits: DROPOUT, type: 'Dropout', inputs: ['cat'], outputs: ['drop'], shape: [40, 16, 16] },
    { name: 'pool', op: 'MaxPool', traits: MAXPOOL, type: 'MaxPool', inputs: ['drop'], outputs: ['pool'], shape: [40, 8, 8] },
    { name: 'flat', op: 'Flatten', traits: FLATTEN, type: 'Flatten', inputs: ['pool'], outputs: ['flat'], shape: [2560] },
    { name: 'fc1', op: 'Dense', traits: DENSE, type: 'Dense', inputs: ['flat'], outputs: ['fc1'], shape: [64] },
    { name: 'fc2', op: 'Dense', traits: DENSE, type: 'Dense', inputs: ['fc1'], outputs: ['fc2'], shape: [3] },
    { name: 'prob', op: 'Softmax', traits: SOFTMAX, type: 'Softmax', inputs: ['fc2'], outputs: ['prob'], shape: [3] },
  ],
};

const names = (cols) => cols.map((c) => c.name);

describe('columns', () => {
  it('gives Tiny VGG the original 12 columns', () => {
    const cols = buildColumns(tinyvgg);
    expect(names(cols)).toEqual(['input', 'conv_1_1', 'relu_1_1', 'conv_1_2', 'relu_1_2', 'max_pool_1', 'conv_2_1', 'relu_2_1', 'conv_2_2', 'relu_2_2', 'max_pool_2', 'output']);
    expect(cols.map(neuronCount)).toEqual([3, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    const out = cols.at(-1);
    expect(out.kind).toBe('output');
    expect(out.sources).toEqual([{ col: 10, mode: 'full', offset: 0 }]);
    expect(out.labels).toHaveLength(10);
  });

  it('folds passthrough layers and handles DAGs', () => {
    const cols = buildColumns(dag, { maxMaps: 16 });
    expect(names(cols)).toEqual(['data', 'c1', 'dw', 'add', 'c2', 'cat', 'pool', 'fc1', 'output']);
    const byName = Object.fromEntries(cols.map((c, i) => [c.name, i]));
    expect(cols[byName.cat].shown).toBe(16);
    expect(cols[byName.cat].channels).toBe(40);
    expect(cols[byName.pool].sources[0].col).toBe(byName.cat); // through Dropout
    expect(cols[byName.fc1].kind).toBe('vector');
    expect(cols[byName.fc1].sources[0].col).toBe(byName.pool); // through Flatten
    expect(cols.at(-1).sources[0].col).toBe(byName.fc1);
    expect(cols[byName.dw].sources[0].mode).toBe('one');
  });

  it('expands a column to all its maps (up to maxExpanded) and offers the expander only where it helps', () => {
    const cols = buildColumns(dag, { maxMaps: 16, expanded: new Set(['cat']), maxExpanded: 64 });
    const i = Object.fromEntries(cols.map((c, k) => [c.name, k]));
    expect(cols[i.cat].shown).toBe(40); // all 40 concatenated channels
    expect(cols[i.cat].expanded).toBe(true);
    expect(cols[i.pool].shown).toBe(16); // its neighbour keeps the cap
    expect(incoming(cols, i.cat, 20)).toEqual([[i.c2, 12]]); // channel 20 = c2's 12 (after add's 8), drawn now
    expect(incoming(cols, i.cat, 30)).toEqual([]); // c2's channel 22 is not drawn (c2 is not expanded)
    const geo = computeGeometry(cols, { width: 1400, height: 700, measure: (s) => s.length * 7 });
    expect(geo.columns[i.cat].more).toBeNull(); // nothing left to count
    expect(geo.columns[i.pool].more).toMatchObject({ count: 24, expandable: true });
    const capped = buildColumns(dag, { maxMaps: 16, expanded: new Set(['cat']), maxExpanded: 20 });
    const g2 = computeGeometry(capped, { width: 1400, height: 700, measure: (s) => s.length * 7 });
    expect(g2.columns[i.cat].more).toMatchObject({ count: 20, expandable: false });
  });

  it('keeps room under the output rows for the classes line and the warning', () => {
    const cols = buildColumns(tinyvgg, { maxMaps: 16 });
    for (const [w, h, compact] of [[1366, 600, false], [390, 500, true]]) {
      const geo = computeGeometry(cols, { width: w, height: h, compact, measure: (s) => s.length * 7 });
      const rows = geo.columns.at(-1).neurons;
      const free = geo.rowsBottom - (rows.at(-1).y + rows.at(-1).h);
      // 10 rows and OUTPUT_INFO_SLOTS free slots share the rows' area.
      expect(free).toBeGreaterThanOrEqual(((geo.rowsBottom - geo.rowsTop) / (10 + OUTPUT_INFO_SLOTS)) * (OUTPUT_INFO_SLOTS + 0.5) - 12);
      expect(free).toBeGreaterThan(60);
    }
  });

  it('connects neurons as the operators do', () => {
    const cols = buildColumns(dag, { maxMaps: 16 });
    const i = Object.fromEntries(cols.map((c, k) => [c.name, k]));
    expect(incoming(cols, i.c1, 0)).toHaveLength(3); // full conv from 3 channels
    expect(incoming(cols, i.dw, 5)).toEqual([[i.c1, 5]]); // depthwise
    expect(incoming(cols, i.add, 2)).toEqual([[i.c1, 2], [i.dw, 2]]); // residual
    expect(incoming(cols, i.cat, 3)).toEqual([[i.add, 3]]); // first part of the concat
    expect(incoming(cols, i.cat, 10)).toEqual([[i.c2, 2]]); // second part, offset 8
    expect(incoming(cols, i.pool, 7)).toEqual([[i.cat, 7]]);
    expect(incoming(cols, i.fc1, 0)).toHaveLength(16); // the drawn pool maps
    expect(incoming(cols, cols.length - 1, 1)).toEqual([[i.fc1, 0]]);
  });

  it('draws an operator it has never heard of by its traits alone', () => {
    const model = {
      inputs: [{ name: 'data', shape: [3, 8, 8] }],
      layers: [
        { name: 'c', op: 'Conv', traits: CONV, inputs: ['data'], outputs: ['c'], shape: [4, 8, 8], attrs: { groups: 1 } },
        { name: 'hs', op: 'HardSwish', traits: { family: 'act', elementwise: true, channelwise: true, explain: 'relu' }, inputs: ['c'], outputs: ['hs'], shape: [4, 8, 8] },
        { name: 'gp', op: 'GlobalMaxPool', traits: { family: 'pool', channelwise: true, keeps_range: true }, inputs: ['hs'], outputs: ['gp'], shape: [4, 1, 1], attrs: { global: true } },
        { name: 'p', op: 'LpPool', traits: { family: 'pool', channelwise: true, keeps_range: true }, inputs: ['hs'], outputs: ['p'], shape: [4, 4, 4], attrs: {} },
        { name: 'v', op: 'View', traits: { family: 'shape', view: true, passthrough: true }, inputs: ['p'], outputs: ['v'], shape: [64] },
        { name: 'q', op: 'Mystery', inputs: ['p'], outputs: ['q'], shape: [4, 4, 4] },
      ],
    };
    const cols = buildColumns(model);
    const i = Object.fromEntries(cols.map((c, k) => [c.name, k]));
    expect(names(cols)).toEqual(['data', 'c', 'hs', 'gp', 'p', 'q']); // v passes through
    expect(cols[i.hs].sources[0].mode).toBe('one');
    expect(cols[i.hs].group).not.toBe(cols[i.c].group); // does not keep the range
    expect(cols[i.p].group).toBe(cols[i.hs].group); // keeps it
    expect(cols[i.q].sources[0].mode).toBe('full'); // no traits: nothing assumed
    expect([cols[i.gp].module, cols[i.p].module, cols[i.q].module]).toEqual([0, 0, 1]); // a windowed pool ends a module
  });

  it('groups layers for colour scales and modules', () => {
    const cols = buildColumns(tinyvgg);
    expect(cols.slice(1, 11).map((c) => c.group)).toEqual([0, 0, 1, 1, 1, 2, 2, 3, 3, 3]);
    expect(cols.slice(1, 11).map((c) => c.module)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(cols.map((c, k) => (k ? gapWeight(cols, k) : 0))).toEqual([0, 2.2, 1, 2.2, 1, 1, 2.2, 1, 2.2, 1, 1, 2.2]);
  });
});

function boxesOf(cols, geo) {
  const boxes = [];
  geo.columns.forEach((gc, ci) => gc.neurons.forEach((n, k) => boxes.push({ id: `${cols[ci].name}:${k}`, x: n.x, y: n.y, w: n.w, h: n.h })));
  return boxes;
}
function overlapping(boxes) {
  for (let a = 0; a < boxes.length; a++) {
    for (let b = a + 1; b < boxes.length; b++) {
      const p = boxes[a];
      const q = boxes[b];
      if (p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h) return [p.id, q.id];
    }
  }
  return null;
}

describe('geometry', () => {
  for (const [w, h, compact] of [[1920, 960, false], [1366, 640, false], [390, 640, true], [320, 300, true]]) {
    for (const [label, model] of [['Tiny VGG', tinyvgg], ['DAG', dag]]) {
      it(`${label} at ${w}×${h}: no neuron overlaps, everything inside`, () => {
        const cols = buildColumns(model);
        const geo = computeGeometry(cols, { width: w, height: h, detail: true, compact });
        const boxes = boxesOf(cols, geo);
        expect(overlapping(boxes)).toBeNull();
        for (const b of boxes) {
          expect(b.x).toBeGreaterThanOrEqual(0);
          expect(b.x + b.w).toBeLessThanOrEqual(geo.width);
          expect(b.y).toBeGreaterThanOrEqual(geo.rowsTop);
          expect(b.y + b.h).toBeLessThanOrEqual(geo.height);
        }
        // Column pitch never drops below the minimum that keeps headers apart.
        for (let i = 1; i < geo.columns.length; i++) expect(geo.columns[i].x - geo.columns[i - 1].x).toBeGreaterThanOrEqual(60);
      });
    }
  }

  it('fits Tiny VGG into 1366 and 1920 pixels without scrolling', () => {
    const cols = buildColumns(tinyvgg);
    for (const w of [1366, 1920]) {
      const geo = computeGeometry(cols, { width: w, height: 700 });
      expect(geo.contentWidth).toBeLessThanOrEqual(w);
      expect(geo.width).toBe(w);
    }
  });

  it('scrolls rather than squeezes on a phone', () => {
    const geo = computeGeometry(buildColumns(tinyvgg), { width: 390, height: 640, compact: true });
    expect(geo.width).toBeGreaterThan(390);
  });

  it('spreads the 3 input channels over the column like the original', () => {
    const geo = computeGeometry(buildColumns(tinyvgg), { width: 1920, height: 900 });
    const ys = geo.columns[0].neurons.map((n) => n.cy);
    const rows = geo.columns[1].neurons.map((n) => n.cy);
    expect(ys[1]).toBeCloseTo((rows[4] + rows[5]) / 2, 0);
    expect(ys[0]).toBeGreaterThan(rows[0]);
    expect(ys[2]).toBeLessThan(rows[9]);
  });

  it('reserves a slot for "+M more"', () => {
    const cols = buildColumns(dag, { maxMaps: 16 });
    const geo = computeGeometry(cols, { width: 1920, height: 800 });
    const cat = cols.findIndex((c) => c.name === 'cat');
    expect(geo.columns[cat].more.count).toBe(24);
    expect(geo.columns[cat].more.y).toBeGreaterThan(geo.columns[cat].neurons.at(-1).y + geo.box);
  });

  it('places legends under their columns without overlaps', () => {
    const cols = buildColumns(tinyvgg);
    const stats = new Map(cols.map((c) => [c.value, { min: -1, max: 1 }]));
    for (const mode of ['unit', 'module', 'global']) {
      for (const w of [1920, 1366, 390]) {
        const geo = computeGeometry(cols, { width: w, height: 640, compact: w < 700 });
        const boxes = legendBoxes(cols, geo, scaleGroups(cols, stats, mode).legends);
        const sorted = [...boxes].sort((a, b) => a.x - b.x);
        for (let i = 1; i < sorted.length; i++) expect(sorted[i].x).toBeGreaterThanOrEqual(sorted[i - 1].x + sorted[i - 1].width);
        const div = boxes.filter((b) => b.kind === 'diverging');
        expect(div).toHaveLength(mode === 'unit' ? 10 : mode === 'module' ? 2 : 1);
        // the low end, or, in a box too narrow for two labels, one centred ±max
        for (const b of div) expect(b.ticks.at(0)[1]).toBe(b.width >= 84 ? '−1.10' : '±1.10');
      }
    }
  });
});

describe('layers that copy the input image', () => {
  it('are drawn like the image: no colour scale of their own', () => {
    const model = {
      inputs: [{ name: 'img', shape: [3, 8, 8] }],
      layers: [
        { name: 'pad', op: 'Pad', traits: PAD, inputs: ['img'], outputs: ['pad'], shape: [3, 10, 10], attrs: {} },
        { name: 'conv', op: 'Conv', traits: CONV, inputs: ['pad'], outputs: ['conv'], shape: [4, 8, 8], attrs: { kernel: [3, 3], groups: 1 } },
        { name: 'pad2', op: 'Pad', traits: PAD, inputs: ['conv'], outputs: ['pad2'], shape: [4, 10, 10], attrs: {} },
      ],
    };
    const cols = buildColumns(model);
    const by = (n) => cols.find((c) => c.name === n);
    expect([!!by('pad').copiesInput, !!by('conv').copiesInput, !!by('pad2').copiesInput]).toEqual([true, false, false]);
    const stats = new Map(cols.map((c) => [c.value, { min: -1, max: 1 }]));
    const { ranges, legends } = scaleGroups(cols, stats, 'unit');
    expect(ranges.has(cols.indexOf(by('pad')))).toBe(false);
    expect(legends.map((l) => l.columns.map((i) => cols[i].name))).toEqual([['conv'], ['pad2']]);
  });
});

describe('folding in-place layers', () => {
  it('folds foldable layers into the column they read, and unfolds on demand', () => {
    const plain = buildColumns(tinyvgg);
    const folded = buildColumns(tinyvgg, { fold: true });
    const names = (cs) => cs.map((c) => c.name);
    // Tiny VGG's ReLUs are foldable: each folds into its conv
    expect(names(folded).filter((n) => n.startsWith('relu'))).toEqual([]);
    expect(folded.find((c) => c.name === 'conv_1_1').folded.map((f) => f.name)).toEqual(['relu_1_1']);
    expect(names(folded)).toEqual(names(plain).filter((n) => !n.startsWith('relu')));
    // the pool after a folded ReLU reads the conv's column
    const pool = folded.find((c) => c.name === 'max_pool_1');
    expect(folded[pool.sources[0].col].name).toBe('conv_1_2');
    const one = buildColumns(tinyvgg, { fold: true, unfolded: new Set(['conv_1_2']) });
    expect(names(one)).toContain('relu_1_2');
    expect(names(one)).not.toContain('relu_1_1');
  });
});
