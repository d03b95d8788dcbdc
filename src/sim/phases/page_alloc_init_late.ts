// mm/page_alloc.c page_alloc_init_late, deferred_init_memmap, deferred_init_memmap_chunk, set_zone_contiguous, mm/page_ext.c page_ext_init, kernel/padata.c padata_do_multithreaded, v6.1 (one job per zone from ~6.18; boot-pipeline.md §3.8).
import { MEMBLOCK_FLAGS, roundDown, roundUp } from '../../core/index.js';
import type { PadataJob, SimContext } from '../context.js';
import { runPhase, validParts, zoneKey } from '../context.js';
import { MEMBLOCK_LIMITS } from '../memblock.js';
import { forEachNodePiece, forEachZonePiece } from './zone-split.js';
import { hugetlbBootmemStructPageInit } from './hugetlb-bootmem.js';

const INIT = { phase: 'page_alloc_init_late', fn: 'deferred_init_pages' } as const;
const FREE = { phase: 'page_alloc_init_late', fn: 'deferred_free_pages' } as const;
const CONTIG = { phase: 'page_alloc_init_late', fn: 'set_zone_contiguous' } as const;
const PAGE_EXT = { phase: 'page_alloc_init_late', fn: 'page_ext_init' } as const;

/**
 * padata_do_multithreaded(job), kernel/padata.c v6.1: nworks = min(max(size / min_chunk, 1), max_threads);
 * chunk = max(size / (nworks * 4), min_chunk) rounded up to align; workers take chunk-aligned pieces.
 */
export function padataSplit(
  start: number,
  size: number,
  align: number,
  minChunk: number,
  maxThreads: number,
): PadataJob {
  const nworks = Math.max(1, Math.min(Math.max(Math.floor(size / minChunk), 1), maxThreads));
  if (nworks === 1) return { start, size, nworks, chunk: size, pieces: 1 };
  const chunk = roundUp(Math.max(Math.floor(size / (nworks * 4)), minChunk), align);
  // pieces end at the next multiple of chunk after job start, then every chunk
  const firstEnd = Math.min(start + size, roundDown(start, chunk) + chunk);
  const rest = start + size - firstEnd;
  return { start, size, nworks, chunk, pieces: 1 + Math.ceil(rest / chunk) };
}

/** One node's free ranges in pfns, in address order. */
interface NodeFree {
  readonly start: ArrayLike<number>;
  readonly end: ArrayLike<number>;
  readonly n: number;
}

/** The free ranges (memory minus reserved, MEMBLOCK_NONE) of one node: for_each_free_mem_pfn_range_in_zone's. */
function nodeFree(ctx: SimContext, nid: number): NodeFree {
  return ctx.memblock.freePfnColumns({ nid, flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE, defaultNid: 0 });
}

/**
 * The free ranges of every node (all nodes' ranges in address order with their node) dealt out by node, each node's
 * in the same order: a node whose ranges come together (its memory one stretch of addresses: every real layout) is
 * a view of the columns, the ranges of a node that come in several stretches are copied together.
 */
export function freeRangesByNode(all: {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly nid: ArrayLike<number>;
  readonly n: number;
}): Map<number, NodeFree> {
  // ranges of one node come together: the map is looked up when the node changes, not per range
  const count = new Map<number, number>();
  const stretches = new Map<number, number>();
  for (let k = 0; k < all.n;) {
    const node = all.nid[k]!;
    let j = k + 1;
    while (j < all.n && all.nid[j] === node) j++;
    count.set(node, (count.get(node) ?? 0) + j - k);
    stretches.set(node, (stretches.get(node) ?? 0) + 1);
    k = j;
  }
  const cols = new Map<number, NodeFree>();
  const copies = new Map<number, { start: Float64Array; end: Float64Array; n: number }>();
  for (const [node, c] of count)
    if (stretches.get(node)! > 1)
      copies.set(node, { start: new Float64Array(c), end: new Float64Array(c), n: 0 });
  for (let k = 0; k < all.n;) {
    const node = all.nid[k]!;
    let j = k + 1;
    while (j < all.n && all.nid[j] === node) j++;
    const c = copies.get(node);
    if (!c) cols.set(node, { start: all.start.subarray(k, j), end: all.end.subarray(k, j), n: j - k });
    else {
      c.start.set(all.start.subarray(k, j), c.n);
      c.end.set(all.end.subarray(k, j), c.n);
      c.n += j - k;
      cols.set(node, c);
    }
    k = j;
  }
  return cols;
}

/**
 * nodeFree() of every node from one walk of memblock, made on the first call (freeRangesByNode): a walk per node
 * would step over the million reserved regions of the preserved blocks once per node.
 */
function allNodesFree(ctx: SimContext): (nid: number) => NodeFree {
  let byNid: Map<number, NodeFree> | null = null;
  return (nid) => {
    byNid ??= freeRangesByNode(
      ctx.memblock.freePfnColumns({ flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE, defaultNid: 0 }),
    );
    return byNid.get(nid) ?? { start: [], end: [], n: 0 };
  };
}

/**
 * The ranges [start[k], end[k]) clipped to [lo, hi), the empty ones dropped, in their order, with their pages, and
 * whether each starts at or after the end of the one before (sortedDisjoint). When the ranges are typed columns in
 * that order and only those that miss [lo, hi) at either end need clipping (memblock's free ranges of a node, cut at
 * first_deferred_pfn and the zone end), the ranges in between are the columns themselves (views); otherwise a copy
 * clipped range by range.
 */
export function clipFreeRanges(
  all: NodeFree,
  lo: number,
  hi: number,
): { start: Float64Array; end: Float64Array; n: number; pages: number; sortedDisjoint: boolean } {
  const S = all.start;
  const E = all.end;
  const n = all.n;
  let k0 = 0;
  while (k0 < n && !(Math.max(S[k0]!, lo) < Math.min(E[k0]!, hi))) k0++;
  let k1 = n;
  while (k1 > k0 && !(Math.max(S[k1 - 1]!, lo) < Math.min(E[k1 - 1]!, hi))) k1--;
  let whole = S instanceof Float64Array && E instanceof Float64Array;
  let pages = 0;
  for (let k = k0; k < k1 && whole; k++) {
    const s = S[k]!;
    const e = E[k]!;
    whole = s >= lo && e <= hi && e > s && (k === k0 || s >= E[k - 1]!);
    pages += e - s;
  }
  if (whole)
    return {
      start: (S as Float64Array).subarray(k0, k1),
      end: (E as Float64Array).subarray(k0, k1),
      n: k1 - k0,
      pages,
      sortedDisjoint: true,
    };
  const fs = new Float64Array(n);
  const fe = new Float64Array(n);
  let m = 0;
  let sortedDisjoint = true;
  pages = 0;
  for (let k = 0; k < n; k++) {
    const s = Math.max(S[k]!, lo);
    const e = Math.min(E[k]!, hi);
    if (s < e) {
      if (m > 0 && s < fe[m - 1]!) sortedDisjoint = false;
      fs[m] = s;
      fe[m++] = e;
      pages += e - s;
    }
  }
  return { start: fs.subarray(0, m), end: fe.subarray(0, m), n: m, pages, sortedDisjoint };
}

/**
 * Deferred init's batch of one node: its free ranges clipped to [first_deferred_pfn, zone end), with node and zone,
 * and their pages. sortedDisjoint when every range is non-empty and starts at or after the end of the one before
 * (checked as it is made: memblock's free ranges come so).
 */
interface FreeBatch {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly nid: Float64Array;
  readonly zid: Float64Array;
  readonly n: number;
  readonly pages: number;
  readonly sortedDisjoint: boolean;
}

/**
 * The batches made from a memblock (which phases replace, never change in place), by layout, node,
 * first_deferred_pfn and zone: the strategies compare and check replay from one boot (src/sim/replay.ts replayEach)
 * reach deferred init with the same memblock (kho_memory_init's withBlocksReserved), so they share one batch, as
 * memblock_free_all's freeRangesOf does (the columns are read only: the memmap and the events' covers only read them).
 */
const batchesFrom = new WeakMap<object, { layout: object; byKey: Map<string, FreeBatch> }>();

function freeBatch(
  ctx: SimContext,
  nid: number,
  fdp: number,
  zone: { readonly zid: number; readonly startPfn: number; readonly endPfn: number },
  freeOf: (nid: number) => NodeFree,
): FreeBatch {
  let m = batchesFrom.get(ctx.memblock);
  if (!m || m.layout !== ctx.layout)
    batchesFrom.set(ctx.memblock, (m = { layout: ctx.layout, byKey: new Map() }));
  const key = `${nid}|${fdp}|${zone.zid}|${zone.startPfn}|${zone.endPfn}`;
  const hit = m.byKey.get(key);
  if (hit) return hit;
  // the free ranges from first_deferred_pfn to the zone end
  const c = clipFreeRanges(freeOf(nid), Math.max(fdp, zone.startPfn), zone.endPfn);
  const free: FreeBatch = {
    start: c.start,
    end: c.end,
    nid: new Float64Array(c.n).fill(nid),
    zid: new Float64Array(c.n).fill(zone.zid),
    n: c.n,
    pages: c.pages,
    sortedDisjoint: c.sortedDisjoint,
  };
  m.byKey.set(key, free);
  return free;
}

/**
 * deferred_init_memmap(pgdat) for one node: the zone holding first_deferred_pfn (6.1 searches for it; newer
 * takes the highest zone, the same one), its free ranges (memory minus reserved, MEMBLOCK_NONE, this node) from
 * first_deferred_pfn to the zone end are initialised then freed. Reserved and NOINIT memory is not touched.
 */
export function deferredInitMemmap(
  ctx: SimContext,
  nid: number,
  freeOf: (nid: number) => NodeFree = (n) => nodeFree(ctx, n),
): void {
  const fdp = ctx.currentFirstDeferredPfn.get(nid);
  if (fdp === undefined || fdp === null) return; // prints nothing
  ctx.currentFirstDeferredPfn.set(nid, null);
  const node = ctx.layout.nodes.find((n) => n.nid === nid)!;
  if (fdp >= node.endPfn) {
    // only a deferred_grow_zone() that ran to the zone end leaves this (linux v7.3-rc7 mm/mm_init.c
    // deferred_init_memmap): past the node end BUG_ON() stops the boot; at it, the job is empty but the thread still
    // prints `node N deferred pages initialised`
    if (fdp > node.endPfn) {
      ctx.deferredInitBugs.push({ nid, firstDeferredPfn: fdp, nodeEndPfn: node.endPfn });
      return;
    }
    const last = [...node.zones].reverse().find((z) => z.spannedPages > 0);
    const maxThreads = ctx.threadsPerNode.get(nid) ?? 1;
    if (last)
      ctx.deferredWork.push({
        nid,
        zid: last.zid,
        firstDeferredPfn: fdp,
        pages: 0,
        freeRanges: 0,
        maxThreads,
        jobs: [],
      });
    return;
  }
  const zone = node.zones.find((z) => z.spannedPages && fdp < z.endPfn);
  if (!zone) return;
  const pps = ctx.arch.PAGES_PER_SECTION;
  // the free ranges in columns, each with its node and zone: the same columns serve the init and the free sweeps
  const free = freeBatch(ctx, nid, fdp, zone, freeOf);
  const maxThreads = ctx.threadsPerNode.get(nid) ?? 1;
  const jobs: PadataJob[] = [];
  if (ctx.mm.deferredJobs === 'per-zone') {
    const end = roundUp(zone.endPfn, pps);
    jobs.push(padataSplit(fdp, end - fdp, pps, pps, maxThreads));
  } else {
    // 6.1: a job per free range over [spfn, ALIGN(epfn, PAGES_PER_SECTION)); the next search starts there
    let cursor = 0;
    for (let k = 0; k < free.n; k++) {
      if (free.end[k]! <= cursor) continue;
      const s = Math.max(free.start[k]!, cursor);
      const e = roundUp(free.end[k]!, pps);
      jobs.push(padataSplit(s, e - s, pps, pps, maxThreads));
      cursor = e;
    }
  }
  const pages = free.pages;
  if (free.n) {
    // deferred_init_pages() then deferred_free_pages() over the same free ranges
    ctx.memmap.initThenFreeColumns(free, INIT, FREE);
    const k = zoneKey(nid, zone.zid);
    ctx.managed.set(k, (ctx.managed.get(k) ?? 0) + pages);
  }
  ctx.deferredWork.push({
    nid,
    zid: zone.zid,
    firstDeferredPfn: fdp,
    pages,
    freeRanges: free.n,
    maxThreads,
    jobs,
  });
}

/**
 * set_zone_contiguous(zone): __pageblock_pfn_to_page() on every pageblock from the zone start, reading the
 * first and the last struct page of each, and stopping at the first pageblock with an invalid pfn or whose
 * pages belong to another node/zone. Uninitialised pages are read as they are (garbage that may happen to
 * match), so the scan goes on past them and every such read is recorded.
 */
export function setZoneContiguous(
  ctx: SimContext,
  nid: number,
  zid: number,
  zs: number,
  ze: number,
): boolean {
  const P = ctx.arch.pageblock_nr_pages;
  const firstBoundaryFrom = (x: number): number => {
    if (x === zs || x % P === 0 || (x + 1) % P === 0) return x;
    return Math.min(roundUp(x, P) - 1, ze - 1);
  };
  // the first pageblock boundary pfn (the smallest one at or after a piece's start) on a bad page: pieces of one
  // state may come split, which moves no boundary
  let failed: { pfn: number; noMemmap: boolean } | null = null;
  const r = ctx.memmap.reader();
  const bad = r.mark((st) => !st.memmap || (st.initCount > 0 && (st.zid !== zid || st.nid !== nid)));
  r.range(zs, ze);
  while (r.next(bad)) {
    const st = r.state;
    const b = firstBoundaryFrom(r.s);
    if (b < r.e) {
      failed = { pfn: b, noMemmap: !st.memmap };
      break;
    }
  }
  let readEnd = ze;
  if (failed) {
    const blockStart = Math.max(zs, roundDown(failed.pfn, P));
    const blockEnd = Math.min(ze, roundDown(failed.pfn, P) + P);
    // pfn_valid() of both ends is checked before any read; a bad first page stops before the last is read
    if (failed.noMemmap) readEnd = blockStart;
    else readEnd = failed.pfn === blockStart ? blockStart + 1 : blockEnd;
  }
  if (readEnd > zs) {
    const points = [zs];
    if (readEnd === ze) points.push(ze - 1);
    ctx.memmap.readPattern({ start: zs, end: readEnd, stride: P, offsets: [0, P - 1], points }, CONTIG);
  }
  return failed === null;
}

/**
 * page_ext_init(), mm/page_ext.c v6.1: per node, the struct page at the node start and at each
 * section-aligned pfn after it is read (pfn_to_nid) where pfn_valid().
 */
export function pageExtInit(ctx: SimContext): void {
  const pps = ctx.arch.PAGES_PER_SECTION;
  for (const n of ctx.layout.nodes) {
    for (const sec of ctx.layout.presentSections) {
      const s = Math.max(sec.start, n.startPfn);
      const e = Math.min(sec.end, n.endPfn);
      if (s >= e) continue;
      ctx.memmap.readPattern(
        { start: s, end: e, stride: pps, offsets: [0], points: s === n.startPfn ? [s] : [] },
        PAGE_EXT,
      );
    }
  }
}

const DISCARD = { phase: 'page_alloc_init_late', fn: 'memblock_discard' } as const;

/**
 * memblock_discard() (!CONFIG_ARCH_KEEP_MEMBLOCK; after deferred init and mem_init_print_info(), linux v7.3-rc7
 * mm/mm_init.c page_alloc_init_late): a reserved or memory array that memblock_double_array() allocated from memblock
 * (not the static __initdata one, not kmalloc'ed) is freed, PAGE_ALIGN(max * sizeof(struct memblock_region)) bytes:
 * memblock_free() -> memblock_phys_free(), and with slab up that is __free_reserved_area() (linux v7.3-rc7
 * mm/memblock.c memblock_discard, memblock_phys_free), each page's PG_reserved cleared and freed to the buddy, managed
 * and totalram pages counted (adjust_managed_page_count). 6.1 did the same through memblock_free_late(). An array whose
 * address the replay does not know (a trace that already held more than the static array) is left alone.
 */
function memblockDiscard(ctx: SimContext): void {
  const page = 2 ** ctx.arch.PAGE_SHIFT;
  const ranges: { start: number; end: number }[] = [];
  for (const t of [ctx.memblock.reserved, ctx.memblock.memory]) {
    if (!t.dynamic || t.arrayAddr === null) continue;
    const bytes = Math.ceil((t.max * MEMBLOCK_LIMITS.MEMBLOCK_REGION_BYTES) / page) * page;
    // __free_reserved_area(start, end): PFN_UP(start) .. PFN_DOWN(end), valid pfns only
    for (const v of validParts(ctx, Math.ceil(t.arrayAddr / page), Math.floor((t.arrayAddr + bytes) / page)))
      ranges.push(v);
  }
  if (!ranges.length) return;
  ranges.sort((a, b) => a.start - b.start);
  ctx.memmap.free(ranges, DISCARD);
  for (const r of ranges)
    forEachNodePiece(ctx.layout.memRanges, r.start, r.end, ctx.layout.firstOnlineNode, (ns, ne, nid) =>
      forEachZonePiece(ctx.layout, nid, ns, ne, (zs, ze, zid) => {
        if (zid === null) return;
        const k = zoneKey(nid, zid);
        ctx.managed.set(k, (ctx.managed.get(k) ?? 0) + ze - zs);
        ctx.totalramPages += ze - zs;
      }),
    );
}

/**
 * page_alloc_init_late(): deferred init of every node (pgdatinit threads), memblock_discard(),
 * set_zone_contiguous() per populated zone, then page_ext_init() when pages were deferred (6.1 calls it from
 * kernel_init_freeable right after; newer from here).
 */
export function pageAllocInitLate(ctx: SimContext): void {
  runPhase(ctx, 'page_alloc_init_late', () => {
    const freeOf = allNodesFree(ctx);
    for (const n of ctx.layout.nodes) deferredInitMemmap(ctx, n.nid, freeOf);
    // v7.2 on: the gigantic hugetlb tails before mem_init_print_info() and set_zone_contiguous()
    if (ctx.mm.hugetlbBootmemStructPageInit) hugetlbBootmemStructPageInit(ctx);
    ctx.memblockDiscarded = !ctx.arch.ARCH_KEEP_MEMBLOCK;
    if (ctx.memblockDiscarded) memblockDiscard(ctx);
    for (const n of ctx.layout.nodes) {
      for (const z of n.zones) {
        if (!z.presentPages) continue;
        ctx.contiguous.set(zoneKey(n.nid, z.zid), setZoneContiguous(ctx, n.nid, z.zid, z.startPfn, z.endPfn));
      }
    }
    const anyDeferred = [...ctx.firstDeferredPfn.values()].some((v) => v !== null);
    if (ctx.pageExt && anyDeferred) pageExtInit(ctx);
  });
}
