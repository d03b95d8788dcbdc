// The boot cost model (DESIGN.md "Findings and costs"): struct pages initialised per phase of a Timeline, serial
// before SMP (memmap_init, KHO deserialize, reserve_bootmem_region) or per node in parallel (pgdatinit threads,
// mm/page_alloc.c page_alloc_init_late -> deferred_init_memmap over padata, v6.1; boot-pipeline.md §3.8, §3.10),
// or after boot (KHO restores), converted to ms with a per-page rate calibrated from the log when it can be.
import type { Diagnostic } from '../core/index.js';
import { RequestError } from '../core/index.js';
import type { PhaseName } from '../sim/context.js';
import { PHASE_KIND } from '../sim/context.js';
import { replay } from '../sim/replay.js';
import type { DeferredInitTime, FactSource, HostTrace, NodeSysfs } from '../trace/host-trace.js';
import type { Calibration, CostTimeline, RateCalibration } from './calibrate-rate.js';
import { calibrateRate, nodeWork } from './calibrate-rate.js';
import { DEFAULT_RATE, PUBLISHED_RATE_RANGE_NS } from './rates.js';

export type CostPhaseKind = 'serial' | 'parallel' | 'after-boot';

export interface NodeCost {
  readonly nid: number;
  /** Struct pages this node's pgdatinit thread initialised. */
  readonly pages: number;
  readonly ms: number;
  /** padata workers of the node's widest job (1 = single-threaded). */
  readonly threads: number;
  /** ns per page per thread used for this node. */
  readonly ratePerPageNs: number;
  /** `node`: its own printed line; `pooled`: the calibrated nodes together; `default`: the published rate. */
  readonly rateFrom: 'node' | 'pooled' | 'default';
  /** What the log printed for this node, when it did. */
  readonly printedMs?: number;
}

export interface PhaseCost {
  /** The replay phase (kernel function it models). */
  readonly phase: string;
  readonly kind: CostPhaseKind;
  readonly pagesInitialised: number;
  /** Parallel phases: one entry per node with deferred work. */
  readonly perNode?: readonly NodeCost[];
  /** Serial and after-boot: the sum; parallel: the slowest node (plus any pages outside the per-node work). */
  readonly ms: number;
  /** Struct pages initialised per kernel function in this phase. */
  readonly functions: readonly { readonly fn: string; readonly pages: number }[];
}

export interface RateSource {
  readonly kind: 'calibrated' | 'default' | 'given';
  /** One sentence for reports: which lines, which rate, or the published figure it is. */
  readonly detail: string;
  /** The node lines used (empty unless calibrated). */
  readonly calibration: readonly RateCalibration[];
  /** Resolution of the printed times (one jiffy), when CONFIG_HZ is known. */
  readonly jiffyMs: number | null;
}

export interface Costs {
  /** ns per struct page for one thread: serial phases, restores and nodes without a rate of their own. */
  readonly ratePerPageNs: number;
  readonly rateSource: RateSource;
  readonly phases: readonly PhaseCost[];
  /** Serial phases added up. */
  readonly serialMs: number;
  /** Parallel phases: each the max over nodes. */
  readonly parallelMs: number;
  /** serialMs + parallelMs: what the boot waits for. */
  readonly bootCriticalMs: number;
  /** After-boot phases (kho_restore_folio/pages): paid by the consumers, not by the boot. */
  readonly restoreMs: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** What the cost model reads of a HostTrace (a HostTrace fits; tests may build a smaller one). */
export interface CostHost {
  readonly deferredInit: readonly DeferredInitTime[];
  readonly config?: Readonly<Record<string, string>>;
  readonly sources?: Readonly<Record<string, FactSource[]>>;
  readonly nodes?: readonly NodeSysfs[];
}

export interface CostOptions {
  /**
   * The timeline of the boot that printed the deferred-init lines, normally the plain replay of the host.
   * Default: `timeline` itself. A KHO replay defers fewer pages than the cold boot its log came from, so
   * calibrate on the plain replay and cost the KHO one.
   */
  readonly calibrateOn?: CostTimeline;
  /**
   * The host whose printed deferred-init lines calibrate the rate (another boot of the same machine, for
   * instance); default: `host`. `calibrateOn` must then be the replay of that host.
   */
  readonly calibrationHost?: CostHost;
  /** `auto` (default): calibrate when the log has lines; `default`: the published rate; a number: that rate. */
  readonly rate?: 'auto' | 'default' | number;
  /** padata contention c in s(t) = t / (1 + c (t - 1)); 0 = linear speed-up. */
  readonly contention?: number;
}

/**
 * The boot whose deferred-init lines calibrate the rate: the timeline itself for a plain boot; for a KHO boot the
 * plain boot of the same host (the captured one: its kernel's config and mm, no KHO), replayed when the log has
 * lines to calibrate from (and only then); undefined when the timeline itself is the one.
 */
export function capturedBoot(
  timeline: CostTimeline,
  host: CostHost,
  rate: CostOptions['rate'] = 'auto',
): CostTimeline | undefined {
  if (!timeline.kho || rate !== 'auto' || host.deferredInit.length === 0 || !isHostTrace(host))
    return undefined;
  const {
    profile: _p,
    strategy: _s,
    restore: _r,
    deferred: _d,
    mmProfile: _m,
    ...boot
  } = timeline.scenario ?? {};
  return replay(host, null, boot);
}

function isHostTrace(h: CostHost): h is HostTrace {
  return 'memory' in h && 'pageShift' in h;
}

/** The cost report's spelling of the phase kinds (JSON `kind`: serial, parallel, after-boot). */
const COST_KIND = {
  serial: 'serial',
  'per-node': 'parallel',
  'after-boot': 'after-boot',
} as const satisfies Record<(typeof PHASE_KIND)[PhaseName], CostPhaseKind>;

function roundMs(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}

function fmtNs(ns: number): string {
  return ns >= 100 ? ns.toFixed(1) : ns.toFixed(2);
}

function jiffyMsOf(config: Readonly<Record<string, string>> | undefined): number | null {
  const hz = Number(config?.['CONFIG_HZ']);
  return Number.isFinite(hz) && hz > 0 ? 1000 / hz : null;
}

function describeCalibration(cal: Calibration, pooled: number, file: string, jiffyMs: number | null): string {
  const lines = cal.nodes.map((n) => n.line).sort((a, b) => a - b);
  const per = cal.nodes
    .map(
      (n) =>
        `node ${n.nid}: ${n.printedMs} ms / ${n.pages.toLocaleString('en-US')} pages${n.threads > 1 ? ` on ${n.threads} threads` : ''} = ${fmtNs(n.ratePerPageNs)} ns`,
    )
    .join('; ');
  const res =
    jiffyMs !== null
      ? `printed times are whole jiffies (±${jiffyMs} ms at CONFIG_HZ=${1000 / jiffyMs})`
      : 'printed times are whole jiffies (CONFIG_HZ not in the trace: ±4 ms at HZ=250, ±1 ms at HZ=1000)';
  return (
    `calibrated from ${file} line${lines.length > 1 ? 's' : ''} ${lines.join(', ')} ` +
    `(node N deferred pages initialised in X ms): ${per}; pooled ${fmtNs(pooled)} ns per page per thread; ${res}`
  );
}

/**
 * Costs of one replayed boot. Pure: the timeline's phase summaries, events and deferred work, and the host's
 * printed deferred-init times; O(phases + events + padata jobs), never per page.
 */
export function computeCosts(timeline: CostTimeline, host: CostHost, options: CostOptions = {}): Costs {
  // a KHO boot's own timeline defers fewer pages than the boot that printed the log: calibrate on the host's
  // plain boot, replayed here once when the caller did not bring it (compare brings one for every strategy)
  if (options.calibrateOn === undefined && options.calibrationHost === undefined)
    options = { ...options, calibrateOn: capturedBoot(timeline, host, options.rate) };
  const diagnostics: Diagnostic[] = [];
  const contention = options.contention;
  const calHost = options.calibrationHost ?? host;
  const jiffyMs = jiffyMsOf(calHost.config);
  const sources = calHost.sources?.['deferredInit'];
  const file = sources?.[0]?.file ?? 'the log';
  const want = options.rate ?? 'auto';

  let cal: Calibration = { nodes: [], pooledRatePerPageNs: null, unusable: [] };
  let rate: number = DEFAULT_RATE.ratePerPageNs;
  let rateSource: RateSource;
  if (typeof want === 'number') {
    if (!(want > 0) || !Number.isFinite(want))
      throw new RequestError(`the cost rate must be a positive number of ns per page, not ${want}`);
    rate = want;
    rateSource = {
      kind: 'given',
      detail: `given: ${fmtNs(want)} ns per page per thread`,
      calibration: [],
      jiffyMs,
    };
  } else {
    if (want === 'auto' && calHost.deferredInit.length > 0) {
      cal = calibrateRate(
        options.calibrateOn ?? timeline,
        calHost.deferredInit,
        sources,
        diagnostics,
        contention,
      );
    }
    if (cal.pooledRatePerPageNs !== null) {
      rate = cal.pooledRatePerPageNs;
      rateSource = {
        kind: 'calibrated',
        detail: describeCalibration(cal, rate, file, jiffyMs),
        calibration: cal.nodes,
        jiffyMs,
      };
      const outside = cal.nodes.filter(
        (n) =>
          n.ratePerPageNs > 3 * PUBLISHED_RATE_RANGE_NS.max ||
          n.ratePerPageNs < PUBLISHED_RATE_RANGE_NS.min / 3,
      );
      if (outside.length) {
        diagnostics.push({
          code: 'COST_RATE_UNUSUAL',
          severity: 'info',
          message:
            `calibrated rate of node${outside.length > 1 ? 's' : ''} ${outside.map((n) => n.nid).join(', ')} ` +
            `(${outside.map((n) => fmtNs(n.ratePerPageNs)).join(', ')} ns per page per thread) is more than 3x ` +
            `outside the published ${fmtNs(PUBLISHED_RATE_RANGE_NS.min)}-${fmtNs(PUBLISHED_RATE_RANGE_NS.max)} ns: ` +
            `a virtual machine, or the replay's thread count per node is not the host's`,
        });
      }
    } else {
      const why =
        want === 'default'
          ? 'asked for'
          : calHost.deferredInit.length === 0
            ? 'the log has no "node N deferred pages initialised in X ms" line'
            : 'no deferred-init line gave a usable rate';
      rateSource = {
        kind: 'default',
        detail: `default ${fmtNs(rate)} ns per page per thread (${why}): ${DEFAULT_RATE.source}`,
        calibration: [],
        jiffyMs,
      };
      if (want === 'auto' && timeline.deferredWork.some((w) => w.pages > 0)) {
        diagnostics.push({
          code: 'COST_RATE_DEFAULT',
          severity: 'info',
          message: `no calibration (${why}): costs use the published default rate of ${fmtNs(rate)} ns per page`,
        });
      }
    }
  }
  const nodeRate = new Map(cal.nodes.map((n) => [n.nid, n]));
  const rateFromNoLine: NodeCost['rateFrom'] = rateSource.kind === 'calibrated' ? 'pooled' : 'default';

  // init pages per phase and kernel function, from the events (the phase summary has only the total)
  const fnPages = new Map<string, Map<string, number>>();
  for (const e of timeline.events) {
    if (e.kind !== 'init' || e.pages === 0) continue;
    const m = fnPages.get(e.phase) ?? new Map<string, number>();
    m.set(e.fn, (m.get(e.fn) ?? 0) + e.pages);
    fnPages.set(e.phase, m);
  }

  const work = nodeWork(timeline, contention);
  if (
    (host.nodes ?? []).every((n) => n.cpus === undefined) &&
    timeline.deferredWork.some((w) => w.pages > 0) &&
    timeline.deferredWork.every((w) => w.maxThreads <= 1)
  ) {
    // a calibrated rate then folds the host's padata speed-up in: per node wall time, not per thread
    diagnostics.push({
      code: 'COST_THREADS_UNKNOWN',
      severity: 'info',
      message:
        "the trace does not say the CPUs of each node (node/nodeN-cpulist): deferred init is costed with the replay's " +
        'padata threads, and a rate calibrated from it is per node rather than per thread',
    });
  }
  const phases: PhaseCost[] = [];
  let serialMs = 0;
  let parallelMs = 0;
  let restoreMs = 0;
  timeline.phases.forEach((p) => {
    // the phase table says when each phase runs (src/sim/context.ts PHASE_KIND), not its position
    const kind = COST_KIND[PHASE_KIND[p.name]];
    const functions = [...(fnPages.get(p.name) ?? new Map<string, number>())]
      .map(([fn, pages]) => ({ fn, pages }))
      .sort((a, b) => b.pages - a.pages || a.fn.localeCompare(b.fn));
    if (kind !== 'parallel') {
      const ms = roundMs((p.initialised * rate) / 1e6);
      phases.push({ phase: p.name, kind, pagesInitialised: p.initialised, ms, functions });
      if (kind === 'serial') serialMs += ms;
      else restoreMs += ms;
      return;
    }
    const perNode: NodeCost[] = [];
    for (const [nid, w] of [...work].sort((a, b) => a[0] - b[0])) {
      const own = nodeRate.get(nid);
      const r = own ? own.ratePerPageNs : rate;
      const printed = host.deferredInit.find((l) => l.nid === nid);
      perNode.push({
        nid,
        pages: w.pages,
        ms: roundMs((w.units * r) / 1e6),
        threads: w.threads,
        ratePerPageNs: r,
        rateFrom: own ? 'node' : rateFromNoLine,
        ...(printed ? { printedMs: printed.ms } : {}),
      });
    }
    const nodePages = perNode.reduce((n, c) => n + c.pages, 0);
    // pages this phase initialised outside the pgdatinit work (none in today's phases) run on the boot CPU
    const rest = Math.max(0, p.initialised - nodePages);
    if (rest > 0) {
      diagnostics.push({
        code: 'COST_PAGES_OUTSIDE_DEFERRED_WORK',
        severity: 'info',
        message: `${p.name} initialised ${rest} struct pages outside the per-node deferred work: costed serially`,
      });
    }
    const ms = roundMs(perNode.reduce((m, c) => Math.max(m, c.ms), 0) + (rest * rate) / 1e6);
    phases.push({ phase: p.name, kind, pagesInitialised: p.initialised, perNode, ms, functions });
    parallelMs += ms;
  });
  serialMs = roundMs(serialMs);
  parallelMs = roundMs(parallelMs);
  return {
    ratePerPageNs: rate,
    rateSource,
    phases,
    serialMs,
    parallelMs,
    bootCriticalMs: roundMs(serialMs + parallelMs),
    restoreMs: roundMs(restoreMs),
    diagnostics,
  };
}
