// Replaying the memblock=debug log of every real qemu trace reproduces every `MEMBLOCK configuration` dump the
// kernel printed, line by line (timestamps stripped).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QEMU_TRACES } from '../helpers/traces.js';
import { parseDmesg } from '../../parsers/dmesg/index.js';
import type { MemblockCall } from '../../parsers/dmesg/types.js';
import {
  diffAgainstDump,
  replayMemblockFromDmesg,
  replayMemblockLog,
} from '../../src/sim/memblock-replay.js';
import { MEMBLOCK_FLAGS } from '../../src/sim/memblock.js';

const TRACES = QEMU_TRACES;

function load(name: string) {
  const dir = `traces/qemu/${name}`;
  const log = parseDmesg(readFileSync(`${dir}/dmesg.txt`, 'utf8'), `${dir}/dmesg.txt`);
  const dumpText = readFileSync(`${dir}/memblock-dump-from-dmesg.txt`, 'utf8');
  const kernelLines = dumpText
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
  return { dir, log, kernelLines };
}

describe.each(TRACES)('replay of %s', (name) => {
  const { dir, log, kernelLines } = load(name);

  it('reproduces every MEMBLOCK configuration dump exactly', () => {
    const r = replayMemblockFromDmesg(log, { file: `${dir}/dmesg.txt` });
    const dumpCount = kernelLines.filter((l) => l === 'MEMBLOCK configuration:').length;
    expect(dumpCount).toBeGreaterThanOrEqual(2);
    expect(r.snapshots).toHaveLength(dumpCount);
    expect(r.snapshots.flatMap((s) => s.lines)).toEqual(kernelLines);
    for (const s of r.snapshots) expect(diffAgainstDump(s.state, s.dump)).toEqual([]);
    expect(r.diagnostics).toEqual([]);
    // The second dump (numa_register_memblks) is a prediction: nodes come from the modelled numa_init step.
    expect(r.steps.map((s) => s.what.split(':')[0])).toContain('x86 numa_init');
  });

  it('places every allocation where the kernel did (top-down, current_limit, node preference)', () => {
    const r = replayMemblockFromDmesg(log);
    expect(r.allocChecks.length).toBeGreaterThan(50);
    const wrong = r.allocChecks.filter((a) => a.predicted !== a.actual);
    expect(wrong).toEqual([]);
    // Node-local allocations are among them (sparse_init_nid on each node).
    expect(new Set(log.memblockCalls.filter((c) => c.kind === 'memblock_alloc').map((c) => c.nid))).toContain(
      0,
    );
  });

  it('gives the node ranges free_area_init prints (Early memory node ranges = for_each_mem_pfn_range)', () => {
    const r = replayMemblockFromDmesg(log);
    const got = r.final
      .memPfnRanges()
      .map((p) => ({ nid: p.nid, start: p.startPfn * 4096, end: p.endPfn * 4096 }));
    expect(log.earlyNodeRanges.length).toBeGreaterThan(0);
    expect(got).toEqual(log.earlyNodeRanges.map((n) => ({ nid: n.nid, start: n.start, end: n.end })));
  });

  it('needs only the reservations made before memblock=debug was parsed, and they are the early ones', () => {
    // early_reserve_memory() (arch/x86/kernel/setup.c, 6.1): [0, 64K), the kernel image, the initrd,
    // setup_data and the BIOS regions below 1 MiB. Check each against an independent source in the trace.
    const r = replayMemblockFromDmesg(log);
    const iomem = readFileSync(`${dir}/iomem.txt`, 'utf8');
    const code = /^\s*([0-9a-f]+)-[0-9a-f]+ : Kernel code$/m.exec(iomem);
    const bss = /^\s*[0-9a-f]+-([0-9a-f]+) : Kernel bss$/m.exec(iomem);
    const dmesg = readFileSync(`${dir}/dmesg.txt`, 'utf8');
    const rd = /RAMDISK: \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]/.exec(dmesg);
    expect(code && bss && rd).toBeTruthy();
    const kernelStart = parseInt(code![1]!, 16);
    // __end_of_kernel_reserve is the page-rounded end of bss plus brk; the brk reservation is logged itself.
    const kernelEnd = Math.ceil((parseInt(bss![1]!, 16) + 1) / 0x200000) * 0x200000;
    const initrd = { start: Number(rd![1]), end: Number(rd![2]) + 1 };
    const u = r.unloggedReservations;
    expect(u[0]).toEqual({ start: 0, end: 0x10000 });
    expect(u).toContainEqual(initrd);
    expect(u.some((x) => x.start === kernelStart && x.end <= kernelEnd && x.end > kernelStart)).toBe(true);
    for (const x of u) {
      const low = x.end <= 0x101000; // first 64K, BIOS regions, setup_data
      const known = low || (x.start === initrd.start && x.end === initrd.end) || x.start === kernelStart;
      expect(known, `${x.start.toString(16)}-${x.end.toString(16)}`).toBe(true);
    }
  });

  it('computes the same numa_meminfo merges the kernel printed (NUMA: Node N [..] + [..] -> [..])', () => {
    const r = replayMemblockFromDmesg(log);
    expect(r.numa).not.toBeNull();
    const got = r.numa!.merges.map((m) => ({ nid: m.nid, start: m.merged.start, end: m.merged.end }));
    const want = log.numaMerges.map((m) => ({ nid: m.nid, start: m.merged.start, end: m.merged.end }));
    expect(got).toEqual(want);
  });
});

describe('ordering by timestamp', () => {
  it('replays the two derived files (calls, dumps) of every trace by printk time to the same dumps', () => {
    for (const name of TRACES) {
      const { dir, log, kernelLines } = load(name);
      const calls = parseDmesg(readFileSync(`${dir}/memblock-debug-calls-from-dmesg.txt`, 'utf8'), 'calls');
      const dumps = parseDmesg(readFileSync(`${dir}/memblock-dump-from-dmesg.txt`, 'utf8'), 'dumps');
      // The numa step's position as a time: the reservation of the first NODE_DATA, from the full log.
      const nd = log.nodeData[0]!;
      const ndReserve = log.memblockCalls.find((c) => c.kind === 'memblock_reserve' && c.base === nd.start)!;
      const r = replayMemblockLog(calls.memblockCalls, dumps.memblockDumps, {
        orderBy: 'time',
        x86Numa: { srat: log.srat, beforeLine: ndReserve.line, beforeTime: ndReserve.time! },
      });
      expect(
        r.snapshots.flatMap((x) => x.lines),
        name,
      ).toEqual(kernelLines);
    }
  });
});

describe('controls: the comparison can fail', () => {
  const { log, kernelLines } = load('b-16g-2node');

  it('without the numa_init step the second dump has no node ids', () => {
    const r = replayMemblockLog(log.memblockCalls, log.memblockDumps, { x86Numa: null });
    const lines = r.snapshots.flatMap((s) => s.lines);
    expect(lines).not.toEqual(kernelLines);
    expect(lines.filter((l) => l.includes(' on node '))).toEqual([]);
  });

  it('without the first-dump seed the kernel image and initrd are missing', () => {
    const r = replayMemblockFromDmesg(log, { seedFromFirstDump: false });
    expect(diffAgainstDump(r.snapshots[0]!.state, r.snapshots[0]!.dump)).not.toEqual([]);
  });
});

describe('allocation lines', () => {
  const call = (line: number, fn: string, kind: MemblockCall['kind'], base: number, end: number, more = {}) =>
    ({
      fn,
      kind,
      base,
      end,
      caller: kind === 'memblock_reserve' ? 'memblock_alloc_range_nid+0xb0/0x13d' : 'x+0/0',
      line,
      ...more,
    }) as MemblockCall;
  const calls: MemblockCall[] = [
    call(1, 'memblock_add', 'memblock_add', 0x1000, 0x80000000),
    call(2, 'memblock_alloc_try_nid', 'memblock_alloc', 0, 4096, { nid: 1, align: 64 }),
    call(3, 'memblock_reserve', 'memblock_reserve', 0x7ffff000, 0x80000000),
  ];

  it('6.1: the summary line is not applied, its own memblock_reserve line is (reserved once)', () => {
    const r = replayMemblockLog(calls);
    expect(r.applied).toBe(2);
    expect(r.final.reserved.regions()).toEqual([{ base: 0x7ffff000, size: 4096, nid: null, flags: 0 }]);
    expect(r.final.reserved.totalSize).toBe(4096);
  });

  it('newest: the allocator reserves with the requested nid and MEMBLOCK_RSRV_KERN', () => {
    const r = replayMemblockLog(calls, [], { version: 'newest' });
    expect(r.final.reserved.regions()).toEqual([
      { base: 0x7ffff000, size: 4096, nid: 1, flags: MEMBLOCK_FLAGS.MEMBLOCK_RSRV_KERN },
    ]);
  });

  it('memory added before memblock=debug (arm64 DT memory) is seeded from the first dump too', () => {
    const G = 0x40000000;
    const dump = (line: number, memory: [number, number][], reserved: [number, number][]) => ({
      line,
      memorySize: memory.reduce((a, [, sz]) => a + sz, 0),
      reservedSize: reserved.reduce((a, [, sz]) => a + sz, 0),
      memory: memory.map(([base, size]) => ({ base, size, nid: null, flags: 0 })),
      reserved: reserved.map(([base, size]) => ({ base, size, nid: null, flags: 0 })),
    });
    const log = [
      call(10, 'memblock_reserve', 'memblock_reserve', G, G + 0x200000, {
        caller: 'arm64_memblock_init+0x1/0x2',
      }),
      call(30, 'memblock_remove', 'memblock_remove', 3 * G, 4 * G, { caller: 'arm64_memblock_init+0x3/0x4' }),
    ];
    const r = replayMemblockLog(log, [
      dump(20, [[G, 3 * G]], [[G, 0x200000]]),
      dump(40, [[G, 2 * G]], [[G, 0x200000]]),
    ]);
    expect(r.steps.map((s) => s.what)).toContain(
      'memory added before memblock=debug: 1 range(s) taken from the first dump',
    );
    expect(r.unloggedReservations).toEqual([]);
    expect(diffAgainstDump(r.snapshots[1]!.state, r.snapshots[1]!.dump)).toEqual([]);
  });

  it('unknown calls are counted diagnostics with their line', () => {
    const r = replayMemblockLog([call(7, 'memblock_frobnicate', 'other', 0, 0)]);
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ code: 'MEMBLOCK_REPLAY_UNKNOWN_CALL', location: { file: 'dmesg', line: 7 } }),
    ]);
  });
});

// memblock_double_array() in a memblock=debug log: the model doubles at the kernel's count (memblock_add_range's
// cnt + nr_new > max) and picks the array's address with memblock_find_in_range() (top-down under current_limit);
// the kernel's `is doubled` line, printed inside the call that needed the room, is the oracle. Hand-made logs: no
// capture in traces/ ever doubled (the last describe).
describe('memblock_double_array against the log', () => {
  const call = (line: number, fn: string, kind: MemblockCall['kind'], base: number, end: number, more = {}) =>
    ({ fn, kind, base, end, caller: 'setup_arch+0x1/0x2', line, ...more }) as MemblockCall;
  const G = 0x40000000;
  // 1 GiB of memory above 1 MiB, current_limit raised past init_mem_mapping, then 129 reservations one page apart:
  // the 129th needs room in a 128-entry array
  const base = (): MemblockCall[] => {
    const out = [
      call(1, 'memblock_add', 'memblock_add', 0x100000, G, { caller: 'e820__memblock_setup+0x65/0x7d' }),
      call(2, 'memblock_reserve', 'memblock_reserve', 0x100000, 0x101000, {
        caller: 'init_mem_mapping+0x1/0x2',
      }),
    ];
    for (let i = 1; i <= 128; i++) {
      const a = 0x100000 + i * 0x2000;
      out.push(call(2 + i, 'memblock_reserve', 'memblock_reserve', a, a + 0x1000));
    }
    return out;
  };
  // 256 regions * 24 bytes = 6144 bytes, PAGE_ALIGNed to 8 KiB at the top of memory
  const doubled = (line: number, addr: number) =>
    call(line, 'memblock_double_array', 'memblock_double_array', addr, addr + 6144, {
      arrayType: 'reserved',
      newMax: 256,
      caller: 'memblock_double_array',
    });
  const arrayReserve = (line: number, addr: number) =>
    call(line, 'memblock_reserve', 'memblock_reserve', addr, addr + 0x2000, {
      caller: 'memblock_double_array+0x1f3/0x2a0',
    });
  const codes = (r: { diagnostics: readonly { code: string }[] }) =>
    r.diagnostics.map((d) => d.code).filter((c) => c.startsWith('MEMBLOCK_REPLAY_DOUBLE'));

  it('the log doubles where the model does: nothing to say, the array reserved from its own line', () => {
    const r = replayMemblockLog([...base(), doubled(131, G - 0x2000), arrayReserve(132, G - 0x2000)]);
    expect(r.final.events).toContainEqual({
      kind: 'double',
      type: 'reserved',
      newMax: 256,
      addr: G - 0x2000,
    });
    expect(r.final.reserved.max).toBe(256);
    expect(codes(r)).toEqual([]);
    expect(r.final.reserved.count).toBe(130);
  });

  it('a doubling elsewhere, an unprinted one and an unmodelled one are each said, at their line', () => {
    const elsewhere = replayMemblockLog([...base(), doubled(131, 0x20000000), arrayReserve(132, 0x20000000)]);
    expect(codes(elsewhere)).toEqual(['MEMBLOCK_REPLAY_DOUBLE_ELSEWHERE']);
    expect(
      elsewhere.diagnostics.find((d) => d.code === 'MEMBLOCK_REPLAY_DOUBLE_ELSEWHERE')!.message,
    ).toContain(`at 0x${(G - 0x2000).toString(16)}`);
    const unprinted = replayMemblockLog(base());
    expect(codes(unprinted)).toEqual(['MEMBLOCK_REPLAY_DOUBLE_UNLOGGED']);
    expect(unprinted.diagnostics.find((d) => d.code === 'MEMBLOCK_REPLAY_DOUBLE_UNLOGGED')!.location).toEqual(
      {
        file: 'dmesg',
        line: 130,
      },
    );
    const early = replayMemblockLog([...base().slice(0, 50), doubled(51, G - 0x2000)]);
    expect(codes(early)).toEqual(['MEMBLOCK_REPLAY_DOUBLE_UNMODELLED']);
  });
});

// The absence is the oracle on every memblock=debug capture: memblock=debug is parsed before memblock_allow_resize(),
// so any doubling would have printed `is doubled`; none did, and the model, at the kernel's counts, doubles nothing.
describe('memblock=debug captures: no `is doubled` line, no doubling in the model', () => {
  const LOGS = [
    ...TRACES.map((n) => [`traces/qemu/${n}/dmesg.txt`, 'v6.1'] as const),
    ['traces/kho-review-b-16g-2node/dmesg.txt', 'v6.1'] as const,
    ['traces/real-kho-c-8g-2node-luo-memfd/stage2-after-kexec/dmesg.txt', 'newest'] as const,
    ['traces/capture-real-kho-v7.3-rc7/stage2-after-kexec/dmesg.txt', 'newest'] as const,
    ['traces/capture-real-kho-v7.3-rc7/stage1-cold-boot/dmesg.txt', 'newest'] as const,
  ];
  it.each(LOGS)('%s', (file, version) => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/is doubled to|Failed to double/);
    const log = parseDmesg(text, file);
    expect(log.memblockCalls.length).toBeGreaterThan(100);
    const r = replayMemblockFromDmesg(log, { file, version });
    expect(r.final.events.filter((e) => e.kind === 'double' || e.kind === 'resize-refused')).toEqual([]);
    expect(r.diagnostics.map((d) => d.code).filter((c) => c.startsWith('MEMBLOCK_REPLAY_DOUBLE'))).toEqual(
      [],
    );
    expect(r.final.reserved.max).toBe(128);
  });
});
