// Test fixtures for the KHO replay: a handover image placed in the RAM of a real qemu host (traces/qemu), written
// as a readable list of blocks. Pfns are 4 KiB pages; b-16g-2node has node 0 = [0x1, 0x280000) with Normal from
// 0x100000 (first_deferred_pfn 0x108000) and node 1 = [0x280000, 0x480000) (first_deferred_pfn 0x288000).
import type { KhoImageInput } from '../../src/sim/phases/kho-types.js';

export interface BlockSpec {
  readonly pfn: number;
  readonly order: number;
}

export const PAGE = 4096;

export function imageOf(
  blocks: readonly BlockSpec[],
  opts: {
    abi?: KhoImageInput['abi'];
    bitmapFormat?: KhoImageInput['bitmapFormat'];
    scratch?: readonly BlockSpec[];
  } = {},
): KhoImageInput {
  const sorted = [...blocks].sort((a, b) => a.pfn - b.pfn || a.order - b.order);
  const abi = opts.abi ?? 'kho-v3';
  return {
    abi,
    bitmapFormat: opts.bitmapFormat ?? (abi === 'kho-v1' ? 'page' : null),
    pageSize: PAGE,
    scratch: (opts.scratch ?? B16_SCRATCH).map((s) => ({
      phys: s.pfn * PAGE,
      sizeBytes: 2 ** s.order * PAGE,
    })),
    preserved: {
      count: sorted.length,
      phys: Float64Array.from(sorted.map((b) => b.pfn * PAGE)),
      order: Uint8Array.from(sorted.map((b) => b.order)),
    },
    subtrees: [],
    vmalloc: [],
    reserveMem: [],
    khoTest: null,
  };
}

/** Scratch of a b-16g-2node cold boot: lowmem 64 MiB at 64 MiB, global 256 MiB at 6 GiB, node 0 256 MiB above it, node 1 256 MiB at 16 GiB. */
export const B16_SCRATCH: readonly BlockSpec[] = [
  { pfn: 0x4000, order: 14 },
  { pfn: 0x180000, order: 16 },
  { pfn: 0x190000, order: 16 },
  { pfn: 0x400000, order: 16 },
];

/** Blocks inside one node each, in free memory, on both sides of each node's first_deferred_pfn. */
export const B16_CLEAN: readonly BlockSpec[] = [
  { pfn: 0x104000, order: 9 }, // node 0, eager section of Normal
  { pfn: 0x106001, order: 0 }, // node 0, eager, not on a pageblock boundary
  { pfn: 0x150000, order: 9 }, // node 0, deferred
  { pfn: 0x150400, order: 10 }, // node 0, deferred
  { pfn: 0x1c0000, order: 14 }, // node 0, deferred, a kho_preserve_pages piece of 64 MiB
  { pfn: 0x284000, order: 9 }, // node 1, eager
  { pfn: 0x300000, order: 10 }, // node 1, deferred
  { pfn: 0x3c0000, order: 16 }, // node 1, deferred, 256 MiB: a tail on the section boundary 0x3c8000
  { pfn: 0x3ff003, order: 0 }, // node 1, deferred, mid-pageblock
];
