// loadBundle(): a trace bundle (relative path -> bytes or text, read by the CLI) to one HostTrace. Finds each
// file by name or content, runs its parser, merges the sources (each fact says where it came from) and
// cross-checks them. Pure: no file system, no printing.
import type { Diagnostic } from '../core/index.js';
import { DiagnosticSink, RequestError, normalizeRanges } from '../core/index.js';
import { parseBuddyinfo, parsePagetypeinfo } from '../../parsers/buddyinfo/index.js';
import type { Pagetypeinfo } from '../../parsers/buddyinfo/index.js';
import { parseCmdline } from '../../parsers/cmdline/index.js';
import { parseDmesg } from '../../parsers/dmesg/index.js';
import type { DmesgLog, MemblockDumpRegion } from '../../parsers/dmesg/types.js';
import {
  cxlWindows,
  hotAddedRam,
  parseIomem,
  reservedResources,
  softReserved,
  systemRamRanges,
} from '../../parsers/iomem/index.js';
import { parseKconfig } from '../../parsers/kconfig/index.js';
import { e820AfterEdits } from './e820-table.js';
import { parseMemblockDebugfs } from '../../parsers/memblock/index.js';
import type { MemblockDebugfs } from '../../parsers/memblock/index.js';
import {
  parseCpulist,
  parseMemoryBlockTable,
  parseNodeDistance,
  parseNodeMeminfo,
  parseNodeMemoryBlocks,
  parseNodeNumastat,
  parseNodeStates,
} from '../../parsers/node/index.js';
import type { MemoryBlockTable } from '../../parsers/node/index.js';
import { parseZoneinfo } from '../../parsers/zoneinfo/index.js';
import type { Zoneinfo } from '../../parsers/zoneinfo/index.js';
import type { BundleInput, ClassifiedFile, FileKind } from './classify-files.js';
import { classifyFile, looksLikeText } from './classify-files.js';
import { crossCheck } from './cross-check.js';
import { parseFirmwareMemmap } from './firmware-memmap.js';
import type {
  Arch,
  BundleFileReport,
  BuddyinfoRow,
  E820Entry,
  FactSource,
  HostTrace,
  IomemSummary,
  MemRegion,
  MemoryCmdline,
  NodeSysfs,
  ZoneInfoEntry,
  ZoneName,
  ZoneRangePrinted,
} from './host-trace.js';
import type { NodeRun } from './node-layout.js';
import { assignNodes, nodeRunsFromBlocks } from './node-layout.js';

export interface LoadOptions {
  /** For a bundle with stage folders (`stage1-cold-boot/`, `stage2-after-kexec/`): which one to load. */
  readonly stage?: string;
  /** Prefix for file names in diagnostics and errors (the bundle directory as the user typed it). */
  readonly displayRoot?: string;
  /**
   * Files the CLI handed over as their first bytes only (cores and other large files are never read whole):
   * enough to recognise them, not to parse them.
   */
  readonly headOnly?: ReadonlySet<string>;
  /** The architecture the user gave (`--arch`): it comes before anything the files say. */
  readonly arch?: Arch;
  /** The page shift the user gave (`--page-size`): it comes before anything the files say. */
  readonly pageShift?: number;
}

/** Parse counts every text parser returns. */
interface Counts {
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  /** Part of parsedLines: lines recognised and skipped on purpose, by reason (the dmesg parser's ignore list). */
  readonly ignoredLines?: number;
  readonly ignoredReasons?: Readonly<Record<string, number>>;
  readonly diagnostics: readonly Diagnostic[];
}

const ZONE_NAMES: readonly string[] = ['DMA', 'DMA32', 'Normal', 'HighMem', 'Movable', 'Device'];
const STAGE_DIR = /^stage[-_]?\d/i;

/** Default page shift per arch where the arch fixes it (x86 and 32-bit arm: 4 KiB only). */
const ARCH_PAGE_SHIFT: Partial<Record<Arch, number>> = { x86_64: 12, arm: 12, riscv64: 12 };

interface Scoped extends ClassifiedFile {
  /** 0: the bundle (or chosen stage) itself; 1: files shared by all stages; 2: the parent folder (`../`). */
  readonly scope: number;
}

function decode(v: Uint8Array | string): string {
  return typeof v === 'string' ? v : new TextDecoder('utf-8', { fatal: false }).decode(v);
}

function firstNul(v: Uint8Array | string): number {
  if (typeof v === 'string') return v.indexOf('\u0000');
  const i = v.indexOf(0);
  return i;
}

/** Choose the files in scope: one stage of a staged bundle, plus shared files. */
function scopeFiles(
  files: BundleInput,
  options: LoadOptions,
  sink: DiagnosticSink,
  reports: BundleFileReport[],
): Scoped[] {
  const paths = Object.keys(files).sort();
  const stages = [...new Set(paths.filter((p) => p.includes('/')).map((p) => p.split('/')[0]!))]
    .filter((d) => STAGE_DIR.test(d))
    .sort();
  let chosen: string | null = null;
  if (options.stage !== undefined) {
    if (!stages.includes(options.stage)) {
      throw new RequestError(
        stages.length
          ? `no stage "${options.stage}" in this bundle; it has ${stages.join(', ')}`
          : `--stage ${options.stage}: this bundle has no stage folders`,
      );
    }
    chosen = options.stage;
  } else if (stages.length) {
    chosen = stages[stages.length - 1]!;
    sink.info(
      'TRACE_STAGE_CHOSEN',
      `the bundle has stages ${stages.join(', ')}; loading ${chosen} (the last; choose another with --stage)`,
    );
  }
  const out: Scoped[] = [];
  for (const p of paths) {
    const top = p.split('/')[0]!;
    if (chosen !== null && stages.includes(top) && top !== chosen) {
      reports.push({
        path: p,
        kind: 'other',
        recognisedBy: 'none',
        used: false,
        note: `in stage ${top}, not loaded`,
      });
      continue;
    }
    const scope = p.startsWith('../') ? 2 : chosen !== null && top !== chosen ? 1 : 0;
    out.push({ ...classifyFile(p, files[p]!), scope });
  }
  return out;
}

function groupKey(f: ClassifiedFile): string {
  return f.nid !== undefined ? `${f.kind}:${f.nid}` : f.kind;
}

function memRegionsFromDump(regions: readonly MemblockDumpRegion[]): MemRegion[] {
  return regions.map((r) => ({ start: r.base, end: r.base + r.size, nid: r.nid, flags: r.flags }));
}

function archFromText(text: string): Arch | null {
  if (/\b(x86_64|amd64)\b/.test(text)) return 'x86_64';
  if (/\b(aarch64|arm64)\b/.test(text)) return 'arm64';
  if (/\briscv64\b/.test(text)) return 'riscv64';
  if (/\bppc64(le)?\b/.test(text)) return 'ppc64';
  if (/\barmv\d+l?\b/.test(text)) return 'arm';
  return null;
}

/** Boot lines only one arch prints (x86 e820 and fpu setup, arm64 cpufeature, RISC-V SBI, powerpc). */
function archFromLog(text: string): Arch | null {
  const head = text.slice(0, 256 * 1024);
  if (/BIOS-e820: |x86\/fpu: /.test(head)) return 'x86_64';
  if (/CPU features: detected: |Linux version \S+ \([^)]*\) \([^)]*aarch64/.test(head)) return 'arm64';
  if (/SBI specification v|riscv: (base )?ISA/.test(head)) return 'riscv64';
  if (/\bpowerpc\b|ppc64/i.test(head)) return 'ppc64';
  if (/CPU: ARMv[67]|CPU: \S+ \[[0-9a-f]+\] revision \d+ \(ARMv7/.test(head)) return 'arm';
  return null;
}

function archFromConfig(c: Readonly<Record<string, string>>): Arch | null {
  if (c['CONFIG_X86_64'] === 'y' || c['CONFIG_X86_5LEVEL'] === 'y') return 'x86_64';
  if (c['CONFIG_ARM64'] === 'y') return 'arm64';
  if (c['CONFIG_RISCV'] === 'y' && c['CONFIG_64BIT'] === 'y') return 'riscv64';
  if (c['CONFIG_PPC64'] === 'y') return 'ppc64';
  if (c['CONFIG_ARM'] === 'y') return 'arm';
  return null;
}

function pageShiftFromConfig(c: Readonly<Record<string, string>>): number | null {
  const direct = Number(c['CONFIG_PAGE_SHIFT']);
  if (Number.isInteger(direct) && direct >= 12 && direct <= 18) return direct;
  if (c['CONFIG_ARM64_64K_PAGES'] === 'y' || c['CONFIG_PPC_64K_PAGES'] === 'y') return 16;
  if (c['CONFIG_ARM64_16K_PAGES'] === 'y') return 14;
  if (c['CONFIG_ARM64_4K_PAGES'] === 'y' || c['CONFIG_PPC_4K_PAGES'] === 'y') return 12;
  return null;
}

interface TraceJson {
  arch?: unknown;
  pageSize?: unknown;
  kernelRelease?: unknown;
}

/** `node/node0-meminfo.txt` -> `node/`: the directory part with its slash (lastIndexOf, not a backtracking pattern). */
function dirPrefix(p: string): string {
  return p.slice(0, p.lastIndexOf('/') + 1);
}

/** What every stage of a load adds to: diagnostics and file reports in the order they arise, each fact's source. */
interface LoadState {
  readonly sink: DiagnosticSink;
  /** The parsers' own diagnostics, in parse order (before the sink's in the HostTrace). */
  readonly diagnostics: Diagnostic[];
  readonly reports: BundleFileReport[];
  readonly sources: Record<string, FactSource[]>;
  readonly counts: Map<string, Counts>;
  readonly display: (p: string) => string;
}

/** A file chosen for a kind, read as text. */
interface PickedFile {
  readonly path: string;
  readonly text: string;
  /** Its name as diagnostics show it (with the bundle's display root). */
  readonly file: string;
}

function src(st: LoadState, field: string, file: string, kind: string, line?: number): void {
  (st.sources[field] ??= []).push(line !== undefined ? { file, kind, line } : { file, kind });
}

function record(st: LoadState, path: string, c: Counts): void {
  st.counts.set(path, c);
  st.diagnostics.push(...c.diagnostics);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. choose files: the files in scope, the preferred one of each kind, read as text

interface ChosenFiles {
  readonly scoped: readonly Scoped[];
  /** The preferred file of each kind (`kind` or `kind:nid`), in the order first seen. */
  readonly best: ReadonlyMap<string, Scoped>;
  /** Paths of the files read. */
  readonly chosen: ReadonlySet<string>;
  readonly texts: ReadonlyMap<string, string>;
  readonly pick: (kind: FileKind, nid?: number) => PickedFile | null;
}

/** The note of a file that is not read: what it is and why not. */
function notReadNote(f: Scoped, best: ReadonlyMap<string, Scoped>): string {
  return f.kind === 'unknown'
    ? 'not recognised'
    : f.kind === 'other'
      ? 'recognised; carries nothing the host model reads'
      : f.kind === 'binary'
        ? 'binary, not a host text file'
        : f.kind === 'kho'
          ? 'KHO handover data (read by the KHO image loader)'
          : `another ${f.kind} file is preferred: ${best.get(groupKey(f))!.path}`;
}

/** The text of a chosen file, or null (said, and reported as not read) when it is too large or binary. */
function readChosen(files: BundleInput, f: Scoped, options: LoadOptions, st: LoadState): string | null {
  const { sink, display } = st;
  const value = files[f.path]!;
  if (options.headOnly?.has(f.path)) {
    sink.warn('TRACE_FILE_TOO_LARGE', `too large for a ${f.kind} file; not read`, {
      file: display(f.path),
    });
    st.reports.push({
      path: f.path,
      kind: f.kind,
      recognisedBy: f.by,
      used: false,
      note: 'too large for a host text file',
    });
    return null;
  }
  const nul = firstNul(value);
  if (nul >= 0 || (typeof value !== 'string' && !looksLikeText(value))) {
    sink.error('TRACE_BINARY_TEXT', `${f.kind} file holds binary data; not read`, {
      file: display(f.path),
      offset: Math.max(0, nul),
    });
    st.reports.push({
      path: f.path,
      kind: f.kind,
      recognisedBy: f.by,
      used: false,
      note: 'binary data where text was expected',
    });
    return null;
  }
  const text = decode(value);
  if (text.trim() === '') {
    sink.warn('TRACE_EMPTY_FILE', `the ${f.kind} file is empty: nothing in it to read`, {
      file: display(f.path),
    });
  }
  if (text.length > 0 && !text.endsWith('\n')) {
    // every /proc and sysfs file ends its lines with a newline: a last line without one was probably cut
    // (a full disk, a copy stopped early), so its value may be short; it is still read as is
    let line = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
    sink.info(
      'TRACE_UNTERMINATED_LAST_LINE',
      `the last line has no newline: the file may have been cut there`,
      {
        file: display(f.path),
        line,
        column: text.length - text.lastIndexOf('\n'),
      },
    );
  }
  return text;
}

function chooseFiles(files: BundleInput, options: LoadOptions, st: LoadState): ChosenFiles {
  const scoped = scopeFiles(files, options, st.sink, st.reports);
  // the preferred file of each kind: own scope first, then name rank, then path
  const best = new Map<string, Scoped>();
  for (const f of scoped) {
    if (f.kind === 'unknown' || f.kind === 'other' || f.kind === 'binary' || f.kind === 'kho') continue;
    const k = groupKey(f);
    const cur = best.get(k);
    if (
      !cur ||
      f.scope < cur.scope ||
      (f.scope === cur.scope && (f.rank < cur.rank || (f.rank === cur.rank && f.path < cur.path)))
    ) {
      best.set(k, f);
    }
  }
  const chosen = new Set([...best.values()].map((f) => f.path));
  const texts = new Map<string, string>();
  for (const f of scoped) {
    if (!chosen.has(f.path)) {
      st.reports.push({
        path: f.path,
        kind: f.kind,
        recognisedBy: f.by,
        used: false,
        note: notReadNote(f, best),
      });
      if (f.kind === 'unknown')
        st.sink.info('TRACE_UNKNOWN_FILE', `${f.path}: not a file kexec-replay knows; not read`, {
          file: st.display(f.path),
        });
      continue;
    }
    const text = readChosen(files, f, options, st);
    if (text === null) chosen.delete(f.path);
    else texts.set(f.path, text);
  }
  const pick = (kind: FileKind, nid?: number): PickedFile | null => {
    const f = best.get(nid === undefined ? kind : `${kind}:${nid}`);
    if (!f || !texts.has(f.path)) return null;
    return { path: f.path, text: texts.get(f.path)!, file: st.display(f.path) };
  };
  return { scoped, best, chosen, texts, pick };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. parse files: each kind's parser, in a fixed order (the order their diagnostics come in)

type MutableNode = { -readonly [K in keyof NodeSysfs]: NodeSysfs[K] };

/** What the parsers of the chosen files returned. */
interface Parsed {
  traceJson: TraceJson | null;
  tj: PickedFile | null;
  dmesg: DmesgLog | null;
  dm: PickedFile | null;
  iomem: IomemSummary | undefined;
  io: PickedFile | null;
  zoneinfo: Zoneinfo | null;
  zi: PickedFile | null;
  buddyinfo: BuddyinfoRow[] | undefined;
  pagetypeinfo: Pagetypeinfo | null;
  config: Record<string, string>;
  kc: PickedFile | null;
  cmdline: MemoryCmdline | null;
  /** /proc/cmdline as read, for the cross-check with the log's `Kernel command line:`. */
  cmdlineFileRaw: string | null;
  memblockFiles: Partial<Record<'memory' | 'reserved' | 'physmem', MemblockDebugfs & { file: string }>>;
  blockTable: (MemoryBlockTable & { file: string }) | null;
  fwE820: E820Entry[];
  fwFile: string | null;
  cpuFlags: string[] | undefined;
  readonly nodeMap: Map<number, MutableNode>;
  uname: PickedFile | null;
  procVersion: PickedFile | null;
}

function emptyParsed(): Parsed {
  return {
    traceJson: null,
    tj: null,
    dmesg: null,
    dm: null,
    iomem: undefined,
    io: null,
    zoneinfo: null,
    zi: null,
    buddyinfo: undefined,
    pagetypeinfo: null,
    config: {},
    kc: null,
    cmdline: null,
    cmdlineFileRaw: null,
    memblockFiles: {},
    blockTable: null,
    fwE820: [],
    fwFile: null,
    cpuFlags: undefined,
    nodeMap: new Map(),
    uname: null,
    procVersion: null,
  };
}

/** `uname -a` and /proc/version: one line each (`Linux <host> <release> ...`, `Linux version <release> ...`). */
function parseBannerFile(f: PickedFile, kind: 'uname' | 'proc-version', st: LoadState): void {
  const lines = f.text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const sink1 = new DiagnosticSink();
  let parsed = 0;
  let banner = false;
  lines.forEach((l, i) => {
    if (l.trim() === '') parsed++;
    else if (!banner && /^Linux \S+ \S+/.test(l)) {
      banner = true;
      parsed++;
    } else
      sink1.warn('TRACE_UNKNOWN_LINE', `not a ${kind} line: ${JSON.stringify(l.slice(0, 80))}`, {
        file: f.file,
        line: i + 1,
        column: 1,
      });
  });
  record(st, f.path, {
    totalLines: lines.length,
    parsedLines: parsed,
    unknownLines: lines.length - parsed,
    diagnostics: sink1.items,
  });
}

interface FileParser {
  readonly kind: FileKind;
  /** Parse the chosen file of the kind into `out`. */
  readonly parse: (f: PickedFile, st: LoadState, out: Parsed) => void;
  /** When the bundle has no file of the kind: what stands in for it (the command line from the log). */
  readonly absent?: (st: LoadState, out: Parsed) => void;
}

/** The parser of each kind of file, in the order they run. */
const FILE_PARSERS: readonly FileParser[] = [
  {
    kind: 'trace-json',
    parse: (f, st, out) => {
      out.tj = f;
      try {
        const v: unknown = JSON.parse(f.text);
        if (v && typeof v === 'object') out.traceJson = v as TraceJson;
        const n = f.text.split(/\r?\n/).filter((l, i, a) => i < a.length - 1 || l !== '').length;
        st.counts.set(f.path, { totalLines: n, parsedLines: n, unknownLines: 0, diagnostics: [] });
      } catch (e) {
        st.sink.warn('TRACE_BAD_JSON', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`, {
          file: f.file,
        });
      }
    },
  },
  {
    kind: 'dmesg',
    parse: (f, st, out) => {
      out.dm = f;
      out.dmesg = parseDmesg(f.text, f.file);
      record(st, f.path, out.dmesg);
    },
  },
  {
    kind: 'iomem',
    parse: (f, st, out) => {
      out.io = f;
      const m = parseIomem(f.text, f.file);
      record(st, f.path, m);
      out.iomem = {
        systemRam: systemRamRanges(m),
        reserved: reservedResources(m).map((r) => ({ start: r.start, end: r.end, name: r.name })),
        softReserved: normalizeRanges(softReserved(m)),
        hotAddedRam: normalizeRanges(hotAddedRam(m)),
        cxlWindows: cxlWindows(m).map((r) => ({ start: r.start, end: r.end, name: r.name })),
        zeroed: m.zeroed,
      };
      src(st, 'iomem', f.file, 'iomem');
    },
  },
  {
    kind: 'zoneinfo',
    parse: (f, st, out) => {
      out.zi = f;
      out.zoneinfo = parseZoneinfo(f.text, f.file);
      record(st, f.path, out.zoneinfo);
    },
  },
  {
    kind: 'buddyinfo',
    parse: (f, st, out) => {
      const b = parseBuddyinfo(f.text, f.file);
      record(st, f.path, b);
      out.buddyinfo = b.zones.map((z) => ({
        nid: z.nid,
        zone: z.zone,
        freeBlocks: z.freeBlocks,
        freePages: z.freePages,
      }));
      src(st, 'buddyinfo', f.file, 'buddyinfo');
    },
  },
  {
    kind: 'pagetypeinfo',
    parse: (f, st, out) => {
      out.pagetypeinfo = parsePagetypeinfo(f.text, f.file);
      record(st, f.path, out.pagetypeinfo);
      if (out.pagetypeinfo.pageblockOrder !== null) src(st, 'pageblockOrder', f.file, 'pagetypeinfo');
    },
  },
  {
    kind: 'kconfig',
    parse: (f, st, out) => {
      out.kc = f;
      const c = parseKconfig(f.text, f.file);
      record(st, f.path, c);
      out.config = { ...c.options };
      src(st, 'config', f.file, 'kconfig');
    },
  },
  {
    kind: 'cmdline',
    parse: (f, st, out) => {
      const c = parseCmdline(f.text, f.file);
      record(st, f.path, c);
      out.cmdline = c.memory;
      out.cmdlineFileRaw = c.memory.raw;
      src(st, 'cmdline', f.file, 'cmdline');
    },
    // no /proc/cmdline: the log's `Kernel command line:`
    absent: (st, out) => {
      if (!out.dmesg?.commandLine) return;
      const c = parseCmdline(out.dmesg.commandLine, out.dm!.file);
      st.diagnostics.push(...c.diagnostics);
      out.cmdline = c.memory;
      src(st, 'cmdline', out.dm!.file, 'dmesg');
    },
  },
  ...(['memory', 'reserved', 'physmem'] as const).map((which): FileParser => ({
    kind: `memblock-${which}`,
    parse: (f, st, out) => {
      const m = parseMemblockDebugfs(f.text, f.file);
      record(st, f.path, m);
      out.memblockFiles[which] = { ...m, file: f.file };
    },
  })),
  {
    kind: 'memory-block-table',
    parse: (f, st, out) => {
      const t = parseMemoryBlockTable(f.text, f.file);
      record(st, f.path, t);
      out.blockTable = { ...t, file: f.file };
    },
  },
  {
    kind: 'node-states',
    parse: (f, st) => record(st, f.path, parseNodeStates(f.text, f.file)),
  },
  {
    kind: 'firmware-memmap',
    parse: (f, st, out) => {
      const r = parseFirmwareMemmap(f.text, f.file);
      record(st, f.path, r);
      out.fwE820 = [...r.entries];
      out.fwFile = f.file;
    },
  },
  {
    // /proc/cpuinfo: only the first processor's flags are read (la57 decides the paging levels, x86-mem-init.ts)
    kind: 'cpuinfo',
    parse: (f, st, out) => {
      const m = /^flags\s*:([^\n]*)$/m.exec(f.text);
      if (m) {
        out.cpuFlags = m[1]!.trim().split(/\s+/).filter(Boolean);
        src(st, 'cpuFlags', f.file, 'cpuinfo');
      }
      const lines = f.text.split(/\r?\n/);
      if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
      const used = m ? 1 : 0;
      record(st, f.path, {
        totalLines: lines.length,
        parsedLines: lines.length,
        unknownLines: 0,
        ignoredLines: lines.length - used,
        ignoredReasons:
          lines.length > used
            ? { "cpuinfo: only the first processor's flags are read": lines.length - used }
            : {},
        diagnostics: [],
      });
    },
  },
];

/** The parser of each per-node sysfs file, filling that node's NodeSysfs. */
const NODE_FILE_PARSERS: Partial<
  Record<FileKind, (text: string, file: string, st: LoadState, path: string, n: MutableNode) => void>
> = {
  'node-meminfo': (t, file, st, path, n) => {
    const r = parseNodeMeminfo(t, file);
    record(st, path, r);
    if (r.memTotalBytes !== null) n.memTotalBytes = r.memTotalBytes;
  },
  'node-cpulist': (t, file, st, path, n) => {
    const r = parseCpulist(t, file);
    record(st, path, r);
    n.cpus = r.runs;
  },
  'node-distance': (t, file, st, path, n) => {
    const r = parseNodeDistance(t, file);
    record(st, path, r);
    n.distances = r.distances;
  },
  'node-memory-blocks': (t, file, st, path, n) => {
    const r = parseNodeMemoryBlocks(t, file);
    record(st, path, r);
    n.memoryBlocks = r.blocks;
  },
  'node-numastat': (t, file, st, path) => record(st, path, parseNodeNumastat(t, file)),
};

function parseFiles(c: ChosenFiles, st: LoadState): Parsed {
  const out = emptyParsed();
  for (const p of FILE_PARSERS) {
    const f = c.pick(p.kind);
    if (f) p.parse(f, st, out);
    else p.absent?.(st, out);
  }
  // node files, per nid, in path order
  for (const f of c.best.values()) {
    if (f.nid === undefined || !c.texts.has(f.path)) continue;
    const parse = NODE_FILE_PARSERS[f.kind];
    if (!parse) continue;
    let n = out.nodeMap.get(f.nid);
    if (!n) out.nodeMap.set(f.nid, (n = { nid: f.nid }));
    parse(c.texts.get(f.path)!, st.display(f.path), st, f.path, n);
  }
  out.uname = c.pick('uname');
  if (out.uname) parseBannerFile(out.uname, 'uname', st);
  out.procVersion = c.pick('proc-version');
  if (out.procVersion) parseBannerFile(out.procVersion, 'proc-version', st);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 3. resolve facts: each fact of the HostTrace from the best source present, saying which

function resolveKernelRelease(p: Parsed, st: LoadState): string | null {
  const { dmesg, uname, procVersion } = p;
  let kernelRelease: string | null = null;
  if (typeof p.traceJson?.kernelRelease === 'string') {
    kernelRelease = p.traceJson.kernelRelease;
    src(st, 'kernelRelease', p.tj!.file, 'trace-json');
  } else if (uname && /^Linux \S+ (\S+)/.exec(uname.text)) {
    kernelRelease = /^Linux \S+ (\S+)/.exec(uname.text)![1]!;
    src(st, 'kernelRelease', uname.file, 'uname');
  } else if (procVersion && /Linux version (\S+)/.exec(procVersion.text)) {
    kernelRelease = /Linux version (\S+)/.exec(procVersion.text)![1]!;
    src(st, 'kernelRelease', procVersion.file, 'proc-version');
  } else if (dmesg?.kernelRelease) {
    kernelRelease = dmesg.kernelRelease;
    src(st, 'kernelRelease', p.dm!.file, 'dmesg');
  }
  if (dmesg?.kernelRelease && kernelRelease && dmesg.kernelRelease !== kernelRelease) {
    st.sink.warn(
      'XCHECK_KERNEL_RELEASE',
      `the log booted ${dmesg.kernelRelease} but ${st.sources['kernelRelease']![0]!.kind} says ${kernelRelease}`,
      { file: p.dm!.file },
    );
  }
  return kernelRelease;
}

const ARCHES: readonly string[] = ['x86_64', 'arm64', 'riscv64', 'ppc64', 'arm'];

function resolveArch(p: Parsed, st: LoadState, options: LoadOptions, kernelRelease: string | null): Arch {
  const { traceJson, tj, uname, kc, dm, iomem, io, zoneinfo } = p;
  const archCandidates: [Arch | null, string | undefined, string][] = [
    [options.arch ?? null, '--arch', 'command-line'],
    [
      typeof traceJson?.arch === 'string' && ARCHES.includes(traceJson.arch)
        ? (traceJson.arch as Arch)
        : null,
      tj?.file,
      'trace-json',
    ],
    [uname ? archFromText(uname.text) : null, uname?.file, 'uname'],
    [kc ? archFromConfig(p.config) : null, kc?.file, 'kconfig'],
    [
      kernelRelease ? archFromText(kernelRelease) : null,
      st.sources['kernelRelease']?.[0]?.file,
      'kernel-release-name',
    ],
    [dm ? archFromLog(dm.text) : null, dm?.file, 'dmesg-boot-lines'],
    // legacy ROM resources are x86 only (arch/x86/kernel/probe_roms.c); a DMA32 zone only exists on 64-bit
    [
      iomem &&
      io &&
      /: (System|Video|Adapter) ROM$/m.test(io.text) &&
      zoneinfo?.zones.some((z) => z.zone === 'DMA32')
        ? 'x86_64'
        : null,
      io?.file,
      'iomem-roms+zoneinfo-dma32',
    ],
  ];
  for (const [a, file, kind] of archCandidates) {
    if (a && file) {
      src(st, 'arch', file, kind);
      return a;
    }
  }
  st.sink.warn(
    'TRACE_ARCH_UNKNOWN',
    'no file says the architecture (add uname.txt, trace.json or the kernel config)',
  );
  return 'unknown';
}

/** A value of trace.json the model cannot use is said, not dropped: a typo in trace.json must not go unnoticed. */
function checkTraceJsonValues(p: Parsed, st: LoadState): void {
  const { traceJson, tj } = p;
  if (!traceJson || !tj) return;
  if (
    traceJson.arch !== undefined &&
    !(typeof traceJson.arch === 'string' && ARCHES.includes(traceJson.arch))
  ) {
    st.sink.warn(
      'TRACE_JSON_BAD_VALUE',
      `arch ${JSON.stringify(traceJson.arch)} is not one of ${ARCHES.join(', ')}; ignored`,
      { file: tj.file, field: 'arch' },
    );
  }
  const size = traceJson.pageSize;
  if (
    size !== undefined &&
    !(typeof size === 'number' && Number.isInteger(Math.log2(size)) && size >= 4096 && size <= 262144)
  ) {
    st.sink.warn(
      'TRACE_JSON_BAD_VALUE',
      `pageSize ${JSON.stringify(size)} is not a power of two from 4096 to 262144; ignored`,
      { file: tj.file, field: 'pageSize' },
    );
  }
  if (traceJson.kernelRelease !== undefined && typeof traceJson.kernelRelease !== 'string') {
    st.sink.warn(
      'TRACE_JSON_BAD_VALUE',
      `kernelRelease ${JSON.stringify(traceJson.kernelRelease)} is not a string; ignored`,
      { file: tj.file, field: 'kernelRelease' },
    );
  }
}

function resolvePageShift(p: Parsed, st: LoadState, options: LoadOptions, arch: Arch): number {
  const cfgShift = p.kc ? pageShiftFromConfig(p.config) : null;
  const ps = typeof p.traceJson?.pageSize === 'number' ? Math.log2(p.traceJson.pageSize) : NaN;
  if (options.pageShift !== undefined) {
    src(st, 'pageShift', '--page-size', 'command-line');
    return options.pageShift;
  }
  if (Number.isInteger(ps) && ps >= 12 && ps <= 18) {
    src(st, 'pageShift', p.tj!.file, 'trace-json');
    return ps;
  }
  if (p.kc && cfgShift !== null) {
    src(st, 'pageShift', p.kc.file, 'kconfig');
    return cfgShift;
  }
  if (ARCH_PAGE_SHIFT[arch] !== undefined) {
    src(st, 'pageShift', st.sources['arch']![0]!.file, 'arch-rule');
    return ARCH_PAGE_SHIFT[arch]!;
  }
  st.sink.warn('TRACE_PAGE_SIZE_ASSUMED', `page size not known for arch ${arch}; assuming 4 KiB`);
  (st.sources['pageShift'] ??= []).push({ file: '(none)', kind: 'default' });
  return 12;
}

interface E820Facts {
  /** The BIOS map from the log, else the raw firmware map from sysfs. */
  readonly e820: E820Entry[];
  /** What the kernel went on with: the map after `memmap=` (user:) or a quirk (modified:), else the BIOS map. */
  readonly e820ForChecks: E820Entry[];
  readonly efi: E820Entry[];
  /** e820ForChecks after the kernel's printed edits (HostTrace.e820Table). */
  readonly e820Table: E820Entry[] | null;
}

function resolveE820(p: Parsed, st: LoadState): E820Facts {
  const { dmesg, dm } = p;
  let e820: E820Entry[] = [];
  if (dmesg && dmesg.e820.length) {
    e820 = [...dmesg.e820];
    src(st, 'e820', dm!.file, 'dmesg');
  } else if (p.fwE820.length) {
    e820 = p.fwE820;
    src(st, 'e820', p.fwFile!, 'firmware-memmap');
  }
  let e820ForChecks: E820Entry[] = e820;
  if (dmesg && dmesg.modifiedE820.length) e820ForChecks = [...dmesg.modifiedE820];
  else if (dmesg && dmesg.userE820.length) e820ForChecks = [...dmesg.userE820];
  if (e820ForChecks !== e820)
    src(st, 'e820', dm!.file, dmesg!.modifiedE820.length ? 'dmesg-modified-e820' : 'dmesg-user-e820');
  const efi = dmesg ? [...dmesg.efi] : [];
  if (efi.length) src(st, 'efi', dm!.file, 'dmesg');
  const e820Table = e820ForChecks.length ? e820AfterEdits(e820ForChecks, dmesg ? dmesg.e820Edits : []) : null;
  return { e820, e820ForChecks, efi, e820Table };
}

/** Node placement from the memory block table (or the per-node block links), used when nothing better exists. */
function resolveBlockRuns(p: Parsed, st: LoadState): NodeRun[] | null {
  const blockTable = p.blockTable;
  if (!(blockTable && blockTable.blockSizeBytes !== null && blockTable.blocks.length)) return null;
  const linked = new Map<number, number>();
  for (const n of p.nodeMap.values()) for (const b of n.memoryBlocks ?? []) linked.set(b, n.nid);
  for (const b of blockTable.blocks) {
    const l = linked.get(b.id);
    if (l !== undefined && b.nid !== null && l !== b.nid) {
      st.sink.warn(
        'XCHECK_MEMORY_BLOCK_NODE',
        `memory${b.id} is listed under node${l} but the block table says node${b.nid}`,
        {
          file: blockTable.file,
          line: b.line,
        },
      );
    }
  }
  return nodeRunsFromBlocks(blockTable.blocks, blockTable.blockSizeBytes);
}

/** memblock memory as the kernel had it after NUMA init, from the best source present. */
function resolveMemory(
  p: Parsed,
  st: LoadState,
  pageShift: number,
  blockRuns: NodeRun[] | null,
): MemRegion[] {
  const { dmesg, dm, iomem, io } = p;
  let memory: MemRegion[] = [];
  const lastDump = dmesg?.memblockDumps[dmesg.memblockDumps.length - 1];
  const mbMem = p.memblockFiles.memory;
  if (mbMem && mbMem.regions.length) {
    memory = memRegionsFromDump(mbMem.regions);
    src(st, 'memory', mbMem.file, 'memblock-debugfs');
  } else if (lastDump && lastDump.memory.some((r) => r.nid !== null)) {
    memory = memRegionsFromDump(lastDump.memory);
    src(st, 'memory', dm!.file, 'dmesg-memblock-dump', lastDump.line);
  } else if (dmesg && dmesg.earlyNodeRanges.length) {
    memory = dmesg.earlyNodeRanges.map((r) => ({ start: r.start, end: r.end, nid: r.nid, flags: 0 }));
    src(st, 'memory', dm!.file, 'dmesg-early-node-ranges');
  } else if (dmesg && dmesg.earlyNodeMapPfn.length) {
    // 2.6-era `early_node_map[N] active PFN ranges`
    memory = dmesg.earlyNodeMapPfn.map((r) => ({
      start: r.startPfn * 2 ** pageShift,
      end: r.endPfn * 2 ** pageShift,
      nid: r.nid,
      flags: 0,
    }));
    src(st, 'memory', dm!.file, 'dmesg-early-node-map');
  } else if (iomem && !iomem.zeroed && iomem.systemRam.length) {
    memory = blockRuns
      ? assignNodes(iomem.systemRam, blockRuns)
      : iomem.systemRam.map((r) => ({ ...r, nid: null, flags: 0 }));
    src(st, 'memory', io!.file, 'iomem');
    if (blockRuns) src(st, 'memory', p.blockTable!.file, 'memory-block-table');
    const unplaced = memory.filter((r) => r.nid === null);
    if (unplaced.length && blockRuns) {
      st.sink.warn(
        'TRACE_RAM_WITHOUT_NODE',
        `${unplaced.length} System RAM range(s) lie in no memory block; node unknown`,
        {
          file: io!.file,
        },
      );
    }
  } else if (lastDump) {
    memory = memRegionsFromDump(lastDump.memory);
    src(st, 'memory', dm!.file, 'dmesg-memblock-dump', lastDump.line);
  }

  // memory without node ids (pre-6.5 debugfs, a dump before NUMA init): place it with the best node map there is
  if (memory.length && memory.every((r) => r.nid === null)) {
    let runs: NodeRun[] | null = null;
    if (dmesg && dmesg.earlyNodeRanges.length) {
      runs = [...dmesg.earlyNodeRanges].sort((a, b) => a.start - b.start);
      src(st, 'memory', dm!.file, 'dmesg-early-node-ranges');
    } else if (blockRuns && st.sources['memory']?.[0]?.kind !== 'iomem') {
      runs = blockRuns;
      src(st, 'memory', p.blockTable!.file, 'memory-block-table');
    }
    if (runs) memory = assignNodes(memory, runs);
  }
  return memory;
}

function resolveReserved(p: Parsed, st: LoadState): MemRegion[] {
  const lastDump = p.dmesg?.memblockDumps[p.dmesg.memblockDumps.length - 1];
  const mbRes = p.memblockFiles.reserved;
  if (mbRes && mbRes.regions.length) {
    src(st, 'reserved', mbRes.file, 'memblock-debugfs');
    return memRegionsFromDump(mbRes.regions);
  }
  if (lastDump) {
    src(st, 'reserved', p.dm!.file, 'dmesg-memblock-dump', lastDump.line);
    return memRegionsFromDump(lastDump.reserved);
  }
  return [];
}

/** Node ranges as printed at boot; else the node spans of the memory just built. */
function resolveNodeRanges(p: Parsed, st: LoadState, memory: readonly MemRegion[]): MemRegion[] {
  const { dmesg } = p;
  if (dmesg && dmesg.earlyNodeRanges.length) {
    src(st, 'nodeRanges', p.dm!.file, 'dmesg');
    return dmesg.earlyNodeRanges.map((r) => ({ start: r.start, end: r.end, nid: r.nid, flags: 0 }));
  }
  if (memory.some((r) => r.nid !== null)) {
    for (const s of st.sources['memory'] ?? []) src(st, 'nodeRanges', s.file, s.kind);
    return memory.filter((r) => r.nid !== null);
  }
  return [];
}

function resolveZoneRanges(p: Parsed, st: LoadState, pageShift: number): ZoneRangePrinted[] {
  const { dmesg } = p;
  const zoneRanges = dmesg ? [...dmesg.zoneRanges] : [];
  if (zoneRanges.length) {
    src(st, 'zoneRanges', p.dm!.file, 'dmesg');
    return zoneRanges;
  }
  if (dmesg && dmesg.zoneRangesPfn.length) {
    // 2.6-era `Zone PFN ranges:` in pfns
    src(st, 'zoneRanges', p.dm!.file, 'dmesg-pfn');
    return dmesg.zoneRangesPfn.map((z) => ({
      zone: z.zone,
      start: z.startPfn === null ? null : z.startPfn * 2 ** pageShift,
      end: z.endPfn === null ? null : z.endPfn * 2 ** pageShift,
    }));
  }
  return zoneRanges;
}

function resolveMovableZoneStart(p: Parsed, st: LoadState, pageShift: number): Record<number, number> {
  const { dmesg } = p;
  const movableZoneStart: Record<number, number> = dmesg ? { ...dmesg.movableZoneStart } : {};
  if (dmesg && Object.keys(movableZoneStart).length === 0) {
    for (const [nid, pfn] of Object.entries(dmesg.movableZoneStartPfn))
      movableZoneStart[Number(nid)] = pfn * 2 ** pageShift;
  }
  if (Object.keys(movableZoneStart).length) src(st, 'movableZoneStart', p.dm!.file, 'dmesg');
  return movableZoneStart;
}

/** The lines the log holds as they are: unavailable ranges, deferred init, memblock calls and dumps. */
function resolveLogRecords(
  p: Parsed,
  st: LoadState,
): Pick<HostTrace, 'unavailable' | 'deferredInit' | 'memblockCalls' | 'memblockDumps'> {
  const { dmesg } = p;
  const unavailable = dmesg ? [...dmesg.unavailable] : [];
  if (unavailable.length) src(st, 'unavailable', p.dm!.file, 'dmesg');
  const deferredInit = dmesg ? [...dmesg.deferredInit] : [];
  if (deferredInit.length) src(st, 'deferredInit', p.dm!.file, 'dmesg');
  const memblockCalls = dmesg ? [...dmesg.memblockCalls] : [];
  if (memblockCalls.length) src(st, 'memblockCalls', p.dm!.file, 'dmesg');
  const memblockDumps = dmesg ? [...dmesg.memblockDumps] : [];
  if (memblockDumps.length) src(st, 'memblockDumps', p.dm!.file, 'dmesg');
  if (p.cmdline?.memblockDebug && dmesg && memblockCalls.length === 0 && !dmesg.headTruncated) {
    st.sink.info(
      'TRACE_NO_MEMBLOCK_CALLS',
      'memblock=debug is on the command line but the log has no memblock call lines (console loglevel?)',
      { file: p.dm!.file },
    );
  }
  return { unavailable, deferredInit, memblockCalls, memblockDumps };
}

/** /proc/zoneinfo's zones the model can use (a known name, a span below 2^53 bytes). */
function resolveZoneinfo(p: Parsed, st: LoadState, pageShift: number): ZoneInfoEntry[] {
  const { zoneinfo, zi } = p;
  const zoneEntries: ZoneInfoEntry[] = [];
  if (!zoneinfo) return zoneEntries;
  for (const z of zoneinfo.zones) {
    if (!ZONE_NAMES.includes(z.zone)) {
      st.sink.warn('ZONEINFO_UNKNOWN_ZONE', `zone name ${z.zone} is not one of ${ZONE_NAMES.join(', ')}`, {
        file: zi!.file,
        line: z.line,
      });
      continue;
    }
    if (z.spanned === null || z.present === null || z.managed === null) continue; // already a ZONEINFO_FIELD_MISSING
    if (!Number.isSafeInteger(((z.startPfn ?? 0) + z.spanned) * 2 ** pageShift)) {
      st.sink.warn('ZONEINFO_ABSURD_PFN', `Node ${z.nid}, zone ${z.zone} ends beyond 2^53 bytes; not used`, {
        file: zi!.file,
        line: z.line,
      });
      continue;
    }
    // zone_start_pfn is 0 for an empty zone (calculate_node_totalpages()), and zoneinfo does not print it then
    zoneEntries.push({
      nid: z.nid,
      zone: z.zone as ZoneName,
      startPfn: z.startPfn ?? 0,
      spanned: z.spanned,
      present: z.present,
      managed: z.managed,
    });
    if (z.startPfn === null && z.present > 0) {
      st.sink.warn(
        'ZONEINFO_NO_START_PFN',
        `Node ${z.nid}, zone ${z.zone} is populated but prints no start_pfn`,
        {
          file: zi!.file,
          line: z.line,
        },
      );
    }
  }
  src(st, 'zoneinfo', zi!.file, 'zoneinfo');
  return zoneEntries;
}

function resolveNodes(p: Parsed, st: LoadState, c: ChosenFiles): NodeSysfs[] {
  const nodes = [...p.nodeMap.values()].sort((a, b) => a.nid - b.nid);
  if (nodes.length)
    src(
      st,
      'nodes',
      st.display(dirPrefix([...c.best.values()].find((f) => f.nid !== undefined)!.path)) || '.',
      'node-sysfs',
    );
  return nodes;
}

/** What each missing source costs the replay. */
function noteMissingSources(p: Parsed, st: LoadState, memory: readonly MemRegion[]): void {
  if (!p.dmesg)
    st.sink.info(
      'TRACE_NO_DMESG',
      'no kernel log: no e820 from boot, zone ranges, deferred-init times or memblock calls',
    );
  if (!p.zoneinfo)
    st.sink.info('TRACE_NO_ZONEINFO', 'no zoneinfo: zone spans come from the arch rules alone, unchecked');
  if (memory.length === 0)
    st.sink.warn('TRACE_NO_MEMORY', 'no source gives the RAM layout (dmesg, memblock debugfs or iomem)');
}

/** Every file read, with its line counts, beside those not read; sorted by path. */
function fileReports(c: ChosenFiles, st: LoadState): BundleFileReport[] {
  for (const f of c.scoped) {
    if (!c.chosen.has(f.path)) continue;
    const n = st.counts.get(f.path);
    st.reports.push({
      path: f.path,
      kind: f.kind,
      recognisedBy: f.by,
      used: true,
      ...(n ? { totalLines: n.totalLines, parsedLines: n.parsedLines, unknownLines: n.unknownLines } : {}),
      ...(n?.ignoredLines !== undefined
        ? { ignoredLines: n.ignoredLines, ignoredReasons: { ...(n.ignoredReasons ?? {}) } }
        : {}),
    });
  }
  return st.reports.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Load a bundle into one HostTrace: choose the files (one per kind, by scope, name and content), parse each with
 * its kind's parser, resolve each fact from the best source (saying which), cross-check the sources. Throws
 * TraceError for a file whose known lines carry impossible values.
 */
export function loadBundle(files: BundleInput, options: LoadOptions = {}): HostTrace {
  const root = options.displayRoot ? options.displayRoot.replace(/(?<!\/)\/+$/, '') + '/' : '';
  const st: LoadState = {
    sink: new DiagnosticSink(),
    diagnostics: [],
    reports: [],
    sources: {},
    counts: new Map(),
    display: (p) => `${root}${p}`,
  };
  const chosen = chooseFiles(files, options, st);
  const p = parseFiles(chosen, st);

  const kernelRelease = resolveKernelRelease(p, st);
  const arch = resolveArch(p, st, options, kernelRelease);
  checkTraceJsonValues(p, st);
  const pageShift = resolvePageShift(p, st, options, arch);
  const { e820, e820ForChecks, efi, e820Table } = resolveE820(p, st);
  const blockRuns = resolveBlockRuns(p, st);
  const memory = resolveMemory(p, st, pageShift, blockRuns);
  const reserved = resolveReserved(p, st);
  const nodeRanges = resolveNodeRanges(p, st, memory);
  const zoneRanges = resolveZoneRanges(p, st, pageShift);
  const movableZoneStart = resolveMovableZoneStart(p, st, pageShift);
  const log = resolveLogRecords(p, st);
  const zoneEntries = resolveZoneinfo(p, st, pageShift);
  const nodes = resolveNodes(p, st, chosen);

  const { dmesg, blockTable } = p;
  const checks = crossCheck(
    {
      pageShift,
      memory,
      nodeRanges: dmesg ? nodeRanges : [],
      srat: dmesg ? dmesg.srat : [],
      e820: e820ForChecks,
      e820Edits: dmesg ? dmesg.e820Edits : [],
      firmwareMemmap: p.fwE820,
      buddyinfo: p.buddyinfo ?? [],
      pagetypeinfo: p.pagetypeinfo,
      zoneFree: p.zoneinfo ? p.zoneinfo.zones : [],
      iomem: p.iomem,
      zoneinfo: zoneEntries,
      zoneRanges,
      movableZoneStart,
      nodes,
      blockRuns,
      blocks:
        blockTable && blockTable.blockSizeBytes !== null
          ? blockTable.blocks
              .filter((b) => b.state === 'online')
              .map((b) => ({
                id: b.id,
                start: b.physIndex * blockTable.blockSizeBytes!,
                end: (b.physIndex + 1) * blockTable.blockSizeBytes!,
                nid: b.nid,
                validZones: b.validZones,
              }))
          : [],
      config: p.config,
      deferredInitLines: dmesg
        ? dmesg.headTruncated && log.deferredInit.length === 0
          ? null
          : log.deferredInit.length
        : null,
      cmdlineFile: p.cmdlineFileRaw,
      cmdlineDmesg: dmesg?.commandLine ?? null,
      sources: st.sources,
    },
    st.sink,
  );
  noteMissingSources(p, st, memory);
  const reports = fileReports(chosen, st);

  const blockSize = blockTable?.blockSizeBytes;
  const { iomem, cpuFlags, buddyinfo, pagetypeinfo } = p;
  return {
    arch,
    pageShift,
    kernelRelease,
    config: p.config,
    cmdline: p.cmdline,
    memory,
    reserved,
    e820,
    ...(e820Table ? { e820Table } : {}),
    efi,
    zoneRanges,
    movableZoneStart,
    nodeRanges,
    zoneinfo: zoneEntries,
    ...log,
    sources: st.sources,
    diagnostics: [...st.diagnostics, ...st.sink.items],
    files: reports,
    ...(iomem ? { iomem } : {}),
    ...(nodes.length ? { nodes } : {}),
    ...(cpuFlags ? { cpuFlags } : {}),
    ...(blockSize !== undefined && blockSize !== null ? { memoryBlockSizeBytes: blockSize } : {}),
    ...(buddyinfo ? { buddyinfo } : {}),
    ...(pagetypeinfo?.pageblockOrder != null ? { pageblockOrder: pagetypeinfo.pageblockOrder } : {}),
    crossChecks: checks,
  };
}
