// What the elastic views load besides the run, as reactive state owned by
// the calling component (call these while it initialises): a layer's
// parameters, and a value of the run fetched again with all its channels.
import { loadParams } from '../lib/explain/params.js';

class Params {
  value = $state.raw(null);
  error = $state('');
}

/**
 * layerParams loads the parameters of layer name() of model modelId()
 * again whenever either changes: .value is null while loading (and after
 * a failure), .error the failure's message.
 */
export function layerParams(modelId, name) {
  const s = new Params();
  $effect(() => {
    const layer = name();
    if (!layer) return;
    let live = true;
    s.value = null;
    s.error = '';
    loadParams(modelId(), layer)
      .then((p) => live && (s.value = p))
      .catch((e) => live && (s.error = e.message));
    return () => (live = false);
  });
  return s;
}

class Whole {
  got = $state.raw(null); // {run, name, value}
  expanding = $state(false);

  /** of is the whole value `name` of `run` once fetched, else null. */
  of(run, name) {
    return this.got?.run === run && this.got.name === name ? this.got.value : null;
  }
}

/**
 * wholeValue fetches a value whole (expand=NAME) for the current image when
 * want() returns {expand, run, name, ok} (null: nothing to fetch) —
 * expand(names) resolves with a run of the same image, ok(v) tells whether
 * its value v is whole. .expanding is true while it fetches.
 */
export function wholeValue(want) {
  const s = new Whole();
  $effect(() => {
    const w = want();
    if (!w) return;
    const { expand, run, name, ok } = w;
    if (s.got?.run === run && s.got.name === name) return;
    let live = true;
    s.expanding = true;
    expand([name])
      .then((x) => {
        if (!live) return;
        // Both in one go: setting got re-runs this effect, whose cleanup
        // would stop a later callback from clearing expanding.
        s.expanding = false;
        const v = x.values.get(name);
        if (v && ok(v)) s.got = { run, name, value: v };
      })
      .catch(() => live && (s.expanding = false));
    return () => (live = false);
  });
  return s;
}
