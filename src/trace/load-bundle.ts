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

/** Load a bundle into one HostTrace. Throws TraceError for a file whose known lines carry impossible values. */
export function loadBundle(files: BundleInput, options: LoadOptions = {}): HostTrace {
  const sink = new DiagnosticSink();
  const diagnostics: Diagnostic[] = [];
  const reports: BundleFileReport[] = [];
  const sources: Record<string, FactSource[]> = {};
  const root = options.displayRoot ? options.displayRoot.replace(/(?<!\/)\/+$/, '') + '/' : '';
  const display = (p: string): string => `${root}${p}`;

  const scoped = scopeFiles(files, options, sink, reports);
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
  const counts = new Map<string, Counts>();
  const texts = new Map<string, string>();
  for (const f of scoped) {
    if (!chosen.has(f.path)) {
      const note =
        f.kind === 'unknown'
          ? 'not recognised'
          : f.kind === 'other'
            ? 'recognised; carries nothing the host model reads'
            : f.kind === 'binary'
              ? 'binary, not a host text file'
              : f.kind === 'kho'
                ? 'KHO handover data (read by the KHO image loader)'
                : `another ${f.kind} file is preferred: ${best.get(groupKey(f))!.path}`;
      reports.push({ path: f.path, kind: f.kind, recognisedBy: f.by, used: false, note });
      if (f.kind === 'unknown')
        sink.info('TRACE_UNKNOWN_FILE', `${f.path}: not a file kexec-replay knows; not read`, {
          file: display(f.path),
        });
      continue;
    }
    const value = files[f.path]!;
    if (options.headOnly?.has(f.path)) {
      sink.warn('TRACE_FILE_TOO_LARGE', `too large for a ${f.kind} file; not read`, {
        file: display(f.path),
      });
      reports.push({
        path: f.path,
        kind: f.kind,
        recognisedBy: f.by,
        used: false,
        note: 'too large for a host text file',
      });
      chosen.delete(f.path);
      continue;
    }
    const nul = firstNul(value);
    if (nul >= 0 || (typeof value !== 'string' && !looksLikeText(value))) {
      sink.error('TRACE_BINARY_TEXT', `${f.kind} file holds binary data; not read`, {
        file: display(f.path),
        offset: Math.max(0, nul),
      });
      reports.push({
        path: f.path,
        kind: f.kind,
        recognisedBy: f.by,
        used: false,
        note: 'binary data where text was expected',
      });
      chosen.delete(f.path);
      continue;
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
    texts.set(f.path, text);
  }
  const pick = (kind: FileKind, nid?: number): { path: string; text: string; file: string } | null => {
    const f = best.get(nid === undefined ? kind : `${kind}:${nid}`);
    if (!f || !texts.has(f.path)) return null;
    return { path: f.path, text: texts.get(f.path)!, file: display(f.path) };
  };
  const record = (path: string, c: Counts): void => {
    counts.set(path, c);
    diagnostics.push(...c.diagnostics);
  };
  const src = (field: string, file: string, kind: string, line?: number): void => {
    (sources[field] ??= []).push(line !== undefined ? { file, kind, line } : { file, kind });
  };

  // ---- run the parsers ----
  let traceJson: TraceJson | null = null;
  const tj = pick('trace-json');
  if (tj) {
    try {
      const v: unknown = JSON.parse(tj.text);
      if (v && typeof v === 'object') traceJson = v as TraceJson;
      const n = tj.text.split(/\r?\n/).filter((l, i, a) => i < a.length - 1 || l !== '').length;
      counts.set(tj.path, { totalLines: n, parsedLines: n, unknownLines: 0, diagnostics: [] });
    } catch (e) {
      sink.warn('TRACE_BAD_JSON', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`, {
        file: tj.file,
      });
    }
  }
  let dmesg: DmesgLog | null = null;
  const dm = pick('dmesg');
  if (dm) {
    dmesg = parseDmesg(dm.text, dm.file);
    record(dm.path, dmesg);
  }
  const io = pick('iomem');
  let iomem: IomemSummary | undefined;
  if (io) {
    const m = parseIomem(io.text, io.file);
    record(io.path, m);
    iomem = {
      systemRam: systemRamRanges(m),
      reserved: reservedResources(m).map((r) => ({ start: r.start, end: r.end, name: r.name })),
      softReserved: normalizeRanges(softReserved(m)),
      hotAddedRam: normalizeRanges(hotAddedRam(m)),
      cxlWindows: cxlWindows(m).map((r) => ({ start: r.start, end: r.end, name: r.name })),
      zeroed: m.zeroed,
    };
    src('iomem', io.file, 'iomem');
  }
  let zoneinfo: Zoneinfo | null = null;
  const zi = pick('zoneinfo');
  if (zi) {
    zoneinfo = parseZoneinfo(zi.text, zi.file);
    record(zi.path, zoneinfo);
  }
  let buddyinfo: BuddyinfoRow[] | undefined;
  const bi = pick('buddyinfo');
  if (bi) {
    const b = parseBuddyinfo(bi.text, bi.file);
    record(bi.path, b);
    buddyinfo = b.zones.map((z) => ({
      nid: z.nid,
      zone: z.zone,
      freeBlocks: z.freeBlocks,
      freePages: z.freePages,
    }));
    src('buddyinfo', bi.file, 'buddyinfo');
  }
  let pagetypeinfo: Pagetypeinfo | null = null;
  const pti = pick('pagetypeinfo');
  if (pti) {
    pagetypeinfo = parsePagetypeinfo(pti.text, pti.file);
    record(pti.path, pagetypeinfo);
    if (pagetypeinfo.pageblockOrder !== null) src('pageblockOrder', pti.file, 'pagetypeinfo');
  }
  let config: Record<string, string> = {};
  const kc = pick('kconfig');
  if (kc) {
    const c = parseKconfig(kc.text, kc.file);
    record(kc.path, c);
    config = { ...c.options };
    src('config', kc.file, 'kconfig');
  }
  let cmdline: MemoryCmdline | null = null;
  let cmdlineFileRaw: string | null = null;
  const cl = pick('cmdline');
  if (cl) {
    const c = parseCmdline(cl.text, cl.file);
    record(cl.path, c);
    cmdline = c.memory;
    cmdlineFileRaw = c.memory.raw;
    src('cmdline', cl.file, 'cmdline');
  } else if (dmesg?.commandLine) {
    const c = parseCmdline(dmesg.commandLine, dm!.file);
    diagnostics.push(...c.diagnostics);
    cmdline = c.memory;
    src('cmdline', dm!.file, 'dmesg');
  }
  const memblockFiles: Partial<
    Record<'memory' | 'reserved' | 'physmem', MemblockDebugfs & { file: string }>
  > = {};
  for (const which of ['memory', 'reserved', 'physmem'] as const) {
    const f = pick(`memblock-${which}`);
    if (!f) continue;
    const m = parseMemblockDebugfs(f.text, f.file);
    record(f.path, m);
    memblockFiles[which] = { ...m, file: f.file };
  }
  let blockTable: (MemoryBlockTable & { file: string }) | null = null;
  const mbt = pick('memory-block-table');
  if (mbt) {
    const t = parseMemoryBlockTable(mbt.text, mbt.file);
    record(mbt.path, t);
    blockTable = { ...t, file: mbt.file };
  }
  const ns = pick('node-states');
  if (ns) record(ns.path, parseNodeStates(ns.text, ns.file));
  let fwE820: E820Entry[] = [];
  let fwFile: string | null = null;
  const fw = pick('firmware-memmap');
  if (fw) {
    const r = parseFirmwareMemmap(fw.text, fw.file);
    record(fw.path, r);
    fwE820 = [...r.entries];
    fwFile = fw.file;
  }
  // /proc/cpuinfo: only the first processor's flags are read (la57 decides the paging levels, x86-mem-init.ts)
  let cpuFlags: string[] | undefined;
  const ci = pick('cpuinfo');
  if (ci) {
    const m = /^flags\s*:([^\n]*)$/m.exec(ci.text);
    if (m) {
      cpuFlags = m[1]!.trim().split(/\s+/).filter(Boolean);
      src('cpuFlags', ci.file, 'cpuinfo');
    }
    const lines = ci.text.split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const used = m ? 1 : 0;
    record(ci.path, {
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
  }
  // node files, per nid
  const nodeMap = new Map<number, { -readonly [K in keyof NodeSysfs]: NodeSysfs[K] }>();
  const nodeOf = (nid: number): { -readonly [K in keyof NodeSysfs]: NodeSysfs[K] } => {
    let n = nodeMap.get(nid);
    if (!n) nodeMap.set(nid, (n = { nid }));
    return n;
  };
  for (const f of best.values()) {
    if (f.nid === undefined || !texts.has(f.path)) continue;
    const t = texts.get(f.path)!;
    const file = display(f.path);
    switch (f.kind) {
      case 'node-meminfo': {
        const r = parseNodeMeminfo(t, file);
        record(f.path, r);
        if (r.memTotalBytes !== null) nodeOf(f.nid).memTotalBytes = r.memTotalBytes;
        break;
      }
      case 'node-cpulist': {
        const r = parseCpulist(t, file);
        record(f.path, r);
        nodeOf(f.nid).cpus = r.runs;
        break;
      }
      case 'node-distance': {
        const r = parseNodeDistance(t, file);
        record(f.path, r);
        nodeOf(f.nid).distances = r.distances;
        break;
      }
      case 'node-memory-blocks': {
        const r = parseNodeMemoryBlocks(t, file);
        record(f.path, r);
        nodeOf(f.nid).memoryBlocks = r.blocks;
        break;
      }
      case 'node-numastat':
        record(f.path, parseNodeNumastat(t, file));
        break;
      default:
        break;
    }
  }
  // `uname -a` and /proc/version: one line each (`Linux <host> <release> ...`, `Linux version <release> ...`)
  for (const kind of ['uname', 'proc-version'] as const) {
    const f = pick(kind);
    if (!f) continue;
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
    record(f.path, {
      totalLines: lines.length,
      parsedLines: parsed,
      unknownLines: lines.length - parsed,
      diagnostics: sink1.items,
    });
  }

  // ---- facts ----
  const uname = pick('uname');
  const procVersion = pick('proc-version');
  let kernelRelease: string | null = null;
  if (typeof traceJson?.kernelRelease === 'string') {
    kernelRelease = traceJson.kernelRelease;
    src('kernelRelease', tj!.file, 'trace-json');
  } else if (uname && /^Linux \S+ (\S+)/.exec(uname.text)) {
    kernelRelease = /^Linux \S+ (\S+)/.exec(uname.text)![1]!;
    src('kernelRelease', uname.file, 'uname');
  } else if (procVersion && /Linux version (\S+)/.exec(procVersion.text)) {
    kernelRelease = /Linux version (\S+)/.exec(procVersion.text)![1]!;
    src('kernelRelease', procVersion.file, 'proc-version');
  } else if (dmesg?.kernelRelease) {
    kernelRelease = dmesg.kernelRelease;
    src('kernelRelease', dm!.file, 'dmesg');
  }
  if (dmesg?.kernelRelease && kernelRelease && dmesg.kernelRelease !== kernelRelease) {
    sink.warn(
      'XCHECK_KERNEL_RELEASE',
      `the log booted ${dmesg.kernelRelease} but ${sources['kernelRelease']![0]!.kind} says ${kernelRelease}`,
      { file: dm!.file },
    );
  }

  let arch: Arch = 'unknown';
  const ARCHES: readonly string[] = ['x86_64', 'arm64', 'riscv64', 'ppc64', 'arm'];
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
    [kc ? archFromConfig(config) : null, kc?.file, 'kconfig'],
    [
      kernelRelease ? archFromText(kernelRelease) : null,
      sources['kernelRelease']?.[0]?.file,
      'kernel-release-name',
    ],
    [dm ? archFromLog(dm.text) : null, dm?.file, 'dmesg-boot-lines'],
    // legacy ROM resources are x86 only (arch/x86/kernel/probe_roms.c); a DMA32 zone only exists on 64-bit
    [
      iomem &&
      texts.has(io!.path) &&
      /: (System|Video|Adapter) ROM$/m.test(texts.get(io!.path)!) &&
      zoneinfo?.zones.some((z) => z.zone === 'DMA32')
        ? 'x86_64'
        : null,
      io?.file,
      'iomem-roms+zoneinfo-dma32',
    ],
  ];
  for (const [a, file, kind] of archCandidates) {
    if (a && file) {
      arch = a;
      src('arch', file, kind);
      break;
    }
  }
  if (arch === 'unknown')
    sink.warn(
      'TRACE_ARCH_UNKNOWN',
      'no file says the architecture (add uname.txt, trace.json or the kernel config)',
    );

  if (traceJson && tj) {
    // a value the model cannot use is said, not dropped: a typo in trace.json must not go unnoticed
    if (
      traceJson.arch !== undefined &&
      !(typeof traceJson.arch === 'string' && ARCHES.includes(traceJson.arch))
    ) {
      sink.warn(
        'TRACE_JSON_BAD_VALUE',
        `arch ${JSON.stringify(traceJson.arch)} is not one of ${ARCHES.join(', ')}; ignored`,
        {
          file: tj.file,
          field: 'arch',
        },
      );
    }
    const size = traceJson.pageSize;
    if (
      size !== undefined &&
      !(typeof size === 'number' && Number.isInteger(Math.log2(size)) && size >= 4096 && size <= 262144)
    ) {
      sink.warn(
        'TRACE_JSON_BAD_VALUE',
        `pageSize ${JSON.stringify(size)} is not a power of two from 4096 to 262144; ignored`,
        {
          file: tj.file,
          field: 'pageSize',
        },
      );
    }
    if (traceJson.kernelRelease !== undefined && typeof traceJson.kernelRelease !== 'string') {
      sink.warn(
        'TRACE_JSON_BAD_VALUE',
        `kernelRelease ${JSON.stringify(traceJson.kernelRelease)} is not a string; ignored`,
        {
          file: tj.file,
          field: 'kernelRelease',
        },
      );
    }
  }

  let pageShift: number;
  const cfgShift = kc ? pageShiftFromConfig(config) : null;
  const ps = typeof traceJson?.pageSize === 'number' ? Math.log2(traceJson.pageSize) : NaN;
  if (options.pageShift !== undefined) {
    pageShift = options.pageShift;
    src('pageShift', '--page-size', 'command-line');
  } else if (Number.isInteger(ps) && ps >= 12 && ps <= 18) {
    pageShift = ps;
    src('pageShift', tj!.file, 'trace-json');
  } else if (kc && cfgShift !== null) {
    pageShift = cfgShift;
    src('pageShift', kc.file, 'kconfig');
  } else if (ARCH_PAGE_SHIFT[arch] !== undefined) {
    pageShift = ARCH_PAGE_SHIFT[arch]!;
    src('pageShift', sources['arch']![0]!.file, 'arch-rule');
  } else {
    pageShift = 12;
    sink.warn('TRACE_PAGE_SIZE_ASSUMED', `page size not known for arch ${arch}; assuming 4 KiB`);
    (sources['pageShift'] ??= []).push({ file: '(none)', kind: 'default' });
  }

  // e820: the BIOS map from the log, else the raw firmware map from sysfs
  let e820: E820Entry[] = [];
  if (dmesg && dmesg.e820.length) {
    e820 = [...dmesg.e820];
    src('e820', dm!.file, 'dmesg');
  } else if (fwE820.length) {
    e820 = fwE820;
    src('e820', fwFile!, 'firmware-memmap');
  }
  // what the kernel went on with: the map after `memmap=` (user:) or a quirk (modified:), else the BIOS map
  let e820ForChecks: E820Entry[] = e820;
  if (dmesg && dmesg.modifiedE820.length) e820ForChecks = [...dmesg.modifiedE820];
  else if (dmesg && dmesg.userE820.length) e820ForChecks = [...dmesg.userE820];
  if (e820ForChecks !== e820)
    src('e820', dm!.file, dmesg!.modifiedE820.length ? 'dmesg-modified-e820' : 'dmesg-user-e820');
  const efi = dmesg ? [...dmesg.efi] : [];
  if (efi.length) src('efi', dm!.file, 'dmesg');
  const e820Table = e820ForChecks.length ? e820AfterEdits(e820ForChecks, dmesg ? dmesg.e820Edits : []) : null;

  // node placement from the memory block table (or the per-node block links), used when nothing better exists
  let blockRuns: NodeRun[] | null = null;
  if (blockTable && blockTable.blockSizeBytes !== null && blockTable.blocks.length) {
    const linked = new Map<number, number>();
    for (const n of nodeMap.values()) for (const b of n.memoryBlocks ?? []) linked.set(b, n.nid);
    for (const b of blockTable.blocks) {
      const l = linked.get(b.id);
      if (l !== undefined && b.nid !== null && l !== b.nid) {
        sink.warn(
          'XCHECK_MEMORY_BLOCK_NODE',
          `memory${b.id} is listed under node${l} but the block table says node${b.nid}`,
          {
            file: blockTable.file,
            line: b.line,
          },
        );
      }
    }
    blockRuns = nodeRunsFromBlocks(blockTable.blocks, blockTable.blockSizeBytes);
  }

  // memory: memblock as the kernel had it after NUMA init, from the best source present
  let memory: MemRegion[] = [];
  const lastDump = dmesg?.memblockDumps[dmesg.memblockDumps.length - 1];
  const mbMem = memblockFiles.memory;
  if (mbMem && mbMem.regions.length) {
    memory = memRegionsFromDump(mbMem.regions);
    src('memory', mbMem.file, 'memblock-debugfs');
  } else if (lastDump && lastDump.memory.some((r) => r.nid !== null)) {
    memory = memRegionsFromDump(lastDump.memory);
    src('memory', dm!.file, 'dmesg-memblock-dump', lastDump.line);
  } else if (dmesg && dmesg.earlyNodeRanges.length) {
    memory = dmesg.earlyNodeRanges.map((r) => ({ start: r.start, end: r.end, nid: r.nid, flags: 0 }));
    src('memory', dm!.file, 'dmesg-early-node-ranges');
  } else if (dmesg && dmesg.earlyNodeMapPfn.length) {
    // 2.6-era `early_node_map[N] active PFN ranges`
    memory = dmesg.earlyNodeMapPfn.map((r) => ({
      start: r.startPfn * 2 ** pageShift,
      end: r.endPfn * 2 ** pageShift,
      nid: r.nid,
      flags: 0,
    }));
    src('memory', dm!.file, 'dmesg-early-node-map');
  } else if (iomem && !iomem.zeroed && iomem.systemRam.length) {
    memory = blockRuns
      ? assignNodes(iomem.systemRam, blockRuns)
      : iomem.systemRam.map((r) => ({ ...r, nid: null, flags: 0 }));
    src('memory', io!.file, 'iomem');
    if (blockRuns) src('memory', blockTable!.file, 'memory-block-table');
    const unplaced = memory.filter((r) => r.nid === null);
    if (unplaced.length && blockRuns) {
      sink.warn(
        'TRACE_RAM_WITHOUT_NODE',
        `${unplaced.length} System RAM range(s) lie in no memory block; node unknown`,
        { file: io!.file },
      );
    }
  } else if (lastDump) {
    memory = memRegionsFromDump(lastDump.memory);
    src('memory', dm!.file, 'dmesg-memblock-dump', lastDump.line);
  }

  // memory without node ids (pre-6.5 debugfs, a dump before NUMA init): place it with the best node map there is
  if (memory.length && memory.every((r) => r.nid === null)) {
    let runs: NodeRun[] | null = null;
    if (dmesg && dmesg.earlyNodeRanges.length) {
      runs = [...dmesg.earlyNodeRanges].sort((a, b) => a.start - b.start);
      src('memory', dm!.file, 'dmesg-early-node-ranges');
    } else if (blockRuns && sources['memory']?.[0]?.kind !== 'iomem') {
      runs = blockRuns;
      src('memory', blockTable!.file, 'memory-block-table');
    }
    if (runs) memory = assignNodes(memory, runs);
  }

  let reserved: MemRegion[] = [];
  const mbRes = memblockFiles.reserved;
  if (mbRes && mbRes.regions.length) {
    reserved = memRegionsFromDump(mbRes.regions);
    src('reserved', mbRes.file, 'memblock-debugfs');
  } else if (lastDump) {
    reserved = memRegionsFromDump(lastDump.reserved);
    src('reserved', dm!.file, 'dmesg-memblock-dump', lastDump.line);
  }

  // node ranges as printed at boot; else the node spans of the memory just built
  let nodeRanges: MemRegion[] = [];
  if (dmesg && dmesg.earlyNodeRanges.length) {
    nodeRanges = dmesg.earlyNodeRanges.map((r) => ({ start: r.start, end: r.end, nid: r.nid, flags: 0 }));
    src('nodeRanges', dm!.file, 'dmesg');
  } else if (memory.some((r) => r.nid !== null)) {
    nodeRanges = memory.filter((r) => r.nid !== null);
    for (const s of sources['memory'] ?? []) src('nodeRanges', s.file, s.kind);
  }

  let zoneRanges = dmesg ? [...dmesg.zoneRanges] : [];
  if (zoneRanges.length) src('zoneRanges', dm!.file, 'dmesg');
  else if (dmesg && dmesg.zoneRangesPfn.length) {
    // 2.6-era `Zone PFN ranges:` in pfns
    zoneRanges = dmesg.zoneRangesPfn.map((z) => ({
      zone: z.zone,
      start: z.startPfn === null ? null : z.startPfn * 2 ** pageShift,
      end: z.endPfn === null ? null : z.endPfn * 2 ** pageShift,
    }));
    src('zoneRanges', dm!.file, 'dmesg-pfn');
  }
  const movableZoneStart: Record<number, number> = dmesg ? { ...dmesg.movableZoneStart } : {};
  if (dmesg && Object.keys(movableZoneStart).length === 0) {
    for (const [nid, pfn] of Object.entries(dmesg.movableZoneStartPfn))
      movableZoneStart[Number(nid)] = pfn * 2 ** pageShift;
  }
  if (Object.keys(movableZoneStart).length) src('movableZoneStart', dm!.file, 'dmesg');
  const unavailable = dmesg ? [...dmesg.unavailable] : [];
  if (unavailable.length) src('unavailable', dm!.file, 'dmesg');
  const deferredInit = dmesg ? [...dmesg.deferredInit] : [];
  if (deferredInit.length) src('deferredInit', dm!.file, 'dmesg');
  const memblockCalls = dmesg ? [...dmesg.memblockCalls] : [];
  if (memblockCalls.length) src('memblockCalls', dm!.file, 'dmesg');
  const memblockDumps = dmesg ? [...dmesg.memblockDumps] : [];
  if (memblockDumps.length) src('memblockDumps', dm!.file, 'dmesg');
  if (cmdline?.memblockDebug && dmesg && memblockCalls.length === 0 && !dmesg.headTruncated) {
    sink.info(
      'TRACE_NO_MEMBLOCK_CALLS',
      'memblock=debug is on the command line but the log has no memblock call lines (console loglevel?)',
      { file: dm!.file },
    );
  }

  const zoneEntries: ZoneInfoEntry[] = [];
  if (zoneinfo) {
    for (const z of zoneinfo.zones) {
      if (!ZONE_NAMES.includes(z.zone)) {
        sink.warn('ZONEINFO_UNKNOWN_ZONE', `zone name ${z.zone} is not one of ${ZONE_NAMES.join(', ')}`, {
          file: zi!.file,
          line: z.line,
        });
        continue;
      }
      if (z.spanned === null || z.present === null || z.managed === null) continue; // already a ZONEINFO_FIELD_MISSING
      if (!Number.isSafeInteger(((z.startPfn ?? 0) + z.spanned) * 2 ** pageShift)) {
        sink.warn('ZONEINFO_ABSURD_PFN', `Node ${z.nid}, zone ${z.zone} ends beyond 2^53 bytes; not used`, {
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
        sink.warn(
          'ZONEINFO_NO_START_PFN',
          `Node ${z.nid}, zone ${z.zone} is populated but prints no start_pfn`,
          { file: zi!.file, line: z.line },
        );
      }
    }
    src('zoneinfo', zi!.file, 'zoneinfo');
  }

  const nodes = [...nodeMap.values()].sort((a, b) => a.nid - b.nid);
  if (nodes.length)
    src(
      'nodes',
      display(dirPrefix([...best.values()].find((f) => f.nid !== undefined)!.path)) || '.',
      'node-sysfs',
    );

  const checks = crossCheck(
    {
      pageShift,
      memory,
      nodeRanges: dmesg ? nodeRanges : [],
      srat: dmesg ? dmesg.srat : [],
      e820: e820ForChecks,
      e820Edits: dmesg ? dmesg.e820Edits : [],
      firmwareMemmap: fwE820,
      buddyinfo: buddyinfo ?? [],
      pagetypeinfo,
      zoneFree: zoneinfo ? zoneinfo.zones : [],
      iomem,
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
                start: b.physIndex * blockTable!.blockSizeBytes!,
                end: (b.physIndex + 1) * blockTable!.blockSizeBytes!,
                nid: b.nid,
                validZones: b.validZones,
              }))
          : [],
      config,
      deferredInitLines: dmesg
        ? dmesg.headTruncated && deferredInit.length === 0
          ? null
          : deferredInit.length
        : null,
      cmdlineFile: cmdlineFileRaw,
      cmdlineDmesg: dmesg?.commandLine ?? null,
      sources,
    },
    sink,
  );

  // what each missing source costs the replay
  if (!dmesg)
    sink.info(
      'TRACE_NO_DMESG',
      'no kernel log: no e820 from boot, zone ranges, deferred-init times or memblock calls',
    );
  if (!zoneinfo)
    sink.info('TRACE_NO_ZONEINFO', 'no zoneinfo: zone spans come from the arch rules alone, unchecked');
  if (memory.length === 0)
    sink.warn('TRACE_NO_MEMORY', 'no source gives the RAM layout (dmesg, memblock debugfs or iomem)');

  for (const f of scoped) {
    if (!chosen.has(f.path)) continue;
    const c = counts.get(f.path);
    reports.push({
      path: f.path,
      kind: f.kind,
      recognisedBy: f.by,
      used: true,
      ...(c ? { totalLines: c.totalLines, parsedLines: c.parsedLines, unknownLines: c.unknownLines } : {}),
      ...(c?.ignoredLines !== undefined
        ? { ignoredLines: c.ignoredLines, ignoredReasons: { ...(c.ignoredReasons ?? {}) } }
        : {}),
    });
  }
  reports.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const blockSize = blockTable?.blockSizeBytes;
  return {
    arch,
    pageShift,
    kernelRelease,
    config,
    cmdline,
    memory,
    reserved,
    e820,
    ...(e820Table ? { e820Table } : {}),
    efi,
    zoneRanges,
    movableZoneStart,
    nodeRanges,
    zoneinfo: zoneEntries,
    unavailable,
    deferredInit,
    memblockCalls,
    memblockDumps,
    sources,
    diagnostics: [...diagnostics, ...sink.items],
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
