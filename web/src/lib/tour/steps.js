// The guided tour's steps for one model and run: a pure function of the
// model description (GET /api/models/{id}), the overview's columns
// (lib/layout.js buildColumns), the decoded run of the current image and
// the class names in the UI's language. It walks a newcomer through the
// overview → a convolution neuron → its elastic view → the formula view →
// the activation → pooling → flatten → softmax → "Why?" (attribution),
// each step with the element it talks about (a CSS selector), the
// explanation view it needs open ({kind, …} as ExplainerPage.openView
// takes it, or null for the overview), and its message key with the
// numbers of this run. A step whose layer kind the model lacks (no pooling,
// no Dense classifier…) or that needs a run the page does not have is left
// out, so the tour works for any model. The layers are found by their
// traits (traits.explain), never by operator names.
import { viewKind, classifier, shapeOf } from '../explain/target.js';
import { inputChannels } from '../explain/conv.js';
import { fmt } from '../labels.js';

/** WHY is the selector of the attribution control ("Why?"); its step is left out when the page lacks it. */
export const WHY = '[data-tour="why"]';
/** BUTTON is the selector of the top bar's Tour button (the last step points at it). */
export const BUTTON = '[data-tour-button]';

/** attr is an attribute selector matching value exactly, whatever characters a layer name holds. */
export function attr(name, value) {
  return `[${name}="${String(value).replace(/["\\]/g, '\\$&')}"]`;
}

/** channelRange is [min, max] of channel c of a run value ([C, H, W], c below the channels sent), else null. */
export function channelRange(v, c) {
  if (!v || v.shape?.length !== 3 || c >= (v.channels ?? 0)) return null;
  const n = v.shape[1] * v.shape[2];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = c * n; i < (c + 1) * n; i++) {
    const x = v.data[i];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return n ? [lo, hi] : null;
}

/** negativeShare is the percentage of channel c's values below zero (what a ReLU sets to 0), else null. */
export function negativeShare(v, c) {
  if (!v || v.shape?.length !== 3 || c >= (v.channels ?? 0)) return null;
  const n = v.shape[1] * v.shape[2];
  let neg = 0;
  for (let i = c * n; i < (c + 1) * n; i++) if (v.data[i] < 0) neg++;
  return n ? (100 * neg) / n : null;
}

/** liveliest is the channel of a run value (among those sent) with the largest value, 0 without one: the tour's neuron shows something for this image. */
export function liveliest(v) {
  if (!v || v.shape?.length !== 3) return 0;
  const n = v.shape[1] * v.shape[2];
  let best = 0;
  let top = -Infinity;
  for (let c = 0; c < (v.channels ?? 0); c++) {
    for (let i = c * n; i < (c + 1) * n; i++) {
      if (v.data[i] > top) [top, best] = [v.data[i], c];
    }
  }
  return best;
}

const isMap = (s) => Array.isArray(s) && s.length === 3;

/**
 * tourSteps lists the tour's steps: [{id, target, view, title, body, vars}]
 * — id one of overview, input, conv, conv-view, formula, act, pool,
 * flatten, softmax, why, end; target the selector of the element it
 * highlights; view the explanation view to open (null: none); title and
 * body the message keys (i18n/tour.js) and vars their values.
 * why: the page has the attribution control (WHY).
 */
export function tourSteps({ model, columns = [], run = null, labels = [], why = false } = {}) {
  if (!model) return [];
  const steps = [];
  const add = (id, target, view, vars = {}, body = `tour.${id}.body`) => steps.push({ id, target, view, title: `tour.${id}.title`, body, vars });
  const cur = run && run.header?.model === model.id ? run : null;
  const h = cur?.header;
  const cls = h && h.predicted >= 0 ? h.predicted : -1;
  const clsName = cls >= 0 ? labels[cls] ?? h.class ?? String(cls) : '';
  const layerCols = columns.filter((c) => c.kind === 'map' || c.kind === 'vector').length;

  // 1. The overview: every layer's maps, and what the network answered.
  if (cls >= 0) add('overview', '[data-testid="overview"]', null, { name: model.name ?? model.id, n: layerCols, cls: clsName, p: fmt(100 * h.probabilities[cls], 1) });
  else add('overview', '[data-testid="overview"]', null, { name: model.name ?? model.id, n: layerCols }, 'tour.overview.bodyNoRun');

  // 2. The input column: the image as the network gets it.
  const inCol = columns.find((c) => c.kind === 'input' && isMap(c.shape));
  if (inCol) {
    const v = cur?.values.get(inCol.value);
    const [c, ih, iw] = inCol.shape;
    const vars = { c, h: ih, w: iw };
    if (v) add('input', `canvas${attr('data-col-layer', inCol.name)}`, null, { ...vars, lo: fmt(v.min, 2), hi: fmt(v.max, 2) });
    else add('input', `canvas${attr('data-col-layer', inCol.name)}`, null, vars, 'tour.input.bodyNoRun');
  }

  // 3–5. The first convolution with a column of its own: one neuron in the
  // overview, its elastic view, the formula view of its first input channel.
  const convCol = columns.find((c) => viewKind(c) === 'conv');
  const conv = convCol && model.layers.find((l) => l.name === convCol.name);
  const inShape = conv ? shapeOf(model, conv.inputs[0]) : null;
  // Its most activated map (a neuron that stays negative would show a ReLU of zeros).
  const neuron = conv ? liveliest(cur?.values.get(conv.outputs[0])) : 0;
  if (conv && isMap(inShape) && isMap(conv.shape)) {
    const [kh, kw] = conv.attrs?.kernel ?? [1, 1];
    const feeds = inputChannels(neuron, inShape[0], conv.shape[0], conv.attrs?.groups ?? 1);
    const range = channelRange(cur?.values.get(conv.outputs[0]), neuron);
    const base = { layer: conv.name, n: neuron, kh, kw, cin: feeds.length };
    const target = `.neuron${attr('data-layer', conv.name)}${attr('data-neuron', neuron)}`;
    if (range) add('conv', target, null, { ...base, lo: fmt(range[0], 2), hi: fmt(range[1], 2) });
    else add('conv', target, null, base, 'tour.conv.bodyNoRun');
    if (cur) {
      add('conv-view', `[data-view="conv"] [data-output-map]`, { kind: 'conv', layer: conv.name, neuron }, base);
      const ch = feeds[0]?.channel ?? 0;
      add('formula', '[data-view="conv-formula"]', { kind: 'conv-formula', layer: conv.name, neuron, ch }, { ...base, ch, k: kh * kw });
    }
  }

  // 6. The activation: the first one (traits.explain 'relu', any function)
  // after that convolution with a map input, preferably reading it.
  const unary = (kind) => (l) => l.traits?.explain === kind && isMap(shapeOf(model, l.inputs[0])) && isMap(l.shape);
  const after = conv ? model.layers.slice(model.layers.indexOf(conv) + 1) : model.layers;
  const act = after.find((l) => unary('relu')(l) && conv && l.inputs[0] === conv.outputs[0]) ?? after.find(unary('relu')) ?? model.layers.find(unary('relu'));
  if (act && cur) {
    const func = act.attrs?.func ?? act.op;
    const c = conv && act.inputs[0] === conv.outputs[0] ? neuron : liveliest(cur.values.get(act.inputs[0]));
    const neg = negativeShare(cur.values.get(act.inputs[0]), c);
    const view = { kind: 'relu', layer: act.name, neuron: c };
    if (func !== 'Relu') add('act', '[data-view="relu"]', view, { layer: act.name, func }, 'tour.act.bodyOther');
    else if (neg !== null) add('act', '[data-view="relu"]', view, { layer: act.name, n: c, share: fmt(neg, 0) });
    else add('act', '[data-view="relu"]', view, { layer: act.name }, 'tour.act.bodyPlain');
  }

  // 7. Pooling: the first windowed pooling (traits.explain 'pool').
  const pool = model.layers.find(unary('pool'));
  if (pool && cur) {
    const [kh, kw] = pool.attrs?.kernel ?? [1, 1];
    const [sh, sw] = pool.attrs?.stride ?? [1, 1];
    const ps = shapeOf(model, pool.inputs[0]);
    const vars = { layer: pool.name, kh, kw, sh, sw, h: ps[1], w: ps[2], oh: pool.shape[1], ow: pool.shape[2] };
    add('pool', '[data-view="pool"]', { kind: 'pool', layer: pool.name, neuron: liveliest(cur.values.get(pool.outputs[0])) }, vars, pool.attrs?.type === 'avg' ? 'tour.pool.bodyAvg' : 'tour.pool.body');
  }

  // 8–9. The classifier: the maps flattened into the Dense layer's vector,
  // and the softmax turning its logits into probabilities.
  const cl = classifier(model);
  const logits = h?.logits ?? [];
  if (cls >= 0 && cl.dense && cl.flatten && cl.mapShape && logits.length > cls) {
    const [c, mh, mw] = cl.mapShape;
    add('flatten', '[data-view="flatten"] [data-strip]', { kind: 'flatten', cls }, { c, h: mh, w: mw, n: c * mh * mw, layer: cl.dense.name, cls: clsName, logit: fmt(logits[cls], 3) });
  }
  if (cls >= 0 && model.probabilities && logits.length > cls) {
    add('softmax', '[data-view="softmax"]', { kind: 'softmax', cls }, { cls: clsName, logit: fmt(logits[cls], 3), p: fmt(100 * h.probabilities[cls], 1), n: logits.length });
  }

  // 10. Why this class: the attribution control, when the page has it.
  if (why && cls >= 0) add('why', WHY, null, { cls: clsName });

  // 11. Where to start the tour again.
  add('end', BUTTON, null);
  return steps;
}

/**
 * viewAction says what the page must do to show a step whose view is
 * wanted while view current is open: 'open' (wanted, through
 * ExplainerPage.openView), 'close' (an overview step while a view is open)
 * or null (already as wanted).
 */
export function viewAction(current, wanted) {
  if (wanted) return JSON.stringify(current ?? null) === JSON.stringify(wanted) ? null : 'open';
  return current ? 'close' : null;
}
