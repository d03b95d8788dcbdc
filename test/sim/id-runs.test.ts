// A layer column of state ids as runs (src/sim/id-runs.ts): written out, the runs give back the column id for id;
// more runs than asked for give none.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillIdRuns, idRunsOf } from '../../src/sim/id-runs.js';

/** A column of ids in runs of random lengths (neighbouring runs may repeat an id: they are then one run). */
const columns = fc
  .array(fc.tuple(fc.integer({ min: -1, max: 5 }), fc.integer({ min: 1, max: 40 })), { maxLength: 60 })
  .map((runs) => Int32Array.from(runs.flatMap(([id, len]) => new Array<number>(len).fill(id))));

/** The runs of a column counted the plain way. */
const runCount = (c: Int32Array, len: number): number => {
  let n = 0;
  for (let i = 0; i < len; i++) if (i === 0 || c[i] !== c[i - 1]) n++;
  return n;
};

describe('idRunsOf / fillIdRuns', () => {
  it('the runs written out are the column; with fewer allowed than it has, none', () => {
    fc.assert(
      fc.property(columns, fc.nat(), (col, cut) => {
        const len = col.length ? cut % (col.length + 1) : 0;
        const n = runCount(col, len);
        const r = idRunsOf(col, len, Math.max(1, n))!;
        expect(r).not.toBeNull();
        expect(r.n).toBe(n);
        expect(r.len).toBe(len);
        expect(Object.isFrozen(r)).toBe(true);
        // written over a column of other ids, with room past len that stays as it was
        const out = new Int32Array(len + 3).fill(99);
        fillIdRuns(r, out);
        expect([...out.subarray(0, len)]).toEqual([...col.subarray(0, len)]);
        expect([...out.subarray(len)]).toEqual([99, 99, 99]);
        if (n > 1) expect(idRunsOf(col, len, n - 1)).toBeNull();
      }),
    );
  });

  it('a long column (past the priming size) of a few long runs and many short ones', () => {
    const len = (1 << 16) + 5;
    const col = new Int32Array(len);
    col.fill(3, 0, 40_000);
    col.fill(-1, 40_000, 40_001);
    col.fill(3, 40_001, 50_000);
    for (let i = 50_000; i < len; i++) col[i] = (i >> 2) % 3;
    const n = runCount(col, len);
    const r = idRunsOf(col, len, n)!;
    expect(r.n).toBe(n);
    const out = new Int32Array(len);
    fillIdRuns(r, out);
    expect(out).toEqual(col);
    expect(idRunsOf(col, len, n - 1)).toBeNull();
    // a length past the column: no runs
    expect(idRunsOf(col, len + 1, n)).toBeNull();
  });
});
