import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import { parseBuddyinfo } from '../../../parsers/buddyinfo/index.js';

const read = (p: string): string => readFileSync(`traces/${p}`, 'utf8');

describe('parseBuddyinfo', () => {
  it('qemu b-16g-2node: four populated zones, 11 orders', () => {
    const b = parseBuddyinfo(read('qemu/b-16g-2node/buddyinfo.txt'), 'buddyinfo.txt');
    expect([b.totalLines, b.parsedLines, b.unknownLines, b.orders]).toEqual([4, 4, 0, 11]);
    expect(b.zones.map((z) => `${z.nid}:${z.zone}`)).toEqual(['0:DMA', '0:DMA32', '0:Normal', '1:Normal']);
    // DMA: 1 block of order 8, 2 of order 9, 2 of order 10 = 256 + 1024 + 2048 pages; zoneinfo says free 3328
    expect(b.zones[0]!.freePages).toBe(3328);
  });

  it('ubuntu 3.13 and the arm32 router parse fully', () => {
    for (const p of [
      'public/ubuntu-3.13-desktop-procfs/buddyinfo',
      'public/arm32-router-jmr540-procfs/buddyinfo',
    ]) {
      const b = parseBuddyinfo(read(p), p);
      expect(b.unknownLines).toBe(0);
      expect(b.orders).toBe(11);
    }
  });

  it('truncated rows, garbage and a changing column count are diagnostics', () => {
    const b = parseBuddyinfo(
      'Node 0, zone      DMA      0      1 \nNode 0, zone\n\u0000\u0007\u00ff\nNode 0, zone   Normal 1 2 3\n',
      'b',
    );
    expect([b.parsedLines, b.unknownLines]).toEqual([2, 2]);
    expect(b.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([
      ['BUDDYINFO_UNKNOWN_LINE', 2],
      ['BUDDYINFO_UNKNOWN_LINE', 3],
      ['BUDDYINFO_ORDER_COUNT', 4],
    ]);
  });

  it('an absurd count is a located TraceError', () => {
    expect(() => parseBuddyinfo('Node 0, zone DMA 1 99999999999999999999\n', 'b')).toThrow(TraceError);
  });
});
