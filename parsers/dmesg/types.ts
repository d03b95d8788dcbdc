// Records of the dmesg parser that other layers consume (the memblock simulator replays MemblockCall in order).

/** A `memblock=debug` line: one call into memblock, as printed by 6.1's memblock_dbg() call sites. */
export type MemblockCallKind =
  | 'memblock_add'
  | 'memblock_add_node'
  | 'memblock_remove'
  | 'memblock_reserve'
  | 'memblock_free'
  | 'memblock_phys_free'
  | 'memblock_alloc' // any allocation summary line (memblock_alloc_try_nid, memblock_phys_alloc_range, ...)
  | 'other';

export interface MemblockCall {
  /** The function name exactly as printed (`memblock_reserve`, `memblock_alloc_try_nid`, ...). */
  readonly fn: string;
  readonly kind: MemblockCallKind;
  /** Byte range [base, end) for range lines; for allocation lines the requested size with base 0. */
  readonly base: number;
  readonly end: number;
  /** For allocation lines: the printed `nid=`, `align=`, `from=`, `max_addr=` when present. */
  readonly nid?: number;
  readonly align?: number;
  readonly from?: number;
  readonly maxAddr?: number;
  /** Caller as printed: `setup_arch+0x797/0xd4f`. */
  readonly caller: string;
  /** Timestamp in seconds when the log has one. */
  readonly time?: number;
  /** 1-based line number in the source file. */
  readonly line: number;
}

/** One region line of a `MEMBLOCK configuration:` dump (or a debugfs line). */
export interface MemblockDumpRegion {
  readonly base: number;
  readonly size: number;
  /** null when no node is printed (x86 before numa init, or the `x` of debugfs). */
  readonly nid: number | null;
  readonly flags: number;
}

/** A whole `MEMBLOCK configuration:` dump as printed by __memblock_dump_all(). */
export interface MemblockDump {
  readonly time?: number;
  readonly line: number;
  readonly memorySize: number;
  readonly reservedSize: number;
  readonly memory: readonly MemblockDumpRegion[];
  readonly reserved: readonly MemblockDumpRegion[];
}
