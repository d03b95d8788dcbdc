// The cost model's constants: the default per-page rate and the padata speed-up curve, both from the published
// deferred-init timings of boot-pipeline.md §5 (Daniel Jordan, "mm: parallelize deferred_init_memmap()", v3,
// <20200527173608.2885243-*-daniel.m.jordan@oracle.com>), never from the kernel's code.

/** 4 KiB struct pages per GiB: the published figures are in ms per GiB of 4 KiB pages. */
const PAGES_PER_GIB_4K = 262144;

/**
 * The default single-thread rate: Skylake 8167M, 2 nodes, 384 GiB per node, 1 thread: 1779 ms
 * (boot-pipeline.md §5 item 2), i.e. 4.63 ms/GiB = 17.67 ns per struct page. It is a deferred-init figure
 * (__init_single_page plus the free to the buddy, per page), used here for every phase.
 */
export const DEFAULT_RATE = {
  ms: 1779,
  gib: 384,
  ratePerPageNs: (1779 * 1e6) / (384 * PAGES_PER_GIB_4K),
  source:
    '1779 ms for 384 GiB per node single-threaded (Skylake 8167M, 2 nodes) in Daniel Jordan, "mm: parallelize ' +
    'deferred_init_memmap()" v3 <20200527173608.2885243-*-daniel.m.jordan@oracle.com> (boot-pipeline.md §5 item 2)',
} as const;

/**
 * The published single-thread rates, ns per struct page (boot-pipeline.md §5 items 1-2): 3.8 ms/GiB (EPYC 7551
 * KVM guest) to 5.75 ms/GiB (Broadwell E5-2699C v4). A calibrated rate far outside says the thread count or the
 * machine differs (a qemu guest without KVM, CPUs per node unknown).
 */
export const PUBLISHED_RATE_RANGE_NS = {
  min: (3.8 * 1e6) / PAGES_PER_GIB_4K,
  max: (5.75 * 1e6) / PAGES_PER_GIB_4K,
} as const;

/**
 * Contention of padata workers over memory bandwidth, c in s(t) = t / (1 + c (t - 1)): fitted to the Skylake
 * 8167M row of the same message, 52 threads -> 12.4x (1779 ms -> 143 ms). The curve gives 4.6x at 6 threads
 * (published 5.2x) and 7.4x at 13 (published 9.2x), so multi-thread estimates from the default rate err slow.
 */
export const PADATA_CONTENTION = (52 / (1779 / 143) - 1) / 51;

/**
 * Speed-up of one padata_do_multithreaded() job run by `threads` workers (kernel/padata.c v6.1: the caller and
 * nworks - 1 helpers take chunk-aligned pieces); saturates because deferred init is bound by memory bandwidth.
 */
export function padataSpeedup(threads: number, contention: number = PADATA_CONTENTION): number {
  const t = Math.max(1, Math.floor(threads));
  return t / (1 + contention * (t - 1));
}
