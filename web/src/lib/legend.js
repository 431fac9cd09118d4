// Placement and labels of the colour legends under the columns.
import { legendTicks, formatTick } from './colors.js';

/**
 * legendBoxes returns one box per legend: the diverging (or, for
 * unsigned maps, positive) legends of
 * scaleGroups (spanning their columns' neurons), the input's greyscale
 * legend (on inputRange: the values the network gets, after its
 * preprocessing, lib/preprocess.js) and the output's probability legend. Boxes never overlap: a box
 * narrower than minWidth grows only into the free half of the gaps beside
 * it.
 */
export function legendBoxes(columns, geo, legends, { minWidth = 64, inputRange = [0, 1] } = {}) {
  const boxes = [];
  const span = (ci) => {
    const n = geo.columns[ci].neurons[0];
    if (!n) return [geo.columns[ci].x, geo.columns[ci].x];
    return [n.x, n.x + n.w];
  };
  const grow = (a, b, cols) => {
    const first = Math.min(...cols);
    const last = Math.max(...cols);
    const leftRoom = first > 0 ? (span(first)[0] - span(first - 1)[1]) / 2 - 3 : a;
    const rightRoom = last < columns.length - 1 ? (span(last + 1)[0] - span(last)[1]) / 2 - 3 : 40;
    const need = Math.max(0, minWidth - (b - a)) / 2;
    return [a - Math.min(need, Math.max(0, leftRoom)), b + Math.min(need, Math.max(0, rightRoom))];
  };
  columns.forEach((c, ci) => {
    if (c.kind === 'input' || c.copiesInput) {
      const [a, b] = grow(...span(ci), [ci]);
      const [lo, hi] = inputRange;
      // Three labels when they fit (short ones such as 0, 0.5, 1 always do), else the two ends.
      const three = [[0, fmtInput(lo)], [0.5, fmtInput((lo + hi) / 2)], [1, fmtInput(hi)]];
      const ticks = b - a >= 84 || three.every(([, l]) => l.length <= 3) ? three : [three[0], three[2]];
      boxes.push({ key: `input:${ci}`, kind: 'grey', x: a, width: b - a, range: `${lo},${hi}`, ticks });
    }
    if (c.kind === 'output') {
      const n = geo.columns[ci].neurons[0];
      if (!n) return;
      const x = n.x + 12;
      const w = Math.min(80, n.w - 12);
      boxes.push({ key: 'output', kind: 'prob', x, width: w, ticks: [[0, '0'], [1, '1']], title: 'probability' });
    }
  });
  for (const l of legends) {
    // A group's columns need not be adjacent (branches of a DAG interleave):
    // one box per run of adjacent columns, so boxes never overlap.
    runs(l.columns).forEach((cols, k) => {
      const [a] = span(cols[0]);
      const [, b] = span(cols.at(-1));
      const [x0, x1] = grow(a, b, cols);
      // Unsigned maps: the white → blue half, 0 … max. A narrow box gets
      // one centred label (±max or 0…max), so labels never collide.
      const ticks = l.signed === false ? [0, l.range / 4, l.range / 2] : legendTicks(l.range);
      const width = x1 - x0;
      const top = formatTick(ticks[2]);
      const labelled = width >= 110 ? ticks.map((v) => [(v - ticks[0]) / (ticks[2] - ticks[0]), formatTick(v)])
        : width >= 84 ? [[0, formatTick(ticks[0])], [1, top]]
          : [[0.5, l.signed === false ? `0…${top}` : `±${top}`]];
      boxes.push({
        key: k ? `${l.key}~${k}` : l.key, kind: l.signed === false ? 'positive' : 'diverging', x: x0, width, range: l.range,
        ticks: labelled, constant: l.constant ?? null,
      });
    });
  }
  return boxes;
}

/** fmtInput writes an input legend's tick: 0, 0.5, 1, −2.12, 151 (at most two decimals, no trailing zeros). */
export const fmtInput = (v) => String(+v.toFixed(2)).replace('-', '−');

/** runs splits column indices into runs of consecutive ones: [1, 2, 4, 5, 7] → [[1, 2], [4, 5], [7]]. */
export function runs(indices) {
  const sorted = [...indices].sort((a, b) => a - b);
  const out = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i === last.at(-1) + 1) last.push(i);
    else out.push([i]);
  }
  return out;
}
