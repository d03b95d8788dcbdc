// kho_restore's restore hook gets the positions of the blocks restored: every position but those left out. They are
// made once per block columns and list left out (restoredPositions), and must be that complement whatever list came
// before for the same blocks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restoredPositions } from '../../src/sim/phases/kho-restore.js';
import { KhoBlocks } from '../../src/sim/phases/kho-types.js';

function blocksOf(n: number): KhoBlocks {
  const S = Float64Array.from({ length: n }, (_, i) => i * 4);
  const E = Float64Array.from({ length: n }, (_, i) => i * 4 + 2);
  return new KhoBlocks(S, E, new Uint8Array(n), new Uint8Array(n), null, true);
}

describe('restoredPositions', () => {
  it('gives every position but those left out, for list after list over the same blocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.array(fc.nat(45), { maxLength: 6 }), { minLength: 1, maxLength: 5 }),
        (n, lists) => {
          const blocks = blocksOf(n);
          for (const raw of lists) {
            const left = [...new Set(raw.filter((x) => x < n))].sort((a, b) => a - b);
            // the list in a column with room past its end, as the restore loop's growable column has
            const col = new Int32Array(left.length + 3).fill(7);
            col.set(left);
            const at = restoredPositions(blocks, col, left.length).column();
            const want = Array.from({ length: n }, (_, i) => i).filter((i) => !left.includes(i));
            expect(Array.from(at.subarray(0, want.length))).toEqual(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same column when made in one that held something (a spare column of a compare) as in a new one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.nat(45), { maxLength: 6 }),
        fc.integer({ min: -9, max: 50 }),
        (n, raw, junk) => {
          const left = Int32Array.from([...new Set(raw.filter((x) => x < n))].sort((a, b) => a - b));
          const fresh = restoredPositions(blocksOf(n), left, left.length).column();
          const reused = restoredPositions(blocksOf(n), left, left.length, (m) =>
            new Int32Array(m).fill(junk),
          ).column();
          expect(Array.from(reused)).toEqual(Array.from(fresh));
        },
      ),
      { numRuns: 300 },
    );
  });
  // the hook walks the positions by those left out (a PositionsBut): their column (a 32 MB one at 8M blocks) is made
  // only when a reader asks for it, once per block columns and list left out, by the first maker asked
  it('makes their column only when asked, once per block columns and list left out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(45), { maxLength: 6 }), (n, raw) => {
        const blocks = blocksOf(n);
        const left = Int32Array.from([...new Set(raw.filter((x) => x < n))].sort((a, b) => a - b));
        let made = 0;
        const maker = (m: number): Int32Array => {
          made++;
          return new Int32Array(m);
        };
        const p = restoredPositions(blocks, left, left.length, maker);
        expect(made).toBe(0);
        expect([p.total, p.n, Array.from(p.left)]).toEqual([n, n - left.length, Array.from(left)]);
        const col = p.column();
        expect(made).toBe(1);
        // a later strategy's call over the same blocks and list: the same column, no other made
        const again = restoredPositions(blocks, left, left.length, maker);
        expect(again.column()).toBe(col);
        expect(made).toBe(1);
      }),
      { numRuns: 200 },
    );
  });
});
