// /sys/kernel/debug/memblock/reserve_mem_param (linux v7.3-rc7 mm/memblock.c memblock_reserve_mem_show): one line per
// reserve_mem= region, `name\t\t(size)`, the size from string_get_size(size, 1, STRING_UNITS_2): three significant
// digits and a binary unit ("4.00 MiB", "256 MiB", "512 B"), so sizes are approximate (within 0.5%).
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink } from '../../src/core/index.js';
import { RESERVE_MEM_PARAM_LINE } from './patterns.js';

export interface ReserveMemParam {
  readonly name: string;
  /** As printed: `4.00 MiB`. */
  readonly sizeText: string;
  /** The printed size in bytes (rounded as printed). */
  readonly sizeBytes: number;
  readonly line: number;
}

const UNIT: Record<string, number> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
  EiB: 2 ** 60,
};

export function parseReserveMemParam(
  text: string,
  file: string,
): { regions: ReserveMemParam[]; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink();
  const regions: ReserveMemParam[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw === '' && i === lines.length - 1) return;
    const m = RESERVE_MEM_PARAM_LINE.exec(raw);
    if (!m) {
      sink.warn(
        'MEMBLOCK_UNKNOWN_LINE',
        `not a reserve_mem_param line: ${JSON.stringify(raw.slice(0, 80))}`,
        {
          file,
          line: i + 1,
          column: 1,
        },
      );
      return;
    }
    regions.push({
      name: m[1]!,
      sizeText: `${m[2]!} ${m[3]!}`,
      sizeBytes: Math.round(Number(m[2]!) * UNIT[m[3]!]!),
      line: i + 1,
    });
  });
  return { regions, diagnostics: sink.items };
}
