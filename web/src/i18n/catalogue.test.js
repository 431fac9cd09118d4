import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { messages } from './index.js';
import { LOCALES } from '../lib/i18n-core.js';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(svelte|js)$/.test(name) && !name.endsWith('.test.js') && !p.includes(`${path.sep}i18n${path.sep}`)) out.push(p);
  }
  return out;
}

describe('message catalogues', () => {
  it('have the same keys in every language', () => {
    const en = Object.keys(messages.en).sort();
    for (const loc of LOCALES) {
      const keys = Object.keys(messages[loc] ?? {}).sort();
      expect(keys.filter((k) => !en.includes(k)), `${loc} has keys English lacks`).toEqual([]);
      expect(en.filter((k) => !keys.includes(k)), `${loc} lacks keys`).toEqual([]);
    }
  });

  it('have no empty message and use the same placeholders in every language', () => {
    for (const [k, en] of Object.entries(messages.en)) {
      for (const loc of LOCALES) {
        const m = messages[loc][k];
        if (typeof m === 'function' || typeof en === 'function') {
          expect(typeof m, `${loc} ${k}`).toBe(typeof en);
          continue;
        }
        expect(m.trim().length, `${loc} ${k} is empty`).toBeGreaterThan(0);
        const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
        expect(ph(m), `${loc} ${k} placeholders`).toEqual(ph(en));
      }
    }
  });

  it('define every key the sources ask for with t(…)', () => {
    const missing = [];
    for (const file of sources(srcDir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*['"]([\w.-]+)['"]/g)) {
        if (!(m[1] in messages.en)) missing.push(`${path.relative(srcDir, file)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
