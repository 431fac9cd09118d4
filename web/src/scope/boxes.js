// The boxes of the Scope graph: what each group of the folded graph
// (fold.js) shows and how large its box is. Pure; text widths come from a
// measure function (canvas measureText in the page, an estimate in tests).
// layout.js places the boxes with dagre.
import { shape as fmtShape } from './format.js';
import { family } from './colors.js';

/** Box geometry (px). */
export const BOX = {
  padX: 10,
  line1: 15, // name line height
  line2: 14, // detail line height
  badges: 16, // badge row height
  padY: 6,
  minW: 96,
  maxW: 240,
  badgeGap: 4,
  badgePadX: 5,
};

export const FONTS = {
  name: '600 12px system-ui, sans-serif',
  detail: '11px system-ui, sans-serif',
  badge: '10px system-ui, sans-serif',
  label: '10px system-ui, sans-serif',
};

/** estimateWidth: a rough width of text in a ~11px sans-serif font (for tests and non-DOM use). */
export function estimateWidth(text, font = '') {
  const px = Number(/(\d+)px/.exec(font)?.[1] ?? 11);
  let w = 0;
  for (const ch of text) w += ch.charCodeAt(0) > 0x2e80 ? px : px * 0.56;
  return w;
}

const pair = (a) => (Array.isArray(a) && a.length === 2 ? (a[0] === a[1] ? `${a[0]}` : `${a[0]}×${a[1]}`) : '');
const win = (a) => (Array.isArray(a) && a.length === 2 ? `${a[0]}×${a[1]}` : '');

/**
 * detail writes the one-line summary of a layer under its name:
 * 'Conv 7×7/2 · 64', 'MaxPool 3×3/2', 'GlobalAveragePool', 'Dense · 1000'.
 */
export function detail(node) {
  const a = node.attrs ?? {};
  const op = node.op || node.type;
  switch (op) {
    case 'Conv':
    case 'ConvTranspose': {
      let s = `${op} ${win(a.kernel)}`.trim();
      const st = pair(a.stride);
      if (st && st !== '1') s += `/${st}`;
      if (a.dilation && pair(a.dilation) !== '1') s += ` d${pair(a.dilation)}`;
      if (a.out_channels) s += ` · ${a.out_channels}`;
      if (a.groups > 1) s += a.groups === a.out_channels ? ' dw' : ` g${a.groups}`;
      return s;
    }
    case 'MaxPool':
    case 'AveragePool': {
      if (a.global) return `Global${op}`;
      let s = `${op} ${win(a.kernel)}`;
      const st = pair(a.stride);
      if (st && st !== '1') s += `/${st}`;
      return s;
    }
    case 'Dense':
      return a.units ? `Dense · ${a.units}` : 'Dense';
    default:
      return op;
  }
}

/** badge names the folded layer in a box: its op, shortened. */
export function badge(node) {
  const op = node.op || node.type;
  return { BatchNorm: 'BN', Affine: 'Scale', Dropout: 'Drop' }[op] ?? op;
}

/** fit shortens text with '…' until measure(text) ≤ avail (whole text if it fits). */
export function fitText(text, avail, font, measure = estimateWidth) {
  if (measure(text, font) <= avail) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(text.slice(0, mid) + '…', font) <= avail) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

/**
 * boxOf computes the drawn content and size of a group:
 * {name, label, detail, badges: [{name, text, x, w}], width, height};
 * label is the name shortened to fit the box.
 */
export function boxOf(group, measure = estimateWidth) {
  const name = group.head.name;
  const det = detail(group.head);
  const nameW = measure(group.head.label ?? name, FONTS.name); // a collapsed block (blocks.js) shows its label
  const detW = measure(det, FONTS.detail);
  let bx = 0;
  const badges = group.members.map((m) => {
    const text = badge(m);
    const w = Math.ceil(measure(text, FONTS.badge) + 2 * BOX.badgePadX);
    const b = { name: m.name, text, x: bx, w, family: family(m) };
    bx += w + BOX.badgeGap;
    return b;
  });
  const badgesW = badges.length ? bx - BOX.badgeGap : 0;
  const inner = Math.max(nameW, detW, badgesW);
  const width = Math.ceil(Math.min(BOX.maxW, Math.max(BOX.minW, inner + 2 * BOX.padX)));
  const height = 2 * BOX.padY + BOX.line1 + BOX.line2 + (badges.length ? BOX.badges : 0);
  const label = fitText(group.head.label ?? name, width - 2 * BOX.padX, FONTS.name, measure);
  return { name, label, detail: det, family: family(group.head), badges, width, height };
}

/** edgeLabel is the text on an edge: the shape of the value it carries. */
export const edgeLabel = (e) => fmtShape(e.shape);

