// What changed in early memory init between the kernels we replay (boot-pipeline.md §3.6-§3.8 and the
// version notes there). A profile is data; the phases read it. KHO eras live with the KHO strategies.
import type { Diagnostic } from '../core/index.js';
import { RequestError } from '../core/index.js';
import { parseKernelRelease } from './kernel-eras.js';

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
   * node (linux v7.3-rc7 mm/memblock.c memmap_init_reserved_pages); from 61167ad5fecd ("mm: pass nid to
   * reserve_bootmem_region()", v6.5). A part no call reached: reservedNoNode.
   */
  readonly reservedNid: 'per-pfn' | 'set-node';
  /**
   * What 'set-node' passed memblock_set_node() as its size: the memory region's end (61167ad5fecd, v6.5 .. v6.14),
   * which sets the node on [base, 2 * base + size) and so gives a reserved part in the hole above a memory region that
   * region's node, or its size (06eaa824fd23 "mm/memblock: pass size instead of end to memblock_set_node()", Wei
   * Yang, v6.15; the 6.6/6.12/6.14 stable reviews of 2025-05-07, so 6.6.90, 6.12.28, 6.14.6 [I: the review batch's
   * release]). Memblock.forEachReservedMemRegionByNode.
   */
  readonly reservedSetNodeSize: 'end' | 'size';
  /**
   * A reserved part that no memblock_set_node() call reached (outside memory, and with 'end' beyond the reach of the
   * memory region below) keeps memblock_reserve()'s MAX_NUMNODES: 'max-numnodes', handed to
   * reserve_bootmem_region() as is, where init_reserved_page() reads NODE_DATA(MAX_NUMNODES) past the array
   * (undefined: the replay initialises nothing there and warns, SIM_RESERVED_NID_UNSET); 'early-pfn-to-nid',
   * early_pfn_to_nid(PFN_DOWN(start)) (6a9531c3a880 "memblock: fix crash when reserved memory is not added to
   * memory", Yajun Deng, v6.8; 6.6.15, 6.7.3 from the stable reviews of 2024-01-29).
   */
  readonly reservedNoNode: 'max-numnodes' | 'early-pfn-to-nid';
  /** deferred_free_pages() frees pageblock-order blocks (6.1) or MAX_ORDER blocks (newer). */
  readonly deferredFreeOrder: 'pageblock' | 'max-order';
  /**
   * deferred_page_init_max_threads(): CPUs of the node (x86_64's override in arch/x86/mm/init_64.c) or the weak
   * default 1 (every other arch, read in linux-6.6.14 mm/mm_init.c); CPUs of the node on every arch from Eric
   * Chanudet's "mm/mm_init: use node's number of cpus in deferred_page_init_max_threads" (v2 posted 2024-05-22, during
   * the v6.10 merge window, so v6.11 at the earliest; in the mm tree's June 2024 queue with other v6.11 work: v6.11
   * [I]).
   */
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
  // unused with 'per-pfn': what the kernels that set nodes on memblock.reserved do today
  reservedSetNodeSize: 'size',
  reservedNoNode: 'early-pfn-to-nid',
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
 * NOMAP memory first with its region's node, memblock_set_node(start, end, ...) of each memory region on
 * memblock.reserved (the end as the size), then reserve_bootmem_region(start, end, nid) -> init_reserved_page(pfn,
 * nid) per reserved region with no fallback for a region left without a node; and deferred_free_range() freeing
 * MAX_ORDER blocks (3f6dac0fd1b8 "mm/page_alloc: make deferred page init free pages in MAX_ORDER blocks", posted
 * 2023-03-21; in the 6.6 copies). Unchanged from 6.1 there: defer_init() resets its count before the low-zone test,
 * init_reserved_page() sets no migratetype, the weak deferred_page_init_max_threads() returns 1 (x86_64 overrides
 * it), a padata job per free range, deferred_grow_zone() over deferred_init_maxorder(), free_area_init() calling
 * memmap_init(), no MEMBLOCK_RSRV_NOINIT (the 6.6 stable backport of 6a9531c3a880 has no NOINIT test).
 * For 6.6.0 .. 6.6.14; linux-6.6.15 and linux-6.6.90 are the 6.6 stable series after the two backports.
 */
const LINUX_6_5 = after(LINUX_6_1, {
  name: 'linux-6.5',
  description:
    'v6.5, 6.6.0 .. 6.6.14: mm/mm_init.c, reserved nodes from memblock_set_node(start, end) (NOMAP first, no fallback), MAX_ORDER deferred free, no RSRV_NOINIT',
  nomapFirst: true,
  reservedNid: 'set-node',
  reservedSetNodeSize: 'end',
  reservedNoNode: 'max-numnodes',
  deferredFreeOrder: 'max-order',
});

const LINUX_6_6_15 = after(LINUX_6_5, {
  name: 'linux-6.6.15',
  description: '6.6.15 .. 6.6.89: linux-6.5 with the early_pfn_to_nid() fallback (6a9531c3a880 backported)',
  reservedNoNode: 'early-pfn-to-nid',
});

const LINUX_6_6_90 = after(LINUX_6_6_15, {
  name: 'linux-6.6.90',
  description: '6.6.90 and later: linux-6.6.15 with memblock_set_node(start, size) (06eaa824fd23 backported)',
  reservedSetNodeSize: 'size',
});

/** v6.7.0 .. 6.7.2 as released (77e6c43e137c RSRV_NOINIT); the reserved-node fixes came in v6.8 and v6.15. */
const LINUX_6_7 = after(LINUX_6_5, {
  name: 'linux-6.7',
  description:
    'v6.7.0 .. 6.7.2: mm/mm_init.c, RSRV_NOINIT skipped, NOMAP first, memblock_set_node(start, end) without fallback, a padata job per free range',
  deferCountResetBeforeLowZoneTest: false,
  rsrvNoinit: true,
});

const LINUX_6_8 = after(LINUX_6_7, {
  name: 'linux-6.8',
  description:
    'v6.8 .. v6.10 (6.7.3+): linux-6.7 with the early_pfn_to_nid() fallback, memblock_set_node(start, end)',
  reservedNoNode: 'early-pfn-to-nid',
});

const LINUX_6_11 = after(LINUX_6_8, {
  name: 'linux-6.11',
  description:
    'v6.11 .. v6.14 (6.12.0 .. 6.12.27, 6.14.0 .. 6.14.5): linux-6.8 with deferred-init threads from the node CPUs on every arch',
  threadsFromNodeCpus: 'all',
});

const LINUX_6_15 = after(LINUX_6_11, {
  name: 'linux-6.15',
  description:
    'v6.15 .. v6.17 (6.12.28+, 6.14.6+): linux-6.11 with memblock_set_node(start, size) (06eaa824fd23); what the KHO profiles v6.16, v6.17 run',
  reservedSetNodeSize: 'size',
});

const LINUX_6_18 = after(LINUX_6_15, {
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
  'linux-6.6.15': LINUX_6_6_15,
  'linux-6.6.90': LINUX_6_6_90,
  'linux-6.7': LINUX_6_7,
  'linux-6.8': LINUX_6_8,
  'linux-6.11': LINUX_6_11,
  'linux-6.15': LINUX_6_15,
  'linux-6.18': LINUX_6_18,
  'linux-7.2': LINUX_7_2,
  'linux-7.3': LINUX_7_3,
};

/** The mm profile a kernel release replays with, and why the choice may be wrong (a distribution's hidden sublevel). */
export interface MmProfileChoice {
  readonly profile: MmProfile;
  /** Why this profile, for the report: the release it was chosen from, or that there was none to read. */
  readonly reason: string;
  readonly uncertain: readonly string[];
}

/** The profile's name for an upstream version (stable sublevels decide inside 6.6, 6.7, 6.12 and 6.14). */
function mmProfileNameFor(major: number, minor: number, patch: number): string {
  const v = major * 1000 + minor;
  if (v >= 7003) return 'linux-7.3';
  if (v >= 7002) return 'linux-7.2';
  if (v >= 6018) return 'linux-6.18';
  if (v >= 6015) return 'linux-6.15';
  // 06eaa824fd23 (memblock_set_node(start, size)) in the stable reviews of 2025-05-07: 6.14.6, 6.12.28, 6.6.90
  if (v === 6014) return patch >= 6 ? 'linux-6.15' : 'linux-6.11';
  if (v === 6012) return patch >= 28 ? 'linux-6.15' : 'linux-6.11';
  if (v >= 6011) return 'linux-6.11';
  if (v >= 6008) return 'linux-6.8';
  // 6a9531c3a880 (the early_pfn_to_nid() fallback) in the stable reviews of 2024-01-29: 6.7.3, 6.6.15
  if (v === 6007) return patch >= 3 ? 'linux-6.8' : 'linux-6.7';
  if (v === 6006) return patch >= 90 ? 'linux-6.6.90' : patch >= 15 ? 'linux-6.6.15' : 'linux-6.5';
  if (v >= 6005) return 'linux-6.5';
  return 'linux-6.1';
}

/**
 * The mm profile of a host whose kernel release is missing or not understood: the newest one, as src/sim/kernel-eras.ts
 * CURRENT_ERA gives such a host today's hole rules. Current kernels matter most to someone replaying an unknown host,
 * and the two halves of one replay then describe one kernel (before, such a host got v7.3's hole rules with v6.1's
 * memmap_init_reserved_pages() and deferred init).
 */
export const CURRENT_MM_PROFILE = mmProfileNameFor(9999, 0, 0);

/**
 * The profile for a kernel release string (`6.1.0-56-amd64`, `6.12.9`), CURRENT_MM_PROFILE when unknown. A distribution's
 * `X.Y.0-N` hides the stable sublevel: where a stable backport changes the profile inside X.Y, the X.Y.0 profile is
 * used and the other one named (as src/sim/kernel-eras.ts does for the hole rules).
 */
export function mmProfileChoice(release: string | null, from?: string): MmProfileChoice {
  const v = parseKernelRelease(release);
  if (!v)
    return {
      profile: MM_PROFILES[CURRENT_MM_PROFILE]!,
      reason:
        (release
          ? `kernel release ${JSON.stringify(release)}${from ? ` (${from})` : ''} not understood`
          : 'no kernel release in the bundle') +
        `: the current kernel's ${CURRENT_MM_PROFILE} assumed, as for the hole rules (--mm for an older kernel)`,
      uncertain: [],
    };
  const name = mmProfileNameFor(v.major, v.minor, v.patch);
  const reason =
    `kernel release ${release}${from ? ` (${from})` : ''}` +
    (v.distroAbi ? `, a distribution's ABI number: read as ${v.major}.${v.minor}.0` : '');
  const uncertain: string[] = [];
  if (v.distroAbi) {
    const later = mmProfileNameFor(v.major, v.minor, 999);
    if (later !== name)
      uncertain.push(
        `${release} is a distribution kernel on ${v.major}.${v.minor}: mm profile ${name} (${v.major}.${v.minor}.0), or ${later} if it carries the stable backports of memmap_init_reserved_pages() (6a9531c3a880, 06eaa824fd23)`,
      );
  }
  return { profile: MM_PROFILES[name]!, reason, uncertain };
}

export function mmProfileForRelease(release: string | null): MmProfile {
  return mmProfileChoice(release).profile;
}

/** One warning per uncertainty of the choice (the profile itself is in the timeline). */
export function mmProfileDiagnostics(c: MmProfileChoice): Diagnostic[] {
  return c.uncertain.map((message) => ({ code: 'SIM_MM_PROFILE_UNCERTAIN', severity: 'warning', message }));
}

export function mmProfileByName(name: string): MmProfile {
  const p = MM_PROFILES[name];
  if (!p)
    throw new RequestError(`unknown mm profile '${name}' (known: ${Object.keys(MM_PROFILES).join(', ')})`);
  return p;
}
