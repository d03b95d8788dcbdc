// `replay` as text: nodes and zones, the deferred boundary, per-phase struct-page counts, findings, the cost of
// each phase and the rate used, and every note of the bundle loader, the replay and the cost model.
import type { Severity } from '../core/index.js';
import { formatBytes, formatLocation, formatMemRange, hex, hexPa } from '../core/index.js';
import type { Costs } from '../cost/index.js';
import type { Timeline } from '../sim/timeline.js';
import { restoreLabel } from '../sim/scenario.js';
import { renderFindingsText } from './findings-text.js';
import { renderTable } from './table.js';
import type { ReplayReportInput } from './replay-json.js';
import { replayDiagnostics } from './replay-json.js';

export type ReplayTextInput = ReplayReportInput;

/** A table of the report, two spaces in: cli-table3 through renderTable(), the prose column wrapping to `width`. */
function table(
  rows: string[][],
  rightAlign: (col: number) => boolean,
  width: number | undefined,
  wrapColumn = 0,
): string[] {
  const cols = Math.max(...rows.map((r) => r.length));
  return renderTable(rows, {
    align: Array.from({ length: cols }, (_, c) => (rightAlign(c) ? 'right' : 'left')),
    indent: 2,
    wrapColumn,
    ...(width !== undefined ? { width } : {}),
  });
}

const n = (v: number): string => v.toLocaleString('en-US');

/** Milliseconds as a report shows them: three significant figures at most, `<0.01` for a trace of work. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 0.01) return '<0.01';
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

const ns = (v: number): string => (v >= 100 ? v.toFixed(1) : v.toFixed(2));

const KIND_TEXT = { serial: 'serial', parallel: 'per node', 'after-boot': 'after boot' } as const;

/** The `cost` section: ms per phase, per node for deferred init, what the boot waits for, and the rate used. */
export function renderCostLines(c: Costs, width?: number): string[] {
  const out: string[] = [];
  out.push(
    `cost: boot waits ${formatMs(c.bootCriticalMs)} ms (serial ${formatMs(c.serialMs)}, per-node parallel ${formatMs(c.parallelMs)}); restores after boot ${formatMs(c.restoreMs)} ms`,
  );
  const rows = [['phase', 'when', 'struct pages', 'ms', '']];
  for (const p of c.phases) {
    rows.push([p.phase, KIND_TEXT[p.kind], n(p.pagesInitialised), formatMs(p.ms), '']);
    for (const w of p.perNode ?? []) {
      const how = [
        `${w.threads} thread${w.threads > 1 ? 's' : ''}`,
        `${ns(w.ratePerPageNs)} ns/page (${w.rateFrom === 'node' ? 'its own line' : w.rateFrom})`,
        ...(w.printedMs !== undefined ? [`log says ${w.printedMs} ms`] : []),
      ];
      rows.push([`  node ${w.nid}`, '', n(w.pages), formatMs(w.ms), how.join(', ')]);
    }
  }
  out.push(...table(rows, (col) => col === 2 || col === 3, width, 4));
  out.push(`  rate: ${c.rateSource.detail}`);
  return out;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** `width`: the columns the tables may take (the terminal's; 100 when not a terminal); none: their natural width. */
export function renderReplayText(
  tl: Timeline,
  bundle: string,
  input: ReplayTextInput = {},
  options: { width?: number } = {},
): string {
  const width = options.width;
  const page = 2 ** tl.arch.PAGE_SHIFT;
  const out: string[] = [];
  const kho = tl.kho;
  if (kho) {
    const r = kho.run;
    out.push(
      `KHO: profile ${kho.profile.name} [${kho.profile.follows}], strategy ${kho.strategy.name} (${kho.strategy.summary})`,
      `profile ${kho.profile.name} (${kho.profile.status}) because ${kho.profileReason ?? `--profile ${kho.profile.name}`}; mm profile ${tl.mm.name} because profile ${kho.profile.name} runs ${kho.profile.mmProfile}`,
      `image ${r.image.abi}: ${r.blocks.length} preserved blocks, ${r.restored.size} restored (--restore ${restoreLabel(kho.restoreKinds)})`,
      '',
    );
  }
  out.push(`replay of ${bundle}`);
  out.push(
    `  ${tl.arch.arch}, ${formatBytes(page)} pages, mm profile ${tl.mm.name}; deferred struct page init ${tl.deferred.on ? 'on' : 'off'} (${tl.deferred.reason})`,
  );
  // a KHO boot says why its mm profile in its header
  if (!kho) out.push(`  mm profile ${tl.mm.name} because ${tl.mmReason}`);
  out.push(`  zone limits from ${tl.layout.zoneLimitsFrom}, Movable zone from ${tl.layout.zoneMovableFrom}`);
  const e = tl.era;
  out.push(
    `  kernel era: ${e.name}${e.base ? ` (upstream ${e.base})` : ' (no kernel release: current rules)'}; holes per ${e.holesCommit}` +
      (tl.arch.arch === 'arm64' ? `; pfn_valid per ${e.pfnValidCommit}` : '') +
      (tl.arch.arch === 'x86_64' && e.x86E820Reserved ? `; reserved per ${e.x86E820ReservedCommit}` : ''),
  );
  const ml = tl.memoryLine;
  out.push(
    `  Memory: ${n(ml.freeAtMemInitKiB)}K/${n(ml.totalKiB)}K available predicted (${n(ml.freeAfterDeferredKiB)}K once deferred init is done)`,
  );
  if (ml.memInitAllocatedPages > 0)
    out.push(
      `    X is after the ${n(ml.memInitAllocatedPages)} page-table pages x86 mem_init() preallocates for vmalloc` +
        (ml.memInitAllocatedMinPages < ml.memInitAllocatedPages
          ? ` (${n(ml.memInitAllocatedMinPages)} to ${n(ml.memInitAllocatedPages)}: KASLR placement not in the log)`
          : ''),
    );
  if (tl.unavailableTotal)
    out.push(
      `  the kernel prints one total: ${tl.unavailableTotal.line}: ${n(tl.unavailableTotal.pages)} pages`,
    );
  if (input.pageExt)
    out.push(
      `  page_ext_init() ${input.pageExt.on ? 'reads section starts' : 'reads nothing'}: ${input.pageExt.reason}`,
    );
  for (const node of tl.nodes) {
    out.push('');
    const fdp =
      node.firstDeferredPfn === null
        ? 'nothing deferred'
        : `first_deferred_pfn ${hex(node.firstDeferredPfn)} (${hexPa(node.firstDeferredPfn * page)}), ${n(node.deferredPages)} pages initialised by pgdatinit${node.nid}`;
    out.push(`Node ${node.nid} ${formatMemRange(node.startPfn * page, node.endPfn * page)}  ${fdp}`);
    const rows = [['zone', 'start_pfn', 'spanned', 'present', 'unavailable', 'managed', 'contiguous']];
    for (const z of node.zones) {
      if (!z.spannedPages) continue;
      rows.push([
        z.name,
        hex(z.startPfn),
        n(z.spannedPages),
        n(z.presentPages),
        n(z.unavailablePages),
        n(z.managedPages),
        z.contiguous === null ? '-' : z.contiguous ? 'yes' : 'no',
      ]);
    }
    out.push(...table(rows, (c) => c > 0 && c < 6, width));
  }
  out.push('');
  out.push('struct pages per phase');
  const rows = [
    ['phase', 'initialised', 'reserved', 'freed', 'read', 'uninit used', 'double init', 'still uninit'],
  ];
  for (const p of tl.phases) {
    rows.push([
      p.name,
      n(p.initialised),
      n(p.reserved),
      n(p.freed),
      n(p.read),
      n(p.uninitTouched),
      n(p.doubleInit),
      n(p.after.uninit),
    ]);
  }
  out.push(...table(rows, (c) => c > 0, width));
  out.push('');
  // a run whose input was partly rejected is not clean, whatever the findings say (it exits 3)
  const rejected = replayDiagnostics(tl, input).filter((x) => x.d.severity === 'error');
  if (rejected.length)
    out.push(
      `input partly rejected: ${rejected.length} note${rejected.length === 1 ? '' : 's'} at error severity (${[
        ...new Set(rejected.map((x) => x.d.code)),
      ].join(', ')}): the findings below cover only what was read`,
    );
  const findings = input.findings ?? [];
  // a plain boot without findings says so in one line; anything else lists them as check prints them
  if (!kho && findings.length === 0) out.push('findings: none');
  else out.push(...renderFindingsText(findings, tl.arch.PAGE_SHIFT));
  if (input.costs) {
    out.push('');
    out.push(...renderCostLines(input.costs, width));
  }
  const notes = replayDiagnostics(tl, input);
  if (notes.length) {
    const count = (from: string): number => notes.filter((x) => x.from === from).length;
    out.push('');
    out.push(
      `notes: ${notes.length} (bundle ${count('bundle')}, replay ${count('replay')}, cost ${count('cost')}; most severe first)`,
    );
    // stable sort: within a severity, the order they arose in
    const shown = [...notes].sort((a, b) => SEVERITY_ORDER[a.d.severity] - SEVERITY_ORDER[b.d.severity]);
    for (const { d } of shown.slice(0, 10)) {
      out.push(
        `  ${d.severity}: ${d.code}: ${d.message}${d.location ? ` (${formatLocation(d.location)})` : ''}`,
      );
    }
    if (shown.length > 10) out.push(`  ... ${shown.length - 10} more (see --json)`);
  }
  return out.join('\n') + '\n';
}
