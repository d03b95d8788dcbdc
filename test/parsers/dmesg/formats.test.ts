// Prefix variants, glued records and made-up edge cases (test/fixtures/dmesg/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDmesg, splitPrefix } from '../../../parsers/dmesg/index.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/dmesg/${name}`, import.meta.url), 'utf8');
}
const ZONE = 'Zone ranges:';

describe('splitPrefix: every timestamp and prefix form of boot-pipeline.md 4.7', () => {
  const cases: Array<[string, string, object]> = [
    ['[    0.016476] Zone ranges:', 'monotonic', { time: 0.016476 }],
    ['[12345.678901] Zone ranges:', 'monotonic', { time: 12345.678901 }],
    ['<6>[    0.000100] Zone ranges:', 'monotonic', { time: 0.0001, level: 6 }],
    ['[    0.000000][    T0] Zone ranges:', 'monotonic', { time: 0 }],
    ['[    2.500000][  C1] Zone ranges:', 'monotonic', { time: 2.5 }],
    ['6,123,456789,-;Zone ranges:', 'kmsg', { time: 0.456789, level: 6 }],
    ['[Tue Jan 20 10:17:44 2026] Zone ranges:', 'wallclock', {}],
    ['[Jun21 23:09] Zone ranges:', 'relative', {}],
    ['[  +0.000002] Zone ranges:', 'relative', {}],
    ['Mar 05 12:00:00 host kernel: Zone ranges:', 'wallclock', {}],
    ['Mar  5 12:00:00.123456 host kernel: Zone ranges:', 'wallclock', {}],
    ['2024-03-05T12:00:00+0000 host kernel: Zone ranges:', 'wallclock', {}],
    ['2024-03-05T12:00:00.123456+01:00 host kernel: Zone ranges:', 'wallclock', {}],
    ['[    0.000000] lit.home.arpa kernel: Zone ranges:', 'monotonic', { time: 0 }],
    ['Zone ranges:', 'none', {}],
    ['kern  :info  : [    0.029923] Zone ranges:', 'monotonic', { time: 0.029923 }],
    ['1709640000.123456 host kernel: Zone ranges:', 'wallclock', {}],
  ];
  for (const [line, kind, extra] of cases) {
    it(`${kind}: ${line.slice(0, 40)}`, () => {
      const p = splitPrefix(line);
      expect(p).toMatchObject({ kind, ...extra });
      expect(line.slice(p.msgStart)).toBe(ZONE);
    });
  }
  it('a userspace journal record is flagged, a bare `X kernel:` message keeps its words', () => {
    expect(splitPrefix('Mar 05 12:00:00 host systemd[1]: Started x').userspace).toBe(true);
    expect(splitPrefix('Loading kernel: foo').msgStart).toBe(0);
  });
});

describe('parseDmesg on the same log in every prefix form', () => {
  const body = [
    'Linux version 6.1.0-56-amd64 (x) #1 SMP',
    'BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
    'Zone ranges:',
    '  DMA      [mem 0x0000000000001000-0x0000000000ffffff]',
    '  Normal   empty',
    'Early memory node ranges',
    '  node   0: [mem 0x0000000000001000-0x000000000009efff]',
    'node 0 deferred pages initialised in 44ms',
  ];
  const forms: Record<string, (m: string, i: number) => string> = {
    monotonic: (m, i) => `[    0.00${i}000] ${m}`,
    level: (m, i) => `<6>[    0.00${i}000] ${m}`,
    caller: (m, i) => `[    0.00${i}000][    T0] ${m}`,
    kmsg: (m, i) => `6,${i},${i}000,-;${m}`,
    ctime: (m) => `[Tue Mar  5 12:00:00 2024] ${m}`,
    reltime: (m, i) => (i === 0 ? `[Mar 5 12:00] ${m}` : `[  +0.00000${i}] ${m}`),
    journal: (m) => `Mar 05 12:00:00 host kernel: ${m}`,
    iso: (m) => `2024-03-05T12:00:00+0000 host kernel: ${m}`,
    monotonicJournal: (m, i) => `[    0.00${i}000] host kernel: ${m}`,
    decode: (m, i) => `kern  :info  : [    0.00${i}000] ${m}`,
    shortPrecise: (m) => `Mar 05 12:00:00.123456 host kernel: ${m}`,
    // Debian kern.log / rsyslog: syslog time and host, the printk time still in the message
    syslogPrintk: (m, i) => `Mar  5 12:00:00 host kernel: [    0.00${i}000] ${m}`,
    rsyslogIso: (m, i) => `2024-03-05T12:00:00.123456+00:00 host kernel: [    0.00${i}000] ${m}`,
    // ChromeOS /var/log/messages: ISO time, severity word and tag, no host
    chromeos: (m, i) => `2024-03-05T12:00:00.123456Z INFO kernel: [    0.00${i}000] ${m}`,
    none: (m) => m,
  };
  for (const [name, fmt] of Object.entries(forms)) {
    it(name, () => {
      const log = parseDmesg(body.map(fmt).join('\n') + '\n', name);
      expect(log.unknownLines).toBe(0);
      expect(log.totalLines).toBe(body.length);
      expect(log.kernelRelease).toBe('6.1.0-56-amd64');
      expect(log.e820).toEqual([{ start: 0, end: 0x9fc00, type: 'usable' }]);
      expect(log.zoneRanges).toEqual([
        { zone: 'DMA', start: 0x1000, end: 0x1000000 },
        { zone: 'Normal', start: null, end: null },
      ]);
      expect(log.earlyNodeRanges).toEqual([{ nid: 0, start: 0x1000, end: 0x9f000 }]);
      expect(log.deferredInit).toMatchObject([{ nid: 0, ms: 44, line: 8 }]);
      // Seconds since boot only where the prefix gives them (the 8th record is printed at 0.007 s).
      const seconds = [
        'monotonic',
        'level',
        'caller',
        'kmsg',
        'monotonicJournal',
        'decode',
        'syslogPrintk',
        'rsyslogIso',
        'chromeos',
      ].includes(name);
      expect(log.deferredInit[0]?.time).toBe(seconds ? 0.007 : undefined);
    });
  }
  it('journalctl -o verbose: MESSAGE= of kernel records, time from _SOURCE_MONOTONIC_TIMESTAMP', () => {
    const record = (m: string, i: number): string[] => [
      `Tue 2024-03-05 12:00:00.12345${i} UTC [s=3f2a;i=${i};b=9c1d;m=${i}000;t=61b2;x=77aa]`,
      `    _SOURCE_MONOTONIC_TIMESTAMP=${i}000`,
      '    _TRANSPORT=kernel',
      '    PRIORITY=6',
      '    SYSLOG_IDENTIFIER=kernel',
      `    MESSAGE=${m}`,
      '    _BOOT_ID=9c1d',
      '    _HOSTNAME=host',
    ];
    const user = [
      'Tue 2024-03-05 12:00:01.000000 UTC [s=3f2a;i=99;b=9c1d;m=99;t=61b3;x=77ab]',
      '    SYSLOG_IDENTIFIER=systemd',
      '    MESSAGE=Zone ranges:',
    ];
    const text = [...body.flatMap(record), ...user].join('\n') + '\n';
    const log = parseDmesg(text, 'verbose');
    expect(log.unknownLines).toBe(0);
    expect(log.kernelRelease).toBe('6.1.0-56-amd64');
    expect(log.e820).toEqual([{ start: 0, end: 0x9fc00, type: 'usable' }]);
    expect(log.zoneRanges).toHaveLength(2);
    expect(log.earlyNodeRanges).toEqual([{ nid: 0, start: 0x1000, end: 0x9f000 }]);
    expect(log.deferredInit).toMatchObject([{ nid: 0, ms: 44, time: 0.007 }]);
    expect(log.ignoredReasons['journalctl -o verbose record header']).toBe(body.length + 1);
  });

  it('CRLF line ends and a missing final newline', () => {
    const log = parseDmesg(body.join('\r\n'), 'crlf');
    expect(log.unknownLines).toBe(0);
    expect(log.e820[0]?.type).toBe('usable');
  });
});

describe('fixtures', () => {
  it('kmsg.txt: /dev/kmsg records, dictionary lines, times in microseconds, a dump with flags', () => {
    const log = parseDmesg(fixture('kmsg.txt'), 'kmsg.txt');
    expect(log.unknownLines).toBe(0);
    expect(log.ignoredLines).toBe(2); // the two dictionary lines
    expect(log.memblockDumps).toEqual([
      {
        line: 4,
        time: 0.01647,
        memorySize: 0x200000,
        reservedSize: 0x1000,
        memoryCnt: 1,
        reservedCnt: 1,
        memory: [{ base: 0x100000, size: 0x200000, nid: 0, flags: 0 }],
        reserved: [{ base: 0x100000, size: 0x1000, nid: null, flags: 4 }],
      },
    ]);
    expect(log.memblockCalls).toMatchObject([
      { fn: 'memblock_reserve', base: 0x98000, end: 0x9f000, time: 0.031314 },
    ]);
  });

  it('glued-records.txt: 6.1 prints the unavailable line without a newline; the next record is split off', () => {
    const log = parseDmesg(fixture('glued-records.txt'), 'glued-records.txt');
    expect(log.unavailable.map((u) => [u.nid, u.zone, u.pages, u.line, u.time])).toEqual([
      [0, 'DMA', 1, 1, 0.031117],
      // the glued record keeps its own timestamp
      [0, 'DMA', 97, 1, 0.031314],
      [0, 'Normal', 32, 2, 0.04799],
      [1, 'Normal', 5, 3, 0.05],
    ]);
    expect(log.memblockCalls).toMatchObject([{ fn: 'memblock_reserve', base: 0x98000, line: 2 }]);
    // The glued unknown record is reported at its own column.
    const unk = log.diagnostics.filter((d) => d.code === 'DMESG_UNKNOWN_LINE');
    expect(unk.map((d) => d.location)).toEqual([{ file: 'glued-records.txt', line: 3, column: 84 }]);
    expect(log.unknownLines).toBe(1);
    expect(log.deferredInit).toEqual([{ nid: 0, ms: 220, line: 4, time: 1.14078 }]);
  });
});

describe('old and new shapes of the memory lines', () => {
  it('old deferred forms: `initialised, N pages in`, and kswapd', () => {
    const log = parseDmesg(
      'node 3 initialised, 1048576 pages in 12ms\nkswapd 1 initialised deferred memory in 30ms\n',
      'old',
    );
    expect(log.deferredInit).toEqual([
      { nid: 3, ms: 12, line: 1 },
      { nid: 1, ms: 30, line: 2 },
    ]);
  });

  it('memblock_add_node and __memblock_reserve with nid and flags; memblock_free; free_late is `other`', () => {
    const log = parseDmesg(
      [
        'memblock_add_node: [0x0000000100000000-0x000000017fffffff] nid=1 flags=0 acpi_numa_memory_affinity_init+0x1/0x2',
        '__memblock_reserve: [0x0000000001000000-0x0000000001ffffff] nid=-1 flags=20 setup_arch+0x1/0x2',
        'memblock_free: [0x0000000001000000-0x0000000001000fff] free_x+0x1/0x2',
        '__memblock_free_late: [0x0000000002000000-0x0000000002000fff] kho_y+0x1/0x2',
        'memblock_reserve: [0x0000000003000000-0x0000000002ffffff] zero_size+0x1/0x2',
      ].join('\n'),
      'new',
    );
    expect(log.memblockCalls.map((c) => [c.kind, c.base, c.end, c.nid, c.flags])).toEqual([
      ['memblock_add_node', 0x100000000, 0x180000000, 1, 0],
      ['memblock_reserve', 0x1000000, 0x2000000, -1, 0x20],
      ['memblock_free', 0x1000000, 0x1001000, undefined, undefined],
      ['other', 0x2000000, 0x2001000, undefined, undefined],
      // size 0: the kernel prints base + size - 1.
      ['memblock_reserve', 0x3000000, 0x3000000, undefined, undefined],
    ]);
  });

  it('an empty memblock type prints one zero-size region whose end wraps: read as size 0', () => {
    const log = parseDmesg(
      [
        'MEMBLOCK configuration:',
        ' memory size = 0x0000000000000000 reserved size = 0x0000000000000000',
        ' memory.cnt  = 0x1',
        ' memory[0x0]\t[0x0000000000000000-0xffffffffffffffff], 0x0000000000000000 bytes flags: 0x0',
        ' reserved.cnt  = 0x1',
        ' reserved[0x0]\t[0x0000000000000000-0xffffffffffffffff], 0x0000000000000000 bytes flags: 0x0',
      ].join('\n'),
      'empty',
    );
    expect(log.unknownLines).toBe(0);
    expect(log.memblockDumps[0]?.memory).toEqual([{ base: 0, size: 0, nid: null, flags: 0 }]);
  });

  it('KHO lines, Initmem memoryless, NODE_DATA off-node and Movable zone start', () => {
    const log = parseDmesg(
      [
        'KHO: found kexec handover data.',
        'KHO: scratch areas: lowmem: 64MiB global: 512MiB pernode: 256MiB',
        'Initmem setup node 2 as memoryless',
        'Movable zone start for each node',
        '  Node 0: 0x0000000140400000',
        '  Node 1: 0x0000000340000000',
        "Revived memory reservation 'test' from KHO",
      ].join('\n'),
      'kho',
    );
    expect(log.khoLines).toEqual([
      'KHO: found kexec handover data.',
      'KHO: scratch areas: lowmem: 64MiB global: 512MiB pernode: 256MiB',
      "Revived memory reservation 'test' from KHO",
    ]);
    expect(log.kho.map((k) => k.line)).toEqual([1, 2, 7]);
    expect(log.khoSummary).toEqual({
      found: true,
      disabled: false,
      invalidFdt: null,
      scratchScalePercent: null,
      scratchMiB: { lowmem: 64, global: 512, pernode: 256 },
      revived: ['test'],
    });
    expect(log.memorylessNodes).toEqual([2]);
    expect(log.movableZoneStart).toEqual({ 0: 0x140400000, 1: 0x340000000 });
    expect(log.unknownLines).toBe(0);
  });
});

describe('indented logs (quoted in mails, syzbot reports)', () => {
  it('a tab-and-space indented log reads like the plain one', () => {
    const text = [
      '\t Linux version 6.1.0 (x) #1',
      '\t Zone ranges:',
      '\t   DMA      [mem 0x0000000000001000-0x0000000000ffffff]',
      '\t Early memory node ranges',
      '\t   node   0: [mem 0x0000000000001000-0x000000000009efff]',
      '\t Initmem setup node 0 [mem 0x0000000000001000-0x000000000009efff]',
      '\t On node 0, zone DMA: 1 pages in unavailable ranges',
    ].join('\n');
    const log = parseDmesg(text, 'indented');
    expect(log.unknownLines).toBe(0);
    expect(log.kernelRelease).toBe('6.1.0');
    expect(log.zoneRanges).toEqual([{ zone: 'DMA', start: 0x1000, end: 0x1000000 }]);
    expect(log.initmemSetup).toEqual([{ nid: 0, start: 0x1000, end: 0x9f000 }]);
    expect(log.unavailable).toMatchObject([{ nid: 0, zone: 'DMA', pages: 1 }]);
  });
});

describe('NUMA details', () => {
  it('SRAT hotplug and non-volatile suffixes, NODE_DATA off-node, the arch NUMA Initmem copy', () => {
    const log = parseDmesg(
      [
        'ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x7fffffff]',
        'ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x17fffffff] hotplug',
        'ACPI: SRAT: Node 2 PXM 2 [mem 0x180000000-0x1ffffffff] hotplug non-volatile',
        'NODE_DATA(2) allocated [mem 0x7ffd5000-0x7fffffff]',
        '    NODE_DATA(2) on node 0',
        'NUMA: Initmem setup node 0 [mem 0x00000000-0x7fffffff]',
      ].join('\n'),
      'numa',
    );
    expect(log.srat).toEqual([
      { nid: 0, start: 0, end: 0x80000000 },
      { nid: 1, start: 0x100000000, end: 0x180000000, hotplug: true },
      { nid: 2, start: 0x180000000, end: 0x200000000, hotplug: true, nonVolatile: true },
    ]);
    expect(log.nodeData).toEqual([{ nid: 2, start: 0x7ffd5000, end: 0x80000000, line: 4, onNode: 0 }]);
    expect(log.unknownLines).toBe(0);
    expect(log.ignoredLines).toBe(1);
  });

  it('NODE_DATA on node without its allocation line is a bad value', () => {
    const log = parseDmesg('    NODE_DATA(1) on node 0', 'numa');
    expect(log.diagnostics.map((d) => d.code)).toEqual(['DMESG_BAD_VALUE']);
  });
});

describe('pr_cont records split on a busy console (boot-pipeline.md 4.7)', () => {
  it('zone name and range, e820 range and type word, each on their own record, are joined', () => {
    const log = parseDmesg(
      [
        '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] ',
        '[    0.000000] usable',
        '[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved; crypto-capable',
        '[    0.029923] Zone ranges:',
        '[    0.029940]   DMA      ',
        '[    0.029941] [mem 0x0000000000001000-0x0000000000ffffff]',
        '[    0.030003]   Device   ',
        '[    0.030004] empty',
        '[    0.030014] Movable zone start for each node',
      ].join('\n'),
      'split',
    );
    expect(log.e820).toEqual([
      { start: 0, end: 0x9fc00, type: 'usable' },
      { start: 0x9fc00, end: 0xa0000, type: 'reserved', cryptoCapable: true },
    ]);
    expect(log.zoneRanges).toEqual([
      { zone: 'DMA', start: 0x1000, end: 0x1000000 },
      { zone: 'Device', start: null, end: null },
    ]);
    expect(log.unknownLines).toBe(0);
  });

  it('a cut record whose second half never comes is reported, and the next line is still read', () => {
    const log = parseDmesg(
      ['BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]', 'Linux version 6.1.0 x'].join('\n'),
      'cut',
    );
    expect(log.e820).toEqual([{ start: 0, end: 0x9fc00, type: 'unknown' }]);
    expect(log.kernelRelease).toBe('6.1.0');
    expect(log.diagnostics.map((d) => [d.code, d.location])).toEqual([
      ['DMESG_CUT_RECORD', { file: 'cut', line: 1, column: 1 }],
    ]);
  });
});

describe('2.6-era PFN tables', () => {
  it('Zone PFN ranges with an empty zone, Movable zone start PFN, early_node_map', () => {
    const log = parseDmesg(
      [
        'Zone PFN ranges:',
        '  DMA      0x00000010 -> 0x00001000',
        '  DMA32    empty',
        '  Normal   0x00001000 -> 0x000373fe',
        '  HighMem  0x000373fe -> 0x0007f6f0',
        'Movable zone start PFN for each node',
        '  Node 0: 262144',
        'early_node_map[2] active PFN ranges',
        '    0: 0x00000010 -> 0x0000009f',
        '    0: 0x00000100 -> 0x0007f6f0',
        'On node 0 totalpages: 521983',
      ].join('\n'),
      'old',
    );
    expect(log.unknownLines).toBe(0);
    expect(log.zoneRangesPfn).toEqual([
      { zone: 'DMA', startPfn: 0x10, endPfn: 0x1000 },
      { zone: 'DMA32', startPfn: null, endPfn: null },
      { zone: 'Normal', startPfn: 0x1000, endPfn: 0x373fe },
      { zone: 'HighMem', startPfn: 0x373fe, endPfn: 0x7f6f0 },
    ]);
    expect(log.movableZoneStartPfn).toEqual({ 0: 262144 });
    expect(log.earlyNodeMapPfn).toEqual([
      { nid: 0, startPfn: 0x10, endPfn: 0x9f },
      { nid: 0, startPfn: 0x100, endPfn: 0x7f6f0 },
    ]);
    expect(log.nodeTotalPages).toEqual({ 0: 521983 });
  });
});

describe('table body lines outside their table', () => {
  it('`  Node 0: 0x..` without `Movable zone start` is unknown, not hidden as a device line', () => {
    const log = parseDmesg('  Node 0: 0x0000000140400000\n  Node 1: 262144\n', 'orphan');
    expect(log.unknownLines).toBe(2);
    expect(log.ignoredLines).toBe(0);
  });
});

describe('logs quoted in mails and the 4.19-5.11 Zeroed line', () => {
  it('`> [ t] msg` and `    [ t] msg` keep their timestamps', () => {
    const log = parseDmesg(
      [
        '> [    0.619493]   node   5: [mem 0x0000000480000000-0x000000087effffff]',
        '> [    0.626479] Zeroed struct page in unavailable ranges: 46490 pages',
        '    [    0.000000] Initmem setup node 0 [mem 0x0000000040000000-0x00000000820fffff]',
        '> > [    1.000000] node 0 deferred pages initialised in 12ms',
      ].join('\n'),
      'mail',
    );
    expect(log.unknownLines).toBe(0);
    expect(log.timestampKinds).toEqual({ monotonic: 4 });
    expect(log.earlyNodeRanges).toEqual([{ nid: 5, start: 0x480000000, end: 0x87f000000 }]);
    expect(log.zeroedUnavailablePages).toBe(46490);
    expect(log.deferredInit).toEqual([{ nid: 0, ms: 12, line: 4, time: 1 }]);
  });

  it('the Zeroed line is printed without a newline: a glued record is split off; the zone form is summed', () => {
    const log = parseDmesg(
      [
        'Zeroed struct page in unavailable ranges: 37174 pagesInitmem setup node 0 [mem 0x0000000000001000-0x000000088f7fffff]',
        'DMA: Zeroed struct page in unavailable ranges: 1',
      ].join('\n'),
      'zeroed',
    );
    expect(log.unknownLines).toBe(0);
    expect(log.zeroedUnavailablePages).toBe(37175);
    expect(log.initmemSetup).toEqual([{ nid: 0, start: 0x1000, end: 0x88f800000 }]);
  });
});

describe('KHO failure lines', () => {
  it('invalid FDT, scratch scale, disabling', () => {
    const log = parseDmesg(
      [
        'KHO: setup: handover FDT (0x1000000) is invalid: -22',
        'KHO: scratch scale is 200%',
        'KHO: disabling KHO revival',
      ].join('\n'),
      'kho',
    );
    expect(log.khoSummary).toMatchObject({
      found: false,
      disabled: true,
      invalidFdt: { addr: 0x1000000, err: -22 },
      scratchScalePercent: 200,
    });
    expect(log.unknownLines).toBe(0);
  });
});
