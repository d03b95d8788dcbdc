import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import { parseMemblockDebugfs } from '../../../parsers/memblock/index.js';

// No trace in traces/ has memblock debugfs (x86 discards memblock after boot: absent-files.txt), so these are
// built from the line shapes of mm/memblock.c memblock_debug_show(): 6.1 and the v6.5 commit message examples.
const PRE_65 = [
  '   0: 0x0000000080000000..0x00000000901fffff',
  '   1: 0x0000000090200000..0x00000000905fffff',
  '',
];
const V65 = [
  '   0: 0x0000000080000000..0x00000000901fffff    0 NONE',
  '   1: 0x0000000090200000..0x00000000905fffff    0 NOMAP',
  '   2: 0x0000000090600000..0x00000000fd909fff    1 HOTPLUG',
  '   3: 0x00000000fd90a000..0x00000000fd90bfff    x RSV_KERN',
  '   4: 0x00000000fd90c000..0x00000000fd90cfff    1 KHO_SCRATCH',
  '',
];

describe('parseMemblockDebugfs', () => {
  it('6.1 layout: base..end only, inclusive end, no nid', () => {
    const m = parseMemblockDebugfs(PRE_65.join('\n'), 'memory');
    expect(m.format).toBe('pre-6.5');
    expect(m.regions.map((r) => [r.index, r.base, r.size, r.nid, r.flags])).toEqual([
      [0, 0x80000000, 0x10200000, null, 0],
      [1, 0x90200000, 0x400000, null, 0],
    ]);
    expect(m.unknownLines).toBe(0);
  });

  it('v6.5+ layout: nid (x when invalid) and the lowest flag bit by name', () => {
    const m = parseMemblockDebugfs(V65.join('\n'), 'reserved');
    expect(m.format).toBe('6.5+');
    expect(m.regions.map((r) => [r.nid, r.flags, r.flagWord])).toEqual([
      [0, 0, 'NONE'],
      [0, 0x4, 'NOMAP'],
      [1, 0x1, 'HOTPLUG'],
      [null, 0x20, 'RSV_KERN'],
      [1, 0x40, 'KHO_SCRATCH'],
    ]);
    expect(m.diagnostics).toEqual([]);
  });

  it('UNKNOWN flag words, index gaps and overlaps are diagnostics', () => {
    const m = parseMemblockDebugfs(
      [
        '   0: 0x0000000000001000..0x0000000000001fff    0 UNKNOWN',
        '   2: 0x0000000000001800..0x0000000000002fff    0 NONE',
        'MEMBLOCK configuration:',
      ].join('\n'),
      'memory',
    );
    expect(m.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([
      ['MEMBLOCK_UNKNOWN_FLAG', 1],
      ['MEMBLOCK_INDEX_GAP', 2],
      ['MEMBLOCK_UNSORTED', 2],
      ['MEMBLOCK_UNKNOWN_LINE', 3],
    ]);
  });

  it('end below base and addresses above 2^53 are located TraceErrors', () => {
    const codeOf = (t: string): string | null => {
      try {
        parseMemblockDebugfs(t, 'memory');
        return null;
      } catch (e) {
        expect(e).toBeInstanceOf(TraceError);
        return `${(e as TraceError).code}@${(e as TraceError).location.line}`;
      }
    };
    expect(codeOf('   0: 0x0000000000002000..0x0000000000001fff\n')).toBe('MEMBLOCK_ERR_RANGE@1');
    expect(
      codeOf('   0: 0x0000000000000000..0x0000000000000fff\n   1: 0x0000000000001000..0xffffffffffffffff\n'),
    ).toBe('MEMBLOCK_ERR_ADDRESS@2');
  });
});
