import { describe, it, expect } from 'vitest';
import { fmt, shapeLabel, outputOrder } from './labels.js';
import { parseURLState, formatURLState } from './urlstate.js';

describe('labels', () => {
  it('formats numbers', () => {
    expect(fmt(-0.5, 3)).toBe('−0.500');
    expect(fmt(-0.0001, 2)).toBe('0.00');
    expect(fmt(null)).toBe('–');
    expect(fmt(Infinity)).toBe('∞');
  });

  it('prints shapes as height×width×channels', () => {
    expect(shapeLabel({ kind: 'map', shape: [10, 62, 62] })).toBe('62×62×10');
    expect(shapeLabel({ kind: 'output', shape: [10] })).toBe('10 classes');
    expect(shapeLabel({ kind: 'vector', shape: [4096] })).toBe('4096');
  });

  it('orders output rows by class, or by probability for large outputs', () => {
    expect(outputOrder({ kind: 'output', shown: 3, topK: false }, null)).toEqual([0, 1, 2]);
    const run = { header: { probabilities: [0.1, 0.5, 0.05, 0.35] } };
    expect(outputOrder({ kind: 'output', shown: 2, topK: true }, run)).toEqual([1, 3]);
  });
});

describe('URL state', () => {
  it('round-trips and drops defaults', () => {
    const st = { model: 'cnn-explainer', example: 'bug_1.png', scale: 'global', detail: false };
    expect(parseURLState(formatURLState(st))).toEqual(st);
    expect(formatURLState({ model: 'default', scale: 'unit', detail: true })).toBe('');
    expect(parseURLState('?scale=bogus&detail=1')).toEqual({});
  });
});

import { readBootstrap } from './api.js';
describe('bootstrap data', () => {
  const doc = (text) => ({ getElementById: (id) => (id === 'convscope-bootstrap' && text !== null ? { textContent: text } : null) });
  it('reads the models the server embedded in the page', () => {
    expect(readBootstrap(doc('{"models":[{"id":"default"}],"model":{"id":"default"}}')).model.id).toBe('default');
    expect(readBootstrap(doc(null))).toBeNull();
    expect(readBootstrap(doc('{bad'))).toBeNull();
    expect(readBootstrap(doc('{"models":3}'))).toBeNull();
  });
});

import { shortName, headerWidth } from './labels.js';
describe('header text', () => {
  it('shortens long names in the middle', () => {
    expect(shortName('conv_1_1')).toBe('conv_1_1');
    const s = shortName('inception_4a/5x5_reduce/relu_really_long');
    expect(s).toHaveLength(22);
    expect(s).toMatch(/^inception_4.*….*_long$/);
  });
  it('estimates header widths', () => {
    expect(headerWidth({ kind: 'map', name: 'max_pool_1', shape: [10, 30, 30] })).toBeCloseTo(66, 1);
    expect(headerWidth({ kind: 'map', name: 'x', shape: [10, 30, 30] }, false, (t) => t.length)).toBe(8);
    expect(headerWidth({ kind: 'output', name: 'output', shape: [10] })).toBe(0);
    // A folded column's badge stands beside the button (name over shape): it adds to the wider of the two.
    expect(headerWidth({ kind: 'map', name: 'x', shape: [144, 56, 56], folded: [{}] }, false, (t) => t.length)).toBe(9 + 26);
  });
});

import { thousands } from './labels.js';
describe('thousands', () => {
  it('groups digits', () => {
    expect(thousands(19920)).toBe('19,920');
    expect(thousands(11689512)).toBe('11,689,512');
    expect(thousands(7)).toBe('7');
    expect(thousands(-1234)).toBe('−1,234');
  });
});

import { blockLabels } from './labels.js';
import { buildColumns, computeGeometry } from './layout.js';
import tinyvggModel from './testdata/tinyvgg.json';
describe('repeated blocks', () => {
  it('groups consecutive names sharing a prefix, when blocks repeat', () => {
    const names = ['Conv1', 'expanded_conv_depthwise', 'expanded_conv_project', 'block_1_expand', 'block_1_depthwise', 'block_1_project', 'block_2_expand', 'block_2_depthwise', 'block_2_project', 'Conv_1', 'Logits'];
    expect(blockLabels(names)).toEqual([
      { block: '', label: 'Conv1' },
      // expanded_conv's labels no other block repeats: not a block
      { block: '', label: 'expanded_conv_depthwise' },
      { block: '', label: 'expanded_conv_project' },
      { block: 'block_1', label: 'expand' },
      { block: 'block_1', label: 'depthwise' },
      { block: 'block_1', label: 'project' },
      { block: 'block_2', label: 'expand' },
      { block: 'block_2', label: 'depthwise' },
      { block: 'block_2', label: 'project' },
      { block: '', label: 'Conv_1' },
      { block: '', label: 'Logits' },
    ]);
    // The deepest shared prefix: ResNet's layer1.0.conv1 … layer1.1.conv1.
    expect(blockLabels(['layer1.0.conv1', 'layer1.0.conv2', 'layer1.1.conv1', 'layer1.1.conv2']).map((b) => b.block)).toEqual(['layer1.0', 'layer1.0', 'layer1.1', 'layer1.1']);
    // torchvision's MobileNet v2 (folded): the deepest blocks, not one block of all 'features.'.
    // (features.1.conv, the one block without an expansion, has labels no other repeats.)
    expect(blockLabels(['features.0.0', 'features.1.conv.0.0', 'features.1.conv.1', 'features.2.conv.0.0', 'features.2.conv.1.0', 'features.2.conv.2', 'features.3.conv.0.0', 'features.3.conv.1.0', 'features.3.conv.2', 'classifier.1'])).toEqual([
      { block: '', label: 'features.0.0' },
      { block: '', label: 'features.1.conv.0.0' },
      { block: '', label: 'features.1.conv.1' },
      { block: 'features.2.conv', label: '0.0' },
      { block: 'features.2.conv', label: '1.0' },
      { block: 'features.2.conv', label: '2' },
      { block: 'features.3.conv', label: '0.0' },
      { block: 'features.3.conv', label: '1.0' },
      { block: 'features.3.conv', label: '2' },
      { block: '', label: 'classifier.1' },
    ]);
    // Names numbered by operator (an ONNX export's p2o.Conv.0, p2o.Conv.1, p2o.Add.2 …) are no blocks.
    expect(blockLabels(['x', 'p2o.Conv.0', 'p2o.Conv.1', 'p2o.Mul.0', 'p2o.Add.2', 'p2o.Add.4', 'p2o.Mul.2']).every((b) => !b.block)).toBe(true);
    // One block only, or no shared prefix (Tiny VGG): nothing grouped.
    expect(blockLabels(['a_1_x', 'a_1_y', 'z']).every((b) => !b.block)).toBe(true);
    expect(blockLabels(['conv_1_1', 'relu_1_1', 'conv_1_2', 'relu_1_2', 'max_pool_1']).every((b) => !b.block)).toBe(true);
    expect(blockLabels(['a_1', 'a_2', 'c_1', 'c_2']).every((b) => !b.block)).toBe(true); // prefixes under 3 characters
  });

  it('draws one block header per run, above headers that never touch', () => {
    const L = (name, inputs) => ({ name, op: 'Conv', type: 'Conv2D', inputs, outputs: [name], shape: [4, 8, 8], attrs: {}, traits: { family: 'conv' } });
    const names = ['stem', 'block_1_expand', 'block_1_depthwise', 'block_1_project', 'block_2_expand', 'block_2_depthwise', 'block_2_project', 'head'];
    const model = { inputs: [{ name: 'x', shape: [3, 8, 8] }], layers: names.map((n, i) => L(n, [i ? names[i - 1] : 'x'])), classes: 0 };
    const cols = buildColumns(model);
    expect(cols.map((c) => c.label ?? c.name)).toEqual(['x', 'stem', 'expand', 'depthwise', 'project', 'expand', 'depthwise', 'project', 'head']);
    const geo = computeGeometry(cols, { width: 1366, height: 600 });
    expect(geo.blocks.map((b) => [b.name, b.first, b.last])).toEqual([['block_1', 2, 4], ['block_2', 5, 7]]);
    expect(geo.blocks[0].x + geo.blocks[0].w).toBeLessThanOrEqual(geo.blocks[1].x);
    expect(geo.blockY + 14).toBeLessThanOrEqual(geo.headerY);
    // Tiny VGG has no blocks: its geometry keeps its header where it was.
    const plain = computeGeometry(buildColumns(tinyvggModel), { width: 1366, height: 600 });
    expect([plain.blocks.length, plain.headerY]).toEqual([0, 6]);
  });
});

import { modelNotes } from './labels.js';
describe('model notes', () => {
  it('names what the import changed, and shows an unknown note as it is', () => {
    expect(modelNotes(undefined)).toEqual([]);
    const [deq, f16, other] = modelNotes(['dequantized', 'float16', 'pruned']);
    expect(deq).toMatch(/int8\/uint8.*float32/);
    expect(f16).toBe('float16 weights widened to float32');
    expect(other).toBe('pruned');
  });
});
