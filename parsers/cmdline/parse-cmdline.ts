// /proc/cmdline (or `Kernel command line:`): the memory-related boot parameters the replay needs.
// Splitting follows lib/cmdline.c next_arg() (whitespace, double quotes; `--` ends kernel arguments) and
// kernel/params.c parameq() (`-` and `_` are the same in names).
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink, parseMemSize } from '../../src/core/index.js';
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

/** kstrtobool() as used by early_param("kho") in kernel/kexec_handover.c: y/n, 1/0, on/off. */
function parseBool(v: string | null): boolean | null {
  if (v === null) return true;
  const s = v.toLowerCase();
  if (['y', 'yes', '1', 'on', 't', 'true'].includes(s)) return true;
  if (['n', 'no', '0', 'off', 'f', 'false'].includes(s)) return false;
  return null;
}

/**
 * `kernelcore=` / `movablecore=` (mm/mm_init.c cmdline_parse_core(), 6.1): `N%` (at most 100) or a memparse size;
 * `kernelcore=mirror` (cmdline_parse_kernelcore()).
 */
function parseCore(
  v: string | null,
  allowMirror: boolean,
): { bytes: number } | { percent: number } | 'mirror' | null {
  if (v === null) return null;
  if (allowMirror && v === 'mirror') return 'mirror';
  const pct = /^(\d+)%$/.exec(v);
  if (pct) {
    const n = Number(pct[1]);
    return n <= 100 ? { percent: n } : null;
  }
  const bytes = parseMemSize(v);
  return bytes === null ? null : { bytes };
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
  // Each early_param handler runs once per occurrence, in order: the last valid value wins.
  for (const a of args) {
    switch (a.name) {
      case 'kernelcore': {
        const v = parseCore(a.value, true);
        if (v === null) bad(a, 'a size (6G), a percentage (25%) or mirror');
        else kernelcore = v;
        break;
      }
      case 'movablecore': {
        const v = parseCore(a.value, false);
        if (v === null || v === 'mirror') bad(a, 'a size (6G) or a percentage (25%)');
        else movablecore = v;
        break;
      }
      case 'movable_node':
        movableNode = true;
        break;
      case 'memmap':
        if (a.value === null || a.value === '') bad(a, 'exactmap or nn[KMG]{@#$!}ss[KMG]');
        else memmap.push(a.value);
        break;
      case 'mem': {
        // arch/x86/kernel/e820.c parse_memopt(): `mem=nopentium` is a 32-bit leftover, not a limit.
        if (a.value === 'nopentium') break;
        const v = a.value === null ? null : parseMemSize(a.value);
        if (v === null) bad(a, 'a size such as 8G');
        else memLimit = v;
        break;
      }
      case 'numa':
        numa = a.value ?? '';
        break;
      case 'kho': {
        const v = parseBool(a.value);
        if (v === null) bad(a, 'on or off');
        else kho = v;
        break;
      }
      case 'kho_scratch':
        khoScratch = a.value ?? '';
        break;
      case 'memblock':
        // mm/memblock.c early_memblock(): only `debug` is recognised.
        if (a.value === 'debug') memblockDebug = true;
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
