// The verdicts argued in the review thread "[PATCH] kho: add support for deferred struct page init" (spec
// kho-abi.md §7.3), replayed on a real host: traces/qemu/b-16g-2node (Debian 6.1, 16 GiB, two nodes) with a
// handover image placed in its RAM.
//
//   node 0 [0x1 ........................................ 0x280000)   node 1 [0x280000 ................ 0x480000)
//          DMA | DMA32 | Normal 0x100000 | fdp 0x108000 ...                 Normal | fdp 0x288000 ...
//               eager part (memmap_init)  | deferred part                   eager  | deferred
import { describe, expect, it } from 'vitest';
import { rangeList } from '../../../src/core/index.js';
import type { Finding } from '../../../src/check/kho-findings.js';
import { check } from '../../../src/check/kho-findings.js';
import { replay } from '../../../src/sim/replay.js';
import { scenarioOf } from '../scenario-of.js';
import { listStrategies } from '../../../src/sim/strategies/index.js';
import { hostFromQemuTrace } from '../host-from-trace.js';
import type { BlockSpec } from '../kho-fixtures.js';
import { B16_CLEAN, imageOf } from '../kho-fixtures.js';

const host = hostFromQemuTrace('b-16g-2node');
/** The strategies are compared on the kho-v3 kernel with the deferred fix (never shipped; v7.2 merged it with kho-v4). */
const FIX = 'kho-v3-deferred-fix';
const STRATEGIES = ['none', 'init-deferred-page', 'init-page-from-nid', 'lazy-tail', 'zone-walk'];
const FDP0 = 0x108000;
const FDP1 = 0x288000;
/** Pages of B16_CLEAN at or above their node's first_deferred_pfn. */
const DEFERRED_PAGES = 512 + 1024 + 16384 + 1024 + 65536 + 1;

function findings(
  blocks: readonly BlockSpec[],
  strategy: string,
  deferred: 'on' | 'off',
  restore = 'all',
): Finding[] {
  return check(replay(host, imageOf(blocks), scenarioOf({ profile: FIX, strategy, deferred, restore })));
}
function codes(fs: readonly Finding[], severity?: string): string[] {
  return [...new Set(fs.filter((f) => !severity || f.severity === severity).map((f) => f.code))].sort();
}
function only(fs: readonly Finding[], code: string, fn?: string): Finding[] {
  return fs.filter((f) => f.code === code && (!fn || f.kernelFunction === fn));
}
function covers(f: readonly Finding[], start: number, end: number): boolean {
  return f.some((x) => rangeList(x.ranges).some((r) => r.start <= start && r.end >= end));
}

describe('the layout the verdicts are stated on', () => {
  it('b-16g-2node defers from 0x108000 on node 0 and 0x288000 on node 1', () => {
    const r = replay(host, imageOf([]), scenarioOf({ profile: FIX, strategy: 'none', deferred: 'on' }));
    expect(r.nodes.map((n) => n.firstDeferredPfn)).toEqual([FDP0, FDP1]);
  });
  it('registers the five strategies of the thread', () => {
    expect(listStrategies().map((s) => s.name)).toEqual(expect.arrayContaining(STRATEGIES));
  });
});

describe('deferral off, clean image', () => {
  // Expect: every struct page is set up by memmap_init before kho_memory_init, so nothing is an error.
  it.each(STRATEGIES)('%s reports no error', (s) => {
    expect(codes(findings(B16_CLEAN, s, 'off'), 'error')).toEqual([]);
  });
});

describe('none, deferral on', () => {
  const fs = findings(B16_CLEAN, 'none', 'on');
  it('never initialises the preserved pages at or above first_deferred_pfn, and only those', () => {
    const never = only(fs, 'STRUCT_PAGE_NEVER_INIT');
    expect(never).toHaveLength(1);
    // the deferred blocks: 0x150000/9, 0x150400/10, 0x1c0000/14 on node 0; 0x300000/10, 0x3c0000/16, 0x3ff003/0 on node 1
    expect(never[0]!.pages).toBe(DEFERRED_PAGES);
    expect(never[0]!.blocks).toBe(6);
    expect(
      rangeList(never[0]!.ranges).every((r) => (r.start < 0x280000 ? r.start >= FDP0 : r.start >= FDP1)),
    ).toBe(true);
  });
  it('reads them uninitialised: set_zone_contiguous, page_ext_init and the restore', () => {
    expect(only(fs, 'STRUCT_PAGE_UNINIT_READ', 'set_zone_contiguous')[0]!.phase).toBe('page_alloc_init_late');
    expect(only(fs, 'STRUCT_PAGE_UNINIT_READ', 'page_ext_init')).toHaveLength(1);
    const restore = only(fs, 'STRUCT_PAGE_UNINIT_READ', 'kho_restore_page')[0]!;
    expect(restore.phase).toBe('kho_restore');
    expect(restore.pages).toBe(6); // the six deferred heads: adjust_managed_page_count -> page_zone()
  });
});

describe('init-deferred-page (the merged fix), deferral on', () => {
  it('is clean on blocks inside one node', () => {
    const fs = findings(B16_CLEAN, 'init-deferred-page', 'on');
    expect(codes(fs, 'error')).toEqual([]);
    expect(only(fs, 'STRUCT_PAGE_DOUBLE_INIT')).toEqual([]);
  });
  // Yadav's example scaled to this host: kho_preserve_pages() of 8..12 GiB from a producer before the node
  // split is one 4 GiB piece at 0x200000 that crosses the node boundary at 0x280000.
  //   [0x200000 ---- node 0 ---- 0x280000 ---- node 1 ---- 0x300000)
  // Expect: nid = early_pfn_to_nid(head) = 0 for every page, so the node-1 tail pages get node 0 (and no zone
  // of node 0 spans them); the eager section of node 1 is initialised a second time.
  const crossing = [{ pfn: 0x200000, order: 20 }];
  const fs = findings(crossing, 'init-deferred-page', 'on');
  it('gives the tail pages beyond a node boundary the wrong node', () => {
    const wrong = only(fs, 'STRUCT_PAGE_WRONG_NODE');
    expect(wrong).toHaveLength(1);
    expect(wrong[0]!.kernelFunction).toBe('init_deferred_page');
    expect(rangeList(wrong[0]!.ranges)).toEqual([{ start: 0x280000, end: 0x300000 }]);
    expect(rangeList(only(fs, 'STRUCT_PAGE_WRONG_ZONE')[0]!.ranges)).toEqual([
      { start: 0x280000, end: 0x300000 },
    ]);
    expect(rangeList(only(fs, 'STRUCT_PAGE_DOUBLE_INIT')[0]!.ranges)).toEqual([
      { start: 0x280000, end: FDP1 },
    ]);
  });
  it('flags the block itself: crossing a node, and 4 GiB through the int shift', () => {
    expect(only(fs, 'KHO_BLOCK_CROSSES_NODE')[0]!.blocks).toBe(1);
    expect(rangeList(only(fs, 'KHO_BLOCK_SIZE_OVERFLOW')[0]!.ranges)).toEqual([
      { start: 0x200000, end: 0x300000 },
    ]);
  });
});

describe('init-page-from-nid, deferral on', () => {
  const fs = findings(B16_CLEAN, 'init-page-from-nid', 'on');
  it('initialises the preserved pages below first_deferred_pfn a second time', () => {
    const dbl = only(fs, 'STRUCT_PAGE_DOUBLE_INIT', '__init_page_from_nid');
    expect(dbl).toHaveLength(1);
    expect(rangeList(dbl[0]!.ranges)).toEqual([
      { start: 0x104000, end: 0x104200 },
      { start: 0x106001, end: 0x106002 },
      { start: 0x284000, end: 0x284200 },
    ]);
    expect(rangeList(dbl[0]!.ranges).every((r) => (r.start < 0x280000 ? r.end <= FDP0 : r.end <= FDP1))).toBe(
      true,
    );
  });
  it('keeps the order: kho_get_preserved_page() runs before page->private is written', () => {
    expect(only(fs, 'KHO_ORDER_LOST')).toEqual([]);
    expect(codes(fs, 'error')).toEqual([]);
  });
});

describe.each(['lazy-tail', 'zone-walk'])('%s, deferral on', (s) => {
  const fs = findings(B16_CLEAN, s, 'on');
  it('leaves tails on pageblock and section boundaries of the deferred part to be read uninitialised by page_alloc_init_late', () => {
    const contig = only(fs, 'STRUCT_PAGE_UNINIT_READ', 'set_zone_contiguous')[0]!;
    expect(contig.phase).toBe('page_alloc_init_late');
    // 0x150400/10 holds two pageblocks: 0x1505ff, 0x150600 and 0x1507ff are tails read at their boundaries
    expect(covers([contig], 0x1505ff, 0x150601)).toBe(true);
    expect(covers([contig], 0x1c01ff, 0x1c0201)).toBe(true);
    // 0x3c0000/16 has a tail on the section boundary 0x3c8000: page_ext_init() -> pfn_to_nid() reads it
    expect(covers(only(fs, 'STRUCT_PAGE_UNINIT_READ', 'page_ext_init'), 0x3c8000, 0x3c8001)).toBe(true);
    // nothing below first_deferred_pfn is read uninitialised
    expect(
      rangeList(contig.ranges).every((r) => (r.start < 0x280000 ? r.start >= FDP0 : r.start >= FDP1)),
    ).toBe(true);
  });
  it('leaves never-restored blocks uninitialised for good', () => {
    const never = only(findings(B16_CLEAN, s, 'on', 'none'), 'STRUCT_PAGE_NEVER_INIT')[0]!;
    // lazy-tail initialised the heads at deserialize; zone-walk nothing
    const heads = s === 'lazy-tail' ? 6 : 0;
    expect(never.pages).toBe(DEFERRED_PAGES - heads);
  });
  it('initialises every restored page by the end (no page stays uninitialised)', () => {
    expect(only(fs, 'STRUCT_PAGE_NEVER_INIT')).toEqual([]);
  });
});

describe('image checks, any strategy', () => {
  it.each(STRATEGIES)('%s flags a block inside a scratch area', (s) => {
    const fs = findings([{ pfn: 0x180000 + 0x200, order: 9 }], s, 'off');
    expect(rangeList(only(fs, 'KHO_OVERLAPS_SCRATCH')[0]!.ranges)).toEqual([
      { start: 0x180200, end: 0x180400 },
    ]);
  });
  it.each(STRATEGIES)('%s flags a 4 GiB block for the shift overflow', (s) => {
    const fs = findings([{ pfn: 0x300000, order: 20 }], s, 'off');
    expect(only(fs, 'KHO_BLOCK_SIZE_OVERFLOW')[0]!.severity).toBe('error');
  });
  it('does not flag 1 GiB (the int shift holds up to 2^30)', () => {
    expect(only(findings([{ pfn: 0x300000, order: 18 }], 'none', 'off'), 'KHO_BLOCK_SIZE_OVERFLOW')).toEqual(
      [],
    );
  });
});

describe('zone-walk on interleaved nodes: zone_spans_pfn() tests the span, not membership', () => {
  // b-16g-2node re-cut so that node 1 sits inside node 0's span (kho-abi.md §7.3 variant d, pitfalls):
  //   node 0: ... [4 GiB, 6 GiB) ........................ [10 GiB, 18 GiB)   Normal spans [0x100000, 0x480000)
  //   node 1:                  [6 GiB, 10 GiB)                                Normal spans [0x180000, 0x280000)
  // Expect: for a node-1 block the first zone in for_each_zone() order whose span holds it is node 0's
  // Normal, so zone-walk gives it node 0; init-deferred-page asks memblock and gets node 1.
  const GiB = 2 ** 30;
  const memory = [
    ...host.memory.filter((r) => r.end <= 4 * GiB),
    { start: 4 * GiB, end: 6 * GiB, nid: 0, flags: 0 },
    { start: 6 * GiB, end: 10 * GiB, nid: 1, flags: 0 },
    { start: 10 * GiB, end: 18 * GiB, nid: 0, flags: 0 },
  ];
  const interleaved = { ...host, memory, nodeRanges: memory, reserved: [] };
  const blocks = [
    { pfn: 0x200000, order: 9 }, // node 1, deferred
    { pfn: 0x300000, order: 9 }, // node 0, deferred
  ];
  const run = (strategy: string): Finding[] =>
    check(
      replay(
        interleaved,
        imageOf(blocks, { scratch: [] }),
        scenarioOf({ profile: FIX, strategy, deferred: 'on' }),
      ),
    );
  it('zone-walk gives the node-1 block node 0', () => {
    expect(rangeList(only(run('zone-walk'), 'STRUCT_PAGE_WRONG_NODE')[0]!.ranges)).toEqual([
      { start: 0x200000, end: 0x200200 },
    ]);
  });
  it('init-deferred-page gets both nodes right', () => {
    expect(only(run('init-deferred-page'), 'STRUCT_PAGE_WRONG_NODE')).toEqual([]);
  });
});
