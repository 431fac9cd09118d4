// Messages of the views part of the UI: {en: {...}, 'zh-CN': {...}}. Keys
// are prefixed 'views.'; both languages must have the same keys.
export default {
  en: {},
  'zh-CN': {},
};
