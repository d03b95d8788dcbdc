// The one bundle reader of every command (parse, replay, compare): a bundle directory, a stage folder of one, or
// one captured file, read into { relativePath -> bytes } for loadBundle(), the same way for each command, so that
// the host model `parse` shows is the one `replay` and `compare` run on.
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ProgressFn } from '../core/index.js';
import { TraceError } from '../core/index.js';
import { loadBundle } from '../trace/index.js';
import type { Arch, HostTrace } from '../trace/index.js';
import { isDirectory, listFiles, openFileSource, readBytes, requireInputPath } from './io.js';

/** A stage folder of a staged bundle (`f-16g-2node-kexec/stage1-cold-boot`); same rule as src/trace's loader. */
const STAGE_DIR = /^stage[-_]?\d/i;

/** Host text files are small; anything larger (a core, a disk image) is only sniffed. */
const MAX_TEXT_BYTES = 256 * 1024 * 1024;
const HEAD_BYTES = 8192;

export interface BundleFiles {
  readonly files: Record<string, Uint8Array>;
  /** Paths given by their first HEAD_BYTES only (KHO data read elsewhere, files too large to be host text). */
  readonly headOnly: Set<string>;
}

/**
 * gunzip `/proc/config.gz` and friends here (node:zlib), so the pure parsers only ever see text. The output is
 * bounded like any host text file (MAX_TEXT_BYTES) before it is sized: a 250 KiB gzip of zeros is 256 MiB (issue 13).
 */
function gunzip(file: string, bytes: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: MAX_TEXT_BYTES }));
  } catch (e) {
    throw new TraceError({
      code: 'TRACE_ERR_GZIP',
      location: { file, offset: 0 },
      expected: 'a gzip stream',
      found: e instanceof Error ? e.message : String(e),
    });
  }
}

/**
 * Read a bundle into { relativePath -> bytes }. `kho/` files and files above MAX_TEXT_BYTES are read only as far
 * as their first bytes (cores are never loaded whole; the KHO image loader reads kho/ itself). `*.gz` files are
 * gunzipped under their name without `.gz`. A stage folder of a staged bundle also gets its parent's top-level
 * files as `../<name>`: the files shared by every stage (kernel config, qemu command line) live there. One
 * captured file on its own (a dmesg, a zoneinfo) is a bundle of one.
 */
export function readBundleDir(dir: string, onProgress?: ProgressFn): BundleFiles {
  const files: Record<string, Uint8Array> = {};
  const headOnly = new Set<string>();
  requireInputPath(dir, 'dir-or-file');
  if (!isDirectory(dir)) {
    const bytes = readBytes(dir);
    const name = path.basename(dir);
    if (name.endsWith('.gz')) files[name.slice(0, -3)] = gunzip(dir, bytes);
    else files[name] = bytes;
    return { files, headOnly };
  }
  const add = (rel: string, full: string): void => {
    const src = openFileSource(full);
    try {
      if (/(^|\/)kho\//.test(rel) || src.size > MAX_TEXT_BYTES) {
        files[rel] = src.read(0, HEAD_BYTES);
        headOnly.add(rel);
        return;
      }
      const bytes = src.read(0, src.size);
      if (rel.endsWith('.gz')) files[rel.slice(0, -3)] = gunzip(full, bytes);
      else files[rel] = bytes;
    } finally {
      src.close();
    }
  };
  const names = listFiles(dir);
  names.forEach((f, i) => {
    onProgress?.('reading files', i, names.length);
    add(f, path.join(dir, f));
  });
  const parent = path.dirname(path.resolve(dir));
  if (STAGE_DIR.test(path.basename(path.resolve(dir)))) {
    for (const f of listFiles(parent)) {
      if (!f.includes('/')) add(`../${f}`, path.join(parent, f));
    }
  }
  return { files, headOnly };
}

/** The prefix of file names in diagnostics and errors: the directory as typed, or a lone file's folder. */
export function bundleDisplayRoot(dir: string): string {
  return isDirectory(dir) ? dir : path.dirname(dir);
}

export interface HostBundleOptions {
  readonly stage?: string;
  readonly onStep?: ProgressFn;
  /** `--arch`: what the bundle does not say (it comes first when given). */
  readonly arch?: Arch;
  /** `--page-size` as a page shift. */
  readonly pageShift?: number;
}

/**
 * Read a bundle (readBundleDir) and load its host model (src/trace loadBundle). A bundle in which no file is
 * recognised (an empty folder, a folder of something else) is not a host: exit 3 rather than an empty report.
 */
export function loadHostBundle(dir: string, options: HostBundleOptions = {}): HostTrace {
  const { files, headOnly } = readBundleDir(dir, options.onStep);
  options.onStep?.('parsing the host files');
  const host = loadBundle(files, {
    displayRoot: bundleDisplayRoot(dir),
    headOnly,
    ...(options.stage !== undefined ? { stage: options.stage } : {}),
    ...(options.arch !== undefined ? { arch: options.arch } : {}),
    ...(options.pageShift !== undefined ? { pageShift: options.pageShift } : {}),
  });
  const reports = host.files ?? [];
  if (!reports.some((f) => f.used || (f.kind !== 'unknown' && f.kind !== 'other'))) {
    throw new TraceError({
      code: 'TRACE_ERR_NOTHING_RECOGNISED',
      location: { file: dir },
      expected:
        'at least one host file kexec-replay reads (dmesg.txt, iomem.txt, zoneinfo.txt, memblock-*.txt, kho/fdt, ...)',
      found: reports.length
        ? `${reports.length} file(s), none recognised: ${reports
            .slice(0, 3)
            .map((f) => f.path)
            .join(', ')}${reports.length > 3 ? ', ...' : ''}`
        : 'an empty directory',
    });
  }
  return host;
}

/**
 * The simulator models x86_64 and arm64 (src/sim/arch.ts): a host whose files do not say which, and no --arch,
 * cannot be replayed faithfully (replaying an ARMv7 board with x86_64's DMA32 zone would be a made-up answer).
 */
export function requireKnownArch(host: HostTrace, dir: string): void {
  // without a memory map there is nothing to replay whatever the arch: the simulator says so
  // (TRACE_ERR_NO_MEMORY_MAP), which --arch would not cure
  if (host.arch !== 'unknown' || host.diagnostics.some((d) => d.code === 'TRACE_NO_MEMORY')) return;
  throw new TraceError({
    code: 'TRACE_ERR_ARCH_UNKNOWN',
    location: { file: dir, field: 'arch' },
    expected:
      'a bundle that says its architecture (uname.txt, trace.json, the kernel config, a boot log) or --arch',
    found: 'no file that says it',
  });
}
