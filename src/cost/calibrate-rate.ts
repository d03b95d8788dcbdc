// Calibrating the per-page rate from `node %d deferred pages initialised in %ums` (mm/page_alloc.c
// deferred_init_memmap, v6.1; mm/mm_init.c in newer kernels): the printed time over the pages the simulation
// deferred-initialised on that node, corrected for the padata threads of its jobs (boot-pipeline.md §3.8, §5).
import type { Diagnostic, SourceLocation } from '../core/index.js';
import type { DeferredWork, PadataJob, Timeline } from '../sim/index.js';
import type { DeferredInitTime, FactSource } from '../trace/host-trace.js';
import { padataSpeedup } from './rates.js';

/** What the cost model reads of a replay (a Timeline fits; tests may build a smaller one). */
export type CostTimeline = Pick<Timeline, 'phases' | 'events' | 'deferredWork' | 'memmap'> &
  Partial<Pick<Timeline, 'kho' | 'scenario'>>;

/** One node line the rate was calibrated from. */
export interface RateCalibration {
  readonly nid: number;
  /** The printed time, whole jiffies. */
  readonly printedMs: number;
  /** 1-based line of the log. */
  readonly line: number;
  /** Struct pages the calibration timeline deferred-initialised on the node. */
  readonly pages: number;
  /** padata workers of the node's largest job (1 = single-threaded). */
  readonly threads: number;
  /** ns per struct page for one thread: printedMs / (pages / speed-up). */
  readonly ratePerPageNs: number;
}

export interface Calibration {
  /** Nodes whose line gave a rate, in node order. */
  readonly nodes: readonly RateCalibration[];
  /** All calibrated nodes together: sum of printed ms over the sum of thread-adjusted pages; null when none. */
  readonly pooledRatePerPageNs: number | null;
  /** Nodes whose line exists but gave no rate, and nodes with deferred pages but no line. */
  readonly unusable: readonly { readonly nid: number; readonly reason: 'zero-ms' | 'no-pages' | 'no-line' }[];
}

/** Threads that really work on a job: padata's nworks, at most one per piece. */
export function jobThreads(job: PadataJob): number {
  return Math.max(1, Math.min(job.nworks, job.pieces));
}

/**
 * Single-thread-equivalent pages of one node's deferred init: the jobs run one after another (6.1: one
 * padata job per free range; ~6.18: one per zone), each sped up by its workers. Pages are split over the jobs
 * by the struct pages deferred_init_pages left on the node inside each job's span, or by job size when the
 * memmap says otherwise (a later phase re-initialised some of them).
 */
export function workUnits(tl: CostTimeline, w: DeferredWork, contention?: number): number {
  if (w.pages === 0) return 0;
  if (w.jobs.length === 0) return w.pages;
  const speed = w.jobs.map((j) => padataSpeedup(jobThreads(j), contention));
  if (speed.every((s) => s === speed[0])) return w.pages / speed[0]!;
  const counted = w.jobs.map((j) => {
    let n = 0;
    tl.memmap.scan(j.start, j.start + j.size, (s, e, st) => {
      if (st.initBy === 'deferred_init_pages' && st.nid === w.nid) n += e - s;
    });
    return n;
  });
  const total = counted.reduce((a, b) => a + b, 0);
  const sizeTotal = w.jobs.reduce((a, j) => a + j.size, 0);
  const share =
    total === w.pages ? counted : w.jobs.map((j) => (sizeTotal ? (w.pages * j.size) / sizeTotal : 0));
  return share.reduce((a, p, i) => a + p / speed[i]!, 0);
}

/** Per node: deferred pages, single-thread-equivalent pages and the widest job's threads. */
export function nodeWork(
  tl: CostTimeline,
  contention?: number,
): Map<number, { pages: number; units: number; threads: number }> {
  const out = new Map<number, { pages: number; units: number; threads: number }>();
  for (const w of tl.deferredWork) {
    const cur = out.get(w.nid) ?? { pages: 0, units: 0, threads: 1 };
    cur.pages += w.pages;
    cur.units += workUnits(tl, w, contention);
    for (const j of w.jobs) cur.threads = Math.max(cur.threads, jobThreads(j));
    out.set(w.nid, cur);
  }
  return out;
}

function loc(sources: readonly FactSource[] | undefined, line: number): SourceLocation | undefined {
  const file = sources?.[0]?.file;
  return file ? { file, line } : undefined;
}

/**
 * Rates from the printed lines of the boot `tl` replays. A line of 0 ms (below one jiffy), a line for a node
 * the simulation deferred nothing on, and a node with deferred pages but no line give no rate: each is a
 * diagnostic, and such nodes are costed with the pooled rate of the others, or the default.
 */
export function calibrateRate(
  tl: CostTimeline,
  lines: readonly DeferredInitTime[],
  sources: readonly FactSource[] | undefined,
  diagnostics: Diagnostic[],
  contention?: number,
): Calibration {
  const work = nodeWork(tl, contention);
  const byNid = new Map<number, DeferredInitTime>();
  for (const l of lines) {
    const first = byNid.get(l.nid);
    if (first) {
      diagnostics.push({
        code: 'COST_RATE_DUPLICATE_LINE',
        severity: 'warning',
        message: `node ${l.nid} printed its deferred-init time twice (lines ${first.line} and ${l.line}): the first is used`,
        ...withLoc(loc(sources, l.line)),
      });
      continue;
    }
    byNid.set(l.nid, l);
  }
  const nodes: RateCalibration[] = [];
  const unusable: { nid: number; reason: 'zero-ms' | 'no-pages' | 'no-line' }[] = [];
  for (const l of [...byNid.values()].sort((a, b) => a.nid - b.nid)) {
    const w = work.get(l.nid);
    const where = withLoc(loc(sources, l.line));
    if (l.ms <= 0) {
      unusable.push({ nid: l.nid, reason: 'zero-ms' });
      diagnostics.push({
        code: 'COST_RATE_ZERO_MS',
        severity: 'warning',
        message: `node ${l.nid} deferred pages initialised in ${l.ms}ms: below one jiffy, no rate can come from it`,
        ...where,
      });
    } else if (!w || w.units <= 0) {
      unusable.push({ nid: l.nid, reason: 'no-pages' });
      diagnostics.push({
        code: 'COST_RATE_NO_PAGES',
        severity: 'warning',
        message: `node ${l.nid} printed ${l.ms}ms of deferred init but the replay deferred no pages on it: no rate from it`,
        ...where,
      });
    } else {
      nodes.push({
        nid: l.nid,
        printedMs: l.ms,
        line: l.line,
        pages: w.pages,
        threads: w.threads,
        ratePerPageNs: (l.ms * 1e6) / w.units,
      });
    }
  }
  for (const [nid, w] of [...work].sort((a, b) => a[0] - b[0])) {
    if (w.pages > 0 && !byNid.has(nid)) {
      unusable.push({ nid, reason: 'no-line' });
      diagnostics.push({
        code: 'COST_RATE_NO_LINE',
        severity: 'info',
        message: `node ${nid}: the replay deferred ${w.pages} pages but the log has no deferred-init line for it`,
      });
    }
  }
  let msSum = 0;
  let unitSum = 0;
  for (const n of nodes) {
    msSum += n.printedMs;
    unitSum += work.get(n.nid)!.units;
  }
  return { nodes, pooledRatePerPageNs: nodes.length ? (msSum * 1e6) / unitSum : null, unusable };
}

function withLoc(l: SourceLocation | undefined): { location?: SourceLocation } {
  return l ? { location: l } : {};
}
