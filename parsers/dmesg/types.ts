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

export type ZoneName = 'DMA' | 'DMA32' | 'Normal' | 'HighMem' | 'Movable' | 'Device';

/** A `BIOS-e820:` / `user:` (user-defined physical RAM map) / `efi: mem..` line: [start, end) bytes and type. */
export interface E820Entry {
  readonly start: number;
  readonly end: number;
  /** Type word as printed: `usable`, `reserved`, `ACPI data`, `ACPI NVS`, `persistent (type 12)`, ... */
  readonly type: string;
}

/** `Zone ranges:` as printed: a zone's [start, end) in bytes, or null for `empty`. */
export interface ZoneRangePrinted {
  readonly zone: ZoneName;
  readonly start: number | null;
  readonly end: number | null;
}

/** A node's range: `Early memory node ranges`, SRAT, `Initmem setup node`. [start, end) bytes. */
export interface NodeRange {
  readonly nid: number;
  readonly start: number;
  readonly end: number;
}

/** `On node N, zone Z: K pages in unavailable ranges` (one line; a zone can have several). */
export interface UnavailableLine {
  readonly nid: number;
  readonly zone: ZoneName;
  readonly pages: number;
  readonly line: number;
}

/** `node N deferred pages initialised in Xms`. */
export interface DeferredInitTime {
  readonly nid: number;
  readonly ms: number;
  readonly line: number;
}

/**
 * Everything parseDmesg() understood of one kernel log. Every input line is either parsed (counted in
 * parsedLines) or unknown (counted, and a DMESG_UNKNOWN_LINE diagnostic with its line number).
 * The dmesg helper may add fields; it must not remove these.
 */
export interface DmesgLog {
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  /** Kernel release from `Linux version X ...`, null when absent. */
  readonly kernelRelease: string | null;
  readonly commandLine: string | null;
  readonly e820: readonly E820Entry[];
  /** `user-defined physical RAM map:` entries (memmap= edited), empty when absent. */
  readonly userE820: readonly E820Entry[];
  readonly efi: readonly E820Entry[];
  readonly srat: readonly NodeRange[];
  readonly zoneRanges: readonly ZoneRangePrinted[];
  /** `Movable zone start for each node` lines: nid -> start address. */
  readonly movableZoneStart: Readonly<Record<number, number>>;
  readonly earlyNodeRanges: readonly NodeRange[];
  readonly initmemSetup: readonly NodeRange[];
  readonly unavailable: readonly UnavailableLine[];
  readonly deferredInit: readonly DeferredInitTime[];
  readonly memblockCalls: readonly MemblockCall[];
  readonly memblockDumps: readonly MemblockDump[];
  /** `found kexec handover data` and other KHO lines, raw. */
  readonly khoLines: readonly string[];
}
