// The VMCOREINFO note of a kdump vmcore, /proc/kcore (since it gained the note) or a qemu dump with the
// vmcoreinfo device: `KEY=VALUE\n` lines written by include/linux/crash_core.h VMCOREINFO_* macros (v6.x):
// OSRELEASE=%s, PAGESIZE=%ld, SYMBOL(name)=%lx, SIZE(name)=%lu, OFFSET(s.f)=%lu, LENGTH(name)=%lu,
// NUMBER(name)=%ld, CONFIG_X=y, KERNELOFFSET=%lx, BUILD-ID=%s.
// Values stay strings: symbols are kernel virtual addresses, above 2^53 on 64-bit.
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink } from '../../src/core/index.js';
import type { ElfCore, ElfNote } from './types.js';

export const VMCOREINFO_NOTE_NAME = 'VMCOREINFO';

export interface Vmcoreinfo {
  /** Every KEY=VALUE line, in order; a repeated key keeps its last value (and is a diagnostic). */
  readonly entries: ReadonlyMap<string, string>;
  /** OSRELEASE, the `uname -r` of the dumped kernel. */
  readonly osRelease?: string;
  /** PAGESIZE in bytes. */
  readonly pageSizeBytes?: number;
  readonly diagnostics: Diagnostic[];
}

export const VMCOREINFO_DIAG = {
  /** A line that is not KEY=VALUE (warning). */
  LINE: 'ELF_VMCOREINFO_LINE',
  /** A key given twice; the last value is kept (warning). */
  DUPLICATE: 'ELF_VMCOREINFO_DUPLICATE',
} as const;

/** Parse the desc of a VMCOREINFO note. `file` and `offset` (of the desc) locate diagnostics. */
export function parseVmcoreinfo(desc: Uint8Array, file: string, offset: number): Vmcoreinfo {
  const sink = new DiagnosticSink();
  const entries = new Map<string, string>();
  let lineStart = 0;
  let line = 0;
  // The desc is ASCII; a trailing NUL (some dumpers count it in n_descsz) ends the text.
  let end = desc.indexOf(0);
  if (end < 0) end = desc.length;
  while (lineStart < end) {
    let lineEnd = desc.indexOf(0x0a, lineStart);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    line++;
    let text = '';
    for (let i = lineStart; i < lineEnd; i++) text += String.fromCharCode(desc[i]!);
    const eq = text.indexOf('=');
    const at = { file, offset: offset + lineStart, field: `VMCOREINFO line ${line}` };
    if (text.length > 0) {
      if (eq <= 0) {
        sink.warn(VMCOREINFO_DIAG.LINE, `expected KEY=VALUE, found ${JSON.stringify(text.slice(0, 80))}`, at);
      } else {
        const key = text.slice(0, eq);
        if (entries.has(key))
          sink.warn(VMCOREINFO_DIAG.DUPLICATE, `${key} given again; the last value is kept`, at);
        entries.set(key, text.slice(eq + 1));
      }
    }
    lineStart = lineEnd + 1;
  }
  const pageSize = Number(entries.get('PAGESIZE'));
  return {
    entries,
    ...(entries.has('OSRELEASE') ? { osRelease: entries.get('OSRELEASE')! } : {}),
    ...(Number.isSafeInteger(pageSize) && pageSize > 0 ? { pageSizeBytes: pageSize } : {}),
    diagnostics: sink.items,
  };
}

/** The VMCOREINFO of a core, from its notes (read on demand), or undefined when it has none. */
export function readVmcoreinfo(
  core: ElfCore,
  notes: readonly ElfNote[] = core.readNotes(),
): Vmcoreinfo | undefined {
  const note = notes.find((n) => n.name === VMCOREINFO_NOTE_NAME);
  return note ? parseVmcoreinfo(note.desc, core.name, note.descOffset) : undefined;
}
