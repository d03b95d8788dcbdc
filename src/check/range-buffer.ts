// Pfn ranges in growable typed columns for the check's sweeps (issue 10): a finding over a million preserved blocks
// is two Float64Arrays, never a Range object per range. RangeBuffer collects, normalized() sorts and merges into
// the RangeColumns a Finding keeps (src/core/ranges.ts), which the JSON writer streams.
import type { Range, RangeColumns } from '../core/index.js';
import {
  GrowableColumns,
  f64Column,
  lazyColumns,
  lazyListOf,
  pagesOfRuns,
  runStretchesOf,
} from '../core/index.js';

/** Ranges [start[k], end[k]) for k < n: the shape MemMap.scanRanges() reads. */
export interface Cols {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly n: number;
}

export const NO_COLS: Cols = { start: new Float64Array(0), end: new Float64Array(0), n: 0 };

/**
 * Ranges collected in two growable columns (src/core/columns.ts), with whether they came in start order. `start` and
 * `end` are the columns as own fields (what the sweeps reading a Cols index), set again whenever room() grows them.
 */
export class RangeBuffer extends GrowableColumns<[Float64Array, Float64Array]> {
  start: Float64Array;
  end: Float64Array;
  /** Every range so far starts at or after the one before (the common case: one pass, no sort). */
  sorted = true;
  /**
   * `join`: push() extends the last range by one that starts inside it or at its end (a sweep's pieces of two states
   * that touch: one range, not two), so ranges pushed in order are their normalized() form already, and that is then
   * their columns themselves, not a copy (check()'s fast paths; its general ones keep every range and merge at
   * normalized()). The union of the ranges is the same either way.
   */
  constructor(
    cap = 16,
    readonly join = false,
  ) {
    super([f64Column(cap), f64Column(cap)]);
    this.start = this.cols[0];
    this.end = this.cols[1];
  }
  override room(extra = 1): void {
    super.room(extra);
    this.start = this.cols[0];
    this.end = this.cols[1];
  }
  push(s: number, e: number): void {
    const n = this.n;
    if (this.join && n > 0 && s <= this.end[n - 1]! && s >= this.start[n - 1]!) {
      if (e > this.end[n - 1]!) this.end[n - 1] = e;
      return;
    }
    if (n === this.start.length) this.room(1);
    if (n > 0 && s < this.start[n - 1]!) this.sorted = false;
    this.start[n] = s;
    this.end[n] = e;
    this.n = n + 1;
  }
  pushCols(c: Cols): void {
    if (!c.n) return;
    this.room(c.n);
    const n = this.n;
    if (n > 0 && c.start[0]! < this.start[n - 1]!) this.sorted = false;
    for (let k = 1; k < c.n && this.sorted; k++) if (c.start[k]! < c.start[k - 1]!) this.sorted = false;
    this.start.set(c.start.subarray(0, c.n), n);
    this.end.set(c.end.subarray(0, c.n), n);
    this.n = n + c.n;
  }
  /** The union of the ranges, sorted, disjoint and not touching (empty ranges dropped), as new columns. */
  normalized(): Cols {
    return normalizedCols(this, this.sorted, this.join);
  }
}

/**
 * normalizeRanges() over columns: sorted by start, overlapping or touching ranges merged, empty ones dropped. One
 * pass when the input is sorted by start; otherwise the indices are sorted first.
 */
export function normalizeCols(S: Float64Array, E: Float64Array, n: number, sorted?: boolean): Cols {
  let isSorted = sorted ?? true;
  if (sorted === undefined) for (let k = 1; k < n && isSorted; k++) isSorted = S[k]! >= S[k - 1]!;
  let order: Uint32Array | null = null;
  if (!isSorted) {
    order = new Uint32Array(n);
    for (let k = 0; k < n; k++) order[k] = k;
    order.sort((a, b) => S[a]! - S[b]! || E[a]! - E[b]!);
  }
  const outS = f64Column(n);
  const outE = f64Column(n);
  let m = 0;
  for (let j = 0; j < n; j++) {
    const k = order ? order[j]! : j;
    const s = S[k]!;
    const e = E[k]!;
    if (!(e > s)) continue;
    if (m > 0 && s <= outE[m - 1]!) {
      if (e > outE[m - 1]!) outE[m - 1] = e;
    } else {
      outS[m] = s;
      outE[m] = e;
      m++;
    }
  }
  return { start: outS.subarray(0, m), end: outE.subarray(0, m), n: m };
}

/**
 * normalizeCols() of columns, or with `asIs` the columns themselves (views, no copy) when they are its answer already
 * (isNormalized(): one pass, no write): read them only while nothing writes their buffers.
 */
export function normalizedCols(c: Cols, sorted?: boolean, asIs = false): Cols {
  if (asIs && sorted !== false && isNormalized(c.start, c.end, c.n))
    return { start: c.start.subarray(0, c.n), end: c.end.subarray(0, c.n), n: c.n };
  return normalizeCols(c.start, c.end, c.n, sorted);
}

/**
 * Whether columns are already what normalizeCols() makes of them: every range non-empty and starting after the end
 * of the one before (sorted, disjoint, not touching). One pass, no write.
 */
export function isNormalized(S: Float64Array, E: Float64Array, n: number): boolean {
  let prevEnd = -Infinity;
  for (let k = 0; k < n; k++) {
    const s = S[k]!;
    const e = E[k]!;
    if (!(e > s && s > prevEnd)) return false;
    prevEnd = e;
  }
  return true;
}

/** Range objects as columns (small lists: observations, the findings of other checks). */
export function colsOf(rs: readonly Range[]): Cols {
  const start = new Float64Array(rs.length);
  const end = new Float64Array(rs.length);
  for (let k = 0; k < rs.length; k++) {
    start[k] = rs[k]!.start;
    end[k] = rs[k]!.end;
  }
  return { start, end, n: rs.length };
}

/** The Finding form (src/core/ranges.ts RangeColumns) of columns. */
export function rangeColumns(c: Cols): RangeColumns {
  // ranges kept as stretches (src/core/point-ranges.ts, run-stretches.ts): the same lazy list as a finding's columns,
  // made when something reads them
  const l = lazyListOf(c);
  if (l) return lazyColumns(l);
  return { count: c.n, starts: c.start.subarray(0, c.n), ends: c.end.subarray(0, c.n) };
}

export function pagesOfCols(c: Cols): number {
  // (runs kept as stretches: summed over their pieces, their columns not made)
  const r = runStretchesOf(c);
  if (r) return pagesOfRuns(r);
  let p = 0;
  for (let k = 0; k < c.n; k++) p += c.end[k]! - c.start[k]!;
  return p;
}

/**
 * Intersections and gaps of query ranges against one sorted, disjoint column list, for queries in nondecreasing
 * start order: the cursor only moves forward, so a sweep over all blocks is linear. Results go to `out`.
 */
export class ColsCursor {
  private i = 0;
  private readonly S: Float64Array;
  private readonly E: Float64Array;
  private readonly n: number;
  constructor(c: Cols) {
    this.S = c.start;
    this.E = c.end;
    this.n = c.n;
  }
  private seek(start: number): number {
    const E = this.E;
    let i = this.i;
    while (i < this.n && E[i]! <= start) i++;
    return (this.i = i);
  }
  overlaps(qs: number, qe: number, out: RangeBuffer): void {
    const S = this.S;
    const E = this.E;
    // most blocks overlap nothing: one comparison after the seek
    for (let k = this.seek(qs); k < this.n && S[k]! < qe; k++) {
      const s = S[k]! > qs ? S[k]! : qs;
      const e = E[k]! < qe ? E[k]! : qe;
      if (s < e) out.push(s, e);
    }
  }
  gaps(qs: number, qe: number, out: RangeBuffer): void {
    const S = this.S;
    const E = this.E;
    const i = this.seek(qs);
    // most blocks lie inside one range of the list: no gaps
    if (i < this.n && S[i]! <= qs && E[i]! >= qe) return;
    let cur = qs;
    for (let k = i; k < this.n && S[k]! < qe; k++) {
      const s = S[k]! > qs ? S[k]! : qs;
      const e = E[k]! < qe ? E[k]! : qe;
      if (!(s < e)) continue;
      if (s > cur) out.push(cur, s);
      cur = e;
    }
    if (cur < qe) out.push(cur, qe);
  }
}
