// MemMap, the struct-page interval map: range operations against a page-by-page reference model on small
// maps (fast-check, bounded), and the event bookkeeping the KHO strategies rely on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventRanges } from '../../src/sim/index.js';
import { MemMap, countCongruent } from '../../src/sim/index.js';

/** An event's range columns as Range objects. */
const rangesOf = (r: EventRanges) =>
  Array.from({ length: r.n }, (_, k) => ({ start: r.start[k], end: r.end[k] }));

const A = { phase: 'test', fn: 'f' };

/** A per-page reference: one state object per pfn. */
interface RefPage {
  memmap: boolean;
  init: number;
  nid: number;
  zid: number;
  reserved: boolean;
  buddy: boolean;
  kho: number;
}

type Op =
  | { kind: 'init'; s: number; e: number; nid: number; zid: number }
  | { kind: 'reserve'; s: number; e: number }
  | { kind: 'free'; s: number; e: number }
  | { kind: 'kho'; s: number; order: number };

const LIMIT = 96;
const PRESENT = [
  { start: 0, end: 40 },
  { start: 56, end: 90 },
];

/** Pre-fragment: every pfn initialised with node p % 2 (one run per page), so ops span many runs. */
const FRAGMENT: Op[] = Array.from({ length: LIMIT }, (_, p) => ({
  kind: 'init' as const,
  s: p,
  e: p + 1,
  nid: p % 2,
  zid: 1,
}));

function reference(ops: readonly Op[]): { pages: RefPage[]; dbl: number; uninitUse: number } {
  const pages: RefPage[] = [];
  for (let p = 0; p < LIMIT; p++) {
    const memmap = PRESENT.some((r) => p >= r.start && p < r.end);
    pages.push({ memmap, init: 0, nid: -1, zid: -1, reserved: false, buddy: false, kho: -1 });
  }
  let dbl = 0;
  let uninitUse = 0;
  for (const op of ops) {
    if (op.kind === 'kho') {
      const pg = pages[op.s]!;
      if (pg.memmap) {
        if (pg.init === 0) uninitUse++;
        pg.kho = op.order;
      }
      continue;
    }
    for (let p = op.s; p < op.e; p++) {
      const pg = pages[p]!;
      if (!pg.memmap) continue;
      if (op.kind === 'init') {
        if (pg.init > 0) dbl++;
        Object.assign(pg, {
          init: pg.init + 1,
          nid: op.nid,
          zid: op.zid,
          reserved: false,
          buddy: false,
          kho: -1,
        });
      } else {
        if (pg.init === 0) uninitUse++;
        if (op.kind === 'reserve') pg.reserved = true;
        else Object.assign(pg, { reserved: false, buddy: true });
      }
    }
  }
  return { pages, dbl, uninitUse };
}

const rangeArb = fc
  .tuple(fc.integer({ min: 0, max: LIMIT }), fc.integer({ min: 0, max: LIMIT }))
  .map(([s, n]) => ({
    s,
    e: Math.min(LIMIT, s + n),
  }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(rangeArb, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 })).map(([r, nid, zid]) => ({
    kind: 'init' as const,
    ...r,
    nid,
    zid,
  })),
  rangeArb.map((r) => ({ kind: 'reserve' as const, ...r })),
  rangeArb.map((r) => ({ kind: 'free' as const, ...r })),
  fc.tuple(fc.integer({ min: 0, max: LIMIT - 1 }), fc.integer({ min: 0, max: 10 })).map(([s, order]) => ({
    kind: 'kho' as const,
    s,
    order,
  })),
);

describe('MemMap against a per-page reference', () => {
  it('agrees page by page after random operations, with the same double-init and uninit-use counts', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), fc.boolean(), (ops0, fragment) => {
        // on a fragmented map single-range operations split runs in place; otherwise they rebuild a window
        const ops = fragment ? [...FRAGMENT, ...ops0] : ops0;
        const m = new MemMap(PRESENT, LIMIT);
        for (const op of ops) {
          if (op.kind === 'init') m.init(op.s, op.e, op.nid, op.zid, A);
          else if (op.kind === 'reserve') m.reserve([{ start: op.s, end: op.e }], A);
          else if (op.kind === 'free') m.free([{ start: op.s, end: op.e }], A);
          else m.writeKhoHead(op.s, op.order, true, A);
        }
        const ref = reference(ops);
        for (let p = 0; p < LIMIT; p++) {
          const st = m.stateAt(p);
          const r = ref.pages[p]!;
          expect([st.memmap, st.initCount, st.nid, st.zid, st.reserved, st.buddy, st.khoOrder]).toEqual([
            r.memmap,
            r.init,
            r.nid,
            r.zid,
            r.reserved,
            r.buddy,
            r.kho,
          ]);
        }
        const dbl = m.events.reduce((n, e) => n + e.doubleInitPages, 0);
        const uninit = m.events.filter((e) => e.kind !== 'init').reduce((n, e) => n + e.uninitPages, 0);
        expect([dbl, uninit]).toEqual([ref.dbl, ref.uninitUse]);
        // runs stay maximal: no two neighbours with the same state
        const runs = m.query();
        for (let i = 1; i < runs.length; i++) expect(runs[i]!.state).not.toEqual(runs[i - 1]!.state);
      }),
      { numRuns: 300 },
    );
  });

  it('readPattern counts exactly the pfns of the pattern that are uninitialised or without memmap', () => {
    fc.assert(
      fc.property(
        fc.array(rangeArb, { maxLength: 6 }),
        rangeArb,
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.integer({ min: 0, max: LIMIT + 4 }), { maxLength: 4 }),
        (inits, span, stride, points) => {
          const m = new MemMap(PRESENT, LIMIT);
          for (const r of inits) m.init(r.s, r.e, 0, 2, A);
          const offsets = [0, stride - 1];
          const ev = m.readPattern({ start: span.s, end: span.e, stride, offsets, points }, A);
          const read = new Set<number>(points);
          for (let p = span.s; p < span.e; p++) if (offsets.includes(p % stride)) read.add(p);
          let uninit = 0;
          let noMap = 0;
          for (const p of read) {
            const st = m.stateAt(p);
            if (!st.memmap) noMap++;
            else if (st.initCount === 0) uninit++;
          }
          expect([ev.pages, ev.uninitPages, ev.noMemmapPages]).toEqual([read.size, uninit, noMap]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('MemMap bookkeeping', () => {
  it('init over initialised pages is a double init; over a KHO head it loses the order', () => {
    // pfns 0..40 present. Expect: second init reports 10 double-init pages, 1 lost KHO order, 5 identity changes
    const m = new MemMap(PRESENT, LIMIT);
    m.init(0, 20, 0, 2, A);
    m.writeKhoHead(12, 3, true, A);
    const ev = m.initRanges(
      [
        { start: 10, end: 15, nid: 0, zid: 2 },
        { start: 15, end: 20, nid: 1, zid: 2 },
        { start: 20, end: 25, nid: 1, zid: 2 },
      ],
      A,
    )!;
    expect([ev.doubleInitPages, ev.khoLostPages, ev.identityChangedPages]).toEqual([10, 1, 5]);
    expect(rangesOf(ev.doubleInitRanges)).toEqual([{ start: 10, end: 20 }]);
    expect(rangesOf(ev.identityChangedRanges)).toEqual([{ start: 15, end: 20 }]);
  });

  it('pages without memmap are never changed, and touching them is counted', () => {
    const m = new MemMap(PRESENT, LIMIT);
    const ev = m.init(35, 60, 0, 1, A)!;
    expect(ev.noMemmapPages).toBe(16);
    expect(m.stateAt(45).memmap).toBe(false);
    expect(m.census().init).toBe(5 + 4);
  });

  it('identityDiff finds pages another replay gave another node or zone', () => {
    const a = new MemMap(PRESENT, LIMIT);
    const b = new MemMap(PRESENT, LIMIT);
    a.init(0, 40, 0, 2, A);
    b.init(0, 30, 0, 2, A);
    b.init(30, 40, 1, 2, A);
    expect(a.identityDiff(b)).toEqual([{ start: 30, end: 40 }]);
  });

  it('countCongruent counts p in [a, b) with p % stride == off', () => {
    for (let a = 0; a < 20; a++)
      for (let b = a; b < 40; b++)
        for (const stride of [1, 3, 8])
          for (let off = 0; off < stride; off++) {
            let n = 0;
            for (let p = a; p < b; p++) if (p % stride === off) n++;
            expect(countCongruent(a, b, stride, off)).toBe(n);
          }
  });
});
