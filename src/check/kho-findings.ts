// Timeline -> Findings, the only producer of findings (spec kho-abi.md §7.5), codes from src/check/codes.ts only.
// A KHO boot: struct-page events restricted to preserved memory and scratch, the restore outcomes, and checks of
// the image against the host layout. A plain boot: the same struct-page rules over all of memory. Range work only.
import type { Range, RangeColumns, Severity } from '../core/index.js';
import {
  f64Column,
  firstEndingAfter,
  GrowableColumns,
  gallopLowerBound,
  gallopUpperBound,
  InternalError,
  lazyListOf,
  runRanges,
  runStretches,
  runStretchesInOrder,
  sortedDisjointCols,
  upperBound,
} from '../core/index.js';
import { KhoBlocks } from '../sim/phases/kho-types.js';
import type { MemMap, PageState } from '../sim/memmap.js';
import { readBlocksMetAll, readFromPfns, readNormalized } from '../sim/memmap.js';
import type { Timeline } from '../sim/timeline.js';
import { trueIdentity } from '../sim/phases/kho-run.js';
import type { FindingCode } from './codes.js';
import { FINDING_CODES } from './codes.js';
import { checkMigratetypes, migratetypesOf } from './migratetype-findings.js';
import { checkDeferredGrow } from './mm-findings.js';
import type { Cols } from './range-buffer.js';
import {
  colsOf,
  ColsCursor,
  isNormalized,
  normalizeCols,
  normalizedCols,
  pagesOfCols,
  RangeBuffer,
  rangeColumns,
} from './range-buffer.js';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** Replay phase (kernel function of the phase: kho_memory_init, page_alloc_init_late, kho_restore, ...). */
  readonly phase: string;
  readonly kernelFunction: string;
  readonly pages: number;
  readonly blocks: number;
  /**
   * Pfn ranges [start, end), sorted and merged, as typed columns (no object per range: a finding over a million
   * preserved blocks is two Float64Arrays); the JSON writer (src/report/json-stream.ts jsonRanges) streams them.
   * rangeAt()/rangeList() in src/core/ranges.ts read a few as Range objects.
   */
  readonly ranges: RangeColumns;
  readonly title: string;
  readonly howToRead: string;
}

/** Preserved blocks as sorted ranges with their index, for counting blocks under a set of ranges. */
class BlockIndex {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /**
   * Stamps for count(): block i is counted in this call when seen[i] === stamp. Made by the first count() over a
   * finding that has ranges (4 bytes a block: most replays' findings are a few ranges over a few blocks).
   */
  private seen: Int32Array | null = null;
  private stamp = 0;
  /** Ends never decrease (disjoint blocks): the first block ending after a pfn can be found by a forward sweep. */
  private readonly endsMonotone: boolean;
  /**
   * `disjoint`: the blocks are known sorted, non-empty and disjoint (so their ends ascend): no pass to look, and
   * count() counts by position intervals (countDisjoint), unless `general`.
   */
  constructor(
    blocks: KhoBlocks,
    private readonly disjoint = false,
    private readonly general = false,
  ) {
    const n = blocks.length;
    this.starts = blocks.startPfn;
    this.ends = blocks.endPfn;
    let monotone = true;
    if (!disjoint) for (let i = 1; i < n; i++) if (this.ends[i]! < this.ends[i - 1]!) monotone = false;
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
    return upperBound(this.ends, pfn, lo, this.starts.length);
  }
  /**
   * count() of one event's ranges read from the blocks' own heads (readFromPfns: MemMap.readPages() of the start column,
   * as kho_restore_page()'s page_zone() reads, 6.8M ranges for none on the 8M bundle) with the blocks disjoint: each
   * page of them is the head of one block and the only page of it they hold, so the blocks they meet are their pages
   * (`pages`, the event's count, or summed). -1 when that does not hold: count() it is.
   */
  /**
   * The blocks the ranges of a view meet, as the sweep that made them counted them over these very blocks
   * (blocksMet: MemMap.markedRuns' `counted`, the blocks of check()'s never-initialised runs), or -1: count() it is.
   */
  knownMet(view: Cols): number {
    const m = blocksMet.get(view);
    return m && this.disjoint && !this.general && m.starts === this.starts ? m.n : -1;
  }
  /**
   * The blocks the ranges of views meet, as the pattern reads that wrote them counted them over these very blocks
   * (readBlocksMetAll: lazy-tail's set_zone_contiguous, 16 zones' reads of 4.18M tails), or -1: count() it is.
   */
  readMet(views: readonly Cols[]): number {
    return this.disjoint && !this.general ? readBlocksMetAll(views, this.starts) : -1;
  }
  headPages(view: Cols, pages: number | null): number {
    if (!this.disjoint || this.general || readFromPfns(view) !== this.starts) return -1;
    return pages ?? pagesOfCols(view);
  }
  /**
   * Number of blocks intersecting any of the (sorted, disjoint) ranges. `normalized`: the caller made them so
   * (normalizeCols): no pass to look.
   */
  count(rs: Cols, normalized = false): number {
    if (!this.starts.length || !rs.n) return 0;
    if (this.disjoint && !this.general && (normalized || sortedDisjointCols(rs.start, rs.end, rs.n)))
      return this.countDisjoint(rs);
    const stamp = ++this.stamp;
    const seen = (this.seen ??= new Int32Array(this.starts.length));
    const { starts: S, ends: E } = this;
    let counted = 0;
    let lo = 0;
    let prev = -Infinity;
    for (let k = 0; k < rs.n; k++) {
      const qs = rs.start[k]!;
      const qe = rs.end[k]!;
      lo = this.firstEndingAfter(qs, lo, prev);
      prev = qs;
      // blocks are sorted by start; ends are monotone for disjoint blocks (overlaps are rare and diagnosed)
      for (let i = lo > 0 ? lo - 1 : 0; i < S.length && S[i]! < qe; i++)
        if (E[i]! > qs && seen[i] !== stamp) {
          seen[i] = stamp;
          counted++;
        }
    }
    return counted;
  }
  /**
   * count() for blocks sorted and disjoint and ranges sorted and disjoint: the blocks meeting [qs, qe) are the
   * positions from the first ending after qs to the first starting at or after qe, and both ascend from range to
   * range, so the union is counted interval by interval with two forward cursors (no stamp per block). The cursors
   * gallop (gallopUpperBound/gallopLowerBound): a range that covers or skips many blocks reads a few entries near
   * the cursor, not a binary search across the block columns.
   */
  private countDisjoint(rs: Cols): number {
    const S = this.starts;
    const E = this.ends;
    const n = S.length;
    const RS = rs.start;
    const RE = rs.end;
    const m = rs.n;
    let counted = 0;
    let lo = 0;
    let hi = 0;
    let prevHi = 0;
    for (let k = 0; k < m; k++) {
      const qs = RS[k]!;
      const qe = RE[k]!;
      // a step or two (ranges a block or so apart: a finding over a million blocks), else a gallop
      if (lo < n && E[lo]! <= qs) {
        lo++;
        if (lo < n && E[lo]! <= qs) lo = gallopUpperBound(E, qs, lo + 1, n);
      }
      if (hi < lo) hi = lo;
      if (hi < n && S[hi]! < qe) {
        hi++;
        if (hi < n && S[hi]! < qe) hi = gallopLowerBound(S, qe, hi + 1, n);
      }
      const from = lo > prevHi ? lo : prevHi;
      if (hi > from) counted += hi - from;
      if (hi > prevHi) prevHi = hi;
    }
    return counted;
  }
}

/**
 * A finding with the code table's severity, title and reading guide: the one builder every check uses, so the key
 * order of a finding (and of its JSON) is written once. kernelFunction defaults to the code's. `ranges` as Range
 * objects (the small lists of the other checks) or columns; sorted and merged by the caller.
 */
export function makeFinding(
  code: FindingCode,
  phase: string,
  ranges: readonly Range[] | Cols,
  opts: { readonly kernelFunction?: string; readonly pages?: number; readonly blocks?: number } = {},
): Finding {
  const info = FINDING_CODES[code];
  const cols = 'n' in ranges ? ranges : colsOf(ranges);
  return {
    code,
    severity: info.severity,
    phase,
    kernelFunction: opts.kernelFunction ?? info.kernelFunction,
    pages: opts.pages ?? pagesOfCols(cols),
    blocks: opts.blocks ?? 0,
    ranges: rangeColumns(cols),
    title: info.title,
    howToRead: info.howToRead,
  };
}

/** The ranges of one finding as they are collected (FindingBuilder). */
interface AccEntry {
  readonly code: FindingCode;
  readonly phase: string;
  readonly fn: string;
  /** Null while the entry is `done` only (ranges not added to since). */
  buf: RangeBuffer | null;
  /** Image indices of the blocks named (restore failures, per-block image checks); null: counted under ranges. */
  blocks: number[] | null;
  pages: number | null;
  /** A finished part computed once per image and layout (CheckPrep), shared by every strategy's check. */
  done: { readonly ranges: Cols; readonly blocks: number } | null;
  /**
   * The entry's only ranges while nothing but events' columns is added (FindingBuilder.addCols, fast paths): those
   * columns, read in place (one) or copied once into columns of their total size (several), instead of each copied to
   * a growing `buf`; copied there when anything else comes.
   */
  views: Cols[] | null;
}

/**
 * FindingBuilder.builtViews()' answers by the first column object of the views: a replay that goes on from a copy of
 * another's state (src/sim/replay.ts replayEach: compare's zone-walk from none's, before kho_restore) holds that
 * one's events up to there, the same objects, so a finding of their columns alone (set_zone_contiguous' reads of
 * the never-initialised pageblock ends, 432K ranges over 16 events) is normalized and counted once for both.
 */
/**
 * The blocks a finding's ranges meet, by the columns handed to addCols(), when the sweep that made the ranges counted
 * them: the blocks' start column and the count (check()'s never-initialised runs over the disjoint blocks, each block
 * with a page of a never-initialised state counted as markedRuns() takes it: the count over the 2.8M runs of the
 * `none` strategy after, not made). Each run lies in the blocks it came from, which are disjoint: a block meets the
 * runs exactly when it holds a piece of one.
 */
const blocksMet = new WeakMap<object, { readonly starts: Float64Array; readonly n: number }>();

/**
 * Columns known normalized (sorted, non-empty, disjoint, not touching) by how they were made: check()'s
 * never-initialised runs from a joining buffer that stayed sorted (RangeBuffer.push() with `join` appends a run only
 * past the last one's end, else joins it; markedRuns' runs are non-empty), whose isNormalized() pass (2.8M runs of the
 * `none` strategy) would say so.
 */
const normalizedRuns = new WeakSet<object>();

const viewsBuilt = new WeakMap<
  Cols,
  {
    readonly views: readonly Cols[];
    readonly index: BlockIndex;
    readonly ranges: Cols;
    readonly blocks: number;
  }
>();

class FindingBuilder {
  private readonly acc = new Map<string, AccEntry>();
  /**
   * `index` null: set it (setIndex) before prepared() or build(). `fast`: the buffers join touching ranges as they
   * come (RangeBuffer `join`), an entry of one event's columns reads them in place (`view`), and ranges already
   * normalized are kept as they are; else (check()'s `general`) every range is copied and normalized.
   */
  constructor(
    private index: BlockIndex | null,
    private readonly fast = false,
  ) {}

  setIndex(index: BlockIndex): void {
    this.index = index;
  }

  /** One range [start, end), with the block it is about (per-block checks) or none. */
  addRange(code: FindingCode, phase: string, fn: string, start: number, end: number, block?: number): void {
    const e = this.entry(code, phase, fn, block === undefined);
    e.buf!.push(start, end);
    if (block !== undefined) (e.blocks ??= []).push(block);
  }

  /**
   * Ranges in columns (no block). `pages`: how many struct pages the finding is about when not every page of the
   * ranges (pattern reads).
   */
  addCols(code: FindingCode, phase: string, fn: string, cols: Cols, pages?: number): void {
    // (ranges kept as stretches are never empty: their count, made when read, is not made here)
    if (!lazyListOf(cols) && !cols.n) return;
    if (this.fast) {
      const key = `${code}\0${phase}\0${fn}`;
      const v = this.acc.get(key);
      if (!v) {
        this.acc.set(key, {
          code,
          phase,
          fn,
          buf: null,
          blocks: null,
          pages: pages ?? null,
          done: null,
          views: [cols],
        });
        return;
      }
      if (v.views) {
        v.views.push(cols);
        if (pages !== undefined) v.pages = (v.pages ?? 0) + pages;
        return;
      }
    }
    const e = this.entry(code, phase, fn, true);
    e.buf!.pushCols(cols);
    if (pages !== undefined) e.pages = (e.pages ?? 0) + pages;
  }

  /** The sink of one key, for sweeps that write many ranges to one finding (no block). */
  sink(code: FindingCode, phase: string, fn: string): RangeBuffer {
    return this.entry(code, phase, fn, true).buf!;
  }

  /** Findings computed once for every strategy (CheckPrep.image), in the order they were first added. */
  addPrepared(entries: readonly PreparedEntry[]): void {
    for (const p of entries) {
      const key = `${p.code}\0${p.phase}\0${p.fn}`;
      const e = this.acc.get(key);
      if (!e) {
        this.acc.set(key, {
          code: p.code,
          phase: p.phase,
          fn: p.fn,
          buf: null,
          blocks: null,
          pages: null,
          done: p,
          views: null,
        });
        this.last = null;
      } else {
        // the key has ranges of this replay too: the prepared part joins them (its blocks counted under ranges)
        this.ensureBuf(e).pushCols(p.ranges);
        if (p.blockList) {
          const bl = (e.blocks ??= []);
          for (const b of p.blockList) bl.push(b);
        }
      }
    }
  }

  private ensureBuf(e: AccEntry): RangeBuffer {
    if (!e.buf) {
      e.buf = new RangeBuffer(e.views ? 16 + e.views.reduce((n, c) => n + c.n, 0) : 16, this.fast);
      if (e.done) {
        e.buf.pushCols(e.done.ranges);
        e.done = null;
      }
      if (e.views) {
        for (const c of e.views) e.buf.pushCols(c);
        e.views = null;
      }
    }
    return e.buf;
  }

  private last: { code: string; phase: string; fn: string; e: AccEntry } | null = null;
  private entry(code: FindingCode, phase: string, fn: string, noBlock: boolean): AccEntry {
    const l = this.last;
    if (l && l.code === code && l.phase === phase && l.fn === fn) return l.e;
    const key = `${code}\0${phase}\0${fn}`;
    let e = this.acc.get(key);
    if (!e) {
      e = {
        code,
        phase,
        fn,
        buf: new RangeBuffer(16, this.fast),
        blocks: noBlock ? null : [],
        pages: null,
        done: null,
        views: null,
      };
      this.acc.set(key, e);
    }
    this.ensureBuf(e);
    this.last = { code, phase, fn, e };
    return e;
  }

  /** The entries as they are now, normalized (CheckPrep keeps them for every strategy). */
  prepared(): PreparedEntry[] {
    return [...this.acc.values()].map((e) => {
      const ranges = e.done ? e.done.ranges : this.rangesOf(e);
      return {
        code: e.code,
        phase: e.phase,
        fn: e.fn,
        ranges,
        blockList: e.blocks,
        blocks: e.blocks ? distinct(e.blocks) : this.index!.count(ranges, true),
      };
    });
  }

  build(): Finding[] {
    const out: Finding[] = [];
    for (const e of this.acc.values()) {
      if (e.done && !e.buf) {
        out.push(
          makeFinding(e.code, e.phase, e.done.ranges, { kernelFunction: e.fn, blocks: e.done.blocks }),
        );
        continue;
      }
      const built = e.views && !e.blocks ? this.builtViews(e, e.views) : null;
      const ranges = built ? built.ranges : this.rangesOf(e);
      out.push(
        makeFinding(e.code, e.phase, ranges, {
          kernelFunction: e.fn,
          pages: e.pages ?? pagesOfCols(ranges),
          blocks: built ? built.blocks : e.blocks ? distinct(e.blocks) : this.index!.count(ranges, true),
        }),
      );
    }
    return out.sort(bySeverityCodePhase);
  }

  /**
   * The ranges (normalized, rangesOf()) and block count of an entry made of events' columns alone (addCols views), made
   * once for a list of the same column objects and the same block index (viewsBuilt), else made here and kept.
   */
  private builtViews(e: AccEntry, views: readonly Cols[]): { ranges: Cols; blocks: number } {
    const index = this.index!;
    const hit = viewsBuilt.get(views[0]!);
    if (
      hit &&
      hit.index === index &&
      hit.views.length === views.length &&
      hit.views.every((v, i) => v === views[i])
    )
      return hit;
    // the list as it is now: rangesOf() hands the entry's views to its buffer
    const list = views.slice();
    const ranges = this.rangesOf(e);
    const heads = list.length === 1 ? index.headPages(list[0]!, e.pages) : -1;
    const met = heads < 0 && list.length === 1 ? index.knownMet(list[0]!) : -1;
    const read = heads < 0 && met < 0 ? index.readMet(list) : -1;
    const blocks = heads >= 0 ? heads : met >= 0 ? met : read >= 0 ? read : index.count(ranges, true);
    const made = { views: list, index, ranges, blocks };
    viewsBuilt.set(list[0]!, made);
    return made;
  }

  /**
   * An entry's ranges (its buffer's, its one view's or its views' when they lie end to end in one pair of columns),
   * normalized: kept as they are when they are so already.
   */
  private rangesOf(e: AccEntry): Cols {
    const one = e.views?.length === 1 ? e.views[0]! : null;
    // (the view itself, as normalizedCols() answers when isNormalized(): no pass to look, for the never-initialised
    // runs and a read of single pages in strict order, src/sim/memmap.ts readNormalized)
    if (one && (normalizedRuns.has(one) || readNormalized(one)))
      // (ranges kept as stretches, src/core/columns.ts LazyList: as they are, their columns not made here)
      return lazyListOf(one)
        ? one
        : { start: one.start.subarray(0, one.n), end: one.end.subarray(0, one.n), n: one.n };
    if (one) return normalizedCols(one, undefined, true);
    const joined = e.views ? adjacentViews(e.views) : null;
    if (joined) return normalizedCols(joined, undefined, true);
    return this.ensureBuf(e).normalized();
  }
}

/**
 * Views that lie end to end in one pair of columns (each view's rows right after the one before's, src/sim/memmap.ts
 * RangeArena: the set_zone_contiguous reads of one replay) as one view of them all, or null. The same ranges in the
 * same order as a buffer they are copied into (ensureBuf), so normalizedCols() of it answers as that buffer's
 * normalized() (a fast builder's buffer joins, and pushCols() sorts out order exactly as normalizeCols() looks).
 */
function adjacentViews(views: readonly Cols[]): Cols | null {
  if (views.length < 2) return null;
  const v0 = views[0]!;
  const S = v0.start.buffer;
  const E = v0.end.buffer;
  let n = 0;
  for (const v of views) {
    if (v.start.buffer !== S || v.end.buffer !== E) return null;
    if (v.start.byteOffset !== v0.start.byteOffset + n * 8 || v.end.byteOffset !== v0.end.byteOffset + n * 8)
      return null;
    n += v.n;
  }
  return {
    start: new Float64Array(S, v0.start.byteOffset, n),
    end: new Float64Array(E, v0.end.byteOffset, n),
    n,
  };
}

/** A finding's part computed once per image and layout, normalized, with its block count. */
interface PreparedEntry {
  readonly code: FindingCode;
  readonly phase: string;
  readonly fn: string;
  readonly ranges: Cols;
  readonly blockList: readonly number[] | null;
  readonly blocks: number;
}

/** How many different numbers (the blocks a finding names: a Set's size, without a Set entry per block). */
function distinct(xs: readonly number[]): number {
  if (xs.length < 2) return xs.length;
  let sorted = true;
  for (let i = 1; i < xs.length && sorted; i++) sorted = xs[i]! > xs[i - 1]!;
  if (sorted) return xs.length;
  const a = Float64Array.from(xs).sort();
  let n = 1;
  for (let i = 1; i < a.length; i++) if (a[i] !== a[i - 1]) n++;
  return n;
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;
function bySeverityCodePhase(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    a.code.localeCompare(b.code) ||
    a.phase.localeCompare(b.phase)
  );
}

const NO_BLOCKS = new KhoBlocks(
  new Float64Array(0),
  new Float64Array(0),
  new Uint8Array(0),
  new Uint8Array(0),
  new Int32Array(0),
);

/**
 * The blocks' ranges, sorted and merged (blocks are sorted by start). Blocks that are already so (`normalized`:
 * isNormalized() looked) are their own columns, read only here (kho-run.ts builds them once, nothing writes them
 * after): no copy of 16 bytes a block.
 */
function preservedRanges(blocks: KhoBlocks, normalized: boolean): Cols {
  const n = blocks.length;
  if (normalized) return { start: blocks.startPfn, end: blocks.endPfn, n };
  return normalizeCols(blocks.startPfn, blocks.endPfn, n, true);
}

/** Two sorted column lists merged by start (ties: a first), then normalized. */
function unionCols(a: Cols, b: Cols): Cols {
  const n = a.n + b.n;
  const S = f64Column(n);
  const E = f64Column(n);
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    if (j >= b.n || (i < a.n && a.start[i]! <= b.start[j]!)) {
      S[k] = a.start[i]!;
      E[k] = a.end[i++]!;
    } else {
      S[k] = b.start[j]!;
      E[k] = b.end[j++]!;
    }
  }
  return normalizeCols(S, E, n, true);
}

/**
 * intersectInto(R, union of B and S) for B sorted and disjoint, S normalized: each range of R searches both (R is an
 * event's few ranges, B a million blocks), the pieces pushed in start order (they may overlap or touch: `out` is
 * normalized later).
 */
function intersectWatched(R: Cols, B: Cols, S: Cols, out: RangeBuffer): void {
  for (let i = 0; i < R.n; i++) {
    const s = R.start[i]!;
    const e = R.end[i]!;
    let b = upperBound(B.end, s, 0, B.n);
    let j = upperBound(S.end, s, 0, S.n);
    for (;;) {
      const nb = b < B.n && B.start[b]! < e;
      const nj = j < S.n && S.start[j]! < e;
      if (!nb && !nj) break;
      const fromB = nb && (!nj || B.start[b]! <= S.start[j]!);
      const ps = fromB ? B.start[b]! : S.start[j]!;
      const pe = fromB ? B.end[b++]! : S.end[j++]!;
      const cs = ps > s ? ps : s;
      const ce = pe < e ? pe : e;
      if (cs < ce) out.push(cs, ce);
    }
  }
}

/** Normalized columns (one event's ranges, sorted and merged) intersected with sorted columns, into `out`. */
function intersectInto(R: Cols, W: Cols, out: RangeBuffer): void {
  let j = 0;
  for (let i = 0; i < R.n && j < W.n;) {
    const s = Math.max(R.start[i]!, W.start[j]!);
    const e = Math.min(R.end[i]!, W.end[j]!);
    if (s < e) out.push(s, e);
    if (R.end[i]! < W.end[j]!) i++;
    else j++;
  }
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

/**
 * MemMap.scanRanges() restricted to the pieces whose state `marksOf` (or marksOf(k) for range k) marks: a PageReader steps over
 * the others in its own loop (a sweep for the few wrong pages among a million blocks makes no call per block).
 * The pieces given are scanRanges' own (consecutive pieces of one state in a range merged: an unmarked piece
 * between two marked ones has another state), so a finding split at a piece's start (first_deferred_pfn) is too.
 */
function scanMarked(
  memmap: MemMap,
  rs: Cols,
  marksOf: Uint8Array | ((k: number) => Uint8Array),
  cb: (s: number, e: number, st: PageState, k: number) => void,
): void {
  const r = memmap.reader();
  for (let k = 0; k < rs.n; k++) {
    const marks = typeof marksOf === 'function' ? marksOf(k) : marksOf;
    r.range(rs.start[k]!, rs.end[k]!);
    let ps = 0;
    let pe = 0;
    let pid = -1;
    let st: PageState | null = null;
    while (r.next(marks)) {
      if (r.id === pid && r.s === pe) {
        pe = r.e;
        continue;
      }
      if (st) cb(ps, pe, st, k);
      ps = r.s;
      pe = r.e;
      pid = r.id;
      st = r.state;
    }
    if (st) cb(ps, pe, st, k);
  }
}

/** Identity pieces: piece k is [start[k], end[k]) of node nid[k] and zone zid[k] (-1: no zone spans it). */
interface IdPieces extends Cols {
  readonly nid: Float64Array;
  readonly zid: Float64Array;
}

/**
 * trueIdentity() of every range (sorted, disjoint) as columns. A range with no boundary of `cuts` strictly inside
 * is one piece (or none, in a hole), found by binary search; only the others go through trueIdentity().
 */
function identityPieces(layout: Timeline['layout'], ranges: Cols, cuts: Float64Array): IdPieces {
  const cap = ranges.n + 16;
  const buf = new GrowableColumns([
    new Float64Array(cap),
    new Float64Array(cap),
    new Float64Array(cap),
    new Float64Array(cap),
  ]);
  const push = (s: number, e: number, node: number, zone: number | null): void => {
    const i = buf.row();
    const c = buf.cols;
    c[0][i] = s;
    c[1][i] = e;
    c[2][i] = node;
    c[3][i] = zone ?? -1;
  };
  // the spanned zones of each node in index order (the first spanning a pfn wins, as forEachZonePiece)
  const zonesOf = new Map(layout.nodes.map((nd) => [nd.nid, nd.zones.filter((z) => z.spannedPages)]));
  const rs = layout.memRanges;
  let cut = 0;
  let m = 0;
  for (let k = 0; k < ranges.n; k++) {
    const rStart = ranges.start[k]!;
    const rEnd = ranges.end[k]!;
    if (cut > 0 && cuts[cut - 1]! > rStart) cut = upperBound(cuts, rStart);
    while (cut < cuts.length && cuts[cut]! <= rStart) cut++;
    if (cut < cuts.length && cuts[cut]! < rEnd) {
      for (const id of trueIdentity(layout, rStart, rEnd)) push(id.start, id.end, id.nid, id.zid);
      continue;
    }
    // the memory range holding rStart: ranges ascend, so the cursor moves forward (a search when it would not)
    if (m >= rs.length || rs[m]!.start > rStart || (m > 0 && rs[m - 1]!.end > rStart))
      m = firstEndingAfter(rs, rStart);
    while (m < rs.length && rs[m]!.end <= rStart) m++;
    const mr = rs[m];
    if (!mr || mr.start > rStart) continue; // a hole: no memory range, no identity
    let zone: number | null = null;
    for (const z of zonesOf.get(mr.nid) ?? [])
      if (rStart >= z.startPfn && rStart < z.endPfn) {
        zone = z.zid;
        break;
      }
    push(rStart, rEnd, mr.nid, zone);
  }
  const [start, end, nid, zid] = buf.cols;
  return { start, end, nid, zid, n: buf.n };
}

/**
 * identityPieces() and the sweep of them over blocks that are sorted and disjoint (they may touch), without a row
 * per block: the blocks between two boundary cuts share the node and zone of the first one's start (no memory range
 * or spanned zone starts or ends between them), so each such run of blocks is one call each(nid, zid, blocks, k0,
 * k1) (zid -1: no zone spans it; a run in a hole has no identity and no call); a block with a cut strictly inside is
 * its trueIdentity() pieces, one call each. In address order, as the pieces of identityPieces() come.
 */
function sweepIdentities(
  layout: Timeline['layout'],
  B: Cols,
  cuts: Float64Array,
  each: (nid: number, zid: number, rs: Cols, k0: number, k1: number) => void,
): void {
  const zonesOf = new Map(layout.nodes.map((nd) => [nd.nid, nd.zones.filter((z) => z.spannedPages)]));
  const rs = layout.memRanges;
  const n = B.n;
  for (let k = 0; k < n;) {
    const s = B.start[k]!;
    const e = B.end[k]!;
    const c = upperBound(cuts, s);
    if (c < cuts.length && cuts[c]! < e) {
      for (const id of trueIdentity(layout, s, e)) {
        const piece = { start: Float64Array.of(id.start), end: Float64Array.of(id.end), n: 1 };
        each(id.nid, id.zid ?? -1, piece, 0, 1);
      }
      k++;
      continue;
    }
    // the blocks from k on that end at or before the next cut (ends ascend: the blocks are disjoint)
    const j = c < cuts.length ? upperBound(B.end, cuts[c]!, k, n) : n;
    const m = firstEndingAfter(rs, s);
    const mr = rs[m];
    if (mr && mr.start <= s) {
      let zone = -1;
      for (const z of zonesOf.get(mr.nid) ?? [])
        if (s >= z.startPfn && s < z.endPfn) {
          zone = z.zid;
          break;
        }
      each(mr.nid, zone, B, k, j);
    }
    k = j;
  }
}

/**
 * What check() needs of a KHO replay that does not depend on the strategy: the preserved ranges, what is watched,
 * the block index, each preserved range's node and zone, and the findings of the image against the layout (blocks
 * outside RAM, over scratch or reserved memory, across nodes or zones, too big for an int shift, node boundaries).
 * compare and check replay one image under several strategies from one boot (src/sim/replay.ts replayEach): they
 * share the layout and these inputs, so this is computed once for all of them.
 */
/** One call of sweepIdentities()' `each`: blocks k0 .. k1 - 1 of rs have node nid and zone zid (-1: none). */
interface IdentityCall {
  readonly nid: number;
  readonly zid: number;
  readonly rs: Cols;
  readonly k0: number;
  readonly k1: number;
}

/** sweepIdentities() over the prep's disjoint blocks, its calls listed once per prep (CheckPrep.idSweep). */
function identitySweep(prep: CheckPrep, B: Cols): readonly IdentityCall[] {
  if (prep.idSweep === null) {
    const calls: IdentityCall[] = [];
    sweepIdentities(prep.layout, B, prep.cuts, (nid, zid, rs, k0, k1) =>
      calls.push({ nid, zid, rs, k0, k1 }),
    );
    prep.idSweep = calls;
  }
  return prep.idSweep;
}

interface CheckPrep {
  /** Made by the general paths only (check()'s `general`). */
  readonly general: boolean;
  readonly blocks: KhoBlocks;
  readonly layout: Timeline['layout'];
  readonly reservedBefore: readonly Range[];
  readonly scratch: readonly Range[];
  readonly sizeShift: string;
  readonly abi: string;
  readonly pageShift: number;
  readonly index: BlockIndex;
  /**
   * The blocks as columns when they are sorted, non-empty and disjoint (they may touch: the preserved ranges are
   * them merged), which the fast sweeps read instead of the preserved ranges; null otherwise (and on the general
   * paths).
   */
  readonly disjointBlocks: Cols | null;
  /** Whether the blocks are their preserved ranges already (disjoint and none touching the next). */
  readonly normalized: boolean;
  /** The preserved ranges (preserved()): made on first use (the fast paths seldom need them). */
  preservedCols: Cols | null;
  /** How many stretches of touching blocks disjointBlocks holds (neverRoom()): counted on first use. */
  stretches: number | null;
  /** Scratch in pfns, normalized; preserved memory and scratch (what double init is reported on): watched(). */
  readonly scratchCols: Cols;
  watchedCols: Cols | null;
  /** Every memory-range and spanned-zone boundary (boundaryColumn). */
  readonly cuts: Float64Array;
  /** Each preserved range's node and zone (the general path of the identity sweep), made on first use. */
  idsCols: IdPieces | null;
  /**
   * The identity sweep's calls over disjointBlocks (sweepIdentities()), made on first use: check() looks at them twice
   * (MemMap.markedStops(), then the sweep), for every strategy of a compare.
   */
  idSweep: readonly IdentityCall[] | null;
  /** The image-against-layout findings, in the order check() adds them, normalized. */
  readonly image: readonly PreparedEntry[];
}

/** The last prep per image's blocks: compare --profiles and check replay profile after profile, so one is kept. */
const prepByBlocks = new WeakMap<KhoBlocks, CheckPrep>();

function checkPrep(
  tl: Timeline,
  kho: NonNullable<Timeline['kho']>,
  memory: Cols,
  general: boolean,
): CheckPrep {
  const run = kho.run;
  const p = prepByBlocks.get(run.blocks);
  if (
    p &&
    p.general === general &&
    p.layout === tl.layout &&
    p.reservedBefore === kho.reservedBefore &&
    p.scratch === run.scratch &&
    p.sizeShift === run.profile.sizeShift &&
    p.abi === run.image.abi &&
    p.pageShift === tl.arch.PAGE_SHIFT
  )
    return p;
  const blocks = run.blocks;
  const n = blocks.length;
  const scratchCols = normalizeCols(...columnsOfRanges(run.scratch));
  const cuts = boundaryColumn(tl.layout);
  const fb = new FindingBuilder(null, !general);
  // the image sweep also finds whether the blocks are sorted, non-empty and disjoint (its fast loop reads every
  // block once; the general path says no)
  const disjoint = imageAgainstLayout(tl, kho, memory, scratchCols, cuts, fb, general);
  const normalized = disjoint && isNormalized(blocks.startPfn, blocks.endPfn, n);
  const index = new BlockIndex(blocks, disjoint, general);
  fb.setIndex(index);
  const prep: CheckPrep = {
    general,
    blocks,
    layout: tl.layout,
    reservedBefore: kho.reservedBefore,
    scratch: run.scratch,
    sizeShift: run.profile.sizeShift,
    abi: run.image.abi,
    pageShift: tl.arch.PAGE_SHIFT,
    index,
    disjointBlocks: disjoint ? { start: blocks.startPfn, end: blocks.endPfn, n } : null,
    normalized,
    preservedCols: null,
    stretches: null,
    scratchCols,
    watchedCols: null,
    cuts,
    idsCols: null,
    idSweep: null,
    image: fb.prepared(),
  };
  prepByBlocks.set(blocks, prep);
  return prep;
}

/** The number of k with k = 0 or B.start[k] !== B.end[k - 1] (blocks sorted and disjoint: where a stretch starts). */
function stretchesOf(B: Cols): number {
  const S = B.start;
  const E = B.end;
  let m = B.n > 0 ? 1 : 0;
  // without a branch (a stretch starts at a third of the 8.36M blocks, at random: 38 ms with one, 14 without)
  for (let k = 1; k < B.n; k++) m += +(S[k] !== E[k - 1]);
  return m;
}

/**
 * The room check()'s never-initialised runs take when their first 16 fill the buffer: as many as the blocks have
 * stretches of touching blocks (and a 64th more), which is what the sweep over disjoint blocks finds when none of
 * their pages was ever initialised (the `none` strategy: 2,845,768 runs over 2,845,760 stretches of 8.36M blocks),
 * instead of columns doubled and copied twenty times as they grow; 16 without disjoint blocks. Any room gives the
 * same runs.
 */
function neverRoom(prep: CheckPrep | null): number {
  if (!prep?.disjointBlocks) return 16;
  const m = (prep.stretches ??= stretchesOf(prep.disjointBlocks));
  return m + (m >> 6) + 1;
}

/**
 * check()'s never-initialised runs (fast paths): a joining buffer of 16 and, when they fill it, of room for
 * neverRoom() (a strategy with a few, as lazy-tail's and zone-walk's 5, takes none: a room for millions of runs costs
 * its zeroed columns), then doubling. Joined where they touch as the finding's buffer joins them; the sweep over the
 * blocks (MemMap.markedRuns' sink) writes to its columns itself.
 */
class NeverRuns extends RangeBuffer {
  /** The room for neverRoom() was made. */
  roomy = false;
  /**
   * The stretches of blocks the sweep handed as they are (MemMap.markedRuns' RunSink.stretch(): every layer page
   * never initialised, none's 8.36M blocks): stretch j the blocks sFrom[j] .. sTo[j] - 1 of columns sS and sE, just
   * before row sAt[j]. Their runs are made by whoever reads them (src/core/run-stretches.ts): not on this thread for
   * compare --json, whose writer thread writes them out.
   */
  private sS: Float64Array | null = null;
  private sE: Float64Array | null = null;
  private readonly sAt: number[] = [];
  private readonly sFrom: number[] = [];
  private readonly sTo: number[] = [];
  constructor(private readonly prep: CheckPrep | null) {
    super(16, true);
  }
  override room(extra = 1): void {
    if (!this.roomy && this.n + extra > this.capacity) {
      this.roomy = true;
      extra = Math.max(neverRoom(this.prep) - this.n, extra);
    }
    super.room(extra);
  }
  stretch(S: Float64Array, E: Float64Array, a: number, b: number): void {
    if (this.sS === null) {
      this.sS = S;
      this.sE = E;
      // (rows as they come from now on, a few dozen: no room for neverRoom() runs, which the stretches hold)
      this.roomy = true;
    } else if (this.sS !== S || this.sE !== E)
      throw new InternalError('never-initialised runs handed as stretches of two different block columns');
    this.sAt.push(this.n);
    this.sFrom.push(a);
    this.sTo.push(b);
  }
  /**
   * The runs (rows and stretches) as the finding's columns, normalized (src/core/run-stretches.ts runRanges); null
   * without stretches (the rows are the runs). The sweep hands the pieces in address order over disjoint blocks.
   */
  runs(): Cols | null {
    if (this.sS === null) return null;
    const p = {
      S: this.sS,
      E: this.sE!,
      rs: this.start,
      re: this.end,
      rows: this.n,
      at: Int32Array.from(this.sAt),
      from: Int32Array.from(this.sFrom),
      to: Int32Array.from(this.sTo),
    };
    if (!runStretchesInOrder(p))
      throw new InternalError('never-initialised runs handed out of address order');
    return runRanges(runStretches(p.S, p.E, p.rs, p.re, p.rows, p.at, p.from, p.to));
  }
}

/** The preserved ranges of a prep, made the first time they are asked for. */
function preserved(prep: CheckPrep): Cols {
  return (prep.preservedCols ??= preservedRanges(prep.blocks, prep.normalized));
}

function columnsOfRanges(rs: readonly Range[]): [Float64Array, Float64Array, number] {
  const c = colsOf(rs);
  return [c.start, c.end, c.n];
}

/**
 * The image against the layout: blocks are sorted by start, so each range list is swept once. A block with no
 * memory-range or zone boundary strictly inside it is one piece of one node and zone: only the blocks that
 * straddle a boundary (few) are split by trueIdentity(). Returns whether the blocks are sorted, non-empty and
 * disjoint (sortedDisjointCols(), found by the fast loop as it goes; false on the general path).
 */
function imageAgainstLayout(
  tl: Timeline,
  kho: NonNullable<Timeline['kho']>,
  memory: Cols,
  scratch: Cols,
  cuts: Float64Array,
  fb: FindingBuilder,
  general: boolean,
): boolean {
  const run = kho.run;
  const fnReserve = run.image.abi === 'kho-v1' ? 'deserialize_bitmap' : 'kho_preserved_memory_reserve';
  const pageShift = tl.arch.PAGE_SHIFT;
  const pageSize = 2 ** pageShift;
  const inMemory = new ColsCursor(memory);
  const inScratch = new ColsCursor(scratch);
  const reserved = kho.reservedBefore;
  const rS = new Float64Array(reserved.length);
  const rE = new Float64Array(reserved.length);
  for (let k = 0; k < reserved.length; k++) {
    rS[k] = Math.floor(reserved[k]!.start / pageSize);
    rE[k] = Math.ceil(reserved[k]!.end / pageSize);
  }
  const reservedCols = normalizeCols(rS, rE, reserved.length);
  const inReserved = new ColsCursor(reservedCols);
  const intShift = run.profile.sizeShift === 'int';
  // the sinks in the order the per-block loop first added to them (the order of findings with equal keys)
  let outside: RangeBuffer | null = null;
  let overScratch: RangeBuffer | null = null;
  let overReserved: RangeBuffer | null = null;
  const tmp = new RangeBuffer();
  const flush = (
    code: FindingCode,
    phase: string,
    fn: string,
    cur: RangeBuffer | null,
  ): RangeBuffer | null => {
    if (!tmp.n) return cur;
    const sink = cur ?? fb.sink(code, phase, fn);
    sink.pushCols(tmp);
    tmp.n = 0;
    tmp.sorted = true;
    return sink;
  };
  let cut = 0;
  const { startPfn: bS, endPfn: bE, order: bO } = run.blocks;
  // a block's image index without the index column (none made for an image in address order: the identity)
  const bI = (i: number): number => run.blocks.imageIndex(i);
  // the window [lo, hi] of the block last looked at: inside one memory range, clear of scratch, of reserved memory
  // and of every boundary cut (empty when the block's start is in none of that). A block inside it adds nothing
  // below (no gap, no overlap, no cut strictly inside), so it costs two compares: a million blocks inside a node
  // are one window. `general`: every block through the loop below (the tests hold the two to the same findings).
  let lo = 1;
  let hi = 0;
  const win = new Float64Array(2);
  // blocks of this order or above have the int-shift finding
  const orderLimit = intShift ? 31 - pageShift : Infinity;
  const n = run.blocks.length;
  // the blocks known sorted and disjoint by their maker (classifyBlocks), none of order orderLimit or above: a window's
  // blocks found by a search over the ends, not read one by one (firstOutsideAscending)
  const ascending = !general && run.blocks.sortedDisjoint && ordersBelow(bO, n, orderLimit);
  // sortedDisjointCols() as the fast loop reads the blocks: the end of the block before, and whether all are so far
  const seen = Float64Array.of(-Infinity, 1);
  for (let i = 0; i < n; i++) {
    if (!general) {
      i = ascending
        ? firstOutsideAscending(bE, bS, i, n, lo, hi)
        : firstOutside(bS, bE, bO, i, n, lo, hi, orderLimit, seen);
      if (i >= n) break;
      boringWindow(bS[i]!, memory, scratch, reservedCols, cuts, win);
      lo = win[0]!;
      hi = win[1]!;
      if (bS[i]! >= lo && bE[i]! <= hi && bO[i]! < orderLimit) continue;
    }
    const rs = bS[i]!;
    const re = bE[i]!;
    // only where the kernel has the int shift `1 << (order + PAGE_SHIFT)`: v7.2 on use 1UL (linux v7.3-rc7
    // kernel/liveupdate/kexec_handover.c kho_preserved_memory_reserve)
    if (intShift && bO[i]! + pageShift >= 31)
      fb.addRange('KHO_BLOCK_SIZE_OVERFLOW', 'kho_memory_init', fnReserve, rs, re, bI(i));
    // blocks are sorted by start: the cursor only moves forward (a binary search when it would go back)
    if (cut > 0 && cuts[cut - 1]! > rs) cut = upperBound(cuts, rs);
    while (cut < cuts.length && cuts[cut]! <= rs) cut++;
    const straddles = cut < cuts.length && cuts[cut]! < re;
    const pieces = straddles ? trueIdentity(tl.layout, rs, re) : NO_IDS;
    if (pieces.length > 1) {
      const nids = new Set(pieces.map((p) => p.nid));
      if (nids.size > 1)
        fb.addRange('KHO_BLOCK_CROSSES_NODE', 'kho_memory_init', 'kho_preserve_pages', rs, re, bI(i));
      for (const nid of nids) {
        const zids = new Set(pieces.filter((p) => p.nid === nid).map((p) => p.zid));
        if (zids.size > 1)
          fb.addRange('KHO_BLOCK_CROSSES_ZONE', 'kho_memory_init', 'kho_preserve_pages', rs, re, bI(i));
      }
    }
    inMemory.gaps(rs, re, tmp);
    if (tmp.n) outside = flush('KHO_OUTSIDE_RAM', 'kho_memory_init', 'memblock_reserve', outside);
    inScratch.overlaps(rs, re, tmp);
    if (tmp.n)
      overScratch = flush(
        'KHO_OVERLAPS_SCRATCH',
        'kho_populate',
        'memblock_set_kho_scratch_only',
        overScratch,
      );
    inReserved.overlaps(rs, re, tmp);
    if (tmp.n)
      overReserved = flush('KHO_OVERLAPS_RESERVED', 'kho_memory_init', 'memblock_reserve', overReserved);
  }

  // node boundaries that are not section-aligned (the premise of the Dec 22 review argument)
  const pps = tl.arch.PAGES_PER_SECTION;
  const nodes = [...tl.layout.nodes].sort((a, b) => a.startPfn - b.startPfn);
  for (let i = 1; i < nodes.length; i++) {
    for (const p of new Set([nodes[i - 1]!.endPfn, nodes[i]!.startPfn])) {
      if (p % pps !== 0) fb.addRange('NODE_BOUNDARY_UNALIGNED', 'free_area_init', 'free_area_init', p, p + 1);
    }
  }
  return !general && seen[1] === 1;
}

/**
 * The first block i in [i, n) not inside the window [lo, hi], or of order orderLimit or above; n when none.
 * imageAgainstLayout()'s loop over a million blocks, kept alone so that it is small and its every branch has run
 * before it is optimised (the rare work is the caller's: no deoptimisation in the middle of the loop).
 */
function firstOutside(
  bS: Float64Array,
  bE: Float64Array,
  bO: Uint8Array,
  i: number,
  n: number,
  lo: number,
  hi: number,
  orderLimit: number,
  seen: Float64Array,
): number {
  // each block read once (the caller goes on after the block returned): seen[0] the end of the block before,
  // seen[1] 1 while every block so far is non-empty and starts at or after it (sortedDisjointCols())
  let prevEnd = seen[0]!;
  let ok = seen[1]!;
  for (; i < n; i++) {
    const s = bS[i]!;
    const e = bE[i]!;
    if (!(e > s && s >= prevEnd)) ok = 0;
    prevEnd = e;
    if (!(s >= lo && e <= hi && bO[i]! < orderLimit)) break;
  }
  seen[0] = prevEnd;
  seen[1] = ok;
  return i;
}

/**
 * Whether orders[k] < limit for every k < n. Orders of 16 and more are rare (a block of 256 MiB of 4K pages): with a
 * limit of 16 or more the column is read four orders a word where it is aligned (8.36M blocks: 2M words, a mask each),
 * a word with an order of 16 or more looked at byte by byte.
 */
function ordersBelow(orders: Uint8Array, n: number, limit: number): boolean {
  if (!(limit <= 255)) return true;
  let k = 0;
  if (limit >= 16 && (orders.byteOffset & 3) === 0 && n <= orders.length) {
    const words = new Uint32Array(orders.buffer, orders.byteOffset, n >> 2);
    for (let w = 0; w < words.length; w++)
      if ((words[w]! & 0xf0f0f0f0) !== 0)
        for (let b = 4 * w; b < 4 * w + 4; b++) if (orders[b]! >= limit) return false;
    k = words.length * 4;
  }
  for (; k < n; k++) if (orders[k]! >= limit) return false;
  return true;
}

/**
 * firstOutside() of blocks known sorted and disjoint (each non-empty, starting at or after the end of the one before:
 * KhoBlocks.sortedDisjoint), none of an order at or past the limit (ordersBelow()): their starts and ends ascend, so
 * once block i starts at or after lo, the blocks inside the window are those before the first ending past hi, found
 * by galloping over the ends (a window holds up to a million blocks of the 8M bench bundle: ~40 reads, not 8.36M
 * blocks read once per compare). firstOutside()'s `seen` is not needed: the blocks are known sorted and disjoint.
 */
function firstOutsideAscending(
  bE: Float64Array,
  bS: Float64Array,
  i: number,
  n: number,
  lo: number,
  hi: number,
): number {
  if (i < n && bS[i]! >= lo) return gallopUpperBound(bE, hi, i, n);
  return i;
}

/** A byte per image index up to the largest one named, set for those named (nextNamed()). */
const namedFlags = new WeakMap<Map<number, number>, Uint8Array>();

/**
 * The first position i >= from whose image index `named` holds (non-negative integers), index.length when none: a
 * loop over a byte per index instead of a Map lookup per block, kept alone so that it is small.
 */
function nextNamed(index: Int32Array, named: Map<number, number>, from: number): number {
  let flag = namedFlags.get(named);
  if (!flag) {
    flag = new Uint8Array(Math.max(...named.keys()) + 1);
    for (const b of named.keys()) flag[b] = 1;
    namedFlags.set(named, flag);
  }
  const max = flag.length - 1;
  for (let i = from; i < index.length; i++) {
    const x = index[i]!;
    if (x >= 0 && x <= max && flag[x] === 1) return i;
  }
  return index.length;
}

/**
 * Into win: the window [lo, hi] around pfn p clear of everything imageAgainstLayout() reports or splits at: inside
 * the memory range holding p, between the scratch ranges, the reserved ranges and the boundary cuts either side of p
 * (a cut at lo or hi is not inside a block within it). Empty ([1, 0]) when p is outside memory, in scratch or in
 * reserved memory. Binary searches: called once per window and per block outside one.
 */
function boringWindow(
  p: number,
  memory: Cols,
  scratch: Cols,
  reserved: Cols,
  cuts: Float64Array,
  win: Float64Array,
): void {
  win[0] = 1;
  win[1] = 0;
  const m = upperBound(memory.end, p, 0, memory.n);
  if (m >= memory.n || memory.start[m]! > p) return;
  let lo = memory.start[m]!;
  let hi = memory.end[m]!;
  for (const c of [scratch, reserved]) {
    const j = upperBound(c.end, p, 0, c.n);
    if (j < c.n && c.start[j]! <= p) return;
    if (j > 0 && c.end[j - 1]! > lo) lo = c.end[j - 1]!;
    if (j < c.n && c.start[j]! < hi) hi = c.start[j]!;
  }
  const k = upperBound(cuts, p);
  if (k > 0 && cuts[k - 1]! > lo) lo = cuts[k - 1]!;
  if (k < cuts.length && cuts[k]! < hi) hi = cuts[k]!;
  win[0] = lo;
  win[1] = hi;
}

/**
 * Every finding of one replay (plain or KHO). `general`: every sweep takes its general path, never a fast one that
 * replaces it (the tests hold the two to the same findings; nothing else sets it).
 */
export function check(tl: Timeline, opts: { readonly general?: boolean } = {}): Finding[] {
  const general = opts.general ?? false;
  const ctx = tl;
  const kho = tl.kho;
  // a KHO boot watches preserved memory and scratch; a plain boot all of memory (a hole page initialised twice,
  // init_unavailable_range then reserve_bootmem_region over it, is a known harmless pattern, left out)
  const memory = normalizeCols(...columnsOfRanges(ctx.layout.memRanges));
  const prep = kho ? checkPrep(tl, kho, memory, general) : null;
  const index = prep ? prep.index : new BlockIndex(NO_BLOCKS);
  const fb = new FindingBuilder(index, !general);
  // built when an event has double-init ranges (most replays have none: the copy of every block is not made)
  const watched = (): Cols =>
    prep ? (prep.watchedCols ??= unionCols(preserved(prep), prep.scratchCols)) : memory;

  // struct-page events: reads of uninitialised pages anywhere; double init and lost orders on KHO memory
  const phaseOfFn = new Map<string, string>();
  for (const ev of ctx.memmap.events) {
    // a pattern read (pageblock or section boundaries) reports the uninitialised runs it hit, with the exact count
    if (ev.kind === 'read' && ev.uninitPages > 0)
      fb.addCols('STRUCT_PAGE_UNINIT_READ', ev.phase, ev.fn, ev.uninitRanges, ev.uninitPages);
    if (ev.kind === 'init') {
      phaseOfFn.set(ev.fn, ev.phase);
      const dbl = ev.doubleInitRanges;
      if (dbl.n) {
        const tmp = new RangeBuffer();
        const dn = normalizeCols(dbl.start, dbl.end, dbl.n);
        // the blocks and scratch searched for each of the (few) ranges, not a union of a million blocks made first
        if (prep?.disjointBlocks) intersectWatched(dn, prep.disjointBlocks, prep.scratchCols, tmp);
        else intersectInto(dn, watched(), tmp);
        if (tmp.n) fb.addCols('STRUCT_PAGE_DOUBLE_INIT', ev.phase, ev.fn, tmp);
      }
      fb.addCols('KHO_ORDER_LOST', ev.phase, ev.fn, ev.khoLostRanges);
    }
  }

  // the final state: preserved memory (KHO), all of memory (plain), in one sweep
  const endPhase = 'end of replay';
  const memRanges = ctx.layout.memRanges;
  const fdpOf = new Map(ctx.nodes.map((n) => [n.nid, n.firstDeferredPfn]));
  let m = 0;
  // the states the sweep reports: never initialised, or (KHO) in the buddy
  const reader = ctx.memmap.reader();
  const endMarks = reader.mark((st) => (st.memmap && st.initCount === 0) || (kho !== null && st.buddy));
  // the never-initialised runs (fast paths): in a buffer of their own (NeverRuns), added as the finding's one view
  // after the sweep (the finding's place among the others is its code's and phase's: no other adds to it)
  const never = general ? null : new NeverRuns(prep);
  const endCb = (s: number, e: number, st: PageState): void => {
    if (st.memmap && st.initCount === 0) {
      if (never) never.push(s, e);
      else fb.addRange('STRUCT_PAGE_NEVER_INIT', endPhase, 'memmap_init_reserved_pages', s, e);
    }
    if (kho && st.buddy) {
      // below first_deferred_pfn memblock_free_all() frees; above it deferred_init_memmap() does
      if (m >= memRanges.length || memRanges[m]!.start > s || (m > 0 && memRanges[m - 1]!.end > s))
        m = firstEndingAfter(memRanges, s);
      while (m < memRanges.length && memRanges[m]!.end <= s) m++;
      const mr = memRanges[m];
      const nid = mr && mr.start <= s ? mr.nid : undefined;
      const fdp = nid === undefined ? null : (fdpOf.get(nid) ?? null);
      if (fdp !== null && s >= fdp)
        fb.addRange('KHO_FREED_TO_BUDDY', 'page_alloc_init_late', 'deferred_init_memmap', s, e);
      else fb.addRange('KHO_FREED_TO_BUDDY', 'memblock_free_all', 'memblock_free_all', s, e);
    }
  };
  // the runs of a marked state within the preserved ranges: read block by block from the blocks themselves when
  // they are disjoint (markedRuns merges across blocks that touch, as the merged ranges would)
  // never initialised and not in the buddy: reported alike (one finding, every page), so such runs that touch are
  // one (the buffer would join them anyway)
  // (endCb's first branch for these: the sweep pushes their runs to the buffer itself)
  const endJoin = reader.mark((st) => st.memmap && st.initCount === 0 && !(kho !== null && st.buddy));
  // the blocks the never-initialised runs meet, counted by the sweep (every state endCb pushes to `never`, the joined
  // ones among them), -1 when not
  let neverMet = -1;
  // the states that disagree with a node and zone (the identities' sweep below), by (node, zone)
  const idMarks = new Map<number, Uint8Array>();
  const marksFor = (nid: number, zid: number): Uint8Array => {
    const key = nid * 16 + zid + 1;
    let marks = idMarks.get(key);
    if (!marks)
      idMarks.set(
        key,
        (marks = reader.mark(
          (st) => st.memmap && st.initCount > 0 && (st.nid !== nid || (zid >= 0 && st.zid !== zid)),
        )),
      );
    return marks;
  };
  // the blocks the end state's sweep and the identities' stop at (MemMap.markedStops()), found in one look over the
  // blocks instead of one each (lazy-tail and zone-walk: 8.36M blocks, a few that stop), null when nothing is gained
  let stops: { readonly all: Int32Array; readonly pieces: Int32Array } | null = null;
  if (prep?.disjointBlocks && !general) {
    const B = prep.disjointBlocks;
    const pieces = identitySweep(prep, B)
      .filter((c) => c.rs === B)
      .map((c) => ({ marks: marksFor(c.nid, c.zid), k0: c.k0, k1: c.k1 }));
    stops = ctx.memmap.markedStops(B, endMarks, pieces);
  }
  if (prep?.disjointBlocks) {
    const counted = never ? reader.mark((st) => st.memmap && st.initCount === 0) : null;
    neverMet = ctx.memmap.markedRuns(
      prep.disjointBlocks,
      endMarks,
      endCb,
      0,
      undefined,
      endJoin,
      never,
      counted,
      stops?.all ?? null,
    );
  } else if (prep) scanMarked(ctx.memmap, preserved(prep), endMarks, endCb);
  else if (!general) ctx.memmap.markedRuns(memory, endMarks, endCb, 0, undefined, endJoin, never);
  else scanMarked(ctx.memmap, memory, endMarks, endCb);
  if (never?.n) {
    // runs handed as stretches of the blocks (none's): kept so
    const runs = never.runs();
    // runs filling less than half the room (a strategy that initialised most blocks): their own columns, the room
    // let go
    const c: Cols = runs
      ? runs
      : never.roomy && never.n * 2 < never.capacity
        ? { start: never.start.slice(0, never.n), end: never.end.slice(0, never.n), n: never.n }
        : never;
    if (neverMet >= 0 && prep?.disjointBlocks)
      blocksMet.set(c, { starts: prep.disjointBlocks.start, n: neverMet });
    if (runs || (never.join && never.sorted)) normalizedRuns.add(c);
    fb.addCols('STRUCT_PAGE_NEVER_INIT', endPhase, 'memmap_init_reserved_pages', c);
  }
  if (!kho || !prep) return [...fb.build(), ...checkDeferredGrow(tl)];
  const run = kho.run;

  // the blocks the observations name (by image index), found in one pass over the index column
  const named = new Map<number, number>();
  for (const o of run.observations)
    if (o.kind === 'memblock-after-discard' || o.kind === 'restore-failed') named.set(o.block, -1);
  const blocks = run.blocks;
  // blocksOf() (src/sim/phases/kho-run.ts) gives each block its position in the image, so the index column is a
  // permutation: image index b is at position b when the image listed its blocks in address order (no sort), and
  // at no other position; named blocks all found there need no pass over the column
  const atOwn = (b: number): boolean =>
    Number.isInteger(b) && b >= 0 && b < blocks.length && blocks.imageIndex(b) === b;
  // (image indices below a few times the blocks: a byte each)
  const byFlags =
    !general &&
    [...named.keys()].every((b) => Number.isInteger(b) && b >= 0 && b < 4 * blocks.length + 65536);
  if (named.size && !general && [...named.keys()].every(atOwn)) for (const b of named.keys()) named.set(b, b);
  else if (named.size && byFlags)
    for (
      let i = nextNamed(blocks.index, named, 0);
      i < blocks.length;
      i = nextNamed(blocks.index, named, i + 1)
    )
      named.set(blocks.index[i]!, i);
  else if (named.size)
    for (let i = 0; i < blocks.length; i++) if (named.has(blocks.index[i]!)) named.set(blocks.index[i]!, i);

  // restore outcomes and other observations
  for (const o of run.observations) {
    // refused by kho_populate() (compatible), or never handed over (kho_fill_kimage: a kdump kernel)
    if (o.kind === 'image-refused')
      fb.addCols(
        'KHO_REVIVAL_DISABLED',
        o.phase,
        o.fn ?? (o.phase === 'kho_memory_init' ? 'kho_memory_init' : 'kho_populate'),
        preserved(prep),
      );
    else if (o.kind === 'bitmap-mismatch')
      fb.addCols('KHO_BITMAP_FORMAT_MISMATCH', o.phase, 'deserialize_bitmap', preserved(prep));
    else if (o.kind === 'memblock-after-discard') {
      const i = named.get(o.block) ?? -1;
      if (i >= 0)
        fb.addRange(
          'MEMBLOCK_USED_AFTER_DISCARD',
          o.phase,
          o.fn,
          blocks.startPfn[i]!,
          blocks.endPfn[i]!,
          o.block,
        );
      else fb.addRange('MEMBLOCK_USED_AFTER_DISCARD', o.phase, o.fn, o.pfn, o.pfn + 1, o.block);
    } else if (o.kind === 'restore-failed') {
      const i = named.get(o.block) ?? -1;
      if (i < 0) continue;
      const s = blocks.startPfn[i]!;
      const e = blocks.endPfn[i]!;
      const b = blocks.imageIndex(i);
      if (o.reason === 'order-above-max')
        fb.addRange('KHO_ORDER_ABOVE_MAX', o.phase, 'kho_restore_page', s, e, b);
      else if (o.reason === 'magic' || o.reason === 'wrong-order')
        fb.addRange('KHO_ORDER_LOST', o.phase, 'kho_restore_page', s, e, b);
      else fb.addRange('KHO_OUTSIDE_RAM', o.phase, 'pfn_to_online_page', s, e, b);
    }
  }

  // the node and zone each preserved struct page was given: the true identity of each preserved range in
  // pieces (a range with no memory-range or zone boundary inside is one piece), then one sweep over the memmap
  // the states that disagree with a piece's node or zone, by (node, zone): a few pairs for the whole sweep
  const wrongIdentity = (s: number, e: number, st: PageState, nid: number, zid: number): void => {
    if (!st.memmap || st.initCount === 0) return;
    const phase = phaseOfFn.get(st.initBy) ?? endPhase;
    if (st.nid !== nid) fb.addRange('STRUCT_PAGE_WRONG_NODE', phase, st.initBy, s, e);
    if (zid >= 0 && st.zid !== zid) fb.addRange('STRUCT_PAGE_WRONG_ZONE', phase, st.initBy, s, e);
  };
  if (prep.disjointBlocks) {
    const B = prep.disjointBlocks;
    for (const { nid, zid, rs, k0, k1 } of identitySweep(prep, B))
      ctx.memmap.markedRuns(
        rs,
        marksFor(nid, zid),
        (s, e, st) => wrongIdentity(s, e, st, nid, zid),
        k0,
        k1,
        null,
        null,
        null,
        rs === B ? (stops?.pieces ?? null) : null,
      );
  } else {
    const ids = (prep.idsCols ??= identityPieces(tl.layout, preserved(prep), prep.cuts));
    scanMarked(
      ctx.memmap,
      ids,
      (k) => marksFor(ids.nid[k]!, ids.zid[k]!),
      (s, e, st, k) => wrongIdentity(s, e, st, ids.nid[k]!, ids.zid[k]!),
    );
  }

  // the image against the layout and unaligned node boundaries: the same for every strategy (CheckPrep)
  fb.addPrepared(prep.image);
  // pageblock migratetypes: scratch that is not CMA, CMA that is not scratch (src/check/migratetype-findings.ts)
  const mt = general ? migratetypesOf(tl) : undefined;
  return [...fb.build(), ...checkMigratetypes(tl, mt), ...checkDeferredGrow(tl)].sort(bySeverityCodePhase);
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
