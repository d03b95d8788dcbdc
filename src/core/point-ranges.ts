// Ranges of single pages kept as the pages' own pfn column and the stretches of it read, made into range columns only
// when something reads them (issue 10). The `none` strategy's kho_restore reads the heads of all 8.36M preserved blocks
// of the 8M bench bundle uninitialised: written out, 6.83M ranges (heads joined where they touch) in two fresh columns
// of 109 MB, which no step of the replay reads; check() takes its counts from the event (the blocks met are the heads
// read), and the JSON writer's thread, not the main thread, writes them out (src/report/json-stream.ts packJson).
import type { LazyList, RangeFill } from './columns.js';
import { f64Column, lazyColumns, lazyListOf, lazyRanges, RangeWindows, withWindows } from './columns.js';

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

/** The columns made of the stretches, once (every list of one stretches reads the same columns). */
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

/** LazyList.kind of the lists made of PointStretches. */
const POINTS = 'points';

/**
 * The stretches as a lazy list (src/core/columns.ts): its columns made the first time either is read
 * (writePointRanges), in shared memory when shareColumns() is on then; its count as p.n counts it.
 */
function listOf(p: PointStretches): LazyList {
  return { cols: () => columnsOf(p), n: () => p.n, kind: POINTS, stretches: p };
}

/** The stretches as an event's range columns `{ start, end, n }` (src/sim/memmap.ts EventRanges), made when read. */
export function pointRanges(p: PointStretches): {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly n: number;
} {
  return lazyRanges(listOf(p));
}

/** The stretches as a finding's range columns `{ count, starts, ends }` (src/core/ranges.ts RangeColumns), as pointRanges(). */
export function pointColumns(p: PointStretches): {
  readonly count: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
} {
  return lazyColumns(listOf(p));
}

/** The stretches a range list was made of (pointRanges(), pointColumns()), undefined for any other. */
export function pointStretchesOf(ranges: object): PointStretches | undefined {
  const l = lazyListOf(ranges);
  return l?.kind === POINTS ? (l.stretches as PointStretches) : undefined;
}

/** Whether the columns of a list made of stretches have been made (tests). */
export function pointRangesMade(ranges: object): boolean {
  const p = pointStretchesOf(ranges);
  return p !== undefined && made.has(p);
}

/**
 * The stretches' ranges a window at a time (RangeWindows: none's kho_restore read, 109 MB of fresh pages and ~45 ms
 * of first-touch faults as whole columns): from stretch j, page k on, the end of the last range `last` (NaN: none yet).
 */
function pointFill(p: PointStretches): RangeFill {
  const { at, from, to } = p;
  let j = 0;
  let k = from.length ? from[0]! : 0;
  let last = NaN;
  return (S, E, W) => {
    let n = 0;
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
    return n;
  };
}

/**
 * The stretches as a finding's range columns (pointColumns()) that the JSON writer writes window by window
 * (src/core/columns.ts rangeWindowsOf(), windows of `size` ranges); `starts` and `ends` are the whole columns, made
 * when read (toJSON()).
 */
export function pointWindowColumns(
  p: PointStretches,
  size?: number,
): {
  readonly count: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
} {
  return withWindows(pointColumns(p), new RangeWindows(() => pointFill(p), size));
}
