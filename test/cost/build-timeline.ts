// Test builder: the parts of a Timeline the cost model reads (phases, init events, deferred work, memmap), written
// as a readable list of phases with their struct-page counts.
import type { PhaseName } from '../../src/sim/context.js';
import type { CostTimeline } from '../../src/cost/index.js';
import type { DeferredWork, MemMapCensus, PadataJob, PageEvent, PhaseSummary } from '../../src/sim/index.js';

const NO_RANGES = { start: new Float64Array(0), end: new Float64Array(0), n: 0 };
import { MemMap } from '../../src/sim/index.js';

const NO_CENSUS: MemMapCensus = {
  memmap: 0,
  uninit: 0,
  init: 0,
  multiInit: 0,
  reserved: 0,
  buddy: 0,
  khoHeads: 0,
};

export interface PhaseSpec {
  readonly name: PhaseName;
  /** Struct pages initialised per kernel function. */
  readonly init?: Readonly<Record<string, number>>;
}

export interface NodeWorkSpec {
  readonly nid: number;
  readonly pages: number;
  /** padata workers of its one job (default 1). */
  readonly threads?: number;
  /** Several jobs: [start pfn, size, nworks]; pages then come from `memmap`. */
  readonly jobs?: readonly (readonly [number, number, number])[];
}

export function job(start: number, size: number, nworks: number): PadataJob {
  return {
    start,
    size,
    nworks,
    chunk: nworks > 1 ? Math.ceil(size / (4 * nworks)) : size,
    pieces: nworks > 1 ? 4 * nworks : 1,
  };
}

export function buildTimeline(spec: {
  phases: readonly PhaseSpec[];
  deferred?: readonly NodeWorkSpec[];
  memmap?: MemMap;
}): CostTimeline {
  const events: PageEvent[] = [];
  const phases: PhaseSummary[] = spec.phases.map((p) => {
    let initialised = 0;
    for (const [fn, pages] of Object.entries(p.init ?? {})) {
      initialised += pages;
      events.push({
        seq: events.length,
        phase: p.name,
        fn,
        kind: 'init',
        start: 0,
        end: pages,
        pages,
        uninitPages: 0,
        uninitRanges: NO_RANGES,
        noMemmapPages: 0,
        doubleInitPages: 0,
        doubleInitRanges: NO_RANGES,
        khoLostPages: 0,
        khoLostRanges: NO_RANGES,
        identityChangedPages: 0,
        identityChangedRanges: NO_RANGES,
      });
    }
    return {
      name: p.name,
      events: Object.keys(p.init ?? {}).length,
      initialised,
      reserved: 0,
      freed: 0,
      read: 0,
      khoWritten: 0,
      uninitTouched: 0,
      noMemmapTouched: 0,
      doubleInit: 0,
      khoLost: 0,
      after: NO_CENSUS,
    };
  });
  const deferredWork: DeferredWork[] = (spec.deferred ?? []).map((d) => ({
    nid: d.nid,
    zid: 2,
    firstDeferredPfn: 0,
    pages: d.pages,
    freeRanges: 1,
    maxThreads: d.threads ?? 1,
    jobs: d.jobs ? d.jobs.map(([s, n, w]) => job(s, n, w)) : [job(0, d.pages, d.threads ?? 1)],
  }));
  return { phases, events, deferredWork, memmap: spec.memmap ?? new MemMap([], 0) };
}

/** A plain boot: memmap_init, memblock_free_all, page_alloc_init_late with the given per-node deferred pages. */
export function plainBoot(
  serial: { memmapInit: number; reserveBootmem?: number },
  deferred: readonly NodeWorkSpec[],
  after: readonly PhaseSpec[] = [],
): CostTimeline {
  const total = deferred.reduce((n, d) => n + d.pages, 0);
  return buildTimeline({
    phases: [
      { name: 'memmap_init', init: { memmap_init_range: serial.memmapInit } },
      {
        name: 'memblock_free_all',
        init: serial.reserveBootmem ? { reserve_bootmem_region: serial.reserveBootmem } : {},
      },
      { name: 'page_alloc_init_late', init: total ? { deferred_init_pages: total } : {} },
      ...after,
    ],
    deferred,
  });
}
