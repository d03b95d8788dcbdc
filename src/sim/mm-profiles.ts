// What changed in early memory init between the kernels we replay (boot-pipeline.md §3.6-§3.8 and the
// version notes there). A profile is data; the phases read it. KHO eras live with the KHO strategies.
import { RequestError } from '../core/index.js';

export interface MmProfile {
  readonly name: string;
  readonly description: string;
  /**
   * deferred_init_memmap() work split: one padata job per free range (6.1 .. ~6.17, mm/page_alloc.c then
   * mm/mm_init.c) or one job per zone over [first_deferred_pfn, SECTION_ALIGN_UP(zone_end)) (~6.18,
   * "mm/mm_init: deferred_init_memmap: use a job per zone").
   */
  readonly deferredJobs: 'per-free-range' | 'per-zone';
  /**
   * defer_init() resets its per-zone count on a new zone end before the low-zone test (6.1, so a low-zone visit
   * between two visits of a top zone restarts the count) or after it (mm/mm_init.c newer: low zones never
   * touch the count). Which release reordered it is not verified: stored copies of mm/mm_init.c with the
   * early_page_ext test and init_reserved_page() (a linux-6.6.14 tree) still reset first; copies with
   * init_deferred_page() -> __init_page_from_nid() and v7.3-rc7 test the low zone first. linux-6.7 assumes the
   * later order from v6.7 on.
   */
  readonly deferCountResetBeforeLowZoneTest: boolean;
  /** memmap_init_reserved_pages() skips MEMBLOCK_RSRV_NOINIT regions (v6.7+, 77e6c43e137c). */
  readonly rsrvNoinit: boolean;
  /** memmap_init_reserved_pages() handles NOMAP memory before reserved regions (newer) or after (6.1). */
  readonly nomapFirst: boolean;
  /**
   * The node memmap_init_reserved_pages() sets a reserved page up with. 'per-pfn': init_reserved_page() asks
   * early_pfn_to_nid() for each pfn (6.1 mm/page_alloc.c). 'set-node': memblock_set_node() of each memory region on
   * memblock.reserved first, so reserved regions are split at node boundaries and each part carries its memory's
   * node; a part outside memory without one asks early_pfn_to_nid() of its first pfn (linux v7.3-rc7 mm/memblock.c
   * memmap_init_reserved_pages). The set_node loop came with 61167ad5fecd ("mm: pass nid to
   * reserve_bootmem_region()", v6.5: linux-6.5 on); until v6.15
   * (Wei Yang, "pass size instead of end", and stable) it passed the region's end as the size, which also gave
   * reserved parts in a hole above a memory region that region's node: not modelled, the KHO profiles that run
   * linux-6.7 stand for v6.16+ kernels. The early_pfn_to_nid() fallback is Yajun Deng's fix of 2024-01 (v6.8, stable).
   */
  readonly reservedNid: 'per-pfn' | 'set-node';
  /** deferred_free_pages() frees pageblock-order blocks (6.1) or MAX_ORDER blocks (newer). */
  readonly deferredFreeOrder: 'pageblock' | 'max-order';
  /** deferred_page_init_max_threads(): CPUs of the node (x86_64 6.1 override, all arches later) or 1 (arm64 6.1). */
  readonly threadsFromNodeCpus: 'x86_64-only' | 'all';
  /**
   * The early mm calls in order, as the report prints them. v7.2+: mm_core_init_early() (linux v7.3-rc7 mm/mm_init.c
   * mm_core_init_early: kho_memory_init_early from v7.3, free_area_init, hugetlb_cma_reserve, hugetlb_bootmem_alloc,
   * sparse_init, memmap_init); earlier: free_area_init() calling memmap_init() itself.
   */
  readonly earlyOrder: readonly string[];
  /**
   * The function that sets up the struct pages of reserved regions: reserve_bootmem_region() (mm/mm_init.c), renamed
   * memmap_init_reserved_range() and made static in mm/memblock.c for v7.2 (linux v7.3-rc7 mm/memblock.c
   * memmap_init_reserved_range).
   */
  readonly reserveRangeFn: 'reserve_bootmem_region' | 'memmap_init_reserved_range';
  /**
   * Pageblocks deferred_free_pages() types: each pageblock-aligned pfn it frees ('aligned-pfns', set MOVABLE one by
   * one, before v7.2) or every pageblock from pageblock_align(pfn) to the chunk end, first
   * ('pageblock-range': pageblock_migratetype_init_range(), linux v7.3-rc7 mm/mm_init.c deferred_free_pages).
   */
  readonly deferredFreeMigratetype: 'aligned-pfns' | 'pageblock-range';
  /**
   * init_deferred_page() sets the pageblock migratetype at a pageblock-aligned pfn: __init_page_from_nid() MOVABLE
   * (kho-abi.md §7.3 variant b [I]; the scratch fix's v7 2/3 text: "reserved scratch ... re-initialised", CMA lost),
   * __init_deferred_page() kho_scratch_migratetype() from v7.2. 6.1's init_reserved_page() set none.
   */
  readonly initDeferredPageSetsMigratetype: boolean;
  /**
   * Where deferred_grow_zone() leaves first_deferred_pfn (src/sim/phases/deferred-grow-zone.ts): 'range-end', the
   * deferred_init_maxorder() loop over free ranges (to v6.17); 'nr-pages', first_deferred_pfn = nr_pages ? spfn :
   * ULONG_MAX after a section loop (v6.18: Rapoport, "mm/mm_init: use deferred_init_memmap_chunk() in
   * deferred_grow_zone()", posted 2025-08-18 with the per-zone job of the same series); 'zone-end', spfn <
   * zone_end ? spfn : ULONG_MAX (v7.2 on, kernel-7x.md §1.7 [V TM]; linux v7.3-rc7 mm/mm_init.c deferred_grow_zone).
   */
  readonly deferredGrowZoneEnd: 'range-end' | 'nr-pages' | 'zone-end';
  /**
   * page_alloc_init_late() calls hugetlb_bootmem_struct_page_init() after deferred init and before
   * set_zone_contiguous() (linux v7.3-rc7 mm/mm_init.c page_alloc_init_late; v7.2 per kernel-7x.md §1.5 step 6 [V TM];
   * the patch: Muchun Song, "mm/hugetlb: Initialize gigantic bootmem hugepage struct pages earlier", v4 04/19,
   * 2026-06-12); before, hugetlb_init() -> gather_bootmem_prealloc() ran after it (src/sim/phases/hugetlb-bootmem.ts).
   */
  readonly hugetlbBootmemStructPageInit: boolean;
}

/** A release's mm profile from the one before it: only what changed is written. */
function after(
  prev: MmProfile,
  changes: Partial<MmProfile> & Pick<MmProfile, 'name' | 'description'>,
): MmProfile {
  return { ...prev, ...changes };
}

const LINUX_6_1: MmProfile = {
  name: 'linux-6.1',
  description:
    'v6.1 (Debian 12; picked for v6.2 .. v6.4 too, not read): mm/page_alloc.c, no RSRV_NOINIT, a padata job per free range',
  deferredJobs: 'per-free-range',
  deferCountResetBeforeLowZoneTest: true,
  rsrvNoinit: false,
  nomapFirst: false,
  reservedNid: 'per-pfn',
  deferredFreeOrder: 'pageblock',
  threadsFromNodeCpus: 'x86_64-only',
  earlyOrder: ['free_area_init', 'memmap_init'],
  reserveRangeFn: 'reserve_bootmem_region',
  deferredFreeMigratetype: 'aligned-pfns',
  initDeferredPageSetsMigratetype: false,
  deferredGrowZoneEnd: 'range-end',
  hugetlbBootmemStructPageInit: false,
};

/**
 * v6.5 and v6.6, read in two 6.6-era copies of mm/mm_init.c (CodeLinaro qsdk_oss_kernel_linux-ipq-6.6 @6f1f33de1761,
 * Jvlegod/linux-6.6-exp @ae8789ee853e) and the 6.6 stable reviews of mm/memblock.c: what changed from 6.1 is
 * memmap_init_reserved_pages() of 61167ad5fecd ("mm: pass nid to reserve_bootmem_region()", posted 2023-06-16, v6.5):
 * NOMAP memory first with its region's node, memblock_set_node() of each memory region on memblock.reserved, then
 * reserve_bootmem_region(start, end, nid) -> init_reserved_page(pfn, nid) per reserved region; and deferred_free_range()
 * freeing MAX_ORDER blocks (3f6dac0fd1b8 "mm/page_alloc: make deferred page init free pages in MAX_ORDER blocks",
 * posted 2023-03-21; in the 6.6 copies). Unchanged from 6.1 there: defer_init() resets its count before the low-zone
 * test, init_reserved_page() sets no migratetype, the weak deferred_page_init_max_threads() returns 1 (x86_64
 * overrides it), a padata job per free range, deferred_grow_zone() over deferred_init_maxorder(), free_area_init()
 * calling memmap_init(), no MEMBLOCK_RSRV_NOINIT (the 6.6 stable backport of 6a9531c3a880 has no NOINIT test).
 */
const LINUX_6_5 = after(LINUX_6_1, {
  name: 'linux-6.5',
  description:
    'v6.5 .. v6.6: mm/mm_init.c, memmap_init_reserved_pages() sets reserved nodes from memory (NOMAP first), MAX_ORDER deferred free, no RSRV_NOINIT',
  nomapFirst: true,
  reservedNid: 'set-node',
  deferredFreeOrder: 'max-order',
});

const LINUX_6_7 = after(LINUX_6_5, {
  name: 'linux-6.7',
  description: 'v6.7 .. v6.17: mm/mm_init.c, RSRV_NOINIT skipped, NOMAP first, a padata job per free range',
  deferCountResetBeforeLowZoneTest: false,
  rsrvNoinit: true,
  threadsFromNodeCpus: 'all',
});

const LINUX_6_18 = after(LINUX_6_7, {
  name: 'linux-6.18',
  description: 'v6.18 .. v7.1: one deferred-init job per zone (deferred_init_maxorder dropped)',
  deferredJobs: 'per-zone',
  initDeferredPageSetsMigratetype: true,
  deferredGrowZoneEnd: 'nr-pages',
});

const LINUX_7_2 = after(LINUX_6_18, {
  name: 'linux-7.2',
  description:
    'v7.2: mm_core_init_early() (free_area_init, hugetlb_cma_reserve, hugetlb_bootmem_alloc, sparse_init, memmap_init), memmap_init_reserved_range(), migratetype from kho_scratch_migratetype(), deferred_grow_zone() zone-end rule',
  earlyOrder: [
    'free_area_init',
    'hugetlb_cma_reserve',
    'hugetlb_bootmem_alloc',
    'sparse_init',
    'memmap_init',
  ],
  reserveRangeFn: 'memmap_init_reserved_range',
  deferredFreeMigratetype: 'pageblock-range',
  deferredGrowZoneEnd: 'zone-end',
  hugetlbBootmemStructPageInit: true,
});

const LINUX_7_3 = after(LINUX_7_2, {
  name: 'linux-7.3',
  description:
    'v7.3 and later: linux-7.2 with kho_memory_init_early() first in mm_core_init_early() (linux v7.3-rc7 mm/mm_init.c mm_core_init_early)',
  earlyOrder: ['kho_memory_init_early', ...LINUX_7_2.earlyOrder],
});

export const MM_PROFILES: Readonly<Record<string, MmProfile>> = {
  'linux-6.1': LINUX_6_1,
  'linux-6.5': LINUX_6_5,
  'linux-6.7': LINUX_6_7,
  'linux-6.18': LINUX_6_18,
  'linux-7.2': LINUX_7_2,
  'linux-7.3': LINUX_7_3,
};

/** The profile for a kernel release string (`6.1.0-56-amd64`, `6.12.9`), `linux-6.1` when unknown. */
export function mmProfileForRelease(release: string | null): MmProfile {
  const m = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  if (!m) return MM_PROFILES['linux-6.1']!;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  if (v >= 7003) return MM_PROFILES['linux-7.3']!;
  if (v >= 7002) return MM_PROFILES['linux-7.2']!;
  if (v >= 6018) return MM_PROFILES['linux-6.18']!;
  if (v >= 6007) return MM_PROFILES['linux-6.7']!;
  if (v >= 6005) return MM_PROFILES['linux-6.5']!;
  return MM_PROFILES['linux-6.1']!;
}

export function mmProfileByName(name: string): MmProfile {
  const p = MM_PROFILES[name];
  if (!p)
    throw new RequestError(`unknown mm profile '${name}' (known: ${Object.keys(MM_PROFILES).join(', ')})`);
  return p;
}
