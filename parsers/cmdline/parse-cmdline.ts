// /proc/cmdline (or `Kernel command line:`): the memory-related boot parameters the replay needs.
// Splitting follows lib/cmdline.c next_arg() (whitespace, double quotes; `--` ends kernel arguments) and
// kernel/params.c parameq() (`-` and `_` are the same in names).
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink } from '../../src/core/index.js';
import { memparse, strtoull0 } from './memparse.js';
import type { MemmapEntry } from './parse-memmap.js';
import { parseMemmap } from './parse-memmap.js';
import type { MemoryCmdline } from '../../src/trace/host-trace.js';

export interface CmdlineArg {
  /** Name with `-` normalised to `_`. */
  readonly name: string;
  /** Value after `=`, quotes removed; null for a bare flag. */
  readonly value: string | null;
  /** 1-based column of the argument in its line. */
  readonly column: number;
}

export interface ParsedCmdline {
  readonly memory: MemoryCmdline;
  /** Every kernel argument in order (before `--`). */
  readonly args: readonly CmdlineArg[];
  /** Arguments after `--`: passed to init, not to the kernel. */
  readonly initArgs: readonly string[];
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** lib/cmdline.c next_arg(): split on spaces; a double quote toggles quoting and is dropped. */
export function splitArgs(line: string): { text: string; column: number }[] {
  const out: { text: string; column: number }[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    const column = i + 1;
    let text = '';
    let quoted = false;
    while (i < line.length && (quoted || !/\s/.test(line[i]!))) {
      if (line[i] === '"') quoted = !quoted;
      else text += line[i];
      i++;
    }
    out.push({ text, column });
  }
  return out;
}

/**
 * lib/kstrtox.c kstrtobool(): only the first one or two characters count (y/Y/t/T/1, n/N/f/F/0, on/off).
 * Used by early_param("kho") in kernel/kexec_handover.c; a bare `kho` passes NULL and is rejected.
 */
export function kstrtobool(v: string | null): boolean | null {
  if (v === null || v === '') return null;
  const c = v[0]!.toLowerCase();
  if ('yt1'.includes(c)) return true;
  if ('nf0'.includes(c)) return false;
  if (c === 'o') {
    const d = (v[1] ?? '').toLowerCase();
    if (d === 'n') return true;
    if (d === 'f') return false;
  }
  return null;
}

/**
 * `kernelcore=` / `movablecore=` (mm/mm_init.c cmdline_parse_core(); mm/page_alloc.c in 6.1): a number followed
 * by `%` is a percentage (above 100 only WARNs), otherwise memparse() bytes; `kernelcore=mirror` is
 * cmdline_parse_kernelcore()'s parse_option_str().
 */
function parseCore(
  v: string,
  allowMirror: boolean,
): { value: { bytes: number } | { percent: number } | 'mirror' | null; note: string | null } {
  if (allowMirror && v === 'mirror') return { value: 'mirror', note: null };
  const pct = strtoull0(v);
  if (pct.rest.startsWith('%')) {
    return {
      value: { percent: pct.value },
      note: pct.value > 100 ? 'a percentage above 100 (the kernel WARNs)' : null,
    };
  }
  const { bytes, rest } = memparse(v);
  if (bytes === null) return { value: null, note: 'a size below 2^53' };
  const note =
    rest !== '' || !/^\d/.test(v)
      ? `the kernel reads only "${v.slice(0, v.length - rest.length)}" (${bytes} bytes)`
      : null;
  return { value: { bytes }, note };
}

export function parseCmdline(text: string, file: string): ParsedCmdline {
  const sink = new DiagnosticSink();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const nonBlank = lines.map((l, i) => ({ l, i })).filter((x) => x.l.trim() !== '');
  let unknown = 0;
  for (const extra of nonBlank.slice(1)) {
    unknown++;
    sink.warn('CMDLINE_UNKNOWN_LINE', '/proc/cmdline has one line; this extra line is not read', {
      file,
      line: extra.i + 1,
      column: 1,
    });
  }
  const first = nonBlank[0];
  const raw = first ? first.l : '';
  const lineNo = first ? first.i + 1 : 1;
  const args: CmdlineArg[] = [];
  const initArgs: string[] = [];
  let afterDashes = false;
  for (const a of splitArgs(raw)) {
    if (afterDashes) {
      initArgs.push(a.text);
      continue;
    }
    if (a.text === '--') {
      afterDashes = true;
      continue;
    }
    const eq = a.text.indexOf('=');
    const name = (eq < 0 ? a.text : a.text.slice(0, eq)).replace(/-/g, '_');
    args.push({ name, value: eq < 0 ? null : a.text.slice(eq + 1), column: a.column });
  }

  const odd = (a: CmdlineArg, what: string): void =>
    sink.warn('CMDLINE_ODD_VALUE', `${a.name}=${a.value ?? ''}: ${what}`, {
      file,
      line: lineNo,
      column: a.column,
    });
  const bad = (a: CmdlineArg, expected: string): void =>
    sink.warn(
      'CMDLINE_BAD_VALUE',
      `${a.name}=${a.value ?? ''}: expected ${expected}; the kernel ignores it`,
      {
        file,
        line: lineNo,
        column: a.column,
      },
    );

  let kernelcore: MemoryCmdline['kernelcore'];
  let movablecore: MemoryCmdline['movablecore'];
  let memLimit: number | undefined;
  let kho: boolean | undefined;
  let khoScratch: string | undefined;
  let numa: string | undefined;
  let movableNode = false;
  let memblockDebug = false;
  let earlyPageExt = false;
  const memmap: string[] = [];
  const memmapEntries: MemmapEntry[] = [];
  // Each early_param handler runs once per occurrence, in order: the last valid value wins.
  for (const a of args) {
    switch (a.name) {
      case 'kernelcore':
      case 'movablecore': {
        // early_param handlers get NULL for a bare name and return -EINVAL
        if (a.value === null) {
          bad(a, 'a value');
          break;
        }
        const { value, note } = parseCore(a.value, a.name === 'kernelcore');
        if (note) odd(a, note);
        if (value === null) break;
        if (a.name === 'kernelcore') kernelcore = value;
        else if (value !== 'mirror') movablecore = value;
        break;
      }
      case 'movable_node':
        movableNode = true;
        break;
      case 'memmap': {
        if (a.value === null || a.value === '') {
          bad(a, 'exactmap or nn[KMG]{@#$!}ss[KMG]');
          break;
        }
        memmap.push(a.value);
        const r = parseMemmap(a.value);
        memmapEntries.push(...r.entries);
        for (const part of r.invalid) odd(a, `"${part}" is not a memmap entry (-EINVAL)`);
        break;
      }
      case 'mem': {
        // arch/x86/kernel/e820.c parse_memopt(): `mem=nopentium` is a 32-bit leftover; a size of 0 is -EINVAL.
        if (a.value === 'nopentium') break;
        const v = a.value === null ? null : memparse(a.value);
        if (v === null || v.bytes === null || v.bytes === 0) bad(a, 'a size such as 8G');
        else {
          if (v.rest !== '') odd(a, `the kernel reads only the size (${v.bytes} bytes)`);
          memLimit = v.bytes;
        }
        break;
      }
      case 'numa':
        numa = a.value ?? '';
        break;
      case 'kho': {
        const v = kstrtobool(a.value);
        if (v === null) bad(a, 'on or off');
        else kho = v;
        break;
      }
      case 'kho_scratch':
        khoScratch = a.value ?? '';
        break;
      case 'memblock':
        // mm/memblock.c early_memblock(): strstr(p, "debug"), anything else is silently ignored
        if (a.value !== null && a.value.includes('debug')) memblockDebug = true;
        else bad(a, 'debug');
        break;
      case 'early_page_ext':
        earlyPageExt = true;
        break;
      default:
        break;
    }
  }
  const memory: MemoryCmdline = {
    raw,
    movableNode,
    memblockDebug,
    earlyPageExt,
    memmap,
    ...(memmapEntries.length ? { memmapEntries } : {}),
    ...(kernelcore !== undefined ? { kernelcore } : {}),
    ...(movablecore !== undefined ? { movablecore } : {}),
    ...(memLimit !== undefined ? { memLimit } : {}),
    ...(kho !== undefined ? { kho } : {}),
    ...(khoScratch !== undefined ? { khoScratch } : {}),
    ...(numa !== undefined ? { numa } : {}),
  };
  return {
    memory,
    args,
    initArgs,
    totalLines: lines.length,
    parsedLines: lines.length - unknown,
    unknownLines: unknown,
    diagnostics: sink.items,
  };
}
