// memblock_free_all()'s free ranges (src/sim/phases/memblock_free_all.ts computeFreeRanges): the walk written out
// over the reserved columns, with its in-loop path for a gap in the memory region, node, zone stretch and zone of the
// one before, gives the pieces, totalram and managed pages of the general walk (every free range from
// Memblock.forEachFreeMemRange() through the per-range function), on the 2-node qemu trace's layout with reserved
// ranges drawn around its memory, node and zone edges, and first deferred pfns drawn per node.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimContext } from '../../src/sim/boot.js';
import { computeFreeRanges } from '../../src/sim/phases/memblock_free_all.js';
import { hostFromQemuTrace } from './host-from-trace.js';

describe('computeFreeRanges', () => {
  const host = hostFromQemuTrace('b-16g-2node');
  const base = createSimContext(host);
  const layout = base.layout;
  const ps = base.memblock.pageSize;
  const edges = [
    ...layout.nodes.flatMap((n) => n.zones.flatMap((z) => [z.startPfn, z.endPfn])),
    ...layout.memRanges.flatMap((r) => [r.start, r.end]),
  ];
  const pfnArb = fc.oneof(
    fc.integer({ min: 0, max: layout.maxPfn + 64 }),
    fc.tuple(fc.constantFrom(...edges), fc.integer({ min: -3, max: 3 })).map(([e, d]) => Math.max(0, e + d)),
  );
  // a byte address near a pfn: on the page boundary or inside the page (free ranges round inward)
  const addrArb = fc.tuple(pfnArb, fc.constantFrom(0, 0, 0, 1, ps / 2, ps - 1)).map(([p, o]) => p * ps + o);
  const rangeArb = fc.tuple(addrArb, fc.integer({ min: 1, max: 40 * ps })).map(([s, len]) => [s, s + len]);
  const fdpArb = fc.option(pfnArb, { nil: null });

  const run = (ranges: number[][], fdps: (number | null)[], general: boolean) => {
    const ctx = createSimContext(host);
    const mb = ctx.memblock.clone();
    const sorted = ranges.map(([s, e]) => [s!, e!]).sort((a, b) => a[0]! - b[0]!);
    mb.reserveRanges({
      start: Float64Array.from(sorted, (r) => r[0]!),
      end: Float64Array.from(sorted, (r) => r[1]!),
      n: sorted.length,
    });
    ctx.memblock = mb;
    layout.nodes.forEach((n, i) => ctx.currentFirstDeferredPfn.set(n.nid, fdps[i % fdps.length] ?? null));
    const f = computeFreeRanges(ctx, general);
    return {
      pieces: Array.from(f.toFree.start, (s, i) => [s, f.toFree.end[i]]),
      totalram: f.totalram,
      keys: f.managedKeys,
      pages: f.managedPages,
    };
  };

  it('the written-out walk gives the general walk’s pieces, totalram and managed pages', () => {
    fc.assert(
      fc.property(
        fc.array(rangeArb, { maxLength: 60 }),
        fc.array(fdpArb, { minLength: 1, maxLength: 3 }),
        (ranges, fdps) => {
          expect(run(ranges, fdps, false)).toEqual(run(ranges, fdps, true));
        },
      ),
      { numRuns: 300 },
    );
  });
});
