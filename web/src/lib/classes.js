// Rules about the classes a model knows: which names to show in the UI's
// language, the "knows N classes" line and the low-confidence warning.

import { matchLocale } from './i18n-core.js';

/**
 * pickLabels returns the model's class names in the language loc: its
 * labels_i18n[loc] (from labels.<loc>.txt beside the model), else a
 * translation for the same UI locale (labels.zh-HK.txt or zh-Hant for zh-TW,
 * zh-Hans for zh-CN: the same script), else one with the same primary
 * language ("zh" for "zh-CN"), when it has exactly as many names as the
 * model's own labels; otherwise the model's own labels (or [] when it has none).
 */
export function pickLabels(model, loc) {
  const own = model?.labels ?? [];
  const tr = model?.labels_i18n ?? {};
  const fits = (l) => Array.isArray(l) && l.length === own.length && l.every((s) => typeof s === 'string' && s !== '');
  if (fits(tr[loc])) return tr[loc];
  const primary = String(loc ?? '').split('-')[0].toLowerCase();
  const entries = Object.entries(tr).filter(([, l]) => fits(l));
  const sameLocale = entries.find(([tag]) => matchLocale(tag) === loc);
  if (sameLocale) return sameLocale[1];
  const samePrimary = entries.find(([tag]) => tag.split('-')[0].toLowerCase() === primary);
  return samePrimary ? samePrimary[1] : own;
}

/**
 * knownClasses summarises a list of class names for the line under the
 * output column: the first max names, how many more there are, and the
 * full list (for the hover/focus title).
 */
export function knownClasses(labels, max = 6) {
  const names = labels ?? [];
  return { n: names.length, shown: names.slice(0, max), more: Math.max(0, names.length - max), all: names.join(', ') };
}

/** LOW_CONFIDENCE is the top probability under which the output column warns. */
export const LOW_CONFIDENCE = 0.5;

/**
 * lowConfidence returns the top probability as a whole percent when it is
 * below LOW_CONFIDENCE (the model is not sure), else null; null also when
 * there are no probabilities.
 */
export function lowConfidence(probabilities) {
  const p = (probabilities ?? []).filter((x) => Number.isFinite(x));
  if (!p.length) return null;
  const top = Math.max(...p);
  return top < LOW_CONFIDENCE ? Math.round(top * 100) : null;
}
