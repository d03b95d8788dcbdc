// `kexec-replay inspect <bundle-dir> [--json] [--bitmap-format 512|page]` and `inspect --dts <file>`: decode a
// bundle's KHO handover image (kho/fdt, kho/sub_fdts/*, kho/scratch_*, kho/memory.core) and summarise it.
import type { Command } from 'commander';
import * as path from 'node:path';
import type { Diagnostic, PhysMemory } from '../../core/index.js';
import { DiagnosticSink, TraceError, UsageError } from '../../core/index.js';
import { parseFdt } from '../../../parsers/fdt/index.js';
import type { Fdt } from '../../../parsers/fdt/index.js';
import { openElfCore } from '../../../parsers/elf-core/index.js';
import type { KhoBitmapFormat, KhoFdtReader, KhoScratchArea } from '../../../parsers/kho/index.js';
import {
  KHO_FDT,
  KHO_SUBTREE,
  decodeKhoImage,
  findProp,
  parseScratchFiles,
  propFirstString,
} from '../../../parsers/kho/index.js';
import { renderDts } from '../../report/dts.js';
import { inspectToJson } from '../../report/inspect-json.js';
import { renderInspectText } from '../../report/inspect-text.js';
import type { CliContext } from '../context.js';
import { exists, isDirectory, listFiles, openFileSource, readBytes, readText } from '../io.js';
import { startSpinner } from '../spinner.js';

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
  const compat = propFirstString(findProp(fdt.root, 'compatible')) ?? '';
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
  for (const d of sink.items) ctx.output.err(`kexec-replay: ${d.severity}: ${d.code}: ${d.message}\n`);
}

export function registerInspect(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description("decode a bundle's KHO handover image: ABI era, subtrees, scratch areas, preserved blocks")
    .argument(
      '[bundle-dir]',
      'trace bundle directory (reads kho/fdt, kho/sub_fdts/*, kho/scratch_*, kho/memory.core)',
    )
    .option('--json', 'print the kexec-replay/inspect/1 JSON document')
    .option('--dts <file>', "print an FDT blob as DTS source, KHO's u64 properties shown as numbers")
    .option(
      '--bitmap-format <512|page>',
      'kho-v1: decode with this bitmap size instead of deciding from the evidence',
    )
    .action((dir: string | undefined, flags: InspectFlags) => {
      if (flags.dts !== undefined) {
        if (dir !== undefined)
          throw new UsageError('inspect takes either a bundle directory or --dts <file>, not both');
        printDts(flags.dts, ctx);
        return;
      }
      if (dir === undefined) throw new UsageError('inspect needs a bundle directory (or --dts <file>)');
      if (flags.bitmapFormat !== undefined && flags.bitmapFormat !== '512' && flags.bitmapFormat !== 'page') {
        throw new UsageError(`--bitmap-format takes 512 or page, not '${flags.bitmapFormat}'`);
      }
      if (!isDirectory(dir)) throw new UsageError(`${dir} is not a directory (a trace bundle)`);
      inspectBundle(dir, flags, ctx);
    });
}

function inspectBundle(dir: string, flags: InspectFlags, ctx: CliContext): void {
  const at = (rel: string): string => path.join(dir, rel);
  const fdtFile = at('kho/fdt');
  if (!exists(fdtFile)) {
    throw new TraceError({
      code: 'TRACE_ERR_MISSING',
      location: { file: fdtFile },
      expected: 'the KHO root FDT (a copy of /sys/kernel/debug/kho/out/fdt or in/fdt)',
      found: 'no such file',
    });
  }
  const spinner = startSpinner(ctx.output, `reading ${fdtFile}`);
  const sink = new DiagnosticSink();
  const extra: Diagnostic[] = [];
  let core: (ReturnType<typeof openFileSource> & object) | null = null;
  try {
    const root: Fdt = parseFdt(readBytes(fdtFile), fdtFile, sink);

    const subBlobs = new Map<string, { file: string; bytes: Uint8Array }>();
    if (isDirectory(at('kho/sub_fdts'))) {
      for (const name of listFiles(at('kho/sub_fdts')))
        subBlobs.set(name, {
          file: at(`kho/sub_fdts/${name}`),
          bytes: readBytes(at(`kho/sub_fdts/${name}`)),
        });
    }

    let scratch: KhoScratchArea[] = [];
    const sp = at('kho/scratch_phys');
    const sl = at('kho/scratch_len');
    if (exists(sp) && exists(sl)) scratch = parseScratchFiles(readText(sp), sp, readText(sl), sl, sink);
    else if (exists(sp) || exists(sl))
      sink.warn(
        'KHO_SCRATCH_HALF',
        `only one of kho/scratch_phys and kho/scratch_len is present; scratch areas not read`,
        { file: exists(sp) ? sp : sl },
      );
    else
      sink.info('KHO_NO_SCRATCH_FILES', 'no kho/scratch_phys and kho/scratch_len: scratch areas unknown', {
        file: dir,
      });

    let mem: PhysMemory | null = null;
    const coreFile = at('kho/memory.core');
    if (exists(coreFile)) {
      spinner.update(`opening ${coreFile}`);
      core = openFileSource(coreFile);
      const elf = openElfCore(core);
      extra.push(...elf.diagnostics);
      mem = elf;
    }

    const readFdt: KhoFdtReader = (bytes, file) => parseFdt(bytes, file, sink);
    spinner.update('decoding the preserved-memory map');
    const img = decodeKhoImage({
      root: root.root,
      rootFile: fdtFile,
      mem,
      subBlobs,
      scratch,
      readFdt,
      ...(flags.bitmapFormat ? { bitmapFormat: flags.bitmapFormat as KhoBitmapFormat } : {}),
    });
    spinner.stop();
    const diagnostics = [...sink.items, ...extra, ...img.diagnostics];
    ctx.output.out(
      flags.json
        ? JSON.stringify(inspectToJson(img, dir, diagnostics)) + '\n'
        : renderInspectText(img, dir, diagnostics),
    );
  } finally {
    spinner.stop();
    core?.close();
  }
}
