// What each KHO strategy costs (issue 5's `compare`): the b-16g-2node qemu host receiving the clean image of
// test/sim/kho-fixtures.ts with deferral on, the rate calibrated on the plain replay of the same host (the boot
// that printed `node N deferred pages initialised`). Strategies differ only in where preserved struct pages are
// initialised: at deserialize (serial, before SMP) or at restore (after boot, by the consumers).
import { describe, expect, it } from 'vitest';
import type { Costs } from '../../src/cost/index.js';
import { computeCosts } from '../../src/cost/index.js';
import { replay } from '../../src/sim/index.js';
import { scenarioOf } from '../sim/scenario-of.js';
import { B16_CLEAN, imageOf } from '../sim/kho-fixtures.js';
import { cpusPerNode, loadTrace } from './load-trace.js';

const host = loadTrace('qemu/b-16g-2node');
const cpus = cpusPerNode(host);
const plain = replay(host, null, { cpusPerNode: cpus });
const plainCosts = computeCosts(plain, host);

const STRATEGIES = ['none', 'init-deferred-page', 'init-page-from-nid', 'lazy-tail', 'zone-walk'] as const;
const costs = new Map<string, Costs>(
  STRATEGIES.map((s) => {
    const r = replay(
      host,
      imageOf(B16_CLEAN),
      scenarioOf({ profile: 'kho-v3-deferred-fix', strategy: s, deferred: 'on', cpusPerNode: cpus }),
    );
    return [s, computeCosts(r, host, { calibrateOn: plain })];
  }),
);

// The fixture's blocks against each node's first_deferred_pfn in the plain replay (0x108000 and 0x288000)
const fdp = (pfn: number): number => {
  const n = plain.nodes.find((x) => pfn >= x.startPfn && pfn < x.endPfn)!;
  return n.firstDeferredPfn ?? Infinity;
};
const blocks = B16_CLEAN.map((b) => ({ start: b.pfn, end: b.pfn + 2 ** b.order }));
const allPages = blocks.reduce((n, b) => n + b.end - b.start, 0);
const deferredPages = blocks.reduce((n, b) => n + Math.max(0, b.end - Math.max(b.start, fdp(b.start))), 0);
const deferredHeads = blocks.filter((b) => b.start >= fdp(b.start)).length;
const tails = blocks.reduce((n, b) => n + b.end - b.start - 1, 0);

function phase(c: Costs, name: string) {
  return c.phases.find((p) => p.phase === name)!;
}

describe('KHO strategies side by side on b-16g-2node', () => {
  it("the rate is the plain boot's, calibrated from its two node lines, for every strategy", () => {
    expect(plainCosts.rateSource.kind).toBe('calibrated');
    for (const c of costs.values()) {
      expect(c.rateSource.kind).toBe('calibrated');
      expect(c.ratePerPageNs).toBe(plainCosts.ratePerPageNs);
    }
  });

  it('phases: KHO deserialize is serial, deferred init parallel, restores after boot', () => {
    const c = costs.get('init-deferred-page')!;
    expect(c.phases.map((p) => [p.phase, p.kind])).toEqual([
      ['kho_populate', 'serial'],
      ['memmap_init', 'serial'],
      ['kho_memory_init', 'serial'],
      ['memblock_free_all', 'serial'],
      ['page_alloc_init_late', 'parallel'],
      ['kho_restore', 'after-boot'],
    ]);
  });

  it('init-deferred-page: every preserved page in the deferred part at deserialize, nothing at restore', () => {
    const c = costs.get('init-deferred-page')!;
    expect(phase(c, 'kho_memory_init').pagesInitialised).toBe(deferredPages);
    expect(phase(c, 'kho_memory_init').functions).toEqual([
      { fn: 'init_deferred_page', pages: deferredPages },
    ]);
    expect(phase(c, 'kho_memory_init').ms).toBeCloseTo((deferredPages * c.ratePerPageNs) / 1e6, 5);
    expect(c.restoreMs).toBe(0);
  });

  it('init-page-from-nid: every preserved page at deserialize, the eager ones included', () => {
    expect(phase(costs.get('init-page-from-nid')!, 'kho_memory_init').pagesInitialised).toBe(allPages);
  });

  it('lazy-tail: heads in the deferred part at deserialize, every tail at restore (after boot)', () => {
    const c = costs.get('lazy-tail')!;
    expect(phase(c, 'kho_memory_init').pagesInitialised).toBe(deferredHeads);
    expect(phase(c, 'kho_restore').pagesInitialised).toBe(tails);
    expect(c.restoreMs).toBeCloseTo((tails * c.ratePerPageNs) / 1e6, 5);
  });

  it('zone-walk: nothing at deserialize, every preserved page at restore', () => {
    const c = costs.get('zone-walk')!;
    expect(phase(c, 'kho_memory_init').pagesInitialised).toBe(0);
    expect(phase(c, 'kho_restore').pagesInitialised).toBe(allPages);
  });

  it('deferred init is the same under every strategy: the plain boot minus the preserved deferred pages', () => {
    const plainPages = phase(plainCosts, 'page_alloc_init_late').pagesInitialised;
    for (const c of costs.values()) {
      expect(phase(c, 'page_alloc_init_late').pagesInitialised).toBe(plainPages - deferredPages);
      expect(phase(c, 'page_alloc_init_late').ms).toBeLessThan(phase(plainCosts, 'page_alloc_init_late').ms);
    }
  });

  it('boot-critical order: the deserialize-time strategies pay at boot, the restore-time ones after it', () => {
    const boot = (s: string) => costs.get(s)!.bootCriticalMs;
    const restore = (s: string) => costs.get(s)!.restoreMs;
    expect(boot('lazy-tail')).toBeGreaterThan(boot('none'));
    expect(boot('lazy-tail') - boot('none')).toBeLessThan(0.01);
    expect(boot('zone-walk')).toBe(boot('none'));
    expect(boot('init-deferred-page')).toBeGreaterThan(boot('lazy-tail'));
    expect(boot('init-page-from-nid')).toBeGreaterThan(boot('init-deferred-page'));
    expect(restore('none') + restore('init-deferred-page') + restore('init-page-from-nid')).toBe(0);
    expect(restore('zone-walk')).toBeGreaterThan(restore('lazy-tail'));
  });
});
