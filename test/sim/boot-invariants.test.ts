// Whole-boot invariants on random small layouts (tiny sections): after memblock_free_all and
// page_alloc_init_late every memory pfn is initialised exactly once (hole pages at most twice), the buddy holds exactly the free pfns
// (memory minus reserved, whole pages), PG_reserved marks exactly the reserved and hole pfns, and the
// managed counts add up, with deferral on or off.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/sim/index.js';
import { check } from '../../src/check/kho-findings.js';
import { TINY, makeHost } from './build-host.js';

const LIMIT = 256;

const rangesArb = (maxLen: number, nids: number) =>
  fc
    .array(
      fc.tuple(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: maxLen }),
        fc.integer({ min: 0, max: nids - 1 }),
      ),
      { maxLength: 8 },
    )
    .map((parts) => {
      const out: [number, number, number][] = [];
      let cur = 0;
      for (const [gap, len, nid] of parts) {
        const s = cur + gap;
        const e = Math.min(LIMIT, s + len);
        if (s >= e) break;
        out.push([s, e, nid]);
        cur = e;
      }
      return out;
    });

describe('boot invariants', () => {
  it.each(['on', 'off'] as const)('deferred %s', (deferred) => {
    fc.assert(
      fc.property(
        rangesArb(40, 2).filter((r) => r.length > 0),
        rangesArb(6, 1),
        (mem, res) => {
          const tl = replay(makeHost({ memory: mem, reserved: res }), null, { archProfile: TINY, deferred });
          const inMem = (p: number) => mem.some(([s, e]) => p >= s && p < e);
          const inRes = (p: number) => res.some(([s, e]) => p >= s && p < e);
          let buddy = 0;
          for (let p = 0; p < tl.memmap.limitPfn; p++) {
            const st = tl.memmap.stateAt(p);
            if (!st.memmap) continue;
            // every struct page of memory is initialised exactly once. A hole page can be initialised twice: by
            // init_unavailable_range, then again by reserve_bootmem_region when a reserved region covers it in the
            // deferred part of first_online_node (early_pfn_to_nid's fallback), as the kernel does
            if (inMem(p)) expect([p, st.initCount]).toEqual([p, 1]);
            else expect(st.initCount === 1 || (st.initCount === 2 && inRes(p))).toBe(true);
            const free = inMem(p) && !inRes(p);
            expect([p, st.buddy]).toEqual([p, free]);
            expect([p, st.reserved]).toEqual([p, !free]);
            if (st.buddy) buddy++;
          }
          const managed = tl.nodes.reduce((n, x) => n + x.zones.reduce((m, z) => m + z.managedPages, 0), 0);
          expect(managed).toBe(buddy);
          // a plain boot has no finding: a double init of a hole page (init_unavailable_range, then
          // reserve_bootmem_region over it) is the known harmless pattern check() leaves out
          expect(check(tl)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
