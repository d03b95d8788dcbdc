// Memory as the replay's pfn regions (the layout's memRanges: for_each_mem_pfn_range of the boot's memblock,
// src/sim/memblock.ts, which holds the memblock arrays and their iterators), and what reads them by pfn:
// early_pfn_to_nid() with its one-entry cache, and the split of a pfn range by node. EarlyPfnToNid stays here, not
// in memblock.ts: the replay's one instance searches these pfn regions (nodes resolved), and the memblock model's
// own early_pfn_to_nid() uses the same class over its byte regions.
import type { Range } from '../core/index.js';
import { firstEndingAfter } from '../core/index.js';

/** One region in pfns after PFN_UP/PFN_DOWN, with its node (null = none). */
export interface PfnRegion {
  readonly start: number;
  readonly end: number;
  readonly nid: number;
  readonly flags: number;
}

/** What early_pfn_to_nid() reads of memblock.memory (linux v7.3-rc7 mm/memblock.c memblock_search_pfn_nid). */
export interface PfnNidSource<N extends number | null = number> {
  /** The region holding the pfn (memblock_search of PFN_PHYS(pfn)), -1 when none does. */
  searchPfn(pfn: number): number;
  /** PFN_DOWN of the region's base and end: the range the cache keeps. */
  startPfn(i: number): number;
  endPfn(i: number): number;
  /** The region's node (null: none assigned, the kernel's MAX_NUMNODES). */
  nid(i: number): N;
}

/**
 * early_pfn_to_nid() (linux v7.3-rc7 mm/mm_init.c early_pfn_to_nid, __early_pfn_to_nid): the one-entry cache
 * (struct mminit_pfnnid_cache early_pfnnid_cache) first, then memblock_search_pfn_nid(); a pfn in no region is
 * first_online_node and leaves the cache as it was. The cache is a static of the boot, zeroed ([0, 0) holds no
 * pfn), and nothing invalidates it: a region changed or removed after a lookup keeps answering from the cache,
 * as in the kernel. One per replayed boot; the simulator's memblock model and its plain region arrays both use it.
 */
export class EarlyPfnToNid<N extends number | null = number> {
  private lastStart = 0;
  private lastEnd = 0;
  private lastNid: N | number = 0;

  constructor(
    private readonly source: PfnNidSource<N>,
    private readonly firstOnlineNode: number,
  ) {}

  /** The cached region [cacheStart, cacheEnd) and its node: lookup() of a pfn in it answers cacheNid, changing nothing. */
  get cacheStart(): number {
    return this.lastStart;
  }
  get cacheEnd(): number {
    return this.lastEnd;
  }
  get cacheNid(): N | number {
    return this.lastNid;
  }

  lookup(pfn: number): N | number {
    if (this.lastStart <= pfn && pfn < this.lastEnd) return this.lastNid;
    const i = this.source.searchPfn(pfn);
    if (i < 0) return this.firstOnlineNode;
    this.lastStart = this.source.startPfn(i);
    this.lastEnd = this.source.endPfn(i);
    return (this.lastNid = this.source.nid(i));
  }
}

/**
 * memblock.memory as the replay's pfn regions (already PFN_UP/PFN_DOWN to whole pages, sorted, disjoint): a
 * binary search. A region's partial pages are not in it; memory regions are page-aligned on every bundle here.
 */
export function pfnRegionSource(regions: readonly PfnRegion[]): PfnNidSource {
  return {
    searchPfn(pfn) {
      const i = firstEndingAfter(regions, pfn);
      return i < regions.length && regions[i]!.start <= pfn ? i : -1;
    },
    startPfn: (i) => regions[i]!.start,
    endPfn: (i) => regions[i]!.end,
    nid: (i) => regions[i]!.nid,
  };
}

/** Split [start, end) by the node of each memory range it meets; parts outside memory get `fallbackNid`. */
export function splitByNode(
  pfnRanges: readonly PfnRegion[],
  start: number,
  end: number,
  fallbackNid: number,
): { start: number; end: number; nid: number }[] {
  // sorted and disjoint: the first one ending after start, by binary search
  const lo = firstEndingAfter(pfnRanges, start);
  // the common case: one memory range holds all of [start, end)
  const first = pfnRanges[lo];
  if (start < end && first && first.start <= start && first.end >= end)
    return [{ start, end, nid: first.nid }];
  // pieces in order, neighbours with the same node coalesced as they come
  const out: { start: number; end: number; nid: number }[] = [];
  const put = (s: number, e: number, nid: number): void => {
    const last = out[out.length - 1];
    if (last && last.end === s && last.nid === nid) last.end = e;
    else out.push({ start: s, end: e, nid });
  };
  let cur = start;
  for (let i = lo; i < pfnRanges.length; i++) {
    const r = pfnRanges[i]!;
    if (r.end <= cur) continue;
    if (r.start >= end) break;
    if (r.start > cur) put(cur, r.start, fallbackNid);
    const e = Math.min(end, r.end);
    put(Math.max(cur, r.start), e, r.nid);
    cur = e;
    if (cur >= end) break;
  }
  if (cur < end) put(cur, end, fallbackNid);
  return out;
}

export type { Range };
