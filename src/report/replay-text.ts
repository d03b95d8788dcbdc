// `replay` as text: nodes and zones, the deferred boundary, per-phase struct-page counts, findings.
import { formatBytes, formatMemRange, hex, hexPa } from '../core/index.js';
import type { Timeline } from '../sim/timeline.js';

function table(rows: string[][], rightAlign: (col: number) => boolean): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (rightAlign(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

const n = (v: number): string => v.toLocaleString('en-US');

export function renderReplayText(tl: Timeline, bundle: string): string {
  const page = 2 ** tl.arch.PAGE_SHIFT;
  const out: string[] = [];
  out.push(`replay of ${bundle}`);
  out.push(
    `  ${tl.arch.arch}, ${formatBytes(page)} pages, mm profile ${tl.mm.name}; deferred struct page init ${tl.deferred ? 'on' : 'off'} (${tl.deferredReason})`,
  );
  out.push(`  zone limits from ${tl.layout.zoneLimitsFrom}, Movable zone from ${tl.layout.zoneMovableFrom}`);
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
    out.push(...table(rows, (c) => c > 0 && c < 6).map((l) => `  ${l}`));
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
  out.push(...table(rows, (c) => c > 0).map((l) => `  ${l}`));
  out.push('');
  if (tl.findings.length === 0) out.push('findings: none');
  else {
    out.push(`findings: ${tl.findings.length}`);
    for (const f of tl.findings) {
      const ex = f.ranges
        .slice(0, 3)
        .map(([s, e]) => `[${hex(s)}-${hex(e - 1)}]`)
        .join(' ');
      out.push(
        `  ${f.severity} ${f.code}: ${n(f.pages)} pages, ${f.fn} in ${f.phase}; pfns ${ex}${f.ranges.length > 3 ? ' ...' : ''}`,
      );
    }
  }
  if (tl.diagnostics.length) {
    out.push('');
    out.push(`notes: ${tl.diagnostics.length}`);
    for (const d of tl.diagnostics.slice(0, 10)) out.push(`  ${d.severity}: ${d.code}: ${d.message}`);
    if (tl.diagnostics.length > 10) out.push(`  ... ${tl.diagnostics.length - 10} more (see --json)`);
  }
  return out.join('\n') + '\n';
}
