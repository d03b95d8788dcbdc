// Half-open ranges [start, end) over pfns or addresses, and the range toolkit of the engine: normalise (sort and
// coalesce), union, intersect, subtract, the pieces of each range outside a set, and a sweep over several sorted
// range columns at once. Each is one forward pass over sorted input; none works page by page.

export interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * Sorted ranges held as columns: range i is [starts[i], ends[i]) for i < count (typed arrays, so millions of
 * ranges are no object each). The JSON writer (src/report/json-stream.ts) and the toolkit below read a range list
 * through RangesLike: either this or a plain `Range[]`.
 */
export interface RangeColumns {
  readonly count: number;
  readonly starts: ArrayLike<number>;
  readonly ends: ArrayLike<number>;
}

export type RangesLike = readonly Range[] | RangeColumns;

export function rangeCount(r: RangesLike): number {
  return Array.isArray(r) ? r.length : (r as RangeColumns).count;
}

/** Range i of a range list in either form, as a Range object (reports and tests read a few this way). */
export function rangeAt(r: RangesLike, i: number): Range {
  if (Array.isArray(r)) return (r as readonly Range[])[i]!;
  const c = r as RangeColumns;
  return { start: c.starts[i]!, end: c.ends[i]! };
}

/** Ranges [from, to) of a range list as Range objects (default: all of them). */
export function rangeList(r: RangesLike, from = 0, to = rangeCount(r)): Range[] {
  const out: Range[] = [];
  for (let i = from; i < Math.min(to, rangeCount(r)); i++) out.push(rangeAt(r, i));
  return out;
}

export function rangeLength(r: Range): number {
  return r.end - r.start;
}

export function intersect(a: Range, b: Range): Range | null {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return start < end ? { start, end } : null;
}

export function overlaps(a: Range, b: Range): boolean {
  return a.start < b.end && b.start < a.end;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Round `v` up to a multiple of `align` (a positive integer, power of two or not). */
export function roundUp(v: number, align: number): number {
  return Math.ceil(v / align) * align;
}

export function roundDown(v: number, align: number): number {
  return Math.floor(v / align) * align;
}

/** The first index i in [lo, n) of the ascending column `a` with a[i] >= x; n when none (C++ lower_bound). */
export function lowerBound(a: Float64Array | Int32Array, x: number, lo = 0, n = a.length): number {
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index i in [lo, n) of the ascending column `a` with a[i] > x; n when none (C++ upper_bound). */
export function upperBound(a: Float64Array, x: number, lo = 0, n = a.length): number {
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * lowerBound(a, x, from, n) for a cursor that mostly moves a few places: a[from + 1], a[from + 3], a[from + 7], ...
 * (steps doubling) until one is at or above x, then a binary search within the last step. A jump of d places reads
 * about 2 log2(d) entries near the cursor instead of log2(n - from) across the column (a column of millions: each
 * far read a cache miss). The entries before `from` are not looked at: the caller knows they are below x.
 */
export function gallopLowerBound(a: Float64Array, x: number, from: number, n: number): number {
  if (from >= n || a[from]! >= x) return from;
  // a[lo] < x throughout; the answer is in (lo, lo + step]
  let lo = from;
  let step = 1;
  while (lo + step < n && a[lo + step]! < x) {
    lo += step;
    step *= 2;
  }
  return lowerBound(a, x, lo + 1, lo + step < n ? lo + step : n);
}

/** upperBound(a, x, from, n) by galloping from `from`, as gallopLowerBound(); the entries before it are at or below x. */
export function gallopUpperBound(a: Float64Array, x: number, from: number, n: number): number {
  if (from >= n || a[from]! > x) return from;
  let lo = from;
  let step = 1;
  while (lo + step < n && a[lo + step]! <= x) {
    lo += step;
    step *= 2;
  }
  return upperBound(a, x, lo + 1, lo + step < n ? lo + step : n);
}

/**
 * Whether the column ranges [S[k], E[k]) for k < n are sorted by start, non-empty and disjoint (they may touch):
 * one pass, no write. What the fast paths over range columns ask before taking one (check, the migratetype replay).
 */
export function sortedDisjointCols(S: Float64Array, E: Float64Array, n: number): boolean {
  let prevEnd = -Infinity;
  for (let k = 0; k < n; k++) {
    const s = S[k]!;
    const e = E[k]!;
    if (!(e > s && s >= prevEnd)) return false;
    prevEnd = e;
  }
  return true;
}

/**
 * Index of the first range of a sorted, disjoint list whose end is above `pos` (binary search); `list.length` when
 * none is. The ranges from there on are the ones [pos, ...) can meet.
 */
export function firstEndingAfter(list: readonly Range[], pos: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.end <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sort by start and merge overlapping or touching ranges. Returns a new array of new ranges. Input already sorted
 * by start (block lists, pfn runs, most results of this file) is merged in one pass, without the copy and sort.
 */
export function normalizeRanges(ranges: readonly Range[]): Range[] {
  let sorted = true;
  for (let i = 1; i < ranges.length && sorted; i++) sorted = ranges[i]!.start >= ranges[i - 1]!.start;
  return coalesceRanges(sorted ? ranges : [...ranges].sort((a, b) => a.start - b.start || a.end - b.end));
}

/** Total length of a set of ranges after normalising. */
export function totalLength(ranges: readonly Range[]): number {
  let n = 0;
  for (const r of normalizeRanges(ranges)) n += r.end - r.start;
  return n;
}

/** `a` minus `b`, both normalised; result normalised. Linear in the inputs. */
export function subtractRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  return subtractNormalized(normalizeRanges(a), normalizeRanges(b));
}

/** Intersection of two range sets; the result is normalised. */
export function intersectRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  return intersectNormalized(normalizeRanges(a), normalizeRanges(b));
}

/** Intersection of two range sets that are already normalised (sorted, merged): one linear sweep. */
export function intersectNormalized(A: readonly Range[], B: readonly Range[]): Range[] {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < A.length && j < B.length) {
    const r = intersect(A[i]!, B[j]!);
    if (r) out.push(r);
    if (A[i]!.end < B[j]!.end) i++;
    else j++;
  }
  return out;
}

/**
 * Merge the overlapping or touching ranges of a list sorted by start, in one pass (the list is not checked: an
 * unsorted one gives a wrong answer, normalizeRanges() sorts first). Empty ranges are dropped.
 */
export function coalesceRanges(sorted: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const r of sorted) {
    if (!(r.end > r.start)) continue;
    const last = out[out.length - 1];
    if (last && r.start <= last.end) {
      if (r.end > last.end) out[out.length - 1] = { start: last.start, end: r.end };
    } else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** Union of two range sets; the result is normalised. Linear when both are normalised already. */
export function unionRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  const A = normalizeRanges(a);
  const B = normalizeRanges(b);
  // merge two sorted lists by start, then coalesce
  const both: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < A.length || j < B.length)
    both.push(j >= B.length || (i < A.length && A[i]!.start <= B[j]!.start) ? A[i++]! : B[j++]!);
  return coalesceRanges(both);
}

/**
 * For each range of `a` (sorted by start; its ranges may overlap each other), the pieces of it no range of `b`
 * covers (`b` sorted by start, overlaps and empty ranges allowed): emit(start, end, i) with i the index of a's
 * range, in order.
 * One forward pass over both lists.
 */
export function forEachOutside(
  a: readonly Range[],
  b: readonly Range[],
  emit: (start: number, end: number, i: number) => void,
): void {
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const r = a[i]!;
    // the first of b that ends after r.start; b sorted by start, so no later one can be skipped wrongly
    while (j < b.length && b[j]!.end <= r.start) j++;
    let cur = r.start;
    for (let k = j; k < b.length && b[k]!.start < r.end; k++) {
      const s = b[k]!;
      if (s.end <= s.start) continue; // an empty range cuts nothing
      if (s.start > cur) emit(cur, s.start, i);
      if (s.end > cur) cur = s.end;
      if (cur >= r.end) break;
    }
    if (cur < r.end) emit(cur, r.end, i);
  }
}

/** `a` minus `b`, both already normalised (sorted, merged): one pass, normalised result. */
export function subtractNormalized(A: readonly Range[], B: readonly Range[]): Range[] {
  const out: Range[] = [];
  forEachOutside(A, B, (start, end) => out.push({ start, end }));
  return out;
}

/**
 * A sweep over several range columns at once, each sorted and disjoint: visit(start, end, at) for every maximal
 * piece on which the same ranges cover and at least one does, in address order; at[c] is the index of column c's
 * range over the piece, or -1 (the array is reused between calls: copy what you keep). Linear in the ranges.
 */
export function sweepRanges(
  columns: readonly RangesLike[],
  visit: (start: number, end: number, at: Int32Array) => void,
): void {
  const n = columns.length;
  const starts: ArrayLike<number>[] = [];
  const ends: ArrayLike<number>[] = [];
  const counts: number[] = [];
  for (const c of columns) {
    if (Array.isArray(c)) {
      const rs = c as readonly Range[];
      starts.push(rs.map((r) => r.start));
      ends.push(rs.map((r) => r.end));
      counts.push(rs.length);
    } else {
      const rc = c as RangeColumns;
      starts.push(rc.starts);
      ends.push(rc.ends);
      counts.push(rc.count);
    }
  }
  const next = new Int32Array(n); // each column's first range not yet passed
  const at = new Int32Array(n);
  let pos = -Infinity;
  for (;;) {
    // the next boundary after pos: the nearest start or end of a range not yet passed
    let edge = Infinity;
    for (let c = 0; c < n; c++) {
      while (next[c]! < counts[c]! && ends[c]![next[c]!]! <= pos) next[c]!++;
      if (next[c]! >= counts[c]!) continue;
      const s = starts[c]![next[c]!]!;
      const b = s > pos ? s : ends[c]![next[c]!]!;
      if (b < edge) edge = b;
    }
    if (edge === Infinity) return;
    if (pos !== -Infinity && pos < edge) {
      let any = false;
      for (let c = 0; c < n; c++) {
        const k = next[c]!;
        const inside = k < counts[c]! && starts[c]![k]! <= pos && pos < ends[c]![k]!;
        at[c] = inside ? k : -1;
        any ||= inside;
      }
      if (any) visit(pos, edge, at);
    }
    pos = edge;
  }
}
