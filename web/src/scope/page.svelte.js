// The Scope page's state and what it does: open a preset, a file or the
// editor's text, lay the graph out (in a worker), select layers, follow the
// URL hash, export, and run an upload in the Explainer. Scope.svelte and
// its parts only draw this state and call these methods; the rules are in
// route.js, keys.js, search.js and files.js.
import { tick } from 'svelte';
import { t } from '../lib/i18n.svelte.js';
import { isStatic } from '../lib/api.js';
import { listPresets, getPreset, analyzeFiles, exportResponse, registerModel, hasWeights, cleanInput, freeInput, profileModel } from './api.js';
import { mergeProfile, boxValues, heatScale } from './profile.js';
import { blockTree, blockTotals } from './blocks.js';
import { compact, macs as fmtMacs } from './format.js';
import { layout as runLayout, warmUp } from './layoutClient.js';
import { parseScopeHash, formatScopeHash, hashAction } from './route.js';
import { graphStep, neighbourBox, nextMatch, startBox } from './keys.js';
import { matchingBoxes, matchOrder, searchHit } from './search.js';
import { mainFile, editable, pastedModel, textSource, editorName, exportName, savedText, saveText } from './files.js';
import { download } from './download.js';
import { loadParams } from '../lib/explain/params.js';
import { layerRows, readerMap } from './table.js';
import { errorPosition, looksLikeText } from './prototxt.js';
import { estimateWidth } from './boxes.js';
import { SAMPLE } from './sample.js';
import { parseCount, countQuery, countView } from './count.js';

let measureCtx;
/** measure is the width of text in font, from a canvas (estimated without one). */
function measure(text, font) {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx) return estimateWidth(text, font);
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

// A graph of more layers than this opens folded into its blocks (the
// presets, up to Inception-ResNet-v2's 783 layers, open with every layer
// drawn; the toolbar folds them).
const BIG_GRAPH = 1000;
const BLOCK_COLOURS = { fill: '#f1f3f4', stroke: '#3c4043' };

export class ScopePage {
  presets = $state.raw([]);
  source = $state.raw(null); // {kind: 'preset', name} | {kind: 'file', name, files: [File], text?}
  analysis = $state.raw(null);
  drawn = $state.raw(null); // {folded, layout, ms}
  loading = $state(true);
  error = $state(null); // {message}
  editorError = $state(null); // {message, line, column}
  notice = $state('');
  sel = $state('');
  dir = $state('TB');
  tab = $state('layers');
  fold = $state(true);
  left = $state('presets'); // 'presets' | 'editor'
  editorText = $state(SAMPLE);
  query = $state('');
  matchIdx = $state(-1);
  kindSel = $state('');
  running = $state(false);
  layoutMs = $state(0);
  inputSize = $state(''); // C,H,W for files that do not give their input size
  freeSize = $state(null); // { src, input, shape }: the last file opened leaves its input size open
  profile = $state.raw(null); // POST /api/profile's answer for the open model
  profiling = $state(false);
  profileNote = $state(false); // the profile's summary banner is shown
  colourBy = $state('family'); // profile.js METRICS
  profileRuns = 5;
  modelId = null; // the open file registered with POST /api/models (profile, weights)
  #reg = null; // {src, p}: the registration under way of the open file
  weights = $state.raw(null); // the selected layer's parameters for the weights panel: {layer, source, loading | error | params: [{name, shape, stats}]}
  collapsed = $state.raw([]); // ids of the blocks drawn as one box (blocks.js)
  graph = $state(); // the Graph component: its view methods
  editor = $state(); // the Editor component
  conv = $state.raw(parseCount('macs', '')); // the counting convention (count.js)
  cmp = $state(''); // Compare mode: '' (off), 'preset:NAME', 'editor' or 'file:NAME' (route.js)
  #seq = 0; // identifies the latest load; older answers are dropped

  shown = $derived(countView(this.analysis)); // the analysis under the convention
  rows = $derived(this.shown ? mergeProfile(layerRows(this.shown), this.profile) : []);
  nodeByName = $derived(this.analysis ? new Map(this.analysis.graph.nodes.map((n) => [n.name, n])) : new Map());
  rowByName = $derived(new Map(this.rows.map((r) => [r.name, r])));
  readersOf = $derived(readerMap(this.analysis?.graph.nodes ?? []));
  groupOf = $derived(this.drawn?.folded.groupOf ?? new Map());
  selGroup = $derived(this.sel ? (this.groupOf.get(this.sel) ?? '') : '');
  inPlace = $derived(new Set([...this.groupOf].filter(([n, g]) => n !== g).map(([n]) => n)));
  matches = $derived(this.drawn ? matchingBoxes(this.analysis.graph.nodes, this.groupOf, { query: this.query, kind: this.kindSel, rowByName: this.rowByName }) : null);
  matchList = $derived(this.drawn ? matchOrder(this.drawn.folded.groups, this.matches) : []);
  tree = $derived(this.analysis ? blockTree(this.analysis.graph.nodes.map((n) => n.name)) : null);
  blockTotals = $derived(this.tree ? new Map([...this.tree.blocks.values()].map((b) => [b.id, blockTotals(b, this.rowByName)])) : new Map());
  canProfile = $derived(this.source?.kind === 'preset' || this.canRun);
  // The boxes' colours by a metric (null: by operator family) and the scale of the legend.
  heat = $derived.by(() => {
    if (!this.drawn) return null;
    if (this.colourBy === 'family' || (this.colourBy === 'time' && !this.profile)) {
      // only the collapsed blocks have a colour of their own
      const blocks = this.drawn.folded.groups.filter((g) => g.block);
      return blocks.length ? { scale: null, colours: new Map(blocks.map((g) => [g.id, BLOCK_COLOURS])) } : null;
    }
    const values = boxValues(this.drawn.folded.groups, this.rowByName, this.colourBy);
    const scale = heatScale(values.values());
    return { scale, colours: new Map([...values].map(([id, v]) => [id, scale.colour(v)])), values };
  });
  canRun = $derived(this.source?.kind === 'file' && this.analysis && hasWeights(this.analysis.format, this.source.files));

  /** mount starts the layout worker, lists the presets and opens what the URL says. */
  mount() {
    warmUp();
    listPresets()
      .then((p) => (this.presets = p))
      .catch((err) => (this.error = { message: err.message }));
    this.fromHash();
  }

  textSource(name, text) {
    return textSource(name, text, cleanInput(this.inputSize));
  }

  // ---- URL ----
  writeHash(push = false) {
    const h = formatScopeHash({ source: this.source, sel: this.sel, dir: this.dir, tab: this.tab, count: this.conv.count, inc: this.conv.include.join(','), cmp: this.cmp });
    if (h === window.location.hash) return;
    if (push) window.location.hash = h;
    else history.replaceState(history.state, '', h);
  }

  async fromHash() {
    const st = parseScopeHash(window.location.hash);
    const dirChanged = st.dir !== this.dir;
    this.dir = st.dir;
    this.tab = st.tab;
    this.cmp = st.cmp ?? '';
    const conv = parseCount(st.count, st.inc);
    const convChanged = JSON.stringify(conv) !== JSON.stringify(this.conv);
    this.conv = conv;
    const action = hashAction(st, this.source, { dirChanged, open: !!this.analysis });
    if (convChanged && this.analysis && action !== 'preset' && action !== 'file') this.recount();
    switch (action) {
      case 'preset':
        return this.open({ kind: 'preset', name: st.source.name }, st.sel);
      case 'file': {
        // an upload is not in the URL; a prototxt typed or opened in this tab is kept for reloads
        const saved = savedText(sessionStorage);
        if (saved && saved.name === st.source.name) {
          this.editorText = saved.text;
          return this.open(this.textSource(saved.name, saved.text), st.sel);
        }
        this.notice = t('scope.notice.fileGone', { name: st.source.name });
        this.loading = false;
        return;
      }
      case 'idle':
        this.loading = false;
        return;
      case 'relayout':
        return this.relayout(st.sel);
      default:
        this.select(st.sel, { center: true, write: false });
    }
  }

  // ---- loading ----
  /** open loads a source's analysis and draws it; the previous model stays when it fails. */
  async open(src, selection = '', { fromEditor = false } = {}) {
    const my = ++this.#seq;
    this.loading = true;
    this.error = null;
    this.notice = '';
    if (fromEditor) this.editorError = null;
    this.freeSize = null;
    try {
      const a = await this.#fetch(src);
      if (my !== this.#seq) return;
      this.analysis = a;
      this.profile = null;
      this.profileNote = false;
      // A big graph opens folded into its outermost blocks.
      this.collapsed = a.graph.nodes.length > BIG_GRAPH ? [...blockTree(a.graph.nodes.map((n) => n.name)).roots] : [];
      this.modelId = null;
      if (this.colourBy === 'time') this.colourBy = 'family';
      this.source = src.kind === 'preset' ? { kind: 'preset', name: a.preset?.name ?? src.name } : src;
      // (too large or private mode: the file is not kept for a reload)
      if (src.text !== undefined) saveText(sessionStorage, src.name, src.text);
      if (fromEditor) this.editorError = null;
      this.sel = selection && a.graph.nodes.some((n) => n.name === selection) ? selection : '';
      this.query = '';
      this.kindSel = '';
      await this.#draw(my);
      this.writeHash(src.kind === 'preset');
    } catch (err) {
      if (my !== this.#seq) return;
      const pos = errorPosition(err.body ?? { error: err.message });
      const free = src.kind === 'file' ? freeInput(err) : null;
      if (free) {
        // Ask for the size, prefilled with the server's suggestion.
        if (!cleanInput(this.inputSize)) this.inputSize = free.size;
        this.freeSize = { src, input: free.input, shape: free.shape };
        this.loading = false;
        return;
      }
      if (fromEditor || (src.text !== undefined && this.left === 'editor')) {
        this.editorError = { message: err.message, line: pos?.line ?? 0, column: pos?.column ?? 0 };
        await tick();
        this.editor?.showError();
      } else {
        this.error = { message: err.message };
      }
      this.loading = false;
    }
  }

  #fetch(src) {
    const query = countQuery(this.conv);
    return src.kind === 'preset' ? getPreset(src.name, { query }) : analyzeFiles(src.files, { input: src.input, query });
  }

  /** setCount switches the counting convention: the figures are fetched again, the graph stays. */
  setCount(conv) {
    this.conv = conv;
    this.writeHash();
    return this.recount();
  }

  #countSeq = 0;
  async recount() {
    if (!this.analysis || !this.source) return;
    const my = ++this.#countSeq;
    const seq = this.#seq; // a model opened meanwhile wins
    try {
      const a = await this.#fetch(this.source);
      if (my === this.#countSeq && seq === this.#seq) this.analysis = a;
    } catch (err) {
      if (my === this.#countSeq && seq === this.#seq) this.error = { message: err.message };
    }
  }

  /** setCompare turns Compare mode on ('preset:NAME', 'editor', 'file:NAME') or off (''). */
  setCompare(cmp) {
    this.cmp = cmp;
    this.writeHash();
  }

  async #draw(my) {
    const details = {};
    for (const id of this.collapsed) {
      const x = this.blockTotals.get(id);
      if (x) details[id] = t('scope.block.detail', { n: x.layers, params: compact(x.params), macs: fmtMacs(x.macs) });
    }
    const r = await runLayout(this.analysis.graph, { rankdir: this.dir, fold: this.fold, measure, collapsed: [...this.collapsed], details });
    if (my !== this.#seq) return;
    this.drawn = r;
    this.layoutMs = Math.round(r.ms);
    await tick();
    if (this.sel && this.groupOf.get(this.sel)) this.graph?.centerOn(this.groupOf.get(this.sel), false);
    else this.graph?.initialView();
    // one frame so that the browser has painted the graph
    await new Promise((r) => requestAnimationFrame(() => r()));
    if (my !== this.#seq) return;
    this.loading = false;
  }

  async relayout(selection = this.sel) {
    if (!this.analysis) return;
    const my = ++this.#seq;
    this.loading = true;
    this.sel = selection;
    try {
      await this.#draw(my);
    } catch (err) {
      if (my === this.#seq) {
        this.error = { message: err.message };
        this.loading = false;
      }
    }
  }

  // ---- selection ----
  select(name, { center = true, write = true } = {}) {
    this.sel = name && (this.nodeByName.has(name) || this.collapsed.includes(name)) ? name : '';
    if (this.sel && center && this.groupOf.get(this.sel)) this.graph?.centerOn(this.groupOf.get(this.sel));
    if (write) this.writeHash();
  }

  async markKind(k) {
    this.kindSel = k;
    this.query = '';
    await tick();
    if (k && this.matchList.length) this.graph?.centerOn(this.matchList[0]);
  }

  searchKey(e) {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (!this.matchList.length) return;
      this.matchIdx = nextMatch(this.matchIdx, this.matchList.length, e.shiftKey);
      const id = this.matchList[this.matchIdx];
      this.select(searchHit(this.drawn.folded.groups.find((x) => x.id === id), this.query).name);
    } else if (e.key === 'Escape') {
      this.query = '';
    }
  }

  /** expand draws a collapsed block's layers again (selecting the block's first box); collapse folds a block into one box. */
  async expand(id) {
    if (!this.collapsed.includes(id)) return;
    const b = this.tree.blocks.get(id);
    this.collapsed = [...this.collapsed.filter((x) => x !== id), ...b.children];
    await this.relayout(b.layers[0]);
  }

  async collapse(id) {
    if (!id || this.collapsed.includes(id) || !this.tree?.blocks.has(id)) return;
    const inside = new Set(this.tree.blocks.get(id).layers);
    // its sub-blocks are no longer drawn on their own
    this.collapsed = [...this.collapsed.filter((x) => !inside.has(this.tree.blocks.get(x)?.layers[0])), id];
    await this.relayout(id);
  }

  /** collapseAll folds the graph into its outermost blocks; expandAll draws every layer. */
  setBlocks(folded) {
    this.collapsed = folded && this.tree ? [...this.tree.roots] : [];
    this.relayout(this.sel && this.nodeByName.has(this.sel) ? this.sel : '');
  }

  /** blockOfSel is the block to collapse for the selection: a layer's innermost block, or the parent of a selected block. */
  blockOfSel() {
    if (!this.tree || !this.sel) return '';
    if (this.collapsed.includes(this.sel)) return this.tree.blocks.get(this.sel)?.parent ?? '';
    return this.tree.blockOf.get(this.sel) ?? '';
  }

  graphKey(e) {
    if (e.key === 'Enter' && this.collapsed.includes(this.sel)) {
      e.preventDefault();
      return this.expand(this.sel);
    }
    if (e.key === '-' && this.blockOfSel()) {
      e.preventDefault();
      return this.collapse(this.blockOfSel());
    }
    const step = graphStep(e.key, this.dir);
    if (step === 'clear') return this.select('', { center: false });
    if (!step || !this.drawn) return;
    e.preventDefault();
    const { groups, edges } = this.drawn.folded;
    // Nothing chosen yet: an arrow starts at the input (forward) or the output (back).
    const next = this.selGroup ? neighbourBox(edges, this.selGroup, step) : startBox(groups.map((g) => g.id), edges, step);
    if (next) this.select(next);
  }

  setDir(d) {
    if (this.dir === d) return;
    this.dir = d;
    this.writeHash();
    this.relayout();
  }

  setTab(v) {
    this.tab = v;
    this.writeHash();
  }

  // ---- files ----
  async openFiles(list) {
    const files = [...list].filter((f) => f && f.size >= 0);
    if (!files.length) return;
    const main = mainFile(files);
    let text;
    if (editable(files, main)) {
      text = await main.text();
      this.editorText = text;
    }
    await this.open({ kind: 'file', name: main.name, files, text, input: cleanInput(this.inputSize) });
  }

  paste(e) {
    if (e.target?.closest?.('input, textarea, [contenteditable]')) return;
    const files = e.clipboardData?.files;
    if (files?.length) {
      e.preventDefault();
      this.openFiles(files);
      return;
    }
    const s = e.clipboardData?.getData('text/plain') ?? '';
    if (pastedModel(s, looksLikeText)) {
      e.preventDefault();
      this.editorText = s;
      this.left = 'editor';
      this.open(this.textSource('pasted.prototxt', s), '', { fromEditor: true });
    }
  }

  openEditor() {
    this.left = 'editor';
    if (this.source?.kind === 'file' && this.source.text !== undefined) this.editorText = this.source.text;
  }

  renderEditor(text) {
    this.open(this.textSource(editorName(this.source), text), '', { fromEditor: true });
  }

  // ---- exports and run ----
  async exportAs(kind) {
    try {
      const name = exportName(this.source, this.analysis, kind);
      if (kind === 'svg') return download(new Blob([this.graph.svgText()], { type: 'image/svg+xml' }), name);
      if (kind === 'png') return download(await this.graph.pngBlob(), name);
      download(await (await exportResponse(this.source, kind, countQuery(this.conv))).blob(), name);
    } catch (err) {
      this.error = { message: t('scope.error.export', { message: err.message }) };
    }
  }

  /** openAtSize opens again the file that left its input size open, at the size in the input-size field. */
  openAtSize() {
    const f = this.freeSize;
    if (f) this.open({ ...f.src, input: cleanInput(this.inputSize) });
  }

  /** registered answers the id of the open file as a served model, registering it (once) with POST /api/models. */
  registered() {
    const src = this.source;
    if (this.modelId) return Promise.resolve(this.modelId);
    // one registration per opened file, shared by the profile and the weights panel
    if (this.#reg?.src !== src) {
      const p = registerModel(src.files, { input: src.input }).then((m) => {
        if (!m?.runnable) throw new Error(m?.not_runnable_reason || t('scope.error.notRunnable'));
        if (src === this.source) this.modelId = m.id;
        return m.id;
      });
      p.catch(() => this.#reg?.p === p && (this.#reg = null));
      this.#reg = { src, p };
    }
    return this.#reg.p;
  }

  /**
   * loadWeights fetches the parameters (with their stats) of layer for the
   * inspector's weights panel, registering the open file first; '' clears.
   */
  async loadWeights(layer) {
    if (!layer) return (this.weights = null);
    if (this.weights?.layer === layer && this.weights.source === this.source) return;
    const src = this.source;
    this.weights = { layer, source: src, loading: true };
    try {
      const id = await this.registered();
      const params = await loadParams(id, layer);
      if (this.weights?.layer !== layer || src !== this.source) return;
      this.weights = { layer, source: src, params: Object.entries(params).map(([name, v]) => ({ name, shape: v.shape, stats: v.stats })) };
    } catch (err) {
      if (this.weights?.layer === layer && src === this.source) this.weights = { layer, source: src, error: err.message };
    }
  }

  /** runProfile times every layer on the server (a preset with random weights, a file with its own: registered first). */
  async runProfile() {
    const my = this.#seq;
    this.profiling = true;
    this.error = null;
    try {
      let body;
      if (this.source.kind === 'preset') body = { preset: this.source.name, runs: this.profileRuns };
      else {
        body = { model: await this.registered(), runs: this.profileRuns };
      }
      const p = await profileModel(body);
      if (my !== this.#seq) return;
      this.profile = p;
      this.profileNote = true;
      this.colourBy = 'time';
    } catch (err) {
      if (my === this.#seq) this.error = { message: t('scope.profile.error', { message: err.message }) };
    } finally {
      this.profiling = false;
    }
  }

  async run() {
    this.running = true;
    this.error = null;
    try {
      const m = await registerModel(this.source.files, { input: this.source.input });
      if (!m?.runnable) throw new Error(m?.not_runnable_reason || t('scope.error.notRunnable'));
      const url = `./?model=${encodeURIComponent(m.id)}`;
      if (isStatic()) {
        // The model lives in this page's engine (its Web Worker): open the
        // Explainer without reloading the page, which would lose it.
        history.pushState(null, '', url);
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      } else window.location.href = url;
    } catch (err) {
      this.error = { message: t('scope.error.run', { message: err.message }) };
      this.running = false;
    }
  }
}
