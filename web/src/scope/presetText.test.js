import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { presetDescription } from './presetText.js';
import translations from '../i18n/presets.js';
import { LOCALES } from '../lib/i18n-core.js';

// The presets are the rows of docs/presets.md's table (`convscope presets`).
const doc = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/presets.md'), 'utf8');
const names = [...doc.matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1]);

describe('preset descriptions', () => {
  it('are translated for every preset in every language but English', () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
    for (const loc of LOCALES.filter((l) => l !== 'en')) {
      expect(names.filter((n) => !translations[loc]?.[n]), loc).toEqual([]);
      expect(Object.keys(translations[loc]).filter((n) => !names.includes(n)), `${loc}: unknown presets`).toEqual([]);
    }
  });
  it('fall back to the API text', () => {
    const p = { name: 'resnet18', description: 'Eight residual blocks of two 3×3 convolutions.' };
    expect(presetDescription(p, 'en')).toBe(p.description);
    expect(presetDescription(p, 'zh-CN')).toBe('八个残差块，每块两个 3×3 卷积。');
    expect(presetDescription({ name: 'new', description: 'x' }, 'zh-CN')).toBe('x');
  });
});
