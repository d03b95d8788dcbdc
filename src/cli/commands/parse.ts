// `kexec-replay parse <bundle-dir> [--json] [--stage <name>]`: load a bundle and print the host model it
// gives, where each fact came from, the cross-checks and every diagnostic, before anything is replayed.
import type { Command } from 'commander';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TraceError, UsageError } from '../../core/index.js';
import { parseToJson } from '../../report/parse-json.js';
import { renderParseText } from '../../report/parse-text.js';
import { loadBundle } from '../../trace/index.js';
import type { CliContext } from '../context.js';
import { exists, isDirectory, listFiles, openFileSource, readBytes } from '../io.js';
import { startSpinner } from '../spinner.js';

interface ParseFlags {
  json?: boolean;
  stage?: string;
}

const STAGE_DIR = /^stage[-_]?\d/i;

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

/** Host text files are small; anything larger (a core, a disk image) is only sniffed. */
const MAX_TEXT_BYTES = 256 * 1024 * 1024;
const HEAD_BYTES = 8192;

export interface BundleFiles {
  readonly files: Record<string, Uint8Array>;
  /** Paths given by their first HEAD_BYTES only (KHO data read elsewhere, files too large to be host text). */
  readonly headOnly: Set<string>;
}

/**
 * Read a bundle directory into { relativePath -> bytes }. `kho/` files and files above MAX_TEXT_BYTES are read
 * only as far as their first bytes (cores are never loaded whole). A stage folder of a staged bundle
 * (`f-16g-2node-kexec/stage1-cold-boot`) also gets its parent's top-level files as `../<name>`: the files
 * shared by every stage (kernel config, qemu command line) live there.
 */
export function readBundleDir(dir: string): BundleFiles {
  const files: Record<string, Uint8Array> = {};
  const headOnly = new Set<string>();
  if (!isDirectory(dir)) {
    // one captured file on its own (a dmesg, a zoneinfo) is a bundle of one
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

export function registerParse(program: Command, ctx: CliContext): void {
  program
    .command('parse')
    .description(
      'show the host model a bundle gives: memory, nodes, zones, e820, sources, cross-checks, diagnostics',
    )
    .argument('<bundle-dir>', 'trace bundle directory (or one captured file)')
    .option('--stage <name>', 'for a bundle with stage folders: which stage to load (default: the last)')
    .option('--json', 'print the kexec-replay/parse/1 JSON document')
    .action((dir: string, flags: ParseFlags) => {
      const spinner = startSpinner(ctx.output, `reading ${dir}`);
      try {
        const { files, headOnly } = readBundleDir(dir);
        spinner.update('parsing');
        const host = loadBundle(files, {
          displayRoot: isDirectory(dir) ? dir : path.dirname(dir),
          headOnly,
          ...(flags.stage !== undefined ? { stage: flags.stage } : {}),
        });
        spinner.stop();
        ctx.output.out(
          flags.json ? JSON.stringify(parseToJson(host, dir), null, 2) + '\n' : renderParseText(host, dir),
        );
      } finally {
        spinner.stop();
      }
    });
}
