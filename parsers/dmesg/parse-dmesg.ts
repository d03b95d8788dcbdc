// parseDmesg: a kernel log (dmesg, journalctl -k, serial console, /dev/kmsg) -> DmesgLog. Pure and linear:
// one pass over the lines, a small block state for the multi-line tables, every line parsed, ignored (on the
// reviewed list in ignored.ts) or counted unknown with a DMESG_UNKNOWN_LINE diagnostic at line:column.
import { DiagnosticSink, LIMITS, TraceError } from '../../src/core/index.js';
import { matchIgnored } from './ignored.js';
import type { Block, Outcome, Rec, ShapeTarget } from './line-shapes.js';
import { applyLineShapes } from './line-shapes.js';
import * as P from './patterns.js';
import { splitPrefix } from './prefix.js';
import type {
  DeferredInitTime,
  DmesgLog,
  E820Edit,
  E820Entry,
  KhoLine,
  MemblockCall,
  MemblockDump,
  MemblockDumpRegion,
  MemmapInitLine,
  MemoryAvailable,
  MminitLine,
  NodeDataAlloc,
  NodeRange,
  NodeRangePfn,
  NumaMerge,
  ReservedMemLine,
  TimestampKind,
  UnavailableLine,
  ZoneName,
  ZoneRangePfn,
  ZoneRangePrinted,
} from './types.js';
import { BadValue, decValue, exclusiveRange, hexValue, inclusiveRange } from './values.js';

/** Longest captured line read; longer ones are DMESG_LONG_LINE (kernel/printk/printk.c: records are <= 1024 bytes). */
const MAX_LINE_CHARS = 8192;

/** Records split off one captured line at most; the rest of such a line is one unknown record. */
const MAX_GLUED = 32;

interface OpenDump {
  line: number;
  time?: number;
  memorySize?: number;
  reservedSize?: number;
  memoryCnt?: number;
  reservedCnt?: number;
  physmemCnt?: number;
  memory: MemblockDumpRegion[];
  reserved: MemblockDumpRegion[];
  physmem: MemblockDumpRegion[];
}

/** Control characters other than tab, CR, LF and ESC (ANSI colours on serial consoles). */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f]/g; // eslint-disable-line no-control-regex
const NON_BLANK = /\S/;
/** ANSI CSI escape sequences (`ESC [ 2 J`, `ESC [ = 3 h`): terminal control from firmware on a serial console. */
const ANSI = /\x1b\[[0-9;=?]*[A-Za-z]/g; // eslint-disable-line no-control-regex
/** An embedded `[    0.123456]` record start: two records glued on one captured line. */
const EMBEDDED_TIME = /\[\s*\d+\.\d{6}\]/g;

/** Refuse inputs that are not text at all: more than 1/8 control bytes in the first 64 KiB. */
function checkText(text: string, file: string): void {
  const head = text.slice(0, 65536);
  const hits = head.match(CONTROL);
  if (hits && hits.length >= 16 && hits.length * 8 > head.length) {
    CONTROL.lastIndex = 0;
    const first = head.search(CONTROL);
    const before = head.slice(0, first);
    const line = before.split('\n').length;
    const column = first - before.lastIndexOf('\n');
    throw new TraceError({
      code: 'DMESG_ERR_BINARY',
      location: { file, line, column },
      expected: 'a text kernel log',
      found: `binary data (${hits.length} control bytes in the first ${head.length} characters)`,
    });
  }
}

class DmesgBuilder implements ShapeTarget {
  readonly sink = new DiagnosticSink();
  parsedLines = 0;
  unknownLines = 0;
  ignoredLines = 0;
  malformedLines = 0;
  otherBootLines = 0;
  /** Lines ignored, by reason (the list's reasons, and the line-level ones below). */
  readonly ignoredReasons: Record<string, number> = {};
  /** Reason of the last record ignored by the lists; read when the line's outcome is `ignored`. */
  ignoreReason = '';
  kernelRelease: string | null = null;
  cmdlineKernel: string | null = null;
  cmdlineArch: string | null = null;
  readonly e820: E820Entry[] = [];
  readonly userE820: E820Entry[] = [];
  readonly setupDataE820: E820Entry[] = [];
  readonly modifiedE820: E820Entry[] = [];
  readonly efi: E820Entry[] = [];
  readonly e820Edits: E820Edit[] = [];
  readonly srat: NodeRange[] = [];
  readonly numaMerges: NumaMerge[] = [];
  readonly nodeData: NodeDataAlloc[] = [];
  fakeNode: { start: number; end: number } | null = null;
  readonly zoneRanges: ZoneRangePrinted[] = [];
  readonly movableZoneStart: Record<number, number> = {};
  readonly earlyNodeRanges: NodeRange[] = [];
  readonly initmemSetup: NodeRange[] = [];
  readonly memorylessNodes: number[] = [];
  readonly unavailable: UnavailableLine[] = [];
  readonly deferredInit: DeferredInitTime[] = [];
  readonly memoryAvailable: MemoryAvailable[] = [];
  readonly memmapInit: MemmapInitLine[] = [];
  readonly mminit: MminitLine[] = [];
  readonly memblockCalls: MemblockCall[] = [];
  readonly memblockDumps: MemblockDump[] = [];
  readonly zoneRangesPfn: ZoneRangePfn[] = [];
  readonly earlyNodeMapPfn: NodeRangePfn[] = [];
  readonly movableZoneStartPfn: Record<number, number> = {};
  readonly nodeTotalPages: Record<number, number> = {};
  readonly kho: KhoLine[] = [];
  readonly reservedMem: ReservedMemLine[] = [];
  readonly kexecMarkers: KhoLine[] = [];
  readonly khoSummary: {
    found: boolean;
    disabled: boolean;
    invalidFdt: { addr: number; err: number } | null;
    scratchScalePercent: number | null;
    scratchMiB: { lowmem: number; global: number; pernode: number } | null;
    revived: string[];
  } = {
    found: false,
    disabled: false,
    invalidFdt: null,
    scratchScalePercent: null,
    scratchMiB: null,
    revived: [],
  };
  readonly bootLines: number[] = [];
  zeroedUnavailablePages: number | null = null;
  reservedUnavailablePages: number | null = null;
  readonly timestampKinds: Partial<Record<TimestampKind, number>> = {};
  sawBanner = false;
  headTruncated = false;
  /** The multi-line table being read (its body lines mean something only after its header). */
  block: Block = null;
  dump: OpenDump | null = null;
  /** A record cut by pr_cont whose second half may come as the next record. */
  pending:
    | { kind: 'e820'; who: string; range: { start: number; end: number }; line: number }
    | { kind: 'zone'; zone: ZoneName; line: number }
    | null = null;

  constructor(readonly file: string) {}

  loc(rec: Rec, offset = 0): { file: string; line: number; column: number } {
    return { file: this.file, line: rec.lineNo, column: rec.column + offset };
  }

  /** Classify one message (the line after its prefix). */
  handle(msg: string, rec: Rec): Outcome {
    try {
      if (this.pending !== null) {
        const r = this.continuation(msg);
        if (r) return r;
      }
      if (this.block !== null) {
        const r = this.handleBlockLine(msg, rec);
        if (r) return r;
        this.closeBlock();
      }
      // Most of a log is drivers: one test decides whether any memory shape can match (patterns.ts MEMORY_LEAD).
      if (!P.MEMORY_LEAD.test(msg)) return this.notMemory(msg, rec);
      const r = this.handleLine(msg, rec);
      if (r) return r;
      // Logs quoted in mails or pasted from syzbot are indented as a whole (`\t Initmem setup node 0 ...`).
      if (msg.length > 0 && msg.charCodeAt(0) <= 0x20) {
        const trimmed = msg.trimStart();
        const r2 = this.handleLine(trimmed, { ...rec, column: rec.column + msg.length - trimmed.length });
        if (r2) return r2;
      }
    } catch (e) {
      if (!(e instanceof BadValue)) throw e;
      const at = Math.max(0, msg.indexOf(e.token));
      // a known line with an impossible value (an address above 2^53, an end below its start) is input the
      // model cannot take: an error note, so the command exits 3 after its report (src/cli/exit.ts)
      this.sink.error('DMESG_BAD_VALUE', `${e.message}: ${clip(msg)}`, this.loc(rec, at));
      return 'malformed';
    }
    return this.notMemory(msg, rec);
  }

  private notMemory(msg: string, rec: Rec): Outcome {
    const reason = matchIgnored(msg);
    if (reason !== null) {
      this.ignoreReason = reason;
      return 'ignored';
    }
    return this.handleGlued(msg, rec);
  }

  /** Two records on one captured line (pr_cont without newline, console interleaving): split and classify both. */
  private handleGlued(msg: string, rec: Rec): Outcome {
    EMBEDDED_TIME.lastIndex = 1;
    const m = (rec.depth ?? 0) < MAX_GLUED ? EMBEDDED_TIME.exec(msg) : null;
    if (m && m.index > 0) {
      const left = msg.slice(0, m.index);
      const rightLine = msg.slice(m.index);
      const p = splitPrefix(rightLine);
      const a = left.trim() === '' ? null : this.handle(left, rec);
      const rightRec: Rec = {
        lineNo: rec.lineNo,
        column: rec.column + m.index + p.msgStart,
        depth: (rec.depth ?? 0) + 1,
        ...(p.time !== undefined && { time: p.time }),
      };
      const b = this.handle(rightLine.slice(p.msgStart), rightRec);
      return a === null ? b : worst(a, b);
    }
    this.sink.info('DMESG_UNKNOWN_LINE', clip(msg), this.loc(rec));
    return 'unknown';
  }

  /** Join the second half of a pr_cont record (e820 type word, zone range) cut onto its own line. */
  private continuation(msg: string): Outcome | null {
    const p = this.pending;
    this.pending = null;
    if (p === null) return null;
    if (p.kind === 'e820') {
      const m = P.E820_TYPE_ONLY.exec(msg);
      if (m) {
        this.e820Entry(p.who, p.range, (m[1] as string) + (m[2] ?? ''), { lineNo: p.line, column: 1 });
        return 'parsed';
      }
      this.sink.warn('DMESG_CUT_RECORD', 'e820 entry without its type word (a pr_cont that never came)', {
        file: this.file,
        line: p.line,
        column: 1,
      });
      this.e820Entry(p.who, p.range, 'unknown', { lineNo: p.line, column: 1 });
      return null;
    }
    const m = P.ZONE_RANGE_CONT.exec(msg);
    if (m) {
      const r = m[3] ? null : inclusiveRange(m[1] as string, m[2] as string);
      this.zoneRanges.push({ zone: p.zone, start: r?.start ?? null, end: r?.end ?? null });
      return 'parsed';
    }
    this.sink.warn('DMESG_CUT_RECORD', `zone ${p.zone} without its range (a pr_cont that never came)`, {
      file: this.file,
      line: p.line,
      column: 1,
    });
    return null;
  }

  private closeBlock(): void {
    if (this.block === 'dump') this.closeDump();
    this.block = null;
  }

  closeDump(): void {
    const d = this.dump;
    this.dump = null;
    if (!d) return;
    const where = { file: this.file, line: d.line, column: 1 };
    if (d.memorySize === undefined || d.reservedSize === undefined) {
      this.sink.warn('DMESG_MEMBLOCK_DUMP_TRUNCATED', 'MEMBLOCK configuration without its size line', where);
    }
    const check = (name: string, cnt: number | undefined, got: number): void => {
      if (cnt !== undefined && cnt !== got) {
        this.sink.warn(
          'DMESG_MEMBLOCK_DUMP_COUNT',
          `${name}.cnt = ${cnt} but ${got} region lines were read`,
          where,
        );
      }
    };
    check('memory', d.memoryCnt, d.memory.length);
    check('reserved', d.reservedCnt, d.reserved.length);
    check('physmem', d.physmemCnt, d.physmem.length);
    this.memblockDumps.push({
      line: d.line,
      ...(d.time !== undefined && { time: d.time }),
      memorySize: d.memorySize ?? 0,
      reservedSize: d.reservedSize ?? 0,
      memory: d.memory,
      reserved: d.reserved,
      ...(d.physmem.length > 0 && { physmem: d.physmem }),
      ...(d.memoryCnt !== undefined && { memoryCnt: d.memoryCnt }),
      ...(d.reservedCnt !== undefined && { reservedCnt: d.reservedCnt }),
    });
  }

  private handleBlockLine(msg: string, rec: Rec): Outcome | null {
    let m: RegExpExecArray | null;
    switch (this.block) {
      case 'zone':
        if ((m = P.ZONE_RANGE.exec(msg))) return this.zoneRange(m[1] as ZoneName, m.groups ?? {});
        if ((m = P.ZONE_NAME_ONLY.exec(msg))) {
          this.pending = { kind: 'zone', zone: m[1] as ZoneName, line: rec.lineNo };
          return 'parsed';
        }
        return null;
      case 'movable':
        if ((m = P.MOVABLE_NODE.exec(msg))) {
          this.movableZoneStart[decValue(m[1] as string)] = hexValue(m[2] as string);
          return 'parsed';
        }
        return null;
      case 'early':
        return null; // EARLY_NODE is self-identifying (a log whose head is cut off starts inside this table).
      case 'zonepfn':
        if ((m = P.ZONE_PFN.exec(msg))) {
          const r = m[4] ? null : exclusiveRange(m[2] as string, m[3] as string);
          this.zoneRangesPfn.push({
            zone: m[1] as ZoneName,
            startPfn: r?.start ?? null,
            endPfn: r?.end ?? null,
          });
          return 'parsed';
        }
        return null;
      case 'movablepfn':
        if ((m = P.MOVABLE_PFN_NODE.exec(msg))) {
          this.movableZoneStartPfn[decValue(m[1] as string)] = decValue(m[2] as string);
          return 'parsed';
        }
        return null;
      case 'nodemappfn':
        if ((m = P.EARLY_NODE_MAP.exec(msg))) {
          const r = exclusiveRange(m[2] as string, m[3] as string);
          this.earlyNodeMapPfn.push({ nid: decValue(m[1] as string), startPfn: r.start, endPfn: r.end });
          return 'parsed';
        }
        return null;
      case 'dump':
        return this.dumpLine(msg, rec);
      default:
        return null;
    }
  }

  private dumpLine(msg: string, _rec: Rec): Outcome | null {
    const d = this.dump;
    if (!d) return null;
    let m: RegExpExecArray | null;
    if ((m = P.DUMP_REGION.exec(msg))) {
      const type = m[1] as 'memory' | 'reserved' | 'physmem';
      const size = hexValue(m[5] as string);
      const base = hexValue(m[3] as string);
      // An empty type prints one zero-size region whose end wraps (`base + size - 1`): keep it as size 0.
      if (size > 0) {
        const r = inclusiveRange(m[3] as string, m[4] as string);
        if (r.end - r.start !== size) {
          throw new BadValue(m[5] as string, `a size equal to the printed range (${r.end - r.start} bytes)`);
        }
      }
      const list = d[type];
      const idx = hexValue(m[2] as string);
      if (idx !== list.length) {
        throw new BadValue(`${type}[0x${m[2]}]`, `region index 0x${list.length.toString(16)}`);
      }
      list.push({
        base,
        size,
        nid: m[6] !== undefined ? decValue(m[6]) : null,
        flags: m[7] ? hexValue(m[7]) : 0,
      });
      return 'parsed';
    }
    if ((m = P.DUMP_CNT.exec(msg))) {
      const cnt = hexValue(m[2] as string);
      if (m[1] === 'memory') d.memoryCnt = cnt;
      else if (m[1] === 'reserved') d.reservedCnt = cnt;
      else d.physmemCnt = cnt;
      return 'parsed';
    }
    if ((m = P.DUMP_SIZES.exec(msg))) {
      d.memorySize = hexValue(m[1] as string);
      d.reservedSize = hexValue(m[2] as string);
      return 'parsed';
    }
    return null;
  }

  zoneRange(zone: ZoneName, g: Readonly<Record<string, string | undefined>>): Outcome {
    if (g['empty']) {
      this.zoneRanges.push({ zone, start: null, end: null });
    } else {
      const r = inclusiveRange(g['start'] as string, g['end'] as string);
      this.zoneRanges.push({ zone, start: r.start, end: r.end });
    }
    return 'parsed';
  }

  e820Entry(who: string, r: { start: number; end: number }, printed: string, rec: Rec): void {
    if (printed === '') {
      // The type word is a pr_cont: it may follow as its own record.
      this.pending = { kind: 'e820', who, range: r, line: rec.lineNo };
      return;
    }
    const crypto = printed.endsWith('; crypto-capable');
    const type = crypto ? printed.slice(0, -'; crypto-capable'.length) : printed;
    const entry: E820Entry = crypto
      ? { start: r.start, end: r.end, type, cryptoCapable: true }
      : { start: r.start, end: r.end, type };
    if (who === 'BIOS-e820' || who === 'BIOS-88' || who === 'BIOS-e801') this.e820.push(entry);
    else if (who === 'user') this.userE820.push(entry);
    else if (who === 'reserve setup_data' || who === 'extended') this.setupDataE820.push(entry);
    else this.modifiedE820.push(entry);
  }

  memoryLine(): void {
    if (!this.sawBanner) this.headTruncated = true;
  }

  /** Single-line shapes (line-shapes.ts LINE_SHAPES, in order). Returns null when the message is none of them. */
  private handleLine(msg: string, rec: Rec): Outcome | null {
    return applyLineShapes(this, msg, rec);
  }

  banner(rec: Rec): void {
    if (this.bootLines.length === 2) {
      this.sink.info(
        'DMESG_MULTIPLE_BOOTS',
        'a second Linux version banner: this log holds more than one boot (records are in log order; see bootLines)',
        this.loc(rec),
      );
    }
  }

  openDump(rec: Rec): void {
    this.dump = {
      line: rec.lineNo,
      ...(rec.time !== undefined && { time: rec.time }),
      memory: [],
      reserved: [],
      physmem: [],
    };
    this.block = 'dump';
  }

  khoDetail(msg: string): void {
    const k = this.khoSummary;
    let m: RegExpExecArray | null;
    if (P.KHO_FOUND.test(msg)) k.found = true;
    else if (P.KHO_DISABLED.test(msg)) k.disabled = true;
    else if ((m = P.KHO_INVALID_FDT.exec(msg))) {
      k.invalidFdt = { addr: hexValue(m[1] as string), err: decValue(m[2] as string) };
    } else if ((m = P.KHO_SCRATCH_SCALE.exec(msg))) k.scratchScalePercent = decValue(m[1] as string);
    else if ((m = P.KHO_SCRATCH_AREAS.exec(msg))) {
      k.scratchMiB = {
        lowmem: decValue(m[1] as string),
        global: decValue(m[2] as string),
        pernode: decValue(m[3] as string),
      };
    } else if ((m = P.KHO_REVIVED.exec(msg))) k.revived.push(m[1] as string);
  }

  /** The record after `consumed` characters of msg, when a record printed without "\n" has one glued to it. */
  restOfLine(msg: string, consumed: number, rec: Rec): Outcome {
    const rest = msg.slice(consumed);
    if (rest.trim() === '') return 'parsed';
    if ((rec.depth ?? 0) >= MAX_GLUED) {
      this.sink.info(
        'DMESG_UNKNOWN_LINE',
        `more than ${MAX_GLUED} glued records: ${clip(rest)}`,
        this.loc(rec),
      );
      return 'unknown';
    }
    const p = splitPrefix(rest);
    const sub: Rec = {
      lineNo: rec.lineNo,
      column: rec.column + consumed + p.msgStart,
      depth: (rec.depth ?? 0) + 1,
      ...(p.time !== undefined && { time: p.time }),
    };
    return worst('parsed', this.handle(rest.slice(p.msgStart), sub));
  }

  reserve(
    kind: ReservedMemLine['kind'],
    r: { start: number; end: number },
    name: string,
    nomap: boolean,
    rec: Rec,
  ): void {
    if (!Number.isSafeInteger(r.end)) throw new BadValue(String(r.end), 'an address below 2^53');
    this.reservedMem.push({ kind, start: r.start, end: r.end, name, nomap, line: rec.lineNo });
  }

  open(b: Block): Outcome {
    this.block = b;
    return 'parsed';
  }

  result(totalLines: number): DmesgLog {
    if (this.pending !== null) this.continuation('');
    this.closeBlock();
    return {
      totalLines,
      parsedLines: this.parsedLines,
      unknownLines: this.unknownLines,
      kernelRelease: this.kernelRelease,
      commandLine: this.cmdlineKernel ?? this.cmdlineArch,
      e820: this.e820,
      userE820: this.userE820,
      efi: this.efi,
      srat: this.srat,
      zoneRanges: this.zoneRanges,
      movableZoneStart: this.movableZoneStart,
      earlyNodeRanges: this.earlyNodeRanges,
      initmemSetup: this.initmemSetup,
      unavailable: this.unavailable,
      deferredInit: this.deferredInit,
      memblockCalls: this.memblockCalls,
      memblockDumps: this.memblockDumps,
      khoLines: this.kho.map((k) => k.text),
      ignoredLines: this.ignoredLines,
      malformedLines: this.malformedLines,
      otherBootLines: this.otherBootLines,
      ignoredReasons: this.ignoredReasons,
      diagnostics: this.sink.items,
      timestampKinds: this.timestampKinds,
      headTruncated: this.headTruncated,
      setupDataE820: this.setupDataE820,
      modifiedE820: this.modifiedE820,
      e820Edits: this.e820Edits,
      numaMerges: this.numaMerges,
      nodeData: this.nodeData,
      fakeNode: this.fakeNode,
      memorylessNodes: this.memorylessNodes,
      memoryAvailable: this.memoryAvailable,
      memmapInit: this.memmapInit,
      mminit: this.mminit,
      zoneRangesPfn: this.zoneRangesPfn,
      earlyNodeMapPfn: this.earlyNodeMapPfn,
      movableZoneStartPfn: this.movableZoneStartPfn,
      nodeTotalPages: this.nodeTotalPages,
      reservedMem: this.reservedMem,
      zeroedUnavailablePages: this.zeroedUnavailablePages,
      reservedUnavailablePages: this.reservedUnavailablePages,
      kexecMarkers: this.kexecMarkers,
      khoSummary: this.khoSummary,
      bootLines: this.bootLines,
      kho: this.kho,
    };
  }
}

const RANK: Record<Outcome, number> = { parsed: 0, ignored: 1, malformed: 2, unknown: 3 };
function worst(a: Outcome, b: Outcome): Outcome {
  return RANK[a] >= RANK[b] ? a : b;
}

function clip(s: string): string {
  const t = s.trim();
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
}

export interface ParseDmesgOptions {
  /**
   * A capture across kexec (a serial console) holds several boots, each starting at a `Linux version` banner.
   * Read only this one: 0 is the first, 'last' the last. Lines of the other boots count as ignored
   * (otherBootLines). Default: the whole log, every record in log order (see bootLines).
   */
  readonly boot?: number | 'last';
}

/**
 * Refuse a log of more than LIMITS.TEXT_MAX_LINES lines before reading any (issue 13): only a text longer than the
 * limit can have more lines, and counting newlines is cheaper than parsing them (a file of 50M empty lines took 6 s
 * to reach the check in the loop below). The loop keeps its own check for the line number it reports.
 */
function checkLineCount(text: string, file: string): void {
  if (text.length < LIMITS.TEXT_MAX_LINES) return;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) {
    if (++lines > LIMITS.TEXT_MAX_LINES) {
      throw new TraceError({
        code: 'DMESG_ERR_TOO_LONG',
        location: { file, line: lines },
        expected: `at most ${LIMITS.TEXT_MAX_LINES} lines`,
        found: 'more',
      });
    }
  }
}

const BANNER_HINT = /Linux version \S/;

/** Lines [first, last] (1-based) of one boot: from its banner to the line before the next banner. */
function bootRange(text: string, file: string, boot: number | 'last'): { first: number; last: number } {
  const banners: number[] = [];
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    lineNo++;
    const line = text.slice(start, nl);
    if (BANNER_HINT.test(line) && P.LINUX_VERSION.test(line.slice(splitPrefix(line).msgStart)))
      banners.push(lineNo);
    start = nl + 1;
  }
  // Boot i starts at banner i, except that lines before the first banner (firmware, boot loader) belong to boot 0.
  const starts = [1, ...banners.slice(1)];
  const index = boot === 'last' ? starts.length - 1 : boot;
  if (!Number.isInteger(index) || index < 0 || index >= starts.length) {
    throw new TraceError({
      code: 'DMESG_ERR_NO_SUCH_BOOT',
      location: { file },
      expected: `a boot index below ${starts.length} (the log has ${banners.length} Linux version banners)`,
      found: String(boot),
    });
  }
  const next = starts[index + 1];
  return { first: starts[index] as number, last: next === undefined ? Number.MAX_SAFE_INTEGER : next - 1 };
}

/**
 * Parse a kernel log. Every line is counted: parsedLines (extracted or on the ignore list, see ignoredLines)
 * plus unknownLines (DMESG_UNKNOWN_LINE, or DMESG_BAD_VALUE for a known shape with a bad value, see
 * malformedLines) equals totalLines. Throws TraceError only for input that is not a text log at all.
 */
export function parseDmesg(text: string, file: string, options: ParseDmesgOptions = {}): DmesgLog {
  checkText(text, file);
  checkLineCount(text, file);
  const b = new DmesgBuilder(file);
  const range = options.boot === undefined ? null : bootRange(text, file, options.boot);
  let start = 0;
  let lineNo = 0;
  let prevKmsg = false;
  // journalctl -o verbose: the fields of the record being read (SYSLOG_IDENTIFIER, _SOURCE_MONOTONIC_TIMESTAMP)
  let verbose: { ident: string | null; usec: number | null } | null = null;
  const n = text.length;
  while (start < n) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = n;
    let line = text.slice(start, nl);
    start = nl + 1;
    lineNo++;
    if (lineNo > LIMITS.TEXT_MAX_LINES) {
      throw new TraceError({
        code: 'DMESG_ERR_TOO_LONG',
        location: { file, line: lineNo },
        expected: `at most ${LIMITS.TEXT_MAX_LINES} lines`,
        found: 'more',
      });
    }
    if (line.endsWith('\r')) line = line.slice(0, -1);
    // Serial consoles carry firmware screen control (ANSI CSI sequences) before or inside records.
    if (line.includes('\x1b')) line = line.replace(ANSI, '');
    let outcome: Outcome;
    b.ignoreReason = '';
    if (range !== null && (lineNo < range.first || lineNo > range.last)) {
      outcome = 'ignored';
      b.ignoreReason = 'another boot of the same capture (boot option)';
      b.otherBootLines++;
    } else if (line.length > MAX_LINE_CHARS) {
      // No kernel record is this long (printk caps a record's text at 1024 bytes); reading it would only cost
      // time (some shapes are quadratic in the worst case), so it is reported and left.
      b.sink.warn(
        'DMESG_LONG_LINE',
        `line of ${line.length} characters (a kernel record has at most 1024): ${clip(line.slice(0, 200))}`,
        { file, line: lineNo, column: 1 },
      );
      outcome = 'malformed';
    } else if (!NON_BLANK.test(line)) {
      outcome = 'ignored';
      b.ignoreReason = 'blank line';
    } else {
      const p = splitPrefix(line);
      const field = p.journalField;
      if (field === 'head') verbose = { ident: null, usec: null };
      else if (field === 'SYSLOG_IDENTIFIER' && verbose) verbose.ident = p.fieldValue ?? null;
      else if (field === '_SOURCE_MONOTONIC_TIMESTAMP' && verbose)
        verbose.usec = /^\d{1,15}$/.test(p.fieldValue ?? '') ? Number(p.fieldValue) : null;
      if (field !== undefined && (field !== 'MESSAGE' || verbose === null)) {
        outcome = 'ignored';
        b.ignoreReason =
          field === 'head'
            ? 'journalctl -o verbose record header'
            : 'journalctl -o verbose field other than MESSAGE: record metadata';
      } else if (
        field === 'MESSAGE' &&
        verbose !== null &&
        verbose.ident !== null &&
        verbose.ident !== 'kernel'
      ) {
        outcome = 'ignored';
        b.ignoreReason = 'userspace record of a journal (`host systemd[1]: ...`): not a kernel message';
      } else if (field === 'MESSAGE' && verbose !== null) {
        b.timestampKinds[p.kind] = (b.timestampKinds[p.kind] ?? 0) + 1;
        const usec = verbose.usec;
        const rec: Rec = { lineNo, column: p.msgStart + 1, ...(usec !== null && { time: usec / 1e6 }) };
        outcome = b.handle(line.slice(p.msgStart), rec);
      } else if (p.kmsgDict && prevKmsg) {
        outcome = 'ignored';
        b.ignoreReason = '/dev/kmsg dictionary line (` SUBSYSTEM=...`): metadata of the previous record';
      } else {
        prevKmsg = p.kind === 'kmsg';
        b.timestampKinds[p.kind] = (b.timestampKinds[p.kind] ?? 0) + 1;
        const rec: Rec = { lineNo, column: p.msgStart + 1, ...(p.time !== undefined && { time: p.time }) };
        // journalctl -b interleaves userspace records (`host systemd[1]: ...`): not kernel messages.
        if (p.userspace) {
          outcome = 'ignored';
          b.ignoreReason = 'userspace record of a journal (`host systemd[1]: ...`): not a kernel message';
        } else {
          outcome = b.handle(line.slice(p.msgStart), rec);
        }
      }
    }
    if (outcome === 'parsed') b.parsedLines++;
    else if (outcome === 'ignored') {
      b.parsedLines++;
      b.ignoredLines++;
      const why = b.ignoreReason || 'ignored';
      b.ignoredReasons[why] = (b.ignoredReasons[why] ?? 0) + 1;
    } else {
      b.unknownLines++;
      if (outcome === 'malformed') b.malformedLines++;
    }
  }
  return b.result(lineNo);
}
