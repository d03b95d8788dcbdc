// Binary layouts of the KHO structures, kernel field names. Structures written by the kernel into memory or
// blobs are native-endian (spec kho-abi.md 2.3), so each comes in both byte orders, picked with the dump's
// (ELF64_LAYOUTS in parsers/elf-core does the same). u64 fields are declared as two u32 halves (`<name>_lo`,
// `<name>_hi`, in memory order for the byte order) and combined with bounds by the decoders.
import { Parser } from 'binary-parser';
import type { KhoEndian } from './phys-read.js';

const ENDIAN = { le: 'little', be: 'big' } as const;

/** The halves of a u64 in memory order: low word first on little endian, high word first on big endian. */
function u64Halves(p: Parser, name: string, e: KhoEndian): Parser {
  return e === 'le'
    ? p.uint32(`${name}_lo`).uint32(`${name}_hi`)
    : p.uint32(`${name}_hi`).uint32(`${name}_lo`);
}

/** struct khoser_mem_chunk_hdr (kernel/kexec_handover.c, K616 @8f4abe676eaa; unchanged to K619). 16 bytes. */
export interface KhoserMemChunkHdr {
  next_lo: number;
  next_hi: number;
  order: number;
  num_elms: number;
}
function khoserMemChunkHdrFor(e: KhoEndian): Parser {
  return u64Halves(new Parser().endianness(ENDIAN[e]), 'next', e).uint32('order').uint32('num_elms');
}
export const KHOSER_MEM_CHUNK_HDR = { le: khoserMemChunkHdrFor('le'), be: khoserMemChunkHdrFor('be') };
export const KHOSER_MEM_CHUNK_HDR_SIZE = 16;

/** struct kho_vmalloc (include/linux/kho/abi/kexec_handover.h, H619; K618 in the .c). 16 bytes, not packed. */
export interface KhoVmallocDesc {
  first_lo: number;
  first_hi: number;
  total_pages: number;
  flags: number;
  order: number;
}
function khoVmallocFor(e: KhoEndian): Parser {
  return u64Halves(new Parser().endianness(ENDIAN[e]), 'first', e)
    .uint32('total_pages')
    .uint16('flags')
    .uint16('order');
}
export const KHO_VMALLOC_DESC = { le: khoVmallocFor('le'), be: khoVmallocFor('be') };
export const KHO_VMALLOC_SIZE_BYTES = 16;

/**
 * struct kho_data (x86 setup_data SETUP_KEXEC_KHO payload, packed, 32 bytes; arch/x86/include/uapi/asm/setup_data.h).
 * x86 only, so always little endian.
 */
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
function khoKexecMetadataFor(e: KhoEndian): Parser {
  return new Parser()
    .endianness(ENDIAN[e])
    .uint32('version')
    .buffer('previous_release', { length: 65 })
    .uint32('kexec_count');
}
export const KHO_KEXEC_METADATA = { le: khoKexecMetadataFor('le'), be: khoKexecMetadataFor('be') };
export const KHO_KEXEC_METADATA_SIZE = 73;
