// Node and zone layout (boot-pipeline.md §2.2, §2.4): arch zone limits, spanned/present/absent, kernelcore=,
// movablecore=, movable_node, NOMAP. Pfns, 4 KiB pages; each case states its layout and what to expect.
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/sim/index.js';
import { makeHost } from './build-host.js';
import { MEMBLOCK_FLAGS } from '../../src/core/index.js';

const zones = (tl: ReturnType<typeof replay>) =>
  tl.nodes.flatMap((n) =>
    n.zones
      .filter((z) => z.spannedPages)
      .map((z) => [n.nid, z.name, z.startPfn, z.spannedPages, z.presentPages]),
  );

describe('zone limits from the arch rules', () => {
  it('x86_64: DMA below 16 MiB, DMA32 below 4 GiB, Normal to max_pfn; holes are absent', () => {
    // memory [1, 0x9f) [0x100, 0x7ffe0) [0x100000, 0x140000). Expect: DMA [1, 0x1000) present 0xf9e,
    // DMA32 [0x1000, 0x100000) present 0x7efe0, Normal [0x100000, 0x140000)
    const tl = replay(
      makeHost({
        memory: [
          [1, 0x9f, 0],
          [0x100, 0x7ffe0, 0],
          [0x100000, 0x140000, 0],
        ],
      }),
      null,
    );
    expect(zones(tl)).toEqual([
      [0, 'DMA', 1, 0xfff, 0x9e + 0xf00],
      [0, 'DMA32', 0x1000, 0xff000, 0x7efe0],
      [0, 'Normal', 0x100000, 0x40000, 0x40000],
    ]);
  });

  it('arm64: DRAM from 1 GiB: ZONE_DMA up to 4 GiB (zone_dma_bits 32), DMA32 empty, Normal above', () => {
    // memory [0x40000, 0x240000) (1 GiB .. 9 GiB). Expect: DMA [0x40000, 0x100000), Normal [0x100000, 0x240000)
    const tl = replay(makeHost({ arch: 'arm64', memory: [[0x40000, 0x240000, 0]] }), null);
    expect(zones(tl)).toEqual([
      [0, 'DMA', 0x40000, 0xc0000, 0xc0000],
      [0, 'Normal', 0x100000, 0x140000, 0x140000],
    ]);
    expect(tl.memblockDiscarded).toBe(false); // arm64 keeps memblock (ARCH_KEEP_MEMBLOCK)
  });

  it('NOMAP memory counts as present (absent = not memblock memory at all)', () => {
    const tl = replay(
      makeHost({
        memory: [
          [0x100000, 0x110000, 0, MEMBLOCK_FLAGS.MEMBLOCK_NOMAP],
          [0x110000, 0x140000, 0],
        ],
      }),
      null,
    );
    expect(zones(tl)).toEqual([[0, 'Normal', 0x100000, 0x40000, 0x40000]]);
    // NOMAP struct pages are reserved by memblock_free_all, never freed to the buddy
    expect(tl.memmap.census(0x100000, 0x110000).buddy).toBe(0);
    expect(tl.memmap.census(0x100000, 0x110000).reserved).toBe(0x10000);
  });
});

describe('ZONE_MOVABLE', () => {
  const twoNodes = [
    [1, 0x80000, 0],
    [0x100000, 0x300000, 0],
    [0x300000, 0x500000, 1],
  ] as const;

  it('movablecore=4G: rounded to MAX_ORDER_NR_PAGES, kernelcore = total - movable spread over nodes', () => {
    // total = 0x7ffff + 0x400000 pages; movable 0x100000 -> kernelcore 0x37ffff, 0x1bffff per node.
    // node 0: 0x7ffff below 4 GiB, then 0x13ffff + 0x100000 = 0x240000 -> Movable 0x240000
    // node 1: 0x300000 + 0x1bffff = 0x4bffff, rounded up to 1024 -> 0x4c0000
    const tl = replay(makeHost({ memory: twoNodes, cmdline: { movablecore: { bytes: 4 * 2 ** 30 } } }), null);
    expect(Object.fromEntries(tl.layout.zoneMovablePfn)).toEqual({ 0: 0x240000, 1: 0x4c0000 });
    expect(zones(tl).filter((z) => z[1] === 'Movable')).toEqual([
      [0, 'Movable', 0x240000, 0xc0000, 0xc0000],
      [1, 'Movable', 0x4c0000, 0x40000, 0x40000],
    ]);
    // the Movable zone is the deferred one
    expect(tl.nodes.map((n) => n.firstDeferredPfn)).toEqual([0x248000, 0x4c8000]);
  });

  it('kernelcore=N% of all memory', () => {
    // 50% of 0x47ffff pages = 0x23ffff; per node 0x11ffff: node 0 0x100000 + (0x11ffff - 0x7ffff) = 0x1a0000
    const tl = replay(makeHost({ memory: twoNodes, cmdline: { kernelcore: { percent: 50 } } }), null);
    expect(Object.fromEntries(tl.layout.zoneMovablePfn)).toEqual({ 0: 0x1a0000, 1: 0x420000 });
  });

  it('kernelcore larger than memory: no Movable zone', () => {
    const tl = replay(makeHost({ memory: twoNodes, cmdline: { kernelcore: { bytes: 2 ** 40 } } }), null);
    expect(zones(tl).some((z) => z[1] === 'Movable')).toBe(false);
  });

  it('movable_node: a node whose memory is hotpluggable becomes all Movable', () => {
    const mem = [
      [1, 0x80000, 0],
      [0x100000, 0x300000, 0],
      [0x300000, 0x500000, 1, MEMBLOCK_FLAGS.MEMBLOCK_HOTPLUG],
    ] as const;
    const tl = replay(makeHost({ memory: mem, cmdline: { movableNode: true } }), null);
    expect(zones(tl).filter((z) => z[0] === 1)).toEqual([[1, 'Movable', 0x300000, 0x200000, 0x200000]]);
  });
});

describe('zone limits as printed', () => {
  it('a zone missing from `Zone ranges:` (built without it) is empty; the others are taken as printed', () => {
    // arm64 printing only DMA [1 GiB, 4 GiB) and Normal [4 GiB, 9 GiB) (CONFIG_ZONE_DMA32=n)
    const host = {
      ...makeHost({ arch: 'arm64', memory: [[0x40000, 0x240000, 0]] }),
      zoneRanges: [
        { zone: 'DMA' as const, start: 0x40000000, end: 0x100000000 },
        { zone: 'Normal' as const, start: 0x100000000, end: 0x240000000 },
      ],
    };
    const tl = replay(host, null);
    expect(tl.layout.zoneLimitsFrom).toBe('dmesg');
    expect(zones(tl)).toEqual([
      [0, 'DMA', 0x40000, 0xc0000, 0xc0000],
      [0, 'Normal', 0x100000, 0x140000, 0x140000],
    ]);
  });
});
