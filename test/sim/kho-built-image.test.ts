// The replay on images made by the KHO builder (test/builders/kho-image.ts) in every ABI era and decoded by
// parsers/kho, placed in the RAM of the real host traces/qemu/b-16g-2node: the decoded KhoImage feeds the
// replay as it is, and the verdicts of the review thread hold whichever wire format carried the blocks.
import { describe, expect, it } from 'vitest';
import { rangeList } from '../../src/core/index.js';
import type { KhoImage } from '../../parsers/kho/index.js';
import { decodeKhoImage } from '../../parsers/kho/index.js';
import type { Finding } from '../../src/check/kho-findings.js';
import { check } from '../../src/check/kho-findings.js';
import { replay } from '../../src/sim/replay.js';
import { scenarioOf } from './scenario-of.js';
import type { KhoBlockSpec } from '../builders/kho-image.js';
import { buildKhoImage, pagesMemory, toFdtNode } from '../builders/kho-image.js';
import { hostFromQemuTrace } from './host-from-trace.js';
import { B16_CLEAN, B16_SCRATCH, PAGE } from './kho-fixtures.js';

const host = hostFromQemuTrace('b-16g-2node');
/** Usable RAM of b-16g-2node above 4 GiB, kernel image excluded: where the builder may put metadata. */
const RAM = [{ start: 0x1b0000000, end: 0x1f0000000 }];
const ERAS = [
  { abi: 'kho-v1', bitmapFormat: '512', profile: 'v6.17' },
  { abi: 'kho-v1', bitmapFormat: 'page', profile: 'v6.18' },
  { abi: 'kho-v2', profile: 'kho-v2' },
  // kho-v3 is what v7.1 writes and reads (kernel-7x.md §1.1)
  { abi: 'kho-v3', profile: 'v7.1' },
] as const;
const STRATEGIES = ['none', 'init-deferred-page', 'init-page-from-nid', 'lazy-tail', 'zone-walk'];

function built(era: (typeof ERAS)[number], blocks: readonly { pfn: number; order: number }[]): KhoImage {
  const specs: KhoBlockSpec[] = blocks.map((b) => ({ phys: b.pfn * PAGE, order: b.order }));
  const img = buildKhoImage({
    abi: era.abi,
    ...('bitmapFormat' in era ? { bitmapFormat: era.bitmapFormat } : {}),
    blocks: specs,
    ram: RAM,
    scratch: B16_SCRATCH.map((s) => ({ phys: s.pfn * PAGE, sizeBytes: 2 ** s.order * PAGE })),
  });
  return decodeKhoImage({
    root: toFdtNode(img.root),
    rootFile: 'kho/fdt',
    mem: pagesMemory(img.pages, PAGE),
    scratch: img.scratch,
  });
}
const errors = (fs: readonly Finding[]): string[] => [
  ...new Set(fs.filter((f) => f.severity === 'error').map((f) => f.code)),
];

describe.each(ERAS)('$abi $bitmapFormat image, profile $profile', (era) => {
  // until KR3 the restore side refuses orders above MAX_PAGE_ORDER, so a clean image of those eras has none
  const blocks = era.abi === 'kho-v3' ? B16_CLEAN : B16_CLEAN.filter((b) => b.order <= 10);
  const image = built(era, blocks);
  it('decodes to the blocks that built it and picks the era profile by itself', () => {
    expect(image.preserved.count).toBe(blocks.length);
    expect(replay(host, image, scenarioOf({ deferred: 'off' })).kho!.profile.name).toBe(era.profile);
  });
  it.each(STRATEGIES)('deferral off: %s reports no error', (s) => {
    expect(errors(check(replay(host, image, scenarioOf({ strategy: s, deferred: 'off' }))))).toEqual([]);
  });
  // every era here predates the v7.2 scratch fix: with deferral on, deferred init types the scratch pageblocks
  // above first_deferred_pfn MOVABLE again after kho_release_scratch() made them CMA
  it('none with deferral on: the deferred pages are never initialised and are read uninitialised', () => {
    const fs = check(replay(host, image, scenarioOf({ strategy: 'none', deferred: 'on' })));
    expect(errors(fs).sort()).toEqual([
      'KHO_SCRATCH_NOT_CMA',
      'STRUCT_PAGE_NEVER_INIT',
      'STRUCT_PAGE_UNINIT_READ',
    ]);
  });
  it('init-deferred-page with deferral on is clean but for the scratch pageblocks', () => {
    expect(
      errors(check(replay(host, image, scenarioOf({ strategy: 'init-deferred-page', deferred: 'on' })))),
    ).toEqual(['KHO_SCRATCH_NOT_CMA']);
  });
});

describe("Yadav's 4 GiB kho_preserve_pages piece across the node boundary, from a 6.18 producer", () => {
  // [0x200000 -- node 0 -- 0x280000 -- node 1 -- 0x300000), one order-20 block
  const image = built(ERAS[1], [{ pfn: 0x200000, order: 20 }]);
  it('6.18 restore refuses it (order above MAX_PAGE_ORDER), and it overflows the int shift', () => {
    const fs = check(replay(host, image, scenarioOf({ deferred: 'off' })));
    expect(errors(fs).sort()).toEqual(['KHO_BLOCK_SIZE_OVERFLOW', 'KHO_ORDER_ABOVE_MAX']);
    expect(fs.find((f) => f.code === 'KHO_BLOCK_CROSSES_NODE')!.severity).toBe('warning');
  });
  it('under the merged fix (forced onto this image) the node-1 half gets node 0', () => {
    const fs = check(replay(host, image, scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' })));
    // the profile refuses a kho-v1 root, so replay it as if the radix kernel had read the same block list
    expect(fs.map((f) => f.code)).toContain('KHO_REVIVAL_DISABLED');
    const v3 = built(ERAS[3], [{ pfn: 0x200000, order: 20 }]);
    const wrong = check(
      replay(host, v3, scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' })),
    ).find((f) => f.code === 'STRUCT_PAGE_WRONG_NODE')!;
    expect(rangeList(wrong.ranges)).toEqual([{ start: 0x280000, end: 0x300000 }]);
  });
});
