// Runs kept as stretches of the blocks' columns (src/core/run-stretches.ts): the ranges they stand for (their count,
// the columns made when read, the pages, the windows the JSON writer's thread writes from after packJson()) are
// exactly the ranges of the pieces pushed one by one to a joining buffer (a piece starting at the end of the last
// range joins it), which is what check()'s never-initialised runs were before they were kept so.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blocksPages,
  pagesBetween,
  pagesOfRuns,
  runColumns,
  runRanges,
  runRangesMade,
  runStretches,
  runStretchesInOrder,
  runStretchesOf,
  runWindowColumns,
} from '../../src/core/index.js';
import type { RunStretches } from '../../src/core/index.js';
import { pagesOfCols, rangeColumns } from '../../src/check/range-buffer.js';
import { jsonChunks, jsonRanges, packJson, unpackJson } from '../../src/report/json-stream.js';

/**
 * Sorted, non-empty, disjoint blocks (a gap of 0 touches the one before), and the pieces: the blocks cut into rows
 * (written out one by one, a block or the join of touching ones) and stretches (left as blocks), in address order,
 * and some blocks left out (between two pieces: a gap, as a block out of the layer leaves).
 */
const piecesArb = fc
  .tuple(
    fc.integer({ min: 0, max: 2 ** 40 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2 })), {
      minLength: 1,
      maxLength: 80,
    }),
    // per cut: what the blocks up to the next cut are (0: a stretch, 1: rows, 2: left out)
    fc.array(fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 2 })), { maxLength: 14 }),
    fc.boolean(),
  )
  .map(([base, steps, cuts, shared]) => {
    const n = steps.length;
    const col = (): Float64Array =>
      shared ? new Float64Array(new SharedArrayBuffer(8 * n)) : new Float64Array(n);
    const S = col();
    const E = col();
    let p = base;
    for (let k = 0; k < n; k++) {
      S[k] = p;
      E[k] = p + 2 ** steps[k]![0];
      p = E[k]! + (steps[k]![1] === 2 ? 5 : steps[k]![1]);
    }
    const cs = cuts.map(([x, w]) => [Math.min(x, n), w] as const).sort((a, b) => a[0] - b[0]);
    const rs: number[] = [];
    const re: number[] = [];
    const at: number[] = [];
    const from: number[] = [];
    const to: number[] = [];
    let k = 0;
    let what = 0;
    for (const [x, w] of [...cs, [n, 0] as const]) {
      if (x > k && what === 0) {
        at.push(rs.length);
        from.push(k);
        to.push(x);
      } else if (x > k && what === 1)
        for (let i = k; i < x; i++) {
          // a row of a block, or of it and the one after when they touch (rows as a sweep pushes them, joined)
          if (i + 1 < x && E[i] === S[i + 1]) {
            rs.push(S[i]!);
            re.push(E[++i]!);
          } else {
            rs.push(S[i]!);
            re.push(E[i]!);
          }
        }
      if (x > k) k = x;
      what = w;
    }
    return {
      S,
      E,
      rs: Float64Array.from(rs),
      re: Float64Array.from(re),
      rows: rs.length,
      at: Int32Array.from(at),
      from: Int32Array.from(from),
      to: Int32Array.from(to),
    };
  });

type Pieces = Omit<RunStretches, 'n'>;

/** The pieces in order, each pushed to a joining buffer (RangeBuffer with `join`): the ranges they stand for. */
function byPieces(p: Pieces): [number, number][] {
  const out: [number, number][] = [];
  const push = (s: number, e: number): void => {
    const last = out[out.length - 1];
    if (last && last[0] <= s && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  };
  let r = 0;
  for (let j = 0; j <= p.at.length; j++) {
    const rEnd = j < p.at.length ? p.at[j]! : p.rows;
    for (; r < rEnd; r++) push(p.rs[r]!, p.re[r]!);
    if (j < p.at.length) for (let k = p.from[j]!; k < p.to[j]!; k++) push(p.S[k]!, p.E[k]!);
  }
  return out;
}

const stretchesOf = (p: Pieces): RunStretches =>
  runStretches(p.S, p.E, p.rs, p.re, p.rows, p.at, p.from, p.to);

const pairsOf = (S: ArrayLike<number>, E: ArrayLike<number>, n: number): [number, number][] =>
  Array.from({ length: n }, (_, k) => [S[k]!, E[k]!]);

const textOf = (doc: unknown, chunk: number): string =>
  [...jsonChunks(doc, { chunkChars: chunk })]
    .map((c) => (typeof c === 'string' ? c : new TextDecoder().decode(c)))
    .join('');

describe('run stretches: runs kept as stretches of the blocks columns', () => {
  it('count, columns and pages are those of the pieces pushed one by one to a joining buffer', () => {
    fc.assert(
      fc.property(piecesArb, (pieces) => {
        const want = byPieces(pieces);
        expect(runStretchesInOrder(pieces)).toBe(true);
        const p = stretchesOf(pieces);
        const cols = runRanges(p);
        // nothing made until read; the shape and key order of a Cols
        expect(runRangesMade(cols)).toBe(false);
        expect(Object.keys(cols)).toEqual(['start', 'end', 'n']);
        // the pages without the columns made (of all blocks less those between the stretches, or stretch by stretch)
        const pages = want.reduce((s, [a, b]) => s + b - a, 0);
        expect(pagesOfCols(cols)).toBe(pages);
        expect(pagesOfRuns(p)).toBe(pages);
        expect(runRangesMade(cols)).toBe(false);
        expect(p.n).toBe(want.length);
        expect(pairsOf(cols.start, cols.end, cols.n)).toEqual(want);
        expect(runRangesMade(cols)).toBe(true);
        // the finding's columns (rangeColumns): the same columns
        const f = rangeColumns(cols);
        expect(Object.keys(f)).toEqual(['count', 'starts', 'ends']);
        expect(runStretchesOf(f)).toBe(p);
        expect(f.starts).toBe(cols.start);
        expect(pairsOf(f.starts, f.ends, f.count)).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });

  it('pieces out of order are told (a piece starting before the end of the one before it)', () => {
    fc.assert(
      fc.property(piecesArb, fc.nat(), (pieces, x) => {
        const n = pieces.S.length;
        const m = pieces.at.length;
        // a row starting a page before the end of the row before it
        if (pieces.rows > 1) {
          const r = 1 + (x % (pieces.rows - 1));
          const rs = pieces.rs.slice();
          rs[r] = pieces.re[r - 1]! - 1;
          expect(runStretchesInOrder({ ...pieces, rs })).toBe(false);
        }
        for (let j = 0; j < m; j++) {
          // a stretch from the first block, with a piece before it (of blocks at or after the first)
          if (j > 0 || pieces.at[j]! > 0) {
            const from = pieces.from.slice();
            from[j] = 0;
            expect(runStretchesInOrder({ ...pieces, from })).toBe(false);
          }
          // a stretch to the last block, with a piece after it (of blocks before the last)
          if ((j + 1 < m || pieces.at[j]! < pieces.rows) && pieces.to[j]! < n) {
            const to = pieces.to.slice();
            to[j] = n;
            expect(runStretchesInOrder({ ...pieces, to })).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('packJson carries views of shared block columns, and the other side prints the same text', () => {
    fc.assert(
      fc.property(piecesArb, fc.integer({ min: 1, max: 64 }), (pieces, chunk) => {
        const want = byPieces(pieces);
        const cols = runColumns(stretchesOf(pieces));
        const doc = { findings: [{ code: 'X', ranges: jsonRanges(cols) }] };
        const p = packJson(doc);
        // the columns are not made on this side, nor counted
        expect(runRangesMade(cols)).toBe(false);
        // nothing transferred: shared block columns go as views of themselves, else the stretches' part of them is
        // copied, as the rows are, into shared memory too
        const shared = pieces.S.buffer instanceof SharedArrayBuffer;
        const m = pieces.from.length;
        expect(p.transfer).toEqual([]);
        const v = (p.value as { findings: { ranges: Record<'S' | 'E' | 'rs' | 're', Float64Array> }[] })
          .findings[0]!.ranges;
        for (const c of [v.S, v.E, v.rs, v.re]) expect(c.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(v.S.buffer === pieces.S.buffer).toBe(shared);
        expect(v.S.length).toBe(m ? pieces.to[m - 1]! - pieces.from[0]! : 0);
        expect(v.rs.length).toBe(pieces.rows);
        const back = unpackJson(structuredClone(p.value, { transfer: p.transfer }));
        expect(textOf(back, chunk)).toBe(
          JSON.stringify({ findings: [{ code: 'X', ranges: want }] }, null, 2),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('the writer thread writes them a window at a time: any window size and chunk size, ranges read out of order', () => {
    fc.assert(
      fc.property(
        piecesArb,
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 200 }),
        (pieces, size, chunk) => {
          const want = byPieces(pieces);
          const cols = runWindowColumns(stretchesOf(pieces), size);
          const doc = { r: jsonRanges(cols), again: jsonRanges(cols) };
          const text = textOf(doc, chunk);
          // written from the windows: the columns are not made
          expect(runRangesMade(cols)).toBe(false);
          expect(text).toBe(JSON.stringify({ r: want, again: want }, null, 2));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('blocksPages() sums all blocks once per pair of columns, as pagesBetween() over them', () => {
    fc.assert(
      fc.property(piecesArb, ({ S, E }) => {
        const want = Array.from(S, (s, k) => E[k]! - s).reduce((a, b) => a + b, 0);
        expect(pagesBetween(S, E, 0, S.length)).toBe(want);
        expect(blocksPages(S, E)).toBe(want);
        // kept by the pair: the same start column with other ends is summed again
        const E2 = E.map((e) => e + 1);
        expect(blocksPages(S, E2)).toBe(want + S.length);
        expect(blocksPages(S, E)).toBe(want);
      }),
      { numRuns: 100 },
    );
  });
});
