// GrowableColumns (src/core/columns.ts): rows appended through room() read back as a plain list of rows would, the
// columns keep their kinds, and growth copies the rows in use only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnLike, f64Column, GrowableColumns, shareColumns } from '../../src/core/index.js';

type Row = [number, number, number];

/** Rows appended one by one with row(), or with room() for all of them first and `n` counted by hand. */
function append(
  buf: GrowableColumns<[Float64Array, Int32Array, Uint8Array]>,
  rows: readonly Row[],
  byRow: boolean,
): void {
  if (!byRow) buf.room(rows.length);
  for (const [a, b, c] of rows) {
    const n = byRow ? buf.row() : buf.n++;
    buf.cols[0][n] = a;
    buf.cols[1][n] = b;
    buf.cols[2][n] = c;
  }
}

const rowArb = fc.tuple(
  fc.double({ noNaN: true, min: -1e15, max: 1e15 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: 0, max: 255 }),
);

describe('GrowableColumns', () => {
  it('rows appended in batches of any size, from any first capacity, read back in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.tuple(fc.array(rowArb, { maxLength: 60 }), fc.boolean()), { maxLength: 8 }),
        fc.integer({ min: 0, max: 200 }),
        (cap, batches, reserveAhead) => {
          const buf = new GrowableColumns([new Float64Array(cap), new Int32Array(cap), new Uint8Array(cap)]);
          const want: Row[] = [];
          for (const [rows, byRow] of batches) {
            // room() for many rows at once, then fewer used: later appends still land after the rows in use
            buf.room(reserveAhead);
            expect(buf.capacity).toBeGreaterThanOrEqual(buf.n + reserveAhead);
            append(buf, rows, byRow);
            want.push(...rows);
          }
          expect(buf.n).toBe(want.length);
          expect(Array.from(buf.used(0))).toEqual(want.map((r) => r[0]));
          expect(Array.from(buf.used(1))).toEqual(want.map((r) => r[1]));
          expect(Array.from(buf.used(2))).toEqual(want.map((r) => r[2]));
          expect(buf.cols[0]).toBeInstanceOf(Float64Array);
          expect(buf.cols[1]).toBeInstanceOf(Int32Array);
          expect(buf.cols[2]).toBeInstanceOf(Uint8Array);
          for (const c of buf.cols) expect(c.length).toBe(buf.capacity);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grows geometrically (a million rows: a few dozen copies, not one per row) and used() is a view', () => {
    const buf = new GrowableColumns([new Float64Array(1), new Float64Array(1)]);
    let copies = 0;
    let cols = [...buf.cols];
    // rows handed out out of turn, counted (and the first one kept) instead of an expect() per row: a million of
    // those took 8 s alone and 20 s beside other work, a third of the test timeout
    let wrong = 0;
    let firstWrong = '';
    for (let i = 0; i < 1_000_000; i++) {
      const row = buf.row();
      if (row !== i && wrong++ === 0) firstWrong = `row() = ${row} for row ${i}`;
      if (buf.cols[0] !== cols[0]) copies++;
      cols = [...buf.cols];
      buf.cols[0][i] = i;
      buf.cols[1][i] = -i;
    }
    expect([wrong, firstWrong]).toEqual([0, '']);
    expect(copies).toBeLessThan(25);
    const v = buf.used(1);
    expect([v.length, v[999_999]]).toEqual([1_000_000, -999_999]);
    expect(v.buffer).toBe(buf.cols[1].buffer);
  });

  it('room() when there is room changes nothing', () => {
    const buf = new GrowableColumns([new Float64Array(8)]);
    const c = buf.cols[0];
    buf.room(8);
    expect(buf.cols[0]).toBe(c);
    buf.room(9);
    expect(buf.cols[0]).not.toBe(c);
    expect(buf.capacity).toBe(32);
  });

  it('shareColumns(): range columns made while it is on are in shared memory, of the same kinds and contents', () => {
    const plain = new GrowableColumns([new Float64Array(2), new Int32Array(2), new Uint8Array(2)]);
    const was = shareColumns(true);
    try {
      expect(was).toBe(false);
      expect(f64Column(3).buffer).toBeInstanceOf(SharedArrayBuffer);
      const c = columnLike(new Int32Array(1), 5);
      expect([c.constructor, c.length, c.buffer instanceof SharedArrayBuffer]).toEqual([Int32Array, 5, true]);
      // growth made while it is on: shared, the rows in use copied
      for (let i = 0; i < 5; i++) {
        const r = plain.row();
        plain.cols[0][r] = i + 0.5;
        plain.cols[1][r] = -i;
        plain.cols[2][r] = i;
      }
      for (const col of plain.cols) expect(col.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect([...plain.used(0)]).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
      expect([...plain.used(1)]).toEqual([0, -1, -2, -3, -4]);
      expect([plain.cols[1].constructor, plain.cols[2].constructor]).toEqual([Int32Array, Uint8Array]);
    } finally {
      expect(shareColumns(was)).toBe(true);
    }
    expect(f64Column(3).buffer).toBeInstanceOf(ArrayBuffer);
    expect(columnLike(new Uint8Array(1), 2).buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('refuses columns of different lengths', () => {
    expect(() => new GrowableColumns([new Float64Array(2), new Int32Array(3)])).toThrow(RangeError);
  });
});
