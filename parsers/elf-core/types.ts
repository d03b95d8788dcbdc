// The ELF core reader's public types: what the KHO decoders and the trace loader code against.
import type { Diagnostic, PhysMemory, Range } from '../../src/core/index.js';

/** One PT_LOAD with a physical address (p_paddr != all ones), in bytes. */
export interface ElfSegment {
  /** p_paddr: first physical address the segment describes. */
  paddr: number;
  /** p_offset: where the segment's bytes start in the file. */
  fileOffset: number;
  /** p_filesz: bytes present in the file. */
  fileSize: number;
  /** p_memsz: bytes the segment describes; memSize - fileSize trailing bytes are zeros (ELF gABI). */
  memSize: number;
  /** Position in the program header table (`phdr[index]` in locations); lower index wins on overlap. */
  index: number;
}

/** One note of a PT_NOTE segment (Elf64_Nhdr followed by name and desc, each padded to 4 bytes). */
export interface ElfNote {
  /** n_name without its terminating NUL: `CORE`, `VMCOREINFO`, `QEMU`, `LINUX`. */
  name: string;
  /** n_type: NT_PRSTATUS (1), NT_PRPSINFO (3), ..., 0 for VMCOREINFO. */
  type: number;
  /** The desc bytes. */
  desc: Uint8Array;
  /** File offset of the note's Elf64_Nhdr. */
  offset: number;
  /** File offset of the desc bytes. */
  descOffset: number;
}

export interface ElfCore extends PhysMemory {
  readonly endianness: 'le' | 'be';
  /** e_machine (EM_X86_64 = 62, EM_AARCH64 = 183, ...). */
  readonly machine: number;
  /** PT_LOAD segments with a physical address, sorted by paddr (then index); p_paddr == all ones excluded. */
  readonly segments: readonly ElfSegment[];
  /** PT_LOADs skipped because p_paddr is all ones (/proc/kcore vmalloc, modules, vmemmap areas). */
  readonly ignoredSegments: number;
  readonly diagnostics: Diagnostic[];
  /** Physical byte ranges present in the dump, half-open, sorted, merged. */
  readonly presentRanges: readonly Range[];
  /** Number of program headers (after PN_XNUM extended numbering). */
  readonly phnum: number;
  /**
   * File offset holding physical address `addr` (the winning segment's, on overlap), or null when the byte is
   * absent or lies in a zero-filled tail: for error locations that point into the core file.
   */
  fileOffsetOf(addr: number): number | null;
  /** Decode the PT_NOTE segments (on demand: notes are not needed for physical memory). */
  readNotes(): ElfNote[];
}

export interface OpenElfCoreOptions {
  /**
   * Bytes between p_filesz and p_memsz of a PT_LOAD. `true` (the default): present and zero, as the ELF gABI
   * defines them ("the extra bytes are defined to hold the value 0"). `false`: absent, for dumpers known to
   * use filesz < memsz for memory they did not capture (qemu dump-guest-memory with a begin/length filter).
   * qemu's explicit marker for memory it did not store (p_offset -1, p_filesz 0) is absent either way.
   */
  readonly zeroFill?: boolean;
}
