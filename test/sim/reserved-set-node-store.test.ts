// memmap_init_reserved_pages()' memblock_set_node(region->base, region->size, &memblock.reserved, nid) per memory region
// changes the reserved array itself (linux v7.3-rc7 mm/memblock.c memmap_init_reserved_pages, memblock_set_node ->
// memblock_isolate_range + memblock_merge_regions): regions split where the node changes, touching ones merged where
// their nodes become equal, and the array doubled when an isolate finds cnt + 2 > max (memblock_double_array), then
// the whole loop again (eac8ea8736cc). The size rule (06eaa824fd23, v6.15 on). 4 KiB pages.
import { describe, expect, it } from 'vitest';
import { MEMBLOCK_FLAGS as F, Memblock } from '../../src/sim/memblock.js';
import { reservedSetNodeLoop } from '../../src/sim/phases/memblock_free_all.js';
import { replay } from '../../src/sim/index.js';
import { makeHost, PAGE } from './build-host.js';

const G = 2 ** 30;
const M = 2 ** 20;

/** Memory [0, 2 GiB) node 0 and [2 GiB, 4 GiB) node 1. */
function twoNodes(reservedRegions?: number): Memblock {
  const mb = new Memblock({ version: 'newest', ...(reservedRegions ? { reservedRegions } : {}) });
  mb.addNode(0, 2 * G, 0);
  mb.addNode(2 * G, 2 * G, 1);
  return mb;
}

/** The kernel's own sequence: memblock_set_node() of each memory region in order, on a copy. */
function oneByOne(mb: Memblock) {
  const g = mb.clone();
  for (let k = 0; k < g.memory.count; k++)
    g.setNode(g.memory.base(k), g.memory.size(k), g.reserved, g.memory.nid(k));
  return g.reserved.regions();
}

describe('the reserved array after the set-node loop', () => {
  it('a region across the node edge is split there; an allocation of node 0 and a touching reserve_kern merge', () => {
    // R = [2 GiB - 1 MiB, 2 GiB + 1 MiB), NUMA_NO_NODE, flags 0; K1 = [1 GiB, +4 KiB) node 0 RSRV_KERN (memblock_alloc
    // with a node), K2 = the next 4 KiB, NUMA_NO_NODE RSRV_KERN (memblock_reserve_kern). 3 regions before. The first
    // call isolates [0, 2 GiB): R splits at 2 GiB, K2 takes node 0 and merges with K1; the second sets node 1 on R's
    // upper part. Expect 3 regions: K1+K2 node 0, R's halves node 0 and node 1.
    const mb = twoNodes();
    mb.reserveNode(G, 4096, 0, F.MEMBLOCK_RSRV_KERN);
    mb.reserveNode(G + 4096, 4096, null, F.MEMBLOCK_RSRV_KERN);
    mb.reserve(2 * G - M, 2 * M);
    expect(mb.setNodeShape(0)).toEqual({ boundaries: 2, splits: 1, merges: 1 });
    const loop = reservedSetNodeLoop(mb);
    const want = [
      { base: G, size: 8192, nid: 0, flags: F.MEMBLOCK_RSRV_KERN },
      { base: 2 * G - M, size: M, nid: 0, flags: 0 },
      { base: 2 * G, size: M, nid: 1, flags: 0 },
    ];
    expect(loop.memblock!.reserved.regions()).toEqual(want);
    expect(oneByOne(mb)).toEqual(want);
    // the starting memblock is left as it was (strategies share it)
    expect(mb.reserved.count).toBe(3);
  });

  it('a small array is rebuilt even where nothing splits (its nodes set); past 20,000 regions the sweep walks it', () => {
    const mb = twoNodes();
    mb.reserve(G, M);
    expect(reservedSetNodeLoop(mb).memblock!.reserved.regions()).toEqual([
      { base: G, size: M, nid: 0, flags: 0 },
    ]);
    // 20,001 regions in node 0 (max 32768): nothing splits, no rebuild
    const big = twoNodes();
    const many = (n: number) =>
      Array.from({ length: n }, (_, k) => ({ start: k * 8192, end: k * 8192 + 4096, nid: null, flags: 0 }));
    big.reserved.load(many(20_001));
    expect(reservedSetNodeLoop(big)).toEqual({ memblock: null, doublings: [], unmodelled: false });
    // 32,766 regions and one across the edge: count 32767 + 2 edges inside it + 2 > 32768: reported, not modelled
    const full = twoNodes();
    full.reserved.load([...many(32_766), { start: 2 * G - M, end: 2 * G + M, nid: null, flags: 0 }]);
    expect(full.reserved.max).toBe(32768);
    expect(reservedSetNodeLoop(full)).toEqual({ memblock: null, doublings: [], unmodelled: true });
  });

  it('127 regions and a split to make: the first isolate doubles the array (top of memory), the loop runs again', () => {
    // 126 small regions in node 0 and R across the edge: cnt 127, the isolate of [0, 2 GiB) wants 127 + 2 <= 128:
    // memblock_double_array(reserved, 0, 2 GiB) takes PAGE_ALIGN(256 * 24) = 8192 bytes top-down from [2 GiB,
    // current_limit): 4 GiB - 8192 = 0xffffe000, reserved RSRV_KERN (128), then R splits (129); the second call sets
    // node 1 on R's upper part and the array; max changed, so the loop again, which changes nothing. 129 regions.
    const mb = twoNodes();
    mb.allowResize();
    for (let k = 0; k < 126; k++) mb.reserve(256 * M + k * 65536, 4096);
    mb.reserve(2 * G - M, 2 * M);
    const loop = reservedSetNodeLoop(mb);
    expect(loop.doublings).toEqual([{ newMax: 256, addr: 0xffffe000 }]);
    const r = loop.memblock!.reserved;
    expect([r.count, r.max, r.arrayAddr]).toEqual([129, 256, 0xffffe000]);
    expect(r.region(r.search(0xffffe000))).toEqual({
      base: 0xffffe000,
      size: 8192,
      nid: 1,
      flags: F.MEMBLOCK_RSRV_KERN,
    });
  });
});

describe('a replay whose set-node loop doubles memblock.reserved', () => {
  // node 0: [1, 0x80000) + [0x100000, 0x140000); node 1: [0x140000, 0x180000) (first_deferred_pfn 0x148000);
  // 126 small reserved regions in node 0 and one across the node edge at 0x140000: 127 regions
  const MEM = [
    [1, 0x80000, 0],
    [0x100000, 0x140000, 0],
    [0x140000, 0x180000, 1],
  ] as const;
  const host = {
    ...makeHost({ memory: MEM, release: '7.3.0' }),
    reserved: [
      ...Array.from({ length: 126 }, (_, k) => ({
        start: (0x10000 + 16 * k) * PAGE,
        end: (0x10001 + 16 * k) * PAGE,
        nid: null,
        flags: 0,
      })),
      { start: 0x13f000 * PAGE, end: 0x141000 * PAGE, nid: null, flags: 0 },
    ],
  };

  it('the array at the top of node 1 is set up as reserved with node 1, and memblock_discard() frees it', () => {
    // three memory regions: the isolate of the first ([4 KiB, 2 GiB)) doubles: top-down from 2 GiB, the top of memory
    // 0x180000000 - 8192 = pfn 0x17fffe, above node 1's first_deferred_pfn: memmap_init_reserved_range() with the
    // node the loop's repeat gave it (1), zone Normal
    const tl = replay(host, null, { deferred: 'on' });
    expect(tl.mm.name).toBe('linux-7.3');
    const d = tl.diagnostics.find((x) => x.code === 'SIM_RESERVED_SET_NODE_DOUBLED')!;
    expect(d.message).toContain('to 256 regions');
    expect(d.message).toContain('8192 bytes at [mem 0x000000017fffe000-0x000000017fffffff]');
    expect(tl.memmap.stateAt(0x17fffe)).toMatchObject({
      initCount: 1,
      nid: 1,
      zid: 2,
      initBy: 'memmap_init_reserved_range',
      reserved: false,
      buddy: true,
    });
  });
});
