import { describe, it, expect } from 'vitest';
import { LIMITS, clampParam, clampParams, outputSize, analyse, windowAt, cellKind, explain } from './hyperparam.js';
import { translate } from './i18n-core.js';
import { messages } from '../i18n/index.js';

/** slide is the oracle: walk the window step by step over one padded axis and count. */
function slide(n, p, k, s) {
  const m = n + 2 * p;
  const starts = [];
  for (let x = 0; x + k <= m; x += s) starts.push(x);
  const end = starts.length ? starts.at(-1) + k : 0; // cells reached, from the left
  return { output: starts.length, starts, leftover: starts.length ? m - end : m };
}

describe('outputSize and analyse', () => {
  it('agree with hand-computed cases', () => {
    // input 7, kernel 3, stride 2, no padding: windows at 0, 2, 4 end at 7 — valid, 3×3.
    let a = analyse({ input: 7, padding: 0, kernel: 3, stride: 2 });
    expect(a).toMatchObject({ padded: 7, output: 3, valid: true, reason: null, leftover: 0 });
    // input 6: windows at 0, 2 end at 5; column 6 is never visited — invalid, 2×2.
    a = analyse({ input: 6, padding: 0, kernel: 3, stride: 2 });
    expect(a).toMatchObject({ padded: 6, output: 2, valid: false, reason: 'stride', leftover: 1, covered: 5 });
    // The original's first state: 5×5, kernel 2, stride 1 → 4×4.
    expect(analyse({ input: 5, padding: 0, kernel: 2, stride: 1 })).toMatchObject({ output: 4, valid: true });
    // Padding 1 keeps a 5×5 input 5×5 under a 3×3 kernel.
    expect(analyse({ input: 5, padding: 1, kernel: 3, stride: 1 })).toMatchObject({ padded: 7, output: 5, valid: true });
    // A kernel larger than the padded input does not fit anywhere.
    a = analyse({ input: 3, padding: 0, kernel: 5, stride: 1 });
    expect(a).toMatchObject({ padded: 3, output: 0, valid: false, reason: 'kernel' });
    expect(analyse({ input: 3, padding: 1, kernel: 5, stride: 3 })).toMatchObject({ padded: 5, output: 1, valid: true });
    // Tiny VGG's layers: 64 → conv 3×3 → 62; 60 → max pool 2×2 stride 2 → 30; 26 → 13.
    expect(outputSize(64, 0, 3, 1)).toBe(62);
    expect(outputSize(60, 0, 2, 2)).toBe(30);
    expect(outputSize(26, 0, 2, 2)).toBe(13);
    expect(outputSize(4, 0, 5, 1)).toBe(0);
  });

  it('agree with sliding the window step by step for every combination in range', () => {
    let n = 0;
    const bad = [];
    for (let input = LIMITS.input.min; input <= LIMITS.input.max; input++) {
      for (let padding = LIMITS.padding.min; padding <= LIMITS.padding.max; padding++) {
        for (let kernel = LIMITS.kernel.min; kernel <= LIMITS.kernel.max; kernel++) {
          for (let stride = LIMITS.stride.min; stride <= LIMITS.stride.max; stride++) {
            const want = slide(input, padding, kernel, stride);
            const a = analyse({ input, padding, kernel, stride });
            const got = [a.output, outputSize(input, padding, kernel, stride), a.valid, a.reason === 'stride' ? a.leftover : 0];
            const exp = [want.output, want.output, want.output > 0 && want.leftover === 0, want.output > 0 ? want.leftover : 0];
            const last = want.starts.at(-1);
            if (want.output) {
              got.push(windowAt(a, a.output - 1), windowAt(a, a.output * a.output - 1));
              exp.push({ row: 0, col: last }, { row: last, col: last });
            }
            if (JSON.stringify(got) !== JSON.stringify(exp)) bad.push({ input, padding, kernel, stride, got, exp });
            n++;
          }
        }
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(n).toBe(32 * 9 * 16 * 16);
  });
});

describe('clampParam', () => {
  it('keeps every value within the limits, whole, and falls back on non-numbers', () => {
    expect(clampParam('input', 7)).toBe(7);
    expect(clampParam('input', 1000)).toBe(LIMITS.input.max);
    expect(clampParam('input', -3)).toBe(1);
    expect(clampParam('stride', 0)).toBe(1);
    expect(clampParam('padding', -1)).toBe(0);
    expect(clampParam('kernel', '4')).toBe(4);
    expect(clampParam('kernel', 2.6)).toBe(3);
    expect(clampParam('kernel', '', 9)).toBe(9);
    expect(clampParam('kernel', 'abc', 9)).toBe(9);
    expect(clampParam('kernel', NaN, 9)).toBe(9);
    expect(clampParam('kernel', Infinity, 9)).toBe(9);
    expect(clampParams({ input: 99, padding: 99, kernel: 99, stride: 99 })).toEqual({ input: 32, padding: 8, kernel: 16, stride: 16 });
  });
});

describe('windowAt and cellKind', () => {
  it('place the windows and classify the cells', () => {
    const a = analyse({ input: 6, padding: 1, kernel: 3, stride: 2 }); // padded 8: windows at 0, 2, 4; cells 7 (0-based) left over
    expect(a).toMatchObject({ output: 3, leftover: 1, covered: 7 });
    expect(windowAt(a, 0)).toEqual({ row: 0, col: 0 });
    expect(windowAt(a, 4)).toEqual({ row: 2, col: 2 });
    expect(windowAt(a, 9)).toBeNull();
    expect(windowAt(a, -1)).toBeNull();
    expect(cellKind(a, 0, 3)).toBe('pad');
    expect(cellKind(a, 3, 7)).toBe('pad'); // the padding column is also the leftover one: padding wins
    expect(cellKind(a, 6, 6)).toBe('in'); // the last real cell is reached
    const b = analyse({ input: 6, padding: 0, kernel: 3, stride: 2 });
    expect(cellKind(b, 2, 5)).toBe('left');
    expect(cellKind(b, 5, 0)).toBe('left');
    expect(cellKind(b, 4, 4)).toBe('in');
    expect(windowAt(analyse({ input: 2, padding: 0, kernel: 3, stride: 1 }), 0)).toBeNull();
  });
});

describe('explain', () => {
  const en = (k, v) => translate(messages, 'en', k, v);
  const zh = (k, v) => translate(messages, 'zh-CN', k, v);

  it('names the columns that would be left over', () => {
    const s = explain(analyse({ input: 6, padding: 0, kernel: 3, stride: 2 }), en);
    expect(s).toMatch(/column 6\b/);
    expect(s).toMatch(/output 2 × 2/);
    const s2 = explain(analyse({ input: 8, padding: 0, kernel: 3, stride: 3 }), en); // windows 0, 3 end at 6: 7–8 left
    expect(s2).toMatch(/columns 7–8/);
    expect(zh('article.widget.bad.stride1', {})).not.toBe('article.widget.bad.stride1');
    expect(explain(analyse({ input: 6, padding: 0, kernel: 3, stride: 2 }), zh)).toMatch(/第 6 列/);
  });

  it('says how much padding a too-large kernel needs', () => {
    const s = explain(analyse({ input: 3, padding: 0, kernel: 6, stride: 1 }), en);
    expect(s).toMatch(/6 × 6 kernel/);
    expect(s).toMatch(/3 × 3 padded/);
    expect(s).toMatch(/padding of at least 2/);
  });

  it('gives the output size of a valid combination', () => {
    expect(explain(analyse({ input: 7, padding: 0, kernel: 3, stride: 2 }), en)).toMatch(/output is 3 × 3\./);
    expect(explain(analyse({ input: 7, padding: 0, kernel: 3, stride: 2 }), zh)).toMatch(/输出为 3 × 3。/);
  });
});
