// Per-architecture memory-model constants (boot-pipeline.md §2.1). Every page-size dependent number the
// simulator uses comes from one of these objects, never from a literal in a phase.
import { TraceError } from '../core/index.js';
import type { Arch } from '../trace/host-trace.js';

/** Zone indices as in `enum zone_type` on 64-bit kernels without HIGHMEM (include/linux/mmzone.h, v6.1). */
export const ZONE_NAMES = ['DMA', 'DMA32', 'Normal', 'Movable'] as const;
export type SimZoneName = (typeof ZONE_NAMES)[number];
export const ZONE_DMA = 0;
export const ZONE_DMA32 = 1;
export const ZONE_NORMAL = 2;
export const ZONE_MOVABLE = 3;
export const MAX_NR_ZONES = ZONE_NAMES.length;

export interface ArchProfile {
  readonly arch: 'x86_64' | 'arm64';
  readonly PAGE_SHIFT: number;
  readonly SECTION_SIZE_BITS: number;
  /** 1 << (SECTION_SIZE_BITS - PAGE_SHIFT). */
  readonly PAGES_PER_SECTION: number;
  /** Pages of the largest buddy block: 1 << MAX_PAGE_ORDER (6.1: 1 << (MAX_ORDER - 1)). */
  readonly MAX_ORDER_NR_PAGES: number;
  readonly MAX_PAGE_ORDER: number;
  readonly pageblock_order: number;
  readonly pageblock_nr_pages: number;
  /** x86_64: MAX_DMA_PFN (arch/x86/include/asm/dma.h); arm64 derives ZONE_DMA from zone_dma_bits. */
  readonly MAX_DMA_PFN: number | null;
  /** x86_64: MAX_DMA32_PFN; arm64: PFN of max_zone_phys(32), computed. */
  readonly MAX_DMA32_PFN: number | null;
  /** Whether memblock survives boot (CONFIG_ARCH_KEEP_MEMBLOCK: arm64 yes, x86 no; boot-pipeline.md §1.8). */
  readonly ARCH_KEEP_MEMBLOCK: boolean;
  /** Default deferred-init threads per node when the CPU count is unknown (6.1 generic: 1; x86_64 per-node CPUs). */
  readonly perNodeCpuThreads: boolean;
}

function profile(
  arch: 'x86_64' | 'arm64',
  pageShift: number,
  sectionBits: number,
  maxPageOrder: number,
  pageblockOrder: number,
): ArchProfile {
  return {
    arch,
    PAGE_SHIFT: pageShift,
    SECTION_SIZE_BITS: sectionBits,
    PAGES_PER_SECTION: 2 ** (sectionBits - pageShift),
    MAX_PAGE_ORDER: maxPageOrder,
    MAX_ORDER_NR_PAGES: 2 ** maxPageOrder,
    pageblock_order: pageblockOrder,
    pageblock_nr_pages: 2 ** pageblockOrder,
    MAX_DMA_PFN: arch === 'x86_64' ? (16 * 2 ** 20) / 2 ** pageShift : null,
    MAX_DMA32_PFN: arch === 'x86_64' ? 2 ** 32 / 2 ** pageShift : null,
    ARCH_KEEP_MEMBLOCK: arch === 'arm64',
    perNodeCpuThreads: arch === 'x86_64',
  };
}

/**
 * arch/x86/include/asm/sparsemem.h (SECTION_SIZE_BITS 27), include/linux/pageblock-flags.h (HUGETLB order 9),
 * arch/arm64/include/asm/sparsemem.h v6.1 (27 for 4K/16K, 29 for 64K), arm64 ARCH_FORCE_MAX_ORDER v6.1
 * (11/12/14 exclusive, so MAX_PAGE_ORDER 10/11/13).
 */
export const ARCH_PROFILES = {
  x86_64: profile('x86_64', 12, 27, 10, 9),
  'arm64-4k': profile('arm64', 12, 27, 10, 9),
  'arm64-16k': profile('arm64', 14, 27, 11, 11),
  'arm64-64k': profile('arm64', 16, 29, 13, 13),
} as const satisfies Record<string, ArchProfile>;

/**
 * arm64 before v5.12 had SECTION_SIZE_BITS 30 for every page size (arch/arm64/include/asm/sparsemem.h; reduced
 * to 27/29 by f0b13ee23241 "arm64/sparsemem: reduce SECTION_SIZE_BITS"): the same profile with other sections.
 */
export function withSectionSizeBits(a: ArchProfile, bits: number): ArchProfile {
  if (a.SECTION_SIZE_BITS === bits) return a;
  return { ...a, SECTION_SIZE_BITS: bits, PAGES_PER_SECTION: 2 ** (bits - a.PAGE_SHIFT) };
}

/** Where the trace's arch and page size came from (display file names), to locate an error about them. */
export interface ArchSource {
  readonly archFile?: string;
  readonly pageShiftFile?: string;
  /** How the loader found the arch (`dmesg-boot-lines`, `kconfig`, ...). */
  readonly archKind?: string;
}

/**
 * The profile for a host: x86_64 or arm64 by page size. Another arch, or a page size the arch does not have, is
 * the trace's limit, not a misuse of the command line: a TraceError located at the file that said it (exit 3).
 */
export function archProfileFor(arch: Arch, pageShift: number, from: ArchSource = {}): ArchProfile {
  const pageSizeError = (expected: string): TraceError =>
    new TraceError({
      code: 'TRACE_ERR_PAGE_SIZE',
      location: { file: from.pageShiftFile ?? from.archFile ?? 'the bundle', field: 'page size' },
      expected,
      found: `page shift ${pageShift} (${2 ** (pageShift - 10)} KiB pages)`,
    });
  if (arch === 'x86_64' || arch === 'unknown') {
    if (pageShift !== 12) throw pageSizeError('4 KiB pages (page shift 12), the only x86_64 page size');
    return ARCH_PROFILES.x86_64;
  }
  if (arch === 'arm64') {
    if (pageShift === 12) return ARCH_PROFILES['arm64-4k'];
    if (pageShift === 14) return ARCH_PROFILES['arm64-16k'];
    if (pageShift === 16) return ARCH_PROFILES['arm64-64k'];
    throw pageSizeError('an arm64 page shift of 12, 14 or 16');
  }
  throw new TraceError({
    code: 'TRACE_ERR_ARCH_UNSUPPORTED',
    location: { file: from.archFile ?? 'the bundle', field: 'arch' },
    expected: 'an x86_64 or arm64 trace (the arches the boot simulator models)',
    found: `${arch}${from.archKind ? ` (from ${from.archKind})` : ''}`,
  });
}

export function pfnUp(addr: number, a: ArchProfile): number {
  return Math.ceil(addr / 2 ** a.PAGE_SHIFT);
}
export function pfnDown(addr: number, a: ArchProfile): number {
  return Math.floor(addr / 2 ** a.PAGE_SHIFT);
}
export function pfnPhys(pfn: number, a: ArchProfile): number {
  return pfn * 2 ** a.PAGE_SHIFT;
}
