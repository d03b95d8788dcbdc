// `kexec-replay compare` (and `replay --strategy`) in-process on traces/kho-review-b-16g-2node: the real qemu
// b-16g-2node host files plus a builder-made kho-v1 page-bitmap image (6.18 producer, bench/kho-scenario.ts
// B16G_REVIEW_BLOCKS) with one block per verdict of the review thread "[PATCH] kho: add support for deferred
// struct page init" (issue 5, "Done when"; spec kho-abi.md §7.3).
//
//   node 0 [0x1 .. DMA32 0x1000 .. Normal 0x100000 | fdp 0x108000 ........... 0x280000)  node 1 [ | fdp 0x288000 ... 0x480000)
//     0x10000/9 0x20003/0    0x104000/9 0x106001/0 | 0x150000/9 0x150400/10 0x180200/9 (scratch)
//                                                  |                      [0x200000 ---- order 20 ---- 0x280000 ---- 0x300000)
//                                                                                                         | 0x300000/10 0x3ff003/0
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const R = 'traces/kho-review-b-16g-2node';
const STRATEGIES = ['none', 'init-deferred-page', 'init-page-from-nid', 'lazy-tail', 'zone-walk'];
const FDP0 = 0x108000;
const FDP1 = 0x288000;
const NODE1 = 0x280000;
/** The image's own defects, flagged whatever the strategy: the 4 GiB piece (int shift, and 6.18's restore refuses
 * order > MAX_PAGE_ORDER) and the block in the global scratch area. */
const IMAGE_ERRORS = ['KHO_BLOCK_SIZE_OVERFLOW', 'KHO_ORDER_ABOVE_MAX', 'KHO_OVERLAPS_SCRATCH'];

interface FindingJson {
  code: string;
  severity: string;
  phase: string;
  kernelFunction: string;
  pages: number;
  blocks: number;
  ranges: [number, number][];
}
interface StrategyJson {
  name: string;
  errors: number;
  findings: FindingJson[];
}
interface CompareJson {
  schema: string;
  profile: string;
  deferred: { on: boolean };
  image: { blocks: number; pages: number };
  strategies: StrategyJson[];
}

async function compare(...flags: string[]): Promise<CompareJson> {
  const o = captureOutput();
  const code = await run(['compare', R, '--json', ...flags], o);
  const doc = JSON.parse(o.stdout) as CompareJson;
  // exit 1 exactly when a strategy has an error finding (a FAIL verdict): every strategy does on this image
  expect(code, o.stderr).toBe(doc.strategies.some((s) => s.errors > 0) ? 1 : 0);
  return doc;
}
const byName = (doc: CompareJson): Map<string, StrategyJson> =>
  new Map(doc.strategies.map((s) => [s.name, s]));
const only = (s: StrategyJson, code: string, fn?: string): FindingJson[] =>
  s.findings.filter((f) => f.code === code && (!fn || f.kernelFunction === fn));
const errorCodes = (s: StrategyJson): string[] =>
  [...new Set(s.findings.filter((f) => f.severity === 'error').map((f) => f.code))].sort();
const ranges = (f: FindingJson): { start: number; end: number }[] =>
  f.ranges.map(([start, end]) => ({ start, end }));
const covers = (fs: readonly FindingJson[], start: number, end: number): boolean =>
  fs.some((f) => f.ranges.some(([s, e]) => s <= start && e >= end));
/** A range lies at or above its node's first_deferred_pfn. */
const deferredPart = ([s]: [number, number]): boolean => (s < NODE1 ? s >= FDP0 : s >= FDP1);

describe('the review bundle', () => {
  it('is a kho-v1 image replayed under the 6.18 profile, ten blocks', async () => {
    const doc = await compare();
    expect(doc.schema).toBe('kexec-replay/compare/1');
    expect(doc.profile).toMatch(/v6\.18/);
    expect(doc.deferred.on).toBe(false); // 6.18's Kconfig forbids KHO with deferred init: --deferred on forces it
    expect(doc.image.blocks).toBe(10);
    expect(doc.strategies.map((s) => s.name)).toEqual(STRATEGIES);
  });
});

describe('deferral off (compare --deferred off)', () => {
  // Expect: memmap_init() sets up every struct page before kho_memory_init(), so no strategy has a struct-page
  // finding; the only errors are the image's own defects, the same for every strategy.
  it('no strategy reports a struct page error; each reports only the image defects', async () => {
    const doc = await compare('--deferred', 'off');
    expect(doc.deferred.on).toBe(false);
    for (const s of doc.strategies) {
      expect(errorCodes(s), s.name).toEqual(IMAGE_ERRORS);
      expect(
        s.findings.filter((f) => f.code.startsWith('STRUCT_PAGE_')),
        s.name,
      ).toEqual([]);
    }
  });
});

describe('deferral on (compare --deferred on)', async () => {
  const doc = await compare('--deferred', 'on');
  const by = byName(doc);

  it('replays with deferred struct page init forced on', () => {
    expect(doc.deferred.on).toBe(true);
  });

  it('none: the preserved pages at or above first_deferred_pfn are never initialised, and read so', () => {
    const none = by.get('none')!;
    const never = only(none, 'STRUCT_PAGE_NEVER_INIT');
    expect(never).toHaveLength(1);
    expect(ranges(never[0]!)).toEqual([
      { start: 0x150000, end: 0x150200 },
      { start: 0x150400, end: 0x150800 },
      { start: 0x200000, end: NODE1 }, // node-0 half of the crossing piece
      { start: FDP1, end: 0x300400 }, // its node-1 deferred half, then 0x300000/10
      { start: 0x3ff003, end: 0x3ff004 },
    ]);
    const reads = only(none, 'STRUCT_PAGE_UNINIT_READ');
    expect(reads.map((f) => f.kernelFunction).sort()).toEqual(['kho_restore_page', 'set_zone_contiguous']);
    expect(reads.flatMap((f) => f.ranges).every(deferredPart)).toBe(true);
    // nothing below first_deferred_pfn (DMA32, node 0's eager Normal) is left uninitialised
    expect(never[0]!.ranges.every(deferredPart)).toBe(true);
  });

  it("init-deferred-page: clean except the crossing block's node-1 tail, which gets node 0", () => {
    const s = by.get('init-deferred-page')!;
    const wrong = only(s, 'STRUCT_PAGE_WRONG_NODE');
    expect(wrong).toHaveLength(1);
    expect(wrong[0]!.kernelFunction).toBe('init_deferred_page');
    expect(ranges(wrong[0]!)).toEqual([{ start: NODE1, end: 0x300000 }]);
    expect(ranges(only(s, 'STRUCT_PAGE_WRONG_ZONE')[0]!)).toEqual([{ start: NODE1, end: 0x300000 }]);
    expect(errorCodes(s)).toEqual(
      // 6.18 predates the v7.2 scratch fix: forced deferral retypes the deferred scratch pageblocks MOVABLE
      [...IMAGE_ERRORS, 'KHO_SCRATCH_NOT_CMA', 'STRUCT_PAGE_WRONG_NODE', 'STRUCT_PAGE_WRONG_ZONE'].sort(),
    );
    expect(only(s, 'STRUCT_PAGE_UNINIT_READ')).toEqual([]);
    expect(only(s, 'STRUCT_PAGE_NEVER_INIT')).toEqual([]);
    expect(only(s, 'KHO_BLOCK_CROSSES_NODE')[0]!.blocks).toBe(1);
  });

  it('init-page-from-nid: the preserved pages below first_deferred_pfn are initialised a second time', () => {
    const s = by.get('init-page-from-nid')!;
    const dbl = only(s, 'STRUCT_PAGE_DOUBLE_INIT', '__init_page_from_nid');
    expect(dbl).toHaveLength(1);
    expect(ranges(dbl[0]!)).toEqual([
      { start: 0x10000, end: 0x10200 }, // DMA32
      { start: 0x20003, end: 0x20004 }, // DMA32
      { start: 0x104000, end: 0x104200 }, // node 0 Normal, eager
      { start: 0x106001, end: 0x106002 },
      { start: 0x180200, end: 0x180400 }, // in scratch: memmap_init_kho_scratch_pages() set it up already
      { start: NODE1, end: FDP1 }, // node 1's eager section, under the crossing piece
    ]);
    expect(only(s, 'KHO_ORDER_LOST')).toEqual([]);
    expect(only(s, 'STRUCT_PAGE_NEVER_INIT')).toEqual([]);
  });

  it.each(['lazy-tail', 'zone-walk'])(
    '%s: tails on pageblock boundaries of the deferred part are read uninitialised by page_alloc_init_late',
    (name) => {
      const s = by.get(name)!;
      const contig = only(s, 'STRUCT_PAGE_UNINIT_READ', 'set_zone_contiguous');
      expect(contig).toHaveLength(1);
      expect(contig[0]!.phase).toBe('page_alloc_init_late');
      // 0x150400/10 holds two pageblocks: 0x1505ff ends one, 0x150600 starts the next
      expect(covers(contig, 0x1505ff, 0x150601)).toBe(true);
      expect(covers(contig, 0x3001ff, 0x300201)).toBe(true);
      // section boundaries inside the crossing piece (refused at restore, so never initialised)
      expect(covers(contig, 0x208000, 0x208001)).toBe(true);
      expect(contig[0]!.ranges.every(deferredPart)).toBe(true);
    },
  );

  it('the 4 GiB block is flagged for the int shift overflow, under every strategy', () => {
    for (const s of doc.strategies) {
      const f = only(s, 'KHO_BLOCK_SIZE_OVERFLOW');
      expect(f, s.name).toHaveLength(1);
      expect(f[0]!.severity).toBe('error');
      expect(ranges(f[0]!)).toEqual([{ start: 0x200000, end: 0x300000 }]);
    }
  });

  it('the block in the global scratch area is flagged, under every strategy', () => {
    for (const s of doc.strategies) {
      const f = only(s, 'KHO_OVERLAPS_SCRATCH');
      expect(f, s.name).toHaveLength(1);
      expect(ranges(f[0]!)).toEqual([{ start: 0x180200, end: 0x180400 }]);
    }
  });
});

describe('never-restored blocks (--restore none)', () => {
  it.each(['lazy-tail', 'zone-walk'])('%s leaves them uninitialised for good', async (name) => {
    const s = byName(await compare('--deferred', 'on', '--restore', 'none')).get(name)!;
    const never = only(s, 'STRUCT_PAGE_NEVER_INIT')[0]!;
    // lazy-tail set up the five deferred heads at deserialize; zone-walk nothing
    expect(never.pages).toBe(512 + 1024 + 0x80000 + 0x78000 + 1024 + 1 - (name === 'lazy-tail' ? 5 : 0));
  });
});

describe('replay --strategy on the review bundle', () => {
  it('init-deferred-page exits 1 and names the wrong node in its JSON', async () => {
    const o = captureOutput();
    expect(
      await run(['replay', R, '--strategy', 'init-deferred-page', '--deferred', 'on', '--json'], o),
    ).toBe(1);
    const doc = JSON.parse(o.stdout) as { strategy: string; findings: FindingJson[] };
    expect(doc.strategy).toBe('init-deferred-page');
    const wrong = doc.findings.find((f) => f.code === 'STRUCT_PAGE_WRONG_NODE')!;
    expect(wrong.ranges).toEqual([[NODE1, 0x300000]]);
  });
});
