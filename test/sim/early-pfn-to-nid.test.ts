// early_pfn_to_nid() (linux v7.3-rc7 mm/mm_init.c __early_pfn_to_nid): one lookup for the replay's region arrays
// and the memblock model, with the kernel's one-entry cache.
import { describe, expect, it } from 'vitest';
import { EarlyPfnToNid, pfnRegionSource } from '../../src/sim/mem-regions.js';
import type { PfnRegion } from '../../src/sim/mem-regions.js';
import { Memblock } from '../../src/sim/memblock.js';

describe('EarlyPfnToNid', () => {
  //   node 1 [0x100, 0x200)   hole   node 2 [0x300, 0x400)
  const regions: PfnRegion[] = [
    { start: 0x100, end: 0x200, nid: 1, flags: 0 },
    { start: 0x300, end: 0x400, nid: 2, flags: 0 },
  ];

  it("a pfn in a region has the region's node; in no region, first_online_node", () => {
    const n = new EarlyPfnToNid(pfnRegionSource(regions), 7);
    expect([0x100, 0x1ff, 0x300, 0x3ff].map((p) => n.lookup(p))).toEqual([1, 1, 2, 2]);
    expect([0, 0xff, 0x200, 0x2ff, 0x400].map((p) => n.lookup(p))).toEqual([7, 7, 7, 7, 7]);
  });

  it('the cache answers for the last region found, even after that region changed (nothing invalidates it)', () => {
    const rs = regions.map((r) => ({ ...r }));
    const n = new EarlyPfnToNid(pfnRegionSource(rs), 0);
    expect(n.lookup(0x150)).toBe(1);
    rs[0] = { start: 0x100, end: 0x200, nid: 5, flags: 0 }; // memblock_set_node() after the lookup
    expect(n.lookup(0x1a0)).toBe(1); // cached: [0x100, 0x200) -> 1
    expect(n.lookup(0x350)).toBe(2); // a miss replaces the cache
    expect(n.lookup(0x1a0)).toBe(5);
    // a pfn in no region does not touch the cache
    expect(n.lookup(0x250)).toBe(0);
    expect(n.lookup(0x1a0)).toBe(5);
  });

  it('the memblock model: the search is by PFN_PHYS(pfn) in [base, end), the cache by PFN_DOWN(base..end)', () => {
    // memory [0x1800, 0x5000) on node 3: pfn 1's first byte (0x1000) is below the base, pfn 2 is inside
    const mb = new Memblock({ version: 'newest', firstOnlineNode: 0 });
    mb.addNode(0x1800, 0x3800, 3);
    expect(mb.earlyPfnToNid(1)).toBe(0); // memblock_search_pfn_nid: no region holds 0x1000
    expect(mb.earlyPfnToNid(2)).toBe(3); // caches [PFN_DOWN(0x1800), PFN_DOWN(0x5000)) = [1, 5)
    expect(mb.earlyPfnToNid(1)).toBe(3); // now answered by the cache, as the kernel would
    expect(mb.earlyPfnToNid(5)).toBe(0);
  });
});
