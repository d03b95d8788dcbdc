// /sys/firmware/memmap/N/{start,end,type} as the capture script lists them: `N 0xSTART 0xEND TYPE`, inclusive
// end (drivers/firmware/memmap.c: the raw firmware map, e820 on x86 before the kernel edits it).
import type { Diagnostic } from '../core/index.js';
import { DiagnosticSink, TraceError } from '../core/index.js';
import type { E820Entry } from './host-trace.js';

export interface FirmwareMemmap {
  readonly entries: readonly E820Entry[];
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  readonly diagnostics: readonly Diagnostic[];
}

const LINE = /^(\d+) +0x([0-9a-f]+) +0x([0-9a-f]+) +(\S(?:.*\S)?) *$/i;

/** firmware memmap type names (drivers/firmware/memmap.c, e820 names) to the words BIOS-e820 lines print. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  'System RAM': 'usable',
  Reserved: 'reserved',
  'ACPI Tables': 'ACPI data',
  'ACPI Non-volatile Storage': 'ACPI NVS',
  'Unusable memory': 'unusable',
  'Soft Reserved': 'soft reserved',
};

export function parseFirmwareMemmap(text: string, file: string): FirmwareMemmap {
  const sink = new DiagnosticSink();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const entries: E820Entry[] = [];
  let parsed = 0;
  let unknown = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return void parsed++;
    const m = LINE.exec(raw);
    if (!m) {
      unknown++;
      sink.warn('FWMEMMAP_UNKNOWN_LINE', `not a firmware memmap line: ${JSON.stringify(raw.slice(0, 80))}`, {
        file,
        line,
        column: 1,
      });
      return;
    }
    const start = parseInt(m[2]!, 16);
    const last = parseInt(m[3]!, 16);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(last + 1)) {
      throw new TraceError({
        code: 'FWMEMMAP_ERR_ADDRESS',
        location: { file, line, column: raw.indexOf('0x') + 1 },
        expected: 'addresses below 2^53',
        found: `0x${m[2]}-0x${m[3]}`,
      });
    }
    if (last < start) {
      throw new TraceError({
        code: 'FWMEMMAP_ERR_RANGE',
        location: { file, line, column: raw.indexOf('0x') + 1 },
        expected: 'start <= end',
        found: `0x${m[2]}-0x${m[3]}`,
      });
    }
    entries.push({ start, end: last + 1, type: TYPE_WORDS[m[4]!] ?? m[4]! });
    parsed++;
  });
  return {
    entries,
    totalLines: lines.length,
    parsedLines: parsed,
    unknownLines: unknown,
    diagnostics: sink.items,
  };
}
