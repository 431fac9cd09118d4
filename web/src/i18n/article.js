// Messages of the article part of the UI: {en: {...}, 'zh-CN': {...}}. Keys
// are prefixed 'article.'; both languages must have the same keys.
export default {
  en: {},
  'zh-CN': {},
};
