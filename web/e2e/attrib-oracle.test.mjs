// Attribution maps (POST /api/models/{id}/explain) against TensorFlow.js:
// the same maps computed in this process with tf.grad (the WebAssembly
// backend, float32) on the CNN Explainer model (../shared/reference/cnn-explainer)
// and on a functional model with a residual branch and BatchNorm built
// here with tf.layers and saved as a TF.js layers model. Every method:
// saliency, Grad-CAM (the gradient with respect to a layer's output: the
// model is re-run layer by layer from that output), integrated gradients
// (32 midpoint steps from the black image) and occlusion (the TF.js
// model's probabilities on every occluded image).
//
// The input is the one the server reports for the image (/run's input
// value), so decoding is not under test here; layout NHWC in TF.js, NCHW
// in convscope. Tolerance: max |ours − TF.js| ≤ 1e-4 · max |TF.js map|
// (integrated gradients: see the conditioning allowance below).
//
// TensorFlow.js comes from the corpus cache (scripts/corpus/fetch.sh), never
// from the repository: without it the test skips naming the path, and fails
// under CI=true with CONVSCOPE_CORPUS=1 (as e2e/corpus.test.mjs).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, refDir, needRef, fetchRun } from './harness.mjs';

const cache = process.env.CONVSCOPE_CORPUS_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'convscope-corpus');
const nodeDir = path.join(cache, 'node');

function needTfjs() {
  const f = path.join(nodeDir, 'node_modules', '@tensorflow', 'tfjs');
  if (existsSync(f)) return false;
  const why = `TensorFlow.js missing: ${f} (scripts/corpus/fetch.sh)`;
  if (process.env.CI === 'true' && process.env.CONVSCOPE_CORPUS === '1') throw new Error(`${why} (CI=true with CONVSCOPE_CORPUS=1 requires it)`);
  return why;
}

const skip = needRef(path.join(refDir, 'model.json'), path.join(refDir, 'images', 'espresso_1.png')) || needTfjs();
const example = 'espresso_1.png';
const TOL = 1e-4;

// mulberry32: deterministic weights for the residual model.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** residualModel builds the functional test model (input 32×32×3, 5 classes). */
function residualModel(tf) {
  const L = tf.layers;
  const inp = tf.input({ shape: [32, 32, 3], name: 'image' });
  const c1 = L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(inp);
  const c2 = L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c2' }).apply(c1);
  const bn = L.batchNormalization({ name: 'bn' }).apply(c2);
  const add = L.add({ name: 'add' }).apply([bn, c1]);
  const r = L.activation({ activation: 'relu', name: 'r' }).apply(add);
  const pool = L.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(r);
  const c3 = L.conv2d({ filters: 6, kernelSize: 3, name: 'c3' }).apply(pool);
  const r3 = L.activation({ activation: 'relu', name: 'r3' }).apply(c3);
  const flat = L.flatten({ name: 'flat' }).apply(r3);
  const out = L.dense({ units: 5, activation: 'softmax', name: 'out' }).apply(flat);
  const model = tf.model({ inputs: inp, outputs: out, name: 'residual' });
  const rnd = prng(19);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (!ws.length) continue;
    layer.setWeights(ws.map((w, i) => {
      const n = w.size;
      const v = new Float32Array(n);
      const bnVar = layer.name === 'bn' && i === 3;
      for (let j = 0; j < n; j++) v[j] = bnVar ? 0.5 + rnd() : (rnd() - 0.5) * (layer.name === 'out' ? 0.6 : 0.9);
      return tf.tensor(v, w.shape);
    }));
  }
  return model;
}

async function saveModel(tf, model, dir) {
  await model.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: `TensorFlow.js ${tf.version.tfjs}`, convertedBy: null, modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
    writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(a.weightData));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

/**
 * forward runs a layers model layer by layer on x (NHWC) and returns the
 * logits: a final softmax Dense is applied without its softmax. With
 * from = {layer, value}, that layer's output is replaced by value (the
 * gradient with respect to a layer's output).
 */
function forward(tf, model, x, from) {
  const outs = new Map();
  const layers = model.layers;
  const last = layers[layers.length - 1];
  for (const layer of layers) {
    if (layer.getClassName() === 'InputLayer') {
      outs.set(layer.name, x);
      continue;
    }
    const ins = layer.inboundNodes[0].inboundLayers.map((l) => outs.get(l.name) ?? x);
    let y;
    if (from && layer.name === from.layer) {
      y = from.value;
    } else if (layer === last && layer.getClassName() === 'Dense' && layer.getConfig().activation === 'softmax') {
      const [kernel, bias] = layer.getWeights();
      y = tf.add(tf.matMul(ins[0], kernel), bias);
    } else if (layer.getClassName() === 'Conv2D') {
      // Unfused: TF.js layers' fused convolution computes the filter's
      // gradient too, which the wasm backend lacks.
      const cfg = layer.getConfig();
      const [kernel, bias] = layer.getWeights();
      y = tf.conv2d(ins[0], kernel, cfg.strides, cfg.padding, 'NHWC', cfg.dilationRate);
      if (bias) y = tf.add(y, bias);
      if (cfg.activation === 'relu') y = tf.relu(y);
      else assert.equal(cfg.activation, 'linear', `${layer.name}: activation ${cfg.activation}`);
    } else {
      y = layer.apply(ins.length === 1 ? ins[0] : ins);
    }
    outs.set(layer.name, y);
  }
  return { logits: outs.get(last.name), value: (name) => outs.get(name) };
}

const nhwc = (data, [c, h, w]) => {
  const out = new Float32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[i * c + ch] = data[ch * h * w + i];
  return out;
};

/** maxAbsChannels: per position of an NHWC [1, h, w, c] array, max over c of |v|. */
function maxAbsChannels(v, c) {
  const out = new Float64Array(v.length / c);
  for (let i = 0; i < out.length; i++) for (let k = 0; k < c; k++) out[i] = Math.max(out[i], Math.abs(v[i * c + k]));
  return out;
}

function assertClose(ours, theirs, what) {
  assert.equal(ours.length, theirs.length, `${what}: ${ours.length} values, TF.js ${theirs.length}`);
  let scale = 0, worst = 0, at = -1;
  for (const v of theirs) scale = Math.max(scale, Math.abs(v));
  assert.ok(scale > 0, `${what}: the TF.js map is all zero`);
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - theirs[i]);
    if (d > worst) [worst, at] = [d, i];
  }
  assert.ok(worst <= TOL * scale, `${what}: max |ours − TF.js| = ${worst.toExponential(3)} at ${at} (ours ${ours[at]}, TF.js ${theirs[at]}), ${(worst / scale).toExponential(2)} of the map's max ${scale.toExponential(3)}`);
  return worst / scale;
}

describe('attribution maps against TensorFlow.js gradients', { skip }, () => {
  let server, tf, dir;
  const models = {};
  before(async () => {
    const need = createRequire(path.join(nodeDir, 'package.json'));
    tf = need('@tensorflow/tfjs');
    const wasm = need('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(need.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
    assert.ok(await tf.setBackend('wasm'), 'the TF.js wasm backend did not start');
    await tf.ready();
    dir = mkdtempSync(path.join(tmpdir(), 'convscope-attrib-'));
    await saveModel(tf, residualModel(tf), dir);
    const load = async (d) => {
      const { readFileSync } = await import('node:fs');
      const j = JSON.parse(readFileSync(path.join(d, 'model.json'), 'utf8'));
      const bins = j.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(d, p))));
      const all = Buffer.concat(bins);
      return tf.loadLayersModel(tf.io.fromMemory({ ...j, weightSpecs: j.weightsManifest.flatMap((g) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) }));
    };
    models.explainer = await load(refDir);
    models.residual = await load(dir);
    server = await startServer(['--model', path.join(refDir, 'model.json'), '--examples', path.join(refDir, 'images'),
      '--model', path.join(dir, 'model.json'), '--examples', path.join(refDir, 'images')]);
    const list = (await (await fetch(`${server.url}/api/models`)).json()).models;
    models.ids = { explainer: list[1].id, residual: list[2].id };
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const explain = async (id, q) => {
    const res = await fetch(`${server.url}/api/models/${id}/explain?example=${example}&${q}`, { method: 'POST' });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };

  // Grad-CAM's second layer is a convolution's output before its ReLU: a
  // ReLU's output followed by max pooling has windows of tied zeros, where
  // the derivative of the max is a convention (which element gets the
  // gradient), and Grad-CAM's α at that layer depends on it.
  for (const [name, layers, klass] of [['explainer', ['max_pool_2', 'conv_1_2'], 1], ['residual', ['r3', 'add'], 3]]) {
    it(`${name}: saliency, Grad-CAM, integrated gradients and occlusion equal TF.js's`, async () => {
      const id = models.ids[name];
      const model = models[name];
      const run = await fetchRun(server.url, id, example);
      const input = run.values.get(run.header.input);
      const [C, H, W] = input.shape;
      const x = tf.tensor(nhwc(input.data, input.shape), [1, H, W, C]);
      const z = (t, c) => forward(tf, model, t).logits.slice([0, c], [t.shape[0], 1]).sum();
      const report = [];

      // Saliency, for the predicted class (the default) and another one.
      for (const [q, c] of [['', run.header.predicted], [`&class=${klass}`, klass]]) {
        const ours = await explain(id, `method=saliency${q}`);
        assert.equal(ours.class, c);
        assert.deepEqual(ours.shape, [H, W]);
        const g = await tf.grad((t) => z(t, c))(x).data();
        report.push(['saliency', c, assertClose(ours.map, maxAbsChannels(g, C), `${name} saliency class ${c}`)]);
      }

      // Grad-CAM of the predicted class on the default layer (the last
      // spatial map) and another.
      for (const [q, layer] of [['', layers[0]], [`&layer=${layers[1]}`, layers[1]]]) {
        const ours = await explain(id, `method=gradcam${q}`);
        const c = run.header.predicted;
        assert.equal(ours.layer, layer);
        const A = forward(tf, model, x).value(layer);
        const [, h, w, K] = A.shape;
        assert.deepEqual(ours.shape, [h, w]);
        const G = await tf.grad((a) => forward(tf, model, x, { layer, value: a }).logits.slice([0, c], [1, 1]).sum())(A).data();
        const a = await A.data();
        const alpha = new Float64Array(K);
        for (let i = 0; i < h * w; i++) for (let k = 0; k < K; k++) alpha[k] += G[i * K + k] / (h * w);
        const cam = new Float64Array(h * w);
        for (let i = 0; i < h * w; i++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += alpha[k] * a[i * K + k];
          cam[i] = Math.max(s, 0);
        }
        report.push([`gradcam ${layer}`, c, assertClose(ours.map, cam, `${name} Grad-CAM ${layer}`)]);
      }

      // Integrated gradients: 32 midpoint steps from the black image
      // (zeros: the [0, 1] default preprocessing), map max_c |IG|. A ReLU
      // network's IG is discontinuous where a unit's input crosses 0 at one
      // of the steps: scaling the image by 1 + 1e-6 moves convscope's map of
      // the CNN Explainer model by 2e-3 of its max at 31 pixels (measured),
      // so float32 rounding (ours and TF.js's differ by ~1e-7) can flip such
      // a unit. A pixel passes when |ours − TF.js| ≤ 1e-4·max + how far
      // TF.js's own map moves there when the image is scaled by 1 ± 1e-6 or
      // 1 ± 1e-5; at most 5% of the pixels may need that allowance (3 of
      // 1024 on the residual model, none on the CNN Explainer model).
      {
        const ours = await explain(id, `method=ig&class=${klass}`);
        assert.equal(ours.steps, 32);
        const ig = async (s) => {
          const m = 32;
          const xs = x.mul(s);
          const sum = new Float64Array(H * W * C);
          for (let k = 0; k < m; k++) {
            const g = await tf.grad((t) => z(t, klass))(xs.mul((k + 0.5) / m)).data();
            for (let i = 0; i < sum.length; i++) sum[i] += g[i];
          }
          const xv = await xs.data();
          return maxAbsChannels(sum.map((v, i) => (xv[i] * v) / m), C);
        };
        const want = await ig(1);
        const moved = [await ig(1 + 1e-6), await ig(1 - 1e-6), await ig(1 + 1e-5), await ig(1 - 1e-5)];
        let scale = 0;
        for (const v of want) scale = Math.max(scale, v);
        let worst = 0, allowed = 0;
        for (let i = 0; i < want.length; i++) {
          const d = Math.abs(ours.map[i] - want[i]);
          const slack = Math.max(...moved.map((mv) => Math.abs(mv[i] - want[i])));
          assert.ok(d <= TOL * scale + slack, `${name} IG pixel ${i}: ours ${ours.map[i]}, TF.js ${want[i]} (TF.js moves by ${slack} under 1 ± 1e-6 scaling; max ${scale})`);
          if (d > TOL * scale) allowed++;
          else worst = Math.max(worst, d / scale);
        }
        assert.ok(allowed <= 0.05 * want.length, `${name} IG: ${allowed} pixels needed the conditioning allowance`);
        report.push(['ig', klass, worst, allowed]);
      }

      // Occlusion: the default P = round(min(H, W)/8), S = P/2, grey 0.5.
      {
        const ours = await explain(id, `method=occlusion&class=${klass}`);
        const P = Math.max(1, Math.round(Math.min(H, W) / 8)), S = Math.max(1, Math.floor(P / 2));
        assert.deepEqual([ours.patch, ours.stride], [P, S]);
        const starts = (n) => { const s = []; for (let p = 0; p + P <= n; p += S) s.push(p); return s; };
        const place = [];
        for (const y0 of starts(H)) for (const x0 of starts(W)) place.push([y0, x0]);
        const xv = await x.data();
        const batch = new Float32Array(place.length * H * W * C);
        place.forEach(([y0, x0], b) => {
          batch.set(xv, b * xv.length);
          for (let yy = y0; yy < y0 + P; yy++) for (let xx = x0; xx < x0 + P; xx++) for (let ch = 0; ch < C; ch++) batch[b * xv.length + (yy * W + xx) * C + ch] = 0.5;
        });
        const p0 = (await model.predict(x).data())[klass];
        const probs = await model.predict(tf.tensor(batch, [place.length, H, W, C])).data();
        const K = probs.length / place.length;
        const sum = new Float64Array(H * W), cnt = new Float64Array(H * W);
        place.forEach(([y0, x0], b) => {
          const d = p0 - probs[b * K + klass];
          for (let yy = y0; yy < y0 + P; yy++) for (let xx = x0; xx < x0 + P; xx++) { sum[yy * W + xx] += d; cnt[yy * W + xx]++; }
        });
        const want = sum.map((s, i) => (cnt[i] ? s / cnt[i] : 0));
        report.push(['occlusion', klass, assertClose(ours.map, want, `${name} occlusion`)]);
      }
      console.log(`${name}: worst relative difference per map: ${report.map(([m, c, r, n]) => `${m} (class ${c}) ${r.toExponential(2)}${n !== undefined ? ` (${n} ill-conditioned pixels excluded)` : ''}`).join(', ')}`);
    });
  }
});
