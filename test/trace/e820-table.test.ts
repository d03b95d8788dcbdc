// The e820 table after the kernel's printed edits (src/trace/e820-table.ts).
import { describe, expect, it } from 'vitest';
import { e820AfterEdits } from '../../src/trace/e820-table.js';

describe('e820AfterEdits', () => {
  const bios = [
    { start: 0, end: 0x9fc00, type: 'usable' },
    { start: 0x9fc00, end: 0xa0000, type: 'reserved' },
    { start: 0xf0000, end: 0x100000, type: 'reserved' },
    { start: 0x100000, end: 0x7fffe000, type: 'usable' },
  ];
  it('update splits a usable entry and merges the reserved part with its neighbours', () => {
    const t = e820AfterEdits(bios, [
      { op: 'update', start: 0, end: 0x1000, fromType: 'usable', toType: 'reserved', line: 1 },
      { op: 'update', start: 0x9f000, end: 0x9fc00, fromType: 'usable', toType: 'reserved', line: 2 },
    ]);
    expect(t).toEqual([
      { start: 0, end: 0x1000, type: 'reserved' },
      { start: 0x1000, end: 0x9f000, type: 'usable' },
      { start: 0x9f000, end: 0xa0000, type: 'reserved' },
      { start: 0xf0000, end: 0x100000, type: 'reserved' },
      { start: 0x100000, end: 0x7fffe000, type: 'usable' },
    ]);
  });
  it('remove drops only entries of the named type; an edit of another type changes nothing', () => {
    const t = e820AfterEdits(bios, [
      { op: 'remove', start: 0xa0000, end: 0x100000, fromType: 'usable', toType: null, line: 1 },
      { op: 'remove', start: 0x200000, end: 0x300000, fromType: 'usable', toType: null, line: 2 },
      { op: 'update', start: 0x9fc00, end: 0xa0000, fromType: 'ACPI NVS', toType: 'usable', line: 3 },
    ]);
    expect(t.map((e) => [e.start, e.end, e.type])).toEqual([
      [0, 0x9fc00, 'usable'],
      [0x9fc00, 0xa0000, 'reserved'],
      [0xf0000, 0x100000, 'reserved'],
      [0x100000, 0x200000, 'usable'],
      [0x300000, 0x7fffe000, 'usable'],
    ]);
  });
});
