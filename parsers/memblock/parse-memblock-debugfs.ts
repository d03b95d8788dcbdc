// /sys/kernel/debug/memblock/{memory,reserved} (mm/memblock.c memblock_debug_show(), 6.1 and 6.5+): one line
// per region, `base..end` with an inclusive end; 6.5+ adds the nid (`x` when invalid) and one flag word.
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink, TraceError } from '../../src/core/index.js';
import type { MemblockDumpRegion } from '../dmesg/types.js';
import { DEBUGFS_LINE, MEMBLOCK_FLAG_WORDS } from './patterns.js';

export interface MemblockDebugfsRegion extends MemblockDumpRegion {
  /** The printed region index. */
  readonly index: number;
  readonly line: number;
  /**
   * The printed flag word (6.5+), null before 6.5. Only the lowest set bit is printed, so `flags` is that bit:
   * a reserved region with RSRV_KERN|RSRV_NOINIT prints RSV_NIT and the KERN bit is not recoverable.
   */
  readonly flagWord: string | null;
}

export interface MemblockDebugfs {
  readonly regions: readonly MemblockDebugfsRegion[];
  /** 'pre-6.5': no nid or flag column; '6.5+': nid and flag word; null when the file has no region line. */
  readonly format: 'pre-6.5' | '6.5+' | null;
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  readonly diagnostics: readonly Diagnostic[];
}

function hexAt(text: string, file: string, line: number, column: number, field: string): number {
  const v = parseInt(text, 16);
  if (text.length > 16 || !Number.isSafeInteger(v) || v + 1 > Number.MAX_SAFE_INTEGER) {
    throw new TraceError({
      code: 'MEMBLOCK_ERR_ADDRESS',
      location: { file, line, column, field },
      expected: 'an address below 2^53',
      found: `0x${text}`,
    });
  }
  return v;
}

export function parseMemblockDebugfs(text: string, file: string): MemblockDebugfs {
  const sink = new DiagnosticSink();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const regions: MemblockDebugfsRegion[] = [];
  let parsed = 0;
  let unknown = 0;
  let withCols = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.trim() === '') {
      parsed++;
      continue;
    }
    const m = DEBUGFS_LINE.exec(raw);
    if (!m) {
      unknown++;
      sink.warn('MEMBLOCK_UNKNOWN_LINE', `not a memblock debugfs line: ${JSON.stringify(raw.slice(0, 80))}`, {
        file,
        line: lineNo,
        column: 1,
      });
      continue;
    }
    const baseCol = raw.indexOf('0x') + 3;
    const base = hexAt(m[2]!, file, lineNo, baseCol, 'base');
    const last = hexAt(m[3]!, file, lineNo, raw.indexOf('..') + 5, 'end');
    if (last < base) {
      throw new TraceError({
        code: 'MEMBLOCK_ERR_RANGE',
        location: { file, line: lineNo, column: baseCol - 2 },
        expected: 'base <= end',
        found: `0x${m[2]}..0x${m[3]}`,
      });
    }
    let nid: number | null = null;
    let flags = 0;
    let flagWord: string | null = null;
    if (m[4] !== undefined) {
      withCols++;
      nid = m[4] === 'x' ? null : Number(m[4]);
      flagWord = m[5]!;
      const f = (MEMBLOCK_FLAG_WORDS as Record<string, number>)[flagWord];
      if (f === undefined) {
        // `UNKNOWN` (a bit beyond the kernel's table) or a word from a newer kernel: keep the word, flags 0.
        sink.warn('MEMBLOCK_UNKNOWN_FLAG', `flag word ${flagWord} is not one this tool knows`, {
          file,
          line: lineNo,
          column: raw.lastIndexOf(flagWord) + 1,
        });
      } else flags = f;
    }
    const index = Number(m[1]);
    if (index !== regions.length) {
      sink.warn('MEMBLOCK_INDEX_GAP', `region index ${index} where ${regions.length} was expected`, {
        file,
        line: lineNo,
        column: 1,
      });
    }
    const prev = regions[regions.length - 1];
    if (prev && base < prev.base + prev.size) {
      // memblock keeps regions sorted and disjoint (memblock_add_range() merges and inserts in order).
      sink.warn('MEMBLOCK_UNSORTED', `region ${index} starts before the end of region ${prev.index}`, {
        file,
        line: lineNo,
        column: baseCol - 2,
      });
    }
    regions.push({ index, base, size: last + 1 - base, nid, flags, flagWord, line: lineNo });
    parsed++;
  }
  if (withCols > 0 && withCols !== regions.length) {
    sink.warn(
      'MEMBLOCK_MIXED_FORMAT',
      `${withCols} of ${regions.length} lines have the v6.5 nid and flag columns`,
      {
        file,
      },
    );
  }
  return {
    regions,
    format: regions.length === 0 ? null : withCols > 0 ? '6.5+' : 'pre-6.5',
    totalLines: lines.length,
    parsedLines: parsed,
    unknownLines: unknown,
    diagnostics: sink.items,
  };
}
