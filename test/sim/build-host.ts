// Test builder: a HostTrace from a readable description in pfns (x86_64, 4 KiB pages).
import type { ArchProfile } from '../../src/sim/index.js';
import { ARCH_PROFILES } from '../../src/sim/index.js';
import type { HostTrace, MemoryCmdline } from '../../src/trace/host-trace.js';
import { describedHost } from '../../src/trace/host-trace.js';

export const PAGE = 4096;

/** x86_64 with tiny sections, pageblocks and orders, so per-pfn reference loops over random layouts stay cheap. */
export const TINY: ArchProfile = {
  ...ARCH_PROFILES.x86_64,
  PAGES_PER_SECTION: 16,
  pageblock_order: 2,
  pageblock_nr_pages: 4,
  MAX_PAGE_ORDER: 3,
  MAX_ORDER_NR_PAGES: 8,
  MAX_DMA_PFN: 24,
  MAX_DMA32_PFN: 96,
};

/** [startPfn, endPfn, nid, flags?] */
export type PfnSpec = readonly [number, number, number, number?];

export function makeHost(spec: {
  memory: readonly PfnSpec[];
  reserved?: readonly PfnSpec[];
  cmdline?: Partial<MemoryCmdline>;
  deferredConfig?: 'y' | 'n' | null;
  arch?: 'x86_64' | 'arm64';
  release?: string;
}): HostTrace {
  const toRegion = ([s, e, nid, flags]: PfnSpec) => ({
    start: s * PAGE,
    end: e * PAGE,
    nid,
    flags: flags ?? 0,
  });
  const cfg = spec.deferredConfig === undefined ? 'y' : spec.deferredConfig;
  return describedHost({
    arch: spec.arch ?? 'x86_64',
    kernelRelease: spec.release ?? '6.1.0-test',
    config: cfg === null ? {} : { CONFIG_DEFERRED_STRUCT_PAGE_INIT: cfg },
    cmdline: {
      raw: '',
      movableNode: false,
      memblockDebug: false,
      earlyPageExt: false,
      memmap: [],
      ...spec.cmdline,
    },
    memory: spec.memory.map(toRegion),
    reserved: (spec.reserved ?? []).map(toRegion),
  });
}

/**
 * Memory with a hole at pfns 0x170000 .. 0x174000, inside node 1 and inside a present section: a reserved region put in
 * the hole is left without a node by memblock_set_node() on the fixed kernels (test/sim/reserved-node-split.test.ts,
 * test/sim/reserved-walk-shared.test.ts).
 */
export const HOLEY = [
  [1, 0x80000, 0],
  [0x100000, 0x140000, 0],
  [0x140000, 0x170000, 1],
  [0x174000, 0x180000, 1],
] as const;
