// parseDmesg on every real log in traces/: what each file says, and that every line is accounted for.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDmesg } from '../../../parsers/dmesg/index.js';
import type { DmesgLog } from '../../../parsers/dmesg/index.js';

function parse(path: string): DmesgLog {
  return parseDmesg(readFileSync(new URL(`../../../traces/${path}`, import.meta.url), 'utf8'), path);
}
const MiB = 0x100000;

/**
 * Unknown lines per real log. Every kernel line of these logs is parsed or on the reviewed ignore list
 * (parsers/dmesg/ignored.ts, each shape with its reason); the only unknown lines left are the `#` separators
 * that we added to the transcribed snippets (their SOURCE.txt says so), which are not kernel output.
 */
const UNKNOWN: Record<string, number> = {
  'qemu/a-4g-1node/dmesg.txt': 0,
  'qemu/a-4g-1node/dmesg-raw.txt': 0,
  'qemu/a-4g-1node/serial-console.txt': 0,
  'qemu/b-16g-2node/dmesg.txt': 0,
  'qemu/b-16g-2node/dmesg-raw.txt': 0,
  'qemu/b-16g-2node/serial-console.txt': 0,
  'qemu/d-16g-2node-kernelcore/dmesg.txt': 0,
  'qemu/d-16g-2node-kernelcore/serial-console.txt': 0,
  'qemu/e-128g-2node/dmesg.txt': 0,
  'qemu/e-128g-2node/serial-console.txt': 0,
  'qemu/e2-128g-2node-quietconsole/dmesg.txt': 0,
  'qemu/e2-128g-2node-quietconsole-run2/dmesg.txt': 0,
  'qemu/e2-128g-2node-quietconsole-run3/dmesg-raw.txt': 0,
  'qemu/f-16g-2node-kexec/serial-console.txt': 0,
  'qemu/f-16g-2node-kexec/stage1-cold-boot/dmesg.txt': 0,
  'qemu/f-16g-2node-kexec/stage2-after-kexec/dmesg.txt': 0,
  'qemu/g-8g-2node-uefi/dmesg.txt': 0,
  'qemu/g-8g-2node-uefi/serial-console.txt': 0,
  'public/amd-5700u-proxmox-truncated-head/dmesg.txt': 0,
  'public/arm64-ampere-altra-mtjade-2s-512g-failboot/console-log.txt': 0,
  'public/arm64-huawei-taishan200-kunpeng920-4node-256g/dmesg-excerpt.txt': 0,
  'public/arm64-radxa-orion-o6-cix-p1-32g/dmesg.txt': 0,
  'public/hp-compaq-8000-journal-6.1/dmesg.txt': 0,
  'public/hp-dl585g7-4s-8node-1t/dmesg-excerpt.txt': 0,
  'public/nec-express5800-rhel6-2.6.32/dmesg.txt': 0,
  'public/riscv-spacemit-k3-32g/dmesg.txt': 0,
  'public/supermicro-h13dsg-genoa-2s-1.5t/dmesg.txt': 0,
  'public/supermicro-x8sie-memmap-pmem/dmesg.txt': 0,
  'public/x86-huananzhi-x99-qd4-xeon-32g/dmesg.txt': 0,
  'public/memblock-debug-snippets/arm-cubox-i-3.14-memblock-debug-good.txt': 0,
  'public/memblock-debug-snippets/arm-cubox-i-3.14-memblock-debug-with-bug.txt': 0,
  // `# before the fix ...` and `# with the fix applied:` separators; plus the bad region (DMESG_BAD_VALUE).
  'public/memblock-debug-snippets/riscv-5.3-memblock-dump-dtb-underflow.txt': 3,
  // `# existing code ...` and `# with the patch ...` separators.
  'public/ppc64-1t-8node-deferred-timing-before-after/deferred-timings.txt': 2,
};

describe('every line of every real log is accounted for', () => {
  for (const [path, unknown] of Object.entries(UNKNOWN)) {
    it(`${path}: ${unknown} unknown`, () => {
      const log = parse(path);
      expect(log.unknownLines).toBe(unknown);
      expect(log.parsedLines + log.unknownLines).toBe(log.totalLines);
      expect(Object.values(log.ignoredReasons).reduce((a, b) => a + b, 0)).toBe(log.ignoredLines);
      expect(log.ignoredReasons['ignored']).toBeUndefined(); // every ignored line has its reason
      const unknownDiags = log.diagnostics.filter(
        (d) =>
          d.code === 'DMESG_UNKNOWN_LINE' || d.code === 'DMESG_BAD_VALUE' || d.code === 'DMESG_LONG_LINE',
      );
      expect(unknownDiags.length).toBe(unknown);
      for (const d of unknownDiags) expect(d.location?.line).toBeGreaterThan(0);
    });
  }
});

describe('qemu b-16g-2node (Debian 6.1, two nodes)', () => {
  const log = parse('qemu/b-16g-2node/dmesg.txt');

  it('banner and command line', () => {
    expect(log.kernelRelease).toBe('6.1.0-56-amd64');
    expect(log.commandLine).toBe(
      'console=ttyS0,115200 loglevel=8 memblock=debug mminit_loglevel=4 panic=-1 rdinit=/init',
    );
    expect(log.bootLines).toEqual([1]);
    expect(log.headTruncated).toBe(false);
    expect(log.timestampKinds).toEqual({ monotonic: 588 });
  });

  it('e820: ten entries, inclusive ends read as half-open', () => {
    expect(log.e820.length).toBe(10);
    expect(log.e820[0]).toEqual({ start: 0, end: 0x9fc00, type: 'usable' });
    expect(log.e820[3]).toEqual({ start: 0x100000, end: 0x7ffe0000, type: 'usable' });
    expect(log.e820[8]).toEqual({ start: 0x100000000, end: 0x480000000, type: 'usable' });
    expect(log.e820[9]).toEqual({ start: 0xfd00000000, end: 0x10000000000, type: 'reserved' });
    expect(log.e820Edits.map((e) => [e.op, e.start, e.end, e.toType])).toEqual([
      ['update', 0, 0x1000, 'reserved'],
      ['remove', 0xa0000, 0x100000, null],
    ]);
  });

  it('SRAT, NUMA merges and NODE_DATA', () => {
    expect(log.srat).toEqual([
      { nid: 0, start: 0, end: 0xa0000 },
      { nid: 0, start: 0x100000, end: 0x80000000 },
      { nid: 0, start: 0x100000000, end: 0x280000000 },
      { nid: 1, start: 0x280000000, end: 0x480000000 },
    ]);
    expect(log.numaMerges.map((m) => m.merged)).toEqual([
      { start: 0, end: 0x80000000 },
      { start: 0, end: 0x280000000 },
    ]);
    expect(log.nodeData.map((n) => [n.nid, n.start, n.end])).toEqual([
      [0, 0x27ffd5000, 0x280000000],
      [1, 0x47ffd4000, 0x47ffff000],
    ]);
  });

  it('zone ranges, four early node ranges, Initmem setup', () => {
    expect(log.zoneRanges).toEqual([
      { zone: 'DMA', start: 0x1000, end: 0x1000000 },
      { zone: 'DMA32', start: 0x1000000, end: 0x100000000 },
      { zone: 'Normal', start: 0x100000000, end: 0x480000000 },
      { zone: 'Device', start: null, end: null },
    ]);
    expect(log.movableZoneStart).toEqual({});
    expect(log.earlyNodeRanges).toEqual([
      { nid: 0, start: 0x1000, end: 0x9f000 },
      { nid: 0, start: 0x100000, end: 0x7ffe0000 },
      { nid: 0, start: 0x100000000, end: 0x280000000 },
      { nid: 1, start: 0x280000000, end: 0x480000000 },
    ]);
    expect(log.initmemSetup).toEqual([
      { nid: 0, start: 0x1000, end: 0x280000000 },
      { nid: 1, start: 0x280000000, end: 0x480000000 },
    ]);
  });

  it('unavailable ranges, memmap_init lines, deferred init, Memory:', () => {
    expect(log.unavailable).toEqual([
      { nid: 0, zone: 'DMA', pages: 1, line: 152, time: 0.031117 },
      { nid: 0, zone: 'DMA', pages: 97, line: 153, time: 0.031314 },
      { nid: 0, zone: 'Normal', pages: 32, line: 154, time: 0.04799 },
    ]);
    expect(log.memmapInit.map((m) => [m.nid, m.zoneIndex, m.startPfn, m.endPfn])).toEqual([
      [0, 0, 1, 4096],
      [0, 1, 4096, 1048576],
      [0, 2, 1048576, 2621440],
      [1, 2, 2621440, 4718592],
    ]);
    expect(log.deferredInit).toEqual([
      { nid: 0, ms: 220, line: 388, time: 1.14078 },
      { nid: 1, ms: 320, line: 389, time: 1.251172 },
    ]);
    expect(log.memoryAvailable).toEqual([
      {
        availableKiB: 2290296,
        totalKiB: 16776696,
        reservedKiB: 387444,
        cmaReservedKiB: 0,
        absentKiB: null,
        time: 0.298431,
        line: 292,
      },
    ]);
    // 17 mminit:: lines: 4 memmap_init ranges above, 13 others (pageflags layout, zonelists).
    expect(log.mminit.length).toBe(13);
  });
});

describe('other qemu layouts', () => {
  it('d-16g-2node-kernelcore: Movable zone start per node', () => {
    const log = parse('qemu/d-16g-2node-kernelcore/dmesg.txt');
    expect(log.movableZoneStart).toEqual({ 0: 0x140400000, 1: 0x340000000 });
    expect(log.deferredInit.map((d) => d.ms)).toEqual([188, 200]);
  });

  it('g-8g-2node-uefi: 251 efi=debug memory map lines and the holes they make', () => {
    const log = parse('qemu/g-8g-2node-uefi/dmesg.txt');
    expect(log.efi.length).toBe(251);
    expect(log.efi[0]).toEqual({ start: 0, end: 0x87000, type: 'Conventional' });
    expect(log.efi[1]).toEqual({ start: 0x87000, end: 0x88000, type: 'Boot Data' });
    expect(log.e820.length).toBe(18);
    expect(log.earlyNodeRanges.length).toBe(9);
    expect(log.unavailable.map((u) => u.pages)).toEqual([1, 96, 8, 1, 240, 193, 786, 176]);
  });

  it('f-16g-2node-kexec: the serial console holds both boots; stage2 has the setup_data map', () => {
    const both = parse('qemu/f-16g-2node-kexec/serial-console.txt');
    expect(both.bootLines).toEqual([1, 595]);
    expect(both.kexecMarkers.map((k) => k.line)).toEqual([594]);
    expect(both.diagnostics.some((d) => d.code === 'DMESG_MULTIPLE_BOOTS')).toBe(true);
    expect(both.deferredInit.map((d) => d.ms)).toEqual([144, 168, 60, 84]);
    const stage1 = parse('qemu/f-16g-2node-kexec/stage1-cold-boot/dmesg.txt');
    const stage2 = parse('qemu/f-16g-2node-kexec/stage2-after-kexec/dmesg.txt');
    // The serial console's calls are the two boots' calls, in order.
    expect(both.memblockCalls.length).toBe(stage1.memblockCalls.length + stage2.memblockCalls.length);
    expect(stage1.setupDataE820.length).toBe(0);
    expect(stage2.setupDataE820.length).toBe(11);
  });
});

describe('public logs: formats and layouts', () => {
  it('amd-5700u: the head is cut inside Early memory node ranges', () => {
    const log = parse('public/amd-5700u-proxmox-truncated-head/dmesg.txt');
    expect(log.headTruncated).toBe(true);
    expect(log.kernelRelease).toBeNull();
    expect(log.earlyNodeRanges[0]).toEqual({ nid: 0, start: 0xa001000, end: 0xa200000 });
    expect(log.earlyNodeRanges.length).toBe(6);
    expect(log.unavailable.length).toBe(9);
    expect(log.memoryAvailable[0]).toMatchObject({ availableKiB: 32110180, totalKiB: 32930504 });
  });

  it('hp-dl585g7: dmesg -H relative times, eight nodes, deferred init in completion order', () => {
    const log = parse('public/hp-dl585g7-4s-8node-1t/dmesg-excerpt.txt');
    // 375 lines: 367 records (the `[Jun21 23:09]` header and `[  +0.000002]` deltas) and 8 blank lines.
    expect(log.timestampKinds).toEqual({ relative: 367 });
    expect(log.totalLines).toBe(375);
    expect(log.kernelRelease).toBe('5.19.0-rc2+');
    expect(log.initmemSetup.map((r) => r.nid)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(log.deferredInit.map((d) => [d.nid, d.ms])).toEqual([
      [1, 419],
      [6, 417],
      [5, 419],
      [3, 421],
      [0, 439],
      [7, 457],
      [2, 483],
      [4, 489],
    ]);
    expect(log.unavailable.filter((u) => u.nid === 7)).toMatchObject([{ zone: 'Normal', pages: 4097 }]);
    expect(log.reservedMem).toMatchObject([{ kind: 'crashkernel', start: 0x9d000000, end: 0xbd000000 }]);
  });

  it('hp-compaq-8000: journalctl `host kernel:` prefix', () => {
    const log = parse('public/hp-compaq-8000-journal-6.1/dmesg.txt');
    expect(log.kernelRelease).toBe('6.1.1-arch1-4-hpe8k');
    expect(log.e820.length).toBe(10);
    expect(log.zoneRanges.map((z) => z.zone)).toEqual(['DMA', 'DMA32', 'Normal']);
    expect(log.unavailable.map((u) => u.pages)).toEqual([1, 97, 10335, 16384]);
    // journalctl -b interleaves 68 userspace records (systemd, ...): ignored as not kernel messages.
    const userspace = Object.entries(log.ignoredReasons).find(([why]) => why.startsWith('userspace record'));
    expect(userspace?.[1]).toBe(68);
  });

  it('nec-express5800 2.6.32: no timestamps, old e820, PFN zone ranges and early_node_map', () => {
    const log = parse('public/nec-express5800-rhel6-2.6.32/dmesg.txt');
    expect(log.timestampKinds).toEqual({ none: 1358 });
    expect(log.e820.length).toBe(14);
    // 2.6 printed `start - end` with an exclusive end.
    expect(log.e820[0]).toEqual({ start: 0, end: 0x9c400, type: 'usable' });
    expect(log.e820[13]).toEqual({ start: 0x100000000, end: 0x440000000, type: 'usable' });
    expect(log.zoneRangesPfn).toEqual([
      { zone: 'DMA', startPfn: 0x10, endPfn: 0x1000 },
      { zone: 'DMA32', startPfn: 0x1000, endPfn: 0x100000 },
      { zone: 'Normal', startPfn: 0x100000, endPfn: 0x440000 },
    ]);
    expect(log.earlyNodeMapPfn).toEqual([
      { nid: 0, startPfn: 0x10, endPfn: 0x9c },
      { nid: 0, startPfn: 0x100, endPfn: 0xbf7a0 },
      { nid: 0, startPfn: 0x100000, endPfn: 0x440000 },
    ]);
    expect(log.fakeNode).toEqual({ start: 0, end: 0x440000000 });
    expect(log.nodeTotalPages).toEqual({ 0: 4192044 });
    expect(log.memoryAvailable[0]).toMatchObject({
      availableKiB: 16306048,
      totalKiB: 17825792,
      absentKiB: 1057616,
    });
    expect(log.reservedMem).toEqual([
      { kind: 'crashkernel', start: 48 * MiB, end: 178 * MiB, name: 'crashkernel', nomap: false, line: 104 },
    ]);
  });

  it('supermicro-x8sie: user-defined RAM map from memmap=8G!8G with the type 12 pmem hole', () => {
    const log = parse('public/supermicro-x8sie-memmap-pmem/dmesg.txt');
    expect(log.e820.length).toBe(13);
    expect(log.userE820.length).toBe(15);
    expect(log.userE820[13]).toEqual({ start: 0x200000000, end: 0x400000000, type: 'persistent (type 12)' });
    // `e820: [mem ..] available for PCI devices` is not an e820 table entry.
    expect(log.e820.every((e) => e.type !== 'available for PCI devices')).toBe(true);
  });

  it('supermicro-h13dsg (Genoa, 1.5 TiB): deferred init and the unavailable holes', () => {
    const log = parse('public/supermicro-h13dsg-genoa-2s-1.5t/dmesg.txt');
    expect(log.e820.length).toBe(38);
    expect(log.srat.length).toBe(5);
    expect(log.deferredInit.map((d) => [d.nid, d.ms])).toEqual([
      [1, 172],
      [0, 178],
    ]);
    expect(log.unavailable.map((u) => `${u.nid}/${u.zone}/${u.pages}`)).toEqual([
      '0/DMA/1',
      '0/DMA/96',
      '0/DMA32/168',
      '0/DMA32/512',
      '0/DMA32/31236',
      '0/Normal/3',
      '1/Normal/12096',
    ]);
    expect(log.memoryAvailable[0]).toMatchObject({ availableKiB: 2007276, totalKiB: 1610305216 });
  });

  it('arm64 kunpeng920: four nodes, 37 early ranges, the 5.x Zeroed total', () => {
    const log = parse('public/arm64-huawei-taishan200-kunpeng920-4node-256g/dmesg-excerpt.txt');
    expect([...new Set(log.earlyNodeRanges.map((r) => r.nid))]).toEqual([0, 1, 2, 3]);
    expect(log.earlyNodeRanges.length).toBe(37);
    expect(log.zeroedUnavailablePages).toBe(697);
    expect(log.deferredInit).toEqual([]);
    expect(log.nodeData.map((n) => n.nid)).toEqual([null, null, null, null]);
  });

  it('arm64 radxa: Faking a node, deferred line before Memory:', () => {
    const log = parse('public/arm64-radxa-orion-o6-cix-p1-32g/dmesg.txt');
    expect(log.fakeNode).toEqual({ start: 0x80000000, end: 0x8080000000 });
    expect(log.deferredInit).toMatchObject([{ nid: 0, ms: 28 }]);
    expect(log.deferredInit[0]!.line).toBeLessThan(log.memoryAvailable[0]!.line);
  });

  it('riscv spacemit: dmesg -T wall clock, OF reserved-mem nomap regions and CMA', () => {
    const log = parse('public/riscv-spacemit-k3-32g/dmesg.txt');
    expect(log.timestampKinds).toEqual({ wallclock: 754 });
    expect(log.memblockCalls.every((c) => c.time === undefined)).toBe(true);
    expect(log.zoneRanges).toEqual([{ zone: 'Normal', start: 0x102000000, end: 0x900000000 }]);
    const of = log.reservedMem.filter((r) => r.kind === 'of-reserved-mem');
    expect(of.length).toBe(18);
    expect(of.filter((r) => r.nomap).length).toBe(17);
    expect(log.reservedMem.find((r) => r.kind === 'cma')).toMatchObject({
      start: 0x140000000,
      end: 0x160000000,
    });
  });

  it('ppc64: sixteen deferred-init lines from two runs', () => {
    const log = parse('public/ppc64-1t-8node-deferred-timing-before-after/deferred-timings.txt');
    expect(log.deferredInit.length).toBe(16);
    expect(log.deferredInit.slice(8).map((d) => d.ms)).toEqual([90, 90, 100, 100, 100, 110, 110, 110]);
  });
});

describe('one boot of a capture across kexec', () => {
  const text = readFileSync(
    new URL('../../../traces/qemu/f-16g-2node-kexec/serial-console.txt', import.meta.url),
    'utf8',
  );
  const stage1 = parse('qemu/f-16g-2node-kexec/stage1-cold-boot/dmesg.txt');
  const stage2 = parse('qemu/f-16g-2node-kexec/stage2-after-kexec/dmesg.txt');

  it('boot 0 of the serial console is the cold boot, up to the kexec', () => {
    const log = parseDmesg(text, 'serial-console.txt', { boot: 0 });
    expect(log.memblockCalls.map((c) => [c.fn, c.base, c.end])).toEqual(
      stage1.memblockCalls.map((c) => [c.fn, c.base, c.end]),
    );
    expect(log.deferredInit.map((d) => d.ms)).toEqual([144, 168]);
    expect(log.kexecMarkers.map((k) => k.line)).toEqual([594]);
    expect(log.otherBootLines).toBe(log.totalLines - 594);
    expect(log.parsedLines + log.unknownLines).toBe(log.totalLines);
  });

  it("'last' is the kernel booted by kexec, with the setup_data map", () => {
    const log = parseDmesg(text, 'serial-console.txt', { boot: 'last' });
    expect(log.memblockCalls.length).toBe(stage2.memblockCalls.length);
    expect(log.memblockDumps.map((d) => d.memory)).toEqual(stage2.memblockDumps.map((d) => d.memory));
    expect(log.deferredInit.map((d) => d.ms)).toEqual([60, 84]);
    expect(log.setupDataE820.length).toBe(11);
    expect(log.otherBootLines).toBe(594);
    expect(log.diagnostics.some((d) => d.code === 'DMESG_MULTIPLE_BOOTS')).toBe(false);
  });

  it('a boot the log does not have is a TraceError', () => {
    expect(() => parseDmesg(text, 'serial-console.txt', { boot: 2 })).toThrow(/DMESG_ERR_NO_SUCH_BOOT/);
    // A log without any banner (head cut off) is one boot.
    const cut = parseDmesg('  node   0: [mem 0x0000000000001000-0x000000000009efff]\n', 'cut', {
      boot: 'last',
    });
    expect(cut.earlyNodeRanges.length).toBe(1);
  });
});
