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
  readonly S: Float64Array;
  readonly E: Float64Array;
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
  const a = Float64Array.from(xs).sort();
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

  /** Visit the runs clipped to [start, end). */
  scan(start: number, end: number, cb: (s: number, e: number, st: PageState) => void): void {
    const e0 = Math.min(end, this.limitPfn);
    if (start >= e0) {
      if (end > start) cb(Math.max(start, this.limitPfn), end, NO_MEMMAP);
      return;
    }
    const starts = this.starts;
    for (let i = this.find(start); i < this.n; i++) {
      const rs = starts[i]!;
      if (rs >= e0) break;
      cb(Math.max(rs, start), Math.min(this.runEnd(i), e0), this.states[this.ids[i]!]!);
    }
    if (end > this.limitPfn) cb(Math.max(start, this.limitPfn), end, NO_MEMMAP);
  }

  /**
   * scan() of each range in turn (same callbacks, same order; k is the range's index). Ranges sorted by start
   * share one forward cursor over the runs instead of a binary search each.
   */
  private scanEach(rs: Cols, cb: (s: number, e: number, st: PageState, k: number) => void): void {
    const { S, E, n } = rs;
    if (!colsSorted(rs)) {
      for (let k = 0; k < n; k++) this.scan(S[k]!, E[k]!, (s, e, st) => cb(s, e, st, k));
      return;
    }
    const starts = this.starts;
    const limit = this.limitPfn;
    let i = 0;
    for (let k = 0; k < n; k++) {
      const start = S[k]!;
      const end = E[k]!;
      const e0 = Math.min(end, limit);
      if (start >= e0) {
        if (end > start) cb(Math.max(start, limit), end, NO_MEMMAP, k);
        continue;
      }
      // the run holding start: a few steps forward from the last one, else a binary search
      if (starts[i]! > start) i = this.find(start);
      else {
        for (let steps = 0; i + 1 < this.n && starts[i + 1]! <= start; steps++) {
          if (steps === 32) {
            i = this.find(start);
            break;
          }
          i++;
        }
      }
      for (let j = i; j < this.n; j++) {
        const rs0 = starts[j]!;
        if (rs0 >= e0) break;
        cb(Math.max(rs0, start), Math.min(this.runEnd(j), e0), this.states[this.ids[j]!]!, k);
      }
      if (end > limit) cb(Math.max(start, limit), end, NO_MEMMAP, k);
    }
  }

  /** The state of one pfn. */
  stateAt(pfn: number): PageState {
    if (pfn < 0 || pfn >= this.limitPfn) return NO_MEMMAP;
    return this.states[this.ids[this.find(pfn)]!]!;
  }

  /**
   * stateAt() of many pfns (one result per pfn, in their order); pfns in ascending order share one forward
   * cursor over the runs instead of a binary search each.
   */
  statesAt(pfns: ArrayLike<number>): PageState[] {
    const out: PageState[] = new Array<PageState>(pfns.length);
    const starts = this.starts;
    let i = 0;
    let prev = -Infinity;
    for (let k = 0; k < pfns.length; k++) {
      const pfn = pfns[k]!;
      if (pfn < 0 || pfn >= this.limitPfn) {
        out[k] = NO_MEMMAP;
        continue;
      }
      if (pfn < prev) i = this.find(pfn);
      else {
        for (let steps = 0; i + 1 < this.n && starts[i + 1]! <= pfn; steps++) {
          if (steps === 32) {
            i = this.find(pfn);
            break;
          }
          i++;
        }
      }
      prev = pfn;
      out[k] = this.states[this.ids[i]!]!;
    }
    return out;
  }

  /** A copy of the runs clipped to [start, end) (all by default). */
  query(start = 0, end = this.limitPfn): PageRun[] {
    const out: PageRun[] = [];
    this.scan(start, end, (s, e, st) => out.push({ start: s, end: e, state: st }));
    return out;
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
  private applyIds(rs: Cols, f: (id: number, k: number, s: number, e: number) => number): void {
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
      const o = this.mergeWindow(rs, ga[0]!, gb[0]!, gk[0]!, gg[0]!, f, 0);
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
      o = this.mergeWindow(rs, a, gb[x]!, gk[x]!, gg[x]!, f, o);
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
      const mapped = states[id]!.memmap;
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
    this.applyIds({ S: sorted.start, E: sorted.end, n: sorted.n }, (id, k) => {
      const nid = sorted.nid[k]!;
      const zid = sorted.zid[k]!;
      if (zid >= -1 && zid < 15 && nid >= -1 && nid < 0xfffff && Number.isInteger(nid + zid))
        return next(id, (nid + 1) * 16 + (zid + 1));
      const st = this.states[id]!;
      return this.intern({ ...UNINIT, initCount: st.initCount + 1, nid, zid, initBy: actor.fn });
    });
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
    this.scanEach(ranges, (s, e, st) => {
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
    this.applyIds(cols, (id) => next(id, 0));
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
    this.applyIds(cols, (id) => next(id, 0));
    return this.record(actor, 'free', rs[0]!.start, rs[rs.length - 1]!.end, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
      noMemmapPages: u.noMap.pages,
      cover: { start: cols.S, end: cols.E, n: cols.n },
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
    this.applyIds(cols, (id, k) => next(id, orders[k]!));
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
    if (sorted.length) this.applyIds(pageCols(sorted), (id) => next(id, 0));
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
    return this.recordRead(pageCols(Float64Array.from(pfns).sort()), actor);
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
    if (start < e0) {
      for (let i = this.find(start); i < this.n && this.starts[i]! < e0; i++) {
        const id = this.ids[i]!;
        perId[id] = perId[id]! + Math.min(this.runEnd(i), e0) - Math.max(this.starts[i]!, start);
      }
    }
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
