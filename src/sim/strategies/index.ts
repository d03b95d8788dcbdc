// The strategy registry: --strategy looks names up here. Add a strategy by writing one file and one line below.
import { RequestError } from '../../core/index.js';
import { initDeferredPage } from './init-deferred-page.js';
import { initPageFromNid } from './init-page-from-nid.js';
import { lazyTail } from './lazy-tail.js';
import { none } from './none.js';
import type { KhoStrategy } from './strategy.js';
import { zoneWalk } from './zone-walk.js';

export type { KhoStrategy, StrategyContext, StrategyPageView } from './strategy.js';

const registry = new Map<string, KhoStrategy>();

/** Register a strategy (tests and plugins may add their own); a name can be registered once. */
export function registerStrategy(s: KhoStrategy): void {
  if (registry.has(s.name)) throw new Error(`strategy '${s.name}' is already registered`);
  registry.set(s.name, s);
}

for (const s of [none, initDeferredPage, initPageFromNid, lazyTail, zoneWalk]) registerStrategy(s);

export function listStrategies(): KhoStrategy[] {
  return [...registry.values()];
}

export function findStrategy(name: string): KhoStrategy {
  const s = registry.get(name);
  if (!s) throw new RequestError(`unknown strategy '${name}' (known: ${[...registry.keys()].join(', ')})`);
  return s;
}
