// The arithmetic of a 2-D convolution, cell by cell, for the explanation
// views: window extraction with stride, padding and dilation; one input
// channel convolved with its kernel (an "intermediate" map); the sum of the
// intermediate maps plus the bias. Pure functions on Float32Arrays.
//
// attrs is a layer's attrs from GET /api/models/{id}: kernel [KH, KW],
// stride [SH, SW], dilation [DH, DW], pads [top, left, bottom, right],
// groups. Missing fields default to 1 / 0.

/** geom normalises a layer's window attributes. */
export function geom(attrs = {}) {
  const k = attrs.kernel ?? [1, 1];
  const s = attrs.stride ?? [1, 1];
  const d = attrs.dilation ?? [1, 1];
  const p = attrs.pads ?? [0, 0, 0, 0];
  return { kh: k[0], kw: k[1], sh: s[0], sw: s[1], dh: d[0], dw: d[1], pt: p[0], pl: p[1], pb: p[2], pr: p[3], groups: attrs.groups ?? 1 };
}

/** outSize is the output [OH, OW] of a window sliding over an H×W input (floor rounding). */
export function outSize(h, w, attrs) {
  const g = geom(attrs);
  const oh = Math.floor((h + g.pt + g.pb - (g.dh * (g.kh - 1) + 1)) / g.sh) + 1;
  const ow = Math.floor((w + g.pl + g.pr - (g.dw * (g.kw - 1) + 1)) / g.sw) + 1;
  return [Math.max(0, oh), Math.max(0, ow)];
}

/**
 * windowAt returns the input cells under the window of output cell (oy, ox):
 * {values, inside, ys, xs}, each KH·KW long in row-major kernel order;
 * cells in the padding have inside 0 and value 0, ys/xs are their input
 * coordinates (possibly outside the map).
 */
export function windowAt(plane, h, w, oy, ox, attrs) {
  const g = geom(attrs);
  const n = g.kh * g.kw;
  const values = new Float32Array(n);
  const inside = new Uint8Array(n);
  const ys = new Int32Array(n);
  const xs = new Int32Array(n);
  for (let a = 0; a < g.kh; a++) {
    const y = oy * g.sh + a * g.dh - g.pt;
    for (let b = 0; b < g.kw; b++) {
      const x = ox * g.sw + b * g.dw - g.pl;
      const i = a * g.kw + b;
      ys[i] = y;
      xs[i] = x;
      if (y >= 0 && y < h && x >= 0 && x < w) {
        inside[i] = 1;
        values[i] = plane[y * w + x];
      }
    }
  }
  return { values, inside, ys, xs };
}

/** products multiplies a window by a kernel element-wise: {products, sum}. */
export function products(values, kernel) {
  const p = new Float32Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    p[i] = values[i] * kernel[i];
    sum += p[i];
  }
  return { products: p, sum };
}

/**
 * convPlane convolves one H×W input plane with one KH×KW kernel (no bias):
 * the intermediate map of that input channel, OH×OW.
 */
export function convPlane(plane, h, w, kernel, attrs) {
  const g = geom(attrs);
  const [oh, ow] = outSize(h, w, attrs);
  const out = new Float32Array(oh * ow);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      let s = 0;
      for (let a = 0; a < g.kh; a++) {
        const y = oy * g.sh + a * g.dh - g.pt;
        if (y < 0 || y >= h) continue;
        for (let b = 0; b < g.kw; b++) {
          const x = ox * g.sw + b * g.dw - g.pl;
          if (x < 0 || x >= w) continue;
          s += plane[y * w + x] * kernel[a * g.kw + b];
        }
      }
      out[oy * ow + ox] = s;
    }
  }
  return out;
}

/** sumPlanes adds planes element-wise and then the bias. */
export function sumPlanes(planes, bias = 0, n = planes[0]?.length ?? 0) {
  const out = new Float32Array(n).fill(0);
  for (const p of planes) for (let i = 0; i < n; i++) out[i] += p[i];
  for (let i = 0; i < n; i++) out[i] += bias;
  return out;
}

/**
 * inputChannels lists the input channels feeding output channel `out` of a
 * conv with cin input and cout output channels in `groups` groups:
 * [{channel, k}] where k indexes the weight's second axis.
 */
export function inputChannels(out, cin, cout, groups = 1) {
  const perIn = cin / groups;
  const perOut = cout / groups;
  const g = Math.floor(out / perOut);
  return Array.from({ length: perIn }, (_, k) => ({ channel: g * perIn + k, k }));
}

/** kernelOf is the KH×KW kernel weight[out, k] of a [Cout, Cin/groups, KH, KW] weight. */
export function kernelOf(weight, shape, out, k) {
  const [, cpg, kh, kw] = shape;
  const n = kh * kw;
  const start = (out * cpg + k) * n;
  return weight.subarray(start, start + n);
}

/** planeOf is channel c of a [C, H, W] value's data. */
export function planeOf(data, shape, c) {
  const n = shape[1] * shape[2];
  return data.subarray(c * n, (c + 1) * n);
}
