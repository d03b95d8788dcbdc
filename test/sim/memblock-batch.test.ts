// The memblock model's column operations (reserveRanges, markRanges, setNodeRanges: one sweep over a sorted batch)
// against the one-region-at-a-time operations they stand for (memblock_reserve + memblock_setclr_flag,
// memblock_setclr_flag, memblock_set_node per range, in order), on arrays built by random kernel operations:
// the two must leave the same regions (base, size, nid, flags), both versions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemblockType, MemblockVersion } from '../../src/sim/memblock.js';
import { MEMBLOCK_FLAGS as F, Memblock } from '../../src/sim/memblock.js';
import type { RangeBatch } from '../../src/sim/memblock-batch.js';
import { cpuNow } from '../helpers/cpu-time.js';

const SPACE = 200;
const NIDS = [null, 0, 1, 2] as const;

function fresh(version: MemblockVersion): Memblock {
  const mb = new Memblock({ version, pageShift: 0, reserveDoubledArrays: false });
  // arrays may grow past INIT_MEMBLOCK_REGIONS: doubling from kmalloc (no memblock reservation of the array)
  mb.allowResize();
  mb.slabAvailable = true;
  return mb;
}

type Setup =
  | { op: 'add'; b: number; e: number; nid: number | null; flags: number }
  | { op: 'reserve'; b: number; e: number; nid: number | null; flags: number };

const range = fc
  .tuple(fc.integer({ min: 0, max: SPACE - 1 }), fc.integer({ min: 1, max: 30 }))
  .map(([b, n]) => ({ b, e: Math.min(SPACE, b + n) }));
const nidArb = fc.constantFrom(...NIDS);
const setupArb: fc.Arbitrary<Setup> = fc.oneof(
  fc
    .record({ r: range, nid: nidArb, flags: fc.constantFrom(0, 0, F.MEMBLOCK_HOTPLUG, F.MEMBLOCK_NOMAP) })
    .map(({ r, nid, flags }) => ({ op: 'add' as const, ...r, nid, flags })),
  fc
    .record({
      r: range,
      nid: nidArb,
      flags: fc.constantFrom(0, 0, F.MEMBLOCK_RSRV_NOINIT, F.MEMBLOCK_RSRV_KERN),
    })
    .map(({ r, nid, flags }) => ({ op: 'reserve' as const, ...r, nid, flags })),
);
/** A batch: ranges sorted by start, may overlap or touch. */
const batchArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: SPACE - 1 }), fc.integer({ min: 1, max: 12 })), { maxLength: 25 })
  .map((xs) => xs.map(([b, n]) => [b, Math.min(SPACE, b + n)] as const).sort((x, y) => x[0] - y[0]));
/** A set-node batch: disjoint sorted ranges, each with a node. */
const disjointBatchArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 12 }), nidArb), { maxLength: 20 })
  .map((xs) => {
    const out: [number, number, number | null][] = [];
    let at = 0;
    for (const [gap, len, nid] of xs) {
      const b = at + gap;
      const e = Math.min(SPACE, b + len);
      if (b >= e) break;
      out.push([b, e, nid]);
      at = e;
    }
    return out;
  });

function build(version: MemblockVersion, setup: readonly Setup[]): Memblock {
  const mb = fresh(version);
  for (const s of setup) {
    if (s.op === 'add') mb.addNode(s.b, s.e - s.b, s.nid, s.flags);
    else mb.reserveNode(s.b, s.e - s.b, s.nid, version === 'v6.1' ? 0 : s.flags);
  }
  return mb;
}

function toBatch(
  ranges: readonly (readonly [number, number, ...unknown[]])[],
  nids?: (number | null)[],
): RangeBatch {
  return {
    start: Float64Array.from(ranges.map((r) => r[0])),
    end: Float64Array.from(ranges.map((r) => r[1])),
    n: ranges.length,
    ...(nids ? { nid: Int32Array.from(nids.map((n) => (n === null ? -1 : n))) } : {}),
  };
}

const regions = (t: MemblockType) => t.regions();

describe.each(['v6.1', 'newest'] as const)('memblock column operations (%s)', (version) => {
  it('reserveRanges(batch, mark) = memblock_reserve + memblock_setclr_flag per range', () => {
    const mark = version === 'v6.1' ? 0 : F.MEMBLOCK_RSRV_NOINIT;
    fc.assert(
      fc.property(fc.array(setupArb, { maxLength: 30 }), batchArb, (setup, batch) => {
        const one = build(version, setup);
        for (const [b, e] of batch) {
          one.reserve(b, e - b);
          if (mark) one.setclrFlag(one.reserved, b, e - b, true, mark);
        }
        const col = build(version, setup);
        expect(col.reserveRanges(toBatch(batch), mark)).toBe(0);
        expect(regions(col.reserved)).toEqual(regions(one.reserved));
        expect(col.reserved.totalSize).toBe(one.reserved.totalSize);
        expect(regions(col.memory)).toEqual(regions(one.memory));
      }),
      { numRuns: 400 },
    );
  });

  it('reserveRanges of a batch in pages with a scale = the same batch in bytes, range by range', () => {
    const mark = version === 'v6.1' ? 0 : F.MEMBLOCK_RSRV_NOINIT;
    // both sweeps: a batch that is its own union (read times the scale) and one that overlaps (copied in bytes)
    const pagesArb = fc.oneof(batchArb, disjointBatchArb);
    fc.assert(
      fc.property(
        fc.array(setupArb, { maxLength: 30 }),
        pagesArb,
        fc.constantFrom(1, 2, 4, 8),
        (setup, pages, scale) => {
          const one = build(version, setup);
          for (const [b, e] of pages) {
            one.reserve(b * scale, (e - b) * scale);
            if (mark) one.setclrFlag(one.reserved, b * scale, (e - b) * scale, true, mark);
          }
          const col = build(version, setup);
          expect(col.reserveRanges({ ...toBatch(pages), scale }, mark)).toBe(0);
          expect(regions(col.reserved)).toEqual(regions(one.reserved));
          expect(col.reserved.totalSize).toBe(one.reserved.totalSize);
        },
      ),
      { numRuns: 300 },
    );
    expect(() => fresh(version).reserveRanges({ ...toBatch([[1, 2]]), scale: 3 })).toThrow(/scale 3/);
  });

  it('markRanges = memblock_setclr_flag per range, on memory and reserved', () => {
    fc.assert(
      fc.property(
        fc.array(setupArb, { maxLength: 30 }),
        batchArb,
        fc.boolean(),
        fc.boolean(),
        (setup, batch, onMemory, set) => {
          const flag = onMemory
            ? F.MEMBLOCK_HOTPLUG
            : version === 'v6.1'
              ? F.MEMBLOCK_MIRROR
              : F.MEMBLOCK_RSRV_NOINIT;
          const one = build(version, setup);
          const t1 = onMemory ? one.memory : one.reserved;
          for (const [b, e] of batch) one.setclrFlag(t1, b, e - b, set, flag);
          const col = build(version, setup);
          col.markRanges(onMemory ? col.memory : col.reserved, toBatch(batch), set, flag);
          expect(regions(onMemory ? col.memory : col.reserved)).toEqual(regions(t1));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('setNodeRanges = memblock_set_node per range (one node, or one per range)', () => {
    fc.assert(
      fc.property(
        fc.array(setupArb, { maxLength: 30 }),
        disjointBatchArb,
        fc.boolean(),
        nidArb,
        (setup, batch, onMemory, oneNid) => {
          const perRange = batch.length % 2 === 0;
          const one = build(version, setup);
          const t1 = onMemory ? one.memory : one.reserved;
          for (const [b, e, nid] of batch) one.setNode(b, e - b, t1, perRange ? nid : oneNid);
          const col = build(version, setup);
          const t2 = onMemory ? col.memory : col.reserved;
          col.setNodeRanges(
            t2,
            toBatch(
              batch,
              batch.map((r) => r[2]),
            ),
            perRange ? 'per-range' : oneNid,
          );
          expect(regions(t2)).toEqual(regions(t1));
        },
      ),
      { numRuns: 400 },
    );
  });

  it.each(['size', 'end'] as const)(
    "forEachReservedMemRegionByNode = memmap_init_reserved_pages' memblock_set_node per memory region (%s)",
    (setNodeSize) => {
      // touching parts of equal node and flags merged on both sides: the kernel merges them, the sweep need not
      const merged = (parts: [number, number, number | null, number][]) => {
        const out: [number, number, number | null, number][] = [];
        for (const p of parts) {
          const last = out[out.length - 1];
          if (last && last[1] === p[0] && last[2] === p[2] && last[3] === p[3]) last[1] = p[1];
          else out.push([...p]);
        }
        return out;
      };
      fc.assert(
        fc.property(fc.array(setupArb, { maxLength: 30 }), nidArb, (setup, dn) => {
          const one = build(version, setup);
          // v6.5 .. v6.14 passed the region's end as the size: memblock_set_node(base, base + size)
          for (const r of one.memory.regions())
            one.setNode(r.base, setNodeSize === 'end' ? r.base + r.size : r.size, one.reserved, r.nid ?? dn);
          const kernel: [number, number, number | null, number][] = [];
          one.forEachReservedMemRegion((s, e, nid, f) => kernel.push([s, e, nid, f]));
          const col = build(version, setup);
          const before = regions(col.reserved);
          const swept: [number, number, number | null, number][] = [];
          col.forEachReservedMemRegionByNode(dn, (s, e, nid, f) => swept.push([s, e, nid, f]), setNodeSize);
          expect(merged(swept)).toEqual(merged(kernel));
          // nothing stored: the array is as it was
          expect(regions(col.reserved)).toEqual(before);
          // skipFlags: the same parts less those with a skipped flag (no call for them), for both walks
          for (const skip of [F.MEMBLOCK_RSRV_NOINIT, F.MEMBLOCK_RSRV_KERN | F.MEMBLOCK_HOTPLUG]) {
            const kept: typeof swept = [];
            col.forEachReservedMemRegionByNode(
              dn,
              (s, e, nid, f) => kept.push([s, e, nid, f]),
              setNodeSize,
              skip,
            );
            expect(kept).toEqual(swept.filter((p) => !(p[3] & skip)));
            const all: typeof swept = [];
            const some: typeof swept = [];
            col.forEachReservedMemRegion((s, e, nid, f) => all.push([s, e, nid, f]));
            col.forEachReservedMemRegion((s, e, nid, f) => some.push([s, e, nid, f]), skip);
            expect(some).toEqual(all.filter((p) => !(p[3] & skip)));
          }
        }),
        { numRuns: 400 },
      );
    },
  );
});

describe('column operations on a loaded array and at scale', () => {
  it('regions a trace printed unmerged stay so where no batch range reaches them', () => {
    const mb = fresh('newest');
    mb.reserved.load([
      { start: 0, end: 10, nid: null, flags: 0 },
      { start: 10, end: 20, nid: null, flags: 0 },
      { start: 40, end: 50, nid: null, flags: 0 },
    ]);
    expect(mb.reserved.unmerged).toBe(true);
    mb.reserveRanges(toBatch([[50, 60]]), 0);
    // [40,50) is touched by the new [50,60) (same nid and flags): merged, as memblock_add_range's window does
    expect(regions(mb.reserved).map((r) => [r.base, r.base + r.size])).toEqual([
      [0, 10],
      [10, 20],
      [40, 60],
    ]);
  });

  it('a million preserved blocks reserved and marked NOINIT in one sweep, touching ones merged', () => {
    const n = 1_000_000;
    const start = new Float64Array(n);
    const end = new Float64Array(n);
    // pairs of touching 8 KiB blocks separated by a 4 KiB gap
    for (let k = 0; k < n; k++) {
      const pair = Math.floor(k / 2);
      start[k] = 2 ** 32 + pair * 20480 + (k % 2) * 8192;
      end[k] = start[k]! + 8192;
    }
    const mb = fresh('newest');
    mb.addNode(0, 2 ** 40, 0);
    mb.reserve(2 ** 32 - 4096, 4096);
    const t0 = cpuNow();
    mb.reserveRanges({ start, end, n }, F.MEMBLOCK_RSRV_NOINIT);
    const ms = cpuNow() - t0;
    expect(mb.reserved.count).toBe(1 + n / 2);
    expect(mb.reserved.flags(1)).toBe(F.MEMBLOCK_RSRV_NOINIT);
    expect(mb.reserved.size(1)).toBe(16384);
    expect(mb.reserved.totalSize).toBe(4096 + n * 8192);
    // one sweep: well under a second of CPU (test/helpers/cpu-time.ts: wall time on a shared machine is the
    // neighbours')
    expect(ms).toBeLessThan(3000);
  });

  it('rejects an unsorted batch', () => {
    const mb = fresh('newest');
    expect(() =>
      mb.reserveRanges(
        toBatch([
          [10, 20],
          [0, 5],
        ]),
        0,
      ),
    ).toThrow(/not sorted/);
  });
});

describe('column operations on a trace array whose regions overlap', () => {
  it('covers the union, flags every batch byte, leaves outside bytes their regions, sorted', () => {
    const span = fc
      .tuple(fc.nat(SPACE - 1), fc.integer({ min: 1, max: 30 }))
      .map(([b, n]) => ({ start: b, end: Math.min(SPACE, b + n) }));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 10 }), batchArb, (loaded, batch) => {
        const mb = fresh('newest');
        mb.reserved.load(loaded.map((r, i) => ({ ...r, nid: i % 2, flags: F.MEMBLOCK_RSRV_KERN })));
        mb.reserveRanges(toBatch(batch), F.MEMBLOCK_RSRV_NOINIT);
        const inBatch = (a: number) => batch.some(([b, e]) => a >= b && a < e);
        const inLoaded = (a: number) => loaded.some((r) => a >= r.start && a < r.end);
        const rs = regions(mb.reserved);
        for (let i = 1; i < rs.length; i++) expect(rs[i]!.base).toBeGreaterThanOrEqual(rs[i - 1]!.base);
        for (let a = 0; a < SPACE; a++) {
          const hit = rs.filter((r) => a >= r.base && a < r.base + r.size);
          expect(hit.length > 0).toBe(inBatch(a) || inLoaded(a));
          for (const r of hit) {
            // memblock_reserved_mark_noinit() over the batch; outside it a region keeps what it had
            expect((r.flags & F.MEMBLOCK_RSRV_NOINIT) !== 0).toBe(inBatch(a));
            if (!inBatch(a)) expect(r.flags).toBe(F.MEMBLOCK_RSRV_KERN);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
