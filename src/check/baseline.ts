// `check`'s baseline: what each (bundle, profile, strategy) replay found and cost when the baseline was written,
// and the comparison of a new run with it: findings new, gone, grown, shrunk or moved, the verdict, the boot cost.
// Pure: the CLI reads and writes the file (src/report/baseline-file.ts renders it).
import type { Range, RangeColumns, RangesLike, Severity } from '../core/index.js';
import { rangeCount, rangeList, TraceError } from '../core/index.js';
import type { CheckFinding, CheckRun, DeferredOption } from './check-runs.js';

export const BASELINE_SCHEMA = 'kexec-replay/baseline/1';

/** Ranges kept in the file per finding (the rest are summed up by rangeCount and rangesDigest). */
export const BASELINE_RANGES = 8;

export type Verdict = 'FAIL' | 'ok, warnings' | 'ok';

export interface BaselineFinding {
  code: string;
  severity: Severity;
  phase: string;
  kernelFunction: string;
  pages: number;
  blocks: number;
  rangeCount: number;
  /** A hash of every range (see rangesDigest), so a finding whose ranges moved is told from one that did not. */
  rangesDigest: string;
  /** The first BASELINE_RANGES ranges, pfns [start, end). */
  ranges: [number, number][];
  title: string;
}

export interface BaselineRun {
  /** The bundle's path relative to the baseline file's folder, with '/' separators. */
  bundle: string;
  profile: string;
  strategy: string;
  /** --deferred as asked (part of the run's identity); `deferredOn` is what the replay did. */
  deferred: DeferredOption;
  restore: string;
  /** The host's page shift, for printing ranges as [mem ...] (not part of the run's identity). */
  pageShift: number;
  deferredOn: boolean;
  verdict: Verdict;
  errors: number;
  warnings: number;
  cost: { bootCriticalMs: number; restoreMs: number; serialMs: number; parallelMs: number };
  findings: BaselineFinding[];
}

export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  runs: BaselineRun[];
}

export function verdictOf(errors: number, warnings: number): Verdict {
  return errors ? 'FAIL' : warnings ? 'ok, warnings' : 'ok';
}

/** 53-bit hash (cyrb53) of a range list: stable across runs and platforms, cheap for millions of ranges. */
export function rangesDigest(ranges: RangesLike): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const mix = (v: number): void => {
    // a pfn fits in 53 bits: hash its low and high 26-bit halves
    const lo = v % 0x4000000;
    const hi = Math.floor(v / 0x4000000);
    h1 = Math.imul(h1 ^ lo, 2654435761);
    h2 = Math.imul(h2 ^ lo, 1597334677);
    h1 = Math.imul(h1 ^ hi, 2246822507);
    h2 = Math.imul(h2 ^ hi, 3266489909);
  };
  const n = rangeCount(ranges);
  if (Array.isArray(ranges))
    for (let i = 0; i < n; i++) {
      mix((ranges as readonly Range[])[i]!.start);
      mix((ranges as readonly Range[])[i]!.end);
    }
  else
    for (let i = 0; i < n; i++) {
      mix((ranges as RangeColumns).starts[i]!);
      mix((ranges as RangeColumns).ends[i]!);
    }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

function findingRecord(f: CheckFinding): BaselineFinding {
  return {
    code: f.code,
    severity: f.severity,
    phase: f.phase,
    kernelFunction: f.kernelFunction,
    pages: f.pages,
    blocks: f.blocks,
    rangeCount: rangeCount(f.ranges),
    rangesDigest: rangesDigest(f.ranges),
    ranges: rangeList(f.ranges, 0, BASELINE_RANGES).map((r) => [r.start, r.end]),
    title: f.title,
  };
}

/** A replay as the baseline records it. */
export function runRecord(bundle: string, run: CheckRun, pageShift: number): BaselineRun {
  const errors = run.findings.filter((f) => f.severity === 'error').length;
  const warnings = run.findings.filter((f) => f.severity === 'warning').length;
  return {
    bundle,
    profile: run.cell.profile,
    strategy: run.cell.strategy,
    deferred: run.cell.deferred,
    restore: run.cell.restore,
    pageShift,
    deferredOn: run.deferred,
    verdict: verdictOf(errors, warnings),
    errors,
    warnings,
    cost: {
      bootCriticalMs: run.costs.bootCriticalMs,
      restoreMs: run.costs.restoreMs,
      serialMs: run.costs.serialMs,
      parallelMs: run.costs.parallelMs,
    },
    findings: run.findings.map(findingRecord),
  };
}

/** The identity of a run: two runs with the same key are the same replay of the same bundle. */
export function runKey(
  r: Pick<BaselineRun, 'bundle' | 'profile' | 'strategy' | 'deferred' | 'restore'>,
): string {
  return `${r.bundle}\u0000${r.profile}\u0000${r.strategy}\u0000${r.deferred}\u0000${r.restore}`;
}

/** The identity of a finding inside a run: its code and where the kernel meets it. */
export function findingKey(f: Pick<BaselineFinding, 'code' | 'phase' | 'kernelFunction'>): string {
  return `${f.code} in ${f.kernelFunction}() (${f.phase})`;
}

/** Runs sorted by bundle, profile, strategy, options: the file's order, so a diff of it only shows changes. */
export function sortRuns(runs: readonly BaselineRun[]): BaselineRun[] {
  return [...runs].sort((a, b) => (runKey(a) < runKey(b) ? -1 : runKey(a) > runKey(b) ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a baseline file

type Json = unknown;

function fail(file: string, where: string, expected: string, found: Json): never {
  throw new TraceError({
    code: 'CHECK_ERR_BASELINE',
    location: { file, field: where },
    expected,
    found: found === undefined ? 'nothing' : (JSON.stringify(found)?.slice(0, 80) ?? String(found)),
  });
}

function obj(file: string, where: string, v: Json): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(file, where, 'an object', v);
  return v as Record<string, Json>;
}
function str(file: string, where: string, v: Json): string {
  if (typeof v !== 'string') fail(file, where, 'a string', v);
  return v;
}
function num(file: string, where: string, v: Json): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(file, where, 'a number >= 0', v);
  return v;
}
function arr(file: string, where: string, v: Json): Json[] {
  if (!Array.isArray(v)) fail(file, where, 'an array', v);
  return v;
}
function oneOf<T extends string>(file: string, where: string, v: Json, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) fail(file, where, values.join(' or '), v);
  return v as T;
}

const SEVERITIES = ['error', 'warning', 'info'] as const;
const VERDICTS = ['FAIL', 'ok, warnings', 'ok'] as const;
const DEFERRED = ['default', 'on', 'off'] as const;

/** Parse a baseline file's text; a malformed one is a TraceError located at the field (exit 3). */
export function parseBaseline(text: string, file: string): Baseline {
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new TraceError({
      code: 'CHECK_ERR_BASELINE',
      location: { file },
      expected: `a ${BASELINE_SCHEMA} JSON document (kexec-replay check --update-baseline writes one)`,
      found: e instanceof Error ? e.message : String(e),
    });
  }
  const root = obj(file, '(document)', doc);
  if (root['schema'] !== BASELINE_SCHEMA) fail(file, 'schema', `"${BASELINE_SCHEMA}"`, root['schema']);
  const runs = arr(file, 'runs', root['runs']).map((rv, i): BaselineRun => {
    const at = `runs[${i}]`;
    const r = obj(file, at, rv);
    const cost = obj(file, `${at}.cost`, r['cost']);
    return {
      bundle: str(file, `${at}.bundle`, r['bundle']),
      profile: str(file, `${at}.profile`, r['profile']),
      strategy: str(file, `${at}.strategy`, r['strategy']),
      deferred: oneOf(file, `${at}.deferred`, r['deferred'], DEFERRED),
      restore: str(file, `${at}.restore`, r['restore']),
      pageShift: r['pageShift'] === undefined ? 12 : num(file, `${at}.pageShift`, r['pageShift']),
      deferredOn: r['deferredOn'] === true,
      verdict: oneOf(file, `${at}.verdict`, r['verdict'], VERDICTS),
      errors: num(file, `${at}.errors`, r['errors']),
      warnings: num(file, `${at}.warnings`, r['warnings']),
      cost: {
        bootCriticalMs: num(file, `${at}.cost.bootCriticalMs`, cost['bootCriticalMs']),
        restoreMs: num(file, `${at}.cost.restoreMs`, cost['restoreMs']),
        serialMs: num(file, `${at}.cost.serialMs`, cost['serialMs'] ?? 0),
        parallelMs: num(file, `${at}.cost.parallelMs`, cost['parallelMs'] ?? 0),
      },
      findings: arr(file, `${at}.findings`, r['findings']).map((fv, j): BaselineFinding => {
        const fat = `${at}.findings[${j}]`;
        const f = obj(file, fat, fv);
        return {
          code: str(file, `${fat}.code`, f['code']),
          severity: oneOf(file, `${fat}.severity`, f['severity'], SEVERITIES),
          phase: str(file, `${fat}.phase`, f['phase']),
          kernelFunction: str(file, `${fat}.kernelFunction`, f['kernelFunction']),
          pages: num(file, `${fat}.pages`, f['pages']),
          blocks: num(file, `${fat}.blocks`, f['blocks']),
          rangeCount: num(file, `${fat}.rangeCount`, f['rangeCount']),
          rangesDigest: str(file, `${fat}.rangesDigest`, f['rangesDigest']),
          ranges: arr(file, `${fat}.ranges`, f['ranges']).map((p, k) => {
            const pair = arr(file, `${fat}.ranges[${k}]`, p);
            if (pair.length !== 2) fail(file, `${fat}.ranges[${k}]`, 'a [start, end) pair', p);
            const s = num(file, `${fat}.ranges[${k}][0]`, pair[0]);
            const e = num(file, `${fat}.ranges[${k}][1]`, pair[1]);
            return [s, e] as [number, number];
          }),
          title: typeof f['title'] === 'string' ? f['title'] : '',
        };
      }),
    };
  });
  return { schema: BASELINE_SCHEMA, runs };
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing runs with the baseline

export type ChangeKind = 'new' | 'gone' | 'grown' | 'shrunk' | 'moved' | 'severity' | 'verdict' | 'cost';

export interface Change {
  readonly kind: ChangeKind;
  /** This change alone makes check fail (exit 1). */
  readonly failing: boolean;
  /** The finding it is about (the current one, or the baseline's for `gone`). */
  readonly finding?: BaselineFinding;
  readonly before?: BaselineFinding;
  /** verdict: before and after; cost: boot-critical ms before and after. */
  readonly verdict?: { before: Verdict; after: Verdict };
  readonly cost?: { beforeMs: number; afterMs: number; ratio: number };
}

export interface RunCheck {
  readonly run: BaselineRun;
  /** null: the baseline has no such run (every finding of it is new). */
  readonly baseline: BaselineRun | null;
  readonly changes: readonly Change[];
  readonly failed: boolean;
}

export interface CheckResult {
  readonly runs: readonly RunCheck[];
  /** Runs of the baseline on the bundles checked that were not replayed this time (narrowed by options). */
  readonly notRun: readonly BaselineRun[];
  /** Runs of the baseline whose bundle was not given. */
  readonly otherBundles: number;
  readonly costTolerance: number;
  readonly failed: boolean;
}

/** More pages or more blocks than the baseline. */
function grew(a: BaselineFinding, b: BaselineFinding): boolean {
  return b.pages > a.pages || b.blocks > a.blocks;
}
function shrank(a: BaselineFinding, b: BaselineFinding): boolean {
  return b.pages < a.pages || b.blocks < a.blocks;
}

/** Findings by key; a key seen twice gets `#2`, `#3`, in order (none of today's checks emits one twice). */
function byKey(fs: readonly BaselineFinding[]): Map<string, BaselineFinding> {
  const m = new Map<string, BaselineFinding>();
  for (const f of fs) {
    let k = findingKey(f);
    for (let n = 2; m.has(k); n++) k = `${findingKey(f)} #${n}`;
    m.set(k, f);
  }
  return m;
}

/** One run against its baseline run (or none). */
export function compareRun(run: BaselineRun, base: BaselineRun | null, costTolerance: number): RunCheck {
  const changes: Change[] = [];
  const before = byKey(base?.findings ?? []);
  const after = byKey(run.findings);
  for (const [k, f] of after) {
    const b = before.get(k);
    const isError = f.severity === 'error';
    if (!b) {
      changes.push({ kind: 'new', failing: isError, finding: f });
      continue;
    }
    if (b.severity !== f.severity)
      changes.push({ kind: 'severity', failing: isError, finding: f, before: b });
    if (grew(b, f)) changes.push({ kind: 'grown', failing: isError, finding: f, before: b });
    else if (shrank(b, f)) changes.push({ kind: 'shrunk', failing: false, finding: f, before: b });
    else if (b.rangesDigest !== f.rangesDigest || b.rangeCount !== f.rangeCount)
      changes.push({ kind: 'moved', failing: false, finding: f, before: b });
  }
  for (const [k, b] of before) if (!after.has(k)) changes.push({ kind: 'gone', failing: false, finding: b });
  if (base) {
    if (base.verdict !== run.verdict)
      changes.push({
        kind: 'verdict',
        failing: run.verdict === 'FAIL',
        verdict: { before: base.verdict, after: run.verdict },
      });
    const beforeMs = base.cost.bootCriticalMs;
    const afterMs = run.cost.bootCriticalMs;
    // rounding of the file (6 decimals) must not count as a change
    if (Math.abs(afterMs - beforeMs) > 1e-6) {
      const ratio = beforeMs > 0 ? afterMs / beforeMs - 1 : Infinity;
      changes.push({
        kind: 'cost',
        failing: afterMs > beforeMs && ratio > costTolerance,
        cost: { beforeMs, afterMs, ratio },
      });
    }
  }
  return { run, baseline: base, changes, failed: changes.some((c) => c.failing) };
}

/**
 * Every run against the baseline. `bundles` are the bundles checked (baseline-relative): baseline runs of these
 * that were not replayed are listed as not run; runs of other bundles are only counted.
 */
export function compareWithBaseline(
  runs: readonly BaselineRun[],
  baseline: Baseline,
  bundles: ReadonlySet<string>,
  costTolerance: number,
): CheckResult {
  const base = new Map(baseline.runs.map((r) => [runKey(r), r]));
  const seen = new Set(runs.map(runKey));
  const checks = runs.map((r) => compareRun(r, base.get(runKey(r)) ?? null, costTolerance));
  const notRun = baseline.runs.filter((r) => bundles.has(r.bundle) && !seen.has(runKey(r)));
  const otherBundles = baseline.runs.filter((r) => !bundles.has(r.bundle)).length;
  return {
    runs: checks,
    notRun,
    otherBundles,
    costTolerance,
    failed: checks.some((c) => c.failed),
  };
}

/**
 * The baseline --update-baseline writes: this check's runs replace the baseline's runs of the same key; other runs
 * are kept (a run with --deferred on does not drop the default runs; delete a run from the file to retire it).
 */
export function updatedBaseline(old: Baseline | null, runs: readonly BaselineRun[]): Baseline {
  const m = new Map((old?.runs ?? []).map((r) => [runKey(r), r]));
  for (const r of runs) m.set(runKey(r), r);
  return { schema: BASELINE_SCHEMA, runs: sortRuns([...m.values()]) };
}
