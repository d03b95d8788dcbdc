// replayEach() runs the boot up to kho_memory_init once and every strategy from a copy of it (src/sim/fork.ts);
// check() computes the strategy-independent findings once per image and layout (CheckPrep). Both must give what a
// replay of each strategy on its own gives: same timeline counts, same findings, range for range.
import { describe, expect, it } from 'vitest';
import { rangeList } from '../../src/core/index.js';
import { check } from '../../src/check/kho-findings.js';
import { replay, replayEach } from '../../src/sim/replay.js';
import { listStrategies } from '../../src/sim/strategies/index.js';
import type { Finding } from '../../src/check/kho-findings.js';
import type { Timeline } from '../../src/sim/timeline.js';
import { scenarioOf } from '../sim/scenario-of.js';
import { hostFromQemuTrace } from '../sim/host-from-trace.js';
import { B16_CLEAN, B16_SCRATCH, imageOf } from '../sim/kho-fixtures.js';

const plain = (fs: readonly Finding[]) => fs.map((f) => ({ ...f, ranges: rangeList(f.ranges) }));
const shape = (tl: Timeline) => ({
  phases: tl.phases,
  nodes: tl.nodes,
  runs: tl.memmap.query(),
  events: tl.events.length,
  observations: tl.kho?.run.observations,
  restored: tl.kho?.run.restored.size,
});

describe('replayEach', () => {
  const host = hostFromQemuTrace('b-16g-2node');
  // B16_SCRATCH overlaps scratch (image findings), the deferred-fix profile lets strategies differ
  for (const [name, blocks] of [
    ['clean', B16_CLEAN],
    ['scratch', B16_SCRATCH],
  ] as const)
    for (const deferred of ['on', 'off'] as const)
      it(`${name} image, --deferred ${deferred}: every strategy as its own replay gives`, () => {
        const image = imageOf(blocks);
        const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred });
        const strategies = listStrategies();
        const shared = replayEach(
          host,
          image,
          scenario,
          strategies.map((strategy) => ({ strategy })),
          (tl) => ({ shape: shape(tl), findings: plain(check(tl)) }),
        );
        const alone = strategies.map((strategy) => {
          const tl = replay(host, image, { ...scenario, strategy });
          return { shape: shape(tl), findings: plain(check(tl)) };
        });
        expect(shared).toEqual(alone);
        // with deferred init on the strategies differ, so a copy that leaked state between them would show (off,
        // every strategy finds every struct page initialised and replays alike)
        expect(new Set(alone.map((a) => JSON.stringify(a))).size > 1).toBe(deferred === 'on');
      });
});
