// The boot phases after memmap_init: memblock_free_all (reserved pages, NOINIT, freeing below the deferred
// boundary) and page_alloc_init_late (deferred init of free ranges only, the padata work split,
// set_zone_contiguous and page_ext_init reads). Pfns, 4 KiB pages, x86_64.
import { describe, expect, it } from 'vitest';
import { rangeList } from '../../src/core/index.js';
import { DEFAULT_SYNTHETIC, syntheticHost } from '../../bench/synthetic-host.js';
import { padataSplit, replay } from '../../src/sim/index.js';
import { makeHost } from './build-host.js';
import { check } from '../../src/check/kho-findings.js';
import { hostFromQemuTrace } from './host-from-trace.js';
import { MEMBLOCK_FLAGS } from '../../src/core/index.js';
import { cpuNow } from '../helpers/cpu-time.js';

// node 0: low memory + Normal [0x100000, 0x140000); first_deferred_pfn = 0x108000
const MEM = [
  [1, 0x80000, 0],
  [0x100000, 0x140000, 0],
] as const;

describe('memblock_free_all', () => {
  it('reserved pages in the deferred part are initialised by reserve_bootmem_region; free pages there wait', () => {
    // reserved [0x120000, 0x120010). Expect: initialised + PG_reserved at memblock_free_all, never freed;
    // free pages at or above 0x108000 untouched until deferred init; totalram counts them anyway
    const tl = replay(makeHost({ memory: MEM, reserved: [[0x120000, 0x120010, 0]] }), null);
    const free = tl.phases.find((p) => p.name === 'memblock_free_all')!;
    expect(free.after.uninit).toBe(0x140000 - 0x108000 - 0x10);
    expect(tl.memmap.stateAt(0x120000)).toMatchObject({
      initCount: 1,
      reserved: true,
      buddy: false,
      initBy: 'reserve_bootmem_region',
    });
    expect(free.freed).toBe(0x7ffff + 0x8000);
    expect(tl.totalramPages).toBe(0x7ffff + 0x40000 - 0x10);
    expect(check(tl)).toEqual([]);
  });

  it('MEMBLOCK_RSRV_NOINIT (v6.7+): deferred-part pages are initialised by nobody', () => {
    // reserved NOINIT [0x120000, 0x120200) (one pageblock): skipped by memmap_init_reserved_pages and, being
    // reserved, by deferred init. Expect: 512 never-initialised pages; set_zone_contiguous reads 2 of them
    const host = makeHost({
      memory: MEM,
      reserved: [[0x120000, 0x120200, 0, MEMBLOCK_FLAGS.MEMBLOCK_RSRV_NOINIT]],
      release: '6.12.0',
    });
    const tl = replay(host, null);
    expect(tl.mm.name).toBe('linux-6.11');
    const findings = check(tl);
    const never = findings.find((f) => f.code === 'STRUCT_PAGE_NEVER_INIT')!;
    expect([never.pages, rangeList(never.ranges)]).toEqual([512, [{ start: 0x120000, end: 0x120200 }]]);
    const read = findings.find(
      (f) => f.code === 'STRUCT_PAGE_UNINIT_READ' && f.kernelFunction === 'set_zone_contiguous',
    )!;
    expect(read.pages).toBe(2);
    // 6.1 has no NOINIT: the same flags are ignored and the pages initialised
    expect(check(replay(host, null, { mmProfile: 'linux-6.1' }))).toEqual([]);
  });
});

describe('page_alloc_init_late', () => {
  it('initialises and frees only the free ranges from first_deferred_pfn; reserved ones were done before', () => {
    const tl = replay(makeHost({ memory: MEM, reserved: [[0x120000, 0x130000, 0]] }), null);
    const w = tl.deferredWork[0]!;
    expect([w.nid, w.firstDeferredPfn, w.pages, w.freeRanges]).toEqual([
      0,
      0x108000,
      0x140000 - 0x108000 - 0x10000,
      2,
    ]);
    expect(tl.nodes[0]!.deferredPages).toBe(w.pages);
    expect(tl.memmap.census().uninit).toBe(0);
  });

  it('6.1 runs a padata job per free range (section-aligned ends), ~6.18 one job per zone', () => {
    const host = makeHost({ memory: MEM, reserved: [[0x120000, 0x130000, 0]] });
    const old = replay(host, null, { mmProfile: 'linux-6.1', cpusPerNode: 4 }).deferredWork[0]!;
    expect(old.jobs.map((j) => [j.start, j.size])).toEqual([
      [0x108000, 0x18000],
      [0x130000, 0x10000],
    ]);
    const neu = replay(host, null, { mmProfile: 'linux-6.18', cpusPerNode: 4 }).deferredWork[0]!;
    expect(neu.jobs.map((j) => [j.start, j.size, j.nworks])).toEqual([[0x108000, 0x38000, 4]]);
  });

  // deferred_page_init_max_threads(): the weak default 1 on arm64 until v6.10, the node's CPUs on x86_64 always
  // (arch/x86/mm/init_64.c) and on every arch from v6.11 ("mm/mm_init: use node's number of cpus in
  // deferred_page_init_max_threads")
  it.each([
    ['arm64', '6.6.10', 1],
    ['arm64', '6.10.14', 1],
    ['arm64', '6.11.0', 4],
    ['arm64', '6.12.9', 4],
    ['x86_64', '6.10.14', 4],
  ] as const)('%s %s: %d padata thread(s) a node', (arch, release, threads) => {
    const host = makeHost({ memory: MEM, arch, release });
    expect(replay(host, null, { cpusPerNode: 4, deferred: 'on' }).deferredWork[0]!.maxThreads).toBe(threads);
  });

  it('padata_do_multithreaded split: nworks, chunk (load balance factor 4), chunk-aligned pieces', () => {
    // 100 sections, 8 threads: chunk = max(100*0x8000 / 32, 0x8000) = 3.125 sections, rounded up to align:
    // 0x20000 (4 sections); the job start is chunk-aligned, so 25 pieces
    expect(padataSplit(0x100000, 100 * 0x8000, 0x8000, 0x8000, 8)).toEqual({
      start: 0x100000,
      size: 100 * 0x8000,
      nworks: 8,
      chunk: 0x20000,
      pieces: 25,
    });
    expect(padataSplit(0, 0x8000, 0x8000, 0x8000, 8).nworks).toBe(1);
  });

  it('set_zone_contiguous: DMA32 is not contiguous on the real traces (the hole below 4 GiB belongs to Normal)', () => {
    const tl = replay(hostFromQemuTrace('a-4g-1node'), null);
    expect(tl.nodes[0]!.zones.filter((z) => z.spannedPages).map((z) => [z.name, z.contiguous])).toEqual([
      ['DMA', true],
      ['DMA32', false],
      ['Normal', true],
    ]);
    expect(check(tl)).toEqual([]);
  });

  it('page_ext_init reads the node start and every section-aligned struct page', () => {
    const tl = replay(makeHost({ memory: MEM }), null);
    const ev = tl.events.filter((e) => e.fn === 'page_ext_init');
    // node [1, 0x140000): pfn 1, then sections 0x8000 .. 0x78000 and 0x100000 .. 0x138000
    expect(ev.reduce((n, e) => n + e.pages, 0)).toBe(1 + 15 + 8);
    expect(
      replay(makeHost({ memory: MEM }), null, { pageExt: false }).events.some(
        (e) => e.fn === 'page_ext_init',
      ),
    ).toBe(false);
  });
});

describe('scale', () => {
  it('a 16 TiB, 16-node host replays in well under a second', () => {
    const host = syntheticHost(DEFAULT_SYNTHETIC);
    // CPU time (test/helpers/cpu-time.ts): wall time on a shared machine is the neighbours'
    const t0 = cpuNow();
    const tl = replay(host, null, { cpusPerNode: 32 });
    const ms = cpuNow() - t0;
    expect(tl.nodes).toHaveLength(16);
    expect(tl.nodes.reduce((n, x) => n + x.presentPages, 0)).toBeGreaterThan(4.29e9);
    expect(tl.nodes.every((n) => n.firstDeferredPfn !== null)).toBe(true);
    expect(ms).toBeLessThan(1000);
  });
});
