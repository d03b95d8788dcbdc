import { describe, expect, it } from 'vitest';
import { E820_TYPE, parseCmdline, parseMemmap, parseMemmapOne } from '../../../parsers/cmdline/index.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe('memmap= (arch/x86/kernel/e820.c parse_memmap_one)', () => {
  it('each suffix adds a range of its e820 type', () => {
    expect(parseMemmapOne('8G!8G')).toEqual({
      op: 'add',
      startBytes: 8 * GiB,
      sizeBytes: 8 * GiB,
      e820Type: E820_TYPE.PRAM,
    });
    expect(parseMemmapOne('64M@0x10000000')).toMatchObject({
      e820Type: E820_TYPE.RAM,
      startBytes: 0x10000000,
    });
    expect(parseMemmapOne('4K#0x1000')).toMatchObject({ e820Type: E820_TYPE.ACPI, sizeBytes: 4096 });
    expect(parseMemmapOne('1G$3G')).toMatchObject({ e820Type: E820_TYPE.RESERVED, startBytes: 3 * GiB });
  });

  it('exactmap, a bare size (a limit like mem=), and %ss-old+new retyping', () => {
    expect(parseMemmapOne('exactmap')).toEqual({ op: 'exactmap' });
    expect(parseMemmapOne('4G')).toEqual({ op: 'limit', sizeBytes: 4 * GiB });
    expect(parseMemmapOne('16M%0x100000000-1+12')).toEqual({
      op: 'retype',
      startBytes: 4 * GiB,
      sizeBytes: 16 * MiB,
      fromType: 1,
      toType: 12,
    });
    expect(parseMemmapOne('16M%4G+2')).toMatchObject({ fromType: null, toType: 2 });
  });

  it('what the kernel rejects: no number, trailing text after the start', () => {
    expect(parseMemmapOne('!8G')).toBeNull();
    // memparse() steps over a suffix even without digits, so the kernel reads 'G!8G' as a 0-byte range
    expect(parseMemmapOne('G!8G')).toMatchObject({ sizeBytes: 0, startBytes: 8 * GiB });
    expect(parseMemmapOne('8G!8Gx')).toBeNull();
    expect(parseMemmapOne('8Gx')).toBeNull();
    expect(parseMemmap('exactmap,640K@0,bad,1G@1G')).toEqual({
      entries: [
        { op: 'exactmap' },
        { op: 'add', startBytes: 0, sizeBytes: 640 * 1024, e820Type: 1 },
        { op: 'add', startBytes: GiB, sizeBytes: GiB, e820Type: 1 },
      ],
      invalid: ['bad'],
    });
  });

  it('parseCmdline keeps the raw value and the entries; a bad entry is a diagnostic', () => {
    const c = parseCmdline('memmap=8G!8G memmap=zz', 'c');
    expect(c.memory.memmap).toEqual(['8G!8G', 'zz']);
    expect(c.memory.memmapEntries).toEqual([
      { op: 'add', startBytes: 8 * GiB, sizeBytes: 8 * GiB, e820Type: 12 },
    ]);
    expect(c.diagnostics.map((d) => [d.code, d.location?.column])).toEqual([['CMDLINE_ODD_VALUE', 14]]);
  });
});
