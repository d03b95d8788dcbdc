// The kernel's two text views of memblock: the memblock=debug dump and /sys/kernel/debug/memblock/*.
import { describe, expect, it } from 'vitest';
import { parseMemblockDebugfs } from '../../parsers/memblock/index.js';
import { MEMBLOCK_FLAGS, Memblock } from '../../src/sim/memblock.js';
import { renderDebugfs, renderMemblockDump } from '../../src/sim/memblock-render.js';

const F = MEMBLOCK_FLAGS;

function sample(): Memblock {
  const mb = new Memblock({ version: 'newest' });
  mb.addNode(0x80000000, 0x10200000, 0, 0);
  mb.addNode(0x90200000, 0x400000, 0, F.MEMBLOCK_NOMAP);
  mb.addNode(0x880000000, 0x280000000, 0, 0);
  mb.reserveKern(0xfd90a000, 0x2000);
  mb.reserveNode(0x100000000, 0x1000, 1, F.MEMBLOCK_RSRV_KERN | F.MEMBLOCK_RSRV_NOINIT);
  return mb;
}

describe('debugfs (memblock_debug_show)', () => {
  it('6.5+: index, range, nid or x, lowest set flag bit', () => {
    const mb = sample();
    expect(renderDebugfs(mb.memory, '6.5+')).toEqual([
      '   0: 0x0000000080000000..0x00000000901fffff    0 NONE',
      '   1: 0x0000000090200000..0x00000000905fffff    0 NOMAP',
      '   2: 0x0000000880000000..0x0000000affffffff    0 NONE',
    ]);
    // KERN|NOINIT prints RSV_NIT: the KERN bit is not visible in this view.
    expect(renderDebugfs(mb.reserved, '6.5+')).toEqual([
      '   0: 0x00000000fd90a000..0x00000000fd90bfff    x RSV_KERN',
      '   1: 0x0000000100000000..0x0000000100000fff    1 RSV_NIT',
    ]);
  });

  it('before 6.5: index and range only', () => {
    expect(renderDebugfs(sample().memory, 'pre-6.5')).toEqual([
      '   0: 0x0000000080000000..0x00000000901fffff',
      '   1: 0x0000000090200000..0x00000000905fffff',
      '   2: 0x0000000880000000..0x0000000affffffff',
    ]);
  });

  it('an unknown lowest bit prints UNKNOWN; MEMBLOCK_RSRV_HUGETLB prints RSV_HUGETLB (flagname[] of v7.3)', () => {
    const mb = new Memblock({ version: 'newest' });
    mb.reserveNode(0x1000, 0x1000, null, 0x100);
    mb.reserveNode(0x4000, 0x1000, null, MEMBLOCK_FLAGS.MEMBLOCK_RSRV_HUGETLB);
    expect(renderDebugfs(mb.reserved, '6.5+')).toEqual([
      '   0: 0x0000000000001000..0x0000000000001fff    x UNKNOWN',
      '   1: 0x0000000000004000..0x0000000000004fff    x RSV_HUGETLB',
    ]);
  });

  it('empty type: 6.1 prints its dummy entry with an underflowed end, newest prints nothing', () => {
    expect(renderDebugfs(new Memblock({ version: 'v6.1' }).reserved, 'pre-6.5')).toEqual([
      '   0: 0x0000000000000000..0xffffffffffffffff',
    ]);
    expect(renderDebugfs(new Memblock({ version: 'newest' }).reserved, '6.5+')).toEqual([]);
  });

  it('round-trips through the debugfs parser', () => {
    const mb = sample();
    for (const t of [mb.memory, mb.reserved]) {
      const parsed = parseMemblockDebugfs(renderDebugfs(t, '6.5+').join('\n') + '\n', t.name);
      expect(parsed.format).toBe('6.5+');
      expect(parsed.unknownLines).toBe(0);
      const lowestBit = (f: number) => f & -f;
      expect(parsed.regions.map((r) => [r.base, r.size, r.nid, r.flags])).toEqual(
        t.regions().map((r) => [r.base, r.size, r.nid, lowestBit(r.flags)]),
      );
    }
  });
});

describe('MEMBLOCK configuration dump (__memblock_dump_all)', () => {
  it('prints on node only for a node, flags in %#x, sizes and totals in %pa', () => {
    const mb = sample();
    expect(renderMemblockDump(mb)).toEqual([
      'MEMBLOCK configuration:',
      ' memory size = 0x0000000290600000 reserved size = 0x0000000000003000',
      ' memory.cnt  = 0x3',
      ' memory[0x0]\t[0x0000000080000000-0x00000000901fffff], 0x0000000010200000 bytes on node 0 flags: 0x0',
      ' memory[0x1]\t[0x0000000090200000-0x00000000905fffff], 0x0000000000400000 bytes on node 0 flags: 0x4',
      ' memory[0x2]\t[0x0000000880000000-0x0000000affffffff], 0x0000000280000000 bytes on node 0 flags: 0x0',
      ' reserved.cnt  = 0x2',
      ' reserved[0x0]\t[0x00000000fd90a000-0x00000000fd90bfff], 0x0000000000002000 bytes flags: 0x20',
      ' reserved[0x1]\t[0x0000000100000000-0x0000000100000fff], 0x0000000000001000 bytes on node 1 flags: 0x30',
    ]);
  });

  it('6.1 empty reserved array: cnt 0x1 and the dummy region', () => {
    const mb = new Memblock({ version: 'v6.1' });
    mb.add(0x1000, 0x1000);
    expect(renderMemblockDump(mb).slice(-2)).toEqual([
      ' reserved.cnt  = 0x1',
      ' reserved[0x0]\t[0x0000000000000000-0xffffffffffffffff], 0x0000000000000000 bytes flags: 0x0',
    ]);
  });
});
