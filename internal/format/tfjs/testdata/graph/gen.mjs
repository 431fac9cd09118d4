// Writes small TF.js graph models (GraphDef JSON + one weight shard) that
// use the operators convscope's graph-model importer converts, runs each in
// TensorFlow.js 4.22 (loadGraphModel, wasm backend: the corpus oracle's
// setup) on a seeded input, and writes what TF.js computed. The Go test
// (graph_test.go) loads the same files and compares.
//
//   NODE_PATH=~/.cache/convscope-corpus/node/node_modules node gen.mjs
//
// (the corpus cache holds @tensorflow/tfjs 4.22 and its wasm backend:
// scripts/corpus/fetch.sh). Weights are float32, uint8-quantized
// (min/scale) and float16, so TF.js's own dequantisation is the oracle's.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const need = createRequire(path.join(process.env.NODE_PATH || '.', 'x.js'));
const tf = need('@tensorflow/tfjs');
const wasm = need('@tensorflow/tfjs-backend-wasm');
wasm.setWasmPaths(path.dirname(need.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
await tf.setBackend('wasm');
await tf.ready();

let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const randn = (n, s = 0.5) => Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * s);
const prod = (s) => s.reduce((a, b) => a * b, 1);
const b64 = (s) => Buffer.from(s).toString('base64');

// f16 encodes a float as IEEE binary16 (round to nearest even).
function f16(v) {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  let e = ((x >>> 23) & 0xff) - 127 + 15;
  let m = x & 0x7fffff;
  if (e <= 0) return sign; // tiny: zero (the test weights are not)
  let h = sign | (e << 10) | (m >>> 13);
  const rest = m & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return h;
}

class Model {
  constructor() {
    this.nodes = [];
    this.specs = [];
    this.bufs = [];
  }
  input(name, shape) {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: shape.map((s) => ({ size: String(s) })) } } } });
    return name;
  }
  // const adds a weight: float32, 'uint8' (quantized), 'float16' or int32.
  const(name, shape, data, enc = 'float32') {
    const dtype = enc === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    this.nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype, tensorShape: { dim: shape.map((s) => ({ size: String(s) })) } } }, dtype: { type: dtype } } });
    const spec = { name, shape, dtype: enc === 'int32' ? 'int32' : 'float32' };
    if (enc === 'int32') {
      this.bufs.push(Buffer.from(Int32Array.from(data).buffer));
    } else if (enc === 'uint8') {
      let lo = Math.min(...data), hi = Math.max(...data);
      const scale = (hi - lo) / 255;
      spec.quantization = { dtype: 'uint8', min: lo, scale };
      this.bufs.push(Buffer.from(Uint8Array.from(data, (v) => Math.round((v - lo) / scale))));
    } else if (enc === 'float16') {
      spec.quantization = { dtype: 'float16' };
      this.bufs.push(Buffer.from(Uint16Array.from(data, f16).buffer));
    } else {
      this.bufs.push(Buffer.from(Float32Array.from(data).buffer));
    }
    this.specs.push(spec);
    return name;
  }
  op(name, op, input, attr = {}) {
    this.nodes.push({ name, op, input, attr: { T: { type: 'DT_FLOAT' }, ...attr } });
    return name;
  }
  write(dir) {
    fs.mkdirSync(dir, { recursive: true });
    const model = {
      format: 'graph-model', generatedBy: 'convscope testdata/graph/gen.mjs', convertedBy: null,
      modelTopology: { node: this.nodes, versions: { producer: 1 } },
      weightsManifest: [{ paths: ['weights.bin'], weights: this.specs }],
    };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(model));
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(this.bufs));
    return model;
  }
}

const ints = (...v) => ({ list: { i: v.map(String) } });
const str = (s) => ({ s: b64(s) });
const strs = (...v) => ({ list: { s: v.map(b64) } });
const conv = (strides, padding, extra = {}) => ({ strides: ints(1, ...strides, 1), padding: str(padding), dilations: ints(1, 1, 1, 1), data_format: str('NHWC'), ...extra });

const cases = {};

// Convolutions: fused conv (uint8 weights) + Relu6, fused depthwise
// (multiplier 2) + Relu, plain Conv2D + BiasAdd folded into it, a residual
// AddV2, pools with SAME padding.
cases.convs = () => {
  const m = new Model();
  const x = m.input('image', [-1, 9, 9, 3]);
  m.const('stem/w', [3, 3, 3, 8], randn(216), 'uint8');
  m.const('stem/b', [8], randn(8, 0.1));
  const a = m.op('stem/Relu6', '_FusedConv2D', [x, 'stem/w', 'stem/b'], { ...conv([2, 2], 'SAME'), fused_ops: strs('BiasAdd', 'Relu6'), num_args: { i: '1' }, epsilon: { f: 0 } });
  m.const('dw/w', [3, 3, 8, 2], randn(144));
  m.const('dw/b', [16], randn(16, 0.1));
  const d = m.op('dw/depthwise', 'FusedDepthwiseConv2dNative', [a, 'dw/w', 'dw/b'], { ...conv([1, 1], 'SAME'), fused_ops: strs('BiasAdd', 'Relu'), num_args: { i: '1' } });
  m.const('pw/w', [1, 1, 16, 8], randn(128), 'float16');
  const p = m.op('pw/Conv2D', 'Conv2D', [d, 'pw/w'], conv([1, 1], 'VALID'));
  m.const('pw/b', [8], randn(8, 0.1));
  const pb = m.op('pw/BiasAdd', 'BiasAdd', [p, 'pw/b'], { data_format: str('NHWC') });
  const r = m.op('block/add', 'AddV2', [pb, a]);
  const mp = m.op('pool/MaxPool', 'MaxPool', [r], { ksize: ints(1, 2, 2, 1), strides: ints(1, 1, 1, 1), padding: str('SAME'), data_format: str('NHWC') });
  m.op('pool2/AvgPool', 'AvgPool', [mp], { ksize: ints(1, 3, 3, 1), strides: ints(1, 2, 2, 1), padding: str('SAME'), data_format: str('NHWC') });
  return { m, input: [1, 9, 9, 3] };
};

// A classifier head: explicit Pad, dilated Conv2D, FusedBatchNormV3,
// Prelu, Mean over H and W, fused MatMul + BiasAdd, Softmax.
cases.head = () => {
  const m = new Model();
  const x = m.input('x', [-1, 6, 7, 4]);
  m.const('pad/paddings', [4, 2], [0, 0, 1, 1, 2, 0, 0, 0], 'int32');
  const p = m.op('pad/Pad', 'Pad', [x, 'pad/paddings']);
  m.const('c/w', [3, 3, 4, 6], randn(216));
  const c = m.op('c/Conv2D', 'Conv2D', [p, 'c/w'], { ...conv([1, 1], 'VALID'), dilations: ints(1, 2, 1, 1) });
  m.const('bn/gamma', [6], Float32Array.from({ length: 6 }, () => 0.5 + rnd()));
  m.const('bn/beta', [6], randn(6));
  m.const('bn/mean', [6], randn(6));
  m.const('bn/var', [6], Float32Array.from({ length: 6 }, () => 0.2 + rnd()));
  const bn = m.op('bn/FusedBatchNormV3', 'FusedBatchNormV3', [c, 'bn/gamma', 'bn/beta', 'bn/mean', 'bn/var'], { epsilon: { f: 0.001 }, data_format: str('NHWC'), is_training: { b: false }, U: { type: 'DT_FLOAT' } });
  m.const('act/alpha', [6], randn(6, 0.3));
  const pr = m.op('act/Prelu', 'Prelu', [bn, 'act/alpha']);
  m.const('gap/axes', [2], [1, 2], 'int32');
  const g = m.op('gap/Mean', 'Mean', [pr, 'gap/axes'], { keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } });
  m.const('fc/w', [6, 5], randn(30));
  m.const('fc/b', [5], randn(5, 0.1));
  const f = m.op('fc/BiasAdd', '_FusedMatMul', [g, 'fc/w', 'fc/b'], { transpose_a: { b: false }, transpose_b: { b: false }, fused_ops: strs('BiasAdd'), num_args: { i: '1' }, epsilon: { f: 0 } });
  m.op('fc/Softmax', 'Softmax', [f]);
  return { m, input: [1, 6, 7, 4] };
};

// Layout: a Reshape whose shape is folded from Shape → StridedSlice →
// Pack, Dense, a Reshape back to a map, Transpose, ConcatV2 over channels
// with a constant, ResizeBilinear, element-wise ops with per-channel and
// scalar constants, ExpandDims/Squeeze.
cases.layout = () => {
  const m = new Model();
  const x = m.input('in', [-1, 4, 5, 3]);
  const s = m.op('flat/Shape', 'Shape', [x], { out_type: { type: 'DT_INT32' } });
  m.const('flat/begin', [1], [0], 'int32');
  m.const('flat/end', [1], [1], 'int32');
  m.const('flat/strides', [1], [1], 'int32');
  const n = m.op('flat/strided_slice', 'StridedSlice', [s, 'flat/begin', 'flat/end', 'flat/strides'], { Index: { type: 'DT_INT32' }, T: { type: 'DT_INT32' }, shrink_axis_mask: { i: '1' }, begin_mask: { i: '0' }, end_mask: { i: '0' }, ellipsis_mask: { i: '0' }, new_axis_mask: { i: '0' } });
  m.const('flat/minus1', [], [-1], 'int32');
  const shp = m.op('flat/shape', 'Pack', [n, 'flat/minus1'], { T: { type: 'DT_INT32' }, N: { i: '2' }, axis: { i: '0' } });
  const fl = m.op('flat/Reshape', 'Reshape', [x, shp], { Tshape: { type: 'DT_INT32' } });
  m.const('dense/w', [60, 24], randn(1440, 0.2));
  const dn = m.op('dense/MatMul', 'MatMul', [fl, 'dense/w'], { transpose_a: { b: false }, transpose_b: { b: false } });
  m.const('map/shape', [4], [-1, 2, 3, 4], 'int32');
  const mp = m.op('map/Reshape', 'Reshape', [dn, 'map/shape'], { Tshape: { type: 'DT_INT32' } });
  m.const('tr/perm', [4], [0, 2, 1, 3], 'int32');
  const tr = m.op('tr/transpose', 'Transpose', [mp, 'tr/perm'], { Tperm: { type: 'DT_INT32' } }); // [1,3,2,4]
  m.const('cat/extra', [1, 3, 2, 2], randn(12));
  m.const('cat/axis', [], [3], 'int32');
  const cat = m.op('cat/concat', 'ConcatV2', [tr, 'cat/extra', 'cat/axis'], { N: { i: '2' }, Tidx: { type: 'DT_INT32' } }); // [1,3,2,6]
  m.const('up/size', [2], [5, 4], 'int32');
  const up = m.op('up/ResizeBilinear', 'ResizeBilinear', [cat, 'up/size'], { align_corners: { b: false }, half_pixel_centers: { b: true } });
  m.const('sc/mul/y', [6], randn(6, 2));
  const mu = m.op('sc/mul', 'Mul', [up, 'sc/mul/y']);
  m.const('sc/sub/y', [], [0.25]);
  const sb = m.op('sc/sub', 'Sub', [mu, 'sc/sub/y']);
  const th = m.op('sc/Tanh', 'Tanh', [sb]);
  m.const('sc/max', [], [-0.5]);
  const mx = m.op('sc/Maximum', 'Maximum', [th, 'sc/max']);
  m.const('r/axes', [2], [1, 2], 'int32');
  const mean = m.op('r/Mean', 'Mean', [mx, 'r/axes'], { keep_dims: { b: true }, Tidx: { type: 'DT_INT32' } }); // [1,1,1,6]
  const sq = m.op('r/Squeeze', 'Squeeze', [mean], { squeeze_dims: ints(1, 2) });
  m.const('r/ax', [], [1], 'int32');
  m.op('r/ExpandDims', 'ExpandDims', [sq, 'r/ax'], { Tdim: { type: 'DT_INT32' } }); // [1,1,6]
  return { m, input: [1, 4, 5, 3] };
};

// A small classifier the Explainer can show (3-channel input, class
// scores): scalar preprocessing, fused conv + Relu, fused depthwise +
// Relu6, a residual block with a plain Conv2D, BiasAdd and Relu, Pad +
// MaxPool, Mean, fused MatMul, Softmax.
cases.classifier = () => {
  const m = new Model();
  const x = m.input('input', [-1, 24, 24, 3]);
  m.const('pre/Mul/y', [], [2]);
  const pm = m.op('pre/Mul', 'Mul', [x, 'pre/Mul/y']);
  m.const('pre/Sub/y', [], [1]);
  const ps = m.op('pre/Sub', 'Sub', [pm, 'pre/Sub/y']);
  m.const('net/conv1/Conv2D_weights', [3, 3, 3, 8], randn(216, 0.4), 'uint8');
  m.const('net/conv1/Conv2D_bias', [8], randn(8, 0.1));
  const c1 = m.op('net/conv1/Relu', '_FusedConv2D', [ps, 'net/conv1/Conv2D_weights', 'net/conv1/Conv2D_bias'], { ...conv([1, 1], 'SAME'), fused_ops: strs('BiasAdd', 'Relu'), num_args: { i: '1' } });
  m.const('net/dw/depthwise_weights', [3, 3, 8, 1], randn(72, 0.5));
  m.const('net/dw/depthwise_bias', [8], randn(8, 0.1));
  const dw = m.op('net/dw/Relu6', 'FusedDepthwiseConv2dNative', [c1, 'net/dw/depthwise_weights', 'net/dw/depthwise_bias'], { ...conv([1, 1], 'SAME'), fused_ops: strs('BiasAdd', 'Relu6'), num_args: { i: '1' } });
  m.const('net/pw/weights', [1, 1, 8, 8], randn(64, 0.4));
  const pw = m.op('net/pw/Conv2D', 'Conv2D', [dw, 'net/pw/weights'], conv([1, 1], 'VALID'));
  m.const('net/pw/bias', [8], randn(8, 0.1));
  const pb = m.op('net/pw/BiasAdd', 'BiasAdd', [pw, 'net/pw/bias'], { data_format: str('NHWC') });
  const add = m.op('net/block/add', 'AddV2', [pb, c1]);
  const rl = m.op('net/block/Relu', 'Relu', [add]);
  m.const('net/pool/paddings', [4, 2], [0, 0, 0, 1, 0, 1, 0, 0], 'int32');
  const pd = m.op('net/pool/Pad', 'Pad', [rl, 'net/pool/paddings']);
  const mp = m.op('net/pool/MaxPool', 'MaxPool', [pd], { ksize: ints(1, 3, 3, 1), strides: ints(1, 2, 2, 1), padding: str('VALID'), data_format: str('NHWC') });
  m.const('net/gap/axes', [2], [1, 2], 'int32');
  const g = m.op('net/gap/Mean', 'Mean', [mp, 'net/gap/axes'], { keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } });
  m.const('logits/kernel', [8, 4], randn(32, 1));
  m.const('logits/bias', [4], randn(4, 0.1));
  const f = m.op('logits/BiasAdd', '_FusedMatMul', [g, 'logits/kernel', 'logits/bias'], { transpose_a: { b: false }, transpose_b: { b: false }, fused_ops: strs('BiasAdd'), num_args: { i: '1' } });
  m.op('probabilities', 'Softmax', [f]);
  return { m, input: [1, 24, 24, 3] };
};

// Resizing: nearest with half-pixel centres by a whole factor (Keras
// UpSampling2D), bilinear with aligned corners.
cases.resize = () => {
  const m = new Model();
  const x = m.input('x', [-1, 3, 4, 2]);
  m.const('up/size', [2], [6, 12], 'int32');
  const up = m.op('up/ResizeNearestNeighbor', 'ResizeNearestNeighbor', [x, 'up/size'], { align_corners: { b: false }, half_pixel_centers: { b: true } });
  m.const('bl/size', [2], [5, 7], 'int32');
  m.op('bl/ResizeBilinear', 'ResizeBilinear', [up, 'bl/size'], { align_corners: { b: true }, half_pixel_centers: { b: false } });
  return { m, input: [1, 3, 4, 2] };
};

// TF 1's atrous convolutions (DeepLab, BodyPix): SpaceToBatchND → Conv2D
// (VALID) → BatchToSpaceND → BiasAdd → Relu, and the same with a
// depthwise convolution, block 3 and crops.
cases.atrous = () => {
  const m = new Model();
  const x = m.input('x', [-1, 10, 10, 3]);
  m.const('a1/block', [2], [2, 2], 'int32');
  m.const('a1/paddings', [2, 2], [2, 2, 2, 2], 'int32');
  const s1 = m.op('a1/SpaceToBatchND', 'SpaceToBatchND', [x, 'a1/block', 'a1/paddings'], { Tblock_shape: { type: 'DT_INT32' }, Tpaddings: { type: 'DT_INT32' } });
  m.const('a1/w', [3, 3, 3, 4], randn(108));
  const c1 = m.op('a1/Conv2D', 'Conv2D', [s1, 'a1/w'], conv([1, 1], 'VALID'));
  m.const('a1/crops', [2, 2], [0, 0, 0, 0], 'int32');
  const b1 = m.op('a1/BatchToSpaceND', 'BatchToSpaceND', [c1, 'a1/block', 'a1/crops'], { Tblock_shape: { type: 'DT_INT32' }, Tcrops: { type: 'DT_INT32' } });
  m.const('a1/b', [4], randn(4, 0.1));
  const bb = m.op('a1/BiasAdd', 'BiasAdd', [b1, 'a1/b'], { data_format: str('NHWC') });
  const r = m.op('a1/Relu', 'Relu', [bb]);
  m.const('a2/block', [2], [3, 3], 'int32');
  m.const('a2/paddings', [2, 2], [3, 5, 3, 5], 'int32');
  const s2 = m.op('a2/SpaceToBatchND', 'SpaceToBatchND', [r, 'a2/block', 'a2/paddings'], { Tblock_shape: { type: 'DT_INT32' }, Tpaddings: { type: 'DT_INT32' } });
  m.const('a2/w', [3, 3, 4, 1], randn(36));
  const c2 = m.op('a2/depthwise', 'DepthwiseConv2dNative', [s2, 'a2/w'], conv([1, 1], 'VALID'));
  m.const('a2/crops', [2, 2], [0, 2, 0, 2], 'int32');
  m.op('a2/BatchToSpaceND', 'BatchToSpaceND', [c2, 'a2/block', 'a2/crops'], { Tblock_shape: { type: 'DT_INT32' }, Tcrops: { type: 'DT_INT32' } });
  return { m, input: [1, 10, 10, 3] };
};

// MobileNetV3's activations as Keras writes them: hard swish
// x·relu6(x + 3)·(1/6), and a squeeze-excite gate by the hard sigmoid
// relu6(s + 3)·(1/6) of a pooled and convolved copy.
cases.hardswish = () => {
  const m = new Model();
  const x = m.input('x', [-1, 6, 6, 4]);
  m.const('c/w', [1, 1, 4, 4], randn(16, 2));
  const c = m.op('c/Conv2D', 'Conv2D', [x, 'c/w'], conv([1, 1], 'VALID'));
  m.const('hs/add/y', [], [3]);
  const a = m.op('hs/add', 'AddV2', [c, 'hs/add/y']);
  const r = m.op('hs/re_lu/Relu6', 'Relu6', [a]);
  m.const('hs/mul/y', [], [1 / 6]);
  const s = m.op('hs/mul', 'Mul', [r, 'hs/mul/y']);
  const hs = m.op('hs/multiply/mul', 'Mul', [c, s]);
  m.const('se/axes', [2], [1, 2], 'int32');
  const p = m.op('se/Mean', 'Mean', [hs, 'se/axes'], { keep_dims: { b: true }, Tidx: { type: 'DT_INT32' } });
  m.const('se/w', [1, 1, 4, 4], randn(16, 2));
  const sc = m.op('se/Conv2D', 'Conv2D', [p, 'se/w'], conv([1, 1], 'VALID'));
  m.const('se/add/y', [], [3]);
  const sa = m.op('se/add', 'AddV2', [sc, 'se/add/y']);
  const sr = m.op('se/Relu6', 'Relu6', [sa]);
  m.const('se/mul/y', [], [1 / 6]);
  const sm = m.op('se/mul', 'Mul', [sr, 'se/mul/y']);
  m.op('se/excite', 'Mul', [hs, sm]);
  return { m, input: [1, 6, 6, 4] };
};

for (const [name, build] of Object.entries(cases)) {
  const { m, input } = build();
  const dir = path.join(here, name);
  const model = m.write(dir);
  const shards = fs.readFileSync(path.join(dir, 'weights.bin'));
  const net = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: model.modelTopology, weightSpecs: model.weightsManifest[0].weights,
    weightData: shards.buffer.slice(shards.byteOffset, shards.byteOffset + shards.byteLength), format: model.format,
  }));
  const x = tf.tensor(randn(prod(input), 1), input);
  let ys = net.execute(x);
  ys = Array.isArray(ys) ? ys : [ys];
  const outputs = [];
  for (let i = 0; i < ys.length; i++) outputs.push({ name: net.outputNodes[i], shape: ys[i].shape, data: Array.from(await ys[i].data()) });
  fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify({
    framework: `@tensorflow/tfjs ${tf.version.tfjs} (${tf.getBackend()})`,
    input: { shape: input, layout: 'NHWC', data: Array.from(await x.data()) }, outputs,
  }));
  console.log(name, outputs.map((o) => `${o.name} ${JSON.stringify(o.shape)}`).join(', '));
}
