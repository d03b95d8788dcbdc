// Timeline -> Findings, the only producer of findings (spec kho-abi.md §7.5), codes from src/check/codes.ts only.
// A KHO boot: struct-page events restricted to preserved memory and scratch, the restore outcomes, and checks of
// the image against the host layout. A plain boot: the same struct-page rules over all of memory. Range work only.
import type { Range, Severity } from '../core/index.js';
import { firstEndingAfter, intersectNormalized, normalizeRanges } from '../core/index.js';
import type { KhoBlock } from '../sim/phases/kho-types.js';
import { KhoBlocks } from '../sim/phases/kho-types.js';
import type { Timeline } from '../sim/timeline.js';
import { trueIdentity } from '../sim/phases/kho-run.js';
import type { FindingCode } from './codes.js';
import { FINDING_CODES } from './codes.js';
import { checkMigratetypes } from './migratetype-findings.js';
import { checkDeferredGrow } from './mm-findings.js';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** Replay phase (kernel function of the phase: kho_memory_init, page_alloc_init_late, kho_restore, ...). */
  readonly phase: string;
  readonly kernelFunction: string;
  readonly pages: number;
  readonly blocks: number;
  /**
   * Pfn ranges [start, end), sorted and merged. Still one object per range; the agreed columnar form is
   * src/core/ranges.ts RangeColumns ({ count, starts, ends }), which the JSON writer (src/report/json-stream.ts
   * jsonRanges, a RangesLike) already streams, so the type can change without touching the writer.
   */
  readonly ranges: readonly Range[];
  readonly title: string;
  readonly howToRead: string;
}

/**
 * normalizeRanges() (sorted, merged) in one pass when the input is already sorted by start, as block lists and
 * the ranges of the checks mostly are; any other input goes to normalizeRanges(). A range that merges with
 * nothing is kept as is (every range here is a plain immutable { start, end }), so a million findings' ranges
 * are not copied.
 */
function normalizeSorted(ranges: readonly Range[]): Range[] {
  for (let i = 1; i < ranges.length; i++)
    if (ranges[i]!.start < ranges[i - 1]!.start) return normalizeRanges(ranges);
  const out: Range[] = [];
  let last: Range | undefined;
  for (const r of ranges) {
    if (!(r.end > r.start)) continue;
    if (last && r.start <= last.end) {
      if (r.end > last.end) out[out.length - 1] = last = { start: last.start, end: r.end };
    } else out.push((last = r));
  }
  return out;
}

/** Preserved blocks as sorted ranges with their index, for counting blocks under a set of ranges. */
class BlockIndex {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Scratch marks for count(): blocks already counted in this call. */
  private readonly seen: Uint8Array;
  /** Ends never decrease (disjoint blocks): the first block ending after a pfn can be found by a forward sweep. */
  private readonly endsMonotone: boolean;
  constructor(blocks: KhoBlocks) {
    const n = blocks.length;
    this.starts = blocks.startPfn;
    this.ends = blocks.endPfn;
    this.seen = new Uint8Array(n);
    let monotone = true;
    for (let i = 1; i < n; i++) if (this.ends[i]! < this.ends[i - 1]!) monotone = false;
    this.endsMonotone = monotone;
  }
  /** The first block whose end is past pfn (binary search; a sweep from `from` when ends are monotone). */
  private firstEndingAfter(pfn: number, from: number, prevPfn: number): number {
    let lo = 0;
    if (this.endsMonotone && pfn >= prevPfn) {
      // a few steps forward, then a binary search over the rest
      lo = from;
      for (let steps = 0; lo < this.ends.length && this.ends[lo]! <= pfn; steps++) {
        if (steps === 64) break;
        lo++;
      }
      if (lo === this.ends.length || this.ends[lo]! > pfn) return lo;
    }
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! <= pfn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** Number of blocks intersecting any of the (sorted, disjoint) ranges. */
  count(ranges: readonly Range[]): number {
    const seen: number[] = [];
    let lo = 0;
    let prev = -Infinity;
    for (const r of ranges) {
      lo = this.firstEndingAfter(r.start, lo, prev);
      prev = r.start;
      // blocks are sorted by start; ends are monotone for disjoint blocks (overlaps are rare and diagnosed)
      for (let i = Math.max(0, lo - 1); i < this.starts.length && this.starts[i]! < r.end; i++)
        if (this.ends[i]! > r.start && !this.seen[i]) {
          this.seen[i] = 1;
          seen.push(i);
        }
    }
    for (const i of seen) this.seen[i] = 0;
    return seen.length;
  }
}

const NONE: readonly Range[] = Object.freeze([]);

/**
 * Intersections and gaps of query ranges against one sorted, disjoint list, for queries in nondecreasing start
 * order: the cursor only moves forward, so a sweep over all blocks is linear.
 */
class RangeCursor {
  private i = 0;
  constructor(private readonly list: readonly Range[]) {}
  private seek(start: number): void {
    while (this.i < this.list.length && this.list[this.i]!.end <= start) this.i++;
  }
  overlaps(qs: number, qe: number): readonly Range[] {
    this.seek(qs);
    // most blocks overlap nothing: no array for them
    if (this.i >= this.list.length || this.list[this.i]!.start >= qe) return NONE;
    const out: Range[] = [];
    for (let k = this.i; k < this.list.length && this.list[k]!.start < qe; k++) {
      const s = Math.max(qs, this.list[k]!.start);
      const e = Math.min(qe, this.list[k]!.end);
      if (s < e) out.push({ start: s, end: e });
    }
    return out;
  }
  gaps(qs: number, qe: number): readonly Range[] {
    this.seek(qs);
    // most blocks lie inside one range of the list: no gaps, no arrays
    const first = this.list[this.i];
    if (first && first.start <= qs && first.end >= qe) return NONE;
    const out: Range[] = [];
    let cur = qs;
    for (const o of this.overlaps(qs, qe)) {
      if (o.start > cur) out.push({ start: cur, end: o.start });
      cur = o.end;
    }
    if (cur < qe) out.push({ start: cur, end: qe });
    return out;
  }
}

/** Two range lists each sorted by start, merged by start (ties: a first). */
function mergeByStart(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.start <= b[j]!.start)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/**
 * A finding with the code table's severity, title and reading guide: the one builder every check uses, so the key
 * order of a finding (and of its JSON) is written once. kernelFunction defaults to the code's.
 */
export function makeFinding(
  code: FindingCode,
  phase: string,
  ranges: readonly Range[],
  opts: { readonly kernelFunction?: string; readonly pages?: number; readonly blocks?: number } = {},
): Finding {
  const info = FINDING_CODES[code];
  return {
    code,
    severity: info.severity,
    phase,
    kernelFunction: opts.kernelFunction ?? info.kernelFunction,
    pages: opts.pages ?? pagesOf(ranges),
    blocks: opts.blocks ?? 0,
    ranges,
    title: info.title,
    howToRead: info.howToRead,
  };
}

function pagesOf(ranges: readonly Range[]): number {
  let n = 0;
  for (const r of ranges) n += r.end - r.start;
  return n;
}

interface AccEntry {
  code: FindingCode;
  phase: string;
  fn: string;
  ranges: Range[];
  blocks: Set<number> | null;
  pages: number | null;
}

class FindingBuilder {
  private readonly acc = new Map<string, AccEntry>();
  constructor(private readonly index: BlockIndex) {}

  /** `pages`: how many struct pages the finding is about when not every page of `ranges` (pattern reads). */
  add(
    code: FindingCode,
    phase: string,
    fn: string,
    ranges: readonly Range[],
    block?: number,
    pages?: number,
  ): void {
    if (!ranges.length) return;
    const e = this.entry(code, phase, fn, block === undefined);
    for (const r of ranges) e.ranges.push(r);
    if (pages !== undefined) e.pages = (e.pages ?? 0) + pages;
    if (block !== undefined) (e.blocks ??= new Set()).add(block);
  }

  /** add(code, phase, fn, [{ start, end }]) without the array: one call per run of the final-state sweep. */
  addRange(code: FindingCode, phase: string, fn: string, start: number, end: number): void {
    this.entry(code, phase, fn, true).ranges.push({ start, end });
  }

  private last: { code: string; phase: string; fn: string; e: AccEntry } | null = null;
  private entry(code: FindingCode, phase: string, fn: string, noBlock: boolean): AccEntry {
    const l = this.last;
    if (l && l.code === code && l.phase === phase && l.fn === fn) return l.e;
    const key = `${code}\0${phase}\0${fn}`;
    let e = this.acc.get(key);
    if (!e) {
      e = { code, phase, fn, ranges: [], blocks: noBlock ? null : new Set(), pages: null };
      this.acc.set(key, e);
    }
    this.last = { code, phase, fn, e };
    return e;
  }

  build(): Finding[] {
    const out: Finding[] = [];
    for (const e of this.acc.values()) {
      const ranges = normalizeSorted(e.ranges);
      out.push(
        makeFinding(e.code, e.phase, ranges, {
          kernelFunction: e.fn,
          pages: e.pages ?? pagesOf(ranges),
          blocks: e.blocks ? e.blocks.size : this.index.count(ranges),
        }),
      );
    }
    const sev = { error: 0, warning: 1, info: 2 } as const;
    return out.sort(
      (a, b) =>
        sev[a.severity] - sev[b.severity] || a.code.localeCompare(b.code) || a.phase.localeCompare(b.phase),
    );
  }
}

const NO_BLOCKS = new KhoBlocks(
  new Float64Array(0),
  new Float64Array(0),
  new Uint8Array(0),
  new Uint8Array(0),
  new Int32Array(0),
);

/** A placeholder in the map of blocks observations name, until the block is found. */
const NO_BLOCK: KhoBlock = Object.freeze({ index: -1, startPfn: 0, endPfn: 0, order: 0, kind: 'folio' });

/** The blocks' ranges, sorted and merged (blocks are sorted by start). */
function preservedRanges(blocks: KhoBlocks): Range[] {
  const { startPfn: S, endPfn: E } = blocks;
  const out: Range[] = [];
  let s = 0;
  let e = -Infinity;
  for (let i = 0; i < blocks.length; i++) {
    if (!(E[i]! > S[i]!)) continue;
    if (S[i]! <= e) {
      if (E[i]! > e) e = E[i]!;
      continue;
    }
    if (e > -Infinity) out.push({ start: s, end: e });
    s = S[i]!;
    e = E[i]!;
  }
  if (e > -Infinity) out.push({ start: s, end: e });
  return out;
}
const NO_IDS: readonly ReturnType<typeof trueIdentity>[number][] = Object.freeze([]);

/** Every pfn where a memory range or a spanned zone starts or ends, sorted and unique. */
function boundaryColumn(layout: Timeline['layout']): Float64Array {
  const pts: number[] = [];
  for (const m of layout.memRanges) pts.push(m.start, m.end);
  for (const n of layout.nodes) for (const z of n.zones) if (z.spannedPages) pts.push(z.startPfn, z.endPfn);
  const a = Float64Array.from(pts).sort();
  let k = 0;
  for (let i = 0; i < a.length; i++) if (k === 0 || a[i] !== a[k - 1]) a[k++] = a[i]!;
  return a.subarray(0, k);
}

/** Ranges as columns for MemMap.scanRanges(). */
function columnsOf(rs: readonly Range[]): { start: Float64Array; end: Float64Array; n: number } {
  const start = new Float64Array(rs.length);
  const end = new Float64Array(rs.length);
  for (let k = 0; k < rs.length; k++) {
    start[k] = rs[k]!.start;
    end[k] = rs[k]!.end;
  }
  return { start, end, n: rs.length };
}

/**
 * trueIdentity() of every range (sorted, disjoint) as columns: piece k is [start[k], end[k]) of node nid[k] and
 * zone zid[k] (-1: no zone of the node spans it). A range with no boundary of `cuts` strictly inside is one
 * piece (or none, in a hole), found by binary search; only the others go through trueIdentity().
 */
function identityPieces(
  layout: Timeline['layout'],
  ranges: readonly Range[],
  cuts: Float64Array,
): { start: Float64Array; end: Float64Array; nid: Float64Array; zid: Float64Array; n: number } {
  let cap = ranges.length + 16;
  let start: Float64Array = new Float64Array(cap);
  let end: Float64Array = new Float64Array(cap);
  let nid: Float64Array = new Float64Array(cap);
  let zid: Float64Array = new Float64Array(cap);
  let n = 0;
  const push = (s: number, e: number, node: number, zone: number | null): void => {
    if (n === cap) {
      cap *= 2;
      const grow = (a: Float64Array): Float64Array => {
        const b = new Float64Array(cap);
        b.set(a);
        return b;
      };
      start = grow(start);
      end = grow(end);
      nid = grow(nid);
      zid = grow(zid);
    }
    start[n] = s;
    end[n] = e;
    nid[n] = node;
    zid[n] = zone ?? -1;
    n++;
  };
  // the spanned zones of each node in index order (the first spanning a pfn wins, as forEachZonePiece)
  const zonesOf = new Map(layout.nodes.map((nd) => [nd.nid, nd.zones.filter((z) => z.spannedPages)]));
  const rs = layout.memRanges;
  let cut = 0;
  for (const r of ranges) {
    if (cut > 0 && cuts[cut - 1]! > r.start) cut = firstAbove(cuts, r.start);
    while (cut < cuts.length && cuts[cut]! <= r.start) cut++;
    if (cut < cuts.length && cuts[cut]! < r.end) {
      for (const id of trueIdentity(layout, r.start, r.end)) push(id.start, id.end, id.nid, id.zid);
      continue;
    }
    const m = rs[firstEndingAfter(rs, r.start)];
    if (!m || m.start > r.start) continue; // a hole: no memory range, no identity
    let zone: number | null = null;
    for (const z of zonesOf.get(m.nid) ?? [])
      if (r.start >= z.startPfn && r.start < z.endPfn) {
        zone = z.zid;
        break;
      }
    push(r.start, r.end, m.nid, zone);
  }
  return { start, end, nid, zid, n };
}

/** The first index of the sorted column `a` whose value is above `x`. */
function firstAbove(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every finding of one replay (plain or KHO). */
export function check(tl: Timeline): Finding[] {
  const ctx = tl;
  const kho = tl.kho;
  const blocks = kho ? kho.run.blocks : NO_BLOCKS;
  const index = new BlockIndex(blocks);
  const fb = new FindingBuilder(index);
  const preserved = preservedRanges(blocks);
  // a KHO boot watches preserved memory and scratch; a plain boot all of memory (a hole page initialised twice,
  // init_unavailable_range then reserve_bootmem_region over it, is a known harmless pattern, left out)
  const memory = normalizeRanges(ctx.layout.memRanges);
  const watched = kho ? normalizeSorted(mergeByStart(preserved, kho.run.scratch)) : memory;
  // the blocks the observations name (by image index), found in one pass over the index column
  const blockOf = new Map<number, KhoBlock>();
  for (const o of kho?.run.observations ?? [])
    if (o.kind === 'memblock-after-discard' || o.kind === 'restore-failed') blockOf.set(o.block, NO_BLOCK);
  if (blockOf.size)
    for (let i = 0; i < blocks.length; i++)
      if (blockOf.has(blocks.index[i]!)) blockOf.set(blocks.index[i]!, blocks.at(i));
  for (const [k, b] of blockOf) if (b === NO_BLOCK) blockOf.delete(k);

  // struct-page events: reads of uninitialised pages anywhere; double init and lost orders on KHO memory
  const phaseOfFn = new Map<string, string>();
  for (const ev of ctx.memmap.events) {
    // a pattern read (pageblock or section boundaries) reports the uninitialised runs it hit, with the exact count
    if (ev.kind === 'read' && ev.uninitPages > 0)
      fb.add('STRUCT_PAGE_UNINIT_READ', ev.phase, ev.fn, ev.uninitRanges, undefined, ev.uninitPages);
    if (ev.kind === 'init') {
      phaseOfFn.set(ev.fn, ev.phase);
      if (ev.doubleInitRanges.length)
        fb.add(
          'STRUCT_PAGE_DOUBLE_INIT',
          ev.phase,
          ev.fn,
          intersectNormalized(normalizeSorted(ev.doubleInitRanges), watched),
        );
      if (ev.khoLostRanges.length) fb.add('KHO_ORDER_LOST', ev.phase, ev.fn, ev.khoLostRanges);
    }
  }

  // the final state: preserved memory (KHO), all of memory (plain), in one sweep
  const endPhase = 'end of replay';
  const memRanges = ctx.layout.memRanges;
  const fdpOf = new Map(ctx.nodes.map((n) => [n.nid, n.firstDeferredPfn]));
  ctx.memmap.scanRanges(columnsOf(kho ? preserved : memory), (s, e, st) => {
    if (st.memmap && st.initCount === 0)
      fb.addRange('STRUCT_PAGE_NEVER_INIT', endPhase, 'memmap_init_reserved_pages', s, e);
    if (kho && st.buddy) {
      // below first_deferred_pfn memblock_free_all() frees; above it deferred_init_memmap() does
      const m = memRanges[firstEndingAfter(memRanges, s)];
      const nid = m && m.start <= s ? m.nid : undefined;
      const fdp = nid === undefined ? null : (fdpOf.get(nid) ?? null);
      if (fdp !== null && s >= fdp)
        fb.addRange('KHO_FREED_TO_BUDDY', 'page_alloc_init_late', 'deferred_init_memmap', s, e);
      else fb.addRange('KHO_FREED_TO_BUDDY', 'memblock_free_all', 'memblock_free_all', s, e);
    }
  });
  if (!kho) return [...fb.build(), ...checkDeferredGrow(tl)];
  const run = kho.run;
  const reservedBefore = kho.reservedBefore;
  const pps = ctx.arch.PAGES_PER_SECTION;

  // restore outcomes and other observations
  for (const o of run.observations) {
    // refused by kho_populate() (compatible), or never handed over (kho_fill_kimage: a kdump kernel)
    if (o.kind === 'image-refused')
      fb.add(
        'KHO_REVIVAL_DISABLED',
        o.phase,
        o.fn ?? (o.phase === 'kho_memory_init' ? 'kho_memory_init' : 'kho_populate'),
        preserved,
      );
    else if (o.kind === 'bitmap-mismatch')
      fb.add('KHO_BITMAP_FORMAT_MISMATCH', o.phase, 'deserialize_bitmap', preserved);
    else if (o.kind === 'memblock-after-discard') {
      const b = blockOf.get(o.block);
      fb.add(
        'MEMBLOCK_USED_AFTER_DISCARD',
        o.phase,
        o.fn,
        [b ? { start: b.startPfn, end: b.endPfn } : { start: o.pfn, end: o.pfn + 1 }],
        o.block,
      );
    } else if (o.kind === 'restore-failed') {
      const b = blockOf.get(o.block);
      if (!b) continue;
      const r = [{ start: b.startPfn, end: b.endPfn }];
      if (o.reason === 'order-above-max')
        fb.add('KHO_ORDER_ABOVE_MAX', o.phase, 'kho_restore_page', r, b.index);
      else if (o.reason === 'magic' || o.reason === 'wrong-order')
        fb.add('KHO_ORDER_LOST', o.phase, 'kho_restore_page', r, b.index);
      else fb.add('KHO_OUTSIDE_RAM', o.phase, 'pfn_to_online_page', r, b.index);
    }
  }

  // the node and zone each preserved struct page was given: the true identity of each preserved range in
  // pieces (a range with no memory-range or zone boundary inside is one piece), then one sweep over the memmap
  const cuts = boundaryColumn(ctx.layout);
  const ids = identityPieces(ctx.layout, preserved, cuts);
  ctx.memmap.scanRanges(ids, (s, e, st, k) => {
    if (!st.memmap || st.initCount === 0) return;
    const phase = phaseOfFn.get(st.initBy) ?? endPhase;
    if (st.nid !== ids.nid[k]) fb.addRange('STRUCT_PAGE_WRONG_NODE', phase, st.initBy, s, e);
    const zid = ids.zid[k]!;
    if (zid >= 0 && st.zid !== zid) fb.addRange('STRUCT_PAGE_WRONG_ZONE', phase, st.initBy, s, e);
  });

  // the image against the layout: blocks are sorted by start, so each range list is swept once
  const fnReserve = run.image.abi === 'kho-v1' ? 'deserialize_bitmap' : 'kho_preserved_memory_reserve';
  const pageSize = 2 ** ctx.arch.PAGE_SHIFT;
  const inMemory = new RangeCursor(memory);
  const scratch = new RangeCursor(normalizeRanges(run.scratch));
  const reservedPfns = new RangeCursor(
    normalizeRanges(
      reservedBefore.map((r) => ({
        start: Math.floor(r.start / pageSize),
        end: Math.ceil(r.end / pageSize),
      })),
    ),
  );
  // a block with no memory-range or zone boundary strictly inside it is one piece of one node and zone: only the
  // blocks that straddle a boundary (few) are split by trueIdentity()
  let cut = 0;
  const { startPfn: bS, endPfn: bE, order: bO, index: bI } = run.blocks;
  for (let i = 0; i < run.blocks.length; i++) {
    const rs = bS[i]!;
    const re = bE[i]!;
    // only where the kernel has the int shift `1 << (order + PAGE_SHIFT)`: v7.2 on use 1UL (linux v7.3-rc7
    // kernel/liveupdate/kexec_handover.c kho_preserved_memory_reserve)
    if (run.profile.sizeShift === 'int' && bO[i]! + ctx.arch.PAGE_SHIFT >= 31)
      fb.add('KHO_BLOCK_SIZE_OVERFLOW', 'kho_memory_init', fnReserve, [{ start: rs, end: re }], bI[i]!);
    // blocks are sorted by start: the cursor only moves forward (a binary search when it would go back)
    if (cut > 0 && cuts[cut - 1]! > rs) cut = firstAbove(cuts, rs);
    while (cut < cuts.length && cuts[cut]! <= rs) cut++;
    const straddles = cut < cuts.length && cuts[cut]! < re;
    const pieces = straddles ? trueIdentity(ctx.layout, rs, re) : NO_IDS;
    if (pieces.length > 1) {
      const r = [{ start: rs, end: re }];
      const nids = new Set(pieces.map((i) => i.nid));
      if (nids.size > 1) fb.add('KHO_BLOCK_CROSSES_NODE', 'kho_memory_init', 'kho_preserve_pages', r, bI[i]!);
      for (const nid of nids) {
        const zids = new Set(pieces.filter((i) => i.nid === nid).map((i) => i.zid));
        if (zids.size > 1)
          fb.add('KHO_BLOCK_CROSSES_ZONE', 'kho_memory_init', 'kho_preserve_pages', r, bI[i]!);
      }
    }
    fb.add('KHO_OUTSIDE_RAM', 'kho_memory_init', 'memblock_reserve', inMemory.gaps(rs, re));
    fb.add('KHO_OVERLAPS_SCRATCH', 'kho_populate', 'memblock_set_kho_scratch_only', scratch.overlaps(rs, re));
    fb.add('KHO_OVERLAPS_RESERVED', 'kho_memory_init', 'memblock_reserve', reservedPfns.overlaps(rs, re));
  }

  // node boundaries that are not section-aligned (the premise of the Dec 22 review argument)
  const nodes = [...ctx.layout.nodes].sort((a, b) => a.startPfn - b.startPfn);
  for (let i = 1; i < nodes.length; i++) {
    for (const p of new Set([nodes[i - 1]!.endPfn, nodes[i]!.startPfn])) {
      if (p % pps !== 0)
        fb.add('NODE_BOUNDARY_UNALIGNED', 'free_area_init', 'free_area_init', [{ start: p, end: p + 1 }]);
    }
  }
  // pageblock migratetypes: scratch that is not CMA, CMA that is not scratch (src/check/migratetype-findings.ts)
  const sev = { error: 0, warning: 1, info: 2 } as const;
  return [...fb.build(), ...(tl.kho ? checkMigratetypes(tl) : []), ...checkDeferredGrow(tl)].sort(
    (a, b) =>
      sev[a.severity] - sev[b.severity] || a.code.localeCompare(b.code) || a.phase.localeCompare(b.phase),
  );
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
