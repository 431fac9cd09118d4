import { describe, it, expect } from 'vitest';
import { legendBoxes, runs } from './legend.js';

// A geometry with one 20-px neuron per column, columns 60 px apart.
function geoOf(n) {
  return { columns: Array.from({ length: n }, (_, i) => ({ x: i * 60, neurons: [{ x: i * 60, w: 20 }] })) };
}

describe('legend boxes', () => {
  it('splits column indices into runs of neighbours', () => {
    expect(runs([7, 1, 2, 4, 5])).toEqual([[1, 2], [4, 5], [7]]);
    expect(runs([])).toEqual([]);
    expect(runs([3])).toEqual([[3]]);
  });

  it('gives interleaved groups (a DAG) one box per run, and no two boxes overlap', () => {
    const columns = Array.from({ length: 7 }, () => ({ kind: 'map' }));
    const legends = [
      { key: 'g0', columns: [0, 1, 4], range: 2 },
      { key: 'g1', columns: [2, 3, 5, 6], range: 4 },
    ];
    const boxes = legendBoxes(columns, geoOf(7), legends);
    expect(boxes.map((b) => b.key)).toEqual(['g0', 'g0~1', 'g1', 'g1~1']);
    // g0's first run covers columns 0-1: from neuron 0's left edge to neuron 1's right edge (0 … 80), grown to 64 px minimum (already wider).
    expect(boxes[0].x).toBe(0);
    expect(boxes[0].width).toBe(80);
    const sorted = [...boxes].sort((a, b) => a.x - b.x);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i].x, `${sorted[i].key} starts inside ${sorted[i - 1].key}`).toBeGreaterThanOrEqual(sorted[i - 1].x + sorted[i - 1].width);
    }
  });
});
