// Single pages kept as stretches of their pfn column (src/core/point-ranges.ts): the ranges they stand for, read from
// the event's columns, the finding's columns, or written by the JSON writer's thread after packJson(), are exactly the
// ranges the general path writes (each page [p, p + 1) added in turn, a page one past the last range's end joining it).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  pointColumns,
  pointRanges,
  pointRangesMade,
  pointStretches,
  pointStretchesOf,
  pointWindowColumns,
} from '../../src/core/index.js';
import type { PointStretches } from '../../src/core/index.js';
import { rangeColumns } from '../../src/check/range-buffer.js';
import { jsonChunks, jsonRanges, packJson, unpackJson } from '../../src/report/json-stream.js';

/** The general path: each page added in turn, joined to the last range when it touches it (RangeAcc.add). */
function byPages(at: Float64Array, from: readonly number[], to: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < from.length; j++)
    for (let k = from[j]!; k < to[j]!; k++) {
      const p = at[k]!;
      const last = out[out.length - 1];
      if (last && last[1] === p) last[1] = p + 1;
      else out.push([p, p + 1]);
    }
  return out;
}

/** A strictly ascending pfn column (steps of 1 to 3: heads that touch and heads that do not) and stretches of it. */
const stretchesArb = fc
  .tuple(
    fc.integer({ min: 0, max: 2 ** 40 }),
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 60 }),
    fc.uniqueArray(fc.integer({ min: 0, max: 61 }), { maxLength: 12 }),
    fc.boolean(),
  )
  .map(([base, steps, cuts, shared]) => {
    const at = shared
      ? new Float64Array(new SharedArrayBuffer(8 * steps.length))
      : new Float64Array(steps.length);
    let p = base;
    for (let k = 0; k < steps.length; k++) at[k] = p += steps[k]!;
    // cut points within the column, paired into stretches [from, to): ascending, disjoint, maybe touching or empty
    const c = cuts.map((x) => Math.min(x, at.length)).sort((a, b) => a - b);
    const from: number[] = [];
    const to: number[] = [];
    for (let i = 0; i + 1 < c.length; i += 2) {
      from.push(c[i]!);
      to.push(c[i + 1]!);
    }
    return { at, from, to };
  });

/** The stretches as RangeAcc keeps them: their count made when first read (pointStretches). */
const stretches = (at: Float64Array, from: number[], to: number[]): PointStretches =>
  pointStretches(at, Int32Array.from(from), Int32Array.from(to));

const pairsOf = (S: ArrayLike<number>, E: ArrayLike<number>, n: number): [number, number][] =>
  Array.from({ length: n }, (_, k) => [S[k]!, E[k]!]);

describe('point ranges: single pages kept as stretches of their pfn column', () => {
  it('count, event columns and finding columns are the ranges page-by-page adds make', () => {
    fc.assert(
      fc.property(stretchesArb, ({ at, from, to }) => {
        const want = byPages(at, from, to);
        const p = stretches(at, from, to);
        expect(p.n).toBe(want.length);
        const ev = pointRanges(p);
        // nothing made until read; the event's shape and key order those of RangeAcc.cols
        expect(pointRangesMade(ev)).toBe(false);
        expect(Object.keys(ev)).toEqual(['start', 'end', 'n']);
        expect(pairsOf(ev.start, ev.end, ev.n)).toEqual(want);
        expect(pointRangesMade(ev)).toBe(true);
        // the finding's columns (rangeColumns of the event's): the same columns, key order of rangeColumns
        const f = rangeColumns(ev);
        expect(Object.keys(f)).toEqual(['count', 'starts', 'ends']);
        expect(pointStretchesOf(f)).toBe(p);
        expect(f.starts).toBe(ev.start);
        expect(pairsOf(f.starts, f.ends, f.count)).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });

  it('packJson carries the stretches (a view of a shared column), and the other side prints the same text', () => {
    fc.assert(
      fc.property(stretchesArb, fc.integer({ min: 1, max: 64 }), ({ at, from, to }, chunk) => {
        const want = byPages(at, from, to);
        const cols = pointColumns(stretches(at, from, to));
        const doc = { findings: [{ code: 'X', ranges: jsonRanges(cols) }] };
        const p = packJson(doc);
        // the columns are not made on this side
        expect(pointRangesMade(cols)).toBe(false);
        // nothing transferred: a shared column goes as a view of itself, else the stretches' part of it is copied, into
        // shared memory too
        expect(p.transfer).toEqual([]);
        const v = (p.value as { findings: { ranges: { at: Float64Array } }[] }).findings[0]!.ranges;
        expect(v.at.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(v.at.buffer === at.buffer).toBe(at.buffer instanceof SharedArrayBuffer);
        expect(v.at.length).toBe(from.length ? to.at(-1)! - from[0]! : 0);
        const back = unpackJson(structuredClone(p.value, { transfer: p.transfer }));
        const text = [...jsonChunks(back, { chunkChars: chunk })]
          .map((c) => (typeof c === 'string' ? c : new TextDecoder().decode(c)))
          .join('');
        expect(text).toBe(JSON.stringify({ findings: [{ code: 'X', ranges: want }] }, null, 2));
      }),
      { numRuns: 300 },
    );
  });

  it('the writer thread writes them a window at a time: any window size and chunk size, ranges read out of order', () => {
    fc.assert(
      fc.property(
        stretchesArb,
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 200 }),
        ({ at, from, to }, size, chunk) => {
          const want = byPages(at, from, to);
          const cols = pointWindowColumns(stretches(at, from, to), size);
          const doc = { r: jsonRanges(cols), again: jsonRanges(cols) };
          const text = [...jsonChunks(doc, { chunkChars: chunk })]
            .map((c) => (typeof c === 'string' ? c : new TextDecoder().decode(c)))
            .join('');
          // written from the windows: the columns are not made
          expect(pointRangesMade(cols)).toBe(false);
          expect(text).toBe(JSON.stringify({ r: want, again: want }, null, 2));
        },
      ),
      { numRuns: 400 },
    );
  });
});
