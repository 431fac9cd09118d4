// Which explanation view a click opens, and what each view needs from the
// model description: pure look-ups on GET /api/models/{id} (and a run).
import { sectionFor } from '../../article/sections.js';
import { planeOf } from './conv.js';
import { symmetric } from './scales.js';

/** VIEWS are the view kinds (the data-view of each view's root). */
export const VIEWS = ['conv', 'conv-formula', 'relu', 'pool', 'softmax', 'flatten', 'layer'];

/** layerOf finds a layer by name. */
export function layerOf(model, name) {
  return model?.layers.find((l) => l.name === name) ?? null;
}

/** producerOf finds the layer producing a value. */
export function producerOf(model, value) {
  return model?.layers.find((l) => l.outputs.includes(value)) ?? null;
}

/** shapeOf is the per-image shape of a value (graph input or layer output). */
export function shapeOf(model, value) {
  const inp = model.inputs.find((i) => i.name === value);
  if (inp) return inp.shape;
  return producerOf(model, value)?.shape ?? null;
}

/**
 * unaryMaps are the input and output maps of channel `neuron` of a layer
 * with one [C, H, W] input (an activation or a pooling), from a decoded
 * run: {inName, h, w, x, y, range} — h×w the input's size, x and y the two
 * planes, range the symmetric colour range of both values. null when the
 * run lacks either value or that channel.
 */
export function unaryMaps(model, run, layer, neuron) {
  if (!layer) return null;
  const inName = layer.inputs[0];
  const inShape = shapeOf(model, inName);
  const inVal = run.values.get(inName);
  const outVal = run.values.get(layer.outputs[0]);
  if (!inShape || inShape.length !== 3 || !inVal || !outVal || neuron >= outVal.channels || neuron >= inVal.channels) return null;
  const m = Math.max(Math.abs(inVal.min), Math.abs(inVal.max), Math.abs(outVal.min), Math.abs(outVal.max));
  return {
    inName,
    h: inShape[1],
    w: inShape[2],
    x: planeOf(inVal.data, inShape, neuron),
    y: planeOf(outVal.data, layer.shape, neuron),
    range: symmetric(m),
  };
}

/**
 * viewKind tells which view a click on a neuron of a column opens: 'conv',
 * 'relu', 'pool' (the layer's traits.explain, for maps), 'flatten' (an
 * output class), 'layer' (any other layer's maps or vector: its inputs,
 * formula and values, lib/explain/layer.js) or null (the input image).
 */
export function viewKind(col) {
  if (!col) return null;
  if (col.kind === 'output') return 'flatten';
  if (col.kind === 'vector') return 'layer';
  if (col.kind !== 'map') return null;
  return col.traits?.explain || 'layer';
}

/** articleSection is the id of the article section about a column's layer (article/sections.js), or null. */
export function articleSection(col) {
  if (!col) return null;
  return sectionFor(col.kind === 'input' ? 'Input' : col.kind === 'output' ? 'output' : col) || null;
}

/**
 * classifier describes the layers behind the output classes: {dense, flatten,
 * mapValue, mapShape, vectorValue, channelsLast} — dense: the layer computing
 * the logits when it is a Dense layer (else null); vectorValue: its input;
 * flatten: the Flatten (or Reshape) layer producing that input, if any;
 * mapValue/mapShape: the feature maps before the flatten.
 */
export function classifier(model) {
  const lp = model?.logits ? producerOf(model, model.logits) : null;
  if (!lp || lp.op !== 'Dense') return { dense: null };
  const vectorValue = lp.inputs[0];
  let fl = producerOf(model, vectorValue);
  // Look through the pass-through layers that keep their input's shape
  // (Dropout, Identity) to the one flattening the maps (Flatten, Reshape).
  const passes = (l) => !!l?.traits?.passthrough;
  const same = (a, b) => !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
  while (passes(fl) && same(fl.shape, shapeOf(model, fl.inputs[0]))) fl = producerOf(model, fl.inputs[0]);
  const flatten = passes(fl) ? fl : null;
  const mapValue = flatten ? flatten.inputs[0] : null;
  const mapShape = mapValue ? shapeOf(model, mapValue) : null;
  return {
    dense: lp,
    vectorValue,
    flatten,
    mapValue: mapShape && mapShape.length === 3 ? mapValue : null,
    mapShape: mapShape && mapShape.length === 3 ? mapShape : null,
    channelsLast: !!flatten?.attrs?.channels_last,
  };
}
