// The state and actions of the Scope's Compare mode (Compare.svelte draws
// them): the choice of B, POST /api/diff, the two layouts, and what marks
// the two graphs. The rules are compare.js's.
import { tick } from 'svelte';
import { t } from '../lib/i18n.svelte.js';
import { postDiff } from './api.js';
import { layout as runLayout } from './layoutClient.js';
import { savedText } from './files.js';
import { countQuery } from './count.js';
import { statusMaps, markOf, deltaRows, sideOf, cmpSource } from './compare.js';

export class CompareState {
  fileB = $state.raw(null); // the File chosen as B (a file is not in the URL)
  result = $state.raw(null); // {diff, a, b, la, lb}: the answer and both layouts
  loading = $state(false);
  error = $state('');
  graphA = $state(); // the Graph components: their view methods
  graphB = $state();
  #seq = 0;

  /** page is the ScopePage: its source, convention, direction, folding, editor text and cmp (the URL's choice). */
  constructor(page) {
    this.page = page;
  }

  want = $derived(cmpSource(this.page.cmp));
  maps = $derived(this.result ? statusMaps(this.result.diff) : null);
  markA = $derived(this.maps ? markOf(this.maps.a) : null);
  markB = $derived(this.maps ? markOf(this.maps.b) : null);
  rows = $derived(this.result ? deltaRows(this.result.diff) : []);

  /** sides are the two sides of the request for the current choice, or null when B is not chosen yet. */
  async sides() {
    const p = this.page;
    const w = this.want;
    if (w?.kind === 'editor') {
      const saved = savedText(sessionStorage);
      if (!saved) throw new Error(t('compare.noSaved'));
      return [
        { name: saved.name, text: saved.text },
        { name: saved.name, text: p.editorText },
      ];
    }
    if (!p.source) return null;
    if (w?.kind === 'preset') return [await sideOf(p.source), { preset: w.name }];
    const f = this.fileB;
    if (w?.kind === 'file' && f?.name === w.name) return [await sideOf(p.source), await sideOf({ kind: 'file', name: f.name, files: [f] })];
    return null;
  }

  /** run compares anew (the choice, the open model or the convention changed). */
  async run() {
    const my = ++this.#seq;
    const p = this.page;
    this.error = '';
    let s;
    try {
      s = await this.sides();
    } catch (err) {
      this.error = err.message;
      this.result = null;
      return;
    }
    if (!s) {
      this.result = null;
      return;
    }
    this.loading = true;
    try {
      const r = await postDiff(s[0], s[1], countQuery(p.conv));
      const opts = { rankdir: p.dir, fold: p.fold };
      const [la, lb] = await Promise.all([runLayout(r.a.graph, opts), runLayout(r.b.graph, opts)]);
      if (my !== this.#seq) return;
      this.result = { ...r, la, lb };
      this.loading = false;
      await tick();
      await new Promise((res) => requestAnimationFrame(() => res()));
      // Start where the models differ: the first marked layer of each side.
      this.#start(this.graphA, 'a', la);
      this.#start(this.graphB, 'b', lb);
    } catch (err) {
      if (my !== this.#seq) return;
      this.error = t('compare.error', { message: err.message });
      this.result = null;
      this.loading = false;
    }
  }

  #start(graph, side, lay) {
    const l = this.result.diff.layers.find((x) => x.status !== 'same' && x[side]);
    if (l) graph?.centerOn(lay.folded.groupOf.get(l[side].name) ?? l[side].name, false);
    else graph?.initialView();
  }

  /** choose takes the select's value: 'file:' asks for a file (openFile), anything else goes to the URL. */
  choose(v, openFile) {
    if (v === 'file:') return openFile();
    this.page.setCompare(v);
  }

  pickedFile(f) {
    if (!f) return;
    this.fileB = f;
    this.page.setCompare(`file:${f.name}`);
  }

  /** show centres both graphs on a row's layers. */
  show(l) {
    const r = this.result;
    if (l.a) this.graphA?.centerOn(r.la.folded.groupOf.get(l.a.name) ?? l.a.name);
    if (l.b) this.graphB?.centerOn(r.lb.folded.groupOf.get(l.b.name) ?? l.b.name);
  }
}
