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

// Every API request of the UI goes through apiFetch, so a static site's
// engine answers it: a bare fetch('/api/…') works with `convscope serve`
// and fails only in the static site (the Scope's Profile did until
// 2026-12-03). The training studio is the one exception: it is
// server-only and hidden in a static site.
describe('the UI modules', () => {
  const serverOnly = new Set(['train/page.svelte.js']);
  it('request /api/ only through apiFetch', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const root = path.resolve(__dirname, '..');
    const files = readdirSync(root, { recursive: true }).filter((f) => /\.(js|svelte)$/.test(f) && !/\.test\.js$/.test(f));
    expect(files.length).toBeGreaterThan(20);
    const bad = [];
    for (const f of files) {
      const rel = f.split(path.sep).join('/');
      if (rel === 'lib/transport.js' || rel === 'lib/engine.worker.js' || serverOnly.has(rel)) continue;
      const src = readFileSync(path.join(root, f), 'utf8');
      for (const m of src.matchAll(/(?<![\w.])fetch\(\s*[`'"]\/api\//g)) bad.push(`${rel}: ${src.slice(m.index, m.index + 40)}`);
    }
    expect(bad).toEqual([]);
  });
});
