import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { sectionFor, SECTION_IDS } from './sections.js';
import { BATCHNORM, DROPOUT, GLOBALPOOL, RELU, SIGMOID } from '../lib/testdata/traits.js';

const tinyvgg = JSON.parse(readFileSync(new URL('../lib/testdata/tinyvgg.json', import.meta.url), 'utf8'));
const article = readFileSync(new URL('./Article.svelte', import.meta.url), 'utf8');

describe('sectionFor', () => {
  it('maps every Tiny VGG layer to its section', () => {
    expect(Object.fromEntries(tinyvgg.layers.map((l) => [l.name, sectionFor(l)]))).toEqual({
      conv_1_1: 'article-conv', relu_1_1: 'article-relu', conv_1_2: 'article-conv', relu_1_2: 'article-relu', max_pool_1: 'article-pool',
      conv_2_1: 'article-conv', relu_2_1: 'article-relu', conv_2_2: 'article-conv', relu_2_2: 'article-relu', max_pool_2: 'article-pool',
      flatten: 'article-flatten', output: 'article-flatten', output_softmax: 'article-softmax',
    });
    expect(sectionFor('Input')).toBe('article-input');
    expect(sectionFor('output')).toBe('article-softmax');
    expect(sectionFor('BatchNormalization')).toBe('');
    expect(sectionFor({ op: 'BatchNorm', traits: BATCHNORM })).toBe('');
    expect(sectionFor({ op: 'Dropout', traits: DROPOUT })).toBe('');
    expect(sectionFor({ op: 'GlobalAveragePool', traits: GLOBALPOOL })).toBe('article-pool');
    expect(sectionFor({ op: 'Sigmoid', traits: SIGMOID })).toBe('article-relu');
    expect(sectionFor({ op: 'PRelu', traits: { ...RELU, explain: undefined } })).toBe('');
  });

  it('only names sections the article has', () => {
    for (const id of SECTION_IDS) expect(article).toContain(`<section id="${id}"`);
  });
});
