import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import {
  cxlWindows,
  hotAddedRam,
  parseIomem,
  reservedResources,
  softReserved,
  systemRamRanges,
} from '../../../parsers/iomem/index.js';

const read = (p: string): string => readFileSync(`traces/${p}`, 'utf8');

describe('parseIomem on real captures', () => {
  it('qemu b-16g-2node: boot RAM is the three top-level System RAM ranges, kernel image nested below', () => {
    const m = parseIomem(read('qemu/b-16g-2node/iomem.txt'), 'iomem.txt');
    expect([m.totalLines, m.parsedLines, m.unknownLines]).toEqual([28, 28, 0]);
    expect(systemRamRanges(m)).toEqual([
      { start: 0x1000, end: 0x9fc00 },
      { start: 0x100000, end: 0x7ffe0000 },
      { start: 0x100000000, end: 0x480000000 },
    ]);
    const ram = m.roots.find((r) => r.start === 0x100000000)!;
    expect(ram.children.map((c) => c.name)).toEqual([
      'Kernel code',
      'Kernel rodata',
      'Kernel data',
      'Kernel bss',
    ]);
    // PCI MMCONFIG > Reserved > pnp 00:05: three levels
    const mmcfg = m.roots.find((r) => r.name.startsWith('PCI MMCONFIG'))!;
    expect(mmcfg.children[0]!.name).toBe('Reserved');
    expect(mmcfg.children[0]!.children[0]!.depth).toBe(2);
    expect(reservedResources(m).length).toBe(8);
    expect(m.diagnostics).toEqual([]);
  });

  it('qemu f stage2 (after kexec): setup_data splits System RAM at 0x100010; the split ranges merge back', () => {
    const m = parseIomem(read('qemu/f-16g-2node-kexec/stage2-after-kexec/iomem.txt'), 'iomem.txt');
    expect(m.unknownLines).toBe(0);
    expect(systemRamRanges(m)[1]).toEqual({ start: 0x100000, end: 0x7ffe0000 });
  });

  it('ubuntu 3.13: lower-case reserved, RAM buffer, five levels under PCI', () => {
    const m = parseIomem(read('public/ubuntu-3.13-desktop-procfs/iomem'), 'iomem');
    expect([m.totalLines, m.unknownLines]).toEqual([65, 0]);
    expect(systemRamRanges(m).length).toBe(5);
    expect(Math.max(...m.all.map((r) => r.depth))).toBe(3);
    expect(reservedResources(m).some((r) => r.name === 'reserved')).toBe(true);
  });

  it('arm32 router: carve-outs between three System RAM ranges', () => {
    const m = parseIomem(read('public/arm32-router-jmr540-procfs/iomem'), 'iomem');
    expect([m.totalLines, m.unknownLines]).toEqual([21, 0]);
    expect(systemRamRanges(m)).toEqual([
      { start: 0x80000000, end: 0x82a00000 },
      { start: 0x87500000, end: 0x87a00000 },
      { start: 0x88000000, end: 0x90000000 },
    ]);
  });

  it('CXL snippets: kmem RAM under CXL Window / Soft Reserved is hot-added, not boot RAM', () => {
    const m = parseIomem(
      read('public/cxl-soft-reserved-iomem-snippets/iomem-snippets.txt'),
      'iomem-snippets.txt',
    );
    // Ignore list: the four `# [n]` lines are labels SOURCE.txt says were added when transcribing the mail.
    expect(m.unknownLines).toBe(4);
    expect(m.diagnostics.filter((d) => d.code === 'IOMEM_UNKNOWN_LINE').map((d) => d.location?.line)).toEqual(
      [1, 6, 11, 17],
    );
    expect(systemRamRanges(m)).toEqual([]);
    expect(hotAddedRam(m).length).toBe(4);
    expect(hotAddedRam(m)[0]).toMatchObject({ start: 0x850000000, end: 0x2850000000, depth: 3 });
    expect(softReserved(m).length).toBe(3);
    expect(cxlWindows(m).length).toBe(4);
    // case [4]: dax6.0 is larger than its parent region0, as the mail shows
    expect(
      m.diagnostics.filter((d) => d.code === 'IOMEM_CHILD_OUTSIDE_PARENT').map((d) => d.location?.line),
    ).toEqual([21]);
  });
});

describe('parseIomem on malformed input', () => {
  it('zeroed addresses (non-root reader): one diagnostic, no ranges', () => {
    const m = parseIomem('00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n', 'iomem');
    expect(m.zeroed).toBe(true);
    expect(m.roots).toEqual([]);
    expect(m.diagnostics.map((d) => d.code)).toEqual(['IOMEM_ZEROED']);
  });

  it('start above end is a located TraceError', () => {
    try {
      parseIomem('00001000-00000fff : System RAM\n', 'iomem');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TraceError);
      expect((e as TraceError).code).toBe('IOMEM_ERR_RANGE');
      expect((e as TraceError).location).toMatchObject({ file: 'iomem', line: 1, column: 1 });
    }
  });

  it('an address above 2^53 is a located TraceError naming the column', () => {
    const err = (() => {
      try {
        parseIomem('00000000-00000fff : Reserved\n100000000-ffffffffffffffff : PCI Bus\n', 'iomem');
      } catch (e) {
        return e as TraceError;
      }
      return null;
    })();
    expect(err?.code).toBe('IOMEM_ERR_ADDRESS');
    expect(err?.location).toMatchObject({ line: 2, column: 11, field: 'end' });
  });

  it('truncated lines and binary garbage are counted unknown lines with their numbers, never a crash', () => {
    const garbage = String.fromCharCode(...Array.from({ length: 300 }, (_, i) => (i * 7919) % 256));
    const m = parseIomem(`00001000-0009fbff : System RAM\n00100000-7ff\n${garbage}\n`, 'iomem');
    expect(m.parsedLines).toBe(1);
    expect(m.unknownLines).toBe(m.totalLines - 1);
    expect(m.diagnostics[0]).toMatchObject({ code: 'IOMEM_UNKNOWN_LINE', location: { line: 2 } });
  });

  it('a child deeper than its parent allows is attached with a diagnostic', () => {
    const m = parseIomem('00100000-7fffffff : System RAM\n      01000000-01ffffff : Kernel code\n', 'iomem');
    expect(m.roots[0]!.children.length).toBe(1);
    expect(m.diagnostics.map((d) => d.code)).toEqual(['IOMEM_BAD_NESTING']);
  });
});
