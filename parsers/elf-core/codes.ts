// Stable error and diagnostic codes of the ELF core reader (DESIGN.md, Errors).

/** TraceError codes: the core cannot be used as physical memory (or a read asked for absent memory). */
export const ELF_ERR = {
  /** e_ident does not start with `\x7fELF`. */
  BADMAGIC: 'ELF_ERR_BADMAGIC',
  /** EI_CLASS is not ELFCLASS64. */
  BADCLASS: 'ELF_ERR_BADCLASS',
  /** EI_DATA is neither ELFDATA2LSB nor ELFDATA2MSB. */
  BADDATA: 'ELF_ERR_BADDATA',
  /** e_type is not ET_CORE. */
  BADTYPE: 'ELF_ERR_BADTYPE',
  /** An Elf64_Ehdr field is unusable: e_phentsize too small, u64 above 2^53, PN_XNUM without section 0. */
  BADHDR: 'ELF_ERR_BADHDR',
  /** More program headers than LIMITS.ELF_MAX_PHDRS. */
  BADPHNUM: 'ELF_ERR_BADPHNUM',
  /** The file ends before a header, the program header table, or a segment's p_offset + p_filesz. */
  TRUNCATED: 'ELF_ERR_TRUNCATED',
  /** A PT_LOAD field is invalid: u64 above 2^53, p_filesz > p_memsz, p_paddr + p_memsz above 2^53. */
  BADPHDR: 'ELF_ERR_BADPHDR',
  /** A PT_NOTE segment does not decode as Elf64_Nhdr records. */
  BADNOTE: 'ELF_ERR_BADNOTE',
  /** readPhys asked for physical memory that no PT_LOAD covers. */
  NOT_IN_DUMP: 'ELF_ERR_NOT_IN_DUMP',
  /** readPhys asked for more than READ_MAX_BYTES at once (a length taken from a corrupt structure). */
  READ_LIMIT: 'ELF_ERR_READ_LIMIT',
} as const;

/** Diagnostic codes: the core is usable, but the user should know. */
export const ELF_DIAG = {
  /** EI_VERSION or e_version is not EV_CURRENT (warning). */
  VERSION: 'ELF_VERSION',
  /** e_phentsize larger than sizeof(Elf64_Phdr); the extra bytes of each entry are skipped (warning). */
  PHENTSIZE: 'ELF_PHENTSIZE',
  /** No PT_LOAD with a physical address: nothing can be read (warning). */
  NO_LOAD: 'ELF_NO_LOAD',
  /** PT_LOADs with p_paddr all ones were skipped: /proc/kcore vmalloc and module areas (info). */
  VADDR_ONLY: 'ELF_VADDR_ONLY',
  /** PT_LOADs with p_filesz < p_memsz: the tail reads as zeros, or is absent with zeroFill: false (info). */
  ZERO_FILL: 'ELF_ZERO_FILL',
  /** PT_LOADs overlap in physical memory; the first in program-header order wins (info). */
  OVERLAP: 'ELF_OVERLAP',
  /** PT_LOADs with p_offset -1 and p_filesz 0: memory qemu did not store; absent, not zeros (info). */
  NOT_CAPTURED: 'ELF_NOT_CAPTURED',
  /** PT_LOADs whose p_offset is above 2^53 were skipped: /proc/kcore's kernel text (info). */
  FAR_OFFSET: 'ELF_FAR_OFFSET',
  /** PT_LOADs with p_memsz 0 were skipped (info). */
  EMPTY_LOAD: 'ELF_EMPTY_LOAD',
  /** Program headers other than PT_LOAD, PT_NOTE, PT_NULL were skipped (info). */
  OTHER_PHDR: 'ELF_OTHER_PHDR',
  /** Several PT_LOADs at p_paddr 0: an old /proc/kcore that did not fill p_paddr (warning). */
  PADDR_ZERO: 'ELF_PADDR_ZERO',
} as const;
