// The "Why?" control's state: the attribution method, class, Grad-CAM
// layer and overlay opacity the user chose, and the map of the current
// image (requested again whenever the image, the model or a choice
// changes while the control is open). Drawing is components/Why.svelte's
// and the overview's; the map's colours are lib/attrib.js's.
import { untrack } from 'svelte';
import { explain } from './api.js';
import { mapScale, mapRGBA } from './attrib.js';

export class WhyState {
  open = $state(false);
  method = $state('saliency');
  cls = $state(-1); // -1: the predicted class
  layer = $state(''); // Grad-CAM's layer; '': the server's default
  opacity = $state(0.7);
  result = $state.raw(null); // the API's answer for the current choices
  scale = $state.raw(null); // mapScale of result.map
  rgba = $state.raw(null); // mapRGBA of result.map
  progress = $state.raw(null); // {done, total} while ig/occlusion runs
  busy = $state(false);
  error = $state('');
  #controller = null;

  /** page() returns {modelId, source, run} of the Explainer. */
  constructor(page) {
    $effect(() => {
      const { modelId, source, run } = page();
      const opts = { method: this.method, cls: this.cls, layer: this.method === 'gradcam' ? this.layer : '' };
      if (!this.open || !run || !source || !modelId) return;
      untrack(() => this.#fetch(modelId, source, opts));
    });
  }

  /** pick chooses the class to explain (a click on a class row of the output column). */
  pick(cls) {
    this.cls = cls;
  }

  async #fetch(modelId, source, opts) {
    this.#controller?.abort();
    const ctl = (this.#controller = new AbortController());
    this.busy = true;
    this.progress = null;
    this.error = '';
    const src = source.example ? { example: source.example, pre: source.pre } : { file: source.upload.file, pre: source.pre };
    try {
      const r = await explain(modelId, src, opts, { signal: ctl.signal, onprogress: (done, total) => ctl === this.#controller && (this.progress = { done, total }) });
      if (ctl !== this.#controller) return;
      this.result = r;
      this.scale = mapScale(r.map);
      this.rgba = mapRGBA(r.map, this.scale);
    } catch (e) {
      if (ctl !== this.#controller || e.name === 'AbortError') return;
      this.error = e.message;
      this.result = null;
    } finally {
      if (ctl === this.#controller) {
        this.busy = false;
        this.progress = null;
      }
    }
  }

  /** close hides the overlay and cancels a request in flight. */
  close() {
    this.open = false;
    this.#controller?.abort();
    this.#controller = null;
    this.busy = false;
    this.progress = null;
  }
}
