// Records of the dmesg parser that other layers consume (the memblock simulator replays MemblockCall in order).
import type { Diagnostic } from '../../src/core/index.js';
import type { TimestampKind } from './prefix.js';

export type { TimestampKind };

/** A `memblock=debug` line: one call into memblock, as printed by 6.1's memblock_dbg() call sites. */
export type MemblockCallKind =
  | 'memblock_add'
  | 'memblock_add_node'
  | 'memblock_remove'
  | 'memblock_reserve'
  | 'memblock_free'
  | 'memblock_phys_free'
  | 'memblock_alloc' // any allocation summary line (memblock_alloc_try_nid, memblock_phys_alloc_range, ...)
  // memblock_double_array's own lines: `%s is doubled to %ld at [..]` and its `Failed to double` pr_err
  | 'memblock_double_array'
  | 'memblock_double_failed'
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
  /** Flags when printed: `flags 0x0` (3.x memblock_reserve) or `flags=%x` (memblock_add_node, __memblock_reserve). */
  readonly flags?: number;
  /** memblock_double_array lines: which array, and its new max (`to` of a failed doubling). */
  readonly arrayType?: 'memory' | 'reserved';
  readonly newMax?: number;
  /** Caller as printed: `setup_arch+0x797/0xd4f` (memblock_double_array lines: `memblock_double_array`). */
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
  /** `physmem` regions (arches with CONFIG_HAVE_MEMBLOCK_PHYS_MAP), when the dump has them. */
  readonly physmem?: readonly MemblockDumpRegion[];
  /** The printed `memory.cnt` / `reserved.cnt` (region lines actually read are the arrays above). */
  readonly memoryCnt?: number;
  readonly reservedCnt?: number;
}

export type ZoneName = 'DMA' | 'DMA32' | 'Normal' | 'HighMem' | 'Movable' | 'Device';

/** A `BIOS-e820:` / `user:` (user-defined physical RAM map) / `efi: mem..` line: [start, end) bytes and type. */
export interface E820Entry {
  readonly start: number;
  readonly end: number;
  /** Type word as printed: `usable`, `reserved`, `ACPI data`, `ACPI NVS`, `persistent (type 12)`, ... */
  readonly type: string;
  /** `; crypto-capable` after the type (e820__print_table since 5.19), present only when printed. */
  readonly cryptoCapable?: true;
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
  /** SRAT only, present when printed: ` hotplug` (ACPI_SRAT_MEM_HOT_PLUGGABLE), ` non-volatile`. */
  readonly hotplug?: true;
  readonly nonVolatile?: true;
}

/** `On node N, zone Z: K pages in unavailable ranges` (one line; a zone can have several). */
export interface UnavailableLine {
  readonly nid: number;
  readonly zone: ZoneName;
  readonly pages: number;
  readonly line: number;
  /** Timestamp in seconds when the log has one (added by the dmesg parser). */
  readonly time?: number;
}

/** `node N deferred pages initialised in Xms`. */
export interface DeferredInitTime {
  readonly nid: number;
  readonly ms: number;
  readonly line: number;
  /** Timestamp in seconds of the line (when the node's deferred init finished), when the log has one. */
  readonly time?: number;
}

/**
 * Everything parseDmesg() understood of one kernel log. Every input line is either parsed (counted in
 * parsedLines, ignored lines included) or unknown (counted in unknownLines, with a located diagnostic:
 * DMESG_UNKNOWN_LINE, or DMESG_BAD_VALUE / DMESG_LONG_LINE for malformedLines).
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

  // ---- added by the dmesg parser ----
  /** Lines recognised but deliberately not extracted (the reviewed lists of ignored.ts); part of parsedLines. */
  readonly ignoredLines: number;
  /**
   * Lines of a known shape with a bad value (address above 2^53, start above end: DMESG_BAD_VALUE) or too long
   * to be a kernel record (DMESG_LONG_LINE); part of unknownLines.
   */
  readonly malformedLines: number;
  /** ignoredLines by reason (the reasons of ignored.ts, blank lines, journal userspace records, ...). */
  readonly ignoredReasons: Readonly<Record<string, number>>;
  /** Lines of other boots skipped by parseDmesg's `boot` option; part of ignoredLines. */
  readonly otherBootLines: number;
  /**
   * Every diagnostic is located (file, line, column). An unknown line carries DMESG_UNKNOWN_LINE,
   * DMESG_BAD_VALUE or DMESG_LONG_LINE: one per record, so a captured line holding glued records can carry
   * several. Others: DMESG_MEMBLOCK_DUMP_COUNT/_TRUNCATED, DMESG_CUT_RECORD, DMESG_MULTIPLE_BOOTS.
   */
  readonly diagnostics: readonly Diagnostic[];
  /** How many lines carried each timestamp kind. */
  readonly timestampKinds: Readonly<Partial<Record<TimestampKind, number>>>;
  /** True when the log does not start at boot (no `Linux version` before the first memory line). */
  readonly headTruncated: boolean;
  /** `reserve setup_data:` entries after `extended physical RAM map:` (kexec_file, KHO on x86). */
  readonly setupDataE820: readonly E820Entry[];
  /** `modified:` entries after `modified physical RAM map:`. */
  readonly modifiedE820: readonly E820Entry[];
  readonly e820Edits: readonly E820Edit[];
  readonly numaMerges: readonly NumaMerge[];
  readonly nodeData: readonly NodeDataAlloc[];
  /** `Faking a node at [mem ..]` (no NUMA configuration): [start, end) bytes. */
  readonly fakeNode: { readonly start: number; readonly end: number } | null;
  /** Nodes printed as `Initmem setup node N as memoryless`. */
  readonly memorylessNodes: readonly number[];
  readonly memoryAvailable: readonly MemoryAvailable[];
  readonly memmapInit: readonly MemmapInitLine[];
  readonly mminit: readonly MminitLine[];
  /** 2.6-era PFN forms, empty on newer logs. */
  readonly zoneRangesPfn: readonly ZoneRangePfn[];
  readonly earlyNodeMapPfn: readonly NodeRangePfn[];
  readonly movableZoneStartPfn: Readonly<Record<number, number>>;
  /** `On node N totalpages: K` (old free_area_init_node). */
  readonly nodeTotalPages: Readonly<Record<number, number>>;
  readonly reservedMem: readonly ReservedMemLine[];
  /** Sum of `Zeroed struct page in unavailable ranges: N pages` lines (v4.19-v5.11, no node), null when absent. */
  readonly zeroedUnavailablePages: number | null;
  /** Sum of `Reserved but unavailable: N pages` lines (v4.15-v4.18 zero_resv_unavail), null when absent. */
  readonly reservedUnavailablePages: number | null;
  /** `kexec_core: Starting new kernel` (the old kernel's last words, spec 4.6): a kexec reboot follows. */
  readonly kexecMarkers: readonly KhoLine[];
  /**
   * Line of each `Linux version` banner. A serial console across a kexec holds two boots: every record list
   * above is in log order; parseDmesg's `boot` option reads one boot only.
   */
  readonly bootLines: readonly number[];
  readonly khoSummary: KhoSummary;
  /** KHO lines with line numbers (khoLines holds the same texts). */
  readonly kho: readonly KhoLine[];
}

// ---- Records added by the dmesg parser beyond the shared contract above. ----

/** `e820: update [mem ..] usable ==> reserved` / `e820: remove [mem ..] usable` (KERN_DEBUG edits). */
export interface E820Edit {
  readonly op: 'update' | 'remove';
  readonly start: number;
  readonly end: number;
  readonly fromType: string;
  /** For `update`: the new type; null for `remove`. */
  readonly toType: string | null;
  readonly line: number;
}

/** `NUMA: Node N [mem a] + [mem b] -> [mem c]`: x86 numa_cleanup_meminfo merging same-node blocks. */
export interface NumaMerge {
  readonly nid: number;
  readonly a: { readonly start: number; readonly end: number };
  readonly b: { readonly start: number; readonly end: number };
  readonly merged: { readonly start: number; readonly end: number };
  readonly line: number;
}

/** `NODE_DATA(N) allocated [mem ..]` (x86) or `NUMA: NODE_DATA [mem ..]` (arm64, riscv; nid from context). */
export interface NodeDataAlloc {
  readonly nid: number | null;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  /** `    NODE_DATA(%d) on node %d`: the node whose memory holds it, when it is not the node itself. */
  readonly onNode?: number;
}

/** `Memory: %luK/%luK available (... %luK reserved, %luK cma-reserved)`; 2.6 printed lower-case `k`. */
export interface MemoryAvailable {
  readonly availableKiB: number;
  readonly totalKiB: number;
  /** `NK reserved` when printed. */
  readonly reservedKiB: number | null;
  readonly cmaReservedKiB: number | null;
  /** `NK absent` (2.6 x86). */
  readonly absentKiB: number | null;
  readonly time?: number;
  readonly line: number;
}

/** `mminit::memmap_init Initialising map node N zone Z pfns A -> B` (mminit_loglevel>=4), [A, B) pfns. */
export interface MemmapInitLine {
  readonly nid: number;
  /** Zone index as printed (0 = DMA on x86_64). */
  readonly zoneIndex: number;
  readonly startPfn: number;
  readonly endPfn: number;
  readonly line: number;
}

/** Other `mminit::` lines, raw: tag (`pageflags_layout_widths`) and text. */
export interface MminitLine {
  readonly tag: string;
  readonly text: string;
  readonly line: number;
}

/** 2.6-era `Zone PFN ranges:` line: `  DMA      0x00000010 -> 0x00001000`, [startPfn, endPfn). */
export interface ZoneRangePfn {
  readonly zone: ZoneName;
  readonly startPfn: number | null;
  readonly endPfn: number | null;
}

/** 2.6-era `early_node_map[N] active PFN ranges` line: `    0: 0x00000010 -> 0x0000009c`, [startPfn, endPfn). */
export interface NodeRangePfn {
  readonly nid: number;
  readonly startPfn: number;
  readonly endPfn: number;
}

/** A firmware or boot reservation printed by the kernel: OF reserved-mem, CMA, DMA pools, crashkernel. [start, end) bytes. */
export interface ReservedMemLine {
  readonly kind: 'of-reserved-mem' | 'cma' | 'dma-pool' | 'crashkernel';
  readonly start: number;
  readonly end: number;
  /** Node name (`linux,cma`, `mmode_resv0@...`) or pool kind; '' when not printed. */
  readonly name: string;
  /** OF reserved-mem `nomap` (removed from the linear map: MEMBLOCK_NOMAP); false otherwise. */
  readonly nomap: boolean;
  readonly line: number;
}

/** What the KHO lines say (kernel/kexec_handover.c, pr_fmt `KHO: `; boot-pipeline.md 4.6). */
export interface KhoSummary {
  /** `KHO: found kexec handover data.`: this kernel was booted by kexec with a KHO FDT. */
  readonly found: boolean;
  /** `KHO: disabling KHO revival` or `Failed to reserve scratch area, disabling kexec handover`. */
  readonly disabled: boolean;
  /** `KHO: setup: handover FDT (0x%llx) is invalid: %d`. */
  readonly invalidFdt: { readonly addr: number; readonly err: number } | null;
  /** `KHO: scratch scale is %d%%`. */
  readonly scratchScalePercent: number | null;
  /** `KHO: scratch areas: lowmem: %lluMiB global: %lluMiB pernode: %lldMiB`. */
  readonly scratchMiB: { readonly lowmem: number; readonly global: number; readonly pernode: number } | null;
  /** `Revived memory reservation '%s' from KHO` names. */
  readonly revived: readonly string[];
}

/** A KHO-related line, with its line number. */
export interface KhoLine {
  readonly text: string;
  readonly line: number;
  readonly time?: number;
}
