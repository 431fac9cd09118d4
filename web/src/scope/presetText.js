// A preset's description in the UI's language: the translation in
// i18n/presets.js, else the API's English text. Pure.
import translations from '../i18n/presets.js';

export const presetDescription = (p, loc) => (p ? translations[loc]?.[p.name] ?? p.description : '');
