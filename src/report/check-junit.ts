// `check --junit <file>`: JUnit XML as Jenkins, GitLab and GitHub test reporters read it (the Jenkins xUnit
// plugin's junit-10.xsd, committed as test/fixtures/junit/junit-10.xsd): one testsuite per bundle, one testcase
// per bundle x profile x strategy, a failure per failed run carrying the changes that failed it.
import type { CheckResult, RunCheck } from '../check/baseline.js';
import { describeChange, failureSummary, runLabel } from './check-text.js';

/** Text as XML 1.0 character data: markup escaped, characters XML 1.0 forbids dropped. */
export function xmlText(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

function testcase(rc: RunCheck, tolerance: number): string[] {
  const r = rc.run;
  const lines = rc.changes.map(
    (c) => `${c.failing ? 'FAIL ' : ''}${describeChange(c, r.pageShift, tolerance)}`,
  );
  const head = `    <testcase classname="${xmlText(r.bundle)}" name="${xmlText(runLabel(r))}" time="0">`;
  const out = [head];
  if (rc.failed)
    out.push(
      `      <failure type="regression" message="${xmlText(failureSummary(rc))}">${xmlText(lines.filter((l) => l.startsWith('FAIL ')).join('\n'))}</failure>`,
    );
  const verdict = rc.baseline
    ? `${rc.baseline.verdict} -> ${r.verdict}`
    : `${r.verdict} (not in the baseline)`;
  out.push(
    `      <system-out>${xmlText([`verdict ${verdict}; ${r.errors} errors, ${r.warnings} warnings; boot-critical ${r.cost.bootCriticalMs} ms`, ...lines].join('\n'))}</system-out>`,
  );
  out.push('    </testcase>');
  return out;
}

export function renderCheckJunit(r: CheckResult): string {
  const bundles = [...new Set(r.runs.map((rc) => rc.run.bundle))];
  const failures = r.runs.filter((rc) => rc.failed).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kexec-replay check" tests="${r.runs.length}" failures="${failures}" errors="0">`,
  ];
  for (const b of bundles) {
    const runs = r.runs.filter((rc) => rc.run.bundle === b);
    out.push(
      `  <testsuite name="${xmlText(b)}" tests="${runs.length}" failures="${runs.filter((rc) => rc.failed).length}" errors="0" skipped="0">`,
    );
    for (const rc of runs) out.push(...testcase(rc, r.costTolerance));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
