// A realistic KHO handover image on the real layout of traces/qemu/b-16g-2node (16 GiB, two nodes, Debian 6.1):
// a few thousand preserved blocks of mixed orders from a buddy-like allocator in both nodes, a reserve_mem region
// handed over through the memblock subtree, a lib/test_kho.c-like subtree (random-order folios listed in a vmalloc
// folios_info array), kexec-metadata in kho-v3, and cold-boot scratch areas (lowmem, global, one per node).
// Pure: returns the builder's description; bench/kho-make-bundle.ts writes it out.
import type { KhoAbi, KhoBitmapFormat } from '../parsers/kho/index.js';
import type { KhoBlockSpec, KhoImageSpec, KhoNodeDesc } from '../test/builders/kho-image.js';
import {
  generateBuddyBlocks,
  mulberry32,
  strBytes,
  toFdtSpec,
  u32leBytes,
  u64leBytes,
} from '../test/builders/kho-image.js';
import { buildFdt } from '../test/builders/fdt.js';

/** Usable RAM of b-16g-2node above 4 GiB (e820 / memblock.memory), node 0 below 0x280000000, node 1 above. */
export const B16G = {
  node0: { start: 0x1_0000_0000, end: 0x2_8000_0000 },
  node1: { start: 0x2_8000_0000, end: 0x4_8000_0000 },
  /** Kernel image (iomem "Kernel code".."Kernel bss", memblock.reserved[2]): never preserved. */
  kernel: { start: 0x1_ac60_0000, end: 0x1_afa1_1000 },
  release: '6.1.0-56-amd64',
} as const;

/**
 * Scratch as kho_reserve_scratch() lays it out on a cold boot (spec 2.2): [0] lowmem below 4 GiB, [1] global,
 * [2..] one per node, each allocated top-down in its range.
 */
export const B16G_SCRATCH = [
  { phys: 0x7bc0_0000, sizeBytes: 0x400_0000 },
  { phys: 0x4_6fc0_0000, sizeBytes: 0x1000_0000 },
  { phys: 0x2_77c0_0000, sizeBytes: 0x800_0000 },
  { phys: 0x4_67c0_0000, sizeBytes: 0x800_0000 },
];

export interface ScenarioOptions {
  readonly abi: KhoAbi;
  readonly bitmapFormat?: KhoBitmapFormat;
  /** Blocks from the buddy-like generator, split between the nodes (the subtrees' blocks come on top). */
  readonly blocks: number;
  readonly seed: number;
}

export function b16gScenario(opts: ScenarioOptions): KhoImageSpec {
  const rand = mulberry32(opts.seed);
  const half = Math.ceil(opts.blocks / 2);
  // Node 0 from 4.5 GiB up to the kernel image; node 1 from 12 GiB up to 15 GiB. Neither crosses a node boundary,
  // as kho-v3's kho_preserve_pages guarantees (spec 4.4).
  const blocks: KhoBlockSpec[] = [
    ...generateBuddyBlocks(rand, half, {
      startPfn: 0x1_2000_0000 / 4096,
      endPfn: 0x1_a000_0000 / 4096,
      hugeMaxOrder: 13,
      hugeProb: 0.004,
    }),
    ...generateBuddyBlocks(rand, opts.blocks - half, {
      startPfn: 0x3_0000_0000 / 4096,
      endPfn: 0x3_c000_0000 / 4096,
      hugeMaxOrder: 13,
      hugeProb: 0.004,
    }),
  ];

  // reserve_mem=64M:4096:trace, handed over by the memblock subtree; kho_preserve_pages makes one order-14 block.
  const reserve = { start: 0x3_f000_0000, size: 0x400_0000 };
  blocks.push({ phys: reserve.start, order: 14 });

  // lib/test_kho.c: folios of random order 0..10 up to max_mem = 8 MiB, listed as phys | order in folios_info.
  const folios: KhoBlockSpec[] = [];
  let pfn = 0x1_c000_0000 / 4096;
  for (let used = 0; used < 8 * 2 ** 20;) {
    let order = Math.floor(rand() * 11);
    while (used + 4096 * 2 ** order > 8 * 2 ** 20 && order > 0) order--;
    pfn = Math.ceil(pfn / 2 ** order) * 2 ** order;
    folios.push({ phys: pfn * 4096, order });
    pfn += 2 ** order + Math.floor(rand() * 4) * 2 ** order;
    used += 4096 * 2 ** order;
  }
  blocks.push(...folios);
  const folioInfo = new Uint8Array(folios.length * 8);
  folios.forEach((f, i) => folioInfo.set(u64leBytes(f.phys + f.order), i * 8));

  // Blob pages: the subtree folios (kho_test's FDT is order 1: nr_folios * 8 + PAGE_SIZE > one page) and the root.
  const blobBase = 0x1_d000_0000;
  const testFdtPhys = blobBase;
  const memblockFdtPhys = blobBase + 0x1_0000;
  const metadataPhys = blobBase + 0x2_0000;
  const rootFdtPhys = blobBase + 0x3_0000;
  blocks.push(
    { phys: testFdtPhys, order: 1 },
    { phys: memblockFdtPhys, order: 0 },
    { phys: rootFdtPhys, order: 0 },
  );

  const memblockFdt = buildFdt({
    root: toFdtSpec({
      props: [['compatible', strBytes('memblock-v1')]],
      children: [
        [
          'trace',
          {
            props: [
              ['compatible', strBytes('reserve-mem-v1')],
              ['start', u64leBytes(reserve.start)],
              ['size', u64leBytes(reserve.size)],
            ],
            children: [],
          },
        ],
      ],
    }),
  });
  const testFdt = (desc: Uint8Array): Uint8Array => {
    const tree: KhoNodeDesc = {
      props: [
        ['compatible', strBytes('kho-test-v1')],
        ['magic', u32leBytes(0x4b484f21)],
      ],
      children: [
        [
          'data',
          {
            props: [
              ['nr_folios', u32leBytes(folios.length)],
              ['folios_info', desc],
              ['csum', u32leBytes(Math.floor(rand() * 2 ** 32))],
            ],
            children: [],
          },
        ],
      ],
    };
    return buildFdt({ root: toFdtSpec(tree) });
  };
  const subtrees: NonNullable<KhoImageSpec['subtrees']>[number][] = [
    { name: 'memblock', phys: memblockFdtPhys, blob: memblockFdt },
    { name: 'kho_test', phys: testFdtPhys, blobSize: 8192, blob: (v) => testFdt(v[0]!.desc) },
  ];
  if (opts.abi === 'kho-v3') {
    blocks.push({ phys: metadataPhys, order: 0 });
    const meta = new Uint8Array(73);
    const dv = new DataView(meta.buffer);
    dv.setUint32(0, 1, true);
    meta.set(new TextEncoder().encode(B16G.release), 4);
    dv.setUint32(69, 1, true);
    subtrees.push({ name: 'kexec-metadata', phys: metadataPhys, blob: meta });
  }
  return {
    abi: opts.abi,
    ...(opts.bitmapFormat ? { bitmapFormat: opts.bitmapFormat } : {}),
    blocks: blocks.sort((a, b) => a.phys - b.phys),
    // Metadata (chunks, bitmaps, radix nodes, vmalloc pages) comes top-down from node 0 below its scratch area.
    ram: [{ start: 0x2_0000_0000, end: 0x2_77c0_0000 }],
    scratch: B16G_SCRATCH,
    subtrees,
    vmalloc: [{ order: 0, contents: folioInfo }],
  };
}

/**
 * Cold-boot scratch for the review image: lowmem 64 MiB at 64 MiB, global 256 MiB at 6 GiB, node 0 256 MiB above
 * it, node 1 256 MiB at 16 GiB (test/sim/kho-fixtures.ts B16_SCRATCH). Node 0's area sits below 0x280000000 and
 * clear of the 8..12 GiB piece that crosses the node boundary, which the top-down B16G_SCRATCH would overlap.
 */
export const B16G_REVIEW_SCRATCH = [
  { phys: 0x400_0000, sizeBytes: 0x400_0000 },
  { phys: 0x1_8000_0000, sizeBytes: 0x1000_0000 },
  { phys: 0x1_9000_0000, sizeBytes: 0x1000_0000 },
  { phys: 0x4_0000_0000, sizeBytes: 0x1000_0000 },
];

/**
 * The blocks of the review bundle (traces/kho-review-b-16g-2node), in pfns of 4 KiB, one per verdict of the review
 * thread "[PATCH] kho: add support for deferred struct page init" (spec kho-abi.md §7.3) on b-16g-2node:
 *
 *   node 0 [0x1 .. DMA32 0x1000 .. Normal 0x100000 | fdp 0x108000 ............ 0x280000)  node 1 [ | fdp 0x288000 .. 0x480000)
 *               eager (memmap_init)                  | deferred                                   eager | deferred
 */
export const B16G_REVIEW_BLOCKS = {
  /** DMA32, eager: memmap_init() sets them up before kho_memory_init(). */
  dma32: [
    { pfn: 0x10000, order: 9 },
    { pfn: 0x20003, order: 0 },
  ],
  /** Node 0 Normal below first_deferred_pfn (0x108000), eager. */
  normalEager: [
    { pfn: 0x104000, order: 9 },
    { pfn: 0x106001, order: 0 },
  ],
  /** Deferred part of node 0 and node 1: inside one node each, in free RAM. */
  deferred: [
    { pfn: 0x150000, order: 9 },
    { pfn: 0x300000, order: 10 },
    { pfn: 0x3ff003, order: 0 },
  ],
  /** Deferred, two pageblocks: the tail 0x150600 starts a pageblock (set_zone_contiguous reads it). */
  pageblockBoundary: { pfn: 0x150400, order: 10 },
  /**
   * Yadav's example scaled to this host: kho_preserve_pages() of 8..12 GiB from a producer that does not split at
   * nodes (6.18) is one order-20 piece, 4 GiB, straddling the node 0/1 boundary at 0x280000.
   */
  crossing: { pfn: 0x200000, order: 20 },
  /** Inside the global scratch area [0x180000, 0x190000). */
  inScratch: { pfn: 0x180200, order: 9 },
} as const;

/**
 * A kho-v1 image with page-sized bitmaps (6.18: kho_preserve_pages() does not split at node boundaries and its
 * chunk header carries any order) holding B16G_REVIEW_BLOCKS; metadata in free node-0 RAM [0x1b0000000, 0x1c0000000).
 */
export function b16gReviewScenario(): KhoImageSpec {
  const r = B16G_REVIEW_BLOCKS;
  const list = [...r.dma32, ...r.normalEager, ...r.deferred, r.pageblockBoundary, r.crossing, r.inScratch];
  return {
    abi: 'kho-v1',
    bitmapFormat: 'page',
    blocks: list.map((b) => ({ phys: b.pfn * 4096, order: b.order })).sort((a, b) => a.phys - b.phys),
    ram: [{ start: 0x1_b000_0000, end: 0x1_c000_0000 }],
    scratch: B16G_REVIEW_SCRATCH,
  };
}
