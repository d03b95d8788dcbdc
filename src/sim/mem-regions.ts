// The memblock tables the boot phases read, and the iterators they use (boot-pipeline.md §1.6, §1.7),
// over plain region arrays. Until the memblock model (src/sim/memblock.ts) is wired in, the tables come from
// HostTrace.memory and HostTrace.reserved; the phases only use this interface.
import type { Range } from '../core/index.js';
import { MEMBLOCK_FLAGS, firstEndingAfter, forEachOutside } from '../core/index.js';
import type { MemRegion } from '../trace/host-trace.js';
import type { ArchProfile } from './arch.js';
import { pfnDown, pfnUp } from './arch.js';

/** One region in pfns after PFN_UP/PFN_DOWN, with its node (null = none). */
export interface PfnRegion {
  readonly start: number;
  readonly end: number;
  readonly nid: number;
  readonly flags: number;
}

/** The two memblock arrays, in bytes, sorted by base; nid null when unknown. */
export interface MemblockTables {
  readonly memory: readonly MemRegion[];
  readonly reserved: readonly MemRegion[];
}

function sortRegions(rs: readonly MemRegion[]): MemRegion[] {
  return [...rs].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
}

export function makeTables(memory: readonly MemRegion[], reserved: readonly MemRegion[]): MemblockTables {
  return { memory: sortRegions(memory), reserved: sortRegions(reserved) };
}

/**
 * for_each_mem_pfn_range(i, nid, ...) (mm/memblock.c __next_mem_pfn_range, v6.1): memory regions in order,
 * PFN_UP(base)..PFN_DOWN(end), skipping regions without a whole page; flags are not checked. A region with no
 * node gets `defaultNid` (x86 fakes node 0 when there is no NUMA information).
 */
export function memPfnRanges(
  t: MemblockTables,
  a: ArchProfile,
  nid: number | null = null,
  defaultNid = 0,
): PfnRegion[] {
  const out: PfnRegion[] = [];
  for (const r of t.memory) {
    const s = pfnUp(r.start, a);
    const e = pfnDown(r.end, a);
    if (s >= e) continue;
    const rn = r.nid ?? defaultNid;
    if (nid !== null && rn !== nid) continue;
    out.push({ start: s, end: e, nid: rn, flags: r.flags });
  }
  return out;
}

/**
 * for_each_free_mem_range(i, nid, flags, ...) (mm/memblock.c __next_mem_range + should_skip_region, v6.1):
 * memory minus reserved, in address order, in BYTES (not page-rounded). Memory regions flagged NOMAP or
 * DRIVER_MANAGED are skipped unless asked for; HOTPLUG regions are skipped when `movableNode` is set and the
 * caller did not pass HOTPLUG; with MIRROR asked, non-mirror regions are skipped. Reserved regions always
 * subtract, whatever their flags. Page-rounded inward: freePfnRanges().
 */
export function freeMemRanges(
  t: MemblockTables,
  opts: { nid?: number | null; flags?: number; movableNode?: boolean; defaultNid?: number } = {},
): PfnRegion[] {
  const flags = opts.flags ?? MEMBLOCK_FLAGS.MEMBLOCK_NONE;
  const nidOf = (m: MemRegion): number => m.nid ?? opts.defaultNid ?? 0;
  // should_skip_region() and the flag checks of __next_mem_range, region by region
  const walked = t.memory.filter((m) => {
    if (opts.nid !== undefined && opts.nid !== null && nidOf(m) !== opts.nid) return false;
    if (
      opts.movableNode &&
      m.flags & MEMBLOCK_FLAGS.MEMBLOCK_HOTPLUG &&
      !(flags & MEMBLOCK_FLAGS.MEMBLOCK_HOTPLUG)
    )
      return false;
    if (flags & MEMBLOCK_FLAGS.MEMBLOCK_MIRROR && !(m.flags & MEMBLOCK_FLAGS.MEMBLOCK_MIRROR)) return false;
    if (m.flags & MEMBLOCK_FLAGS.MEMBLOCK_NOMAP && !(flags & MEMBLOCK_FLAGS.MEMBLOCK_NOMAP)) return false;
    if (m.flags & MEMBLOCK_FLAGS.MEMBLOCK_DRIVER_MANAGED && !(flags & MEMBLOCK_FLAGS.MEMBLOCK_DRIVER_MANAGED))
      return false;
    if (flags & MEMBLOCK_FLAGS.MEMBLOCK_KHO_SCRATCH && !(m.flags & MEMBLOCK_FLAGS.MEMBLOCK_KHO_SCRATCH))
      return false;
    return true;
  });
  // sized once for one range per memory region and one per reserved region (the most there are unless memory
  // regions overlap; a write past the end still grows the array), then cut to what was written
  const out = new Array<PfnRegion>(walked.length + t.reserved.length);
  let n = 0;
  // memory minus reserved (both sorted; reserved regions may overlap each other in a hand-made trace)
  forEachOutside(walked, t.reserved, (start, end, i) => {
    const m = walked[i]!;
    out[n++] = { start, end, nid: nidOf(m), flags: m.flags };
  });
  out.length = n;
  return out;
}

/**
 * The free ranges in whole pages, rounded inward as __free_memory_core and the deferred iterators do (mm/memblock.c
 * v6.1), empty results dropped. The list and its regions were made here and nobody else has seen them, so they
 * are rounded and compacted in place (a million free ranges between a million preserved pages would otherwise be
 * a million more objects per call).
 */
export function freePfnRanges(
  t: MemblockTables,
  opts: Parameters<typeof freeMemRanges>[1],
  a: ArchProfile,
): PfnRegion[] {
  const own = freeMemRanges(t, opts) as { start: number; end: number; nid: number; flags: number }[];
  let n = 0;
  for (let i = 0; i < own.length; i++) {
    const r = own[i]!;
    const s = pfnUp(r.start, a);
    const e = pfnDown(r.end, a);
    if (s < e) {
      r.start = s;
      r.end = e;
      own[n++] = r;
    }
  }
  own.length = n;
  return own;
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
      let lo = 0;
      let hi = regions.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const r = regions[mid]!;
        if (pfn < r.start) hi = mid - 1;
        else if (pfn >= r.end) lo = mid + 1;
        else return mid;
      }
      return -1;
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
