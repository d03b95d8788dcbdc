// Binary layouts of the KHO structures, kernel field names, native endian = little endian (x86_64, arm64 LE).
// u64 fields are declared as two u32 halves (`<name>_lo`, `<name>_hi`) and combined with bounds by the decoders.
import { Parser } from 'binary-parser';

/** struct khoser_mem_chunk_hdr (kernel/kexec_handover.c, K616 @8f4abe676eaa; unchanged to K619). 16 bytes. */
export interface KhoserMemChunkHdr {
  next_lo: number;
  next_hi: number;
  order: number;
  num_elms: number;
}
export const khoserMemChunkHdr = new Parser()
  .endianness('little')
  .uint32('next_lo')
  .uint32('next_hi')
  .uint32('order')
  .uint32('num_elms');
export const KHOSER_MEM_CHUNK_HDR_SIZE = 16;

/** struct kho_vmalloc (include/linux/kho/abi/kexec_handover.h, H619; K618 in the .c). 16 bytes, not packed. */
export interface KhoVmallocDesc {
  first_lo: number;
  first_hi: number;
  total_pages: number;
  flags: number;
  order: number;
}
export const khoVmalloc = new Parser()
  .endianness('little')
  .uint32('first_lo')
  .uint32('first_hi')
  .uint32('total_pages')
  .uint16('flags')
  .uint16('order');
export const KHO_VMALLOC_SIZE_BYTES = 16;

/** struct kho_data (x86 setup_data SETUP_KEXEC_KHO payload, packed, 32 bytes; arch/x86/include/uapi/asm/setup_data.h). */
export interface KhoData {
  fdt_addr_lo: number;
  fdt_addr_hi: number;
  fdt_size_lo: number;
  fdt_size_hi: number;
  scratch_addr_lo: number;
  scratch_addr_hi: number;
  scratch_size_lo: number;
  scratch_size_hi: number;
}
export const khoData = new Parser()
  .endianness('little')
  .uint32('fdt_addr_lo')
  .uint32('fdt_addr_hi')
  .uint32('fdt_size_lo')
  .uint32('fdt_size_hi')
  .uint32('scratch_addr_lo')
  .uint32('scratch_addr_hi')
  .uint32('scratch_size_lo')
  .uint32('scratch_size_hi');

/** struct kho_kexec_metadata (include/linux/kho/abi/kexec_metadata.h @40735a683bf8, packed): 4 + 65 + 4 bytes. */
export interface KhoKexecMetadataRaw {
  version: number;
  previous_release: Uint8Array;
  kexec_count: number;
}
export const khoKexecMetadata = new Parser()
  .endianness('little')
  .uint32('version')
  .buffer('previous_release', { length: 65 })
  .uint32('kexec_count');
export const KHO_KEXEC_METADATA_SIZE = 73;
