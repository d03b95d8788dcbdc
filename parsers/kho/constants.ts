// KHO ABI constants, kernel spelling. Sources per group below; see spec/kho-abi.md sections 1-4.
import { LIMITS } from '../../src/core/index.js';

/** Root FDT strings. include/linux/kho/abi/kexec_handover.h (H619 "kho-v1", header @3f2ad90060f6 "kho-v2", H3 "kho-v3"). */
export const KHO_FDT = {
  KHO_FDT_COMPATIBLE_V1: 'kho-v1',
  KHO_FDT_COMPATIBLE_V2: 'kho-v2',
  KHO_FDT_COMPATIBLE_V3: 'kho-v3',
  /** linux v7.3-rc7 include/linux/kho/abi/kexec_handover.h KHO_FDT_COMPATIBLE (v7.2 on). */
  KHO_FDT_COMPATIBLE_V4: 'kho-v4',
  KHO_FDT_MEMORY_MAP_PROP_NAME: 'preserved-memory-map',
  /** v1 subtree pointer (kho_add_subtree, K616..K619). */
  KHO_FDT_SUB_TREE_PROP_NAME_V1: 'fdt',
  /** v2/v3 subtree pointer (KR1..KR3). */
  KHO_SUB_TREE_PROP_NAME: 'preserved-data',
  /** v3 only (KR3, H3). */
  KHO_SUB_TREE_SIZE_PROP_NAME: 'blob-size',
} as const;

/**
 * kho-v1 chunk list: kernel/kexec_handover.c (K616 @8f4abe676eaa, K618 @a4a508df2aa3), struct khoser_mem_chunk.
 * Sizes are for PAGE_SHIFT 12; chunk capacity is derived from the page size in chunk-list.ts.
 */
export const KHOSER = {
  /** sizeof(struct khoser_mem_chunk_hdr): u64 next, u32 order, u32 num_elms. */
  KHOSER_HDR_SIZE: 16,
  /** sizeof(struct khoser_mem_bitmap_ptr): u64 phys_start, u64 bitmap. */
  KHOSER_BITMAP_PTR_SIZE: 16,
  /** 6.16/6.17 (K616): PRESERVE_BITS = 512 * 8; the bitmap is a kzalloc(512) object. */
  PRESERVE_BITS_512: 512 * 8,
} as const;

/** Radix tree of kho-v2/v3: include/linux/kho/abi/kexec_handover.h @3f2ad90060f6 and H3 (openSUSE @42897b76de43). */
export const KHO_RADIX = {
  /** Entries per table node are PAGE_SIZE / 8; leaves are PAGE_SIZE * 8 bits. Derived from PAGE_SHIFT. */
  TABLE_ENTRY_SIZE: 8,
} as const;

/** struct kho_vmalloc flags: include/linux/kho/abi/kexec_handover.h (H619). */
export const KHO_VMALLOC = {
  KHO_VMALLOC_ALLOC: 0x0001,
  KHO_VMALLOC_HUGE_VMAP: 0x0002,
  /** sizeof(struct kho_vmalloc): u64 first, u32 total_pages, u16 flags, u16 order. */
  KHO_VMALLOC_DESC_SIZE: 16,
} as const;

/** Subtree ABIs: include/linux/kho/abi/{memblock,kexec_metadata,luo}.h and lib/test_kho.c (spec section 5). */
export const KHO_SUBTREE = {
  MEMBLOCK_KHO_FDT: 'memblock',
  MEMBLOCK_KHO_NODE_COMPATIBLE: 'memblock-v1',
  RESERVE_MEM_KHO_NODE_COMPATIBLE: 'reserve-mem-v1',
  KHO_TEST_NAME: 'kho_test',
  KHO_TEST_COMPAT: 'kho-test-v1',
  KHO_TEST_MAGIC: 0x4b484f21,
  KEXEC_METADATA_NAME: 'kexec-metadata',
  KHO_KEXEC_METADATA_VERSION: 1,
  /** __NEW_UTS_LEN + 1 */
  PREVIOUS_RELEASE_LEN: 65,
  LUO_NAME: 'LUO',
  LUO_COMPATIBLE: 'luo-v1',
  LIVEUPDATE_SESSION_NAME_LENGTH: 64,
} as const;

/**
 * KHO serialization blocks: linux v7.3-rc7 include/linux/kho/abi/block.h (KHO_BLOCK_SIZE = PAGE_SIZE,
 * sizeof(struct kho_block_header_ser)) and kernel/liveupdate/kho_block.c (KHO_MAX_BLOCKS).
 */
export const KHO_BLOCK = {
  HEADER_SIZE: 16,
  KHO_MAX_BLOCKS: 10_000,
} as const;

/**
 * LUO as v7.3-rc7 writes it: include/linux/kho/abi/luo.h (luo-v5) and kernel/liveupdate/luo_flb.c. Sizes of the
 * packed structures.
 */
export const LUO_ABI = {
  LUO_KHO_ENTRY_NAME: 'LUO',
  /** struct luo_ser without compatible[]: u64 liveupdate_num, sessions_pa, flbs_pa. */
  LUO_SER_FIELDS_SIZE: 24,
  /** struct luo_session_ser: char name[LIVEUPDATE_SESSION_NAME_LENGTH] + struct luo_file_set_ser { files, count }. */
  LUO_SESSION_SER_SIZE: 80,
  LIVEUPDATE_SESSION_NAME_LENGTH: 64,
  /** struct luo_file_ser: char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH], u64 data, u64 token. */
  LUO_FILE_SER_SIZE: 64,
  LIVEUPDATE_HNDL_COMPAT_LENGTH: 48,
  /** struct luo_flb_header_ser { u64 pgcnt; u64 count; }. */
  LUO_FLB_HEADER_SER_SIZE: 16,
  /** struct luo_flb_ser: char name[LIVEUPDATE_FLB_COMPAT_LENGTH], u64 data, u64 count. */
  LUO_FLB_SER_SIZE: 64,
  LIVEUPDATE_FLB_COMPAT_LENGTH: 48,
  /** luo-v3 (before blocks): struct luo_session_header_ser { u64 count; }, LUO_SESSION_PGCNT 16 pages. */
  LUO_SESSION_HEADER_SER_SIZE_V3: 8,
  LUO_SESSION_PGCNT_V3: 16,
  /** luo-v2: the LUO FDT's property pointing at struct luo_ser. */
  LUO_FDT_ABI_HEADER: 'luo-abi-header',
} as const;

/**
 * memfd file handler (include/linux/kho/abi/memfd.h): memfd-v1 (@ac2d8102c4b8, 40 bytes: pos, size, nr_folios,
 * folios) and memfd-v2 (v7.3-rc7, 48 bytes: pos, size, u32 seals, u32 flags, nr_folios, folios).
 */
export const MEMFD_LUO = {
  MEMFD_LUO_SER_SIZE_V1: 40,
  MEMFD_LUO_SER_SIZE_V2: 48,
  /** struct memfd_luo_folio_ser: u64 pfn:52, flags:12; u64 index. */
  MEMFD_LUO_FOLIO_SER_SIZE: 16,
  MEMFD_LUO_FOLIO_DIRTY: 0x1,
  MEMFD_LUO_FOLIO_UPTODATE: 0x2,
  /** F_SEAL_SEAL | SHRINK | GROW | WRITE | FUTURE_WRITE | EXEC (include/uapi/linux/fcntl.h values). */
  MEMFD_LUO_ALL_SEALS: 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20,
} as const;

/** sizeof(struct kho_scratch) { phys_addr_t addr; phys_addr_t size; } (include/linux/kexec_handover.h @00c010e130e5). */
export const KHO_SCRATCH_ENTRY_SIZE = 16;
/** sizeof(struct kho_data), x86 setup_data type SETUP_KEXEC_KHO = 10 (packed, 4 x u64). */
export const KHO_DATA_SIZE = 32;
export const SETUP_KEXEC_KHO = 10;

/** Default platform of the spec: 64-bit little endian, 4 KiB pages, MAX_PAGE_ORDER 10. */
export const KHO_DEFAULT_PAGE_SHIFT = 12;
export const KHO_DEFAULT_MAX_PAGE_ORDER = 10;

/** Bounds on untrusted structures (DESIGN.md, Errors). */
export const KHO_BOUNDS = {
  MAX_CHUNKS: LIMITS.KHO_MAX_CHUNKS,
  MAX_BLOCKS: LIMITS.KHO_MAX_BLOCKS,
  /** Radix nodes (tables and leaves) visited in one tree; each is a distinct page, so this is generous. */
  MAX_RADIX_NODES: 16_000_000,
  /** vmalloc chunks followed for one area. */
  MAX_VMALLOC_CHUNKS: 4_000_000,
  /** Scratch areas in one scratch array (2 + one per node). */
  MAX_SCRATCH: 4096,
  /** LUO sessions read from one header. */
  MAX_LUO_SESSIONS: 65_536,
} as const;
