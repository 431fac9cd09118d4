// The prototxt editor's helpers: a tokenizer for syntax highlighting and the
// source position of an error message. Pure.

const RULES = [
  ['comment', /#[^\n]*/y],
  ['string', /"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?/y],
  ['number', /[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)\b/y],
  ['key', /[A-Za-z_][\w]*(?=\s*[:{])/y],
  ['ident', /[A-Za-z_][\w.]*/y],
  ['punct', /[{}:;,<>[\]]/y],
  ['space', /\s+/y],
];

/**
 * tokenize splits prototxt text into tokens [{type, text}] whose texts
 * concatenate to the input. Types: comment, string, number, key (a field
 * name before ':' or '{'), ident (enum values like MAX, true), punct,
 * space, other.
 */
export function tokenize(text) {
  const out = [];
  let i = 0;
  const s = String(text ?? '');
  while (i < s.length) {
    let hit = null;
    for (const [type, re] of RULES) {
      re.lastIndex = i;
      const m = re.exec(s);
      if (m && m[0].length) {
        hit = { type, text: m[0] };
        break;
      }
    }
    if (!hit) hit = { type: 'other', text: s[i] };
    const last = out[out.length - 1];
    if (last && last.type === hit.type && (hit.type === 'other' || hit.type === 'space')) last.text += hit.text;
    else out.push(hit);
    i += hit.text.length;
  }
  return out;
}

const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** highlight returns HTML with a <span class="tk-TYPE"> per token (spaces and punctuation plain). */
export function highlight(text) {
  let html = '';
  for (const tk of tokenize(text)) {
    if (tk.type === 'space' || tk.type === 'other' || tk.type === 'punct') html += esc(tk.text);
    else html += `<span class="tk-${tk.type}">${esc(tk.text)}</span>`;
  }
  return html;
}

/**
 * errorPosition finds where an analysis error points in the source: the
 * API's {line, column} when given, else 'line N:M' or 'line N' in the
 * message. Returns {line, column} (1-based; column 0 when unknown) or null.
 */
export function errorPosition(body) {
  if (!body) return null;
  const line = Number(body.line);
  if (Number.isInteger(line) && line > 0) {
    const col = Number(body.column);
    return { line, column: Number.isInteger(col) && col > 0 ? col : 0 };
  }
  const m = /\bline (\d+)(?::(\d+))?/i.exec(String(body.error ?? ''));
  if (!m) return null;
  return { line: Number(m[1]), column: m[2] ? Number(m[2]) : 0 };
}

/** looksLikeText tells whether pasted/dropped content is a text model (prototxt) rather than binary. */
export function looksLikeText(s) {
  return typeof s === 'string' && s.length > 0 && !/[\u0000-\u0008\u000e-\u001f]/.test(s.slice(0, 4096));
}
