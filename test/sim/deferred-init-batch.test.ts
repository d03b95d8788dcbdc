// deferred_init_memmap()'s batch (src/sim/phases/page_alloc_init_late.ts): the free ranges of one node clipped to
// [first_deferred_pfn, zone end) (clipFreeRanges: the ranges in between as views when only those at either end need
// clipping) must be the ranges a range-by-range filter and clip gives; the one walk of memblock for every node
// (freeRangesInWindows: each range clipped to its node's window as it comes, a view of its columns for a node whose
// ranges come together, a copy for one whose come in several stretches) must give each node what its own walk
// (freePfnColumns) and clipFreeRanges give, in the same order, with the same page count and the same in-order answer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEMBLOCK_FLAGS as F, Memblock } from '../../src/sim/memblock.js';
import { clipFreeRanges, freeRangesInWindows } from '../../src/sim/phases/page_alloc_init_late.js';

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

  it('freeRangesInWindows gives each node the general way: its own walk, then clipFreeRanges to its window', () => {
    const PAGE = 8; // 8-byte pages: rounding inward matters at this scale
    const FLAGS = [0, 0, 0, F.MEMBLOCK_HOTPLUG, F.MEMBLOCK_NOMAP, F.MEMBLOCK_MIRROR];
    // memory sorted and disjoint (a trace's), a node's regions maybe in several stretches, some without a node;
    // reserved anything (a hand-made trace's may overlap or touch)
    const memArb = fc
      .array(
        fc.record({
          gap: fc.nat(12),
          len: fc.integer({ min: 1, max: 60 }),
          nid: fc.constantFrom(null, 0, 1, 2),
          flags: fc.constantFrom(...FLAGS),
        }),
        { maxLength: 8 },
      )
      .map((xs) => {
        const out: { start: number; end: number; nid: number | null; flags: number }[] = [];
        let at = 0;
        for (const x of xs) {
          out.push({ start: at + x.gap, end: at + x.gap + x.len, nid: x.nid, flags: x.flags });
          at += x.gap + x.len;
        }
        return out;
      });
    const resArb = fc.array(
      fc
        .tuple(fc.nat(300), fc.integer({ min: 1, max: 30 }))
        .map(([s, l]) => ({ start: s, end: s + l, nid: null, flags: 0 })),
      { maxLength: 16 },
    );
    // a window per node or none: pfns around the space, sometimes empty or inverted
    const winArb = fc.option(
      fc.tuple(fc.integer({ min: -2, max: 45 }), fc.integer({ min: -3, max: 45 })).map(([lo, len]) => ({
        lo,
        hi: lo + len,
      })),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        memArb,
        resArb,
        fc.tuple(winArb, winArb, winArb),
        fc.boolean(),
        fc.constantFrom('v6.1', 'newest') as fc.Arbitrary<'v6.1' | 'newest'>,
        (mem, res, wins, movable, version) => {
          const mb = new Memblock({ version, pageShift: 3, movableNode: movable });
          mb.memory.load(mem);
          mb.reserved.load(res);
          const windows = new Map<number, { lo: number; hi: number }>();
          wins.forEach((w, nid) => w && windows.set(nid, w));
          const got = freeRangesInWindows(mb, windows);
          expect([...got.keys()].sort()).toEqual([...windows.keys()].sort());
          for (const [nid, w] of windows) {
            const want = clipFreeRanges(
              mb.freePfnColumns({ nid, flags: F.MEMBLOCK_NONE, defaultNid: 0 }),
              w.lo,
              w.hi,
            );
            const g = got.get(nid)!;
            expect(list(g)).toEqual(list(want));
            expect(g.pages).toBe(want.pages);
            expect(g.sortedDisjoint).toBe(want.sortedDisjoint);
            // and by bytes: the ranges of the node's free bytes rounded inward, clipped, empty ones dropped
            const bytes = mb
              .freeMemRanges({ flags: F.MEMBLOCK_NONE, defaultNid: 0 })
              .filter((r) => r.nid === nid)
              .map((r) => [Math.max(Math.ceil(r.start / PAGE), w.lo), Math.min(Math.floor(r.end / PAGE), w.hi)])
              .filter(([s, e]) => s! < e!);
            expect(list(g)).toEqual(bytes);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
