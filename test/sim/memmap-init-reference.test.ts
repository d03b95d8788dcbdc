// memmap_init's range arithmetic against a literal per-pfn transcription of the kernel loops (memmap_init,
// memmap_init_zone_range, memmap_init_range + defer_init, init_unavailable_range; mm/page_alloc.c v6.1 and the
// newer defer_init order), on random small layouts with tiny sections so the per-pfn loop is cheap.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimContext, memmapInit } from '../../src/sim/index.js';
import { TINY, makeHost } from './build-host.js';

const LIMIT = 256;

/** Sorted disjoint ranges with random nodes (nodes may interleave). */
const layoutArb = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 1 }),
    ),
    {
      minLength: 1,
      maxLength: 8,
    },
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
  })
  .filter((r) => r.length > 0);

function reference(
  ctx: ReturnType<typeof createSimContext>,
  resetBeforeLowZoneTest: boolean,
): { fdp: Map<number, number>; unavailable: Map<string, number>; init: Set<number> } {
  const pps = TINY.PAGES_PER_SECTION;
  const pb = TINY.pageblock_nr_pages;
  const present = new Set<number>();
  for (const r of ctx.layout.memRanges)
    for (let p = r.start; p < r.end; p++) present.add(Math.floor(p / pps));
  const pfnValid = (p: number): boolean => present.has(Math.floor(p / pps));
  const fdp = new Map<number, number>();
  const unavailable = new Map<string, number>();
  const init = new Set<number>();
  let prevEnd = 0;
  let nr = 0;
  const deferInit = (nid: number, pfn: number, zoneEnd: number, nodeEnd: number): boolean => {
    if (resetBeforeLowZoneTest && prevEnd !== zoneEnd) {
      prevEnd = zoneEnd;
      nr = 0;
    }
    if (zoneEnd < nodeEnd) return false;
    if (fdp.has(nid)) return true;
    if (!resetBeforeLowZoneTest && prevEnd !== zoneEnd) {
      prevEnd = zoneEnd;
      nr = 0;
    }
    nr++;
    if (nr > pps && pfn % pps === 0) {
      fdp.set(nid, pfn);
      return true;
    }
    return false;
  };
  const hole = (s: number, e: number, zid: number, nid: number): void => {
    let n = 0;
    for (let p = s; p < e; p++) {
      if (!pfnValid(Math.floor(p / pb) * pb)) {
        p = Math.floor(p / pb) * pb + pb - 1;
        continue;
      }
      init.add(p);
      n++;
    }
    if (n) unavailable.set(`${nid}:${zid}`, (unavailable.get(`${nid}:${zid}`) ?? 0) + n);
  };
  let holePfn = 0;
  let zoneId = 0;
  let nid = 0;
  let end = 0;
  for (const r of ctx.layout.memRanges) {
    nid = r.nid;
    end = r.end;
    const node = ctx.layout.nodes.find((n) => n.nid === r.nid)!;
    for (const z of node.zones) {
      if (!z.presentPages) continue;
      const a = Math.min(Math.max(r.start, z.startPfn), z.endPfn);
      const b = Math.min(Math.max(r.end, z.startPfn), z.endPfn);
      zoneId = z.zid;
      if (a >= b) continue;
      for (let pfn = a; pfn < b; pfn++) {
        if (deferInit(node.nid, pfn, z.endPfn, node.endPfn)) break;
        init.add(pfn);
      }
      if (holePfn < a) hole(holePfn, a, z.zid, node.nid);
      holePfn = b;
    }
  }
  const last = Math.ceil(end / pps) * pps;
  if (holePfn < last) hole(holePfn, last, zoneId, nid);
  return { fdp, unavailable, init };
}

describe('memmap_init against the per-pfn kernel loops', () => {
  it.each([
    ['linux-6.1', true],
    ['linux-6.7', false],
  ] as const)('%s: same first_deferred_pfn, unavailable counts and initialised pfns', (mm, resetFirst) => {
    fc.assert(
      fc.property(layoutArb, (mem) => {
        const ctx = createSimContext(makeHost({ memory: mem }), { archProfile: TINY, mmProfile: mm });
        memmapInit(ctx);
        const ref = reference(ctx, resetFirst);
        const fdp = new Map([...ctx.firstDeferredPfn].filter(([, v]) => v !== null) as [number, number][]);
        expect(fdp).toEqual(ref.fdp);
        const un = new Map<string, number>();
        for (const u of ctx.unavailable)
          un.set(`${u.nid}:${u.zid}`, (un.get(`${u.nid}:${u.zid}`) ?? 0) + u.pages);
        expect(un).toEqual(ref.unavailable);
        for (let p = 0; p < ctx.memmap.limitPfn; p++) {
          expect([p, ctx.memmap.stateAt(p).initCount > 0]).toEqual([p, ref.init.has(p)]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
