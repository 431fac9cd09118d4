// A tiny inline markup for the article's messages, so translations can hold
// emphasis, code and links without HTML: **bold**, *italic*, `code`,
// [text](href). parse turns a message into segments that Rich.svelte
// renders as elements; nothing is ever inserted as HTML, so model-provided
// names in placeholders cannot inject markup.

const TOKEN = /\*\*(.+?)\*\*|\*(.+?)\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;

/** safeHref keeps in-page (#…), relative and http(s) links; anything else (javascript:, data:) is dropped. */
export function safeHref(href) {
  return /^(#|\.{0,2}\/|https?:\/\/)/i.test(href) ? href : null;
}

/**
 * parse splits text into segments: {type: 'text'|'b'|'i'|'code', text} and
 * {type: 'a', text, href}. Unmatched markers stay as plain text.
 */
export function parse(text) {
  const out = [];
  let last = 0;
  for (const m of String(text).matchAll(TOKEN)) {
    if (m.index > last) out.push({ type: 'text', text: text.slice(last, m.index) });
    if (m[1] !== undefined) out.push({ type: 'b', text: m[1] });
    else if (m[2] !== undefined) out.push({ type: 'i', text: m[2] });
    else if (m[3] !== undefined) out.push({ type: 'code', text: m[3] });
    else {
      const href = safeHref(m[5]);
      out.push(href ? { type: 'a', text: m[4], href } : { type: 'text', text: m[4] });
    }
    last = m.index + m[0].length;
  }
  if (last < String(text).length) out.push({ type: 'text', text: String(text).slice(last) });
  return out;
}
