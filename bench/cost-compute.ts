// Benchmark: computeCosts() on a 16-node, 16 TiB timeline whose deferred init is split into 1024 padata jobs per
// node of mixed worker counts (6.1 runs one job per free range), so pages per job come from the memmap. The
// work must grow with jobs and memmap runs, never with the 4 billion struct pages.
import type { PhaseName } from '../src/sim/context.js';
import type { CostTimeline } from '../src/cost/index.js';
import { computeCosts } from '../src/cost/index.js';
import type { DeferredWork, MemMapCensus, PadataJob, PhaseSummary } from '../src/sim/index.js';
import { MemMap, padataSplit } from '../src/sim/index.js';
import type { BenchResult } from './measure.js';
import { medianMax } from './measure.js';

const NODES = 16;
const PAGES_PER_NODE = 2 ** 28; // 1 TiB of 4 KiB pages
const JOBS_PER_NODE = 1024;
const SECTION = 32768;
const ZERO: MemMapCensus = {
  memmap: 0,
  uninit: 0,
  init: 0,
  multiInit: 0,
  reserved: 0,
  buddy: 0,
  khoHeads: 0,
};

function phase(name: PhaseName, initialised: number): PhaseSummary {
  return {
    name,
    events: 0,
    initialised,
    reserved: 0,
    freed: 0,
    read: 0,
    khoWritten: 0,
    uninitTouched: 0,
    noMemmapTouched: 0,
    doubleInit: 0,
    khoLost: 0,
    after: ZERO,
  };
}

/** Free ranges of alternating sizes (1 section on 1 worker, then 8 sections on 8), one padata job each. */
function syntheticTimeline(): CostTimeline {
  const limit = NODES * PAGES_PER_NODE;
  const memmap = new MemMap([{ start: 0, end: limit }], limit);
  const work: DeferredWork[] = [];
  const init: { start: number; end: number; nid: number; zid: number }[] = [];
  for (let nid = 0; nid < NODES; nid++) {
    const base = nid * PAGES_PER_NODE;
    const span = PAGES_PER_NODE / JOBS_PER_NODE;
    const jobs: PadataJob[] = [];
    let pages = 0;
    for (let j = 0; j < JOBS_PER_NODE; j++) {
      const start = base + j * span;
      const size = j % 2 ? span : SECTION;
      jobs.push(padataSplit(start, size, SECTION, SECTION, 32));
      init.push({ start, end: start + size - 1, nid, zid: 2 });
      pages += size - 1;
    }
    work.push({
      nid,
      zid: 2,
      firstDeferredPfn: base,
      pages,
      freeRanges: JOBS_PER_NODE,
      maxThreads: 32,
      jobs,
    });
  }
  memmap.initRanges(init, { phase: 'page_alloc_init_late', fn: 'deferred_init_pages' });
  const deferred = work.reduce((n, w) => n + w.pages, 0);
  return {
    phases: [phase('memmap_init', NODES * SECTION), phase('page_alloc_init_late', deferred)],
    events: memmap.events,
    deferredWork: work,
    memmap,
  };
}

export function benchCostCompute(runs = 9): BenchResult[] {
  const tl = syntheticTimeline();
  const host = {
    deferredInit: Array.from({ length: NODES }, (_, nid) => ({ nid, ms: 400 + nid, line: 100 + nid })),
  };
  const ts: number[] = [];
  let jobs = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c = computeCosts(tl, host);
    ts.push(performance.now() - t0);
    if (c.bootCriticalMs <= 0) throw new Error('cost-compute: no cost computed');
    jobs = tl.deferredWork.reduce((n, w) => n + w.jobs.length, 0);
  }
  return [
    {
      name: 'cost-compute 16 TiB 16 nodes, 1024 mixed-worker padata jobs per node',
      runs,
      ...medianMax(ts),
      detail: `${jobs} jobs, ${tl.memmap.runCount} memmap runs, calibrated from ${NODES} node lines`,
    },
  ];
}
