// The baseline file `check --update-baseline` writes: keys in a fixed order, runs sorted, one line per finding,
// so that a review diff of the file shows one changed line per changed finding.
import type { Baseline, BaselineFinding, BaselineRun } from '../check/baseline.js';
import { sortRuns } from '../check/baseline.js';

/** Milliseconds kept to the nanosecond: enough for any cost change, short of float noise. */
function ms(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function findingLine(f: BaselineFinding): string {
  // explicit key order (not the object's): the file's layout is part of its contract
  return JSON.stringify({
    code: f.code,
    severity: f.severity,
    phase: f.phase,
    kernelFunction: f.kernelFunction,
    pages: f.pages,
    blocks: f.blocks,
    rangeCount: f.rangeCount,
    rangesDigest: f.rangesDigest,
    ranges: f.ranges,
    title: f.title,
  });
}

function runLines(r: BaselineRun): string[] {
  const kv = (k: string, v: unknown): string => `      ${JSON.stringify(k)}: ${JSON.stringify(v)},`;
  const cost = {
    bootCriticalMs: ms(r.cost.bootCriticalMs),
    restoreMs: ms(r.cost.restoreMs),
    serialMs: ms(r.cost.serialMs),
    parallelMs: ms(r.cost.parallelMs),
  };
  const out = [
    '    {',
    kv('bundle', r.bundle),
    kv('profile', r.profile),
    kv('strategy', r.strategy),
    kv('deferred', r.deferred),
    kv('restore', r.restore),
    kv('pageShift', r.pageShift),
    kv('deferredOn', r.deferredOn),
    kv('verdict', r.verdict),
    kv('errors', r.errors),
    kv('warnings', r.warnings),
    `      "cost": { ${Object.entries(cost)
      .map(([k, v]) => `${JSON.stringify(k)}: ${v}`)
      .join(', ')} },`,
  ];
  if (!r.findings.length) out.push('      "findings": []');
  else {
    out.push('      "findings": [');
    r.findings.forEach((f, i) =>
      out.push(`        ${findingLine(f)}${i < r.findings.length - 1 ? ',' : ''}`),
    );
    out.push('      ]');
  }
  out.push('    }');
  return out;
}

export function renderBaseline(b: Baseline): string {
  const runs = sortRuns(b.runs);
  const out = ['{', `  "schema": ${JSON.stringify(b.schema)},`];
  if (!runs.length) out.push('  "runs": []');
  else {
    out.push('  "runs": [');
    runs.forEach((r, i) => {
      const lines = runLines(r);
      if (i < runs.length - 1) lines[lines.length - 1] += ',';
      out.push(...lines);
    });
    out.push('  ]');
  }
  out.push('}');
  return out.join('\n') + '\n';
}
