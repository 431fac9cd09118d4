import { describe, it, expect } from 'vitest';
import { parseURLState, formatURLState } from './urlstate.js';

describe('URL state', () => {
  it('round-trips every view kind', () => {
    const views = [
      { kind: 'conv', layer: 'conv_1_1', neuron: 3 },
      { kind: 'conv-formula', layer: 'block/conv 2', neuron: 0, ch: 7 },
      { kind: 'relu', layer: 'relu_1_1', neuron: 9 },
      { kind: 'pool', layer: 'max_pool_2', neuron: 1 },
      { kind: 'flatten', cls: 4 },
      { kind: 'softmax', cls: 0 },
    ];
    for (const view of views) {
      const q = formatURLState({ model: 'm', example: 'a b.png', view });
      expect(parseURLState(q)).toEqual({ model: 'm', example: 'a b.png', view });
    }
  });
  it('writes the view parameters', () => {
    expect(formatURLState({ example: 'x.png', view: { kind: 'conv-formula', layer: 'conv_1_1', neuron: 2, ch: 1 } }))
      .toBe('?example=x.png&view=conv-formula&layer=conv_1_1&neuron=2&ch=1');
    expect(formatURLState({ view: { kind: 'softmax', cls: 6 } })).toBe('?view=softmax&class=6');
    expect(formatURLState({ view: null })).toBe('');
  });
  it('drops malformed views', () => {
    for (const q of ['?view=bogus&layer=a&neuron=1', '?view=conv&layer=a', '?view=conv&layer=a&neuron=-1', '?view=conv-formula&layer=a&neuron=1', '?view=flatten', '?view=softmax&class=x', '?view=conv&neuron=1']) {
      expect(parseURLState(q).view, q).toBeUndefined();
    }
  });
  it('keeps the other state', () => {
    expect(parseURLState('?model=x&scale=global&detail=0')).toEqual({ model: 'x', scale: 'global', detail: false });
  });
});

describe('the layer view in the URL', () => {
  it('round-trips view=layer', () => {
    const view = { kind: 'layer', layer: 'features.0.1', neuron: 7 };
    expect(parseURLState(formatURLState({ model: 'm', view }))).toEqual({ model: 'm', view });
    expect(parseURLState('?view=layer&layer=x')).toEqual({});
  });
});
