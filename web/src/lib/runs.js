// The Explainer's image sources and its runs of example images. Pure but
// for the run function passed in.

/** sourceKey identifies an image source: {example: name} or {upload: {name, …}}; '' for none. */
export function sourceKey(s) {
  if (!s) return '';
  return s.example ? `example:${s.example}` : `upload:${s.upload.name}`;
}

/**
 * pickSource is the image to show with model m: the example asked for when
 * m has it, else the current upload, else m's first example, else null.
 */
export function pickSource(m, exampleName, current) {
  if (exampleName && m.examples.includes(exampleName)) return { example: exampleName };
  if (current?.upload) return current;
  if (m.examples.length) return { example: m.examples[0] };
  return null;
}

/** uploadName names an uploaded or pasted image (a pasted one has no name: pasted-image.png, .jpg, …). */
export const uploadName = (file) => file.name || `pasted-image.${(file.type.split('/')[1] || 'png').replace('jpeg', 'jpg')}`;

/** pastedImage is the image among pasted files (else the first file), or undefined. */
export const pastedImage = (clipboardData) => [...(clipboardData?.files ?? [])].find((x) => x.type.startsWith('image/')) ?? clipboardData?.files?.[0];

export const MAX_UPLOADS = 8;

/** addUpload appends an upload to the list of recent ones (kept once, the newest MAX_UPLOADS). */
export const addUpload = (uploads, u) => (uploads.includes(u) ? uploads : [...uploads, u].slice(-MAX_UPLOADS));

/**
 * worthPrefetching tells, from the model's summary and its first run, whether
 * its other examples are cheap enough to fetch ahead: a small response and a
 * model under 1 G multiply-accumulates. (Counted, not timed, so the choice is
 * the same on a busy machine.)
 */
export const PREFETCH_MACS = 1e9;
export const worthPrefetching = (summary, first) => !!summary?.runnable && !!first && first.bytes <= 2 << 20 && (summary.macs ?? Infinity) <= PREFETCH_MACS;

/**
 * ExampleRuns keeps the runs of example images for the page's lifetime (the
 * model and the image never change), so that going back to an example is
 * instant. run(id, name, {priority}) answers a promise of a run; a failed
 * run is forgotten, so the next request tries again.
 */
export class ExampleRuns {
  constructor(run) {
    this.run = run;
    this.cache = new Map();
  }

  /**
   * get answers example name's run of model id, with the preprocessing
   * override pre (null: the model's own; not tied to one request's signal:
   * a cancelled click must not poison the cache).
   */
  get(id, name, pre = null) {
    const key = runKey(id, name, pre);
    let p = this.cache.get(key);
    if (!p) {
      p = this.run(id, name, { pre });
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  /**
   * warm fetches example name's run of model id at low priority when it is
   * not kept yet (the page asks when a thumbnail is hovered or focused, so
   * a click then shows it at once); a failed run is forgotten.
   */
  warm(id, name, pre = null) {
    const key = runKey(id, name, pre);
    if (this.cache.has(key)) return this.cache.get(key);
    const p = this.run(id, name, { priority: 'low', pre });
    this.cache.set(key, p);
    p.catch(() => this.cache.delete(key));
    return p;
  }
}

const runKey = (id, name, pre) => `${id}\n${name}${pre ? `\n${JSON.stringify(pre)}` : ''}`;

/**
 * lazyPart returns a loader of a part of the page that comes with its own
 * code and messages: load() resolves with the component; the first call
 * loads it (again after a failure, which goes to onerror), set receives it.
 */
export function lazyPart(load, set, onerror) {
  let loading = null;
  return () =>
    (loading ??= load()
      .then(set)
      .catch((e) => {
        loading = null;
        onerror(e);
      }));
}

/** expandedValues lists the values of the expanded columns (their maps are fetched whole). */
export const expandedValues = (columns) => columns.filter((c) => c.expanded).map((c) => c.value);

/** cutExpanded tells whether run cut an expanded column's value to fewer channels than the column shows (the image must run again). */
export const cutExpanded = (columns, run) => columns.some((c) => c.expanded && (run.values.get(c.value)?.channels ?? 0) < c.shown);
