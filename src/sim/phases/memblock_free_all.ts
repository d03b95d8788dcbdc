// mm/memblock.c memblock_free_all, free_low_memory_core_early, memmap_init_reserved_pages, __free_memory_core and mm/page_alloc.c reserve_bootmem_region, init_reserved_page, memblock_free_pages, v6.1 (RSRV_NOINIT and per-region nid from v6.7; boot-pipeline.md §3.5-§3.7).
import type { Diagnostic, Range } from '../../core/index.js';
import {
  firstEndingAfter,
  formatMemRange,
  GrowableColumns,
  MEMBLOCK_FLAGS,
  normalizeRanges,
} from '../../core/index.js';
import { MAX_NR_ZONES, pfnDown, pfnUp } from '../arch.js';
import type { SimContext } from '../context.js';
import type { Layout } from '../layout.js';
import type { Memblock } from '../memblock.js';
import { isDeferredPfn, runPhase, validParts, zoneKey } from '../context.js';
import { splitByNode } from '../mem-regions.js';
import { forEachNodePiece, forEachZonePiece, zoneStretch } from './zone-split.js';

function zonePieces(
  ctx: SimContext,
  nid: number,
  start: number,
  end: number,
): { start: number; end: number; zid: number | null }[] {
  const out: { start: number; end: number; zid: number | null }[] = [];
  forEachZonePiece(ctx.layout, nid, start, end, (s, e, zid) => out.push({ start: s, end: e, zid }));
  return out;
}

const RESERVE = { phase: 'memblock_free_all', fn: 'reserve_bootmem_region' } as const;
const FREE = { phase: 'memblock_free_all', fn: 'memblock_free_pages' } as const;

/** The struct-page work of reserve_bootmem_region calls, gathered so the memmap is swept once per phase. */
export interface ReservePlan {
  readonly init: (Range & { nid: number; zid: number })[];
  readonly reserve: Range[];
}

/**
 * reserve_bootmem_region(start, end[, nid]): for each valid pfn of [PFN_DOWN(start), PFN_UP(end)),
 * init_reserved_page() (6.1; init_deferred_page() later), which initialises only pages in the deferred part of
 * their node, then __SetPageReserved. `nid` null: each pfn's node comes from early_pfn_to_nid (6.1).
 * Adds to `plan`; applyReservePlan() does the memmap work.
 */
export function reserveBootmemRegion(
  ctx: SimContext,
  startAddr: number,
  endAddr: number,
  nid: number | null,
  plan: ReservePlan,
): void {
  const s = pfnDown(startAddr, ctx.arch);
  const e = pfnUp(endAddr, ctx.arch);
  if (s >= e) return;
  const valid = validParts(ctx, s, e);
  if (!valid.length) return;
  for (const v of valid) {
    plan.reserve.push(v);
    const parts =
      nid === null
        ? splitByNode(ctx.layout.memRanges, v.start, v.end, ctx.layout.firstOnlineNode)
        : [{ start: v.start, end: v.end, nid }];
    for (const p of parts) {
      const fdp = ctx.currentFirstDeferredPfn.get(p.nid);
      if (fdp === undefined || fdp === null || p.end <= fdp) continue;
      const from = Math.max(p.start, fdp);
      if (!isDeferredPfn(ctx, p.nid, from)) continue;
      for (const z of zonePieces(ctx, p.nid, from, p.end)) {
        let zid = z.zid;
        if (zid === null) {
          // no zone of the node spans the pfn: 6.1 leaves zid == MAX_NR_ZONES (past the array)
          ctx.diagnostics.push({
            code: 'SIM_NO_ZONE_SPANS_PFN',
            severity: 'warning',
            message: `reserve_bootmem_region: pfns [${z.start}, ${z.end}) of node ${p.nid} are in no zone (zid ${MAX_NR_ZONES} in the kernel)`,
          });
          zid = MAX_NR_ZONES;
        }
        plan.init.push({ start: z.start, end: z.end, nid: p.nid, zid });
      }
    }
  }
}

/**
 * Apply a plan: one init sweep, then one PG_reserved sweep. Overlapping pfns (two regions sharing a page
 * after PFN_DOWN/PFN_UP rounding) are initialised once here; the kernel would initialise such a deferred page
 * twice, harmlessly, before either reservation is used.
 */
export function applyReservePlan(
  ctx: SimContext,
  plan: ReservePlan,
  actor: { readonly phase: string; readonly fn: string } = RESERVE,
): void {
  const init = [...plan.init].sort((a, b) => a.start - b.start);
  const disjoint: { start: number; end: number; nid: number; zid: number }[] = [];
  for (const r of init) {
    const last = disjoint[disjoint.length - 1];
    const start = last ? Math.max(r.start, last.end) : r.start;
    if (start >= r.end) continue;
    if (last && last.end === start && last.nid === r.nid && last.zid === r.zid) last.end = r.end;
    else disjoint.push({ start, end: r.end, nid: r.nid, zid: r.zid });
  }
  if (disjoint.length) ctx.memmap.initRanges(disjoint, actor);
  if (plan.reserve.length) ctx.memmap.reserve(normalizeRanges(plan.reserve), actor);
}

/**
 * reserve_bootmem_region(start, end, MAX_NUMNODES) of the kernels before 6a9531c3a880 ("memblock: fix crash when
 * reserved memory is not added to memory", v6.8; 6.6.15, 6.7.3): a reserved part no memory region's
 * memblock_set_node() reached keeps memblock_reserve()'s MAX_NUMNODES, and init_reserved_page(pfn, MAX_NUMNODES)
 * (with DEFERRED_STRUCT_PAGE_INIT) reads node_online() and NODE_DATA() one past their arrays: undefined (loongson64
 * panicked in reserve_bootmem_region, Huang Pei, linux-mips 2023-12-25). The replay sets PG_reserved on the valid
 * pfns and initialises nothing (as if early_page_initialised() said yes), and says so (`noNode`, with deferred init).
 */
function reserveWithoutNode(
  ctx: SimContext,
  startAddr: number,
  endAddr: number,
  plan: ReservePlan,
  noNode: Range[],
): void {
  const s = pfnDown(startAddr, ctx.arch);
  const e = pfnUp(endAddr, ctx.arch);
  if (s >= e) return;
  for (const v of validParts(ctx, s, e)) {
    plan.reserve.push(v);
    if (ctx.deferred) noNode.push(v);
  }
}

function noNodeDiagnostic(ctx: SimContext, parts: readonly Range[]): Diagnostic {
  const page = 2 ** ctx.arch.PAGE_SHIFT;
  const shown = parts.slice(0, 4).map((r) => formatMemRange(r.start * page, r.end * page));
  const pages = parts.reduce((n, r) => n + r.end - r.start, 0);
  return {
    code: 'SIM_RESERVED_NID_UNSET',
    severity: 'warning',
    message:
      `memmap_init_reserved_pages: ${parts.length} reserved part(s) (${pages} pages with a struct page: ${shown.join(', ')}${parts.length > 4 ? ', ...' : ''}) ` +
      `are outside every memory region's memblock_set_node() and keep no node; ${ctx.mm.name} passes MAX_NUMNODES to ` +
      `${ctx.mm.reserveRangeFn}() -> init_reserved_page(), which reads node_online() and NODE_DATA() past their arrays ` +
      `(undefined: loongson64 panicked; 6a9531c3a880 falls back to early_pfn_to_nid() from v6.8, 6.6.15, 6.7.3): ` +
      `the replay sets PG_reserved and initialises none of these struct pages`,
  };
}

/**
 * The reserved arrays after memmap_init_reserved_pages()' memblock_set_node() loop, per starting memblock: compare and
 * check replay several strategies from one memblock (src/sim/replay.ts replayEach), which reach memblock_free_all()
 * with the same one, so the array is rebuilt once.
 */
const setNodeFrom = new WeakMap<Memblock, SetNodeLoop>();

/** What the loop leaves: the memblock with the reserved array as the kernel leaves it, or null (see reservedSetNodeLoop). */
export interface SetNodeLoop {
  readonly memblock: Memblock | null;
  /** memblock_double_array() during the loop: the new max and the array's address, in order. */
  readonly doublings: readonly { readonly newMax: number; readonly addr: number | null }[];
  /** The loop would double the array but the array is too large for the region-by-region path: not modelled. */
  readonly unmodelled: boolean;
}

/** The most reserved regions the region-by-region set-node loop takes (memmove per split; see memblock-kho-reserve.ts). */
const SET_NODE_BY_REGION_MAX = 20_000;

/**
 * memmap_init_reserved_pages()' first loop with the size rule (06eaa824fd23, v6.15; 6.6.90, 6.12.28, 6.14.6): for each
 * memory region in order, memblock_set_node(base, size, &memblock.reserved, nid) isolates the range (splitting a
 * reserved region across its edges, doubling the array while cnt + 2 > max: memblock_double_array(), not scratch-only
 * any more, memblock_clear_kho_scratch_only() ran first), sets the node and merges the window; and when the array was
 * doubled the whole loop runs again (`goto repeat`: eac8ea8736cc, "mm/memblock: repeat setting reserved region nid if
 * array is doubled", Wei Yang, posted 2025-03-18 with Cc stable in the series of 06eaa824fd23, so the same releases
 * [I]): the new array's region may lie in a memory region already passed (linux v7.3-rc7 mm/memblock.c
 * memmap_init_reserved_pages, memblock_set_node, memblock_isolate_range). The result is stored as the kernel leaves
 * it: regions split where a node changes, touching ones merged where their nodes become equal, up to
 * SET_NODE_BY_REGION_MAX regions (each split shifts the array). Null memblock: more regions than that (millions of
 * preserved blocks: the walk takes the same parts and nodes from the sweep, forEachReservedMemRegionByNode, and nothing
 * after this loop reads the array's shape but its count; a loop that could double it is reported, not modelled), or
 * memory regions that overlap (a hand-made trace: the sweep does those the kernel's way on a copy).
 */
export function reservedSetNodeLoop(mb: Memblock): SetNodeLoop {
  const hit = setNodeFrom.get(mb);
  if (hit) return hit;
  const result = setNodeLoop(mb);
  setNodeFrom.set(mb, result);
  return result;
}

function setNodeLoop(mb: Memblock): SetNodeLoop {
  const none: SetNodeLoop = { memblock: null, doublings: [], unmodelled: false };
  const boundaries = mb.setNodeBoundaries();
  if (boundaries === null) return none;
  const res = mb.reserved;
  const mem = mb.memory;
  if (res.count > SET_NODE_BY_REGION_MAX) {
    // millions of preserved blocks: the parts and their nodes come from the sweep (the same ones, nothing after this
    // loop reads the array's shape but its count), and the count can reach max only past these edges
    return res.count + boundaries + 2 > res.max ? { memblock: null, doublings: [], unmodelled: true } : none;
  }
  // region by region with the one-region operations, resizing allowed (memblock_allow_resize() ran long before), the
  // new array reserved (memblock_reserve_kern) whatever the copy was made for, not scratch-only any more
  const g = mb.clone({ reserveDoubledArrays: true });
  g.canResize = true;
  g.khoScratchOnly = false;
  const first = g.events.length;
  for (;;) {
    const max = g.reserved.max;
    for (let k = 0; k < mem.count; k++) g.setNode(mem.base(k), mem.size(k), g.reserved, mem.nid(k) ?? 0);
    if (g.reserved.max === max) break;
  }
  const doublings = g.events
    .slice(first)
    .flatMap((e) =>
      e.kind === 'double' && e.type === 'reserved' ? [{ newMax: e.newMax, addr: e.addr }] : [],
    );
  return { memblock: g, doublings, unmodelled: false };
}

/**
 * memmap_init_reserved_pages() (linux v7.3-rc7 mm/memblock.c): NOMAP memory regions (for_each_mem_region) and the
 * reserved regions (for_each_reserved_mem_region), from v6.7 without the RSRV_NOINIT ones (the preserved blocks
 * kho_memory_init() reserved, hugetlb's gigantic page tails); older mm walks every reserved region.
 */
export function memmapInitReservedPages(ctx: SimContext): void {
  const plan: ReservePlan = { init: [], reserve: [] };
  const noinit = ctx.mm.rsrvNoinit;
  const setNode = ctx.mm.reservedNid === 'set-node';
  // the size rule's loop stores its splits (and may double the array): the walk below then reads the array itself
  const loop = setNode && ctx.mm.reservedSetNodeSize === 'size' ? reservedSetNodeLoop(ctx.memblock) : null;
  if (loop?.memblock) ctx.memblock = loop.memblock;
  if (loop) setNodeLoopDiagnostics(ctx, loop);
  const mb = ctx.memblock;
  // the walk's plan and diagnostics as an earlier strategy's walk of this memblock left them (reservedWalkFrom)
  const key = reservedWalkKey(ctx);
  const hit = reservedWalkFrom.get(mb);
  if (hit && hit.key === key && hit.mm === ctx.mm && hit.arch === ctx.arch && hit.layout === ctx.layout) {
    for (const d of hit.diagnostics) ctx.diagnostics.push({ ...d });
    applyReservePlan(ctx, hit.plan, { phase: RESERVE.phase, fn: ctx.mm.reserveRangeFn });
    return;
  }
  const d0 = ctx.diagnostics.length;
  reservedWalks.made++;
  const nomap = (): void => {
    mb.forEachMemRegion((start, end, nid, flags) => {
      if (flags & MEMBLOCK_FLAGS.MEMBLOCK_NOMAP)
        reserveBootmemRegion(ctx, start, end, setNode ? nid : null, plan);
    });
  };
  if (ctx.mm.nomapFirst) nomap();
  const fallback = ctx.mm.reservedNoNode === 'early-pfn-to-nid';
  const noNode: Range[] = [];
  const reservedRegion = (start: number, end: number, rnid: number | null, flags: number): void => {
    if (noinit && flags & MEMBLOCK_FLAGS.MEMBLOCK_RSRV_NOINIT) return;
    if (setNode && rnid === null && !fallback) {
      reserveWithoutNode(ctx, start, end, plan, noNode);
      return;
    }
    // a part outside memory without a node: early_pfn_to_nid(PFN_DOWN(start)) (!numa_valid_node)
    const nid = setNode ? (rnid ?? ctx.pfnToNid.lookup(pfnDown(start, ctx.arch))) : null;
    reserveBootmemRegion(ctx, start, end, nid, plan);
  };
  // memblock_set_node() of each memory region on memblock.reserved first: reserved regions split at node
  // boundaries, each part with its memory's node (a memory region without one is node 0, as the layout has it);
  // v6.5 .. v6.14 set it on [base, base + end) (reservedSetNodeSize 'end')
  // the NOINIT regions skipped by the walk itself (a million preserved blocks: no call each)
  const skip = noinit ? MEMBLOCK_FLAGS.MEMBLOCK_RSRV_NOINIT : 0;
  if (loop?.memblock) mb.forEachReservedMemRegion(reservedRegion, skip);
  else if (setNode) mb.forEachReservedMemRegionByNode(0, reservedRegion, ctx.mm.reservedSetNodeSize, skip);
  else mb.forEachReservedMemRegion(reservedRegion, skip);
  if (noNode.length) ctx.diagnostics.push(noNodeDiagnostic(ctx, noNode));
  if (!ctx.mm.nomapFirst) nomap();
  reservedWalkFrom.set(mb, {
    key,
    mm: ctx.mm,
    arch: ctx.arch,
    layout: ctx.layout,
    plan,
    diagnostics: ctx.diagnostics.slice(d0).map((d) => ({ ...d })),
  });
  // reserve_bootmem_region() became memmap_init_reserved_range() in v7.2 (linux v7.3-rc7 mm/memblock.c)
  applyReservePlan(ctx, plan, { phase: RESERVE.phase, fn: ctx.mm.reserveRangeFn });
}

/**
 * memmap_init_reserved_pages()' walk of the memory and reserved regions, per memblock it walks: the plan (never
 * written after: applyReservePlan() reads it) and the diagnostics it added, in order. Compare and check replay
 * several strategies from one boot (src/sim/replay.ts replayEach), which reach memblock_free_all() with the same
 * memblock, mm profile, layout and first deferred pfns: the walk (millions of preserved blocks skipped region by
 * region, ~17-36 ms per strategy on the 8M bench bundle) is made once, as freeRangesOf() makes the free ranges once.
 * What else the walk reads is in the key (reservedWalkKey) or compared by identity; ctx.pfnToNid (each strategy's
 * copy) answers from the layout's memory ranges and first online node alone (its cache of the last region changes no
 * answer).
 */
const reservedWalkFrom = new WeakMap<
  Memblock,
  {
    readonly key: string;
    readonly mm: SimContext['mm'];
    readonly arch: SimContext['arch'];
    readonly layout: Layout;
    readonly plan: ReservePlan;
    readonly diagnostics: readonly Diagnostic[];
  }
>();

/** How many times memmapInitReservedPages() walked the regions (not taken from reservedWalkFrom): tests. */
export const reservedWalks = { made: 0 };

/** What memmapInitReservedPages()' walk reads of the context besides its memblock, mm profile, arch and layout. */
function reservedWalkKey(ctx: SimContext): string {
  return `${ctx.deferred}|${[...ctx.currentFirstDeferredPfn].join(';')}`;
}

function setNodeLoopDiagnostics(ctx: SimContext, loop: SetNodeLoop): void {
  const last = loop.doublings[loop.doublings.length - 1];
  if (last) {
    const bytes = Math.ceil((last.newMax * 24) / 2 ** ctx.arch.PAGE_SHIFT) * 2 ** ctx.arch.PAGE_SHIFT;
    ctx.diagnostics.push({
      code: 'SIM_RESERVED_SET_NODE_DOUBLED',
      severity: 'info',
      message:
        `memmap_init_reserved_pages: memblock_set_node() on memblock.reserved split its regions at node edges and doubled it ` +
        `to ${loop.doublings.map((d) => d.newMax).join(', ')} regions (memblock_double_array, then the loop again: ` +
        `eac8ea8736cc)` +
        (last.addr === null
          ? ''
          : `; the array, ${bytes} bytes at ${formatMemRange(last.addr, last.addr + bytes)}, is set up as reserved and freed by memblock_discard()`),
    });
  }
  if (loop.unmodelled)
    ctx.diagnostics.push({
      code: 'SIM_RESERVED_SET_NODE_DOUBLE_UNMODELLED',
      severity: 'warning',
      message: `memmap_init_reserved_pages: the splits of memblock_set_node() on memblock.reserved may double the array (${ctx.memblock.reserved.count} regions, max ${ctx.memblock.reserved.max}); not modelled at this size`,
    });
}

/**
 * memblock_free_all(): managed pages reset, reserved struct pages set up, then every free range (memory minus
 * reserved, MEMBLOCK_NONE: NOMAP and DRIVER_MANAGED skipped; HOTPLUG flags were cleared) rounded inward to whole
 * pages and clipped to max_low_pfn goes to memblock_free_pages(), which drops chunks whose head is in the
 * deferred part of its node. Chunks are naturally aligned and at most MAX_ORDER_NR_PAGES, so they never
 * straddle a section-aligned first_deferred_pfn.
 */
export function memblockFreeAll(ctx: SimContext): void {
  runPhase(ctx, 'memblock_free_all', () => {
    ctx.managed.clear();
    memmapInitReservedPages(ctx);
    const f = freeRangesOf(ctx);
    ctx.totalramPages += f.totalram;
    for (let i = 0; i < f.managedKeys.length; i++) {
      const key = f.managedKeys[i]!;
      ctx.managed.set(key, (ctx.managed.get(key) ?? 0) + f.managedPages[i]!);
    }
    ctx.memmap.freeColumns(f.toFree, FREE);
  });
}

/** What memblock_free_all() frees, apart from the struct pages: the same for a memblock, layout and deferral. */
export interface FreeRanges {
  /** The free pieces handed to memblock_free_pages(), in pfns. */
  readonly toFree: { readonly start: Float64Array; readonly end: Float64Array; readonly n: number };
  readonly totalram: number;
  /** managed_pages added per zone key, in the order the zones were met (the map keeps that order). */
  readonly managedKeys: readonly string[];
  readonly managedPages: readonly number[];
}

/**
 * The last free ranges computed from each memblock: compare and check replay several strategies from one boot
 * (src/sim/replay.ts replayEach), which reach memblock_free_all() with the same memblock (kho_memory_init's
 * reservation is shared too), layout and first_deferred_pfn, so the sweep over a million gaps runs once.
 */
const freeRangesFrom = new WeakMap<Memblock, { key: string; layout: Layout; result: FreeRanges }>();

function freeRangesOf(ctx: SimContext): FreeRanges {
  const key = `${ctx.layout.maxPfn}|${[...ctx.currentFirstDeferredPfn].join(';')}`;
  const hit = freeRangesFrom.get(ctx.memblock);
  if (hit && hit.key === key && hit.layout === ctx.layout) return hit.result;
  const result = computeFreeRanges(ctx);
  freeRangesFrom.set(ctx.memblock, { key, layout: ctx.layout, result });
  return result;
}

/**
 * computeFreeRanges()' walk through one memory region as gapRun() takes it: where it is (cur, the reserved region k),
 * the rows and sums it adds to, and the caches of the gap before (memory region, first deferred pfn, zone stretch,
 * the zone whose managed pages are being summed; zZid NaN: no zone), which it only reads.
 */
class GapRun {
  cur = 0;
  k = 0;
  n = 0;
  totalram = 0;
  accPages = 0;
  rLo = 0;
  rHi = -1;
  rNid = 0;
  fdpNid = NaN;
  fdpStop = Infinity;
  zNid = NaN;
  zLo = 0;
  zHi = -1;
  zZid = NaN;
  accNid = NaN;
  accZid = NaN;
}

/**
 * From reserved region j on, the first ending above `addr` (forEachFreeMemRange()'s step to a memory region). A
 * function of its own: the step passes the millions of regions of the memory region before, and the loop compiled
 * while it runs is then this small one, not all of computeFreeRanges() (70-100 ms a compile, measured).
 */
function skipEndingBelow(RB: Float64Array, RS: Float64Array, nres: number, j: number, addr: number): number {
  while (j < nres && RB[j]! + RS[j]! <= addr) j++;
  return j;
}

/**
 * The free ranges of a memory region (ending at me) from w.cur and reserved region w.k on, as
 * Memblock.forEachFreeMemRange() yields them, rounded inward to pages: each that stays in w's caches (the memory
 * region, node and zone of the one before, below the node's first deferred pfn) is written to TS/TE and summed here.
 * Returns the reserved region below whose gap one leaves them (the caller takes it: [w.cur, its base)), or -1 when the
 * memory region's gaps are done but the last, [w.cur, me) if w.cur < me. A function of its own, with its state in
 * locals: V8 compiles a small loop while it runs, and a million gaps pass through it.
 */
function gapRun(
  w: GapRun,
  RB: Float64Array,
  RS: Float64Array,
  nres: number,
  me: number,
  ps: number,
  maxLowPfn: number,
  TS: Float64Array,
  TE: Float64Array,
): number {
  const { rLo, rHi, zLo, zHi, fdpStop } = w;
  // fdpStop is the first deferred pfn of the memory region's node
  const fdpOfRegion = w.rNid === w.fdpNid;
  const hot = fdpOfRegion && w.rNid === w.zNid && w.rNid === w.accNid && w.zZid === w.accZid;
  const cap = TS.length;
  let cur = w.cur;
  let n = w.n;
  let totalram = w.totalram;
  let accPages = w.accPages;
  let out = -1;
  for (let k = w.k; k < nres; k++) {
    const rs = RB[k]!;
    if (rs >= me) break;
    const re = rs + RS[k]!;
    if (re <= rs) continue;
    if (rs > cur) {
      const start = Math.ceil(cur / ps);
      const end = Math.min(Math.floor(rs / ps), maxLowPfn);
      if (start < end) {
        const stop = end < fdpStop ? end : fdpStop;
        if (start >= stop && fdpOfRegion && start >= rLo && end <= rHi) {
          // at or past the node's first deferred pfn, in the memory region of the one before: counted in totalram,
          // nothing freed now (deferred init's), as onFree() -> onNodePiece() takes it; no cache changes
          totalram += end - start;
        } else {
          if (!(
            hot &&
            start < stop &&
            start >= rLo &&
            end <= rHi &&
            start >= zLo &&
            stop <= zHi &&
            n < cap
          )) {
            out = k;
            break;
          }
          totalram += end - start;
          TS[n] = start;
          TE[n] = stop;
          n++;
          accPages += stop - start;
        }
      }
    }
    if (re > cur) cur = re;
    if (cur >= me) break;
  }
  w.cur = cur;
  w.n = n;
  w.totalram = totalram;
  w.accPages = accPages;
  return out;
}

/**
 * What memblock_free_all() frees (see FreeRanges). `general`: every free range through onFree(), from
 * Memblock.forEachFreeMemRange() itself, for the test that holds the written-out walk to it.
 */
export function computeFreeRanges(ctx: SimContext, general = false): FreeRanges {
  let totalram = 0;
  const managedKeys: string[] = [];
  const managedPages: number[] = [];
  const mb = ctx.memblock;
  const mem = ctx.layout.memRanges;
  const maxLowPfn = ctx.layout.maxPfn;
  // the pieces to free in columns (a million preserved blocks leave a million gaps: no object per range), room for
  // as many as there can be (a memory region yields at most one more free range than the reserved regions in it,
  // and each cut at a node boundary one more piece; rows never used are never touched) so they are never copied
  const cap = mb.memory.count + mb.reserved.count + mem.length + 1;
  const toFree = new GrowableColumns([new Float64Array(cap), new Float64Array(cap)]);
  // consecutive free ranges mostly fall in the memory region, the zone stretch (zoneStretch) and the zone of the
  // range before: each is looked up again only when a range leaves it
  let rLo = 0;
  let rHi = -1;
  let rNid = 0;
  let zNid = NaN;
  let zLo = 0;
  let zHi = -1;
  let zZid: number | null = null;
  let fdpNid = NaN;
  let fdpStop = Infinity;
  // managed pages of the zone of the last piece, added to ctx.managed when the zone changes (keys in the same order)
  let accNid = NaN;
  let accZid = NaN;
  let accKey = '';
  let accPages = 0;
  const flushManaged = (): void => {
    if (accPages) {
      managedKeys.push(accKey);
      managedPages.push(accPages);
    }
    accPages = 0;
  };
  let pieceNid = 0;
  const onZonePiece = (s: number, e: number, zid: number | null): void => {
    if (zid === null) return;
    if (pieceNid !== accNid || zid !== accZid) {
      flushManaged();
      accKey = zoneKey(pieceNid, zid);
      accNid = pieceNid;
      accZid = zid;
    }
    accPages += e - s;
  };
  const onNodePiece = (ps: number, pe: number, nid: number): void => {
    if (nid !== fdpNid) {
      const fdp = ctx.currentFirstDeferredPfn.get(nid);
      fdpNid = nid;
      fdpStop = fdp === undefined || fdp === null ? Infinity : fdp;
    }
    const stop = Math.min(pe, fdpStop);
    if (ps >= stop) return;
    const i = toFree.row();
    toFree.cols[0][i] = ps;
    toFree.cols[1][i] = stop;
    pieceNid = nid;
    if (!(nid === zNid && ps >= zLo && stop <= zHi)) {
      const z = zoneStretch(ctx.layout, nid, ps);
      if (stop > z.hi) return forEachZonePiece(ctx.layout, nid, ps, stop, onZonePiece);
      zNid = nid;
      zLo = z.lo;
      zHi = z.hi;
      zZid = z.zid;
    }
    onZonePiece(ps, stop, zZid);
  };
  // for_each_free_mem_range() rounded inward to whole pages (PFN_UP(start)..PFN_DOWN(end), as freePfnColumns()
  // gives them), taken as the walk yields them: no column of the free ranges in between (66 MB at 8M blocks)
  const ps = mb.pageSize;
  const onFree = (s0: number, e0: number): void => {
    const start = Math.ceil(s0 / ps);
    const end = Math.min(Math.floor(e0 / ps), maxLowPfn);
    if (start >= end) return;
    totalram += end - start;
    if (!(start >= rLo && end <= rHi)) {
      // forEachNodePiece()'s own test: one memory region holds the whole range
      const r = mem[firstEndingAfter(mem, start)];
      if (!(r && r.start <= start && r.end >= end)) {
        forEachNodePiece(mem, start, end, ctx.layout.firstOnlineNode, onNodePiece);
        return;
      }
      rLo = r.start;
      rHi = r.end;
      rNid = r.nid;
    }
    onNodePiece(start, end, rNid);
  };
  // the walk of Memblock.forEachFreeMemRange() written out here over its memory regions (few) and the reserved
  // columns (a million preserved blocks leave a million gaps), each gap that stays in the memory region, node, zone
  // stretch and zone of the one before (zoneStretch) taken in the loop, any other through onFree(): no call per gap
  // (the test holds the two walks to the same pieces)
  if (general) {
    mb.forEachFreeMemRange({ flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE, defaultNid: 0 }, onFree);
    flushManaged();
    return {
      toFree: { start: toFree.used(0), end: toFree.used(1), n: toFree.n },
      totalram,
      managedKeys,
      managedPages,
    };
  }
  const kept: number[] = [];
  mb.forEachMemRange({ flags: MEMBLOCK_FLAGS.MEMBLOCK_NONE, defaultNid: 0 }, (s, e) => kept.push(s, e));
  const res = mb.reserved;
  const RB = res.baseColumn;
  const RS = res.sizeColumn;
  const nres = res.count;
  const w = new GapRun();
  let j = 0;
  for (let m = 0; m < kept.length; m += 2) {
    const ms = kept[m]!;
    const me = kept[m + 1]!;
    j = skipEndingBelow(RB, RS, nres, j, ms);
    w.cur = ms;
    w.k = j;
    for (;;) {
      // the caches as onFree() left them, into the run and back
      w.rLo = rLo;
      w.rHi = rHi;
      w.rNid = rNid;
      w.fdpNid = fdpNid;
      w.fdpStop = fdpStop;
      w.zNid = zNid;
      w.zLo = zLo;
      w.zHi = zHi;
      w.zZid = zZid ?? NaN;
      w.accNid = accNid;
      w.accZid = accZid;
      const n0 = toFree.n;
      w.n = n0;
      w.totalram = totalram;
      w.accPages = accPages;
      const k = gapRun(w, RB, RS, nres, me, ps, maxLowPfn, toFree.cols[0], toFree.cols[1]);
      toFree.n = w.n;
      totalram = w.totalram;
      accPages = w.accPages;
      if (w.n > n0) pieceNid = rNid;
      if (k < 0) break;
      // the gap below region k, which leaves a cache: the general way
      const rs = RB[k]!;
      const re = rs + RS[k]!;
      onFree(w.cur, rs);
      if (re > w.cur) w.cur = re;
      if (w.cur >= me) break;
      w.k = k + 1;
    }
    if (w.cur < me) onFree(w.cur, me);
  }
  flushManaged();
  return {
    toFree: { start: toFree.used(0), end: toFree.used(1), n: toFree.n },
    totalram,
    managedKeys,
    managedPages,
  };
}
