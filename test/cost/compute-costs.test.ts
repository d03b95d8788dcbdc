// computeCosts on hand-built timelines with known struct-page counts: each case names the relation it covers and
// says what it expects, in ms worked out from the counts and the rate.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CostHost } from '../../src/cost/index.js';
import {
  DEFAULT_RATE,
  PADATA_CONTENTION,
  PADATA_PUBLISHED,
  computeCosts,
  padataSpeedup,
  speedupFitError,
} from '../../src/cost/index.js';
import type { DeferredInitTime } from '../../src/trace/host-trace.js';
import { MemMap } from '../../src/sim/index.js';
import { RequestError } from '../../src/core/index.js';
import { buildTimeline, plainBoot } from './build-timeline.js';

function hostWith(lines: readonly [nid: number, ms: number, line: number][] = [], hz?: number): CostHost {
  const deferredInit: DeferredInitTime[] = lines.map(([nid, ms, line]) => ({ nid, ms, line }));
  return {
    deferredInit,
    config: hz ? { CONFIG_HZ: String(hz) } : {},
    sources: lines.length ? { deferredInit: [{ file: 'dmesg.txt', kind: 'dmesg' }] } : {},
    nodes: [
      { nid: 0, cpus: [{ first: 0, last: 0 }] },
      { nid: 1, cpus: [{ first: 1, last: 1 }] },
    ],
  };
}

const codes = (c: { diagnostics: readonly { code: string }[] }): string[] => c.diagnostics.map((d) => d.code);

describe('serial, parallel and after-boot phases with a given rate', () => {
  // memmap_init 1e6 + reserve_bootmem_region 2e5 serial; node 0 2e6 and node 1 3e6 deferred; restore 5e5.
  // Expect at 10 ns/page: serial 10 + 2 ms, parallel max(20, 30) = 30 ms, boot 42 ms, restore 5 ms.
  const full = plainBoot(
    { memmapInit: 1_000_000, reserveBootmem: 200_000 },
    [
      { nid: 0, pages: 2_000_000 },
      { nid: 1, pages: 3_000_000 },
    ],
    [{ name: 'kho_restore', init: { __init_single_page: 500_000 } }],
  );
  const c = computeCosts(full, hostWith(), { rate: 10 });

  it('phases are classified by their place around page_alloc_init_late', () => {
    expect(c.phases.map((p) => [p.phase, p.kind])).toEqual([
      ['memmap_init', 'serial'],
      ['memblock_free_all', 'serial'],
      ['page_alloc_init_late', 'parallel'],
      ['kho_restore', 'after-boot'],
    ]);
  });

  it('serial phases add up, the parallel phase is its slowest node, restores are apart', () => {
    expect(c.phases.map((p) => p.ms)).toEqual([10, 2, 30, 5]);
    expect(c.serialMs).toBe(12);
    expect(c.parallelMs).toBe(30);
    expect(c.bootCriticalMs).toBe(42);
    expect(c.restoreMs).toBe(5);
    expect(c.rateSource.kind).toBe('given');
  });

  it('per node: pages, ms and the rate used', () => {
    expect(c.phases[2]!.perNode).toEqual([
      { nid: 0, pages: 2_000_000, ms: 20, threads: 1, ratePerPageNs: 10, rateFrom: 'default' },
      { nid: 1, pages: 3_000_000, ms: 30, threads: 1, ratePerPageNs: 10, rateFrom: 'default' },
    ]);
  });

  it('pages per kernel function come from the init events', () => {
    expect(c.phases[1]!.functions).toEqual([{ fn: 'reserve_bootmem_region', pages: 200_000 }]);
    expect(c.phases[3]!.functions).toEqual([{ fn: '__init_single_page', pages: 500_000 }]);
  });
});

describe('the default rate', () => {
  it('is the published 1779 ms per 384 GiB of 4 KiB pages, single-threaded, and the report cites it', () => {
    // Expect: 384 GiB = 384 * 262144 pages, serial, costs exactly the published 1779 ms
    const tl = plainBoot({ memmapInit: 384 * 262144 }, []);
    const c = computeCosts(tl, hostWith());
    expect(c.rateSource.kind).toBe('default');
    expect(c.ratePerPageNs).toBeCloseTo(17.67, 2);
    expect(c.bootCriticalMs).toBe(1779);
    expect(c.rateSource.detail).toContain('1779 ms for 384 GiB');
    expect(c.rateSource.detail).toContain('20200527173608.2885243');
    expect(c.rateSource.detail).toContain('boot-pipeline.md §5');
    expect(c.rateSource.detail).toContain('no "node N deferred pages initialised in X ms" line');
  });

  it("rate: 'default' ignores the log's lines", () => {
    const tl = plainBoot({ memmapInit: 0 }, [{ nid: 0, pages: 1e6 }]);
    const c = computeCosts(tl, hostWith([[0, 100, 7]]), { rate: 'default' });
    expect(c.rateSource.kind).toBe('default');
    expect(c.ratePerPageNs).toBe(DEFAULT_RATE.ratePerPageNs);
  });
});

describe('calibration from "node N deferred pages initialised in X ms"', () => {
  // node 0: 100 ms for 1e7 pages = 10 ns; node 1: 300 ms for 2e7 pages = 15 ns; pooled 400 ms / 3e7 = 13.33 ns.
  const tl = plainBoot({ memmapInit: 3_000_000 }, [
    { nid: 0, pages: 10_000_000 },
    { nid: 1, pages: 20_000_000 },
  ]);
  const c = computeCosts(
    tl,
    hostWith(
      [
        [1, 300, 41],
        [0, 100, 40],
      ],
      250,
    ),
  );

  it('each node gets its own rate and reproduces its printed time exactly', () => {
    const pn = c.phases[2]!.perNode!;
    expect(pn.map((n) => [n.nid, n.ms, n.printedMs, n.rateFrom])).toEqual([
      [0, 100, 100, 'node'],
      [1, 300, 300, 'node'],
    ]);
    expect(pn[0]!.ratePerPageNs).toBeCloseTo(10, 9);
    expect(pn[1]!.ratePerPageNs).toBeCloseTo(15, 9);
  });

  it('serial phases use the pooled rate: sum of ms over sum of pages', () => {
    expect(c.ratePerPageNs).toBeCloseTo(400e6 / 30e6, 9);
    // Expect: 3e6 pages * 13.333 ns = 40 ms
    expect(c.phases[0]!.ms).toBe(40);
    expect(c.bootCriticalMs).toBe(340);
  });

  it('the report says which lines and the jiffy resolution', () => {
    expect(c.rateSource.kind).toBe('calibrated');
    expect(c.rateSource.calibration.map((n) => [n.nid, n.line])).toEqual([
      [0, 40],
      [1, 41],
    ]);
    expect(c.rateSource.jiffyMs).toBe(4);
    expect(c.rateSource.detail).toContain('dmesg.txt lines 40, 41');
    expect(c.rateSource.detail).toContain('±4 ms at CONFIG_HZ=250');
    expect(codes(c)).toEqual([]);
  });

  it('the rate calibrated on a plain boot costs a boot that defers fewer pages (calibrateOn)', () => {
    // a KHO boot of the same host: node 0 defers 4e6 pages fewer (preserved memory is reserved, not free)
    const kho = plainBoot({ memmapInit: 3_000_000 }, [
      { nid: 0, pages: 6_000_000 },
      { nid: 1, pages: 20_000_000 },
    ]);
    const k = computeCosts(
      kho,
      hostWith([
        [0, 100, 40],
        [1, 300, 41],
      ]),
      { calibrateOn: tl },
    );
    // Expect: node 0 at 10 ns: 60 ms; node 1 unchanged 300 ms
    expect(k.phases[2]!.perNode!.map((n) => n.ms)).toEqual([60, 300]);
    // calibrating on the KHO timeline itself would wrongly make node 0 slower per page
    const wrong = computeCosts(
      kho,
      hostWith([
        [0, 100, 40],
        [1, 300, 41],
      ]),
    );
    expect(wrong.phases[2]!.perNode![0]!.ratePerPageNs).toBeCloseTo(100e6 / 6e6, 6);
  });
});

describe('nodes that give no rate', () => {
  const tl = plainBoot({ memmapInit: 1_000_000 }, [
    { nid: 0, pages: 10_000_000 },
    { nid: 1, pages: 1_000 },
  ]);

  it('a tiny node calibrated on a few jiffies gives an unusual rate, which is said', () => {
    // node 1: 8 ms for 1000 pages = 8000 ns per page, far above the published 14.5-21.9 ns
    const c = computeCosts(
      tl,
      hostWith([
        [0, 100, 5],
        [1, 8, 6],
      ]),
    );
    expect(codes(c)).toEqual(['COST_RATE_UNUSUAL']);
    expect(c.diagnostics[0]!.message).toContain('node 1 (8000.0 ns');
  });

  it('a 0 ms line (below one jiffy) gives no rate: a diagnostic, and the node takes the pooled rate', () => {
    const c = computeCosts(
      tl,
      hostWith([
        [0, 100, 5],
        [1, 0, 6],
      ]),
    );
    expect(codes(c)).toEqual(['COST_RATE_ZERO_MS']);
    expect(c.diagnostics[0]!.location).toEqual({ file: 'dmesg.txt', line: 6 });
    const n1 = c.phases[2]!.perNode![1]!;
    expect(n1.rateFrom).toBe('pooled');
    expect(n1.ratePerPageNs).toBeCloseTo(10, 9);
    expect(n1.ms).toBe(0.01);
  });

  it('every line 0 ms: the default rate, with a diagnostic per node and one for the fallback', () => {
    const c = computeCosts(
      tl,
      hostWith([
        [0, 0, 5],
        [1, 0, 6],
      ]),
    );
    expect(c.rateSource.kind).toBe('default');
    expect(c.rateSource.detail).toContain('no deferred-init line gave a usable rate');
    expect(c.ratePerPageNs).toBe(DEFAULT_RATE.ratePerPageNs);
    expect(codes(c)).toEqual(['COST_RATE_ZERO_MS', 'COST_RATE_ZERO_MS', 'COST_RATE_DEFAULT']);
    expect(c.phases[2]!.perNode!.map((n) => n.rateFrom)).toEqual(['default', 'default']);
  });

  it('a missing line: the node takes the pooled rate, with a diagnostic', () => {
    const c = computeCosts(tl, hostWith([[0, 100, 5]]));
    expect(codes(c)).toEqual(['COST_RATE_NO_LINE']);
    expect(c.phases[2]!.perNode!.map((n) => n.rateFrom)).toEqual(['node', 'pooled']);
  });

  it('no lines at all: the default rate, with a diagnostic', () => {
    const c = computeCosts(tl, hostWith());
    expect(codes(c)).toEqual(['COST_RATE_DEFAULT']);
    expect(c.phases[2]!.perNode!.map((n) => n.rateFrom)).toEqual(['default', 'default']);
  });

  it('a line for a node the replay deferred nothing on, and a second line for a node', () => {
    const c = computeCosts(
      tl,
      hostWith([
        [0, 100, 5],
        [2, 50, 7],
        [0, 104, 9],
      ]),
    );
    expect(codes(c).sort()).toEqual(['COST_RATE_DUPLICATE_LINE', 'COST_RATE_NO_LINE', 'COST_RATE_NO_PAGES']);
    expect(c.phases[2]!.perNode![0]!.ms).toBe(100);
  });
});

describe('padata threads within a node', () => {
  it('one job on 4 workers: the node takes pages * rate / s(4), s(t) = t / (1 + c (t - 1))', () => {
    const tl = plainBoot({ memmapInit: 0 }, [{ nid: 0, pages: 4_000_000, threads: 4 }]);
    const lin = computeCosts(tl, hostWith(), { rate: 10, contention: 0 });
    // Expect (linear): 4e6 * 10 ns / 4 = 10 ms
    expect(lin.phases[2]!.perNode![0]).toMatchObject({ ms: 10, threads: 4 });
    const fit = computeCosts(tl, hostWith(), { rate: 10 });
    expect(fit.phases[2]!.perNode![0]!.ms).toBeCloseTo(40 / (4 / (1 + 3 * PADATA_CONTENTION)), 6);
  });

  it('the contention is the least-squares fit to the published thread sweeps', () => {
    expect(PADATA_CONTENTION).toBeGreaterThan(0.08);
    expect(PADATA_CONTENTION).toBeLessThan(0.09);
    expect(speedupFitError(PADATA_CONTENTION)).toBeLessThan(speedupFitError(PADATA_CONTENTION - 1e-3));
    expect(speedupFitError(PADATA_CONTENTION)).toBeLessThan(speedupFitError(PADATA_CONTENTION + 1e-3));
    // each published speed-up within a factor 1.7 of the curve (the EPYC guest at 16 threads is the worst)
    for (const r of PADATA_PUBLISHED) {
      const ratio = padataSpeedup(r.threads) / (r.oneThreadMs / r.ms);
      expect(Math.max(ratio, 1 / ratio)).toBeLessThan(1.7);
    }
    expect(padataSpeedup(1)).toBe(1);
  });

  it('a calibrated node on 4 threads reproduces its printed time and reports a per-thread rate', () => {
    const tl = plainBoot({ memmapInit: 0 }, [{ nid: 0, pages: 4_000_000, threads: 4 }]);
    const c = computeCosts(tl, hostWith([[0, 10, 3]]), { contention: 0 });
    expect(c.phases[2]!.perNode![0]!.ms).toBe(10);
    expect(c.ratePerPageNs).toBeCloseTo(10, 9);
  });

  it('jobs with different workers: pages per job from the struct pages deferred_init_pages left', () => {
    // job A [0, 1000) on 1 worker holds 1000 pages, job B [1000, 5000) on 4 workers holds 3000 of its 4000 pfns
    const mm = new MemMap([{ start: 0, end: 5000 }], 5000);
    const actor = { phase: 'page_alloc_init_late', fn: 'deferred_init_pages' };
    mm.init(0, 1000, 0, 2, actor);
    mm.init(2000, 5000, 0, 2, actor);
    const tl = buildTimeline({
      phases: [{ name: 'page_alloc_init_late', init: { deferred_init_pages: 4000 } }],
      deferred: [
        {
          nid: 0,
          pages: 4000,
          jobs: [
            [0, 1000, 1],
            [1000, 4000, 4],
          ],
        },
      ],
      memmap: mm,
    });
    const c = computeCosts(tl, hostWith(), { rate: 1000, contention: 0 });
    // Expect: 1000 pages * 1 us + 3000 pages * 1 us / 4 = 1 + 0.75 = 1.75 ms
    expect(c.phases[0]!.perNode![0]).toMatchObject({ ms: 1.75, threads: 4 });
  });
});

describe('properties', () => {
  it('with one thread per node, boot = serial pages * rate + max(node pages) * rate; ms scale with the rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 32 }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        (serial, nodes, rate) => {
          const tl = plainBoot(
            { memmapInit: serial },
            nodes.map((pages, nid) => ({ nid, pages })),
          );
          const c = computeCosts(tl, hostWith(), { rate });
          const expected = ((serial + Math.max(...nodes)) * rate) / 1e6;
          expect(Math.abs(c.bootCriticalMs - expected)).toBeLessThan(1e-5 + expected * 1e-12);
          const c2 = computeCosts(tl, hostWith(), { rate: rate * 2 });
          expect(Math.abs(c2.bootCriticalMs - 2 * c.bootCriticalMs)).toBeLessThan(1e-5 + expected * 1e-12);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a calibrated node always reproduces its printed time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 36 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 256 }),
        (pages, ms, threads) => {
          const tl = plainBoot({ memmapInit: 0 }, [{ nid: 0, pages, threads }]);
          const c = computeCosts(tl, hostWith([[0, ms, 1]]));
          expect(c.phases[2]!.perNode![0]!.ms).toBe(ms);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('bad options', () => {
  it('a rate that is not a positive number is refused', () => {
    const tl = plainBoot({ memmapInit: 1 }, []);
    expect(() => computeCosts(tl, hostWith(), { rate: 0 })).toThrow(RequestError);
    expect(() => computeCosts(tl, hostWith(), { rate: Number.NaN })).toThrow(RequestError);
  });
});
