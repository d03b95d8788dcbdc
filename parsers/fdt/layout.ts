// Flattened device tree container, as libfdt defines it: scripts/dtc/libfdt/fdt.h (struct fdt_header,
// struct fdt_reserve_entry, struct fdt_property, the FDT_* tokens) and fdt.c (fdt_header_size_), Linux 6.x.
import { Parser } from 'binary-parser';

/** Constants in the kernel's spelling (libfdt fdt.h, libfdt_internal.h). */
export const FDT_CONST = {
  FDT_MAGIC: 0xd00dfeed,
  /** Every token and every block boundary inside the structure block is 4-byte aligned (FDT_TAGALIGN). */
  FDT_TAGSIZE: 4,
  /** The memory reservation block is 8-byte aligned (devicetree spec 5.3; dtc writes it at 0x28). */
  FDT_RSV_ALIGN: 8,
  /** Header of a v17 blob: ten u32 (FDT_V17_SIZE). */
  FDT_V17_SIZE: 40,
  /** Header of a v16 blob: nine u32, no size_dt_struct (FDT_V16_SIZE = FDT_V3_SIZE). */
  FDT_V16_SIZE: 36,
  /** sizeof(struct fdt_reserve_entry): u64 address, u64 size, big-endian. */
  FDT_RESERVE_ENTRY_SIZE: 16,
  /** Oldest version whose structure block we read: v16 dropped the 8-byte property alignment and full paths. */
  FDT_FIRST_READ_VERSION: 16,
  /** FDT_LAST_SUPPORTED_VERSION: a blob whose last_comp_version is above this is unreadable. */
  FDT_LAST_SUPPORTED_VERSION: 17,
} as const;

/** Structure block tokens (libfdt fdt.h). */
export const FDT_TOKEN = {
  FDT_BEGIN_NODE: 0x1,
  FDT_END_NODE: 0x2,
  FDT_PROP: 0x3,
  FDT_NOP: 0x4,
  FDT_END: 0x9,
} as const;

/** Field names of struct fdt_header in order; each is a big-endian u32 at 4 * index. */
export const FDT_HEADER_FIELDS = [
  'magic',
  'totalsize',
  'off_dt_struct',
  'off_dt_strings',
  'off_mem_rsvmap',
  'version',
  'last_comp_version',
  'boot_cpuid_phys',
  'size_dt_strings',
  'size_dt_struct',
] as const;

export type FdtHeaderField = (typeof FDT_HEADER_FIELDS)[number];

/** Byte offset of a header field inside the blob. */
export function fdtHeaderFieldOffset(field: FdtHeaderField): number {
  return FDT_HEADER_FIELDS.indexOf(field) * 4;
}

/** The fields every supported version has (FDT_V16_SIZE bytes). */
export interface FdtHeaderV16Raw {
  magic: number;
  totalsize: number;
  off_dt_struct: number;
  off_dt_strings: number;
  off_mem_rsvmap: number;
  version: number;
  last_comp_version: number;
  boot_cpuid_phys: number;
  size_dt_strings: number;
}

export interface FdtHeaderV17Raw extends FdtHeaderV16Raw {
  size_dt_struct: number;
}

/** struct fdt_header up to size_dt_strings (versions 3 to 16). */
export const fdtHeaderV16 = new Parser()
  .endianness('big')
  .uint32('magic')
  .uint32('totalsize')
  .uint32('off_dt_struct')
  .uint32('off_dt_strings')
  .uint32('off_mem_rsvmap')
  .uint32('version')
  .uint32('last_comp_version')
  .uint32('boot_cpuid_phys')
  .uint32('size_dt_strings');

/** struct fdt_header as of version 17. */
export const fdtHeaderV17 = new Parser()
  .endianness('big')
  .uint32('magic')
  .uint32('totalsize')
  .uint32('off_dt_struct')
  .uint32('off_dt_strings')
  .uint32('off_mem_rsvmap')
  .uint32('version')
  .uint32('last_comp_version')
  .uint32('boot_cpuid_phys')
  .uint32('size_dt_strings')
  .uint32('size_dt_struct');
