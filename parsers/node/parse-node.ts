// /sys/devices/system/node: nodeN/meminfo, cpulist, distance, the memoryM links, the node state lists, and the
// memory block table (block size, phys_index -> node) that places RAM on nodes when there is no boot log.
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink, TraceError } from '../../src/core/index.js';
import * as P from './patterns.js';

/** Lines accounted for, and what was not understood. Every parser here returns these. */
export interface LineCounts {
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** Inclusive [first, last] runs of a cpulist or nodelist. */
export interface IdRun {
  readonly first: number;
  readonly last: number;
}

/** Ids listed (nodes, cpus) are bounded: a list naming more is not a sysfs list. */
const MAX_LIST_ID = 1 << 22;

class LineWalk {
  readonly sink = new DiagnosticSink();
  readonly lines: string[];
  parsed = 0;
  unknown = 0;
  constructor(
    text: string,
    readonly file: string,
    readonly code: string,
  ) {
    this.lines = text.split(/\r?\n/);
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
  }
  unknownLine(lineNo: number, raw: string, what: string): void {
    this.unknown++;
    this.sink.warn(this.code, `not ${what}: ${JSON.stringify(raw.slice(0, 80))}`, {
      file: this.file,
      line: lineNo,
      column: 1,
    });
  }
  counts(): LineCounts {
    return {
      totalLines: this.lines.length,
      parsedLines: this.parsed,
      unknownLines: this.unknown,
      diagnostics: this.sink.items,
    };
  }
}

function safeInt(
  text: string,
  radix: 10 | 16,
  file: string,
  line: number,
  column: number,
  code: string,
): number {
  const v = radix === 16 ? parseInt(text, 16) : Number(text);
  if (!Number.isSafeInteger(v)) {
    throw new TraceError({
      code,
      location: { file, line, column },
      expected: 'a number below 2^53',
      found: text,
    });
  }
  return v;
}

/** Parse `0-3,8,10-11` into runs; null when the text is not a list. Throws on a run that goes backwards. */
export function parseIdList(text: string, file: string, line = 1, column = 1): IdRun[] | null {
  const t = text.trim();
  if (!P.LIST_TEXT.test(t)) return null;
  if (t === '') return [];
  const runs: IdRun[] = [];
  let offset = text.indexOf(t);
  for (const part of t.split(',')) {
    const [a, b] = part.split('-');
    const first = Number(a);
    const last = b === undefined ? first : Number(b);
    if (last < first || last > MAX_LIST_ID) {
      throw new TraceError({
        code: 'NODE_ERR_LIST',
        location: { file, line, column: column + offset },
        expected: `a run first-last with first <= last <= ${MAX_LIST_ID}`,
        found: part,
      });
    }
    runs.push({ first, last });
    offset += part.length + 1;
  }
  return runs;
}

export function countIds(runs: readonly IdRun[]): number {
  return runs.reduce((n, r) => n + r.last - r.first + 1, 0);
}

export interface NodeMeminfo extends LineCounts {
  readonly nid: number | null;
  /** Field -> value: kB for `... kB` lines, plain counts for HugePages_*. */
  readonly fields: Readonly<Record<string, number>>;
  /** MemTotal in bytes (the node's managed pages, si_meminfo_node()), null when absent. */
  readonly memTotalBytes: number | null;
}

export function parseNodeMeminfo(text: string, file: string): NodeMeminfo {
  const w = new LineWalk(text, file, 'NODE_UNKNOWN_LINE');
  const fields: Record<string, number> = {};
  let nid: number | null = null;
  w.lines.forEach((raw, i) => {
    if (raw.trim() === '') return void w.parsed++;
    const m = P.NODE_MEMINFO_LINE.exec(raw);
    if (!m) return w.unknownLine(i + 1, raw, 'a node meminfo line');
    const n = Number(m[1]);
    if (nid === null) nid = n;
    else if (n !== nid) {
      w.sink.warn('NODE_MIXED_NIDS', `line names node ${n}, earlier lines node ${nid}`, {
        file,
        line: i + 1,
        column: 1,
      });
    }
    fields[m[2]!] = safeInt(m[3]!, 10, file, i + 1, raw.indexOf(m[3]!, 6) + 1, 'NODE_ERR_NUMBER');
    w.parsed++;
  });
  const kb = fields['MemTotal'];
  if (kb !== undefined && !Number.isSafeInteger(kb * 1024)) {
    throw new TraceError({
      code: 'NODE_ERR_NUMBER',
      location: {
        file,
        line: w.lines.findIndex((l) => l.includes('MemTotal:')) + 1,
        column: 1,
        field: 'MemTotal',
      },
      expected: 'a MemTotal below 2^53 bytes',
      found: `${kb} kB`,
    });
  }
  return { ...w.counts(), nid, fields, memTotalBytes: kb === undefined ? null : kb * 1024 };
}

export interface NodeList extends LineCounts {
  /** Runs of the first list line (cpulist: cpus of the node). */
  readonly runs: readonly IdRun[];
}

/** nodeN/cpulist (or any single sysfs id list). */
export function parseCpulist(text: string, file: string): NodeList {
  const w = new LineWalk(text, file, 'NODE_UNKNOWN_LINE');
  let runs: IdRun[] | null = null;
  w.lines.forEach((raw, i) => {
    if (raw.trim() === '') return void w.parsed++;
    const r = runs === null ? parseIdList(raw, file, i + 1) : null;
    if (r === null) return w.unknownLine(i + 1, raw, 'a cpu list');
    runs = r;
    w.parsed++;
  });
  return { ...w.counts(), runs: runs ?? [] };
}

export interface NodeDistance extends LineCounts {
  /** Distances from this node to node 0, 1, ... (drivers/base/node.c node_read_distance()). */
  readonly distances: readonly number[];
}

export function parseNodeDistance(text: string, file: string): NodeDistance {
  const w = new LineWalk(text, file, 'NODE_UNKNOWN_LINE');
  let distances: number[] = [];
  w.lines.forEach((raw, i) => {
    if (raw.trim() === '') return void w.parsed++;
    if (distances.length === 0 && /^\d+( \d+)* *$/.test(raw)) {
      distances = raw
        .trim()
        .split(/ +/)
        .map((d) => safeInt(d, 10, file, i + 1, 1, 'NODE_ERR_NUMBER'));
      return void w.parsed++;
    }
    w.unknownLine(i + 1, raw, 'a distance line');
  });
  return { ...w.counts(), distances };
}

export interface NodeMemoryBlocks extends LineCounts {
  /** Block ids linked under the node (`memoryM` -> M). */
  readonly blocks: readonly number[];
}

/** `ls /sys/devices/system/node/nodeN | grep memory`: one `memoryM` per line. */
export function parseNodeMemoryBlocks(text: string, file: string): NodeMemoryBlocks {
  const w = new LineWalk(text, file, 'NODE_UNKNOWN_LINE');
  const blocks: number[] = [];
  w.lines.forEach((raw, i) => {
    if (raw.trim() === '') return void w.parsed++;
    const m = P.MEMORY_BLOCK_NAME.exec(raw);
    if (!m) return w.unknownLine(i + 1, raw, 'a memory block name');
    blocks.push(safeInt(m[1]!, 10, file, i + 1, 7, 'NODE_ERR_NUMBER'));
    w.parsed++;
  });
  return { ...w.counts(), blocks: blocks.sort((a, b) => a - b) };
}

export interface MemoryBlock {
  readonly id: number;
  /** phys_index: the block's first section number (block start = physIndex * section size). */
  readonly physIndex: number;
  readonly nid: number | null;
  readonly state: string;
  readonly online: number;
  /** valid_zones as printed, e.g. ['DMA32'], ['Normal', 'Movable'], ['none']. */
  readonly validZones: readonly string[];
  readonly line: number;
}

export interface MemoryBlockTable extends LineCounts {
  /** /sys/devices/system/memory/block_size_bytes (hex), null when absent. */
  readonly blockSizeBytes: number | null;
  readonly autoOnline: string | null;
  /** Sorted by physIndex. */
  readonly blocks: readonly MemoryBlock[];
}

/** The memory block table of a bundle (`memory-blocks.txt`): block size, then one row per memoryM. */
export function parseMemoryBlockTable(text: string, file: string): MemoryBlockTable {
  const w = new LineWalk(text, file, 'NODE_UNKNOWN_LINE');
  const blocks: MemoryBlock[] = [];
  let blockSizeBytes: number | null = null;
  let autoOnline: string | null = null;
  w.lines.forEach((raw, i) => {
    const lineNo = i + 1;
    let m: RegExpExecArray | null;
    if (raw.trim() === '' || raw.startsWith('#')) return void w.parsed++;
    if ((m = P.BLOCK_SIZE_BYTES.exec(raw))) {
      blockSizeBytes = safeInt(m[1]!, 16, file, lineNo, 18, 'NODE_ERR_NUMBER');
      if (blockSizeBytes === 0) {
        throw new TraceError({
          code: 'NODE_ERR_BLOCK_SIZE',
          location: { file, line: lineNo, column: 18 },
          expected: 'a non-zero block size',
          found: m[1]!,
        });
      }
      return void w.parsed++;
    }
    if ((m = P.AUTO_ONLINE.exec(raw))) {
      autoOnline = m[1]!;
      return void w.parsed++;
    }
    if ((m = P.MEMORY_BLOCK_ROW.exec(raw))) {
      blocks.push({
        id: safeInt(m[1]!, 10, file, lineNo, 7, 'NODE_ERR_NUMBER'),
        physIndex: safeInt(m[2]!, 16, file, lineNo, raw.indexOf(m[2]!, 7) + 1, 'NODE_ERR_NUMBER'),
        nid: m[3] === undefined ? null : Number(m[3]),
        state: m[4]!,
        online: Number(m[5]),
        validZones: m[6]!.trim() === '' ? [] : m[6]!.trim().split(/ +/),
        line: lineNo,
      });
      return void w.parsed++;
    }
    w.unknownLine(lineNo, raw, 'a memory block row');
  });
  return {
    ...w.counts(),
    blockSizeBytes,
    autoOnline,
    blocks: blocks.sort((a, b) => a.physIndex - b.physIndex),
  };
}

export interface NodeStates extends LineCounts {
  /** `possible`, `online`, `has_cpu`, `has_memory`, `has_normal_memory`, `cpu online`, ... -> runs. */
  readonly states: Readonly<Record<string, readonly IdRun[]>>;
}

/** The node state lists of /sys/devices/system/node (and `cpu online`), collected as `<name>: <list>`. */
export function parseNodeStates(text: string, file: string): NodeStates {
  const w = new LineWalk(text, file, 'NODE_UNKNOWN_LINE');
  const states: Record<string, IdRun[]> = {};
  w.lines.forEach((raw, i) => {
    if (raw.trim() === '') return void w.parsed++;
    const m = P.NODE_STATE_LINE.exec(raw);
    const runs = m ? parseIdList(m[2] ?? '', file, i + 1, raw.indexOf(':') + 2) : null;
    if (!m || runs === null) return w.unknownLine(i + 1, raw, 'a node state line');
    states[m[1]!.trim()] = runs;
    w.parsed++;
  });
  return { ...w.counts(), states };
}

export interface NodeNumastat extends LineCounts {
  readonly counters: Readonly<Record<string, number>>;
}

export function parseNodeNumastat(text: string, file: string): NodeNumastat {
  const w = new LineWalk(text, file, 'NODE_UNKNOWN_LINE');
  const counters: Record<string, number> = {};
  w.lines.forEach((raw, i) => {
    if (raw.trim() === '') return void w.parsed++;
    const m = P.NUMASTAT_LINE.exec(raw);
    if (!m) return w.unknownLine(i + 1, raw, 'a numastat line');
    counters[m[1]!] = safeInt(m[2]!, 10, file, i + 1, m[1]!.length + 2, 'NODE_ERR_NUMBER');
    w.parsed++;
  });
  return { ...w.counts(), counters };
}
