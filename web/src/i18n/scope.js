// Messages of the scope part of the UI: {en: {...}, 'zh-CN': {...}}. Keys
// are prefixed 'scope.'; both languages must have the same keys.
export default {
  en: {},
  'zh-CN': {},
};
