// The Explainer page's state and what it does: list the models, show one
// with an image (an example or an upload), keep the URL in step, open the
// explanation views, and load the lazily loaded parts. Explainer.svelte
// only draws this state and calls these methods; create the page during a
// component's initialisation (its effects belong to that component).
import { untrack } from 'svelte';
import { listModels, getModel, runModel, readBootstrap } from './api.js';
import { WhyState } from './why.svelte.js';
import { buildColumns, FOLD_ABOVE } from './layout.js';
import { readURLState, writeURLState } from './urlstate.js';
import { t, withMessages } from './i18n.svelte.js';
import { runExpanded } from './explain/expand.js';
import { normalPre, samePre } from './preprocess.js';
import { registerModel, freeInput, cleanInput } from '../scope/api.js';
import { pickSource, uploadName, addUpload, worthPrefetching, ExampleRuns, lazyPart, expandedValues, cutExpanded } from './runs.js';

export const MAX_MAPS = 16;
// A model's files (the model, its weights): what the Explainer's model upload takes.
export const MODEL_FILE = /\.(onnx|json|prototxt|pbtxt|caffemodel|bin)$/i;

export class ExplainerPage {
  models = $state.raw([]);
  modelId = $state('');
  model = $state.raw(null); // GET /api/models/{id}
  run = $state.raw(null); // decoded run of the current image
  source = $state.raw(null); // {example: name} | {upload: {name, file, url}}
  uploads = $state.raw([]); // uploaded images, newest last
  scaleMode = $state('unit');
  detail = $state(true);
  error = $state('');
  busy = $state(false);
  ready = $state(false);
  loadError = $state('');
  drawToken = $state(0); // bumped for every answered request: the overview repaints and reports back
  view = $state.raw(null); // the open explanation view ({kind, layer, neuron, ch} or {kind, cls})
  marked = $state(-1); // a class highlighted from the softmax view
  // Columns whose "+M more" expander was clicked show all their maps (up
  // to 64); their values are then fetched whole (the run API's expand=).
  expanded = $state.raw(new Set());
  // Big models open with their in-place layers (BatchNorm, activations…)
  // folded into the column before them; a column's badge unfolds them.
  unfolded = $state.raw(new Set());
  fold = $derived((this.model?.layers.length ?? 0) > FOLD_ABOVE);
  columns = $derived(this.model ? buildColumns(this.model, { maxMaps: MAX_MAPS, expanded: this.expanded, fold: this.fold, unfolded: this.unfolded }) : []);
  modelSummary = $derived(this.models.find((m) => m.id === this.modelId));
  // A model file opened here (POST /api/models): while its input size is
  // asked for, {files, name, input, shape}; inputSize is the field.
  freeSize = $state.raw(null);
  inputSize = $state('');
  openingModel = $state(false);
  // The user's preprocessing for this model (the panel), or null: the model's own.
  preOverride = $state.raw(null);
  modelPre = $derived(normalPre(this.modelSummary?.preprocess));
  pre = $derived(this.preOverride ?? this.modelPre);
  // The views are loaded on first use (or once the overview is drawn), so
  // they never delay the first picture; the article once the overview is drawn.
  ViewHost = $state.raw(null);
  Article = $state.raw(null);

  #pendingView = null; // a view from the URL, opened once its model is shown
  #seq = 0; // identifies the latest request; older answers are dropped
  #preloaded = null; // the model description that came with the page
  #controller = null;
  // Runs of example images are kept for the page's lifetime (runs.js).
  #exampleRuns = new ExampleRuns((id, name, { priority, pre }) => runModel(id, { example: name, pre }, { maxChannels: MAX_MAPS, priority }));

  // The "Why?" control (attribution maps of the current image).
  why = new WhyState(() => ({ modelId: this.modelId, source: this.source, run: this.run }));

  constructor() {
    const failed = (e) => (this.error = e.message);
    this.loadViews = lazyPart(() => withMessages(import('../views/ViewHost.svelte'), import('../i18n/views.js')), (c) => (this.ViewHost = c), failed);
    this.loadArticle = lazyPart(() => withMessages(import('../article/Article.svelte'), import('../i18n/article.js')), (c) => (this.Article = c), failed);

    $effect(() => {
      // An expanded column whose value the run cut to MAX_MAPS channels: run
      // the image again with the expanded values whole.
      const r = this.run;
      const src = this.source;
      const cols = this.columns;
      if (!r || !src || !cutExpanded(cols, r)) return;
      const names = expandedValues(cols);
      untrack(() => {
        runExpanded(this.modelId, src, names, { maxChannels: MAX_MAPS })
          .then((x) => {
            if (this.run !== r) return;
            this.run = x;
            this.drawToken++;
          })
          .catch(failed);
      });
    });

    $effect(() => {
      // Keep the URL in step with the colour and detail controls.
      this.scaleMode;
      this.detail;
      this.view;
      if (this.modelId) this.#persist();
    });
  }

  #persist() {
    writeURLState({ model: this.modelId, example: this.source?.example, scale: this.scaleMode, detail: this.detail, view: this.view });
  }

  /** start a request: cancel the previous one and mark the overview not ready. */
  #begin() {
    this.#controller?.abort();
    this.#controller = new AbortController();
    this.ready = false;
    this.busy = true;
    return { id: ++this.#seq, signal: this.#controller.signal };
  }

  #runSource(id, src, signal) {
    if (!src) return Promise.resolve(null);
    // With expanded columns, the image runs once with their values whole
    // (not cut first and fetched again by the effect above).
    const whole = id === this.modelId ? expandedValues(this.columns) : [];
    if (whole.length) return runExpanded(id, src, whole, { maxChannels: MAX_MAPS });
    if (!src.example) return runModel(id, { file: src.upload.file, pre: src.pre }, { maxChannels: MAX_MAPS, signal });
    return this.#exampleRuns.get(id, src.example, src.pre ?? null);
  }

  /** withPre gives an image source the preprocessing override (runs and views then use it). */
  #withPre(src) {
    if (!src) return src;
    const { pre: _, ...rest } = src;
    return this.preOverride ? { ...rest, pre: this.preOverride } : rest;
  }

  /** mount reads the URL and the models (from the page's bootstrap block, else the API) and shows the first. */
  async mount() {
    const st = readURLState();
    if (st.scale) this.scaleMode = st.scale;
    if (st.detail === false) this.detail = false;
    if (st.view) this.#pendingView = st.view;
    try {
      const boot = readBootstrap();
      this.#preloaded = boot?.model ?? null;
      this.models = boot ? boot.models : await listModels();
      // A model the page's list does not have (added since the page was
      // written: in a static site, one opened from the Scope page into this
      // page's engine): ask for the list again.
      if (boot && st.model && !this.models.some((m) => m.id === st.model)) this.models = await listModels();
    } catch (e) {
      this.loadError = t('explainer.unreachable', { message: e.message });
      this.ready = true;
      return;
    }
    await this.selectModel(st.model && this.models.some((m) => m.id === st.model) ? st.model : this.models[0]?.id, st.example);
  }

  async selectModel(id, exampleName) {
    const m = this.models.find((x) => x.id === id) ?? this.models[0];
    if (!m) return;
    const req = this.#begin();
    if (m.id !== this.modelId) this.preOverride = null;
    const src = this.#withPre(pickSource(m, exampleName, this.source));
    try {
      const known = this.#preloaded?.id === m.id ? this.#preloaded : null;
      this.#preloaded = null;
      const [detailJSON, result] = await Promise.all([known ?? getModel(m.id), m.runnable ? this.#runSource(m.id, src, req.signal) : null]);
      if (req.id !== this.#seq) return;
      if (this.modelId !== m.id) {
        this.view = null;
        this.expanded = new Set();
        this.unfolded = new Set();
      }
      this.modelId = m.id;
      if (this.#pendingView) {
        this.loadViews();
        this.view = this.#pendingView;
        this.#pendingView = null;
      }
      this.model = detailJSON;
      this.source = src;
      this.run = result;
      this.drawToken++;
      this.error = m.runnable ? '' : t('explainer.notRunnable', { reason: m.not_runnable_reason });
      this.#persist();
    } catch (e) {
      if (req.id !== this.#seq || e.name === 'AbortError') return;
      this.error = e.message;
      this.ready = !!this.model;
    } finally {
      if (req.id === this.#seq) this.busy = false;
    }
  }

  /** show runs the current model on an image source. */
  async show(src) {
    if (!this.model || !this.modelSummary?.runnable) return;
    src = this.#withPre(src);
    const req = this.#begin();
    try {
      const result = await this.#runSource(this.modelId, src, req.signal);
      if (req.id !== this.#seq) return;
      this.source = src;
      this.run = result;
      this.drawToken++;
      this.error = '';
      if (src.upload) this.uploads = addUpload(this.uploads, src.upload);
      this.#persist();
    } catch (e) {
      if (req.id !== this.#seq || e.name === 'AbortError') return;
      this.error = src.upload ? t('explainer.cannotUse', { name: src.upload.name, message: e.message }) : e.message;
      this.ready = true; // the previous image stays drawn
    } finally {
      if (req.id === this.#seq) this.busy = false;
    }
  }

  upload(file) {
    if (!file) return;
    this.show({ upload: { name: uploadName(file), file, url: URL.createObjectURL(file) } });
  }

  openView(v) {
    this.loadViews();
    this.view = v;
    this.marked = -1;
  }

  /** closeView closes the open view; focus then goes back to the overview (unless focus is false: the guided tour keeps it). */
  closeView({ focus = true } = {}) {
    this.view = null;
    this.marked = -1;
    // Back to the overview, keyboard users included.
    if (focus) setTimeout(() => document.querySelector('.overview')?.focus({ preventScroll: true }), 0);
  }

  /** drawn: the overview reports a finished picture; then the rest of the page loads. */
  drawn() {
    if (this.busy) return;
    this.ready = true;
    setTimeout(this.loadArticle, 0);
    setTimeout(this.loadViews, 200);
  }

  /**
   * preview: an example's thumbnail is hovered or focused — fetch its run
   * (low priority) when runs of this model are cheap, so that a click shows
   * it at once. Nothing is fetched up front.
   */
  preview(name) {
    if (!worthPrefetching(this.modelSummary, this.run)) return;
    this.#exampleRuns.warm(this.modelId, name, this.preOverride).catch(() => {});
  }

  /**
   * setPreprocess runs the image again with another preprocessing (the
   * panel; the model's own when pre is null or equal to it).
   */
  setPreprocess(pre) {
    this.preOverride = pre && !samePre(pre, this.modelPre) ? normalPre(pre) : null;
    if (this.source) this.show(this.source);
  }

  /**
   * openModel adds a model file (and its weights, labels…) to the served
   * models and shows it; a file that leaves its input size open asks for
   * it first (freeSize, prefilled with the server's suggestion).
   */
  async openModel(files, input = '') {
    files = [...files];
    if (!files.length) return;
    const name = files.find((f) => MODEL_FILE.test(f.name))?.name ?? files[0].name;
    this.openingModel = true;
    this.error = '';
    try {
      const m = await registerModel(files, { input: cleanInput(input) });
      this.freeSize = null;
      this.models = [...this.models.filter((x) => x.id !== m.id), m];
      await this.selectModel(m.id);
    } catch (e) {
      const free = freeInput(e);
      if (free) {
        if (!this.freeSize || !cleanInput(this.inputSize)) this.inputSize = free.size;
        this.freeSize = { files, name, input: free.input, shape: free.shape };
      } else {
        this.error = t('explainer.modelFailed', { name, message: e.message });
      }
    } finally {
      this.openingModel = false;
    }
  }

  /** openAtSize opens the model that asked for its input size at the size typed. */
  openAtSize() {
    if (this.freeSize) this.openModel(this.freeSize.files, this.inputSize);
  }

  /** dropped takes dropped files: model files open as a model, else the first image runs. */
  dropped(files) {
    const list = [...files];
    if (list.some((f) => MODEL_FILE.test(f.name) && !f.type.startsWith('image/'))) this.openModel(list);
    else this.upload(list[0]);
  }

  /** unfold shows the layers folded into column `name` as columns of their own. */
  unfold(name) {
    this.unfolded = new Set([...this.unfolded, name]);
  }

  expand(name) {
    this.expanded = new Set([...this.expanded, name]);
  }
}
