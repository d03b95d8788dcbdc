import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import {
  countIds,
  parseCpulist,
  parseIdList,
  parseMemoryBlockTable,
  parseNodeDistance,
  parseNodeMeminfo,
  parseNodeMemoryBlocks,
  parseNodeNumastat,
  parseNodeStates,
} from '../../../parsers/node/index.js';

const read = (p: string): string => readFileSync(`traces/qemu/${p}`, 'utf8');

describe('node sysfs parsers on qemu b-16g-2node', () => {
  it('node0 meminfo: MemTotal is the managed pages of the node, HugePages_* have no unit', () => {
    const m = parseNodeMeminfo(read('b-16g-2node/node0-meminfo.txt'), 'node0-meminfo.txt');
    expect([m.totalLines, m.unknownLines, m.nid]).toEqual([36, 0, 0]);
    expect(m.memTotalBytes).toBe(8145136 * 1024);
    // 6.1 quirk: one space before FileHugePages' value field
    expect(m.fields['FileHugePages']).toBe(0);
    expect(m.fields['HugePages_Total']).toBe(0);
  });

  it('cpulist, distance, memory block links, numastat, node states', () => {
    expect(parseCpulist(read('b-16g-2node/node1-cpulist.txt'), 'c').runs).toEqual([{ first: 1, last: 1 }]);
    expect(parseNodeDistance(read('b-16g-2node/node1-distance.txt'), 'd').distances).toEqual([21, 10]);
    const mb = parseNodeMemoryBlocks(read('b-16g-2node/node1-memory-blocks.txt'), 'm');
    expect([mb.unknownLines, mb.blocks.length, mb.blocks[0], mb.blocks[63]]).toEqual([0, 64, 80, 143]);
    expect(parseNodeNumastat(read('b-16g-2node/node0-numastat.txt'), 'n').counters['numa_hit']).toBe(46483);
    const s = parseNodeStates(read('b-16g-2node/nodes.txt'), 'nodes.txt');
    expect(s.unknownLines).toBe(0);
    expect(countIds(s.states['has_memory']!)).toBe(2);
    expect(s.states['cpu online']).toEqual([{ first: 0, last: 1 }]);
  });

  it('memory block table: 128 MiB blocks, phys_index in hex, valid zones', () => {
    const t = parseMemoryBlockTable(read('d-16g-2node-kernelcore/memory-blocks.txt'), 'memory-blocks.txt');
    expect([t.totalLines, t.parsedLines, t.unknownLines]).toEqual([131, 131, 0]);
    expect(t.blockSizeBytes).toBe(0x8000000);
    expect(t.blocks.length).toBe(128);
    expect(t.blocks[0]).toMatchObject({ id: 0, physIndex: 0, nid: 0, validZones: ['none'] });
    expect(t.blocks.find((b) => b.id === 104)).toMatchObject({
      physIndex: 0x68,
      nid: 1,
      validZones: ['Movable'],
    });
  });

  it('e-128g-2node: 2 GiB blocks', () => {
    const t = parseMemoryBlockTable(read('e-128g-2node/memory-blocks.txt'), 'memory-blocks.txt');
    expect(t.blockSizeBytes).toBe(0x80000000);
    expect(t.blocks.length).toBe(64);
  });
});

describe('node sysfs parsers on malformed input', () => {
  it('id lists: runs, empty lists, backwards or absurd runs', () => {
    expect(parseIdList('0-3,8,10-11', 'c')).toEqual([
      { first: 0, last: 3 },
      { first: 8, last: 8 },
      { first: 10, last: 11 },
    ]);
    expect(parseIdList('', 'c')).toEqual([]);
    expect(parseIdList('zero', 'c')).toBeNull();
    expect(() => parseIdList('0,5-2', 'c')).toThrow(TraceError);
    expect(() => parseIdList('0-99999999999', 'c')).toThrow(TraceError);
  });

  it('garbage and truncated lines are counted unknown lines', () => {
    const m = parseNodeMeminfo('Node 0 MemTotal:  100 kB\nNode 0 MemFr\n\u0000\u0001\u0002\n', 'm');
    expect([m.parsedLines, m.unknownLines]).toEqual([1, 2]);
    const t = parseMemoryBlockTable('block_size_bytes 8000000\nmemory0 00000000 node0 onl\n', 'mb');
    expect(t.unknownLines).toBe(1);
    expect(() => parseMemoryBlockTable('block_size_bytes 0\n', 'mb')).toThrow(TraceError);
  });
});
