// Messages of the page chrome and the overview: {en: {...}, 'zh-CN': {...}}.
// Keys are prefixed 'app.', 'nav.', 'controls.', 'overview.'; both
// languages must have the same keys.
export default {
  en: {
    'app.tagline': 'see inside a convolutional neural network',
    'nav.explainer': 'Explainer',
    'nav.scope': 'Scope',
    'nav.language': 'Language',
    'nav.pages': 'Pages',
  },
  'zh-CN': {
    'app.tagline': '看见卷积神经网络的内部',
    'nav.explainer': '解释器',
    'nav.scope': '结构分析',
    'nav.language': '语言',
    'nav.pages': '页面',
  },
};
