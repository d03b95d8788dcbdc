// defer_init() and first_deferred_pfn (boot-pipeline.md §3.3): the spec's worked cases on hand-built hosts, then
// the real qemu traces. Each case is named after the relation it covers, with the layout and an Expect line.
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/sim/index.js';
import { PAGE, makeHost } from './build-host.js';
import { QEMU_TRACES, hostFromQemuTrace, printedDeferredNodes, readTrace } from './host-from-trace.js';

const fdp = (tl: ReturnType<typeof replay>): Record<number, number | null> =>
  Object.fromEntries(tl.nodes.map((n) => [n.nid, n.firstDeferredPfn]));

describe('first_deferred_pfn: worked cases', () => {
  it('section-aligned top zone: exactly one section is eager', () => {
    // node 0: [0x1 .. 0x80000) DMA/DMA32, [0x100000 .. 0x180000) Normal (starts at 4 GiB, section-aligned)
    // Expect: first_deferred_pfn = 0x100000 + 0x8000 = 0x108000
    const tl = replay(
      makeHost({
        memory: [
          [1, 0x80000, 0],
          [0x100000, 0x180000, 0],
        ],
      }),
      null,
    );
    expect(fdp(tl)).toEqual({ 0: 0x108000 });
    // lower zones are fully initialised; Normal only up to the cut
    expect(tl.memmap.census(0x100000, 0x108000).uninit).toBe(0);
    expect(tl.phases[0]!.after.uninit).toBeGreaterThan(0);
  });

  it('top zone starting mid-section: counting runs on to the next section boundary', () => {
    // node 0 has only [0 .. 0x80000): DMA [0, 0x1000), DMA32 [0x1000, 0x80000) is the top zone
    // 32768 pages after 0x1000 is 0x9000, not section-aligned. Expect: 0x10000 (61440 eager pages)
    const tl = replay(makeHost({ memory: [[0, 0x80000, 0]] }), null);
    expect(fdp(tl)).toEqual({ 0: 0x10000 });
    const dma32 = tl.nodes[0]!.zones[1]!;
    expect(dma32.name).toBe('DMA32');
    expect(tl.memmap.census(dma32.startPfn, 0x10000).init).toBe(0x10000 - 0x1000);
  });

  it('holes in the top zone delay the cut: only visited memory pfns count', () => {
    // Normal ranges [0x100000, 0x104000) and [0x106000, 0x200000): 0x4000 pages counted in the first,
    // the threshold is passed at 0x106000 + 0x4000 = 0x10a000. Expect: 0x110000
    const tl = replay(
      makeHost({
        memory: [
          [1, 0x80000, 0],
          [0x100000, 0x104000, 0],
          [0x106000, 0x200000, 0],
        ],
      }),
      null,
    );
    expect(fdp(tl)).toEqual({ 0: 0x110000 });
    // the hole inside the deferred part is still initialised (init_unavailable_range runs regardless)
    expect(tl.memmap.census(0x104000, 0x106000).init).toBe(0x2000);
  });

  it('a node entirely below 4 GiB defers DMA32, per node', () => {
    // node 0 [0, 0x40000): DMA + DMA32 (from 0x1000); node 1 [0x40000, 0x80000): DMA32 only, section-aligned
    // Expect: node 0 0x10000 (mid-section start), node 1 0x48000
    const tl = replay(
      makeHost({
        memory: [
          [0, 0x40000, 0],
          [0x40000, 0x80000, 1],
        ],
      }),
      null,
    );
    expect(fdp(tl)).toEqual({ 0: 0x10000, 1: 0x48000 });
    expect(tl.nodes[1]!.zones.filter((z) => z.spannedPages).map((z) => z.name)).toEqual(['DMA32']);
  });

  it('kernelcore= makes Movable the deferred zone; Normal is fully initialised', () => {
    // node 0: [1, 0x80000) + [0x100000, 0x200000) with kernelcore=3G spread over one node:
    // kernel pages below 4 GiB = 0x7ffff, so Movable starts at 0x100000 + (0xc0000 - 0x7ffff) rounded up to
    // MAX_ORDER_NR_PAGES = 0x140400 (mid-section). Expect: Normal [0x100000, 0x140400) eager,
    // first_deferred_pfn = 0x140400 + 0x8000 -> next section boundary 0x150000
    const tl = replay(
      makeHost({
        memory: [
          [1, 0x80000, 0],
          [0x100000, 0x200000, 0],
        ],
        cmdline: { kernelcore: { bytes: 3 * 2 ** 30 } },
      }),
      null,
    );
    const movable = tl.nodes[0]!.zones[3]!;
    expect([movable.name, movable.startPfn]).toEqual(['Movable', 0x140400]);
    expect(fdp(tl)).toEqual({ 0: 0x150000 });
    expect(tl.memmap.census(0x100000, 0x140400).uninit).toBe(0);
  });

  it("interleaved nodes: 6.1 restarts the count after another node's low-zone visit, newer kernels do not", () => {
    // node 0: [0, 0x10000) + [0x20000, 0x80000), top zone DMA32; node 1: [0x10000, 0x20000) (its DMA32, a low
    // zone since node 1 also has [0x100000, 0x180000)). Node 0 counts 0xf000 pages, then node 1's DMA32 visit:
    // 6.1 resets defer_init's count, so node 0 needs another section from 0x20000. Expect: 0x28000
    // mm/mm_init.c newer: the low-zone visit returns before the reset; the count is already past a section, so
    // the next aligned pfn cuts. Expect: 0x20000
    const host = makeHost({
      memory: [
        [0, 0x10000, 0],
        [0x10000, 0x20000, 1],
        [0x20000, 0x80000, 0],
        [0x100000, 0x180000, 1],
      ],
    });
    expect(fdp(replay(host, null, { mmProfile: 'linux-6.1' }))[0]).toBe(0x28000);
    expect(fdp(replay(host, null, { mmProfile: 'linux-6.7' }))[0]).toBe(0x20000);
  });

  it('a top zone of at most one section defers nothing', () => {
    // Normal [0x100000, 0x108000) is exactly 32768 pages: the count never exceeds PAGES_PER_SECTION. Expect: null
    const tl = replay(
      makeHost({
        memory: [
          [1, 0x80000, 0],
          [0x100000, 0x108000, 0],
        ],
      }),
      null,
    );
    expect(fdp(tl)).toEqual({ 0: null });
  });

  it('early_page_ext, --deferred off and DEFERRED_STRUCT_PAGE_INIT=n turn deferral off', () => {
    const mem = [
      [1, 0x80000, 0],
      [0x100000, 0x180000, 0],
    ] as const;
    expect(fdp(replay(makeHost({ memory: mem, cmdline: { earlyPageExt: true } }), null))).toEqual({
      0: null,
    });
    expect(fdp(replay(makeHost({ memory: mem }), null, { deferred: 'off' }))).toEqual({ 0: null });
    expect(fdp(replay(makeHost({ memory: mem, deferredConfig: 'n' }), null))).toEqual({ 0: null });
    expect(fdp(replay(makeHost({ memory: mem, deferredConfig: 'n' }), null, { deferred: 'on' }))).toEqual({
      0: 0x108000,
    });
  });
});

describe('first_deferred_pfn on the real qemu traces', () => {
  // What was compared: (1) the nodes with a deferred boundary are exactly the nodes for which the kernel printed
  // `node N deferred pages initialised` (it prints nothing when first_deferred_pfn is ULONG_MAX), and the value
  // is the rule's (top zone start from the mminit `Initialising map` lines + one section, or the next section
  // boundary); (2) 6.1 prints `Memory: A/P available` before deferred init, so A counts only pages freed below
  // first_deferred_pfn: the simulated pages freed there exceed A by the same 64.2 MiB on every trace (SWIOTLB's
  // 64 MiB and small allocations made after the last MEMBLOCK dump, which is our reserved table); one section off
  // on any node would move that by 128 MiB. (3) P, the sum of present pages, equals the simulated total.
  const expected: Record<string, Record<number, number>> = {
    'a-4g-1node': { 0: 0x108000 },
    'b-16g-2node': { 0: 0x108000, 1: 0x288000 },
    'd-16g-2node-kernelcore': { 0: 0x150000, 1: 0x348000 },
    'e-128g-2node': { 0: 0x108000, 1: 0x1088000 },
    'g-8g-2node-uefi': { 0: 0x108000, 1: 0x188000 },
  };
  it.each(QEMU_TRACES)('%s', (name) => {
    const tl = replay(hostFromQemuTrace(name), null);
    const deferredNodes = tl.nodes.filter((n) => n.firstDeferredPfn !== null).map((n) => n.nid);
    expect(deferredNodes).toEqual(printedDeferredNodes(name));
    const want = expected[name] ?? expected[name.startsWith('e2') ? 'e-128g-2node' : 'b-16g-2node']!;
    expect(fdp(tl)).toEqual(want);

    const dmesg = readTrace(name, 'dmesg.txt');
    const m = /Memory: (\d+)K\/(\d+)K available/.exec(dmesg)!;
    const freedKiB = (tl.phases.find((p) => p.name === 'memblock_free_all')!.freed * PAGE) / 1024;
    const slackMiB = (freedKiB - Number(m[1])) / 1024;
    expect(slackMiB).toBeGreaterThan(64);
    expect(slackMiB).toBeLessThan(64.5);
    expect(tl.nodes.reduce((s, n) => s + n.presentPages, 0) * 4).toBe(Number(m[2]));
  });
});

describe('deferral setting without a kernel config', () => {
  it('a kernel before v4.2 never defers; a newer one is assumed to (with a note)', () => {
    const mem = [
      [1, 0x80000, 0],
      [0x100000, 0x180000, 0],
    ] as const;
    const old = replay(
      makeHost({ memory: mem, deferredConfig: null, release: '2.6.32-431.el6.x86_64' }),
      null,
    );
    expect([old.deferred.on, fdp(old)]).toEqual([false, { 0: null }]);
    const neu = replay(makeHost({ memory: mem, deferredConfig: null, release: '5.14.0' }), null);
    expect([neu.deferred.on, fdp(neu)]).toEqual([true, { 0: 0x108000 }]);
    expect(neu.diagnostics.map((d) => d.code)).toContain('SIM_DEFERRED_ASSUMED');
  });
});
