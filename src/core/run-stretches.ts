// Ranges kept as stretches of the blocks' own start and end columns, made into range columns only when something reads
// them (issue 10). The `none` strategy leaves every struct page of the 8.36M preserved blocks of the 8M bench bundle
// uninitialised: check()'s never-initialised runs are the blocks joined where they touch, 2.85M ranges that the main
// thread wrote out block by block (~180 ms, and two columns of 45 MB) for the JSON writer's thread to print. Kept as
// the stretch of blocks they are, the main thread writes none of them: the JSON writer's thread reads the blocks'
// columns (shared memory) and writes the ranges out a window at a time (src/report/json-stream.ts packJson).
import type { LazyList, RangeFill } from './columns.js';
import { f64Column, lazyColumns, lazyListOf, lazyRanges, RangeWindows, withWindows } from './columns.js';

/**
 * Pieces in order, each a range: the rows [rs[r], re[r]) for r < rows and the blocks [S[k], E[k]) of stretches
 * k in [from[j], to[j]), stretch j coming just before row at[j] (at ascending; at[j] = rows: after the last row). The
 * pieces in that order must each start at or after the end of the one before (runStretchesInOrder() looks at every
 * piece but a stretch's inner blocks, which the caller knows to be so: blocks sorted, non-empty and disjoint). As
 * ranges they are the pieces joined where one starts at the end of the one before: sorted, non-empty, disjoint and
 * not touching (normalized). `n` is how many ranges that makes (countRuns).
 */
export interface RunStretches {
  /** The blocks' start and end columns (read only). */
  readonly S: Float64Array;
  readonly E: Float64Array;
  readonly rs: Float64Array;
  readonly re: Float64Array;
  readonly rows: number;
  readonly at: Int32Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly n: number;
}

/**
 * The pieces as RunStretches whose `n` is counted (countRuns) the first time it is read: compare --json's main thread
 * never reads it (the JSON writer's thread does, as it writes the list).
 */
export function runStretches(
  S: Float64Array,
  E: Float64Array,
  rs: Float64Array,
  re: Float64Array,
  rows: number,
  at: Int32Array,
  from: Int32Array,
  to: Int32Array,
): RunStretches {
  let n = -1;
  const p = {
    S,
    E,
    rs,
    re,
    rows,
    at,
    from,
    to,
    get n(): number {
      return n >= 0 ? n : (n = countRuns(p));
    },
  };
  return p;
}

/**
 * Whether the pieces are in the order RunStretches asks, but for the blocks inside a stretch: every row non-empty and
 * starting at or after the end of the piece before, every stretch non-empty with its first block starting at or after
 * the end of the piece before and its last block ending at or before the start of the piece after. A pass over the
 * rows and stretches, none over the blocks.
 */
export function runStretchesInOrder(p: Omit<RunStretches, 'n'>): boolean {
  const { S, E, rs, re, rows, at, from, to } = p;
  let last = -Infinity;
  let r = 0;
  for (let j = 0; j <= at.length; j++) {
    const rEnd = j < at.length ? at[j]! : rows;
    if (rEnd < r || rEnd > rows) return false;
    for (; r < rEnd; r++) {
      if (!(rs[r]! >= last && re[r]! > rs[r]!)) return false;
      last = re[r]!;
    }
    if (j === at.length) break;
    const a = from[j]!;
    const b = to[j]!;
    if (!(a >= 0 && b > a && b <= S.length && b <= E.length)) return false;
    if (!(S[a]! >= last && E[a]! > S[a]!)) return false;
    last = E[b - 1]!;
  }
  return true;
}

/** How many ranges the pieces make, those that touch joined (RunStretches). */
export function countRuns(p: Omit<RunStretches, 'n'>): number {
  const { S, E, rs, re, rows, at, from, to } = p;
  let n = 0;
  let last = NaN;
  let r = 0;
  for (let j = 0; j <= at.length; j++) {
    const rEnd = j < at.length ? at[j]! : rows;
    for (; r < rEnd; r++) {
      n += +(rs[r]! !== last);
      last = re[r]!;
    }
    if (j === at.length) break;
    const b = to[j]!;
    // (no branch: a block starts a range at random, a third of the 8.36M of none's)
    for (let k = from[j]!; k < b; k++) {
      n += +(S[k]! !== last);
      last = E[k]!;
    }
  }
  return n;
}

/** Pages of blocks a .. b - 1: E[k] - S[k] summed. */
export function pagesBetween(S: Float64Array, E: Float64Array, a: number, b: number): number {
  // four sums (exact: integers below 2^53, in any order), so that the adds do not wait on one another
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let k = a;
  for (; k + 4 <= b; k += 4) {
    a0 += E[k]! - S[k]!;
    a1 += E[k + 1]! - S[k + 1]!;
    a2 += E[k + 2]! - S[k + 2]!;
    a3 += E[k + 3]! - S[k + 3]!;
  }
  for (; k < b; k++) a0 += E[k]! - S[k]!;
  return a0 + a1 + a2 + a3;
}

/** pagesBetween() of each stretch, summed. */
function pagesBetweenEach(S: Float64Array, E: Float64Array, from: Int32Array, to: Int32Array): number {
  let pages = 0;
  for (let j = 0; j < from.length; j++) pages += pagesBetween(S, E, from[j]!, to[j]!);
  return pages;
}

/** blocksPages()' sums, by the end column: its start column and the pages of all its blocks. */
const totals = new WeakMap<Float64Array, { readonly S: Float64Array; readonly pages: number }>();

/**
 * Pages of all blocks of the columns (S.length of them: E as long or longer), summed once per pair of columns and kept:
 * block columns are never written once made (src/sim/phases/kho-types.ts KhoBlocks), and compare asks twice (the
 * image's pages, none's never-initialised runs: pagesOfRuns()), 8.36M blocks each on the 8M bench bundle.
 */
export function blocksPages(S: Float64Array, E: Float64Array): number {
  const t = totals.get(E);
  if (t !== undefined && t.S === S) return t.pages;
  const pages = pagesBetween(S, E, 0, S.length);
  totals.set(E, { S, pages });
  return pages;
}

/**
 * The pages the ranges hold: the pieces' (disjoint), summed. Stretches that hold most of the blocks (none's: all
 * but a few dozen) are summed as all blocks' pages (blocksPages(): once per pair of columns) less those of the
 * blocks between them, not block by block.
 */
export function pagesOfRuns(p: Omit<RunStretches, 'n'>): number {
  const { S, E, rs, re, rows, from, to } = p;
  let pages = 0;
  for (let r = 0; r < rows; r++) pages += re[r]! - rs[r]!;
  let inside = 0;
  for (let j = 0; j < from.length; j++) inside += to[j]! - from[j]!;
  const n = S.length;
  if (inside * 2 <= n || E.length < n) return pages + pagesBetweenEach(S, E, from, to);
  // the blocks before the first stretch, between two and after the last (stretches ascend: the pieces' order)
  let outside = 0;
  let b = 0;
  for (let j = 0; j < from.length; j++) {
    // (out of order: summed stretch by stretch)
    if (from[j]! < b) return pages + pagesBetweenEach(S, E, from, to);
    outside += pagesBetween(S, E, b, from[j]!);
    b = to[j]!;
  }
  outside += pagesBetween(S, E, b, n);
  return pages + (blocksPages(S, E) - outside);
}

/**
 * Where RunWindows.fill() goes on: the next stretch j, row r and block k, and the end of the last range (NaN: none).
 * Ranges are written into OS and OE from row 0 until `size` are whole and the next piece starts another (OS and OE of
 * length size + 1 or more: a piece that joins the last range of a full window writes OS[size], the next start's place);
 * returns how many.
 */
interface RunCursor {
  j: number;
  r: number;
  k: number;
  last: number;
}

function fillRuns(
  p: Omit<RunStretches, 'n'>,
  c: RunCursor,
  OS: Float64Array,
  OE: Float64Array,
  size: number,
): number {
  const { S, E, rs, re, rows, at, from, to } = p;
  let n = 0;
  let last = c.last;
  let j = c.j;
  let r = c.r;
  let k = c.k;
  let full = false;
  for (; j <= at.length; j++) {
    const rEnd = j < at.length ? at[j]! : rows;
    for (; r < rEnd; r++) {
      const s = rs[r]!;
      const d = +(s !== last);
      if (n === size && d === 1) {
        full = true;
        break;
      }
      OS[n] = s;
      OE[n - 1 + d] = last = re[r]!;
      n += d;
    }
    if (full || j === at.length) break;
    const b = to[j]!;
    if (k < from[j]!) k = from[j]!;
    // each block writes OS[n] (the next range's start, written again by the next block that does not join it) and the
    // end of range n - 1 + d, d = 1 when it starts a range: no branch on the join (a third of the blocks, at random)
    for (; k < b; k++) {
      const s = S[k]!;
      const d = +(s !== last);
      if (n === size && d === 1) break;
      OS[n] = s;
      OE[n - 1 + d] = last = E[k]!;
      n += d;
    }
    if (k < b) break;
  }
  c.j = j;
  c.r = r;
  c.k = k;
  c.last = last;
  return n;
}

/** The columns made of the stretches, once (every list of one stretches reads the same columns). */
const made = new WeakMap<RunStretches, { readonly S: Float64Array; readonly E: Float64Array }>();

function columnsOf(p: RunStretches): { readonly S: Float64Array; readonly E: Float64Array } {
  let c = made.get(p);
  if (!c) {
    const n = p.n;
    // (a row more: the last piece, joining the last range, writes the start column's row n)
    const S = f64Column(n + 1);
    const E = f64Column(n + 1);
    fillRuns(p, { j: 0, r: 0, k: 0, last: NaN }, S, E, n);
    made.set(p, (c = { S: S.subarray(0, n), E: E.subarray(0, n) }));
  }
  return c;
}

/** LazyList.kind of the lists made of RunStretches. */
const RUNS = 'runs';

/**
 * The stretches as a lazy list (src/core/columns.ts): its columns made the first time either is read, in shared
 * memory when shareColumns() is on then; its count as p.n counts it.
 */
function listOf(p: RunStretches): LazyList {
  return { cols: () => columnsOf(p), n: () => p.n, kind: RUNS, stretches: p };
}

/** The stretches as range columns `{ start, end, n }` (src/check/range-buffer.ts Cols), made when read. */
export function runRanges(p: RunStretches): {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly n: number;
} {
  return lazyRanges(listOf(p));
}

/** The stretches as a finding's range columns `{ count, starts, ends }` (src/core/ranges.ts RangeColumns), as runRanges(). */
export function runColumns(p: RunStretches): {
  readonly count: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
} {
  return lazyColumns(listOf(p));
}

/** The stretches a range list was made of (runRanges(), runColumns()), undefined for any other. */
export function runStretchesOf(ranges: object): RunStretches | undefined {
  const l = lazyListOf(ranges);
  return l?.kind === RUNS ? (l.stretches as RunStretches) : undefined;
}

/** Whether the columns of a list made of stretches have been made (tests). */
export function runRangesMade(ranges: object): boolean {
  const p = runStretchesOf(ranges);
  return p !== undefined && made.has(p);
}

/**
 * The stretches as a finding's range columns (runColumns()) that the JSON writer writes window by window
 * (src/core/columns.ts rangeWindowsOf(), windows of `size` ranges, each filled by fillRuns() from where the last
 * stopped); `starts` and `ends` are the whole columns, made when read (toJSON()).
 */
export function runWindowColumns(
  p: RunStretches,
  size?: number,
): {
  readonly count: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
} {
  const open = (): RangeFill => {
    const c: RunCursor = { j: 0, r: 0, k: 0, last: NaN };
    return (S, E, W) => fillRuns(p, c, S, E, W);
  };
  return withWindows(runColumns(p), new RangeWindows(open, size));
}
