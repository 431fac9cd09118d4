import { describe, it, expect } from 'vitest';
import { matchLocale, pickLocale, fill, translate, merge } from './i18n-core.js';

describe('i18n core', () => {
  it('maps browser languages to the supported locales', () => {
    expect(matchLocale('zh-CN')).toBe('zh-CN');
    expect(matchLocale('zh')).toBe('zh-CN');
    expect(matchLocale('zh-Hans-CN')).toBe('zh-CN');
    expect(matchLocale('zh-TW')).toBe('zh-TW');
    expect(matchLocale('zh-HK')).toBe('zh-TW');
    expect(matchLocale('zh-MO')).toBe('zh-TW');
    expect(matchLocale('zh-Hant')).toBe('zh-TW');
    expect(matchLocale('zh-Hant-HK')).toBe('zh-TW');
    expect(matchLocale('zh-hant-tw')).toBe('zh-TW');
    expect(matchLocale('zh-Hant-CN')).toBe('zh-TW');
    expect(matchLocale('zh-Hans-HK')).toBe('zh-CN');
    expect(matchLocale('zh-SG')).toBe('zh-CN');
    expect(matchLocale('zh-TWX')).toBe('');
    expect(matchLocale('zh-Latn')).toBe('');
    expect(matchLocale('en-GB')).toBe('en');
    expect(matchLocale('de-DE')).toBe('');
    expect(matchLocale(undefined)).toBe('');
  });

  it('prefers the remembered choice, then the browser order, then English', () => {
    expect(pickLocale('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(pickLocale('fr', ['de', 'zh-CN', 'en'])).toBe('zh-CN');
    expect(pickLocale('', ['de', 'en-US', 'zh'])).toBe('en');
    expect(pickLocale(null, ['ja'])).toBe('en');
    expect(pickLocale(undefined, [undefined])).toBe('en');
    expect(pickLocale('', ['zh-TW', 'zh-CN', 'en'])).toBe('zh-TW');
    expect(pickLocale('', ['ja', 'zh-HK'])).toBe('zh-TW');
    expect(pickLocale('zh-CN', ['zh-TW'])).toBe('zh-CN');
    expect(pickLocale('zh-TW', ['en-US'])).toBe('zh-TW');
  });

  it('fills placeholders and keeps unknown ones', () => {
    expect(fill('{n} of {m} channels', { n: 3, m: 10 })).toBe('3 of 10 channels');
    expect(fill('{n} and {x}', { n: 1 })).toBe('1 and {x}');
    expect(fill('plain')).toBe('plain');
  });

  it('falls back to English, then to the key', () => {
    const d = { en: { a: 'A {x}', b: 'B', f: ({ n }) => (n === 1 ? 'one' : `${n} many`) }, 'zh-CN': { a: '甲 {x}' } };
    expect(translate(d, 'zh-CN', 'a', { x: 1 })).toBe('甲 1');
    expect(translate(d, 'zh-CN', 'b')).toBe('B');
    expect(translate(d, 'en', 'missing.key')).toBe('missing.key');
    expect(translate(d, 'en', 'f', { n: 1 })).toBe('one');
    expect(translate(d, 'en', 'f', { n: 4 })).toBe('4 many');
  });

  it('refuses a key defined twice', () => {
    expect(() => merge({ en: { a: '1' } }, { en: { a: '2' } })).toThrow(/a \(en\) is defined twice/);
    expect(merge({ en: { a: '1' } }, { en: { b: '2' }, 'zh-CN': { b: '二' } })).toEqual({ en: { a: '1', b: '2' }, 'zh-CN': { b: '二' } });
  });
});
