// The overview's state in the page URL (?model=…&example=…&scale=…&detail=0),
// so that a view can be bookmarked or shared. An open explanation view adds
// view=KIND&layer=NAME&neuron=N (conv, conv-formula, relu, pool, layer), plus ch=C
// (the input channel of conv-formula), or view=flatten|softmax&class=K.
const SCALES = new Set(['unit', 'module', 'global']);
const VIEW_KINDS = new Set(['conv', 'conv-formula', 'relu', 'pool', 'softmax', 'flatten', 'layer']);

const nat = (s) => (s !== null && /^\d{1,6}$/.test(s) ? Number(s) : null);

/** parseView reads an open view from query parameters (null when none or malformed). */
export function parseView(q) {
  const kind = q.get('view');
  if (!VIEW_KINDS.has(kind)) return null;
  if (kind === 'flatten' || kind === 'softmax') {
    const cls = nat(q.get('class'));
    return cls === null ? null : { kind, cls };
  }
  const layer = q.get('layer');
  const neuron = nat(q.get('neuron'));
  if (!layer || neuron === null) return null;
  if (kind === 'conv-formula') {
    const ch = nat(q.get('ch'));
    return ch === null ? null : { kind, layer, neuron, ch };
  }
  return { kind, layer, neuron };
}

/** parseURLState reads the state from a query string. */
export function parseURLState(search) {
  const q = new URLSearchParams(search);
  const st = {};
  if (q.get('model')) st.model = q.get('model');
  if (q.get('example')) st.example = q.get('example');
  if (SCALES.has(q.get('scale'))) st.scale = q.get('scale');
  if (q.get('detail') === '0') st.detail = false;
  const view = parseView(q);
  if (view) st.view = view;
  return st;
}

/** formatURLState writes the state as a query string (defaults left out). */
export function formatURLState({ model, example, scale, detail, view }) {
  const q = new URLSearchParams();
  if (model && model !== 'default') q.set('model', model);
  if (example) q.set('example', example);
  if (scale && scale !== 'unit') q.set('scale', scale);
  if (detail === false) q.set('detail', '0');
  if (view && VIEW_KINDS.has(view.kind)) {
    q.set('view', view.kind);
    if (view.kind === 'flatten' || view.kind === 'softmax') q.set('class', String(view.cls));
    else {
      q.set('layer', view.layer);
      q.set('neuron', String(view.neuron));
      if (view.kind === 'conv-formula') q.set('ch', String(view.ch));
    }
  }
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
