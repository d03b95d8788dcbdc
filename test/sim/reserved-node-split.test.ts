// memmap_init_reserved_pages() from v6.5 sets each memory region's node on memblock.reserved first
// (memblock_set_node, linux v7.3-rc7 mm/memblock.c memmap_init_reserved_pages), so a reserved region crossing a node
// boundary is split there and its struct pages on the far node are set up with that node and its zones. 6.1 asked
// early_pfn_to_nid() per pfn and got the same nodes. Pfns, 4 KiB pages, x86_64 (32768-page sections).
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/sim/index.js';
import { MEMBLOCK_FLAGS as F, Memblock } from '../../src/sim/memblock.js';
import { MAX_NR_ZONES } from '../../src/sim/arch.js';
import { HOLEY, makeHost, PAGE } from './build-host.js';

// node 0: low memory + [0x100000, 0x140000); node 1: [0x140000, 0x180000). With deferred init, node 0 defers from
// 0x108000 and node 1 from 0x148000 (one section of its top zone initialised early).
const MEM = [
  [1, 0x80000, 0],
  [0x100000, 0x140000, 0],
  [0x140000, 0x180000, 1],
] as const;

/** A host whose one reserved region [start, end) has no node (memblock_reserve: NUMA_NO_NODE). */
function crossingHost(start: number, end: number, release: string) {
  const host = makeHost({ memory: MEM, release });
  return { ...host, reserved: [{ start: start * PAGE, end: end * PAGE, nid: null, flags: 0 }] };
}

describe('memmap_init_reserved_pages: a reserved region crossing a node boundary', () => {
  const [s, e] = [0x13f000, 0x149000];

  it.each(['6.12.0', '7.3.0'])('%s: each part is set up with the node of the memory under it', (release) => {
    const tl = replay(crossingHost(s, e, release), null, { deferred: 'on' });
    const fn = tl.mm.reserveRangeFn;
    // node 0's part, above its first_deferred_pfn: initialised here in node 0's Normal zone
    expect(tl.memmap.stateAt(s)).toMatchObject({ initCount: 1, nid: 0, zid: 2, reserved: true, initBy: fn });
    // node 1's part below its first_deferred_pfn: memmap_init did it, nothing initialises it again
    expect(tl.memmap.stateAt(0x140000)).toMatchObject({ initCount: 1, nid: 1, zid: 2, reserved: true });
    expect(tl.memmap.stateAt(0x140000).initBy).not.toBe(fn);
    // node 1's part above its first_deferred_pfn: initialised here, node 1 (the start's node 0 has no zone there)
    expect(tl.memmap.stateAt(e - 1)).toMatchObject({
      initCount: 1,
      nid: 1,
      zid: 2,
      reserved: true,
      initBy: fn,
    });
    expect(tl.diagnostics.filter((d) => d.code === 'SIM_NO_ZONE_SPANS_PFN')).toEqual([]);
  });

  it('6.1 (early_pfn_to_nid per pfn) gives every page the same node and zone', () => {
    const newer = replay(crossingHost(s, e, '6.12.0'), null, { deferred: 'on' });
    const old = replay(crossingHost(s, e, '6.1.0'), null, { deferred: 'on' });
    expect(old.mm.name).toBe('linux-6.1');
    for (const pfn of [s, 0x13ffff, 0x140000, 0x147fff, 0x148000, e - 1]) {
      const a = newer.memmap.stateAt(pfn);
      const b = old.memmap.stateAt(pfn);
      expect([pfn, a.nid, a.zid, a.initCount]).toEqual([pfn, b.nid, b.zid, b.initCount]);
    }
  });
});

// v6.5 .. v6.14 called memblock_set_node(start, end, &memblock.reserved, nid) where it takes a size (61167ad5fecd, fixed
// by 06eaa824fd23 in v6.15 and 6.6.90, 6.12.28, 6.14.6), so node 1's region [0x140000, 0x170000) set its node on
// reserved memory up to pfn 2 * 0x140000 + 0x30000: the reserved pages in the hole [0x170000, 0x174000) (inside a
// present section, so with struct pages) take node 1. Without a node (the fixed kernels) they ask early_pfn_to_nid()
// of a pfn outside memory, first_online_node 0, and init_deferred_page(pfn, 0) finds no zone of node 0 spanning them
// (zid MAX_NR_ZONES): both above their node's first_deferred_pfn, so both kernels initialise them again.
describe('memmap_init_reserved_pages: a reserved region in a hole above a memory region', () => {
  const holeHost = (release: string, reserved: readonly (readonly [number, number])[]) => {
    const host = makeHost({ memory: HOLEY, release });
    return {
      ...host,
      reserved: reserved.map(([s, e]) => ({ start: s * PAGE, end: e * PAGE, nid: null, flags: 0 })),
    };
  };
  const hole = [0x170000, 0x172000] as const;

  it.each(['6.6.10', '6.6.89', '6.7.0', '6.12.9', '6.14.5'])(
    '%s (memblock_set_node(start, end)): the hole pages take the node of the memory region below',
    (release) => {
      const tl = replay(holeHost(release, [hole]), null, { deferred: 'on' });
      expect(tl.mm.reservedSetNodeSize).toBe('end');
      for (const pfn of [hole[0], hole[1] - 1])
        expect(tl.memmap.stateAt(pfn)).toMatchObject({
          nid: 1,
          zid: 2,
          reserved: true,
          initBy: tl.mm.reserveRangeFn,
        });
      expect(tl.diagnostics.filter((d) => d.code === 'SIM_NO_ZONE_SPANS_PFN')).toEqual([]);
    },
  );

  it.each(['6.6.90', '6.12.28', '6.14.6', '6.15.0', '7.3.0'])(
    '%s (memblock_set_node(start, size)): early_pfn_to_nid() gives node 0, which has no zone there',
    (release) => {
      const tl = replay(holeHost(release, [hole]), null, { deferred: 'on' });
      expect(tl.mm.reservedSetNodeSize).toBe('size');
      expect(tl.memmap.stateAt(hole[0])).toMatchObject({ nid: 0, zid: MAX_NR_ZONES, reserved: true });
      expect(tl.diagnostics.map((d) => d.code)).toContain('SIM_NO_ZONE_SPANS_PFN');
    },
  );

  // pfn 0 is below the first memory region (base pfn 1): no memblock_set_node() reaches it on any kernel
  it('before 6a9531c3a880 (6.6.0 .. 6.6.14, 6.7.0 .. 6.7.2) a part no call reached keeps MAX_NUMNODES: warned, left alone', () => {
    for (const release of ['6.6.10', '6.7.2']) {
      const tl = replay(holeHost(release, [[0, 1]]), null, { deferred: 'on' });
      expect(tl.mm.reservedNoNode).toBe('max-numnodes');
      const unset = tl.diagnostics.filter((d) => d.code === 'SIM_RESERVED_NID_UNSET');
      expect(unset).toHaveLength(1);
      expect(unset[0]!.message).toContain('[mem 0x0000000000000000-0x0000000000000fff]');
      expect(tl.memmap.stateAt(0)).toMatchObject({ reserved: true, nid: 0 });
      expect(tl.memmap.stateAt(0).initBy).not.toBe(tl.mm.reserveRangeFn);
    }
    for (const release of ['6.6.15', '6.7.3', '6.8.0']) {
      const tl = replay(holeHost(release, [[0, 1]]), null, { deferred: 'on' });
      expect(tl.mm.reservedNoNode).toBe('early-pfn-to-nid');
      expect(tl.diagnostics.map((d) => d.code)).not.toContain('SIM_RESERVED_NID_UNSET');
    }
    // without DEFERRED_STRUCT_PAGE_INIT init_reserved_page() is empty: nothing undefined to say
    const off = replay(holeHost('6.6.10', [[0, 1]]), null, { deferred: 'off' });
    expect(off.diagnostics.map((d) => d.code)).not.toContain('SIM_RESERVED_NID_UNSET');
  });
});

describe('Memblock.forEachReservedMemRegionByNode', () => {
  const parts = (mb: Memblock) => {
    const out: [number, number, number | null, number][] = [];
    mb.forEachReservedMemRegionByNode(0, (s, e, nid, f) => out.push([s, e, nid, f]));
    return out;
  };

  it('splits reserved regions at memory boundaries: memory parts take its node, parts outside keep their own', () => {
    const mb = new Memblock({ version: 'newest', pageShift: 0 });
    mb.addNode(0, 100, 0);
    mb.addNode(100, 100, 1);
    mb.add(300, 50); // no node: the default (0)
    mb.reserve(90, 20); // crosses 0 -> 1
    mb.reserve(180, 140); // node 1 -> hole -> memory without a node
    mb.reserveNode(350, 10, 1, F.MEMBLOCK_RSRV_KERN); // outside memory: keeps its own node
    expect(parts(mb)).toEqual([
      [90, 100, 0, 0],
      [100, 110, 1, 0],
      [180, 200, 1, 0],
      [200, 300, null, 0],
      [300, 320, 0, 0],
      [350, 360, 1, F.MEMBLOCK_RSRV_KERN],
    ]);
  });

  it('memory regions a trace printed overlapping: the later one wins, as the kernel loop leaves it', () => {
    const mb = new Memblock({ version: 'newest', pageShift: 0 });
    mb.memory.load([
      { start: 0, end: 100, nid: 0, flags: 0 },
      { start: 50, end: 150, nid: 1, flags: 0 },
    ]);
    mb.reserve(40, 80);
    expect(parts(mb)).toEqual([
      [40, 50, 0, 0],
      [50, 120, 1, 0],
    ]);
  });
});
