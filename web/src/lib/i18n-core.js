// Pure helpers of the UI's translations (no DOM, no Svelte): which locale
// to use, and how a message template is filled in. lib/i18n.svelte.js keeps
// the current locale as reactive state on top of these.
//
// Locales are BCP 47 tags; the UI has 'en' (the fallback), 'zh-CN'
// (Simplified Chinese) and 'zh-TW' (Traditional Chinese).
// A message is a string with {name} placeholders, or a function of the
// variables (for plurals and word order that a template cannot express).

export const LOCALES = ['en', 'zh-CN', 'zh-TW'];
export const FALLBACK = 'en';

/** LOCALE_NAMES: each locale's name in its own language (for the switch). */
export const LOCALE_NAMES = { en: 'English', 'zh-CN': '简体中文', 'zh-TW': '繁體中文' };

/**
 * matchLocale maps a browser language tag to a supported locale, or ''
 * when none fits: 'zh', 'zh-CN', 'zh-Hans', 'zh-SG' → 'zh-CN'; Traditional
 * Chinese ('zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant', 'zh-Hant-HK') → 'zh-TW';
 * 'en-GB' → 'en'. The script subtag wins over the region ('zh-Hans-HK' is
 * Simplified, 'zh-Hant-CN' Traditional); another Chinese region is ''.
 */
export function matchLocale(tag) {
  if (typeof tag !== 'string' || !tag) return '';
  const t = tag.toLowerCase();
  if (t.startsWith('zh-hans')) return 'zh-CN';
  if (t.startsWith('zh-hant')) return 'zh-TW';
  if (t === 'zh' || t === 'zh-cn' || t === 'zh-sg' || t.startsWith('zh-cn-') || t.startsWith('zh-sg-')) return 'zh-CN';
  if (['zh-tw', 'zh-hk', 'zh-mo'].some((r) => t === r || t.startsWith(`${r}-`))) return 'zh-TW';
  if (t.startsWith('zh-')) return '';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return '';
}

/**
 * pickLocale chooses the locale: the remembered choice if it is supported,
 * else the first of the browser's languages we have, else the fallback.
 */
export function pickLocale(stored, languages = []) {
  if (LOCALES.includes(stored)) return stored;
  for (const l of languages) {
    const m = matchLocale(l);
    if (m) return m;
  }
  return FALLBACK;
}

/** fill replaces {name} in a template by vars.name; unknown names stay as written. */
export function fill(template, vars) {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (all, k) => (k in vars ? String(vars[k]) : all));
}

/**
 * translate looks key up in dicts[locale], then in the fallback locale; a
 * missing key gives the key itself (visible, and caught by the catalogue test).
 */
export function translate(dicts, locale, key, vars) {
  const m = dicts[locale]?.[key] ?? dicts[FALLBACK]?.[key];
  if (m === undefined) return key;
  if (typeof m === 'function') return m(vars ?? {});
  return fill(m, vars);
}

/** merge combines message catalogues ({en: {...}, 'zh-CN': {...}}); a key defined twice is an error. */
export function merge(...catalogues) {
  const out = {};
  for (const c of catalogues) {
    for (const [loc, msgs] of Object.entries(c)) {
      out[loc] ??= {};
      for (const [k, v] of Object.entries(msgs)) {
        if (k in out[loc]) throw new Error(`i18n: message ${k} (${loc}) is defined twice`);
        out[loc][k] = v;
      }
    }
  }
  return out;
}
