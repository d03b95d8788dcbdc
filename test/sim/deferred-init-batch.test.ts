// deferred_init_memmap()'s batch (src/sim/phases/page_alloc_init_late.ts): the free ranges of one walk of memblock
// dealt out by node (freeRangesByNode: views of the walk's columns for a node whose ranges come together, a copy
// for one whose come in several stretches) and clipped to [first_deferred_pfn, zone end) (clipFreeRanges: the ranges
// in between as views when only those at either end need clipping) must be the ranges a range-by-range filter and
// clip gives, in the same order, with the same page count and the same in-order answer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipFreeRanges, freeRangesByNode } from '../../src/sim/phases/page_alloc_init_late.js';

const list = (c: { start: ArrayLike<number>; end: ArrayLike<number>; n: number }): number[][] =>
  Array.from({ length: c.n }, (_, k) => [c.start[k]!, c.end[k]!]);

/** Ranges from sorted cut points (in order, disjoint, some touching), or drawn as they come. */
const rangesArb = fc.oneof(
  fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 40 }).map((pts) => {
    const s = [...pts].sort((a, b) => a - b);
    const out: number[][] = [];
    for (let i = 0; i + 1 < s.length; i += 2) out.push([s[i]!, s[i + 1]!]);
    // some touching: a range ending where the next starts
    for (let i = 1; i < out.length; i += 3) if (out[i - 1]![1]! < out[i]![0]!) out[i - 1]![1] = out[i]![0]!;
    return out;
  }),
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: -3, max: 40 })), { maxLength: 30 })
    .map((rs) => rs.map(([s, len]) => [s, s + len])),
);

describe('deferred init batch', () => {
  it('clipFreeRanges gives the ranges clipped one by one, empty ones dropped', () => {
    fc.assert(
      fc.property(
        rangesArb,
        fc.integer({ min: -5, max: 420 }),
        fc.integer({ min: 0, max: 420 }),
        fc.boolean(),
        (rs, lo, len, typed) => {
          const hi = lo + len;
          const cols = {
            start: typed ? Float64Array.from(rs, (r) => r[0]!) : rs.map((r) => r[0]!),
            end: typed ? Float64Array.from(rs, (r) => r[1]!) : rs.map((r) => r[1]!),
            n: rs.length,
          };
          const want = rs.map(([s, e]) => [Math.max(s!, lo), Math.min(e!, hi)]).filter(([s, e]) => s! < e!);
          const got = clipFreeRanges(cols, lo, hi);
          expect(list(got)).toEqual(want);
          expect(got.pages).toBe(want.reduce((p, [s, e]) => p + e! - s!, 0));
          expect(got.sortedDisjoint).toBe(want.every(([s], k) => k === 0 || s! >= want[k - 1]![1]!));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('freeRangesByNode gives each node its ranges in their order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 9 }), fc.nat(3)), {
          maxLength: 40,
        }),
        fc.boolean(),
        (specs, together) => {
          // every node's ranges in one stretch (sorted by node), or as drawn (a node in several stretches)
          const rs = together ? [...specs].sort((a, b) => a[2] - b[2]) : specs;
          const all = {
            start: Float64Array.from(rs, (r) => r[0]),
            end: Float64Array.from(rs, (r) => r[0] + r[1]),
            nid: Float64Array.from(rs, (r) => r[2]),
            n: rs.length,
          };
          const byNid = freeRangesByNode(all);
          const nodes = [...new Set(rs.map((r) => r[2]))];
          expect([...byNid.keys()].sort()).toEqual([...nodes].sort());
          for (const node of nodes)
            expect(list(byNid.get(node)!)).toEqual(
              rs.filter((r) => r[2] === node).map((r) => [r[0], r[0] + r[1]]),
            );
        },
      ),
      { numRuns: 500 },
    );
  });
});
