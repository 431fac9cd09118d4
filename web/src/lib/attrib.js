// Attribution maps (POST /api/models/{id}/explain, docs/api.md): the
// request's parameters, the NDJSON stream's lines, and how a map is drawn.
//
// Colour: a map of non-negative values (saliency, Grad-CAM, integrated
// gradients) runs from 0 to its maximum on d3's Inferno scale; a signed map
// (occlusion: drops of the class probability, negative where hiding a patch
// raised it) is symmetric, −m…m with m = max |v|, on RdBu reversed (red:
// the probability dropped). A pixel's alpha is its magnitude |v|/m, so the
// image shows through where the map is weak; the opacity slider scales the
// whole overlay.
import { interpolateInferno, interpolateRdBu, rgb } from 'd3';
import { preParams } from './preprocess.js';

export const METHODS = ['saliency', 'gradcam', 'ig', 'occlusion'];
/** SLOW are the methods that report progress (many forward passes). */
export const SLOW = new Set(['ig', 'occlusion']);

/**
 * explainQuery is the query string of an explain request: the method, the
 * class (omitted: the predicted one), Grad-CAM's layer, the example image
 * (else the image is the body), the preprocessing override, and stream=1
 * (progress lines).
 */
export function explainQuery({ method, cls = -1, layer = '', example = '', pre = null }) {
  const q = new URLSearchParams([['method', method]]);
  if (cls >= 0) q.set('class', String(cls));
  if (method === 'gradcam' && layer) q.set('layer', layer);
  if (example) q.set('example', example);
  for (const [k, v] of preParams(pre)) q.set(k, v);
  q.set('stream', '1');
  return q.toString();
}

/** splitLines cuts complete NDJSON lines off a buffer: {lines: [objects], rest}. */
export function splitLines(buffer) {
  const parts = buffer.split('\n');
  const rest = parts.pop();
  return { lines: parts.filter((l) => l.trim()).map((l) => JSON.parse(l)), rest };
}

/** mapScale is the colour scale of a map: {signed, lo, hi, max} (max = the magnitude drawn opaque). */
export function mapScale(map) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    if (v === null) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) lo = hi = 0;
  const signed = lo < 0;
  const max = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  return signed ? { signed, lo: -max, hi: max, max } : { signed, lo: 0, hi: max, max };
}

/** lut samples an interpolator (any CSS colour it returns) into 256 RGBA entries. */
function makeLUT(interpolate) {
  const out = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const c = rgb(interpolate(i / 255));
    out.set([c.r, c.g, c.b, 255], i * 4);
  }
  return out;
}

const LUT = { seq: makeLUT(interpolateInferno), div: makeLUT((t) => interpolateRdBu(1 - t)) };

/** lutFor is the 256-entry RGBA lookup table of a scale. */
export const lutFor = (scale) => (scale.signed ? LUT.div : LUT.seq);

/** colorOf is the [r, g, b, a] of value v on the scale (see the top of this file). */
export function colorOf(v, scale) {
  const lut = lutFor(scale);
  const x = v ?? 0;
  const t = scale.signed ? (x + scale.max) / (2 * scale.max) : x / scale.max;
  const i = Math.round(Math.min(1, Math.max(0, t)) * 255) * 4;
  const a = Math.round(Math.min(1, Math.abs(x) / scale.max) * 255);
  return [lut[i], lut[i + 1], lut[i + 2], a];
}

/** mapRGBA is the map's pixels, RGBA row-major (an ImageData's data). */
export function mapRGBA(map, scale = mapScale(map)) {
  const out = new Uint8ClampedArray(map.length * 4);
  for (let i = 0; i < map.length; i++) out.set(colorOf(map[i], scale), i * 4);
  return out;
}

/** legendStops are CSS gradient stops of a scale (left to right: lo … hi). */
export function legendStops(scale, n = 9) {
  const lut = lutFor(scale);
  const stops = [];
  for (let k = 0; k < n; k++) {
    const i = Math.round((k / (n - 1)) * 255) * 4;
    stops.push(`rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]}) ${Math.round((k / (n - 1)) * 100)}%`);
  }
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** camLayers are the overview columns Grad-CAM can use: maps [K, H, W] (not the input). */
export function camLayers(columns) {
  return columns.filter((c) => c.kind === 'map' && c.shape?.length === 3).map((c) => c.name);
}
