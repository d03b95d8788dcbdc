// memblock=debug call lines and MEMBLOCK configuration dumps from the real qemu captures (Debian 6.1).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QEMU_TRACES } from '../../helpers/traces.js';
import { parseDmesg } from '../../../parsers/dmesg/index.js';

const QEMU = QEMU_TRACES;

function read(path: string): string {
  return readFileSync(new URL(`../../../traces/${path}`, import.meta.url), 'utf8');
}

describe('memblock=debug calls on every qemu trace', () => {
  for (const name of QEMU) {
    it(`${name}: one MemblockCall per line of memblock-debug-calls-from-dmesg.txt, in order`, () => {
      const log = parseDmesg(read(`qemu/${name}/dmesg.txt`), 'dmesg.txt');
      // The trace's derived file holds exactly the memblock=debug call lines of the same log.
      const expected = read(`qemu/${name}/memblock-debug-calls-from-dmesg.txt`).trimEnd().split('\n');
      expect(log.memblockCalls.length).toBe(expected.length);
      const fns = expected.map((l) => /\] (\S+):/.exec(l)?.[1]);
      expect(log.memblockCalls.map((c) => c.fn)).toEqual(fns);
      expect(log.memblockDumps.length).toBe(2);
      expect(log.malformedLines).toBe(0);
    });
  }
});

describe('b-16g-2node', () => {
  const log = parseDmesg(read('qemu/b-16g-2node/dmesg.txt'), 'dmesg.txt');

  it('counts the calls per function and kind', () => {
    const byFn: Record<string, number> = {};
    for (const c of log.memblockCalls) byFn[c.fn] = (byFn[c.fn] ?? 0) + 1;
    expect(byFn).toEqual({
      memblock_add: 3,
      memblock_alloc_exact_nid_raw: 2,
      memblock_alloc_try_nid: 52,
      memblock_alloc_try_nid_raw: 3,
      memblock_phys_alloc_range: 3,
      memblock_phys_free: 5,
      memblock_reserve: 75,
    });
    const byKind: Record<string, number> = {};
    for (const c of log.memblockCalls) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
    expect(byKind).toEqual({
      memblock_add: 3,
      memblock_alloc: 60,
      memblock_phys_free: 5,
      memblock_reserve: 75,
    });
  });

  it('reads range lines as half-open byte ranges with caller and time', () => {
    expect(log.memblockCalls[0]).toEqual({
      fn: 'memblock_reserve',
      kind: 'memblock_reserve',
      base: 0xf5ba0,
      end: 0xf5bb0,
      caller: 'smp_scan_config+0xa7/0xff',
      time: 0.015676,
      line: 26,
    });
    const add = log.memblockCalls.filter((c) => c.kind === 'memblock_add');
    expect(add.map((c) => [c.base, c.end])).toEqual([
      [0x1000, 0x9fc00],
      [0x100000, 0x7ffe0000],
      [0x100000000, 0x480000000],
    ]);
    const free = log.memblockCalls.find((c) => c.kind === 'memblock_phys_free');
    expect(free).toMatchObject({
      base: 0x47fe00000,
      end: 0x480000000,
      caller: 'init_mem_mapping+0x22e/0x31f',
    });
  });

  it('reads allocation lines: size, align, nid, from, max_addr', () => {
    const phys = log.memblockCalls.find((c) => c.fn === 'memblock_phys_alloc_range');
    expect(phys).toEqual({
      fn: 'memblock_phys_alloc_range',
      kind: 'memblock_alloc',
      base: 0,
      end: 28672,
      align: 0x1000,
      from: 0,
      maxAddr: 0x100000,
      caller: 'reserve_real_mode+0x50/0x89',
      time: 0.016782,
      line: 43,
    });
    const exact = log.memblockCalls.filter((c) => c.fn === 'memblock_alloc_exact_nid_raw');
    expect(exact.map((c) => [c.end, c.align, c.nid, c.from, c.maxAddr])).toEqual([
      [134217728, 0x200000, 0, 0x1000000, 0],
      [134217728, 0x200000, 1, 0x1000000, 0],
    ]);
    const anyNode = log.memblockCalls.find((c) => c.fn === 'memblock_alloc_try_nid');
    expect(anyNode).toMatchObject({ end: 2097152, align: 0x40, nid: -1, caller: 'sparse_init+0x9f/0x23c' });
  });

  it('reads both dumps: sizes, counts and region lists with nodes and flags', () => {
    const [first, second] = log.memblockDumps;
    expect(first).toMatchObject({
      line: 32,
      time: 0.01647,
      memorySize: 0x3fff7ec00,
      reservedSize: 0x3691000,
    });
    expect(first?.memory).toEqual([
      { base: 0x1000, size: 0x9e000, nid: null, flags: 0 },
      { base: 0x100000, size: 0x7fee0000, nid: null, flags: 0 },
      { base: 0x100000000, size: 0x380000000, nid: null, flags: 0 },
    ]);
    expect(first?.reserved).toEqual([
      { base: 0, size: 0x10000, nid: null, flags: 0 },
      { base: 0x9f000, size: 0x61000, nid: null, flags: 0 },
      { base: 0x7fdd1000, size: 0x20f000, nid: null, flags: 0 },
      { base: 0x1ac600000, size: 0x3411000, nid: null, flags: 0 },
    ]);
    expect(first).toMatchObject({ memoryCnt: 3, reservedCnt: 4 });
    expect(second).toMatchObject({
      line: 96,
      memorySize: 0x3fff7ec00,
      reservedSize: 0x3778430,
      memoryCnt: 4,
    });
    expect(second?.memory.map((r) => [r.base, r.size, r.nid])).toEqual([
      [0x1000, 0x9e000, 0],
      [0x100000, 0x7fee0000, 0],
      [0x100000000, 0x180000000, 0],
      [0x280000000, 0x200000000, 1],
    ]);
    // NODE_DATA allocations have no node yet (` on node` omitted for an invalid nid).
    expect(second?.reserved.map((r) => r.nid)).toEqual([0, 0, 0, null, null, 1]);
    expect(second?.reserved[5]).toEqual({ base: 0x47ffff000, size: 4, nid: 1, flags: 0 });
    expect(log.diagnostics.filter((d) => d.code.startsWith('DMESG_MEMBLOCK'))).toEqual([]);
  });

  it('gives the same calls and dumps from dmesg-raw.txt (<level> prefix) and serial-console.txt', () => {
    const strip = (l: typeof log) => ({ calls: l.memblockCalls, dumps: l.memblockDumps });
    expect(strip(parseDmesg(read('qemu/b-16g-2node/dmesg-raw.txt'), 'raw'))).toEqual(strip(log));
    expect(strip(parseDmesg(read('qemu/b-16g-2node/serial-console.txt'), 'serial'))).toEqual(strip(log));
  });
});

describe('memblock lines of other eras (mailing-list snippets)', () => {
  it('3.14 arm: `flags 0x0` before the caller, short addresses, dumps without `on node`', () => {
    const log = parseDmesg(
      read('public/memblock-debug-snippets/arm-cubox-i-3.14-memblock-debug-good.txt'),
      'good',
    );
    const first = log.memblockCalls[0];
    expect(first).toMatchObject({
      fn: 'memblock_reserve',
      base: 0x10008240,
      end: 0x1112c278,
      flags: 0,
      caller: 'arm_memblock_init+0x54/0x1d4',
    });
    expect(first?.time).toBeUndefined();
    expect(log.memblockDumps[0]?.memory).toEqual([
      { base: 0x10000000, size: 0x80000000, nid: null, flags: 0 },
    ]);
    expect(log.memblockDumps[0]?.reserved.length).toBe(5);
  });

  it('riscv 5.3: a region above 2^53 is a located DMESG_BAD_VALUE and the dump count mismatch is reported', () => {
    const log = parseDmesg(
      read('public/memblock-debug-snippets/riscv-5.3-memblock-dump-dtb-underflow.txt'),
      'rv',
    );
    expect(log.memblockDumps.length).toBe(2);
    expect(log.memblockDumps[0]?.reserved.length).toBe(1);
    expect(log.memblockDumps[1]?.reserved.map((r) => r.base)).toEqual([0x80200000, 0x80e00000]);
    const bad = log.diagnostics.filter((d) => d.code === 'DMESG_BAD_VALUE');
    expect(bad.length).toBe(1);
    expect(bad[0]?.location).toEqual({ file: 'rv', line: 8, column: 34 });
    expect(log.diagnostics.filter((d) => d.code === 'DMESG_MEMBLOCK_DUMP_COUNT').length).toBe(1);
  });
});

// mm/memblock.c memblock_double_array(): `memblock_dbg("memblock: %s is doubled to %ld at [%pa-%pa]", type->name,
// type->max * 2, &addr, &new_end)` with new_end = addr + new_size - 1 (linux v7.3-rc7; the same text since 3.x), and
// its pr_err when memblock_find_in_range() finds no room. No capture in traces/ has either line (see
// test/sim/memblock-replay.test.ts): these are the kernel's format strings filled in by hand.
describe('memblock_double_array lines', () => {
  it('`is doubled` and `Failed to double` are calls of their own, with the array, the new max and the range', () => {
    const log = parseDmesg(
      [
        '[    0.004000] memblock_reserve: [0x0000000000200000-0x0000000000200fff] setup_arch+0x1/0x2',
        '[    0.004001] memblock: reserved is doubled to 256 at [0x000000003fffe000-0x000000003ffff7ff]',
        '[    0.004002] memblock: Failed to double memory array from 128 to 256 entries !',
      ].join('\n'),
      'dmesg.txt',
    );
    expect(log.unknownLines).toBe(0);
    expect(log.memblockCalls.map((c) => [c.kind, c.arrayType, c.newMax, c.base, c.end])).toEqual([
      ['memblock_reserve', undefined, undefined, 0x200000, 0x201000],
      ['memblock_double_array', 'reserved', 256, 0x3fffe000, 0x3ffff800],
      ['memblock_double_failed', 'memory', 256, 0, 0],
    ]);
  });
});
