// Which article section explains a layer: the target of a click on a layer
// header in the overview (lib/explain/target.js articleSection). The ids
// are those of article/Article.svelte.

export const SECTION_IDS = ['article-input', 'article-conv', 'article-relu', 'article-pool', 'article-flatten', 'article-softmax'];

const BY_OP = {
  Input: 'article-input',
  Conv: 'article-conv',
  ConvTranspose: 'article-conv',
  Relu: 'article-relu',
  LeakyRelu: 'article-relu',
  Elu: 'article-relu',
  Selu: 'article-relu',
  Sigmoid: 'article-relu',
  Tanh: 'article-relu',
  Clip: 'article-relu',
  Relu6: 'article-relu',
  Softplus: 'article-relu',
  HardSigmoid: 'article-relu',
  MaxPool: 'article-pool',
  AveragePool: 'article-pool',
  GlobalAveragePool: 'article-pool',
  GlobalMaxPool: 'article-pool',
  Flatten: 'article-flatten',
  Reshape: 'article-flatten',
  Dense: 'article-flatten',
  Gemm: 'article-flatten',
  MatMul: 'article-flatten',
  Softmax: 'article-softmax',
};

/**
 * sectionFor returns the id of the article section about a layer, given
 * its canonical op (the API's `op`), 'Input' for the image input, or
 * 'output' for the overview's class column (the softmax); '' when the
 * article has no section for it.
 */
export function sectionFor(op) {
  if (op === 'output') return 'article-softmax';
  return BY_OP[op] ?? '';
}

/**
 * goToSection scrolls to the element with id (an article section), focuses
 * it and puts #id in the address, keeping the ?query; e, a click, is then
 * handled. Nothing happens while the element is not there.
 */
export function goToSection(e, id) {
  const el = document.getElementById(id);
  if (!el) return;
  e?.preventDefault();
  el.scrollIntoView({ behavior: 'smooth', block: 'start' });
  el.focus({ preventScroll: true });
  history.replaceState(history.state, '', `${location.search || location.pathname}#${id}`);
}
