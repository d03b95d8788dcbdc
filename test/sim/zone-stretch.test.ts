// zoneStretch() (src/sim/phases/zone-split.ts): the stretch around a pfn between two neighbouring zone starts or
// ends of a node, and the zone any range inside it lies in, against splitByZone() (the zone_spans_pfn loop) on the
// 2-node qemu trace's layout, around every boundary.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SimContext } from '../../src/sim/context.js';
import { splitByZone } from '../../src/sim/context.js';
import { zoneStretch } from '../../src/sim/phases/zone-split.js';
import { createSimContext } from '../../src/sim/boot.js';
import { hostFromQemuTrace } from './host-from-trace.js';

describe('zoneStretch', () => {
  const layout = createSimContext(hostFromQemuTrace('b-16g-2node')).layout;
  const cuts = layout.nodes.flatMap((n) =>
    n.zones.filter((z) => z.spannedPages).flatMap((z) => [z.startPfn, z.endPfn]),
  );
  const pfnArb = fc.oneof(
    fc.integer({ min: 0, max: layout.maxPfn + 4096 }),
    fc.tuple(fc.constantFrom(...cuts), fc.integer({ min: -2, max: 2 })).map(([c, d]) => Math.max(0, c + d)),
  );
  const nids = [...layout.nodes.map((n) => n.nid), 7];

  it('holds the pfn, ends at zone starts or ends of the node (or is unbounded), and is one splitByZone piece', () => {
    fc.assert(
      fc.property(pfnArb, fc.constantFrom(...nids), fc.integer({ min: 1, max: 5000 }), (pfn, nid, w) => {
        const st = zoneStretch(layout, nid, pfn);
        expect(st.lo <= pfn && pfn < st.hi).toBe(true);
        const node = layout.nodes.find((n) => n.nid === nid);
        const own = node
          ? node.zones.filter((z) => z.spannedPages).flatMap((z) => [z.startPfn, z.endPfn])
          : [];
        // no boundary of the node strictly inside, and each finite end is one
        expect(own.filter((c) => c > st.lo && c < st.hi)).toEqual([]);
        if (st.lo !== -Infinity) expect(own).toContain(st.lo);
        if (st.hi !== Infinity) expect(own).toContain(st.hi);
        // a range inside the stretch is one piece of that zone
        const s = Math.max(st.lo, pfn - w);
        const e = Math.min(st.hi, pfn + w);
        expect(splitByZone({ layout } as SimContext, nid, s, e)).toEqual([
          { start: s, end: e, nid, zid: st.zid },
        ]);
      }),
      { numRuns: 500 },
    );
  });
});
