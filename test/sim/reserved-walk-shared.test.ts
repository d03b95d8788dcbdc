// memmap_init_reserved_pages()' walk of the reserved regions is made once per memblock (src/sim/phases/
// memblock_free_all.ts reservedWalkFrom): the strategies of one replayEach reach memblock_free_all() with the same
// memblock and take the first one's plan and diagnostics; each must still get what it gets as its own replay.
import { describe, expect, it } from 'vitest';
import { reservedWalks } from '../../src/sim/phases/memblock_free_all.js';
import { replay, replayEach } from '../../src/sim/replay.js';
import { listStrategies } from '../../src/sim/strategies/index.js';
import type { Timeline } from '../../src/sim/timeline.js';
import type { HostTrace } from '../../src/trace/host-trace.js';
import { HOLEY, makeHost, PAGE } from './build-host.js';
import { hostFromQemuTrace } from './host-from-trace.js';
import { B16_SCRATCH, imageOf } from './kho-fixtures.js';
import { scenarioOf } from './scenario-of.js';

const seen = (tl: Timeline) => ({
  diagnostics: tl.diagnostics.map((d) => [d.code, d.severity, d.message]),
  freeAll: tl.events
    .filter((e) => e.phase === 'memblock_free_all')
    .map((e) => [e.kind, e.fn, e.start, e.end, e.pages, e.nid, e.zid]),
  runs: tl.memmap.query(),
});

// memory with a hole at 0x170000 .. 0x174000 (node 1's deferred part), a reserved part in it: memblock_set_node(base,
// size) leaves it without a node, early_pfn_to_nid() gives node 0, which has no zone there (SIM_NO_ZONE_SPANS_PFN,
// the walk's diagnostic; test/sim/reserved-node-split.test.ts)
const holey = (): HostTrace => ({
  ...makeHost({ memory: HOLEY, release: '7.3.0' }),
  reserved: [{ start: 0x170000 * PAGE, end: 0x172000 * PAGE, nid: null, flags: 0 }],
});

describe('memmap_init_reserved_pages: one walk per memblock', () => {
  it.each([
    ['b-16g-2node', () => hostFromQemuTrace('b-16g-2node'), B16_SCRATCH, false],
    [
      'a hole with a reserved part in it',
      holey,
      [
        { pfn: 0x150000, order: 9 },
        { pfn: 0x178000, order: 9 },
      ],
      true,
    ],
  ] as const)(
    '%s: strategies share the walk, and each gets the plan and diagnostics of its own replay',
    (_, hostOf, blocks, warned) => {
      const host: HostTrace = hostOf();
      const image = imageOf(blocks, {
        scratch: [
          { pfn: 0x4000, order: 14 },
          { pfn: 0x110000, order: 14 },
        ],
      });
      const strategies = listStrategies();
      for (const deferred of ['on', 'off'] as const) {
        const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred });
        const w0 = reservedWalks.made;
        const each = replayEach(
          host,
          image,
          scenario,
          strategies.map((strategy) => ({ strategy })),
          seen,
        );
        // one walk for them all
        expect(reservedWalks.made - w0).toBe(1);
        const alone = strategies.map((strategy) => seen(replay(host, image, { ...scenario, strategy })));
        expect(reservedWalks.made - w0).toBe(1 + strategies.length);
        expect(each).toEqual(alone);
        // (the walk's diagnostic, with deferred init: in every strategy's outcome)
        for (const o of each)
          expect(o.diagnostics.some((d) => d[0] === 'SIM_NO_ZONE_SPANS_PFN')).toBe(
            warned && deferred === 'on',
          );
      }
    },
  );
});
