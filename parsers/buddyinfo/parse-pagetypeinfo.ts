// /proc/pagetypeinfo (mm/vmstat.c pagetypeinfo_show(), 6.1; root only): per node with memory, the pageblock
// order, free blocks per migrate type and order (pagetypeinfo_showfree_print(): counts capped at 100000 and
// printed with a `>`), and pageblocks per migrate type (pagetypeinfo_showblockcount_print()).
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink, TraceError } from '../../src/core/index.js';

export interface PagetypeFreeRow {
  readonly nid: number;
  readonly zone: string;
  /** Migrate type as printed: Unmovable, Movable, Reclaimable, HighAtomic, CMA, Isolate (Reserve before 4.4). */
  readonly type: string;
  /** Free blocks per order; a capped count (`>100000`) is the printed number with `capped[order]` set. */
  readonly freeBlocks: readonly number[];
  readonly capped: readonly boolean[];
  readonly line: number;
}

export interface PagetypeBlockRow {
  readonly nid: number;
  readonly zone: string;
  /** Pageblocks per migrate type, in the header's order. */
  readonly blocks: Readonly<Record<string, number>>;
  /** 'blocks' (`Number of blocks type`) or 'mixed' (`Number of mixed blocks`, with page_owner). */
  readonly table: 'blocks' | 'mixed';
  readonly line: number;
}

export interface Pagetypeinfo {
  /** `Page block order:` (pageblock_order); null when the file has none. Every node prints the same. */
  readonly pageblockOrder: number | null;
  readonly pagesPerBlock: number | null;
  readonly free: readonly PagetypeFreeRow[];
  readonly blocks: readonly PagetypeBlockRow[];
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  readonly diagnostics: readonly Diagnostic[];
}

const ORDER = /^Page block order: (\d+) *$/;
const PER_BLOCK = /^Pages per block: +(\d+) *$/;
const FREE_HEADER = /^Free pages count per migrate type at order((?: +\d+)+) *$/;
const FREE_ROW = /^Node +(\d+), zone +(\S+), type +(\S+)((?: +>?\d+)+) *$/;
const BLOCKS_HEADER = /^Number of (blocks|mixed blocks) type +(\S(?:.*\S)?) *$/;
const BLOCKS_ROW = /^Node (\d+), zone +(\S+)((?: +\d+)+) *$/;

export function parsePagetypeinfo(text: string, file: string): Pagetypeinfo {
  const sink = new DiagnosticSink();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const free: PagetypeFreeRow[] = [];
  const blocks: PagetypeBlockRow[] = [];
  let pageblockOrder: number | null = null;
  let pagesPerBlock: number | null = null;
  let orders: number | null = null;
  let blockTypes: string[] | null = null;
  let table: 'blocks' | 'mixed' = 'blocks';
  let parsed = 0;
  let unknown = 0;
  const num = (t: string, line: number, column: number): number => {
    const v = Number(t);
    if (!Number.isSafeInteger(v)) {
      throw new TraceError({
        code: 'PAGETYPEINFO_ERR_NUMBER',
        location: { file, line, column },
        expected: 'a count below 2^53',
        found: t,
      });
    }
    return v;
  };
  lines.forEach((raw, i) => {
    const line = i + 1;
    let m: RegExpExecArray | null;
    if (raw.trim() === '') {
      parsed++;
    } else if ((m = ORDER.exec(raw))) {
      const o = num(m[1]!, line, 19);
      if (pageblockOrder !== null && pageblockOrder !== o) {
        sink.warn(
          'PAGETYPEINFO_ORDER_CHANGED',
          `page block order ${o} where an earlier node said ${pageblockOrder}`,
          {
            file,
            line,
            column: 19,
          },
        );
      }
      pageblockOrder = o;
      parsed++;
    } else if ((m = PER_BLOCK.exec(raw))) {
      pagesPerBlock = num(m[1]!, line, raw.indexOf(m[1]!) + 1);
      parsed++;
    } else if ((m = FREE_HEADER.exec(raw))) {
      orders = m[1]!.trim().split(/ +/).length;
      blockTypes = null;
      parsed++;
    } else if ((m = BLOCKS_HEADER.exec(raw))) {
      table = m[1] === 'blocks' ? 'blocks' : 'mixed';
      blockTypes = m[2]!.split(/ +/);
      parsed++;
    } else if (blockTypes === null && (m = FREE_ROW.exec(raw))) {
      const cells = m[4]!.trim().split(/ +/);
      if (orders !== null && cells.length !== orders) {
        unknown++;
        sink.warn(
          'PAGETYPEINFO_UNKNOWN_LINE',
          `${cells.length} order columns where the header has ${orders}`,
          {
            file,
            line,
            column: 1,
          },
        );
        return;
      }
      free.push({
        nid: Number(m[1]),
        zone: m[2]!,
        type: m[3]!,
        freeBlocks: cells.map((c) => num(c.replace('>', ''), line, raw.indexOf(c) + 1)),
        capped: cells.map((c) => c.startsWith('>')),
        line,
      });
      parsed++;
    } else if (blockTypes !== null && (m = BLOCKS_ROW.exec(raw))) {
      const cells = m[3]!.trim().split(/ +/);
      if (cells.length !== blockTypes.length) {
        unknown++;
        sink.warn(
          'PAGETYPEINFO_UNKNOWN_LINE',
          `${cells.length} columns where the header names ${blockTypes.length} types`,
          {
            file,
            line,
            column: 1,
          },
        );
        return;
      }
      const counts: Record<string, number> = {};
      blockTypes.forEach((t, k) => (counts[t] = num(cells[k]!, line, 1)));
      blocks.push({ nid: Number(m[1]), zone: m[2]!, blocks: counts, table, line });
      parsed++;
    } else {
      unknown++;
      sink.warn('PAGETYPEINFO_UNKNOWN_LINE', `not a pagetypeinfo line: ${JSON.stringify(raw.slice(0, 80))}`, {
        file,
        line,
        column: 1,
      });
    }
  });
  if (pageblockOrder !== null && pagesPerBlock !== null && 2 ** pageblockOrder !== pagesPerBlock) {
    sink.warn('PAGETYPEINFO_BLOCK_SIZE', `pages per block ${pagesPerBlock} is not 2^${pageblockOrder}`, {
      file,
    });
  }
  return {
    pageblockOrder,
    pagesPerBlock,
    free,
    blocks,
    totalLines: lines.length,
    parsedLines: parsed,
    unknownLines: unknown,
    diagnostics: sink.items,
  };
}
