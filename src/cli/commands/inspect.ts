// `kexec-replay inspect <bundle-dir> [--json] [--bitmap-format 512|page]` and `inspect --dts <file>`: decode a
// bundle's KHO handover image (kho/fdt, kho/sub_fdts/*, kho/scratch_*, kho/memory.core) and summarise it.
import type { Command } from 'commander';
import { DiagnosticSink, UsageError, escapeTerminal } from '../../core/index.js';
import { getProp, parseFdt } from '../../../parsers/fdt/index.js';
import type { Fdt } from '../../../parsers/fdt/index.js';
import type { KhoBitmapFormat } from '../../../parsers/kho/index.js';
import { KHO_FDT, KHO_SUBTREE, propFirstString } from '../../../parsers/kho/index.js';
import { renderDts } from '../../report/dts.js';
import { inspectToJson } from '../../report/inspect-json.js';
import { renderInspectText } from '../../report/inspect-text.js';
import type { CliContext } from '../context.js';
import * as path from 'node:path';
import { finishRun } from '../exit.js';
import { exists, readBytes, requireInputPath } from '../io.js';
import { printJson } from '../json.js';
import { loadKhoImage } from '../load-kho.js';
import { bitmapFormatOption, helpFooter } from '../options.js';
import { startProgress } from '../progress.js';
import { printText, reportWidth } from '../text.js';

interface InspectFlags {
  json?: boolean;
  dts?: string;
  bitmapFormat?: string;
}

/**
 * KHO's native-endian u64 properties (kho-abi.md 2.3, 5.1, 5.3), shown as numbers by --dts, chosen by the blob's
 * root compatible so that an ordinary device tree's big-endian cells are left alone.
 */
function khoU64Props(fdt: Fdt): (nodePath: string, propName: string) => boolean {
  const compat = propFirstString(getProp(fdt.root, 'compatible')) ?? '';
  if (/^kho-v\d+$/.test(compat)) {
    const root = new Set<string>([KHO_FDT.KHO_FDT_MEMORY_MAP_PROP_NAME]);
    const sub = new Set<string>([
      KHO_FDT.KHO_FDT_SUB_TREE_PROP_NAME_V1,
      KHO_FDT.KHO_SUB_TREE_PROP_NAME,
      KHO_FDT.KHO_SUB_TREE_SIZE_PROP_NAME,
    ]);
    return (nodePath, name) => (nodePath === '/' ? root.has(name) : sub.has(name));
  }
  if (compat === KHO_SUBTREE.MEMBLOCK_KHO_NODE_COMPATIBLE)
    return (nodePath, name) => nodePath !== '/' && (name === 'start' || name === 'size');
  if (compat === KHO_SUBTREE.LUO_COMPATIBLE)
    return (_nodePath, name) => name === 'liveupdate-number' || name.endsWith('-header');
  return () => false;
}

function printDts(file: string, ctx: CliContext): void {
  const sink = new DiagnosticSink();
  const fdt = parseFdt(readBytes(file), file, sink);
  ctx.output.out(renderDts(fdt, { u64Props: khoU64Props(fdt) }));
  for (const d of sink.items)
    ctx.output.err(`kexec-replay: ${d.severity}: ${d.code}: ${escapeTerminal(d.message)}\n`);
}

export function registerInspect(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description("decode a bundle's KHO handover image: ABI era, subtrees, scratch areas, preserved blocks")
    .argument(
      '[bundle-dir]',
      'trace bundle directory, or its kho/ folder (reads kho/fdt, kho/sub_fdts/*, kho/scratch_*, kho/memory.core)',
    )
    .option('--json', 'print the kexec-replay/inspect/1 JSON document (schemas/inspect.schema.json)')
    .option('--dts <file>', "print an FDT blob as DTS source, KHO's u64 properties shown as numbers")
    .addOption(bitmapFormatOption())
    .addHelpText(
      'after',
      helpFooter(
        [
          'kexec-replay inspect traces/kho-b-16g-2node',
          'kexec-replay inspect traces/kho-era-v1-512/kho --json',
          'kexec-replay inspect --dts traces/kho-b-16g-2node/kho/fdt',
        ],
        [
          'ABI eras: kho-v1 (bitmap chunk lists, 512-byte bitmaps in 6.16-6.17, page-sized in 6.18-6.19),',
          'kho-v2 (radix tree), kho-v3 (radix tree with blob sizes), kho-v4 (and KHO serialization blocks).',
          'Columns: phys = physical address; blob from = where the subtree blob was read (file, memory);',
          'order = block size as PAGE_SIZE << order; owner = the decoded structure that holds a preserved',
          'block (memfd:folio, subtree:LUO, vmalloc areas, ...; unattributed: none this decoder reads);',
          'session / files / file blocks / memfd size / folios: per LUO session, its preserved files.',
        ],
        null,
      ),
    )
    .action(async (dir: string | undefined, flags: InspectFlags) => {
      if (flags.dts !== undefined) {
        if (dir !== undefined)
          throw new UsageError('inspect takes either a bundle directory or --dts <file>, not both');
        // DTS is source text: there is no JSON form of it to honour
        if (flags.json)
          throw new UsageError('--json and --dts: --dts prints DTS source, which has no JSON form');
        printDts(flags.dts, ctx);
        return;
      }
      if (dir === undefined) throw new UsageError('inspect needs a bundle directory (or --dts <file>)');
      await inspectBundle(bundleOfKhoDir(dir), flags, ctx);
    });
}

/** `inspect <bundle>/kho` means the bundle: the loader reads `<bundle>/kho/fdt`. */
function bundleOfKhoDir(dir: string): string {
  requireInputPath(dir, 'dir');
  const trimmed = dir.replace(/(?<!\/)\/+$/, ''); // lookbehind: one scan of a run of slashes, not one per slash
  if (
    path.basename(trimmed) === 'kho' &&
    exists(path.join(trimmed, 'fdt')) &&
    !exists(path.join(trimmed, 'kho/fdt'))
  )
    return path.dirname(trimmed);
  return dir;
}

async function inspectBundle(dir: string, flags: InspectFlags, ctx: CliContext): Promise<void> {
  const progress = startProgress(ctx.output, `inspect ${dir}`, !flags.json);
  try {
    const { image, diagnostics } = loadKhoImage(dir, {
      ...(flags.bitmapFormat ? { bitmapFormat: flags.bitmapFormat as KhoBitmapFormat } : {}),
      progress: (what) => progress.update(what),
    });
    progress.stop();
    if (flags.json) await printJson(ctx, inspectToJson(image, dir, diagnostics));
    else printText(ctx, renderInspectText(image, dir, diagnostics, { width: reportWidth(ctx) }));
    finishRun(ctx, { diagnostics });
  } finally {
    progress.stop();
  }
}
