import { describe, it, expect } from 'vitest';
import { legendBoxes, runs, fmtInput } from './legend.js';
import { inputRange } from './preprocess.js';

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

  it("labels the input's legend with the values the network gets", () => {
    const columns = [{ kind: 'input' }, { kind: 'map' }];
    const wide = { columns: [{ x: 0, neurons: [{ x: 0, w: 100 }] }, { x: 200, neurons: [{ x: 200, w: 20 }] }] };
    const [box] = legendBoxes(columns, wide, [], { inputRange: inputRange({ mean: [127.5], std: [127.5], scale: 255 }) });
    expect(box.ticks).toEqual([[0, '−1'], [0.5, '0'], [1, '1']]);
    // torchvision ImageNet: −2.1179 … 2.64, mid 0.2611.
    const [tv] = legendBoxes(columns, wide, [], { inputRange: inputRange({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }) });
    expect(tv.ticks.map((x) => x[1])).toEqual(['−2.12', '0.26', '2.64']);
    // The default stays 0 … 1; a narrow box gets the two ends only.
    expect(legendBoxes(columns, wide, [])[0].ticks).toEqual([[0, '0'], [0.5, '0.5'], [1, '1']]);
    expect(legendBoxes(columns, geoOf(2), [], { inputRange: [-123, 151] })[0].ticks).toEqual([[0, '−123'], [1, '151']]);
    expect(fmtInput(-0.004)).toBe('0');
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
