// Every strategy on the same host and image (the `compare` command): one KHO replay per strategy (strategies that
// replay alike share one: src/sim/replay.ts replayEach), its findings, and the struct pages the KHO phases
// initialised (at deserialize, serial and early; at restore). The captured plain boot is replayed once for the cost
// calibration, and each strategy's timeline (its struct-page map and events) is dropped as soon as its findings and
// costs are taken: only the outcomes are kept.
import { InternalError } from '../core/index.js';
import type { Costs } from '../cost/index.js';
import { capturedBoot, computeCosts } from '../cost/index.js';
import type { KhoImageInput } from '../sim/phases/kho-types.js';
import type { KernelProfile } from '../sim/profiles.js';
import type { DeferredDecision, Scenario } from '../sim/scenario.js';
import type { KhoStrategy } from '../sim/strategies/index.js';
import { listStrategies } from '../sim/strategies/index.js';
import { SpareColumns } from '../sim/fork.js';
import { replayEach } from '../sim/replay.js';
import type { Timeline } from '../sim/timeline.js';
import type { HostTrace } from '../trace/host-trace.js';
import type { Finding } from './kho-findings.js';
import { check } from './kho-findings.js';

export interface StrategyOutcome {
  readonly strategy: KhoStrategy;
  readonly findings: readonly Finding[];
  readonly errors: number;
  readonly warnings: number;
  /** Struct pages initialised in kho_memory_init (deserialize, before SMP) and in the restores. */
  readonly initAtDeserialize: number;
  readonly initAtRestore: number;
  /** src/cost over the KHO timeline, the rate calibrated on the host's own (plain) boot when its log allows. */
  readonly costs: Costs;
}

export interface Comparison {
  readonly profile: KernelProfile;
  readonly deferred: DeferredDecision;
  readonly blocks: number;
  readonly preservedPages: number;
  readonly outcomes: readonly StrategyOutcome[];
  /** The first strategy's timeline, kept only when asked (compare --html draws its memory map). */
  readonly firstTimeline?: Timeline;
}

/** What a compare keeps of one strategy's replay (the timeline itself is not kept). */
function outcomeOf(
  tl: Timeline,
  host: HostTrace,
  calibrateOn: ReturnType<typeof capturedBoot>,
): StrategyOutcome {
  const findings = check(tl);
  const init = (name: string): number =>
    tl.phases.filter((p) => p.name === name).reduce((n, p) => n + p.initialised, 0);
  return {
    strategy: tl.kho!.strategy,
    findings,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    initAtDeserialize: init('kho_memory_init'),
    initAtRestore: init('kho_restore'),
    costs: computeCosts(tl, host, calibrateOn ? { calibrateOn } : {}),
  };
}

/**
 * What several comparisons of one host share: the captured plain boot the costs are calibrated on, replayed by
 * the first comparison that needs it (compare --profiles: once for every profile, not once per profile).
 */
export interface CompareShared {
  calibrateOn?: ReturnType<typeof capturedBoot> | null;
}

export interface CompareOptions {
  /** Keep the first strategy's timeline (Comparison.firstTimeline). */
  readonly firstTimeline?: boolean;
  /**
   * Told each outcome as soon as it is taken, with what the comparison knows besides (the same for every one), so
   * a caller may write it out while the later strategies replay (compare --json). The strategies then replay in
   * the list's order (replayEach listOrder), so that each outcome is the next one to write when it comes; `i` is
   * its index in the list.
   */
  readonly onOutcome?: (i: number, o: StrategyOutcome, head: Omit<Comparison, 'outcomes'>) => void;
}

export function compareStrategies(
  host: HostTrace,
  image: KhoImageInput,
  scenario: Omit<Scenario, 'strategy'> = {},
  strategies: readonly KhoStrategy[] = listStrategies(),
  shared: CompareShared = {},
  opts: CompareOptions = {},
): Comparison {
  let firstTimeline: Timeline | undefined;
  let head: Omit<Comparison, 'outcomes'> | null = null;
  let calibrateOn: ReturnType<typeof capturedBoot> = shared.calibrateOn ?? undefined;
  const tell = scenario.onProgress;
  // the boot up to kho_memory_init runs once; each strategy goes on from a copy of it (src/sim/replay.ts)
  const variants = strategies.map((strategy, i) => {
    const label = `strategy ${i + 1} of ${strategies.length} (${strategy.name})`;
    const onProgress = tell && ((p: string, d?: number, t?: number) => tell(`${label}: ${p}`, d, t));
    return { strategy, ...(onProgress ? { onProgress } : {}) };
  });
  const told = (i: number, o: StrategyOutcome): StrategyOutcome => {
    opts.onOutcome?.(i, o, head!);
    return o;
  };
  const take = (tl: Timeline, i: number): StrategyOutcome => {
    if (!head) {
      const blocks = tl.kho!.run.blocks;
      head = {
        profile: tl.kho!.profile,
        deferred: tl.deferred,
        blocks: blocks.length,
        preservedPages: blocks.pages(),
      };
      // the captured boot is the same for every strategy (and profile): replayed once
      if (shared.calibrateOn === undefined) {
        tell?.('plain boot (cost calibration)');
        shared.calibrateOn = capturedBoot(tl, host) ?? null;
      }
      calibrateOn = shared.calibrateOn ?? undefined;
      if (opts.firstTimeline) firstTimeline = tl;
    }
    return told(i, outcomeOf(tl, host, calibrateOn));
  };
  // a strategy whose replay is an earlier one's (replayEach: with deferred init off every posted strategy is inert):
  // check() and computeCosts() read the state, never the strategy, so its findings and costs are the earlier ones
  const relabel = (earlier: StrategyOutcome, tl: Timeline, i: number): StrategyOutcome =>
    told(i, { ...earlier, strategy: tl.kho!.strategy });
  // no timeline kept (but the first one, when asked): the copies' columns go on to the next copies
  const spare = opts.firstTimeline ? undefined : new SpareColumns();
  const outcomes = replayEach(
    host,
    image,
    scenario,
    variants,
    take,
    relabel,
    spare,
    opts.onOutcome !== undefined,
  );
  if (!head) throw new InternalError('compare ran no strategy');
  return { ...(head as Omit<Comparison, 'outcomes'>), outcomes, ...(firstTimeline ? { firstTimeline } : {}) };
}
