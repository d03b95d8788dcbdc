// mm/page_alloc.c page_alloc_init_late, deferred_init_memmap, deferred_init_memmap_chunk, set_zone_contiguous, mm/page_ext.c page_ext_init, kernel/padata.c padata_do_multithreaded, v6.1 (one job per zone from ~6.18; boot-pipeline.md §3.8).
import { MEMBLOCK_FLAGS, roundDown, roundUp } from '../../core/index.js';
import type { PadataJob, SimContext } from '../context.js';
import { runPhase, validParts, zoneKey } from '../context.js';
import { MEMBLOCK_LIMITS } from '../memblock.js';
import type { Memblock } from '../memblock.js';
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
  readonly nid: Int32Array;
  readonly zid: Int32Array;
  readonly n: number;
  readonly pages: number;
  readonly sortedDisjoint: boolean;
}

/** The zone deferred init of a node takes (the one holding first_deferred_pfn) as the batch needs it. */
interface DeferredZone {
  readonly zid: number;
  readonly startPfn: number;
  readonly endPfn: number;
}

/** A node's batch for deferredInitMemmap(): (nid, first_deferred_pfn, zone) -> its free ranges in the window. */
type BatchOf = (nid: number, fdp: number, zone: DeferredZone) => FreeBatch;

/**
 * The batches made from a memblock (which phases replace, never change in place), by layout, node,
 * first_deferred_pfn and zone: the strategies compare and check replay from one boot (src/sim/replay.ts replayEach)
 * reach deferred init with the same memblock (kho_memory_init's withBlocksReserved), so they share one batch, as
 * memblock_free_all's freeRangesOf does (the columns are read only: the memmap and the events' covers only read them).
 */
const batchesFrom = new WeakMap<object, { layout: object; byKey: Map<string, FreeBatch> }>();

function batchCache(ctx: SimContext): Map<string, FreeBatch> {
  let m = batchesFrom.get(ctx.memblock);
  if (!m || m.layout !== ctx.layout)
    batchesFrom.set(ctx.memblock, (m = { layout: ctx.layout, byKey: new Map() }));
  return m.byKey;
}

const batchKey = (nid: number, fdp: number, zone: DeferredZone): string =>
  `${nid}|${fdp}|${zone.zid}|${zone.startPfn}|${zone.endPfn}`;

function batchOfClipped(nid: number, zid: number, c: WindowFree): FreeBatch {
  return {
    start: c.start,
    end: c.end,
    nid: new Int32Array(c.n).fill(nid),
    zid: new Int32Array(c.n).fill(zid),
    n: c.n,
    pages: c.pages,
    sortedDisjoint: c.sortedDisjoint,
  };
}

/** The general batch: the node's own walk of memblock (nodeFree() or freeOf), then clipFreeRanges(). */
function freeBatch(
  ctx: SimContext,
  nid: number,
  fdp: number,
  zone: DeferredZone,
  freeOf: (nid: number) => NodeFree,
): FreeBatch {
  const cache = batchCache(ctx);
  const key = batchKey(nid, fdp, zone);
  const hit = cache.get(key);
  if (hit) return hit;
  // the free ranges from first_deferred_pfn to the zone end
  const free = batchOfClipped(nid, zone.zid, clipFreeRanges(freeOf(nid), Math.max(fdp, zone.startPfn), zone.endPfn));
  cache.set(key, free);
  return free;
}

/**
 * The node and zone deferredInitMemmap() takes a batch for (its tests, in its order: a first_deferred_pfn below the
 * node end, the first spanned zone ending above it), or null.
 */
function deferredZoneOf(
  ctx: SimContext,
  nid: number,
  fdp: number | null | undefined,
): { fdp: number; zone: DeferredZone } | null {
  if (fdp === undefined || fdp === null) return null;
  const node = ctx.layout.nodes.find((n) => n.nid === nid);
  if (!node || fdp >= node.endPfn) return null;
  const zone = node.zones.find((z) => z.spannedPages && fdp < z.endPfn);
  return zone ? { fdp, zone } : null;
}

/** One node's free ranges clipped to its window, with their pages and whether they come in order, disjoint. */
interface WindowFree {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly n: number;
  readonly pages: number;
  readonly sortedDisjoint: boolean;
}

/**
 * The free ranges of one memory region [ms, me) (bytes) from reserved region j on, as Memblock.forEachFreeMemRange()
 * yields them, rounded inward to pages (PFN_UP(start)..PFN_DOWN(end)), clipped to [lo, hi) (pfns), the empty ones
 * dropped, written to S/E from row st[0]. st: [rows, pages, end of the last range written (-Infinity: none),
 * 1 while in order and disjoint else 0, reserved index]; updated. The byte walk stops at the window end: a gap
 * starting at or past hi * ps rounds up to a pfn at or past hi. A function of its own with its state in locals:
 * V8 compiles a small loop while it runs, and a million gaps pass through it.
 */
function windowGaps(
  RB: Float64Array,
  RS: Float64Array,
  nres: number,
  ms: number,
  me0: number,
  lo: number,
  hi: number,
  ps: number,
  S: Float64Array,
  E: Float64Array,
  st: Float64Array,
): void {
  let j = st[4]!;
  while (j < nres && RB[j]! + RS[j]! <= ms) j++;
  st[4] = j;
  let n = st[0]!;
  let pages = st[1]!;
  let last = st[2]!;
  let sd = st[3]!;
  const me = Math.min(me0, hi * ps);
  let cur = ms;
  for (let k = j; k < nres; k++) {
    const rs = RB[k]!;
    if (rs >= me) break;
    const re = rs + RS[k]!;
    if (re <= rs) continue;
    if (rs > cur) {
      const s = Math.max(Math.ceil(cur / ps), lo);
      const e = Math.min(Math.floor(rs / ps), hi);
      if (s < e) {
        if (s < last) sd = 0;
        S[n] = s;
        E[n++] = e;
        pages += e - s;
        last = e;
      }
    }
    if (re > cur) cur = re;
    if (cur >= me) break;
  }
  if (cur < me) {
    const s = Math.max(Math.ceil(cur / ps), lo);
    const e = Math.min(Math.floor(me / ps), hi);
    if (s < e) {
      if (s < last) sd = 0;
      S[n] = s;
      E[n++] = e;
      pages += e - s;
      last = e;
    }
  }
  st[0] = n;
  st[1] = pages;
  st[2] = last;
  st[3] = sd;
}

/**
 * Deferred init's free ranges of every node with a window in one walk of memblock: for_each_free_mem_range() over
 * memory (MEMBLOCK_NONE, no node: regions without one on node 0) minus reserved, rounded inward to whole pages, each
 * range clipped to its node's window [first_deferred_pfn, zone end) as it comes (linux v7.3-rc7 mm/mm_init.c
 * deferred_init_memmap, deferred_init_maxorder and mm/memblock.c for_each_free_mem_pfn_range_in_zone_from: the
 * ranges of the node from first_deferred_pfn, clamped to the zone end). Only start and end are written, no node
 * column, no all-node copy; a memory region of a node without a window, or wholly outside it, is not walked. The ranges
 * of a node that come in one stretch of the columns (its memory one stretch of addresses: every real layout) are a
 * view, those of a node in several stretches copied together. The general way (per node freePfnColumns() then
 * clipFreeRanges()) gives the same ranges in the same order (test/sim/deferred-init-batch.test.ts).
 */
export function freeRangesInWindows(
  mb: Memblock,
  windows: ReadonlyMap<number, { readonly lo: number; readonly hi: number }>,
): Map<number, WindowFree> {
  const kept: number[] = [];
  mb.forEachMemRange({ flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE, defaultNid: 0 }, (s, e, rn) =>
    kept.push(s, e, rn ?? -1),
  );
  const ps = mb.pageSize;
  const res = mb.reserved;
  const RB = res.baseColumn;
  const RS = res.sizeColumn;
  const nres = res.count;
  // room for every range at once: a memory region yields at most one more range than the reserved regions in it
  const cap = kept.length / 3 + nres + 1;
  const S = new Float64Array(cap);
  const E = new Float64Array(cap);
  // per node: its stretches of rows, pages, end of its last range, in order and disjoint
  const nodes = new Map<number, { rows: number[]; pages: number; last: number; sd: boolean }>();
  for (const nid of windows.keys()) nodes.set(nid, { rows: [], pages: 0, last: -Infinity, sd: true });
  const st = new Float64Array(5);
  for (let m = 0; m < kept.length; m += 3) {
    const ms = kept[m]!;
    const me = kept[m + 1]!;
    const nid = kept[m + 2]!;
    const w = windows.get(nid);
    // no range of a region ending at or below lo * ps or starting at or above hi * ps survives the rounding and clip
    if (!w || !(w.lo < w.hi) || me <= w.lo * ps || ms >= w.hi * ps) continue;
    const node = nodes.get(nid)!;
    const n0 = st[0]!;
    st[1] = node.pages;
    st[2] = node.last;
    st[3] = node.sd ? 1 : 0;
    windowGaps(RB, RS, nres, ms, me, w.lo, w.hi, ps, S, E, st);
    const n1 = st[0]!;
    node.pages = st[1]!;
    node.last = st[2]!;
    node.sd = st[3] === 1;
    if (n1 === n0) continue;
    const r = node.rows;
    if (r.length && r[r.length - 1] === n0) r[r.length - 1] = n1;
    else r.push(n0, n1);
  }
  const out = new Map<number, WindowFree>();
  for (const [nid, node] of nodes) {
    const r = node.rows;
    let start: Float64Array;
    let end: Float64Array;
    let n = 0;
    if (r.length <= 2) {
      const a = r[0] ?? 0;
      const b = r[1] ?? 0;
      start = S.subarray(a, b);
      end = E.subarray(a, b);
      n = b - a;
    } else {
      for (let i = 0; i < r.length; i += 2) n += r[i + 1]! - r[i]!;
      start = new Float64Array(n);
      end = new Float64Array(n);
      let o = 0;
      for (let i = 0; i < r.length; i += 2) {
        start.set(S.subarray(r[i]!, r[i + 1]!), o);
        end.set(E.subarray(r[i]!, r[i + 1]!), o);
        o += r[i + 1]! - r[i]!;
      }
    }
    out.set(nid, { start, end, n, pages: node.pages, sortedDisjoint: node.sd });
  }
  return out;
}

/**
 * The batches of every node from one walk of memblock (freeRangesInWindows), made on the first batch not already
 * made from this memblock: the windows are read before deferred init of any node runs (each node's run clears its
 * own first_deferred_pfn only). A batch asked for outside them takes the general way (freeBatch).
 */
function allNodesBatches(ctx: SimContext): BatchOf {
  const wanted: { nid: number; fdp: number; zone: DeferredZone }[] = [];
  for (const n of ctx.layout.nodes) {
    const d = deferredZoneOf(ctx, n.nid, ctx.currentFirstDeferredPfn.get(n.nid));
    if (d) wanted.push({ nid: n.nid, ...d });
  }
  let walked = false;
  return (nid, fdp, zone) => {
    const cache = batchCache(ctx);
    const key = batchKey(nid, fdp, zone);
    const hit = cache.get(key);
    if (hit) return hit;
    if (!walked) {
      walked = true;
      const windows = new Map<number, { lo: number; hi: number }>();
      for (const w of wanted)
        if (!cache.has(batchKey(w.nid, w.fdp, w.zone)))
          windows.set(w.nid, { lo: Math.max(w.fdp, w.zone.startPfn), hi: w.zone.endPfn });
      const free = freeRangesInWindows(ctx.memblock, windows);
      for (const w of wanted) {
        const c = free.get(w.nid);
        const k = batchKey(w.nid, w.fdp, w.zone);
        if (c && !cache.has(k)) cache.set(k, batchOfClipped(w.nid, w.zone.zid, c));
      }
      const made = cache.get(key);
      if (made) return made;
    }
    return freeBatch(ctx, nid, fdp, zone, (n) => nodeFree(ctx, n));
  };
}

/**
 * deferred_init_memmap(pgdat) for one node: the zone holding first_deferred_pfn (6.1 searches for it; newer
 * takes the highest zone, the same one), its free ranges (memory minus reserved, MEMBLOCK_NONE, this node) from
 * first_deferred_pfn to the zone end are initialised then freed. Reserved and NOINIT memory is not touched.
 */
export function deferredInitMemmap(
  ctx: SimContext,
  nid: number,
  batchOf: BatchOf = (n, f, z) => freeBatch(ctx, n, f, z, (m) => nodeFree(ctx, m)),
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
  const free = batchOf(nid, fdp, zone);
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
    // set_zone_contiguous()'s reads below: their loop compiled while deferred init runs (MemMap.warmPatternReads)
    ctx.memmap.warmPatternReads();
    const batchOf = allNodesBatches(ctx);
    for (const n of ctx.layout.nodes) deferredInitMemmap(ctx, n.nid, batchOf);
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
