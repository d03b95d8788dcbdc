import { describe, expect, it } from 'vitest';
import { intersectRanges, normalizeRanges, subtractRanges, totalLength } from '../../src/core/ranges.js';
import { formatBytes, formatMemRange, parseMemSize } from '../../src/core/units.js';
import { TraceError } from '../../src/core/errors.js';

describe('ranges', () => {
  it('normalises overlapping and touching ranges', () => {
    expect(
      normalizeRanges([
        { start: 5, end: 9 },
        { start: 0, end: 3 },
        { start: 3, end: 6 },
        { start: 7, end: 7 },
      ]),
    ).toEqual([{ start: 0, end: 9 }]);
  });
  it('subtracts a set: holes at both ends and in the middle', () => {
    expect(
      subtractRanges(
        [{ start: 0, end: 100 }],
        [
          { start: 0, end: 10 },
          { start: 40, end: 50 },
          { start: 90, end: 120 },
        ],
      ),
    ).toEqual([
      { start: 10, end: 40 },
      { start: 50, end: 90 },
    ]);
  });
  it('intersects two sets', () => {
    expect(
      intersectRanges(
        [
          { start: 0, end: 10 },
          { start: 20, end: 30 },
        ],
        [{ start: 5, end: 25 }],
      ),
    ).toEqual([
      { start: 5, end: 10 },
      { start: 20, end: 25 },
    ]);
    expect(
      totalLength([
        { start: 0, end: 10 },
        { start: 5, end: 15 },
      ]),
    ).toBe(15);
  });
});

describe('units', () => {
  it('prints the kernel [mem] form with an inclusive end', () => {
    expect(formatMemRange(0x1000, 0xa0000)).toBe('[mem 0x0000000000001000-0x000000000009ffff]');
  });
  it('parses kernel size suffixes', () => {
    expect(parseMemSize('6G')).toBe(6 * 2 ** 30);
    expect(parseMemSize('512m')).toBe(512 * 2 ** 20);
    expect(parseMemSize('bogus')).toBeNull();
    expect(formatBytes(1536 * 1024)).toBe('1.5 MiB');
  });
});

describe('TraceError', () => {
  it('formats a binary location with field and a text location with line:column', () => {
    const a = new TraceError({
      code: 'FDT_ERR_BADMAGIC',
      location: { file: 'fdt', offset: 0, field: 'fdt_header.magic' },
      expected: '0xd00dfeed',
      found: '0x0',
    });
    expect(a.message).toBe(
      'fdt: offset 0x0 (fdt_header.magic): FDT_ERR_BADMAGIC: expected 0xd00dfeed, found 0x0',
    );
    const b = new TraceError({
      code: 'X',
      location: { file: 'dmesg.txt', line: 14, column: 1 },
      expected: 'a',
      found: 'b',
    });
    expect(b.message).toBe('dmesg.txt:14:1: X: expected a, found b');
  });
});
