import { describe, it, expect } from 'vitest';
import { readSite, isStatic, hasScope, exampleFile, SiteID } from './transport.js';

const doc = (text) => ({ getElementById: (id) => (id === SiteID && text !== null ? { textContent: text } : null) });

describe('readSite', () => {
  it('reads the data block export-site writes', () => {
    const s = readSite(doc('{"kind":"convscope static site","engine":"convscope.wasm","wasm_exec":"wasm_exec.js","scope":false}'));
    expect(s.engine).toBe('convscope.wasm');
    expect(s.scope).toBe(false);
  });
  it('is null without the block, for broken JSON and without an engine', () => {
    expect(readSite(doc(null))).toBeNull();
    expect(readSite(doc('{"engine": '))).toBeNull();
    expect(readSite(doc('{"kind":"x"}'))).toBeNull();
    expect(readSite(undefined)).toBeNull();
  });
});

describe('a page served by convscope (no data block)', () => {
  it('uses the server', () => {
    expect(isStatic()).toBe(false);
    expect(hasScope()).toBe(true);
    expect(exampleFile('default', 'a.png')).toBeNull();
  });
});
