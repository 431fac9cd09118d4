// Where the guided tour's popover goes: pure geometry on boxes in viewport
// pixels ({x, y, width, height}; the highlighted element's box from
// getBoundingClientRect). On a wide screen the popover floats next to the
// element it talks about, on the first side where it fits without covering
// it (right, left, below, above); on a phone it docks to the bottom as a
// sheet and the page scrolls so that the element sits above the sheet.

/** PHONE_MAX: viewports narrower than this (CSS pixels) get the bottom sheet. */
export const PHONE_MAX = 600;
/** SHEET_SHARE: the sheet takes at most this share of the viewport's height (it scrolls inside beyond). */
export const SHEET_SHARE = 0.42;

/** overlap is the area two boxes share. */
export function overlap(a, b) {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

/**
 * placeFloat places a popover of size pop ({width, height}) next to target
 * in a viewport vp ({width, height}): {left, top, side} — side 'right',
 * 'left', 'below' or 'above' where it fits entirely inside the viewport
 * (margin from its edges, gap from the target) without covering the
 * target; otherwise the position among those sides and the viewport's
 * corners that covers the least of it ('over'); centred without a target.
 */
export function placeFloat(target, pop, vp, { gap = 12, margin = 8 } = {}) {
  const pw = Math.min(pop.width, vp.width - 2 * margin);
  const ph = Math.min(pop.height, vp.height - 2 * margin);
  const maxX = vp.width - margin - pw;
  const maxY = vp.height - margin - ph;
  if (!target) return { left: Math.max(margin, (vp.width - pw) / 2), top: Math.max(margin, (vp.height - ph) / 2), side: 'center' };
  const t = target;
  const cy = clamp(t.y + t.height / 2 - ph / 2, margin, maxY);
  const cx = clamp(t.x + t.width / 2 - pw / 2, margin, maxX);
  const sides = [
    { side: 'right', left: t.x + t.width + gap, top: cy, fits: t.x + t.width + gap + pw <= vp.width - margin },
    { side: 'left', left: t.x - gap - pw, top: cy, fits: t.x - gap - pw >= margin },
    { side: 'below', left: cx, top: t.y + t.height + gap, fits: t.y + t.height + gap + ph <= vp.height - margin },
    { side: 'above', left: cx, top: t.y - gap - ph, fits: t.y - gap - ph >= margin },
  ];
  const box = (c) => ({ x: c.left, y: c.top, width: pw, height: ph });
  const ok = sides.find((c) => c.fits && overlap(box(c), t) === 0);
  if (ok) return { left: ok.left, top: ok.top, side: ok.side };
  // Nothing beside it (a target as large as the screen): the least covering spot inside the viewport.
  const inside = [
    ...sides.map((c) => ({ left: clamp(c.left, margin, maxX), top: clamp(c.top, margin, maxY) })),
    { left: maxX, top: maxY },
    { left: margin, top: maxY },
    { left: maxX, top: margin },
    { left: margin, top: margin },
  ];
  let best = inside[0];
  for (const c of inside) if (overlap(box(c), t) < overlap(box(best), t)) best = c;
  return { left: best.left, top: best.top, side: 'over' };
}

/**
 * placeSheet docks the popover to the bottom of a phone's viewport:
 * {height, scroll} — the sheet's height (its content's, at most
 * SHEET_SHARE of the viewport) and how far to scroll the page (pixels,
 * positive: down) so that the target lies between the top (margin) and the
 * sheet (gap above it). A target taller than that space is aligned with the
 * top. No target: no scroll.
 */
export function placeSheet(target, popHeight, vp, { gap = 8, margin = 8 } = {}) {
  const height = Math.min(popHeight, Math.round(vp.height * SHEET_SHARE));
  if (!target) return { height, scroll: 0 };
  const top = margin;
  const bottom = vp.height - height - gap;
  let scroll = 0;
  if (target.height > bottom - top || target.y < top) scroll = target.y - top;
  else if (target.y + target.height > bottom) scroll = target.y + target.height - bottom;
  return { height, scroll: Math.round(scroll) };
}

/** isPhone: the viewport gets the bottom sheet rather than a floating popover. */
export const isPhone = (vp) => vp.width < PHONE_MAX;
