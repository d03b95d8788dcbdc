// What changed in early memory init between the kernels we replay (boot-pipeline.md §3.6-§3.8 and the
// version notes there). A profile is data; the phases read it. KHO eras live with the KHO strategies.
import { UsageError } from '../core/index.js';

export interface MmProfile {
  readonly name: string;
  readonly description: string;
  /**
   * deferred_init_memmap() work split: one padata job per free range (6.1 .. ~6.17, mm/page_alloc.c then
   * mm/mm_init.c) or one job per zone over [first_deferred_pfn, SECTION_ALIGN_UP(zone_end)) (~6.18,
   * "mm/mm_init: deferred_init_memmap: use a job per zone").
   */
  readonly deferredJobs: 'per-free-range' | 'per-zone';
  /**
   * defer_init() resets its per-zone count on a new zone end before the low-zone test (6.1, so a low-zone visit
   * between two visits of a top zone restarts the count) or after it (mm/mm_init.c newer: low zones never
   * touch the count). Which release reordered it is not verified.
   */
  readonly deferCountResetBeforeLowZoneTest: boolean;
  /** memmap_init_reserved_pages() skips MEMBLOCK_RSRV_NOINIT regions (v6.7+, 77e6c43e137c). */
  readonly rsrvNoinit: boolean;
  /** memmap_init_reserved_pages() handles NOMAP memory before reserved regions (newer) or after (6.1). */
  readonly nomapFirst: boolean;
  /** deferred_free_pages() frees pageblock-order blocks (6.1) or MAX_ORDER blocks (newer). */
  readonly deferredFreeOrder: 'pageblock' | 'max-order';
  /** deferred_page_init_max_threads(): CPUs of the node (x86_64 6.1 override, all arches later) or 1 (arm64 6.1). */
  readonly threadsFromNodeCpus: 'x86_64-only' | 'all';
}

export const MM_PROFILES: Readonly<Record<string, MmProfile>> = {
  'linux-6.1': {
    name: 'linux-6.1',
    description: 'v6.1 (Debian 12): mm/page_alloc.c, no RSRV_NOINIT, a padata job per free range',
    deferredJobs: 'per-free-range',
    deferCountResetBeforeLowZoneTest: true,
    rsrvNoinit: false,
    nomapFirst: false,
    deferredFreeOrder: 'pageblock',
    threadsFromNodeCpus: 'x86_64-only',
  },
  'linux-6.7': {
    name: 'linux-6.7',
    description: 'v6.7 .. v6.17: mm/mm_init.c, RSRV_NOINIT skipped, NOMAP first, a padata job per free range',
    deferredJobs: 'per-free-range',
    deferCountResetBeforeLowZoneTest: false,
    rsrvNoinit: true,
    nomapFirst: true,
    deferredFreeOrder: 'max-order',
    threadsFromNodeCpus: 'all',
  },
  'linux-6.18': {
    name: 'linux-6.18',
    description: 'v6.18 and later: one deferred-init job per zone (deferred_init_maxorder dropped)',
    deferredJobs: 'per-zone',
    deferCountResetBeforeLowZoneTest: false,
    rsrvNoinit: true,
    nomapFirst: true,
    deferredFreeOrder: 'max-order',
    threadsFromNodeCpus: 'all',
  },
};

/** The profile for a kernel release string (`6.1.0-56-amd64`, `6.12.9`), `linux-6.1` when unknown. */
export function mmProfileForRelease(release: string | null): MmProfile {
  const m = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  if (!m) return MM_PROFILES['linux-6.1']!;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  if (v >= 6018) return MM_PROFILES['linux-6.18']!;
  if (v >= 6007) return MM_PROFILES['linux-6.7']!;
  return MM_PROFILES['linux-6.1']!;
}

export function mmProfileByName(name: string): MmProfile {
  const p = MM_PROFILES[name];
  if (!p)
    throw new UsageError(`unknown mm profile '${name}' (known: ${Object.keys(MM_PROFILES).join(', ')})`);
  return p;
}
