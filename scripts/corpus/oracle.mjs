// The corpus oracle: for every model of corpus.json it counts the
// parameters independently of convscope, builds a deterministic input
// tensor, runs the model in its own framework (onnxruntime-node for ONNX,
// TensorFlow.js with the WebAssembly backend for TF.js, TFLite's runtime in
// WebAssembly (@tensorflow/tfjs-tflite) in headless Chromium for TFLite) and
// writes the input
// and every output into <cache>/oracle/<id>/. The Go checker
// (go run ./scripts/corpus/check) compares convscope against these files.
//
//   node scripts/corpus/oracle.mjs [--cache DIR] [--only ID,ID...] [--counts] [--force]
//
// --counts prints the independent parameter counts as JSON and runs nothing.
// A model whose outputs are in the cache from the same corpus.json entry,
// package and oracle.mjs is not run again, unless --force.
// The frameworks are loaded from <cache>/node (installed by fetch.sh), never
// from the repository. Files written per model:
//   meta.json  {id, format, framework, params, input: {name, shape, layout,
//              file}, outputs: [{name, shape, layout, file}], ms} — or
//              {..., run: false, reason} when the model cannot run (no weights)
//   *.f32      float32 little-endian data, row-major in the stated layout
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const cache = opt('--cache') || process.env.CONVSCOPE_CORPUS_CACHE ||
  path.join(process.env.XDG_CACHE_HOME || path.join(process.env.HOME, '.cache'), 'convscope-corpus');
const only = opt('--only')?.split(',');
const countsOnly = args.includes('--counts');
const force = args.includes('--force');
const self = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8');
const corpus = JSON.parse(fs.readFileSync(path.join(here, 'corpus.json'), 'utf8'));
const nodeDir = path.join(cache, 'node');
if (!fs.existsSync(path.join(nodeDir, 'node_modules'))) {
  console.error(`oracle: ${nodeDir}/node_modules is missing; run scripts/corpus/fetch.sh first`);
  process.exit(1);
}
const need = createRequire(path.join(nodeDir, 'package.json'));

// ---- deterministic input -------------------------------------------------

// mulberry32, seeded from the model id: the same input on every machine.
function prng(seedText) {
  let a = 0x9e3779b9;
  for (const ch of seedText) a = Math.imul(a ^ ch.charCodeAt(0), 0x85ebca6b) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// input returns the NCHW tensor [1, C, H, W] of an image-like picture —
// a light background with smooth colour waves, dark bar patterns in a few
// rectangles (text-like strokes, so that detectors see something) and a
// little noise — with pixels p in [0, 1] preprocessed as the model's
// package does: (p*scale - mean[c]) / std[c]. Uniform noise alone makes
// some outputs degenerate (a text detector's map stays near 0, where
// float rounding dominates any relative error).
function input(m) {
  const [c, h, w] = m.input;
  const { scale, mean, std } = m.preprocess;
  const rnd = prng(m.id);
  const waves = Array.from({ length: c * 3 }, () => [1 + 6 * rnd(), 1 + 6 * rnd(), 2 * Math.PI * rnd()]);
  const boxes = Array.from({ length: 6 }, () => {
    const bh = Math.max(2, Math.round(h * (0.04 + 0.02 * rnd())));
    const bw = Math.max(4, Math.round(w * (0.4 + 0.4 * rnd())));
    return { y: Math.floor(rnd() * (h - bh)), x: Math.floor(rnd() * (w - bw)), h: bh, w: bw, period: 6 + Math.floor(3 * rnd()) };
  });
  const x = new Float32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let p = 0.85;
        for (const [fx, fy, ph] of waves.slice(ch * 3, ch * 3 + 3)) p += 0.04 * Math.sin(2 * Math.PI * (fx * xx / w + fy * y / h) + ph);
        for (const b of boxes) {
          if (y >= b.y && y < b.y + b.h && xx >= b.x && xx < b.x + b.w && (xx - b.x) % b.period < 3) p = 0.05;
        }
        p = Math.min(1, Math.max(0, p + 0.01 * (rnd() - 0.5)));
        x[(ch * h + y) * w + xx] = (p * scale - mean[ch]) / std[ch];
      }
    }
  }
  return x;
}

function nchwToNhwc(x, [c, h, w]) {
  const y = new Float32Array(x.length);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) y[i * c + ch] = x[ch * h * w + i];
  return y;
}

// ---- independent parameter counts ---------------------------------------

const prod = (s) => s.reduce((a, b) => a * b, 1);

// TF.js: the sum of the weight manifest's shapes (every stored float weight,
// BatchNormalization statistics included).
// int32 weights are left out: in a graph model they are the shapes, axes
// and paddings its Reshape, Mean, Pad and ConcatV2 nodes read, not
// parameters (layers models store none).
function countTfjs(model) {
  let n = 0;
  for (const g of model.weightsManifest) for (const w of g.weights) if (w.dtype !== 'int32') n += prod(w.shape);
  return n;
}

// Protocol buffers, read by hand (the oracle does not share convscope's
// ONNX reader): pbVarint reads a varint at p.i; pbFields yields each field
// of the message in buf[start:end] as [field, wiretype, value, from, to]:
// value is the number of a varint, [start, end] of a length-delimited
// field, null otherwise; buf[from:to] is the whole encoded field.
function pbVarint(buf, p) {
  let v = 0, scale = 1;
  for (;;) {
    const byte = buf[p.i++];
    v += (byte & 0x7f) * scale;
    if (byte < 0x80) return v;
    scale *= 128;
  }
}

function* pbFields(buf, start, end) {
  const p = { i: start };
  while (p.i < end) {
    const from = p.i, key = pbVarint(buf, p);
    const f = Math.floor(key / 8), wt = key & 7;
    let v = null;
    if (wt === 0) v = pbVarint(buf, p);
    else if (wt === 1) p.i += 8;
    else if (wt === 5) p.i += 4;
    else if (wt === 2) {
      const len = pbVarint(buf, p);
      v = [p.i, p.i + len];
      p.i += len;
    } else throw new Error(`protobuf wire type ${wt} at byte ${from}`);
    yield [f, wt, v, from, p.i];
  }
}

// ONNX: elements of the float and 8-bit integer tensors stored in the file
// — initializers and Constant-node values (Paddle2ONNX stores every weight
// as a Constant) — except hyper-parameters: one-element operands of
// element-wise operators (a clip bound, HardSwish's 6, a scalar Add), the
// roi/scales of Resize, and the scales and zero points of quantization.
// A one-element Conv bias (a 1-channel output) counts. Read with a
// protobuf reader of its own; counted data_types: FLOAT 1, UINT8 2, INT8 3,
// FLOAT16 10, DOUBLE 11, BFLOAT16 16 (not the INT32/INT64 of shapes).
function countOnnx(buf) {
  const fields = (a, b) => pbFields(buf, a, b);
  const text = ([a, b]) => buf.toString('utf8', a, b);
  // tensor returns a TensorProto's element count and whether its type is
  // counted.
  const tensor = ([a, b]) => {
    const dims = [];
    let type = 0;
    for (const [f, wt, v] of fields(a, b)) {
      if (f === 1 && wt === 0) dims.push(v); // dims, unpacked
      if (f === 1 && wt === 2) { // dims, packed
        const p = { i: v[0] };
        while (p.i < v[1]) dims.push(pbVarint(buf, p));
      }
      if (f === 2 && wt === 0) type = v;
    }
    return { elems: prod(dims), counted: [1, 2, 3, 10, 11, 16].includes(type) };
  };
  let graph;
  for (const [f, wt, v] of fields(0, buf.length)) if (f === 7 && wt === 2) graph = v; // ModelProto.graph
  if (!graph) throw new Error('no graph in the ONNX file');
  const stored = new Map(); // value name -> tensor
  const uses = new Map(); // value name -> ["Op:input index", ...]
  for (const [f, wt, v] of fields(graph[0], graph[1])) {
    if (wt !== 2) continue;
    if (f === 5) { // GraphProto.initializer
      let name = '';
      for (const [tf, twt, tv] of fields(v[0], v[1])) if (tf === 8 && twt === 2) name = text(tv);
      stored.set(name, tensor(v));
    } else if (f === 1) { // GraphProto.node
      let op = '', value;
      const ins = [], outs = [];
      for (const [nf, nwt, nv] of fields(v[0], v[1])) {
        if (nwt !== 2) continue;
        if (nf === 1) ins.push(text(nv));
        if (nf === 2) outs.push(text(nv));
        if (nf === 4) op = text(nv);
        if (nf === 5) for (const [af, awt, av] of fields(nv[0], nv[1])) if (af === 5 && awt === 2) value = av; // AttributeProto.t
      }
      if (op === 'Constant' && value) stored.set(outs[0], tensor(value));
      ins.forEach((v, i) => uses.set(v, [...(uses.get(v) || []), `${op}:${i}`]));
    }
  }
  const eltwise = /^(Add|Sub|Mul|Div|Pow|Max|Min|Clip|Where|Equal|Less|Greater)$/;
  const hyper = /^((Resize|Upsample):[12]|(QuantizeLinear|DequantizeLinear):[12]|(ConvInteger|MatMulInteger):[23])$/;
  let n = 0;
  for (const [name, t] of stored) {
    const u = uses.get(name) || [];
    if (!t.counted || u.some((x) => hyper.test(x))) continue;
    if (t.elems === 1 && u.every((x) => eltwise.test(x.split(':')[0]))) continue;
    n += t.elems;
  }
  return n;
}

// float32Copy returns a copy of an ONNX model whose float16 computation is
// widened to float32: float16 initializers become float32 (exactly), Casts
// to float16 cast to float32, and value_info (which would state float16
// types) is dropped. The weights are the package's, computed in float32 as
// convscope computes them; the float16 network's own rounding (~1e-3) would
// hide any error below it.
function float32Copy(buf) {
  const enc = (n) => {
    const o = [];
    while (n >= 128) { o.push((n & 127) | 128); n = Math.floor(n / 128); }
    o.push(n);
    return Buffer.from(o);
  };
  // rewrite re-encodes a message; fn(field, wiretype, value, [start, end])
  // returns undefined to keep the field, null to drop it, or its new bytes.
  const rewrite = (start, end, fn) => {
    const out = [];
    for (const [f, wt, v, from, to] of pbFields(buf, start, end)) {
      const r = fn(f, wt, v);
      if (r === undefined) out.push(buf.subarray(from, to));
      else if (r !== null) out.push(r);
    }
    return Buffer.concat(out);
  };
  const bytesField = (f, body) => Buffer.concat([enc((f << 3) | 2), enc(body.length), body]);
  const varintField = (f, v) => Buffer.concat([enc(f << 3), enc(v)]);
  const half = (h) => {
    const sgn = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e === 0) return sgn * m * 2 ** -24;
    if (e === 31) return m ? NaN : sgn * Infinity;
    return sgn * (1 + m / 1024) * 2 ** (e - 15);
  };
  const tensor = (start, end) => {
    let isHalf = false;
    rewrite(start, end, (f, wt, v) => { if (f === 2 && v === 10) isHalf = true; });
    if (!isHalf) return undefined;
    return rewrite(start, end, (f, wt, v) => {
      if (f === 2) return varintField(2, 1);
      if (f === 9) {
        const n = (v[1] - v[0]) / 2, out = Buffer.alloc(4 * n);
        for (let i = 0; i < n; i++) out.writeFloatLE(half(buf.readUInt16LE(v[0] + 2 * i)), 4 * i);
        return bytesField(9, out);
      }
      if (f === 5) throw new Error('float16 tensor stored in int32_data');
      return undefined;
    });
  };
  const node = (start, end) => {
    let op = '';
    rewrite(start, end, (f, wt, v) => { if (f === 4) op = buf.toString('utf8', v[0], v[1]); });
    if (op !== 'Cast' && op !== 'Constant') return undefined;
    return rewrite(start, end, (f, wt, v) => {
      if (f !== 5 || wt !== 2) return undefined; // AttributeProto
      return bytesField(5, rewrite(v[0], v[1], (af, awt, av) => {
        if (op === 'Cast' && af === 3 && av === 10) return varintField(3, 1); // to = FLOAT
        if (op === 'Constant' && af === 5 && awt === 2) { const t = tensor(av[0], av[1]); return t && bytesField(5, t); }
        return undefined;
      }));
    });
  };
  return rewrite(0, buf.length, (f, wt, v) => {
    if (f !== 7 || wt !== 2) return undefined;
    return bytesField(7, rewrite(v[0], v[1], (gf, gwt, gv) => {
      if (gf === 13) return null; // value_info
      if (gf === 5) { const t = tensor(gv[0], gv[1]); return t && bytesField(5, t); }
      if (gf === 1) { const n = node(gv[0], gv[1]); return n && bytesField(1, n); }
      return undefined;
    }));
  });
}

// Caffe: the learnable blobs of each layer, from the prototxt alone (the
// corpus's prototxts come without weights), following channel counts from
// the input through the layers.
function parsePrototxt(text) {
  const tokens = text.replace(/#[^\n]*/g, '').match(/"(?:[^"\\]|\\.)*"|[{}:]|[^\s{}:"]+/g) || [];
  let i = 0;
  function block() {
    const obj = {};
    while (i < tokens.length && tokens[i] !== '}') {
      const key = tokens[i++];
      if (tokens[i] === ':') i++;
      let val;
      if (tokens[i] === '{') {
        i++;
        val = block();
        i++; // }
      } else {
        val = tokens[i++];
        if (val.startsWith('"')) val = val.slice(1, -1);
        else if (!isNaN(Number(val))) val = Number(val);
      }
      (obj[key] ||= []).push(val);
    }
    return obj;
  }
  return block();
}

function countCaffe(text) {
  const net = parsePrototxt(text);
  const ch = new Map();
  const inputDims = net.input_shape?.[0]?.dim || net.input_dim;
  ch.set(net.input[0], inputDims[1]);
  const same = new Set(['ReLU', 'Pooling', 'Dropout', 'LRN', 'Sigmoid', 'TanH', 'Softmax', 'Normalize', 'BatchNorm', 'Scale', 'Eltwise', 'Split']);
  const noParams = new Set([...same, 'Concat', 'Permute', 'Flatten', 'Reshape', 'PriorBox', 'DetectionOutput', 'Slice', 'Softmax', 'Input', 'Silence']);
  let n = 0;
  for (const l of net.layer || []) {
    const type = l.type[0], bottoms = l.bottom || [], tops = l.top || [];
    const cin = ch.get(bottoms[0]);
    let cout;
    if (type === 'Convolution' || type === 'Deconvolution') {
      const p = l.convolution_param[0];
      const k = p.kernel_size || [];
      const kh = p.kernel_h?.[0] ?? k[0], kw = p.kernel_w?.[0] ?? k[1] ?? k[0];
      const group = p.group?.[0] ?? 1, out = p.num_output[0];
      if (cin === undefined) throw new Error(`${l.name[0]}: input channels unknown`);
      const w = type === 'Convolution' ? out * (cin / group) * kh * kw : cin * (out / group) * kh * kw;
      n += w + (p.bias_term?.[0] === 'false' ? 0 : out);
      cout = out;
    } else if (type === 'Normalize') {
      const shared = l.norm_param?.[0]?.channel_shared?.[0] === 'true';
      n += shared ? 1 : cin;
      cout = cin;
    } else if (type === 'Concat') {
      const axis = l.concat_param?.[0]?.axis?.[0] ?? 1;
      const cs = bottoms.map((b) => ch.get(b));
      cout = axis === 1 && cs.every((c) => c !== undefined) ? cs.reduce((a, b) => a + b, 0) : undefined;
    } else if (same.has(type)) {
      cout = cin;
    } else if (!noParams.has(type)) {
      throw new Error(`${l.name[0]}: layer type ${type} not counted by this oracle`);
    }
    for (const t of tops) ch.set(t, cout);
  }
  return n;
}

// ---- running the frameworks ---------------------------------------------

let tf;
async function tfjs() {
  if (tf) return tf;
  tf = need('@tensorflow/tfjs');
  const wasm = need('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.dirname(need.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('the TF.js wasm backend did not start');
  await tf.ready();
  return tf;
}

function readTfjs(dir) {
  const model = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weightSpecs = [], shards = [];
  for (const g of model.weightsManifest) {
    weightSpecs.push(...g.weights);
    for (const p of g.paths) shards.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return { model, artifacts: { ...model, weightSpecs, weightData } };
}

async function runTfjs(m, dir, x) {
  const tf = await tfjs();
  const { artifacts } = readTfjs(dir);
  if (m.setup) need(path.join(cache, 'extract', m.package, m.setup)).default.setup(tf);
  const [c, h, w] = m.input;
  const shape = [1, h, w, c];
  const xs = tf.tensor(nchwToNhwc(x, m.input), shape, 'float32');
  const graph = m.format === 'tfjs-graph';
  const io = tf.io.fromMemory(artifacts);
  const net = graph ? await tf.loadGraphModel(io) : await tf.loadLayersModel(io);
  const forward = (t) => (graph ? net.execute(t) : net.predict(t));
  const names = graph ? net.outputNodes : net.outputNames;
  // ms: one forward pass after a warm-up run, until the data is read back.
  tf.dispose(forward(xs));
  const t0 = performance.now();
  let ys = forward(xs);
  await (Array.isArray(ys) ? ys[0] : ys).data();
  const ms = performance.now() - t0;
  ys = Array.isArray(ys) ? ys : [ys];
  const outs = [];
  for (let i = 0; i < ys.length; i++) {
    outs.push({ name: names[i], shape: ys[i].shape, layout: ys[i].shape.length === 4 ? 'NHWC' : '', data: await ys[i].data() });
  }
  tf.dispose([xs, ...ys]);
  net.dispose?.();
  return { ms, framework: `@tensorflow/tfjs ${tf.version.tfjs} (${tf.getBackend()})`, input: { name: net.inputNames?.[0] ?? net.inputNodes?.[0], shape, layout: 'NHWC', data: nchwToNhwc(x, m.input) }, outs };
}

async function runOnnx(m, file, x) {
  const ort = need('onnxruntime-node');
  const model = m.oracle_float32 ? float32Copy(fs.readFileSync(file)) : file;
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const missing = (m.outputs || []).filter((n) => !s.outputNames.includes(n));
  if (missing.length) throw new Error(`no output ${missing.join(', ')} in the model`);
  const shape = [1, ...m.input];
  const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', x, shape) };
  await s.run(feeds); // warm-up: the timed run is the second
  const t0 = performance.now();
  const res = await s.run(feeds);
  const ms = performance.now() - t0;
  const outs = s.outputNames.filter((n) => !m.outputs || m.outputs.includes(n))
    .map((n) => ({ name: n, shape: res[n].dims, layout: '', data: res[n].data }));
  await s.release();
  const version = JSON.parse(fs.readFileSync(need.resolve('onnxruntime-node/package.json'), 'utf8')).version;
  const framework = `onnxruntime-node ${version}` + (m.oracle_float32 ? ' (the float16 network widened to float32)' : '');
  return { ms, framework, input: { name: s.inputNames[0], shape, layout: 'NCHW', data: x }, outs };
}

// TFLite: a FlatBuffers reader of the oracle's own (root table, vtables,
// vectors) for the independent count: the elements of the main subgraph's
// constant tensors (float32, float16, int8, uint8, and int32 tensors with
// quantization scales: quantized biases), except hyper-parameters: integer
// constants (shapes, axes, paddings, sizes) and one-element operands of
// element-wise operators (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM) and PADV2.
function countTflite(buf) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u32 = (p) => dv.getUint32(p, true);
  const field = (t, k) => {
    const vt = t - dv.getInt32(t, true);
    const o = 4 + 2 * k < dv.getUint16(vt, true) ? dv.getUint16(vt + 4 + 2 * k, true) : 0;
    return o ? t + o : 0;
  };
  const vec = (t, k) => {
    const f = field(t, k);
    if (!f) return { n: 0, at: 0 };
    const v = f + u32(f);
    return { n: u32(v), at: v + 4 };
  };
  const tableAt = (v, i) => v.at + 4 * i + u32(v.at + 4 * i);
  const model = u32(0);
  const sg = tableAt(vec(model, 2), 0);
  const buffers = vec(model, 4);
  const tensors = vec(sg, 0);
  const codes = vec(model, 1);
  const elementwise = new Set([0, 18, 41, 42, 55, 57, 60]);
  const operands = new Set();
  const ops = vec(sg, 3);
  for (let i = 0; i < ops.n; i++) {
    const op = tableAt(ops, i);
    const code = tableAt(codes, field(op, 0) ? u32(field(op, 0)) : 0);
    const builtin = Math.max(field(code, 0) ? dv.getInt8(field(code, 0)) : 0, field(code, 3) ? dv.getInt32(field(code, 3), true) : 0);
    if (!elementwise.has(builtin)) continue;
    const ins = vec(op, 1);
    for (let k = 0; k < ins.n; k++) operands.add(dv.getInt32(ins.at + 4 * k, true));
  }
  let n = 0;
  for (let i = 0; i < tensors.n; i++) {
    const t = tableAt(tensors, i);
    const bi = field(t, 2) ? u32(field(t, 2)) : 0;
    if (!bi) continue;
    const b = tableAt(buffers, bi);
    const size = vec(b, 0).n || (field(b, 2) ? Number(dv.getBigUint64(field(b, 2), true)) : 0);
    if (!size) continue;
    const type = field(t, 1) ? dv.getInt8(field(t, 1)) : 0;
    const q = field(t, 4) ? field(t, 4) + u32(field(t, 4)) : 0;
    const quantized = q && vec(q, 2).n > 0;
    if (![0, 1, 3, 9].includes(type) && !(type === 2 && quantized)) continue;
    const shape = vec(t, 0);
    let elems = 1;
    for (let k = 0; k < shape.n; k++) elems *= dv.getInt32(shape.at + 4 * k, true);
    if (elems > 1 || !operands.has(i)) n += elems;
  }
  return n;
}

// TFLite runs in TensorFlow's own TFLite runtime compiled to WebAssembly
// (@tensorflow/tfjs-tflite), which needs a browser: headless Chromium
// through playwright-core. Every request of the page is answered from the
// cache's files by page.route; nothing goes to the network.
async function runTflite(m, file, x) {
  const { chromium } = need('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const tfliteDir = path.dirname(need.resolve('@tensorflow/tfjs-tflite/package.json'));
    const files = {
      '/tf.js': need.resolve('@tensorflow/tfjs/dist/tf.min.js'),
      '/tflite.js': path.join(tfliteDir, 'dist', 'tf-tflite.min.js'),
      '/model.tflite': file,
    };
    await page.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.pathname === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><script src="/tf.js"></script><script src="/tflite.js"></script>' });
      const f = files[u.pathname] || (u.pathname.startsWith('/wasm/') ? path.join(tfliteDir, 'wasm', path.basename(u.pathname)) : null);
      if (!f || !fs.existsSync(f)) return route.fulfill({ status: 404, body: '' });
      const type = f.endsWith('.wasm') ? 'application/wasm' : f.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
      return route.fulfill({ path: f, contentType: type });
    });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('http://127.0.0.1:9/'); // answered by the route above
    const [c, h, w] = m.input;
    const shape = [1, h, w, c];
    const xs = nchwToNhwc(x, m.input);
    const r = await page.evaluate(async ({ xs, shape }) => {
      tflite.setWasmPath('/wasm/');
      const model = await tflite.loadTFLiteModel('/model.tflite', { numThreads: 1 });
      const t = tf.tensor(xs, shape, 'float32');
      tf.dispose(model.predict(t)); // warm-up: the timed run is the second
      const t0 = performance.now();
      let ys = model.predict(t);
      const ms = performance.now() - t0;
      const names = model.outputs.map((o) => o.name);
      if (ys instanceof tf.Tensor) ys = { [names[0]]: ys };
      const outs = [];
      for (const name of names) outs.push({ name, shape: ys[name].shape, data: Array.from(await ys[name].data()) });
      return { ms, input: model.inputs[0].name, outs };
    }, { xs: Array.from(xs), shape });
    if (errors.length) throw new Error(errors.join('; '));
    const version = JSON.parse(fs.readFileSync(path.join(tfliteDir, 'package.json'), 'utf8')).version;
    return {
      ms: r.ms,
      framework: `@tensorflow/tfjs-tflite ${version} (TFLite's runtime in WebAssembly, headless Chromium ${browser.version()})`,
      input: { name: r.input, shape, layout: 'NHWC', data: xs },
      outs: r.outs.map((o) => ({ ...o, layout: o.shape.length === 4 ? 'NHWC' : '' })),
    };
  } finally {
    await browser.close();
  }
}

function writeF32(file, data) {
  const f = Float32Array.from(data);
  fs.writeFileSync(file, Buffer.from(f.buffer, f.byteOffset, f.byteLength));
}

// ---- main ----------------------------------------------------------------

const counts = {};
let failed = 0;
for (const m of corpus.models) {
  if (only && !only.includes(m.id)) continue;
  const dir = path.join(cache, 'models', m.id);
  const file = path.join(dir, m.format.startsWith('tfjs') ? 'model.json' : m.file || path.basename(m.path));
  const out = path.join(cache, 'oracle', m.id);
  try {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing; run scripts/corpus/fetch.sh`);
    let params;
    if (m.format.startsWith('tfjs')) params = countTfjs(JSON.parse(fs.readFileSync(file, 'utf8')));
    else if (m.format === 'onnx') params = countOnnx(fs.readFileSync(file));
    else if (m.format === 'caffe') params = countCaffe(fs.readFileSync(file, 'utf8'));
    else if (m.format === 'tflite') params = countTflite(fs.readFileSync(file));
    counts[m.id] = params;
    if (countsOnly) continue;
    if (params !== m.params) throw new Error(`independent parameter count ${params} differs from corpus.json's ${m.params}`);
    // A warm cache keeps the outputs of the same model entry, package and
    // oracle (--force runs again).
    const { expect, tolerance, why, ...entry } = m; // the checker's expectations do not change the outputs
    const stamp = crypto.createHash('sha256').update(JSON.stringify(entry) + corpus.packages[m.package]?.sha256 + self).digest('hex');
    const old = path.join(out, 'meta.json');
    if (!force && fs.existsSync(old) && JSON.parse(fs.readFileSync(old, 'utf8')).stamp === stamp) {
      console.log(`${m.id}: params ${params}, outputs cached`);
      continue;
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    const meta = { id: m.id, format: m.format, params, stamp };
    if (m.format === 'caffe') {
      Object.assign(meta, { run: false, reason: 'the package has the prototxt only, no .caffemodel weights' });
    } else {
      const x = input(m);
      const run = { onnx: runOnnx, tflite: runTflite }[m.format];
      const r = run ? await run(m, file, x) : await runTfjs(m, dir, x);
      meta.ms = Math.round(r.ms * 10) / 10; // one forward pass, after a warm-up run
      meta.run = true;
      meta.framework = r.framework;
      writeF32(path.join(out, 'input.f32'), r.input.data);
      meta.input = { name: r.input.name, shape: r.input.shape, layout: r.input.layout, file: 'input.f32' };
      meta.outputs = r.outs.map((o, i) => {
        writeF32(path.join(out, `output${i}.f32`), o.data);
        return { name: o.name, shape: o.shape, layout: o.layout, file: `output${i}.f32` };
      });
    }
    fs.writeFileSync(path.join(out, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
    console.log(`${m.id}: params ${params}` + (meta.run ? `, ${meta.outputs.map((o) => `${o.name} [${o.shape}]`).join(', ')} in ${meta.ms} ms (${meta.framework})` : ` (${meta.reason})`));
  } catch (e) {
    failed++;
    console.error(`${m.id}: FAILED: ${e.message.split('\n')[0]}`);
  }
}
if (countsOnly) console.log(JSON.stringify(counts, null, 1));
process.exit(failed ? 1 : 0);
