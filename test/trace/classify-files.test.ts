import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyFile, looksLikeText, sniffKind } from '../../src/trace/index.js';

const b = (p: string): Uint8Array => new Uint8Array(readFileSync(`traces/${p}`));

describe('classifyFile', () => {
  it('by the names users copy files under, node files with their node id', () => {
    const kinds = (paths: string[]): string[] => paths.map((p) => classifyFile(p, 'x').kind);
    expect(
      kinds([
        'dmesg.txt',
        'dmesg-excerpt.txt',
        'console-log.txt',
        'serial-console.txt',
        'iomem',
        'iomem-snippets.txt',
        'config-6.1.0-56-amd64',
        'kernel-config-excerpt.txt',
        'memblock/memory',
        'memblock-reserved.txt',
        'node/node1/meminfo',
        'node3-distance.txt',
        'nodes.txt',
        'memory-blocks.txt',
        'firmware-memmap.txt',
        'kho/fdt',
        'stage2/kho/sub_fdts/memblock',
        'pagetypeinfo.txt',
        'SOURCE.txt',
      ]),
    ).toEqual([
      'dmesg',
      'dmesg',
      'dmesg',
      'dmesg',
      'iomem',
      'iomem',
      'kconfig',
      'kconfig',
      'memblock-memory',
      'memblock-reserved',
      'node-meminfo',
      'node-distance',
      'node-states',
      'memory-block-table',
      'firmware-memmap',
      'kho',
      'kho',
      'pagetypeinfo',
      'other',
    ]);
    expect(classifyFile('node/node1/meminfo', 'x').nid).toBe(1);
    expect(classifyFile('node3-distance.txt', 'x').nid).toBe(3);
    // dmesg.txt is preferred over the serial console, which is preferred over nothing
    expect(classifyFile('dmesg.txt', 'x').rank).toBeLessThan(classifyFile('serial-console.txt', 'x').rank);
  });

  it('by content when renamed: each real file is recognised from its first bytes', () => {
    const cases: [string, string][] = [
      ['qemu/b-16g-2node/zoneinfo.txt', 'zoneinfo'],
      ['public/ubuntu-3.13-desktop-procfs/zoneinfo', 'zoneinfo'],
      ['qemu/b-16g-2node/buddyinfo.txt', 'buddyinfo'],
      ['qemu/b-16g-2node/pagetypeinfo.txt', 'pagetypeinfo'],
      ['public/ubuntu-3.13-desktop-procfs/pagetypeinfo', 'pagetypeinfo'],
      ['qemu/b-16g-2node/iomem.txt', 'iomem'],
      ['public/cxl-soft-reserved-iomem-snippets/iomem-snippets.txt', 'iomem'],
      ['qemu/b-16g-2node/dmesg.txt', 'dmesg'],
      ['public/hp-compaq-8000-journal-6.1/dmesg.txt', 'dmesg'],
      ['public/amd-5700u-proxmox-truncated-head/dmesg.txt', 'dmesg'],
      ['public/memblock-debug-snippets/riscv-5.3-memblock-dump-dtb-underflow.txt', 'dmesg'],
      ['qemu/b-16g-2node/kernel-config-excerpt.txt', 'kconfig'],
      ['qemu/b-16g-2node/memory-blocks.txt', 'memory-block-table'],
      ['qemu/b-16g-2node/nodes.txt', 'node-states'],
      ['qemu/b-16g-2node/node1-meminfo.txt', 'node-meminfo'],
      ['qemu/b-16g-2node/uname.txt', 'uname'],
      ['qemu/b-16g-2node/cmdline.txt', 'cmdline'],
      ['public/ubuntu-3.13-desktop-procfs/cmdline', 'cmdline'],
    ];
    for (const [p, kind] of cases) {
      expect([p, classifyFile('renamed', b(p))]).toEqual([
        p,
        { path: 'renamed', kind, by: 'content', rank: 10, ...(kind === 'node-meminfo' ? { nid: 1 } : {}) },
      ]);
    }
  });

  it('binary files are never sniffed as text; text with a stray control byte still is', () => {
    expect(classifyFile('vmcore', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0])).kind).toBe(
      'binary',
    );
    expect(looksLikeText(new TextEncoder().encode('Node 0, zone   Normal\u001b[0m\n'))).toBe(true);
    expect(sniffKind('hello world\nthis is not a host file\n').kind).toBe('unknown');
  });
});
