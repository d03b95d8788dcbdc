// initByZoneWalk() answers from zoneWalkMap() (the first spanning zone of every pfn, as pieces, once per layout)
// with a cursor: it must queue the same pages with the same node and zone as the walk itself (zoneWalkPieces: for
// each zone in node then zone order, the part of what is left that the zone spans), on layouts whose zone spans
// overlap, leave holes and straddle node bounds, for ranges in and out of address order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SimContext } from '../../../src/sim/context.js';
import { StrategyRunner, zoneWalkMap } from '../../../src/sim/phases/kho-run.js';
import type { KhoRun } from '../../../src/sim/phases/kho-run.js';

interface Batch {
  fn: string;
  cols: number[][];
}

function layoutOf(zones: readonly (readonly [number, number, number, number])[]) {
  // [nid, zid, start, length]: nodes in order of first appearance, zones in the order given
  const nodes = new Map<number, { nid: number; zones: object[] }>();
  for (const [nid, zid, s, len] of zones) {
    let n = nodes.get(nid);
    if (!n) nodes.set(nid, (n = { nid, zones: [] }));
    n.zones.push({ zid, startPfn: s, endPfn: s + len, spannedPages: len });
  }
  return { nodes: [...nodes.values()] };
}

/** The batches flush() hands the memmap after `queue` ran on a runner over `layout`. */
function flushed(layout: unknown, queue: (r: StrategyRunner) => void): Batch[] {
  const out: Batch[] = [];
  const memmap = {
    initColumns(
      c: {
        start: ArrayLike<number>;
        end: ArrayLike<number>;
        nid: ArrayLike<number>;
        zid: ArrayLike<number>;
        n: number;
      },
      a: { fn: string },
    ) {
      const cols = [c.start, c.end, c.nid, c.zid].map((x) => Array.from(x).slice(0, c.n));
      out.push({ fn: a.fn, cols });
    },
  };
  const ctx = { layout, memmap, deferred: true } as unknown as SimContext;
  const r = new StrategyRunner(ctx, {} as KhoRun, 'restore', 'kho_restore');
  queue(r);
  r.flush();
  return out;
}

const zonesArb = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 4000 }),
    fc.integer({ min: 0, max: 1500 }),
  ),
  { minLength: 1, maxLength: 10 },
);
const rangesArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 6000 }), fc.integer({ min: 0, max: 800 })), {
  maxLength: 40,
});

describe('zone walk by pieces', () => {
  it('queues what the zone-by-zone walk queues', () => {
    fc.assert(
      fc.property(zonesArb, rangesArb, fc.boolean(), (zones, ranges, sorted) => {
        const layout = layoutOf(zones);
        const rs = sorted ? [...ranges].sort((a, b) => a[0] - b[0]) : ranges;
        const fast = flushed(layout, (r) => rs.forEach(([s, len]) => r.initByZoneWalk(s, s + len, 'f')));
        const walk = flushed(layout, (r) => rs.forEach(([s, len]) => r.zoneWalkPieces(s, s + len, 'f')));
        expect(fast).toEqual(walk);
      }),
      { numRuns: 500 },
    );
  });

  it('gives each pfn the first zone in node then zone order that spans it', () => {
    const layout = layoutOf([
      [0, 1, 100, 100],
      [0, 2, 150, 100],
      [1, 0, 120, 200],
    ]);
    const m = zoneWalkMap(layout as never);
    const at = (pfn: number): [number, number] => {
      let i = 0;
      while (i + 1 < m.n && m.start[i + 1]! <= pfn) i++;
      return [m.nid[i]!, m.zid[i]!];
    };
    expect([at(99), at(100), at(199), at(200), at(249), at(250), at(319), at(320)]).toEqual([
      [-1, -1],
      [0, 1],
      [0, 1],
      [0, 2],
      [0, 2],
      [1, 0],
      [1, 0],
      [-1, -1],
    ]);
  });
});
