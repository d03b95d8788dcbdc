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

function sameState(a: PageState, b: PageState): boolean {
  return (
    a === b ||
    (a.memmap === b.memmap &&
      a.initCount === b.initCount &&
      a.nid === b.nid &&
      a.zid === b.zid &&
      a.reserved === b.reserved &&
      a.buddy === b.buddy &&
      a.khoOrder === b.khoOrder &&
      a.khoMagic === b.khoMagic &&
      a.initBy === b.initBy)
  );
}

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

/** A state transform that returns one shared object per distinct input state (within one operation). */
function memo(f: (st: PageState) => PageState): (st: PageState) => PageState {
  const seen = new Map<PageState, PageState>();
  return (st) => {
    let out = seen.get(st);
    if (!out) {
      out = f(st);
      seen.set(st, out);
    }
    return out;
  };
}

export class MemMap {
  private runs: PageRun[];
  readonly limitPfn: number;
  readonly events: PageEvent[] = [];
  private seq = 0;

  /** Pages in `present` ranges have a struct page (uninitialised); the rest of [0, limitPfn) has none. */
  constructor(present: readonly Range[], limitPfn: number) {
    this.limitPfn = limitPfn;
    this.runs = [];
    let cur = 0;
    for (const r of present) {
      const s = Math.max(r.start, cur);
      const e = Math.min(r.end, limitPfn);
      if (e <= s) continue;
      if (s > cur) this.runs.push({ start: cur, end: s, state: NO_MEMMAP });
      this.runs.push({ start: s, end: e, state: UNINIT });
      cur = e;
    }
    if (cur < limitPfn) this.runs.push({ start: cur, end: limitPfn, state: NO_MEMMAP });
  }

  get runCount(): number {
    return this.runs.length;
  }

  /** Index of the run holding pfn (pfn < limitPfn). */
  private find(pfn: number): number {
    let lo = 0;
    let hi = this.runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runs[mid]!.start <= pfn) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Make a run start at pfn; return its index (runs.length when pfn == limitPfn). */
  private splitAt(pfn: number): number {
    if (pfn >= this.limitPfn) return this.runs.length;
    const i = this.find(pfn);
    const r = this.runs[i]!;
    if (r.start === pfn) return i;
    this.runs.splice(i + 1, 0, { start: pfn, end: r.end, state: r.state });
    r.end = pfn;
    return i + 1;
  }

  private mergeAround(i: number, j: number): void {
    const from = Math.max(0, i - 1);
    const to = Math.min(this.runs.length - 1, j);
    const out: PageRun[] = [];
    for (let k = from; k <= to; k++) {
      const r = this.runs[k]!;
      const last = out[out.length - 1];
      if (last && sameState(last.state, r.state)) last.end = r.end;
      else out.push(r);
    }
    this.runs.splice(from, to - from + 1, ...out);
  }

  /** Visit the runs clipped to [start, end). */
  scan(start: number, end: number, cb: (s: number, e: number, st: PageState) => void): void {
    const e0 = Math.min(end, this.limitPfn);
    if (start >= e0) {
      if (end > start) cb(Math.max(start, this.limitPfn), end, NO_MEMMAP);
      return;
    }
    for (let i = this.find(start); i < this.runs.length; i++) {
      const r = this.runs[i]!;
      if (r.start >= e0) break;
      cb(Math.max(r.start, start), Math.min(r.end, e0), r.state);
    }
    if (end > this.limitPfn) cb(Math.max(start, this.limitPfn), end, NO_MEMMAP);
  }

  /** The state of one pfn. */
  stateAt(pfn: number): PageState {
    if (pfn < 0 || pfn >= this.limitPfn) return NO_MEMMAP;
    return this.runs[this.find(pfn)]!.state;
  }

  /** A copy of the runs clipped to [start, end) (all by default). */
  query(start = 0, end = this.limitPfn): PageRun[] {
    const out: PageRun[] = [];
    this.scan(start, end, (s, e, st) => out.push({ start: s, end: e, state: st }));
    return out;
  }

  /** Change the state of [start, end) with f (applied per existing run). Pages without memmap are left alone. */
  private apply(start: number, end: number, f: (st: PageState, s: number, e: number) => PageState): void {
    const s0 = Math.max(0, start);
    const e0 = Math.min(end, this.limitPfn);
    if (s0 >= e0) return;
    const i = this.splitAt(s0);
    const j = this.splitAt(e0);
    for (let k = i; k < j; k++) {
      const r = this.runs[k]!;
      if (r.state.memmap) r.state = f(r.state, r.start, r.end);
    }
    this.mergeAround(i, j);
  }

  /**
   * Apply f to many disjoint ranges sorted by start in one sweep (O(runs + ranges)); `f` receives the range's
   * payload. Pages without memmap are left alone.
   */
  applyMany<T extends Range>(
    ranges: readonly T[],
    f: (st: PageState, r: T, s: number, e: number) => PageState,
  ): void {
    if (ranges.length === 0) return;
    // only the runs between the first range's start and the furthest end are rebuilt (plus a neighbour on
    // each side, so equal states merge across the window's edges)
    let hi = 0;
    for (const g of ranges) if (g.end > hi) hi = g.end;
    const lo = Math.max(0, ranges[0]!.start);
    hi = Math.min(hi, this.limitPfn);
    if (lo >= hi) return;
    const i0 = Math.max(0, this.find(lo) - 1);
    const i1 = Math.min(this.runs.length, this.find(hi - 1) + 2);
    // few ranges on a big window: split in place (binary search + splice) instead of rebuilding every run
    if (ranges.length * 64 < i1 - i0) {
      for (const g of ranges) this.apply(g.start, g.end, (st, s, e) => f(st, g, s, e));
      return;
    }
    const out: PageRun[] = [];
    const push = (s: number, e: number, st: PageState): void => {
      if (e <= s) return;
      const last = out[out.length - 1];
      if (last && last.end === s && sameState(last.state, st)) last.end = e;
      else out.push({ start: s, end: e, state: st });
    };
    let j = 0;
    for (let i = i0; i < i1; i++) {
      const r = this.runs[i]!;
      let cur = r.start;
      while (j < ranges.length && ranges[j]!.end <= cur) j++;
      let k = j;
      while (cur < r.end && k < ranges.length && ranges[k]!.start < r.end) {
        const g = ranges[k]!;
        if (g.start > cur) {
          push(cur, g.start, r.state);
          cur = g.start;
        }
        const e = Math.min(g.end, r.end);
        if (e > cur) {
          push(cur, e, r.state.memmap ? f(r.state, g, cur, e) : r.state);
          cur = e;
        }
        if (g.end <= r.end) k++;
        else break;
      }
      push(cur, r.end, r.state);
    }
    if (i0 === 0 && i1 === this.runs.length) this.runs = out;
    else if (out.length < 10_000) this.runs.splice(i0, i1 - i0, ...out);
    else this.runs = this.runs.slice(0, i0).concat(out, this.runs.slice(i1));
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
    const rs = ranges.filter((r) => r.end > r.start);
    if (rs.length === 0) return null;
    const dbl = new RangeAcc();
    const lost = new RangeAcc();
    const ident = new RangeAcc();
    const noMap = new RangeAcc();
    let pages = 0;
    for (const r of rs) {
      this.scan(r.start, r.end, (s, e, st) => {
        if (!st.memmap) return noMap.add(s, e);
        pages += e - s;
        if (st.initCount > 0) {
          dbl.add(s, e);
          if (st.nid !== r.nid || st.zid !== r.zid) ident.add(s, e);
        }
        if (st.khoOrder >= 0) lost.add(s, e);
      });
    }
    const sorted = [...rs].sort((a, b) => a.start - b.start);
    // equal results share one state object: fewer allocations, and sameState() hits its === fast path
    const made = new Map<string, PageState>();
    this.applyMany(sorted, (st, r) => {
      const key = `${st.initCount + 1}:${r.nid}:${r.zid}`;
      let out = made.get(key);
      if (!out) {
        out = { ...UNINIT, initCount: st.initCount + 1, nid: r.nid, zid: r.zid, initBy: actor.fn };
        made.set(key, out);
      }
      return out;
    });
    const one = rs.length === 1 ? rs[0]! : null;
    return this.record(actor, 'init', sorted[0]!.start, sorted[sorted.length - 1]!.end, pages, {
      ...(one ? { nid: one.nid, zid: one.zid } : {}),
      noMemmapPages: noMap.pages,
      doubleInitPages: dbl.pages,
      doubleInitRanges: dbl.ranges,
      khoLostPages: lost.pages,
      khoLostRanges: lost.ranges,
      identityChangedPages: ident.pages,
      identityChangedRanges: ident.ranges,
    });
  }

  init(start: number, end: number, nid: number, zid: number, actor: Actor): PageEvent | null {
    return this.initRanges([{ start, end, nid, zid }], actor);
  }

  /** Count pages of [start, end) that are uninitialised or without memmap. */
  private usage(ranges: readonly Range[]): { pages: number; uninit: RangeAcc; noMap: RangeAcc } {
    const uninit = new RangeAcc();
    const noMap = new RangeAcc();
    let pages = 0;
    for (const r of ranges) {
      this.scan(r.start, r.end, (s, e, st) => {
        if (!st.memmap) return noMap.add(s, e);
        pages += e - s;
        if (st.initCount === 0) uninit.add(s, e);
      });
    }
    return { pages, uninit, noMap };
  }

  /** __SetPageReserved on every page (a write to struct pages: uninitialised ones are recorded). */
  reserve(ranges: readonly Range[], actor: Actor): PageEvent | null {
    const rs = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
    if (!rs.length) return null;
    const u = this.usage(rs);
    this.applyMany(
      rs,
      memo((st) => ({ ...st, reserved: true })),
    );
    return this.record(actor, 'reserve', rs[0]!.start, rs[rs.length - 1]!.end, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** __free_pages_core: PG_reserved cleared, pages handed to the buddy allocator. */
  free(ranges: readonly Range[], actor: Actor): PageEvent | null {
    const rs = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
    if (!rs.length) return null;
    const u = this.usage(rs);
    this.applyMany(
      rs,
      memo((st) => ({ ...st, reserved: false, buddy: true })),
    );
    return this.record(actor, 'free', rs[0]!.start, rs[rs.length - 1]!.end, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** KHO deserialize: order (and magic) written into the head page's page->private. */
  writeKhoHead(pfn: number, order: number, magic: boolean, actor: Actor): PageEvent {
    const u = this.usage([{ start: pfn, end: pfn + 1 }]);
    this.apply(pfn, pfn + 1, (st) => ({ ...st, khoOrder: order, khoMagic: magic }));
    return this.record(actor, 'write', pfn, pfn + 1, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** Clear KHO metadata of head pages (restore clears page->private). */
  clearKhoHead(pfn: number): void {
    this.apply(pfn, pfn + 1, (st) => ({ ...st, khoOrder: -1, khoMagic: false }));
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
    if (!heads.length) return null;
    const rs = heads
      .map((h) => ({ start: h.pfn, end: h.pfn + 1, order: h.order }))
      .sort((a, b) => a.start - b.start)
      .filter((r, i, a) => i === 0 || a[i - 1]!.start !== r.start);
    const u = this.usage(rs);
    this.applyMany(rs, (st, r) => ({ ...st, khoOrder: r.order, khoMagic: magic }));
    return this.record(actor, 'write', rs[0]!.start, rs[rs.length - 1]!.end, u.pages, {
      uninitPages: u.uninit.pages,
      uninitRanges: u.uninit.ranges,
      noMemmapPages: u.noMap.pages,
    });
  }

  /** clearKhoHead() for many heads in one sweep. */
  clearKhoHeads(pfns: readonly number[]): void {
    const rs = [...new Set(pfns)].sort((a, b) => a - b).map((p) => ({ start: p, end: p + 1 }));
    if (rs.length)
      this.applyMany(
        rs,
        memo((st) => ({ ...st, khoOrder: -1, khoMagic: false })),
      );
  }

  /** A read of every page of the ranges. */
  read(ranges: readonly Range[], actor: Actor): PageEvent | null {
    const rs = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
    if (!rs.length) return null;
    const u = this.usage(rs);
    return this.record(actor, 'read', rs[0]!.start, rs[rs.length - 1]!.end, u.pages + u.noMap.pages, {
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
    this.scan(start, end, (s, e, st) => {
      const n = e - s;
      if (!st.memmap) return;
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
