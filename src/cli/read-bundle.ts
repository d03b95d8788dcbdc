// The one bundle reader of every command (parse, replay, compare): a bundle directory, a stage folder of one, or
// one captured file, read into { relativePath -> bytes } for loadBundle(), the same way for each command, so that
// the host model `parse` shows is the one `replay` and `compare` run on.
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TraceError, UsageError } from '../core/index.js';
import { loadBundle } from '../trace/index.js';
import type { HostTrace } from '../trace/index.js';
import { exists, isDirectory, listFiles, openFileSource, readBytes } from './io.js';

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

/** gunzip `/proc/config.gz` and friends here (node:zlib), so the pure parsers only ever see text. */
function gunzip(file: string, bytes: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes));
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
export function readBundleDir(dir: string): BundleFiles {
  const files: Record<string, Uint8Array> = {};
  const headOnly = new Set<string>();
  if (!isDirectory(dir)) {
    if (!exists(dir)) throw new UsageError(`${dir} is not a directory (a trace bundle) or a captured file`);
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
  for (const f of listFiles(dir)) add(f, path.join(dir, f));
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

/** Read a bundle (readBundleDir) and load its host model (src/trace loadBundle). */
export function loadHostBundle(
  dir: string,
  options: { readonly stage?: string; readonly onStep?: (what: string) => void } = {},
): HostTrace {
  const { files, headOnly } = readBundleDir(dir);
  options.onStep?.('loading the bundle');
  return loadBundle(files, {
    displayRoot: bundleDisplayRoot(dir),
    headOnly,
    ...(options.stage !== undefined ? { stage: options.stage } : {}),
  });
}
