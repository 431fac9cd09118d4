import { describe, it, expect } from 'vitest';
import { foldGraph, neighbours } from './fold.js';
import { compact, macs, bytes, shape, percent, grouped, siParts } from './format.js';
import { parseScopeHash, formatScopeHash } from './route.js';
import { sortRows, summarize, layerRows, size } from './table.js';
import { tokenize, highlight, errorPosition, looksLikeText } from './prototxt.js';
import { detail, boxOf, layoutGraph, estimateWidth, BOX } from './layout.js';
import { family } from './colors.js';
import { INPUT, CONV, BATCHNORM, RELU, ADD, DENSE, SOFTMAX, GLOBALPOOL } from '../lib/testdata/traits.js';

// The traits the server sends with each op of these graphs.
const TRAITS = { Input: INPUT, Conv: CONV, BatchNorm: BATCHNORM, Relu: RELU, Add: ADD, Dense: DENSE, Softmax: SOFTMAX };
const N = (name, op, inputs, extra = {}) => ({ name, op, type: op, traits: TRAITS[op], inputs, shape: [4, 8, 8], in_place: false, attrs: {}, ...extra });

// data → conv → bn(in place) → relu(in place) → {a, b} → add → relu2(in place) → fc → prob
const residual = {
  outputs: ['prob'],
  nodes: [
    N('data', 'Input', [], { shape: [3, 8, 8] }),
    N('conv', 'Conv', ['data']),
    N('bn', 'BatchNorm', ['conv'], { in_place: true }),
    N('relu', 'Relu', ['bn'], { in_place: true }),
    N('a', 'Conv', ['relu'], { shape: [4, 4, 4] }),
    N('b', 'Conv', ['relu'], { shape: [4, 4, 4] }),
    N('add', 'Add', ['a', 'b', 'b'], { shape: [4, 4, 4] }),
    N('relu2', 'Relu', ['add'], { in_place: true, shape: [4, 4, 4] }),
    // in place but its producer has two readers: stays a box
    N('side', 'Relu', ['a'], { in_place: true, shape: [4, 4, 4] }),
    N('fc', 'Dense', ['relu2'], { shape: [10] }),
    N('prob', 'Softmax', ['fc'], { shape: [10] }),
  ],
};

describe('foldGraph', () => {
  const f = foldGraph(residual);
  it('folds in-place chains into their producer', () => {
    expect(f.groups.map((g) => g.id)).toEqual(['data', 'conv', 'a', 'b', 'add', 'side', 'fc', 'prob']);
    const conv = f.groups[1];
    expect(conv.members.map((m) => m.name)).toEqual(['bn', 'relu']);
    expect(conv.tail.name).toBe('relu');
    expect(f.groupOf.get('relu')).toBe('conv');
    expect(f.groupOf.get('relu2')).toBe('add');
    expect(f.groupOf.get('side')).toBe('side');
  });
  it('connects boxes once per producer with the carried shape', () => {
    const es = f.edges.map((e) => `${e.from}>${e.to}:${e.shape.join('x')}:${e.count}`);
    expect(es).toEqual([
      'data>conv:3x8x8:1', 'conv>a:4x8x8:1', 'conv>b:4x8x8:1', 'a>add:4x4x4:1', 'b>add:4x4x4:2',
      'a>side:4x4x4:1', 'add>fc:4x4x4:1', 'fc>prob:10:1',
    ]);
    expect(f.edges[1].value).toBe('relu');
    expect(neighbours(f, 'add')).toEqual({ up: ['a', 'b'], down: ['fc'] });
  });
  it('keeps every node when folding is off', () => {
    const g = foldGraph(residual, { fold: false });
    expect(g.groups.length).toBe(residual.nodes.length);
    // data>conv conv>bn bn>relu relu>a relu>b a>add b>add add>relu2 a>side relu2>fc fc>prob
    expect(g.edges.length).toBe(11);
  });
  it('folds activations and normalisations that have their own value (ONNX), under the same conditions', () => {
    const onnx = {
      outputs: ['fc'],
      nodes: [
        N('x', 'Input', []),
        N('c', 'Conv', ['x']),
        N('bn', 'BatchNorm', ['c']),
        N('r', 'Relu', ['bn']),
        N('c2', 'Conv', ['r']),
        N('r2', 'Relu', ['r']), // r has two readers: r2 stays a box
        N('add', 'Add', ['c2', 'r2']),
        N('fc', 'Dense', ['add']),
      ],
    };
    const g = foldGraph(onnx);
    expect(g.groups.map((x) => x.id)).toEqual(['x', 'c', 'c2', 'r2', 'add', 'fc']);
    expect(g.groups[1].members.map((m) => m.name)).toEqual(['bn', 'r']);
    expect(foldGraph(onnx, { fold: false }).groups).toHaveLength(8);
  });
  it('does not fold into a graph output', () => {
    const g = foldGraph({ outputs: ['x'], nodes: [N('x', 'Conv', []), N('y', 'Relu', ['x'], { in_place: true })] });
    expect(g.groups.map((x) => x.id)).toEqual(['x', 'y']);
  });
});

describe('format', () => {
  it('writes counts with SI prefixes and 3 significant digits', () => {
    expect(compact(25557032)).toBe('25.6 M');
    expect(compact(6998552)).toBe('7 M');
    expect(compact(138357544)).toBe('138 M');
    expect(compact(950)).toBe('950');
    expect(compact(0)).toBe('0');
    expect(compact(999999)).toBe('1 M');
    expect(compact(19920)).toBe('19.9 k');
    expect(siParts(1234)).toEqual(['1.23', 'k']);
    expect(macs(4089184256)).toBe('4.09 GMAC');
    expect(macs(15470264320)).toBe('15.5 GMAC');
    expect(macs(5608780)).toBe('5.61 MMAC');
    expect(macs(0)).toBe('0 MAC');
  });
  it('writes bytes in decimal units', () => {
    // Decimal units, as the CLI's table and Markdown export (internal/analyze humanBytes: 9.63MB).
    expect(bytes(9633792)).toBe('9.63 MB');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.54 kB');
    expect(bytes(102440608)).toBe('102 MB');
    expect(bytes(2 ** 30)).toBe('1.07 GB');
    expect(bytes(999_999)).toBe('1 MB');
  });
  it('writes shapes, percentages and grouped integers', () => {
    expect(shape([64, 56, 56])).toBe('64×56×56');
    expect(shape([1000])).toBe('1000');
    expect(shape([])).toBe('–');
    expect(percent(1, 4)).toBe('25%');
    expect(percent(1, 3)).toBe('33.3%');
    expect(percent(1, 10000)).toBe('<0.1%');
    expect(percent(0, 0)).toBe('0%');
    expect(grouped(25557032)).toBe('25,557,032');
    expect(grouped(999)).toBe('999');
  });
});

describe('route', () => {
  it('parses presets, selections, direction and tab', () => {
    expect(parseScopeHash('#/scope')).toEqual({ source: null, sel: '', dir: 'TB', tab: 'layers' });
    expect(parseScopeHash('#/scope/preset/resnet50').source).toEqual({ kind: 'preset', name: 'resnet50' });
    expect(parseScopeHash('#/scope/preset/googlenet/conv1/relu_7x7').sel).toBe('conv1/relu_7x7');
    const p = parseScopeHash('#/scope/preset/googlenet?sel=conv1%2F7x7_s2&dir=LR&tab=summary');
    expect(p).toEqual({ source: { kind: 'preset', name: 'googlenet' }, sel: 'conv1/7x7_s2', dir: 'LR', tab: 'summary' });
    expect(parseScopeHash('#/scope/file/net.prototxt').source).toEqual({ kind: 'file', name: 'net.prototxt' });
    expect(parseScopeHash('#/other').source).toBe(null);
  });
  it('round-trips through formatScopeHash', () => {
    const st = { source: { kind: 'preset', name: 'inceptionv3' }, sel: 'mixed_5b/branch1x1 x', dir: 'LR', tab: 'none' };
    const h = formatScopeHash(st);
    expect(h.startsWith('#/scope/preset/inceptionv3?')).toBe(true);
    expect(parseScopeHash(h)).toEqual(st);
    expect(formatScopeHash({ source: { kind: 'preset', name: 'vgg16' } })).toBe('#/scope/preset/vgg16');
    expect(formatScopeHash({ source: null })).toBe('#/scope');
  });
});

describe('tables', () => {
  const rows = layerRows({
    layers: [
      { name: 'conv10', kind: 'Conv', output: [8, 2, 2], params: 5, macs: 100, additions: 1 },
      { name: 'conv9', kind: 'Conv', output: [4, 4, 4], params: 7, macs: 100, comparisons: 2 },
      { name: 'relu', kind: 'Relu', output: [4, 4, 4], params: 0, macs: 0, comparisons: 64 },
      { name: 'Add', kind: 'Add', output: [1, 1, 1], params: 0, macs: 0, additions: 3 },
    ],
  });
  it('sorts numbers, names and shapes, keeping ties in order', () => {
    expect(sortRows(rows, 'macs', 'desc').map((r) => r.name)).toEqual(['conv10', 'conv9', 'relu', 'Add']);
    expect(sortRows(rows, 'macs', 'asc').map((r) => r.name)).toEqual(['relu', 'Add', 'conv10', 'conv9']);
    expect(sortRows(rows, 'name', 'asc').map((r) => r.name)).toEqual(['Add', 'conv9', 'conv10', 'relu']);
    expect(sortRows(rows, 'output', 'desc').map((r) => r.name)).toEqual(['conv9', 'relu', 'conv10', 'Add']);
    expect(sortRows(rows, 'other', 'desc').map((r) => r.name)).toEqual(['relu', 'Add', 'conv9', 'conv10']);
    expect(sortRows(rows, '#', 'desc').map((r) => r.index)).toEqual([3, 2, 1, 0]);
    expect(size([4, 4, 4])).toBe(64);
  });
  it('summarizes by operator', () => {
    const s = summarize(rows);
    expect(s.map((x) => [x.kind, x.count, x.params, x.macs, x.other])).toEqual([
      ['Conv', 2, 12, 200, 3], ['Relu', 1, 0, 0, 64], ['Add', 1, 0, 0, 3],
    ]);
  });
});

describe('prototxt', () => {
  const src = 'name: "net" # c\nlayer {\n  type: "Convolution"\n  convolution_param { num_output: 64 kernel_size: 3 }\n  pool: MAX\n}\n';
  it('tokenizes losslessly with field names, strings, numbers and comments', () => {
    const tks = tokenize(src);
    expect(tks.map((t) => t.text).join('')).toBe(src);
    const of = (type) => tks.filter((t) => t.type === type).map((t) => t.text);
    expect(of('key')).toEqual(['name', 'layer', 'type', 'convolution_param', 'num_output', 'kernel_size', 'pool']);
    expect(of('string')).toEqual(['"net"', '"Convolution"']);
    expect(of('number')).toEqual(['64', '3']);
    expect(of('comment')).toEqual(['# c']);
    expect(of('ident')).toEqual(['MAX']);
  });
  it('escapes HTML when highlighting', () => {
    expect(highlight('a: "<b>"')).toBe('<span class="tk-key">a</span>: <span class="tk-string">"&lt;b&gt;"</span>');
  });
  it('finds the error position', () => {
    expect(errorPosition({ error: 'x', line: 3, column: 7 })).toEqual({ line: 3, column: 7 });
    expect(errorPosition({ error: 'net.prototxt (caffe): parsing prototxt: proto: syntax error (line 12:5): unexpected' })).toEqual({ line: 12, column: 5 });
    expect(errorPosition({ error: 'bad at line 4' })).toEqual({ line: 4, column: 0 });
    expect(errorPosition({ error: 'graph has a cycle' })).toBe(null);
    expect(looksLikeText('layer {}')).toBe(true);
    expect(looksLikeText('\u0008\u0001onnx')).toBe(false);
  });
});

describe('layout', () => {
  it('summarizes layers in one line', () => {
    expect(detail({ op: 'Conv', attrs: { kernel: [7, 7], stride: [2, 2], dilation: [1, 1], out_channels: 64, groups: 1 } })).toBe('Conv 7×7/2 · 64');
    expect(detail({ op: 'Conv', attrs: { kernel: [3, 3], stride: [1, 1], dilation: [1, 1], out_channels: 32, groups: 32 } })).toBe('Conv 3×3 · 32 dw');
    expect(detail({ op: 'Conv', attrs: { kernel: [1, 7], stride: [1, 1], out_channels: 8, groups: 2 } })).toBe('Conv 1×7 · 8 g2');
    expect(detail({ op: 'MaxPool', attrs: { kernel: [3, 3], stride: [2, 2] } })).toBe('MaxPool 3×3/2');
    expect(detail({ op: 'AveragePool', attrs: { global: true } })).toBe('GlobalAveragePool');
    expect(detail({ op: 'Dense', attrs: { units: 1000 } })).toBe('Dense · 1000');
    expect(detail({ op: 'Concat', attrs: {} })).toBe('Concat');
  });
  it('sizes boxes from their text and badges', () => {
    const f = foldGraph(residual);
    const measure = (s) => s.length * 10;
    const b = boxOf(f.groups[1], measure); // conv + BN, Relu badges
    expect(b.badges.map((x) => x.text)).toEqual(['BN', 'Relu']);
    expect(b.badges[0].w).toBe(20 + 2 * BOX.badgePadX);
    expect(b.badges[1].x).toBe(b.badges[0].w + BOX.badgeGap);
    // badges: (20 + 10) + 4 + (40 + 10) = 84 px, wider than 'conv' and 'Conv'
    expect(b.width).toBe(84 + 2 * BOX.padX);
    expect(boxOf(f.groups[0], measure).width).toBe(BOX.minW); // 'data' = 40 px < min width
    expect(b.height).toBe(2 * BOX.padY + BOX.line1 + BOX.line2 + BOX.badges);
    expect(boxOf(f.groups[0], measure).height).toBe(2 * BOX.padY + BOX.line1 + BOX.line2);
    const long = boxOf({ head: N('x'.repeat(50), 'Conv', []), members: [] }, measure);
    expect(long.width).toBe(BOX.maxW);
    // 240 - 20 = 220 px: 21 characters and the ellipsis
    expect(long.label).toBe('x'.repeat(21) + '…');
    expect(boxOf(f.groups[1], measure).label).toBe('conv');
  });
  it('lays out along the edges, top-down and left-right', () => {
    const f = foldGraph(residual);
    for (const rankdir of ['TB', 'LR']) {
      const L = layoutGraph(f, { rankdir, measure: estimateWidth });
      const axis = rankdir === 'TB' ? 'y' : 'x';
      for (const e of f.edges) {
        expect(L.boxes.get(e.to)[axis], `${e.from}→${e.to}`).toBeGreaterThan(L.boxes.get(e.from)[axis]);
      }
      // siblings a and b share a rank
      expect(L.boxes.get('a')[axis]).toBe(L.boxes.get('b')[axis]);
      for (const b of L.boxes.values()) {
        expect(b.x - b.width / 2).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width / 2).toBeLessThanOrEqual(L.width);
      }
      expect(L.edges.find((e) => e.from === 'fc').label).toBe('10');
      expect(L.edges.every((e) => e.points.length >= 2)).toBe(true);
    }
  });
  it('colours operators by family', () => {
    expect(family({ op: 'Conv', traits: CONV })).toBe('conv');
    expect(family({ op: 'GlobalAveragePool', traits: GLOBALPOOL })).toBe('pool');
    expect(family({ op: 'Zorblax', traits: { family: 'zorblax' } })).toBe('shape');
    expect(family({ op: 'Conv' })).toBe('shape'); // the family comes from the traits, not the op name
  });
});

describe('api helpers', async () => {
  const { uploadRequest, hasWeights, cleanInput } = await import('./api.js');
  const file = (name, text = 'x') => new File([text], name);
  it('sends one file raw with ?name= and several as multipart file parts', async () => {
    const [url, init] = uploadRequest('/api/analyze', [file('net.prototxt')], { format: 'csv', input: '' });
    expect(url).toBe('/api/analyze?name=net.prototxt&format=csv');
    expect(init.method).toBe('POST');
    expect(init.body.name).toBe('net.prototxt');
    const [url2, init2] = uploadRequest('/api/models', [file('model.json'), file('group1-shard1of1.bin')], { input: '3,64,64' });
    expect(url2).toBe('/api/models?input=3%2C64%2C64');
    expect(init2.body.getAll('file').map((f) => f.name)).toEqual(['model.json', 'group1-shard1of1.bin']);
    expect(init2.headers).toBe(undefined); // the browser sets the multipart boundary
  });
  it('knows which uploads carry weights', () => {
    expect(hasWeights('onnx', [file('a.onnx')])).toBe(true);
    expect(hasWeights('keras', [file('a.keras')])).toBe(true);
    expect(hasWeights('keras', [file('a.h5')])).toBe(true);
    expect(hasWeights('tflite', [file('a.tflite')])).toBe(true);
    expect(hasWeights('caffe', [file('a.prototxt')])).toBe(false);
    expect(hasWeights('caffe', [file('a.prototxt'), file('a.caffemodel')])).toBe(true);
    expect(hasWeights('tfjs', [file('model.json')])).toBe(false);
    expect(hasWeights('tfjs', [file('model.json'), file('group1-shard1of1.bin')])).toBe(true);
  });
  it('normalises the input size', () => {
    expect(cleanInput(' 3, 224 224 ')).toBe('3,224,224');
    expect(cleanInput('3×299×299')).toBe('3,299,299');
    expect(cleanInput('1x28x28')).toBe('1,28,28');
    expect(cleanInput('')).toBe('');
  });
});
