import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../src/core/index.js';
import {
  VMCOREINFO_DIAG,
  openElfCore,
  parseVmcoreinfo,
  readVmcoreinfo,
} from '../../../parsers/elf-core/index.js';
import { buildElfCore } from '../../builders/elf-core.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('VMCOREINFO', () => {
  it('reads the note of a core: release, page size, symbols kept as strings', () => {
    const desc = text(
      'OSRELEASE=6.18.0-kho\nPAGESIZE=4096\nSYMBOL(mem_section)=ffff88813fff9000\nOFFSET(page.flags)=0\n' +
        'NUMBER(PG_head_mask)=65536\nCONFIG_SPARSEMEM_VMEMMAP=y\n',
    );
    const bytes = buildElfCore({
      endianness: 'be',
      notes: [
        { name: 'CORE', type: 1, desc: new Uint8Array(8) },
        { name: 'VMCOREINFO', type: 0, desc },
      ],
      segments: [{ paddr: 0x1000, data: { size: 8, fill: 0 } }],
    });
    const core = openElfCore(bytesSource('vmcore', bytes));
    const info = readVmcoreinfo(core)!;
    expect(info.osRelease).toBe('6.18.0-kho');
    expect(info.pageSizeBytes).toBe(4096);
    expect(info.entries.get('SYMBOL(mem_section)')).toBe('ffff88813fff9000');
    expect(info.entries.get('CONFIG_SPARSEMEM_VMEMMAP')).toBe('y');
    expect(info.entries.size).toBe(6);
    expect(info.diagnostics).toEqual([]);
    // descOffset points at the text in the file.
    const note = core.readNotes()[1]!;
    expect(bytes.subarray(note.descOffset, note.descOffset + 9)).toEqual(text('OSRELEASE'));
  });

  it('no VMCOREINFO note: undefined', () => {
    const core = openElfCore(
      bytesSource('c', buildElfCore({ segments: [{ paddr: 0, data: { size: 8, fill: 0 } }] })),
    );
    expect(readVmcoreinfo(core)).toBeUndefined();
  });

  it('malformed and repeated lines are located diagnostics; a trailing NUL ends the text', () => {
    const info = parseVmcoreinfo(text('PAGESIZE=65536\ngarbage line\nPAGESIZE=4096\n\0junk'), 'f', 0x100);
    expect(info.pageSizeBytes).toBe(4096);
    expect(info.diagnostics.map((d) => [d.code, d.location?.offset, d.location?.field])).toEqual([
      [VMCOREINFO_DIAG.LINE, 0x100 + 15, 'VMCOREINFO line 2'],
      [VMCOREINFO_DIAG.DUPLICATE, 0x100 + 28, 'VMCOREINFO line 3'],
    ]);
  });
});
