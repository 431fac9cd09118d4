// Flatten order and the dense layer after it. A [C, H, W] map is flattened
// either channels-first (c, row, col) — PyTorch, ONNX, Caffe — or
// channels-last (row, col, c) — Keras and TF.js models, whose Flatten the
// server describes with attrs.channels_last.

/** flatIndex is the position of map c, cell (row, col) in the flat vector. */
export function flatIndex(c, row, col, shape, channelsLast) {
  const [C, H, W] = shape;
  return channelsLast ? (row * W + col) * C + c : (c * H + row) * W + col;
}

/** unflatten is the map and cell {c, row, col} of entry i of the flat vector. */
export function unflatten(i, shape, channelsLast) {
  const [C, H, W] = shape;
  if (channelsLast) return { c: i % C, col: Math.floor(i / C) % W, row: Math.floor(i / (C * W)) };
  return { c: Math.floor(i / (H * W)), row: Math.floor(i / W) % H, col: i % W };
}

/** flattenMap flattens [C, H, W] data (channel planes, row-major) in the given order. */
export function flattenMap(data, shape, channelsLast) {
  const [C, H, W] = shape;
  const out = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < H; r++) {
      for (let x = 0; x < W; x++) out[flatIndex(c, r, x, shape, channelsLast)] = data[(c * H + r) * W + x];
    }
  }
  return out;
}

/**
 * denseUnit computes output unit `out` of a dense layer with [Out, In]
 * weights: {products (w·x per input), sum (Σ w·x), value (sum + bias)}.
 */
export function denseUnit(weight, inputs, out, bias = 0) {
  const n = inputs.length;
  const row = weight.subarray(out * n, (out + 1) * n);
  const p = new Float32Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    p[i] = row[i] * inputs[i];
    sum += p[i];
  }
  return { weights: row, products: p, sum, value: sum + bias };
}
