// Which article section explains a layer: the target of a click on a layer
// header in the overview (lib/explain/target.js articleSection). The ids
// are those of article/Article.svelte.

export const SECTION_IDS = ['article-input', 'article-conv', 'article-relu', 'article-pool', 'article-flatten', 'article-softmax'];

/**
 * sectionFor returns the id of the article section about a layer (a layer
 * of the model description or an overview column: anything with the
 * server's traits), 'Input' for the image input, or 'output' for the
 * overview's class column (the softmax); '' when the article has no
 * section for it.
 */
export function sectionFor(layer) {
  if (layer === 'Input') return 'article-input';
  if (layer === 'output') return 'article-softmax';
  const t = layer?.traits ?? {};
  if (t.family === 'conv') return 'article-conv';
  if (t.explain === 'relu') return 'article-relu';
  if (t.family === 'pool') return 'article-pool';
  if (t.family === 'output') return 'article-softmax';
  // The dense layers, and the layers that flatten or reshape the maps for
  // them (not Dropout and Identity, which pass them on as they are).
  if (t.family === 'dense' || (t.passthrough && !t.keeps_range)) return 'article-flatten';
  return '';
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
