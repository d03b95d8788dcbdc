import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import { parsePagetypeinfo } from '../../../parsers/buddyinfo/index.js';

const read = (p: string): string => readFileSync(`traces/${p}`, 'utf8');

describe('parsePagetypeinfo', () => {
  it('qemu d-16g-2node-kernelcore (6.1): two nodes, five migrate types, every line understood', () => {
    const p = parsePagetypeinfo(read('qemu/d-16g-2node-kernelcore/pagetypeinfo.txt'), 'pagetypeinfo.txt');
    expect([p.unknownLines, p.parsedLines, p.totalLines]).toEqual([0, p.totalLines, p.totalLines]);
    expect([p.pageblockOrder, p.pagesPerBlock]).toEqual([9, 512]);
    expect(new Set(p.free.map((r) => r.type))).toEqual(
      new Set(['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'Isolate']),
    );
    expect(
      p.free.find((r) => r.nid === 0 && r.zone === 'DMA32' && r.type === 'Movable')?.freeBlocks[10],
    ).toBe(490);
    expect(p.blocks.find((r) => r.nid === 1 && r.zone === 'Movable')?.blocks).toEqual({
      Unmovable: 66,
      Movable: 2494,
      Reclaimable: 0,
      HighAtomic: 0,
      Isolate: 0,
    });
  });

  it('ubuntu 3.13 (Reserve and CMA types) and the arm32 router (order 10) parse fully', () => {
    const u = parsePagetypeinfo(read('public/ubuntu-3.13-desktop-procfs/pagetypeinfo'), 'pagetypeinfo');
    expect([u.unknownLines, u.pageblockOrder]).toEqual([0, 9]);
    expect(u.blocks[1]!.blocks['Reserve']).toBe(2);
    const a = parsePagetypeinfo(read('public/arm32-router-jmr540-procfs/pagetypeinfo'), 'pagetypeinfo');
    expect([a.unknownLines, a.pageblockOrder, a.pagesPerBlock]).toEqual([0, 10, 1024]);
  });

  it('capped counts (`>100000`), short rows and garbage', () => {
    const text = [
      'Page block order: 9',
      'Pages per block:  512',
      '',
      'Free pages count per migrate type at order       0      1 ',
      'Node    0, zone   Normal, type      Movable >100000      7 ',
      'Node    0, zone   Normal, type    Unmovable      1 ',
      '\u0000\u0001',
    ].join('\n');
    const p = parsePagetypeinfo(text, 'p');
    expect(p.free[0]).toMatchObject({ freeBlocks: [100000, 7], capped: [true, false] });
    expect(p.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([
      ['PAGETYPEINFO_UNKNOWN_LINE', 6],
      ['PAGETYPEINFO_UNKNOWN_LINE', 7],
    ]);
    expect(() => parsePagetypeinfo('Page block order: 99999999999999999999\n', 'p')).toThrow(TraceError);
  });
});
