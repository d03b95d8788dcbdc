// deferred_grow_zone() (linux v7.3-rc7 mm/mm_init.c deferred_grow_zone; the section loop since v6.18, Rapoport
// "mm/mm_init: use deferred_init_memmap_chunk() in deferred_grow_zone()", 2025-08-18): an allocation that finds its
// zone short of initialised free pages before page_alloc_init_late() grows the zone by whole sections from
// first_deferred_pfn, initialising and freeing the free ranges there, until at least SECTION_ALIGN_UP(1 << order)
// pages were found or the zone ends. Where first_deferred_pfn is left decides what the node's pgdatinit thread
// does later: the end rule is the mm profile's `deferredGrowZoneEnd`.
import type { Range } from '../../core/index.js';
import { MEMBLOCK_FLAGS, roundUp } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { runPhase, zoneKey } from '../context.js';

/** One allocation that fell back to deferred_grow_zone(): the node of its zone and its order. */
export interface GrowZoneRequest {
  readonly nid: number;
  readonly order: number;
}

/** What one deferred_grow_zone() call did. */
export interface DeferredGrow {
  readonly nid: number;
  readonly order: number;
  /** The zone grown (the node's last zone), null when the call returned false at once. */
  readonly zid: number | null;
  /** first_deferred_pfn before the call; null = ULONG_MAX (nothing deferred on the node). */
  readonly fromPfn: number | null;
  /** Where the section loop stopped (spfn on exit), null when it did not run. */
  readonly loopEndPfn: number | null;
  /** first_deferred_pfn after the call, null = ULONG_MAX. */
  readonly toPfn: number | null;
  /** Struct pages initialised and freed (nr_pages), and where. */
  readonly pages: number;
  readonly ranges: readonly Range[];
  /** The call's return value: nr_pages > 0, or true when another grow already moved first_deferred_pfn. */
  readonly grew: boolean;
}

const INIT = { phase: 'deferred_grow_zone', fn: 'deferred_init_pages' } as const;
const FREE = { phase: 'deferred_grow_zone', fn: 'deferred_free_pages' } as const;

/**
 * deferred_grow_zone(zone, order) for the last zone of node nid. The loop visits [spfn, epfn) section by section
 * from first_deferred_pfn (the first piece ends at SECTION_ALIGN_UP(spfn + 1)) while nr_pages < nr_pages_needed and
 * spfn < zone_end; each piece's free ranges (memory minus reserved, MEMBLOCK_NONE, this node) are initialised and
 * freed. On exit spfn can be up to a section past the zone end. The end rule then sets first_deferred_pfn:
 *  - 'range-end' (before v6.18: a deferred_init_maxorder() loop over the free ranges, the lines Rapoport's patch
 *    removed): where the quota was met at a section boundary, or at the end of the last free range when they ran
 *    out (never past the zone end); ULONG_MAX only when no free range was left at all;
 *  - 'nr-pages' (v6.18 .. v7.1): nr_pages ? spfn : ULONG_MAX, so a grow that reached the zone end with pages
 *    leaves spfn, at or past the node end;
 *  - 'zone-end' (v7.2 on): spfn < zone_end ? spfn : ULONG_MAX.
 */
export function deferredGrowZone(ctx: SimContext, nid: number, order: number): DeferredGrow {
  const fromPfn = ctx.currentFirstDeferredPfn.get(nid) ?? null;
  const node = ctx.layout.nodes.find((n) => n.nid === nid);
  const idle = { nid, order, zid: null, fromPfn, loopEndPfn: null, toPfn: fromPfn, pages: 0, ranges: [] };
  // ULONG_MAX: the allocation path does not call it once deferred pages are gone (deferred_pages static key)
  if (!node || fromPfn === null) return { ...idle, grew: false };
  // "Only the last zone may have deferred pages": the allocation's zone is the node's last populated one
  const zone = [...node.zones].reverse().find((z) => z.spannedPages > 0);
  if (!zone || zone.endPfn !== node.endPfn) return { ...idle, grew: false };
  const pps = ctx.arch.PAGES_PER_SECTION;
  const needed = roundUp(2 ** order, pps);
  const zoneEnd = zone.endPfn;
  // for_each_free_mem_pfn_range_in_zone_from(): the node's free ranges in whole pages from fromPfn on
  const cols = ctx.memblock.freePfnColumns({ nid, flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE, defaultNid: 0 });
  const free: { start: number; end: number }[] = [];
  for (let k = 0; k < cols.n; k++)
    if (cols.end[k]! > fromPfn && cols.start[k]! < zoneEnd)
      free.push({ start: cols.start[k]!, end: cols.end[k]! });
  const done: { start: number; end: number; nid: number; zid: number }[] = [];
  let nr = 0;
  let spfn = fromPfn;
  let epfn = roundUp(spfn + 1, pps);
  let i = 0;
  while (nr < needed && spfn < zoneEnd) {
    for (; i < free.length && free[i]!.start < epfn; i++) {
      const s = Math.max(free[i]!.start, spfn);
      const e = Math.min(free[i]!.end, epfn);
      if (s < e) {
        done.push({ start: s, end: e, nid, zid: zone.zid });
        nr += e - s;
      }
      if (free[i]!.end > epfn) break; // the rest of this range is in the next section
    }
    spfn = epfn;
    epfn += pps;
    // sections with no free range give nothing: jump over them (same exit values as stepping through each)
    if (nr < needed && spfn < zoneEnd) {
      const next = i < free.length ? Math.max(free[i]!.start, spfn) : zoneEnd;
      const to = next >= zoneEnd ? roundUp(zoneEnd, pps) : next - (next % pps);
      if (to > spfn) {
        spfn = to;
        epfn = to + pps;
      }
    }
  }
  const rule = ctx.mm.deferredGrowZoneEnd;
  const ranOut = spfn >= zoneEnd;
  let toPfn: number | null;
  if (rule === 'zone-end') toPfn = ranOut ? null : spfn;
  else if (rule === 'nr-pages') toPfn = nr > 0 ? spfn : null;
  // the deferred_init_maxorder() loop stopped at the end of the last free range it took, inside the zone
  else toPfn = nr === 0 ? null : ranOut ? done[done.length - 1]!.end : spfn;
  if (done.length) {
    ctx.memmap.initRanges(done, INIT);
    ctx.memmap.free(done, FREE);
    const k = zoneKey(nid, zone.zid);
    ctx.managed.set(k, (ctx.managed.get(k) ?? 0) + nr);
  }
  ctx.currentFirstDeferredPfn.set(nid, toPfn);
  const ranges = done.map((d) => ({ start: d.start, end: d.end }));
  return { nid, order, zid: zone.zid, fromPfn, loopEndPfn: spfn, toPfn, pages: nr, ranges, grew: nr > 0 };
}

/**
 * The allocations a scenario says fell back to deferred_grow_zone() between memblock_free_all() (the buddy
 * allocator is up) and page_alloc_init_late(), in order. Runs nothing (no phase) when there are none.
 */
export function deferredGrowZones(ctx: SimContext, requests: readonly GrowZoneRequest[]): void {
  if (!requests.length) return;
  runPhase(ctx, 'deferred_grow_zone', () => {
    for (const r of requests) ctx.deferredGrows.push(deferredGrowZone(ctx, r.nid, r.order));
  });
}
