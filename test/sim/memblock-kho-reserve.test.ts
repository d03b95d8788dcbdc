// kho_memory_init()'s reservations as memblock sees them: memblock_reserve() + memblock_reserved_mark_noinit() per
// preserved block in the walk's order, and the memblock_double_array() of memblock.reserved they cause, in scratch-only
// mode (linux v7.3-rc7 kernel/liveupdate/kexec_handover.c kho_preserved_memory_reserve; mm/memblock.c
// memblock_add_range, memblock_isolate_range, memblock_double_array, memblock_discard). 4 KiB pages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEMBLOCK_FLAGS } from '../../src/core/index.js';
import { Memblock } from '../../src/sim/memblock.js';
import type { KhoReserveBlocks, KhoWalkOrder } from '../../src/sim/memblock-kho-reserve.js';
import { reserveKhoBlocks, reserveKhoBlocksOn, walkPermutation } from '../../src/sim/memblock-kho-reserve.js';
import { readFileSync } from 'node:fs';
import { parseDmesg } from '../../parsers/dmesg/index.js';
import { makeHost } from './build-host.js';
import { imageOf } from './kho-fixtures.js';
import { replayKho } from './kho-replay-helper.js';

const F = MEMBLOCK_FLAGS;
const PAGE = 4096;

function blocksOf(spec: readonly { pfn: number; order: number }[]): KhoReserveBlocks {
  const s = [...spec].sort((a, b) => a.pfn - b.pfn);
  return {
    startPfn: Float64Array.from(s.map((b) => b.pfn)),
    endPfn: Float64Array.from(s.map((b) => b.pfn + 2 ** b.order)),
    order: Uint8Array.from(s.map((b) => b.order)),
    length: s.length,
  };
}

/** Memory [0, 4 GiB) on node 0, the kernel image [1 MiB, 2 MiB) reserved: one region, NUMA_NO_NODE, flags 0. */
function base(reservedRegions?: number): Memblock {
  const mb = new Memblock({ version: 'newest', ...(reservedRegions ? { reservedRegions } : {}) });
  mb.addNode(0, 4 * 2 ** 30, 0);
  mb.reserve(0x100000, 0x100000);
  return mb;
}

/** Scratch: 16 MiB at 256 MiB, pfns [0x10000, 0x11000). */
const SCRATCH = [{ start: 0x10000, end: 0x11000 }];
/** n order-0 blocks at pfn 0x20000 + 2k: none touches another. */
const isolated = (n: number) => Array.from({ length: n }, (_, k) => ({ pfn: 0x20000 + 2 * k, order: 0 }));

describe('memblock.reserved doubled by kho_memory_init()', () => {
  it('200 blocks: one doubling, in the mark_noinit of block 125, the new array at the top of scratch', () => {
    // Count before block k: 1 + k. memblock_isolate_range() wants cnt + 2 <= max after the block's add (cnt + 1):
    // 1 + k + 1 + 2 > 128 first at k = 125. new_alloc_size = PAGE_ALIGN(2 * 128 * 24 = 6144) = 8192, found top-down
    // in [block end, current_limit) within KHO_SCRATCH memory: 0x11000000 - 0x2000 = 0x10ffe000, reserved with
    // memblock_reserve_kern(). Final: 1 + 200 blocks + 1 array = 202 regions, max 256.
    const mb = base();
    const r = reserveKhoBlocks(mb, blocksOf(isolated(200)), 'order-desc', SCRATCH);
    expect(r.general).toBeNull();
    expect(r.doublings).toEqual([
      { block: 125, during: 'memblock_reserved_mark_noinit', newMax: 256, addr: 0x10ffe000, sizeBytes: 8192 },
    ]);
    expect([mb.reserved.count, mb.reserved.max, mb.reserved.arrayAddr]).toEqual([202, 256, 0x10ffe000]);
    const arr = mb.reserved.regions().find((g) => g.base === 0x10ffe000)!;
    expect(arr).toEqual({ base: 0x10ffe000, size: 8192, nid: null, flags: F.MEMBLOCK_RSRV_KERN });
  });

  it('300 blocks: the second array is found while the first is still reserved, then the first is freed', () => {
    // After the first doubling the count before block k (k > 125) is 2 + k: 2 + k + 1 + 2 > 256 first at k = 252.
    // PAGE_ALIGN(512 * 24) = 12288 bytes; [0x10ffe000, 0x11000000) is still the reserved array at the search, so
    // 0x10ffe000 - 0x3000 = 0x10ffb000; then memblock_free() of the old 8192 bytes. Final: 1 + 300 + 1 = 302, max 512.
    const mb = base();
    const r = reserveKhoBlocks(mb, blocksOf(isolated(300)), 'order-desc', SCRATCH);
    expect(r.doublings.map((d) => [d.block, d.newMax, d.addr, d.sizeBytes])).toEqual([
      [125, 256, 0x10ffe000, 8192],
      [252, 512, 0x10ffb000, 12288],
    ]);
    expect([mb.reserved.count, mb.reserved.max, mb.reserved.arrayAddr]).toEqual([302, 512, 0x10ffb000]);
    expect(mb.reserved.search(0x10ffe000)).toBe(-1);
  });

  it('the walk order decides the peak: bridging blocks walked last need a doubling the final count does not', () => {
    // 42 triples X (order 0 at p), Y (order 1 at p + 1), Z (order 0 at p + 3), p = 0x20000 + 5t: triples never touch.
    // A static array of 64 (an arch can set INIT_MEMBLOCK_RESERVED_REGIONS lower), the kernel image region first.
    // Radix order (highest first): the 42 Y (count 43), then each X and Z merges into its Y: count_before + 1 + 2 is
    // at most 46 <= 64, no doubling, 43 regions. kho-v1 order (order 0 first): X_0, Z_0, X_1, ... all apart, count
    // before the j-th is 1 + j, and 1 + j + 1 + 2 > 64 first at j = 61 = Z_30 (index 3 * 30 + 2 = 92 by address):
    // PAGE_ALIGN(128 * 24) = 4096 bytes. Then 2 + 84 = 86, and each Y bridges its X and Z (-1): 44 with the array.
    const triples = Array.from({ length: 42 }, (_, t) => 0x20000 + 5 * t).flatMap((p) => [
      { pfn: p, order: 0 },
      { pfn: p + 1, order: 1 },
      { pfn: p + 3, order: 0 },
    ]);
    const radix = base(64);
    expect(reserveKhoBlocks(radix, blocksOf(triples), 'order-desc', SCRATCH).doublings).toEqual([]);
    const v1 = base(64);
    const r = reserveKhoBlocks(v1, blocksOf(triples), 'order-asc', SCRATCH);
    expect(r.doublings.map((d) => [d.block, d.during, d.newMax, d.sizeBytes])).toEqual([
      [92, 'memblock_reserved_mark_noinit', 128, 4096],
    ]);
    expect([radix.reserved.count, v1.reserved.count]).toEqual([43, 44]);
  });

  it('no room in scratch: "Failed to double", the blocks from there on reserved the kernel way (general path)', () => {
    // scratch of one page: PAGE_ALIGN(2 * 128 * 24) = 2 pages never fit. Block 125: its add (126 + 1 <= 128) succeeds,
    // its isolate (127 + 2 > 128) fails, so it stays reserved without RSRV_NOINIT; block 126: add 127 + 1 <= 128
    // succeeds, isolate fails: the same; block 127 on: the add (128 + 1 > 128) fails, nothing reserved
    const mb = base();
    const { memblock, result } = reserveKhoBlocksOn(mb, blocksOf(isolated(130)), 'order-desc', [
      { start: 0x10000, end: 0x10001 },
    ]);
    expect(result.failed).toEqual({ block: 125, max: 128 });
    expect(result.doublings).toEqual([]);
    const at = (k: number) => memblock.reserved.search((0x20000 + 2 * k) * PAGE);
    expect(memblock.reserved.flags(at(124))).toBe(F.MEMBLOCK_RSRV_NOINIT);
    expect([memblock.reserved.flags(at(125)), memblock.reserved.flags(at(126))]).toEqual([0, 0]);
    expect(at(127)).toBe(-1);
    expect(memblock.reserved.count).toBe(128);
  });
});

describe('the fast path against the kernel sequence', () => {
  // memory: one or two nodes over [0, 64 pages) x 4 KiB; pre-existing reserved regions and blocks disjoint; scratch
  // anywhere (blocks in it included: a broken image's KHO_OVERLAPS_SCRATCH); a small static array so that doublings
  // happen after a few blocks.
  const SPACE = 4096;
  const arbOf = (maxes: number[], minLength: number, maxLength: number) =>
    fc.record({
      max: fc.constantFrom(...maxes),
      split: fc.integer({ min: 1, max: SPACE - 1 }),
      twoNodes: fc.boolean(),
      cells: fc.array(
        fc.record({
          kind: fc.constantFrom('block', 'block', 'block', 'gap', 'plain', 'noinit', 'kern'),
          order: fc.integer({ min: 0, max: 3 }),
        }),
        { minLength, maxLength },
      ),
      scratch: fc.array(fc.tuple(fc.integer({ min: 1, max: SPACE - 1 }), fc.integer({ min: 1, max: 256 })), {
        minLength: 1,
        maxLength: 3,
      }),
      walk: fc.constantFrom<KhoWalkOrder>('order-desc', 'order-asc'),
    });
  type Case = typeof arb extends fc.Arbitrary<infer T> ? T : never;
  const arb = arbOf([4, 8, 16], 30, 120);
  /** One case both ways; the fast path's result (general: null when it ran) for the caller's counts. */
  const compareOnce = (c: Case) => {
    const mb = new Memblock({ version: 'newest', reservedRegions: c.max });
    if (c.twoNodes) {
      mb.addNode(0, c.split * PAGE, 0);
      mb.addNode(c.split * PAGE, (SPACE - c.split) * PAGE, 1);
    } else mb.addNode(0, SPACE * PAGE, 0);
    const spec: { pfn: number; order: number }[] = [];
    let pfn = 0;
    for (const cell of c.cells) {
      const len = 2 ** cell.order;
      if (pfn + len > SPACE) break;
      if (cell.kind === 'block') spec.push({ pfn, order: cell.order });
      else if (cell.kind !== 'gap' && mb.reserved.count + 1 < c.max) {
        const flags =
          cell.kind === 'noinit' ? F.MEMBLOCK_RSRV_NOINIT : cell.kind === 'kern' ? F.MEMBLOCK_RSRV_KERN : 0;
        mb.reserveNode(pfn * PAGE, len * PAGE, null, flags);
      }
      pfn += len;
    }
    const scratch = c.scratch
      .map(([s, l]) => ({ start: s, end: Math.min(SPACE, s + l) }))
      .sort((x, y) => x.start - y.start)
      .reduce<{ start: number; end: number }[]>((out, r) => {
        const last = out[out.length - 1];
        if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
        else out.push({ ...r });
        return out;
      }, []);
    const blocks = blocksOf(spec);
    const fast = reserveKhoBlocksOn(mb, blocks, c.walk, scratch);
    const ref = mb.clone();
    const rr = reserveKhoBlocks(ref, blocks, c.walk, scratch, { forceGeneral: 'reference' });
    expect(fast.memblock.reserved.regions()).toEqual(ref.reserved.regions());
    expect([fast.memblock.reserved.max, fast.memblock.reserved.arrayAddr]).toEqual([
      ref.reserved.max,
      ref.reserved.arrayAddr,
    ]);
    expect(fast.result.doublings).toEqual(rr.doublings);
    expect(fast.result.failed).toEqual(rr.failed);
    // the fast path's own count of the regions (groupPass) never disagrees with the array: a disagreement would be
    // redone block by block above and go unseen
    expect(fast.result.general ?? '').not.toMatch(/count disagreed/);
    return fast.result;
  };

  it('reserveKhoBlocks() leaves the array, its max and address, and the doublings the block-by-block path leaves', () => {
    let fast = 0;
    let doubled = 0;
    fc.assert(
      fc.property(arb, (c: Case) => {
        const r = compareOnce(c);
        if (r.general === null) fast++;
        if (r.doublings.length) doubled++;
      }),
      { numRuns: 400, seed: 7 },
    );
    // the comparison means something only if the fast path ran, and doubled, in most cases
    expect(fast).toBeGreaterThan(300);
    expect(doubled).toBeGreaterThan(200);
  });

  it("the same with hundreds of blocks: doublings past the group marks (every 64 of a group's count)", () => {
    let doubled = 0;
    fc.assert(
      fc.property(arbOf([16, 32], 300, 600), (c: Case) => {
        const r = compareOnce(c);
        if (r.general === null && r.doublings.length >= 3) doubled++;
      }),
      { numRuns: 60, seed: 11 },
    );
    expect(doubled).toBeGreaterThan(40);
  });

  it('blocks that overlap or are empty: the regions block by block, with room in the array and without', () => {
    // the fast path's batch skips applyBatch()'s own look at the ranges only once groupPass() has found every block
    // non-empty and clear of the one before; any other batch (overlapping, empty, touching blocks) is looked at
    const spec = fc.array(
      fc.record({ pfn: fc.integer({ min: 0, max: 200 }), len: fc.integer({ min: 0, max: 9 }) }),
      { minLength: 1, maxLength: 40 },
    );
    let overlapping = 0;
    fc.assert(
      fc.property(spec, fc.constantFrom(8, 512), (bs, max) => {
        const s = [...bs].sort((a, b) => a.pfn - b.pfn);
        const blocks: KhoReserveBlocks = {
          startPfn: Float64Array.from(s.map((b) => 0x1000 + b.pfn)),
          endPfn: Float64Array.from(s.map((b) => 0x1000 + b.pfn + b.len)),
          order: Uint8Array.from(s.map((b) => Math.max(0, Math.floor(Math.log2(b.len || 1))))),
          length: s.length,
        };
        for (let i = 1; i < s.length; i++) if (blocks.startPfn[i]! < blocks.endPfn[i - 1]!) overlapping++;
        const mb = new Memblock({ version: 'newest', reservedRegions: max });
        mb.addNode(0, 4 * 2 ** 30, 0);
        mb.reserve(0x100000, 0x100000);
        const fast = reserveKhoBlocksOn(mb, blocks, 'order-desc', SCRATCH);
        const ref = mb.clone();
        reserveKhoBlocks(ref, blocks, 'order-desc', SCRATCH, { forceGeneral: 'reference' });
        expect(fast.memblock.reserved.regions()).toEqual(ref.reserved.regions());
      }),
      { numRuns: 300, seed: 5 },
    );
    expect(overlapping).toBeGreaterThan(100);
  });
});

describe('a KHO replay whose blocks pass the static array', () => {
  // one node [1, 0x140000), Normal from 0x100000, first_deferred_pfn 0x108000 (one section of Normal eager);
  // reserved: the kernel image [0x1000, 0x1100); scratch 16 MiB at pfn 0x10000; 200 order-0 blocks at 0x20000 + 2k
  const host = makeHost({
    memory: [
      [1, 0x80000, 0],
      [0x100000, 0x140000, 0],
    ],
    reserved: [[0x1000, 0x1100, 0]],
    release: '7.3.0',
  });
  const scratch = [{ pfn: 0x10000, order: 12 }];

  it('v7.1 (kho-v3): the array in kho_scratch[], its 2 pages reserved by memblock_free_all, freed by memblock_discard', () => {
    // with deferred init off every struct page is set up by memmap_init: the array's 2 pages at pfn 0x10ffe are
    // PG_reserved in memblock_free_all (not freed by it) and freed to the buddy in page_alloc_init_late
    const r = replayKho(host, imageOf(isolated(200), { abi: 'kho-v3', scratch }), { deferred: 'off' });
    const d = r.timeline.diagnostics.find((x) => x.code === 'SIM_KHO_RESERVED_DOUBLED')!;
    expect(d.message).toContain('to 256 regions');
    expect(d.message).toContain('8192 bytes at [mem 0x0000000010ffe000-0x0000000010ffffff]');
    expect(r.timeline.memmap.stateAt(0x10ffe)).toMatchObject({ reserved: false, buddy: true });
    const late = r.timeline.phases.find((p) => p.name === 'page_alloc_init_late')!;
    expect(late.freed).toBe(2);
    // the `Memory:` line is printed before memblock_discard(): those 2 pages are not in it
    const ml = r.timeline.memoryLine;
    expect(ml.freeAfterDeferredKiB).toBe(ml.freeAtMemInitKiB);
  });

  it('v7.3 (kho-v4): kho_extend_scratch() makes the top of memory scratch: the array lands there, deferred', () => {
    // busy 1 GiB blocks: [0, 1 GiB) (the blocks at 512 MiB); extended scratch [1 GiB, 5 GiB): the array at
    // 0x140000000 - 0x2000, pfn 0x13fffe, above first_deferred_pfn 0x108000: memmap_init_reserved_range() sets its
    // struct pages up (init_deferred_page), deferred init skips them (reserved), memblock_discard() frees them
    const r = replayKho(host, imageOf(isolated(200), { abi: 'kho-v4', scratch }), { deferred: 'on' });
    expect(r.kho.profile.name).toBe('v7.3');
    expect(r.timeline.memmap.stateAt(0x13fffe)).toMatchObject({
      initCount: 1,
      initBy: 'memmap_init_reserved_range',
      reserved: false,
      buddy: true,
    });
    expect(r.timeline.memmap.stateAt(0x13fffd)).toMatchObject({ initBy: 'deferred_init_pages' });
  });

  it("the kernel's own `reserved is doubled` lines of kho_memory_init(): agreed, elsewhere, missing", () => {
    // a memblock=debug log of the incoming kernel: a kho_preserved_memory_reserve() call, then the doubling line
    const call = (line: number) => ({
      fn: '__memblock_reserve',
      kind: 'memblock_reserve' as const,
      base: 0x20000000,
      end: 0x20001000,
      caller: 'kho_preserved_memory_reserve+0x91/0xd0',
      line,
    });
    const doubled = (line: number, base: number) => ({
      fn: 'memblock_double_array',
      kind: 'memblock_double_array' as const,
      arrayType: 'reserved' as const,
      newMax: 256,
      base,
      end: base + 6144,
      caller: 'memblock_double_array',
      line,
    });
    const img = imageOf(isolated(200), { abi: 'kho-v3', scratch });
    const codes = (calls: object[]) =>
      replayKho({ ...host, memblockCalls: calls as never }, img, { deferred: 'off' })
        .timeline.diagnostics.filter((d) => d.code.startsWith('MEMBLOCK_REPLAY_DOUBLE'))
        .map((d) => [d.code, d.location?.line]);
    expect(codes([call(10), doubled(11, 0x10ffe000), call(12)])).toEqual([]);
    expect(codes([call(10), doubled(11, 0x20000000), call(12)])).toEqual([
      ['MEMBLOCK_REPLAY_DOUBLE_ELSEWHERE', 11],
    ]);
    expect(codes([call(10), call(12)])).toEqual([['MEMBLOCK_REPLAY_DOUBLE_UNLOGGED', undefined]]);
    // a log without kho_memory_init()'s calls (the outgoing kernel's, say) is not compared
    expect(codes([])).toEqual([]);
  });
});

describe("the walk order against the kernel's own log", () => {
  // the incoming kernels of the real captures booted with memblock=debug: kho_mem_retrieve()'s memblock_reserve() of
  // each preserved block is logged (`__memblock_reserve: [..] ... kho_preserved_memory_reserve+0x91/0xd0`) in the
  // order the radix walk visits the keys
  it.each([
    ['traces/real-kho-c-8g-2node-luo-memfd/stage2-after-kexec/dmesg.txt', 17619],
    ['traces/capture-real-kho-v7.3-rc7/stage2-after-kexec/dmesg.txt', 19],
  ])('%s: the logged order is walkPermutation(order-desc) of the blocks sorted by address', (file, count) => {
    const log = parseDmesg(readFileSync(file, 'utf8'), file);
    const logged = log.memblockCalls
      .filter((c) => c.caller.startsWith('kho_preserved_memory_reserve'))
      .map((c) => ({ pfn: c.base / PAGE, order: Math.log2((c.end - c.base) / PAGE) }));
    expect(logged.length).toBe(count);
    const blocks = blocksOf(logged);
    const perm = walkPermutation(blocks.order, blocks.length, 'order-desc');
    expect(Array.from(perm, (i) => blocks.startPfn[i])).toEqual(logged.map((b) => b.pfn));
    // and not kho-v1's order (this log has more than one order)
    const asc = walkPermutation(blocks.order, blocks.length, 'order-asc');
    expect(Array.from(asc, (i) => blocks.startPfn[i])).not.toEqual(logged.map((b) => b.pfn));
  });
});
