// Tests name profiles, strategies and restore kinds as the command line does: the CLI's flag parser turns the
// names into the typed Scenario replay() takes (src/cli/scenario.ts), so tests see the same lookups and errors.
import { parseRestoreKinds, parseScenarioFlags } from '../../src/cli/scenario.js';
import type { Scenario } from '../../src/sim/scenario.js';
import type { KhoStrategy } from '../../src/sim/strategies/index.js';

export type NamedScenario = Omit<Scenario, 'profile' | 'strategy' | 'restore'> & {
  readonly profile?: string;
  readonly strategy?: string | KhoStrategy;
  readonly restore?: string;
};

export function scenarioOf(named: NamedScenario = {}): Scenario {
  const { profile, strategy, restore, ...rest } = named;
  const parsed = parseScenarioFlags({
    ...(profile !== undefined ? { profile } : {}),
    ...(typeof strategy === 'string' ? { strategy } : {}),
  }).scenario;
  return {
    ...rest,
    ...parsed,
    ...(typeof strategy === 'object' ? { strategy } : {}),
    ...(restore !== undefined ? { restore: parseRestoreKinds(restore) } : {}),
  };
}
