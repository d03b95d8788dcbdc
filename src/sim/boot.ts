// The boot engine: the phases of the incoming kernel's early memory init in kernel order (boot-pipeline.md
// §3.10): free_area_init (layout) -> memmap_init -> [KHO deserialize] -> memblock_free_all -> page_alloc_init_late.
import type { Diagnostic } from '../core/index.js';
import { NO_PROGRESS, TraceError } from '../core/index.js';
import type { HostTrace } from '../trace/host-trace.js';
import { archProfileFor, withSectionSizeBits } from './arch.js';
import { withHostPageblockOrder } from './pageblock-order.js';
import { bootMemblock } from './boot-tables.js';
import type { SimContext } from './context.js';
import { zoneKey } from './context.js';
import { eraDiagnostics, kernelEraFor } from './kernel-eras.js';
import { x86MemInitAllocation } from './x86-mem-init.js';
import { computeLayout } from './layout.js';
import { EarlyPfnToNid, pfnRegionSource } from './mem-regions.js';
import { MemMap } from './memmap.js';
import { mmProfileByName, mmProfileChoice, mmProfileDiagnostics } from './mm-profiles.js';
import { memblockFreeAll } from './phases/memblock_free_all.js';
import { unavailableTotal } from './phases/hole-accounting.js';
import { memmapInit } from './phases/memmap_init.js';
import { pageAllocInitLate } from './phases/page_alloc_init_late.js';
import { deferredGrowZones } from './phases/deferred-grow-zone.js';
import { hugetlbInitGatherBootmem } from './phases/hugetlb-bootmem.js';
import type { DeferredDecision, Scenario } from './scenario.js';
import type { KhoSection, Timeline, TimelineNode } from './timeline.js';

/** Called between the boot phases: a KHO boot inserts its phases here (src/sim/replay.ts). */
export interface BootHooks {
  /** setup_arch() before free_area_init: kho_populate() runs here. */
  readonly beforeMemmapInit?: (ctx: SimContext) => void;
  readonly afterMemmapInit?: (ctx: SimContext) => void;
  readonly afterMemblockFreeAll?: (ctx: SimContext) => void;
  readonly afterPageAllocInitLate?: (ctx: SimContext) => void;
}

/** A KHO boot without --deferred: the kernel profile's default decides. */
export interface ProfileDeferral {
  readonly name: string;
  readonly on: boolean;
}

function deferredSetting(
  host: HostTrace,
  opt: Scenario['deferred'],
  profile: ProfileDeferral | undefined,
  diags: Diagnostic[],
): DeferredDecision {
  if (opt === 'on' || opt === 'off') return { on: opt === 'on', reason: `--deferred ${opt}`, source: 'flag' };
  if (profile)
    return {
      on: profile.on,
      reason: `profile ${profile.name} default: ${profile.on ? 'on' : 'off'}`,
      source: 'profile',
    };
  const v = host.config['CONFIG_DEFERRED_STRUCT_PAGE_INIT'];
  if (v !== undefined)
    return { on: v === 'y', reason: `CONFIG_DEFERRED_STRUCT_PAGE_INIT=${v}`, source: 'config' };
  // deferred struct page init appeared in v4.2 (Mel Gorman's series, boot-pipeline.md [P-MEL-2015])
  const m = host.kernelRelease ? /^(\d+)\.(\d+)/.exec(host.kernelRelease) : null;
  if (m && Number(m[1]) * 1000 + Number(m[2]) < 4002) {
    return {
      on: false,
      reason: `kernel ${host.kernelRelease} predates DEFERRED_STRUCT_PAGE_INIT (v4.2)`,
      source: 'release',
    };
  }
  diags.push({
    code: 'SIM_DEFERRED_ASSUMED',
    severity: 'info',
    message: 'the trace has no kernel config: DEFERRED_STRUCT_PAGE_INIT assumed on (distribution default)',
  });
  return { on: true, reason: 'assumed (no kernel config in the trace)', source: 'assumed' };
}

/** Build the context the phases share: layout, the memblock, an all-uninitialised memmap. */
export function createSimContext(
  host: HostTrace,
  options: Scenario = {},
  profileDeferral?: ProfileDeferral,
): SimContext {
  const diagnostics: Diagnostic[] = [];
  const bundle = options.bundleName ?? 'the bundle';
  const archSource = host.sources['arch']?.[0];
  const era = options.era ?? kernelEraFor(host.kernelRelease, host.arch);
  diagnostics.push(...eraDiagnostics(era));
  const hostArch = () => {
    const a = archProfileFor(host.arch, host.pageShift, {
      archFile: archSource?.file ?? bundle,
      pageShiftFile: host.sources['pageShift']?.[0]?.file ?? bundle,
      ...(archSource ? { archKind: archSource.kind } : {}),
    });
    // pageblock_order as the host's kernel has it (src/sim/pageblock-order.ts)
    return withHostPageblockOrder(
      a.arch === 'arm64' ? withSectionSizeBits(a, era.arm64SectionSizeBits) : a,
      host,
    );
  };
  const arch = options.archProfile ?? hostArch();
  if (host.arch === 'unknown') {
    diagnostics.push({
      code: 'SIM_ARCH_ASSUMED',
      severity: 'warning',
      message: 'the trace does not say its architecture: replayed with the x86_64 rules',
    });
  }
  const mmChoice = options.mmProfile
    ? null
    : mmProfileChoice(host.kernelRelease, host.sources['kernelRelease']?.[0]?.file);
  if (mmChoice) diagnostics.push(...mmProfileDiagnostics(mmChoice));
  const mm =
    typeof options.mmProfile === 'object'
      ? options.mmProfile
      : options.mmProfile
        ? mmProfileByName(options.mmProfile)
        : mmChoice!.profile;
  const mmReason = mmChoice ? mmChoice.reason : (options.mmReason ?? 'given by the caller');
  const memblock = options.memblock
    ? options.memblock.clone()
    : bootMemblock(host, options.reservedFrom ?? 'trace', diagnostics, arch.PAGE_SHIFT).memblock;
  if (memblock.memory.count === 0) {
    throw new TraceError({
      code: 'TRACE_ERR_NO_MEMORY_MAP',
      location: { file: bundle },
      expected: 'a memory map: memblock memory (dump or debugfs), `Early memory node ranges`, or an e820 map',
      found: 'none of them',
    });
  }
  const e820GivesReserved =
    era.x86E820Reserved && arch.arch === 'x86_64' && (host.e820Table?.length ?? 0) > 0;
  if (era.holes === 'reserved-unavailable' && memblock.reserved.count === 0 && !e820GivesReserved) {
    diagnostics.push({
      code: 'SIM_UNAVAILABLE_TOTAL_NO_RESERVED',
      severity: 'warning',
      message:
        'this kernel counts `Reserved but unavailable` pages from memblock.reserved (v4.15-v4.18 zero_resv_unavail), which the trace does not give (no memblock=debug log or dump): the total is not computed from it',
    });
  }
  const layout = computeLayout(
    {
      host,
      arch,
      memblock,
      ignorePrinted: options.ignorePrinted ?? false,
      zoneDmaBits: options.zoneDmaBits ?? 32,
    },
    diagnostics,
  );
  let decision = deferredSetting(host, options.deferred, profileDeferral, diagnostics);
  if (decision.on && host.cmdline?.earlyPageExt)
    decision = {
      ...decision,
      on: false,
      reason: `${decision.reason}, but early_page_ext turns deferral off`,
    };
  const threads = new Map<number, number>();
  for (const n of layout.nodes) {
    const c = options.cpusPerNode;
    const cpus = typeof c === 'number' ? c : (c?.[n.nid] ?? 1);
    const fromCpus = mm.threadsFromNodeCpus === 'all' || arch.perNodeCpuThreads;
    threads.set(n.nid, fromCpus ? Math.max(cpus, 1) : 1);
  }
  const limit = layout.presentSections.reduce((m, r) => Math.max(m, r.end), layout.maxPfn);
  const ctx: SimContext = {
    arch,
    mm,
    mmReason,
    era,
    layout,
    memblock,
    e820Table: host.e820Table ?? null,
    memInit: x86MemInitAllocation(host),
    memmap: new MemMap(layout.presentSections, limit),
    deferred: decision.on,
    deferredDecision: decision,
    firstDeferredPfn: new Map(),
    currentFirstDeferredPfn: new Map(),
    memblockDiscarded: false,
    pfnToNid: new EarlyPfnToNid(pfnRegionSource(layout.memRanges), layout.firstOnlineNode),
    threadsPerNode: threads,
    pageExt: options.pageExt ?? true,
    unavailable: [],
    deferredWork: [],
    deferredGrows: [],
    deferredInitBugs: [],
    managed: new Map(),
    totalramPages: 0,
    contiguous: new Map(),
    phases: [],
    diagnostics,
    unavailableTotal: null,
  };
  // zero_resv_unavail() / init_unavailable_mem() run in free_area_init(), on memblock as the boot starts
  ctx.unavailableTotal = unavailableTotal(ctx);
  return ctx;
}

/** Pages memblock_discard() freed (the doubled memblock arrays), in page_alloc_init_late after the `Memory:` line. */
function discardFreed(ctx: SimContext): number {
  let n = 0;
  for (const e of ctx.memmap.events) if (e.kind === 'free' && e.fn === 'memblock_discard') n += e.pages;
  return n;
}

/** The `Memory: X/Y available` numbers the replay predicts (Timeline.memoryLine). */
function memoryLine(ctx: SimContext): Timeline['memoryLine'] {
  const kib = 2 ** (ctx.arch.PAGE_SHIFT - 10);
  const freed = (name: string): number => ctx.phases.find((p) => p.name === name)?.freed ?? 0;
  const present = ctx.layout.nodes.reduce((s, n) => s + n.presentPages, 0);
  const freedAll = freed('memblock_free_all');
  // mem_init() allocates after memblock_free_all() and before either print point
  const m = ctx.memInit;
  const atMemInit = freedAll - m.pages;
  return {
    totalKiB: present * kib,
    freeAtMemInitKiB: atMemInit * kib,
    // memblock_discard() frees its doubled arrays after mem_init_print_info(): not in the printed number
    freeAfterDeferredKiB: (atMemInit + freed('page_alloc_init_late') - discardFreed(ctx)) * kib,
    freedByMemblockFreeAllKiB: freedAll * kib,
    memInitAllocatedPages: m.pages,
    memInitAllocatedMinPages: m.minPages,
    memInitAllocatedWhy: m.why,
    uncertain: m.uncertain,
  };
}

/** Assemble the Timeline from a context the phases have run on. */
export function finishTimeline(ctx: SimContext, scenario: Scenario, kho: KhoSection | null): Timeline {
  const nodes: TimelineNode[] = ctx.layout.nodes.map((n) => ({
    nid: n.nid,
    startPfn: n.startPfn,
    endPfn: n.endPfn,
    spannedPages: n.spannedPages,
    presentPages: n.presentPages,
    firstDeferredPfn: ctx.firstDeferredPfn.get(n.nid) ?? null,
    deferredPages: ctx.deferredWork.filter((w) => w.nid === n.nid).reduce((s, w) => s + w.pages, 0),
    zones: n.zones.map((z) => ({
      ...z,
      unavailablePages: ctx.unavailable
        .filter((u) => u.nid === n.nid && u.zid === z.zid)
        .reduce((s, u) => s + u.pages, 0),
      managedPages: ctx.managed.get(zoneKey(n.nid, z.zid)) ?? 0,
      contiguous: ctx.contiguous.get(zoneKey(n.nid, z.zid)) ?? null,
    })),
  }));
  return {
    arch: ctx.arch,
    mm: ctx.mm,
    mmReason: ctx.mmReason,
    era: ctx.era,
    unavailableTotal: ctx.unavailableTotal,
    memoryLine: memoryLine(ctx),
    scenario,
    deferred: ctx.deferredDecision,
    kho,
    layout: ctx.layout,
    nodes,
    phases: ctx.phases,
    events: ctx.memmap.events,
    unavailable: ctx.unavailable,
    deferredWork: ctx.deferredWork,
    deferredGrows: ctx.deferredGrows,
    deferredInitBugs: ctx.deferredInitBugs,
    totalramPages: ctx.totalramPages,
    memblockDiscarded: ctx.memblockDiscarded,
    diagnostics: ctx.diagnostics,
    memmap: ctx.memmap,
  };
}

/**
 * The boot phases of the incoming kernel in order, with the KHO phases (if any) run from `hooks`. The public
 * entry point is replay() (src/sim/replay.ts); this is its engine.
 */
export function runBoot(
  host: HostTrace,
  scenario: Scenario,
  hooks: BootHooks = {},
  profileDeferral?: ProfileDeferral,
): SimContext {
  return continueBoot(startBoot(host, scenario, hooks, profileDeferral), scenario, hooks);
}

/**
 * The boot up to where KHO strategies diverge: free_area_init, kho_populate (beforeMemmapInit) and memmap_init.
 * compare and check replay one image under several strategies: they run this once and continueBoot() a copy of
 * the context per strategy (src/sim/fork.ts forkContext).
 */
export function startBoot(
  host: HostTrace,
  scenario: Scenario,
  hooks: BootHooks = {},
  profileDeferral?: ProfileDeferral,
): SimContext {
  const progress = scenario.onProgress ?? NO_PROGRESS;
  progress('free_area_init');
  const ctx = createSimContext(host, scenario, profileDeferral);
  hooks.beforeMemmapInit?.(ctx);
  progress('memmap_init');
  memmapInit(ctx);
  return ctx;
}

/** The rest of the boot after startBoot(): kho_memory_init (afterMemmapInit) on. */
export function continueBoot(ctx: SimContext, scenario: Scenario, hooks: BootHooks = {}): SimContext {
  const progress = scenario.onProgress ?? NO_PROGRESS;
  hooks.afterMemmapInit?.(ctx);
  progress('memblock_free_all');
  memblockFreeAll(ctx);
  hooks.afterMemblockFreeAll?.(ctx);
  // allocations short of initialised pages before the pgdatinit threads run (the scenario names them)
  deferredGrowZones(ctx, scenario.growZone ?? []);
  progress('page_alloc_init_late');
  pageAllocInitLate(ctx);
  // before v7.2 the gigantic hugetlb tails are set up by an initcall after page_alloc_init_late()
  if (!ctx.mm.hugetlbBootmemStructPageInit) hugetlbInitGatherBootmem(ctx);
  hooks.afterPageAllocInitLate?.(ctx);
  return ctx;
}
