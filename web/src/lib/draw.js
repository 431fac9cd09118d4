// Painting activation maps. Each column of the overview has one canvas
// holding all its maps (one canvas per map would cost a compositor resource
// each), sized in device pixels; maps are scaled into it with
// nearest-neighbour sampling (colors.scaleInto), so they stay crisp.
import { LUTS, scaleInto } from './colors.js';
import { inputRange } from './preprocess.js';

/**
 * mapValues returns the values drawn by neuron idx of a column: one channel
 * plane of a map, or the whole vector; null when the run lacks them.
 */
export function mapValues(col, value, idx) {
  if (!value) return null;
  if (col.kind === 'vector') return value.data;
  const plane = col.shape.length === 3 ? col.shape[1] * col.shape[2] : 1;
  if (idx >= value.channels) return null;
  return value.data.subarray(idx * plane, (idx + 1) * plane);
}

/** mapSize is the pixel size [width, height] of a column's maps. */
export function mapSize(col) {
  if (col.kind === 'vector') {
    const n = col.shape.reduce((a, b) => a * b, 1);
    const w = Math.max(1, Math.ceil(Math.sqrt(n)));
    return [w, Math.max(1, Math.ceil(n / w))];
  }
  return col.shape.length === 3 ? [col.shape[2], col.shape[1]] : [1, 1];
}

/** columnBox is the CSS box covering all neurons of a column. */
export function columnBox(gcol) {
  const ns = gcol.neurons;
  if (!ns.length) return null;
  const first = ns[0];
  const last = ns[ns.length - 1];
  return { x: first.x, y: first.y, w: first.w, h: last.y + last.h - first.y };
}

const buffers = new WeakMap(); // canvas → ImageData of its size

/**
 * paintAll redraws every column canvas under root (canvases carry
 * data-col and are sized in device pixels) from a run: all maps of a
 * column are scaled into one ImageData in JS and written with one
 * putImageData. ranges maps column index → diverging range; geo is the
 * layout; dpr the device pixel ratio the canvases were sized for. The
 * input (and layers copying it) is drawn grey on the range of the values
 * its preprocessing gives (black and white pixels stay black and white).
 */
export function paintAll(root, columns, run, ranges, geo, dpr) {
  for (const cv of root.querySelectorAll('canvas[data-col]')) {
    const ci = +cv.dataset.col;
    const col = columns[ci];
    const gcol = geo.columns[ci];
    const box = gcol && columnBox(gcol);
    if (!col || !box || !cv.width || !cv.height) continue;
    const ctx = cv.getContext('2d');
    let img = buffers.get(cv);
    if (!img || img.width !== cv.width || img.height !== cv.height) {
      img = ctx.createImageData(cv.width, cv.height);
      buffers.set(cv, img);
    }
    new Uint32Array(img.data.buffer).fill(0xfff7f6f5); // the page background (245, 246, 247)
    const value = run ? run.values.get(col.value) : null;
    const [w, h] = mapSize(col);
    const r = ranges.get(ci) ?? 1;
    const [lut, lo, hi] = col.kind === 'input' || col.copiesInput ? [LUTS.grey, ...inputRange(run?.header.preprocess, col.shape[0])] : [LUTS.diverging, -r / 2, r / 2];
    gcol.neurons.forEach((n, idx) => {
      const dx = Math.round((n.x - box.x) * dpr);
      const dy = Math.round((n.y - box.y) * dpr);
      const dw = Math.min(Math.round(n.w * dpr), cv.width - dx);
      const dh = Math.min(Math.round(n.h * dpr), cv.height - dy);
      const values = mapValues(col, value, idx) ?? EMPTY_VALUES;
      scaleInto(img.data, cv.width, dx, dy, dw, dh, values, w, h, lut, lo, hi);
    });
    ctx.putImageData(img, 0, 0);
  }
}

const EMPTY_VALUES = new Float32Array(0);
