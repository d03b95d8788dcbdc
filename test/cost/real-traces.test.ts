// Calibration on real captures: the rate taken from each node's `node N deferred pages initialised in X ms`
// reproduces that node's printed time for the run it came from; the three runs of the same qemu host
// (e2-128g-2node-quietconsole, run2, run3) show how far one calibration carries to another boot.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Costs } from '../../src/cost/index.js';
import { PUBLISHED_RATE_RANGE_NS, computeCosts } from '../../src/cost/index.js';
import type { Timeline } from '../../src/sim/index.js';
import { replay } from '../../src/sim/index.js';
import type { HostTrace } from '../../src/trace/host-trace.js';
import { cpusPerNode, loadTrace } from './load-trace.js';

/** The log's own lines, read with a regex of the 6.1 format string (mm/page_alloc.c deferred_init_memmap). */
function printedTimes(name: string, file = 'dmesg.txt'): Map<number, number> {
  const text = fs.readFileSync(new URL(`../../traces/${name}/${file}`, import.meta.url), 'utf8');
  const out = new Map<number, number>();
  for (const m of text.matchAll(/node (\d+) deferred pages initialised in (\d+)ms/g)) out.set(+m[1]!, +m[2]!);
  return out;
}

function parallel(c: Costs) {
  return c.phases.find((p) => p.kind === 'parallel')!;
}

const E2_RUNS = [
  'qemu/e2-128g-2node-quietconsole',
  'qemu/e2-128g-2node-quietconsole-run2',
  'qemu/e2-128g-2node-quietconsole-run3',
] as const;

interface Run {
  readonly name: string;
  readonly host: HostTrace;
  readonly tl: Timeline;
  readonly costs: Costs;
}

const runs: Run[] = E2_RUNS.map((name) => {
  const host = loadTrace(name);
  const tl = replay(host, null, { cpusPerNode: cpusPerNode(host) });
  return { name, host, tl, costs: computeCosts(tl, host) };
});

describe.each(runs)('$name', ({ name, tl, costs }) => {
  it("is calibrated from its own two node lines and reproduces each node's printed time exactly", () => {
    const printed = printedTimes(name);
    expect(printed.size).toBe(2);
    expect(costs.rateSource.kind).toBe('calibrated');
    expect(costs.rateSource.detail).toMatch(/dmesg\.txt lines \d+, \d+/);
    const pn = parallel(costs).perNode!;
    expect(pn.map((n) => [n.nid, n.ms])).toEqual([...printed].sort((a, b) => a[0] - b[0]));
    expect(pn.every((n) => n.rateFrom === 'node' && n.threads === 1)).toBe(true);
    expect(parallel(costs).ms).toBe(Math.max(...printed.values()));
  });

  it('one CPU per node (node cpulists): the pooled rate is the printed ms over the deferred pages', () => {
    const pages = tl.deferredWork.reduce((n, w) => n + w.pages, 0);
    const ms = [...printedTimes(name).values()].reduce((a, b) => a + b, 0);
    expect(costs.ratePerPageNs).toBeCloseTo((ms * 1e6) / pages, 9);
  });

  it('boot-critical = serial phases (memmap_init, reserve_bootmem_region) + the slowest node', () => {
    const serial = costs.phases.filter((p) => p.kind === 'serial');
    expect(serial.map((p) => p.phase)).toEqual(['memmap_init', 'memblock_free_all']);
    const serialPages = serial.reduce((n, p) => n + p.pagesInitialised, 0);
    expect(costs.serialMs).toBeCloseTo((serialPages * costs.ratePerPageNs) / 1e6, 5);
    expect(costs.bootCriticalMs).toBeCloseTo(costs.serialMs + parallel(costs).ms, 5);
    expect(costs.restoreMs).toBe(0);
  });
});

describe('the spread across the three runs of e2-128g-2node-quietconsole', () => {
  // Printed: run 1 1180/1348 ms, run 2 2456/2600 ms, run 3 1168/1372 ms for the same ~16.2M/16.7M pages per node.
  // Pooled rates come out at about 76.7, 153.4 and 77.1 ns per page: run 2 booted twice as slow (a busy qemu host).
  const rates = runs.map((r) => r.costs.ratePerPageNs);

  it('runs 1 and 3 agree within 1%, run 2 is about twice as slow: spread max/min ~2.0', () => {
    expect(Math.abs(rates[0]! / rates[2]! - 1)).toBeLessThan(0.01);
    const spread = Math.max(...rates) / Math.min(...rates);
    expect(spread).toBeGreaterThan(1.9);
    expect(spread).toBeLessThan(2.1);
  });

  // Within a run node 1 is ~10% slower per page than node 0 (72.7 vs 80.6 ns in run 1, 72.0 vs 82.0 in run 3),
  // so one pooled rate misses each node by 5-7% even on the run it came from; the per-node rates carry over.
  const err = (to: Run, c: Costs): number => {
    const printed = printedTimes(to.name);
    return Math.max(...parallel(c).perNode!.map((n) => Math.abs(n.ms / printed.get(n.nid)! - 1)));
  };
  const crossRun = (from: Run, to: Run): Costs =>
    computeCosts(to.tl, to.host, { calibrateOn: from.tl, calibrationHost: from.host });

  it("run 1's per-node rates predict run 3's node times within 2%, and run 2's only within ~50%", () => {
    expect(err(runs[2]!, crossRun(runs[0]!, runs[2]!))).toBeLessThan(0.02);
    const toRun2 = err(runs[1]!, crossRun(runs[0]!, runs[1]!));
    expect(toRun2).toBeGreaterThan(0.45);
    expect(toRun2).toBeLessThan(0.55);
  });

  it('a pooled rate misses each node of its own run by 5-7%', () => {
    for (const r of runs) {
      const e = err(r, computeCosts(r.tl, r.host, { rate: r.costs.ratePerPageNs }));
      expect(e).toBeGreaterThan(0.01);
      expect(e).toBeLessThan(0.08);
    }
  });

  it("calibrated on another run, the report still prints this run's own times next to the estimates", () => {
    const c = crossRun(runs[0]!, runs[2]!);
    expect(parallel(c).perNode!.map((n) => n.printedMs)).toEqual([1168, 1372]);
    expect(c.rateSource.detail).toContain('traces/qemu/e2-128g-2node-quietconsole/dmesg.txt');
  });

  it('a qemu guest is slower per page than the published bare-metal figures, and the report says so', () => {
    for (const r of runs) {
      expect(r.costs.ratePerPageNs).toBeGreaterThan(PUBLISHED_RATE_RANGE_NS.max);
      expect(r.costs.diagnostics.map((d) => d.code)).toContain('COST_RATE_UNUSUAL');
    }
  });
});

describe('public logs of real servers', () => {
  it('HP DL585 G7, 8 nodes, 6 CPUs each (SOURCE.txt: 48 CPUs): every node line reproduced, the slowest is node 4', () => {
    const name = 'public/hp-dl585g7-4s-8node-1t';
    const host = loadTrace(name);
    const per = Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7].map((n) => [n, 6]));
    const tl = replay(host, null, { cpusPerNode: per });
    const c = computeCosts(tl, host);
    const printed = printedTimes(name, 'dmesg-excerpt.txt');
    expect(printed.size).toBe(8);
    const pn = parallel(c).perNode!;
    expect(pn.map((n) => [n.nid, n.ms])).toEqual([...printed].sort((a, b) => a[0] - b[0]));
    expect(pn.every((n) => n.threads === 6)).toBe(true);
    expect(parallel(c).ms).toBe(489);
    expect(c.rateSource.detail).toContain('dmesg-excerpt.txt lines 366, 367, 368, 369, 370, 371, 372, 373');
  });

  describe('Supermicro H13DSG, 2x EPYC 9654 (384 CPUs, 2 nodes)', () => {
    const name = 'public/supermicro-h13dsg-genoa-2s-1.5t';
    const host = loadTrace(name);
    const printed = printedTimes(name);

    it('with 192 CPUs per node: 192 padata workers, printed times reproduced, a per-thread rate near the published ones', () => {
      const tl = replay(host, null, { cpusPerNode: 192 });
      const c = computeCosts(tl, host);
      const pn = parallel(c).perNode!;
      expect(pn.map((n) => [n.nid, n.ms])).toEqual([...printed].sort((a, b) => a[0] - b[0]));
      expect(pn.every((n) => n.threads === 192)).toBe(true);
      // ~9.6 ns per page per thread (s(192) ~ 11x): the published single-thread range is 14.5-21.9 ns
      expect(c.ratePerPageNs).toBeGreaterThan(PUBLISHED_RATE_RANGE_NS.min / 2);
      expect(c.ratePerPageNs).toBeLessThan(PUBLISHED_RATE_RANGE_NS.max);
      expect(c.diagnostics.map((d) => d.code)).toEqual([]);
    });

    it('without CPUs per node the rate is per node, not per thread: both diagnostics say so', () => {
      const c = computeCosts(replay(host, null), host);
      expect(parallel(c).perNode!.map((n) => n.ms)).toEqual([178, 172]);
      expect(c.ratePerPageNs).toBeLessThan(PUBLISHED_RATE_RANGE_NS.min / 3);
      expect(c.diagnostics.map((d) => d.code).sort()).toEqual(['COST_RATE_UNUSUAL', 'COST_THREADS_UNKNOWN']);
    });
  });
});
