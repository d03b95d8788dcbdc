// deferred_grow_zone() and the end rule of the mm profiles (linux v7.3-rc7 mm/mm_init.c deferred_grow_zone:
// first_deferred_pfn = spfn < zone_end ? spfn : ULONG_MAX; v6.18 .. v7.1: nr_pages ? spfn : ULONG_MAX), and the
// gigantic hugetlb tails hugetlb_bootmem_struct_page_init() sets up inside page_alloc_init_late() (v7.2 on) where
// gather_bootmem_prealloc() did it from hugetlb_init() after set_zone_contiguous() had read them. Built hosts:
// x86_64, 128 MiB sections (0x8000 pages), node 1's Normal zone from 0x140000 with one eager section, so
// first_deferred_pfn = 0x148000.
import { describe, expect, it } from 'vitest';
import { rangeList } from '../../src/core/index.js';
import { check } from '../../src/check/kho-findings.js';
import { replay } from '../../src/sim/index.js';
import { MM_PROFILES } from '../../src/sim/mm-profiles.js';
import type { GrowZoneRequest } from '../../src/sim/phases/deferred-grow-zone.js';
import type { Timeline } from '../../src/sim/timeline.js';
import { makeHost } from './build-host.js';

const twoNodes = (node1End: number) =>
  makeHost({
    release: '7.3.0',
    memory: [
      [1, 0x80000, 0],
      [0x100000, 0x140000, 0],
      [0x140000, node1End, 1],
    ],
  });
const run = (node1End: number, mm: string, growZone: readonly GrowZoneRequest[]): Timeline =>
  replay(twoNodes(node1End), null, { mmProfile: mm, growZone });
/** The nodes whose pgdatinit thread prints `node N deferred pages initialised`. */
const printing = (tl: Timeline): number[] => tl.deferredWork.map((w) => w.nid);
const codes = (tl: Timeline): string[] => check(tl).map((f) => `${f.severity}:${f.code}`);

describe('deferred_grow_zone(): the end rule per mm profile', () => {
  it('the profiles: range-end to linux-6.7, nr-pages in linux-6.18 (to v7.1), zone-end from linux-7.2', () => {
    expect(Object.values(MM_PROFILES).map((p) => [p.name, p.deferredGrowZoneEnd])).toEqual([
      ['linux-6.1', 'range-end'],
      ['linux-6.5', 'range-end'],
      ['linux-6.6.15', 'range-end'],
      ['linux-6.6.90', 'range-end'],
      ['linux-6.7', 'range-end'],
      ['linux-6.8', 'range-end'],
      ['linux-6.11', 'range-end'],
      ['linux-6.15', 'range-end'],
      ['linux-6.18', 'nr-pages'],
      ['linux-7.2', 'zone-end'],
      ['linux-7.3', 'zone-end'],
    ]);
  });

  it('without a grow both nodes defer and print', () => {
    const tl = run(0x14c000, 'linux-7.3', []);
    expect(tl.nodes.map((n) => n.firstDeferredPfn)).toEqual([0x108000, 0x148000]);
    expect(printing(tl)).toEqual([0, 1]);
    expect(tl.phases.map((p) => p.name)).not.toContain('deferred_grow_zone');
    expect(codes(tl)).toEqual([]);
  });

  it('a grow that stops inside the zone moves first_deferred_pfn by whole sections, under both rules', () => {
    for (const mm of ['linux-6.18', 'linux-7.3']) {
      const tl = run(0x160000, mm, [{ nid: 1, order: 10 }]);
      // SECTION_ALIGN_UP(1 << 10) = one section: [0x148000, 0x150000) initialised and freed, the thread does the rest
      expect(tl.deferredGrows).toMatchObject([{ nid: 1, fromPfn: 0x148000, toPfn: 0x150000, pages: 0x8000 }]);
      expect(tl.deferredWork.find((w) => w.nid === 1)!.pages).toBe(0x10000);
      expect(tl.memmap.census(0x140000, 0x160000).uninit).toBe(0);
      expect(codes(tl)).toEqual(['info:DEFERRED_ZONE_GROWN']);
    }
  });

  it('node end not section-aligned: v7.2+ ends deferral (no print); v6.18..v7.1 leave spfn past the node: BUG_ON', () => {
    // node 1 ends at 0x14c000: the loop's one section [0x148000, 0x150000) holds only 0x4000 free pages, spfn ends at 0x150000
    const fixed = run(0x14c000, 'linux-7.3', [{ nid: 1, order: 10 }]);
    expect(fixed.deferredGrows).toMatchObject([
      { fromPfn: 0x148000, loopEndPfn: 0x150000, toPfn: null, pages: 0x4000 },
    ]);
    expect(printing(fixed)).toEqual([0]);
    expect(fixed.deferredInitBugs).toEqual([]);
    expect(fixed.memmap.census(0x140000, 0x14c000).uninit).toBe(0);
    expect(codes(fixed)).toEqual(['info:DEFERRED_ZONE_GROWN']);
    expect(run(0x14c000, 'linux-7.2', [{ nid: 1, order: 10 }]).deferredGrows[0]!.toPfn).toBeNull();

    const old = run(0x14c000, 'linux-6.18', [{ nid: 1, order: 10 }]);
    expect(old.deferredGrows[0]!.toPfn).toBe(0x150000);
    expect(old.deferredInitBugs).toEqual([{ nid: 1, firstDeferredPfn: 0x150000, nodeEndPfn: 0x14c000 }]);
    const bug = check(old).find((f) => f.code === 'DEFERRED_INIT_PAST_NODE_END')!;
    expect([bug.severity, bug.kernelFunction, rangeList(bug.ranges)]).toEqual([
      'error',
      'deferred_init_memmap',
      [{ start: 0x14c000, end: 0x150000 }],
    ]);
  });

  it('node end section-aligned: v6.18..v7.1 still run the thread over nothing (it prints), v7.2+ do not', () => {
    const old = run(0x150000, 'linux-6.18', [{ nid: 1, order: 10 }]);
    expect(old.deferredGrows[0]!.toPfn).toBe(0x150000);
    expect(printing(old)).toEqual([0, 1]);
    expect(old.deferredWork.find((w) => w.nid === 1)).toMatchObject({ pages: 0, jobs: [] });
    expect(codes(old)).toEqual(['info:DEFERRED_ZONE_GROWN']);
    const fixed = run(0x150000, 'linux-7.3', [{ nid: 1, order: 10 }]);
    expect(printing(fixed)).toEqual([0]);
    expect(fixed.deferredWork.reduce((n, w) => n + w.pages, 0)).toBe(
      old.deferredWork.reduce((n, w) => n + w.pages, 0),
    );
  });

  it('sections without free memory are walked over: a node of reserved memory is grown to its end', () => {
    // node 1 [0x140000, 0x16c000) reserved from 0x148000 to 0x166000: the grow walks to the section holding 0x166000
    // and takes it and the next (0x2000 pages, short of one section, then 0x4000), leaving spfn at 0x170000
    const host = makeHost({
      release: '7.3.0',
      memory: [
        [1, 0x80000, 0],
        [0x100000, 0x140000, 0],
        [0x140000, 0x16c000, 1],
      ],
      reserved: [[0x148000, 0x166000, 1]],
    });
    const tl = replay(host, null, { mmProfile: 'linux-7.3', growZone: [{ nid: 1, order: 10 }] });
    expect(tl.deferredGrows).toMatchObject([
      {
        fromPfn: 0x148000,
        loopEndPfn: 0x170000,
        toPfn: null,
        pages: 0x6000,
        ranges: [
          { start: 0x166000, end: 0x168000 },
          { start: 0x168000, end: 0x16c000 },
        ],
      },
    ]);
    const old = replay(host, null, { mmProfile: 'linux-6.18', growZone: [{ nid: 1, order: 10 }] });
    expect(old.deferredInitBugs).toEqual([{ nid: 1, firstDeferredPfn: 0x170000, nodeEndPfn: 0x16c000 }]);
  });

  it('before v6.18 the free-range loop stops at the end of the last free range: inside the node, so it prints', () => {
    for (const end of [0x14c000, 0x150000]) {
      const tl = run(end, 'linux-6.7', [{ nid: 1, order: 10 }]);
      expect(tl.deferredGrows).toMatchObject([{ fromPfn: 0x148000, toPfn: end }]);
      expect(printing(tl)).toEqual([0, 1]);
      expect(tl.deferredInitBugs).toEqual([]);
    }
  });

  it('a node with nothing deferred, or a second grow after the zone is done, grows nothing', () => {
    const tl = run(0x14c000, 'linux-7.3', [
      { nid: 1, order: 10 },
      { nid: 1, order: 0 },
    ]);
    expect(tl.deferredGrows.map((g) => [g.grew, g.fromPfn, g.toPfn])).toEqual([
      [true, 0x148000, null],
      [false, null, null],
    ]);
  });
});

describe('gigantic hugetlb tails: hugetlb_bootmem_struct_page_init() vs gather_bootmem_prealloc()', () => {
  // a 1 GiB page at 0x140000 on node 0: the head reserved RSRV_KERN|RSRV_HUGETLB, the tails also RSRV_NOINIT
  const host = makeHost({
    release: '7.3.0',
    memory: [
      [1, 0x80000, 0],
      [0x100000, 0x180000, 0],
    ],
    reserved: [
      [0x140000, 0x140001, 0, 0xa0],
      [0x140001, 0x180000, 0, 0xb0],
    ],
  });
  const tails = { start: 0x140001, end: 0x180000 };

  it('the profiles: in page_alloc_init_late() from linux-7.2', () => {
    expect(Object.values(MM_PROFILES).map((p) => [p.name, p.hugetlbBootmemStructPageInit])).toEqual([
      ['linux-6.1', false],
      ['linux-6.5', false],
      ['linux-6.6.15', false],
      ['linux-6.6.90', false],
      ['linux-6.7', false],
      ['linux-6.8', false],
      ['linux-6.11', false],
      ['linux-6.15', false],
      ['linux-6.18', false],
      ['linux-7.2', true],
      ['linux-7.3', true],
    ]);
  });

  it('v7.2+: the tails are set up before set_zone_contiguous() reads them', () => {
    const tl = replay(host, null, { mmProfile: 'linux-7.3' });
    const ev = tl.events.find((e) => e.fn === 'hugetlb_bootmem_struct_page_init')!;
    expect([ev.phase, ev.start, ev.end, ev.pages]).toEqual([
      'page_alloc_init_late',
      tails.start,
      tails.end,
      0x3ffff,
    ]);
    expect(tl.phases.map((p) => p.name)).not.toContain('hugetlb_init');
    expect(check(tl).filter((f) => f.severity === 'error')).toEqual([]);
    expect(tl.nodes[0]!.zones.find((z) => z.name === 'Normal')!.contiguous).toBe(true);
  });

  it('before: set_zone_contiguous() and page_ext_init() read uninitialised tails; hugetlb_init sets them up later', () => {
    const tl = replay(host, null, { mmProfile: 'linux-6.18' });
    const reads = check(tl).filter((f) => f.code === 'STRUCT_PAGE_UNINIT_READ');
    expect(reads.map((f) => f.kernelFunction).sort()).toEqual(['page_ext_init', 'set_zone_contiguous']);
    for (const f of reads)
      for (const r of rangeList(f.ranges)) expect(r.start >= tails.start && r.end <= tails.end).toBe(true);
    // 0x3ffff tail pages span 512 pageblocks; set_zone_contiguous() reads the first and last page of each but the
    // head's pageblock's first page (the head, initialised)
    expect(reads.find((f) => f.kernelFunction === 'set_zone_contiguous')!.pages).toBe(1023);
    const late = tl.events.find((e) => e.fn === 'gather_bootmem_prealloc')!;
    expect([late.phase, late.pages]).toEqual(['hugetlb_init', 0x3ffff]);
    // nothing is left uninitialised at the end
    expect(check(tl).map((f) => f.code)).not.toContain('STRUCT_PAGE_NEVER_INIT');
  });

  it('without RSRV_HUGETLB regions nothing runs', () => {
    const plain = makeHost({
      release: '7.3.0',
      memory: [
        [1, 0x80000, 0],
        [0x100000, 0x180000, 0],
      ],
    });
    for (const mm of ['linux-6.18', 'linux-7.3']) {
      const tl = replay(plain, null, { mmProfile: mm });
      expect(tl.events.some((e) => /hugetlb|gather_bootmem/.test(e.fn))).toBe(false);
      expect(tl.phases.map((p) => p.name)).toEqual([
        'memmap_init',
        'memblock_free_all',
        'page_alloc_init_late',
      ]);
    }
  });
});
