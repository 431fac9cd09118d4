// The Scope page's state in the URL hash. Pure.
//
//   #/scope                                   the page, nothing open
//   #/scope/preset/<name>                     a preset
//   #/scope/preset/<name>/<node>              … with a node selected
//   #/scope/preset/<name>?sel=<node>&dir=LR&tab=summary
//   #/scope/file/<file name>?sel=…            an uploaded file (the file
//                                             itself is not in the URL)
//
//   …&count=flops&inc=bias,norm              a counting convention (count.js)
//   …&cmp=preset:vgg19 | cmp=editor | cmp=file:<name>
//                                             Compare mode against a preset, the
//                                             editor's last saved text, a file
//
// Node names may contain '/', so formatScopeHash always writes the
// selection as ?sel=; a path tail after the preset name is accepted too.

/** parseScopeHash reads a location hash into {source, sel, dir, tab}. */
export function parseScopeHash(hash) {
  const out = { source: null, sel: '', dir: 'TB', tab: 'layers' }; // and count, inc, cmp when given
  const h = String(hash ?? '').replace(/^#/, '');
  const m = /^\/scope(?:\/([^?]*))?(?:\?(.*))?$/.exec(h);
  if (!m) return out;
  const path = m[1] ?? '';
  const q = new URLSearchParams(m[2] ?? '');
  const parts = path.split('/');
  const dec = (s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (parts[0] === 'preset' && parts[1]) {
    out.source = { kind: 'preset', name: dec(parts[1]) };
    if (parts.length > 2 && parts.slice(2).join('/')) out.sel = dec(parts.slice(2).join('/'));
  } else if (parts[0] === 'file' && parts[1]) {
    out.source = { kind: 'file', name: dec(parts.slice(1).join('/')) };
  }
  if (q.get('sel')) out.sel = q.get('sel');
  if (q.get('dir') === 'LR') out.dir = 'LR';
  if (q.get('tab') === 'summary' || q.get('tab') === 'none') out.tab = q.get('tab');
  if (q.get('count') === 'flops') out.count = 'flops';
  if (q.get('inc')) out.inc = q.get('inc');
  if (q.get('cmp')) out.cmp = q.get('cmp');
  return out;
}

/** formatScopeHash is the inverse of parseScopeHash (defaults are left out). */
export function formatScopeHash({ source, sel = '', dir = 'TB', tab = 'layers', count = 'macs', inc = '', cmp = '' }) {
  let h = '#/scope';
  if (source?.kind === 'preset') h += `/preset/${encodeURIComponent(source.name)}`;
  else if (source?.kind === 'file') h += `/file/${encodeURIComponent(source.name)}`;
  const q = new URLSearchParams();
  if (sel) q.set('sel', sel);
  if (dir === 'LR') q.set('dir', 'LR');
  if (tab && tab !== 'layers') q.set('tab', tab);
  if (count === 'flops') q.set('count', 'flops');
  if (inc) q.set('inc', inc);
  if (cmp) q.set('cmp', cmp);
  const qs = q.toString();
  return qs ? `${h}?${qs}` : h;
}

/** isScopeHash tells whether a location hash is the Scope page's (#/scope, #/scope/…, #/scope?…). */
export const isScopeHash = (hash) => /^#\/scope(\/|$|\?)/.test(String(hash ?? ''));

/**
 * hashAction is what a parsed hash st asks of the page, given the source
 * open now: 'preset' (open a preset not open yet), 'file' (a file not open:
 * reopen its kept text if any), 'idle' (nothing asked, nothing open),
 * 'relayout' (the direction changed on an open model) or 'select' (select st.sel).
 */
export function hashAction(st, source, { dirChanged = false, open = false } = {}) {
  const src = st.source;
  if (src?.kind === 'preset' && !(source?.kind === 'preset' && source.name.toLowerCase() === src.name.toLowerCase())) return 'preset';
  if (src?.kind === 'file' && !(source?.kind === 'file' && source.name === src.name)) return 'file';
  if (!src && !source) return 'idle';
  if (dirChanged && open) return 'relayout';
  return 'select';
}
