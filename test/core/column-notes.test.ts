// Facts noted about block columns by their makers (src/core/column-notes.ts): a noted column must answer as a look at
// every entry would (a copy, never noted, is that look), and a note holds only for the column and the pair it was made
// for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { positionsAscendingBelow, positionsButWithin } from '../../src/core/index.js';
import { restoredPositions } from '../../src/sim/phases/kho-restore.js';
import { KhoBlocks } from '../../src/sim/phases/kho-types.js';

function blocksOf(n: number): KhoBlocks {
  const S = Float64Array.from({ length: n }, (_, i) => i * 4);
  const E = Float64Array.from({ length: n }, (_, i) => i * 4 + 2);
  return new KhoBlocks(S, E, new Uint8Array(n), new Uint8Array(n), null, true);
}

/** The definition: at[0..n) strictly ascending, each in [0, bound). */
function ascendingBelow(at: ArrayLike<number>, n: number, bound: number): boolean {
  if (n > at.length) return false;
  for (let j = 0; j < n; j++)
    if (!(at[j]! >= 0 && at[j]! < bound && (j === 0 || at[j]! > at[j - 1]!))) return false;
  return true;
}

describe('positionsAscendingBelow', () => {
  // the restored positions are noted where made (restoredPositions): for any prefix and bound, the noted column
  // answers as a copy of it (no note: each position looked at) and as the definition
  it('answers for the restored positions, noted, as for a copy of them and as the definition', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.nat(45), { maxLength: 6 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: -3, max: 3 }),
        (n, raw, past, slack) => {
          const left = [...new Set(raw.filter((x) => x < n))].sort((a, b) => a - b);
          const col = new Int32Array(left.length + 2).fill(5);
          col.set(left);
          // a block set of its own per run: the positions are made (and noted) here, not taken from a run before
          const at = restoredPositions(blocksOf(n), col, left.length).column();
          const count = n - left.length;
          const copy = at.slice();
          for (let m = 0; m <= Math.min(at.length, count + past); m++) {
            const bound = n + slack;
            const want = ascendingBelow(at, m, bound);
            expect(positionsAscendingBelow(copy, m, bound)).toBe(want);
            expect(positionsAscendingBelow(at, m, bound)).toBe(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('looks at each position of a column never noted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2, max: 12 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 14 }),
        fc.integer({ min: 0, max: 14 }),
        (xs, n, bound) => {
          const at = Int32Array.from(xs);
          expect(positionsAscendingBelow(at, n, bound)).toBe(ascendingBelow(at, n, bound));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('positionsButWithin', () => {
  // MemMap.initBlockTails() walks a PositionsBut by rows between the positions left out only when it is what it says:
  // left strictly ascending inside [0, total), n = total - left.length positions asked for, total within the bound
  it('holds exactly when the positions left out are strictly ascending below total and the counts agree', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2, max: 12 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: -1, max: 1 }),
        fc.integer({ min: -1, max: 1 }),
        fc.integer({ min: 0, max: 14 }),
        (xs, total, dn, dask, bound) => {
          const left = Int32Array.from(xs);
          const n = total - left.length + dn;
          const p = { total, left, n, column: () => new Int32Array(0) };
          const want = dn === 0 && dask === 0 && total <= bound && ascendingBelow(left, left.length, total);
          expect(positionsButWithin(p, n + dask, bound)).toBe(want);
        },
      ),
      { numRuns: 500 },
    );
  });
});
