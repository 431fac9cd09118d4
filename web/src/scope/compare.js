// The Scope's Compare mode: what POST /api/diff is sent and how its answer
// marks the two graphs. Pure but for reading a File (sideOf).

export const MARKS = { added: '+', removed: '−', changed: '~' };

/** statusMaps maps each side's layer names to their diff layer: {a: Map, b: Map} (same layers included). */
export function statusMaps(diff) {
  const a = new Map();
  const b = new Map();
  for (const l of diff?.layers ?? []) {
    if (l.a) a.set(l.a.name, l);
    if (l.b) b.set(l.b.name, l);
  }
  return { a, b };
}

/**
 * markOf is the Graph's mark function for one side: a box (and its
 * badges) gets the status of its layer when not 'same': {status, text}.
 */
export function markOf(map) {
  return (name) => {
    const l = map.get(name);
    if (!l || l.status === 'same') return null;
    return { status: l.status, text: MARKS[l.status] };
  };
}

/** deltaRows are the layers that differ, in the diff's order. */
export const deltaRows = (diff) => (diff?.layers ?? []).filter((l) => l.status !== 'same');

/** bytesToBase64 writes bytes as base64 (JSON's []byte). */
export function bytesToBase64(bytes) {
  let s = '';
  const CH = 0x8000;
  for (let i = 0; i < bytes.length; i += CH) s += String.fromCharCode(...bytes.subarray(i, i + CH));
  return btoa(s);
}

/**
 * sideOf is one side of a diff request for a Scope source: a preset by
 * name, a text model as text, any other single file as its bytes. A model
 * of several files (TF.js shards, a caffemodel beside its prototxt) is
 * compared by its main file only when that is text.
 */
export async function sideOf(src) {
  if (!src) throw new Error('no model');
  if (src.kind === 'preset') return { preset: src.name };
  if (src.text !== undefined) return { name: src.name, text: src.text };
  const f = src.files?.find((x) => x.name === src.name) ?? src.files?.[0];
  if (!f) throw new Error('no model file');
  return { name: f.name, data: bytesToBase64(new Uint8Array(await f.arrayBuffer())) };
}

/** signed writes a delta with its sign through f: +1.2 M, −3 kB, 0. */
export function signed(n, f) {
  if (!n) return '0';
  return (n > 0 ? '+' : '−') + f(Math.abs(n));
}

/** cmpSource reads the Compare value of the URL: {kind: 'preset', name} | {kind: 'editor'} | {kind: 'file', name} | null. */
export function cmpSource(cmp) {
  const s = String(cmp ?? '');
  if (s === 'editor') return { kind: 'editor' };
  if (s.startsWith('preset:') && s.length > 7) return { kind: 'preset', name: s.slice(7) };
  if (s.startsWith('file:') && s.length > 5) return { kind: 'file', name: s.slice(5) };
  return null;
}
