// struct page state over pfns as an interval map (DESIGN.md, Model and units): runs of pages in one state,
// changed by range operations that record who did what. Work is proportional to the number of runs and
// operations, never to the number of pages. Field meanings follow include/linux/mm_types.h struct page and
// mm/page_alloc.c __init_single_page / reserve_bootmem_region / __free_pages_core, v6.1.
import type { PositionsBut, Range } from '../core/index.js';
import type { IdRuns } from './id-runs.js';
import {
  f64Column,
  gallopLowerBound,
  InternalError,
  lowerBound,
  pointRanges,
  pointStretches,
  pointStretchesOf,
  positionsAscendingBelow,
  positionsButWithin,
  upperBound,
} from '../core/index.js';

/** The state of every page of one run. Immutable; replaced on change. */
export interface PageState {
  /** A struct page exists here (the pfn's SPARSEMEM section is present, so pfn_valid()). */
  readonly memmap: boolean;
  /** How many times __init_single_page() ran on these pages (0 = never, > 1 = initialised twice). */
  readonly initCount: number;
  /** Node and zone index written by the last init, -1 before any. */
  readonly nid: number;
  readonly zid: number;
  /** PG_reserved. */
  readonly reserved: boolean;
  /** Freed to the buddy allocator (__free_pages_core). */
  readonly buddy: boolean;
  /** KHO order in page->private of a head page, -1 when none (written by deserialize, zeroed by init). */
  readonly khoOrder: number;
  /** KHO_PAGE_MAGIC written next to the order (kho-v1 with magic and later). */
  readonly khoMagic: boolean;
  /** Kernel function that last initialised these pages, '' if none. */
  readonly initBy: string;
}

export const NO_MEMMAP: PageState = {
  memmap: false,
  initCount: 0,
  nid: -1,
  zid: -1,
  reserved: false,
  buddy: false,
  khoOrder: -1,
  khoMagic: false,
  initBy: '',
};
export const UNINIT: PageState = { ...NO_MEMMAP, memmap: true };

export interface PageRun {
  start: number;
  end: number;
  state: PageState;
}

/** Who acted: the replay phase and the kernel function. */
export interface Actor {
  readonly phase: string;
  readonly fn: string;
}

export type PageEventKind = 'init' | 'reserve' | 'free' | 'write' | 'read';

/**
 * One range operation. `pages` is how many pages it touched; the problem counts say how many of those were
 * in a suspicious state before it, with their ranges (coalesced) for findings.
 */
export interface PageEvent {
  readonly seq: number;
  readonly phase: string;
  readonly fn: string;
  readonly kind: PageEventKind;
  /** Bounding pfn range of the operation. */
  readonly start: number;
  readonly end: number;
  readonly pages: number;
  readonly nid?: number;
  readonly zid?: number;
  /** Touched pages that were never initialised (init: none; others: use of an uninitialised struct page). */
  readonly uninitPages: number;
  /**
   * The ranges of an event in columns (EventRanges: sorted by start, touching ranges of one sweep merged). None for a
   * write (a KHO order in page->private): it records how many uninitialised pages it touched, not where:
   * the check reports reads of them (STRUCT_PAGE_UNINIT_READ), nothing reads a write's ranges, and kho_memory_init's
   * write of a million never-initialised heads (the `none` strategy) would list a million ranges.
   */
  readonly uninitRanges: EventRanges;
  /** Touched pages without a struct page at all (no memmap: a fault in the kernel). */
  readonly noMemmapPages: number;
  /** init only: pages initialised before (double init), and pages whose KHO order it wiped. */
  readonly doubleInitPages: number;
  readonly doubleInitRanges: EventRanges;
  readonly khoLostPages: number;
  readonly khoLostRanges: EventRanges;
  /** init only: pages initialised before with another node or zone. */
  readonly identityChangedPages: number;
  readonly identityChangedRanges: EventRanges;
  /**
   * init and free: the ranges the operation covered, sorted by start (columns, shared with the operation: read
   * only). The pageblock migratetype pass (src/sim/migratetype.ts) replays who typed which pageblock from them.
   */
  readonly cover?: RangeColumns;
}

/** Ranges [start[k], end[k]) for k < n, in columns. */
export interface RangeColumns {
  readonly start: ArrayLike<number>;
  readonly end: ArrayLike<number>;
  readonly n: number;
}

/**
 * An event's pfn ranges [start[k], end[k]) for k < n, in typed columns: an operation over a million blocks that
 * finds a million uninitialised heads records two Float64Arrays, not a Range object per range.
 */
export interface EventRanges {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly n: number;
}

const NO_RANGES: EventRanges = { start: new Float64Array(0), end: new Float64Array(0), n: 0 };

/**
 * Ranges as a sweep finds them, in growable columns; a range touching the last one extends it. `keep` false: the
 * pages only, no range (cols is empty), for a count whose ranges nothing reads (a write's uninitialised pages).
 * Single pages of one pfn column that come before any other range (addPoints(): the heads of a read of the preserved
 * blocks) are kept as the stretches of the column they are, not written: cols then lists them as
 * src/core/point-ranges.ts pointRanges(), whose columns are made only when something reads them (the `none`
 * strategy's kho_restore: 6.83M ranges, 109 MB, which check() counts from the event and the JSON writer's thread
 * writes out). Anything else added after them writes them out first, as addPoints() would have.
 */
class RangeAcc {
  private start: Float64Array | null = null;
  private end: Float64Array | null = null;
  private n = 0;
  pages = 0;
  /** The pfn column and stretches [from, to) of it kept unwritten (addPoints() before any other range), or null. */
  private ptAt: Float64Array | null = null;
  private ptFrom: number[] = [];
  private ptTo: number[] = [];
  /** room() asked while only stretches are kept: the ranges to make room for when they are written (settle()). */
  private ptRoom = 0;
  /** cols of the stretches kept, once asked (one object, so its columns are made once). */
  private ptCols: EventRanges | null = null;
  constructor(private readonly keep = true) {}
  /** The stretches kept written out (and the room asked for made) before anything else writes the columns. */
  private settle(): void {
    const at = this.ptAt;
    if (at === null) {
      if (this.ptRoom) this.reserve(this.ptRoom);
      this.ptRoom = 0;
      return;
    }
    this.ptAt = null;
    this.ptCols = null;
    const from = this.ptFrom;
    const to = this.ptTo;
    let m = 0;
    for (let j = 0; j < from.length; j++) m += to[j]! - from[j]!;
    this.reserve(Math.max(this.ptRoom, this.n + m));
    this.ptRoom = 0;
    for (let j = 0; j < from.length; j++) this.writePoints(at, from[j]!, to[j]!);
    this.ptFrom = [];
    this.ptTo = [];
  }
  add(start: number, end: number): void {
    if (end <= start) return;
    this.pages += end - start;
    if (!this.keep) return;
    if (this.ptAt !== null || this.ptRoom) this.settle();
    const n = this.n;
    if (n > 0 && this.end![n - 1] === start) {
      this.end![n - 1] = end;
      return;
    }
    if (!this.start || n === this.start.length) {
      const cap = n * 2 + 8;
      const s = f64Column(cap);
      const e = f64Column(cap);
      if (this.start) {
        s.set(this.start);
        e.set(this.end!);
      }
      this.start = s;
      this.end = e;
    }
    this.start[n] = start;
    this.end![n] = end;
    this.n = n + 1;
  }
  /** Room for `more` ranges past those so far. */
  room(more: number): void {
    if (!this.keep) return;
    // before any range, or after stretches kept only: asked of settle(), if it ever writes them
    if (this.n === 0 && (this.ptAt !== null || !this.start)) this.ptRoom = Math.max(this.ptRoom, more);
    else this.reserve(this.n + more);
  }
  /** Room for m ranges in all (grown by half at least: a sweep's later pieces come in smaller batches). */
  private reserve(m: number): void {
    const cap = this.start ? this.start.length : 0;
    if (m <= cap) return;
    const c = Math.max(m, cap + (cap >> 1) + 8);
    const s = f64Column(c);
    const e = f64Column(c);
    if (this.start) {
      s.set(this.start.subarray(0, this.n));
      e.set(this.end!.subarray(0, this.n));
    }
    this.start = s;
    this.end = e;
  }
  /**
   * add(p, p + 1) for p = at[k], k from a to b - 1 in turn, where the pfns ascend strictly (the heads of blocks in
   * order): before any other range, kept as the stretch [a, b) of `at` (see the class); else the room for them taken
   * once, a head one past the last range's end joining it.
   */
  addPoints(at: Float64Array, a: number, b: number): void {
    if (b <= a) return;
    this.pages += b - a;
    if (!this.keep) return;
    if (this.n === 0 && (this.ptAt === null || this.ptAt === at)) {
      this.ptAt = at;
      this.ptFrom.push(a);
      this.ptTo.push(b);
      this.ptCols = null;
      return;
    }
    if (this.ptAt !== null) this.settle();
    this.writePoints(at, a, b);
  }
  /** addPoints()' ranges written in the columns (the pages counted). */
  private writePoints(at: Float64Array, a: number, b: number): void {
    let n = this.n;
    this.reserve(n + b - a);
    const S = this.start!;
    const E = this.end!;
    let last = n > 0 ? E[n - 1]! : NaN;
    for (let k = a; k < b; k++) {
      const p = at[k]!;
      if (p === last) E[n - 1] = last = p + 1;
      else {
        S[n] = p;
        E[n++] = last = p + 1;
      }
    }
    this.n = n;
  }
  /**
   * The columns with room for `more` ranges past the n so far, for a writer that appends ranges at n, n + 1, ... in
   * place (then appended()): each range must start past the end of the one before (add() would join a touching one).
   */
  appendCols(more: number): { readonly start: Float64Array; readonly end: Float64Array; readonly n: number } {
    this.settle();
    this.reserve(this.n + more);
    return { start: this.start!, end: this.end!, n: this.n };
  }
  /** The ranges written in place by appendCols()'s writer: n ranges in all now, of `pages` pages more. */
  appended(n: number, pages: number): void {
    this.n = n;
    this.pages += pages;
  }
  /**
   * Before any range: write them in the arena's columns from its first free row on, with all its free rows as room
   * (more than that: columns of their own, as without an arena). claim() then takes the rows written.
   */
  useArena(a: RangeArena): void {
    this.settle();
    if (!this.keep || this.start) return;
    this.start = a.start.subarray(a.used);
    this.end = a.end.subarray(a.used);
  }
  /** The rows written, taken from the arena's free rows when they are still in its columns (useArena()). */
  claim(a: RangeArena): void {
    if (this.start && this.start.buffer === a.start.buffer && this.start.byteOffset === a.used * 8)
      a.used += this.n;
  }
  /**
   * The ranges so far, as the event keeps them (views of the columns, or the stretches kept as pointRanges(): add
   * nothing after).
   */
  get cols(): EventRanges {
    const at = this.ptAt;
    if (at !== null) {
      if (this.ptCols) return this.ptCols;
      // (their count made when read: src/core/point-ranges.ts pointStretches)
      return (this.ptCols = pointRanges(
        pointStretches(at, Int32Array.from(this.ptFrom), Int32Array.from(this.ptTo)),
      ));
    }
    return this.n
      ? { start: this.start!.subarray(0, this.n), end: this.end!.subarray(0, this.n), n: this.n }
      : NO_RANGES;
  }
  /** As Range objects (the few-range queries: rangesWhere, identityDiff). */
  get ranges(): Range[] {
    this.settle();
    const out: Range[] = [];
    for (let k = 0; k < this.n; k++) out.push({ start: this.start![k]!, end: this.end![k]! });
    return out;
  }
}

/**
 * Columns readPattern()'s uninitialised ranges are written to one event after the other (RangeAcc.useArena(), claim()):
 * rows [0, used) are the events' own (never written again), rows from `used` on free. The events of a phase
 * (set_zone_contiguous, a zone each) then lie end to end in one pair of columns, and check() reads a finding of all of
 * them in place (src/check/kho-findings.ts adjacentViews) instead of copying them into columns of their total size
 * (lazy-tail on the 8M bundle: 4.2M ranges, 67 MB). Per map, not a field of it: a copy of the map (src/sim/fork.ts
 * copies every typed-array field) writes its own.
 */
interface RangeArena {
  readonly start: Float64Array;
  readonly end: Float64Array;
  used: number;
}
const rangeArenas = new WeakMap<object, RangeArena>();

/** Two event range columns, each sorted by start, as one sorted by start (a's range first on a tie). */
function mergeByStart(a: EventRanges, b: EventRanges): EventRanges {
  if (!b.n) return a;
  if (!a.n) return b;
  const n = a.n + b.n;
  const start = f64Column(n);
  const end = f64Column(n);
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    const fromA = j >= b.n || (i < a.n && a.start[i]! <= b.start[j]!);
    start[k] = fromA ? a.start[i]! : b.start[j]!;
    end[k] = fromA ? a.end[i++]! : b.end[j++]!;
  }
  return { start, end, n };
}

/**
 * What an operation finds on the pages it touches before it changes them (see MemMap.tally): pages with a struct
 * page, pages without one, and, for a use, the uninitialised pages; for an init (nid, zid: the range's node and
 * zone), the pages initialised before (double init), those with another node or zone, and those holding a KHO order.
 * Pieces must come in the order of the operation's pages: the ranges join neighbours as they come.
 */
class Tally {
  pages = 0;
  readonly uninit: RangeAcc;
  readonly noMap = new RangeAcc();
  readonly dbl = new RangeAcc();
  readonly ident = new RangeAcc();
  readonly lost = new RangeAcc();
  nid = 0;
  zid = 0;
  /**
   * The per-id columns as the operation starts: it only ever looks up the ids of the pages before it changes them,
   * which all exist then (ids interned during the operation are past them, in columns grown since).
   */
  constructor(
    private readonly fl: Uint8Array,
    private readonly idNid: Float64Array,
    private readonly idZid: Float64Array,
    readonly init: boolean,
    uninitRanges = true,
  ) {
    this.uninit = new RangeAcc(uninitRanges);
  }

  visit(s: number, e: number, id: number): void {
    const f = this.fl[id]!;
    if (!(f & F_MEMMAP)) return this.noMap.add(s, e);
    this.pages += e - s;
    if (!this.init) {
      if (!(f & F_INIT)) this.uninit.add(s, e);
      return;
    }
    if (f & F_INIT) {
      this.dbl.add(s, e);
      if (this.idNid[id] !== this.nid || this.idZid[id] !== this.zid) this.ident.add(s, e);
    }
    if (f & F_KHO) this.lost.add(s, e);
  }

  /** Room for the ranges of `uninit` more uninitialised heads and `noMap` more heads without a struct page. */
  roomForPoints(uninit: number, noMap: number): void {
    if (uninit) this.uninit.room(uninit);
    if (noMap) this.noMap.room(noMap);
  }

  /**
   * visit(at[k], at[k] + 1, id) for k from a to b - 1 in turn (pfns ascending strictly) in a tally that is not an
   * init's, for ids whose flags F_MEMMAP and F_INIT are those of f: all such a visit reads of the id.
   */

  visitPoints(at: Float64Array, a: number, b: number, f: number): void {
    if (!(f & F_MEMMAP)) return this.noMap.addPoints(at, a, b);
    this.pages += b - a;
    if (!(f & F_INIT)) this.uninit.addPoints(at, a, b);
  }
}

/**
 * MemMap.headsOp()'s count as stretches of blocks: stretch k is the blocks HEAD_RUN_FROM[k] .. HEAD_RUN_TO[k] - 1,
 * layer blocks whose heads' flags F_MEMMAP and F_INIT are HEAD_RUN_FLAGS[k] before the operation, or -1 for blocks
 * out of the layer (a few stretches per million blocks: where the flags change, a block is left out or out of the
 * layer), in block order.
 */
const HEAD_RUN_FROM: number[] = [];
const HEAD_RUN_TO: number[] = [];
const HEAD_RUN_FLAGS: number[] = [];

/**
 * MemMap.headsOp()'s table of the (head id, order) pairs a write takes block by block (headsByTable), made for one
 * operation over orders in bytes: at[h * HEAD_KEYS + x] = (new id + 1) * 4 + the head's flags F_MEMMAP and F_INIT
 * (before the write), 0 for a pair not in it (not met yet, or one the operation's verdict does not pass); moved[k * 4 +
 * lane] the heads of pair k written since the last flush, in four lanes (a block's lane is its position mod 4: no two
 * blocks in a row add to the same counter); keys the pairs in it whose new id is not the head's own (their moves go
 * into blkPages at each flush).
 */
interface HeadsTable {
  readonly at: Int32Array;
  readonly moved: Int32Array;
  readonly keys: number[];
}

/**
 * MemMap.headsWrite()'s common blocks in a loop of their own: from block j on, four blocks a step while all four
 * heads are in the layer with an order below HEAD_KEYS and a pair in the table (and, with cat >= 0, their flags
 * F_MEMMAP | F_INIT are cat), each head written its new id and counted in its pair's lane. No branch a block, no
 * test of where one pair's stretch ends (the heads alternate between pairs every ~9 blocks at 8M blocks, and the
 * stretch loop's end test mispredicted at each). Returns the first block of the first four it did not take.
 */
function headsByTable(
  bH: Int32Array,
  xs: Uint8Array,
  table: HeadsTable,
  j: number,
  stop: number,
  cat: number,
): number {
  const at = table.at;
  const moved = table.moved;
  const cm = cat < 0 ? 0 : 3;
  const cv = cat < 0 ? 0 : cat;
  for (; j + 4 <= stop; j += 4) {
    const h0 = bH[j]!;
    const h1 = bH[j + 1]!;
    const h2 = bH[j + 2]!;
    const h3 = bH[j + 3]!;
    const x0 = xs[j]!;
    const x1 = xs[j + 1]!;
    const x2 = xs[j + 2]!;
    const x3 = xs[j + 3]!;
    if ((h0 | h1 | h2 | h3) < 0 || (x0 | x1 | x2 | x3) >= HEAD_KEYS) break;
    const k0 = h0 * HEAD_KEYS + x0;
    const k1 = h1 * HEAD_KEYS + x1;
    const k2 = h2 * HEAD_KEYS + x2;
    const k3 = h3 * HEAD_KEYS + x3;
    const v0 = at[k0]!;
    const v1 = at[k1]!;
    const v2 = at[k2]!;
    const v3 = at[k3]!;
    if (((v0 - 1) | (v1 - 1) | (v2 - 1) | (v3 - 1)) < 0) break;
    if ((((v0 ^ cv) | (v1 ^ cv) | (v2 ^ cv) | (v3 ^ cv)) & cm) !== 0) break;
    bH[j] = (v0 >> 2) - 1;
    bH[j + 1] = (v1 >> 2) - 1;
    bH[j + 2] = (v2 >> 2) - 1;
    bH[j + 3] = (v3 >> 2) - 1;
    const q0 = k0 << 2;
    const q1 = (k1 << 2) | 1;
    const q2 = (k2 << 2) | 2;
    const q3 = (k3 << 2) | 3;
    moved[q0] = moved[q0]! + 1;
    moved[q1] = moved[q1]! + 1;
    moved[q2] = moved[q2]! + 1;
    moved[q3] = moved[q3]! + 1;
  }
  return j;
}

/** The most states a map may have for MemMap.headsOp() to make a HeadsTable (1 KB a state). */
const HEADS_TABLE_STATES = 1 << 14;

/** Blocks [a, b) with flags f (or -1) as the next stretch of HEAD_RUN_*: the last one grown when they continue it. */
function pushHeadRun(a: number, b: number, f: number): void {
  const k = HEAD_RUN_FROM.length - 1;
  if (k >= 0 && HEAD_RUN_TO[k] === a && HEAD_RUN_FLAGS[k] === f) HEAD_RUN_TO[k] = b;
  else {
    HEAD_RUN_FROM.push(a);
    HEAD_RUN_TO.push(b);
    HEAD_RUN_FLAGS.push(f);
  }
}

/** Number of p in [a, b) with p % stride == off (0 <= off < stride). */
export function countCongruent(a: number, b: number, stride: number, off: number): number {
  if (b <= a) return 0;
  const upto = (x: number): number => (x <= off ? 0 : Math.floor((x - 1 - off) / stride) + 1);
  return upto(b) - upto(a);
}

/** A set of pfns described arithmetically: every `stride`-th pfn at the given offsets, plus explicit points. */
export interface PfnPattern {
  readonly start: number;
  readonly end: number;
  readonly stride: number;
  readonly offsets: readonly number[];
  /** Extra pfns (inside or outside [start, end)), counted once each even if the stride also hits them. */
  readonly points: readonly number[];
}

function isSorted(rs: readonly Range[]): boolean {
  for (let i = 1; i < rs.length; i++) if (rs[i]!.start < rs[i - 1]!.start) return false;
  return true;
}

/** __init_single_page() ranges in columns: range k is [start[k], end[k]) with node nid[k] and zone zid[k]. */
export interface InitColumns {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly nid: Float64Array | Int32Array;
  readonly zid: Float64Array | Int32Array;
  readonly n: number;
  /**
   * The caller has checked that every range is non-empty and starts at or after the end of the one before (an init
   * queue flushed as it is): initColumns() then skips its own look over the ranges. The tests hold the two to the
   * same answers.
   */
  readonly sortedDisjoint?: boolean;
}

/**
 * __init_single_page() ranges over preserved blocks as rows in address order (an init queue of a million blocks
 * consumed in place): row r with from[r] >= 0 stands for the blocks from[r] .. to[r] - 1 of the block columns, one
 * range per block, each [blockStart[y], blockEnd[y]) whole (the gaps between them untouched), or with blockEnd null
 * each block's head page alone, [blockStart[y], blockStart[y] + 1) (lazy-tail's deserialize: no column of a million
 * ends made for it); a row with from[r] -1 is the range [start[r], end[r]). Every range of row r has node nid[r] and
 * zone zid[r]. A zone stretch of a million blocks is one row; blockRowsColumns() lists the ranges one by one (the
 * general form).
 */
export interface BlockInitRows {
  readonly blockStart: Float64Array;
  readonly blockEnd: Float64Array | null;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly nid: Float64Array;
  readonly zid: Float64Array;
  readonly n: number;
}

/**
 * Every block of the rows' block rows is its head page alone: blockEnd null, or blockEnd[y] === blockStart[y] + 1.
 */
function headEnds(rows: BlockInitRows): boolean {
  const S = rows.blockStart;
  const E = rows.blockEnd;
  if (E === null) return true;
  for (let r = 0; r < rows.n; r++)
    for (let y = rows.from[r]!, y1 = rows.from[r]! < 0 ? y : rows.to[r]!; y < y1; y++)
      if (E[y] !== S[y]! + 1) return false;
  return true;
}

/** Block y's end in the rows' block columns (blockEnd null: the end of its head page). */
export function rowBlockEnd(rows: BlockInitRows, y: number): number {
  return rows.blockEnd === null ? rows.blockStart[y]! + 1 : rows.blockEnd[y]!;
}

/** The ranges of the rows one by one, in row order (a block row's blocks one range each): start and end columns. */
function blockRowsRanges(rows: BlockInitRows): { start: Float64Array; end: Float64Array; n: number } {
  const { from, to, n } = rows;
  const BE = rows.blockEnd;
  let m = 0;
  for (let r = 0; r < n; r++) m += from[r]! >= 0 ? to[r]! - from[r]! : 1;
  const start = new Float64Array(m);
  const end = new Float64Array(m);
  let k = 0;
  for (let r = 0; r < n; r++) {
    const f = from[r]!;
    if (f >= 0) {
      start.set(rows.blockStart.subarray(f, to[r]!), k);
      if (BE !== null) end.set(BE.subarray(f, to[r]!), k);
      else for (let y = f, q = k; y < to[r]!; y++) end[q++] = rows.blockStart[y]! + 1;
      k += to[r]! - f;
    } else {
      start[k] = rows.start[r]!;
      end[k++] = rows.end[r]!;
    }
  }
  return { start, end, n: m };
}

/**
 * The cover of an init of block rows (MemMap.initBlockRows): the rows' m ranges one by one (blockRowsRanges()), listed
 * when first read. A replay reads it only for the pageblock types (src/sim/migratetype.ts) of a profile whose
 * init_deferred_page() sets them, and listing a million blocks' ranges copies 16 bytes a block (128 MB at 8M
 * blocks). The rows and the block columns they index are never written after (the decoded blocks' columns are made
 * once, src/sim/phases/kho-run.ts). start and end are own enumerable properties: a copy or a comparison of the event
 * reads them.
 */
function blockRowsCover(rows: BlockInitRows, m: number): RangeColumns {
  let cols: { start: Float64Array; end: Float64Array; n: number } | null = null;
  const made = (): { start: Float64Array; end: Float64Array } => (cols ??= blockRowsRanges(rows));
  const cover = Object.defineProperties({ n: m } as { n: number; start: Float64Array; end: Float64Array }, {
    start: { get: () => made().start, enumerable: true },
    end: { get: () => made().end, enumerable: true },
  });
  rowsOfCover.set(cover, rows);
  return cover;
}

/**
 * Covers known to be in address order, disjoint and non-empty, as the operation that made them checked them: the
 * rows behind each cover blockRowsCover() made (initBlockRows took them so), true for a batch's cover (initColumns()).
 */
const rowsOfCover = new WeakMap<object, BlockInitRows | true>();

/**
 * The block rows an event's cover lists (MemMap.initBlockRows: in address order, disjoint, every range non-empty), or
 * null for any other cover: a reader that needs a few of a million blocks' ranges finds them in the rows (binary
 * searches over the block columns) instead of listing them all (src/sim/migratetype.ts coverSpansNear).
 */
export function coverBlockRows(c: RangeColumns): BlockInitRows | null {
  const r = rowsOfCover.get(c);
  return r === undefined || r === true ? null : r;
}

/** The cover is known sorted by start, disjoint and non-empty (no need to look: the operation checked it). */
export function coverSortedDisjoint(c: RangeColumns): boolean {
  return rowsOfCover.has(c);
}

function sortedCover(c: RangeColumns): RangeColumns {
  rowsOfCover.set(c, true);
  return c;
}

/**
 * The blocks at positions 0, 1, ..., n - 1 of `at` (dir 1) or n - 1, ..., 0 (dir -1), one a call of the function
 * returned: at[j] of a column, or the j-th block of every one in [0, total) but those left out (PositionsBut, n =
 * total - left.length), stepped over the few left out without a column.
 */
function positionSteps(at: Int32Array | PositionsBut, n: number, dir: 1 | -1): () => number {
  let j = dir === 1 ? -1 : n;
  if (at instanceof Int32Array)
    return () => {
      j += dir;
      return at[j]!;
    };
  const left = at.left;
  let y = dir === 1 ? -1 : at.total;
  let g = dir === 1 ? 0 : left.length - 1;
  return () => {
    y += dir;
    while (g >= 0 && g < left.length && left[g] === y) {
      y += dir;
      g += dir;
    }
    return y;
  };
}

/**
 * The block of the first position j (dir 1, from 0 up) or the last (dir -1, from n - 1 down) of `at` whose block has a
 * tail (ends[y] > heads[y] + 1) and is not in `skipped` (positions, ascending): the first or last block the cover of
 * MemMap.initBlockTails() lists. -1 when none.
 */
function tailedAt(
  heads: Float64Array,
  ends: Float64Array,
  at: Int32Array | PositionsBut,
  n: number,
  skipped: Int32Array,
  dir: 1 | -1,
): number {
  const next = positionSteps(at, n, dir);
  let si = dir === 1 ? 0 : skipped.length - 1;
  for (let j = dir === 1 ? 0 : n - 1; j !== (dir === 1 ? n : -1); j += dir) {
    const y = next();
    if (!(ends[y]! > heads[y]! + 1)) continue;
    // the skipped positions before j (in the direction of the walk) are passed
    while (si >= 0 && si < skipped.length && (skipped[si]! - j) * dir < 0) si += dir;
    if (si >= 0 && si < skipped.length && skipped[si] === j) continue;
    return y;
  }
  return -1;
}

/**
 * The cover of MemMap.initBlockTails(): the tails [heads[y] + 1, ends[y]) of the blocks y at positions j < n of `at`
 * that have one (ends[y] > heads[y] + 1), but for the positions j in `skipped` (ascending: heads never initialised), m
 * of them, listed when first read (as blockRowsCover(): only the pageblock types read it; heads and ends are the
 * decoded blocks' columns and `at` the restored positions, never written after). start and end are own enumerable
 * properties: a copy or a comparison reads them.
 */
function tailsCover(
  heads: Float64Array,
  ends: Float64Array,
  at: Int32Array | PositionsBut,
  n: number,
  skipped: Int32Array,
  m: number,
): RangeColumns {
  let cols: { start: Float64Array; end: Float64Array } | null = null;
  const made = (): { start: Float64Array; end: Float64Array } => {
    if (cols) return cols;
    const start = new Float64Array(m);
    const end = new Float64Array(m);
    const next = positionSteps(at, n, 1);
    let k = 0;
    for (let j = 0, si = 0; j < n; j++) {
      const y = next();
      if (!(ends[y]! > heads[y]! + 1)) continue;
      if (si < skipped.length && skipped[si] === j) {
        si++;
        continue;
      }
      start[k] = heads[y]! + 1;
      end[k++] = ends[y]!;
    }
    return (cols = { start, end });
  };
  return Object.defineProperties({ n: m } as { n: number; start: Float64Array; end: Float64Array }, {
    start: { get: () => made().start, enumerable: true },
    end: { get: () => made().end, enumerable: true },
  });
}

/** The ranges of the rows one by one, in row order, with their nodes and zones: the general form of the rows. */
export function blockRowsColumns(rows: BlockInitRows, sortedDisjoint = false): InitColumns {
  const { start, end, n: m } = blockRowsRanges(rows);
  const nid = new Float64Array(m);
  const zid = new Float64Array(m);
  for (let r = 0, k = 0; r < rows.n; r++) {
    const c = rows.from[r]! >= 0 ? rows.to[r]! - rows.from[r]! : 1;
    nid.fill(rows.nid[r]!, k, k + c);
    zid.fill(rows.zid[r]!, k, k + c);
    k += c;
  }
  return sortedDisjoint ? { start, end, nid, zid, n: m, sortedDisjoint } : { start, end, nid, zid, n: m };
}

/**
 * Each range's node and zone as one key for an init's state function: (nid + 1) * 16 + (zid + 1) for small integers
 * (all real ones), else (pairs not null) the index of the distinct (nid, zid) pair (either fits 32 bits: nid < 2^20,
 * fewer pairs than ranges).
 */
function initKeys(
  nids: ArrayLike<number>,
  zids: ArrayLike<number>,
  n: number,
): { keys: Int32Array; pairs: { nid: number; zid: number }[] | null } {
  const keys = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const nid = nids[k]!;
    const zid = zids[k]!;
    if (zid >= -1 && zid < 15 && nid >= -1 && nid < 0xfffff && Number.isInteger(nid + zid))
      keys[k] = (nid + 1) * 16 + (zid + 1);
    else {
      const pairs: { nid: number; zid: number }[] = [];
      const seen = new Map<string, number>();
      for (let j = 0; j < n; j++) {
        const pair = { nid: nids[j]!, zid: zids[j]! };
        const key = `${pair.nid}|${pair.zid}`;
        let x = seen.get(key);
        if (x === undefined) seen.set(key, (x = pairs.push(pair) - 1));
        keys[j] = x;
      }
      return { keys, pairs };
    }
  }
  return { keys, pairs: null };
}

/** a and b are the same column (one is a view of the other's whole buffer span). */
/** plainBlocks()'s counts of its last stretch: heads moved, tail pages moved, pages only counted. */
const PLAIN_RUN = new Float64Array(3);

/** A column of no positions (MemMap.initBlockTails() over a PositionsBut reads none). */
const EMPTY_I32 = new Int32Array(0);

/**
 * The layer's block columns (bS, bE: the caller's, read only, never written) as plainBlocks() and firstMarkedBlock()
 * read them over a million blocks, without a look at the bounds: tailful[y] = 1 when block y has pages past its head
 * (bE[y] - bS[y] - 1 > 0), else 0. Made once per pair of columns (every strategy of a compare walks the same blocks):
 * a byte a block read instead of two 8-byte bounds, and no branch on whether a block has a tail (a one-page block
 * among larger ones, 44% of the 8M bench's blocks, mispredicted it).
 */
interface BlockShape {
  readonly bS: Float64Array;
  readonly tailful: Uint8Array;
}
const BLOCK_SHAPES = new WeakMap<Float64Array, BlockShape>();
/**
 * Block columns whose every block's pages are 2^order (by end column: the starts and the orders; attachBlocks() with
 * KhoBlocks.sizedByOrder): their shape is made from the order column, a byte a block (tailful: order > 0).
 */
const SIZE_ORDERS = new WeakMap<Float64Array, { readonly bS: Float64Array; readonly order: Uint8Array }>();
/** Columns of fewer blocks than this get no shape (tests lower it: then every map that notes one gets it). */
export const blockShapeOptions = { minBlocks: 1 << 16 };

/** The block columns' shape (BlockShape) when MemMap.noteBlockShape() made it, else null (the loops read the bounds). */
function blockShape(bS: Float64Array, bE: Float64Array): BlockShape | null {
  const hit = BLOCK_SHAPES.get(bE);
  return hit !== undefined && hit.bS === bS ? hit : null;
}

/** Make the shape of the block columns (BlockShape), once per pair: a pass over their bounds. */
function makeBlockShape(bS: Float64Array, bE: Float64Array, n: number): void {
  if (n < blockShapeOptions.minBlocks || n > bS.length || n > bE.length || BLOCK_SHAPES.has(bE)) return;
  const tailful = new Uint8Array(n);
  const by = SIZE_ORDERS.get(bE);
  if (by !== undefined && by.bS === bS && by.order.length >= n) {
    // 2^order pages: a tail past the head exactly when order > 0, four orders a step (a byte's bit 7 is set in
    // ((x & 0x7f) + 0x7f) | x exactly when it is not 0, and no byte carries into the next), the rest one by one
    // (0 - order < 0: its sign bit)
    const order = by.order;
    let y = 0;
    if (order.byteOffset % 4 === 0) {
      const w = n >>> 2;
      const o32 = new Uint32Array(order.buffer, order.byteOffset, w);
      const t32 = new Uint32Array(tailful.buffer, 0, w);
      for (let k = 0; k < w; k++) {
        const x = o32[k]!;
        t32[k] = ((((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) & 0x80808080) >>> 7;
      }
      y = 4 * w;
    }
    for (; y < n; y++) tailful[y] = (0 - order[y]!) >>> 31;
    BLOCK_SHAPES.set(bE, { bS, tailful });
    return;
  }
  // in int32 arithmetic, no branch: tailful when 1 - l < 0 (a length that is not an int32: the test as it is)
  let ints = true;
  for (let y = 0; y < n; y++) {
    const l = bE[y]! - bS[y]!;
    const li = l | 0;
    if (li !== l || li === -0x80000000) ints = false;
    tailful[y] = (1 - li) >>> 31;
  }
  if (!ints) for (let y = 0; y < n; y++) tailful[y] = bE[y]! - bS[y]! > 1 ? 1 : 0;
  BLOCK_SHAPES.set(bE, { bS, tailful });
}

/**
 * Pages of the layer blocks before block b, from the layer's prefix sums (MemMap.layerPrefix(), pre[j] over blocks
 * [0, j * step)) and the blocks after its entry: MemMap.layerPagesBefore() for plainBlocks().
 */
function layerPagesAt(
  pre: Float64Array,
  step: number,
  bS: Float64Array,
  bE: Float64Array,
  bH: Int32Array,
  b: number,
): number {
  const j = Math.floor(b / step);
  let sum = pre[j]!;
  for (let k = j * step; k < b; k++) if (bH[k]! >= 0) sum += bE[k]! - bS[k]!;
  return sum;
}

/**
 * MemMap.initBlockRows()'s common block, in a small loop of its own (the general loop, with its rare branches, went
 * back to the interpreter at each first-taken branch, a few times per 8M-block call, and ran there until compiled
 * again): from block y0 on while the block's head state is hIn and (it has a tail) its tail state is tP, both plain
 * (a struct page, not initialised, no KHO order: only counted), each head written hOut and each tail tOut when they
 * differ. Returns the first block it did not take (y0 when none); the counts in PLAIN_RUN. tP = -1: no tail taken.
 * With the columns' shape (blockShape) and the layer's prefix sums (pre, one entry per `step` blocks; null: none
 * made, or blocks joined or left the layer since) the loop reads no bound and has no branch but its end: a block's
 * tail id is compared and written through a mask that is 0 for a block of one page (whose tail id, that of no page, it
 * writes back as it is), and the pages of the blocks taken are the prefix sums' difference.
 */
function plainBlocks(
  bH: Int32Array,
  bT: Int32Array,
  bS: Float64Array,
  bE: Float64Array,
  headsOnly: boolean,
  y0: number,
  y1: number,
  hIn: number,
  hOut: number,
  tP: number,
  tOut: number,
  pre: Float64Array | null,
  step: number,
): number {
  const hw = hOut !== hIn;
  const tw = tOut !== tP;
  if (headsOnly) {
    // a head a block, a page a head (lazy-tail's deserialize): the heads compared four a step, written by one fill()
    let y = y0;
    for (; y + 4 <= y1; y += 4)
      if (((bH[y]! ^ hIn) | (bH[y + 1]! ^ hIn) | (bH[y + 2]! ^ hIn) | (bH[y + 3]! ^ hIn)) !== 0) break;
    for (; y < y1; y++) if (bH[y] !== hIn) break;
    if (hw) bH.fill(hOut, y0, y);
    PLAIN_RUN[0] = hw ? y - y0 : 0;
    PLAIN_RUN[1] = 0;
    PLAIN_RUN[2] = y - y0;
    return y;
  }
  const shape = pre === null ? null : blockShape(bS, bE);
  if (shape !== null) {
    const tailful = shape.tailful;
    // x ^ d: the tail id tP written tOut (only tails in state tP are taken)
    const d = tP ^ tOut;
    let y = y0;
    // four blocks a step while all four are taken, then block by block up to the first not taken
    for (; y + 4 <= y1; y += 4) {
      const x0 = bT[y]!;
      const x1 = bT[y + 1]!;
      const x2 = bT[y + 2]!;
      const x3 = bT[y + 3]!;
      const m0 = 0 - tailful[y]!;
      const m1 = 0 - tailful[y + 1]!;
      const m2 = 0 - tailful[y + 2]!;
      const m3 = 0 - tailful[y + 3]!;
      const heads = (bH[y]! ^ hIn) | (bH[y + 1]! ^ hIn) | (bH[y + 2]! ^ hIn) | (bH[y + 3]! ^ hIn);
      if ((heads | ((x0 ^ tP) & m0) | ((x1 ^ tP) & m1) | ((x2 ^ tP) & m2) | ((x3 ^ tP) & m3)) !== 0) break;
      bT[y] = x0 ^ (d & m0);
      bT[y + 1] = x1 ^ (d & m1);
      bT[y + 2] = x2 ^ (d & m2);
      bT[y + 3] = x3 ^ (d & m3);
    }
    for (; y < y1; y++) {
      const x = bT[y]!;
      const m = 0 - tailful[y]!;
      if (((bH[y]! ^ hIn) | ((x ^ tP) & m)) !== 0) break;
      bT[y] = x ^ (d & m);
    }
    if (hw) bH.fill(hOut, y0, y);
    // every block taken (of the layer, not empty) counts its head and its tail pages (moved when tw): its length
    const pages =
      y > y0 ? layerPagesAt(pre!, step, bS, bE, bH, y) - layerPagesAt(pre!, step, bS, bE, bH, y0) : 0;
    PLAIN_RUN[0] = hw ? y - y0 : 0;
    PLAIN_RUN[1] = tw ? pages - (y - y0) : 0;
    PLAIN_RUN[2] = pages;
    return y;
  }
  let hMoved = 0;
  let tMoved = 0;
  let pages = 0;
  let y = y0;
  for (; y < y1; y++) {
    if (bH[y] !== hIn) break;
    if (!headsOnly) {
      const tail = bE[y]! - bS[y]! - 1;
      if (tail > 0) {
        if (bT[y] !== tP) break;
        pages += tail;
        if (tw) {
          bT[y] = tOut;
          tMoved += tail;
        }
      }
    }
    pages++;
    if (hw) {
      bH[y] = hOut;
      hMoved++;
    }
  }
  PLAIN_RUN[0] = hMoved;
  PLAIN_RUN[1] = tMoved;
  PLAIN_RUN[2] = pages;
  return y;
}

/**
 * MemMap.initBlockTails()'s common block in a loop of its own (as plainBlocks()): from at[j0] on while the block has
 * no tail, or its head state is hP (initialised) and its tail state tP (plain: only counted), each such tail written
 * tOut when it differs. Returns the first index into `at` it did not take; in PLAIN_RUN the blocks taken with a tail
 * (each one the event's cover lists), the tail pages moved and the pages counted.
 */
function plainTails(
  at: Int32Array,
  j0: number,
  n: number,
  bH: Int32Array,
  bT: Int32Array,
  bS: Float64Array,
  bE: Float64Array,
  hP: number,
  tP: number,
  tOut: number,
): number {
  let m = 0;
  let moved = 0;
  let pages = 0;
  const tw = tOut !== tP;
  let j = j0;
  for (; j < n; j++) {
    const y = at[j]!;
    const tail = bE[y]! - bS[y]! - 1;
    if (!(tail > 0)) continue;
    if (bH[y] !== hP || bT[y] !== tP) break;
    m++;
    pages += tail;
    if (tw) {
      bT[y] = tOut;
      moved += tail;
    }
  }
  PLAIN_RUN[0] = m;
  PLAIN_RUN[1] = moved;
  PLAIN_RUN[2] = pages;
  return j;
}

/** How many times a priming helper runs its loop's cases (the loop's feedback is kept from its first calls on). */
const PRIME_RUNS = 8;

/** The pfn the prime tables' rows count from (src/sim/memmap.ts PRIME_*BLOCKS): every pfn past 2^31, as at 8M blocks. */
const PRIME_BASE = 2 ** 32;

/**
 * A prime table's rows ([start, end, head id, tail id], pfns from PRIME_BASE) as the block columns its primed loop reads
 * (primeFirstMarkedBlock(), primeHeadHitsAll(), primeTailHits()).
 */
function primeColumns(rows: readonly (readonly [number, number, number, number])[]): {
  n: number;
  bS: Float64Array;
  bE: Float64Array;
  bH: Int32Array;
  bT: Int32Array;
} {
  return {
    n: rows.length,
    bS: Float64Array.from(rows, (r) => PRIME_BASE + r[0]),
    bE: Float64Array.from(rows, (r) => PRIME_BASE + r[1]),
    bH: Int32Array.from(rows, (r) => r[2]),
    bT: Int32Array.from(rows, (r) => r[3]),
  };
}

/**
 * A priming helper's runs: `once` (a first run of a hot loop over inputs of its own, before its first real one) `runs`
 * times, the loop's module-level outputs `outs` left as they were before (a real run reads them next).
 */
function primeRuns(outs: readonly Float64Array[], runs: number, once: () => void): void {
  const was = outs.map((o) => o.slice());
  for (let r = 0; r < runs; r++) once();
  outs.forEach((o, k) => o.set(was[k]!));
}

/** tailsFourAStep()'s counts: tails taken, layer blocks taken (head id >= 0). */
const TAILS_RUN = new Float64Array(2);

/**
 * plainTailsInRow()'s loop over blocks y0 .. y1 - 1, in a function of its own (small, and run whole before it is
 * optimised: the rows' other work in its caller, a first-taken path of which sent the loop back to the interpreter):
 * four blocks a step while all four are taken (a block with a tail whose head id is hP and tail id tP, its tail id
 * written x ^ d; one without a tail, whatever its head), the first block of the first four not all taken returned.
 */
function tailsFourAStep(
  bH: Int32Array,
  bT: Int32Array,
  tailful: Uint8Array,
  y: number,
  y1: number,
  hP: number,
  tP: number,
  d: number,
): number {
  let m = 0;
  let live = 0;
  for (; y + 4 <= y1; y += 4) {
    const m0 = 0 - tailful[y]!;
    const m1 = 0 - tailful[y + 1]!;
    const m2 = 0 - tailful[y + 2]!;
    const m3 = 0 - tailful[y + 3]!;
    const h0 = bH[y]!;
    const h1 = bH[y + 1]!;
    const h2 = bH[y + 2]!;
    const h3 = bH[y + 3]!;
    const x0 = bT[y]!;
    const x1 = bT[y + 1]!;
    const x2 = bT[y + 2]!;
    const x3 = bT[y + 3]!;
    const bad =
      (((h0 ^ hP) | (x0 ^ tP)) & m0) |
      (((h1 ^ hP) | (x1 ^ tP)) & m1) |
      (((h2 ^ hP) | (x2 ^ tP)) & m2) |
      (((h3 ^ hP) | (x3 ^ tP)) & m3);
    if (bad !== 0) break;
    bT[y] = x0 ^ (d & m0);
    bT[y + 1] = x1 ^ (d & m1);
    bT[y + 2] = x2 ^ (d & m2);
    bT[y + 3] = x3 ^ (d & m3);
    m -= m0 + m1 + m2 + m3;
    live += 4 - ((h0 >>> 31) + (h1 >>> 31) + (h2 >>> 31) + (h3 >>> 31));
  }
  TAILS_RUN[0] = m;
  TAILS_RUN[1] = live;
  return y;
}

/**
 * A few first runs of tailsFourAStep() on eight blocks of its own, before its first real one (TAILS_RUN as it was
 * after), over both of its exits: its first real run, over the 8.36M restored blocks in a row, is compiled while it
 * runs, before the stores after its loop have run, and was deoptimised there and run in the interpreter again.
 */
let tailsFourAStepPrimed = false;
function primeTailsFourAStep(): void {
  tailsFourAStepPrimed = true;
  const bH = Int32Array.of(1, 1, -1, 1, 1, 1, 1, 1);
  const bT = Int32Array.of(2, 2, 5, 2, 2, 2, 3, 2);
  const tailful = Uint8Array.of(1, 0, 0, 1, 1, 1, 1, 1);
  primeRuns([TAILS_RUN], PRIME_RUNS, () => {
    tailsFourAStep(bH, bT.slice(), tailful, 0, 8, 1, 2, 6);
    tailsFourAStep(bH, bT.slice(), tailful, 0, 4, 1, 2, 6);
  });
}

/** The fewest positions in a row plainTailsInRow() walks as blocks (fewer: plainTails() over them). */
const TAILS_ROW_MIN = 16;

/**
 * plainTails() over positions that come in rows of blocks (at[j + k] = at[j] + k; kho_restore()'s restored positions:
 * every block but the few it leaves), with the columns' shape (blockShape: tailful) and the layer's prefix sums (pre,
 * one entry per `step` blocks): each row's blocks read without `at`, four a step while all four are taken, and no
 * block's bounds read (a block with a tail compared and written through a mask that is 0 for a block of one page, the
 * pages taken being the prefix sums' difference less one page per layer block: a head is not a tail page). The answer
 * (the first position not taken, PLAIN_RUN) is plainTails()'s over the same positions; a row of fewer than
 * TAILS_ROW_MIN positions is plainTails()'s own.
 */
function plainTailsInRow(
  at: Int32Array,
  j: number,
  n: number,
  bH: Int32Array,
  bT: Int32Array,
  bS: Float64Array,
  bE: Float64Array,
  tailful: Uint8Array,
  pre: Float64Array,
  step: number,
  hP: number,
  tP: number,
  tOut: number,
): number {
  let m = 0;
  let moved = 0;
  let pages = 0;
  while (j < n) {
    // the row from position j: its c positions with at[j + c - 1] - at[j] === c - 1 (strictly ascending: all in a row)
    const y0 = at[j]!;
    let lo = 1;
    let hi = 2;
    while (hi <= n - j && at[j + hi - 1]! - y0 === hi - 1) {
      lo = hi;
      hi *= 2;
    }
    if (hi > n - j) hi = n - j + 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (at[j + mid - 1]! - y0 === mid - 1) lo = mid;
      else hi = mid;
    }
    if (lo < TAILS_ROW_MIN) {
      const j2 = plainTails(at, j, j + lo, bH, bT, bS, bE, hP, tP, tOut);
      m += PLAIN_RUN[0]!;
      moved += PLAIN_RUN[1]!;
      pages += PLAIN_RUN[2]!;
      const stopped = j2 < j + lo;
      j = j2;
      if (stopped) break;
      continue;
    }
    const y1 = y0 + lo;
    const y = plainTailsOfRow(bH, bT, bS, bE, tailful, pre, step, hP, tP, tOut, y0, y1);
    m += PLAIN_RUN[0]!;
    moved += PLAIN_RUN[1]!;
    pages += PLAIN_RUN[2]!;
    j += y - y0;
    if (y < y1) break;
  }
  PLAIN_RUN[0] = m;
  PLAIN_RUN[1] = moved;
  PLAIN_RUN[2] = pages;
  return j;
}

/**
 * plainTailsInRow()'s walk of one row of blocks y0 .. y1 - 1 (every one a position taken), with the columns' shape
 * (tailful) and the layer's prefix sums: four blocks a step while all four are taken, then block by block up to the
 * first not taken, returned (y1 when all are); PLAIN_RUN as plainTails() over the blocks taken. MemMap.initBlockTails()
 * over PositionsBut calls it on the rows between the positions left out.
 */
function plainTailsOfRow(
  bH: Int32Array,
  bT: Int32Array,
  bS: Float64Array,
  bE: Float64Array,
  tailful: Uint8Array,
  pre: Float64Array,
  step: number,
  hP: number,
  tP: number,
  tOut: number,
  y0: number,
  y1: number,
): number {
  const tw = tOut !== tP;
  // x ^ d: the tail id tP written tOut (only tails in state tP are taken)
  const d = tP ^ tOut;
  if (!tailsFourAStepPrimed) primeTailsFourAStep();
  let y = tailsFourAStep(bH, bT, tailful, y0, y1, hP, tP, d);
  let m = TAILS_RUN[0]!;
  let live = TAILS_RUN[1]!;
  for (; y < y1; y++) {
    const mk = 0 - tailful[y]!;
    const h = bH[y]!;
    const x = bT[y]!;
    if ((((h ^ hP) | (x ^ tP)) & mk) !== 0) break;
    bT[y] = x ^ (d & mk);
    m -= mk;
    live += 1 - (h >>> 31);
  }
  let got = 0;
  if (y > y0) got = layerPagesAt(pre, step, bS, bE, bH, y) - layerPagesAt(pre, step, bS, bE, bH, y0) - live;
  PLAIN_RUN[0] = m;
  PLAIN_RUN[1] = tw ? got : 0;
  PLAIN_RUN[2] = got;
  return y;
}

function sameColumn(a: Float64Array, b: Float64Array): boolean {
  return a === b || (a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length);
}

/** Ranges in columns: [S[k], E[k]) for k < n (no object per range). */
interface Cols {
  readonly S: ArrayLike<number>;
  readonly E: ArrayLike<number>;
  readonly n: number;
}

function colsOf(rs: readonly Range[]): Cols {
  const n = rs.length;
  const S = new Float64Array(n);
  const E = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    S[k] = rs[k]!.start;
    E[k] = rs[k]!.end;
  }
  return { S, E, n };
}

/** Single pages [p, p + 1) in columns. */
function pageCols(pfns: ArrayLike<number>, n = pfns.length): Cols {
  // a column of pfns is its own starts (read only)
  const S = pfns instanceof Float64Array ? pfns : Float64Array.from({ length: n }, (_, k) => pfns[k]!);
  const E = new Float64Array(n);
  for (let k = 0; k < n; k++) E[k] = S[k]! + 1;
  return { S, E, n };
}

function colsSorted(rs: Cols): boolean {
  for (let k = 1; k < rs.n; k++) if (rs.S[k]! < rs.S[k - 1]!) return false;
  return true;
}

/** The distinct values, ascending (as [...new Set(xs)].sort((a, b) => a - b)). */
function uniqueSorted(xs: ArrayLike<number>): Float64Array {
  let ascending = true;
  for (let i = 1; i < xs.length; i++) if (xs[i]! < xs[i - 1]!) ascending = false;
  const a = ascending ? Float64Array.from(xs) : Float64Array.from(xs).sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[n - 1]) a[n++] = a[i]!;
  return a.subarray(0, n);
}

/** The non-empty ranges (the input itself when none is empty). */
function nonEmpty<T extends Range>(rs: readonly T[]): readonly T[] {
  for (const r of rs) if (!(r.end > r.start)) return rs.filter((x) => x.end > x.start);
  return rs;
}

/** The non-empty ranges sorted by start (stable; no copy when the input already is). */
function sortedNonEmpty<T extends Range>(rs: readonly T[]): readonly T[] {
  const ne = nonEmpty(rs);
  return isSorted(ne) ? ne : [...ne].sort((a, b) => a.start - b.start);
}

/** Key of a state's contents: equal states (sameState) have equal keys. */
function stateKey(st: PageState): string {
  return `${st.memmap ? 1 : 0}|${st.initCount}|${st.nid}|${st.zid}|${st.reserved ? 1 : 0}|${st.buddy ? 1 : 0}|${st.khoOrder}|${st.khoMagic ? 1 : 0}|${st.initBy}`;
}

/** A number per distinct state contents (equal keys, equal numbers), the same in every map: states compared fast. */
const STATE_NUMBERS = new Map<string, number>();
const stateNumberOf = new WeakMap<PageState, number>();
function stateNumber(st: PageState): number {
  let k = stateNumberOf.get(st);
  if (k === undefined) {
    const key = stateKey(st);
    k = STATE_NUMBERS.get(key);
    if (k === undefined) STATE_NUMBERS.set(key, (k = STATE_NUMBERS.size));
    stateNumberOf.set(st, k);
  }
  return k;
}

/** NO_MEMMAP's state id (the constructor interns it first). */
const NO_MEMMAP_ID = 0;

/** The last run (of n, starts ascending, starts[0] <= pfn) starting at or before pfn. */
function runHolding(starts: Float64Array, n: number, pfn: number): number {
  return Math.max(0, upperBound(starts, pfn, 0, n) - 1);
}

/**
 * runHolding() from a cursor i: a few steps forward when pfn is near, else a binary search (also when pfn lies
 * before the cursor's run: a range of an earlier node after a later one's). Sweep's next(), nextInRuns() and
 * nextSkipping() step their run and block cursors with this loop and seekBlockEndingAfter()'s written inline: the
 * calls there cost 3-4% of an 8M replay (CPU s, measured alternating).
 */
function seekRunHolding(starts: Float64Array, n: number, i: number, pfn: number): number {
  if (i >= n || starts[i]! > pfn) return runHolding(starts, n, pfn);
  for (let steps = 0; i + 1 < n && starts[i + 1]! <= pfn; steps++) {
    if (steps === 16) return runHolding(starts, n, pfn);
    i++;
  }
  return i;
}

/** The first of n blocks (starts ascending) starting at or after pfn; n when none does. */
function blockStartingAtOrAfter(starts: Float64Array, n: number, pfn: number): number {
  return lowerBound(starts, pfn, 0, n);
}

/** The first of n blocks (ends ascending) ending after pfn; n when none does. */
function blockEndingAfter(ends: Float64Array, n: number, pfn: number): number {
  return upperBound(ends, pfn, 0, n);
}

/**
 * blockEndingAfter() from a cursor b: a few steps forward when pfn is near, else a binary search (ranges of one
 * node after those of the nodes before it start a million blocks on; a range before the cursor searches again).
 */
function seekBlockEndingAfter(ends: Float64Array, n: number, b: number, pfn: number): number {
  if (b > 0 && ends[b - 1]! > pfn) return blockEndingAfter(ends, n, pfn);
  for (let steps = 0; b < n && ends[b]! <= pfn; steps++) {
    if (steps === 16) return blockEndingAfter(ends, n, pfn);
    b++;
  }
  return b;
}

/**
 * The first layer block in [b, k1) in the layer (head id >= 0) showing a marked head, or a marked tail when it has
 * pages past its head; k1 when none does. Sweep.nextSkipping()'s look over the blocks inside an unmarked run, kept
 * alone so that it is small: a zone of a million blocks whose heads and tails are unmarked (set_zone_contiguous()'s
 * look for a bad page after lazy-tail's or none's deserialize) costs two id loads per block, the block's end read
 * only behind a marked tail: four blocks a step while all four are in the layer with unmarked ids (one or no branch
 * per block was ~40-60 ms over lazy-tail's 8.36M blocks), else block by block for the next four.
 */
function firstShowingMarked(
  bS: Float64Array,
  bE: Float64Array,
  bH: Int32Array,
  bT: Int32Array,
  marks: Uint8Array,
  b: number,
  k1: number,
): number {
  for (;;) {
    // four blocks a step while all four are in the layer with unmarked head and tail ids (no block's bounds read)
    for (; b + 4 <= k1; b += 4) {
      const h0 = bH[b]!;
      const h1 = bH[b + 1]!;
      const h2 = bH[b + 2]!;
      const h3 = bH[b + 3]!;
      if ((h0 | h1 | h2 | h3) < 0) break;
      const t0 = bT[b]!;
      const t1 = bT[b + 1]!;
      const t2 = bT[b + 2]!;
      const t3 = bT[b + 3]!;
      const hm = marks[h0]! | marks[h1]! | marks[h2]! | marks[h3]!;
      if ((hm | marks[t0]! | marks[t1]! | marks[t2]! | marks[t3]!) !== 0) break;
    }
    // else the next four (or fewer at the end) one by one: a block out of the layer, a marked id, a one-page block
    const stop = b + 4 < k1 ? b + 4 : k1;
    for (; b < stop; b++) {
      const h = bH[b]!;
      if (h < 0) continue;
      if (marks[h] || (marks[bT[b]!] && bE[b]! - bS[b]! !== 1)) return b;
    }
    if (b >= k1) return k1;
  }
}

/**
 * Blocks of pfns past 2^32 ([start, end, head id, tail id] from base 2^32, id -1 out of the layer) that take every
 * path of firstMarkedBlock() under marks of ids 3 and 6 (1, 2, 4, 5 unmarked): with the columns' shape, a stretch of
 * head 1 whose tail id changes (a one-page block's marked tail id passed over), then head 5, a marked tail, a block out
 * of the layer, a marked head, and the end. primeFirstMarkedBlock()'s.
 */
const PRIME_MARKED_BLOCKS = [
  [0, 4, 1, 2],
  [4, 5, 1, 3],
  [5, 9, 1, 2],
  [9, 10, 1, 3],
  [10, 12, 1, 2],
  [12, 16, 1, 2],
  [16, 17, 1, 2],
  [17, 20, 1, 2],
  [20, 22, 1, 4],
  [22, 26, 1, 4],
  [26, 27, 5, 4],
  [27, 30, 5, 4],
  [30, 32, 5, 4],
  [32, 33, 5, 4],
  [33, 36, 5, 4],
  [36, 40, 5, 4],
  [40, 42, 5, 3],
  [42, 44, -1, 0],
  [44, 46, 6, 2],
  [46, 50, 1, 2],
  [50, 52, 1, 2],
] as const;

/**
 * A first run of firstMarkedBlock() over PRIME_MARKED_BLOCKS that takes each of its paths, with the columns' shape
 * and without, `runs` times (MemMap.markedStops(), markedRuns(): warmFirstMarkedBlock()). Returns the blocks each of
 * the two last looks stopped at (tests). Over a layer of WARM_BLOCKS or more, primed hot (PRIME_HOT_RUNS) at its
 * first call there (none's check on the 8M bench bundle, where it only steps over the blocks out of the layer): V8
 * compiles it on its background thread while none's check goes on. Without it the first strategy that ran it over
 * the 8.36M blocks (init-deferred-page's identity sweep, 16 pieces) had it compiled on the stack while it ran: ~25 ms
 * for its first piece against ~0.8 ms for each later one.
 */
let firstMarkedPrimed = false;
let firstMarkedHot = false;
function primeFirstMarkedBlock(runs: number): number[][] {
  firstMarkedPrimed = true;
  const { n, bS, bE, bH, bT } = primeColumns(PRIME_MARKED_BLOCKS);
  const tailful = Uint8Array.from(PRIME_MARKED_BLOCKS, (r) => (r[1] - r[0] > 1 ? 1 : 0));
  const marks = Uint8Array.of(0, 0, 0, 1, 0, 0, 1);
  const stops: number[][] = [];
  primeRuns([], runs, () => {
    stops.length = 0;
    for (const shaped of [true, false]) {
      if (shaped) BLOCK_SHAPES.set(bE, { bS, tailful });
      // stops at the marked tail (16), the block out of the layer (17), the marked head (18), then the end
      const at: number[] = [];
      for (let k = 0; k < n; k++) at.push((k = firstMarkedBlock(bS, bE, bH, bT, marks, k, n)));
      stops.push(at);
      BLOCK_SHAPES.delete(bE);
    }
  });
  return stops;
}

/** primeFirstMarkedBlock() before a look over `blocks` layer blocks: once, and hot once over a large layer. */
function warmFirstMarkedBlock(blocks: number): void {
  if (blocks >= WARM_BLOCKS) {
    if (firstMarkedHot) return;
    firstMarkedHot = true;
    primeFirstMarkedBlock(PRIME_HOT_RUNS);
  } else if (!firstMarkedPrimed) primeFirstMarkedBlock(PRIME_RUNS);
}

/** Whether `marks` marks a state some layer page is in (P: the layer's pages per state id). */
function marksLayerPage(marks: Uint8Array, P: ArrayLike<number>): boolean {
  const m = marks.length < P.length ? marks.length : P.length;
  for (let id = 0; id < m; id++) if (marks[id] && P[id]! > 0) return true;
  return false;
}

/** Push to `out` the blocks b < n out of the layer (head id -1), ascending: MemMap.deadBlocks()' pass, kept alone. */
function outOfLayer(bH: Int32Array, n: number, out: number[]): void {
  for (let b = 0; b < n; b++) if (bH[b]! < 0) out.push(b);
}

/**
 * The first layer block k in [k, k1) that is out of the layer (head -1) or shows a marked head or tail id (a tail:
 * when the block has more than its head page; the tail id of a one-page block is that of no page); k1 when none does.
 * MemMap.markedRuns()'s loop over a million blocks, kept alone so that it is small and its every branch has run
 * before it is optimised (the rare work is the caller's).
 */
function firstMarkedBlock(
  bS: Float64Array,
  bE: Float64Array,
  bH: Int32Array,
  bT: Int32Array,
  marks: Uint8Array,
  k: number,
  k1: number,
): number {
  const shape = blockShape(bS, bE);
  if (shape !== null) {
    // stretch by stretch of one head id h (unmarked: a few dozen stretches in a million blocks), the tail ids of the
    // blocks with a tail compared with the last one looked up (t, unmarked), through a mask that is 0 for a block of
    // one page: a block's tail id is looked up only when it changes, and no branch asks whether a block has a tail
    const tailful = shape.tailful;
    outer: while (k < k1) {
      const h = bH[k]!;
      if (h < 0 || marks[h]) return k;
      let t = -2;
      for (; k < k1; k++) {
        if (bH[k] !== h) continue outer;
        const x = bT[k]!;
        if (((x ^ t) & (0 - tailful[k]!)) !== 0) {
          if (marks[x]) return k;
          t = x;
        }
        // the next blocks four a step while all four go on with head h and (those with a tail) tail t; k the last
        for (; k + 4 < k1; k += 4) {
          const heads = (bH[k + 1]! ^ h) | (bH[k + 2]! ^ h) | (bH[k + 3]! ^ h) | (bH[k + 4]! ^ h);
          const t1 = (bT[k + 1]! ^ t) & (0 - tailful[k + 1]!);
          const t2 = (bT[k + 2]! ^ t) & (0 - tailful[k + 2]!);
          const t3 = (bT[k + 3]! ^ t) & (0 - tailful[k + 3]!);
          const t4 = (bT[k + 4]! ^ t) & (0 - tailful[k + 4]!);
          if ((heads | t1 | t2 | t3 | t4) !== 0) break;
        }
      }
    }
    return k1;
  }
  for (; k < k1; k++) {
    const h = bH[k]!;
    if (h < 0 || marks[h] || (marks[bT[k]!] && bE[k]! > bS[k]! + 1)) return k;
  }
  return k1;
}

/**
 * The first layer block j in [k, k1) that does not continue the run of (marked) id pid ending at pe, k1 when all do:
 * blocks from k on, each starting where the one before ends (the first at pe), in the layer, with a head and (a block
 * of more than its head page) a tail of id pid, or joined with it (jn[id] and jn[pid]). MemMap.markedRuns()'s loop
 * over a million never-initialised blocks, kept alone so that it is small.
 */
function continuingBlocks(
  S: Float64Array,
  E: Float64Array,
  bH: Int32Array,
  bT: Int32Array,
  jn: Uint8Array,
  pid: number,
  k: number,
  k1: number,
  pe: number,
): number {
  const pj = jn[pid] === 1;
  for (; k < k1; k++) {
    const s = S[k]!;
    if (s !== pe) return k;
    const h = bH[k]!;
    if (h !== pid && !(pj && h >= 0 && jn[h] === 1)) return k;
    const e = E[k]!;
    if (e > s + 1) {
      const t = bT[k]!;
      if (t !== pid && !(pj && jn[t] === 1)) return k;
    }
    pe = e;
  }
  return k1;
}

/**
 * Columns that MemMap.markedRuns() writes the runs of joined ids to itself, instead of handing them to its callback
 * (check()'s never-initialised runs, 2.8M of them for none on the 8M bundle): as a RangeBuffer made with `join`
 * pushes them (push(): a run starting inside or at the end of the last one extends it), so writing a run into the
 * columns at row n (room() first when they are full) and calling push() give the same rows. room() may replace the
 * columns (read them again after). The rows past n are free: the writer may write there (touchingBlocks() writes the
 * next two as it goes).
 */
export interface RunSink {
  start: Float64Array;
  end: Float64Array;
  n: number;
  readonly join: boolean;
  /** Cleared when a run starts before the last one (as push() clears it). */
  sorted: boolean;
  push(s: number, e: number): void;
  room(extra?: number): void;
  /**
   * With it, markedRuns() hands the layer blocks that touchingBlocks() would write (every layer page's state joined
   * and marked: none's check, 8.36M blocks) as stretches instead: the open run pushed, then stretch(a, b) for the
   * blocks a .. b - 1 of its columns (the layer's own: sorted, non-empty, disjoint), whose runs are the blocks joined
   * where they touch (one with the row before when it starts at its end), and the last block taken opens the run that
   * goes on. The union of the rows and stretches is the runs': made into ranges by whoever reads them
   * (src/core/run-stretches.ts), not here. S and E: the columns (markedRuns()' `rs`).
   */
  stretch?(S: Float64Array, E: Float64Array, a: number, b: number): void;
}

/** joinedBlocks()' open run [ps, pe) in and out, the rows written and (1) whether one started before the row above (out). */
const JOIN_IO = new Float64Array(4);

/**
 * MemMap.markedRuns()'s loop over the layer blocks k in [k, k1) that continue or start runs of joined ids (jm: joined
 * and marked, by state id), with a sink: while block k is in the layer with a head of such an id and (a block of more
 * than its head page) a tail of one, it continues the open run [ps, pe) (JOIN_IO[0], JOIN_IO[1]; of a joined id) when
 * it starts at pe, else the open run is written to the columns OS, OE at row q (extending row q - 1 where it starts
 * inside or at its end, as a joining RangeBuffer's push() does) and the block opens the next one. Stops before the
 * first other block, or with no row free; returns the block it stopped at, the open run in JOIN_IO[0..1] and the rows
 * in JOIN_IO[2]. A million never-initialised blocks cost a few loads each and no call.
 */
function joinedBlocks(
  S: Float64Array,
  E: Float64Array,
  bH: Int32Array,
  bT: Int32Array,
  jm: Uint8Array,
  k: number,
  k1: number,
  OS: Float64Array,
  OE: Float64Array,
  q: number,
): number {
  const cap = OS.length;
  let ps = JOIN_IO[0]!;
  let pe = JOIN_IO[1]!;
  let unsorted = 0;
  for (; k < k1 && q < cap; k++) {
    const h = bH[k]!;
    if (h < 0 || jm[h] !== 1) break;
    const s = S[k]!;
    const e = E[k]!;
    if (e > s + 1 && jm[bT[k]!] !== 1) break;
    if (s !== pe) {
      // the open run, pushed
      if (q > 0 && ps <= OE[q - 1]! && ps >= OS[q - 1]!) {
        if (pe > OE[q - 1]!) OE[q - 1] = pe;
      } else {
        if (q > 0 && ps < OS[q - 1]!) unsorted = 1;
        OS[q] = ps;
        OE[q++] = pe;
      }
      ps = s;
    }
    pe = e;
  }
  JOIN_IO[0] = ps;
  JOIN_IO[1] = pe;
  JOIN_IO[2] = q;
  JOIN_IO[3] = unsorted;
  return k;
}

/**
 * joinedBlocks() over blocks k in [k, k1) that all qualify (every layer page's state joined and marked, none out of
 * the layer before k1: MemMap.markedRuns() knows it from the layer's pages per state id and its blocks out of the
 * layer), so no id is looked at: the same rows, open run and stop (JOIN_IO in and out as joinedBlocks()'s). Until
 * its first row, and again once fewer than two rows are free, joinedBlocks()' steps (a row may join the one above or
 * start before it); between, the blocks ascend (the layer's own columns: sorted, disjoint), so a block starting past
 * pe starts past every row: the open run is kept in row q itself (its end written with each block, a block starting
 * past pe moving to row q + 1, written at once) and row q + 1 is written when the block continues the run too (it is
 * free: no branch on how the blocks lie, a third of the 8.36M of none's check starting a run). Rows past the last
 * one counted (JOIN_IO[2]) are left as they were written (the sink's columns beyond its n, free).
 */
function touchingBlocks(
  S: Float64Array,
  E: Float64Array,
  k: number,
  k1: number,
  OS: Float64Array,
  OE: Float64Array,
  q: number,
): number {
  const cap = OS.length;
  let ps = JOIN_IO[0]!;
  let pe = JOIN_IO[1]!;
  let unsorted = 0;
  // joinedBlocks()' steps; after the first row (`once`), the branch-free loop while two rows are free
  let once = true;
  for (;;) {
    for (; k < k1 && q < cap; k++) {
      const s = S[k]!;
      if (s !== pe) {
        if (q > 0 && ps <= OE[q - 1]! && ps >= OS[q - 1]!) {
          if (pe > OE[q - 1]!) OE[q - 1] = pe;
        } else {
          if (q > 0 && ps < OS[q - 1]!) unsorted = 1;
          OS[q] = ps;
          OE[q++] = pe;
        }
        ps = s;
        if (once) {
          pe = E[k++]!;
          break;
        }
      }
      pe = E[k]!;
    }
    if (!once) break;
    once = false;
    // (a row that may join the one above: joinedBlocks()' steps)
    if (!(k < k1 && q + 1 < cap && (q === 0 || ps > OE[q - 1]!))) continue;
    OS[q] = ps;
    OE[q] = pe;
    for (; k < k1 && q + 1 < cap; k++) {
      const s = S[k]!;
      // (out of order: joinedBlocks()' steps from here)
      if (s < pe) break;
      const brk = +(s !== pe);
      q += brk;
      OS[q + 1 - brk] = s;
      pe = E[k]!;
      OE[q] = pe;
    }
    ps = OS[q]!;
  }
  JOIN_IO[0] = ps;
  JOIN_IO[1] = pe;
  JOIN_IO[2] = q;
  JOIN_IO[3] = unsorted;
  return k;
}

/**
 * A first run of touchingBlocks() over a few blocks of pfns past 2^32 that take every one of its paths (a run joining
 * the row above, extending it or not, one apart, one starting before it; blocks continuing a run and starting one in
 * the branch-free loop, one out of order ending it, the rows filling), before its first real one, a few times over
 * (JOIN_IO as it was after): primeHeadHitsAll()'s reasons (none's check: 8.36M blocks, the first zone's pfns below
 * 2^31).
 */
let touchingPrimed = false;
function primeTouchingBlocks(): void {
  touchingPrimed = true;
  const B = 2 ** 32;
  const col = (xs: readonly number[]): Float64Array => Float64Array.from(xs, (x) => B + x);
  // [row above], open run, blocks (starts, ends), rows in all
  const cases = [
    [
      [0, 100],
      [50, 120],
      [120, 200, 210, 230, 240, 245, 100, 300, 400, 500, 600],
      [130, 210, 220, 240, 250, 260, 105, 310, 410, 510, 610],
      6,
    ],
    [[0, 1000], [10, 20], [30, 40], [40, 50], 4],
    [[], [0, 10], [20, 30, 40], [30, 40, 45], 4],
  ] as const;
  primeRuns([JOIN_IO], PRIME_RUNS, () => {
    for (const [above, open, s, e, rows] of cases) {
      const OS = new Float64Array(rows);
      const OE = new Float64Array(rows);
      if (above.length) {
        OS[0] = B + above[0]!;
        OE[0] = B + above[1]!;
      }
      JOIN_IO[0] = B + open[0];
      JOIN_IO[1] = B + open[1];
      touchingBlocks(col(s), col(e), 0, s.length, OS, OE, above.length ? 1 : 0);
    }
  });
}

// What the sweeps ask of a state, as bits per state id (MemMap.flags): no object load per piece.
const F_MEMMAP = 1;
const F_INIT = 2;
const F_KHO = 4;

/**
 * A forward sweep over the pages of ranges as the block layer shows them (issue 10): pieces [s, e) of one state id
 * each, in address order, not merged (equal neighbours may come as two pieces), the pages past limitPfn left to the
 * caller. The cursors (a run, a block) carry over from range to range, so ranges in ascending order cost one pass
 * over the runs and the blocks, and a range that starts before the last one searches again. A loop over next()
 * needs no callback: the bookkeeping of an operation over a million blocks costs a few ns per piece.
 */
class Sweep {
  private starts: Float64Array = new Float64Array(0);
  private ids: Int32Array = new Int32Array(0);
  private n = 0;
  private limit = 0;
  private bS: Float64Array = new Float64Array(0);
  private bE: Float64Array = new Float64Array(0);
  private bH: Int32Array = new Int32Array(0);
  private bT: Int32Array = new Int32Array(0);
  private bN = 0;
  private live = 0;
  /** The layer's pages per state id (MemMap.blkPages): which states some layer block shows. */
  private bP: Float64Array = new Float64Array(0);
  /** next(marks) may step over the layer when no layer block's state is marked (off: the general loop only). */
  private skipLayer = true;
  /** The marks next() last looked at, and whether no layer block's state is marked in them. */
  private lastMarks: Uint8Array | null = null;
  private layerClear = false;
  /** The range holds more than two blocks (from the first ending after its start on). */
  private manyBlocks = false;
  /** The run holding the position, and the first block (in the layer or evicted) that may hold it. */
  i = 0;
  b = 0;
  private pos = 0;
  private e0 = 0;
  /** The current piece. */
  s = 0;
  e = 0;
  id = 0;

  /** Take a map's runs and blocks as they are now (writes replace the arrays) and its cursors. */
  bind(
    starts: Float64Array,
    ids: Int32Array,
    n: number,
    limit: number,
    blocks: {
      S: Float64Array;
      E: Float64Array;
      H: Int32Array;
      T: Int32Array;
      P: Float64Array;
      n: number;
      live: number;
    },
    wi: number,
    wb: number,
    skipLayer = true,
  ): this {
    this.starts = starts;
    this.ids = ids;
    this.n = n;
    this.limit = limit;
    this.bS = blocks.S;
    this.bE = blocks.E;
    this.bH = blocks.H;
    this.bT = blocks.T;
    this.bN = blocks.n;
    this.live = blocks.live;
    this.bP = blocks.P;
    this.skipLayer = skipLayer;
    this.lastMarks = null;
    this.i = wi < n ? wi : 0;
    this.b = wb <= blocks.n ? wb : 0;
    return this;
  }

  /** Start on [start, end), clipped to limitPfn. */
  range(start: number, end: number): void {
    const e0 = end < this.limit ? end : this.limit;
    this.pos = start;
    this.e0 = e0;
    if (!(start < e0)) return;
    const st = this.starts;
    this.i = seekRunHolding(st, this.n, this.i, start);
    if (this.live) {
      const bE = this.bE;
      const b = seekBlockEndingAfter(bE, this.bN, this.b, start);
      this.b = b;
      this.manyBlocks = b + 2 < this.bN && this.bS[b + 2]! < e0;
    }
  }

  /**
   * The next piece into s, e, id; false at the end of the range. With `marks` (by state id), the next piece whose
   * state is marked: the pieces between are stepped over in this loop (a scan looking for a few bad pages among a
   * million blocks costs a few ns per block).
   */
  next(marks: Uint8Array | null = null): boolean {
    if (marks !== null && this.live > 0 && this.skipLayer) {
      // with marked blocks, a range over a block or two (a check's sweep block by block) is quicker piece by piece
      if (this.layerUnmarked(marks)) return this.nextInRuns(marks);
      if (this.manyBlocks) return this.nextSkipping(marks);
    }
    let pos = this.pos;
    const e0 = this.e0;
    const live = this.live > 0;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bN = this.bN;
    const st = this.starts;
    const n = this.n;
    let b = this.b;
    let i = this.i;
    while (pos < e0) {
      let re: number;
      let id: number;
      if (live) while (b < bN && (bE[b]! <= pos || bH[b]! < 0)) b++;
      if (live && b < bN && bS[b]! <= pos) {
        const hs = bS[b]!;
        if (pos < hs + 1) {
          re = hs + 1;
          id = bH[b]!;
        } else {
          re = bE[b]!;
          id = this.bT[b]!;
        }
      } else {
        for (let steps = 0; i + 1 < n && st[i + 1]! <= pos; steps++) {
          if (steps === 16) {
            i = runHolding(st, n, pos);
            break;
          }
          i++;
        }
        re = i + 1 < n ? st[i + 1]! : this.limit;
        if (live && b < bN && bS[b]! < re) re = bS[b]!;
        id = this.ids[i]!;
      }
      if (re > e0) re = e0;
      if (marks === null || marks[id]) {
        this.s = pos;
        this.e = re;
        this.id = id;
        this.pos = re;
        this.b = b;
        this.i = i;
        return true;
      }
      pos = re;
    }
    this.pos = pos;
    this.b = b;
    this.i = i;
    return false;
  }

  /** No layer block shows a state the marks mark (looked up once per marks array and binding). */
  private layerUnmarked(marks: Uint8Array): boolean {
    if (marks !== this.lastMarks) {
      this.lastMarks = marks;
      this.layerClear = !marksLayerPage(marks, this.bP);
    }
    return this.layerClear;
  }

  /**
   * next(marks) when no layer block is marked: the runs are stepped over run by run (a million blocks inside an
   * unmarked run cost nothing), and a marked run's pages are cut where the layer blocks hide it, so the pieces are
   * the general loop's: the parts of the marked runs between the blocks, split at run and block edges.
   */
  private nextInRuns(marks: Uint8Array): boolean {
    let pos = this.pos;
    const e0 = this.e0;
    const st = this.starts;
    const n = this.n;
    const ids = this.ids;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bN = this.bN;
    let b = this.b;
    let i = this.i;
    while (pos < e0) {
      for (let steps = 0; i + 1 < n && st[i + 1]! <= pos; steps++) {
        if (steps === 16) {
          i = runHolding(st, n, pos);
          break;
        }
        i++;
      }
      let re = i + 1 < n ? st[i + 1]! : this.limit;
      if (re > e0) re = e0;
      const id = ids[i]!;
      if (!marks[id]) {
        pos = re;
        continue;
      }
      // the first layer block ending after pos (the cursor may lag after unmarked runs: a search when far)
      if (b > 0 && bE[b - 1]! > pos) b = blockEndingAfter(bE, bN, pos);
      else
        for (let steps = 0; b < bN && bE[b]! <= pos; steps++) {
          if (steps === 16) {
            b = blockEndingAfter(bE, bN, pos);
            break;
          }
          b++;
        }
      while (b < bN && bH[b]! < 0) b++;
      if (b < bN && bS[b]! <= pos) {
        // hidden by a block whose head and tail are unmarked
        pos = bE[b]! < e0 ? bE[b]! : e0;
        continue;
      }
      if (b < bN && bS[b]! < re) re = bS[b]!;
      this.s = pos;
      this.e = re;
      this.id = id;
      this.pos = re;
      this.b = b;
      this.i = i;
      return true;
    }
    this.pos = pos;
    this.b = b;
    this.i = i;
    return false;
  }

  /**
   * next(marks) over a range of many blocks some of which show a marked state: the runs are stepped over run by
   * run, and the blocks inside an unmarked run by a look at their head and tail ids (a zone of a million blocks
   * whose few marked ones are another node's costs a load or two per block). A marked run's pages are cut where the
   * layer blocks hide it, a marked head or tail is a piece of its own: the pieces are the general loop's.
   */
  private nextSkipping(marks: Uint8Array): boolean {
    let pos = this.pos;
    const e0 = this.e0;
    const st = this.starts;
    const n = this.n;
    const ids = this.ids;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bT = this.bT;
    const bN = this.bN;
    let b = this.b;
    let i = this.i;
    while (pos < e0) {
      for (let steps = 0; i + 1 < n && st[i + 1]! <= pos; steps++) {
        if (steps === 16) {
          i = runHolding(st, n, pos);
          break;
        }
        i++;
      }
      let re = i + 1 < n ? st[i + 1]! : this.limit;
      if (re > e0) re = e0;
      const rid = ids[i]!;
      // the first layer block ending after pos (the cursor may lag after unmarked runs: a search when far)
      if (b > 0 && bE[b - 1]! > pos) b = blockEndingAfter(bE, bN, pos);
      else
        for (let steps = 0; b < bN && bE[b]! <= pos; steps++) {
          if (steps === 16) {
            b = blockEndingAfter(bE, bN, pos);
            break;
          }
          b++;
        }
      while (b < bN && bH[b]! < 0) b++;
      if (b < bN && bS[b]! <= pos) {
        // inside a layer block: its head, or its tail (both unmarked: past the block)
        const hs = bS[b]!;
        let pe: number;
        let id: number;
        if (pos < hs + 1 && marks[bH[b]!]) {
          pe = hs + 1;
          id = bH[b]!;
        } else {
          // the tail, from its first page when the head is unmarked
          pe = bE[b]!;
          id = bT[b]!;
          if (pos < hs + 1) pos = hs + 1;
        }
        if (pe > e0) pe = e0;
        if (pos < pe && marks[id]) {
          this.s = pos;
          this.e = pe;
          this.id = id;
          this.pos = pe;
          this.b = b;
          this.i = i;
          return true;
        }
        pos = pe;
        continue;
      }
      if (marks[rid]) {
        if (b < bN && bS[b]! < re) re = bS[b]!;
        this.s = pos;
        this.e = re;
        this.id = rid;
        this.pos = re;
        this.b = b;
        this.i = i;
        return true;
      }
      // an unmarked run: on to the first block in it showing a marked head or tail, else past the run (the blocks
      // starting in it found by galloping: the layer's starts ascend)
      const k1 = gallopLowerBound(bS, re, b, bN);
      b = firstShowingMarked(bS, bE, bH, bT, marks, b, k1);
      pos = b < k1 ? bS[b]! : re;
    }
    this.pos = pos;
    this.b = b;
    this.i = i;
    return false;
  }
}

/**
 * A reader of the map's pages without callbacks: `range(start, end)` then `while (r.next())` gives the pieces of
 * [start, end) within the map (s, e, state), in address order, equal neighbours possibly as two pieces; `at(pfn)`
 * the state of one pfn. Ranges and pfns in ascending order cost one pass. The map must not change while it is read.
 */
export class PageReader extends Sweep {
  constructor(private readonly states: readonly PageState[]) {
    super();
  }

  get state(): PageState {
    return this.states[this.id]!;
  }

  /** Marks for next(): the states (by id) that satisfy pred. */
  mark(pred: (st: PageState) => boolean): Uint8Array {
    const m = new Uint8Array(this.states.length);
    for (let id = 0; id < m.length; id++) m[id] = pred(this.states[id]!) ? 1 : 0;
    return m;
  }

  at(pfn: number): PageState {
    if (!(pfn >= 0)) return NO_MEMMAP;
    this.range(pfn, pfn + 1);
    return this.next() ? this.states[this.id]! : NO_MEMMAP;
  }
}

/**
 * tailHits()'s outputs: the ranges in its columns, the uninitialised and the unmapped pattern pfns it counted, the
 * pages of the ranges it wrote; the first and last block whose tail it wrote (-1 when none).
 */
const TAIL_OUT = new Float64Array(7);

/**
 * The pattern pfns in [s, e) (s < e) for a power-of-two stride P (inv = 1 / P) and one or two offsets o0 < o1 (o1 = P
 * when there is one; m of them a stride): PatternCount.count()'s sum as two exact floors (x / P exact for a power of
 * two), as tailHits() and headHits() count a stretch.
 */
function patternHits(
  s: number,
  e: number,
  P: number,
  inv: number,
  o0: number,
  o1: number,
  m: number,
): number {
  const qs = Math.floor(s * inv);
  const qe = Math.floor(e * inv);
  const rs = s - qs * P;
  const rq = e - qe * P;
  return (qe - qs) * m + (rq > o0 ? 1 : 0) + (rq > o1 ? 1 : 0) - (rs > o0 ? 1 : 0) - (rs > o1 ? 1 : 0);
}

/**
 * PatternCount.isolatedTails()'s loop, kept alone so that it is small and its every branch has run before it is
 * optimised: from block b on, while b and the next block are in the layer with unmarked heads and the next starts
 * before re, block b's tail [bS[b] + 1, bE[b]) when it has pages and a marked id: its pattern pfns (stride P, a power of
 * two, inv = 1 / P; offsets o0 and o1, o1 = P when there is one: m of them) counted as chain() counts them, and the
 * tail written at S[q], E[q] when it has some in the memmap. Stops with the columns full; returns the block it
 * stopped at, the hits' count and the pages in TAIL_OUT.
 */
function tailHits(
  bS: Float64Array,
  bE: Float64Array,
  bH: Int32Array,
  bT: Int32Array,
  marks: Uint8Array,
  fl: Uint8Array,
  b: number,
  bN: number,
  re: number,
  P: number,
  inv: number,
  o0: number,
  o1: number,
  m: number,
  S: Float64Array,
  E: Float64Array,
  q: number,
): number {
  const cap = S.length;
  let uninit = 0;
  let noMap = 0;
  let pages = 0;
  const q0 = q;
  let first = -1;
  let last = -1;
  // the blocks b whose next block starts before re are those below k1 - 1 (the starts ascend): one search per call,
  // not a load and a compare per block (~4 ms, 5%, of a warmed pass over lazy-tail's 8.36M blocks)
  const k1 = firstStartAtOrAbove(bS, b + 1, bN, re) - 1;
  for (; b < k1 && q < cap; b++) {
    const h = bH[b + 1]!;
    if (h < 0 || marks[h]) break;
    const s = bS[b]! + 1;
    const e = bE[b]!;
    const t = bT[b]!;
    if (!(e > s && marks[t])) continue;
    const k = patternHits(s, e, P, inv, o0, o1, m);
    const mapped = fl[t]! & F_MEMMAP;
    noMap += mapped ? 0 : k;
    if (mapped && k > 0) {
      uninit += k;
      pages += e - s;
      if (q === q0) first = b;
      last = b;
      S[q] = s;
      E[q++] = e;
    }
  }
  TAIL_OUT[0] = q;
  TAIL_OUT[1] = uninit;
  TAIL_OUT[2] = noMap;
  TAIL_OUT[3] = pages;
  TAIL_OUT[4] = first;
  TAIL_OUT[5] = last;
  return b;
}

/**
 * markedHeads()' open stretch, in and out: [cs, ce) of state cid (-1: none), its first and last block (cb, cl); in: the
 * last block the ranges before met (PatternCount.metLast). Its other outputs are in TAIL_OUT: as tailHits()', then the
 * first and last block met by a range it wrote or grew (first -1: none) and how many of them past the last one before
 * (a stretch meets the blocks cb..cl: it is made of their pieces, each touching the one before).
 */
const HEAD_IO = new Float64Array(6);

/**
 * PatternCount.markedHeads()' loop, kept alone as tailHits() is: from block b on, while b is in the layer with a marked
 * head and ends before re, markedChains()' steps for it (its head [hs, hs + 1) then its tail [hs + 1, he) when it has
 * pages and a marked id, each joining the open stretch when of its state and touching it, else closing it and opening
 * another), a closed stretch counted as chain() counts it (its pattern pfns: stride P a power of two, inv = 1 / P,
 * offsets o0 and o1, o1 = P when there is one: m of them) and written at S[q], E[q] when it has some in the memmap,
 * joining the range before when it touches it (as RangeAcc.add() joins). Stops with room for fewer than two more
 * ranges; returns the block it stopped at, the open stretch in HEAD_IO, the rest in TAIL_OUT (as tailHits()).
 */
function headHits(
  bS: Float64Array,
  bE: Float64Array,
  bH: Int32Array,
  bT: Int32Array,
  marks: Uint8Array,
  fl: Uint8Array,
  b: number,
  bN: number,
  re: number,
  P: number,
  inv: number,
  o0: number,
  o1: number,
  m: number,
  S: Float64Array,
  E: Float64Array,
  q: number,
): number {
  const cap = S.length - 1;
  let cs = HEAD_IO[0]!;
  let ce = HEAD_IO[1]!;
  let cid = HEAD_IO[2]!;
  let cb = HEAD_IO[3]!;
  let cl = HEAD_IO[4]!;
  let mLast = HEAD_IO[5]!;
  let mFirst = -1;
  let met = 0;
  let uninit = 0;
  let noMap = 0;
  let pages = 0;
  for (; b < bN && q < cap; b++) {
    const h = bH[b]!;
    const he = bE[b]!;
    if (h < 0 || !marks[h] || !(he < re)) break;
    const hs = bS[b]!;
    // the head: joins the open stretch or closes it (chain()) and opens another
    if (h === cid && hs === ce) ce = hs + 1;
    else {
      if (cid >= 0) {
        // chain(cs, ce, cid)
        const k = patternHits(cs, ce, P, inv, o0, o1, m);
        if (!(fl[cid]! & F_MEMMAP)) noMap += k;
        else if (k > 0) {
          uninit += k;
          pages += ce - cs;
          if (q > 0 && E[q - 1] === cs) E[q - 1] = ce;
          else {
            S[q] = cs;
            E[q++] = ce;
          }
          // blocks cb..cl met (none when cl < cb: an open stretch from before between blocks), those past the last met counted
          if (cl >= cb) {
            if (mFirst < 0) mFirst = cb;
            if (cl > mLast) {
              met += cl - (cb > mLast ? cb : mLast + 1) + 1;
              mLast = cl;
            }
          }
        }
      }
      cs = hs;
      ce = hs + 1;
      cid = h;
      cb = b;
    }
    cl = b;
    // the tail, when it has pages and a marked id: likewise
    if (!(he > hs + 1)) continue;
    const t = bT[b]!;
    if (!marks[t]) continue;
    if (t === cid && hs + 1 === ce) ce = he;
    else {
      if (cid >= 0) {
        // chain(cs, ce, cid)
        const k = patternHits(cs, ce, P, inv, o0, o1, m);
        if (!(fl[cid]! & F_MEMMAP)) noMap += k;
        else if (k > 0) {
          uninit += k;
          pages += ce - cs;
          if (q > 0 && E[q - 1] === cs) E[q - 1] = ce;
          else {
            S[q] = cs;
            E[q++] = ce;
          }
          // blocks cb..cl met (cb <= cl: the head of block cl came first), those past the last met counted
          if (mFirst < 0) mFirst = cb;
          if (cl > mLast) {
            met += cl - (cb > mLast ? cb : mLast + 1) + 1;
            mLast = cl;
          }
        }
      }
      cs = hs + 1;
      ce = he;
      cid = t;
      cb = b;
    }
  }
  HEAD_IO[0] = cs;
  HEAD_IO[1] = ce;
  HEAD_IO[2] = cid;
  HEAD_IO[3] = cb;
  HEAD_IO[4] = cl;
  TAIL_OUT[0] = q;
  TAIL_OUT[1] = uninit;
  TAIL_OUT[2] = noMap;
  TAIL_OUT[3] = pages;
  TAIL_OUT[4] = mFirst;
  TAIL_OUT[5] = mLast;
  TAIL_OUT[6] = met;
  return b;
}

/**
 * patternHits() with the remainders mod P taken from the fraction s / P - floor(s / P) (exact: P a power of two),
 * never as s - floor(s / P) * P: headHitsAll()'s count of a stretch. A function of its own, not patternHits(): an
 * inlined function's type feedback is its own, shared by its callers, and headHits() and tailHits() give
 * patternHits() small-integer feedback from the first zone's pfns, which headHitsAll() would deoptimise on where they
 * pass 2^31.
 */
function fractionHits(
  s: number,
  e: number,
  P: number,
  inv: number,
  o0: number,
  o1: number,
  m: number,
): number {
  const fs = s * inv;
  const fe = e * inv;
  const qs = Math.floor(fs);
  const qe = Math.floor(fe);
  const rs = (fs - qs) * P;
  const rq = (fe - qe) * P;
  return (qe - qs) * m + +(rq > o0) + +(rq > o1) - +(rs > o0) - +(rs > o1);
}

/**
 * headHits() where every layer page's state is marked and has a struct page (MemMap.markedChains() knows it from the
 * layer's pages per state id: none at set_zone_contiguous, 8.36M never-initialised blocks on the 8M bundle): a block
 * in the layer has a marked head and, when it has more than its head page, a marked tail, so no mark or flag is
 * looked at, nothing is counted unmapped, and the end of the last range is kept in a local. The same stretches,
 * ranges, counts and stop as headHits() (its HEAD_IO and TAIL_OUT). A stretch is counted by fractionHits().
 *
 * Runs of blocks alike: after a block (head id h, tail id t !== h, L pages, L a multiple of the stride P and at least
 * P) whose head and tail were both written into the last range, the blocks that follow with head h, tail t and L
 * pages, each starting where the one before ends or a multiple of P past it, are taken in an inner loop: each closes
 * the tail before it and its head with the counts of the first one's tail and of a head where it ends (the stride
 * divides how far each lies past it), both written when both counts are positive (else the block loop takes them),
 * one touching the last range extending it, one past it starting a range (while q < cap). The 4.17M pageblock-sized
 * blocks of the 8M bundle come in such runs (~10 blocks a range): no stretch counted or closed one by one.
 */
function headHitsAll(
  bS: Float64Array,
  bE: Float64Array,
  bH: Int32Array,
  bT: Int32Array,
  _marks: Uint8Array,
  _fl: Uint8Array,
  b: number,
  bN: number,
  re: number,
  P: number,
  inv: number,
  o0: number,
  o1: number,
  m: number,
  S: Float64Array,
  E: Float64Array,
  q: number,
): number {
  const cap = S.length - 1;
  let cs = HEAD_IO[0]!;
  let ce = HEAD_IO[1]!;
  let cid = HEAD_IO[2]!;
  let cb = HEAD_IO[3]!;
  let cl = HEAD_IO[4]!;
  let mLast = HEAD_IO[5]!;
  let mFirst = -1;
  let met = 0;
  let uninit = 0;
  let pages = 0;
  // the end of the last range (-1: none; a stretch starting there joins it)
  let lastE = q > 0 ? E[q - 1]! : -1;
  for (; b < bN && q < cap; b++) {
    const h = bH[b]!;
    const he = bE[b]!;
    if (h < 0 || !(he < re)) break;
    const hs = bS[b]!;
    const h1 = hs + 1;
    // the head: joins the open stretch or closes it (chain()) and opens another
    if (h !== cid || hs !== ce) {
      if (cid >= 0) {
        const k = fractionHits(cs, ce, P, inv, o0, o1, m);
        if (k > 0) {
          uninit += k;
          pages += ce - cs;
          if (lastE === cs) E[q - 1] = ce;
          else {
            S[q] = cs;
            E[q++] = ce;
          }
          lastE = ce;
          if (cl >= cb) {
            if (mFirst < 0) mFirst = cb;
            if (cl > mLast) {
              met += cl - (cb > mLast ? cb : mLast + 1) + 1;
              mLast = cl;
            }
          }
        }
      }
      cs = hs;
      cid = h;
      cb = b;
    }
    ce = h1;
    cl = b;
    // the tail, when it has pages: likewise (the open stretch is of the head's id and ends at h1 now)
    if (!(he > h1)) continue;
    const t = bT[b]!;
    if (t !== cid) {
      const k = fractionHits(cs, ce, P, inv, o0, o1, m);
      if (k > 0) {
        uninit += k;
        pages += ce - cs;
        if (lastE === cs) E[q - 1] = ce;
        else {
          S[q] = cs;
          E[q++] = ce;
        }
        lastE = ce;
        // blocks cb..cl met (cb <= cl: the head of block cl came first), those past the last met counted
        if (mFirst < 0) mFirst = cb;
        if (cl > mLast) {
          met += cl - (cb > mLast ? cb : mLast + 1) + 1;
          mLast = cl;
        }
      }
      cs = h1;
      cid = t;
      cb = b;
      // head and tail both written into the last range (t is not h: cid was h), a multiple of P pages, the next block
      // of its head id: the blocks after it as it (a run). (The head written and L >= P are cheap tests first: kH > 0
      // below and L a multiple of P imply them.)
      const L = he - hs;
      if (lastE === h1 && L >= P && b + 1 < bN && bH[b + 1] === h && L * inv === Math.floor(L * inv)) {
        // this block's tail and a head where it ends: the counts of each block of the run
        const kT = fractionHits(h1, he, P, inv, o0, o1, m);
        const kH = fractionHits(he, he + 1, P, inv, o0, o1, m);
        if (kT > 0 && kH > 0) {
          // x: where the last block taken ends
          let x = he;
          let j = b + 1;
          for (; j < bN && bH[j] === h && bT[j] === t; j++) {
            const s = bS[j]!;
            if (!(bE[j] === s + L && s + L < re)) break;
            if (s !== x) {
              // past the last range's end (that tail written to x): a range of its own from its head, a multiple of
              // P past it only (its counts are the run's)
              const g = (s - x) * inv;
              if (!(g > 0 && g === Math.floor(g) && q < cap)) break;
              E[q - 1] = x;
              S[q++] = s;
            }
            x = s + L;
          }
          const r = j - b - 1;
          if (r > 0) {
            // r blocks taken, each closing the tail before it and its head (both written); the last one's tail open
            uninit += r * (kT + kH);
            pages += r * L;
            cs = x - L + 1;
            ce = x;
            E[q - 1] = cs;
            lastE = cs;
            // blocks b + 1 .. j - 1 met by their heads (b's head written: mLast is b); the open tail j - 1's
            met += r;
            mLast = j - 1;
            b = j - 1;
            cb = b;
            cl = b;
            continue;
          }
        }
      }
    }
    ce = he;
  }
  HEAD_IO[0] = cs;
  HEAD_IO[1] = ce;
  HEAD_IO[2] = cid;
  HEAD_IO[3] = cb;
  HEAD_IO[4] = cl;
  TAIL_OUT[0] = q;
  TAIL_OUT[1] = uninit;
  TAIL_OUT[2] = 0;
  TAIL_OUT[3] = pages;
  TAIL_OUT[4] = mFirst;
  TAIL_OUT[5] = mLast;
  TAIL_OUT[6] = met;
  return b;
}

/**
 * Blocks of pfns past 2^32 ([start, end, head id, tail id] from base 2^32, id -1 out of the layer) that take every
 * branch of headHitsAll() at a pageblock pattern (512, offsets 0 and 511): a head and a tail with pattern pfns, a
 * one-page head joining the one before, a tail of its head's id, stretches without a pattern pfn, ranges joining
 * the one before (closed at a head and at a tail) and apart, a stop out of the layer and one past PRIME_RE; and of
 * its runs: blocks taken touching and a multiple of 512 apart, a run ended by a gap that is not, by a head
 * of another id and by PRIME_RE, one that takes no block, a block of 600 pages (no run) and one whose last range ends
 * before its tail.
 */
const PRIME_BLOCKS = [
  [0, 512, 2, 1],
  [512, 513, 3, 1],
  [513, 514, 3, 1],
  [520, 530, 2, 2],
  [600, 601, 3, 1],
  [1023, 1024, 3, 1],
  [1030, 1100, 2, 1],
  [1536, 1537, -1, 1],
  [2048, 2060, 2, 1],
  [2559, 2560, 3, 1],
  [2560, 2600, 2, 1],
  [3072, 3584, 2, 1],
  [3584, 4096, 2, 1],
  [5120, 5632, 2, 1],
  [5632, 6144, 2, 1],
  [6200, 6712, 2, 1],
  [6712, 7224, 2, 1],
  [7680, 8192, 2, 1],
  [8200, 8712, 2, 1],
  [9216, 9816, 2, 1],
  [9816, 10416, 2, 1],
  [10752, 11264, 2, 1],
  [11264, 11776, 2, 1],
  [11776, 12288, 3, 1],
  [12288, 12800, 3, 1],
  [12800, 13312, 3, 1],
] as const;
/** PRIME_BLOCKS' re (from base 2^32): inside the last block. */
const PRIME_RE = 13000;

/**
 * A first run of headHitsAll() over PRIME_BLOCKS, before its first real one (HEAD_IO and TAIL_OUT as they were after):
 * every one of its paths taken and every pfn past 2^31, so the type feedback the optimising compiler reads when the
 * real run's 8.36M blocks (none at set_zone_contiguous) have it compile the loop holds every path and float pfns.
 * Without it the first zone's pfns (below 2^31) gave small-integer feedback and the paths first taken late none: the
 * loop was compiled, deoptimised where the pfns passed 2^31 or such a path came, run in the interpreter again and
 * compiled again, several times over.
 */
let headHitsAllPrimed = false;
/**
 * primeHeadHitsAll()'s runs that make V8 mark headHitsAll() hot (~200 here: ~4 ms, then ~15 ms of compiling on its
 * background thread) and the layer size from which MemMap.warmPatternReads() asks for them.
 */
const PRIME_HOT_RUNS = 256;
const WARM_BLOCKS = 1 << 16;
let headHitsAllHot = false;
function primeHeadHitsAll(runs = PRIME_RUNS): void {
  headHitsAllPrimed = true;
  const { n, bS, bE, bH, bT } = primeColumns(PRIME_BLOCKS);
  const none = new Uint8Array(4);
  const S = new Float64Array(n + 2);
  const E = new Float64Array(n + 2);
  // up to the block out of the layer, then on from the next one until one ends past re; a few times over (the
  // function's feedback is only kept from its first calls on: lazily allocated)
  primeRuns([HEAD_IO, TAIL_OUT], runs, () => {
    HEAD_IO[0] = 0;
    HEAD_IO[1] = 0;
    HEAD_IO[2] = -1;
    const re = PRIME_BASE + PRIME_RE;
    const b = headHitsAll(bS, bE, bH, bT, none, none, 0, n, re, 512, 1 / 512, 0, 511, 2, S, E, 0);
    headHitsAll(bS, bE, bH, bT, none, none, b + 1, n, re, 512, 1 / 512, 0, 511, 2, S, E, TAIL_OUT[0]!);
  });
}

/**
 * Blocks of pfns past 2^32 ([start, end, head id, tail id] from base 2^32, id -1 out of the layer) that take every
 * branch of tailHits() at a pageblock pattern (512, offsets 0 and 511; marks: ids 1, 3 and 4, id 1 with a struct page,
 * 4 without, 3 a head): a tail with pattern pfns written, a one-page block, an unmarked tail, an unmapped tail, a
 * mapped tail with no pattern pfn, then the stops: a block out of the layer next, a marked head next, a next block
 * past PRIME_TAIL_RE, and (with room for one range) the columns full.
 */
const PRIME_TAIL_BLOCKS = [
  [0, 512, 2, 1],
  [512, 513, 2, 1],
  [1024, 1536, 2, 0],
  [1536, 2048, 2, 4],
  [2048, 2050, 2, 1],
  [2560, 3072, 2, 1],
  [3072, 3073, -1, 0],
  [3584, 4096, 2, 1],
  [4096, 4608, 3, 1],
  [4608, 5120, 2, 1],
  [5120, 5632, 2, 1],
  [6144, 6656, 2, 1],
] as const;
/** PRIME_TAIL_BLOCKS' re (from base 2^32): inside the block before the last. */
const PRIME_TAIL_RE = 5200;

/**
 * A first run of tailHits() over PRIME_TAIL_BLOCKS, before its first real one (TAIL_OUT as it was after): every one of
 * its paths taken, its exits and the stores after its loop included, with pfns past 2^31. Without it lazy-tail's
 * set_zone_contiguous reads (4.18M tails over 8.36M blocks) had V8 compile the loop while it ran, before its exit had
 * run: each later call deoptimised there and ran in the interpreter until its loop was replaced on the stack again.
 * `runs` as primeHeadHitsAll()'s (PRIME_HOT_RUNS: compiled ahead, MemMap.warmPatternReads()).
 */
let tailHitsPrimed = false;
let tailHitsHot = false;
function primeTailHits(runs = PRIME_RUNS): void {
  tailHitsPrimed = true;
  const { n, bS, bE, bH, bT } = primeColumns(PRIME_TAIL_BLOCKS);
  const marks = Uint8Array.of(0, 1, 0, 1, 1);
  const fl = Uint8Array.of(F_MEMMAP, F_MEMMAP, F_MEMMAP, F_MEMMAP, 0);
  const S = new Float64Array(n);
  const E = new Float64Array(n);
  const one = new Float64Array(1);
  const re = PRIME_BASE + PRIME_TAIL_RE;
  primeRuns([TAIL_OUT], runs, () => {
    // stops out of the layer (block 6 next), at a marked head (block 8 next), past re (block 11 next), columns full
    let b = tailHits(bS, bE, bH, bT, marks, fl, 0, n, re, 512, 1 / 512, 0, 511, 2, S, E, 0);
    b = tailHits(bS, bE, bH, bT, marks, fl, b + 2, n, re, 512, 1 / 512, 0, 511, 2, S, E, TAIL_OUT[0]!);
    tailHits(bS, bE, bH, bT, marks, fl, b + 1, n, re, 512, 1 / 512, 0, 511, 2, S, E, TAIL_OUT[0]! | 0);
    tailHits(bS, bE, bH, bT, marks, fl, 0, n, re, 512, 1 / 512, 0, 511, 2, one, one, 0);
  });
}

/**
 * What readPattern() finds over stretches of uninitialised or unmapped pages: the pattern pfns in each (every stride-th
 * pfn at each offset) counted arithmetically, as unmapped pages or, when there are any, uninitialised ones with the
 * stretch among the ranges reported.
 */
class PatternCount {
  uninitPages = 0;
  noMapPages = 0;
  readonly uninit = new RangeAcc();
  /**
   * The blocks (of the columns given to trackBlocks()) the uninitialised ranges meet, as they are written: a tail
   * tailHits() writes is its one block, a range chain() adds the blocks a search finds (ranges come in address order:
   * a block met before is not counted again); headHits() and headHitsAll() count the blocks cb..cl of each stretch they write; -1 when not
   * tracked. check() takes it instead of counting them (src/check/kho-findings.ts: lazy-tail's set_zone_contiguous
   * reads, 4.18M tails over 8.36M blocks, a countDisjoint() pass of ~46 ms).
   */
  met = -1;
  /** The first and last block met (-1: none yet). */
  metFirst = -1;
  metLast = -1;
  private mbS: Float64Array | null = null;
  private mbE: Float64Array | null = null;
  private mbN = 0;
  /** Count the blocks the ranges meet (met), the blocks sorted and disjoint, before any range is written. */
  trackBlocks(bS: Float64Array, bE: Float64Array, bN: number): void {
    this.mbS = bS;
    this.mbE = bE;
    this.mbN = bN;
    this.met = 0;
  }
  /** Blocks [first, last] met by the next range (first > last: none). */
  private meet(first: number, last: number): void {
    if (this.met < 0 || first > last) return;
    const from = first > this.metLast ? first : this.metLast + 1;
    if (last >= from) this.met += last - from + 1;
    if (this.metFirst < 0) this.metFirst = first;
    if (last > this.metLast) this.metLast = last;
  }
  /**
   * headHits()' or headHitsAll()'s ranges written or grown: n blocks met past metLast, the first met `first` (-1: no
   * range), the last `last` (their sweep counted them from metLast on, as meet() counts).
   */
  private meetHeads(n: number, first: number, last: number): void {
    if (this.met < 0 || first < 0) return;
    this.met += n;
    if (this.metFirst < 0) this.metFirst = first;
    if (last > this.metLast) this.metLast = last;
  }
  /** m tails written, each of one block, blocks first to last ascending (tailHits()). */
  private meetTails(m: number, first: number, last: number): void {
    if (this.met < 0) return;
    // (a block met before: its tail cannot follow a range that met it; not counted, should it)
    if (first <= this.metLast) {
      this.met = -1;
      return;
    }
    this.met += m;
    if (this.metFirst < 0) this.metFirst = first;
    this.metLast = last;
  }
  private readonly offs: Float64Array;
  constructor(
    private readonly fl: Uint8Array,
    private readonly stride: number,
    offsets: readonly number[],
  ) {
    // ascending (firstHit steps through them), each below the stride (as countCongruent() takes them)
    this.offs = Float64Array.from(offsets).sort();
    // isolatedTails()'s arithmetic: x / stride exact (a power of two), one or two offsets, integers in [0, stride)
    this.fast =
      Number.isInteger(Math.log2(stride)) &&
      this.offs.length >= 1 &&
      this.offs.length <= 2 &&
      this.offs.every((o) => Number.isInteger(o) && o >= 0 && o < stride);
    // one or two offsets (a second one at the stride counts nothing: x mod P is below it)
    this.o0 = this.offs[0] ?? 0;
    this.o1 = this.offs.length > 1 ? this.offs[1]! : stride;
  }
  private readonly fast: boolean;
  /** patternHits()' offsets (fast strides only). */
  private readonly o0: number;
  private readonly o1: number;

  /** The pattern pfns in [s, e) (offsets distinct): countCongruent() summed over the offsets. */
  count(s: number, e: number): number {
    if (!(e > s)) return 0;
    const P = this.stride;
    const offs = this.offs;
    let k = 0;
    for (let j = 0; j < offs.length; j++) {
      const o = offs[j]!;
      k += (e <= o ? 0 : Math.floor((e - 1 - o) / P) + 1) - (s <= o ? 0 : Math.floor((s - 1 - o) / P) + 1);
    }
    return k;
  }

  // the first pattern pfn at or after the last stretch's start: base + offs[hitJ] (offsets ascending), stepped on
  // from stretch to stretch (they come in address order, mostly a pageblock or two apart), found by a division only
  // after a long step or a stretch before the last
  private hitFrom = Infinity;
  private hitBase = 0;
  private hitJ = 0;

  /** The first pattern pfn at or after s. */
  private firstHit(s: number): number {
    const offs = this.offs;
    const P = this.stride;
    let base = this.hitBase;
    let j = this.hitJ;
    if (s >= this.hitFrom) {
      for (let steps = 0; base + offs[j]! < s; steps++) {
        if (steps === 8) return this.hitByDivision(s);
        if (++j === offs.length) {
          j = 0;
          base += P;
        }
      }
      this.hitFrom = s;
      this.hitBase = base;
      this.hitJ = j;
      return base + offs[j]!;
    }
    return this.hitByDivision(s);
  }

  private hitByDivision(s: number): number {
    const offs = this.offs;
    const P = this.stride;
    let base = Math.floor(s / P) * P;
    let j = 0;
    while (base + offs[j]! < s) {
      if (++j === offs.length) {
        j = 0;
        base += P;
      }
    }
    this.hitFrom = s;
    this.hitBase = base;
    this.hitJ = j;
    return base + offs[j]!;
  }

  /**
   * MemMap.markedChains()'s loop over the layer blocks inside an unmarked run ending at re (within limitPfn), from
   * block b on: while block b and the next are in the layer with unmarked heads and the next starts before re, block
   * b's tail [bS[b] + 1, bE[b]), when it has pages and a marked id, is a stretch of its own (the unmarked head before
   * it and the next one after, with only the run's unmarked pages between, part it from any other): chain() of it.
   * Returns the first block not taken (the caller's loop takes it: its tail may join what follows). A block of a
   * zone that lazy-tail left with an uninitialised tail costs a few loads and no call: with a power-of-two stride the
   * count is two floors of exact products (floor(x / P) + the offsets below x mod P, for s and e: count()'s sum).
   */
  isolatedTails(
    bS: Float64Array,
    bE: Float64Array,
    bH: Int32Array,
    bT: Int32Array,
    marks: Uint8Array,
    b: number,
    bN: number,
    re: number,
    end: number,
  ): number {
    if (!this.fast) {
      for (; b + 1 < bN; b++) {
        const h = bH[b + 1]!;
        if (h < 0 || marks[h] || !(bS[b + 1]! < re)) break;
        const s = bS[b]! + 1;
        const e = bE[b]!;
        const t = bT[b]!;
        if (e > s && marks[t]) this.chain(s, e, t);
      }
      return b;
    }
    // room for 4096 more at first; when they fill, for a range per block starting before `end` (a tail each at most:
    // taken once for the zone's stretches, no copy as more come; add()'s doubling leaves as much unused), twice the
    // ranges should they fill all the same
    if (!tailHitsPrimed) primeTailHits();
    return this.hits(tailHits, bS, bE, bH, bT, marks, b, bN, re, 0, end);
  }

  /**
   * MemMap.markedChains()' loop over the layer blocks inside an unmarked run ending at re, from block b on, while a
   * block has a marked head and ends before re (never-initialised heads and tails: none and zone-walk at
   * set_zone_contiguous, 8M blocks of the 8M bundle): the stretches chained as the loop chains them, with the open
   * stretch (cs, ce, cid) in HEAD_IO in and out, counted by headHits() with no call per stretch (the arithmetic of
   * isolatedTails()). Returns the first block not taken, b itself when the stride or offsets are not for the counting
   * (the caller's loop takes it).
   */
  markedHeads(
    bS: Float64Array,
    bE: Float64Array,
    bH: Int32Array,
    bT: Int32Array,
    marks: Uint8Array,
    b: number,
    bN: number,
    re: number,
    all = false,
  ): number {
    if (!this.fast) return b;
    // room for as many again when they fill (a stretch joins many blocks: none's 8M blocks at set_zone_contiguous make
    // 433K); a row kept free (headHits() may close the open stretch and open another in one block). `all`: every
    // layer page's state marked and with a struct page (headHitsAll())
    // (the open stretch, which the loop may close first, may be a run's: unmapped pages then, which it would not count)
    const cid = HEAD_IO[2]!;
    if (all && cid >= 0 && !(this.fl[cid]! & F_MEMMAP)) all = false;
    if (all && !headHitsAllPrimed) primeHeadHitsAll();
    // the open stretch's first and last block, for the blocks met (a search each: once a call)
    if (cid >= 0 && this.met >= 0 && this.mbS !== null) {
      HEAD_IO[3] = upperBound(this.mbE!, HEAD_IO[0]!, 0, this.mbN);
      HEAD_IO[4] = lowerBound(this.mbS, HEAD_IO[1]!, 0, this.mbN) - 1;
    }
    return this.hits(all ? headHitsAll : headHits, bS, bE, bH, bT, marks, b, bN, re, 1, null);
  }

  /**
   * A counting loop (tailHits() or headHits(), fast strides only) from block b on, its hits straight into the ranges'
   * columns and its counts added here, run again with more room while it stops with the columns full (less than
   * `slack` + 1 rows free): room for 4096 at first, then for a range per block starting before `end`, or (end null)
   * as many as it wrote. Returns the first block not taken.
   */
  private hits(
    loop: typeof tailHits,
    bS: Float64Array,
    bE: Float64Array,
    bH: Int32Array,
    bT: Int32Array,
    marks: Uint8Array,
    b: number,
    bN: number,
    re: number,
    slack: number,
    end: number | null,
  ): number {
    const P = this.stride;
    const m = this.offs.length;
    const acc = this.uninit;
    let more = 4096;
    for (;;) {
      const c = acc.appendCols(more);
      HEAD_IO[5] = this.metLast;
      // (q a small integer whatever the column's count was stored as: the loops' feedback primed so)
      b = loop(
        bS,
        bE,
        bH,
        bT,
        marks,
        this.fl,
        b,
        bN,
        re,
        P,
        1 / P,
        this.o0,
        this.o1,
        m,
        c.start,
        c.end,
        c.n | 0,
      );
      const q = TAIL_OUT[0]!;
      if (loop !== tailHits) this.meetHeads(TAIL_OUT[6]!, TAIL_OUT[4]!, TAIL_OUT[5]!);
      else if (q > c.n) this.meetTails(q - c.n, TAIL_OUT[4]!, TAIL_OUT[5]!);
      acc.appended(q, TAIL_OUT[3]!);
      this.uninitPages += TAIL_OUT[1]!;
      this.noMapPages += TAIL_OUT[2]!;
      if (q < c.start.length - slack) return b;
      more = Math.max(q, end === null ? 4096 : firstStartAtOrAbove(bS, b, bN, end) - b);
    }
  }

  /** A stretch [s, e) of pages of state id. */
  chain(s: number, e: number, id: number): void {
    // no pattern pfn in it: nothing read there
    if (!(e > this.firstHit(s))) return;
    const k = this.count(s, e);
    if (!(this.fl[id]! & F_MEMMAP)) this.noMapPages += k;
    else if (k > 0) {
      this.uninitPages += k;
      this.uninit.add(s, e);
      const bS = this.mbS;
      if (bS !== null && this.met >= 0) {
        // the first block ending past s, the last starting before e
        this.meet(upperBound(this.mbE!, s, 0, this.mbN), lowerBound(bS, e, 0, this.mbN) - 1);
      }
    }
  }
}

/**
 * The pfn column a read event's uninitialised ranges were read from, by the ranges' object (MemMap.readPages(): every
 * page of them is one of its pfns): check() counts the preserved blocks such ranges meet without a search when the
 * pfns are the blocks' own heads (src/check/kho-findings.ts BlockIndex.headPages).
 */
const pagesFrom = new WeakMap<object, ArrayLike<number>>();

/**
 * Read events' uninitialised ranges known normalized (sorted, non-empty, disjoint, not touching) by how readPages()
 * made them: single pages of strictly ascending pfns, each joining the range before it where it touches it (RangeAcc
 * add() and addPoints()), so a range starts past the end of the one before. check() takes them as they are, with no
 * isNormalized() pass (the `none` strategy's kho_restore read of the 8.36M heads: 6.8M ranges).
 */
const normalizedReads = new WeakSet<object>();

/** `strict`: the pfns ascend strictly (the layer's own heads, or pfns found so). */
function readFrom(cols: EventRanges, pfns: ArrayLike<number>, strict = false): EventRanges {
  // (point ranges are never empty: their count is not made here)
  if (pointStretchesOf(cols) !== undefined || cols.n) {
    pagesFrom.set(cols, pfns);
    if (strict) normalizedReads.add(cols);
  }
  return cols;
}

/**
 * Whether an event's ranges are normalized by how readPages() made them (normalizedReads), or as single pages of a
 * strictly ascending pfn column kept as its stretches (RangeAcc, src/core/point-ranges.ts).
 */
export function readNormalized(ranges: object): boolean {
  return normalizedReads.has(ranges) || pointStretchesOf(ranges) !== undefined;
}

/**
 * The blocks a pattern read's uninitialised ranges meet, counted by the sweep that wrote them (readPattern(),
 * PatternCount.met): the blocks' start column, how many, and the first and last met (block positions).
 */
export interface BlocksMet {
  readonly starts: Float64Array;
  readonly n: number;
  readonly first: number;
  readonly last: number;
}
const blocksMetByRead = new WeakMap<object, BlocksMet>();

/** The blocks an event's ranges meet as the read that made them counted them (BlocksMet), undefined when not. */
export function readBlocksMet(ranges: object): BlocksMet | undefined {
  return blocksMetByRead.get(ranges);
}

/**
 * The blocks (of the start column `starts`) the ranges of several reads meet together, from the counts their sweeps
 * made (readBlocksMet): the reads in address order, each one's first block at or past the one before's last (a block
 * across the boundary of two reads' windows, a zone's, is met by both: counted once), or -1 when a read has no count,
 * another column, or comes before the one before it.
 */
export function readBlocksMetAll(views: readonly object[], starts: Float64Array): number {
  let n = 0;
  let last = -1;
  for (const v of views) {
    const m = blocksMetByRead.get(v);
    if (!m || m.starts !== starts || m.first < last) return -1;
    n += m.first === last ? m.n - 1 : m.n;
    last = m.last;
  }
  return n;
}

/** The pfns every page of an event's ranges is one of (readPages()' column), undefined when not known. */
export function readFromPfns(ranges: object): ArrayLike<number> | undefined {
  return pagesFrom.get(ranges);
}

/** Positions in a column, ascending and distinct: at[k] for k < n. */
export interface Positions {
  readonly at: ArrayLike<number>;
  readonly n: number;
}

/** The values of xs but at the given positions, in order. */
function without(xs: ArrayLike<number>, except: Positions): Float64Array {
  const out = new Float64Array(xs.length);
  let m = 0;
  let k = 0;
  for (let i = 0; i < xs.length; i++) {
    if (k < except.n && except.at[k] === i) {
      k++;
      continue;
    }
    out[m++] = xs[i]!;
  }
  return out.subarray(0, m);
}

/** The first position of [0, n) that `except` does not list (n if none). */
function firstKept(except: Positions, n: number): number {
  let i = 0;
  for (let k = 0; k < except.n && except.at[k] === i && i < n; k++) i++;
  return i;
}

/** The last position of [0, n) that `except` does not list (-1 if none). */
function lastKept(except: Positions, n: number): number {
  let i = n - 1;
  for (let k = except.n - 1; k >= 0 && except.at[k] === i && i >= 0; k--) i--;
  return i;
}

/** Keys (KHO orders) per head state in MemMap.headsOp()'s table of new states; any other key calls the function. */
const HEAD_KEYS = 64;

/**
 * kho_restore()'s verdict on each block, taken in the pass that clears the heads it restores
 * (MemMap.clearRestoredKhoHeads): a head in a state that passes with its block's order is cleared, any other block
 * is asked of decide(), in block order.
 */
export interface KhoHeadVerdict {
  /** By state id (the map's ids as the pass starts): the order a head in that state passes with, -1 when refused. */
  readonly passOrder: Float64Array;
  /** The blocks' orders, by position. */
  readonly orders: ArrayLike<number>;
  /** Positions (ascending) the pass takes no head of without asking decide() (blocks of a kind not restored). */
  readonly stops: Positions;
  /**
   * The verdict on block i whose head does not pass (its state id, -1 out of the layer: the caller reads that one) or
   * that is a stop: true when it is restored all the same (cleared, and read), false when it is left.
   */
  decide(i: number, id: number): boolean;
}

/** MemMap.headsOp()'s first and last block taken under a verdict, -1 when none. */
const VERDICT_TAKEN = new Float64Array(2);

/** Blocks per entry of the layer's prefix sums (MemMap.layerPrefix). */
const PREFIX_STEP = 64;

/** The first block from i on (starts ascending) starting at or above pfn, or n: steps ahead by doubling, then a search. */
function firstStartAtOrAbove(S: Float64Array, i: number, n: number, pfn: number): number {
  let lo = i;
  let step = 1;
  let hi = i;
  while (hi < n && S[hi]! < pfn) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (S[mid]! < pfn) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pages of blocks [i, k): the sum of their lengths (whole numbers, so in any order the same). */
function pagesOf(S: Float64Array, E: Float64Array, i: number, k: number): number {
  let p = 0;
  for (let b = i; b < k; b++) p += E[b]! - S[b]!;
  return p;
}

/** prefixTo()'s cursor: the blocks summed so far [0, PREFIX_AT[0]), their layer pages, the next prefix entry to fill. */
const PREFIX_AT = new Float64Array(3);

/**
 * MemMap.attachSortedDisjoint()'s layer prefix (layerPrefix()'s entries) brought from block PREFIX_AT[0] up to block
 * `to`: the blocks between counted (`live`: their pages, else none: out of the layer), and each entry pre[j] whose
 * block j * step is passed or reached set to the pages before it.
 */
function prefixTo(
  pre: Float64Array,
  step: number,
  S: Float64Array,
  E: Float64Array,
  to: number,
  live: boolean,
): void {
  let at = PREFIX_AT[0]!;
  let sum = PREFIX_AT[1]!;
  let j = PREFIX_AT[2]!;
  for (; j < pre.length && j * step <= to; j++) {
    const b = j * step;
    if (live) sum += pagesOf(S, E, at, b);
    at = b;
    pre[j] = sum;
  }
  if (live) sum += pagesOf(S, E, at, to);
  PREFIX_AT[0] = to;
  PREFIX_AT[1] = sum;
  PREFIX_AT[2] = j;
}

/** A number per column object attachBlocks() was given, so a map (and its copies) can tell the same columns again. */
const COLUMN_KEYS = new WeakMap<object, number>();
let nextColumnKey = 1;
function columnKey(a: ArrayLike<number>): number {
  let k = COLUMN_KEYS.get(a);
  if (k === undefined) COLUMN_KEYS.set(a, (k = nextColumnKey++));
  return k;
}

export class MemMap {
  readonly limitPfn: number;
  readonly events: PageEvent[] = [];
  private seq = 0;
  // Columnar runs (DESIGN.md: large sets are typed arrays): run i covers [starts[i], starts[i + 1]) (the last
  // ends at limitPfn) and has state states[ids[i]]. States are interned, so equal states have equal ids and
  // runs are kept maximal: no two neighbours share an id.
  private starts: Float64Array;
  private ids: Int32Array;
  private n = 0;
  // output buffers of the merge pass, reused across operations
  private outStarts: Float64Array = new Float64Array(16);
  private outIds: Int32Array = new Int32Array(16);
  private readonly states: PageState[] = [];
  private readonly stateIds = new Map<string, number>();
  // per state id, what the sweeps test (F_* bits) and the node and zone: read without an object per piece
  private flags = new Uint8Array(64);
  private idNid = new Float64Array(64);
  private idZid = new Float64Array(64);
  /** The sweep of the operations that take no callback (one at a time; scans with callbacks make their own). */
  private readonly sw = new Sweep();

  /** Operations over the layer blocks in one pass (sweepOp); off: tally() then applyIds(), for tests. */
  private readonly onePassOn: boolean;
  /** Blocks per entry of layerPrefix() (PREFIX_STEP; tests take a few, so a small layer has several entries). */
  private readonly prefixStep: number;

  /**
   * Pages in `present` ranges have a struct page (uninitialised); the rest of [0, limitPfn) has none. `onePass`
   * false: every operation takes the general path (tests compare the two).
   */
  constructor(
    present: readonly Range[],
    limitPfn: number,
    options: { readonly onePass?: boolean; readonly prefixStep?: number } = {},
  ) {
    this.limitPfn = limitPfn;
    this.onePassOn = options.onePass ?? true;
    this.prefixStep = options.prefixStep ?? PREFIX_STEP;
    const noMap = this.intern(NO_MEMMAP);
    const uninit = this.intern(UNINIT);
    this.starts = new Float64Array(Math.max(16, 2 * present.length + 2));
    this.ids = new Int32Array(this.starts.length);
    let cur = 0;
    for (const r of present) {
      const s = Math.max(r.start, cur);
      const e = Math.min(r.end, limitPfn);
      if (e <= s) continue;
      if (s > cur) this.pushRun(cur, noMap);
      this.pushRun(s, uninit);
      cur = e;
    }
    if (cur < limitPfn) this.pushRun(cur, noMap);
  }

  private pushRun(start: number, id: number): void {
    if (this.n > 0 && this.ids[this.n - 1] === id) return;
    this.starts[this.n] = start;
    this.ids[this.n] = id;
    this.n++;
  }

  /** The id of a state with st's contents (st itself is kept the first time). */
  private intern(st: PageState): number {
    const k = stateKey(st);
    let id = this.stateIds.get(k);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(st);
      this.stateIds.set(k, id);
      if (id >= this.flags.length) {
        const grow = <A extends Uint8Array | Float64Array>(a: A, make: (m: number) => A): A => {
          const c = make(a.length * 2);
          c.set(a);
          return c;
        };
        this.flags = grow(this.flags, (m) => new Uint8Array(m));
        this.idNid = grow(this.idNid, (m) => new Float64Array(m));
        this.idZid = grow(this.idZid, (m) => new Float64Array(m));
        this.blkPages = grow(this.blkPages, (m) => new Float64Array(m));
      }
      this.flags[id] =
        (st.memmap ? F_MEMMAP : 0) | (st.initCount > 0 ? F_INIT : 0) | (st.khoOrder >= 0 ? F_KHO : 0);
      this.idNid[id] = st.nid;
      this.idZid[id] = st.zid;
    }
    return id;
  }

  get runCount(): number {
    return this.n;
  }

  private runEnd(i: number): number {
    return i + 1 < this.n ? this.starts[i + 1]! : this.limitPfn;
  }

  /** Index of the run holding pfn (pfn < limitPfn). */
  private find(pfn: number): number {
    return runHolding(this.starts, this.n, pfn);
  }

  /** Visit the runs clipped to [start, end) (maximal: neighbours differ, preserved blocks included). */
  scan(start: number, end: number, cb: (s: number, e: number, st: PageState) => void): void {
    const states = this.states;
    this.walkEach({ S: [start], E: [end], n: 1 }, (s, e, id) => cb(s, e, states[id]!));
  }

  /** this.sw (or another sweep) over the map as it is now, from the walk cursors. */
  private bindSweep<T extends Sweep>(sw: T, skipLayer = this.onePassOn): T {
    if (this.hollowH !== null || this.hollowT !== null)
      throw new InternalError('a memmap holding its block layer as runs was read before it was made whole');
    return sw.bind(
      this.starts,
      this.ids,
      this.n,
      this.limitPfn,
      this.blockCols(),
      this.wi,
      this.wb,
      skipLayer,
    );
  }

  /**
   * The block layer's columns will be walked again (a copy of the map per strategy, src/sim/fork.ts forkContext, each
   * writing and checking every block): their shape (BlockShape) is made now, once for every copy, so that those walks
   * read a byte a block instead of its bounds (a single replay walks them once or twice, and makes none).
   */
  noteBlockShape(): void {
    if (this.bN > 0 && this.aligned) makeBlockShape(this.bS, this.bE, this.bN);
  }

  /**
   * src/sim/fork.ts: the layer's two state-id columns (heads bH, tails bT: a column a copy takes or keeps as runs) and,
   * for each, its runs while the map holds it hollow (the column is then an empty placeholder); null with no blocks.
   */
  layerIds(): {
    readonly H: Int32Array<ArrayBuffer>;
    readonly T: Int32Array<ArrayBuffer>;
    readonly runsH: IdRuns | null;
    readonly runsT: IdRuns | null;
    readonly n: number;
  } | null {
    if (this.bN === 0) return null;
    return { H: this.bH, T: this.bT, runsH: this.hollowH, runsT: this.hollowT, n: this.bN };
  }

  /**
   * src/sim/fork.ts: the layer's id columns replaced by H and T (the same ids, block for block: a copy of them, the
   * columns themselves, or a placeholder of no length for one held hollow as `runsH` / `runsT`). A map with a hollow
   * column must be made whole again (solid()) before any other operation: only forkContext() reads it.
   */
  setLayerIds(
    H: Int32Array<ArrayBuffer>,
    T: Int32Array<ArrayBuffer>,
    runsH: IdRuns | null,
    runsT: IdRuns | null,
  ): void {
    const d = this.deadOf;
    if (d && d.bH === this.bH) this.deadOf = { ...d, bH: H };
    this.bH = H;
    this.bT = T;
    // the sweep's columns: the new ones (it must not hold a column handed to a copy)
    this.hollowH = this.hollowT = null;
    this.bindSweep(this.sw);
    this.hollowH = runsH;
    this.hollowT = runsT;
  }

  /** The map holds a layer column as runs (setLayerIds()): it is to be made whole before it is read. */
  get hollow(): boolean {
    return this.hollowH !== null || this.hollowT !== null;
  }

  private blockCols(): {
    S: Float64Array;
    E: Float64Array;
    H: Int32Array;
    T: Int32Array;
    P: Float64Array;
    n: number;
    live: number;
  } {
    return { S: this.bS, E: this.bE, H: this.bH, T: this.bT, P: this.blkPages, n: this.bN, live: this.live };
  }

  /** Keep a sweep's cursors for the next walk or lookup. */
  private endSweep(sw: Sweep): void {
    this.wi = sw.i;
    this.wb = sw.b;
  }

  /** The background run holding pfn (< limitPfn), a few steps on from the walk cursor, else a binary search. */
  private seekBg(pfn: number): number {
    const starts = this.starts;
    let i = this.wi < this.n ? this.wi : 0;
    if (starts[i]! > pfn) return this.find(pfn);
    for (let steps = 0; i + 1 < this.n && starts[i + 1]! <= pfn; steps++) {
      if (steps === 16) return this.find(pfn);
      i++;
    }
    return i;
  }

  /** The first block (evicted or not) ending after pfn, from the walk cursor or by binary search. */
  private seekBlock(pfn: number): number {
    const bE = this.bE;
    let b = this.wb <= this.bN ? this.wb : 0;
    if (b > 0 && bE[b - 1]! > pfn) return this.firstBlockEndingAfter(pfn);
    for (let steps = 0; b < this.bN && bE[b]! <= pfn; steps++) {
      if (steps === 16) return this.firstBlockEndingAfter(pfn);
      b++;
    }
    return b;
  }

  private firstBlockEndingAfter(pfn: number): number {
    return blockEndingAfter(this.bE, this.bN, pfn);
  }

  /** scan() of each range in turn (same callbacks, same order; k is the range's index). */
  private scanEach(rs: Cols, cb: (s: number, e: number, st: PageState, k: number) => void): void {
    const states = this.states;
    this.walkEach(rs, (s, e, id, k) => cb(s, e, states[id]!, k));
  }

  /**
   * The runs of each range [S[k], E[k]) in turn as the pages see them (the block layer over the background runs),
   * maximal (equal neighbours merged), by state id, with the range's index k; pages past limitPfn come last in
   * their range as NO_MEMMAP. One sweep (its own, so a callback may look at the map) whose cursors carry over from
   * range to range: ranges in ascending order cost one pass, a range starting before the last searches again.
   */
  private walkEach(rs: Cols, cb: (s: number, e: number, id: number, k: number) => void): void {
    const { S, E, n: R } = rs;
    const limit = this.limitPfn;
    const sw = this.bindSweep(new Sweep());
    // a range that is a layer block, whole (a check's sweep over the preserved blocks), is its head and its tail
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bN = this.live > 0 ? this.bN : 0;
    let fb = 0;
    for (let k = 0; k < R; k++) {
      const start = S[k]!;
      const end = E[k]!;
      if (bN && start < end) {
        fb = seekBlockEndingAfter(bE, bN, fb, start);
        if (fb < bN && bS[fb] === start && bE[fb] === end && bH[fb]! >= 0) {
          const h = bH[fb]!;
          const t = this.bT[fb]!;
          if (end === start + 1 || h === t) cb(start, end, h, k);
          else {
            cb(start, start + 1, h, k);
            cb(start + 1, end, t, k);
          }
          continue;
        }
      }
      sw.range(start, end);
      let ps = start;
      let pe = start;
      let pid = -1;
      while (sw.next()) {
        if (sw.id !== pid) {
          if (pid >= 0) cb(ps, pe, pid, k);
          ps = sw.s;
          pid = sw.id;
        }
        pe = sw.e;
      }
      if (pid >= 0) cb(ps, pe, pid, k);
      if (end > limit) cb(Math.max(start, limit), end, NO_MEMMAP_ID, k);
    }
    this.endSweep(sw);
  }

  /**
   * scan() of each range [start[k], end[k]) in turn, in one sweep when they are in ascending order (k is the
   * range's index): the sweeps of a check over a million preserved blocks.
   */
  scanRanges(rs: RangeColumns, cb: (s: number, e: number, st: PageState, k: number) => void): void {
    this.scanEach({ S: rs.start, E: rs.end, n: rs.n }, cb);
  }

  /** `rs` is the layer's own block columns (block k is range k): markedRuns() reads the blocks without a search. */
  private isLayer(rs: { readonly start: Float64Array; readonly end: Float64Array }): boolean {
    const S = rs.start;
    const E = rs.end;
    const bE = this.bE;
    const bN = this.live > 0 ? this.bN : 0;
    return (
      bN > 0 &&
      this.aligned &&
      this.heads === S &&
      bN === S.length &&
      bE.buffer === E.buffer &&
      bE.byteOffset === E.byteOffset &&
      E.length === bN
    );
  }

  /**
   * Two sweeps of markedRuns() over the layer's own block columns rs looked at in one pass (check()'s: the end state's
   * over every block, under `marks`, and the identities' over pieces of them, each [k0, k1) under its own marks; src/
   * check/kho-findings.ts): the blocks where markedRuns()' look over blocks showing nothing marked (firstMarkedBlock())
   * stops, for the one sweep (`all`) and for the pieces (`pieces`, ascending), found by one such look under both marks
   * at once. Given to markedRuns() as `stops`, it steps from one to the next instead of looking at every block again:
   * the same blocks (firstMarkedBlock(k) is the first stop at or after k). The map must not change in between. null
   * (nothing gained) when rs is not the layer's columns, when either sweep steps over the blocks out of the layer
   * only (no layer page in a state it marks), when the pieces are not ascending and disjoint, or when more than `cap`
   * blocks stop (a strategy that leaves most blocks never initialised).
   */
  markedStops(
    rs: { readonly start: Float64Array; readonly end: Float64Array; readonly n: number },
    marks: Uint8Array,
    pieces: readonly { readonly marks: Uint8Array; readonly k0: number; readonly k1: number }[],
    cap = Math.max(1024, rs.n >> 6),
  ): { readonly all: Int32Array; readonly pieces: Int32Array } | null {
    if (!this.isLayer(rs) || !pieces.length) return null;
    const P = this.blkPages;
    if (!marksLayerPage(marks, P) || !pieces.some((p) => marksLayerPage(p.marks, P))) return null;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (!(p.k0 < p.k1 && p.k0 >= (i ? pieces[i - 1]!.k1 : 0) && p.k1 <= rs.n)) return null;
    }
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bT = this.bT;
    const n = rs.n;
    warmFirstMarkedBlock(n);
    // the two marks together, by the pieces' marks (a few pairs of node and zone)
    const both = new Map<Uint8Array, Uint8Array>();
    const all: number[] = [];
    const inPieces: number[] = [];
    let pi = 0;
    for (let k = 0; k < n;) {
      while (pi < pieces.length && pieces[pi]!.k1 <= k) pi++;
      const p = pi < pieces.length && pieces[pi]!.k0 <= k ? pieces[pi]! : null;
      const end = p ? p.k1 : pi < pieces.length ? pieces[pi]!.k0 : n;
      let m = marks;
      if (p) {
        let mb = both.get(p.marks);
        if (!mb) {
          const pm = p.marks;
          mb = new Uint8Array(Math.max(marks.length, pm.length));
          for (let id = 0; id < mb.length; id++) mb[id] = (marks[id] ?? 0) | (pm[id] ?? 0);
          both.set(pm, mb);
        }
        m = mb;
      }
      k = firstMarkedBlock(bS, bE, bH, bT, m, k | 0, end | 0);
      if (k >= end) {
        k = end;
        continue;
      }
      const h = bH[k]!;
      const t = bT[k]!;
      const tail = bE[k]! > bS[k]! + 1;
      if (h < 0 || marks[h] || (tail && marks[t])) all.push(k);
      if (p && (h < 0 || p.marks[h] || (tail && p.marks[t]))) inPieces.push(k);
      if (all.length + inPieces.length > cap) return null;
      k++;
    }
    return { all: Int32Array.from(all), pieces: Int32Array.from(inPieces) };
  }

  /**
   * The marked pages of ranges k0 <= k < k1 of rs (sorted by start, non-empty, disjoint; they may touch): cb(s, e,
   * st) for each maximal run of pages of one state id that marks[id] marks, within the union of the ranges, in
   * address order (pages past limitPfn left out). What a PageReader gives range by range with next(marks) over the
   * ranges merged where they touch, its pieces merged where one continues the one before with the same id (a
   * check's sweep over a million preserved blocks for the few wrong pages, src/check/kho-findings.ts). A range that
   * is a layer block whole is read from its head and tail ids; when the layer is these very columns (attached from
   * them, aligned), a block whose head and tail are unmarked costs a load or three in a loop of its own.
   * `join` (a subset of marks, by state id): a run of a joined id that another of a joined id continues is one run
   * with it, handed to cb with the first one's state (a check that reports the ids alike: a million blocks whose
   * never-initialised heads and tails touch are a few runs, the blocks that continue one stepped over in a loop of
   * their own). `sink` (with `join`, a joining one): the runs of joined ids pushed to it instead of handed to cb (the
   * other runs to cb, in the same order); over the layer's own columns, the blocks whose head and tail are of joined
   * ids written to its columns in a loop of their own (joinedBlocks()).
   * `counted` (by state id, every joined id among them): returns how many of the ranges k0 <= k < k1 hold a page of a
   * counted id that the runs hold (a block whose head or tail is, a range of the general sweep with such a piece), -1
   * without `counted` or with a joined id it leaves out: with the ranges disjoint, the ranges that the runs of the
   * counted ids meet (check()'s blocks of a finding made of those runs, without a count over its ranges after). The
   * blocks that joinedBlocks() takes are counted by how many it took, those that continuingBlocks() takes all or none.
   * `stops` (over the layer's own columns, from markedStops() with these marks since the map last changed): the blocks
   * the look over blocks showing nothing marked stops at, stepped from one to the next instead of that look.
   */
  markedRuns(
    rs: { readonly start: Float64Array; readonly end: Float64Array; readonly n: number },
    marks: Uint8Array,
    cb: (s: number, e: number, st: PageState) => void,
    k0 = 0,
    k1 = rs.n,
    join: Uint8Array | null = null,
    sink: RunSink | null = null,
    counted: Uint8Array | null = null,
    stops: Int32Array | null = null,
  ): number {
    const S = rs.start;
    const E = rs.end;
    const states = this.states;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bT = this.bT;
    const bN = this.live > 0 ? this.bN : 0;
    // layer block k is range k (the same columns): no search for the block
    const same = this.isLayer(rs);
    // no layer page in a marked state (the layer's pages per state id): only the blocks out of the layer, whose
    // pages the runs hold, can show one, and the loop steps from one to the next (dead, ascending) instead of
    // looking at every block
    let dead: readonly number[] | null = null;
    let di = 0;
    // (stops: the first one at or after k0, searched once)
    let si = -1;
    if (same) {
      if (!marksLayerPage(marks, this.blkPages)) dead = this.deadBlocks();
    }
    let sw: Sweep | null = null;
    let b = 0;
    // the run being built: [ps, pe) of id pid (-1: none). A piece [s, e) of id continues it when id === pid and
    // s === pe, else the run is handed to cb and the piece starts the next one: written out at each of the three
    // places below, in locals (a closure over them kept them in a heap context: a load and a store each, per piece
    // of a million marked blocks)
    let ps = 0;
    let pe = 0;
    let pid = -1;
    // (no join: none joined, as many entries as marks)
    const jn = join ?? new Uint8Array(marks.length);
    // the ranges holding a page of a counted id, when every joined id is counted (-1: not counted)
    let met = counted === null ? -1 : 0;
    for (let id = 0; id < jn.length && met === 0; id++) if (jn[id] === 1 && counted![id] !== 1) met = -1;
    const cm = met === 0 ? counted! : null;
    // the runs of joined ids to the sink (when it joins as joinedBlocks() writes), the others to cb
    const toSink = sink !== null && join !== null && sink.join;
    const out = (s: number, e: number, id: number): void => {
      if (toSink && jn[id] === 1) sink.push(s, e);
      else cb(s, e, states[id]!);
    };
    // joined and marked, by state id (joinedBlocks())
    let jm: Uint8Array | null = null;
    // every layer page's state joined and marked (the layer's pages per state id): every layer block continues or
    // starts a run of joined ids, and the blocks up to the next one out of the layer are taken with no look at their
    // ids (touchingBlocks(); none's check: the 8.36M never-initialised blocks), else block by block (joinedBlocks())
    let allJm: readonly number[] | null = null;
    let dj = 0;
    if (toSink && same) {
      jm = new Uint8Array(jn.length);
      for (let id = 0; id < jn.length; id++) jm[id] = jn[id] === 1 && marks[id] ? 1 : 0;
      const P = this.blkPages;
      let all = true;
      for (let id = 0; id < P.length && all; id++)
        if (P[id]! > 0 && !(id < jm.length && jm[id] === 1)) all = false;
      if (all) allJm = this.deadBlocks();
    }
    for (let k = k0; k < k1; k++) {
      if (jm !== null && pid >= 0 && jn[pid] === 1) {
        // the blocks from k on that continue the open run of a joined id or start the next one, into the sink's columns
        // (room for as many again when they fill)
        JOIN_IO[0] = ps;
        JOIN_IO[1] = pe;
        for (;;) {
          let j: number;
          if (allJm) {
            // up to the next block out of the layer
            while (dj < allJm.length && allJm[dj]! < k) dj++;
            const kd = dj < allJm.length && allJm[dj]! < k1 ? allJm[dj]! : k1;
            if (sink!.stretch && kd > k) {
              // the open run, then blocks k .. kd - 2 as a stretch of the columns, the last one the open run now (its
              // start a block's: the run it is part of is joined with the stretch's when they touch)
              sink!.push(JOIN_IO[0]!, JOIN_IO[1]!);
              if (kd - 1 > k) sink!.stretch(S, E, k, kd - 1);
              JOIN_IO[0] = S[kd - 1]!;
              JOIN_IO[1] = E[kd - 1]!;
              if (cm) met += kd - k;
              k = kd;
              break;
            }
            if (!touchingPrimed) primeTouchingBlocks();
            // (the counts as small integers: a row count kept as a float had the loop deoptimised on its last call)
            j = touchingBlocks(S, E, k | 0, kd | 0, sink!.start, sink!.end, sink!.n | 0);
          } else j = joinedBlocks(S, E, bH, bT, jm, k, k1, sink!.start, sink!.end, sink!.n);
          // (every block it took: a joined head, and a joined tail or none)
          if (cm) met += j - k;
          const q = JOIN_IO[2]!;
          sink!.n = q;
          if (JOIN_IO[3]) sink!.sorted = false;
          k = j;
          if (q < sink!.start.length) break;
          sink!.room(Math.max(q, 16));
        }
        ps = JOIN_IO[0]!;
        pe = JOIN_IO[1]!;
        if (k >= k1) break;
      }
      if (same && pid >= 0 && S[k] === pe) {
        // the blocks that continue the run, whole
        const j = continuingBlocks(S, E, bH, bT, jn, pid, k, k1, pe);
        // (their heads and tails of id pid or, pid joined, of joined ids: counted as pid is)
        if (cm && cm[pid] === 1) met += j - k;
        if (j > k) {
          pe = E[j - 1]!;
          k = j - 1;
          continue;
        }
      }
      if (dead) {
        while (di < dead.length && dead[di]! < k) di++;
        k = di < dead.length && dead[di]! < k1 ? dead[di]! : k1;
        if (k >= k1) break;
      } else if (same && stops !== null) {
        // the blocks firstMarkedBlock() stops at, found before (markedStops()): the next one at or after k
        if (si < 0) si = lowerBound(stops, k);
        while (si < stops.length && stops[si]! < k) si++;
        k = si < stops.length && stops[si]! < k1 ? stops[si]! : k1;
        if (k >= k1) break;
      } else if (same) {
        if (!firstMarkedHot) warmFirstMarkedBlock(bN);
        k = firstMarkedBlock(bS, bE, bH, bT, marks, k | 0, k1 | 0);
        if (k >= k1) break;
      }
      const s = S[k]!;
      const e = E[k]!;
      if (same) b = k;
      else if (bN) b = seekBlockEndingAfter(bE, bN, b, s);
      if (bN && b < bN && bS[b] === s && bE[b] === e && bH[b]! >= 0) {
        const h = bH[b]!;
        const t = bT[b]!;
        if (cm && ((marks[h] && cm[h] === 1) || (e > s + 1 && marks[t] && cm[t] === 1))) met++;
        // the head [s, s + 1), then the tail [s + 1, e)
        if (marks[h]) {
          if ((h === pid || (jn[h] === 1 && pid >= 0 && jn[pid] === 1)) && s === pe) pe = s + 1;
          else {
            if (pid >= 0) out(ps, pe, pid);
            ps = s;
            pe = s + 1;
            pid = h;
          }
        }
        if (e > s + 1 && marks[t]) {
          if ((t === pid || (jn[t] === 1 && pid >= 0 && jn[pid] === 1)) && s + 1 === pe) pe = e;
          else {
            if (pid >= 0) out(ps, pe, pid);
            ps = s + 1;
            pe = e;
            pid = t;
          }
        }
        continue;
      }
      sw ??= this.bindSweep(new Sweep());
      sw.range(s, e);
      let hit = false;
      while (sw.next(marks)) {
        const id = sw.id;
        if (cm && cm[id] === 1 && sw.e > sw.s) hit = true;
        if ((id === pid || (jn[id] === 1 && pid >= 0 && jn[pid] === 1)) && sw.s === pe) pe = sw.e;
        else {
          if (pid >= 0) out(ps, pe, pid);
          ps = sw.s;
          pe = sw.e;
          pid = id;
        }
      }
      if (hit) met++;
    }
    if (pid >= 0) out(ps, pe, pid);
    return met;
  }

  /**
   * A reader of the pages as they are now (see PageReader). `skipLayer` false: next(marks) takes the general loop
   * piece by piece, never the step over unmarked layer blocks (the tests hold the two to the same pieces).
   */
  reader(skipLayer = this.onePassOn): PageReader {
    return this.bindSweep(new PageReader(this.states), skipLayer);
  }

  /**
   * The states of the pages at the given pfns: ids[k] is the state id of pfns[k] in `states` (NO_MEMMAP past the
   * map). A pass over the block columns and the runs for pfns in ascending order (the heads of a million blocks),
   * a search again for a pfn below the one before. With `view`, the ids of the layer's own heads are the map's head
   * column itself, not a copy (32 MB at 8M blocks, most of it first-touch page faults): read them before the map's
   * next write, which changes them; an id below 0 there is a block out of the layer (the few cut at
   * first_deferred_pfn or a zone boundary): read that one with stateIdOf(pfns[k]).
   */
  stateIdsAt(
    pfns: ArrayLike<number>,
    view = false,
  ): { readonly ids: Int32Array; readonly states: readonly PageState[] } {
    // the heads of every layer block, in order: their column
    if (this.layerHeads(pfns)) {
      if (view) return { ids: this.bH, states: this.states };
      const ids = this.bH.slice();
      // a block out of the layer (evicted, or never in it) is in the runs, and in no other block (they are disjoint)
      if (this.live < ids.length)
        for (let k = 0; k < ids.length; k++) {
          if (ids[k]! >= 0) continue;
          const pfn = pfns[k]!;
          ids[k] = pfn >= 0 && pfn < this.limitPfn ? this.ids[(this.wi = this.seekBg(pfn))]! : NO_MEMMAP_ID;
        }
      return { ids, states: this.states };
    }
    const n = pfns.length;
    const out = new Int32Array(n);
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bT = this.bT;
    const bN = this.live > 0 ? this.bN : 0;
    const starts = this.starts;
    const ids = this.ids;
    const nRuns = this.n;
    const limit = this.limitPfn;
    let b = 0;
    let i = 0;
    let last = -Infinity;
    for (let k = 0; k < n; k++) {
      const pfn = pfns[k]!;
      if (!(pfn >= 0 && pfn < limit)) {
        out[k] = NO_MEMMAP_ID;
        continue;
      }
      if (pfn < last) {
        b = blockEndingAfter(bE, bN, pfn);
        i = runHolding(starts, nRuns, pfn);
      }
      last = pfn;
      b = seekBlockEndingAfter(bE, bN, b, pfn);
      if (b < bN && bS[b]! <= pfn && bH[b]! >= 0) {
        out[k] = pfn === bS[b] ? bH[b]! : bT[b]!;
        continue;
      }
      i = seekRunHolding(starts, nRuns, i, pfn);
      out[k] = ids[i]!;
    }
    return { ids: out, states: this.states };
  }

  /** The state id of pfn in `states` as stateIdsAt() gives it (NO_MEMMAP past the map). */
  stateIdOf(pfn: number): number {
    return pfn >= 0 && pfn < this.limitPfn ? this.idAt(pfn) : NO_MEMMAP_ID;
  }

  /** The state id of one pfn (< limitPfn). */
  private idAt(pfn: number): number {
    if (this.live > 0) {
      const b = this.seekBlock(pfn);
      if (b < this.bN && this.bH[b]! >= 0 && this.bS[b]! <= pfn) {
        this.wb = b;
        return pfn === this.bS[b] ? this.bH[b]! : this.bT[b]!;
      }
    }
    const i = this.seekBg(pfn);
    this.wi = i;
    return this.ids[i]!;
  }

  /** The state of one pfn. */
  stateAt(pfn: number): PageState {
    if (pfn < 0 || pfn >= this.limitPfn) return NO_MEMMAP;
    return this.states[this.idAt(pfn)]!;
  }

  /**
   * stateAt() of many pfns (one result per pfn, in their order); pfns in ascending order share one forward
   * cursor instead of a binary search each.
   */
  statesAt(pfns: ArrayLike<number>): PageState[] {
    const out: PageState[] = new Array<PageState>(pfns.length);
    for (let k = 0; k < pfns.length; k++) out[k] = this.stateAt(pfns[k]!);
    return out;
  }

  /** A copy of the runs clipped to [start, end) (all by default). */
  query(start = 0, end = this.limitPfn): PageRun[] {
    const out: PageRun[] = [];
    this.scan(start, end, (s, e, st) => out.push({ start: s, end: e, state: st }));
    return out;
  }

  // The block layer (issue 10): each preserved block's pages as two state ids indexed by block, the head page
  // (page->private holds the KHO order) and the tail pages, over the background runs. Block operations write
  // these columns; only what lies between blocks goes to the runs, so the runs do not grow with the blocks.
  // The runs under a block in the layer are hidden: never read, and overwritten freely (an operation on the
  // ranges either side of a block covers it too, so the free ranges between a million blocks are a few runs).
  // A block an operation covers only in part (not whole, head or tail) leaves the layer: its two states are
  // written into the runs first (evict), and the operation goes on as on any other pages.
  private bN = 0;
  private bS: Float64Array = new Float64Array(0);
  private bE: Float64Array = new Float64Array(0);
  /** Head and tail state ids of each block; bH -1: the block's pages are in the runs (evicted). */
  private bH = new Int32Array(0);
  private bT = new Int32Array(0);
  /** Blocks in the layer (not evicted). */
  private live = 0;
  /** bH's and bT's runs while the map holds the column hollow (setLayerIds(): the column is then a placeholder). */
  private hollowH: IdRuns | null = null;
  private hollowT: IdRuns | null = null;
  /**
   * The column of block starts attachBlocks() was given (a typed column, read only): while every block is in the
   * layer, these pfns are its heads in order (layerHeads()).
   */
  private heads: Float64Array | null = null;
  /**
   * Layer block i is block i of the columns attachBlocks() was given (the blocks were non-empty, sorted and
   * disjoint: those that could not be layered are in the columns as evicted ones), so `heads[i]` is block i's head.
   */
  private aligned = false;
  /** Pages of the layer blocks per state id (heads and tails), kept as the columns change: census without a pass. */
  private blkPages = new Float64Array(64);
  /** layerPrefix() (one entry per prefixStep blocks), null when blocks joined or left the layer since. */
  private prefix: Float64Array | null = null;
  /** What attachBlocks() attached last and the map's event count and runs then ('' after a detach). */
  private attachedKey = '';
  // walk cursors (a run, a block), kept between walks so ascending queries sweep once
  private wi = 0;
  private wb = 0;

  /**
   * Keep the state of the given blocks (preserved memory, sorted by start) in the block layer. A block that
   * overlaps another, is empty, lies past limitPfn or over more than one run stays in the runs. Observable
   * behaviour is the same either way: only the cost changes.
   */
  attachBlocks(
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    known: {
      readonly sortedDisjoint?: boolean;
      /** ends[i] = starts[i] + 2^order[i] for every block (KhoBlocks.sizedByOrder, with its order column). */
      readonly sizedByOrder?: boolean;
      readonly order?: Uint8Array;
    } = {},
  ): void {
    // the same columns again with no operation since: already attached (src/sim/replay.ts replayEach attaches
    // once before copying the map per strategy, then each strategy's kho_memory_init attaches)
    const key = `${columnKey(starts)}/${columnKey(ends)}/${this.seq}/${this.n}`;
    if (this.attachedKey === key) return;
    if (this.bN) this.detachBlocks();
    const n = starts.length;
    if (
      known.sizedByOrder === true &&
      known.order !== undefined &&
      known.order.length === n &&
      starts instanceof Float64Array &&
      ends instanceof Float64Array &&
      ends.length === n
    )
      SIZE_ORDERS.set(ends, { bS: starts, order: known.order });
    if (
      known.sortedDisjoint === true &&
      starts instanceof Float64Array &&
      ends instanceof Float64Array &&
      n > 0 &&
      starts[0]! >= 0 &&
      this.n > 0 &&
      starts[0]! >= this.starts[0]!
    ) {
      this.attachSortedDisjoint(starts, ends);
      this.attachedKey = key;
      return;
    }
    // each block's state id where it can be layered, -1 where not, and the pages of the layer per state id, in one
    // pass (which also finds blocks out of order: then nothing is attached)
    const H = new Int32Array(n);
    const blk = new Float64Array(this.blkPages.length);
    let m = 0;
    let prevEnd = -Infinity;
    // every block non-empty and starting at or after the end of the one before
    let disjoint = true;
    const limit = this.limitPfn;
    const runs = this.starts;
    const runIds = this.ids;
    const nRuns = this.n;
    // the run holding each block's start: blocks ascending, so a cursor stepping forward
    let r = 0;
    for (let i = 0; i < n; i++) {
      const s = starts[i]!;
      const e = ends[i]!;
      H[i] = -1;
      if (i > 0 && s < starts[i - 1]!) return;
      if (!(e > s && s >= prevEnd)) disjoint = false;
      const ok = s >= 0 && e > s && e <= limit && s >= prevEnd && (i + 1 >= n || e <= starts[i + 1]!);
      if (e > prevEnd) prevEnd = e;
      if (!ok) continue;
      for (let steps = 0; r + 1 < nRuns && runs[r + 1]! <= s; steps++) {
        if (steps === 16) {
          r = this.find(s);
          break;
        }
        r++;
      }
      if ((r + 1 < nRuns ? runs[r + 1]! : limit) < e) continue;
      const id = runIds[r]!;
      H[i] = id;
      blk[id] = blk[id]! + e - s;
      m++;
    }
    const live = m;
    let S: Float64Array;
    let E: Float64Array;
    this.heads = starts instanceof Float64Array ? starts : null;
    // the blocks sorted and disjoint (every block layered, or the few that are not kept in as evicted): the caller's
    // columns are the layer's bounds (read only here, never written), not a copy of them (16 bytes a block: half a
    // GiB at 32M blocks)
    const aligned = (m === n || disjoint) && starts instanceof Float64Array && ends instanceof Float64Array;
    if (aligned) {
      S = starts;
      E = ends;
      m = n;
    } else {
      S = new Float64Array(m);
      E = new Float64Array(m);
      let j = 0;
      for (let i = 0; i < n; i++) {
        if (H[i]! < 0) continue;
        S[j] = starts[i]!;
        E[j] = ends[i]!;
        H[j++] = H[i]!;
      }
    }
    this.bS = S.subarray(0, m);
    this.bE = E.subarray(0, m);
    this.bH = H.subarray(0, m);
    this.bT = H.slice(0, m);
    this.blkPages = blk;
    this.bN = m;
    this.live = live;
    this.aligned = aligned;
    this.wb = 0;
    this.prefix = null;
    this.attachedKey = `${columnKey(starts)}/${columnKey(ends)}/${this.seq}/${this.n}`;
  }

  /**
   * attachBlocks() of blocks the caller has seen non-empty, sorted and disjoint (KhoBlocks.sortedDisjoint), the
   * first at or after the first run: run by run, the blocks starting in it are found by a search of the starts, and
   * all but the last lie inside it (each ends at or before the next one's start); the last does when it ends by
   * the run's end, else it stays in the runs, as does every block starting at or past limitPfn. Their state id is
   * filled over the stretch and their pages summed in a loop of their own: no test per block. Same columns as the
   * general pass (the memmap-layer property test attaches both ways).
   */
  private attachSortedDisjoint(S: Float64Array, E: Float64Array): void {
    const n = S.length;
    const H = new Int32Array(n);
    const blk = new Float64Array(this.blkPages.length);
    const limit = this.limitPfn;
    const runs = this.starts;
    const runIds = this.ids;
    const nRuns = this.n;
    let m = 0;
    let i = 0;
    // the layer's caches as layerPrefix() and deadBlocks() would make them over these columns, made here from the
    // stretches (a pass over every block each, ~57 ms at 8.36M blocks, in every compare and check): pre[j] the pages of
    // the layer blocks before block j * step, `dead` the blocks left out of the layer
    const step = this.prefixStep;
    const pre = new Float64Array(Math.floor(n / step) + 1);
    const dead: number[] = [];
    PREFIX_AT[0] = 0;
    PREFIX_AT[1] = 0;
    PREFIX_AT[2] = 1;
    for (let r = this.find(S[0]!); r < nRuns && i < n; r++) {
      const runEnd = r + 1 < nRuns ? runs[r + 1]! : limit;
      const j = firstStartAtOrAbove(S, i, n, runEnd);
      // the blocks [i, k) lie inside the run; block k (= j - 1, when it ends past the run) crosses its end
      const k = j > i && E[j - 1]! > runEnd ? j - 1 : j;
      if (k > i) {
        const id = runIds[r]!;
        H.fill(id, i, k);
        const before = PREFIX_AT[1]!;
        prefixTo(pre, step, S, E, k, true);
        blk[id] = blk[id]! + PREFIX_AT[1]! - before;
        m += k - i;
      }
      if (k < j) {
        H[k] = -1;
        dead.push(k);
        prefixTo(pre, step, S, E, j, false);
      }
      i = j;
    }
    if (i < n) {
      H.fill(-1, i, n);
      for (let b = i; b < n; b++) dead.push(b);
    }
    prefixTo(pre, step, S, E, n, false);
    this.heads = S;
    this.bS = S;
    this.bE = E;
    this.bH = H;
    this.bT = H.slice();
    this.blkPages = blk;
    this.bN = n;
    this.live = m;
    this.aligned = true;
    this.wb = 0;
    this.prefix = pre;
    this.deadOf = { bH: H, live: m, dead };
  }

  /** Write every block of the layer into the runs and drop the layer. */
  detachBlocks(): void {
    const all: number[] = [];
    for (let b = 0; b < this.bN; b++) if (this.bH[b]! >= 0) all.push(b);
    this.evict(all);
    this.attachedKey = '';
    this.heads = null;
    this.aligned = false;
    this.bN = 0;
    this.live = 0;
    this.prefix = null;
    this.bS = new Float64Array(0);
    this.bE = new Float64Array(0);
    this.bH = new Int32Array(0);
    this.bT = new Int32Array(0);
    this.wb = 0;
  }

  /** Blocks in the layer (for tests and benches). */
  get layeredBlocks(): number {
    return this.live;
  }

  /** Move the given blocks (ascending, in the layer) into the runs. */
  private evict(blocks: readonly number[]): void {
    if (!blocks.length) return;
    const S = new Float64Array(2 * blocks.length);
    const E = new Float64Array(2 * blocks.length);
    const to = new Int32Array(2 * blocks.length);
    let n = 0;
    for (const b of blocks) {
      const s = this.bS[b]!;
      const e = this.bE[b]!;
      S[n] = s;
      E[n] = s + 1;
      to[n++] = this.bH[b]!;
      if (e > s + 1) {
        S[n] = s + 1;
        E[n] = e;
        to[n++] = this.bT[b]!;
      }
      this.blkPages[this.bH[b]!] = this.blkPages[this.bH[b]!]! - 1;
      this.blkPages[this.bT[b]!] = this.blkPages[this.bT[b]!]! - (e - s - 1);
      this.bH[b] = -1;
      this.live--;
      this.prefix = null;
    }
    this.bgApplyIds({ S, E, n }, (_id, k) => to[k]!, true);
  }

  /**
   * Apply fx (state id and key -> state id) to disjoint ranges sorted by start, range k with key xs[k] (0 for every
   * range when xs is null); fx must depend on nothing else. The blocks of the layer the ranges cover are changed in
   * their columns, the rest in the runs, and ranges with equal keys and only layer blocks between them are one
   * range of the runs (the runs under the blocks are hidden). Pages without memmap are left alone.
   */
  private applyIds(rs: Cols, xs: ArrayLike<number> | null, fx: (id: number, x: number) => number): void {
    if (this.live === 0) {
      this.bgApplyIds(rs, xs ? (id, k) => fx(id, xs[k]!) : (id) => fx(id, 0));
      return;
    }
    const { S, E, n: R } = rs;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bN = this.bN;
    this.evictPartial(S, E, R);
    // the layer's part in its columns, the rest as pieces of the runs (joined across layer blocks)
    let b = 0;
    const fl = this.flags;
    const bT = this.bT;
    this.pcN = 0;
    this.pcG = 0;
    // the last head and tail written: neighbouring blocks mostly repeat both
    let hIn = -1;
    let hX = NaN;
    let hOut = -1;
    let tIn = -1;
    let tX = NaN;
    let tOut = -1;
    b = 0;
    for (let k = 0; k < R; k++) {
      const s = S[k]!;
      const e = E[k]!;
      if (!(e > s)) continue;
      const x = xs ? xs[k]! : 0;
      b = seekBlockEndingAfter(bE, bN, b, s);
      let pos = s;
      for (let y = b; y < bN && bS[y]! < e; y++) {
        const h = bH[y]!;
        if (h < 0) continue;
        const hs = bS[y]!;
        const he = bE[y]!;
        const cs = s > hs ? s : hs;
        const ce = e < he ? e : he;
        if (cs > pos) this.pushPiece(pos, cs, x);
        if (cs === hs && fl[h]! & F_MEMMAP) {
          if (h !== hIn || x !== hX) {
            hIn = h;
            hX = x;
            hOut = fx(h, x);
          }
          if (hOut !== h) {
            // read after fx(): interning a new state grows the per-id columns
            const blk = this.blkPages;
            bH[y] = hOut;
            blk[h] = blk[h]! - 1;
            blk[hOut] = blk[hOut]! + 1;
          }
        }
        if (ce === he && ce > hs + 1) {
          const t = bT[y]!;
          if (fl[t]! & F_MEMMAP) {
            if (t !== tIn || x !== tX) {
              tIn = t;
              tX = x;
              tOut = fx(t, x);
            }
            if (tOut !== t) {
              const blk = this.blkPages;
              bT[y] = tOut;
              blk[t] = blk[t]! - (he - hs - 1);
              blk[tOut] = blk[tOut]! + (he - hs - 1);
            }
          }
        }
        pos = ce;
      }
      if (pos < e) this.pushPiece(pos, e, x);
    }
    const np = this.pcN;
    if (np) {
      const pX = this.pcX;
      this.bgApplyIds({ S: this.pcS, E: this.pcE, n: np }, (id, j) => fx(id, pX[j]!));
    }
  }

  /**
   * Move the layer blocks that ranges sorted by start cover in part,
   * not whole, head ([hs, hs + 1)) or tail ([hs + 1, he)), into the runs: what a write leaves of them is no longer
   * a head and a tail.
   */
  private evictPartial(S: ArrayLike<number>, E: ArrayLike<number>, R: number, from = 0): void {
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bN = this.bN;
    const partial: number[] = [];
    let b = 0;
    for (let k = from; k < R; k++) {
      const s = S[k]!;
      const e = E[k]!;
      if (!(e > s)) continue;
      b = seekBlockEndingAfter(bE, bN, b, s);
      for (let y = b; y < bN && bS[y]! < e; y++) {
        if (bH[y]! < 0) continue;
        const hs = bS[y]!;
        const he = bE[y]!;
        const cs = s > hs ? s : hs;
        const ce = e < he ? e : he;
        const ok = (cs === hs && (ce === he || ce === hs + 1)) || (cs === hs + 1 && ce === he);
        if (!ok && partial[partial.length - 1] !== y) partial.push(y);
      }
    }
    if (partial.length) {
      partial.sort((p, q) => p - q);
      this.evict(partial.filter((p, i) => i === 0 || partial[i - 1] !== p));
    }
  }

  /**
   * tally() and applyIds() in one pass over the ranges, the layer and the runs (fx null: tally() alone, count false:
   * applyIds() alone), for a map with layer blocks (the one pass of a block operation over a million blocks; single
   * pages go through singlesOp()); the first block a write covers in part (neither whole nor head nor tail) moves
   * it, and every such block of the ranges left, to the runs. With fx the ranges must be sorted by start and disjoint (a tally alone
   * takes any order): then each range's pages are counted just before they are written, and what a range finds is
   * what it would find before the whole operation. The runs are only written at the end (bgApplyIds), the layer
   * blocks in place; the counts come in the operation's order, so the ranges they report join as tally()'s do.
   * `carry`: the ranges go on an operation already under way (initBlockRows): counted into its tally, their pieces of
   * the runs added to its pieces, which it writes at its end.
   */
  private sweepOp(
    S: ArrayLike<number>,
    E: ArrayLike<number>,
    R: number,
    xs: ArrayLike<number> | null,
    fx: ((id: number, x: number) => number) | null,
    count: boolean,
    init: { readonly nid: ArrayLike<number>; readonly zid: ArrayLike<number> } | null = null,
    carry: Tally | null = null,
  ): Tally {
    const t = carry ?? new Tally(this.flags, this.idNid, this.idZid, init !== null);
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bT = this.bT;
    const bN = this.live > 0 ? this.bN : 0;
    // read before any interning: fx() only ever gets the ids of pages before the write, which exist now
    const fl = this.flags;
    if (!carry) {
      this.pcN = 0;
      this.pcG = 0;
    }
    // the last head and tail written: neighbouring blocks mostly repeat both
    let hIn = -1;
    let hX = NaN;
    let hOut = -1;
    let tIn = -1;
    let tX = NaN;
    let tOut = -1;
    let b = 0;
    let fi = 0;
    this.gapsMet = false;
    for (let k = 0; k < R; k++) {
      if (count) {
        // the ranges from here that meet no layer block (deferred init's gaps between the blocks): sweepGaps()
        const k1 = this.sweepGaps(S, E, R, k, xs, init, t, fx !== null);
        if (k1 >= R) break;
        // (range k1 meets a layer block: sweepGaps() stops at no other)
        this.gapsMet = true;
        k = k1;
      }
      const s = S[k]!;
      const e = E[k]!;
      if (!(e > s)) continue;
      const x = xs ? xs[k]! : 0;
      if (init) {
        t.nid = init.nid[k]!;
        t.zid = init.zid[k]!;
      }
      b = seekBlockEndingAfter(bE, bN, b, s);
      let pos = s;
      for (let y = b; y < bN && bS[y]! < e; y++) {
        const h = bH[y]!;
        if (h < 0) continue;
        const hs = bS[y]!;
        const he = bE[y]!;
        const cs = s > hs ? s : hs;
        const ce = e < he ? e : he;
        if (fx && !((cs === hs && (ce === he || ce === hs + 1)) || (cs === hs + 1 && ce === he))) {
          // a write over part of a block, neither whole nor head nor tail: this block and any other the rest of the
          // ranges cover in part move to the runs now, in one batch (no piece written so far lies over them: the
          // ranges come in order), and their pages go on as the runs' (this one with the gap it is in)
          this.evictPartial(S, E, R, k);
          continue;
        }
        if (cs > pos) {
          if (count) fi = this.tallyRuns(t, pos, cs, fi);
          if (fx) this.pushPiece(pos, cs, x);
        }
        if (cs === hs) {
          if (count) t.visit(hs, hs + 1, h);
          if (fx && fl[h]! & F_MEMMAP) {
            if (h !== hIn || x !== hX) {
              hIn = h;
              hX = x;
              hOut = fx(h, x);
            }
            if (hOut !== h) {
              // read after fx(): interning a new state grows the per-id columns
              const blk = this.blkPages;
              bH[y] = hOut;
              blk[h] = blk[h]! - 1;
              blk[hOut] = blk[hOut]! + 1;
            }
          }
        }
        // the tail pages the range holds (with fx, partial blocks are gone: the whole tail or none of it)
        const ts = cs > hs + 1 ? cs : hs + 1;
        if (ce > ts) {
          const tt = bT[y]!;
          if (count) t.visit(ts, ce, tt);
          if (fx && fl[tt]! & F_MEMMAP) {
            if (tt !== tIn || x !== tX) {
              tIn = tt;
              tX = x;
              tOut = fx(tt, x);
            }
            if (tOut !== tt) {
              const blk = this.blkPages;
              bT[y] = tOut;
              blk[tt] = blk[tt]! - (he - hs - 1);
              blk[tOut] = blk[tOut]! + (he - hs - 1);
            }
          }
        }
        pos = ce;
      }
      if (pos < e) {
        if (count) fi = this.tallyRuns(t, pos, e, fi);
        if (fx) this.pushPiece(pos, e, x);
      }
    }
    const np = this.pcN;
    if (fx && np && !carry) {
      const pX = this.pcX;
      this.bgApplyIds({ S: this.pcS, E: this.pcE, n: np }, (id, j) => fx(id, pX[j]!));
    }
    return t;
  }

  /** sweepGaps()'s cursors over the blocks and the runs (where the last call stopped). */
  private gapB = 0;
  private gapF = 0;
  /**
   * The last sweepOp() with count on met a layer block in one of its ranges: sweepGaps() stopped before the end, at a
   * non-empty range with a layer block (head id >= 0) among the blocks from the first ending after its start to the
   * last starting before its end, as layer blocks were before the operation (it changes none before that stop).
   */
  private gapsMet = false;

  /**
   * sweepOp()'s work on the ranges from k on (count on; fx given: write) as long as each meets no layer block (a
   * block out of the layer is the runs' and meets nothing here): such a range is counted from the runs and becomes
   * a piece of the runs, as the general loop does it, with no call per range for the common pieces (a page with a
   * struct page whose state the tally only counts). Returns the first range that meets a layer block, R when none
   * does. Deferred init's batch is a node's free ranges between the preserved blocks: none meets one.
   */
  private sweepGaps(
    S: ArrayLike<number>,
    E: ArrayLike<number>,
    R: number,
    k: number,
    xs: ArrayLike<number> | null,
    init: { readonly nid: ArrayLike<number>; readonly zid: ArrayLike<number> } | null,
    t: Tally,
    write: boolean,
  ): number {
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bN = this.live > 0 ? this.bN : 0;
    const starts = this.starts;
    const ids = this.ids;
    const n = this.n;
    const limit = this.limitPfn;
    const fl = this.flags;
    // the states a tally only counts (pages += e - s): with a struct page, and for an init not initialised and no
    // KHO order, for a use initialised (Tally.visit)
    const mask = t.init ? F_MEMMAP | F_INIT | F_KHO : F_MEMMAP | F_INIT;
    const plain = t.init ? F_MEMMAP : F_MEMMAP | F_INIT;
    // one cursor over the blocks: the first block ending after the last range's start (then past the layer blocks
    // that join a range's piece to the last one, which end at the next range's start); a cursor past the blocks (a
    // layer attached since with fewer) starts over
    let b = this.gapB <= bN ? this.gapB : 0;
    let fi = this.gapF;
    for (; k < R; k++) {
      const s = S[k]!;
      const e = E[k]!;
      if (!(e > s)) continue;
      const x = xs ? xs[k]! : 0;
      // the piece joins the last one when that has the same key and ends at s, or where only layer blocks lie end to
      // end between the two (pushPiece()'s rule): walked here, with the cursor, to s
      const pn = this.pcN;
      let joined = false;
      if (write && pn > 0 && this.pcX[pn - 1] === x) {
        let cover = this.pcE[pn - 1]!;
        if (cover < s) {
          b = seekBlockEndingAfter(bE, bN, b, cover);
          while (b < bN && bH[b]! >= 0 && bS[b] === cover && cover < s) cover = bE[b++]!;
        }
        joined = cover === s;
      }
      b = seekBlockEndingAfter(bE, bN, b, s);
      let meets = false;
      for (let y = b; y < bN && bS[y]! < e; y++) {
        if (bH[y]! >= 0) {
          meets = true;
          break;
        }
      }
      if (meets) break;
      // the count: tallyRuns() with the common pieces added here (the range's node and zone, which only a visit
      // reads, set for it)
      const e0 = e < limit ? e : limit;
      let a = s;
      if (a < e0) {
        fi = seekRunHolding(starts, n, fi, a);
        for (;;) {
          const re = fi + 1 < n ? starts[fi + 1]! : limit;
          const pe = re < e0 ? re : e0;
          const id = ids[fi]!;
          if ((fl[id]! & mask) === plain) t.pages += pe - a;
          else {
            if (init) {
              t.nid = init.nid[k]!;
              t.zid = init.zid[k]!;
            }
            t.visit(a, pe, id);
          }
          if (pe >= e0) break;
          a = pe;
          fi++;
        }
      }
      if (e > limit) t.noMap.add(a > limit ? a : limit, e);
      if (!write) continue;
      if (joined) this.pcE[pn - 1] = e;
      else this.pushPiece(s, e, x);
      // the ranges after it as long as each is what the loop above does in its commonest form, in a loop of its own:
      // with the same key, starting where layer blocks that lie end to end from the last piece's end stop (joined to
      // it), meeting no layer block, inside the run the last page of this range is in (fi), of a state the tally
      // only counts (deferred init's batch: a node's gaps between its preserved blocks, in one run)
      if (e > limit || (fl[ids[fi]!]! & mask) !== plain) continue;
      const re = fi + 1 < n ? starts[fi + 1]! : limit;
      const last = this.pcN - 1;
      let cover = e;
      let pages = 0;
      let y = b;
      let j = k + 1;
      for (; j < R; j++) {
        const sj = S[j]!;
        const ej = E[j]!;
        if (!(ej > sj && ej <= re && sj >= cover) || (xs !== null && xs[j] !== x)) break;
        // y: the first block ending after the last piece's end (the cursor of the loop above)
        while (y < bN && bE[y]! <= cover) y++;
        let c = cover;
        let w = y;
        while (w < bN && bH[w]! >= 0 && bS[w] === c && c < sj) c = bE[w++]!;
        // w: the first block ending after sj (blocks sorted and disjoint); it starts at or past ej: meets nothing
        if (c !== sj || (w < bN && bS[w]! < ej)) break;
        pages += ej - sj;
        cover = ej;
        y = w;
      }
      if (j > k + 1) {
        t.pages += pages;
        this.pcE[last] = cover;
        b = y;
        k = j - 1;
      }
    }
    this.gapB = b;
    this.gapF = fi;
    return k;
  }

  /**
   * Count [a, end) (no layer block in it: it is read from the runs alone, and past limitPfn as no memmap) into t,
   * from the run cursor fi, a few steps on or else a binary search; returns the cursor.
   */
  private tallyRuns(t: Tally, a: number, end: number, fi: number): number {
    const limit = this.limitPfn;
    const e0 = end < limit ? end : limit;
    if (a < e0) {
      const starts = this.starts;
      const ids = this.ids;
      const n = this.n;
      fi = seekRunHolding(starts, n, fi, a);
      for (;;) {
        const re = fi + 1 < n ? starts[fi + 1]! : limit;
        const pe = re < e0 ? re : e0;
        t.visit(a, pe, ids[fi]!);
        if (pe >= e0) break;
        a = pe;
        fi++;
      }
    }
    if (end > limit) t.noMap.add(a > limit ? a : limit, end);
    return fi;
  }

  // the pieces of the runs one applyIds() writes, with their keys (buffers reused from operation to operation)
  private pcS: Float64Array = new Float64Array(1024);
  private pcE: Float64Array = new Float64Array(1024);
  private pcX: Float64Array = new Float64Array(1024);
  private pcN = 0;
  /** Gap-check cursor over the blocks. */
  private pcG = 0;

  /**
   * Add [s, e) with key x to the pieces of the runs: joined to the last piece when that has the same key and only
   * layer blocks lie between them, end to end (what lies under a block is hidden, so writing it changes nothing).
   */
  private pushPiece(s: number, e: number, x: number): void {
    const n = this.pcN;
    if (n > 0 && this.pcE[n - 1]! <= s && this.pcX[n - 1] === x) {
      let cover = this.pcE[n - 1]!;
      if (cover === s) {
        this.pcE[n - 1] = e;
        return;
      }
      const bS = this.bS;
      const bE = this.bE;
      const bH = this.bH;
      const bN = this.bN;
      let g = this.pcG;
      g = seekBlockEndingAfter(bE, bN, g, cover);
      this.pcG = g;
      let y = g;
      while (y < bN && bH[y]! >= 0 && bS[y] === cover && cover < s) cover = bE[y++]!;
      if (cover === s) {
        this.pcE[n - 1] = e;
        return;
      }
    }
    if (n === this.pcS.length) {
      const grow = (a: Float64Array): Float64Array => {
        const c = new Float64Array(a.length * 2);
        c.set(a);
        return c;
      };
      this.pcS = grow(this.pcS);
      this.pcE = grow(this.pcE);
      this.pcX = grow(this.pcX);
    }
    this.pcS[n] = s;
    this.pcE[n] = e;
    this.pcX[n] = x;
    this.pcN = n + 1;
  }

  /**
   * Apply f to disjoint ranges sorted by start on the runs alone (state ids; f gets the range index). The ranges are cut into groups whose windows of runs (the runs they touch plus a
   * neighbour on each side, so equal states merge across the edges) do not overlap; each window is rebuilt by
   * one merge pass. One group is replaced in place; several are written with the untouched runs between them
   * (copied in bulk) into the spare buffers, which then become the map: O(runs) copying and O(ranges log runs)
   * searching per operation, whatever the spread of the ranges.
   */
  private bgApplyIds(
    rs: Cols,
    f: (id: number, k: number, s: number, e: number) => number,
    force = false,
  ): void {
    const { S, E } = rs;
    const R = rs.n;
    const limit = this.limitPfn;
    // groups: runs [ga[x], gb[x]) rebuilt from ranges [gk[x], gg[x])
    const ga: number[] = [];
    const gb: number[] = [];
    const gk: number[] = [];
    const gg: number[] = [];
    let cursor = 0;
    for (let k = 0; k < R;) {
      const lo = Math.max(0, S[k]!);
      if (lo >= limit) break; // sorted by start: the rest lies past the map
      let hi = Math.min(E[k]!, limit);
      if (hi <= lo) {
        k++;
        continue;
      }
      cursor = this.seekRun(lo, cursor);
      const a = Math.max(0, cursor - 1);
      let b = Math.min(this.n, this.seekRun(hi - 1, cursor) + 2);
      let g = k + 1;
      while (g < R) {
        const s2 = Math.max(0, S[g]!);
        if (s2 >= limit) break;
        const at = this.seekRun(s2, cursor);
        if (at - 1 >= b) break;
        cursor = at;
        const e2 = Math.min(E[g]!, limit);
        if (e2 > hi) {
          hi = e2;
          b = Math.max(b, Math.min(this.n, this.seekRun(hi - 1, cursor) + 2));
        }
        g++;
      }
      ga.push(a);
      gb.push(b);
      gk.push(k);
      gg.push(g);
      k = g;
    }
    if (!ga.length) return;
    this.ensureOut(this.n + 2 * R + 2);
    if (ga.length === 1) {
      const o = this.mergeWindow(rs, ga[0]!, gb[0]!, gk[0]!, gg[0]!, f, 0, force);
      this.replaceRuns(ga[0]!, gb[0]!, o);
      return;
    }
    let o = 0;
    let copied = 0;
    for (let x = 0; x < ga.length; x++) {
      const a = ga[x]!;
      this.outStarts.set(this.starts.subarray(copied, a), o);
      this.outIds.set(this.ids.subarray(copied, a), o);
      o += a - copied;
      o = this.mergeWindow(rs, a, gb[x]!, gk[x]!, gg[x]!, f, o, force);
      copied = gb[x]!;
    }
    this.outStarts.set(this.starts.subarray(copied, this.n), o);
    this.outIds.set(this.ids.subarray(copied, this.n), o);
    o += this.n - copied;
    [this.starts, this.outStarts] = [this.outStarts, this.starts];
    [this.ids, this.outIds] = [this.outIds, this.ids];
    this.n = o;
  }

  /** The run holding pfn (< limitPfn), searching forward from run `from` (whose start is at most pfn). */
  private seekRun(pfn: number, from: number): number {
    const starts = this.starts;
    let i = from;
    for (let steps = 0; i + 1 < this.n && starts[i + 1]! <= pfn; steps++) {
      if (steps === 16) return this.find(pfn);
      i++;
    }
    return i;
  }

  private ensureOut(need: number): void {
    if (this.outStarts.length < need) {
      const cap = Math.max(need, Math.floor(this.outStarts.length * 1.5));
      this.outStarts = new Float64Array(cap);
      this.outIds = new Int32Array(cap);
    }
  }

  /**
   * One merge pass: runs [i0, i1) with the ranges [k0, k1) applied, appended to the output buffers at `o`
   * (merging with what is there); returns the new output length.
   */
  private mergeWindow(
    rs: Cols,
    i0: number,
    i1: number,
    k0: number,
    k1: number,
    f: (id: number, k: number, s: number, e: number) => number,
    o: number,
    force: boolean,
  ): number {
    const { S, E } = rs;
    const oS = this.outStarts;
    const oI = this.outIds;
    const states = this.states;
    const push = (s: number, id: number): void => {
      if (o > 0 && oI[o - 1] === id) return;
      oS[o] = s;
      oI[o] = id;
      o++;
    };
    let j = k0;
    for (let i = i0; i < i1; i++) {
      const id = this.ids[i]!;
      const re = this.runEnd(i);
      let cur = this.starts[i]!;
      while (j < k1 && E[j]! <= cur) j++;
      const mapped = force || states[id]!.memmap;
      let k = j;
      while (cur < re && k < k1 && S[k]! < re) {
        const gs = S[k]!;
        const ge = E[k]!;
        if (gs > cur) {
          push(cur, id);
          cur = gs;
        }
        const e = Math.min(ge, re);
        if (e > cur) {
          push(cur, mapped ? f(id, k, cur, e) : id);
          cur = e;
        }
        if (ge <= re) k++;
        else break;
      }
      if (cur < re) push(cur, id);
    }
    return o;
  }

  /** Replace runs [i0, i1) by the first `o` entries of the output buffers. */
  private replaceRuns(i0: number, i1: number, o: number): void {
    const n2 = this.n - (i1 - i0) + o;
    if (n2 > this.starts.length) {
      const cap = Math.max(n2, Math.floor(this.starts.length * 1.5));
      const s = new Float64Array(cap);
      const d = new Int32Array(cap);
      s.set(this.starts.subarray(0, i0));
      d.set(this.ids.subarray(0, i0));
      s.set(this.starts.subarray(i1, this.n), i0 + o);
      d.set(this.ids.subarray(i1, this.n), i0 + o);
      this.starts = s;
      this.ids = d;
    } else if (o !== i1 - i0) {
      this.starts.copyWithin(i0 + o, i1, this.n);
      this.ids.copyWithin(i0 + o, i1, this.n);
    }
    this.starts.set(this.outStarts.subarray(0, o), i0);
    this.ids.set(this.outIds.subarray(0, o), i0);
    this.n = n2;
  }

  /**
   * A per-operation memo of f(state, x) by state id, for integers x in [0, 2^24) (node/zone codes, orders):
   * each distinct result is built and interned once, whatever the number of ranges.
   */
  private memo(f: (st: PageState, x: number) => PageState): (id: number, x: number) => number {
    const seen = new Map<number, number>();
    // small keys (orders, node/zone codes) in a table by id and key: no map lookup per block
    const W = 1024;
    let table = new Int32Array(0);
    return (id, x) => {
      if (x >= 0 && x < W && Number.isInteger(x)) {
        const at = id * W + x;
        if (at < table.length) {
          const hit = table[at]!;
          if (hit > 0) return hit - 1;
        } else {
          const bigger = new Int32Array(Math.max(this.states.length, id + 1) * W * 2);
          bigger.set(table);
          table = bigger;
        }
        const out = this.intern(f(this.states[id]!, x));
        table[at] = out + 1;
        return out;
      }
      if (!(x >= 0 && x < 0x1000000)) return this.intern(f(this.states[id]!, x));
      const key = id * 0x1000000 + x;
      let out = seen.get(key);
      if (out === undefined) {
        out = this.intern(f(this.states[id]!, x));
        seen.set(key, out);
      }
      return out;
    };
  }

  private record(
    actor: Actor,
    kind: PageEventKind,
    start: number,
    end: number,
    pages: number,
    extra: Partial<Omit<PageEvent, 'seq' | 'phase' | 'fn' | 'kind' | 'start' | 'end' | 'pages'>>,
  ): PageEvent {
    const ev: PageEvent = {
      seq: this.seq++,
      phase: actor.phase,
      fn: actor.fn,
      kind,
      start,
      end,
      pages,
      uninitPages: 0,
      uninitRanges: NO_RANGES,
      noMemmapPages: 0,
      doubleInitPages: 0,
      doubleInitRanges: NO_RANGES,
      khoLostPages: 0,
      khoLostRanges: NO_RANGES,
      identityChangedPages: 0,
      identityChangedRanges: NO_RANGES,
      ...extra,
    };
    this.events.push(ev);
    return ev;
  }

  /**
   * __init_single_page() on every page of the ranges (each with its node and zone): zeroes the page (flags,
   * private), sets node and zone links, refcount 1. Records double init, lost KHO orders and identity changes.
   */
  initRanges(ranges: readonly (Range & { nid: number; zid: number })[], actor: Actor): PageEvent | null {
    const n = ranges.length;
    const c: InitColumns = {
      start: new Float64Array(n),
      end: new Float64Array(n),
      nid: new Float64Array(n),
      zid: new Float64Array(n),
      n,
    };
    ranges.forEach((r, k) => {
      c.start[k] = r.start;
      c.end[k] = r.end;
      c.nid[k] = r.nid;
      c.zid[k] = r.zid;
    });
    return this.initColumns(c, actor);
  }

  /** initRanges() of ranges in columns: range k is [start[k], end[k]) with node nid[k] and zone zid[k]. */
  initColumns(ranges: InitColumns, actor: Actor): PageEvent | null {
    return this.initColumnsThen(ranges, actor, null);
  }

  /**
   * initColumns(ranges, initActor) then freeColumns(ranges, freeActor): deferred init's __init_single_page() and
   * __free_pages_core() over the same free ranges. Ranges non-empty, sorted and disjoint over the layer: one pass
   * (each range initialised then freed), and the free's counts are the init's (every page with a struct page it
   * touches has just been initialised, the pages without one are the same).
   */
  initThenFreeColumns(ranges: InitColumns, initActor: Actor, freeActor: Actor): void {
    const n = ranges.n;
    let ok = n > 0 && this.onePass();
    for (let k = ranges.sortedDisjoint ? n : 0; k < n && ok; k++)
      ok = ranges.end[k]! > ranges.start[k]! && (k === 0 || ranges.start[k]! >= ranges.end[k - 1]!);
    if (ok) {
      if (this.shared && this.replayShared(ranges, initActor, freeActor)) return;
      this.initColumnsThen(ranges, initActor, freeActor);
      return;
    }
    this.initColumns(ranges, initActor);
    this.freeColumns({ start: ranges.start, end: ranges.end, n }, freeActor);
  }

  /** initColumns(); with `free` (ranges non-empty, sorted and disjoint, one pass), then initThenFreeColumns()'s free. */
  private initColumnsThen(ranges: InitColumns, actor: Actor, free: Actor | null): PageEvent | null {
    // empty ranges dropped; input order kept for the bookkeeping, address order for the sweep
    let keep: number[] | null = null;
    // non-empty and in address order, in one look (a strategy's batch over a million blocks is both), and disjoint
    let ascending = true;
    let disjoint = true;
    for (let k = ranges.sortedDisjoint ? ranges.n : 0; k < ranges.n; k++) {
      if (!(ranges.end[k]! > ranges.start[k]!)) {
        keep = [];
        for (let j = 0; j < ranges.n; j++) if (ranges.end[j]! > ranges.start[j]!) keep.push(j);
        break;
      }
      if (k > 0 && ranges.start[k]! < ranges.end[k - 1]!) {
        disjoint = false;
        if (ranges.start[k]! < ranges.start[k - 1]!) ascending = false;
      }
    }
    const pick = (idx: readonly number[]): InitColumns => ({
      start: Float64Array.from(idx, (i) => ranges.start[i]!),
      end: Float64Array.from(idx, (i) => ranges.end[i]!),
      nid: Float64Array.from(idx, (i) => ranges.nid[i]!),
      zid: Float64Array.from(idx, (i) => ranges.zid[i]!),
      n: idx.length,
    });
    const rs = keep ? pick(keep) : ranges;
    if (rs.n === 0) return null;
    const cols: Cols = { S: rs.start, E: rs.end, n: rs.n };
    // in order and disjoint over the layer: counted and written in one pass (sweepOp), below
    const onePass = keep === null && disjoint && this.onePass();
    const t = onePass ? null : this.tally(cols, rs);
    // a stable sort by start (an index sort only when out of order)
    let sorted = rs;
    if (!(keep === null ? ascending : colsSorted(cols))) {
      const idx = Array.from({ length: rs.n }, (_, k) => k).sort(
        (a, b) => rs.start[a]! - rs.start[b]! || a - b,
      );
      sorted = pick(idx);
    }
    // each range's node and zone as one key
    const { keys, pairs } = initKeys(sorted.nid, sorted.zid, sorted.n);
    const initState = initStateOf(pairs, actor.fn);
    const next = this.memo(initState);
    // with the free: the state each init leaves, freed (reserved cleared, in the buddy allocator)
    const freed = free ? this.memo(freedState) : null;
    const fx = freed ? (id: number, x: number): number => freed(next(id, x), 0) : next;
    // deferred init over the gaps between the blocks of a map whose copies replay it too: what it did, for them
    const before = free && this.shared && t === null && sorted === ranges ? this.runsBefore() : null;
    const done = t ?? this.sweepOp(sorted.start, sorted.end, sorted.n, keys, fx, true, sorted);
    // shared only when no range met a layer block (the sweep's own look: t is null, so sweepOp() counted)
    const share = before && !this.gapsMet ? before : null;
    if (t) this.applyIds({ S: sorted.start, E: sorted.end, n: sorted.n }, keys, next);
    const { noMap, dbl, ident, lost } = done;
    const pages = done.pages;
    const one = rs.n === 1;
    // every range non-empty and each at or after the end of the one before (looked at above, or the caller's word)
    const known = keep === null && disjoint ? sortedCover : (c: RangeColumns): RangeColumns => c;
    const ev = this.record(actor, 'init', sorted.start[0]!, sorted.end[sorted.n - 1]!, pages, {
      ...(one ? { nid: rs.nid[0]!, zid: rs.zid[0]! } : {}),
      noMemmapPages: noMap.pages,
      doubleInitPages: dbl.pages,
      doubleInitRanges: dbl.cols,
      khoLostPages: lost.pages,
      khoLostRanges: lost.cols,
      identityChangedPages: ident.pages,
      identityChangedRanges: ident.cols,
      cover: known({ start: sorted.start, end: sorted.end, n: sorted.n }),
    });
    if (free) {
      const fev = this.record(free, 'free', sorted.start[0]!, sorted.end[sorted.n - 1]!, pages, {
        uninitPages: 0,
        uninitRanges: new RangeAcc().cols,
        noMemmapPages: noMap.pages,
        cover: known({ start: sorted.start, end: sorted.end, n: sorted.n }),
      });
      if (share)
        this.shareAfter(share, ranges, actor, free, initThenFreedStateOf(pairs, actor.fn), [ev, fev]);
    }
    return ev;
  }

  /**
   * initColumns() of the ranges of block rows (blockRowsColumns(rows)) with the rows in address order and disjoint
   * (a block row's blocks as well). When the layer was attached from the rows' block columns, a block row is a walk
   * of those layer blocks by index (each whole: its head and tail counted and written in their columns, a block out
   * of the layer counted and written with the runs), with no range columns but the event's cover; range rows go
   * through sweepOp() within the same operation. Rows whose block ends are the heads' (each block's first page
   * alone, lazy-tail's deserialize) walk the same blocks' heads only. Otherwise the ranges one by one through
   * initColumns(). The property test in test/sim/memmap-layer.test.ts holds the two to the same events and pages.
   */
  initBlockRows(rows: BlockInitRows, actor: Actor): PageEvent | null {
    const { from, to, n: R } = rows;
    const bN = this.bN;
    let ok = R > 0 && this.onePass() && this.aligned && this.heads === rows.blockStart;
    ok &&= sameColumn(this.bS, rows.blockStart);
    // rows over the blocks' head pages only (blockEnd null, or blockEnd[y] = blockStart[y] + 1): each head alone
    const BE = rows.blockEnd;
    const sameEnds = BE !== null && sameColumn(this.bE, BE);
    const headsOnly = ok && !sameEnds && headEnds(rows);
    ok &&= headsOnly || sameEnds;
    let prevEnd = -Infinity;
    for (let r = 0; r < R && ok; r++) {
      const f = from[r]!;
      if (f >= 0) {
        // the layer's blocks (sorted and disjoint: attached aligned)
        ok = to[r]! > f && to[r]! <= bN && rows.blockStart[f]! >= prevEnd;
        if (ok) prevEnd = rowBlockEnd(rows, to[r]! - 1);
      } else {
        ok = rows.end[r]! > rows.start[r]! && rows.start[r]! >= prevEnd;
        prevEnd = rows.end[r]!;
      }
    }
    if (!ok) return this.initColumns(blockRowsColumns(rows), actor);
    const { keys, pairs } = initKeys(rows.nid, rows.zid, R);
    const fx = this.memo(initStateOf(pairs, actor.fn));
    const t = new Tally(this.flags, this.idNid, this.idZid, true);
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bT = this.bT;
    // read before any interning: the ids of the pages before the write all exist now
    const fl = this.flags;
    this.pcN = 0;
    this.pcG = 0;
    let hIn = -1;
    let hX = NaN;
    let hOut = -1;
    let tIn = -1;
    let tX = NaN;
    let tOut = -1;
    // the blocks' moves of pages from state hIn to hOut (heads) and tIn to tOut (tails) not yet in blkPages: added
    // when the pair changes, before a range row's sweep and at the end (blkPages read then: interning may grow it)
    let hMoved = 0;
    let tMoved = 0;
    // the pages the tally only counts (Tally.visit of a state with a struct page, not initialised, no KHO order)
    let plainPages = 0;
    const mask = F_MEMMAP | F_INIT | F_KHO;
    let fi = 0;
    for (let r = 0; r < R; r++) {
      const f = from[r]!;
      if (f < 0) {
        // range rows, as many as come together: sweepOp() within this operation
        if (hMoved) {
          const blk = this.blkPages;
          blk[hIn] = blk[hIn]! - hMoved;
          blk[hOut] = blk[hOut]! + hMoved;
          hMoved = 0;
        }
        if (tMoved) {
          const blk = this.blkPages;
          blk[tIn] = blk[tIn]! - tMoved;
          blk[tOut] = blk[tOut]! + tMoved;
          tMoved = 0;
        }
        let r1 = r + 1;
        while (r1 < R && from[r1]! < 0) r1++;
        this.sweepOp(
          rows.start.subarray(r, r1),
          rows.end.subarray(r, r1),
          r1 - r,
          keys.subarray(r, r1),
          fx,
          true,
          { nid: rows.nid.subarray(r, r1), zid: rows.zid.subarray(r, r1) },
          t,
        );
        r = r1 - 1;
        continue;
      }
      const x = keys[r]!;
      t.nid = rows.nid[r]!;
      t.zid = rows.zid[r]!;
      const y1 = to[r]!;
      for (let y = f; y < y1; y++) {
        // a stretch of blocks in the last block's head and tail states, both plain (plainBlocks): counted and written
        // in a loop of its own; the general body below takes the block it stops at
        if (x === hX && hIn >= 0 && (fl[hIn]! & mask) === F_MEMMAP) {
          const tP = x === tX && tIn >= 0 && (fl[tIn]! & mask) === F_MEMMAP ? tIn : -1;
          const y2 = plainBlocks(
            bH,
            bT,
            bS,
            bE,
            headsOnly,
            y,
            y1,
            hIn,
            hOut,
            tP,
            tOut,
            this.prefix,
            this.prefixStep,
          );
          if (y2 > y) {
            hMoved += PLAIN_RUN[0]!;
            tMoved += PLAIN_RUN[1]!;
            plainPages += PLAIN_RUN[2]!;
            y = y2;
            if (y >= y1) break;
          }
        }
        const h = bH[y]!;
        const hs = bS[y]!;
        const he = headsOnly ? hs + 1 : bE[y]!;
        if (h < 0) {
          // out of the layer: its pages are the runs'
          fi = this.tallyRuns(t, hs, he, fi);
          this.pushPiece(hs, he, x);
          continue;
        }
        const fh = fl[h]!;
        if ((fh & mask) === F_MEMMAP) plainPages++;
        else t.visit(hs, hs + 1, h);
        if (fh & F_MEMMAP) {
          if (h !== hIn || x !== hX) {
            if (hMoved) {
              const blk = this.blkPages;
              blk[hIn] = blk[hIn]! - hMoved;
              blk[hOut] = blk[hOut]! + hMoved;
              hMoved = 0;
            }
            hIn = h;
            hX = x;
            hOut = fx(h, x);
          }
          if (hOut !== h) {
            bH[y] = hOut;
            hMoved++;
          }
        }
        if (he > hs + 1) {
          const tt = bT[y]!;
          const ft = fl[tt]!;
          if ((ft & mask) === F_MEMMAP) plainPages += he - hs - 1;
          else t.visit(hs + 1, he, tt);
          if (ft & F_MEMMAP) {
            if (tt !== tIn || x !== tX) {
              if (tMoved) {
                const blk = this.blkPages;
                blk[tIn] = blk[tIn]! - tMoved;
                blk[tOut] = blk[tOut]! + tMoved;
                tMoved = 0;
              }
              tIn = tt;
              tX = x;
              tOut = fx(tt, x);
            }
            if (tOut !== tt) {
              bT[y] = tOut;
              tMoved += he - hs - 1;
            }
          }
        }
      }
    }
    if (hMoved) {
      const blk = this.blkPages;
      blk[hIn] = blk[hIn]! - hMoved;
      blk[hOut] = blk[hOut]! + hMoved;
    }
    if (tMoved) {
      const blk = this.blkPages;
      blk[tIn] = blk[tIn]! - tMoved;
      blk[tOut] = blk[tOut]! + tMoved;
    }
    t.pages += plainPages;
    const np = this.pcN;
    if (np) {
      const pX = this.pcX;
      this.bgApplyIds({ S: this.pcS, E: this.pcE, n: np }, (id, j) => fx(id, pX[j]!));
    }
    // the ranges the operation covered, one by one (the event's cover, as initColumns() keeps its batch), listed
    // when first read (blockRowsCover)
    let m = 0;
    for (let r = 0; r < R; r++) m += from[r]! >= 0 ? to[r]! - from[r]! : 1;
    const first = from[0]! >= 0 ? rows.blockStart[from[0]!]! : rows.start[0]!;
    const last = from[R - 1]! >= 0 ? rowBlockEnd(rows, to[R - 1]! - 1) : rows.end[R - 1]!;
    return this.record(actor, 'init', first, last, t.pages, {
      ...(m === 1 ? { nid: rows.nid[0]!, zid: rows.zid[0]! } : {}),
      noMemmapPages: t.noMap.pages,
      doubleInitPages: t.dbl.pages,
      doubleInitRanges: t.dbl.cols,
      khoLostPages: t.lost.pages,
      khoLostRanges: t.lost.cols,
      identityChangedPages: t.ident.pages,
      identityChangedRanges: t.ident.cols,
      cover: blockRowsCover(rows, m),
    });
  }

  /**
   * initColumns() of the tails [heads[i] + 1, ends[i]) of the blocks i = at[0], ..., at[n - 1] (ascending) of two pages
   * or more whose head is initialised, each with its head's node and zone as the map shows them before the operation
   * (lazy-tail's restore: __init_single_page() of each tail with page_to_nid()/page_zonenum() of the head), in one
   * walk of the layer's columns by block index: the same event (none when no block qualifies), pages and runs, with
   * no range columns but the event's cover. Taken when the layer was attached from heads/ends aligned (every block's
   * tail is its layer tail, or a block out of the layer is in the runs and in no other block); else false and
   * nothing done (the caller lists the ranges). test/sim/memmap-layer.test.ts holds it to initColumns() of the
   * ranges read from stateAt().
   */
  initBlockTails(
    heads: Float64Array,
    ends: Float64Array,
    positions: Int32Array | PositionsBut,
    n: number,
    actor: Actor,
  ): boolean {
    if (!(this.layerHeads(heads) && this.onePass() && sameColumn(this.bE, ends))) return false;
    // positions given by those left out (the restored positions: every block but a few) are walked row by row between
    // them when the columns have a shape and the layer its prefix sums (plainTailsOfRow), no column read or made;
    // else their column
    const pre = this.prefix;
    const shape = pre === null ? null : blockShape(this.bS, this.bE);
    let at: Int32Array = EMPTY_I32;
    let left: Int32Array | null = null;
    let total = 0;
    if (positions instanceof Int32Array) at = positions;
    else if (shape !== null && positionsButWithin(positions, n, this.bN)) {
      left = positions.left;
      total = positions.total;
    } else at = positions.column();
    // block positions ascending, each a layer block (the restored positions: noted so where made)
    if (left === null && !positionsAscendingBelow(at, n, this.bN)) return false;
    const states = this.states;
    const fn = actor.fn;
    // the tail's new state by (tail state, head state): initStateOf() of the head's node and zone
    const fx = this.memo((st, h) => ({
      ...UNINIT,
      initCount: st.initCount + 1,
      nid: states[h]!.nid,
      zid: states[h]!.zid,
      initBy: fn,
    }));
    const t = new Tally(this.flags, this.idNid, this.idZid, true);
    // read before any interning: the ids of the pages before the write all exist now
    const fl = this.flags;
    const idNid = this.idNid;
    const idZid = this.idZid;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bT = this.bT;
    this.pcN = 0;
    this.pcG = 0;
    // the blocks whose tails are initialised: those of `at` with a tail but the positions in `skipped` (a head never
    // initialised), m of them (the event's cover lists their tails when read)
    const skipped: number[] = [];
    let m = 0;
    let fi = 0;
    let tIn = -1;
    let tX = -1;
    let tOut = -1;
    // positions in rows of blocks walked as blocks (plainTailsInRow) when the columns have a shape and the layer its
    // prefix sums
    // (PositionsBut: the block at position j is j + g, g the positions left out below it; the row it is in ends at the
    // next one left out, left[g], or at total)
    const nLeft = left === null ? 0 : left.length;
    let g = 0;
    for (let j = 0; j < n; j++) {
      // a stretch of blocks whose head state is the last block's (initialised) and whose tail state is its (plain):
      // counted and written in a loop of its own (plainTails); the general body below takes the block it stops at
      if (tIn >= 0 && fl[tX]! & F_INIT && (fl[tIn]! & (F_MEMMAP | F_INIT | F_KHO)) === F_MEMMAP) {
        let j2: number;
        if (left !== null) {
          while (g < nLeft && left[g]! <= j + g) g++;
          const y0 = j + g;
          const y1 = g < nLeft ? left[g]! : total;
          j2 =
            j +
            plainTailsOfRow(bH, bT, bS, bE, shape!.tailful, pre!, this.prefixStep, tX, tIn, tOut, y0, y1) -
            y0;
        } else
          j2 =
            shape !== null
              ? plainTailsInRow(at, j, n, bH, bT, bS, bE, shape.tailful, pre!, this.prefixStep, tX, tIn, tOut)
              : plainTails(at, j, n, bH, bT, bS, bE, tX, tIn, tOut);
        if (j2 > j) {
          m += PLAIN_RUN[0]!;
          t.pages += PLAIN_RUN[2]!;
          if (PLAIN_RUN[1]) {
            const blk = this.blkPages;
            blk[tIn] = blk[tIn]! - PLAIN_RUN[1];
            blk[tOut] = blk[tOut]! + PLAIN_RUN[1];
          }
          j = j2;
          if (j >= n) break;
        }
      }
      let y: number;
      if (left !== null) {
        while (g < nLeft && left[g]! <= j + g) g++;
        y = j + g;
      } else y = at[j]!;
      const hs = bS[y]!;
      const he = bE[y]!;
      // a block of one page has no tail
      if (!(he > hs + 1)) continue;
      const h = bH[y]!;
      // the head as it is (a block out of the layer: read from the runs, written only at the end); never
      // initialised, it gives its tail nothing to copy
      const hid = h >= 0 ? h : this.stateIdOf(hs);
      if (!(fl[hid]! & F_INIT)) {
        skipped.push(j);
        continue;
      }
      m++;
      t.nid = idNid[hid]!;
      t.zid = idZid[hid]!;
      if (h < 0) {
        fi = this.tallyRuns(t, hs + 1, he, fi);
        this.pushPiece(hs + 1, he, hid);
        continue;
      }
      const tt = bT[y]!;
      t.visit(hs + 1, he, tt);
      if (fl[tt]! & F_MEMMAP) {
        if (tt !== tIn || hid !== tX) {
          tIn = tt;
          tX = hid;
          tOut = fx(tt, hid);
        }
        if (tOut !== tt) {
          // read after fx(): interning a new state grows the per-id columns
          const blk = this.blkPages;
          bT[y] = tOut;
          blk[tt] = blk[tt]! - (he - hs - 1);
          blk[tOut] = blk[tOut]! + (he - hs - 1);
        }
      }
    }
    this.applyPieces(fx);
    if (m === 0) return true;
    const skip = Int32Array.from(skipped);
    const y0 = tailedAt(heads, ends, left === null ? at : positions, n, skip, 1);
    const y1 = tailedAt(heads, ends, left === null ? at : positions, n, skip, -1);
    this.record(actor, 'init', heads[y0]! + 1, ends[y1]!, t.pages, {
      ...(m === 1 ? { nid: t.nid, zid: t.zid } : {}),
      noMemmapPages: t.noMap.pages,
      doubleInitPages: t.dbl.pages,
      doubleInitRanges: t.dbl.cols,
      khoLostPages: t.lost.pages,
      khoLostRanges: t.lost.cols,
      identityChangedPages: t.ident.pages,
      identityChangedRanges: t.ident.cols,
      cover: tailsCover(heads, ends, left === null ? at : positions, n, skip, m),
    });
    return true;
  }

  // ---- deferred init shared between copies (src/sim/replay.ts replayEach, src/sim/fork.ts) -------------------
  // The strategies compare and check replay from one boot differ only in the preserved blocks' struct pages; deferred
  // init's batch (the free ranges between the blocks, src/sim/phases/page_alloc_init_late.ts freeBatch: the same
  // columns for every copy) touches none of them. A copy that meets the same batch, with the same layer blocks, and
  // the same runs under every piece the first replay of it wrote, would compute the same events (counted over those
  // runs) and the same writes (a state function of those runs): it takes them from that replay instead of sweeping
  // the batch and the blocks again. Every condition is checked here, on each copy; any miss runs the operation.

  /** The record of deferred init operations, shared by a map and its copies (frozen: fork.ts shares it). */
  private shared: { readonly entries: SharedOp[] } | null = null;
  /** Operations taken from the record (tests). */
  sharedHits = 0;

  /** From now on, this map and its copies record deferred init and take it from the record (replayEach). */
  shareDeferredInit(): void {
    this.shared ??= Object.freeze({ entries: [] as SharedOp[] });
  }

  /**
   * The runs before an operation (deferred init's, one sweepOp() with count on), for the record when its ranges meet no
   * layer block: the sweep itself says whether one did (gapsMet), with no look of its own over the ranges first.
   */
  private runsBefore(): { starts: Float64Array; ids: Int32Array; n: number } {
    return { starts: this.starts.slice(0, this.n), ids: this.ids.slice(0, this.n), n: this.n };
  }

  /**
   * The runs (of run columns starts/ids/n over this map's states) that meet the pieces [pS[j], pE[j]) (sorted,
   * disjoint; clipped to the map), each as (its start clipped to the first piece it meets, its end clipped to the
   * last, its state's number stateNumber()): two maps give equal lists exactly when every piece shows the same states
   * in both. One merge of the runs (few) and the pieces.
   */
  private runsUnder(
    starts: Float64Array,
    ids: Int32Array,
    n: number,
    pS: Float64Array,
    pE: Float64Array,
    pN: number,
  ): Float64Array {
    const out: number[] = [];
    const limit = this.limitPfn;
    let j = 0;
    for (let i = 0; i < n && j < pN; i++) {
      const rs = starts[i]!;
      const re = i + 1 < n ? starts[i + 1]! : limit;
      while (j < pN && Math.min(pE[j]!, limit) <= rs) j++;
      if (j >= pN || pS[j]! >= re) continue;
      // the pieces this run meets: from j to the last starting before its end
      let k = j;
      while (k + 1 < pN && pS[k + 1]! < re) k++;
      out.push(Math.max(rs, pS[j]!), Math.min(re, pE[k]!), stateNumber(this.states[ids[i]!]!));
    }
    return Float64Array.from(out);
  }

  /** The blocks out of the layer (indexes), kept while the layer's columns and count stay. */
  private deadOf: { bH: Int32Array; live: number; dead: readonly number[] } | null = null;
  private deadBlocks(): readonly number[] {
    const d = this.deadOf;
    if (d && d.bH === this.bH && d.live === this.live) return d.dead;
    const dead: number[] = [];
    if (this.live !== this.bN) outOfLayer(this.bH, this.bN, dead);
    this.deadOf = { bH: this.bH, live: this.live, dead };
    return dead;
  }

  private shareAfter(
    before: { starts: Float64Array; ids: Int32Array; n: number },
    ranges: InitColumns,
    initActor: Actor,
    freeActor: Actor,
    stateFx: (st: PageState, x: number) => PageState,
    events: readonly PageEvent[],
  ): void {
    const pN = this.pcN;
    const pS = this.pcS.slice(0, pN);
    const pE = this.pcE.slice(0, pN);
    const pX = this.pcX.slice(0, pN);
    const dead = this.deadBlocks();
    this.shared!.entries.push({
      ranges,
      initActor,
      freeActor,
      bS: this.bS,
      bE: this.bE,
      bN: this.bN,
      live: this.live,
      dead,
      pS,
      pE,
      pX,
      runs: this.runsUnder(before.starts, before.ids, before.n, pS, pE, pN),
      stateFx,
      events,
    });
  }

  /** initThenFreeColumns() taken from the record, when an entry's every condition holds in this map. */
  private replayShared(ranges: InitColumns, initActor: Actor, freeActor: Actor): boolean {
    for (const r of this.shared!.entries) {
      if (
        r.ranges !== ranges ||
        r.initActor.phase !== initActor.phase ||
        r.initActor.fn !== initActor.fn ||
        r.freeActor.phase !== freeActor.phase ||
        r.freeActor.fn !== freeActor.fn ||
        r.bS !== this.bS ||
        r.bE !== this.bE ||
        r.bN !== this.bN ||
        r.live !== this.live ||
        // with as many blocks in the layer of as many, the recorded blocks out of it are all the blocks out of it
        r.dead.length !== this.bN - this.live ||
        r.dead.some((b) => this.bH[b]! >= 0)
      )
        continue;
      const runs = this.runsUnder(this.starts, this.ids, this.n, r.pS, r.pE, r.pS.length);
      if (runs.length !== r.runs.length || runs.some((v, k) => v !== r.runs[k])) continue;
      // the writes: the operation's state function on the runs under the pieces, as sweepOp applies it
      const f = this.memo(r.stateFx);
      const pX = r.pX;
      if (r.pS.length) this.bgApplyIds({ S: r.pS, E: r.pE, n: r.pS.length }, (id, j) => f(id, pX[j]!));
      // the events: counted over the same runs, the same but for their sequence numbers
      for (const ev of r.events) this.events.push({ ...ev, seq: this.seq++ });
      this.sharedHits++;
      return true;
    }
    return false;
  }

  init(start: number, end: number, nid: number, zid: number, actor: Actor): PageEvent | null {
    return this.initRanges([{ start, end, nid, zid }], actor);
  }

  /**
   * Whether operations take the one pass over the layer (sweepOp) instead of tally() then applyIds(): with layer
   * blocks, unless the map was made with `onePass: false` (the tests hold the two to the same answers).
   */
  private onePass(): boolean {
    return this.live > 0 && this.onePassOn;
  }

  /** pfns is the column of block starts the layer was attached from, and pfns[i] is the head of layer block i. */
  private layerHeads(pfns: ArrayLike<number>): boolean {
    return pfns === this.heads && this.aligned && this.onePassOn;
  }

  /**
   * sweepOp() of single pages [p, p + 1) (the heads of a million blocks): a head of a layer block is counted and
   * written in its block's column, a pfn outside the layer counted from the runs and written with them, and a pfn
   * inside a layer block past its head, which a write would leave neither head nor tail, moves that block into the
   * runs first (no piece written so far covers it: the pfns come in order). With fx the pfns must ascend strictly;
   * a tally alone (fx null) takes any order.
   */
  private singlesOp(
    pfns: ArrayLike<number>,
    xs: ArrayLike<number> | null,
    fx: ((id: number, x: number) => number) | null,
    count: boolean,
    except: Positions | null = null,
    uninitRanges = true,
    verdict: KhoHeadVerdict | null = null,
  ): Tally {
    const t = new Tally(this.flags, this.idNid, this.idZid, false, uninitRanges);
    this.pcN = 0;
    this.pcG = 0;
    // the layer's own heads: their own loop (the only one that takes `except` or a verdict)
    if (this.layerHeads(pfns)) this.headsOp(t, xs, fx, count, except, verdict);
    else if (verdict) throw new InternalError('singlesOp: a verdict on pfns other than the layer heads');
    else if (except && except.n)
      throw new InternalError('singlesOp: positions left out of pfns other than the layer heads');
    else this.pfnsOp(t, pfns, xs, fx, count);
    this.applyPieces(fx);
    return t;
  }

  /** singlesOp()'s pieces of the runs written (with fx). */
  private applyPieces(fx: ((id: number, x: number) => number) | null): void {
    const np = this.pcN;
    if (fx && np) {
      const pX = this.pcX;
      this.bgApplyIds({ S: this.pcS, E: this.pcE, n: np }, (id, j) => fx(id, pX[j]!));
    }
  }

  /**
   * singlesOp() of the layer's own heads (layerHeads(): head i is the start of block i, in the layer or, evicted, in
   * the runs and in no other block), block i left out where `except` lists it (positions ascending): the general
   * loop's pieces and counts without its block search per pfn, and each (head id, small key) pair's new id from a
   * table made for this operation instead of a call of fx per head (fx is a function of the pair). The count is of
   * the heads as they are before the write: the loop lists the stretches of blocks whose heads' flags F_MEMMAP and
   * F_INIT are the same (HEAD_RUN_*), and headsTally() counts them once it is over (a write never changes what
   * another head is, and the runs are written after it, by applyPieces()).
   * With `verdict` (a write, xs its orders, no `except`): the blocks left out are the ones it leaves (see
   * KhoHeadVerdict), found in this same pass: headsWrite() takes a stretch of one (head id, order) pair whole when
   * that pair passes, and stops at one that does not for verdict.decide() here. The first and last block taken are
   * left in VERDICT_TAKEN (-1 when none is).
   */
  private headsOp(
    t: Tally,
    xs: ArrayLike<number> | null,
    fx: ((id: number, x: number) => number) | null,
    count: boolean,
    except: Positions | null,
    verdict: KhoHeadVerdict | null = null,
  ): void {
    HEAD_RUN_FROM.length = 0;
    HEAD_RUN_TO.length = 0;
    HEAD_RUN_FLAGS.length = 0;
    const n = this.bN;
    const bS = this.bS;
    const bH = this.bH;
    const fl = this.flags;
    const CAT = F_MEMMAP | F_INIT;
    // new id + 1 by old id * HEAD_KEYS + key (0: not asked yet); the ids met are those of the map as the operation
    // starts
    const tab = fx ? new Int32Array(this.states.length * HEAD_KEYS) : null;
    if (verdict && (!tab || !xs || except))
      throw new InternalError(
        'headsOp: a verdict takes a write keyed by the orders and no positions left out',
      );
    const po = verdict ? verdict.passOrder : null;
    // a write over orders in bytes: the pairs met, block by block (headsByTable); the heads with no struct page keep
    // their id with any order (that the verdict passes)
    let table: HeadsTable | null = null;
    const ns = this.states.length;
    // (a map of very many states: no table, rather than one of 1 KB a state)
    if (fx && xs instanceof Uint8Array && ns <= HEADS_TABLE_STATES) {
      table = { at: new Int32Array(ns * HEAD_KEYS), moved: new Int32Array(ns * HEAD_KEYS * 4), keys: [] };
      for (let h = 0; h < ns; h++)
        if (!(fl[h]! & F_MEMMAP))
          for (let x = 0; x < HEAD_KEYS; x++)
            if (!po || po[h] === x) table.at[h * HEAD_KEYS + x] = (h + 1) * 4 + (fl[h]! & CAT);
    }
    // the positions the loops stop at: those left out, or the verdict's stops (each asked of decide())
    const skip = verdict ? verdict.stops : except;
    const nx = skip ? skip.n : 0;
    let first = -1;
    let last = -1;
    let xk = 0;
    // the heads run by run in headsWrite() (or, with no write, flagRuns()) up to the next position left out, head out
    // of the layer or (head state, key) pair not in the table yet (a few in a million): those are taken here, outside
    // its loop, which V8 compiles while it runs before any of them has come (code a loop has not run yet, or fx's
    // interning of a new state inlined into it, deoptimises it when reached)
    for (let i = 0; i < n;) {
      const stop = xk < nx ? skip!.at[xk]! : n;
      if (stop <= i) {
        xk++;
        if (stop < i) continue;
        // left out (a stop the verdict leaves); one it restores all the same is taken below
        if (!verdict || !verdict.decide(i, bH[i]!)) {
          i++;
          continue;
        }
      } else {
        const i0 = i;
        i = tab ? this.headsWrite(xs, tab, count, i, stop, po, table) : this.flagRuns(i, stop);
        if (i > i0) {
          if (first < 0) first = i0;
          last = i - 1;
        }
        if (i === stop) continue;
        // a head that does not pass with its block's order (or out of the layer): the verdict's, block by block
        if (verdict && !(bH[i]! >= 0 && po![bH[i]!] === xs![i]) && !verdict.decide(i, bH[i]!)) {
          i++;
          continue;
        }
      }
      if (verdict) {
        if (first < 0) first = i;
        last = i;
      }
      const p = bS[i]!;
      const h = bH[i]!;
      const x = xs ? xs[i]! : 0;
      i++;
      if (h < 0) {
        // out of the layer: its head is in the runs
        if (count) pushHeadRun(i - 1, i, -1);
        if (fx) this.pushPiece(p, p + 1, x);
        continue;
      }
      if (count) pushHeadRun(i - 1, i, fl[h]! & CAT);
      if (!fx || !(fl[h]! & F_MEMMAP)) continue;
      const out = fx(h, x);
      if (x >= 0 && x < HEAD_KEYS && Number.isInteger(x)) {
        const k = h * HEAD_KEYS + x;
        tab![k] = out + 1;
        // (a pair the verdict does not pass, restored all the same by decide(), stays out of headsByTable's table)
        if (table && (!po || po[h] === x)) {
          table.at[k] = (out + 1) * 4 + (fl[h]! & CAT);
          if (out !== h) table.keys.push(k);
        }
      }
      if (out !== h) {
        const blk = this.blkPages;
        bH[i - 1] = out;
        blk[h] = blk[h]! - 1;
        blk[out] = blk[out]! + 1;
      }
    }
    if (count) this.headsTally(t);
    VERDICT_TAKEN[0] = first;
    VERDICT_TAKEN[1] = last;
  }

  /**
   * headsOp()'s count: visit(p, p + 1, id) of each head p of the stretches listed (HEAD_RUN_*), with the id it had
   * before the operation, in a tally that is not an init's. What such a visit finds depends only on the id's flags
   * F_MEMMAP and F_INIT: each stretch is taken at once (Tally.visitPoints: a head's pfn read only where it goes in a
   * range), the room for the ranges taken once; the blocks out of the layer are counted from the runs one by one.
   */
  private headsTally(t: Tally): void {
    if (t.init) throw new InternalError('headsTally: an init tally');
    const bS = this.bS;
    const nr = HEAD_RUN_FROM.length;
    // ranges at most: one per head (a head out of the layer in either)
    let uninit = 0;
    let noMap = 0;
    for (let k = 0; k < nr; k++) {
      const m = HEAD_RUN_TO[k]! - HEAD_RUN_FROM[k]!;
      const f = HEAD_RUN_FLAGS[k]!;
      if (f < 0) {
        uninit += m;
        noMap += m;
      } else if (!(f & F_MEMMAP)) noMap += m;
      else if (!(f & F_INIT)) uninit += m;
    }
    t.roomForPoints(uninit, noMap);
    let fi = 0;
    for (let k = 0; k < nr; k++) {
      const a = HEAD_RUN_FROM[k]!;
      const b = HEAD_RUN_TO[k]!;
      const f = HEAD_RUN_FLAGS[k]!;
      if (f >= 0) t.visitPoints(bS, a, b, f);
      else for (let j = a; j < b; j++) fi = this.tallyHeadInRuns(t, j, fi);
    }
  }

  /**
   * headsTally()'s head of block j out of the layer (in the runs): tallyRuns() of its one page, as a point of the head
   * column (Tally.visitPoints of the one block, with the flags of the run holding it; past the map's limit, no struct
   * page), so that the heads of a read stay one column's stretches (RangeAcc: not written out) when a few of them are
   * out of the layer (the `none` strategy's kho_restore). Returns the run cursor.
   */
  private tallyHeadInRuns(t: Tally, j: number, fi: number): number {
    const bS = this.bS;
    const p = bS[j]!;
    if (!(p < this.limitPfn)) {
      t.noMap.addPoints(bS, j, j + 1);
      return fi;
    }
    fi = seekRunHolding(this.starts, this.n, fi, p);
    t.visitPoints(bS, j, j + 1, this.flags[this.ids[fi]!]! & (F_MEMMAP | F_INIT));
    return fi;
  }

  /**
   * headsOp() without a write: the stretches of equal flags of the heads of blocks [i, stop) listed (HEAD_RUN_*) up
   * to stop or the first block out of the layer (returned).
   */
  private flagRuns(i: number, stop: number): number {
    const bH = this.bH;
    const fl = this.flags;
    const CAT = F_MEMMAP | F_INIT;
    // the last head id met (none yet: bH holds ids and -1) and the flags of the open stretch, from block a
    let lh = -2;
    let lf = -1;
    let a = i;
    for (; i < stop; i++) {
      const h = bH[i]!;
      if (h === lh) {
        // the same head as the block before: the blocks after it with that head too, four a step (one test and one
        // branch a block, in a loop of its own, ran at ~2 ns a block: ~17 ms a read at 8M blocks)
        while (i + 4 < stop && bH[i + 1] === lh && bH[i + 2] === lh && bH[i + 3] === lh && bH[i + 4] === lh)
          i += 4;
        continue;
      }
      if (h < 0) break;
      lh = h;
      const f = fl[h]! & CAT;
      if (f !== lf) {
        if (i > a) pushHeadRun(a, i, lf);
        a = i;
        lf = f;
      }
    }
    if (i > a) pushHeadRun(a, i, lf);
    return i;
  }

  /**
   * headsOp()'s write of the heads of blocks [i, stop) from the table, up to stop or the first block it leaves to
   * headsOp() (out of the layer, or a head whose new state is not in the table): returns that block. With `count`,
   * the stretches of equal flags of the heads written are listed (HEAD_RUN_*), as flagRuns() does. The heads come in
   * stretches of one (head id, key) pair (a few blocks to thousands): the first block of each is looked up, and the
   * blocks after it with the same pair are taken in a loop of their own that only compares and writes (one look-up
   * loop over every block, with its pair test and bookkeeping per block, ran at ~8 ns a block: ~60 ms a write at 8M
   * blocks, twice per strategy). With `po` (headsOp()'s verdict, xs the blocks' orders): a stretch is taken only when
   * its pair passes (po[h] === x), else the loop stops at its first block.
   */
  private headsWrite(
    xs: ArrayLike<number> | null,
    tab: Int32Array,
    count: boolean,
    i: number,
    stop: number,
    po: Float64Array | null = null,
    table: HeadsTable | null = null,
  ): number {
    const bH = this.bH;
    const fl = this.flags;
    const CAT = F_MEMMAP | F_INIT;
    // no state is interned in this loop (headsOp() calls fx): the per-id columns stay the same arrays
    const blk = this.blkPages;
    const bytes = table ? (xs as Uint8Array) : null;
    // the flags of the open stretch, from block a
    let lf = -1;
    let a = i;
    // heads moved from id mh to id mo since blk was last brought up to date (a count, not blk's two entries per head)
    let mh = -1;
    let mo = -1;
    let moved = 0;
    // whether headsByTable() took any block (its moves then go into blk below)
    let tabled = false;
    while (i < stop) {
      // the pairs in the table four blocks a step (with `count`, while their flags are the open stretch's), then the
      // block that stopped it here
      if (bytes !== null && (!count || lf >= 0)) {
        const j = headsByTable(bH, bytes, table!, i, stop, count ? lf : -1);
        if (j > i) tabled = true;
        i = j;
        if (i >= stop) break;
      }
      const h = bH[i]!;
      const x = xs ? xs[i]! : 0;
      if (h < 0) break;
      if (po !== null && po[h] !== x) break;
      const f = fl[h]!;
      let out = h;
      if (f & F_MEMMAP) {
        if (!(x >= 0 && x < HEAD_KEYS && Number.isInteger(x))) break;
        out = tab[h * HEAD_KEYS + x]! - 1;
        if (out < 0) break;
      }
      if (count && (f & CAT) !== lf) {
        if (i > a) pushHeadRun(a, i, lf);
        a = i;
        lf = f & CAT;
      }
      // the stretch of blocks [i, j) with the pair (h, x): all written out (or left as they are)
      let j = i + 1;
      if (out !== h) {
        if (h !== mh || out !== mo) {
          if (moved) {
            blk[mh] = blk[mh]! - moved;
            blk[mo] = blk[mo]! + moved;
          }
          mh = h;
          mo = out;
          moved = 0;
        }
        bH[i] = out;
        if (xs) for (; j < stop && bH[j] === h && xs[j] === x; j++) bH[j] = out;
        else for (; j < stop && bH[j] === h; j++) bH[j] = out;
        moved += j - i;
      } else if (xs) while (j < stop && bH[j] === h && xs[j] === x) j++;
      else while (j < stop && bH[j] === h) j++;
      i = j;
    }
    if (moved) {
      blk[mh] = blk[mh]! - moved;
      blk[mo] = blk[mo]! + moved;
    }
    if (tabled) {
      // headsByTable()'s moves, pair by pair
      const at = table!.at;
      const c = table!.moved;
      for (const k of table!.keys) {
        const q = k << 2;
        const m = c[q]! + c[q + 1]! + c[q + 2]! + c[q + 3]!;
        if (!m) continue;
        c[q] = c[q + 1] = c[q + 2] = c[q + 3] = 0;
        const h = Math.floor(k / HEAD_KEYS);
        const out = (at[k]! >> 2) - 1;
        blk[h] = blk[h]! - m;
        blk[out] = blk[out]! + m;
      }
    }
    if (count && i > a) pushHeadRun(a, i, lf);
    return i;
  }

  /** singlesOp() of any pfns: each looked up in the block columns from a cursor. */
  private pfnsOp(
    t: Tally,
    pfns: ArrayLike<number>,
    xs: ArrayLike<number> | null,
    fx: ((id: number, x: number) => number) | null,
    count: boolean,
  ): void {
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const fl = this.flags;
    const bN = this.live > 0 ? this.bN : 0;
    const n = pfns.length;
    let hIn = -1;
    let hX = NaN;
    let hOut = -1;
    let y = 0;
    let fi = 0;
    for (let i = 0; i < n; i++) {
      const p = pfns[i]!;
      const x = xs ? xs[i]! : 0;
      y = seekBlockEndingAfter(bE, bN, y, p);
      if (y < bN && bS[y]! <= p && bH[y]! >= 0) {
        if (bS[y] === p) {
          const h = bH[y]!;
          if (count) t.visit(p, p + 1, h);
          if (!fx || !(fl[h]! & F_MEMMAP)) continue;
          if (h !== hIn || x !== hX) {
            hIn = h;
            hX = x;
            hOut = fx(h, x);
          }
          if (hOut !== h) {
            const blk = this.blkPages;
            bH[y] = hOut;
            blk[h] = blk[h]! - 1;
            blk[hOut] = blk[hOut]! + 1;
          }
          continue;
        }
        if (!fx) {
          if (count) t.visit(p, p + 1, this.bT[y]!);
          continue;
        }
        this.evict([y]);
      }
      if (count) fi = this.tallyRuns(t, p, p + 1, fi);
      if (fx) this.pushPiece(p, p + 1, x);
    }
  }

  /** tally() then applyIds() of ranges sorted by start, in one pass when they are also disjoint. */
  private tallyApply(cols: Cols, xs: ArrayLike<number> | null, fx: (id: number, x: number) => number): Tally {
    if (this.onePass()) {
      const { S, E, n } = cols;
      let disjoint = true;
      for (let k = 1; k < n && disjoint; k++) disjoint = S[k]! >= E[k - 1]!;
      if (disjoint) return this.sweepOp(S, E, n, xs, fx, true);
    }
    const u = this.tally(cols);
    this.applyIds(cols, xs, fx);
    return u;
  }

  /**
   * What an operation over the ranges finds, in one sweep (no callback): pages with a struct page, pages without
   * one, and, for a use, the uninitialised pages; for an init (`init` gives each range's node and zone), the pages
   * initialised before (double init), those with another node or zone, and those holding a KHO order.
   */
  private tally(
    ranges: Cols,
    init: { readonly nid: ArrayLike<number>; readonly zid: ArrayLike<number> } | null = null,
  ): Tally {
    const t = new Tally(this.flags, this.idNid, this.idZid, init !== null);
    const limit = this.limitPfn;
    const { S, E, n: R } = ranges;
    // the common ranges without the sweep: a layer block's head, tail or whole, or a range inside one run that no
    // block meets (cursors of their own, which the sweep does not need: it searches from wherever its own are)
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bN = this.bN;
    const starts = this.starts;
    const nRuns = this.n;
    let fb = 0;
    let fi = 0;
    const sw = this.bindSweep(this.sw);
    for (let k = 0; k < R; k++) {
      const start = S[k]!;
      const end = E[k]!;
      if (init) {
        t.nid = init.nid[k]!;
        t.zid = init.zid[k]!;
      }
      if (start < end && end <= limit && start >= 0) {
        fb = seekBlockEndingAfter(bE, bN, fb, start);
        if (fb < bN && bS[fb]! <= start) {
          const hs = bS[fb]!;
          const he = bE[fb]!;
          const h = bH[fb]!;
          if (h >= 0 && end === he && (start === hs || start === hs + 1)) {
            if (start === hs) t.visit(hs, hs + 1, h);
            if (he > hs + 1) t.visit(hs + 1, he, this.bT[fb]!);
            continue;
          }
          if (h >= 0 && start === hs && end === hs + 1) {
            t.visit(hs, end, h);
            continue;
          }
        } else if (fb >= bN || bS[fb]! >= end) {
          if (starts[fi]! > start) fi = runHolding(starts, nRuns, start);
          else for (let steps = 0; fi + 1 < nRuns && starts[fi + 1]! <= start && steps < 16; steps++) fi++;
          if (fi + 1 < nRuns && starts[fi + 1]! <= start) fi = runHolding(starts, nRuns, start);
          if (fi + 1 >= nRuns || starts[fi + 1]! >= end) {
            t.visit(start, end, this.ids[fi]!);
            continue;
          }
        }
      }
      sw.range(start, end);
      while (sw.next()) t.visit(sw.s, sw.e, sw.id);
      if (end > limit) t.noMap.add(Math.max(start, limit), end);
    }
    this.endSweep(sw);
    return t;
  }

  /** __SetPageReserved on every page (a write to struct pages: uninitialised ones are recorded). */
  reserve(ranges: readonly Range[], actor: Actor): PageEvent | null {
    const rs = sortedNonEmpty(ranges);
    if (!rs.length) return null;
    const cols = colsOf(rs);
    const next = this.memo((st) => ({ ...st, reserved: true }));
    const u = this.tallyApply(cols, null, next);
    return this.record(actor, 'reserve', rs[0]!.start, rs[rs.length - 1]!.end, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.cols,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** __free_pages_core: PG_reserved cleared, pages handed to the buddy allocator. */
  free(ranges: readonly Range[], actor: Actor): PageEvent | null {
    const rs = sortedNonEmpty(ranges);
    if (!rs.length) return null;
    const cols = colsOf(rs);
    const next = this.memo((st) => ({ ...st, reserved: false, buddy: true }));
    const u = this.tallyApply(cols, null, next);
    return this.record(actor, 'free', rs[0]!.start, rs[rs.length - 1]!.end, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.cols,
      noMemmapPages: u.noMap.pages,
      cover: { start: cols.S, end: cols.E, n: cols.n },
    });
  }

  /** free() of ranges in columns, sorted by start and disjoint (no object per range). */
  freeColumns(ranges: RangeColumns, actor: Actor): PageEvent | null {
    const n = ranges.n;
    let ok = n > 0;
    for (let k = 0; k < n && ok; k++)
      ok = ranges.end[k]! > ranges.start[k]! && (k === 0 || ranges.start[k]! >= ranges.end[k - 1]!);
    if (!ok) {
      const rs: Range[] = [];
      for (let k = 0; k < n; k++) rs.push({ start: ranges.start[k]!, end: ranges.end[k]! });
      return this.free(rs, actor);
    }
    const cols: Cols = { S: ranges.start, E: ranges.end, n };
    const next = this.memo((st) => ({ ...st, reserved: false, buddy: true }));
    const u = this.tallyApply(cols, null, next);
    return this.record(actor, 'free', ranges.start[0]!, ranges.end[n - 1]!, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.cols,
      noMemmapPages: u.noMap.pages,
      cover: { start: ranges.start, end: ranges.end, n },
    });
  }

  /** KHO deserialize: order (and magic) written into the head page's page->private. */
  writeKhoHead(pfn: number, order: number, magic: boolean, actor: Actor): PageEvent {
    const cols = pageCols([pfn]);
    const u = this.tally(cols);
    this.applyIds(cols, null, (id) => this.intern({ ...this.states[id]!, khoOrder: order, khoMagic: magic }));
    // a write's uninitialised pages are counted, not listed (PageEvent.uninitRanges)
    return this.record(actor, 'write', pfn, pfn + 1, u.pages, {
      uninitPages: u.uninit.pages,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** Clear KHO metadata of head pages (restore clears page->private). */
  clearKhoHead(pfn: number): void {
    this.clearKhoHeads([pfn]);
  }

  /**
   * writeKhoHead() for many heads in one sweep (one event): a million preserved blocks cost one pass over the
   * runs instead of a million splices. Heads must be distinct; they are sorted here.
   */
  writeKhoHeads(
    heads: readonly { pfn: number; order: number }[],
    magic: boolean,
    actor: Actor,
  ): PageEvent | null {
    return this.writeKhoHeadColumns(
      Float64Array.from(heads, (h) => h.pfn),
      Float64Array.from(heads, (h) => h.order),
      magic,
      actor,
    );
  }

  /** writeKhoHeads() of heads in columns: head i is pfn headPfns[i] with order headOrders[i]. */
  writeKhoHeadColumns(
    headPfns: ArrayLike<number>,
    headOrders: ArrayLike<number>,
    magic: boolean,
    actor: Actor,
  ): PageEvent | null {
    const count = headPfns.length;
    if (!count) return null;
    // heads in strictly ascending order (a kho_memory_init's, from the block columns) are taken as they are
    // (the layer's own heads are: its blocks are non-empty, sorted and disjoint)
    let ascending = true;
    if (!this.layerHeads(headPfns))
      for (let i = 1; i < count && ascending; i++) ascending = headPfns[i - 1]! < headPfns[i]!;
    let pfns: ArrayLike<number> = headPfns;
    let orders: ArrayLike<number> = headOrders;
    let n = count;
    if (!ascending) {
      // stable sort by pfn (an index sort), first of equal pfns kept
      const order = Array.from({ length: count }, (_, k) => k).sort(
        (a, b) => headPfns[a]! - headPfns[b]! || a - b,
      );
      const p = new Float64Array(count);
      const o = new Float64Array(count);
      n = 0;
      for (let k = 0; k < count; k++) {
        const i = order[k]!;
        if (n > 0 && p[n - 1] === headPfns[i]) continue;
        p[n] = headPfns[i]!;
        o[n] = headOrders[i]!;
        n++;
      }
      pfns = p.subarray(0, n);
      orders = o.subarray(0, n);
    }
    const next = this.memo((st, o) => ({ ...st, khoOrder: o, khoMagic: magic }));
    let u: Tally;
    // a write's uninitialised pages are counted, not listed (PageEvent.uninitRanges): the one pass keeps no range
    if (this.onePass()) u = this.singlesOp(pfns, orders, next, true, null, false);
    else {
      const cols = pageCols(pfns, n);
      u = this.tally(cols);
      this.applyIds(cols, orders, next);
    }
    return this.record(actor, 'write', pfns[0]!, pfns[n - 1]! + 1, u.pages, {
      uninitPages: u.uninit.pages,
      noMemmapPages: u.noMap.pages,
    });
  }

  /**
   * clearKhoHead() for many heads in one sweep; with `except`, pfns but the positions it lists (ascending): the
   * layer's own heads in their one pass (headsOp), any other pfns without them.
   */
  clearKhoHeads(pfns: ArrayLike<number>, except: Positions | null = null): void {
    if (except && except.n) {
      if (!(this.layerHeads(pfns) && this.onePass())) return this.clearKhoHeads(without(pfns, except));
      if (firstKept(except, pfns.length) >= pfns.length) return;
      this.singlesOp(pfns, null, this.memo(clearedKhoHead), false, except);
      return;
    }
    const sorted = uniqueSorted(pfns);
    const next = this.memo((st) => ({ ...st, khoOrder: -1, khoMagic: false }));
    if (!sorted.length) return;
    if (this.onePass()) this.singlesOp(sorted, null, next, false);
    else this.applyIds(pageCols(sorted), null, next);
  }

  /**
   * clearKhoHeads(pfns) then readPages(pfns, actor), for pfns in strictly ascending order, in one pass over the layer:
   * the clear changes only the order and magic in page->private, and a read only asks whether the pages have a
   * struct page and were initialised, so the read finds what it would after the clear.
   */
  clearKhoHeadsThenRead(
    pfns: ArrayLike<number>,
    actor: Actor,
    except: Positions | null = null,
  ): PageEvent | null {
    if (except && except.n) {
      // the layer's own heads: one pass leaving the positions out; any other pfns without them, as they are
      if (!(this.layerHeads(pfns) && this.onePass()))
        return this.clearKhoHeadsThenRead(without(pfns, except), actor);
      const first = firstKept(except, pfns.length);
      if (first >= pfns.length) return null;
      const last = lastKept(except, pfns.length);
      const next = this.memo((st) => ({ ...st, khoOrder: -1, khoMagic: false }));
      const u = this.singlesOp(pfns, null, next, true, except);
      return this.record(actor, 'read', pfns[first]!, pfns[last]! + 1, u.pages + u.noMap.pages, {
        uninitPages: u.uninit.pages,
        uninitRanges: readFrom(u.uninit.cols, pfns, true),
        noMemmapPages: u.noMap.pages,
      });
    }
    const n = pfns.length;
    if (!n) return null;
    let strict = true;
    for (let i = 1; i < n && strict; i++) strict = pfns[i - 1]! < pfns[i]!;
    if (!(strict && this.onePass())) {
      this.clearKhoHeads(pfns);
      return this.readPages(pfns, actor);
    }
    const next = this.memo((st) => ({ ...st, khoOrder: -1, khoMagic: false }));
    const u = this.singlesOp(pfns, null, next, true);
    return this.record(actor, 'read', pfns[0]!, pfns[n - 1]! + 1, u.pages + u.noMap.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: readFrom(u.uninit.cols, pfns, true),
      noMemmapPages: u.noMap.pages,
    });
  }

  /**
   * kho_restore()'s verdict and clear in one pass over the layer's own heads (pfns the column the layer was attached
   * from): block i's head is cleared (clearKhoHeads) when its state passes with the block's order (see KhoHeadVerdict)
   * or verdict.decide(i, id) says it is restored all the same; with `read`, each head cleared is then read
   * (clearKhoHeadsThenRead, the event returned; null when no head is). The blocks decide() leaves are the caller's to
   * list: the same as the verdict block by block, then clearKhoHeads() or clearKhoHeadsThenRead() with those blocks
   * left out, which is what the caller does when this returns false (pfns not the layer's heads, or no one pass: nothing
   * done, nothing asked). One pass over the head column instead of two (the verdict's cost ~20-30 ms at 8M blocks).
   */
  clearRestoredKhoHeads(
    pfns: ArrayLike<number>,
    verdict: KhoHeadVerdict,
    read: Actor | null,
  ): PageEvent | null | false {
    if (!(this.layerHeads(pfns) && this.onePass())) return false;
    const u = this.singlesOp(
      pfns,
      verdict.orders,
      this.memo(clearedKhoHead),
      read !== null,
      null,
      true,
      verdict,
    );
    return read === null
      ? null
      : this.verdictRead(read, pfns, u, VERDICT_TAKEN[0]!, VERDICT_TAKEN[1]!, false);
  }

  /**
   * The read event of the heads a verdict pass (singlesOp with a KhoHeadVerdict, counting reads) took: blocks first ..
   * last (VERDICT_TAKEN as that pass left it), u its counts; null when it took none (first -1). `strict`: the ranges
   * marked as normalized (readFrom), as readPages() marks the layer's heads.
   */
  private verdictRead(
    read: Actor,
    pfns: ArrayLike<number>,
    u: ReturnType<MemMap['singlesOp']>,
    first: number,
    last: number,
    strict: boolean,
  ): PageEvent | null {
    if (first < 0) return null;
    return this.record(read, 'read', pfns[first]!, pfns[last]! + 1, u.pages + u.noMap.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: readFrom(u.uninit.cols, pfns, strict),
      noMemmapPages: u.noMap.pages,
    });
  }

  /**
   * clearRestoredKhoHeads() with `read` of the heads it restores counted in the same pass but recorded later, by the
   * function returned (called once, after the caller's work between the clear and the read; null when no head is
   * restored): readPages() of those heads then, if that work left every head's struct page as it was (a read only asks
   * whether a page has one and was initialised: lazy-tail's restore writes the tails only), records the same event.
   * false as clearRestoredKhoHeads() (nothing done).
   */
  clearRestoredKhoHeadsReadLater(
    pfns: ArrayLike<number>,
    verdict: KhoHeadVerdict,
    read: Actor,
  ): (() => PageEvent | null) | false {
    if (!(this.layerHeads(pfns) && this.onePass())) return false;
    const u = this.singlesOp(pfns, verdict.orders, this.memo(clearedKhoHead), true, null, true, verdict);
    const first = VERDICT_TAKEN[0]!;
    const last = VERDICT_TAKEN[1]!;
    return () => {
      this.heldReads++;
      // (as readPages(): the layer's heads ascend strictly)
      return this.verdictRead(read, pfns, u, first, last, true);
    };
  }

  /** Reads recorded from a clearRestoredKhoHeadsReadLater() pass (tests). */
  heldReads = 0;

  /** A read of every page of the ranges. */
  read(ranges: readonly Range[], actor: Actor): PageEvent | null {
    const rs = sortedNonEmpty(ranges);
    if (!rs.length) return null;
    return this.recordRead(colsOf(rs), actor);
  }

  /**
   * read() of the single pages [p, p + 1) of each pfn (no object per page); with `except`, pfns but the positions it
   * lists (ascending): the layer's own heads in their one pass (headsOp), any other pfns without them.
   */
  readPages(pfns: ArrayLike<number>, actor: Actor, except: Positions | null = null): PageEvent | null {
    if (except && except.n) {
      if (!(this.layerHeads(pfns) && this.onePass())) return this.readPages(without(pfns, except), actor);
      const first = firstKept(except, pfns.length);
      if (first >= pfns.length) return null;
      const last = lastKept(except, pfns.length);
      const u = this.singlesOp(pfns, null, null, true, except);
      return this.record(actor, 'read', pfns[first]!, pfns[last]! + 1, u.pages + u.noMap.pages, {
        uninitPages: u.uninit.pages,
        // (the layer's heads: its blocks non-empty, sorted and disjoint, they ascend strictly)
        uninitRanges: readFrom(u.uninit.cols, pfns, true),
        noMemmapPages: u.noMap.pages,
      });
    }
    if (!pfns.length) return null;
    let ascending = true;
    let strict = true;
    for (let i = 1; i < pfns.length; i++) {
      if (pfns[i]! < pfns[i - 1]!) ascending = false;
      if (!(pfns[i]! > pfns[i - 1]!)) strict = false;
    }
    const sorted = ascending ? pfns : Float64Array.from(pfns).sort();
    if (!this.onePass()) return this.recordRead(pageCols(sorted), actor);
    const n = sorted.length;
    const u = this.singlesOp(sorted, null, null, true);
    return this.record(actor, 'read', sorted[0]!, sorted[n - 1]! + 1, u.pages + u.noMap.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: readFrom(u.uninit.cols, pfns, strict),
      noMemmapPages: u.noMap.pages,
    });
  }

  private recordRead(cols: Cols, actor: Actor): PageEvent {
    const u = this.onePass() ? this.sweepOp(cols.S, cols.E, cols.n, null, null, true) : this.tally(cols);
    return this.record(actor, 'read', cols.S[0]!, cols.E[cols.n - 1]!, u.pages + u.noMap.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.cols,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** A read of the pfns of a pattern (pageblock or section boundaries), counted arithmetically per run. */
  /**
   * Ahead of the zones' pattern reads (page_alloc_init_late, before deferred init, which leaves the layer blocks as they
   * are): when every page of a large layer is never initialised and has a struct page (none: 8.36M blocks), the loop
   * set_zone_contiguous()'s reads will take (headHitsAll()) is primed hot, so that V8 compiles it on its background
   * thread while deferred init runs. Else its first real call (the first zone, 522K blocks of the 8M bundle) ran
   * ~30 ms unoptimised until an on-stack replacement compiled for it was ready. Changes no answer.
   */
  warmPatternReads(): void {
    if (this.bN < WARM_BLOCKS) return;
    const P = this.blkPages;
    const fl = this.flags;
    // layer pages never initialised (with a struct page) and initialised ones
    let uninit = false;
    let init = false;
    for (let id = 0; id < P.length; id++)
      if (P[id]! > 0) {
        if ((fl[id]! & (F_MEMMAP | F_INIT)) === F_MEMMAP) uninit = true;
        else init = true;
      }
    if (uninit && !init) {
      if (headHitsAllHot) return;
      headHitsAllHot = true;
      primeHeadHitsAll(PRIME_HOT_RUNS);
    } else if (uninit && !tailHitsHot) {
      // some of them initialised (lazy-tail: the heads, its 4.18M tails not): the reads' loop over blocks whose
      // unmarked head parts tails of their own (tailHits()) likewise
      tailHitsHot = true;
      primeTailHits(PRIME_HOT_RUNS);
    }
  }

  /** Which counting loops warmPatternReads() has primed hot in this process (tests). */
  static patternLoopsWarm(): { readonly headHitsAll: boolean; readonly tailHits: boolean } {
    return { headHitsAll: headHitsAllHot, tailHits: tailHitsHot };
  }

  /**
   * Whether firstMarkedBlock() has been primed hot in this process, and its priming's stops (with the columns' shape,
   * without): tests.
   */
  static markedLookWarm(): { readonly hot: boolean; readonly primeStops: () => number[][] } {
    return { hot: firstMarkedHot, primeStops: () => primeFirstMarkedBlock(1) };
  }

  readPattern(p: PfnPattern, actor: Actor): PageEvent {
    const offs = [...new Set(p.offsets)];
    const inPattern = (pfn: number): boolean =>
      pfn >= p.start && pfn < p.end && offs.includes(pfn % p.stride);
    // every pattern pfn of [start, end) is read; only the runs of uninitialised or unmapped pages are counted apart
    const pc = new PatternCount(this.flags, p.stride, offs);
    let pages = pc.count(p.start, p.end);
    const fl = this.flags;
    // only the pieces of uninitialised or unmapped pages, merged into runs of one state as the uninitialised
    // ranges are reported (adjacent pieces of one state)
    const marks = new Uint8Array(this.states.length);
    for (let id = 0; id < marks.length; id++) marks[id] = fl[id]! & F_MEMMAP && fl[id]! & F_INIT ? 0 : 1;
    let arena: RangeArena | undefined;
    if (this.onePass() && this.layerMarked(marks)) {
      // a range a layer block at most on the counting loops' path (more: columns of its own), all the map's
      // pattern reads in one pair of columns (rows untouched cost no memory until written)
      arena = rangeArenas.get(this);
      if (!arena || arena.used + 4096 > arena.start.length) {
        const cap = this.bN + 4096;
        rangeArenas.set(this, (arena = { start: f64Column(cap), end: f64Column(cap), used: 0 }));
      }
      pc.uninit.useArena(arena);
      pc.trackBlocks(this.bS, this.bE, this.bN);
      this.markedChains(p.start, p.end, marks, pc);
      pc.uninit.claim(arena);
    } else {
      const sw = this.bindSweep(this.sw);
      sw.range(p.start, p.end);
      let rs = 0;
      let re = 0;
      let rid = -1;
      for (let more = sw.next(marks); ; more = sw.next(marks)) {
        if (more && sw.id === rid && sw.s === re) {
          re = sw.e;
          continue;
        }
        if (rid >= 0) pc.chain(rs, re, rid);
        if (!more) break;
        rs = sw.s;
        re = sw.e;
        rid = sw.id;
      }
      this.endSweep(sw);
    }
    let uninitPages = pc.uninitPages;
    let noMapPages = pc.noMapPages;
    if (p.end > this.limitPfn) noMapPages += pc.count(Math.max(p.start, this.limitPfn), p.end);
    const extra = [...new Set(p.points)].filter((pt) => !inPattern(pt)).sort((a, b) => a - b);
    const extraUninit = new RangeAcc();
    for (const pt of extra) {
      const st = this.stateAt(pt);
      pages++;
      if (!st.memmap) noMapPages++;
      else if (st.initCount === 0) {
        uninitPages++;
        extraUninit.add(pt, pt + 1);
      }
    }
    const own = pc.uninit.cols;
    const uninitRanges = mergeByStart(own, extraUninit.cols);
    // the blocks its ranges meet, when the sweep counted them all (no extra point among them)
    if (pc.met > 0 && uninitRanges === own)
      blocksMetByRead.set(uninitRanges, { starts: this.bS, n: pc.met, first: pc.metFirst, last: pc.metLast });
    return this.record(actor, 'read', p.start, p.end, pages, {
      uninitPages,
      uninitRanges,
      noMemmapPages: noMapPages,
    });
  }

  /**
   * Some layer block shows a state the marks mark (the layer's pages per state id): else readPattern()'s general loop
   * steps over the layer run by run (Sweep.nextInRuns), not block by block.
   */
  private layerMarked(marks: Uint8Array): boolean {
    const P = this.blkPages;
    const m = marks.length < P.length ? marks.length : P.length;
    for (let id = 0; id < m; id++) if (marks[id] && P[id]! > 0) return true;
    return false;
  }

  /**
   * readPattern()'s sweep over a map with layer blocks in one loop, no call per piece: the maximal stretches of pages
   * of one marked state in [start, end) (within limitPfn), in address order, each handed to pc.chain(). The pieces are
   * next(marks)'s (the runs stepped over run by run, the blocks inside an unmarked run by a look at their head and
   * tail ids, a marked head or tail a piece of its own), joined where they touch with one state, as readPattern()'s
   * general loop joins them: a zone of a million blocks whose tails are all uninitialised (lazy-tail, zone-walk, none
   * at set_zone_contiguous) costs a few loads per block. test/sim/memmap-layer.test.ts holds the two to one answer.
   */
  private markedChains(start: number, end: number, marks: Uint8Array, pc: PatternCount): void {
    const limit = this.limitPfn;
    const e0 = end < limit ? end : limit;
    if (!(start < e0)) return;
    const st = this.starts;
    const ids = this.ids;
    const n = this.n;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bT = this.bT;
    const bN = this.bN;
    // every layer page's state marked and with a struct page (the layer's pages per state id): markedHeads()' loop
    // need not look at marks or flags (headHitsAll())
    const P = this.blkPages;
    const fl = this.flags;
    let all = true;
    for (let id = 0; id < P.length && all; id++)
      if (P[id]! > 0 && !(id < marks.length && marks[id] && fl[id]! & F_MEMMAP)) all = false;
    let i = seekRunHolding(st, n, this.wi < n ? this.wi : 0, start);
    let b = seekBlockEndingAfter(bE, bN, this.wb <= bN ? this.wb : 0, start);
    let pos = start;
    // the open stretch of one marked state: [cs, ce) of state cid (-1: none yet)
    let cs = 0;
    let ce = 0;
    let cid = -1;
    while (pos < e0) {
      i = seekRunHolding(st, n, i, pos);
      let re = i + 1 < n ? st[i + 1]! : limit;
      if (re > e0) re = e0;
      b = seekBlockEndingAfter(bE, bN, b, pos);
      while (b < bN && bH[b]! < 0) b++;
      let pe: number;
      let id: number;
      if (b < bN && bS[b]! <= pos) {
        // inside a layer block: its head, or its tail (both unmarked: past the block)
        const hs = bS[b]!;
        if (pos < hs + 1 && marks[bH[b]!]) {
          pe = hs + 1;
          id = bH[b]!;
        } else {
          pe = bE[b]!;
          id = bT[b]!;
          if (pos < hs + 1) pos = hs + 1;
        }
        if (pe > e0) pe = e0;
        if (!(pos < pe && marks[id])) {
          pos = pe;
          continue;
        }
      } else if (marks[ids[i]!]) {
        // a marked run, up to the next layer block
        id = ids[i]!;
        pe = b < bN && bS[b]! < re ? bS[b]! : re;
      } else {
        // an unmarked run: the blocks in it one by one (their marked head and tail pieces; the runs between them are
        // unmarked), then past the run; a block reaching past the run's end leaves the rest to the loop
        while (b < bN && bS[b]! < re) {
          const h = bH[b]!;
          if (h < 0) {
            b++;
            continue;
          }
          if (!marks[h]) {
            // an unmarked head at or past pos parts the open stretch from all that follows: it is whole
            if (cid >= 0) {
              pc.chain(cs, ce, cid);
              cid = -1;
            }
            const b2 = pc.isolatedTails(bS, bE, bH, bT, marks, b, bN, re, e0);
            if (b2 > b) {
              pos = bE[b2 - 1]!;
              b = b2;
              continue;
            }
          }
          if (marks[h]) {
            // a marked head (none at set_zone_contiguous): the blocks from it on counted in one loop
            HEAD_IO[0] = cs;
            HEAD_IO[1] = ce;
            HEAD_IO[2] = cid;
            const b2 = pc.markedHeads(bS, bE, bH, bT, marks, b, bN, re, all);
            if (b2 > b) {
              cs = HEAD_IO[0]!;
              ce = HEAD_IO[1]!;
              cid = HEAD_IO[2]!;
              pos = bE[b2 - 1]!;
              b = b2;
              continue;
            }
          }
          const hs = bS[b]!;
          const he = bE[b]!;
          if (marks[h]) {
            if (h === cid && hs === ce) ce = hs + 1;
            else {
              if (cid >= 0) pc.chain(cs, ce, cid);
              cs = hs;
              ce = hs + 1;
              cid = h;
            }
          }
          pos = he < e0 ? he : e0;
          b++;
          if (pos > hs + 1) {
            const t = bT[b - 1]!;
            if (marks[t]) {
              if (t === cid && hs + 1 === ce) ce = pos;
              else {
                if (cid >= 0) pc.chain(cs, ce, cid);
                cs = hs + 1;
                ce = pos;
                cid = t;
              }
            }
          }
          if (pos >= re) break;
        }
        if (pos < re) pos = re;
        continue;
      }
      if (id === cid && pos === ce) ce = pe;
      else {
        if (cid >= 0) pc.chain(cs, ce, cid);
        cs = pos;
        ce = pe;
        cid = id;
      }
      pos = pe;
    }
    if (cid >= 0) pc.chain(cs, ce, cid);
    this.wi = i;
    this.wb = b;
  }

  /** Totals over [start, end) (the whole map by default). */
  census(start = 0, end = this.limitPfn): MemMapCensus {
    const c = { memmap: 0, uninit: 0, init: 0, multiInit: 0, reserved: 0, buddy: 0, khoHeads: 0 };
    // pages per state id in one loop over the runs (integer sums, exact), then the totals per state
    const perId = new Float64Array(this.states.length);
    const e0 = Math.min(end, this.limitPfn);
    if (start === 0 && e0 === this.limitPfn) this.countAll(perId);
    else if (start < e0)
      this.walkEach({ S: [start], E: [e0], n: 1 }, (s, e, id) => (perId[id] = perId[id]! + e - s));
    perId.forEach((n, id) => {
      const st = this.states[id]!;
      if (!n || !st.memmap) return;
      c.memmap += n;
      if (st.initCount === 0) c.uninit += n;
      else c.init += n;
      if (st.initCount > 1) c.multiInit += n;
      if (st.reserved) c.reserved += n;
      if (st.buddy) c.buddy += n;
      if (st.khoOrder >= 0) c.khoHeads += n;
    });
    return c;
  }

  /**
   * Pages per state id over the whole map: every run, less the pages under layer blocks (hidden), plus each
   * block's head and tail. One pass over the runs and the blocks, no callback.
   */
  private countAll(perId: Float64Array): void {
    const n = this.n;
    const starts = this.starts;
    const ids = this.ids;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      perId[id] = perId[id]! + this.runEnd(i) - starts[i]!;
    }
    if (!this.live) return;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bN = this.bN;
    // the blocks' own pages, kept per state id as the columns change
    const blk = this.blkPages;
    for (let id = 0; id < perId.length; id++) perId[id] = perId[id]! + blk[id]!;
    // the runs under the blocks are hidden: per run, the pages of the layer blocks inside it, from prefix sums over
    // the blocks (the runs are few: no pass over the blocks per run)
    const pre = this.layerPrefix();
    for (let i = 0; i < n; i++) {
      const rs = starts[i]!;
      const re = this.runEnd(i);
      const b0 = blockEndingAfter(bE, bN, rs);
      if (b0 >= bN || bS[b0]! >= re) continue;
      const b1 = blockStartingAtOrAfter(bS, bN, re);
      let hidden = this.layerPagesBefore(pre, b1) - this.layerPagesBefore(pre, b0);
      // the first block may start before the run, the last end after it
      if (bH[b0]! >= 0 && bS[b0]! < rs) hidden -= rs - bS[b0]!;
      if (bH[b1 - 1]! >= 0 && bE[b1 - 1]! > re) hidden -= bE[b1 - 1]! - re;
      const id = ids[i]!;
      perId[id] = perId[id]! - hidden;
    }
  }

  /**
   * Pages of the layer blocks (evicted ones count 0) before every prefixStep-th block: pre[j] is the sum over blocks
   * [0, j * prefixStep), for j * prefixStep <= bN (a 64th of a column per block: 1 MB, not 64 MB, at 8M blocks);
   * rebuilt after an eviction. Sums of integers below 2^53: exact in any order.
   */
  private layerPrefix(): Float64Array {
    if (this.prefix) return this.prefix;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const step = this.prefixStep;
    const pre = new Float64Array(Math.floor(this.bN / step) + 1);
    let sum = 0;
    for (let j = 1, b = 0; j < pre.length; j++) {
      for (const end = b + step; b < end; b++) if (bH[b]! >= 0) sum += bE[b]! - bS[b]!;
      pre[j] = sum;
    }
    return (this.prefix = pre);
  }

  /**
   * The layer's caches made now, for a map about to be copied (src/sim/replay.ts replayEach), so that the copies find
   * them made instead of each passing over every block again: layerPrefix() (returned; null without layer blocks)
   * and deadBlocks() (a copy's holds the copy's own head column: src/sim/fork.ts forks it with the map). Both stay
   * valid in a copy until blocks leave its layer, and a copy never writes the prefix (it drops it for a new one), so
   * the caller may share that read only (src/sim/fork.ts shareReadOnly).
   */
  layerCachesForCopies(): Float64Array | null {
    if (!this.live) return null;
    this.deadBlocks();
    return this.layerPrefix();
  }

  /** Pages of the layer blocks before block b (b <= bN), from layerPrefix() and the blocks after its entry. */
  private layerPagesBefore(pre: Float64Array, b: number): number {
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const j = Math.floor(b / this.prefixStep);
    let sum = pre[j]!;
    for (let k = j * this.prefixStep; k < b; k++) if (bH[k]! >= 0) sum += bE[k]! - bS[k]!;
    return sum;
  }

  /** Coalesced ranges of [start, end) whose state satisfies pred. */
  rangesWhere(pred: (st: PageState) => boolean, start = 0, end = this.limitPfn): Range[] {
    const acc = new RangeAcc();
    this.scan(start, end, (s, e, st) => {
      if (pred(st)) acc.add(s, e);
    });
    return acc.ranges;
  }

  /**
   * Ranges where this map and `other` disagree on node or zone of initialised pages (for checking a KHO
   * strategy against a reference replay). Both maps must cover the same pfns.
   */
  identityDiff(other: MemMap, start = 0, end = this.limitPfn): Range[] {
    const acc = new RangeAcc();
    const mine = this.query(start, end);
    let j = 0;
    const theirs = other.query(start, end);
    for (const r of mine) {
      while (j < theirs.length && theirs[j]!.end <= r.start) j++;
      for (let k = j; k < theirs.length && theirs[k]!.start < r.end; k++) {
        const t = theirs[k]!;
        const s = Math.max(r.start, t.start);
        const e = Math.min(r.end, t.end);
        const a = r.state;
        const b = t.state;
        if (a.initCount > 0 && b.initCount > 0 && (a.nid !== b.nid || a.zid !== b.zid)) acc.add(s, e);
      }
    }
    return acc.ranges;
  }
}

/** A head's page->private cleared (kho_restore_page(): order and magic gone). */
function clearedKhoHead(st: PageState): PageState {
  return { ...st, khoOrder: -1, khoMagic: false };
}

/** The state __init_single_page() leaves over st, for a range with key x (initColumnsThen's keys and pairs). */
function initStateOf(
  pairs: readonly { nid: number; zid: number }[] | null,
  fn: string,
): (st: PageState, x: number) => PageState {
  return (st, x) => ({
    ...UNINIT,
    initCount: st.initCount + 1,
    nid: pairs ? pairs[x]!.nid : Math.floor(x / 16) - 1,
    zid: pairs ? pairs[x]!.zid : (x % 16) - 1,
    initBy: fn,
  });
}

/** A state freed: reserved cleared, in the buddy allocator (__free_pages_core). */
function freedState(st: PageState): PageState {
  return { ...st, reserved: false, buddy: true };
}

/**
 * initStateOf() then freedState(), for the record of a shared deferred init (MemMap.shareAfter): made here, not in
 * initColumnsThen(), so the function the record keeps holds nothing of the map that recorded it (a closure made
 * there shares its scope, which holds the map's memo functions and through them the map: a whole replay's memmap
 * and events kept alive by the record for as long as the copies run).
 */
function initThenFreedStateOf(
  pairs: readonly { nid: number; zid: number }[] | null,
  fn: string,
): (st: PageState, x: number) => PageState {
  const init = initStateOf(pairs, fn);
  return (st, x) => freedState(init(st, x));
}

/** One deferred init operation as a map did it, for its copies (MemMap.replayShared). */
interface SharedOp {
  readonly ranges: InitColumns;
  readonly initActor: Actor;
  readonly freeActor: Actor;
  /** The layer: bounds (the same columns), blocks, blocks in it, and the blocks out of it (indexes). */
  readonly bS: Float64Array;
  readonly bE: Float64Array;
  readonly bN: number;
  readonly live: number;
  readonly dead: readonly number[];
  /** The pieces of the runs it wrote, with their keys. */
  readonly pS: Float64Array;
  readonly pE: Float64Array;
  readonly pX: Float64Array;
  /** The runs under the pieces before it (MemMap.runsUnder). */
  readonly runs: Float64Array;
  /** What it wrote over a state with key x. */
  readonly stateFx: (st: PageState, x: number) => PageState;
  readonly events: readonly PageEvent[];
}

export interface MemMapCensus {
  /** Pages with a struct page. */
  memmap: number;
  uninit: number;
  init: number;
  /** Initialised more than once. */
  multiInit: number;
  reserved: number;
  buddy: number;
  khoHeads: number;
}
