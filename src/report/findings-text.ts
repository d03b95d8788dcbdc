// Findings as text: per finding the code, the kernel function and phase, totals, a few example ranges in the
// kernel's [mem ...] form, and how to read it. The JSON output carries every range.
import type { Finding } from '../check/kho-findings.js';
import { formatMemRange, hex, rangeCount, rangeList } from '../core/index.js';

const EXAMPLES = 3;

function n(v: number): string {
  return v.toLocaleString('en-US');
}

/** Totals line: `3 findings: 2 errors, 1 warning`. */
export function findingTotals(fs: readonly Finding[]): string {
  if (fs.length === 0) return 'no findings';
  const c = { error: 0, warning: 0, info: 0 };
  for (const f of fs) c[f.severity]++;
  const parts = (['error', 'warning', 'info'] as const)
    .filter((s) => c[s])
    .map((s) => `${c[s]} ${s}${c[s] > 1 ? 's' : ''}`);
  return `${fs.length} finding${fs.length > 1 ? 's' : ''}: ${parts.join(', ')}`;
}

export function renderFindingsText(fs: readonly Finding[], pageShift: number): string[] {
  const out: string[] = [findingTotals(fs)];
  const page = 2 ** pageShift;
  for (const f of fs) {
    const count = rangeCount(f.ranges);
    out.push('');
    out.push(`${f.severity.padEnd(7)} ${f.code}: ${f.title}`);
    out.push(
      `        ${f.kernelFunction}() in ${f.phase}: ${n(f.pages)} page${f.pages === 1 ? '' : 's'}, ${n(f.blocks)} preserved block${f.blocks === 1 ? '' : 's'}, ${n(count)} range${count === 1 ? '' : 's'}`,
    );
    for (const r of rangeList(f.ranges, 0, EXAMPLES))
      out.push(
        `        ${formatMemRange(r.start * page, r.end * page)} pfn ${hex(r.start)}-${hex(r.end - 1)}`,
      );
    if (count > EXAMPLES) out.push(`        ... ${n(count - EXAMPLES)} more ranges (all of them in --json)`);
    out.push(`        how to read: ${f.howToRead}`);
  }
  return out;
}
