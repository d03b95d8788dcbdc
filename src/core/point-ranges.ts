// Ranges of single pages kept as the pages' own pfn column and the stretches of it read, made into range columns only
// when something reads them (issue 10). The `none` strategy's kho_restore reads the heads of all 8.36M preserved blocks
// of the 8M bench bundle uninitialised: written out, 6.83M ranges (heads joined where they touch) in two fresh columns
// of 109 MB, which no step of the replay reads; check() takes its counts from the event (the blocks met are the heads
// read), and the JSON writer's thread, not the main thread, writes them out (src/report/json-stream.ts packJson).
import { f64Column, lazyColumns, lazyRanges } from './columns.js';

/**
 * The pages [at[k], at[k] + 1) for k in [from[j], to[j]), stretch after stretch, with `at` strictly ascending over
 * every k listed (the pfns of blocks in order: a preserved block's head): as ranges, a page one past the end of the
 * range before joins it, so the ranges are sorted, non-empty, disjoint and not touching (normalized). `n` is how many
 * ranges that makes (countPointRanges).
 */
export interface PointStretches {
  readonly at: Float64Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly n: number;
}

/**
 * The stretches [from[j], to[j]) of `at` as PointStretches whose `n` is counted (countPointRanges) the first time it is
 * read: compare --json's main thread never reads it (the JSON writer's thread does, as it writes the list).
 */
export function pointStretches(at: Float64Array, from: Int32Array, to: Int32Array): PointStretches {
  let n = -1;
  return {
    at,
    from,
    to,
    get n(): number {
      return n >= 0 ? n : (n = countPointRanges(at, from, to));
    },
  };
}

/** How many ranges the pages of the stretches make, those that touch joined (PointStretches). */
export function countPointRanges(at: Float64Array, from: Int32Array, to: Int32Array): number {
  let n = 0;
  let last = NaN;
  for (let j = 0; j < from.length; j++) {
    const b = to[j]!;
    for (let k = from[j]!; k < b; k++) {
      const p = at[k]!;
      // (no branch: a head touches the one before at random, for a fifth of the heads)
      n += +(p !== last);
      last = p + 1;
    }
  }
  return n;
}

/**
 * The ranges of the stretches written into S and E (each of length p.n: exactly), as RangeAcc.addPoints() joins them.
 * Without a branch on the join (a fifth of the heads, at random: 40% of the loop's time with one): each page writes
 * S[n] (the next range's start, written again by the next page that does not join, or past the columns' end) and the
 * end of range n - 1 + d, d = 1 when it starts a range.
 */
export function writePointRanges(p: PointStretches, S: Float64Array, E: Float64Array): void {
  const { at, from, to } = p;
  let n = 0;
  let last = NaN;
  for (let j = 0; j < from.length; j++) {
    const b = to[j]!;
    for (let k = from[j]!; k < b; k++) {
      const q = at[k]!;
      const d = +(q !== last);
      S[n] = q;
      E[n - 1 + d] = last = q + 1;
      n += d;
    }
  }
}

/** The stretches behind a range list made by pointRanges() or pointColumns(), by the list's object. */
const stretchesOf = new WeakMap<object, PointStretches>();
/** The columns made of the stretches, once (both lists of one stretches read the same columns). */
const made = new WeakMap<PointStretches, { readonly S: Float64Array; readonly E: Float64Array }>();

function columnsOf(p: PointStretches): { readonly S: Float64Array; readonly E: Float64Array } {
  let c = made.get(p);
  if (!c) {
    const S = f64Column(p.n);
    const E = f64Column(p.n);
    writePointRanges(p, S, E);
    made.set(p, (c = { S, E }));
  }
  return c;
}

/**
 * The stretches as an event's range columns `{ start, end, n }` (src/sim/memmap.ts EventRanges): `start` and `end`
 * are made the first time either is read (writePointRanges), in shared memory when shareColumns() is on then.
 */
export function pointRanges(p: PointStretches): {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly n: number;
} {
  const o = lazyRanges(
    () => columnsOf(p),
    () => p.n,
  );
  stretchesOf.set(o, p);
  return o;
}

/** The stretches as a finding's range columns `{ count, starts, ends }` (src/core/ranges.ts RangeColumns), as pointRanges(). */
export function pointColumns(p: PointStretches): {
  readonly count: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
} {
  const o = lazyColumns(
    () => columnsOf(p),
    () => p.n,
  );
  stretchesOf.set(o, p);
  return o;
}

/** The stretches a range list was made of (pointRanges(), pointColumns()), undefined for any other. */
export function pointStretchesOf(ranges: object): PointStretches | undefined {
  return stretchesOf.get(ranges);
}

/** Whether the columns of a list made of stretches have been made (tests). */
export function pointRangesMade(ranges: object): boolean {
  const p = stretchesOf.get(ranges);
  return p !== undefined && made.has(p);
}

/**
 * The ranges of stretches a window of `size` at a time, in order (the JSON writer's thread writes a packed list of
 * point ranges from these: src/report/json-stream.ts rangeRows), instead of columns of all of them (none's kho_restore
 * read: 109 MB of fresh pages, ~45 ms of first-touch faults, then freed). After at(i), S[r] and E[r] for r < m are
 * ranges base + r; a window ends before a range that the next page could still extend, so each is whole.
 */
export class PointWindows {
  readonly S: Float64Array;
  readonly E: Float64Array;
  base = 0;
  m = 0;
  // where the next window starts: stretch j, page k, the end of the last range (NaN: none yet)
  private j = 0;
  private k = 0;
  private last = NaN;
  constructor(
    private readonly p: PointStretches,
    private readonly size = 1 << 14,
  ) {
    // (a row more: a page that joins the last range of a full window writes S[size], the next start's place)
    this.S = new Float64Array(size + 1);
    this.E = new Float64Array(size + 1);
    this.rewind();
  }

  private rewind(): void {
    this.base = 0;
    this.m = 0;
    this.j = 0;
    this.k = this.p.from.length ? this.p.from[0]! : 0;
    this.last = NaN;
  }

  /** Make the window hold range i (i < p.n): the windows from the current one on, or (i before it) from the first. */
  at(i: number): void {
    if (i < this.base) this.rewind();
    while (i >= this.base + this.m) {
      this.base += this.m;
      this.fill();
    }
  }

  /** The next window: the ranges of the pages from (j, k) on until `size` are whole and the next page starts one. */
  private fill(): void {
    const { at, from, to } = this.p;
    const S = this.S;
    const E = this.E;
    const W = this.size;
    let n = 0;
    let last = this.last;
    let j = this.j;
    let k = this.k;
    for (; j < from.length; j++) {
      const b = to[j]!;
      if (k < from[j]!) k = from[j]!;
      for (; k < b; k++) {
        const q = at[k]!;
        const d = +(q !== last);
        if (d === 1 && n === W) break;
        S[n] = q;
        E[n - 1 + d] = last = q + 1;
        n += d;
      }
      if (k < b) break;
    }
    this.j = j;
    this.k = k;
    this.last = last;
    this.m = n;
  }
}

/** The windows a range list of a packed point list is written from (pointWindowColumns()), by the list's object. */
const windowsOf = new WeakMap<object, PointWindows>();

/**
 * The stretches as a finding's range columns (pointColumns()) that the JSON writer writes window by window
 * (pointWindowsOf(), windows of `size` ranges); `starts` and `ends` are the whole columns, made when read (toJSON()).
 */
export function pointWindowColumns(
  p: PointStretches,
  size?: number,
): {
  readonly count: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
} {
  const o = pointColumns(p);
  windowsOf.set(o, new PointWindows(p, size));
  return o;
}

/** The windows of a list made by pointWindowColumns(), undefined for any other. */
export function pointWindowsOf(ranges: object): PointWindows | undefined {
  return windowsOf.get(ranges);
}
