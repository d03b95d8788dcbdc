// Every strategy on the same host and image (the `compare` command): one KHO replay per strategy, its findings,
// and the struct pages the KHO phases initialised (at deserialize, serial and early; at restore).
import type { Costs } from '../cost/index.js';
import { computeCosts } from '../cost/index.js';
import { replay } from '../sim/replay.js';
import type { HostTrace } from '../trace/host-trace.js';
import type { KhoReplayOptions, KhoReplayResult } from '../sim/phases/kho-replay.js';
import { replayKho } from '../sim/phases/kho-replay.js';
import type { KhoImageInput } from '../sim/phases/kho-types.js';
import type { KernelProfile } from '../sim/profiles.js';
import type { KhoStrategy } from '../sim/strategies/index.js';
import { listStrategies } from '../sim/strategies/index.js';
import type { Finding } from './kho-findings.js';
import { checkKho } from './kho-findings.js';

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
  readonly result: KhoReplayResult;
}

export interface Comparison {
  readonly profile: KernelProfile;
  readonly deferred: boolean;
  readonly deferredReason: string;
  readonly blocks: number;
  readonly preservedPages: number;
  readonly outcomes: readonly StrategyOutcome[];
}

export function compareStrategies(
  host: HostTrace,
  image: KhoImageInput,
  options: Omit<KhoReplayOptions, 'strategy'> = {},
  strategies: readonly KhoStrategy[] = listStrategies(),
): Comparison {
  // the deferred-init lines of the log come from the captured boot: calibrate on its plain replay
  const { profile: _p, restore: _r, deferred: _d, ...boot } = options;
  options.onProgress?.('plain boot (cost calibration)');
  const plain = replay(host, { ...boot, deferred: 'auto' });
  const outcomes = strategies.map((strategy, i): StrategyOutcome => {
    const tell = options.onProgress;
    const label = `strategy ${i + 1} of ${strategies.length} (${strategy.name})`;
    tell?.(label);
    const onProgress = tell && ((p: string, d?: number, t?: number) => tell(`${label}: ${p}`, d, t));
    const result = replayKho(host, image, { ...options, strategy, ...(onProgress ? { onProgress } : {}) });
    const findings = checkKho(result);
    const init = (name: string): number =>
      result.timeline.phases.filter((p) => p.name === name).reduce((n, p) => n + p.initialised, 0);
    return {
      strategy,
      findings,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      initAtDeserialize: init('kho_memory_init'),
      initAtRestore: init('kho_restore'),
      costs: computeCosts(result.timeline, host, { calibrateOn: plain }),
      result,
    };
  });
  const first = outcomes[0]?.result;
  return {
    profile: first ? first.profile : (undefined as never),
    deferred: first?.deferred ?? false,
    deferredReason: first?.deferredReason ?? '',
    blocks: first?.run.blocks.length ?? 0,
    preservedPages: first?.run.blocks.reduce((n, b) => n + b.endPfn - b.startPfn, 0) ?? 0,
    outcomes,
  };
}
