// The `Memory: X/Y available` line (mem_init_print_info) on every real qemu capture: Y is the sum of present
// pages; X, printed by v6.1 right after mem_init(), is nr_free_pages() then: the pages memblock_free_all() gave
// the buddy outside the deferred part, with the reserved memory of the replayed memblock=debug log, less the
// page-table pages x86 mem_init() then allocates (preallocate_vmalloc_pages, src/sim/x86-mem-init.ts). The guests
// run the Debian 6.1 kernel (CONFIG_X86_5LEVEL=y, CONFIG_RANDOMIZE_MEMORY=y) on a CPU with la57 (cpuinfo.txt):
// 5-level paging, 12800 TiB of vmalloc area at a KASLR base, 50 full 256 TiB PGD slots and a partial one: 51 P4D
// pages, and X equals the printed value exactly.
import { describe, expect, it } from 'vitest';
import { parseDmesg } from '../../parsers/dmesg/index.js';
import { replay } from '../../src/sim/index.js';
import { x86MemInitAllocation } from '../../src/sim/x86-mem-init.js';
import { describedHost } from '../../src/trace/host-trace.js';
import { QEMU_TRACES, hostFromQemuTrace, readTrace } from './host-from-trace.js';

describe.each(QEMU_TRACES)('Memory: line of traces/qemu/%s', (name) => {
  const dmesg = name.includes('/') ? `${name.split('/')[1]}/dmesg.txt` : 'dmesg.txt';
  const printed = parseDmesg(readTrace(name.split('/')[0]!, dmesg), 'dmesg.txt').memoryAvailable[0]!;
  const host = hostFromQemuTrace(name);
  const tl = replay(host, null, { reservedFrom: 'memblock-log' });

  it('Y: the present pages', () => {
    expect(tl.memoryLine.totalKiB).toBe(printed.totalKiB);
  });

  it('X: the pages free after memblock_free_all, less the 51 P4D pages of preallocate_vmalloc_pages', () => {
    expect(host.cpuFlags).toContain('la57');
    expect(tl.memoryLine.memInitAllocatedPages).toBe(51);
    expect(tl.memoryLine.freeAtMemInitKiB).toBe(printed.availableKiB);
    expect(tl.memoryLine.freedByMemblockFreeAllKiB - tl.memoryLine.freeAtMemInitKiB).toBe(51 * 4);
    // printed before deferred init (v6.1): the deferred pages are not in X
    expect(tl.memoryLine.freeAfterDeferredKiB).toBeGreaterThan(printed.availableKiB);
  });
});

describe('x86 mem_init() preallocation by paging mode and KASLR', () => {
  const host = (config: Record<string, string>, cmdline = '', cpuFlags?: string[]) =>
    describedHost({
      memory: [],
      arch: 'x86_64',
      kernelRelease: '6.1.0',
      config,
      cmdline: { raw: cmdline, movableNode: false, memblockDebug: false, earlyPageExt: false, memmap: [] },
      ...(cpuFlags ? { cpuFlags } : {}),
    });
  const five = { CONFIG_X86_5LEVEL: 'y', CONFIG_RANDOMIZE_MEMORY: 'y' };

  it('4-level, fixed base (nokaslr): one PUD page per 512 GiB slot of 32 TiB, exact', () => {
    const a = x86MemInitAllocation(host(five, 'nokaslr', ['lm']));
    expect(a).toMatchObject({ pages: 64, minPages: 64, levels: 4 });
    expect(a.uncertain).toEqual([]);
  });
  it('5-level, fixed base: one P4D page per 256 TiB slot of 12800 TiB, exact', () => {
    expect(x86MemInitAllocation(host(five, 'nokaslr', ['la57']))).toMatchObject({ pages: 50, minPages: 50 });
  });
  it('KASLR: a partial slot more, and the shared end slots named as the uncertainty', () => {
    const a = x86MemInitAllocation(host(five, '', ['la57']));
    expect(a).toMatchObject({ pages: 51, minPages: 49, levels: 5 });
    expect(a.uncertain.join()).toMatch(/KASLR/);
    expect(x86MemInitAllocation(host(five, '', ['lm']))).toMatchObject({
      pages: 65,
      minPages: 63,
      levels: 4,
    });
  });
  it('5-level config with no cpuinfo: 4-level assumed and said', () => {
    const a = x86MemInitAllocation(host(five, 'nokaslr'));
    expect(a.levels).toBe(4);
    expect(a.uncertain.join()).toMatch(/la57/);
  });
  it('before v5.8 and on arm64: nothing', () => {
    expect(x86MemInitAllocation({ ...host(five), kernelRelease: '5.4.0' }).pages).toBe(0);
    expect(x86MemInitAllocation({ ...host(five), arch: 'arm64' }).pages).toBe(0);
  });
});
