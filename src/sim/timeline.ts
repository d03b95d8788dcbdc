// What replay() returns: the layout it computed, what each phase did to the struct pages, and the facts the
// kernel would have printed (unavailable ranges, deferred boundary), for reports, checks and costs.
import type { Diagnostic, Range } from '../core/index.js';
import type { ArchProfile } from './arch.js';
import type { DeferredInitBug, DeferredWork, PhaseSummary, UnavailableRecord } from './context.js';
import type { DeferredGrow } from './phases/deferred-grow-zone.js';
import type { Layout, ZoneLayout } from './layout.js';
import type { MemMap, PageEvent } from './memmap.js';
import type { KernelEra } from './kernel-eras.js';
import type { MmProfile } from './mm-profiles.js';
import type { UnavailableTotal } from './phases/hole-accounting.js';
import type { KhoRun } from './phases/kho-run.js';
import type { KhoRestoreKind } from './phases/kho-types.js';
import type { KernelProfile } from './profiles.js';
import type { DeferredDecision, Scenario } from './scenario.js';
import type { KhoStrategy } from './strategies/strategy.js';

export interface TimelineZone extends ZoneLayout {
  /** Sum of the `On node N, zone Z: K pages in unavailable ranges` counts for this zone (computed). */
  readonly unavailablePages: number;
  /** Pages freed to the buddy at boot (memblock_free_all + deferred init). */
  readonly managedPages: number;
  /** set_zone_contiguous() verdict, null for an unpopulated zone. */
  readonly contiguous: boolean | null;
}

export interface TimelineNode {
  readonly nid: number;
  readonly startPfn: number;
  readonly endPfn: number;
  readonly spannedPages: number;
  readonly presentPages: number;
  /** first_deferred_pfn decided by memmap_init, null = ULONG_MAX (nothing deferred). */
  readonly firstDeferredPfn: number | null;
  /** All zones, empty ones included (renderers leave those out). */
  readonly zones: readonly TimelineZone[];
  /** Struct pages initialised by this node's pgdatinit thread. */
  readonly deferredPages: number;
}

/** The KHO side of a replay that received a handover image. */
export interface KhoSection {
  readonly profile: KernelProfile;
  /** Why this profile: --profile, the release the bundle names, or the image's ABI (profiles.ts chooseProfile). */
  readonly profileReason?: string;
  readonly strategy: KhoStrategy;
  readonly restoreKinds: ReadonlySet<KhoRestoreKind>;
  /** The image's blocks as classified, what the KHO phases observed, what was restored. */
  readonly run: KhoRun;
  /** memblock.reserved (bytes) as kho_memory_init() found it, before the preserved blocks were added. */
  readonly reservedBefore: readonly Range[];
}

export interface Timeline {
  readonly arch: ArchProfile;
  readonly mm: MmProfile;
  /** Why this mm profile (SimContext.mmReason). */
  readonly mmReason: string;
  /** The hole-accounting era the replay followed (chosen from the kernel release, kernel-eras.ts). */
  readonly era: KernelEra;
  /**
   * Before v5.12 (and 5.10.24 / 5.11.7) the kernel printed one node-less total instead of the per-zone lines
   * (`unavailable` and each zone's unavailablePages are then empty): that total, null in the other eras.
   */
  readonly unavailableTotal: UnavailableTotal | null;
  /** What was asked for. */
  readonly scenario: Scenario;
  /** DEFERRED_STRUCT_PAGE_INIT as replayed and why: `--deferred`, the profile, kernel config, early_page_ext. */
  readonly deferred: DeferredDecision;
  /** The KHO boot's own part; null for a plain boot. */
  readonly kho: KhoSection | null;
  /**
   * The `Memory: X/Y available` line (mem_init_print_info): Y is the sum of present pages; X is nr_free_pages()
   * when it prints: after memblock_free_all() and before deferred init in v6.1 (mm_init), after deferred init
   * where mem_init_print_info() moved to page_alloc_init_late() (mm/mm_init.c [MM-N]). Both are given, less the
   * pages x86 mem_init() allocates after memblock_free_all() (preallocate_vmalloc_pages, x86-mem-init.ts).
   */
  readonly memoryLine: {
    readonly totalKiB: number;
    readonly freeAtMemInitKiB: number;
    readonly freeAfterDeferredKiB: number;
    /** What memblock_free_all() gave the buddy outside the deferred part (X before mem_init's allocations). */
    readonly freedByMemblockFreeAllKiB: number;
    /** Pages mem_init() took before the print, the fewest the trace allows, and the rule followed. */
    readonly memInitAllocatedPages: number;
    readonly memInitAllocatedMinPages: number;
    readonly memInitAllocatedWhy: string;
    /** What the trace does not say that could change X (empty when X is exact by the rules). */
    readonly uncertain: readonly string[];
  };
  readonly layout: Layout;
  readonly nodes: readonly TimelineNode[];
  readonly phases: readonly PhaseSummary[];
  readonly events: readonly PageEvent[];
  readonly unavailable: readonly UnavailableRecord[];
  readonly deferredWork: readonly DeferredWork[];
  /** deferred_grow_zone() calls (Scenario.growZone), in order; empty when none were asked for. */
  readonly deferredGrows: readonly DeferredGrow[];
  /** Nodes whose deferred_init_memmap() hit BUG_ON(first_deferred_pfn > pgdat_end_pfn). */
  readonly deferredInitBugs: readonly DeferredInitBug[];
  readonly totalramPages: number;
  readonly memblockDiscarded: boolean;
  readonly diagnostics: readonly Diagnostic[];
  /** The final struct-page state, for strategies and checks. */
  readonly memmap: MemMap;
}
