import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  firstEndingAfter,
  gallopLowerBound,
  gallopUpperBound,
  intersectNormalized,
  lowerBound,
  upperBound,
  intersectRanges,
  normalizeRanges,
  sortedDisjointCols,
  subtractRanges,
  totalLength,
} from '../../src/core/ranges.js';
import { formatBytes, formatMemRange, parseMemSize } from '../../src/core/units.js';
import { TraceError } from '../../src/core/errors.js';

describe('ranges', () => {
  it('normalises overlapping and touching ranges', () => {
    expect(
      normalizeRanges([
        { start: 5, end: 9 },
        { start: 0, end: 3 },
        { start: 3, end: 6 },
        { start: 7, end: 7 },
      ]),
    ).toEqual([{ start: 0, end: 9 }]);
  });
  it('subtracts a set: holes at both ends and in the middle', () => {
    expect(
      subtractRanges(
        [{ start: 0, end: 100 }],
        [
          { start: 0, end: 10 },
          { start: 40, end: 50 },
          { start: 90, end: 120 },
        ],
      ),
    ).toEqual([
      { start: 10, end: 40 },
      { start: 50, end: 90 },
    ]);
  });
  it('intersects two sets', () => {
    expect(
      intersectRanges(
        [
          { start: 0, end: 10 },
          { start: 20, end: 30 },
        ],
        [{ start: 5, end: 25 }],
      ),
    ).toEqual([
      { start: 5, end: 10 },
      { start: 20, end: 25 },
    ]);
    expect(
      totalLength([
        { start: 0, end: 10 },
        { start: 5, end: 15 },
      ]),
    ).toBe(15);
  });
});

describe('units', () => {
  it('prints the kernel [mem] form with an inclusive end', () => {
    expect(formatMemRange(0x1000, 0xa0000)).toBe('[mem 0x0000000000001000-0x000000000009ffff]');
  });
  it('parses kernel size suffixes', () => {
    expect(parseMemSize('6G')).toBe(6 * 2 ** 30);
    expect(parseMemSize('512m')).toBe(512 * 2 ** 20);
    expect(parseMemSize('bogus')).toBeNull();
    expect(formatBytes(1536 * 1024)).toBe('1.5 MiB');
  });
});

describe('TraceError', () => {
  it('formats a binary location with field and a text location with line:column', () => {
    const a = new TraceError({
      code: 'FDT_ERR_BADMAGIC',
      location: { file: 'fdt', offset: 0, field: 'fdt_header.magic' },
      expected: '0xd00dfeed',
      found: '0x0',
    });
    expect(a.message).toBe(
      'fdt: offset 0x0 (fdt_header.magic): FDT_ERR_BADMAGIC: expected 0xd00dfeed, found 0x0',
    );
    const b = new TraceError({
      code: 'X',
      location: { file: 'dmesg.txt', line: 14, column: 1 },
      expected: 'a',
      found: 'b',
    });
    expect(b.message).toBe('dmesg.txt:14:1: X: expected a, found b');
  });
});

describe('normalizeRanges and intersectNormalized against a per-point model', () => {
  const rangeArb = fc.tuple(fc.nat(200), fc.nat(20)).map(([s, l]) => ({ start: s, end: s + l }));
  const covered = (rs: readonly { start: number; end: number }[]): boolean[] => {
    const m = new Array<boolean>(230).fill(false);
    for (const r of rs) for (let p = r.start; p < r.end; p++) m[p] = true;
    return m;
  };
  it('sorted or not, the result covers the same points, sorted, disjoint and not touching', () => {
    fc.assert(
      fc.property(fc.array(rangeArb, { maxLength: 30 }), fc.boolean(), (rs, sortFirst) => {
        const input = sortFirst ? [...rs].sort((a, b) => a.start - b.start) : rs;
        const out = normalizeRanges(input);
        expect(covered(out)).toEqual(covered(rs));
        for (let i = 1; i < out.length; i++) expect(out[i]!.start).toBeGreaterThan(out[i - 1]!.end);
        expect(out.every((r) => r.end > r.start)).toBe(true);
        expect(out.every((r) => !input.includes(r))).toBe(true); // new ranges, never the caller's objects
      }),
      { numRuns: 300 },
    );
  });
  it('intersectNormalized of normalised sets equals intersectRanges and the pointwise AND', () => {
    fc.assert(
      fc.property(fc.array(rangeArb, { maxLength: 20 }), fc.array(rangeArb, { maxLength: 20 }), (a, b) => {
        const got = intersectNormalized(normalizeRanges(a), normalizeRanges(b));
        expect(got).toEqual(intersectRanges(a, b));
        const ca = covered(a);
        const cb = covered(b);
        expect(covered(got)).toEqual(ca.map((v, i) => v && cb[i]!));
      }),
      { numRuns: 300 },
    );
  });
});

describe('firstEndingAfter', () => {
  it('finds the first of sorted disjoint ranges whose end is above a position, by binary search', () => {
    const list = [
      { start: 0, end: 10 },
      { start: 20, end: 30 },
      { start: 40, end: 50 },
    ];
    // Expect: 9 -> 0 (inside), 10 -> 1 (end is exclusive), 15 -> 1 (in a gap), 49 -> 2, 50 -> 3 (past the last)
    expect([9, 10, 15, 49, 50].map((p) => firstEndingAfter(list, p))).toEqual([0, 1, 1, 2, 3]);
    expect(firstEndingAfter([], 5)).toBe(0);
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 30 }), fc.nat(700), (gaps, pos) => {
        let at = 0;
        const rs = gaps.map((g) => ({ start: (at += g), end: (at += g + 1) }));
        expect(firstEndingAfter(rs, pos)).toBe(
          rs.findIndex((r) => r.end > pos) === -1 ? rs.length : rs.findIndex((r) => r.end > pos),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('lowerBound / upperBound on a sorted column', () => {
  it('equal the first index a linear scan finds, within [lo, n)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }),
        fc.integer({ min: -2, max: 42 }),
        fc.nat(),
        fc.nat(),
        (vals, x, a, b) => {
          const col = Float64Array.from(vals).sort();
          const n = col.length ? b % (col.length + 1) : 0;
          const lo = n ? a % (n + 1) : 0;
          let lower = lo;
          while (lower < n && col[lower]! < x) lower++;
          let upper = lo;
          while (upper < n && col[upper]! <= x) upper++;
          expect(lowerBound(col, x, lo, n)).toBe(lower);
          expect(upperBound(col, x, lo, n)).toBe(upper);
        },
      ),
      { numRuns: 500 },
    );
  });
  it('whole column by default', () => {
    const col = Float64Array.of(1, 3, 3, 7);
    expect([lowerBound(col, 3), upperBound(col, 3), lowerBound(col, 8), upperBound(col, 0)]).toEqual([
      1, 3, 4, 0,
    ]);
  });
});

describe('gallopLowerBound / gallopUpperBound', () => {
  it('equal lowerBound / upperBound from a cursor whose entries before are below (at or below) x', () => {
    fc.assert(
      fc.property(
        // long columns with runs of equal values, so jumps of every length up to a few hundred places come up
        fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 400 }),
        fc.integer({ min: -2, max: 602 }),
        fc.nat(),
        fc.nat(),
        (vals, x, a, b) => {
          const col = Float64Array.from(vals).sort();
          const n = col.length ? b % (col.length + 1) : 0;
          const lower = lowerBound(col, x, 0, n);
          const upper = upperBound(col, x, 0, n);
          // any cursor at or before the answer (the entries before it are below x, or at or below it)
          const fromL = lower ? a % (lower + 1) : 0;
          const fromU = upper ? a % (upper + 1) : 0;
          expect(gallopLowerBound(col, x, fromL, n)).toBe(lower);
          expect(gallopUpperBound(col, x, fromU, n)).toBe(upper);
        },
      ),
      { numRuns: 1000 },
    );
  });
  it('jumps of 1 to 2^20 places', () => {
    const col = Float64Array.from({ length: 2 ** 20 + 5 }, (_, i) => i);
    for (const d of [0, 1, 2, 3, 7, 8, 9, 1000, 2 ** 20 - 1, 2 ** 20, 2 ** 20 + 4, 2 ** 20 + 5]) {
      expect(gallopLowerBound(col, 3 + d, 3, col.length)).toBe(Math.min(3 + d, col.length));
      expect(gallopUpperBound(col, 3 + d, 3, col.length)).toBe(Math.min(4 + d, col.length));
    }
  });
});

describe('sortedDisjointCols', () => {
  // every pair in order: i before j ends at or before j starts, and each range is non-empty (touching is allowed)
  const pairwise = (S: number[], E: number[]): boolean =>
    S.every((s, i) => E[i]! > s && S.every((t, j) => j <= i || E[i]! <= t));
  it('is the pairwise rule: sorted by start, non-empty, disjoint or touching', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: -2, max: 6 })), {
          maxLength: 12,
        }),
        fc.boolean(),
        (rows, chain) => {
          // chained rows start where the one before ended (plus a gap), so sorted inputs come up often
          let at = 0;
          const S: number[] = [];
          const E: number[] = [];
          for (const [a, len] of rows) {
            const s = chain ? at + (a % 3) : a;
            S.push(s);
            E.push(s + len);
            at = s + len;
          }
          expect(sortedDisjointCols(Float64Array.from(S), Float64Array.from(E), S.length)).toBe(
            pairwise(S, E),
          );
        },
      ),
      { numRuns: 500 },
    );
    expect(sortedDisjointCols(Float64Array.of(0, 5), Float64Array.of(5, 9), 2)).toBe(true);
    expect(sortedDisjointCols(Float64Array.of(0, 4), Float64Array.of(5, 9), 2)).toBe(false);
    expect(sortedDisjointCols(Float64Array.of(3), Float64Array.of(3), 1)).toBe(false);
    // n bounds the rows read
    expect(sortedDisjointCols(Float64Array.of(0, 0), Float64Array.of(5, 9), 1)).toBe(true);
  });
});
