// The struct pages of gigantic boot-time hugetlb pages (mm/hugetlb.c __alloc_bootmem_huge_page,
// hugetlb_bootmem_struct_page_init / gather_bootmem_prealloc): memblock_alloc_hugetlb() reserves each page with
// MEMBLOCK_RSRV_KERN | MEMBLOCK_RSRV_HUGETLB (linux v7.3-rc7 mm/memblock.c memblock_alloc_hugetlb) and hugetlb marks
// everything after its head page MEMBLOCK_RSRV_NOINIT, so memmap_init_reserved_pages() sets up the head only and
// hugetlb initialises the tails itself. Where it does that is the mm profile's `hugetlbBootmemStructPageInit`:
//  - true: hugetlb_bootmem_struct_page_init() in page_alloc_init_late(), after deferred init and before
//    set_zone_contiguous() (linux v7.3-rc7 mm/mm_init.c page_alloc_init_late; Muchun Song, "mm/hugetlb: Initialize
//    gigantic bootmem hugepage struct pages earlier", v4 04/19, 2026-06-12, Fixes fde1c4ecf916);
//  - false: gather_bootmem_prealloc() from hugetlb_init(), a subsys_initcall after page_alloc_init_late(), so
//    set_zone_contiguous() and page_ext_init() read the tails uninitialised (what that patch repaired).
import { MEMBLOCK_FLAGS } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { runPhase, zoneSpanning } from '../context.js';
import { pfnDown, pfnUp } from '../arch.js';

/** A reserved region flagged both RSRV_HUGETLB and RSRV_NOINIT, in pfns (non-empty), with its own node or null. */
interface HugetlbRegion {
  readonly start: number;
  readonly end: number;
  readonly nid: number | null;
}

/**
 * The hugetlb regions of a memblock (which phases replace, never change in place) for a page size: the strategies
 * compare and check replay from one boot (src/sim/replay.ts replayEach) reach page_alloc_init_late with the same
 * memblock (kho_memory_init's withBlocksReserved), so they share one walk of memblock.reserved (a region per preserved
 * block: 8.36M on the 8M bundle) instead of one each. Read only.
 */
const hugetlbRegionsOf = new WeakMap<object, { arch: object; regions: readonly HugetlbRegion[] }>();

function hugetlbRegions(ctx: SimContext): readonly HugetlbRegion[] {
  const hit = hugetlbRegionsOf.get(ctx.memblock);
  if (hit && hit.arch === ctx.arch) return hit.regions;
  const want = MEMBLOCK_FLAGS.MEMBLOCK_RSRV_HUGETLB | MEMBLOCK_FLAGS.MEMBLOCK_RSRV_NOINIT;
  const regions: HugetlbRegion[] = [];
  ctx.memblock.forEachReservedMemRegion((start, end, rnid, flags) => {
    if ((flags & want) !== want) return;
    const s = pfnUp(start, ctx.arch);
    const e = pfnDown(end, ctx.arch);
    if (s < e) regions.push({ start: s, end: e, nid: rnid });
  });
  hugetlbRegionsOf.set(ctx.memblock, { arch: ctx.arch, regions });
  return regions;
}

/** The tails of the gigantic bootmem pages: reserved regions flagged both RSRV_HUGETLB and RSRV_NOINIT, in pfns. */
export function hugetlbBootmemTails(
  ctx: SimContext,
): { start: number; end: number; nid: number; zid: number }[] {
  const out: { start: number; end: number; nid: number; zid: number }[] = [];
  for (const r of hugetlbRegions(ctx)) {
    const nid = r.nid ?? ctx.pfnToNid.lookup(r.start);
    // hugetlb_folio_init_vmemmap() takes the zone and node of the folio's head page, which is the region's own
    const z = zoneSpanning(ctx, nid, r.start);
    if (z) out.push({ start: r.start, end: r.end, nid, zid: z.zid });
  }
  return out;
}

/** hugetlb_bootmem_struct_page_init(), inside page_alloc_init_late() (v7.2 on). */
export function hugetlbBootmemStructPageInit(ctx: SimContext): void {
  const tails = hugetlbBootmemTails(ctx);
  if (tails.length)
    ctx.memmap.initRanges(tails, { phase: 'page_alloc_init_late', fn: 'hugetlb_bootmem_struct_page_init' });
}

/** hugetlb_init() -> gather_bootmem_prealloc() after page_alloc_init_late() (before v7.2); no phase when no page. */
export function hugetlbInitGatherBootmem(ctx: SimContext): void {
  const tails = hugetlbBootmemTails(ctx);
  if (!tails.length) return;
  runPhase(ctx, 'hugetlb_init', () => {
    ctx.memmap.initRanges(tails, { phase: 'hugetlb_init', fn: 'gather_bootmem_prealloc' });
  });
}
