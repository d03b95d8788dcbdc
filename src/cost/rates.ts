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
 * The published thread sweeps of deferred init (boot-pipeline.md §5 item 2, same message): one-thread time and the
 * time on `threads` padata workers, per machine. The 96-CPU row ("Josh's") is left out: its thread count is not
 * given.
 */
export const PADATA_PUBLISHED: readonly {
  readonly machine: string;
  readonly oneThreadMs: number;
  readonly threads: number;
  readonly ms: number;
}[] = [
  { machine: 'Skylake 8167M, 2 nodes', oneThreadMs: 1779, threads: 6, ms: 341 },
  { machine: 'Skylake 8167M, 2 nodes', oneThreadMs: 1779, threads: 13, ms: 193 },
  { machine: 'Skylake 8167M, 2 nodes', oneThreadMs: 1779, threads: 52, ms: 143 },
  { machine: 'Broadwell E5-2699C v4, 1 node', oneThreadMs: 1104, threads: 4, ms: 305 },
  { machine: 'Broadwell E5-2699C v4, 1 node', oneThreadMs: 1104, threads: 8, ms: 174 },
  { machine: 'Broadwell E5-2699C v4, 1 node', oneThreadMs: 1104, threads: 32, ms: 126 },
  { machine: 'Haswell E5-2699 v3, 2 nodes', oneThreadMs: 630, threads: 4, ms: 200 },
  { machine: 'Haswell E5-2699 v3, 2 nodes', oneThreadMs: 630, threads: 36, ms: 90 },
  { machine: 'EPYC 7551 KVM guest, 16 vCPU', oneThreadMs: 243, threads: 4, ms: 83 },
  { machine: 'EPYC 7551 KVM guest, 16 vCPU', oneThreadMs: 243, threads: 16, ms: 57 },
  { machine: 'EPYC KVM, 4 vCPU', oneThreadMs: 50.7, threads: 4, ms: 22.3 },
  { machine: 'Haswell KVM, 4 vCPU', oneThreadMs: 57, threads: 4, ms: 21 },
];

/** Sum of squared log errors of s(t) = t / (1 + c (t - 1)) against the published speed-ups. */
export function speedupFitError(contention: number): number {
  let e = 0;
  for (const r of PADATA_PUBLISHED) {
    const model = r.threads / (1 + contention * (r.threads - 1));
    e += (Math.log(model) - Math.log(r.oneThreadMs / r.ms)) ** 2;
  }
  return e;
}

/** Least-squares contention over [0, 1] (the error is unimodal in c): ternary search. */
function fitContention(): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const a = lo + (hi - lo) / 3;
    const b = hi - (hi - lo) / 3;
    if (speedupFitError(a) <= speedupFitError(b)) hi = b;
    else lo = a;
  }
  return (lo + hi) / 2;
}

/**
 * Contention of padata workers over memory bandwidth, c in s(t) = t / (1 + c (t - 1)): the least-squares fit (in
 * log speed-up) to every row of PADATA_PUBLISHED, c ~ 0.086. Misfits to keep in mind: it gives 9.6x at 52
 * threads where Skylake reached 12.4x, and 7x at 16 where the EPYC guest reached 4.3x. Later sweeps are flatter
 * still (traces/public/ppc64-1t-8node-deferred-timing-before-after: 230 -> 100 ms per node from 1 thread to all of
 * the node's CPUs), so a default-rate estimate on many threads is a best case. A calibrated node with the same
 * threads as its calibration does not depend on the curve at all.
 */
export const PADATA_CONTENTION = fitContention();

/**
 * Speed-up of one padata_do_multithreaded() job run by `threads` workers (kernel/padata.c v6.1: the caller and
 * nworks - 1 helpers take chunk-aligned pieces); saturates because deferred init is bound by memory bandwidth.
 */
export function padataSpeedup(threads: number, contention: number = PADATA_CONTENTION): number {
  const t = Math.max(1, Math.floor(threads));
  return t / (1 + contention * (t - 1));
}
