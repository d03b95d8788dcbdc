// wholeBlocksRunSorted() (issue 10): on blocks known sorted and disjoint, the stretch of whole blocks it finds by
// searches must end exactly where wholeBlocksRun()'s look at every block ends it, for any start block and bounds
// (bounds at, just before and just after block starts and ends, infinite or NaN).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  wholeBlocksRun,
  wholeBlocksRunAt,
  wholeBlocksRunAtSorted,
  wholeBlocksRunSorted,
} from '../../../src/sim/phases/kho-run.js';

/** Sorted, disjoint, non-empty blocks from (gap, length) pairs: touching where a gap is 0. */
const blocksArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 9 })), {
    minLength: 0,
    maxLength: 40,
  })
  .map((gl) => {
    const S = new Float64Array(gl.length);
    const E = new Float64Array(gl.length);
    let p = 0;
    gl.forEach(([g, l], k) => {
      S[k] = p + g;
      E[k] = p + g + l;
      p = E[k]!;
    });
    return { S, E };
  });

/** A bound near a block's start or end (at it, one below, one above), anywhere, or infinite or NaN. */
const boundArb = (S: Float64Array, E: Float64Array) =>
  fc
    .oneof(
      { weight: 6, arbitrary: fc.tuple(fc.nat(), fc.boolean(), fc.integer({ min: -1, max: 1 })) },
      { weight: 2, arbitrary: fc.integer({ min: -5, max: 400 }) },
      { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, NaN) },
    )
    .map((b) => {
      if (typeof b === 'number') return b;
      const [k, end, d] = b;
      if (!S.length) return d;
      const j = k % S.length;
      return (end ? E[j]! : S[j]!) + d;
    });

describe('wholeBlocksRunSorted', () => {
  it('ends the stretch where wholeBlocksRun() does, on sorted disjoint blocks', () => {
    fc.assert(
      fc.property(
        blocksArb.chain(({ S, E }) =>
          fc.record({
            S: fc.constant(S),
            E: fc.constant(E),
            i: fc.integer({ min: 0, max: S.length + 1 }),
            nCut: fc.integer({ min: 0, max: 3 }),
            lo: boundArb(S, E),
            startBelow: boundArb(S, E),
            endMax: boundArb(S, E),
          }),
        ),
        ({ S, E, i, nCut, lo, startBelow, endMax }) => {
          // n below the columns' length too (the callers pass the blocks' count)
          const n = Math.max(0, S.length - nCut);
          const i0 = Math.min(i, n);
          expect(wholeBlocksRunSorted(S, E, i0, n, lo, startBelow, endMax)).toBe(
            wholeBlocksRun(S, E, i0, n, lo, startBelow, endMax),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  // E null (initDeferredHeads: each block's head page alone): both must end the stretch where wholeBlocksRun() does
  // over a column of ends one past each start, on blocks sorted and disjoint or (heads only) merely ascending
  it('ends a stretch of head pages (no end column) where wholeBlocksRun() does over the heads listed', () => {
    fc.assert(
      fc.property(
        blocksArb.chain(({ S, E }) =>
          fc.record({
            S: fc.constant(S),
            i: fc.integer({ min: 0, max: S.length + 1 }),
            nCut: fc.integer({ min: 0, max: 3 }),
            lo: boundArb(S, E),
            startBelow: boundArb(S, E),
            endMax: boundArb(S, E),
            shuffle: fc.boolean(),
          }),
        ),
        ({ S, i, nCut, lo, startBelow, endMax, shuffle }) => {
          const n = Math.max(0, S.length - nCut);
          const i0 = Math.min(i, n);
          // (unsorted starts for the general loop: a block before the one before it ends the stretch)
          const H = shuffle ? S.slice().reverse() : S;
          const heads = H.map((s) => s + 1);
          expect(wholeBlocksRun(H, null, i0, n, lo, startBelow, endMax)).toBe(
            wholeBlocksRun(H, heads, i0, n, lo, startBelow, endMax),
          );
          if (!shuffle)
            expect(wholeBlocksRunSorted(S, null, i0, n, lo, startBelow, endMax)).toBe(
              wholeBlocksRun(S, heads, i0, n, lo, startBelow, endMax),
            );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('takes a long stretch whole and stops at a zone stretch end inside it', () => {
    const n = 100000;
    const S = Float64Array.from({ length: n }, (_, k) => 16 * k);
    const E = Float64Array.from({ length: n }, (_, k) => 16 * k + 8);
    for (const [i, lo, below, endMax] of [
      [1, 0, Infinity, Infinity],
      [5, 16, 16 * 70000, Infinity],
      [5, 16, Infinity, 16 * 70000 + 7],
      [5, 16, Infinity, 16 * 70000 + 8],
      [99999, 0, Infinity, Infinity],
    ] as const)
      expect(wholeBlocksRunSorted(S, E, i, n, lo, below, endMax)).toBe(
        wholeBlocksRun(S, E, i, n, lo, below, endMax),
      );
  });
});

describe('wholeBlocksRunAtSorted', () => {
  it('ends the stretch of restored positions where wholeBlocksRunAt() does, on sorted disjoint blocks', () => {
    fc.assert(
      fc.property(
        blocksArb.chain(({ S, E }) =>
          fc.record({
            S: fc.constant(S),
            E: fc.constant(E),
            // the positions restored: every block but a few left out (ascending), or a subset drawn
            left: fc.uniqueArray(fc.integer({ min: 0, max: S.length + 1 }), { maxLength: 6 }),
            j: fc.nat(S.length + 1),
            shift: fc.integer({ min: -1, max: 1 }),
            lo: boundArb(S, E),
            hi: boundArb(S, E),
          }),
        ),
        ({ S, E, left, j, shift, lo, hi }) => {
          const at = Int32Array.from(Array.from(S.keys()).filter((b) => !left.includes(b)));
          const n = at.length;
          const j0 = Math.min(j, n);
          // `to`: the block after at[j0 - 1] (the caller's open stretch), or one off it
          const to = (j0 > 0 ? at[j0 - 1]! + 1 : 0) + (j0 % 3 === 2 ? shift : 0);
          expect(wholeBlocksRunAtSorted(at, j0, n, S, E, to, lo, hi)).toBe(
            wholeBlocksRunAt(at, j0, n, S, E, to, lo, hi),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('takes a long stretch of restored blocks whole and stops at a block left out or a piece end inside it', () => {
    const nb = 100000;
    const S = Float64Array.from({ length: nb }, (_, k) => 16 * k);
    const E = Float64Array.from({ length: nb }, (_, k) => 16 * k + 8);
    const at = Int32Array.from(Array.from(S.keys()).filter((b) => b !== 70001));
    const n = at.length;
    for (const [j, lo, hi] of [
      [1, 0, Infinity],
      [5, 16, 16 * 70000 + 7],
      [5, 16, 16 * 70000 + 8],
      [5, 16, Infinity],
      [70001, 0, Infinity],
      [n - 1, 0, Infinity],
    ] as const)
      expect(wholeBlocksRunAtSorted(at, j, n, S, E, at[j - 1]! + 1, lo, hi)).toBe(
        wholeBlocksRunAt(at, j, n, S, E, at[j - 1]! + 1, lo, hi),
      );
  });
});
