// Ranges of single pages kept as the pages' own pfn column and the stretches of it read, made into range columns only
// when something reads them (issue 10). The `none` strategy's kho_restore reads the heads of all 8.36M preserved blocks
// of the 8M bench bundle uninitialised: written out, 6.83M ranges (heads joined where they touch) in two fresh columns
// of 109 MB, which no step of the replay reads; check() takes its counts from the event (the blocks met are the heads
// read), and the JSON writer's thread, not the main thread, writes them out (src/report/json-stream.ts packJson).
import { f64Column } from './columns.js';

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

/** The ranges of the stretches written into S and E (each of length p.n at least), as RangeAcc.addPoints() joins them. */
export function writePointRanges(p: PointStretches, S: Float64Array, E: Float64Array): void {
  const { at, from, to } = p;
  let n = 0;
  let last = NaN;
  for (let j = 0; j < from.length; j++) {
    const b = to[j]!;
    for (let k = from[j]!; k < b; k++) {
      const q = at[k]!;
      if (q === last) E[n - 1] = last = q + 1;
      else {
        S[n] = q;
        E[n++] = last = q + 1;
      }
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
  const o = {} as { start: Float64Array; end: Float64Array; n: number };
  Object.defineProperty(o, 'start', { enumerable: true, get: () => columnsOf(p).S });
  Object.defineProperty(o, 'end', { enumerable: true, get: () => columnsOf(p).E });
  o.n = p.n;
  stretchesOf.set(o, p);
  return o;
}

/** The stretches as a finding's range columns `{ count, starts, ends }` (src/core/ranges.ts RangeColumns), as pointRanges(). */
export function pointColumns(p: PointStretches): {
  readonly count: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
} {
  const o = { count: p.n } as { count: number; starts: Float64Array; ends: Float64Array };
  Object.defineProperty(o, 'starts', { enumerable: true, get: () => columnsOf(p).S });
  Object.defineProperty(o, 'ends', { enumerable: true, get: () => columnsOf(p).E });
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
