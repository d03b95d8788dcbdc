// /proc/buddyinfo: `Node %d, zone %8s ` then `%6lu ` per order (mm/vmstat.c frag_show_print(), 6.1), one line
// per populated zone. Each count is free_area[order].nr_free: blocks of 2^order pages.
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink, TraceError } from '../../src/core/index.js';

export interface BuddyinfoZone {
  readonly nid: number;
  readonly zone: string;
  readonly line: number;
  /** Free blocks per order, index = order. */
  readonly freeBlocks: readonly number[];
  /** Free pages: sum of freeBlocks[order] << order. */
  readonly freePages: number;
}

export interface Buddyinfo {
  readonly zones: readonly BuddyinfoZone[];
  /** Number of order columns (MAX_ORDER of the kernel: 11 on x86_64 6.1). Null when there is no row. */
  readonly orders: number | null;
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  readonly diagnostics: readonly Diagnostic[];
}

const ROW = /^Node (\d+), zone +(\S+)((?: +\d+)+) *$/;
/** No kernel has more than 64 orders; a longer row is not buddyinfo. */
const MAX_ORDERS = 64;

export function parseBuddyinfo(text: string, file: string): Buddyinfo {
  const sink = new DiagnosticSink();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const zones: BuddyinfoZone[] = [];
  let parsed = 0;
  let unknown = 0;
  let orders: number | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.trim() === '') {
      parsed++;
      continue;
    }
    const m = ROW.exec(raw);
    const counts = m ? m[3]!.trim().split(/ +/) : [];
    if (!m || counts.length > MAX_ORDERS) {
      unknown++;
      sink.warn('BUDDYINFO_UNKNOWN_LINE', `not a buddyinfo row: ${JSON.stringify(raw.slice(0, 80))}`, {
        file,
        line: lineNo,
        column: 1,
      });
      continue;
    }
    const freeBlocks = counts.map((c) => {
      const v = Number(c);
      if (!Number.isSafeInteger(v)) {
        throw new TraceError({
          code: 'BUDDYINFO_ERR_NUMBER',
          location: { file, line: lineNo, column: raw.indexOf(c) + 1 },
          expected: 'a count below 2^53',
          found: c,
        });
      }
      return v;
    });
    let freePages = 0;
    freeBlocks.forEach((n, order) => (freePages += n * 2 ** order));
    if (!Number.isSafeInteger(freePages)) {
      throw new TraceError({
        code: 'BUDDYINFO_ERR_NUMBER',
        location: { file, line: lineNo, column: 1 },
        expected: 'free blocks adding up to fewer than 2^53 pages',
        found: raw.trim().slice(0, 80),
      });
    }
    if (orders === null) orders = freeBlocks.length;
    else if (orders !== freeBlocks.length) {
      sink.warn(
        'BUDDYINFO_ORDER_COUNT',
        `${freeBlocks.length} order columns where earlier rows have ${orders}`,
        {
          file,
          line: lineNo,
          column: 1,
        },
      );
    }
    zones.push({ nid: Number(m[1]), zone: m[2]!, line: lineNo, freeBlocks, freePages });
    parsed++;
  }
  return {
    zones,
    orders,
    totalLines: lines.length,
    parsedLines: parsed,
    unknownLines: unknown,
    diagnostics: sink.items,
  };
}
