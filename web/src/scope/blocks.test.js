import { describe, it, expect } from 'vitest';
import { blockPath, blockTree, blockTotals, collapseGraph, outermostCollapsed } from './blocks.js';
import { foldGraph } from './fold.js';

describe('blockPath', () => {
  it('reads the hierarchy of the common naming schemes', () => {
    expect(blockPath('layer1.0.conv1')).toEqual(['layer1', 'layer1.0']); // PyTorch (our resnet50 preset)
    expect(blockPath('features.denseblock1.denselayer1.norm1')).toEqual(['features', 'features.denseblock1', 'features.denseblock1.denselayer1']);
    expect(blockPath('/layer1/layer1.0/conv1/Conv')).toEqual(['layer1', 'layer1/layer1.0', 'layer1/layer1.0/conv1']); // ONNX export
    expect(blockPath('inception_3a/1x1')).toEqual(['inception_3a']); // Caffe GoogLeNet
    expect(blockPath('model/block1_conv1')).toEqual(['model']); // Keras nested model
    expect(blockPath('block1_conv1')).toEqual(['block1']); // Keras VGG
    expect(blockPath('res2a_branch2a')).toEqual(['res2a']); // Caffe ResNet
    expect(blockPath('bn2a_branch2a')).toEqual(['res2a']);
    expect(blockPath('scale3b_branch2c')).toEqual(['res3b']);
    expect(blockPath('res2a')).toEqual(['res2a']);
    expect(blockPath('res2a_relu')).toEqual(['res2a']);
    expect(blockPath('res4b22_branch2a')).toEqual(['res4b22']); // ResNet-101's res4b1…res4b22
    expect(blockPath('inception_a1_1x1_bn')).toEqual(['inception', 'inception_a1', 'inception_a1_1x1']);
    expect(blockPath('conv1')).toEqual([]);
    expect(blockPath('data')).toEqual([]);
  });
});

describe('blockTree', () => {
  // The start of our resnet50 preset (convscope analyze preset:resnet50).
  const r50 = ['data', 'conv1', 'bn1', 'relu', 'maxpool',
    'layer1.0.conv1', 'layer1.0.bn1', 'layer1.0.relu1', 'layer1.0.conv2', 'layer1.0.downsample.0', 'layer1.0.downsample.1', 'layer1.0.add', 'layer1.0.relu',
    'layer1.1.conv1', 'layer1.1.bn1', 'layer1.1.add', 'layer1.1.relu',
    'layer2.0.conv1', 'layer2.0.add', 'avgpool', 'fc'];
  const t = blockTree(r50);
  it('nests blocks by the names, dropping those of one layer', () => {
    expect(t.roots).toEqual(['block:layer1', 'block:layer2.0']); // layer2 only wraps layer2.0: replaced by it
    const l1 = t.blocks.get('block:layer1');
    expect(l1.children).toEqual(['block:layer1.0', 'block:layer1.1']);
    expect(l1.layers).toHaveLength(12);
    expect(t.blocks.get('block:layer1.0').children).toEqual(['block:layer1.0.downsample']);
    expect(t.blocks.get('block:layer1.0.downsample').layers).toEqual(['layer1.0.downsample.0', 'layer1.0.downsample.1']);
    expect(t.blockOf.get('layer1.0.downsample.1')).toBe('block:layer1.0.downsample');
    expect(t.blockOf.get('layer1.1.add')).toBe('block:layer1.1');
    expect(t.blockOf.has('conv1')).toBe(false);
  });
  it('groups Caffe GoogLeNet modules and keeps a prefix met again later apart', () => {
    const g = blockTree(['data', 'conv1/7x7_s2', 'conv1/relu_7x7', 'pool1/3x3_s2', 'inception_3a/1x1', 'inception_3a/relu_1x1', 'inception_3a/output', 'pool3/3x3_s2', 'inception_3a/extra', 'inception_3a/extra2']);
    expect(g.roots).toEqual(['block:conv1', 'block:inception_3a', 'block:inception_3a#2']);
    expect(g.blocks.get('block:inception_3a').layers).toEqual(['inception_3a/1x1', 'inception_3a/relu_1x1', 'inception_3a/output']);
  });
  it('groups Caffe ResNet-50 by its units', () => {
    const g = blockTree(['pool1', 'res2a_branch1', 'bn2a_branch1', 'scale2a_branch1', 'res2a_branch2a', 'bn2a_branch2a', 'res2a', 'res2a_relu', 'res2b_branch2a', 'res2b', 'res2b_relu']);
    expect(g.roots).toEqual(['block:res2a', 'block:res2b']);
    expect(g.blocks.get('block:res2a').layers).toHaveLength(7);
  });
  it('finds no block in names without structure', () => {
    expect(blockTree(['data', 'conv_1_1', 'relu_1_1', 'conv_1_2', 'relu_1_2', 'max_pool_1']).roots).toEqual([]);
  });
  it('sums a block\'s layers', () => {
    const rows = new Map(r50.map((n, i) => [n, { params: i, macs: 10 * i, activation_bytes: 1 }]));
    // layer1.0.downsample.0 and .1 are layers 9 and 10
    expect(blockTotals(t.blocks.get('block:layer1.0.downsample'), rows)).toEqual({ layers: 2, params: 19, macs: 190, activation_bytes: 2 });
  });
});

describe('collapseGraph', () => {
  const N = (name, inputs, extra = {}) => ({ name, op: 'Conv', type: 'Conv', inputs, traits: {}, shape: [1], ...extra });
  // x → a.1 → a.2 → b ; a.1 → b (a skip)
  const g = { outputs: ['b'], nodes: [N('x', []), N('a.1', ['x']), N('a.2', ['a.1']), N('b', ['a.2', 'a.1'])] };
  const tree = blockTree(g.nodes.map((n) => n.name));
  it('draws a collapsed block as one box and merges its edges', () => {
    expect(tree.roots).toEqual(['block:a']);
    const f = collapseGraph(foldGraph(g, { fold: false }), tree, new Set(['block:a']));
    expect(f.groups.map((x) => x.id)).toEqual(['x', 'block:a', 'b']);
    expect(f.edges.map((e) => [e.from, e.to, e.count])).toEqual([['x', 'block:a', 1], ['block:a', 'b', 2]]);
    expect(f.groupOf.get('a.2')).toBe('block:a');
    expect(f.groupOf.get('block:a')).toBe('block:a');
    expect(outermostCollapsed(tree, new Set()).size).toBe(0);
  });
  it('leaves the graph alone with nothing collapsed', () => {
    const folded = foldGraph(g, { fold: false });
    expect(collapseGraph(folded, tree, new Set())).toBe(folded);
  });
});
