// `check --ktap`: the kernel's own test output format, KTAP version 1 (linux Documentation/dev-tools/ktap.rst):
// one top-level test per bundle, one subtest per profile x strategy; the changes of a run are diagnostic lines
// ("# ...") right before its result line; a failed run is "not ok" and so is its bundle.
import type { CheckResult } from '../check/baseline.js';
import { describeChange, failureSummary, runLabel } from './check-text.js';

/** A description or diagnostic as KTAP allows it: one line, and no '#' in a description. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\r\n\u0000-\u001f\u007f]+/g, ' ');
}
function description(s: string): string {
  return oneLine(s).replace(/#/g, 'no.');
}

export function renderCheckKtap(r: CheckResult): string {
  const bundles = [...new Set(r.runs.map((rc) => rc.run.bundle))];
  const out = ['KTAP version 1', `1..${bundles.length}`];
  bundles.forEach((b, i) => {
    const runs = r.runs.filter((rc) => rc.run.bundle === b);
    out.push('  KTAP version 1', `  1..${runs.length}`);
    runs.forEach((rc, j) => {
      for (const c of rc.changes)
        out.push(
          `  # ${oneLine(describeChange(c, rc.run.pageShift, r.costTolerance))}${c.failing ? ' (fails)' : ''}`,
        );
      const diag = rc.failed ? ` # ${oneLine(failureSummary(rc))}` : '';
      out.push(`  ${rc.failed ? 'not ok' : 'ok'} ${j + 1} ${description(runLabel(rc.run))}${diag}`);
    });
    const failed = runs.some((rc) => rc.failed);
    out.push(`${failed ? 'not ok' : 'ok'} ${i + 1} ${description(b)}`);
  });
  return out.join('\n') + '\n';
}
