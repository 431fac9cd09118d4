// Colour scales and the legend-range rule.
//
// Activation maps use a diverging red (negative) – white – blue (positive)
// scale symmetric around 0: a value v is drawn at t = (v + range/2) / range
// of d3.interpolateRdBu, so the scale runs from −range/2 to +range/2 and
// that is exactly what the legend says. The range of a colour group is the
// original CNN Explainer's: range = 2·(0.1 + max|v|), max|v| rounded to 3
// decimals. (The original labels its legends ±range after an image switch;
// here the legend is always computed from the same numbers that colour the
// maps, whatever happened before.)
//
// The colour schemes are d3-scale-chromatic's, evaluated here without
// loading d3 (d3's 46 kB were a quarter of the page's first script): the
// same 9/11 colour stops joined by d3-interpolate's uniform B-spline in RGB
// (interpolateRgbBasis), rounded and clamped as d3-color formats them.
// colors.test.js checks every table against d3 itself.

export const round3 = (x) => Math.round(x * 1000) / 1000;

/** rangeFromMaxAbs is the full width of the colour scale for a group. */
export function rangeFromMaxAbs(maxAbs) {
  const a = Number.isFinite(maxAbs) ? Math.abs(maxAbs) : 0;
  return round3(2 * (0.1 + round3(a)));
}

/** maxAbs of a value from its min/max (nulls — non-finite — count as 0). */
export function maxAbsOf(min, max) {
  return Math.max(Math.abs(min ?? 0), Math.abs(max ?? 0));
}

/** t maps a value into [0, 1] on a symmetric scale of the given range. */
export function divergingT(v, range) {
  if (!(range > 0)) return 0.5;
  const t = (v + range / 2) / range;
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** legendTicks are the labelled values of a diverging legend. */
export function legendTicks(range) {
  const h = range / 2;
  return [-h, 0, h];
}

/** formatTick prints a legend value with two decimals (−0.00 → 0.00). */
export function formatTick(v) {
  const s = (Math.abs(v) < 0.005 ? 0 : v).toFixed(2);
  return s.replace('-', '−');
}

function parseRGB(c) {
  // interpolators return "rgb(r, g, b)", as d3's do.
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(c);
  return m ? [+m[1], +m[2], +m[3]] : [0, 0, 0];
}

/** makeLUT samples an interpolator into n RGBA entries. */
export function makeLUT(interpolate, n = 256) {
  const lut = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = parseRGB(interpolate(i / (n - 1)));
    lut.set([r, g, b, 255], i * 4);
  }
  return lut;
}

// The largest scheme of each d3-scale-chromatic palette used here.
export const SCHEMES = {
  RdBu: '67001fb2182bd6604df4a582fddbc7f7f7f7d1e5f092c5de4393c32166ac053061',
  Greys: 'fffffff0f0f0d9d9d9bdbdbd969696737373525252252525000000',
  Oranges: 'fff5ebfee6cefdd0a2fdae6bfd8d3cf16913d94801a636037f2704',
  BrBG: '5430058c510abf812ddfc27df6e8c3f5f5f5c7eae580cdc135978f01665e003c30',
};

/** basis is d3-interpolate's uniform cubic B-spline through values (t in [0, 1]). */
function basis(values) {
  const n = values.length - 1;
  return (t) => {
    const i = t <= 0 ? (t = 0) : t >= 1 ? ((t = 1), n - 1) : Math.floor(t * n);
    const v1 = values[i];
    const v2 = values[i + 1];
    const v0 = i > 0 ? values[i - 1] : 2 * v1 - v2;
    const v3 = i < n - 1 ? values[i + 2] : 2 * v2 - v1;
    const t1 = (t - i / n) * n;
    const t2 = t1 * t1;
    const t3 = t2 * t1;
    return ((1 - 3 * t1 + 3 * t2 - t3) * v0 + (4 - 6 * t2 + 3 * t3) * v1 + (1 + 3 * t1 + 3 * t2 - 3 * t3) * v2 + t3 * v3) / 6;
  };
}

const clampi = (v) => Math.max(0, Math.min(255, Math.round(v) || 0));

/** schemeRGB is a scheme of SCHEMES as t → [r, g, b], the integers d3's interpolator prints. */
function schemeRGB(name) {
  const hex = SCHEMES[name];
  const ch = [0, 1, 2].map((c) => basis(Array.from({ length: hex.length / 6 }, (_, i) => parseInt(hex.slice(6 * i + 2 * c, 6 * i + 2 * c + 2), 16))));
  return (t) => [clampi(ch[0](t)), clampi(ch[1](t)), clampi(ch[2](t))];
}

/** interpolateScheme is d3's interpolate<Name> for a scheme of SCHEMES: t → "rgb(r, g, b)". */
export function interpolateScheme(name) {
  const rgb = schemeRGB(name);
  return (t) => `rgb(${rgb(t).join(', ')})`;
}

/** schemeLUT is makeLUT(t → interpolate<name>(at(t))) without formatting and parsing each colour. */
function schemeLUT(name, at = (t) => t, n = 256) {
  const rgb = schemeRGB(name);
  const lut = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    lut.set(rgb(at(i / (n - 1))), i * 4);
    lut[i * 4 + 3] = 255;
  }
  return lut;
}

const lutMakers = {
  diverging: () => schemeLUT('RdBu'),
  // Greys runs white→black; input channels are drawn black (0) → white (1).
  grey: () => schemeLUT('Greys', (t) => 1 - t),
  orange: () => schemeLUT('Oranges', (t) => 0.1 + 0.9 * t),
  weights: () => schemeLUT('BrBG'),
  // The positive half of the diverging scale (white → blue), for the legends of unsigned maps.
  positive: () => schemeLUT('RdBu', (t) => 0.5 + t / 2),
};

/** LUTS holds the colour tables, each built on first use. */
export const LUTS = {};
for (const [name, make] of Object.entries(lutMakers)) {
  let lut;
  Object.defineProperty(LUTS, name, { enumerable: true, get: () => (lut ??= make()) });
}

/**
 * lutT places v on a colour table spanning [lo, hi]: t in [0, 1], clamped;
 * a zero (or invalid) span gives the middle, as fillPixels does; NaN stays NaN.
 */
export function lutT(v, lo, hi) {
  const span = hi - lo;
  if (!(span > 0)) return 0.5;
  const t = (v - lo) / span;
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** lutRGB is the colour [r, g, b] of value v on lut spanning [lo, hi] (NaN takes the first entry, as in fillPixels). */
export function lutRGB(lut, v, lo, hi) {
  const t = lutT(v, lo, hi);
  const k = 4 * Math.round((Number.isNaN(t) ? 0 : t) * (lut.length / 4 - 1));
  return [lut[k], lut[k + 1], lut[k + 2]];
}

/** lutCSS is lutRGB as a CSS colour, "rgb(r,g,b)". */
export function lutCSS(lut, v, lo, hi) {
  return `rgb(${lutRGB(lut, v, lo, hi).join(',')})`;
}

/** cssGradient returns a CSS linear-gradient for a LUT (for legends). */
export function cssGradient(lut, stops = 11) {
  const n = lut.length / 4;
  const parts = [];
  for (let i = 0; i < stops; i++) {
    const k = Math.round((i / (stops - 1)) * (n - 1)) * 4;
    parts.push(`rgb(${lut[k]},${lut[k + 1]},${lut[k + 2]}) ${((i / (stops - 1)) * 100).toFixed(0)}%`);
  }
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

const words = new WeakMap(); // LUT → the same colours as one 32-bit word per entry

function lutWords(lut) {
  let w = words.get(lut);
  if (!w) {
    w = new Uint32Array(lut.length / 4);
    new Uint8Array(w.buffer).set(lut);
    words.set(lut, w);
  }
  return w;
}

/**
 * fillPixels writes RGBA pixels for values: each value is mapped to
 * t = (v − lo) / (hi − lo), clamped, then looked up in the LUT. Pixels are
 * written as whole 32-bit words (the byte order of both sides is the
 * platform's, so this is endian-safe).
 */
export function fillPixels(out, values, lut, lo, hi) {
  const w = lutWords(lut);
  const px = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  const n = w.length - 1;
  const span = hi - lo;
  const k = span > 0 ? n / span : 0;
  const mid = w[(n + 1) >> 1];
  for (let i = 0; i < values.length; i++) {
    if (!(span > 0)) {
      px[i] = mid;
      continue;
    }
    const t = (values[i] - lo) * k + 0.5;
    px[i] = t >= 1 ? (t < n ? w[t | 0] : w[n]) : w[0]; // also NaN → w[0]
  }
  return out;
}

/**
 * scaleInto paints one map into a larger RGBA pixel buffer (width stride
 * pixels) at (dx, dy), dw × dh device pixels, scaling the w × h values
 * with nearest-neighbour sampling (each output pixel takes the value under
 * its centre), so maps stay crisp at any size.
 */
export function scaleInto(out, stride, dx, dy, dw, dh, values, w, h, lut, lo, hi) {
  const words = lutWords(lut);
  const px = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  const n = words.length - 1;
  const span = hi - lo;
  const k = span > 0 ? n / span : 0;
  const sx = new Int32Array(dw);
  for (let x = 0; x < dw; x++) sx[x] = Math.min(w - 1, Math.floor(((x + 0.5) * w) / dw));
  for (let y = 0; y < dh; y++) {
    const row = Math.min(h - 1, Math.floor(((y + 0.5) * h) / dh)) * w;
    const base = (dy + y) * stride + dx;
    for (let x = 0; x < dw; x++) {
      const i = row + sx[x];
      let c;
      if (i >= values.length) c = 0xffefedec; // missing: light grey (little-endian RGBA 236,237,239)
      else if (!(span > 0)) c = words[(n + 1) >> 1];
      else {
        const t = (values[i] - lo) * k + 0.5;
        c = t >= 1 ? (t < n ? words[t | 0] : words[n]) : words[0];
      }
      px[base + x] = c;
    }
  }
  return out;
}

/** channelExtent returns [min, max] of a Float32Array (finite values). */
export function channelExtent(a) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/**
 * scaleGroups computes the colour range of every map column and the legends
 * for a colour-scale mode:
 *   unit   — each layer (column) has its own range;
 *   module — the layers of a module (up to and including a pooling layer)
 *            share the largest range;
 *   global — all hidden layers share the largest range.
 * columns: [{kind, module, value, copiesInput}] (kind 'map' or 'vector'
 * are scaled, except those drawn like the input image: copiesInput);
 * stats: Map value name → {min, max}.
 * Returns {ranges: Map columnIndex → range, legends: [{key, columns, range,
 * signed, constant}]} — signed: some value below 0 (else the legend shows
 * only the white→blue half, 0 … max); constant: the one value of all its
 * maps when they hold a single value (else null).
 */
export function scaleGroups(columns, stats, mode) {
  const scaled = (c) => (c.kind === 'map' || c.kind === 'vector') && !c.copiesInput;
  const keyOf = (c, i) => (mode === 'global' ? 'all' : mode === 'module' ? `m${c.module}` : `u${i}`);
  const keys = new Map();
  columns.forEach((c, i) => {
    if (!scaled(c)) return;
    const k = keyOf(c, i);
    const s = stats.get(c.value);
    let e = keys.get(k);
    if (!e) keys.set(k, (e = { max: 0, signed: false, values: new Set(), known: true }));
    if (!s) {
      e.known = false;
      return;
    }
    e.max = Math.max(e.max, maxAbsOf(s.min, s.max));
    if (s.min < 0) e.signed = true;
    if (s.min === s.max) e.values.add(s.min);
    else e.values.add(NaN).add(Infinity);
  });
  const ranges = new Map();
  const legends = [];
  const legendByKey = new Map();
  columns.forEach((c, i) => {
    if (!scaled(c)) return;
    const k = keyOf(c, i);
    const e = keys.get(k);
    const range = rangeFromMaxAbs(e.max);
    ranges.set(i, range);
    let l = legendByKey.get(k);
    if (!l) {
      const constant = e.known && e.values.size === 1 ? [...e.values][0] : null;
      l = { key: k, columns: [], range, signed: !e.known || e.signed, constant };
      legendByKey.set(k, l);
      legends.push(l);
    }
    l.columns.push(i);
  });
  return { ranges, legends };
}
