// The `replay --json` document (schema kexec-replay/replay/1): a contract, new keys may be added, none removed.
import type { Diagnostic, SourceLocation } from '../core/index.js';
import type { Costs, CostPhaseKind } from '../cost/index.js';
import type { Finding } from '../check/kho-findings.js';
import { restoreLabel } from '../sim/scenario.js';
import type { Timeline } from '../sim/timeline.js';
import type { FindingJson } from './findings-json.js';
import type { JsonRanges } from './json-stream.js';
import { findingsToJson } from './findings-json.js';

export const REPLAY_SCHEMA = 'kexec-replay/replay/1';

export interface ReplayJsonZone {
  name: string;
  startPfn: number;
  spannedPages: number;
  presentPages: number;
  unavailablePages: number;
  managedPages: number;
  contiguous: boolean | null;
}

export interface ReplayJson {
  schema: typeof REPLAY_SCHEMA;
  bundle: string;
  arch: string;
  mmProfile: string;
  /** The hole-accounting era the replay followed (src/sim/kernel-eras.ts), with the commits of its rules. */
  kernelEra: {
    name: string;
    base: string | null;
    holes: string;
    holesCommit: string;
    arm64PfnValid: string;
    pfnValidCommit: string;
    arm64SectionSizeBits: number;
    x86E820Reserved: boolean;
    x86E820ReservedCommit: string;
    uncertain: string[];
  };
  /** The node-less total kernels before v5.12 printed instead of the per-zone lines; null in other eras. */
  unavailableTotal: { line: string; pages: number } | null;
  /** The `Memory: X/Y available` line as predicted: Y, and X at mem_init (v6.1) or after deferred init (newer). */
  memoryLine: {
    totalKiB: number;
    freeAtMemInitKiB: number;
    freeAfterDeferredKiB: number;
    /** X before mem_init()'s own allocations, and those allocations (x86 preallocate_vmalloc_pages). */
    freedByMemblockFreeAllKiB: number;
    memInitAllocatedPages: number;
    memInitAllocatedMinPages: number;
    memInitAllocatedWhy: string;
    uncertain: string[];
  };
  deferred: { on: boolean; reason: string };
  /** Whether page_ext_init() read struct pages in this replay, and why (present when the caller decided it). */
  pageExt?: { on: boolean; reason: string };
  nodes: {
    nid: number;
    startPfn: number;
    endPfn: number;
    spannedPages: number;
    presentPages: number;
    firstDeferredPfn: number | null;
    deferredPages: number;
    zones: ReplayJsonZone[];
  }[];
  /**
   * KHO boots: findingsToJson() plus `fn` (= kernelFunction) and `message` (= title); plain boots: the first
   * schema's keys (code, severity, phase, fn, pages, ranges, message) then kernelFunction, rangeUnit, title.
   */
  findings: ((FindingJson & { fn: string; message: string }) | PlainFindingJson)[];
  phases: {
    name: string;
    initialised: number;
    reserved: number;
    freed: number;
    read: number;
    uninitTouched: number;
    noMemmapTouched: number;
    doubleInit: number;
    after: { memmap: number; init: number; uninit: number; reserved: number; buddy: number };
  }[];
  deferredWork: {
    nid: number;
    zone: string;
    firstDeferredPfn: number;
    pages: number;
    maxThreads: number;
    /** padata_do_multithreaded() jobs: `start`/`size` in pfns/pages as the kernel names them, and the same as a range. */
    jobs: {
      start: number;
      size: number;
      nworks: number;
      chunk: number;
      pieces: number;
      startPfn: number;
      endPfn: number;
    }[];
  }[];
  totalramPages: number;
  layout: { zoneLimitsFrom: string; zoneMovableFrom: string };
  /** The loader's (bundle files), then the simulator's, then the cost model's. */
  diagnostics: {
    code: string;
    severity: string;
    message: string;
    /** Which step said it: reading the bundle, the replay, or the cost model. */
    from: 'bundle' | 'replay' | 'cost';
    location?: SourceLocation;
  }[];
  /** src/cost over this replay: struct pages per phase in ms, serial vs per-node parallel, and the rate used. */
  costs?: ReplayJsonCosts;
  /** KHO boots: the kernel profile, the strategy and what was restored (`--restore` spelling). */
  profile?: string;
  /**
   * Why that profile (--profile, the release the bundle names, the image's ABI), its status, why the mm profile
   * (`mmReason` for a plain boot too: the kernel release it was chosen from, or `--mm`).
   */
  profileReason?: string;
  profileStatus?: string;
  mmReason?: string;
  strategy?: string;
  restore?: string;
}

export interface PlainFindingJson {
  code: string;
  severity: string;
  phase: string;
  /** Deprecated: the same as `kernelFunction`. */
  fn: string;
  pages: number;
  ranges: JsonRanges;
  /** Deprecated: `N struct pages (fn in phase)`; `title` says what the finding is. */
  message: string;
  kernelFunction: string;
  rangeUnit: 'pfn';
  title: string;
}

export interface ReplayJsonCosts {
  ratePerPageNs: number;
  rateSource: {
    kind: 'calibrated' | 'default' | 'given';
    detail: string;
    calibration: {
      nid: number;
      printedMs: number;
      line: number;
      pages: number;
      threads: number;
      ratePerPageNs: number;
    }[];
    jiffyMs: number | null;
  };
  serialMs: number;
  parallelMs: number;
  bootCriticalMs: number;
  restoreMs: number;
  phases: {
    phase: string;
    kind: CostPhaseKind;
    pagesInitialised: number;
    ms: number;
    functions: { fn: string; pages: number }[];
    perNode?: {
      nid: number;
      pages: number;
      ms: number;
      threads: number;
      ratePerPageNs: number;
      rateFrom: 'node' | 'pooled' | 'default';
      printedMs?: number;
    }[];
  }[];
}

/** What the replay report carries besides the timeline. */
export interface ReplayReportInput {
  /** src/check over the timeline (default: none). */
  readonly findings?: readonly Finding[];
  /** The bundle loader's diagnostics (host files, and the KHO image's when there is one). */
  readonly loaderDiagnostics?: readonly Diagnostic[];
  readonly costs?: Costs;
  /** page_ext_init() has a client on this host, and why (src/sim/boot-options.ts). */
  readonly pageExt?: { readonly on: boolean; readonly reason: string };
}

/** Every diagnostic of a replay, in the order it arose: bundle, replay, cost. */
export function replayDiagnostics(
  tl: Pick<Timeline, 'diagnostics'>,
  input: ReplayReportInput = {},
): { d: Diagnostic; from: 'bundle' | 'replay' | 'cost' }[] {
  return [
    ...(input.loaderDiagnostics ?? []).map((d) => ({ d, from: 'bundle' as const })),
    ...tl.diagnostics.map((d) => ({ d, from: 'replay' as const })),
    ...(input.costs?.diagnostics ?? []).map((d) => ({ d, from: 'cost' as const })),
  ];
}

function costsToJson(c: Costs): ReplayJsonCosts {
  return {
    ratePerPageNs: c.ratePerPageNs,
    rateSource: {
      kind: c.rateSource.kind,
      detail: c.rateSource.detail,
      calibration: c.rateSource.calibration.map((r) => ({
        nid: r.nid,
        printedMs: r.printedMs,
        line: r.line,
        pages: r.pages,
        threads: r.threads,
        ratePerPageNs: r.ratePerPageNs,
      })),
      jiffyMs: c.rateSource.jiffyMs,
    },
    serialMs: c.serialMs,
    parallelMs: c.parallelMs,
    bootCriticalMs: c.bootCriticalMs,
    restoreMs: c.restoreMs,
    phases: c.phases.map((p) => ({
      phase: p.phase,
      kind: p.kind,
      pagesInitialised: p.pagesInitialised,
      ms: p.ms,
      functions: p.functions.map((f) => ({ fn: f.fn, pages: f.pages })),
      ...(p.perNode
        ? {
            perNode: p.perNode.map((n) => ({
              nid: n.nid,
              pages: n.pages,
              ms: n.ms,
              threads: n.threads,
              ratePerPageNs: n.ratePerPageNs,
              rateFrom: n.rateFrom,
              ...(n.printedMs !== undefined ? { printedMs: n.printedMs } : {}),
            })),
          }
        : {}),
    })),
  };
}

/**
 * The findings as replay/1 has always carried them: a KHO boot's with every key of findingsToJson() plus `fn` and
 * `message` (= title); a plain boot's in the first schema's keys, message `N struct pages (fn in phase)`, then
 * kernelFunction, rangeUnit and title, so every finding has the keys `fn` and `message` are deprecated for.
 */
function findingsJson(tl: Timeline, fs: readonly Finding[]): ReplayJson['findings'] {
  const all = findingsToJson(fs);
  if (tl.kho) return all.map((f) => ({ ...f, fn: f.kernelFunction, message: f.title }));
  return all.map((f) => ({
    code: f.code,
    severity: f.severity,
    phase: f.phase,
    fn: f.kernelFunction,
    pages: f.pages,
    ranges: f.ranges,
    message: `${f.pages} struct pages (${f.kernelFunction} in ${f.phase})`,
    // added after the first schema's keys, so those keep their order
    kernelFunction: f.kernelFunction,
    rangeUnit: f.rangeUnit,
    title: f.title,
  }));
}

/** Zones with no spanned pages are left out. */
export function replayToJson(tl: Timeline, bundle: string, input: ReplayReportInput = {}): ReplayJson {
  return {
    schema: REPLAY_SCHEMA,
    bundle,
    arch: tl.arch.arch,
    mmProfile: tl.mm.name,
    kernelEra: { ...tl.era, uncertain: [...tl.era.uncertain] },
    unavailableTotal: tl.unavailableTotal
      ? { line: tl.unavailableTotal.line, pages: tl.unavailableTotal.pages }
      : null,
    memoryLine: { ...tl.memoryLine, uncertain: [...tl.memoryLine.uncertain] },
    deferred: { on: tl.deferred.on, reason: tl.deferred.reason },
    ...(input.pageExt ? { pageExt: { on: input.pageExt.on, reason: input.pageExt.reason } } : {}),
    nodes: tl.nodes.map((n) => ({
      nid: n.nid,
      startPfn: n.startPfn,
      endPfn: n.endPfn,
      spannedPages: n.spannedPages,
      presentPages: n.presentPages,
      firstDeferredPfn: n.firstDeferredPfn,
      deferredPages: n.deferredPages,
      zones: n.zones
        .filter((z) => z.spannedPages > 0)
        .map((z) => ({
          name: z.name,
          startPfn: z.startPfn,
          spannedPages: z.spannedPages,
          presentPages: z.presentPages,
          unavailablePages: z.unavailablePages,
          managedPages: z.managedPages,
          contiguous: z.contiguous,
        })),
    })),
    findings: findingsJson(tl, input.findings ?? []),
    phases: tl.phases.map((p) => ({
      name: p.name,
      initialised: p.initialised,
      reserved: p.reserved,
      freed: p.freed,
      read: p.read,
      uninitTouched: p.uninitTouched,
      noMemmapTouched: p.noMemmapTouched,
      doubleInit: p.doubleInit,
      after: {
        memmap: p.after.memmap,
        init: p.after.init,
        uninit: p.after.uninit,
        reserved: p.after.reserved,
        buddy: p.after.buddy,
      },
    })),
    deferredWork: tl.deferredWork.map((w) => ({
      nid: w.nid,
      zone: tl.nodes.find((n) => n.nid === w.nid)?.zones[w.zid]?.name ?? String(w.zid),
      firstDeferredPfn: w.firstDeferredPfn,
      pages: w.pages,
      maxThreads: w.maxThreads,
      jobs: w.jobs.map((j) => ({ ...j, startPfn: j.start, endPfn: j.start + j.size })),
    })),
    totalramPages: tl.totalramPages,
    layout: { zoneLimitsFrom: tl.layout.zoneLimitsFrom, zoneMovableFrom: tl.layout.zoneMovableFrom },
    diagnostics: replayDiagnostics(tl, input).map(({ d, from }) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      from,
      ...(d.location ? { location: { ...d.location } } : {}),
    })),
    ...(input.costs ? { costs: costsToJson(input.costs) } : {}),
    ...(tl.kho
      ? {
          profile: tl.kho.profile.name,
          profileReason: tl.kho.profileReason ?? `--profile ${tl.kho.profile.name}`,
          profileStatus: tl.kho.profile.status,
          mmReason: `profile ${tl.kho.profile.name} runs ${tl.kho.profile.mmProfile}`,
          strategy: tl.kho.strategy.name,
          restore: restoreLabel(tl.kho.restoreKinds),
        }
      : { mmReason: tl.mmReason }),
  };
}
