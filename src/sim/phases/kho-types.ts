// What the KHO phases read of the handover image (spec kho-abi.md §4.4, §6): a structural subset of parsers/kho's
// KhoImage, so a decoded image or a hand-written one in a test both fit.
import { blocksPages } from '../../core/index.js';

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

/**
 * The image's preserved blocks in pfns, sorted by start, as columns (no object per block): block i covers
 * [startPfn[i], endPfn[i]), has order order[i], restore kind KHO_RESTORE_KINDS[kindCode[i]] and is entry index[i]
 * of the image's preserved list. at(i) and iteration make a KhoBlock per call, for tests and small images.
 * An index column given as null is the identity (block i is entry i: the image listed its blocks in address order,
 * classifyBlocks()), made only when `index` is asked for (32 MB at 8M blocks): loops read indexColumn or imageIndex().
 */
export class KhoBlocks {
  private idx: Int32Array | null;
  constructor(
    readonly startPfn: Float64Array,
    readonly endPfn: Float64Array,
    readonly order: Uint8Array,
    readonly kindCode: Uint8Array,
    index: Int32Array | null,
    /**
     * True when the maker has seen every block non-empty and starting at or after the end of the one before (sorted
     * and disjoint; they may touch): MemMap.attachBlocks() then skips its own look at every block. False: not known.
     */
    readonly sortedDisjoint = false,
    /**
     * True when the maker built every block's pages from its order: endPfn[i] = startPfn[i] + 2^order[i] (classifyBlocks),
     * so the order column tells which blocks have pages past their head (MemMap.noteBlockShape() reads a byte a block,
     * not both bounds). False: not known.
     */
    readonly sizedByOrder = false,
  ) {
    this.idx = index;
  }
  get length(): number {
    return this.startPfn.length;
  }
  /** The image index of every block, as a column (the identity made on first use when it was given as null). */
  get index(): Int32Array {
    if (this.idx === null) {
      const n = this.length;
      const idx = new Int32Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      this.idx = idx;
    }
    return this.idx;
  }
  /** The index column, or null when block i is image entry i (the identity, not made). */
  get indexColumn(): Int32Array | null {
    return this.idx;
  }
  /** The image index of block i (index[i], without making the identity column). */
  imageIndex(i: number): number {
    const idx = this.idx;
    return idx === null ? i : idx[i]!;
  }
  kind(i: number): KhoRestoreKind {
    return KHO_RESTORE_KINDS[this.kindCode[i]!]!;
  }
  at(i: number): KhoBlock {
    return {
      index: this.imageIndex(i),
      startPfn: this.startPfn[i]!,
      endPfn: this.endPfn[i]!,
      order: this.order[i]!,
      kind: this.kind(i),
    };
  }
  *[Symbol.iterator](): IterableIterator<KhoBlock> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
  /** Pages of all blocks. */
  pages(): number {
    // (summed once: check() asks it again of none's never-initialised runs, src/core/run-stretches.ts pagesOfRuns)
    return blocksPages(this.startPfn, this.endPfn);
  }
}

/**
 * One reusable KhoBlock a phase points at block after block when it calls a strategy (a strategy reads it during
 * the call and keeps nothing): no object per block.
 */
export class KhoBlockCursor implements KhoBlock {
  index = 0;
  startPfn = 0;
  endPfn = 0;
  order = 0;
  kind: KhoRestoreKind = 'folio';
  constructor(private readonly blocks: KhoBlocks) {}
  /** Point at block i; returns this. */
  at(i: number): this {
    const b = this.blocks;
    this.index = b.imageIndex(i);
    this.startPfn = b.startPfn[i]!;
    this.endPfn = b.endPfn[i]!;
    this.order = b.order[i]!;
    this.kind = KHO_RESTORE_KINDS[b.kindCode[i]!]!;
    return this;
  }
}
