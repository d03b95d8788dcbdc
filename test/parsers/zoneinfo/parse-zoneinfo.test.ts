import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import { parseZoneinfo } from '../../../parsers/zoneinfo/index.js';

const read = (p: string): string => readFileSync(`traces/${p}`, 'utf8');
const brief = (z: {
  nid: number;
  zone: string;
  startPfn: number | null;
  spanned: number | null;
  present: number | null;
  managed: number | null;
}) => [z.nid, z.zone, z.startPfn, z.spanned, z.present, z.managed];

describe('parseZoneinfo on real captures', () => {
  it('qemu b-16g-2node (6.1 layout): ten zones, every line understood', () => {
    const z = parseZoneinfo(read('qemu/b-16g-2node/zoneinfo.txt'), 'zoneinfo.txt');
    expect([z.totalLines, z.parsedLines, z.unknownLines, z.layout]).toEqual([318, 318, 0, 'per-node']);
    expect(z.zones.filter((x) => x.present).map(brief)).toEqual([
      [0, 'DMA', 1, 4095, 3998, 3840],
      [0, 'DMA32', 4096, 1044480, 520160, 503776],
      [0, 'Normal', 1048576, 1572864, 1572864, 1528668],
      [1, 'Normal', 2621440, 2097152, 2097152, 2063567],
    ]);
    // unpopulated zones print no start_pfn (zoneinfo_show_print() returns after protection:)
    expect(z.zones.filter((x) => !x.present).every((x) => x.startPfn === null)).toBe(true);
    expect(z.zones[0]!.protection).toEqual([0, 1965, 7929, 7929, 7929]);
    expect(z.zones[0]!.pagesetCpus).toBe(2);
    expect(Object.keys(z.nodeStats)).toEqual(['0', '1']);
    expect(z.nodeStats[1]!['nr_shmem']).toBe(1131);
  });

  it('qemu d-16g-2node-kernelcore: Movable zones on both nodes', () => {
    const z = parseZoneinfo(read('qemu/d-16g-2node-kernelcore/zoneinfo.txt'), 'zoneinfo.txt');
    expect(z.unknownLines).toBe(0);
    expect(z.zones.filter((x) => x.zone === 'Movable').map(brief)).toEqual([
      [0, 'Movable', 1311744, 1309696, 1309696, 1265500],
      [1, 'Movable', 3407872, 1310720, 1310720, 1277135],
    ]);
  });

  it('ubuntu 3.13 (pre-4.8 layout): per-zone stats at 4 spaces, scanned, all_unreclaimable, inactive_ratio', () => {
    const z = parseZoneinfo(read('public/ubuntu-3.13-desktop-procfs/zoneinfo'), 'zoneinfo');
    expect([z.totalLines, z.parsedLines, z.unknownLines, z.layout]).toEqual([267, 267, 0, 'per-zone']);
    expect(z.zones.map(brief)).toEqual([
      [0, 'DMA', 1, 4095, 3984, 3963],
      [0, 'DMA32', 4096, 1044480, 845172, 825415],
      [0, 'Normal', 1048576, 1236992, 1236992, 1203593],
    ]);
    expect(z.zones[0]!.fields['scanned']).toBe(0);
    expect(z.zones[0]!.pagesetCpus).toBe(8);
    expect(z.zones[0]!.stats['nr_free_pages']).toBe(3959);
  });

  it('arm32 router: one Normal zone starting at pfn 524288', () => {
    const z = parseZoneinfo(read('public/arm32-router-jmr540-procfs/zoneinfo'), 'zoneinfo');
    expect([z.totalLines, z.unknownLines]).toEqual([52, 0]);
    expect(z.zones.map(brief)).toEqual([[0, 'Normal', 524288, 65536, 64000, 41146]]);
  });
});

describe('parseZoneinfo on the newest layout', () => {
  // Shape of mm/vmstat.c zoneinfo_show_print() in a 6.16-era tree: `promo`, widened pageset fields with
  // high_min/high_max. Built from the format strings; no capture of that kernel is in traces/.
  const NEWEST = [
    'Node 0, zone   Normal',
    '  per-node stats',
    '      nr_inactive_anon 10',
    '      nr_memmap_boot_pages 4096',
    '  pages free     1000',
    '        boost    0',
    '        min      10',
    '        low      12',
    '        high     14',
    '        promo    16',
    '        spanned  262144',
    '        present  262144',
    '        managed  250000',
    '        cma      0',
    '        protection: (0, 0, 0, 0)',
    '      nr_free_pages 1000',
    '      numa_hit     5',
    '  pagesets',
    '    cpu: 0',
    '              count:    3',
    '              high:     100',
    '              batch:    63',
    '              high_min: 10',
    '              high_max: 200',
    '  vm stats threshold: 24',
    '  node_unreclaimable:  0',
    '  start_pfn:           1048576',
    'Node 0, zone  Movable',
    '  pages free     0',
    '        boost    0',
    '        min      0',
    '        low      0',
    '        high     0',
    '        promo    0',
    '        spanned  0',
    '        present  0',
    '        managed  0',
    '        cma      0',
    '        protection: (0, 0, 0, 0)',
    '',
  ].join('\n');

  it('every line understood; promo kept with the other watermarks', () => {
    const z = parseZoneinfo(NEWEST, 'zoneinfo');
    expect([z.totalLines, z.parsedLines, z.unknownLines]).toEqual([39, 39, 0]);
    expect(z.zones[0]).toMatchObject({ startPfn: 1048576, spanned: 262144, managed: 250000, pagesetCpus: 1 });
    expect(z.zones[0]!.fields['promo']).toBe(16);
    expect(z.nodeStats[0]!['nr_memmap_boot_pages']).toBe(4096);
    expect(z.zones[1]!.startPfn).toBeNull();
  });
});

describe('parseZoneinfo on malformed input', () => {
  it('a file cut in the middle of a zone: missing fields are diagnostics, not a crash', () => {
    const text =
      read('qemu/b-16g-2node/zoneinfo.txt').split('\n').slice(0, 50).join('\n') + '\n        spann';
    const z = parseZoneinfo(text, 'zoneinfo.txt');
    expect(z.zones.length).toBe(1);
    expect(z.zones[0]!.spanned).toBeNull();
    expect(z.diagnostics.map((d) => d.code)).toEqual([
      'ZONEINFO_UNKNOWN_LINE',
      'ZONEINFO_FIELD_MISSING',
      'ZONEINFO_FIELD_MISSING',
      'ZONEINFO_FIELD_MISSING',
    ]);
    expect(z.diagnostics[0]!.location).toMatchObject({ line: 51 });
  });

  it('lines before the first header and garbage are counted as unknown', () => {
    const z = parseZoneinfo(
      '\u0000\u0001garbage\nNode 0, zone   Normal\n  pages free 1\n\u00ff\u00fe\n',
      'z',
    );
    expect([z.parsedLines, z.unknownLines]).toEqual([2, 2]);
  });

  it('a count above 2^53 is a located TraceError', () => {
    expect(() =>
      parseZoneinfo('Node 0, zone   Normal\n        spanned  99999999999999999999\n', 'z'),
    ).toThrow(TraceError);
    try {
      parseZoneinfo('Node 0, zone   Normal\n        spanned  99999999999999999999\n', 'z');
    } catch (e) {
      expect((e as TraceError).location).toMatchObject({ file: 'z', line: 2, column: 18, field: 'spanned' });
    }
  });
});
