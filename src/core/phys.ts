// Physical memory as a dump presents it: the KHO decoders read the preserved-memory map through this,
// whether it comes from an ELF core (parsers/elf-core) or a test double.

export interface PhysMemory {
  /** Display name of the dump, for locations. */
  readonly name: string;
  /** True when every byte of [addr, addr + length) is present in the dump. */
  hasPhys(addr: number, length: number): boolean;
  /**
   * Read [addr, addr + length) of physical memory. Throws a TraceError (ELF_ERR_NOT_IN_DUMP, with `what` as
   * the field) when any byte is missing: the caller names what it was reading (`chunk[3]`, `radix level 2`).
   */
  readPhys(addr: number, length: number, what: string): Uint8Array;
  /**
   * readPhys(addr, out.length, what) into the caller's buffer, with the same errors: a reader of a large structure
   * in pieces reuses one buffer. Optional; without it the caller copies what readPhys returns.
   */
  readPhysInto?(addr: number, out: Uint8Array, what: string): void;
  /**
   * Bytes of physical memory the dump holds from its file (zero-filled tails excluded), when known: a decoder
   * bounds what it can find in them before it sizes anything (every preserved block is one set bit of a bitmap
   * held here).
   */
  readonly heldBytes?: number;
}
