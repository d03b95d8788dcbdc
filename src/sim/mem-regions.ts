// The memblock tables the boot phases read, and the iterators they use (boot-pipeline.md §1.6, §1.7),
// over plain region arrays. Until the memblock model (src/sim/memblock.ts) is wired in, the tables come from
// HostTrace.memory and HostTrace.reserved; the phases only use this interface.
import type { Range } from '../core/index.js';
import { MEMBLOCK_FLAGS, firstEndingAfter } from '../core/index.js';
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
  /**
   * More regions of memblock.reserved, in columns: the preserved blocks kho_memory_init() reserved (a million of
   * them are no object each). Sorted by start, none overlapping `reserved`, every one flagged `flags`.
   */
  readonly reservedColumns?: RegionColumns;
}

/** Memblock regions in columns: region k is [start[k], end[k]) bytes on node nid[k], with flags `flags`. */
export interface RegionColumns {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly nid: Float64Array;
  readonly count: number;
  readonly flags: number;
}

/** memblock.reserved's starts and ends in start order, objects and columns merged (cached per tables object). */
const reservedCache = new WeakMap<MemblockTables, { S: Float64Array; E: Float64Array; n: number }>();
function reservedBounds(t: MemblockTables): { S: Float64Array; E: Float64Array; n: number } {
  let c = reservedCache.get(t);
  if (c) return c;
  const a = t.reserved;
  const b = t.reservedColumns;
  const nb = b ? b.count : 0;
  const n = a.length + nb;
  const S = new Float64Array(n);
  const E = new Float64Array(n);
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    // ties: the object first (as the merge of the two sorted lists did)
    if (j >= nb || (i < a.length && a[i]!.start <= b!.start[j]!)) {
      S[k] = a[i]!.start;
      E[k] = a[i++]!.end;
    } else {
      S[k] = b!.start[j]!;
      E[k] = b!.end[j++]!;
    }
  }
  c = { S, E, n };
  reservedCache.set(t, c);
  return c;
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
  const out: PfnRegion[] = [];
  forEachFreeMemRange(t, opts, (start, end, nid, flags) => out.push({ start, end, nid, flags }));
  return out;
}

/** freeMemRanges() as a callback per range (start, end in bytes, node, the memory region's flags). */
function forEachFreeMemRange(
  t: MemblockTables,
  opts: { nid?: number | null; flags?: number; movableNode?: boolean; defaultNid?: number },
  emit: (start: number, end: number, nid: number, flags: number) => void,
): void {
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
  // memory minus reserved (both sorted; reserved regions may overlap each other in a hand-made trace): the
  // sweep of src/core/ranges.ts forEachOutside(), over reserved's bounds in columns (objects and the preserved
  // blocks' columns merged), an empty reserved range cutting nothing
  const { S, E, n: nres } = reservedBounds(t);
  let j = 0;
  for (const m of walked) {
    while (j < nres && E[j]! <= m.start) j++;
    let cur = m.start;
    for (let k = j; k < nres && S[k]! < m.end; k++) {
      if (E[k]! <= S[k]!) continue;
      if (S[k]! > cur) emit(cur, S[k]!, nidOf(m), m.flags);
      if (E[k]! > cur) cur = E[k]!;
      if (cur >= m.end) break;
    }
    if (cur < m.end) emit(cur, m.end, nidOf(m), m.flags);
  }
}

/** Free ranges in pfns as columns (freePfnRanges() without an object per range): node and memory flags each. */
export interface FreePfnColumns {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly nid: Float64Array;
  readonly n: number;
}

/** freePfnRanges() in columns: the same ranges, rounded inward to whole pages, empty ones dropped. */
export function freePfnColumns(
  t: MemblockTables,
  opts: Parameters<typeof freeMemRanges>[1],
  a: ArchProfile,
): FreePfnColumns {
  let cap = 1024;
  let start: Float64Array = new Float64Array(cap);
  let end: Float64Array = new Float64Array(cap);
  let nid: Float64Array = new Float64Array(cap);
  let n = 0;
  forEachFreeMemRange(t, opts ?? {}, (s0, e0, node) => {
    const s = pfnUp(s0, a);
    const e = pfnDown(e0, a);
    if (s >= e) return;
    if (n === cap) {
      cap *= 2;
      const grow = (x: Float64Array): Float64Array => {
        const y = new Float64Array(cap);
        y.set(x);
        return y;
      };
      start = grow(start);
      end = grow(end);
      nid = grow(nid);
    }
    start[n] = s;
    end[n] = e;
    nid[n] = node;
    n++;
  });
  return { start: start.subarray(0, n), end: end.subarray(0, n), nid: nid.subarray(0, n), n };
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
