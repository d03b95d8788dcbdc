// The `inspect` text report: ABI era and how it was decided, subtrees, scratch areas, preserved blocks by order
// and by size class, totals, and the diagnostics counted by code.
import type { Diagnostic } from '../core/index.js';
import { countDiagnostics, formatBytes, formatDiagnostic, formatMemRange, hex } from '../core/index.js';
import type { KhoImage } from '../../parsers/kho/types.js';
import { khoEra } from '../../parsers/kho/eras.js';
import { preservedByOrder } from './inspect-json.js';

const fmtInt = (n: number): string => n.toLocaleString('en-US');

function table(rows: string[][], align: ('l' | 'r')[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map(
    (r) =>
      '  ' +
      r
        .map((cell, c) => (align[c] === 'r' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
  );
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

export function renderInspectText(img: KhoImage, bundle: string, diagnostics: readonly Diagnostic[]): string {
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
    out.push(...table(rows, ['l', 'r', 'r', 'l', 'l']));
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
  for (const v of img.vmalloc)
    out.push(
      `  vmalloc ${v.owner}: ${v.totalPages} page(s) in ${v.blockPhys.length} block(s) of order ${v.order}, ${v.chunkPhys.length} chunk page(s)`,
    );
  if (img.kexecMetadata)
    out.push(
      `  kexec-metadata: previous release ${img.kexecMetadata.previousRelease}, kexec count ${img.kexecMetadata.kexecCount}`,
    );
  if (img.luo)
    out.push(
      `  LUO: liveupdate-number ${img.luo.liveupdateNumber ?? '-'}, ${img.luo.sessions.length} session node(s)`,
    );
  out.push('');

  out.push(`Scratch areas (${img.scratch.length})`);
  if (img.scratch.length) {
    const rows = [['#', 'range', 'size']];
    img.scratch.forEach((s, i) =>
      rows.push([String(i), formatMemRange(s.phys, s.phys + s.sizeBytes), formatBytes(s.sizeBytes)]),
    );
    out.push(...table(rows, ['r', 'l', 'r']));
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
    out.push(...table(rows, ['r', 'r', 'r', 'r']).map((l) => `  ${l}`));
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
    out.push(...table(srows, ['l', 'r', 'r']).map((l) => `  ${l}`));
  }
  out.push('');

  const counts = countDiagnostics(diagnostics);
  out.push(`Diagnostics (${diagnostics.length})`);
  const shown = new Set<string>();
  for (const d of diagnostics) {
    if (shown.has(d.code)) continue;
    shown.add(d.code);
    const more = counts[d.code]! > 1 ? ` (+${counts[d.code]! - 1} more)` : '';
    out.push(`  ${formatDiagnostic(d)}${more}`);
  }
  return out.join('\n') + '\n';
}

function sumFolios(order: Uint8Array, pageSize: number): number {
  let s = 0;
  for (const o of order) s += pageSize * 2 ** o;
  return s;
}
