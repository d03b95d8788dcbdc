// `compare` as text: one column per strategy, one row per finding code (pages affected), then totals, the
// struct pages each strategy initialises, and how to read each code that appears.
import { verdictOf } from '../check/baseline.js';
import type { Comparison } from '../check/compare.js';
import { FINDING_CODES, FINDING_CODE_LIST } from '../check/codes.js';
import { formatBytes, formatCount as n, formatMs } from './format.js';
import { renderTable } from './table.js';

function phaseMs(o: Comparison['outcomes'][number], name: string): number {
  return o.costs.phases.filter((p) => p.phase === name).reduce((s, p) => s + p.ms, 0);
}

export function renderCompareText(
  c: Comparison,
  bundle: string,
  pageShift: number,
  options: { width?: number } = {},
): string {
  const out: string[] = [];
  out.push(`compare: ${bundle}`);
  out.push(`profile ${c.profile.name} (${c.profile.follows})`);
  out.push(`deferred struct page init ${c.deferred.on ? 'on' : 'off'} (${c.deferred.reason})`);
  out.push(
    `image: ${n(c.blocks)} preserved blocks, ${n(c.preservedPages)} pages (${formatBytes(c.preservedPages * 2 ** pageShift)})`,
  );
  out.push('');
  const head = ['pages affected', ...c.outcomes.map((o) => o.strategy.name)];
  const rows: string[][] = [head];
  const present = FINDING_CODE_LIST.filter((code) =>
    c.outcomes.some((o) => o.findings.some((f) => f.code === code)),
  );
  for (const code of present) {
    const sev = FINDING_CODES[code].severity;
    rows.push([
      `${code} (${sev})`,
      ...c.outcomes.map((o) => {
        const fs = o.findings.filter((f) => f.code === code);
        return fs.length ? n(fs.reduce((s, f) => s + f.pages, 0)) : '-';
      }),
    ]);
  }
  if (!present.length) rows.push(['(no findings)', ...c.outcomes.map(() => '-')]);
  rows.push(['errors / warnings', ...c.outcomes.map((o) => `${o.errors} / ${o.warnings}`)]);
  rows.push(['struct pages init at deserialize', ...c.outcomes.map((o) => n(o.initAtDeserialize))]);
  rows.push(['struct pages init at restore', ...c.outcomes.map((o) => n(o.initAtRestore))]);
  rows.push([
    'boot-critical time (serial + deferred)',
    ...c.outcomes.map((o) => formatMs(o.costs.bootCriticalMs)),
  ]);
  rows.push([
    '  of which kho_memory_init',
    ...c.outcomes.map((o) => formatMs(phaseMs(o, 'kho_memory_init'))),
  ]);
  rows.push(['restore time (after boot)', ...c.outcomes.map((o) => formatMs(o.costs.restoreMs))]);
  rows.push(['verdict', ...c.outcomes.map((o) => verdictOf(o.errors, o.warnings))]);
  out.push(...renderTable(rows, { width: options.width ?? 100 }));
  const rate = c.outcomes[0]?.costs.rateSource;
  if (rate) out.push(`cost: ${rate.detail}`);
  out.push('');
  out.push('strategies:');
  for (const o of c.outcomes) out.push(`  ${o.strategy.name}: ${o.strategy.summary} [${o.strategy.source}]`);
  if (present.length) {
    out.push('');
    out.push('how to read (kernel function):');
    for (const code of present)
      out.push(`  ${code} (${FINDING_CODES[code].kernelFunction}): ${FINDING_CODES[code].howToRead}`);
  }
  out.push('');
  out.push('per strategy: kexec-replay replay <bundle> --strategy <name> (ranges in --json)');
  return out.join('\n') + '\n';
}
