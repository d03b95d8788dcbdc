// struct page state over pfns as an interval map (DESIGN.md, Model and units): runs of pages in one state,
// changed by range operations that record who did what. Work is proportional to the number of runs and
// operations, never to the number of pages. Field meanings follow include/linux/mm_types.h struct page and
// mm/page_alloc.c __init_single_page / reserve_bootmem_region / __free_pages_core, v6.1.
import type { Range } from '../core/index.js';

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
  readonly uninitRanges: readonly Range[];
  /** Touched pages without a struct page at all (no memmap: a fault in the kernel). */
  readonly noMemmapPages: number;
  /** init only: pages initialised before (double init), and pages whose KHO order it wiped. */
  readonly doubleInitPages: number;
  readonly doubleInitRanges: readonly Range[];
  readonly khoLostPages: number;
  readonly khoLostRanges: readonly Range[];
  /** init only: pages initialised before with another node or zone. */
  readonly identityChangedPages: number;
  readonly identityChangedRanges: readonly Range[];
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

class RangeAcc {
  readonly ranges: Range[] = [];
  pages = 0;
  add(start: number, end: number): void {
    if (end <= start) return;
    this.pages += end - start;
    const last = this.ranges[this.ranges.length - 1];
    if (last && last.end === start) this.ranges[this.ranges.length - 1] = { start: last.start, end };
    else this.ranges.push({ start, end });
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
  readonly nid: Float64Array;
  readonly zid: Float64Array;
  readonly n: number;
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
  const S = new Float64Array(n);
  const E = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    S[k] = pfns[k]!;
    E[k] = pfns[k]! + 1;
  }
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

/** applyIds()'s `same` for operations whose result does not depend on the range. */
const ALWAYS = (): boolean => true;

/** NO_MEMMAP's state id (the constructor interns it first). */
const NO_MEMMAP_ID = 0;

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

  /** Pages in `present` ranges have a struct page (uninitialised); the rest of [0, limitPfn) has none. */
  constructor(present: readonly Range[], limitPfn: number) {
    this.limitPfn = limitPfn;
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
    const st = this.starts;
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (st[mid]! <= pfn) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Visit the runs clipped to [start, end) (maximal: neighbours differ, preserved blocks included). */
  scan(start: number, end: number, cb: (s: number, e: number, st: PageState) => void): void {
    this.walk(start, end, 0, (s, e, id) => cb(s, e, this.states[id]!));
  }

  /**
   * The runs of [start, end) as the pages see them (the block layer over the background runs), maximal (equal
   * neighbours merged), by state id; pages past limitPfn come last as NO_MEMMAP. `k` is passed through. The
   * cursors (this.wi over the background, this.wb over the blocks) move forward from where the last walk left
   * them, so ranges in ascending order cost one sweep in all.
   */
  private walk(
    start: number,
    end: number,
    k: number,
    cb: (s: number, e: number, id: number, k: number) => void,
  ): void {
    const limit = this.limitPfn;
    const e0 = Math.min(end, limit);
    if (start < e0 && this.live === 0) {
      // no block layer: the runs themselves (maximal already)
      const starts = this.starts;
      const n = this.n;
      let i = this.seekBg(start);
      for (; i < n; i++) {
        const rs = starts[i]!;
        if (rs >= e0) break;
        cb(rs > start ? rs : start, Math.min(i + 1 < n ? starts[i + 1]! : limit, e0), this.ids[i]!, k);
      }
      this.wi = i > 0 ? i - 1 : 0;
    } else if (start < e0) {
      const starts = this.starts;
      const ids = this.ids;
      const n = this.n;
      const bS = this.bS;
      const bE = this.bE;
      const bH = this.bH;
      const bN = this.bN;
      let i = this.seekBg(start);
      let b = bN ? this.seekBlock(start) : 0;
      let pos = start;
      let ps = start;
      let pid = -1;
      while (pos < e0) {
        while (b < bN && (bE[b]! <= pos || bH[b]! < 0)) b++;
        let re: number;
        let rid: number;
        if (b < bN && bS[b]! <= pos) {
          const hs = bS[b]!;
          if (pos < hs + 1) {
            re = hs + 1;
            rid = bH[b]!;
          } else {
            re = bE[b]!;
            rid = this.bT[b]!;
          }
        } else {
          for (let steps = 0; i + 1 < n && starts[i + 1]! <= pos; steps++) {
            if (steps === 16) {
              i = this.find(pos);
              break;
            }
            i++;
          }
          re = i + 1 < n ? starts[i + 1]! : limit;
          if (b < bN && bS[b]! < re) re = bS[b]!;
          rid = ids[i]!;
        }
        if (re > e0) re = e0;
        if (rid !== pid) {
          if (pid >= 0) cb(ps, pos, pid, k);
          ps = pos;
          pid = rid;
        }
        pos = re;
      }
      if (pid >= 0) cb(ps, pos, pid, k);
      this.wi = i;
      this.wb = b;
    }
    if (end > limit) cb(Math.max(start, limit), end, NO_MEMMAP_ID, k);
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
    const bE = this.bE;
    let lo = 0;
    let hi = this.bN;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bE[mid]! <= pfn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** scan() of each range in turn (same callbacks, same order; k is the range's index). */
  private scanEach(rs: Cols, cb: (s: number, e: number, st: PageState, k: number) => void): void {
    const states = this.states;
    this.walkEach(rs, (s, e, id, k) => cb(s, e, states[id]!, k));
  }

  /**
   * walk() of each range in turn: walk()'s cursors over the runs and the blocks (this.wi, this.wb) carry over from
   * one range to the next, so ranges in ascending order cost one sweep, and a range starting before the last one
   * searches again (seekBg, seekBlock).
   */
  private walkEach(rs: Cols, cb: (s: number, e: number, id: number, k: number) => void): void {
    const { S, E, n: R } = rs;
    for (let k = 0; k < R; k++) this.walk(S[k]!, E[k]!, k, cb);
  }

  /**
   * scan() of each range [start[k], end[k]) in turn, in one sweep when they are in ascending order (k is the
   * range's index): the sweeps of a check over a million preserved blocks.
   */
  scanRanges(rs: RangeColumns, cb: (s: number, e: number, st: PageState, k: number) => void): void {
    this.scanEach({ S: rs.start, E: rs.end, n: rs.n }, cb);
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
  private bS = new Float64Array(0);
  private bE = new Float64Array(0);
  /** Head and tail state ids of each block; bH -1: the block's pages are in the runs (evicted). */
  private bH = new Int32Array(0);
  private bT = new Int32Array(0);
  /** Blocks in the layer (not evicted). */
  private live = 0;
  // walk cursors (a run, a block), kept between walks so ascending queries sweep once
  private wi = 0;
  private wb = 0;

  /**
   * Keep the state of the given blocks (preserved memory, sorted by start) in the block layer. A block that
   * overlaps another, is empty, lies past limitPfn or over more than one run stays in the runs. Observable
   * behaviour is the same either way: only the cost changes.
   */
  attachBlocks(starts: ArrayLike<number>, ends: ArrayLike<number>): void {
    if (this.bN) this.detachBlocks();
    const n = starts.length;
    for (let i = 1; i < n; i++) if (starts[i]! < starts[i - 1]!) return;
    const S = new Float64Array(n);
    const E = new Float64Array(n);
    const H = new Int32Array(n);
    let m = 0;
    let prevEnd = -Infinity;
    for (let i = 0; i < n; i++) {
      const s = starts[i]!;
      const e = ends[i]!;
      const ok = s >= 0 && e > s && e <= this.limitPfn && s >= prevEnd && (i + 1 >= n || e <= starts[i + 1]!);
      if (e > prevEnd) prevEnd = e;
      if (!ok) continue;
      const r = this.find(s);
      if (this.runEnd(r) < e) continue;
      S[m] = s;
      E[m] = e;
      H[m] = this.ids[r]!;
      m++;
    }
    this.bS = S.subarray(0, m);
    this.bE = E.subarray(0, m);
    this.bH = H.subarray(0, m);
    this.bT = H.slice(0, m);
    this.bN = m;
    this.live = m;
    this.wb = 0;
  }

  /** Write every block of the layer into the runs and drop the layer. */
  detachBlocks(): void {
    const all: number[] = [];
    for (let b = 0; b < this.bN; b++) if (this.bH[b]! >= 0) all.push(b);
    this.evict(all);
    this.bN = 0;
    this.live = 0;
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
      this.bH[b] = -1;
      this.live--;
    }
    this.bgApplyIds({ S, E, n }, (_id, k) => to[k]!, true);
  }

  /**
   * Apply f (state id -> state id, per range k and piece [s, e)) to disjoint ranges sorted by start: the blocks
   * of the layer the ranges cover are changed in their columns, the rest in the runs. `same(k1, k2)`: f gives
   * the same result for both ranges, so two ranges with only layer blocks between them are one range of the
   * runs (the runs under the blocks are hidden); without it each range is its own.
   */
  private applyIds(
    rs: Cols,
    f: (id: number, k: number, s: number, e: number) => number,
    same?: (k1: number, k2: number) => boolean,
  ): void {
    if (this.live === 0) {
      this.bgApplyIds(rs, f);
      return;
    }
    const { S, E, n: R } = rs;
    const bS = this.bS;
    const bE = this.bE;
    const bH = this.bH;
    const bN = this.bN;
    // blocks covered in part, moved to the runs first
    const partial: number[] = [];
    let b = 0;
    for (let k = 0; k < R; k++) {
      const s = S[k]!;
      const e = E[k]!;
      if (!(e > s)) continue;
      if (b > 0 && bE[b - 1]! > s) b = this.firstBlockEndingAfter(s);
      while (b < bN && bE[b]! <= s) b++;
      for (let x = b; x < bN && bS[x]! < e; x++) {
        if (bH[x]! < 0) continue;
        const cs = Math.max(s, bS[x]!);
        const ce = Math.min(e, bE[x]!);
        const whole = cs === bS[x] && ce === bE[x];
        const head = cs === bS[x] && ce === cs + 1;
        const tail = cs === bS[x]! + 1 && ce === bE[x];
        if (!(whole || head || tail) && partial[partial.length - 1] !== x) partial.push(x);
      }
    }
    if (partial.length) {
      partial.sort((x, y) => x - y);
      this.evict(partial.filter((x, i) => i === 0 || partial[i - 1] !== x));
    }
    // the layer's part in its columns, the rest as pieces of the runs (joined across layer blocks when `same`)
    const states = this.states;
    const bT = this.bT;
    let pS = new Float64Array(Math.min(R + 16, 1 << 16));
    let pE = new Float64Array(pS.length);
    let pK = new Int32Array(pS.length);
    let np = 0;
    let g = 0; // gap-check cursor over the blocks
    const piece = (s: number, e: number, k: number): void => {
      if (np > 0 && same && pE[np - 1]! <= s && same(pK[np - 1]!, k)) {
        // joined when [previous end, s) is all layer blocks, end to end
        let cover = pE[np - 1]!;
        if (cover === s) {
          pE[np - 1] = e;
          return;
        }
        if (g > 0 && bE[g - 1]! > cover) g = this.firstBlockEndingAfter(cover);
        while (g < bN && bE[g]! <= cover) g++;
        let x = g;
        while (x < bN && bH[x]! >= 0 && bS[x] === cover && cover < s) cover = bE[x++]!;
        if (cover === s) {
          pE[np - 1] = e;
          return;
        }
      }
      if (np === pS.length) {
        const grow = <A extends Float64Array | Int32Array>(a: A, make: (m: number) => A): A => {
          const c = make(a.length * 2);
          c.set(a);
          return c;
        };
        pS = grow(pS, (m) => new Float64Array(m));
        pE = grow(pE, (m) => new Float64Array(m));
        pK = grow(pK, (m) => new Int32Array(m));
      }
      pS[np] = s;
      pE[np] = e;
      pK[np++] = k;
    };
    b = 0;
    for (let k = 0; k < R; k++) {
      const s = S[k]!;
      const e = E[k]!;
      if (!(e > s)) continue;
      if (b > 0 && bE[b - 1]! > s) b = this.firstBlockEndingAfter(s);
      while (b < bN && bE[b]! <= s) b++;
      let pos = s;
      for (let x = b; x < bN && bS[x]! < e; x++) {
        if (bH[x]! < 0) continue;
        const hs = bS[x]!;
        const cs = Math.max(s, hs);
        const ce = Math.min(e, bE[x]!);
        if (cs > pos) piece(pos, cs, k);
        if (cs === hs) {
          const h = bH[x]!;
          if (states[h]!.memmap) bH[x] = f(h, k, hs, hs + 1);
        }
        if (ce === bE[x] && ce > hs + 1) {
          const t = bT[x]!;
          if (states[t]!.memmap) bT[x] = f(t, k, hs + 1, ce);
        }
        pos = ce;
      }
      if (pos < e) piece(pos, e, k);
    }
    if (np) this.bgApplyIds({ S: pS, E: pE, n: np }, (id, j, s, e) => f(id, pK[j]!, s, e));
  }

  /**
   * Apply f to many disjoint ranges sorted by start in one sweep (O(runs + ranges)); `f` receives the range's
   * payload. Pages without memmap are left alone.
   */
  applyMany<T extends Range>(
    ranges: readonly T[],
    f: (st: PageState, r: T, s: number, e: number) => PageState,
  ): void {
    this.applyIds(colsOf(ranges), (id, k, s, e) => this.intern(f(this.states[id]!, ranges[k]!, s, e)));
  }

  /**
   * applyMany() on state ids. The ranges are cut into groups whose windows of runs (the runs they touch plus a
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
    // neighbouring ranges mostly repeat the last key: answered without the map
    let lastKey = -1;
    let lastOut = -1;
    return (id, x) => {
      if (!(x >= 0 && x < 0x1000000)) return this.intern(f(this.states[id]!, x));
      const key = id * 0x1000000 + x;
      if (key === lastKey) return lastOut;
      let out = seen.get(key);
      if (out === undefined) {
        out = this.intern(f(this.states[id]!, x));
        seen.set(key, out);
      }
      lastKey = key;
      lastOut = out;
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
      uninitRanges: [],
      noMemmapPages: 0,
      doubleInitPages: 0,
      doubleInitRanges: [],
      khoLostPages: 0,
      khoLostRanges: [],
      identityChangedPages: 0,
      identityChangedRanges: [],
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
    // empty ranges dropped; input order kept for the bookkeeping, address order for the sweep
    let keep: number[] | null = null;
    for (let k = 0; k < ranges.n; k++) {
      if (!(ranges.end[k]! > ranges.start[k]!)) {
        keep = [];
        for (let j = 0; j < ranges.n; j++) if (ranges.end[j]! > ranges.start[j]!) keep.push(j);
        break;
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
    const dbl = new RangeAcc();
    const lost = new RangeAcc();
    const ident = new RangeAcc();
    const noMap = new RangeAcc();
    let pages = 0;
    const cols: Cols = { S: rs.start, E: rs.end, n: rs.n };
    this.scanEach(cols, (s, e, st, k) => {
      if (!st.memmap) return noMap.add(s, e);
      pages += e - s;
      if (st.initCount > 0) {
        dbl.add(s, e);
        if (st.nid !== rs.nid[k] || st.zid !== rs.zid[k]) ident.add(s, e);
      }
      if (st.khoOrder >= 0) lost.add(s, e);
    });
    // a stable sort by start (an index sort only when out of order)
    let sorted = rs;
    if (!colsSorted(cols)) {
      const idx = Array.from({ length: rs.n }, (_, k) => k).sort(
        (a, b) => rs.start[a]! - rs.start[b]! || a - b,
      );
      sorted = pick(idx);
    }
    // nid and zid packed in one small integer for the memo: (nid + 1) * 16 + (zid + 1)
    const next = this.memo((st, x) => ({
      ...UNINIT,
      initCount: st.initCount + 1,
      nid: Math.floor(x / 16) - 1,
      zid: (x % 16) - 1,
      initBy: actor.fn,
    }));
    this.applyIds(
      { S: sorted.start, E: sorted.end, n: sorted.n },
      (id, k) => {
        const nid = sorted.nid[k]!;
        const zid = sorted.zid[k]!;
        if (zid >= -1 && zid < 15 && nid >= -1 && nid < 0xfffff && Number.isInteger(nid + zid))
          return next(id, (nid + 1) * 16 + (zid + 1));
        const st = this.states[id]!;
        return this.intern({ ...UNINIT, initCount: st.initCount + 1, nid, zid, initBy: actor.fn });
      },
      (k1, k2) => sorted.nid[k1] === sorted.nid[k2] && sorted.zid[k1] === sorted.zid[k2],
    );
    const one = rs.n === 1;
    return this.record(actor, 'init', sorted.start[0]!, sorted.end[sorted.n - 1]!, pages, {
      ...(one ? { nid: rs.nid[0]!, zid: rs.zid[0]! } : {}),
      noMemmapPages: noMap.pages,
      doubleInitPages: dbl.pages,
      doubleInitRanges: dbl.ranges,
      khoLostPages: lost.pages,
      khoLostRanges: lost.ranges,
      identityChangedPages: ident.pages,
      identityChangedRanges: ident.ranges,
      cover: { start: sorted.start, end: sorted.end, n: sorted.n },
    });
  }

  init(start: number, end: number, nid: number, zid: number, actor: Actor): PageEvent | null {
    return this.initRanges([{ start, end, nid, zid }], actor);
  }

  /** Count pages of [start, end) that are uninitialised or without memmap. */
  private usage(ranges: Cols): { pages: number; uninit: RangeAcc; noMap: RangeAcc } {
    const uninit = new RangeAcc();
    const noMap = new RangeAcc();
    let pages = 0;
    const states = this.states;
    this.walkEach(ranges, (s, e, id) => {
      const st = states[id]!;
      if (!st.memmap) return noMap.add(s, e);
      pages += e - s;
      if (st.initCount === 0) uninit.add(s, e);
    });
    return { pages, uninit, noMap };
  }

  /** __SetPageReserved on every page (a write to struct pages: uninitialised ones are recorded). */
  reserve(ranges: readonly Range[], actor: Actor): PageEvent | null {
    const rs = sortedNonEmpty(ranges);
    if (!rs.length) return null;
    const cols = colsOf(rs);
    const u = this.usage(cols);
    const next = this.memo((st) => ({ ...st, reserved: true }));
    this.applyIds(cols, (id) => next(id, 0), ALWAYS);
    return this.record(actor, 'reserve', rs[0]!.start, rs[rs.length - 1]!.end, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** __free_pages_core: PG_reserved cleared, pages handed to the buddy allocator. */
  free(ranges: readonly Range[], actor: Actor): PageEvent | null {
    const rs = sortedNonEmpty(ranges);
    if (!rs.length) return null;
    const cols = colsOf(rs);
    const u = this.usage(cols);
    const next = this.memo((st) => ({ ...st, reserved: false, buddy: true }));
    this.applyIds(cols, (id) => next(id, 0), ALWAYS);
    return this.record(actor, 'free', rs[0]!.start, rs[rs.length - 1]!.end, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
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
    const u = this.usage(cols);
    const next = this.memo((st) => ({ ...st, reserved: false, buddy: true }));
    this.applyIds(cols, (id) => next(id, 0), ALWAYS);
    return this.record(actor, 'free', ranges.start[0]!, ranges.end[n - 1]!, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
      noMemmapPages: u.noMap.pages,
      cover: { start: ranges.start, end: ranges.end, n },
    });
  }

  /** KHO deserialize: order (and magic) written into the head page's page->private. */
  writeKhoHead(pfn: number, order: number, magic: boolean, actor: Actor): PageEvent {
    const cols = pageCols([pfn]);
    const u = this.usage(cols);
    this.applyIds(cols, (id) => this.intern({ ...this.states[id]!, khoOrder: order, khoMagic: magic }));
    return this.record(actor, 'write', pfn, pfn + 1, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
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
    // one element type for the loops below (a Uint8Array of orders and a Float64Array of pfns would make every
    // access polymorphic)
    if (!(headPfns instanceof Float64Array)) headPfns = Float64Array.from(headPfns);
    if (!(headOrders instanceof Float64Array)) headOrders = Float64Array.from(headOrders);
    // stable sort by pfn (an index sort only when the heads are out of order), first of equal pfns kept
    let order: number[] | null = null;
    for (let i = 1; i < count; i++) {
      if (headPfns[i]! < headPfns[i - 1]!) {
        order = Array.from({ length: count }, (_, k) => k).sort(
          (a, b) => headPfns[a]! - headPfns[b]! || a - b,
        );
        break;
      }
    }
    const pfns = new Float64Array(count);
    const orders = new Float64Array(count);
    let n = 0;
    for (let k = 0; k < count; k++) {
      const i = order ? order[k]! : k;
      if (n > 0 && pfns[n - 1] === headPfns[i]) continue;
      pfns[n] = headPfns[i]!;
      orders[n] = headOrders[i]!;
      n++;
    }
    const cols = pageCols(pfns, n);
    const u = this.usage(cols);
    const next = this.memo((st, o) => ({ ...st, khoOrder: o, khoMagic: magic }));
    this.applyIds(
      cols,
      (id, k) => next(id, orders[k]!),
      (k1, k2) => orders[k1] === orders[k2],
    );
    return this.record(actor, 'write', cols.S[0]!, cols.E[n - 1]!, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** clearKhoHead() for many heads in one sweep. */
  clearKhoHeads(pfns: ArrayLike<number>): void {
    const sorted = uniqueSorted(pfns);
    const next = this.memo((st) => ({ ...st, khoOrder: -1, khoMagic: false }));
    if (sorted.length) this.applyIds(pageCols(sorted), (id) => next(id, 0), ALWAYS);
  }

  /** A read of every page of the ranges. */
  read(ranges: readonly Range[], actor: Actor): PageEvent | null {
    const rs = sortedNonEmpty(ranges);
    if (!rs.length) return null;
    return this.recordRead(colsOf(rs), actor);
  }

  /** read() of the single pages [p, p + 1) of each pfn (no object per page). */
  readPages(pfns: ArrayLike<number>, actor: Actor): PageEvent | null {
    if (!pfns.length) return null;
    let ascending = true;
    for (let i = 1; i < pfns.length; i++) if (pfns[i]! < pfns[i - 1]!) ascending = false;
    return this.recordRead(pageCols(ascending ? pfns : Float64Array.from(pfns).sort()), actor);
  }

  private recordRead(cols: Cols, actor: Actor): PageEvent {
    const u = this.usage(cols);
    return this.record(actor, 'read', cols.S[0]!, cols.E[cols.n - 1]!, u.pages + u.noMap.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** A read of the pfns of a pattern (pageblock or section boundaries), counted arithmetically per run. */
  readPattern(p: PfnPattern, actor: Actor): PageEvent {
    const offs = [...new Set(p.offsets)];
    const inPattern = (pfn: number): boolean =>
      pfn >= p.start && pfn < p.end && offs.includes(pfn % p.stride);
    const uninit = new RangeAcc();
    let pages = 0;
    let uninitPages = 0;
    let noMapPages = 0;
    const visit = (s: number, e: number, st: PageState, n: number): void => {
      pages += n;
      if (!st.memmap) noMapPages += n;
      else if (st.initCount === 0) {
        uninitPages += n;
        uninit.add(s, e);
      }
    };
    this.scan(p.start, p.end, (s, e, st) => {
      let n = 0;
      for (const o of offs) n += countCongruent(s, e, p.stride, o);
      if (n > 0) visit(s, e, st, n);
    });
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
    const ranges = [...uninit.ranges, ...extraUninit.ranges].sort((a, b) => a.start - b.start);
    return this.record(actor, 'read', p.start, p.end, pages, {
      uninitPages,
      uninitRanges: ranges,
      noMemmapPages: noMapPages,
    });
  }

  /** Totals over [start, end) (the whole map by default). */
  census(start = 0, end = this.limitPfn): MemMapCensus {
    const c = { memmap: 0, uninit: 0, init: 0, multiInit: 0, reserved: 0, buddy: 0, khoHeads: 0 };
    // pages per state id in one loop over the runs (integer sums, exact), then the totals per state
    const perId = new Float64Array(this.states.length);
    const e0 = Math.min(end, this.limitPfn);
    if (start === 0 && e0 === this.limitPfn) this.countAll(perId);
    else if (start < e0) this.walk(start, e0, 0, (s, e, id) => (perId[id] = perId[id]! + e - s));
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
    for (let i = 0; i < n; i++) {
      const id = this.ids[i]!;
      perId[id] = perId[id]! + this.runEnd(i) - this.starts[i]!;
    }
    let i = 0;
    for (let b = 0; b < this.bN; b++) {
      const h = this.bH[b]!;
      if (h < 0) continue;
      const s = this.bS[b]!;
      const e = this.bE[b]!;
      perId[h] = perId[h]! + 1;
      const t = this.bT[b]!;
      perId[t] = perId[t]! + e - s - 1;
      // the runs under the block: hidden
      while (i + 1 < n && this.starts[i + 1]! <= s) i++;
      for (let j = i; j < n && this.starts[j]! < e; j++) {
        const id = this.ids[j]!;
        perId[id] = perId[id]! - (Math.min(this.runEnd(j), e) - Math.max(this.starts[j]!, s));
      }
    }
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
