// Half-open ranges [start, end) over pfns or addresses, and sorted-run helpers used across the engine.

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
  const src = sorted ? ranges : [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Range[] = [];
  for (const r of src) {
    if (!(r.end > r.start)) continue;
    const last = out[out.length - 1];
    if (last && r.start <= last.end) {
      if (r.end > last.end) out[out.length - 1] = { start: last.start, end: r.end };
    } else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** Total length of a set of ranges after normalising. */
export function totalLength(ranges: readonly Range[]): number {
  let n = 0;
  for (const r of normalizeRanges(ranges)) n += r.end - r.start;
  return n;
}

/** `a` minus `b`, both normalised; result normalised. Linear in the inputs. */
export function subtractRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  const A = normalizeRanges(a);
  const B = normalizeRanges(b);
  const out: Range[] = [];
  let j = 0;
  for (const r of A) {
    let cur = r.start;
    while (j < B.length && B[j]!.end <= cur) j++;
    let k = j;
    while (k < B.length && B[k]!.start < r.end) {
      const s = B[k]!;
      if (s.start > cur) out.push({ start: cur, end: s.start });
      cur = Math.max(cur, s.end);
      if (cur >= r.end) break;
      k++;
    }
    if (cur < r.end) out.push({ start: cur, end: r.end });
  }
  return out;
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
