// The `Memory: X/Y available` line (mem_init_print_info) on every real qemu capture: Y is the sum of present
// pages; X, printed by v6.1 right after mem_init(), is nr_free_pages() then: the pages memblock_free_all() gave
// the buddy outside the deferred part, with the reserved memory of the replayed memblock=debug log, less what x86
// mem_init() allocates after memblock_free_all() (preallocate_vmalloc_pages: at most one PUD page per PGD slot of
// the 32 TiB vmalloc area, 65 pages), which the replay does not model.
import { describe, expect, it } from 'vitest';
import { parseDmesg } from '../../parsers/dmesg/index.js';
import { replay } from '../../src/sim/index.js';
import { QEMU_TRACES, hostFromQemuTrace, readTrace } from './host-from-trace.js';

const PREALLOCATE_VMALLOC_MAX_KIB = 65 * 4;

describe.each(QEMU_TRACES)('Memory: line of traces/qemu/%s', (name) => {
  const dmesg = name.includes('/') ? `${name.split('/')[1]}/dmesg.txt` : 'dmesg.txt';
  const printed = parseDmesg(readTrace(name.split('/')[0]!, dmesg), 'dmesg.txt').memoryAvailable[0]!;
  const tl = replay(hostFromQemuTrace(name), null, { reservedFrom: 'memblock-log' });

  it('Y: the present pages', () => {
    expect(tl.memoryLine.totalKiB).toBe(printed.totalKiB);
  });

  it('X: the pages free after memblock_free_all, less at most the x86 vmalloc page-table preallocation', () => {
    const gap = tl.memoryLine.freeAtMemInitKiB - printed.availableKiB;
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThanOrEqual(PREALLOCATE_VMALLOC_MAX_KIB);
    // printed before deferred init (v6.1): the deferred pages are not in X
    expect(tl.memoryLine.freeAfterDeferredKiB).toBeGreaterThan(
      printed.availableKiB + PREALLOCATE_VMALLOC_MAX_KIB,
    );
  });
});
