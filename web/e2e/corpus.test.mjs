// End-to-end with real pretrained models of the corpus (docs/corpus.md):
// the Explainer with a TF.js layers MobileNet v2 (164 layers) and the
// PaddleOCR v4 text detector (ONNX, 332 layers, free input size, ImageNet
// mean/std), and the Scope with the latter and a Caffe prototxt (OpenCV's
// SqueezeNet, no weights), at 1366×768 and 390×844; screenshots go to
// e2e/out/corpus-*.png for the closing note (looked at by hand).
//
// The models come from the corpus cache (scripts/corpus/fetch.sh), never
// from the repository. Without the cache the test is skipped naming the
// path; under CI=true with CONVSCOPE_CORPUS=1 (the corpus step of CI, as
// scripts/corpus/check's Go test) a missing cache is a failure.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { withServer, waitReady, waitScopeReady, screenshotPath, repoRoot, axe, axeCount } from './harness.mjs';

const cache = process.env.CONVSCOPE_CORPUS_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'convscope-corpus');
const models = path.join(cache, 'models');
const file = {
  mobilenet: path.join(models, 'nsfwjs-mobilenet-v2', 'model.json'),
  ppocr: path.join(models, 'ppocr-v4-det', 'ch_PP-OCRv4_det_infer.onnx'),
  squeezenet: path.join(models, 'caffe-squeezenet-objdetect', 'SqueezeNet_deploy.prototxt'),
};
const corpus = JSON.parse(readFileSync(path.join(repoRoot, 'scripts/corpus/corpus.json'), 'utf8')).models;
const entry = (id) => corpus.find((m) => m.id === id);

function needCorpus() {
  const missing = Object.values(file).filter((f) => !existsSync(f));
  if (!missing.length) return false;
  const why = `corpus cache missing: ${missing.join(', ')} (scripts/corpus/fetch.sh)`;
  if (process.env.CI === 'true' && process.env.CONVSCOPE_CORPUS === '1') throw new Error(`${why} (CI=true with CONVSCOPE_CORPUS=1 requires it)`);
  return why;
}

const skip = needCorpus();
const sizes = [[1366, 768], [390, 844]];

describe('real models of the corpus', { skip }, () => {
  const ocr = entry('ppocr-v4-det');
  const examples = path.join(repoRoot, 'internal/zoo/defaultmodel/examples');
  const ctx = withServer(skip ? [] : [
    '--model', file.mobilenet, '--examples', examples,
    '--model', file.ppocr, '--input', ocr.input.join(','), '--mean', ocr.preprocess.mean.join(','), '--std', ocr.preprocess.std.join(','), '--examples', examples,
  ]);

  for (const [vw, vh] of sizes) {
    it(`the Explainer with MobileNet v2 (TF.js) and the PaddleOCR detector (ONNX) (${vw}×${vh})`, async () => {
      const base = ctx.server.url;
      const list = (await (await fetch(`${base}/api/models`)).json()).models;
      const byFile = (f) => list.find((m) => m.file && path.basename(f) === path.basename(m.file));
      for (const [name, f, summary, ticks] of [
        ['mobilenet', file.mobilenet, '[0, 1] RGB · RGB · 0…1', ['0', '0.5', '1']],
        ['ppocr', file.ppocr, 'ImageNet mean/std (torchvision) · RGB · −2.12…2.64', ['−2.12', '0.26', '2.64']],
      ]) {
        const m = byFile(f);
        assert.ok(m?.runnable, `${name}: ${JSON.stringify(m)}`);
        assert.ok(m.layers > 100, `${name}: ${m.layers} layers`);
        const page = await ctx.browser.newPage({ viewport: { width: vw, height: vh } });
        await page.goto(`${base}/?model=${encodeURIComponent(m.id)}`);
        await waitReady(page, 120000);
        assert.equal(await page.getByTestId('error').count(), 0, await page.getByTestId('error').allTextContents().then(String));
        assert.equal(await page.getByTestId('pre-summary').textContent(), summary);
        const shown = await page.locator('[data-legend="input:0"] .tick').allTextContents();
        assert.deepEqual(shown.length === 2 ? [shown[0], shown[1]] : shown, shown.length === 2 ? [ticks[0], ticks[2]] : ticks);
        if (m.classes === 0) assert.equal(await page.getByTestId('output-shape').textContent(), '1×256×256');
        const c = axeCount(await axe(page));
        assert.equal(c.critical + c.serious, 0, `${name}: ${JSON.stringify(c)}`);
        await page.screenshot({ path: screenshotPath(`corpus-explainer-${name}-${vw}.png`) });
        await page.close();
      }
    });

    it(`the Scope with the Caffe SqueezeNet prototxt and the PaddleOCR detector (${vw}×${vh})`, async () => {
      const page = await ctx.browser.newPage({ viewport: { width: vw, height: vh } });
      await page.goto(`${ctx.server.url}/#/scope`);
      await page.setInputFiles('[data-testid="model-file"]', file.squeezenet);
      await waitScopeReady(page, 60000);
      // The parameters of an independent count (corpus.json).
      assert.equal(+(await page.locator('[data-total="params"]').getAttribute('data-value')), entry('caffe-squeezenet-objdetect').params);
      await page.screenshot({ path: screenshotPath(`corpus-scope-squeezenet-${vw}.png`) });
      // A free input size is asked for, prefilled, and opened at the corpus's size.
      await page.setInputFiles('[data-testid="model-file"]', file.ppocr);
      await page.getByTestId('free-size').waitFor({ timeout: 60000 });
      await page.getByTestId('free-size-input').fill(ocr.input.join(','));
      await page.getByTestId('free-size').locator('button[type="submit"]').click();
      await page.locator('[data-total="params"]').filter({ hasNotText: '1.25' }).waitFor({ timeout: 60000 });
      await waitScopeReady(page, 60000);
      const c = axeCount(await axe(page));
      assert.equal(c.critical + c.serious, 0, JSON.stringify(c));
      await page.screenshot({ path: screenshotPath(`corpus-scope-ppocr-${vw}.png`) });
      await page.close();
    });
  }
});
