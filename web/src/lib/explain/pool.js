// Max and average pooling cell by cell (window from conv.windowAt).
import { windowAt } from './conv.js';

/**
 * poolAt pools the window of output cell (oy, ox): {window, value, count,
 * argmax}. Average pooling divides by the number of real input cells
 * (padding not counted); max pooling ignores padding cells.
 */
export function poolAt(plane, h, w, oy, ox, attrs, type = 'max') {
  const win = windowAt(plane, h, w, oy, ox, attrs);
  let best = -Infinity;
  let argmax = -1;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < win.values.length; i++) {
    if (!win.inside[i]) continue;
    const v = win.values[i];
    count++;
    sum += v;
    if (v > best) {
      best = v;
      argmax = i;
    }
  }
  const value = count === 0 ? 0 : type === 'avg' ? sum / count : best;
  return { window: win, value, count, argmax };
}
