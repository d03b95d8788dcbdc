// `check` as text, and the one wording of a change that every check output shares (text, JSON, JUnit, KTAP,
// HTML): `+ new STRUCT_PAGE_NEVER_INIT in deferred_init_memmap() (page_alloc_init_late): error, 16,384 pages ...`.
import type { BaselineFinding, BaselineRun, Change, CheckResult, RunCheck } from '../check/baseline.js';
import { formatMemRange, hex } from '../core/index.js';

function n(v: number): string {
  return v.toLocaleString('en-US');
}
function plural(v: number, what: string): string {
  return `${n(v)} ${what}${v === 1 ? '' : 's'}`;
}
function ms(v: number): string {
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
}
function pct(r: number): string {
  return r === Infinity ? '+inf%' : `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`;
}
function delta(a: number, b: number): string {
  return `${n(a)} -> ${n(b)} (${b >= a ? '+' : ''}${n(b - a)})`;
}

/** `v6.18 / lazy-tail` plus the options when not the defaults. */
export function runLabel(r: Pick<BaselineRun, 'profile' | 'strategy' | 'deferred' | 'restore'>): string {
  const opts = [
    ...(r.deferred !== 'default' ? [`--deferred ${r.deferred}`] : []),
    ...(r.restore !== 'all' && r.restore !== 'none' ? [`--restore ${r.restore}`] : []),
  ];
  return `${r.profile} / ${r.strategy}${opts.length ? ` (${opts.join(' ')})` : ''}`;
}

/** The first ranges of a finding as the kernel prints them, with pfns. */
export function exampleRanges(f: BaselineFinding, pageShift: number, count = 2): string {
  const page = 2 ** pageShift;
  const shown = f.ranges
    .slice(0, count)
    .map(([s, e]) => `${formatMemRange(s * page, e * page)} pfn ${hex(s)}-${hex(e - 1)}`);
  const more = f.rangeCount - shown.length;
  return shown.join(', ') + (more > 0 ? `, ${plural(more, 'more range')}` : '');
}

const MARK: Record<Change['kind'], string> = {
  new: '+',
  gone: '-',
  grown: '>',
  shrunk: '<',
  moved: '~',
  severity: '!',
  verdict: '!',
  cost: '$',
};

/** One change in one line (no marker): what changed, by how much, and where. */
export function describeChange(c: Change, pageShift: number, tolerance: number): string {
  const f = c.finding;
  const b = c.before;
  const what = f ? `${f.code} in ${f.kernelFunction}() (${f.phase})` : '';
  switch (c.kind) {
    case 'new':
      return `new ${what}: ${f!.severity}, ${plural(f!.pages, 'page')}, ${plural(f!.blocks, 'block')}: ${f!.title}; ${exampleRanges(f!, pageShift)}`;
    case 'gone':
      return `gone ${what}: was ${f!.severity}, ${plural(f!.pages, 'page')}, ${plural(f!.blocks, 'block')}`;
    case 'grown':
    case 'shrunk':
      return `${c.kind} ${what} (${f!.severity}): pages ${delta(b!.pages, f!.pages)}, blocks ${delta(b!.blocks, f!.blocks)}, ranges ${n(b!.rangeCount)} -> ${n(f!.rangeCount)}; ${exampleRanges(f!, pageShift)}`;
    case 'moved':
      return `moved ${what} (${f!.severity}): same ${plural(f!.pages, 'page')} and ${plural(f!.blocks, 'block')}, other ranges: ${exampleRanges(f!, pageShift)}`;
    case 'severity':
      return `severity ${what}: ${b!.severity} -> ${f!.severity}`;
    case 'verdict':
      return `verdict ${c.verdict!.before} -> ${c.verdict!.after}`;
    case 'cost': {
      const k = c.cost!;
      const over = c.failing ? `, above the ${(tolerance * 100).toFixed(0)}% tolerance` : '';
      return `boot-critical cost ${ms(k.beforeMs)} -> ${ms(k.afterMs)} ms (${pct(k.ratio)}${over})`;
    }
  }
}

/** What a run's failure is, in one line (JUnit failure message, KTAP diagnostic). */
export function failureSummary(rc: RunCheck): string {
  const failing = rc.changes.filter((c) => c.failing);
  const kinds = [...new Set(failing.map((c) => c.kind))];
  return kinds
    .map((k) => {
      const cnt = failing.filter((c) => c.kind === k).length;
      if (k === 'verdict') return 'verdict turned FAIL';
      if (k === 'cost') return 'boot-cost regression';
      if (k === 'severity') return `${plural(cnt, 'finding')} turned error`;
      return `${cnt} ${k} error finding${cnt === 1 ? '' : 's'}`;
    })
    .join(', ');
}

export interface CheckTotals {
  runs: number;
  bundles: number;
  failedRuns: number;
  changes: Record<Change['kind'], number>;
}

export function checkTotals(r: CheckResult): CheckTotals {
  const changes: Record<Change['kind'], number> = {
    new: 0,
    gone: 0,
    grown: 0,
    shrunk: 0,
    moved: 0,
    severity: 0,
    verdict: 0,
    cost: 0,
  };
  for (const rc of r.runs) for (const c of rc.changes) changes[c.kind]++;
  return {
    runs: r.runs.length,
    bundles: new Set(r.runs.map((rc) => rc.run.bundle)).size,
    failedRuns: r.runs.filter((rc) => rc.failed).length,
    changes,
  };
}

export function renderCheckText(r: CheckResult, baselineFile: string, updating = false): string {
  const out: string[] = [];
  const t = checkTotals(r);
  out.push(
    `check: ${plural(t.runs, 'run')} on ${plural(t.bundles, 'bundle')} against ${baselineFile} (boot-cost tolerance ${(r.costTolerance * 100).toFixed(0)}%)`,
  );
  out.push('');
  const w = Math.max(...r.runs.map((rc) => rc.run.bundle.length), 0);
  for (const rc of r.runs) {
    const run = rc.run;
    const status = rc.failed ? 'FAILED' : rc.changes.length ? 'changed' : 'same';
    const verdict = rc.baseline
      ? `${rc.baseline.verdict} -> ${run.verdict}`
      : `${run.verdict} (not in the baseline)`;
    out.push(
      `${status.padEnd(7)}  ${run.bundle.padEnd(w)}  ${runLabel(run)}: ${verdict}, boot-critical ${ms(run.cost.bootCriticalMs)} ms`,
    );
    for (const c of rc.changes)
      out.push(
        `           ${MARK[c.kind]} ${describeChange(c, run.pageShift, r.costTolerance)}${c.failing ? '   <- fails the check' : ''}`,
      );
  }
  if (r.notRun.length) {
    out.push('');
    out.push(`in the baseline, not run this time (${plural(r.notRun.length, 'run')}):`);
    for (const b of r.notRun) out.push(`  ${b.bundle}  ${runLabel(b)}`);
  }
  out.push('');
  const c = t.changes;
  out.push(
    `changes: ${c.new} new, ${c.gone} gone, ${c.grown} grown, ${c.shrunk} shrunk, ${c.moved} moved, ${c.severity} severity, ${c.verdict} verdict, ${c.cost} cost`,
  );
  out.push(
    updating
      ? `baseline updated: these changes are accepted (check exits 0 with --update-baseline)`
      : r.failed
        ? `check FAILED: ${plural(t.failedRuns, 'run')} regressed (new or grown error findings, a verdict turned FAIL, or boot cost above the tolerance)`
        : `check passed: no new or grown error finding, no verdict turned FAIL, no boot-cost regression`,
  );
  return out.join('\n') + '\n';
}
