import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kstrtobool, memparse, parseCmdline, splitArgs } from '../../../parsers/cmdline/index.js';

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

  it('values read the way the kernel reads them, with diagnostics at their column; the last one wins', () => {
    const c = parseCmdline('kernelcore=lots kernelcore=150% kernelcore=4G kho=maybe memblock=verbose', 'c');
    expect(c.memory.kernelcore).toEqual({ bytes: 4 * 2 ** 30 });
    expect(c.memory.kho).toBeUndefined();
    expect(c.memory.memblockDebug).toBe(false);
    expect(c.diagnostics.map((d) => [d.code, d.location?.column])).toEqual([
      ['CMDLINE_ODD_VALUE', 1], // memparse("lots") is 0 bytes
      ['CMDLINE_ODD_VALUE', 17], // above 100%: WARN_ON, kept
      ['CMDLINE_BAD_VALUE', 47],
      ['CMDLINE_BAD_VALUE', 57],
    ]);
    expect(parseCmdline('kernelcore=lots', 'c').memory.kernelcore).toEqual({ bytes: 0 });
    expect(parseCmdline('movablecore=150%', 'c').memory.movablecore).toEqual({ percent: 150 });
  });

  it('memparse and simple_strtoull details: base prefixes, suffix case, trailing text', () => {
    expect(memparse('0x1000')).toEqual({ bytes: 4096, rest: '' });
    expect(memparse('010k')).toEqual({ bytes: 8 * 1024, rest: '' });
    expect(memparse('6Gfoo')).toEqual({ bytes: 6 * 2 ** 30, rest: 'foo' });
    expect(memparse('x')).toEqual({ bytes: 0, rest: 'x' });
    expect(memparse('99999999999E').bytes).toBeNull();
    expect(parseCmdline('kernelcore=010%', 'c').memory.kernelcore).toEqual({ percent: 8 });
    expect(parseCmdline('mem=0', 'c').memory.memLimit).toBeUndefined();
    expect(parseCmdline('mem=4G@0', 'c').memory.memLimit).toBe(4 * 2 ** 30);
  });

  it('kho= follows kstrtobool; a bare kho is rejected; memblock= looks for "debug" anywhere', () => {
    expect(['on', 'ON', 'y', '1', 'true', 'off', 'n', '0', 'false', 'o', 'x'].map(kstrtobool)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      null,
      null,
    ]);
    expect(parseCmdline('kho', 'c').memory.kho).toBeUndefined();
    expect(parseCmdline('kho', 'c').diagnostics[0]?.code).toBe('CMDLINE_BAD_VALUE');
    expect(parseCmdline('memblock=debug,foo', 'c').memory.memblockDebug).toBe(true);
  });

  it('quotes group spaces and are dropped (lib/cmdline.c next_arg)', () => {
    expect(splitArgs('a="b c" d').map((a) => a.text)).toEqual(['a=b c', 'd']);
  });

  it('a second non-blank line is an unknown line', () => {
    const c = parseCmdline('quiet\ngarbage\u0000\n', 'c');
    expect([c.parsedLines, c.unknownLines]).toEqual([1, 1]);
  });
});
