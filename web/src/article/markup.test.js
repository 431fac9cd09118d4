import { describe, it, expect } from 'vitest';
import { parse, safeHref } from './markup.js';

describe('parse', () => {
  it('splits bold, italic, code and links from text', () => {
    expect(parse('A **kernel** slides `3×3` over *each* [map](#article-conv).')).toEqual([
      { type: 'text', text: 'A ' },
      { type: 'b', text: 'kernel' },
      { type: 'text', text: ' slides ' },
      { type: 'code', text: '3×3' },
      { type: 'text', text: ' over ' },
      { type: 'i', text: 'each' },
      { type: 'text', text: ' ' },
      { type: 'a', text: 'map', href: '#article-conv' },
      { type: 'text', text: '.' },
    ]);
  });

  it('keeps plain text, unmatched markers and HTML as text', () => {
    expect(parse('no markup')).toEqual([{ type: 'text', text: 'no markup' }]);
    expect(parse('2 * 3 = 6 and <b>x</b>')).toEqual([{ type: 'text', text: '2 * 3 = 6 and <b>x</b>' }]);
    expect(parse('')).toEqual([]);
  });

  it('drops unsafe link targets', () => {
    expect(parse('[x](javascript:alert(1))')[0]).toEqual({ type: 'text', text: 'x' });
    expect(safeHref('https://example.org/a')).toBe('https://example.org/a');
    expect(safeHref('#/scope')).toBe('#/scope');
    expect(safeHref('data:text/html,hi')).toBeNull();
  });
});
