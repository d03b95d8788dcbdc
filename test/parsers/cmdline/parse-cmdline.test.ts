import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCmdline, splitArgs } from '../../../parsers/cmdline/index.js';

describe('parseCmdline', () => {
  it('qemu d-16g-2node-kernelcore: kernelcore=6G and memblock=debug', () => {
    const c = parseCmdline(
      readFileSync('traces/qemu/d-16g-2node-kernelcore/cmdline.txt', 'utf8'),
      'cmdline.txt',
    );
    expect(c.memory.kernelcore).toEqual({ bytes: 6 * 2 ** 30 });
    expect(c.memory.memblockDebug).toBe(true);
    expect(c.memory.movableNode).toBe(false);
    expect([c.totalLines, c.unknownLines]).toEqual([1, 0]);
  });

  it('ubuntu 3.13: BOOT_IMAGE and root=UUID are not memory parameters', () => {
    const c = parseCmdline(
      readFileSync('traces/public/ubuntu-3.13-desktop-procfs/cmdline', 'utf8'),
      'cmdline',
    );
    expect(c.memory).toEqual({
      raw: c.memory.raw,
      movableNode: false,
      memblockDebug: false,
      earlyPageExt: false,
      memmap: [],
    });
    expect(c.args.map((a) => a.name)).toContain('BOOT_IMAGE');
  });

  it('every memory parameter the replay reads', () => {
    const c = parseCmdline(
      'mem=64G movablecore=25% movable-node memmap=8G!8G memmap=exactmap numa=fake=4 kho=on kho_scratch=16M,512M,256M early_page_ext kernelcore=mirror -- init=/x\n',
      'c',
    );
    expect(c.memory).toMatchObject({
      memLimit: 64 * 2 ** 30,
      movablecore: { percent: 25 },
      movableNode: true,
      memmap: ['8G!8G', 'exactmap'],
      numa: 'fake=4',
      kho: true,
      khoScratch: '16M,512M,256M',
      earlyPageExt: true,
      kernelcore: 'mirror',
    });
    expect(c.initArgs).toEqual(['init=/x']);
    expect(c.diagnostics).toEqual([]);
  });

  it('bad values are diagnostics at their column; the last valid value wins', () => {
    const c = parseCmdline('kernelcore=lots kernelcore=150% kernelcore=4G kho=maybe memblock=verbose', 'c');
    expect(c.memory.kernelcore).toEqual({ bytes: 4 * 2 ** 30 });
    expect(c.memory.kho).toBeUndefined();
    expect(c.diagnostics.map((d) => [d.code, d.location?.column])).toEqual([
      ['CMDLINE_BAD_VALUE', 1],
      ['CMDLINE_BAD_VALUE', 17],
      ['CMDLINE_BAD_VALUE', 47],
      ['CMDLINE_BAD_VALUE', 57],
    ]);
  });

  it('quotes group spaces and are dropped (lib/cmdline.c next_arg)', () => {
    expect(splitArgs('a="b c" d').map((a) => a.text)).toEqual(['a=b c', 'd']);
  });

  it('a second non-blank line is an unknown line', () => {
    const c = parseCmdline('quiet\ngarbage\u0000\n', 'c');
    expect([c.parsedLines, c.unknownLines]).toEqual([1, 1]);
  });
});
