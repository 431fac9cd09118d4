// The UI's current language as reactive state. Components call t with a message key
// in their markup; because t reads the locale state, everything re-renders
// when the user switches language. The choice is remembered in
// localStorage ('convscope.locale'); the first visit follows the browser.
//
// Messages live in src/i18n/<area>.js (one catalogue per part of the UI,
// each {en: {...}, 'zh-CN': {...}, 'zh-TW': {...}}); src/i18n/catalogue.test.js
// checks that every language has the same keys and that every key the sources pass to t
// exists. The page chrome's catalogues come with this module; a part loaded
// on demand (the views, the article, the Scope page) adds its own with
// addMessages before it renders.
import { pickLocale, translate, merge, LOCALES } from './i18n-core.js';
import { pageMessages } from '../i18n/page.js';

const KEY = 'convscope.locale';

function stored() {
  try {
    return globalThis.localStorage?.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

const state = $state({ locale: pickLocale(stored(), globalThis.navigator?.languages ?? [globalThis.navigator?.language]), added: 0 });

let messages = pageMessages;
const loaded = new Set();

/** addMessages adds a part's catalogue (once; a key defined twice is an error). */
export function addMessages(catalogue) {
  if (loaded.has(catalogue)) return;
  loaded.add(catalogue);
  messages = merge(messages, catalogue);
  state.added++;
}

function apply(loc) {
  if (globalThis.document) globalThis.document.documentElement.lang = loc;
}
apply(state.locale);

/**
 * withMessages resolves with the component of a part loaded on demand once
 * its catalogue is added: withMessages(import('./x/X.svelte'), import('./i18n/x.js')).
 */
export async function withMessages(component, catalogue) {
  const [m, c] = await Promise.all([component, catalogue]);
  addMessages(c.default);
  return m.default;
}

/** locale returns the current locale (one of LOCALES: 'en', 'zh-CN', 'zh-TW'). */
export function locale() {
  return state.locale;
}

/** setLocale switches the UI language and remembers the choice. */
export function setLocale(loc) {
  if (!LOCALES.includes(loc)) return;
  state.locale = loc;
  apply(loc);
  try {
    globalThis.localStorage?.setItem(KEY, loc);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

/** t translates key into the current language, filling {placeholders} from vars. */
export function t(key, vars) {
  void state.added; // re-render when a catalogue arrives
  return translate(messages, state.locale, key, vars);
}

/**
 * opName names an operator kind (Conv, MaxPool, …) in the current language
 * (i18n/ops.js); a kind without an entry is returned as it is.
 */
export function opName(kind) {
  const key = `op.${kind}`;
  const s = t(key);
  return s === key ? kind : s;
}

/**
 * typeName is what a layer's type column shows: the file's own type in
 * English (Convolution, Conv2D, …), the kind's name in other languages.
 */
export function typeName(type, kind) {
  return state.locale === 'en' ? type : opName(kind);
}

/** num formats a number for the current language (grouping separators). */
export function num(x, opts) {
  // toLocaleString builds a formatter per call; one per locale and options is kept.
  const key = opts ? `${state.locale}|${JSON.stringify(opts)}` : state.locale;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(state.locale, opts);
    formatters.set(key, f);
  }
  return f.format(Number(x));
}

const formatters = new Map();
