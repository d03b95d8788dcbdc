// The `compare --json` document (schema kexec-replay/compare/1): a contract, new keys may be added, none removed.
import { verdictOf } from '../check/baseline.js';
import type { Verdict } from '../check/baseline.js';
import type { Comparison, StrategyOutcome } from '../check/compare.js';
import type { FindingJson } from './findings-json.js';
import { findingsToJson } from './findings-json.js';

export const COMPARE_SCHEMA = 'kexec-replay/compare/1';

export interface CompareJson {
  schema: typeof COMPARE_SCHEMA;
  bundle: string;
  profile: string;
  deferred: { on: boolean; reason: string };
  image: { blocks: number; pages: number };
  strategies: {
    name: string;
    source: string;
    summary: string;
    errors: number;
    warnings: number;
    /** As the text table's last row: FAIL (an error finding), 'ok, warnings', or ok. */
    verdict: Verdict;
    initAtDeserialize: number;
    initAtRestore: number;
    cost: {
      bootCriticalMs: number;
      serialMs: number;
      parallelMs: number;
      restoreMs: number;
      ratePerPageNs: number;
      rateSource: string;
    };
    /** Pages affected per finding code. */
    pagesByCode: Record<string, number>;
    findings: FindingJson[];
  }[];
}

export type CompareStrategyJson = CompareJson['strategies'][number];

/** Everything in the document but its strategies (known once the first strategy is replayed). */
export function compareHeadJson(
  c: Omit<Comparison, 'outcomes'>,
  bundle: string,
): Omit<CompareJson, 'strategies'> {
  return {
    schema: COMPARE_SCHEMA,
    bundle,
    profile: c.profile.name,
    deferred: { on: c.deferred.on, reason: c.deferred.reason },
    image: { blocks: c.blocks, pages: c.preservedPages },
  };
}

/** One strategy's member of `strategies`. */
export function strategyToJson(o: StrategyOutcome): CompareStrategyJson {
  const pagesByCode: Record<string, number> = {};
  for (const f of o.findings) pagesByCode[f.code] = (pagesByCode[f.code] ?? 0) + f.pages;
  return {
    name: o.strategy.name,
    source: o.strategy.source,
    summary: o.strategy.summary,
    errors: o.errors,
    warnings: o.warnings,
    verdict: verdictOf(o.errors, o.warnings),
    initAtDeserialize: o.initAtDeserialize,
    initAtRestore: o.initAtRestore,
    cost: {
      bootCriticalMs: o.costs.bootCriticalMs,
      serialMs: o.costs.serialMs,
      parallelMs: o.costs.parallelMs,
      restoreMs: o.costs.restoreMs,
      ratePerPageNs: o.costs.ratePerPageNs,
      rateSource: o.costs.rateSource.kind,
    },
    pagesByCode,
    findings: findingsToJson(o.findings),
  };
}

export function compareToJson(c: Comparison, bundle: string): CompareJson {
  return { ...compareHeadJson(c, bundle), strategies: c.outcomes.map(strategyToJson) };
}
