// The training studio's rules, pure (vitest: train.test.js): the form and
// the request it makes, merging the server's state events, the curves'
// geometry, the first-layer kernels as pixels, durations and the confusion
// matrix's shading. Train.svelte and its parts only draw what these return.

/** DEFAULTS are the form's starting values (the server's defaults, docs/api.md). */
export const DEFAULTS = Object.freeze({
  dataset: 'fashion-mnist',
  blocks: 2,
  filters: 10,
  kernel: 3,
  input: 64,
  lr: 0.001,
  batch: 32,
  epochs: 1,
  augment: true,
  max_steps: 0,
});

/** RANGES bound the form's number fields (the server checks them too). */
export const RANGES = Object.freeze({
  blocks: [1, 4],
  filters: [1, 64],
  kernel: [1, 7],
  input: [16, 128],
  batch: [1, 256],
  epochs: [1, 50],
  max_steps: [0, 1e7],
});

/**
 * trainConfig turns the form into POST /api/train's JSON, or names the first
 * field out of range: {config} or {error: {field, min, max}}.
 */
export function trainConfig(form) {
  for (const [field, [lo, hi]] of Object.entries(RANGES)) {
    const v = Number(form[field]);
    if (!Number.isInteger(v) || v < lo || v > hi) return { error: { field, min: lo, max: hi } };
  }
  const lr = Number(form.lr);
  if (!(lr > 0 && lr <= 1)) return { error: { field: 'lr', min: 0, max: 1 } };
  const config = { arch: 'tinyvgg', lr, augment: !!form.augment };
  for (const f of Object.keys(RANGES)) config[f] = Number(form[f]);
  if (form.dataset !== 'upload') config.dataset = form.dataset;
  return { config };
}

/** archQuery is GET /api/train/arch's query for the form's architecture. */
export function archQuery(form, classes = 10) {
  const q = new URLSearchParams();
  for (const f of ['blocks', 'filters', 'kernel', 'input']) q.set(f, String(Number(form[f])));
  q.set('classes', String(classes));
  return q.toString();
}

const CURVE_KEYS = ['point_step', 'loss', 'accuracy'];

/**
 * mergeState folds a state from the server (GET /api/train or an event,
 * whose curve arrays start at index `from`) into the previous one. It
 * returns null when the event does not continue what the page has (another
 * job, or points missing): the page then reloads the whole state.
 */
export function mergeState(prev, next) {
  if (!prev || next.from === 0 || prev.job !== next.job) {
    return next.from === 0 ? next : null;
  }
  const have = prev.loss.length;
  if (next.from > have) return null;
  const out = { ...next, from: 0 };
  for (const k of CURVE_KEYS) out[k] = prev[k].slice(0, next.from).concat(next[k]);
  return out;
}

/**
 * curvePath is an SVG path through the points (xs[i], ys[i]) scaled into
 * width × height: x over [0, xMax], y over [yLo, yHi] (up is larger).
 */
export function curvePath(xs, ys, { width, height, xMax, yLo, yHi }) {
  const sx = xMax > 0 ? width / xMax : 0;
  const span = yHi - yLo;
  const sy = span > 0 ? height / span : 0;
  let d = '';
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) continue;
    const px = xs[i] * sx;
    const py = height - (Math.min(Math.max(y, yLo), yHi) - yLo) * sy;
    d += `${d ? 'L' : 'M'}${round2(px)},${round2(py)}`;
  }
  return d;
}

const round2 = (v) => Math.round(v * 100) / 100;

/** lossRange is the y range of the loss chart: [0, the largest loss, at least 0.1]. */
export function lossRange(...series) {
  let hi = 0;
  for (const s of series) for (const v of s ?? []) if (Number.isFinite(v)) hi = Math.max(hi, v);
  return [0, Math.max(hi, 0.1)];
}

/**
 * kernelPixels turns the first layer's weights {shape: [out, in, k, k], data}
 * into one RGBA image per filter (k × k; in = 3: R, G, B; else the channels'
 * mean in grey), each scaled to the filters' common largest |w| so that
 * 0 is mid-grey: {size, images: [Uint8ClampedArray]}.
 */
export function kernelPixels(kernels) {
  if (!kernels) return { size: 0, images: [] };
  const [out, inC, kh, kw] = kernels.shape;
  const { data } = kernels;
  let m = 0;
  for (const v of data) m = Math.max(m, Math.abs(v));
  const scale = m > 0 ? 127.5 / m : 0;
  const images = [];
  const n = kh * kw;
  for (let o = 0; o < out; o++) {
    const img = new Uint8ClampedArray(n * 4);
    for (let p = 0; p < n; p++) {
      const at = (c) => data[(o * inC + c) * n + p];
      let rgb;
      if (inC === 3) rgb = [at(0), at(1), at(2)];
      else {
        let s = 0;
        for (let c = 0; c < inC; c++) s += at(c);
        rgb = [s / inC, s / inC, s / inC];
      }
      for (let c = 0; c < 3; c++) img[p * 4 + c] = Math.round(127.5 + rgb[c] * scale);
      img[p * 4 + 3] = 255;
    }
    images.push(img);
  }
  return { size: kh, images };
}

/** duration formats seconds as "1 h 02 min", "3 min 05 s" or "42 s"; '' when unknown. */
export function duration(s) {
  if (!Number.isFinite(s) || s < 0) return '';
  s = Math.round(s);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (v) => String(v).padStart(2, '0');
  if (h > 0) return `${h} h ${two(m)} min`;
  if (m > 0) return `${m} min ${two(sec)} s`;
  return `${sec} s`;
}

/**
 * confusionCells shades the matrix M[truth][pred] by row: each cell's
 * share of its row (0 for an empty row), and the overall accuracy.
 */
export function confusionCells(m) {
  let right = 0;
  let total = 0;
  const rows = (m ?? []).map((row, i) => {
    const sum = row.reduce((a, b) => a + b, 0);
    total += sum;
    right += row[i] ?? 0;
    return row.map((v) => ({ count: v, share: sum > 0 ? v / sum : 0 }));
  });
  return { rows, accuracy: total > 0 ? right / total : 0 };
}

/**
 * probeLayers picks the maps to show from a run's values (decodeRun): every
 * layer's output that is a stack of maps (C × H × W, H and W above 1), the
 * input included, with at most maxChannels channels each.
 */
export function probeLayers(values, maxChannels = 8) {
  const out = [];
  for (const v of values) {
    if (v.shape.length !== 3 || v.shape[1] < 2 || v.shape[2] < 2) continue;
    const [c, h, w] = v.shape;
    out.push({ name: v.node || v.name, channels: Math.min(c, v.channels || c, maxChannels), h, w, data: v.data, min: v.min, max: v.max });
  }
  return out;
}
