// Scenario tests in the style of the kernel's tools/testing/memblock/tests/basic_api.c: one case per relation
// between the ranges, each with a diagram and an "Expect" line, asserting the region arrays and totals.
import { describe, expect, it } from 'vitest';
import type { MemblockType, MemblockVersion } from '../../src/sim/memblock.js';
import { ENOMEM, MEMBLOCK_FLAGS, Memblock } from '../../src/sim/memblock.js';

const K = 1024;
const M = 1024 * K;
const G = 1024 * M;
const { MEMBLOCK_HOTPLUG, MEMBLOCK_NOMAP, MEMBLOCK_MIRROR, MEMBLOCK_KHO_SCRATCH } = MEMBLOCK_FLAGS;

/** [base, size, nid, flags] per region: compact enough to read next to a diagram. */
type Row = [number, number, number | null, number];
function rows(t: MemblockType): Row[] {
  return t.regions().map((r) => [r.base, r.size, r.nid, r.flags]);
}
function fresh(version: MemblockVersion = 'v6.1'): Memblock {
  return new Memblock({ version });
}

describe('memblock_add', () => {
  it('simple: one region into an empty array', () => {
    // Expect one region, cnt 1, total = size.
    const mb = fresh();
    mb.add(1 * G, 4 * M);
    expect(rows(mb.memory)).toEqual([[1 * G, 4 * M, null, 0]]);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.totalSize).toBe(4 * M);
  });

  it('node simple: memblock_add_node keeps nid and flags', () => {
    // Expect one region on node 1 with MEMBLOCK_HOTPLUG.
    const mb = fresh();
    mb.addNode(1 * M, 16 * M, 1, MEMBLOCK_HOTPLUG);
    expect(rows(mb.memory)).toEqual([[1 * M, 16 * M, 1, MEMBLOCK_HOTPLUG]]);
  });

  it('disjoint', () => {
    //  |     +----+      +----+     |
    //  |     | r1 |      | r2 |     |
    //  +-----+----+------+----+-----+
    // Expect two regions, cnt 2, total r1 + r2.
    const mb = fresh();
    mb.add(2 * G, 8 * K);
    mb.add(2 * G + 64 * K, 8 * K);
    expect(rows(mb.memory)).toEqual([
      [2 * G, 8 * K, null, 0],
      [2 * G + 64 * K, 8 * K, null, 0],
    ]);
    expect(mb.memory.totalSize).toBe(16 * K);
  });

  it('overlap top: r2 covers the start of r1', () => {
    //  |   +----+----+--------+    |
    //  |   | r2 |r2∩r1|  r1   |    |
    //  +---+----+----+--------+----+
    //      ^ r2.base  ^ r1.base
    // Expect one region from r2.base to r1's end; total = union.
    const mb = fresh();
    mb.add(768 * M, 1 * G);
    mb.add(512 * M, 512 * M);
    expect(rows(mb.memory)).toEqual([[512 * M, 256 * M + 1 * G, null, 0]]);
    expect(mb.memory.totalSize).toBe(256 * M + 1 * G);
  });

  it('overlap bottom: r2 covers the end of r1', () => {
    //  |  +------+--+-------+      |
    //  |  |  r1  |∩ |  r2   |      |
    //  +--+------+--+-------+------+
    // Expect one region from r1.base to r2's end.
    const mb = fresh();
    mb.add(64 * M, 512 * M);
    mb.add(256 * M, 1 * G);
    expect(rows(mb.memory)).toEqual([[64 * M, 192 * M + 1 * G, null, 0]]);
    expect(mb.memory.totalSize).toBe(192 * M + 1 * G);
  });

  it('within: r2 inside r1', () => {
    //  |  +-----+--+----------+    |
    //  |  |     |r2|    r1    |    |
    //  +--+-----+--+----------+----+
    // Expect r1 unchanged, total unchanged.
    const mb = fresh();
    mb.add(8 * M, 64 * M);
    mb.add(20 * M, 2 * M);
    expect(rows(mb.memory)).toEqual([[8 * M, 64 * M, null, 0]]);
    expect(mb.memory.totalSize).toBe(64 * M);
  });

  it('twice: the same range again', () => {
    // Expect cnt 1 and the total not counted twice.
    const mb = fresh();
    mb.add(32 * K, 4 * M);
    mb.add(32 * K, 4 * M);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.totalSize).toBe(4 * M);
  });

  it('between: r3 fills the gap between r1 and r2 exactly', () => {
    //  |  +----+----+----+    |
    //  |  | r1 | r3 | r2 |    |
    //  +--+----+----+----+----+
    // Expect the three to merge into one region.
    const mb = fresh();
    mb.add(1 * G, 1 * M);
    mb.add(1 * G + 3 * M, 1 * M);
    mb.add(1 * G + 1 * M, 2 * M);
    expect(rows(mb.memory)).toEqual([[1 * G, 4 * M, null, 0]]);
    expect(mb.memory.totalSize).toBe(4 * M);
  });

  it('across nodes: touching ranges of two nodes stay apart; overlapped parts keep their node', () => {
    //  |  +---- node 0 ----+---- node 1 ----+   |
    //  |  +--------+-------+--------+-------+   |
    //  |        +===== add(no node) =====+      |
    // Expect [n0][n1] unchanged: memblock_add_range only fills gaps, it never rewrites nid.
    const mb = fresh();
    mb.addNode(0, 4 * G, 0, 0);
    mb.addNode(4 * G, 4 * G, 1, 0);
    mb.add(2 * G, 4 * G);
    expect(rows(mb.memory)).toEqual([
      [0, 4 * G, 0, 0],
      [4 * G, 4 * G, 1, 0],
    ]);
    // A gap piece carries the new nid: [8G, 9G) on no node next to node 1 does not merge.
    mb.add(6 * G, 3 * G);
    expect(rows(mb.memory)).toEqual([
      [0, 4 * G, 0, 0],
      [4 * G, 4 * G, 1, 0],
      [8 * G, 1 * G, null, 0],
    ]);
  });

  it('flags: neighbours with different flags do not merge', () => {
    //  |  +-- HOTPLUG --+-- none --+   |
    // Expect two regions; a plain add over the hotplug one keeps HOTPLUG on the overlapped part.
    const mb = fresh();
    mb.addNode(0, 1 * G, null, MEMBLOCK_HOTPLUG);
    mb.add(1 * G, 1 * G);
    mb.add(512 * M, 1 * G);
    expect(rows(mb.memory)).toEqual([
      [0, 1 * G, null, MEMBLOCK_HOTPLUG],
      [1 * G, 1 * G, null, 0],
    ]);
  });

  it('6.1 knows no flag above DRIVER_MANAGED', () => {
    // Expect a model error (not a silent region): KHO_SCRATCH is a v6.16 flag.
    expect(() => fresh('v6.1').addNode(0, 4 * K, null, MEMBLOCK_KHO_SCRATCH)).toThrow(/v6.1/);
    expect(fresh('newest').addNode(0, 4 * K, null, MEMBLOCK_KHO_SCRATCH)).toBe(0);
  });
});

describe('memblock_reserve', () => {
  it('simple, disjoint, overlap top, overlap bottom, within, twice, between', () => {
    //  simple  |  +--r--+  |                                    Expect 1 region
    const mb = fresh();
    mb.reserve(2 * G, 128 * M);
    expect(rows(mb.reserved)).toEqual([[2 * G, 128 * M, null, 0]]);
    //  disjoint |  +--r--+   +r2+ |                             Expect 2 regions
    mb.reserve(3 * G, 16 * M);
    expect(mb.reserved.cnt).toBe(2);
    //  overlap top: r3 ends inside r1                           Expect r1 grows downwards
    mb.reserve(2 * G - 64 * M, 96 * M);
    expect(rows(mb.reserved)[0]).toEqual([2 * G - 64 * M, 192 * M, null, 0]);
    //  overlap bottom: r4 starts inside r2                      Expect r2 grows upwards
    mb.reserve(3 * G + 8 * M, 16 * M);
    expect(rows(mb.reserved)[1]).toEqual([3 * G, 24 * M, null, 0]);
    //  within and twice                                         Expect nothing changes
    const before = rows(mb.reserved);
    const total = mb.reserved.totalSize;
    mb.reserve(2 * G, 4 * K);
    mb.reserve(3 * G, 24 * M);
    expect(rows(mb.reserved)).toEqual(before);
    expect(mb.reserved.totalSize).toBe(total);
    //  between: fill [end r1, base r2) exactly                  Expect one region, total = span
    mb.reserve(2 * G + 128 * M, 1 * G - 128 * M);
    expect(rows(mb.reserved)).toEqual([[2 * G - 64 * M, 1 * G + 64 * M + 24 * M, null, 0]]);
    expect(mb.reserved.totalSize).toBe(1 * G + 88 * M);
  });

  it('RSRV_KERN (v6.16+) next to a plain reservation does not merge', () => {
    //  |  +-- reserve --+-- reserve_kern --+  |
    // Expect two regions: flags take part in the merge test.
    const mb = fresh('newest');
    mb.reserve(1 * M, 1 * M);
    mb.reserveKern(2 * M, 1 * M);
    expect(rows(mb.reserved)).toEqual([
      [1 * M, 1 * M, null, 0],
      [2 * M, 1 * M, null, MEMBLOCK_FLAGS.MEMBLOCK_RSRV_KERN],
    ]);
  });
});

describe('memblock_add_range WARN_ONs', () => {
  it('a gap piece below a region of another node or other flags warns; 6.16+ ignores new MEMBLOCK_NONE', () => {
    //  |      +--- r1 (node 0) ---+   |
    //  |  [====== reserve ======)     |   the piece below r1 is inserted with no node -> WARN_ON(nid)
    // Expect one nid warning on both versions.
    for (const version of ['v6.1', 'newest'] as const) {
      const mb = fresh(version);
      mb.reserve(2 * M, 2 * M);
      mb.setNode(0, 1 * G, mb.reserved, 0);
      mb.reserve(1 * M, 2 * M);
      expect(mb.events.filter((e) => e.kind === 'warn')).toEqual([
        { kind: 'warn', type: 'reserved', message: 'nid null != region nid 0' },
      ]);
    }
    //  |      +--- r1 RSRV_KERN ---+  |
    //  |  [=== plain reserve ===)     |   6.1 has no RSRV_KERN; newest: new flags NONE -> no flag warning
    const now = fresh('newest');
    now.reserveKern(2 * M, 2 * M);
    now.reserve(1 * M, 2 * M);
    expect(now.events.filter((e) => e.kind === 'warn')).toEqual([]);
    //  |      +--- r1 none ---+       |
    //  |  [== reserve_kern ==)        |   newest: RSRV_KERN over a plain region warns ([P-X86-KHO-1M])
    now.reserve(8 * M, 2 * M);
    now.reserveKern(7 * M, 2 * M);
    expect(now.events.filter((e) => e.kind === 'warn')).toEqual([
      { kind: 'warn', type: 'reserved', message: 'flags 0x20 != region flags 0x0' },
    ]);
    // 6.1 warns on any flag difference, NONE included.
    const old = fresh('v6.1');
    old.addNode(2 * M, 2 * M, null, MEMBLOCK_HOTPLUG);
    old.add(1 * M, 2 * M);
    expect(old.events.filter((e) => e.kind === 'warn')).toHaveLength(1);
  });
});

describe('memblock_remove / memblock_phys_free', () => {
  it('simple: remove the first of two regions', () => {
    //  |  ......   +------+  |
    //  |  : r1 :   |  r2  |  |
    // Expect r2 alone, total r2.
    const mb = fresh();
    mb.add(4 * K, 8 * K);
    mb.add(256 * K, 4 * M);
    mb.remove(4 * K, 8 * K);
    expect(rows(mb.memory)).toEqual([[256 * K, 4 * M, null, 0]]);
    expect(mb.memory.totalSize).toBe(4 * M);
  });

  it('absent: removing what is not there changes nothing', () => {
    // Expect the array and total unchanged.
    const mb = fresh();
    mb.add(512 * K, 4 * M);
    mb.remove(64 * M, 1 * G);
    expect(rows(mb.memory)).toEqual([[512 * K, 4 * M, null, 0]]);
  });

  it('overlap top and bottom: cut each end', () => {
    //  |   ....+------+....   |
    //  |   :r2 |  r1  | r3:   |
    // Expect r1 trimmed at both ends, total reduced by both overlaps.
    const mb = fresh();
    mb.add(32 * M, 64 * M);
    mb.remove(16 * M, 32 * M);
    mb.remove(80 * M, 64 * M);
    expect(rows(mb.memory)).toEqual([[48 * M, 32 * M, null, 0]]);
    expect(mb.memory.totalSize).toBe(32 * M);
  });

  it('within: removing the middle splits into two regions with the same nid and flags', () => {
    //  |  +---+....+------+  |
    //  |  |r1 : r2 :  r1  |  |
    // Expect two regions, both on node 3 with HOTPLUG.
    const mb = fresh();
    mb.addNode(1 * G, 1 * G, 3, MEMBLOCK_HOTPLUG);
    mb.remove(1 * G + 256 * M, 128 * M);
    expect(rows(mb.memory)).toEqual([
      [1 * G, 256 * M, 3, MEMBLOCK_HOTPLUG],
      [1 * G + 384 * M, 640 * M, 3, MEMBLOCK_HOTPLUG],
    ]);
    expect(mb.memory.totalSize).toBe(896 * M);
  });

  it('only region: 6.1 puts the dummy entry back (cnt 1), newest leaves cnt 0', () => {
    // Expect an empty array; the kernel's cnt differs by version.
    for (const [version, cnt] of [
      ['v6.1', 1],
      ['newest', 0],
    ] as const) {
      const mb = fresh(version);
      mb.reserve(2 * M, 2 * M);
      mb.physFree(2 * M, 2 * M);
      expect(mb.reserved.count).toBe(0);
      expect(mb.reserved.cnt).toBe(cnt);
      expect(mb.reserved.totalSize).toBe(0);
    }
  });

  it('overlap two: one removal spanning the end of r1 and the start of r2', () => {
    //  |  +----+..........+----+  |
    //  |  | r1 :   r3     : r2 |  |
    // Expect both trimmed, cnt 2.
    const mb = fresh();
    mb.reserve(0x10000, 0x10000);
    mb.reserve(0x30000, 0x10000);
    mb.physFree(0x18000, 0x20000);
    expect(rows(mb.reserved)).toEqual([
      [0x10000, 0x8000, null, 0],
      [0x38000, 0x8000, null, 0],
    ]);
  });
});

describe('memblock_isolate_range', () => {
  it('splits the regions crossing base and end; both halves keep nid and flags', () => {
    //  |  +------A------+------B------+  |
    //  |        [====isolate====)        |
    // Expect A and B split; the isolated window is the two middle regions.
    const mb = fresh();
    mb.addNode(0, 4 * G, 0, MEMBLOCK_MIRROR);
    mb.addNode(4 * G, 4 * G, 1, 0);
    const r = mb.isolateRange(mb.memory, 3 * G, 2 * G);
    expect(r).toEqual({ start: 1, end: 3 });
    expect(rows(mb.memory)).toEqual([
      [0, 3 * G, 0, MEMBLOCK_MIRROR],
      [3 * G, 1 * G, 0, MEMBLOCK_MIRROR],
      [4 * G, 1 * G, 1, 0],
      [5 * G, 3 * G, 1, 0],
    ]);
    expect(mb.memory.totalSize).toBe(8 * G);
  });

  it('returns an empty window when nothing overlaps', () => {
    const mb = fresh();
    mb.add(0, 1 * G);
    expect(mb.isolateRange(mb.memory, 2 * G, 1 * G)).toEqual({ start: 0, end: 0 });
    expect(mb.memory.count).toBe(1);
  });
});

describe('memblock_setclr_flag and memblock_set_node', () => {
  it('mark nomap in the middle, then clear it: split then merged back', () => {
    //  |  +-----+ NOMAP +-----+  |
    // Expect three regions with NOMAP in the middle, then one region again.
    const mb = fresh();
    mb.add(0, 1 * G);
    mb.markNomap(256 * M, 256 * M);
    expect(rows(mb.memory)).toEqual([
      [0, 256 * M, null, 0],
      [256 * M, 256 * M, null, MEMBLOCK_NOMAP],
      [512 * M, 512 * M, null, 0],
    ]);
    mb.clearNomap(0, 1 * G);
    expect(rows(mb.memory)).toEqual([[0, 1 * G, null, 0]]);
  });

  it('set_node across two regions: split at the node boundary, merged per node', () => {
    //  |  +--- r1 ---+  +--- r2 ---+  |
    //  |  [ node 0   ....  )[ node 1 ) |
    // Expect r1 on node 0; r2 split: its bottom on node 0, its top on node 1.
    const mb = fresh();
    mb.add(0, 2 * G);
    mb.add(3 * G, 2 * G);
    mb.setNode(0, 4 * G, mb.memory, 0);
    mb.setNode(4 * G, 4 * G, mb.memory, 1);
    expect(rows(mb.memory)).toEqual([
      [0, 2 * G, 0, 0],
      [3 * G, 1 * G, 0, 0],
      [4 * G, 1 * G, 1, 0],
    ]);
  });

  it('mark_mirror is a no-op without kernelcore=mirror and sets system_has_some_mirror with it', () => {
    const off = new Memblock({ version: 'newest', mirroredKernelcore: false });
    off.add(0, 1 * G);
    off.markMirror(0, 1 * G);
    expect(rows(off.memory)).toEqual([[0, 1 * G, null, 0]]);
    const on = fresh('newest');
    on.add(0, 1 * G);
    on.markMirror(0, 1 * G);
    expect(on.hasMirror).toBe(true);
    expect(on.chooseFlags()).toBe(MEMBLOCK_MIRROR);
  });
});

describe('mem= and trims', () => {
  it('enforce_memory_limit: keep the first `limit` bytes of memory, cut memory and reserved there', () => {
    //  |  +-- 1G --+   +-- 2G --+   |   limit 2G -> cut at 2G + 1G... inside the second region
    // Expect memory [0,1G) [2G,3G); reserved above 3G gone, the straddling one cut.
    const mb = fresh();
    mb.add(0, 1 * G);
    mb.add(2 * G, 2 * G);
    mb.reserve(2 * G + 512 * M, 1 * G);
    mb.reserve(3 * G + 768 * M, 1 * M);
    mb.enforceMemoryLimit(2 * G);
    expect(rows(mb.memory)).toEqual([
      [0, 1 * G, null, 0],
      [2 * G, 1 * G, null, 0],
    ]);
    expect(rows(mb.reserved)).toEqual([[2 * G + 512 * M, 512 * M, null, 0]]);
  });

  it('enforce_memory_limit above the total memory changes nothing (__find_max_addr gives PHYS_ADDR_MAX)', () => {
    // Expect: 1G of memory, limit 2G -> memory and reserved unchanged.
    const mb = fresh();
    mb.add(0, 1 * G);
    mb.reserve(512 * M, 1 * M);
    mb.enforceMemoryLimit(2 * G);
    expect(rows(mb.memory)).toEqual([[0, 1 * G, null, 0]]);
    expect(rows(mb.reserved)).toEqual([[512 * M, 1 * M, null, 0]]);
  });

  it('enforce_memory_limit equal to the first region: the cut is at its end, so reserved in the gap goes too', () => {
    //  |  +-- 1G --+  [r]  +-- 1G --+   limit 1G -> cut at 1G (limit <= size), not at the next region
    // Expect memory [0,1G); the reservation at 1.5G (outside memory) removed with everything above 1G.
    const mb = fresh();
    mb.add(0, 1 * G);
    mb.add(2 * G, 1 * G);
    mb.reserve(1 * G + 512 * M, 1 * M);
    mb.enforceMemoryLimit(1 * G);
    expect(rows(mb.memory)).toEqual([[0, 1 * G, null, 0]]);
    expect(rows(mb.reserved)).toEqual([]);
  });

  it('mem_limit_remove_map: the same cut address, but NOMAP memory above it is kept', () => {
    //  |  +-- 1G map --+  +-- 1G NOMAP --+  +-- 1G map --+   limit 1.5G -> cut inside the NOMAP region
    // Expect: [0,1G) map, the NOMAP region whole (split at the cut), the map region above the cut removed.
    const mb = fresh();
    mb.add(0, 1 * G);
    mb.addNode(2 * G, 1 * G, null, MEMBLOCK_NOMAP);
    mb.add(4 * G, 1 * G);
    mb.memLimitRemoveMap(1 * G + 512 * M);
    expect(rows(mb.memory)).toEqual([
      [0, 1 * G, null, 0],
      [2 * G, 512 * M, null, MEMBLOCK_NOMAP],
      [2 * G + 512 * M, 512 * M, null, MEMBLOCK_NOMAP],
    ]);
  });

  it('cap_memory_range keeps NOMAP regions outside the range (and leaves a split NOMAP region unmerged)', () => {
    //  |  +--- NOMAP ---+--- map ---+   |
    //  |         [==== cap ====)        |
    // Expect the NOMAP region split at base and kept in two pieces; map memory above the cap removed.
    const mb = fresh();
    mb.addNode(0, 2 * G, null, MEMBLOCK_NOMAP);
    mb.add(2 * G, 2 * G);
    mb.capMemoryRange(1 * G, 2 * G);
    expect(rows(mb.memory)).toEqual([
      [0, 1 * G, null, MEMBLOCK_NOMAP],
      [1 * G, 1 * G, null, MEMBLOCK_NOMAP],
      [2 * G, 1 * G, null, 0],
    ]);
    // Expect 6.1's whole-array merge on the next insert to join the NOMAP halves; newest merges only the
    // window around the inserted region, so they stay apart.
    mb.add(8 * G, 4 * K);
    expect(rows(mb.memory)[0]).toEqual([0, 2 * G, null, MEMBLOCK_NOMAP]);
    const now = fresh('newest');
    now.addNode(0, 2 * G, null, MEMBLOCK_NOMAP);
    now.add(2 * G, 2 * G);
    now.capMemoryRange(1 * G, 2 * G);
    now.add(8 * G, 4 * K);
    expect(rows(now.memory).slice(0, 2)).toEqual([
      [0, 1 * G, null, MEMBLOCK_NOMAP],
      [1 * G, 1 * G, null, MEMBLOCK_NOMAP],
    ]);
  });

  it('trim_memory(PAGE_SIZE) rounds inward and does not update total_size (6.1 e820 dump shows it)', () => {
    // Expect [0x1000,0x9f000): the e820 entry 0x1000-0x9fbff loses its partial page, total keeps 0x9ec00.
    const mb = fresh();
    mb.add(0x1000, 0x9fc00 - 0x1000);
    mb.add(0x100800, 0x400);
    mb.trimMemory(4096);
    expect(rows(mb.memory)).toEqual([[0x1000, 0x9e000, null, 0]]);
    expect(mb.memory.totalSize).toBe(0x9ec00);
  });
});

describe('iterators', () => {
  it('for_each_mem_pfn_range: whole pages only, nid filter', () => {
    const mb = fresh();
    mb.addNode(0x800, 0x1000, 0, 0); // no whole page: skipped
    mb.addNode(0x10000, 0x10800, 0, 0);
    mb.addNode(1 * G, 1 * G, 1, MEMBLOCK_NOMAP); // flags are not checked
    expect(mb.memPfnRanges()).toEqual([
      { startPfn: 0x10, endPfn: 0x20, nid: 0 },
      { startPfn: 0x40000, endPfn: 0x80000, nid: 1 },
    ]);
    expect(mb.memPfnRanges(1)).toEqual([{ startPfn: 0x40000, endPfn: 0x80000, nid: 1 }]);
  });

  it('for_each_free_mem_range: memory minus reserved with the should_skip_region rules', () => {
    //  memory:   [0,1G) n0   [1G,2G) n0 NOMAP   [2G,3G) n1 HOTPLUG   [3G,4G) n1 DRIVER_MANAGED
    //  reserved:      [256M,512M)                      [2G+1M, 2G+2M)
    const mb = new Memblock({ version: 'v6.1', movableNode: true });
    mb.addNode(0, 1 * G, 0, 0);
    mb.addNode(1 * G, 1 * G, 0, MEMBLOCK_NOMAP);
    mb.addNode(2 * G, 1 * G, 1, MEMBLOCK_HOTPLUG);
    mb.addNode(3 * G, 1 * G, 1, MEMBLOCK_FLAGS.MEMBLOCK_DRIVER_MANAGED);
    mb.reserve(256 * M, 256 * M);
    mb.reserve(2 * G + 1 * M, 1 * M);
    // Expect NOMAP, DRIVER_MANAGED and (movable_node) HOTPLUG skipped by default.
    expect(mb.freeMemRanges()).toEqual([
      { start: 0, end: 256 * M, nid: 0 },
      { start: 512 * M, end: 1 * G, nid: 0 },
    ]);
    // Expect HOTPLUG included when asked for, with the reservation cut out; reverse is the same, reversed.
    const withHotplug = mb.freeMemRanges({ flags: MEMBLOCK_HOTPLUG, nid: 1 });
    expect(withHotplug).toEqual([
      { start: 2 * G, end: 2 * G + 1 * M, nid: 1 },
      { start: 2 * G + 2 * M, end: 3 * G, nid: 1 },
    ]);
    expect(mb.freeMemRangesReverse({ flags: MEMBLOCK_HOTPLUG, nid: 1 })).toEqual([...withHotplug].reverse());
    // Expect NOMAP memory only when the caller passes NOMAP.
    expect(mb.freeMemRanges({ flags: MEMBLOCK_NOMAP, nid: 0 })).toContainEqual({
      start: 1 * G,
      end: 2 * G,
      nid: 0,
    });
  });

  it('KHO_SCRATCH filter exists only in newer kernels; reserved regions always subtract whatever their flags', () => {
    const mb = fresh('newest');
    mb.add(0, 1 * G);
    mb.addNode(1 * G, 256 * M, null, MEMBLOCK_KHO_SCRATCH);
    mb.reserveNode(1 * G, 4 * K, null, MEMBLOCK_FLAGS.MEMBLOCK_RSRV_NOINIT);
    expect(mb.freeMemRanges({ flags: MEMBLOCK_KHO_SCRATCH })).toEqual([
      { start: 1 * G + 4 * K, end: 1 * G + 256 * M, nid: null },
    ]);
  });
});

describe('allocation', () => {
  it('top-down from the highest free range, aligned down, under current_limit, never page 0', () => {
    //  memory [4K, 1G)  reserved [1G-2M, 1G)
    // Expect the first 1 MiB allocation right below the reservation, 2 MiB aligned when asked.
    const mb = fresh();
    mb.add(0, 1 * G);
    mb.reserve(1 * G - 2 * M, 2 * M);
    const a = mb.allocRangeNid({ size: 1 * M, align: 2 * M });
    expect(a).toBe(1 * G - 4 * M);
    expect(rows(mb.reserved)).toEqual([
      [1 * G - 4 * M, 1 * M, null, 0],
      [1 * G - 2 * M, 2 * M, null, 0],
    ]);
    mb.currentLimit = 16 * M;
    expect(mb.allocRangeNid({ size: 4 * K, align: 4 * K })).toBe(16 * M - 4 * K);
    // Only page 0 is left below 8K once [4K, 16M-4K) is reserved: expect failure, not address 0.
    mb.reserve(4 * K, 16 * M - 8 * K);
    expect(mb.allocRangeNid({ size: 4 * K, align: 4 * K })).toBe(0);
    expect(mb.events.at(-1)).toMatchObject({ kind: 'alloc-failed' });
  });

  it('nid: prefers the node, falls back unless exact; newest reserves with nid and RSRV_KERN', () => {
    const mb = fresh('newest');
    mb.addNode(0, 1 * G, 0, 0);
    mb.addNode(1 * G, 1 * G, 1, 0);
    expect(mb.allocRangeNid({ size: 4 * K, align: 4 * K, nid: 0 })).toBe(1 * G - 4 * K);
    expect(rows(mb.reserved)).toEqual([[1 * G - 4 * K, 4 * K, 0, MEMBLOCK_FLAGS.MEMBLOCK_RSRV_KERN]]);
    expect(mb.allocRangeNid({ size: 4 * K, align: 4 * K, nid: 7, exactNid: true })).toBe(0);
    expect(mb.allocRangeNid({ size: 4 * K, align: 4 * K, nid: 7 })).toBe(2 * G - 4 * K);
    expect(rows(mb.reserved).at(-1)).toEqual([2 * G - 4 * K, 4 * K, null, MEMBLOCK_FLAGS.MEMBLOCK_RSRV_KERN]);
  });

  it('KHO scratch-only mode allocates only from scratch memory', () => {
    const mb = fresh('newest');
    mb.add(0, 4 * G);
    mb.markKhoScratch(1 * G, 64 * M);
    mb.setKhoScratchOnly(true);
    expect(mb.allocRangeNid({ size: 1 * M, align: 4 * K })).toBe(1 * G + 63 * M);
    mb.setKhoScratchOnly(false);
    expect(mb.allocRangeNid({ size: 1 * M, align: 4 * K })).toBe(4 * G - 1 * M);
  });
});

describe('early_pfn_to_nid and memblock_discard', () => {
  it('binary search, first_online_node for holes, the stale one-entry cache, use after discard', () => {
    const mb = new Memblock({ version: 'newest', firstOnlineNode: 2 });
    mb.addNode(0, 1 * G, 0, 0);
    mb.addNode(2 * G, 1 * G, 1, 0);
    expect(mb.earlyPfnToNid(0x100)).toBe(0);
    expect(mb.earlyPfnToNid((2 * G) / 4096)).toBe(1);
    expect(mb.earlyPfnToNid((1 * G) / 4096 + 1)).toBe(2); // in the hole
    // The cache is not invalidated by memblock changes: the kernel keeps answering 1 inside the old range.
    mb.setNode(2 * G, 1 * G, mb.memory, 3);
    expect(mb.earlyPfnToNid((2 * G) / 4096 + 5)).toBe(1);
    expect(mb.events.some((e) => e.kind === 'early_pfn_to_nid-after-discard')).toBe(false);
    mb.discard();
    mb.earlyPfnToNid(0x100);
    expect(mb.events.filter((e) => e.kind === 'early_pfn_to_nid-after-discard')).toEqual([
      { kind: 'early_pfn_to_nid-after-discard', pfn: 0x100, nid: 0 },
    ]);
  });
});

describe('region array capacity', () => {
  const fill = (mb: Memblock, n: number): void => {
    for (let i = 0; i < n; i++) mb.reserve(i * 2 * M, 4 * K);
  };

  it('before memblock_allow_resize: 6.1 refuses the 129th region (-ENOMEM, unchanged), newest panics', () => {
    const old = fresh('v6.1');
    fill(old, 128);
    expect(old.reserve(1 * G, 4 * K)).toBe(ENOMEM);
    expect(old.reserved.cnt).toBe(128);
    expect(old.events.at(-1)).toEqual({ kind: 'resize-refused', type: 'reserved', max: 128 });
    const now = fresh('newest');
    fill(now, 128);
    now.reserve(1 * G, 4 * K);
    expect(now.panicked).toBe(true);
    expect(now.events.at(-1)).toEqual({ kind: 'panic', message: 'memblock: cannot resize reserved array' });
  });

  it('after memblock_allow_resize: doubles to 256 and reserves the new array top-down', () => {
    // Expect max 256, and PAGE_ALIGN(256 * 24) = 8 KiB reserved just below current_limit.
    const mb = fresh('v6.1');
    mb.add(0, 4 * G);
    mb.allowResize();
    mb.currentLimit = 1 * G;
    fill(mb, 128);
    expect(mb.reserve(2 * G, 4 * K)).toBe(0);
    expect(mb.reserved.max).toBe(256);
    expect(mb.reserved.dynamic).toBe(true);
    expect(mb.events).toContainEqual({ kind: 'double', type: 'reserved', newMax: 256, addr: 1 * G - 8 * K });
    expect(rows(mb.reserved)).toContainEqual([1 * G - 8 * K, 8 * K, null, 0]);
    expect(mb.reserved.count).toBe(130);
  });
});
