// The overview's state in the page URL (?model=…&example=…&scale=…&detail=0),
// so that a view can be bookmarked or shared.
const SCALES = new Set(['unit', 'module', 'global']);

/** parseURLState reads the state from a query string. */
export function parseURLState(search) {
  const q = new URLSearchParams(search);
  const st = {};
  if (q.get('model')) st.model = q.get('model');
  if (q.get('example')) st.example = q.get('example');
  if (SCALES.has(q.get('scale'))) st.scale = q.get('scale');
  if (q.get('detail') === '0') st.detail = false;
  return st;
}

/** formatURLState writes the state as a query string (defaults left out). */
export function formatURLState({ model, example, scale, detail }) {
  const q = new URLSearchParams();
  if (model && model !== 'default') q.set('model', model);
  if (example) q.set('example', example);
  if (scale && scale !== 'unit') q.set('scale', scale);
  if (detail === false) q.set('detail', '0');
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function readURLState() {
  return parseURLState(window.location.search);
}

export function writeURLState(st) {
  const next = formatURLState(st) + window.location.hash;
  const cur = window.location.search + window.location.hash;
  if (next !== cur) window.history.replaceState(null, '', next || window.location.pathname);
}
