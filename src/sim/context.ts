// The state a replay threads through its phases, and the per-phase bookkeeping. Phases are functions of a
// SimContext; the KHO strategies (next issue) add their own phases between them without changing these.
import type { Diagnostic, Range } from '../core/index.js';
import { firstEndingAfter } from '../core/index.js';
import type { ArchProfile } from './arch.js';
import type { KernelEra } from './kernel-eras.js';
import type { MemInitAllocation } from './x86-mem-init.js';
import type { Layout, ZoneLayout } from './layout.js';
import type { EarlyPfnToNid, PfnRegion } from './mem-regions.js';
import type { Memblock } from './memblock.js';
import type { MemMap, MemMapCensus, PageEvent } from './memmap.js';
import type { MmProfile } from './mm-profiles.js';
import type { DeferredGrow } from './phases/deferred-grow-zone.js';
import type { DeferredDecision } from './scenario.js';
import type { UnavailableTotal } from './phases/hole-accounting.js';

/** One `On node N, zone Z: K pages in unavailable ranges` the kernel would print (init_unavailable_range). */
export interface UnavailableRecord {
  readonly nid: number;
  readonly zid: number;
  readonly zone: string;
  /** The hole given to init_unavailable_range, and the pages of it that have a memmap. */
  readonly startPfn: number;
  readonly endPfn: number;
  readonly pages: number;
}

/** One padata_do_multithreaded() job of deferred_init_memmap() (kernel/padata.c, v6.1). */
/** A node whose pgdatinit thread found first_deferred_pfn past the node end (a kernel BUG at boot). */
export interface DeferredInitBug {
  readonly nid: number;
  readonly firstDeferredPfn: number;
  readonly nodeEndPfn: number;
}

export interface PadataJob {
  readonly start: number;
  readonly size: number;
  readonly nworks: number;
  readonly chunk: number;
  /** Pieces the workers take (each chunk-aligned). */
  readonly pieces: number;
}

/** The work of one pgdatinit thread (deferred_init_memmap), for the cost model. */
export interface DeferredWork {
  readonly nid: number;
  readonly zid: number;
  readonly firstDeferredPfn: number;
  /** Struct pages initialised and freed by this node's deferred init (free ranges only). */
  readonly pages: number;
  readonly freeRanges: number;
  readonly maxThreads: number;
  readonly jobs: readonly PadataJob[];
}

/** The phases a replay runs, named after the kernel function each models, in kernel order. */
export type PhaseName =
  | 'kho_populate'
  | 'memmap_init'
  | 'kho_memory_init'
  | 'memblock_free_all'
  | 'deferred_grow_zone'
  | 'page_alloc_init_late'
  | 'hugetlb_init'
  | 'kho_restore';

/**
 * When a phase's work runs, for the cost model: before SMP on the boot CPU (serial), by each node's pgdatinit
 * thread (per-node, mm/mm_init.c page_alloc_init_late -> deferred_init_memmap), or after boot by the consumers
 * of preserved memory (after-boot). A new phase adds its row here; nothing depends on the phases' order.
 */
export const PHASE_KIND = {
  kho_populate: 'serial',
  memmap_init: 'serial',
  kho_memory_init: 'serial',
  memblock_free_all: 'serial',
  // in the allocating context, before the pgdatinit threads exist
  deferred_grow_zone: 'serial',
  page_alloc_init_late: 'per-node',
  // an initcall on the boot CPU (its padata jobs are not the pgdatinit threads the per-node costs follow)
  hugetlb_init: 'serial',
  kho_restore: 'after-boot',
} as const satisfies Record<PhaseName, 'serial' | 'per-node' | 'after-boot'>;

export interface PhaseSummary {
  /** Kernel function the phase models (`memmap_init`, `memblock_free_all`, ...). */
  readonly name: PhaseName;
  readonly events: number;
  readonly initialised: number;
  readonly reserved: number;
  readonly freed: number;
  readonly read: number;
  readonly khoWritten: number;
  readonly uninitTouched: number;
  readonly noMemmapTouched: number;
  readonly doubleInit: number;
  readonly khoLost: number;
  /** struct-page totals after the phase. */
  readonly after: MemMapCensus;
}

export interface SimContext {
  readonly arch: ArchProfile;
  readonly mm: MmProfile;
  /** Why this mm profile: the kernel release it was chosen from, `--mm`, or the KHO profile's (report only). */
  readonly mmReason: string;
  /** How this kernel era counts hole pages, its arm64 pfn_valid() and SECTION_SIZE_BITS (kernel-eras.ts). */
  readonly era: KernelEra;
  readonly layout: Layout;
  /**
   * The boot's memblock (memory and reserved, src/sim/memblock.ts): the one model the phases read and change.
   * kho_memory_init() replaces it with a copy it reserves the preserved blocks in, so a context forked before
   * (compare: strategies from one plain boot) keeps its own.
   */
  memblock: Memblock;
  /** What x86 mem_init() allocates between memblock_free_all() and the `Memory:` line (x86-mem-init.ts). */
  readonly memInit: MemInitAllocation;
  /** The e820 table the kernel went on with (HostTrace.e820Table), null when the trace has none. */
  readonly e820Table: readonly { start: number; end: number; type: string }[] | null;
  readonly memmap: MemMap;
  /** DEFERRED_STRUCT_PAGE_INIT in effect (and not turned off by early_page_ext). */
  readonly deferred: boolean;
  /** Why: `--deferred on`, the profile, the kernel config, early_page_ext, or assumed. */
  readonly deferredDecision: DeferredDecision;
  /** first_deferred_pfn as decided by memmap_init (null = ULONG_MAX, nothing deferred on the node). */
  readonly firstDeferredPfn: Map<number, number | null>;
  /** NODE_DATA(nid)->first_deferred_pfn right now: deferred_init_memmap sets it back to ULONG_MAX. */
  readonly currentFirstDeferredPfn: Map<number, number | null>;
  memblockDiscarded: boolean;
  /** early_pfn_to_nid() of this boot, with its one-entry cache, over the memory regions (layout.memRanges). */
  readonly pfnToNid: EarlyPfnToNid;
  /** Deferred-init threads per node (CPUs of the node, or 1). */
  readonly threadsPerNode: ReadonlyMap<number, number>;
  /** page_ext_init() has a client (page_owner, ...): it then reads section-aligned struct pages. */
  readonly pageExt: boolean;
  readonly unavailable: UnavailableRecord[];
  /**
   * The node-less hole total of the kernels before v5.12 (hole-accounting.ts unavailableTotal), taken from the
   * memblock as free_area_init() sees it, before kho_memory_init() reserves anything (set by createSimContext).
   */
  unavailableTotal: UnavailableTotal | null;
  readonly deferredWork: DeferredWork[];
  /** deferred_grow_zone() calls the scenario asked for, in order (src/sim/phases/deferred-grow-zone.ts). */
  readonly deferredGrows: DeferredGrow[];
  /** deferred_init_memmap() hit BUG_ON(first_deferred_pfn > pgdat_end_pfn) on these nodes. */
  readonly deferredInitBugs: DeferredInitBug[];
  /** managed_pages per `${nid}:${zid}`, from the pages freed to the buddy. */
  readonly managed: Map<string, number>;
  /** totalram_pages as memblock_free_all counts it (whole free ranges, deferred parts included). */
  totalramPages: number;
  /** set_zone_contiguous() result per `${nid}:${zid}`. */
  readonly contiguous: Map<string, boolean>;
  readonly phases: PhaseSummary[];
  readonly diagnostics: Diagnostic[];
}

export function zoneKey(nid: number, zid: number): string {
  return `${nid}:${zid}`;
}

/** early_page_uninitialised(pfn) on node nid: pfn >= NODE_DATA(nid)->first_deferred_pfn (mm/page_alloc.c, v6.1). */
export function isDeferredPfn(ctx: SimContext, nid: number, pfn: number): boolean {
  const f = ctx.currentFirstDeferredPfn.get(nid);
  return f !== undefined && f !== null && pfn >= f;
}

/**
 * The zone of node nid spanning pfn, the first by index (zone_spans_pfn loop in init_reserved_page /
 * __init_page_from_nid); null when no zone of the node spans it.
 */
export function zoneSpanning(ctx: SimContext, nid: number, pfn: number): ZoneLayout | null {
  const node = ctx.layout.nodes.find((n) => n.nid === nid);
  if (!node) return null;
  for (const z of node.zones) if (z.spannedPages && pfn >= z.startPfn && pfn < z.endPfn) return z;
  return null;
}

/** Split [start, end) of node nid into pieces by the zone spanning each pfn (first zone index wins). */
export function splitByZone(
  ctx: SimContext,
  nid: number,
  start: number,
  end: number,
): { start: number; end: number; nid: number; zid: number | null }[] {
  const node = ctx.layout.nodes.find((n) => n.nid === nid);
  const cuts = new Set<number>([start, end]);
  for (const z of node?.zones ?? []) {
    if (!z.spannedPages) continue;
    if (z.startPfn > start && z.startPfn < end) cuts.add(z.startPfn);
    if (z.endPfn > start && z.endPfn < end) cuts.add(z.endPfn);
  }
  const pts = [...cuts].sort((a, b) => a - b);
  const out: { start: number; end: number; nid: number; zid: number | null }[] = [];
  for (let i = 0; i + 1 < pts.length; i++) {
    const s = pts[i]!;
    const e = pts[i + 1]!;
    const z = zoneSpanning(ctx, nid, s);
    out.push({ start: s, end: e, nid, zid: z ? z.zid : null });
  }
  return out;
}

/** Pfn ranges of [start, end) that have a memmap (pfn_valid), from the present sections. */
export function validParts(ctx: SimContext, start: number, end: number): Range[] {
  const secs = ctx.layout.presentSections;
  // sorted and disjoint: the first one ending after start, by binary search
  const lo = firstEndingAfter(secs, start);
  const out: Range[] = [];
  for (let i = lo; i < secs.length; i++) {
    const s = secs[i]!;
    if (s.end <= start) continue;
    if (s.start >= end) break;
    out.push({ start: Math.max(s.start, start), end: Math.min(s.end, end) });
  }
  return out;
}

/** Run a phase: everything `body` does to the memmap is summarised under `name`. */
export function runPhase(ctx: SimContext, name: PhaseName, body: () => void): PhaseSummary {
  const first = ctx.memmap.events.length;
  body();
  const evs = ctx.memmap.events.slice(first);
  const sum = (k: PageEvent['kind'], f: (e: PageEvent) => number = (e) => e.pages): number =>
    evs.filter((e) => e.kind === k).reduce((n, e) => n + f(e), 0);
  const all = (f: (e: PageEvent) => number): number => evs.reduce((n, e) => n + f(e), 0);
  const s: PhaseSummary = {
    name,
    events: evs.length,
    initialised: sum('init'),
    reserved: sum('reserve'),
    freed: sum('free'),
    read: sum('read'),
    khoWritten: sum('write'),
    uninitTouched: all((e) => e.uninitPages),
    noMemmapTouched: all((e) => e.noMemmapPages),
    doubleInit: all((e) => e.doubleInitPages),
    khoLost: all((e) => e.khoLostPages),
    after: ctx.memmap.census(),
  };
  ctx.phases.push(s);
  return s;
}

export type { PfnRegion };
