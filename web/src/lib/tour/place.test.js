import { describe, it, expect } from 'vitest';
import { placeFloat, placeSheet, overlap, isPhone, SHEET_SHARE } from './place.js';

const vp = { width: 1366, height: 768 };
const pop = { width: 320, height: 160 };
const boxOf = (p) => ({ x: p.left, y: p.top, width: pop.width, height: pop.height });
const inside = (b, v, m = 8) => b.x >= m && b.y >= m && b.x + b.width <= v.width - m && b.y + b.height <= v.height - m;

describe('placeFloat', () => {
  it('puts the popover right of a small target, vertically centred on it', () => {
    const target = { x: 200, y: 300, width: 40, height: 40 };
    const p = placeFloat(target, pop, vp);
    expect(p).toEqual({ left: 252, top: 240, side: 'right' });
    expect(overlap(boxOf(p), target)).toBe(0);
  });

  it('goes left, below or above when the right side lacks room, and stays inside the viewport', () => {
    const nearRight = { x: 1200, y: 300, width: 100, height: 40 };
    expect(placeFloat(nearRight, pop, vp)).toMatchObject({ side: 'left', left: 1200 - 12 - 320 });
    const wide = { x: 10, y: 100, width: 1340, height: 80 }; // no room on either side
    const below = placeFloat(wide, pop, vp);
    expect(below).toMatchObject({ side: 'below', top: 192 });
    expect(inside(boxOf(below), vp)).toBe(true);
    const wideLow = { x: 10, y: 560, width: 1340, height: 150 };
    const above = placeFloat(wideLow, pop, vp);
    expect(above).toMatchObject({ side: 'above', top: 560 - 12 - 160 });
    // Near the top edge, a side placement is clamped into the viewport.
    const top = placeFloat({ x: 100, y: 0, width: 30, height: 20 }, pop, vp);
    expect(top).toMatchObject({ side: 'right', top: 8 });
  });

  it('covers as little as possible of a target the size of the screen', () => {
    const huge = { x: 0, y: 100, width: 1366, height: 560 };
    const p = placeFloat(huge, pop, vp);
    expect(p.side).toBe('over');
    // The best spot inside the viewport: the 100 px above the target are too few, so 60 px of the popover's height overlap it.
    expect(overlap(boxOf(p), huge)).toBe(320 * 60);
    expect(inside(boxOf(p), vp)).toBe(true);
  });

  it('centres the popover without a target and shrinks it to a small viewport', () => {
    expect(placeFloat(null, pop, vp)).toEqual({ left: (1366 - 320) / 2, top: (768 - 160) / 2, side: 'center' });
    const small = { width: 300, height: 400 };
    const p = placeFloat(null, pop, small);
    expect(p.left).toBe(8);
  });
});

describe('placeSheet', () => {
  const phone = { width: 390, height: 844 };
  it('keeps a target below the sheet scrolled up above it', () => {
    const target = { x: 20, y: 700, width: 60, height: 60 };
    const s = placeSheet(target, 200, phone);
    expect(s.height).toBe(200);
    // The sheet starts at 844 − 200 = 644; with 8 px gap the target's bottom must be ≤ 636.
    expect(s.scroll).toBe(760 - 636);
    const after = { ...target, y: target.y - s.scroll };
    expect(after.y + after.height).toBeLessThanOrEqual(phone.height - s.height);
  });

  it('leaves a visible target alone, scrolls one above the screen down, aligns a tall one with the top', () => {
    expect(placeSheet({ x: 0, y: 100, width: 50, height: 50 }, 200, phone).scroll).toBe(0);
    expect(placeSheet({ x: 0, y: -120, width: 50, height: 50 }, 200, phone).scroll).toBe(-128);
    expect(placeSheet({ x: 0, y: 300, width: 390, height: 700 }, 200, phone).scroll).toBe(292);
    expect(placeSheet(null, 200, phone).scroll).toBe(0);
  });

  it('caps the sheet at its share of the screen', () => {
    expect(placeSheet(null, 900, phone).height).toBe(Math.round(844 * SHEET_SHARE));
  });

  it('uses the sheet on phones only', () => {
    expect(isPhone({ width: 390, height: 844 })).toBe(true);
    expect(isPhone(vp)).toBe(false);
  });
});
