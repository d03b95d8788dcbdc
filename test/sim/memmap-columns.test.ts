// The scale paths of the simulator against the plain ones they replace: MemMap's columnar head writes and page
// reads against one call per page, and the zone/node split fast paths (src/sim/phases/zone-split.ts) against
// splitByZone/splitByNode, on the real layout of traces/qemu/b-16g-2node and on random small maps (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemMap } from '../../src/sim/index.js';
import type { SimContext } from '../../src/sim/context.js';
import { splitByZone } from '../../src/sim/context.js';
import { splitByNode } from '../../src/sim/mem-regions.js';
import { forEachNodePiece, forEachZonePiece } from '../../src/sim/phases/zone-split.js';
import { cpuMs } from '../helpers/cpu-time.js';
import { createSimContext } from '../../src/sim/boot.js';
import { hostFromQemuTrace } from './host-from-trace.js';

const A = { phase: 'test', fn: 'f' };
const LIMIT = 96;
const PRESENT = [
  { start: 0, end: 40 },
  { start: 56, end: 90 },
];

/** Every pfn's state, as one comparable list. */
function pages(m: MemMap): unknown[] {
  const out: unknown[] = [];
  for (let p = 0; p < LIMIT + 2; p++) out.push(m.stateAt(p));
  return out;
}

describe('MemMap columns', () => {
  it('writeKhoHeadColumns (unsorted, repeated heads, plain or fragmented map) leaves the state writeKhoHead per head leaves, first of a pfn winning', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ pfn: fc.integer({ min: 0, max: LIMIT + 1 }), order: fc.integer({ min: 0, max: 9 }) }),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.array(fc.integer({ min: 0, max: LIMIT - 1 }), { maxLength: 8 }),
        fc.boolean(),
        (heads, inits, fragment) => {
          const a = new MemMap(PRESENT, LIMIT);
          const b = new MemMap(PRESENT, LIMIT);
          // fragmented: a run per page, so heads far apart are separate windows of one sweep
          if (fragment) {
            for (let p = 0; p < LIMIT; p++) {
              a.init(p, p + 1, p % 2, 1, A);
              b.init(p, p + 1, p % 2, 1, A);
            }
          }
          for (const p of inits) {
            a.init(p, p + 3, 0, 1, A);
            b.init(p, p + 3, 0, 1, A);
          }
          const ev = a.writeKhoHeadColumns(
            heads.map((h) => h.pfn),
            heads.map((h) => h.order),
            true,
            A,
          )!;
          const seen = new Set<number>();
          let uninit = 0;
          for (const h of heads) {
            if (seen.has(h.pfn)) continue;
            seen.add(h.pfn);
            uninit += b.writeKhoHead(h.pfn, h.order, true, A).uninitPages;
          }
          expect(pages(a)).toEqual(pages(b));
          expect(ev.uninitPages).toBe(uninit);
          expect([ev.start, ev.end]).toEqual([Math.min(...seen), Math.max(...seen) + 1]);
          // runs stay maximal
          const runs = a.query();
          for (let i = 1; i < runs.length; i++) expect(runs[i]!.state).not.toEqual(runs[i - 1]!.state);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('readPages is read() of the single pages, and clearKhoHeads clears each head once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: LIMIT + 1 }), { minLength: 1, maxLength: 30 }),
        (pfns) => {
          const m = new MemMap(PRESENT, LIMIT);
          m.init(10, 30, 0, 1, A);
          m.writeKhoHeads(
            pfns.map((p) => ({ pfn: p, order: 2 })),
            true,
            A,
          );
          const a = m.readPages(pfns, A)!;
          const b = m.read(
            pfns.map((p) => ({ start: p, end: p + 1 })),
            A,
          )!;
          expect({ ...a, seq: 0 }).toEqual({ ...b, seq: 0 });
          m.clearKhoHeads(pfns);
          expect(m.census().khoHeads).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('readPages of the head column the layer was attached with (runs of equal heads, one of another state among them) is read() of the single pages', () => {
    // MemMap.flagRuns() steps over a run of blocks with the same head four at a time: a block of another state
    // anywhere in such a run (the fifth of six equal heads, say) must still end the run
    const blocksOf = (n: number, at: number) => {
      const starts = Float64Array.from({ length: n }, (_, i) => at + i);
      return { starts, ends: Float64Array.from(starts, (p) => p + 1) };
    };
    const check = (n: number, at: number, inits: readonly number[], except: readonly number[]) => {
      const { starts, ends } = blocksOf(n, at);
      const m = new MemMap(PRESENT, LIMIT);
      m.attachBlocks(starts, ends, { sortedDisjoint: true });
      for (const p of inits) m.init(at + p, at + p + 1, 0, 1, A);
      const ex = [...new Set(except.filter((i) => i < n))].sort((a, b) => a - b);
      const a = m.readPages(starts, A, ex.length ? { at: Int32Array.from(ex), n: ex.length } : null);
      const b = m.read(
        [...starts].filter((_, i) => !ex.includes(i)).map((p) => ({ start: p, end: p + 1 })),
        A,
      );
      const norm = (e: typeof a) =>
        e ? { uninit: e.uninitPages, noMemmap: e.noMemmapPages, start: e.start, end: e.end } : null;
      expect(norm(a)).toEqual(norm(b));
    };
    // a block of another state (initialised) at every offset of a run of equal heads, the fifth of six among them
    check(12, 2, [6], []);
    for (let k = 0; k < 10; k++) check(14, 1, [k + 1], []);
    check(14, 1, [5, 11], [8]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 38 }),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.nat(37), { maxLength: 4 }),
        fc.array(fc.nat(37), { maxLength: 2 }),
        (n, at, inits, except) =>
          check(
            Math.min(n, 38 - at),
            at,
            inits.filter((p) => p < 38 - at),
            except,
          ),
      ),
      { numRuns: 300 },
    );
  });

  it('a million single-page heads every other pfn: one sweep, a run per page, every head written', () => {
    // Expect: 2M runs of alternating states, 1M heads counted, in well under a second
    const n = 1_000_000;
    const m = new MemMap([{ start: 0, end: 2 * n }], 2 * n);
    const pfns = Float64Array.from({ length: n }, (_, i) => 2 * i);
    // CPU time (test/helpers/cpu-time.ts): wall time on a shared machine is the neighbours'
    const ms = cpuMs(() => m.writeKhoHeadColumns(pfns, new Float64Array(n), false, A));
    expect([m.runCount, m.census().khoHeads]).toEqual([2 * n, n]);
    expect(ms).toBeLessThan(3000);
  });
});

describe('zone and node split fast paths', () => {
  const host = hostFromQemuTrace('b-16g-2node');
  const ctx = createSimContext(host);
  const layout = ctx.layout;
  const maxPfn = layout.maxPfn + 4096;
  // boundaries of zones and memory ranges, and pfns around them, so ranges start and end on both sides of each
  const edges = [
    ...layout.nodes.flatMap((n) => n.zones.flatMap((z) => [z.startPfn, z.endPfn])),
    ...layout.memRanges.flatMap((r) => [r.start, r.end]),
  ];
  const pfnArb = fc.oneof(
    fc.integer({ min: 0, max: maxPfn }),
    fc.tuple(fc.constantFrom(...edges), fc.integer({ min: -3, max: 3 })).map(([e, d]) => Math.max(0, e + d)),
  );
  const nids = [...layout.nodes.map((n) => n.nid), 7];

  it('forEachZonePiece gives splitByZone pieces for every node (and a node that does not exist)', () => {
    fc.assert(
      fc.property(pfnArb, pfnArb, fc.constantFrom(...nids), (a, b, nid) => {
        const [s, e] = a <= b ? [a, b] : [b, a];
        const got: { start: number; end: number; nid: number; zid: number | null }[] = [];
        forEachZonePiece(layout, nid, s, e, (ps, pe, zid) => got.push({ start: ps, end: pe, nid, zid }));
        expect(got).toEqual(splitByZone({ layout } as SimContext, nid, s, e));
      }),
      { numRuns: 500 },
    );
  });

  it('forEachNodePiece gives splitByNode pieces', () => {
    fc.assert(
      fc.property(pfnArb, pfnArb, (a, b) => {
        const [s, e] = a <= b ? [a, b] : [b, a];
        const got: { start: number; end: number; nid: number }[] = [];
        forEachNodePiece(layout.memRanges, s, e, layout.firstOnlineNode, (ps, pe, nid) =>
          got.push({ start: ps, end: pe, nid }),
        );
        expect(got).toEqual(splitByNode(layout.memRanges, s, e, layout.firstOnlineNode));
      }),
      { numRuns: 500 },
    );
  });
});
