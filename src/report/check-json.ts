// The `check --json` document (schema kexec-replay/check/1, schemas/check.schema.json): a contract, new keys
// may be added, none removed.
import type { BaselineFinding, CheckResult } from '../check/baseline.js';
import { checkTotals, describeChange, runLabel } from './check-text.js';

export const CHECK_SCHEMA = 'kexec-replay/check/1';

interface FindingState {
  severity: string;
  pages: number;
  blocks: number;
  rangeCount: number;
}

export interface CheckJson {
  schema: typeof CHECK_SCHEMA;
  baseline: string;
  costTolerance: number;
  failed: boolean;
  totals: ReturnType<typeof checkTotals>;
  runs: {
    bundle: string;
    label: string;
    profile: string;
    strategy: string;
    deferred: string;
    restore: string;
    deferredOn: boolean;
    inBaseline: boolean;
    failed: boolean;
    verdict: string;
    baselineVerdict: string | null;
    errors: number;
    warnings: number;
    cost: { bootCriticalMs: number; restoreMs: number; baselineBootCriticalMs: number | null };
    changes: {
      kind: string;
      failing: boolean;
      code: string | null;
      phase: string | null;
      kernelFunction: string | null;
      before: FindingState | null;
      after: FindingState | null;
      text: string;
    }[];
    /** As the baseline keeps them, plus `rangeUnit` ('pfn': `ranges` are [startPfn, endPfn) pairs). */
    findings: (BaselineFinding & { rangeUnit: 'pfn' })[];
  }[];
  notRun: { bundle: string; profile: string; strategy: string; deferred: string; restore: string }[];
}

const state = (f: BaselineFinding | undefined): FindingState | null =>
  f ? { severity: f.severity, pages: f.pages, blocks: f.blocks, rangeCount: f.rangeCount } : null;

export function checkToJson(r: CheckResult, baselineFile: string): CheckJson {
  return {
    schema: CHECK_SCHEMA,
    baseline: baselineFile,
    costTolerance: r.costTolerance,
    failed: r.failed,
    totals: checkTotals(r),
    runs: r.runs.map((rc) => ({
      bundle: rc.run.bundle,
      label: runLabel(rc.run),
      profile: rc.run.profile,
      strategy: rc.run.strategy,
      deferred: rc.run.deferred,
      restore: rc.run.restore,
      deferredOn: rc.run.deferredOn,
      inBaseline: rc.baseline !== null,
      failed: rc.failed,
      verdict: rc.run.verdict,
      baselineVerdict: rc.baseline?.verdict ?? null,
      errors: rc.run.errors,
      warnings: rc.run.warnings,
      cost: {
        bootCriticalMs: rc.run.cost.bootCriticalMs,
        restoreMs: rc.run.cost.restoreMs,
        baselineBootCriticalMs: rc.baseline?.cost.bootCriticalMs ?? null,
      },
      changes: rc.changes.map((c) => ({
        kind: c.kind,
        failing: c.failing,
        code: c.finding?.code ?? null,
        phase: c.finding?.phase ?? null,
        kernelFunction: c.finding?.kernelFunction ?? null,
        before: c.kind === 'new' ? null : c.kind === 'gone' ? state(c.finding) : state(c.before),
        after: c.kind === 'gone' ? null : state(c.finding),
        text: describeChange(c, rc.run.pageShift, r.costTolerance),
      })),
      findings: rc.run.findings.map((f) => ({ ...f, rangeUnit: 'pfn' as const })),
    })),
    notRun: r.notRun.map((b) => ({
      bundle: b.bundle,
      profile: b.profile,
      strategy: b.strategy,
      deferred: b.deferred,
      restore: b.restore,
    })),
  };
}
