// The range toolkit (src/core/ranges.ts) against a page-by-page oracle on small random sets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Range } from '../../src/core/ranges.js';
import {
  coalesceRanges,
  forEachOutside,
  intersectRanges,
  normalizeRanges,
  subtractNormalized,
  subtractRanges,
  sweepRanges,
  unionRanges,
} from '../../src/core/ranges.js';

const SPAN = 64;
const range = fc
  .tuple(fc.integer({ min: 0, max: SPAN }), fc.integer({ min: 0, max: 12 }))
  .map(([s, n]): Range => ({ start: s, end: s + n }));
const set = fc.array(range, { maxLength: 8 });

/** Which pages of [0, SPAN + 12) a set covers. */
function pages(rs: readonly Range[]): boolean[] {
  const p = new Array<boolean>(SPAN + 12).fill(false);
  for (const r of rs) for (let i = r.start; i < r.end; i++) p[i] = true;
  return p;
}

/** The normalised ranges of a page map. */
function ranges(p: readonly boolean[]): Range[] {
  const out: Range[] = [];
  for (let i = 0; i < p.length; i++)
    if (p[i] && !p[i - 1])
      out.push({ start: i, end: p.indexOf(false, i) === -1 ? p.length : p.indexOf(false, i) });
  return out;
}

const disjointSorted = set.map((rs) => normalizeRanges(rs));

describe('range toolkit', () => {
  it('union, intersect, subtract: the pages of the set operation, normalised', () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        const pa = pages(a);
        const pb = pages(b);
        expect(unionRanges(a, b)).toEqual(ranges(pa.map((x, i) => x || pb[i]!)));
        expect(intersectRanges(a, b)).toEqual(ranges(pa.map((x, i) => x && pb[i]!)));
        expect(subtractRanges(a, b)).toEqual(ranges(pa.map((x, i) => x && !pb[i]!)));
        expect(subtractNormalized(normalizeRanges(a), normalizeRanges(b))).toEqual(subtractRanges(a, b));
      }),
      { numRuns: 400 },
    );
  });

  it('coalesce merges a sorted list: overlapping and touching ranges become one, empty ones go', () => {
    fc.assert(
      fc.property(set, (a) => {
        const sorted = [...a].sort((x, y) => x.start - y.start);
        expect(coalesceRanges(sorted)).toEqual(ranges(pages(a)));
      }),
      { numRuns: 300 },
    );
    expect(
      coalesceRanges([
        { start: 0, end: 2 },
        { start: 2, end: 3 },
        { start: 5, end: 5 },
        { start: 6, end: 8 },
      ]),
    ).toEqual([
      { start: 0, end: 3 },
      { start: 6, end: 8 },
    ]);
  });

  it('forEachOutside: each range of a (overlaps allowed) minus b (overlaps allowed), tagged with its index', () => {
    fc.assert(
      fc.property(set, set, (a0, b0) => {
        const a = [...a0].sort((x, y) => x.start - y.start);
        const b = [...b0].sort((x, y) => x.start - y.start);
        const got: [number, number, number][] = [];
        forEachOutside(a, b, (s, e, i) => got.push([s, e, i]));
        const pb = pages(b);
        const want: [number, number, number][] = [];
        a.forEach((r, i) => {
          for (const piece of ranges(pages([r]).map((x, k) => x && !pb[k]!)))
            want.push([piece.start, piece.end, i]);
        });
        expect(got).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });

  it('sweepRanges: every maximal piece with the same covering ranges, and which range of each column it is in', () => {
    fc.assert(
      fc.property(fc.array(disjointSorted, { minLength: 1, maxLength: 4 }), (cols) => {
        const got: [number, number, number[]][] = [];
        sweepRanges(cols, (s, e, at) => got.push([s, e, [...at]]));
        // the oracle: the covering index of every column page by page, then runs of equal coverage
        const cover = (p: number): number[] => cols.map((c) => c.findIndex((r) => r.start <= p && p < r.end));
        const want: [number, number, number[]][] = [];
        for (let p = 0; p < SPAN + 12; p++) {
          const at = cover(p);
          if (at.every((i) => i < 0)) continue;
          const last = want[want.length - 1];
          if (last && last[1] === p && last[2].join() === at.join()) last[1] = p + 1;
          else want.push([p, p + 1, at]);
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });

  it('sweepRanges reads typed range columns ({ count, starts, ends }) as it reads Range[]', () => {
    const a = [
      { start: 0, end: 4 },
      { start: 10, end: 12 },
    ];
    const b = { count: 2, starts: Float64Array.of(2, 11, 99), ends: Float64Array.of(6, 20, 100) };
    const got: [number, number, number[]][] = [];
    sweepRanges([a, b], (s, e, at) => got.push([s, e, [...at]]));
    expect(got).toEqual([
      [0, 2, [0, -1]],
      [2, 4, [0, 0]],
      [4, 6, [-1, 0]],
      [10, 11, [1, -1]],
      [11, 12, [1, 1]],
      [12, 20, [-1, 1]],
    ]);
  });
});
