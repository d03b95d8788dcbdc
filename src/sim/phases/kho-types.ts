// What the KHO phases read of the handover image (spec kho-abi.md §4.4, §6): a structural subset of parsers/kho's
// KhoImage, so a decoded image or a hand-written one in a test both fit.

/** The handover image as the replay needs it: a subset of parsers/kho KhoImage. */
export interface KhoImageInput {
  readonly abi: 'kho-v1' | 'kho-v2' | 'kho-v3' | 'kho-v4';
  /**
   * Pages of the radix tree's tables (levels >= 1 and leaves), when the decoder lists them: kho_extend_scratch()
   * keeps their 1 GiB blocks busy (v7.3). Absent: only preserved blocks make a block busy.
   */
  readonly radixTablePhys?: ArrayLike<number>;
  /** The kexec-metadata subtree: the release of the kernel that wrote the image. */
  readonly kexecMetadata?: { readonly previousRelease: string } | null;
  readonly bitmapFormat: '512' | 'page' | null;
  readonly pageSize: number;
  readonly scratch: readonly { readonly phys: number; readonly sizeBytes: number }[];
  /** Columnar, sorted by phys: block i covers [phys[i], phys[i] + (pageSize << order[i])). */
  readonly preserved: {
    readonly count: number;
    readonly phys: ArrayLike<number>;
    readonly order: ArrayLike<number>;
  };
  readonly subtrees: readonly {
    readonly name: string;
    readonly phys: number;
    readonly sizeBytes: number | null;
  }[];
  readonly vmalloc: readonly {
    readonly owner: string;
    readonly order: number;
    readonly chunkPhys: readonly number[];
    readonly blockPhys: ArrayLike<number>;
  }[];
  readonly reserveMem: readonly {
    readonly name: string;
    readonly start: number;
    readonly sizeBytes: number;
  }[];
  readonly khoTest?: { readonly folios: { readonly phys: ArrayLike<number> } | null } | null;
  /**
   * The LUO subtree as parsers/kho decodes it (KhoLuo fits): the version string of struct luo_ser or the LUO FDT
   * (null when unreadable), and the files of its sessions with their handler compatibles (`memfd-v2` ...) when the
   * decoder followed them. Read by the upgrade check (the versions luo_early_startup and memfd_luo accept).
   */
  readonly luo?: {
    readonly compatible: string | null;
    readonly files?: readonly { readonly compatible: string }[];
  } | null;
}

/**
 * Which restore call the image says a block is used through (kho-abi.md §4.3, §4.4, §5):
 *  - folio: kho_restore_folio() (kho_preserve_folio entries, kho_test folios);
 *  - pages: kho_restore_pages() (kho_preserve_pages/phys pieces: any order above MAX_PAGE_ORDER);
 *  - vmalloc: kho_restore_vmalloc() (the chunk pages and the area's blocks);
 *  - subtree: the consumer of a subtree blob (kho_retrieve_subtree + restore of the blob's pages);
 *  - reserve-mem: a reserve_mem= region revived by memblock: reserved again, never passed to a restore call.
 */
export type KhoRestoreKind = 'folio' | 'pages' | 'vmalloc' | 'subtree' | 'reserve-mem';
export const KHO_RESTORE_KINDS: readonly KhoRestoreKind[] = [
  'folio',
  'pages',
  'vmalloc',
  'subtree',
  'reserve-mem',
];

/** One preserved block in pfns. */
export interface KhoBlock {
  readonly index: number;
  readonly startPfn: number;
  readonly endPfn: number;
  readonly order: number;
  readonly kind: KhoRestoreKind;
}
