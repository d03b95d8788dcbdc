// The host model: one merged view of everything a bundle says about the machine's memory, with the source of
// each fact. Built by loadBundle(); consumed by the simulator. Addresses are bytes, [start, end) half-open.
import type { Diagnostic } from '../core/index.js';
import type { MemmapEntry } from '../../parsers/cmdline/parse-memmap.js';
import type {
  DeferredInitTime,
  E820Entry,
  MemblockCall,
  MemblockDump,
  UnavailableLine,
  ZoneName,
  ZoneRangePrinted,
} from '../../parsers/dmesg/types.js';

export type { DeferredInitTime, E820Entry, UnavailableLine, ZoneName, ZoneRangePrinted };

export type Arch = 'x86_64' | 'arm64' | 'riscv64' | 'ppc64' | 'arm' | 'unknown';

/** Where a fact came from: a file of the bundle, and optionally its line. */
export interface FactSource {
  readonly file: string;
  readonly line?: number;
  /** The kind of evidence: 'dmesg', 'iomem', 'zoneinfo', 'memblock-debugfs', 'cmdline', 'arch-rule', ... */
  readonly kind: string;
}

export interface MemRegion {
  readonly start: number;
  readonly end: number;
  /** NUMA node, null when not known. */
  readonly nid: number | null;
  /** memblock flags (MEMBLOCK_* bits) when known, else 0. */
  readonly flags: number;
}

/** One `Node N, zone Z` block of /proc/zoneinfo, the fields the replay checks. */
export interface ZoneInfoEntry {
  readonly nid: number;
  readonly zone: ZoneName;
  readonly startPfn: number;
  readonly spanned: number;
  readonly present: number;
  readonly managed: number;
}

/** What the command line says about memory (parsed by parsers/cmdline). */
export interface MemoryCmdline {
  readonly raw: string;
  /** `kernelcore=`: bytes, a percentage, or 'mirror'. */
  readonly kernelcore?: { bytes: number } | { percent: number } | 'mirror';
  readonly movablecore?: { bytes: number } | { percent: number };
  readonly movableNode: boolean;
  readonly memblockDebug: boolean;
  readonly earlyPageExt: boolean;
  /** `mem=` in bytes. */
  readonly memLimit?: number;
  /** `kho=on|off`, `kho_scratch=` as given. */
  readonly kho?: boolean;
  readonly khoScratch?: string;
  /** Every `memmap=` argument as given. */
  readonly memmap: readonly string[];
  /** The `memmap=` entries as arch/x86/kernel/e820.c parse_memmap_one() reads them (absent when none). */
  readonly memmapEntries?: readonly MemmapEntry[];
  readonly numa?: string;
}

export interface HostTrace {
  readonly arch: Arch;
  readonly pageShift: number;
  readonly kernelRelease: string | null;
  /** Kernel config options that matter (`CONFIG_DEFERRED_STRUCT_PAGE_INIT` -> 'y', ...). */
  readonly config: Readonly<Record<string, string>>;
  readonly cmdline: MemoryCmdline | null;
  /** memblock `memory` as the kernel had it after NUMA init: regions with node ids. */
  readonly memory: readonly MemRegion[];
  /** memblock `reserved` at the last point the trace shows it, when known. */
  readonly reserved: readonly MemRegion[];
  readonly e820: readonly E820Entry[];
  /**
   * The e820 table the kernel went on with: the `user-defined`/`modified` map when printed, else the BIOS map,
   * with the kernel's own printed edits applied (`e820: update ... ==> ...`, `e820: remove`). Absent when the
   * trace has no e820 map (and on hosts built by hand).
   */
  readonly e820Table?: readonly E820Entry[];
  /** EFI memory map entries when the log has them (`efi: mem..` lines). */
  readonly efi: readonly E820Entry[];
  /** `Zone ranges:` as printed (empty when the log lacks it). */
  readonly zoneRanges: readonly ZoneRangePrinted[];
  /** `Movable zone start for each node`: nid -> start address (bytes). */
  readonly movableZoneStart: Readonly<Record<number, number>>;
  /** `Early memory node ranges` as printed. */
  readonly nodeRanges: readonly MemRegion[];
  readonly zoneinfo: readonly ZoneInfoEntry[];
  readonly unavailable: readonly UnavailableLine[];
  readonly deferredInit: readonly DeferredInitTime[];
  /** memblock=debug call log in order, when it was on. */
  readonly memblockCalls: readonly MemblockCall[];
  /** Every `MEMBLOCK configuration:` dump in order. */
  readonly memblockDumps: readonly MemblockDump[];
  /** Source of each top-level fact, keyed by field name of this interface. */
  readonly sources: Readonly<Record<string, FactSource[]>>;
  readonly diagnostics: readonly Diagnostic[];

  // ---- optional: filled by loadBundle(); a HostTrace built by hand (tests, the simulator) may omit them ----
  /** Every file of the bundle: what it was taken for and how much of it was understood. */
  readonly files?: readonly BundleFileReport[];
  /** /proc/iomem as read: boot RAM, reserved and hot-added ranges, [start, end) bytes. */
  readonly iomem?: IomemSummary;
  /** Per node: what sysfs says (cpus, distances, MemTotal, memory blocks). */
  readonly nodes?: readonly NodeSysfs[];
  /** The first processor's `flags` of /proc/cpuinfo (`la57`: the CPU can do 5-level paging), when captured. */
  readonly cpuFlags?: readonly string[];
  /** /sys/devices/system/memory/block_size_bytes, when captured. */
  readonly memoryBlockSizeBytes?: number;
  /** `Page block order:` of /proc/pagetypeinfo (pageblock_order of the running kernel), when captured. */
  readonly pageblockOrder?: number;
  /** /proc/buddyinfo: free blocks per order per zone, at capture time. */
  readonly buddyinfo?: readonly BuddyinfoRow[];
  /** Each cross-check that ran (or could not), with its outcome. Mismatches are also diagnostics. */
  readonly crossChecks?: readonly CrossCheck[];
}

export interface BundleFileReport {
  readonly path: string;
  /** What the file was taken for (`dmesg`, `iomem`, ...); `other` when known but not read, `unknown` when not. */
  readonly kind: string;
  /** 'name' when its path said so, 'content' when sniffed, 'none' when not recognised. */
  readonly recognisedBy: 'name' | 'content' | 'none';
  /** False when another file of the same kind was preferred, or the file is not read by the host model. */
  readonly used: boolean;
  /** Why a recognised file was not used. */
  readonly note?: string;
  readonly totalLines?: number;
  /** Lines read into the model, ignoredLines included. totalLines = parsedLines + unknownLines. */
  readonly parsedLines?: number;
  /** Lines of no known shape (or a known shape with a bad value), each with a located diagnostic. */
  readonly unknownLines?: number;
  /** Part of parsedLines: recognised and skipped on purpose (dmesg's ignore list, blank lines), by reason. */
  readonly ignoredLines?: number;
  readonly ignoredReasons?: Readonly<Record<string, number>>;
}

export interface IomemSummary {
  /** Top-level `System RAM`, merged. */
  readonly systemRam: readonly { start: number; end: number }[];
  readonly reserved: readonly { start: number; end: number; name: string }[];
  readonly softReserved: readonly { start: number; end: number }[];
  /** `System RAM (kmem)` and nested System RAM: onlined after boot, never memblock memory. */
  readonly hotAddedRam: readonly { start: number; end: number }[];
  readonly cxlWindows: readonly { start: number; end: number; name: string }[];
  /** The file was read without CAP_SYS_ADMIN: every address printed as 0. */
  readonly zeroed: boolean;
}

export interface NodeSysfs {
  readonly nid: number;
  /** Inclusive cpu id runs from nodeN/cpulist. */
  readonly cpus?: readonly { first: number; last: number }[];
  readonly distances?: readonly number[];
  /** nodeN/meminfo MemTotal: the node's managed memory, bytes. */
  readonly memTotalBytes?: number;
  /** memoryM blocks linked under the node. */
  readonly memoryBlocks?: readonly number[];
}

export interface BuddyinfoRow {
  readonly nid: number;
  readonly zone: string;
  readonly freeBlocks: readonly number[];
  readonly freePages: number;
}

export interface CrossCheck {
  /** Stable id: `e820-iomem`, `memory-zoneinfo`, ... */
  readonly id: string;
  /** Sources compared, as FactSource kinds. */
  readonly between: readonly string[];
  readonly status: 'ok' | 'mismatch' | 'skipped';
  readonly detail: string;
}

/**
 * A HostTrace that says nothing beyond what is given: no e820, zone prints, zoneinfo, log or diagnostics. For
 * hosts described by hand (test builders, the synthetic hosts of the benchmarks).
 */
export function describedHost(
  fields: Pick<HostTrace, 'memory'> & Partial<Omit<HostTrace, 'memory'>>,
): HostTrace {
  return {
    arch: 'x86_64',
    pageShift: 12,
    kernelRelease: null,
    config: {},
    cmdline: null,
    reserved: [],
    e820: [],
    efi: [],
    zoneRanges: [],
    movableZoneStart: {},
    nodeRanges: [],
    zoneinfo: [],
    unavailable: [],
    deferredInit: [],
    memblockCalls: [],
    memblockDumps: [],
    sources: {},
    diagnostics: [],
    ...fields,
  };
}
