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

  // Pairs of characters that differ between the scripts (Simplified, Traditional),
  // among the ones the catalogues use most; 'zh-TW' must use only the second of
  // each pair and 'zh-CN' only the first.
  const scripts = [...'这這个個们們网網络絡层層数數图圖经經积積时時为為过過还還进進点點击擊开開关關显顯输輸'
    + '权權类類选選择擇传傳将將从從说說执執样樣计計结結构構页頁语語应應读讀动動'];
  const pairs = [];
  for (let i = 0; i < scripts.length; i += 2) pairs.push([scripts[i], scripts[i + 1]]);
  const text = (loc) => Object.values(messages[loc]).filter((m) => typeof m === 'string').join('\n');

  it('write zh-CN in Simplified and zh-TW in Traditional script', () => {
    const cn = text('zh-CN');
    const tw = text('zh-TW');
    expect(pairs.map(([, tr]) => tr).filter((c) => cn.includes(c)), 'Traditional characters in zh-CN').toEqual([]);
    expect(pairs.map(([sc]) => sc).filter((c) => tw.includes(c)), 'Simplified characters in zh-TW').toEqual([]);
  });

  it('use the glossary of docs/i18n.md in zh-TW, not a converter\'s mainland or programming terms', () => {
    // What a character-by-character or phrase converter (OpenCC s2twp) writes
    // where Traditional-Chinese readers of this subject write otherwise.
    const wrong = ['引數', '影象', '畫素', '直譯器', '全域性', '運算元', '函式', '啟用', '全連線', '箇', '錶格', '映象', '灰度', '方差', '“', '”', '高亮', '當前'];
    const tw = text('zh-TW');
    expect(wrong.filter((w) => tw.includes(w))).toEqual([]);
  });
});
