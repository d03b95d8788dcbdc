// The decoded KHO handover image (KhoImage): what the outgoing kernel preserved and how the incoming one
// would find it. Produced by decodeKhoImage() (decode-image.ts); consumed by inspect and by the replay.
//
// Units: every address is a physical byte address, every size is in bytes, both plain numbers below 2^53
// (DESIGN.md, Model and units). Large sets are columnar typed arrays, sorted once.
import type { Diagnostic } from '../../src/core/index.js';

/** The root FDT's `compatible`: which wire format the memory map and subtree pointers use (spec section 1). */
export type KhoAbi = 'kho-v1' | 'kho-v2' | 'kho-v3' | 'kho-v4';

/**
 * kho-v1 only: size of each bitmap behind a chunk-list entry. '512' = 512-byte bitmaps (6.16, 6.17: 4096 bits
 * per bitmap), 'page' = PAGE_SIZE bitmaps (6.18, 6.19: 32768 bits at 4 KiB). null for the radix eras, and
 * for a kho-v1 image whose memory map is empty (nothing to tell them apart by).
 */
export type KhoBitmapFormat = '512' | 'page';

/**
 * What decided `bitmapFormat` (spec section 4.1.4). No header field records it, so the decoder looks for proof:
 *  - 'bitmap-pointer-unaligned': a bitmap pointer is not page-aligned: proves '512' (kzalloc(512) objects).
 *  - 'phys-start-alignment': a phys_start is a multiple of 2^(12+order+PAGE_SHIFT) but not of
 *    2^(15+order+PAGE_SHIFT) (4 KiB pages): proves '512'.
 *  - 'bits-beyond-512-bytes': no proof of '512', and a page-aligned bitmap has bits set past byte 512: supports
 *    'page' (in the 512 format those bytes belong to neighbouring slab objects). Strong, not proof.
 *  - 'default-page': nothing decided; 'page' is assumed (producers from 6.18 on) and a warning is recorded.
 *  - 'forced': the caller fixed the format (options.bitmapFormat).
 *  - 'not-applicable': radix eras, or an empty kho-v1 memory map.
 */
export type KhoBitmapEvidenceKind =
  | 'bitmap-pointer-unaligned'
  | 'phys-start-alignment'
  | 'bits-beyond-512-bytes'
  | 'default-page'
  | 'forced'
  | 'not-applicable';

export interface KhoBitmapEvidence {
  readonly kind: KhoBitmapEvidenceKind;
  /** True when the evidence proves the format (not just supports it). */
  readonly proof: boolean;
  /** Which entry decided, kernel spelling: `chunk[0].bitmaps[3].bitmap = 0x12340200`. Empty when none did. */
  readonly detail: string;
}

/** One child of the root FDT that carries a subtree pointer (`fdt` in v1, `preserved-data` in v2/v3). */
export interface KhoSubtree {
  /** Node name under the root: `memblock`, `kho_test`, `LUO`, `kexec-metadata`, ... */
  readonly name: string;
  /** Physical address of the blob (the value of `fdt` / `preserved-data`). */
  readonly phys: number;
  /**
   * Blob size in bytes: `blob-size` for kho-v3; for v1/v2 the FDT header's totalsize when the blob could be
   * read (from `sub_fdts/<name>` or from memory); null when unknown.
   */
  readonly sizeBytes: number | null;
  /** The blob's root `compatible` when it is an FDT that could be read; null otherwise. */
  readonly compatible: string | null;
  /** Where the blob's bytes came from, if anywhere. */
  readonly blobSource: 'file' | 'memory' | null;
}

/** One scratch area (struct kho_scratch): memory the incoming kernel may allocate from during early boot. */
export interface KhoScratchArea {
  readonly phys: number;
  readonly sizeBytes: number;
}

/**
 * Every block the incoming kernel would reserve from the memory map, COLUMNAR and sorted by `phys` (ties by
 * `order`). Block i covers [phys[i], phys[i] + (PAGE_SIZE << order[i])). A million blocks cost 9 MB.
 * Duplicates and overlaps are kept (the kernel would reserve each) and reported as a KHO_BLOCK_OVERLAP diagnostic.
 */
export interface KhoPreservedBlocks {
  readonly count: number;
  /** Physical byte address of each block (a multiple of its size unless a diagnostic says otherwise). */
  readonly phys: Float64Array;
  /** Page order of each block; may exceed MAX_PAGE_ORDER (kho_preserve_pages pieces of 1 GiB and more). */
  readonly order: Uint8Array;
}

/** A `struct kho_vmalloc` descriptor and what its chunk list holds (spec section 4.3). */
export interface KhoVmallocArea {
  /** Who holds the descriptor: `kho_test/data/folios_info`. */
  readonly owner: string;
  /**
   * The owner names of its pages without the `-chunk`/`-data` suffix (`test_kho:folios_info`, `memfd:folios`);
   * absent: `vmalloc`.
   */
  readonly group?: string;
  /** Physical address of the first `struct kho_vmalloc_chunk` (descriptor field `first`). */
  readonly first: number;
  readonly totalPages: number;
  /** KHO_VMALLOC_ALLOC | KHO_VMALLOC_HUGE_VMAP. */
  readonly flags: number;
  /** Page order of every block (get_vm_area_page_order). */
  readonly order: number;
  /** Physical addresses of the chunk pages, in list order (each is preserved as one order-0 page). */
  readonly chunkPhys: readonly number[];
  /** Physical address of each block of 1 << order pages, in array order. */
  readonly blockPhys: Float64Array;
}

/** A `reserve_mem=` region handed over through the `memblock` subtree (reserve-mem-v1 child). */
export interface KhoReserveMem {
  readonly name: string;
  readonly start: number;
  readonly sizeBytes: number;
}

/** `struct kho_kexec_metadata` (kexec-metadata subtree, kho-v3). */
export interface KhoKexecMetadata {
  readonly version: number;
  readonly previousRelease: string;
  readonly kexecCount: number;
}

/** `lib/test_kho.c` subtree: folios preserved with their orders and a checksum. */
export interface KhoTestSubtree {
  readonly magic: number;
  readonly nrFolios: number;
  readonly csum: number;
  /** The folios listed in folios_info (`phys | order` entries), when the vmalloc area could be read. */
  readonly folios: { readonly phys: Float64Array; readonly order: Uint8Array } | null;
}

/** One block of a KHO serialization-block chain (struct kho_block_header_ser). */
export interface KhoChainBlockInfo {
  readonly phys: number;
  readonly next: number;
  readonly count: number;
}

/** A memfd's handler data (struct memfd_luo_ser, include/linux/kho/abi/memfd.h). */
export interface KhoMemfd {
  /** `memfd-v1` (40 bytes) or `memfd-v2` (48 bytes: seals and flags). */
  readonly version: string;
  /** Physical address of struct memfd_luo_ser (luo_file_ser.data). */
  readonly serPhys: number;
  readonly pos: number;
  readonly size: number;
  /** memfd-v2 only (null in v1). */
  readonly seals: number | null;
  readonly flags: number | null;
  readonly nrFolios: number;
  /** Index in KhoImage.vmalloc of the folio array's area; null when nr_folios is 0. */
  readonly vmalloc: number | null;
  /** Folios with a pfn (memfd_luo_retrieve_folios skips pfn 0). */
  readonly folios: number;
  /** OR and AND of every folio's flags (MEMFD_LUO_FOLIO_DIRTY 0x1, UPTODATE 0x2). */
  readonly folioFlagsAny: number;
  readonly folioFlagsAll: number;
  /** Whether the folio indices ascend (the kernel writes them in file order). */
  readonly indicesAscending: boolean;
  /** Bytes the folios cover (sum of PAGE_SIZE << order of the preserved blocks found at their pfns). */
  readonly folioBytes: number;
}

/** One preserved file of a LUO session (struct luo_file_ser). */
export interface KhoLuoFile {
  /** Index in KhoLuo.sessionRecords. */
  readonly session: number;
  /** File handler compatible (`memfd-v2`). */
  readonly compatible: string;
  /** The user's token, exact, in decimal (a u64). */
  readonly token: string;
  /** The handler's opaque u64, in hex (memfd: the physical address of its memfd_luo_ser). */
  readonly data: string;
  readonly memfd: KhoMemfd | null;
}

/** One LUO session (struct luo_session_ser). */
export interface KhoLuoSession {
  readonly name: string;
  /** luo_file_set_ser.files: the first file block (luo-v5) or the file array (v3/v4); 0 for none. */
  readonly filesPhys: number;
  /** luo_file_set_ser.count. */
  readonly fileCount: number;
  /** luo-v5: the blocks of the file chain. */
  readonly fileBlocks: readonly KhoChainBlockInfo[];
  /** Index of its first file in KhoLuo.files; its files are [firstFile, firstFile + fileCount). */
  readonly firstFile: number;
}

/** The FLB header (struct luo_flb_header_ser) and its entries (struct luo_flb_ser). */
export interface KhoLuoFlb {
  readonly phys: number;
  readonly pgcnt: number;
  readonly count: number;
  readonly entries: readonly { readonly name: string; readonly data: string; readonly count: number }[];
}

/** The LUO subtree (6.19+): the FDT forms (luo-v1, luo-v2) and the raw struct luo_ser (luo-v3 on). */
export interface KhoLuo {
  readonly compatible: string | null;
  readonly liveupdateNumber: number | null;
  /**
   * FDT form (luo-v1): the session nodes with their header pointers and names. Raw form: one entry for the session
   * list (compatible = the LUO version, headerPhys = sessions_pa, names = every session's name).
   */
  readonly sessions: readonly {
    readonly compatible: string | null;
    readonly headerPhys: number | null;
    readonly names: readonly string[] | null;
  }[];
  /** 'fdt' (luo-v1, luo-v2) or 'luo_ser' (the raw struct, luo-v3 on). Absent in images decoded before kho-v4. */
  readonly format?: 'fdt' | 'luo_ser';
  /** Whether this decoder knows the version (an unknown one is a KHO_LUO_VERSION diagnostic naming it). */
  readonly versionKnown?: boolean;
  /** Which kernels write the version, as far as it can be dated. */
  readonly versionKernels?: string | null;
  /** Physical address of struct luo_ser (the blob itself for luo-v3 on; luo-abi-header for luo-v2). */
  readonly serPhys?: number | null;
  readonly sessionsPhys?: number | null;
  readonly flbsPhys?: number | null;
  /** luo-v4 on: the blocks of the session chain. */
  readonly sessionBlocks?: readonly KhoChainBlockInfo[];
  readonly sessionRecords?: readonly KhoLuoSession[];
  readonly files?: readonly KhoLuoFile[];
  readonly flb?: KhoLuoFlb | null;
}

/**
 * Who owns each preserved block: two columns parallel to KhoImage.preserved (owners.ts KHO_OWNER kinds, and an
 * index into that kind's table). `unattributed` counts the blocks no decoded structure claims.
 */
export interface KhoOwnerColumns {
  readonly kind: Uint8Array;
  readonly ref: Int32Array;
  readonly unattributed: number;
}

/** How much of the memory map the decoder walked. */
export interface KhoMetadataCounts {
  /** kho-v1: chunks in the list, and bitmaps behind their entries. */
  readonly chunks: number;
  readonly bitmaps: number;
  /** kho-v2/v3: table nodes (levels >= 1) and leaves. */
  readonly radixTables: number;
  readonly radixLeaves: number;
}

/** The decoded image. */
export interface KhoImage {
  readonly abi: KhoAbi;
  /** How `abi` was decided, as human-readable facts: `root compatible = "kho-v3"`, `memblock: preserved-data + blob-size`. */
  readonly abiEvidence: readonly string[];
  readonly bitmapFormat: KhoBitmapFormat | null;
  readonly bitmapEvidence: KhoBitmapEvidence;
  /** Value of `preserved-memory-map`: the first chunk (v1) or the radix root (v2/v3). 0 = none. */
  readonly memoryMapPhys: number;
  /**
   * False when the map could not be read because no memory dump was given: `preserved` is then empty because it is
   * unknown, not because nothing was preserved. True otherwise (including a zero, empty map).
   */
  readonly memoryMapDecoded: boolean;
  readonly pageSize: number;
  readonly subtrees: readonly KhoSubtree[];
  /** Scratch areas, in array order (lowmem, global, then one per node on a cold boot). */
  readonly scratch: readonly KhoScratchArea[];
  readonly preserved: KhoPreservedBlocks;
  /** Metadata the decoder walked to find the blocks; the kernel does not preserve it (spec 4.1.3, 4.2.3). */
  readonly metadata: KhoMetadataCounts;
  readonly vmalloc: readonly KhoVmallocArea[];
  readonly reserveMem: readonly KhoReserveMem[];
  readonly kexecMetadata: KhoKexecMetadata | null;
  readonly khoTest: KhoTestSubtree | null;
  readonly luo: KhoLuo | null;
  /** The owner of each preserved block (owners.ts). */
  readonly owners: KhoOwnerColumns;
  readonly diagnostics: readonly Diagnostic[];
}
