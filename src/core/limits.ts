// Bounds for untrusted inputs (DESIGN.md, Errors): every count, length and depth read from a trace is
// checked against one of these before it is used.

export const LIMITS = {
  /** Largest FDT blob we accept (the kernel caps KHO's root at a few pages; user blobs are small). */
  FDT_MAX_BYTES: 64 * 1024 * 1024,
  /** Deepest FDT node nesting accepted (dtc itself refuses absurd depth). */
  FDT_MAX_DEPTH: 64,
  /** ELF program headers accepted in one core (kdump cores of huge hosts have thousands). */
  ELF_MAX_PHDRS: 1_000_000,
  /** Chunks followed in one kho-v1 chunk list before we call it a cycle or garbage. */
  KHO_MAX_CHUNKS: 16_000_000,
  /** Preserved blocks decoded from one image. */
  KHO_MAX_BLOCKS: 200_000_000,
  /** Lines read from one text file. */
  TEXT_MAX_LINES: 50_000_000,
  /**
   * Diagnostics of one code kept whole by a DiagnosticSink; the rest are counted in one entry (issue 13). A
   * report lists a few examples of each code anyway; this keeps a junk file's cost a count, not an object a line.
   */
  DIAGNOSTICS_KEPT_PER_CODE: 1000,
} as const;

export const U64_MAX_SAFE = Number.MAX_SAFE_INTEGER;
