// `parse` as text: what the tool understood of a bundle, where each fact came from, what disagrees.
import type { Diagnostic } from '../core/index.js';
import { countDiagnostics, totalDiagnostics, formatBytes, formatDiagnostic, formatMemRange, hex } from '../core/index.js';
import type { FactSource, HostTrace, MemRegion } from '../trace/host-trace.js';
import { renderTable } from './table.js';

const n = (v: number): string => v.toLocaleString('en-US');

/** A table of the report, two spaces in: cli-table3 through renderTable(), the prose column wrapping to `width`. */
function table(
  rows: string[][],
  right: (col: number) => boolean,
  width: number | undefined,
  wrapColumn = 0,
): string[] {
  const cols = Math.max(...rows.map((r) => r.length));
  return renderTable(rows, {
    align: Array.from({ length: cols }, (_, c) => (right(c) ? 'right' : 'left')),
    indent: 2,
    wrapColumn,
    ...(width !== undefined ? { width } : {}),
  });
}

function from(host: HostTrace, field: string): string {
  const s: FactSource[] | undefined = host.sources[field];
  if (!s || s.length === 0) return '';
  return ` (from ${s.map((x) => `${x.file}${x.line !== undefined ? `:${x.line}` : ''} [${x.kind}]`).join(', ')})`;
}

function regionRows(regions: readonly MemRegion[], width: number | undefined): string[] {
  const rows = [['node', 'range', 'size', 'flags']];
  for (const r of regions) {
    rows.push([
      r.nid === null ? '-' : String(r.nid),
      formatMemRange(r.start, r.end),
      formatBytes(r.end - r.start),
      hex(r.flags),
    ]);
  }
  return table(rows, (c) => c === 2, width, 1);
}

/** Most diagnostics printed in full; the rest are counted. */
const MAX_LISTED = 40;

/** `width`: the columns the tables may take (the terminal's; 100 when not a terminal); none: their natural width. */
export function renderParseText(host: HostTrace, bundle: string, options: { width?: number } = {}): string {
  const width = options.width;
  const out: string[] = [];
  const page = 2 ** host.pageShift;
  out.push(`parse of ${bundle}`);
  out.push(
    `  ${host.arch}, ${formatBytes(page)} pages, kernel ${host.kernelRelease ?? 'unknown'}` +
      `  [arch${from(host, 'arch') || ' (no source)'}; page size${from(host, 'pageShift')}]`,
  );
  if (host.cmdline) {
    const c = host.cmdline;
    const mem: string[] = [];
    const core = (v: { bytes: number } | { percent: number } | 'mirror'): string =>
      v === 'mirror' ? 'mirror' : 'bytes' in v ? formatBytes(v.bytes) : `${v.percent}%`;
    if (c.kernelcore !== undefined) mem.push(`kernelcore=${core(c.kernelcore)}`);
    if (c.movablecore !== undefined) mem.push(`movablecore=${core(c.movablecore)}`);
    if (c.movableNode) mem.push('movable_node');
    if (c.memLimit !== undefined) mem.push(`mem=${formatBytes(c.memLimit)}`);
    for (const m of c.memmap) mem.push(`memmap=${m}`);
    if (c.numa !== undefined) mem.push(`numa=${c.numa}`);
    if (c.kho !== undefined) mem.push(`kho=${c.kho ? 'on' : 'off'}`);
    if (c.khoScratch !== undefined) mem.push(`kho_scratch=${c.khoScratch}`);
    if (c.memblockDebug) mem.push('memblock=debug');
    if (c.earlyPageExt) mem.push('early_page_ext');
    out.push(`  command line: ${c.raw}${from(host, 'cmdline')}`);
    out.push(`  memory parameters: ${mem.length ? mem.join(' ') : 'none'}`);
  }
  if (host.pageblockOrder !== undefined) {
    out.push(
      `  pageblock order ${host.pageblockOrder} (${formatBytes(page * 2 ** host.pageblockOrder)})${from(host, 'pageblockOrder')}`,
    );
  }
  const deferred = host.config['CONFIG_DEFERRED_STRUCT_PAGE_INIT'];
  if (deferred !== undefined)
    out.push(`  CONFIG_DEFERRED_STRUCT_PAGE_INIT=${deferred}${from(host, 'config')}`);

  const files = host.files ?? [];
  out.push(
    '',
    `Files: ${files.filter((f) => f.used).length} read, ${files.filter((f) => !f.used).length} not read`,
  );
  const frows = [['file', 'kind', 'found by', 'lines', 'unknown']];
  for (const f of files.filter((x) => x.used)) {
    frows.push([
      f.path,
      f.kind,
      f.recognisedBy,
      f.totalLines === undefined ? '' : n(f.totalLines),
      f.unknownLines === undefined ? '' : n(f.unknownLines),
    ]);
  }
  if (frows.length > 1) out.push(...table(frows, (c) => c >= 3, width));
  // files of the other stages of a staged bundle: one line per stage, not one per file
  const otherStages = new Map<string, number>();
  for (const f of files.filter((x) => !x.used)) {
    const stage = /^in stage (\S+), not loaded$/.exec(f.note ?? '');
    if (stage) otherStages.set(stage[1]!, (otherStages.get(stage[1]!) ?? 0) + 1);
    else out.push(`  not read: ${f.path} (${f.note ?? f.kind})`);
  }
  for (const [stage, count] of otherStages)
    out.push(`  not read: ${count} file(s) of stage ${stage} (choose it with --stage)`);

  out.push(
    '',
    `Memory: ${host.memory.length} region(s), ${formatBytes(host.memory.reduce((s, r) => s + r.end - r.start, 0))}${from(host, 'memory')}`,
  );
  if (host.memory.length) out.push(...regionRows(host.memory, width));
  // when memory itself came from the printed node ranges, the same table twice says nothing
  const sameAsMemory = host.sources['memory']?.[0]?.kind === 'dmesg-early-node-ranges';
  if (host.nodeRanges.length && sameAsMemory)
    out.push('', `Node ranges: as Memory above${from(host, 'nodeRanges')}`);
  else if (host.nodeRanges.length) {
    out.push('', `Node ranges${from(host, 'nodeRanges')}`);
    out.push(...regionRows(host.nodeRanges, width));
  }
  out.push(
    '',
    `Reserved: ${host.reserved.length} region(s), ${formatBytes(host.reserved.reduce((s, r) => s + r.end - r.start, 0))}${from(host, 'reserved')}`,
  );
  if (host.e820.length) {
    out.push('', `e820: ${host.e820.length} entries${from(host, 'e820')}`);
    out.push(
      ...table(
        [
          ['range', 'size', 'type'],
          ...host.e820.map((e) => [formatMemRange(e.start, e.end), formatBytes(e.end - e.start), e.type]),
        ],
        (c) => c === 1,
        width,
        2,
      ),
    );
  }
  if (host.efi.length) out.push('', `EFI memory map: ${host.efi.length} entries${from(host, 'efi')}`);
  if (host.iomem) {
    const i = host.iomem;
    out.push(
      '',
      i.zeroed
        ? `iomem: addresses zeroed (read without CAP_SYS_ADMIN)${from(host, 'iomem')}`
        : `iomem: System RAM ${formatBytes(i.systemRam.reduce((s, r) => s + r.end - r.start, 0))} in ${i.systemRam.length} range(s), ${i.reserved.length} reserved, ${i.softReserved.length} soft reserved, ${i.hotAddedRam.length} hot-added RAM, ${i.cxlWindows.length} CXL window(s)${from(host, 'iomem')}`,
    );
  }
  if (host.zoneRanges.length) {
    out.push('', `Zone ranges (as printed)${from(host, 'zoneRanges')}`);
    const rows = [['zone', 'range']];
    for (const z of host.zoneRanges)
      rows.push([z.zone, z.start === null || z.end === null ? 'empty' : formatMemRange(z.start, z.end)]);
    out.push(...table(rows, () => false, width, 1));
  }
  const movable = Object.entries(host.movableZoneStart);
  if (movable.length) {
    out.push('', `Movable zone start${from(host, 'movableZoneStart')}`);
    for (const [nid, start] of movable) out.push(`  node ${nid}: ${hex(start)}`);
  }
  if (host.zoneinfo.length) {
    out.push('', `Zones (zoneinfo, pages)${from(host, 'zoneinfo')}`);
    const rows = [['node', 'zone', 'start_pfn', 'spanned', 'present', 'managed']];
    for (const z of host.zoneinfo) {
      if (z.spanned === 0) continue;
      rows.push([String(z.nid), z.zone, hex(z.startPfn), n(z.spanned), n(z.present), n(z.managed)]);
    }
    out.push(...table(rows, (c) => c >= 2, width, 1));
  }
  if (host.nodes?.length) {
    out.push('', `Nodes (sysfs)${from(host, 'nodes')}`);
    const rows = [['node', 'cpus', 'MemTotal', 'distances', 'memory blocks']];
    for (const nd of host.nodes) {
      rows.push([
        String(nd.nid),
        nd.cpus
          ? nd.cpus.map((r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`)).join(',')
          : '',
        nd.memTotalBytes !== undefined ? formatBytes(nd.memTotalBytes) : '',
        nd.distances?.join(' ') ?? '',
        nd.memoryBlocks ? String(nd.memoryBlocks.length) : '',
      ]);
    }
    out.push(...table(rows, (c) => c === 2 || c === 4, width, 1));
    if (host.memoryBlockSizeBytes !== undefined)
      out.push(`  memory block size ${formatBytes(host.memoryBlockSizeBytes)}`);
  }
  if (host.deferredInit.length) {
    out.push('', `Deferred struct page init${from(host, 'deferredInit')}`);
    for (const d of host.deferredInit) out.push(`  node ${d.nid}: ${d.ms} ms (line ${d.line})`);
  }
  if (host.unavailable.length) {
    out.push('', `Pages in unavailable ranges${from(host, 'unavailable')}`);
    for (const u of host.unavailable) out.push(`  node ${u.nid} ${u.zone}: ${n(u.pages)}`);
  }
  if (host.memblockCalls.length || host.memblockDumps.length) {
    const kinds: Record<string, number> = {};
    for (const c of host.memblockCalls) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
    out.push(
      '',
      `memblock=debug: ${n(host.memblockCalls.length)} call(s) (${Object.entries(kinds)
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ', ',
        )}), ${host.memblockDumps.length} MEMBLOCK configuration dump(s)${from(host, 'memblockCalls')}`,
    );
  }
  const checks = host.crossChecks ?? [];
  if (checks.length) {
    out.push('', 'Cross-checks');
    // a list of sentences, not a table: printText wraps each under its text
    for (const c of checks) out.push(`  ${c.status.padEnd(8)} ${c.id}: ${c.detail}`);
  }
  const diags = host.diagnostics;
  const counts = countDiagnostics(diags);
  out.push(
    '',
    `Diagnostics: ${totalDiagnostics(diags)}${
      diags.length
        ? ` (${Object.entries(counts)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : ''
    }`,
  );
  const order: Record<Diagnostic['severity'], number> = { error: 0, warning: 1, info: 2 };
  const listed = [...diags].sort((a, b) => order[a.severity] - order[b.severity]).slice(0, MAX_LISTED);
  for (const d of listed) out.push(`  ${formatDiagnostic(d)}`);
  if (diags.length > listed.length) out.push(`  ... ${diags.length - listed.length} more (see --json)`);
  return out.join('\n') + '\n';
}
