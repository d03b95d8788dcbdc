// Reading a bundle's KHO handover image from disk: kho/fdt, kho/sub_fdts/*, kho/scratch_phys + scratch_len and
// kho/memory.core, decoded by parsers/kho decodeKhoImage(). The one loader behind inspect, compare and replay.
import * as path from 'node:path';
import type { Diagnostic, PhysMemory, ProgressFn } from '../core/index.js';
import { DiagnosticSink, TraceError } from '../core/index.js';
import { openElfCore } from '../../parsers/elf-core/index.js';
import { parseFdt } from '../../parsers/fdt/index.js';
import type { KhoBitmapFormat, KhoFdtReader, KhoImage, KhoScratchArea } from '../../parsers/kho/index.js';
import { decodeKhoImage, parseScratchFiles } from '../../parsers/kho/index.js';
import type { Arch, HostTrace } from '../trace/index.js';
import {
  exists,
  isDirectory,
  listFiles,
  openFileSource,
  readBytes,
  readText,
  requireInputPath,
} from './io.js';
import { loadHostBundle, requireKnownArch } from './read-bundle.js';

export interface KhoImageLoad {
  readonly image: KhoImage;
  /** The loader's (FDT, scratch files), the core's, then the decoder's diagnostics, in that order. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface KhoBundle extends KhoImageLoad {
  readonly host: HostTrace;
}

export interface LoadKhoImageOptions {
  /** kho-v1: decode with this bitmap size instead of deciding from the evidence. */
  readonly bitmapFormat?: KhoBitmapFormat;
  /** The host's page shift (default: the decoder's, 4 KiB pages). */
  readonly pageShift?: number;
  /** Told what is being read next, for a spinner. */
  readonly progress?: ProgressFn;
  /**
   * The caller checks preserved memory against the scratch areas (compare, replay): without both scratch files that
   * is a warning that the checks are skipped. Otherwise (inspect) missing files are only noted.
   */
  readonly scratchChecks?: boolean;
}

/** Whether a bundle directory carries a KHO image (kho/fdt). */
export function hasKhoImage(dir: string): boolean {
  return exists(path.join(dir, 'kho', 'fdt'));
}

/** The root FDT's path, or TRACE_ERR_MISSING when the bundle has none. */
export function requireRootFdt(dir: string): string {
  const fdtFile = path.join(dir, 'kho/fdt');
  if (!exists(fdtFile)) {
    throw new TraceError({
      code: 'TRACE_ERR_MISSING',
      location: { file: fdtFile },
      expected: 'the KHO root FDT (a copy of /sys/kernel/debug/kho/out/fdt or in/fdt)',
      found: 'no such file',
    });
  }
  return fdtFile;
}

/** The scratch areas from debugfs' scratch_phys and scratch_len; what is missing is a diagnostic. */
function readScratch(dir: string, sink: DiagnosticSink, scratchChecks: boolean): KhoScratchArea[] {
  const sp = path.join(dir, 'kho/scratch_phys');
  const sl = path.join(dir, 'kho/scratch_len');
  if (exists(sp) && exists(sl)) return parseScratchFiles(readText(sp), sp, readText(sl), sl, sink);
  if (scratchChecks)
    sink.warn('KHO_NO_SCRATCH_FILES', 'no kho/scratch_phys and kho/scratch_len: scratch checks skipped', {
      file: dir,
    });
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
  return [];
}

/** Decode the KHO image of a bundle directory (no host files read). Throws TraceError for a bad image. */
export function loadKhoImage(dir: string, options: LoadKhoImageOptions = {}): KhoImageLoad {
  const at = (rel: string): string => path.join(dir, rel);
  const fdtFile = requireRootFdt(dir);
  const sink = new DiagnosticSink();
  const extra: Diagnostic[] = [];
  const rootBytes = readBytes(fdtFile);
  const root = parseFdt(rootBytes, fdtFile, sink);

  const subBlobs = new Map<string, { file: string; bytes: Uint8Array }>();
  if (isDirectory(at('kho/sub_fdts'))) {
    for (const name of listFiles(at('kho/sub_fdts')))
      subBlobs.set(name, { file: at(`kho/sub_fdts/${name}`), bytes: readBytes(at(`kho/sub_fdts/${name}`)) });
  }
  const scratch = readScratch(dir, sink, options.scratchChecks ?? false);

  const coreFile = at('kho/memory.core');
  let core: ReturnType<typeof openFileSource> | null = null;
  try {
    let mem: PhysMemory | null = null;
    if (exists(coreFile)) {
      options.progress?.(`opening ${coreFile}`);
      core = openFileSource(coreFile);
      // An ElfCore: the decoders take its byte order and locate errors at its file offsets.
      const elf = openElfCore(core);
      extra.push(...elf.diagnostics);
      mem = elf;
    }
    const readFdt: KhoFdtReader = (bytes, file) => parseFdt(bytes, file, sink);
    options.progress?.('decoding the preserved-memory map');
    const image = decodeKhoImage({
      root: root.root,
      rootFile: fdtFile,
      rootBytes,
      mem,
      subBlobs,
      scratch,
      readFdt,
      ...(options.pageShift !== undefined ? { pageShift: options.pageShift } : {}),
      ...(options.bitmapFormat ? { bitmapFormat: options.bitmapFormat } : {}),
    });
    return { image, diagnostics: [...sink.items, ...extra, ...image.diagnostics] };
  } finally {
    core?.close();
  }
}

/** Load the host model (the bundle read as parse reads it) and decode the KHO image of a bundle directory. */
export function loadKhoBundle(
  dir: string,
  options: {
    stage?: string;
    bitmapFormat?: KhoBitmapFormat;
    arch?: Arch;
    pageShift?: number;
    onProgress?: ProgressFn;
  } = {},
): KhoBundle {
  requireInputPath(dir, 'dir');
  requireRootFdt(dir);
  // the host files are read as parse and the plain replay read them (src/cli/read-bundle.ts)
  const host = loadHostBundle(dir, {
    ...(options.stage ? { stage: options.stage } : {}),
    ...(options.arch ? { arch: options.arch } : {}),
    ...(options.pageShift !== undefined ? { pageShift: options.pageShift } : {}),
    ...(options.onProgress ? { onStep: options.onProgress } : {}),
  });
  const kho = loadKhoImage(dir, {
    pageShift: host.pageShift,
    scratchChecks: true,
    ...(options.bitmapFormat ? { bitmapFormat: options.bitmapFormat } : {}),
    ...(options.onProgress ? { progress: options.onProgress } : {}),
  });
  // after the image: a damaged image is named before what the host files lack
  requireKnownArch(host, dir);
  return { host, ...kho };
}
