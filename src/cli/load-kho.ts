// Reading a bundle's KHO handover image from disk: kho/fdt, kho/sub_fdts/*, kho/scratch_phys + scratch_len and
// kho/memory.core, decoded by parsers/kho decodeKhoImage(). The one loader behind inspect, compare and replay.
import * as path from 'node:path';
import type { Diagnostic, PhysMemory, ProgressFn } from '../core/index.js';
import { DiagnosticSink, TraceError } from '../core/index.js';
import { openElfCore } from '../../parsers/elf-core/index.js';
import { parseFdt } from '../../parsers/fdt/index.js';
import { parseReserveMemParam } from '../../parsers/memblock/index.js';
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

/**
 * Where a bundle keeps its KHO files, in the order they are looked for: the project's layout (`kho/fdt`, what
 * `kexec-replay capture` writes), then a plain copy of /sys/kernel/debug/kho (`kho/out/`, `kho/in/`). `out/` is what
 * this host hands over (a cold-booted host only: linux v7.3-rc7 kho_init() adds out/fdt only when the host was not
 * itself KHO-booted); `in/` is what it was handed at boot.
 */
const KHO_DIRS = [
  { rel: 'kho', side: 'bundle' },
  { rel: 'kho/out', side: 'out' },
  { rel: 'kho/in', side: 'in' },
] as const;

/** The folder holding the root FDT (`kho`, `kho/out` or `kho/in`), or null. */
function khoDir(dir: string): (typeof KHO_DIRS)[number] | null {
  return KHO_DIRS.find((d) => exists(path.join(dir, d.rel, 'fdt'))) ?? null;
}

/** Whether a bundle directory carries a KHO image (kho/fdt, kho/out/fdt or kho/in/fdt). */
export function hasKhoImage(dir: string): boolean {
  return khoDir(dir) !== null;
}

/** The root FDT's path, or TRACE_ERR_MISSING saying what to copy when the bundle has none. */
export function requireRootFdt(dir: string): string {
  const d = khoDir(dir);
  if (!d) {
    const raw = ['kho-debugfs/out/fdt', 'kho-debugfs/in/fdt'].find((r) => exists(path.join(dir, r)));
    throw new TraceError({
      code: 'TRACE_ERR_MISSING',
      location: { file: path.join(dir, 'kho/fdt') },
      expected:
        'the KHO root FDT: /sys/kernel/debug/kho/out/fdt of a cold-booted host (a host that was itself KHO-booted has no out/fdt: copy kho/in/fdt, the handover it booted with), or kexec-replay capture --out DIR' +
        (raw ? `; ${raw} is a raw debugfs copy: copy it to kho/fdt if it is complete` : ''),
      found: 'no kho/fdt, kho/out/fdt or kho/in/fdt',
    });
  }
  return path.join(dir, d.rel, 'fdt');
}

/**
 * v7.3-rc7's debugfs kho/out/fdt keeps the size the FDT had when KHO started (kho_init registers the blob before
 * kho_add_subtree grows it), so a copy is cut short while its header already says the full size. Say so in the one
 * line of the error, with what to copy instead.
 */
function checkRootFdtWhole(bytes: Uint8Array, file: string): void {
  if (bytes.length < 8) return;
  const v = new DataView(bytes.buffer, bytes.byteOffset, 8);
  if (v.getUint32(0, false) !== 0xd00dfeed) return;
  const total = v.getUint32(4, false);
  if (total <= bytes.length) return;
  throw new TraceError({
    code: 'FDT_ERR_TRUNCATED',
    location: { file, offset: 4, field: 'fdt_header.totalsize' },
    expected: `the whole root FDT (its header says ${total} bytes); a v7.3-rc7 debugfs kho/out/fdt keeps the size the FDT had when KHO started (kho_init), so copy the full FDT out of memory (kexec-replay capture does) or the next kernel's kho/in/fdt`,
    found: `${bytes.length} bytes`,
  });
}

/** The scratch areas from debugfs scratch_phys + scratch_len (v7.4: bootmem_phys + bootmem_len); else a diagnostic. */
function readScratch(
  dir: string,
  kdir: string,
  sink: DiagnosticSink,
  scratchChecks: boolean,
): KhoScratchArea[] {
  // a plain debugfs copy keeps them in out/ even when the root FDT came from in/
  const folders = [...new Set([kdir, 'kho', 'kho/out'])];
  for (const f of folders) {
    for (const [ph, ln] of [
      ['scratch_phys', 'scratch_len'],
      ['bootmem_phys', 'bootmem_len'],
    ] as const) {
      const sp = path.join(dir, f, ph);
      const sl = path.join(dir, f, ln);
      if (exists(sp) && exists(sl)) return parseScratchFiles(readText(sp), sp, readText(sl), sl, sink);
      if (exists(sp) || exists(sl)) {
        sink.warn(
          'KHO_SCRATCH_HALF',
          `only one of ${f}/${ph} and ${f}/${ln} is present; scratch areas not read`,
          {
            file: exists(sp) ? sp : sl,
          },
        );
        return [];
      }
    }
  }
  if (scratchChecks)
    sink.warn(
      'KHO_NO_SCRATCH_FILES',
      'no kho/scratch_phys and kho/scratch_len (v7.4: bootmem_phys, bootmem_len): scratch checks skipped',
      { file: dir },
    );
  else
    sink.info(
      'KHO_NO_SCRATCH_FILES',
      'no kho/scratch_phys and kho/scratch_len (v7.4: bootmem_phys, bootmem_len): scratch areas unknown',
      { file: dir },
    );
  return [];
}

/** Decode the KHO image of a bundle directory (no host files read). Throws TraceError for a bad image. */
export function loadKhoImage(dir: string, options: LoadKhoImageOptions = {}): KhoImageLoad {
  const at = (rel: string): string => path.join(dir, rel);
  const fdtFile = requireRootFdt(dir);
  const kd = khoDir(dir)!;
  const sink = new DiagnosticSink();
  const extra: Diagnostic[] = [];
  const rootBytes = readBytes(fdtFile);
  checkRootFdtWhole(rootBytes, fdtFile);
  const root = parseFdt(rootBytes, fdtFile, sink);
  if (kd.side === 'in') {
    sink.info(
      'KHO_ROOT_FROM_IN',
      `root FDT from ${kd.rel}/fdt: the handover this host was booted with (what its predecessor preserved), not what it would hand over; a KHO-booted host has no out/fdt`,
      { file: fdtFile },
    );
  }

  const subBlobs = new Map<string, { file: string; bytes: Uint8Array }>();
  // sub_fdts/<name> holds any blob type (FDT or raw: LUO's struct luo_ser, kexec-metadata), next to the root FDT
  const subDir = `${kd.rel}/sub_fdts`;
  if (isDirectory(at(subDir))) {
    for (const name of listFiles(at(subDir)))
      subBlobs.set(name, { file: at(`${subDir}/${name}`), bytes: readBytes(at(`${subDir}/${name}`)) });
  }
  const scratch = readScratch(dir, kd.rel, sink, options.scratchChecks ?? false);

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
    // what this host was handed at boot: debugfs kho/in, or a capture made on a KHO-booted kernel (its kho/ came
    // from kho-debugfs/in or from the SETUP_KEXEC_KHO setup_data, and it has no out/fdt)
    const incoming =
      kd.side === 'in' ||
      (kd.side === 'bundle' &&
        !exists(at('kho-debugfs/out/fdt')) &&
        (exists(at('kho-debugfs/in/fdt')) || exists(at('kho/setup-data-kexec-kho.txt'))));
    let image: KhoImage;
    try {
      image = decodeKhoImage({
        incoming,
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
    } catch (e) {
      // A KHO-booted kernel's memory no longer holds what it was handed: the radix tree pages were never preserved
      // (kho_radix_alloc_node: get_zeroed_page) and LUO's pages are freed once restored, so the running kernel
      // reuses them. Same code and location; the line says why and what to capture instead.
      if (!incoming || !(e instanceof TraceError) || e.location.file !== coreFile) throw e;
      throw new TraceError({
        code: e.code,
        location: e.location,
        expected: e.expected,
        found: `${e.found} (this bundle is what a KHO-booted kernel received: the incoming radix tree and LUO pages are not kept after boot and get reused; capture the handover on the kernel that makes it, at kexec time)`,
      });
    }
    extra.push(...crossCheckReserveMem(dir, image));
    return { image, diagnostics: [...sink.items, ...extra, ...image.diagnostics] };
  } finally {
    core?.close();
  }
}

/**
 * The memblock subtree's reserve_mem regions against debugfs memblock/reserve_mem_param (kexec-replay capture names
 * it memblock-reserve_mem_param.txt): a region the running kernel lists but the handover lacks (or the other way
 * round), or whose printed size differs, is worth a line.
 */
function crossCheckReserveMem(dir: string, image: KhoImage): Diagnostic[] {
  const file = ['memblock-reserve_mem_param.txt', 'memblock/reserve_mem_param']
    .map((r) => path.join(dir, r))
    .find((f) => exists(f));
  if (!file) return [];
  const { regions, diagnostics } = parseReserveMemParam(readText(file), file);
  const sink = new DiagnosticSink();
  for (const r of regions) {
    const h = image.reserveMem.find((x) => x.name === r.name);
    if (!h)
      sink.info(
        'KHO_RESERVE_MEM_NOT_HANDED_OVER',
        `reserve_mem region "${r.name}" (${r.sizeText}) is not in the memblock subtree: the next kernel will not revive it`,
        {
          file,
          line: r.line,
          column: 1,
        },
      );
    else if (Math.abs(h.sizeBytes - r.sizeBytes) > h.sizeBytes * 0.01)
      sink.warn(
        'KHO_RESERVE_MEM_SIZE',
        `reserve_mem region "${r.name}": ${r.sizeText} here, ${h.sizeBytes} bytes in the memblock subtree`,
        {
          file,
          line: r.line,
          column: 1,
        },
      );
  }
  for (const h of image.reserveMem)
    if (!regions.some((r) => r.name === h.name))
      sink.info(
        'KHO_RESERVE_MEM_NOT_LISTED',
        `reserve_mem region "${h.name}" of the memblock subtree is not in ${file}`,
        { file },
      );
  return [...diagnostics, ...sink.items];
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
