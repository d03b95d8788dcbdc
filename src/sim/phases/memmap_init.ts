// mm/page_alloc.c memmap_init, memmap_init_zone_range, memmap_init_range, defer_init, init_unavailable_range, v6.1 (mm/mm_init.c @00c010e1 for newer kernels: boot-pipeline.md §3.1, §3.3).
import { MEMBLOCK_FLAGS, roundUp } from '../../core/index.js';
import { ZONE_MOVABLE, pfnDown } from '../arch.js';
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import { holeValidParts } from './hole-accounting.js';

/** defer_init()'s two statics, kept across every call of one memmap_init(), and the work gathered. */
interface DeferState {
  prevEndPfn: number;
  nrInitialised: number;
  /** Disjoint, in address order: applied to the memmap in one sweep at the end. */
  readonly init: { start: number; end: number; nid: number; zid: number }[];
  readonly holes: { start: number; end: number; nid: number; zid: number }[];
}

const RANGE = { phase: 'memmap_init', fn: 'memmap_init_range' } as const;
const HOLE = { phase: 'memmap_init', fn: 'init_unavailable_range' } as const;

/**
 * memmap_init_range(EARLY) over [start, end) of one zone: __init_single_page on every pfn until defer_init()
 * says stop, which ends the whole call (a `break`, not a `continue`). Per range arithmetic instead of the
 * kernel's per-pfn loop: with nr = pages already counted in this top zone, the first pfn p >= start with
 * nr + (p - start) + 1 > PAGES_PER_SECTION and p % PAGES_PER_SECTION == 0 becomes first_deferred_pfn.
 */
function memmapInitRange(
  ctx: SimContext,
  st: DeferState,
  start: number,
  end: number,
  nid: number,
  zid: number,
  zoneEnd: number,
  nodeEnd: number,
): void {
  const pps = ctx.arch.PAGES_PER_SECTION;
  // overlap_memmap_init(): with kernelcore=mirror, Movable skips the pfns of mirrored regions
  let segments = [{ start, end }];
  if (ctx.layout.mirroredKernelcore && zid === ZONE_MOVABLE) {
    const mirror: { start: number; end: number }[] = [];
    ctx.memblock.forEachMemRegion((s, e, _nid, flags) => {
      if (flags & MEMBLOCK_FLAGS.MEMBLOCK_MIRROR)
        mirror.push({ start: pfnDown(s, ctx.arch), end: pfnDown(e, ctx.arch) });
    });
    segments = [];
    let cur = start;
    for (const m of mirror) {
      if (m.end <= cur || m.start >= end) continue;
      if (m.start > cur) segments.push({ start: cur, end: m.start });
      cur = Math.max(cur, m.end);
    }
    if (cur < end) segments.push({ start: cur, end });
  }
  for (const seg of segments) {
    if (!ctx.deferred) {
      st.init.push({ start: seg.start, end: seg.end, nid, zid });
      continue;
    }
    // defer_init(nid, pfn, end_pfn): 6.1 resets the count on a new zone end before the low-zone test, newer
    // kernels after the low-zone and already-decided tests
    const reset = (): void => {
      if (st.prevEndPfn !== zoneEnd) {
        st.prevEndPfn = zoneEnd;
        st.nrInitialised = 0;
      }
    };
    if (ctx.mm.deferCountResetBeforeLowZoneTest) reset();
    if (zoneEnd < nodeEnd) {
      st.init.push({ start: seg.start, end: seg.end, nid, zid });
      continue;
    }
    if (ctx.firstDeferredPfn.get(nid) != null) return;
    if (!ctx.mm.deferCountResetBeforeLowZoneTest) reset();
    const from = Math.max(seg.start, seg.start + pps - st.nrInitialised);
    const cut = roundUp(from, pps);
    if (cut < seg.end) {
      st.init.push({ start: seg.start, end: cut, nid, zid });
      st.nrInitialised += cut - seg.start + 1;
      ctx.firstDeferredPfn.set(nid, cut);
      ctx.currentFirstDeferredPfn.set(nid, cut);
      return;
    }
    st.init.push({ start: seg.start, end: seg.end, nid, zid });
    st.nrInitialised += seg.end - seg.start;
  }
}

/**
 * init_unavailable_range(spfn, epfn, zone, node), v6.1: every pfn of a pageblock whose first pfn is
 * pfn_valid() is initialised and marked PG_reserved; the count is what the kernel prints. Sections are whole
 * pageblocks, so pageblock validity is section presence (the newer for_each_valid_pfn gives the same count
 * for boot-time sections).
 */
function initUnavailableRange(
  ctx: SimContext,
  st: DeferState,
  spfn: number,
  epfn: number,
  zid: number,
  nid: number,
): void {
  // before v4.15 the struct pages of holes stay as the memmap allocator zeroed them (kernel-eras.ts)
  if (ctx.era.holes === 'none') return;
  // arm64 before v5.16 asks its own pfn_valid() (memblock memory) of each pageblock's first pfn
  const parts = holeValidParts(ctx, spfn, epfn);
  const pages = parts.reduce((n, r) => n + r.end - r.start, 0);
  for (const r of parts) st.holes.push({ start: r.start, end: r.end, nid, zid });
  // the per-zone line exists from 0740a50b9baa (v5.12); older kernels print one total (hole-accounting.ts)
  if (pages > 0 && ctx.era.holes === 'per-zone') {
    const zone = ctx.layout.nodes.find((n) => n.nid === nid)?.zones[zid]?.name ?? `zone ${zid}`;
    ctx.unavailable.push({ nid, zid, zone, startPfn: spfn, endPfn: epfn, pages });
  }
}

/**
 * memmap_init(): for each memory range in address order and each populated zone of its node, initialise the
 * overlap and give the hole before it to that zone; the hole up to the next section boundary after the last
 * range goes to the last populated zone of the last node (SPARSEMEM).
 */
export function memmapInit(ctx: SimContext): void {
  for (const n of ctx.layout.nodes) {
    if (!ctx.firstDeferredPfn.has(n.nid)) ctx.firstDeferredPfn.set(n.nid, null);
    if (!ctx.currentFirstDeferredPfn.has(n.nid)) ctx.currentFirstDeferredPfn.set(n.nid, null);
  }
  runPhase(ctx, 'memmap_init', () => {
    const st: DeferState = { prevEndPfn: 0, nrInitialised: 0, init: [], holes: [] };
    let holePfn = 0;
    let zoneId = 0;
    let lastNid = ctx.layout.firstOnlineNode;
    let lastEnd = 0;
    for (const r of ctx.layout.memRanges) {
      const node = ctx.layout.nodes.find((n) => n.nid === r.nid)!;
      for (const z of node.zones) {
        if (!z.presentPages) continue;
        const a = Math.min(Math.max(r.start, z.startPfn), z.endPfn);
        const b = Math.min(Math.max(r.end, z.startPfn), z.endPfn);
        zoneId = z.zid;
        if (a >= b) continue;
        memmapInitRange(ctx, st, a, b, node.nid, z.zid, z.endPfn, node.endPfn);
        if (holePfn < a) initUnavailableRange(ctx, st, holePfn, a, z.zid, node.nid);
        holePfn = b;
      }
      lastNid = r.nid;
      lastEnd = r.end;
    }
    const end = roundUp(lastEnd, ctx.arch.PAGES_PER_SECTION);
    if (holePfn < end) initUnavailableRange(ctx, st, holePfn, end, zoneId, lastNid);
    ctx.memmap.initRanges(st.init, RANGE);
    ctx.memmap.initRanges(st.holes, HOLE);
    ctx.memmap.reserve(st.holes, HOLE);
  });
}
