// The KHO root ABI eras as data: one row per root `compatible` the kernel has written. The decoders ask this table
// what an era's root looks like and how its memory map is encoded, so the next bump is one row here (plus a decoder
// only if the wire format itself changes). Sources per row; spec kho-abi.md §1 and kernel-7x.md §1.1-1.2.
import type { KhoAbi } from './types.js';

/** How the `preserved-memory-map` root property is to be read. */
export type KhoMemoryMapFormat =
  /** kho-v1: a list of `struct khoser_mem_chunk` pages holding bitmap pointers (parsers/kho/chunk-list.ts). */
  | 'chunk-list'
  /** kho-v2 on: a radix tree of table pages over leaf bitmaps (parsers/kho/radix-tree.ts). */
  | 'radix';

export interface KhoAbiEra {
  /** The root `compatible` string (KHO_FDT_COMPATIBLE, or KHO_FDT_COMPAT_BASE of the composite form). */
  readonly name: KhoAbi;
  /** Which kernels write (and accept) it, as far as the sources date it. */
  readonly kernels: string;
  /** Where the row's facts were read. */
  readonly source: string;
  /** The child property holding a subtree's physical address (kho_retrieve_subtree of the era). */
  readonly subtreePointerProp: 'fdt' | 'preserved-data';
  /** Whether each subtree carries `blob-size` (kho_add_subtree writes it; the debugfs reader requires it). */
  readonly blobSize: boolean;
  readonly memoryMap: KhoMemoryMapFormat;
  /**
   * Radix eras: the `+ 1` inside KHO_TREE_MAX_DEPTH's DIV_ROUND_UP (added with kho-v3 so that the order-0 marker bit
   * is covered at 16 KiB pages): depth = DIV_ROUND_UP(ORDER_0_LOG2 - BITMAP_SIZE_LOG2 + extra, TABLE_SIZE_LOG2) + 1.
   */
  readonly radixDepthExtra: 0 | 1;
  /** Whether subsystems serialize through KHO blocks (struct kho_block_header_ser chains): LUO's sessions and files. */
  readonly blockChains: boolean;
  /** The one-line name `inspect` prints. */
  readonly title: string;
}

/** Oldest first. A root compatible not in this table is KHO_ERR_COMPATIBLE. */
export const KHO_ABI_ERAS: readonly KhoAbiEra[] = [
  {
    name: 'kho-v1',
    kernels: 'v6.16 - v7.0',
    source:
      'kernel/kexec_handover.c @8f4abe676eaa (v6.16), kernel/liveupdate/kexec_handover.c @dd03dd60e8cd (v6.19); include/linux/kho/abi/kexec_handover.h @c17ee635fd3a',
    subtreePointerProp: 'fdt',
    blobSize: false,
    memoryMap: 'chunk-list',
    radixDepthExtra: 0,
    blockChains: false,
    title: 'kho-v1',
  },
  {
    name: 'kho-v2',
    kernels: 'mm/next trees of early 2026 (most likely never in a release)',
    source: 'kernel/liveupdate/kexec_handover.c + include/linux/kho/abi/kexec_handover.h @3f2ad90060f6',
    subtreePointerProp: 'preserved-data',
    blobSize: false,
    memoryMap: 'radix',
    radixDepthExtra: 0,
    blockChains: false,
    title: 'kho-v2, radix tree',
  },
  {
    name: 'kho-v3',
    kernels: 'v7.1',
    source: 'kernel/liveupdate/kexec_handover.c @40735a683bf8; header openSUSE/kernel @42897b76de43',
    subtreePointerProp: 'preserved-data',
    blobSize: true,
    memoryMap: 'radix',
    radixDepthExtra: 1,
    blockChains: false,
    title: 'kho-v3, radix tree with blob sizes',
  },
  {
    name: 'kho-v4',
    kernels: 'v7.2 on (read in v7.3-rc7)',
    source:
      'linux v7.3-rc7 include/linux/kho/abi/kexec_handover.h KHO_FDT_COMPATIBLE, include/linux/kho/abi/block.h; bump in "kho: add support for linked-block serialization" (2026-06-03)',
    subtreePointerProp: 'preserved-data',
    blobSize: true,
    memoryMap: 'radix',
    radixDepthExtra: 1,
    blockChains: true,
    title: 'kho-v4, radix tree with blob sizes and KHO serialization blocks',
  },
];

/**
 * Sub-components of the composite root compatible `base;sub;...` proposed upstream ("[RFC v1 0/9] kho: granular
 * compatibility and header decoupling", 2026-06-05: KHO_FDT_COMPAT_BASE + KHO_SUB_COMPAT(KHO_RADIX_COMPATIBLE) +
 * KHO_SUB_COMPAT(KHO_VMALLOC_COMPATIBLE); block.h KHO_BLOCK_COMPATIBLE). Each names a wire format this decoder reads.
 */
export const KHO_SUB_COMPATIBLES: Readonly<Record<string, string>> = {
  'radix-v1': 'KHO_RADIX_COMPATIBLE: the radix tree of kho-v2 and later',
  'vmalloc-v1': 'KHO_VMALLOC_COMPATIBLE: struct kho_vmalloc and its chunk list',
  'block-v1': 'KHO_BLOCK_COMPATIBLE: struct kho_block_header_ser chains',
};

/** The era of a base compatible, or undefined. */
export function khoEra(name: string): KhoAbiEra | undefined {
  return KHO_ABI_ERAS.find((e) => e.name === name);
}

/** Every era name, oldest first (for messages: `expected "kho-v1", ..., or "kho-v4"`). */
export function khoEraNames(): string[] {
  return KHO_ABI_ERAS.map((e) => e.name);
}

/** One string of the root `compatible` list split into its `;`-separated parts (RFC composite form). */
export interface KhoCompatibleParts {
  readonly base: string;
  readonly subs: readonly string[];
}

export function splitCompatible(s: string): KhoCompatibleParts {
  const parts = s.split(';');
  return { base: parts[0]!, subs: parts.slice(1) };
}
