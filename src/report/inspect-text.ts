// The `inspect` text report: ABI era and how it was decided, subtrees, scratch areas, preserved blocks by order
// and by size class, totals, and the diagnostics counted by code.
import type { Diagnostic } from '../core/index.js';
import { countDiagnostics, totalDiagnostics, formatBytes, formatDiagnostic, formatMemRange, hex } from '../core/index.js';
import type { KhoImage } from '../../parsers/kho/types.js';
import { khoEra } from '../../parsers/kho/eras.js';
import { ownerSummary } from '../../parsers/kho/owners.js';
import type { KhoLuo } from '../../parsers/kho/types.js';
import { preservedByOrder } from './inspect-json.js';
import { renderTable } from './table.js';

const fmtInt = (n: number): string => n.toLocaleString('en-US');

/** A table of the report: cli-table3 through renderTable(), the prose column wrapping to `width`. */
function table(
  rows: string[][],
  align: ('l' | 'r')[],
  width: number | undefined,
  options: { indent?: number; wrapColumn?: number } = {},
): string[] {
  return renderTable(rows, {
    align: align.map((a) => (a === 'r' ? 'right' : 'left')),
    indent: options.indent ?? 2,
    wrapColumn: options.wrapColumn ?? 0,
    ...(width !== undefined ? { width } : {}),
  });
}

const ERA_NAME: Record<string, string> = {
  '512': '512-byte bitmaps (6.16, 6.17)',
  page: 'page-sized bitmaps (6.18, 6.19)',
};

/** Size classes of the "by size" view, in pages at order granularity (MAX_PAGE_ORDER 10 at 4 KiB). */
const SIZE_CLASSES: { label: string; minOrder: number; maxOrder: number }[] = [
  { label: 'single pages (order 0)', minOrder: 0, maxOrder: 0 },
  { label: 'small folios (orders 1-8)', minOrder: 1, maxOrder: 8 },
  { label: 'PMD-sized and up to MAX_PAGE_ORDER (orders 9-10)', minOrder: 9, maxOrder: 10 },
  { label: 'above MAX_PAGE_ORDER (orders 11+)', minOrder: 11, maxOrder: 63 },
];

/** `width`: the columns the tables may take (the terminal's; 100 when not a terminal); none: their natural width. */
export function renderInspectText(
  img: KhoImage,
  bundle: string,
  diagnostics: readonly Diagnostic[],
  options: { width?: number } = {},
): string {
  const width = options.width;
  const out: string[] = [];
  out.push(`KHO handover image in ${bundle}`);
  const era =
    img.abi === 'kho-v1'
      ? img.bitmapFormat
        ? `kho-v1, ${ERA_NAME[img.bitmapFormat]}`
        : 'kho-v1'
      : (khoEra(img.abi)?.title ?? img.abi);
  out.push(`  ABI:          ${era}`);
  out.push(`  decided by:   ${img.abiEvidence.join('; ')}`);
  if (img.abi === 'kho-v1' && img.bitmapFormat) {
    const ev = img.bitmapEvidence;
    const how =
      ev.kind === 'default-page'
        ? 'nothing proves either size; page-sized assumed (ambiguous)'
        : `${ev.kind}${ev.proof ? ' (proof)' : ' (supports, not proof)'}${ev.detail ? `: ${ev.detail}` : ''}`;
    out.push(`  bitmap size:  ${how}`);
  }
  const m = img.metadata;
  const walked =
    khoEra(img.abi)?.memoryMap === 'chunk-list'
      ? `${fmtInt(m.chunks)} chunk(s), ${fmtInt(m.bitmaps)} bitmap(s)`
      : `${fmtInt(m.radixTables)} table node(s), ${fmtInt(m.radixLeaves)} leaf page(s)`;
  out.push(
    `  memory map:   ${hex(img.memoryMapPhys)} (${img.memoryMapDecoded ? walked : 'not decoded: the bundle has no kho/memory.core'})`,
  );
  out.push('');

  out.push(`Subtrees (${img.subtrees.length})`);
  if (img.subtrees.length) {
    const rows = [['name', 'phys', 'size', 'compatible', 'blob from']];
    for (const s of img.subtrees)
      rows.push([
        s.name,
        hex(s.phys),
        s.sizeBytes === null ? '-' : formatBytes(s.sizeBytes),
        s.compatible ?? '-',
        s.blobSource ?? '-',
      ]);
    out.push(...table(rows, ['l', 'r', 'r', 'l', 'l'], width, { wrapColumn: 4 }));
  }
  for (const r of img.reserveMem)
    out.push(
      `  memblock reserve_mem "${r.name}": ${formatMemRange(r.start, r.start + r.sizeBytes)} (${formatBytes(r.sizeBytes)})`,
    );
  if (img.khoTest) {
    const f = img.khoTest.folios;
    out.push(
      `  kho_test: ${img.khoTest.nrFolios} folio(s)${f ? `, ${formatBytes(sumFolios(f.order, img.pageSize))}` : ''}, csum ${hex(img.khoTest.csum)}`,
    );
  }
  // memfd folio arrays are summarised with their files (LUO below); one line per other area
  for (const v of img.vmalloc.filter((a) => a.group !== 'memfd:folios'))
    out.push(
      `  vmalloc ${v.owner}: ${v.totalPages} page(s) in ${v.blockPhys.length} block(s) of order ${v.order}, ${v.chunkPhys.length} chunk page(s)`,
    );
  if (img.kexecMetadata)
    out.push(
      `  kexec-metadata: previous release ${img.kexecMetadata.previousRelease}, kexec count ${img.kexecMetadata.kexecCount}`,
    );
  if (img.luo) out.push(...renderLuo(img.luo, img, width));
  out.push('');

  out.push(`Scratch areas (${img.scratch.length})`);
  if (img.scratch.length) {
    const rows = [['#', 'range', 'size']];
    img.scratch.forEach((s, i) =>
      rows.push([String(i), formatMemRange(s.phys, s.phys + s.sizeBytes), formatBytes(s.sizeBytes)]),
    );
    out.push(...table(rows, ['r', 'l', 'r'], width, { wrapColumn: 1 }));
    const total = img.scratch.reduce((a, s) => a + s.sizeBytes, 0);
    out.push(`  total ${formatBytes(total)}`);
  }
  out.push('');

  const byOrder = preservedByOrder(img);
  const bytes = byOrder.reduce((s, o) => s + o.bytes, 0);
  out.push(
    img.memoryMapDecoded
      ? `Preserved blocks: ${fmtInt(img.preserved.count)} block(s), ${fmtInt(bytes / img.pageSize)} page(s), ${formatBytes(bytes)}`
      : 'Preserved blocks: unknown (no memory dump to read the map from)',
  );
  if (img.preserved.count) {
    const n = img.preserved.count;
    const last = img.preserved.phys[n - 1]! + img.pageSize * 2 ** img.preserved.order[n - 1]!;
    out.push(`  span ${formatMemRange(img.preserved.phys[0]!, last)}`);
    out.push('  by order:');
    const rows = [['order', 'block size', 'blocks', 'total']];
    for (const o of byOrder)
      rows.push([
        String(o.order),
        formatBytes(img.pageSize * 2 ** o.order),
        fmtInt(o.blocks),
        formatBytes(o.bytes),
      ]);
    out.push(...table(rows, ['r', 'r', 'r', 'r'], width, { indent: 4 }));
    out.push('  by size:');
    const srows = [['class', 'blocks', 'total']];
    for (const c of SIZE_CLASSES) {
      const sel = byOrder.filter((o) => o.order >= c.minOrder && o.order <= c.maxOrder);
      if (sel.length === 0) continue;
      srows.push([
        c.label,
        fmtInt(sel.reduce((s, o) => s + o.blocks, 0)),
        formatBytes(sel.reduce((s, o) => s + o.bytes, 0)),
      ]);
    }
    out.push(...table(srows, ['l', 'r', 'r'], width, { indent: 4 }));
  }
  out.push('');

  if (img.memoryMapDecoded && img.preserved.count) {
    out.push(
      `Owners of the preserved blocks (${img.owners.unattributed === 0 ? 'every block attributed' : `${fmtInt(img.owners.unattributed)} unattributed`})`,
    );
    const rows = [['owner', 'blocks', 'pages', 'bytes', 'orders']];
    for (const r of ownerSummary(img))
      rows.push([r.owner, fmtInt(r.blocks), fmtInt(r.pages), formatBytes(r.bytes), ordersCell(r.orders)]);
    out.push(...table(rows, ['l', 'r', 'r', 'r', 'l'], width));
    out.push('');
  }

  const counts = countDiagnostics(diagnostics);
  out.push(`Diagnostics (${totalDiagnostics(diagnostics)})`);
  const shown = new Set<string>();
  for (const d of diagnostics) {
    if (shown.has(d.code)) continue;
    shown.add(d.code);
    const more = counts[d.code]! > 1 ? ` (+${counts[d.code]! - 1} more)` : '';
    out.push(`  ${formatDiagnostic(d)}${more}`);
  }
  return out.join('\n') + '\n';
}

/** `0` / `0 x17,290` / `0-9 (10 orders)`: which orders an owner's blocks have. */
function ordersCell(orders: readonly { order: number; blocks: number }[]): string {
  if (orders.length === 1) return String(orders[0]!.order);
  if (orders.length <= 3) return orders.map((o) => `${o.order}:${fmtInt(o.blocks)}`).join(' ');
  return `${orders[0]!.order}-${orders[orders.length - 1]!.order} (${orders.length} orders)`;
}

/** Sessions shown one per line; more are summarised. */
const MAX_SESSION_ROWS = 20;

function renderLuo(luo: KhoLuo, img: KhoImage, width: number | undefined): string[] {
  const out: string[] = [];
  const version = luo.compatible ?? 'unknown version';
  const form = luo.format === 'luo_ser' ? 'struct luo_ser' : 'FDT';
  const known = luo.versionKnown === false ? ', version not known to this decoder' : '';
  out.push(
    `  LUO: ${version} (${form}${luo.versionKernels ? `, ${luo.versionKernels}` : ''}${known}), liveupdate number ${luo.liveupdateNumber ?? '-'}`,
  );
  const sessions = luo.sessionRecords;
  const files = luo.files ?? [];
  if (!sessions) {
    out.push(`    ${luo.sessions.length} session node(s)`);
    return out;
  }
  const blocks = luo.sessionBlocks?.length ?? 0;
  out.push(
    `    ${fmtInt(sessions.length)} session(s)${blocks ? ` in ${blocks} KHO block(s)` : ''}, ${fmtInt(files.length)} file(s)`,
  );
  const byHandler = new Map<string, number>();
  for (const f of files) byHandler.set(f.compatible, (byHandler.get(f.compatible) ?? 0) + 1);
  if (byHandler.size)
    out.push(`    file handlers: ${[...byHandler].map(([h, n]) => `${h} x${fmtInt(n)}`).join(', ')}`);
  const memfds = files.filter((f) => f.memfd);
  if (memfds.length) {
    const bytes = memfds.reduce((s, f) => s + f.memfd!.size, 0);
    const folios = memfds.reduce((s, f) => s + f.memfd!.folios, 0);
    const sealed = memfds.filter((f) => (f.memfd!.seals ?? 0) !== 0).length;
    const areas = img.vmalloc.filter((a) => a.group === 'memfd:folios');
    out.push(
      `    memfd: ${fmtInt(memfds.length)} file(s), ${formatBytes(bytes)} of file size, ${fmtInt(folios)} folio(s), ${fmtInt(sealed)} sealed; folio arrays: ${fmtInt(areas.length)} vmalloc area(s), ${fmtInt(areas.reduce((s, a) => s + a.blockPhys.length, 0))} page(s) + ${fmtInt(areas.reduce((s, a) => s + a.chunkPhys.length, 0))} chunk page(s)`,
    );
  }
  if (sessions.length) {
    const rows = [['session', 'files', 'file blocks', 'memfd size', 'folios']];
    for (const s of sessions.slice(0, MAX_SESSION_ROWS)) {
      const fs = files.slice(s.firstFile, s.firstFile + s.fileCount);
      rows.push([
        s.name,
        fmtInt(s.fileCount),
        String(s.fileBlocks.length),
        formatBytes(fs.reduce((a, f) => a + (f.memfd?.size ?? 0), 0)),
        fmtInt(fs.reduce((a, f) => a + (f.memfd?.folios ?? 0), 0)),
      ]);
    }
    out.push(...table(rows, ['l', 'r', 'r', 'r', 'r'], width, { indent: 4 }));
    if (sessions.length > MAX_SESSION_ROWS)
      out.push(
        `      ... ${fmtInt(sessions.length - MAX_SESSION_ROWS)} more session(s) (inspect --json lists all)`,
      );
  }
  if (luo.flb)
    out.push(
      `    FLBs: ${luo.flb.count} (${luo.flb.entries.map((e) => `${e.name} x${e.count}`).join(', ')})`,
    );
  return out;
}

function sumFolios(order: Uint8Array, pageSize: number): number {
  let s = 0;
  for (const o of order) s += pageSize * 2 ** o;
  return s;
}
