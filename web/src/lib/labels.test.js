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
