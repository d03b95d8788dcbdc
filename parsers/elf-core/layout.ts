// ELF64 core file layouts: Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr, Elf64_Nhdr as include/uapi/linux/elf.h
// (v6.x) declares them, with the kernel's field names. Every u64 is declared as two u32 halves
// (`<name>_lo`, `<name>_hi`) so that no bigint enters the engine; parsers/_shared u64FromHalves joins them
// and rejects values above 2^53 with a located error.
import { Parser } from 'binary-parser';

/** Constants of include/uapi/linux/elf.h (v6.x), kernel spelling. */
export const ELF = {
  EI_NIDENT: 16,
  EI_CLASS: 4,
  EI_DATA: 5,
  EI_VERSION: 6,
  /** `\x7fELF` */
  ELFMAG: [0x7f, 0x45, 0x4c, 0x46],
  ELFCLASS32: 1,
  ELFCLASS64: 2,
  ELFDATA2LSB: 1,
  ELFDATA2MSB: 2,
  EV_CURRENT: 1,
  ET_EXEC: 2,
  ET_DYN: 3,
  ET_CORE: 4,
  PT_NULL: 0,
  PT_LOAD: 1,
  PT_NOTE: 4,
  /** e_phnum == PN_XNUM: the real count is in section header 0's sh_info (fs/binfmt_elf.c fill_extnum_info). */
  PN_XNUM: 0xffff,
  EM_386: 3,
  EM_PPC64: 21,
  EM_S390: 22,
  EM_ARM: 40,
  EM_X86_64: 62,
  EM_AARCH64: 183,
  EM_RISCV: 243,
  EM_LOONGARCH: 258,
} as const;

/** Struct sizes (sizeof in the kernel headers). */
export const ELF64_SIZES = {
  Elf64_Ehdr: 64,
  Elf64_Phdr: 56,
  Elf64_Shdr: 64,
  Elf64_Nhdr: 12,
} as const;

/** Byte offsets of the Elf64_Ehdr fields, for error locations. */
export const EHDR_OFFSETS = {
  e_ident: 0,
  e_type: 16,
  e_machine: 18,
  e_version: 20,
  e_entry: 24,
  e_phoff: 32,
  e_shoff: 40,
  e_flags: 48,
  e_ehsize: 52,
  e_phentsize: 54,
  e_phnum: 56,
  e_shentsize: 58,
  e_shnum: 60,
  e_shstrndx: 62,
} as const;

/** Byte offsets of the Elf64_Phdr fields, for error locations. */
export const PHDR_OFFSETS = {
  p_type: 0,
  p_flags: 4,
  p_offset: 8,
  p_vaddr: 16,
  p_paddr: 24,
  p_filesz: 32,
  p_memsz: 40,
  p_align: 48,
} as const;

/** Byte offsets of the Elf64_Shdr fields, for error locations. */
export const SHDR_OFFSETS = {
  sh_name: 0,
  sh_type: 4,
  sh_flags: 8,
  sh_addr: 16,
  sh_offset: 24,
  sh_size: 32,
  sh_link: 40,
  sh_info: 44,
  sh_addralign: 48,
  sh_entsize: 56,
} as const;

export interface RawElf64Ehdr {
  e_ident: number[];
  e_type: number;
  e_machine: number;
  e_version: number;
  e_entry_lo: number;
  e_entry_hi: number;
  e_phoff_lo: number;
  e_phoff_hi: number;
  e_shoff_lo: number;
  e_shoff_hi: number;
  e_flags: number;
  e_ehsize: number;
  e_phentsize: number;
  e_phnum: number;
  e_shentsize: number;
  e_shnum: number;
  e_shstrndx: number;
}

export interface RawElf64Phdr {
  p_type: number;
  p_flags: number;
  p_offset_lo: number;
  p_offset_hi: number;
  p_vaddr_lo: number;
  p_vaddr_hi: number;
  p_paddr_lo: number;
  p_paddr_hi: number;
  p_filesz_lo: number;
  p_filesz_hi: number;
  p_memsz_lo: number;
  p_memsz_hi: number;
  p_align_lo: number;
  p_align_hi: number;
}

export interface RawElf64Shdr {
  sh_name: number;
  sh_type: number;
  sh_flags_lo: number;
  sh_flags_hi: number;
  sh_addr_lo: number;
  sh_addr_hi: number;
  sh_offset_lo: number;
  sh_offset_hi: number;
  sh_size_lo: number;
  sh_size_hi: number;
  sh_link: number;
  sh_info: number;
  sh_addralign_lo: number;
  sh_addralign_hi: number;
  sh_entsize_lo: number;
  sh_entsize_hi: number;
}

export interface RawElf64Nhdr {
  n_namesz: number;
  n_descsz: number;
  n_type: number;
}

type Endian = 'little' | 'big';

/** A u64 as two u32 halves in file order: low half first in little endian, high half first in big endian. */
function u64(p: Parser, name: string, endian: Endian): Parser {
  return endian === 'little'
    ? p.uint32(`${name}_lo`).uint32(`${name}_hi`)
    : p.uint32(`${name}_hi`).uint32(`${name}_lo`);
}

function ehdrParser(endian: Endian): Parser {
  let p = new Parser()
    .endianness(endian)
    .array('e_ident', { type: 'uint8', length: ELF.EI_NIDENT })
    .uint16('e_type')
    .uint16('e_machine')
    .uint32('e_version');
  p = u64(p, 'e_entry', endian);
  p = u64(p, 'e_phoff', endian);
  p = u64(p, 'e_shoff', endian);
  return p
    .uint32('e_flags')
    .uint16('e_ehsize')
    .uint16('e_phentsize')
    .uint16('e_phnum')
    .uint16('e_shentsize')
    .uint16('e_shnum')
    .uint16('e_shstrndx');
}

function phdrParser(endian: Endian): Parser {
  let p = new Parser().endianness(endian).uint32('p_type').uint32('p_flags');
  for (const f of ['p_offset', 'p_vaddr', 'p_paddr', 'p_filesz', 'p_memsz', 'p_align']) p = u64(p, f, endian);
  return p;
}

function shdrParser(endian: Endian): Parser {
  let p = new Parser().endianness(endian).uint32('sh_name').uint32('sh_type');
  for (const f of ['sh_flags', 'sh_addr', 'sh_offset', 'sh_size']) p = u64(p, f, endian);
  p = p.uint32('sh_link').uint32('sh_info');
  for (const f of ['sh_addralign', 'sh_entsize']) p = u64(p, f, endian);
  return p;
}

function nhdrParser(endian: Endian): Parser {
  return new Parser().endianness(endian).uint32('n_namesz').uint32('n_descsz').uint32('n_type');
}

export interface ElfLayouts {
  readonly Elf64_Ehdr: Parser;
  readonly Elf64_Phdr: Parser;
  readonly Elf64_Shdr: Parser;
  readonly Elf64_Nhdr: Parser;
}

/** Parsers per EI_DATA: `le` for ELFDATA2LSB, `be` for ELFDATA2MSB. */
export const ELF64_LAYOUTS: { readonly le: ElfLayouts; readonly be: ElfLayouts } = {
  le: {
    Elf64_Ehdr: ehdrParser('little'),
    Elf64_Phdr: phdrParser('little'),
    Elf64_Shdr: shdrParser('little'),
    Elf64_Nhdr: nhdrParser('little'),
  },
  be: {
    Elf64_Ehdr: ehdrParser('big'),
    Elf64_Phdr: phdrParser('big'),
    Elf64_Shdr: shdrParser('big'),
    Elf64_Nhdr: nhdrParser('big'),
  },
};
