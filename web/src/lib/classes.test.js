import { describe, it, expect } from 'vitest';
import { pickLabels, knownClasses, lowConfidence } from './classes.js';

const model = {
  labels: ['T-shirt/top', 'Trouser', 'Pullover'],
  labels_i18n: { 'zh-CN': ['T恤/上衣', '裤子', '套头衫'], de: ['T-Shirt', 'Hose'] },
};

describe('pickLabels', () => {
  it('takes the translation of the current language', () => {
    expect(pickLabels(model, 'zh-CN')).toEqual(['T恤/上衣', '裤子', '套头衫']);
    expect(pickLabels(model, 'en')).toEqual(model.labels);
  });
  it('matches the primary language when the region differs', () => {
    expect(pickLabels(model, 'zh-TW')).toEqual(['T恤/上衣', '裤子', '套头衫']);
  });
  it('prefers a translation in the same script to another of the same language', () => {
    const m = {
      labels: ['Trouser', 'Dress'],
      labels_i18n: { 'zh-CN': ['裤子', '连衣裙'], 'zh-HK': ['長褲', '連身裙'], 'zh-TW': ['長褲', '洋裝'] },
    };
    expect(pickLabels(m, 'zh-TW')).toEqual(['長褲', '洋裝']);
    expect(pickLabels(m, 'zh-CN')).toEqual(['裤子', '连衣裙']);
    const hk = { labels: m.labels, labels_i18n: { 'zh-CN': m.labels_i18n['zh-CN'], 'zh-HK': m.labels_i18n['zh-HK'] } };
    expect(pickLabels(hk, 'zh-TW')).toEqual(['長褲', '連身裙']);
    const hans = { labels: m.labels, labels_i18n: { 'zh-Hant': ['長褲', '洋裝'], 'zh-Hans': ['裤子', '连衣裙'] } };
    expect(pickLabels(hans, 'zh-CN')).toEqual(['裤子', '连衣裙']);
    expect(pickLabels(hans, 'zh-TW')).toEqual(['長褲', '洋裝']);
  });
  it('falls back to the model labels when a translation has another count or is missing', () => {
    expect(pickLabels(model, 'de')).toEqual(model.labels);
    expect(pickLabels({ labels: ['a', 'b'] }, 'zh-CN')).toEqual(['a', 'b']);
    expect(pickLabels({ labels: ['a'], labels_i18n: { 'zh-CN': [''] } }, 'zh-CN')).toEqual(['a']);
    expect(pickLabels(null, 'en')).toEqual([]);
  });
});

describe('knownClasses', () => {
  it('lists a few names and counts the rest', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const k = knownClasses(names, 3);
    expect(k).toMatchObject({ n: 1000, shown: ['c0', 'c1', 'c2'], more: 997 });
    expect(k.all.split(', ').length).toBe(1000);
    expect(knownClasses(['a', 'b'], 3)).toMatchObject({ n: 2, shown: ['a', 'b'], more: 0, all: 'a, b' });
  });
});

describe('lowConfidence', () => {
  it('warns below one half with the top probability in percent', () => {
    expect(lowConfidence([0.31, 0.29, 0.4 - 0.0001])).toBe(40);
    expect(lowConfidence([0.306, 0.2, 0.494])).toBe(49);
    expect(lowConfidence([0.5, 0.5])).toBe(null);
    expect(lowConfidence([0.9, 0.1])).toBe(null);
    expect(lowConfidence([])).toBe(null);
    expect(lowConfidence(undefined)).toBe(null);
  });
});
