// freePfnRanges(): for_each_free_mem_range rounded inward to whole pages (mm/memblock.c v6.1), computed in place.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archProfileFor, pfnDown, pfnUp } from '../../src/sim/arch.js';
import type { MemblockTables } from '../../src/sim/mem-regions.js';
import { freeMemRanges, freePfnRanges } from '../../src/sim/mem-regions.js';
import { MEMBLOCK_FLAGS } from '../../src/core/index.js';

const a = archProfileFor('x86_64', 12);

/** The plain definition: round each free byte range inward, drop what holds no whole page. */
function reference(t: MemblockTables, nid?: number) {
  return freeMemRanges(t, nid === undefined ? {} : { nid })
    .map((r) => ({ ...r, start: pfnUp(r.start, a), end: pfnDown(r.end, a) }))
    .filter((r) => r.start < r.end);
}

describe('freePfnRanges', () => {
  it('rounds inward and drops sub-page pieces: memory [0x1000, 0x9fc00) minus reserved [0x5800, 0x6100)', () => {
    const t: MemblockTables = {
      memory: [{ start: 0x1000, end: 0x9fc00, nid: 0, flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE }],
      reserved: [{ start: 0x5800, end: 0x6100, nid: null, flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE }],
    };
    // Expect: [0x1000,0x5800) -> pfns [1,5); [0x6100,0x9fc00) -> pfns [7,0x9f)
    expect(freePfnRanges(t, {}, a).map((r) => [r.start, r.end])).toEqual([
      [1, 5],
      [7, 0x9f],
    ]);
  });

  it('equals rounding a fresh freeMemRanges list, and leaves no shared state behind', () => {
    const region = fc
      .tuple(fc.nat(4096), fc.nat(64))
      .map(([s, l]) => ({ start: s * 256, end: (s + l) * 256 }));
    fc.assert(
      fc.property(fc.array(region, { maxLength: 12 }), fc.array(region, { maxLength: 12 }), (mem, res) => {
        // memory regions do not overlap in memblock: keep the disjoint ones
        const memory = mem
          .sort((x, y) => x.start - y.start)
          .filter((r, i, all) => r.end > r.start && (i === 0 || r.start >= all[i - 1]!.end))
          .map((r, i) => ({ ...r, nid: i % 2, flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE }));
        const t: MemblockTables = {
          memory,
          reserved: res.map((r) => ({ ...r, nid: null, flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE })),
        };
        for (const nid of [undefined, 0, 1]) {
          const want = reference(t, nid);
          expect(freePfnRanges(t, nid === undefined ? {} : { nid }, a)).toEqual(want);
          // a second call sees the same tables: nothing was rounded in the caller's data
          expect(freePfnRanges(t, nid === undefined ? {} : { nid }, a)).toEqual(want);
        }
        expect(t.memory.every((r) => r.start % 256 === 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
