// The memblock model's iterators over its region columns (linux v7.3-rc7 mm/memblock.c __next_mem_range,
// should_skip_region, __next_mem_pfn_range): for_each_free_mem_range against a byte-by-byte oracle (memory that
// should_skip_region keeps, minus every reserved byte), with the flag rules per version, on arrays loaded as a
// trace prints them (reserved regions may overlap or touch); freePfnColumns() is that list rounded inward.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemblockVersion } from '../../src/sim/memblock.js';
import { MEMBLOCK_FLAGS as F, Memblock } from '../../src/sim/memblock.js';

const SPACE = 160;
const PAGE_SHIFT = 3; // 8-byte "pages": rounding inward matters at this scale

interface R {
  start: number;
  end: number;
  nid: number | null;
  flags: number;
}

/** The kernel's should_skip_region() for a memory region (nid after the default). */
function skip(
  version: MemblockVersion,
  movable: boolean,
  rnid: number | null,
  mf: number,
  nid: number | null,
  flags: number,
): boolean {
  if (nid !== null && nid !== rnid) return true;
  if (movable && mf & F.MEMBLOCK_HOTPLUG && !(flags & F.MEMBLOCK_HOTPLUG)) return true;
  if (flags & F.MEMBLOCK_MIRROR && !(mf & F.MEMBLOCK_MIRROR)) return true;
  if (!(flags & F.MEMBLOCK_NOMAP) && mf & F.MEMBLOCK_NOMAP) return true;
  if (!(flags & F.MEMBLOCK_DRIVER_MANAGED) && mf & F.MEMBLOCK_DRIVER_MANAGED) return true;
  if (version !== 'v6.1' && flags & F.MEMBLOCK_KHO_SCRATCH && !(mf & F.MEMBLOCK_KHO_SCRATCH)) return true;
  return false;
}

/** Byte by byte: free bytes of each kept memory region, cut into maximal runs per region. */
function oracle(
  version: MemblockVersion,
  movable: boolean,
  mem: R[],
  res: R[],
  nid: number | null,
  flags: number,
  dn: number | null,
) {
  const reserved = new Array<boolean>(SPACE).fill(false);
  for (const r of res) for (let a = r.start; a < r.end; a++) reserved[a] = true;
  const out: { start: number; end: number; nid: number | null }[] = [];
  for (const m of mem) {
    const rn = m.nid ?? dn;
    if (skip(version, movable, rn, m.flags, nid, flags)) continue;
    let run = -1;
    for (let a = m.start; a <= m.end; a++) {
      const free = a < m.end && !reserved[a];
      if (free && run < 0) run = a;
      if (!free && run >= 0) {
        out.push({ start: run, end: a, nid: rn });
        run = -1;
      }
    }
  }
  return out;
}

const FLAG_CHOICES = [
  0,
  0,
  0,
  F.MEMBLOCK_HOTPLUG,
  F.MEMBLOCK_MIRROR,
  F.MEMBLOCK_NOMAP,
  F.MEMBLOCK_DRIVER_MANAGED,
  F.MEMBLOCK_KHO_SCRATCH,
];
const span = fc
  .tuple(fc.nat(SPACE - 1), fc.integer({ min: 1, max: 24 }))
  .map(([s, l]) => ({ start: s, end: Math.min(SPACE, s + l) }));
/** Memory: disjoint, sorted (a trace's memory array); reserved: anything (a hand-made trace's may overlap). */
const memArb = fc
  .array(
    fc.record({
      gap: fc.nat(10),
      len: fc.integer({ min: 1, max: 30 }),
      nid: fc.constantFrom(null, 0, 1),
      flags: fc.constantFrom(...FLAG_CHOICES),
    }),
    { maxLength: 8 },
  )
  .map((xs) => {
    const out: R[] = [];
    let at = 0;
    for (const x of xs) {
      const start = at + x.gap;
      const end = Math.min(SPACE, start + x.len);
      if (start >= end) break;
      out.push({ start, end, nid: x.nid, flags: x.flags });
      at = end;
    }
    return out;
  });
const resArb = fc.array(
  span.map((r) => ({ ...r, nid: null, flags: 0 })),
  { maxLength: 12 },
);

describe.each(['v6.1', 'newest'] as const)('memblock iterators (%s)', (version) => {
  it('for_each_free_mem_range = memory kept by should_skip_region minus reserved, byte by byte', () => {
    fc.assert(
      fc.property(
        memArb,
        resArb,
        fc.constantFrom(null, 0, 1),
        fc.constantFrom(0, F.MEMBLOCK_HOTPLUG, F.MEMBLOCK_MIRROR, F.MEMBLOCK_NOMAP, F.MEMBLOCK_KHO_SCRATCH),
        fc.boolean(),
        fc.constantFrom(null, 0),
        (mem, res, nid, flags, movable, dn) => {
          const mb = new Memblock({ version, pageShift: PAGE_SHIFT, movableNode: movable });
          mb.memory.load(mem);
          mb.reserved.load(res);
          const got: { start: number; end: number; nid: number | null }[] = [];
          mb.forEachFreeMemRange({ nid, flags, defaultNid: dn }, (start, end, n) =>
            got.push({ start, end, nid: n }),
          );
          expect(got).toEqual(oracle(version, movable, mem, res, nid, flags, dn));
          // page-rounded columns: the same list rounded inward, empty ones dropped
          const cols = mb.freePfnColumns({ nid, flags, defaultNid: dn });
          const want = got
            .map((r) => ({ s: Math.ceil(r.start / 8), e: Math.floor(r.end / 8), nid: r.nid ?? -1 }))
            .filter((r) => r.s < r.e);
          expect(
            Array.from({ length: cols.n }, (_, k) => ({
              s: cols.start[k],
              e: cols.end[k],
              nid: cols.nid[k],
            })),
          ).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('for_each_mem_pfn_range: whole pages of each region, node filter, regions without a node', () => {
    fc.assert(
      fc.property(memArb, fc.constantFrom(null, 0, 1), (mem, nid) => {
        const mb = new Memblock({ version, pageShift: PAGE_SHIFT });
        mb.memory.load(mem);
        const got: number[][] = [];
        mb.forEachMemPfnRange(nid, (s, e, n) => got.push([s, e, n ?? -1]), 0);
        const want = mem
          .map((m) => [Math.ceil(m.start / 8), Math.floor(m.end / 8), m.nid ?? 0])
          .filter(([s, e, n]) => s! < e! && (nid === null || n === nid));
        expect(got).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });
});

describe('memblock iterators, examples', () => {
  it('rounds inward and drops sub-page pieces: memory [0x1000, 0x9fc00) minus reserved [0x5800, 0x6100)', () => {
    const mb = new Memblock({ version: 'newest', pageShift: 12 });
    mb.memory.load([{ start: 0x1000, end: 0x9fc00, nid: 0, flags: 0 }]);
    mb.reserved.load([{ start: 0x5800, end: 0x6100, nid: null, flags: 0 }]);
    const c = mb.freePfnColumns({});
    expect([...c.start]).toEqual([1, 7]);
    expect([...c.end]).toEqual([5, 0x9f]);
  });

  it('reserved regions subtract whatever their flags; NOMAP memory is skipped unless asked for', () => {
    const mb = new Memblock({ version: 'newest', pageShift: 12 });
    mb.memory.load([
      { start: 0, end: 0x10000, nid: 0, flags: 0 },
      { start: 0x10000, end: 0x20000, nid: 0, flags: F.MEMBLOCK_NOMAP },
    ]);
    mb.reserved.load([{ start: 0x2000, end: 0x3000, nid: null, flags: F.MEMBLOCK_RSRV_NOINIT }]);
    expect(mb.freeMemRanges()).toEqual([
      { start: 0, end: 0x2000, nid: 0 },
      { start: 0x3000, end: 0x10000, nid: 0 },
    ]);
    expect(mb.freeMemRanges({ flags: F.MEMBLOCK_NOMAP })).toContainEqual({
      start: 0x10000,
      end: 0x20000,
      nid: 0,
    });
    const regions: number[][] = [];
    mb.forEachReservedMemRegion((s, e, n, f) => regions.push([s, e, n ?? -1, f]));
    expect(regions).toEqual([[0x2000, 0x3000, -1, F.MEMBLOCK_RSRV_NOINIT]]);
  });
});
