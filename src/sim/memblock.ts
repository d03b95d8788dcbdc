// Models mm/memblock.c: the memory/reserved region arrays, merge/split, flags, nodes, iterators and the
// top-down allocator, for v6.1 (Debian 6.1.192, [D61]) and the newest tree ([MB-N], ≈6.19) behind `version`.
// The simulator's one memblock: the boot context holds one (src/sim/boot-tables.ts bootMemblock), the phases read it
// through the iterators below and change it with the column operations (src/sim/memblock-batch.ts), and the
// memblock=debug log replay (src/sim/memblock-replay.ts) runs the one-region operations on another.

// enum memblock_flags: the one table, in src/core (re-exported for the model's users)
import { GrowableColumns, MEMBLOCK_FLAGS } from '../core/index.js';
import { EarlyPfnToNid } from './mem-regions.js';
import type { RangeBatch } from './memblock-batch.js';
import { applyBatch } from './memblock-batch.js';

export { MEMBLOCK_FLAGS };

const F = MEMBLOCK_FLAGS;

/** Flags a v6.1 kernel knows (include/linux/memblock.h of 6.1 stops at MEMBLOCK_DRIVER_MANAGED). */
const FLAGS_V61 = F.MEMBLOCK_HOTPLUG | F.MEMBLOCK_MIRROR | F.MEMBLOCK_NOMAP | F.MEMBLOCK_DRIVER_MANAGED;

export const MEMBLOCK_LIMITS = {
  /** mm/memblock.c INIT_MEMBLOCK_REGIONS (both versions); newer trees let an arch override the memory count. */
  INIT_MEMBLOCK_REGIONS: 128,
  /** sizeof(struct memblock_region) with CONFIG_NUMA on 64-bit: base, size (8 each), flags, nid (4 each). */
  MEMBLOCK_REGION_BYTES: 24,
  /** include/linux/numa.h MAX_NUMNODES with Debian's NODES_SHIFT=10. Used only for display of raw values. */
  MAX_NUMNODES: 1024,
  /**
   * Stand-in for PHYS_ADDR_MAX (~(phys_addr_t)0): the engine keeps addresses below 2^53 (DESIGN.md), so
   * "up to the end of the address space" (memblock_cap_size, `0..ULLONG_MAX` callers) is clamped here.
   */
  PHYS_ADDR_MAX: Number.MAX_SAFE_INTEGER,
  /** memblock_find_in_range_node: end == MEMBLOCK_ALLOC_ACCESSIBLE (0) means "up to current_limit". */
  MEMBLOCK_ALLOC_ACCESSIBLE: 0,
} as const;

export type MemblockVersion = 'v6.1' | 'newest';
export type MemblockTypeName = 'memory' | 'reserved';

/** One region as a plain value. `nid` null = no node (MAX_NUMNODES in 6.1, NUMA_NO_NODE/invalid newer). */
export interface MemblockRegion {
  readonly base: number;
  readonly size: number;
  readonly nid: number | null;
  readonly flags: number;
}

/** A byte range [start, end) with the node of the memory region it came from. */
export interface MemblockRange {
  readonly start: number;
  readonly end: number;
  readonly nid: number | null;
}

export interface MemblockPfnRange {
  readonly startPfn: number;
  readonly endPfn: number;
  readonly nid: number | null;
}

/** Things the kernel would log, warn about or die on, and what the KHO checks need to know. */
export type MemblockEvent =
  | {
      readonly kind: 'double';
      readonly type: MemblockTypeName;
      readonly newMax: number;
      readonly addr: number | null;
    }
  | { readonly kind: 'resize-refused'; readonly type: MemblockTypeName; readonly max: number }
  | { readonly kind: 'panic'; readonly message: string }
  | { readonly kind: 'discard' }
  | { readonly kind: 'early_pfn_to_nid-after-discard'; readonly pfn: number; readonly nid: number | null }
  | { readonly kind: 'alloc-failed'; readonly size: number; readonly nid: number | null }
  /** A WARN_ON the kernel would print (a `WARNING: ... mm/memblock.c` splat in dmesg). */
  | { readonly kind: 'warn'; readonly type: MemblockTypeName; readonly message: string };

export interface MemblockOptions {
  readonly version: MemblockVersion;
  /** PAGE_SHIFT of the arch (12 on x86_64 and arm64 with 4 KiB pages). */
  readonly pageShift?: number;
  /** Capacity of the static memory array (newer trees: INIT_MEMBLOCK_MEMORY_REGIONS, arch-overridable). */
  readonly memoryRegions?: number;
  readonly reservedRegions?: number;
  /**
   * When an array is doubled, allocate and reserve the new array in memblock like the kernel does
   * (memblock_double_array). A replay of a memblock=debug log turns this off: the log already has the
   * memblock_reserve line of the new array.
   */
  readonly reserveDoubledArrays?: boolean;
  /** movable_node_is_enabled(): should_skip_region skips HOTPLUG regions unless asked for. */
  readonly movableNode?: boolean;
  /** kernelcore=mirror: memblock_mark_mirror is a no-op without it ([MB-N]). */
  readonly mirroredKernelcore?: boolean;
  /** first_online_node, early_pfn_to_nid's fallback. */
  readonly firstOnlineNode?: number;
}

/** -ENOMEM as memblock returns it. */
export const ENOMEM = -12;

/**
 * One struct memblock_type, columnar: base, size, nid (-1 = none) and flags in typed arrays, sorted by base.
 * `count` is the number of real regions; the 6.1 dummy entry of an empty array is not stored (see `cnt`).
 */
export class MemblockType {
  readonly name: MemblockTypeName;
  /** type->max: the kernel's capacity, INIT_MEMBLOCK_REGIONS until memblock_double_array. */
  max: number;
  /** type->total_size. Kept as the kernel keeps it (memblock_trim_memory does not update it). */
  totalSize = 0;
  /** The array left the static __initdata array (memblock_double_array ran): discard frees it. */
  dynamic = false;
  /** Physical address of the dynamically allocated array, when memblock allocated it. */
  arrayAddr: number | null = null;
  count = 0;
  /**
   * The array may hold touching regions that could merge: left by a bare memblock_isolate_range() or by
   * memblock_cap_memory_range(). Every other operation keeps the array minimal.
   */
  unmerged = false;
  private bases: Float64Array;
  private sizes: Float64Array;
  private nids: Int32Array;
  private flagsArr: Int32Array;
  private readonly version: MemblockVersion;

  constructor(name: MemblockTypeName, max: number, version: MemblockVersion) {
    this.name = name;
    this.max = max;
    this.version = version;
    const cap = 16;
    this.bases = new Float64Array(cap);
    this.sizes = new Float64Array(cap);
    this.nids = new Int32Array(cap);
    this.flagsArr = new Int32Array(cap);
  }

  /** type->cnt as the kernel holds it: 6.1 keeps one zero-sized dummy entry in an empty array. */
  get cnt(): number {
    return this.version === 'v6.1' && this.count === 0 ? 1 : this.count;
  }

  base(i: number): number {
    return this.bases[i]!;
  }
  size(i: number): number {
    return this.sizes[i]!;
  }
  end(i: number): number {
    return this.bases[i]! + this.sizes[i]!;
  }
  nid(i: number): number | null {
    const n = this.nids[i]!;
    return n < 0 ? null : n;
  }
  flags(i: number): number {
    return this.flagsArr[i]!;
  }
  region(i: number): MemblockRegion {
    return { base: this.base(i), size: this.size(i), nid: this.nid(i), flags: this.flags(i) };
  }
  regions(): MemblockRegion[] {
    const out: MemblockRegion[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.region(i));
    return out;
  }

  /** Index of the first region whose end is above `addr` (binary search; regions are sorted, disjoint). */
  firstEndingAbove(addr: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.end(mid) <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** memblock_search(): index of the region containing `addr`, or -1. */
  search(addr: number): number {
    const i = this.firstEndingAbove(addr);
    return i < this.count && this.base(i) <= addr ? i : -1;
  }

  /** @internal memblock_insert_region(): no capacity check here, callers did it against `max`. */
  insertAt(i: number, base: number, size: number, nid: number | null, flags: number): void {
    if (this.count === this.bases.length) this.grow();
    const n = this.count;
    this.bases.copyWithin(i + 1, i, n);
    this.sizes.copyWithin(i + 1, i, n);
    this.nids.copyWithin(i + 1, i, n);
    this.flagsArr.copyWithin(i + 1, i, n);
    this.bases[i] = base;
    this.sizes[i] = size;
    this.nids[i] = nid === null ? -1 : nid;
    this.flagsArr[i] = flags;
    this.count = n + 1;
    this.totalSize += size;
  }

  /** @internal memblock_remove_region(). */
  removeAt(i: number): void {
    this.totalSize -= this.sizes[i]!;
    const n = this.count;
    this.bases.copyWithin(i, i + 1, n);
    this.sizes.copyWithin(i, i + 1, n);
    this.nids.copyWithin(i, i + 1, n);
    this.flagsArr.copyWithin(i, i + 1, n);
    this.count = n - 1;
  }

  /** @internal */
  setRegion(i: number, base: number, size: number): void {
    this.bases[i] = base;
    this.sizes[i] = size;
  }
  /** @internal */
  setNid(i: number, nid: number | null): void {
    this.nids[i] = nid === null ? -1 : nid;
  }
  /** @internal */
  setFlags(i: number, flags: number): void {
    this.flagsArr[i] = flags;
  }

  /**
   * memblock_merge_regions(): merge neighbours that touch and have the same nid and flags. 6.1 scans the
   * whole array; newer trees scan [start-1, end] only (commit "memblock: Avoid useless checks in
   * memblock_merge_regions()", v6.5). Both leave the array minimal when it was minimal before, so 6.1 is
   * modelled with the window too unless the array is known to hold unmerged neighbours (see `unmerged`),
   * which keeps the work per operation independent of the array size.
   */
  mergeRegions(start = 0, endRgn = Number.MAX_SAFE_INTEGER): void {
    let i = start > 0 ? start - 1 : 0;
    let last = Math.min(endRgn, this.count - 1);
    if (this.version === 'v6.1' && this.unmerged) {
      i = 0;
      last = this.count - 1;
      this.unmerged = false;
    }
    while (i < last) {
      if (
        this.end(i) !== this.base(i + 1) ||
        this.nids[i] !== this.nids[i + 1] ||
        this.flagsArr[i] !== this.flagsArr[i + 1]
      ) {
        i++;
        continue;
      }
      const merged = this.sizes[i]! + this.sizes[i + 1]!;
      const keepTotal = this.totalSize;
      this.removeAt(i + 1);
      this.sizes[i] = merged;
      this.totalSize = keepTotal;
      last--;
    }
  }

  /**
   * Fill the array with regions as a host printed them (debugfs memblock/*, a memblock=debug dump, or the
   * trace's own arrays): sorted by base then end, empty ones dropped, nothing merged, so the array is the host's
   * even when a hand-made trace has touching or overlapping regions (`unmerged` then says so).
   */
  load(regions: readonly { start: number; end: number; nid: number | null; flags: number }[]): void {
    const rs = regions.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
    const n = rs.length;
    this.bases = new Float64Array(Math.max(n, 16));
    this.sizes = new Float64Array(this.bases.length);
    this.nids = new Int32Array(this.bases.length);
    this.flagsArr = new Int32Array(this.bases.length);
    let total = 0;
    let unmerged = false;
    for (let i = 0; i < n; i++) {
      const r = rs[i]!;
      this.bases[i] = r.start;
      this.sizes[i] = r.end - r.start;
      this.nids[i] = r.nid === null ? -1 : r.nid;
      this.flagsArr[i] = r.flags;
      total += r.end - r.start;
      if (i > 0 && rs[i - 1]!.end >= r.start) unmerged = true;
    }
    this.count = n;
    this.totalSize = total;
    this.unmerged = unmerged;
    this.growMax();
  }

  /**
   * @internal Take `count` regions from columns a batch operation built (sorted, sizes > 0). type->max follows
   * memblock_double_array()'s doubling; the doubled arrays' own reservations are not modelled by the batches.
   */
  replaceColumns(
    bases: Float64Array,
    sizes: Float64Array,
    nids: Int32Array,
    flags: Int32Array,
    count: number,
  ): void {
    this.bases = bases;
    this.sizes = sizes;
    this.nids = nids;
    this.flagsArr = flags;
    this.count = count;
    let total = 0;
    for (let i = 0; i < count; i++) total += sizes[i]!;
    this.totalSize = total;
    this.growMax();
  }

  private growMax(): void {
    while (this.cnt > this.max) {
      this.max *= 2;
      this.dynamic = true;
    }
  }

  /** The base column (read only: callers sweep it; regions [0, count)). */
  get baseColumn(): Float64Array {
    return this.bases;
  }
  /** The size column. */
  get sizeColumn(): Float64Array {
    return this.sizes;
  }
  /** The node column, -1 = no node. */
  get nidColumn(): Int32Array {
    return this.nids;
  }
  /** The flags column. */
  get flagsColumn(): Int32Array {
    return this.flagsArr;
  }

  /** A deep copy (replay snapshots). */
  clone(): MemblockType {
    const t = new MemblockType(this.name, this.max, this.version);
    t.totalSize = this.totalSize;
    t.dynamic = this.dynamic;
    t.arrayAddr = this.arrayAddr;
    t.count = this.count;
    t.unmerged = this.unmerged;
    t.bases = this.bases.slice();
    t.sizes = this.sizes.slice();
    t.nids = this.nids.slice();
    t.flagsArr = this.flagsArr.slice();
    return t;
  }

  private grow(): void {
    const cap = this.bases.length * 2;
    const b = new Float64Array(cap);
    b.set(this.bases);
    const s = new Float64Array(cap);
    s.set(this.sizes);
    const n = new Int32Array(cap);
    n.set(this.nids);
    const f = new Int32Array(cap);
    f.set(this.flagsArr);
    this.bases = b;
    this.sizes = s;
    this.nids = n;
    this.flagsArr = f;
  }
}

/** Every region of a type in order: bytes [base, base + size), node (null: none), flags. */
/** Each region of t, but those with a flag of `skipFlags` (no call for them: a million NOINIT blocks). */
function forEachRegion(t: MemblockType, cb: RangeCallback, skipFlags = 0): void {
  const B = t.baseColumn;
  const S = t.sizeColumn;
  const N = t.nidColumn;
  const Fl = t.flagsColumn;
  for (let i = 0; i < t.count; i++) {
    if (Fl[i]! & skipFlags) continue;
    const n = N[i]!;
    cb(B[i]!, B[i]! + S[i]!, n < 0 ? null : n, Fl[i]!);
  }
}

function pfnDown(addr: number, pageSize: number): number {
  return Math.floor(addr / pageSize);
}
function roundDown(v: number, align: number): number {
  return Math.floor(v / align) * align;
}
function roundUp(v: number, align: number): number {
  return Math.ceil(v / align) * align;
}

export interface FreeRangeQuery {
  /** Node filter; null or undefined = any node (NUMA_NO_NODE). */
  readonly nid?: number | null;
  /** Flags the caller passes (MEMBLOCK_NONE by default). */
  readonly flags?: number;
  /**
   * The node a region without one answers with (and is filtered as); null by default. The replay passes 0:
   * with no NUMA information x86 numa_init() puts all memory on node 0 (dummy_numa_init).
   */
  readonly defaultNid?: number | null;
}

/** A callback per range: byte (or pfn) bounds [start, end), the node (null: none), the memory region's flags. */
export type RangeCallback = (start: number, end: number, nid: number | null, flags: number) => void;

/** Free ranges in pfns as columns (one per range, no object): what for_each_free_mem_range gives, page-rounded. */
export interface FreePfnColumns {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly nid: Float64Array;
  readonly n: number;
}

export interface AllocRequest {
  readonly size: number;
  readonly align: number;
  /** Lowest acceptable address (min_addr / from). */
  readonly start?: number;
  /** Highest acceptable end; 0 (MEMBLOCK_ALLOC_ACCESSIBLE) means current_limit. */
  readonly end?: number;
  /** Preferred node, null = NUMA_NO_NODE. */
  readonly nid?: number | null;
  /** memblock_alloc_exact_nid_raw: do not fall back to other nodes. */
  readonly exactNid?: boolean;
}

/** The whole `struct memblock` plus the globals around it (memblock_can_resize, kho_scratch_only, ...). */
export class Memblock {
  readonly version: MemblockVersion;
  readonly memory: MemblockType;
  readonly reserved: MemblockType;
  readonly pageSize: number;
  /** memblock.bottom_up (false: allocations go top-down). */
  bottomUp = false;
  /** memblock.current_limit (MEMBLOCK_ALLOC_ANYWHERE at boot). */
  currentLimit: number = MEMBLOCK_LIMITS.PHYS_ADDR_MAX;
  /** memblock_can_resize, set by memblock_allow_resize(). */
  canResize = false;
  /** slab_is_available(): doubled arrays come from kmalloc, not from memblock. */
  slabAvailable = false;
  /** system_has_some_mirror. */
  hasMirror = false;
  /** kho_scratch_only ([MB-N]): allocations only from KHO_SCRATCH memory. */
  khoScratchOnly = false;
  /** memblock_discard() ran: memblock data is __initdata and gone on !ARCH_KEEP_MEMBLOCK. */
  discarded = false;
  /** A panic was modelled (newest: resize before memblock_allow_resize). Operations after it are no-ops. */
  panicked = false;
  readonly events: MemblockEvent[] = [];
  readonly movableNode: boolean;
  readonly mirroredKernelcore: boolean;
  readonly firstOnlineNode: number;
  private readonly reserveDoubledArrays: boolean;
  /** early_pfn_to_nid() with its one-entry cache (mm_init.c early_pfnnid_cache), over this model's memory. */
  private readonly pfnNid: EarlyPfnToNid<number | null>;

  constructor(opts: MemblockOptions) {
    this.version = opts.version;
    this.pageSize = 2 ** (opts.pageShift ?? 12);
    this.memory = new MemblockType(
      'memory',
      opts.memoryRegions ?? MEMBLOCK_LIMITS.INIT_MEMBLOCK_REGIONS,
      opts.version,
    );
    this.reserved = new MemblockType(
      'reserved',
      opts.reservedRegions ?? MEMBLOCK_LIMITS.INIT_MEMBLOCK_REGIONS,
      opts.version,
    );
    this.reserveDoubledArrays = opts.reserveDoubledArrays ?? true;
    this.movableNode = opts.movableNode ?? false;
    this.mirroredKernelcore = opts.mirroredKernelcore ?? true;
    this.firstOnlineNode = opts.firstOnlineNode ?? 0;
    // memblock_search_pfn_nid() over this.memory: the region holding PFN_PHYS(pfn), cached as PFN_DOWN(base..end)
    this.pfnNid = new EarlyPfnToNid<number | null>(
      {
        searchPfn: (pfn) => this.memory.search(pfn * this.pageSize),
        startPfn: (i) => pfnDown(this.memory.base(i), this.pageSize),
        endPfn: (i) => pfnDown(this.memory.end(i), this.pageSize),
        nid: (i) => this.memory.nid(i),
      },
      this.firstOnlineNode,
    );
  }

  type(name: MemblockTypeName): MemblockType {
    return name === 'memory' ? this.memory : this.reserved;
  }

  // ---- building blocks -------------------------------------------------------------------------------

  private checkFlags(flags: number): void {
    if (this.version === 'v6.1' && (flags & ~FLAGS_V61) !== 0)
      throw new Error(`memblock flags 0x${flags.toString(16)} do not exist in v6.1`);
  }

  /** memblock_cap_size(): keep base + size inside the address space. */
  private capSize(base: number, size: number): number {
    return Math.min(size, MEMBLOCK_LIMITS.PHYS_ADDR_MAX - base);
  }

  /**
   * memblock_double_array(type, new_area_start, new_area_size). Refused before memblock_allow_resize():
   * 6.1 returns -1 (the caller fails with -ENOMEM), [MB-N] panics ("memblock: cannot resize %s array").
   * Checked against linux v7.3-rc7 mm/memblock.c memblock_double_array: new_alloc_size = PAGE_ALIGN(2 * max * 24),
   * memblock_find_in_range(new_area_start + new_area_size, current_limit) then [0, new_area_start) for the reserved
   * array only, the old array freed before the new one is reserved (memblock_reserve_kern from the KHO series,
   * memblock_reserve in 6.1), kmalloc once slab is up. A memblock=debug log's `is doubled` line is compared with the
   * model's doubling (memblock-replay.ts; no capture in traces/ has one). kho_memory_init()'s reservations double
   * memblock.reserved the same way, modelled in src/sim/memblock-kho-reserve.ts (walk order, scratch-only search, the
   * last array reserved until memblock_discard(), which frees it: page_alloc_init_late.ts), and so do the splits of
   * memmap_init_reserved_pages()' memblock_set_node() loop (then eac8ea8736cc's `goto repeat`, v6.15), done region by
   * region up to 20,000 reserved regions (memblock_free_all.ts reservedSetNodeLoop; above, reported, not modelled).
   */
  private doubleArray(type: MemblockType, newAreaStart: number, newAreaSize: number): boolean {
    if (!this.canResize) {
      if (this.version === 'v6.1') {
        this.events.push({ kind: 'resize-refused', type: type.name, max: type.max });
      } else {
        this.events.push({ kind: 'panic', message: `memblock: cannot resize ${type.name} array` });
        this.panicked = true;
      }
      return false;
    }
    const oldBytes = type.max * MEMBLOCK_LIMITS.MEMBLOCK_REGION_BYTES;
    const newAllocSize = roundUp(oldBytes * 2, this.pageSize);
    const oldAllocSize = roundUp(oldBytes, this.pageSize);
    let addr: number | null = null;
    if (!this.slabAvailable) {
      // Only the reserved array avoids the range being added (it may be the one that needs the room).
      const avoidStart = type === this.reserved ? newAreaStart : 0;
      const avoidSize = type === this.reserved ? newAreaSize : 0;
      let a = this.findInRange(avoidStart + avoidSize, this.currentLimit, newAllocSize, this.pageSize);
      if (a === 0 && avoidSize !== 0)
        a = this.findInRange(0, Math.min(avoidStart, this.currentLimit), newAllocSize, this.pageSize);
      if (a === 0) {
        this.events.push({ kind: 'resize-refused', type: type.name, max: type.max });
        return false;
      }
      addr = a;
    }
    const oldAddr = type.arrayAddr;
    type.max *= 2;
    type.dynamic = true;
    type.arrayAddr = addr;
    this.events.push({ kind: 'double', type: type.name, newMax: type.max, addr });
    if (this.reserveDoubledArrays) {
      if (oldAddr !== null) this.removeRange(this.reserved, oldAddr, oldAllocSize);
      // v6.16 reserves the new array with memblock_reserve_kern() (KHO series); 6.1 with memblock_reserve().
      const kern = this.version === 'v6.1' ? 0 : F.MEMBLOCK_RSRV_KERN;
      if (addr !== null) this.addRange(this.reserved, addr, newAllocSize, null, kern);
    }
    return true;
  }

  /**
   * memblock_add_range(): insert the parts of [base, base+size) not yet covered, with the new nid/flags;
   * overlapped parts of existing regions keep theirs. Returns 0 or ENOMEM (nothing changed then).
   */
  addRange(type: MemblockType, base: number, size0: number, nid: number | null, flags: number): number {
    if (this.panicked) return ENOMEM;
    this.checkFlags(flags);
    const size = this.capSize(base, size0);
    if (size <= 0) return 0;
    const end = base + size;
    if (type.count === 0) {
      type.insertAt(0, base, size, nid, flags);
      return 0;
    }
    // Counting pass: the gaps of [base, end) between existing regions.
    const gaps: number[] = [];
    let cursor = base;
    let i = type.firstEndingAbove(base);
    for (; i < type.count; i++) {
      const rb = type.base(i);
      if (rb >= end) break;
      if (rb > cursor) {
        gaps.push(cursor, rb);
        this.warnOnGap(type, i, nid, flags);
      }
      cursor = Math.min(type.end(i), end);
    }
    if (cursor < end) gaps.push(cursor, end);
    const nrNew = gaps.length / 2;
    if (nrNew === 0) return 0;
    while (type.cnt + nrNew > type.max) if (!this.doubleArray(type, base, size)) return ENOMEM;
    // Insert pass (the array may have changed if doubling reserved the new array in it).
    let first = -1;
    let lastIdx = -1;
    for (let g = 0; g < gaps.length; g += 2) {
      const gs = gaps[g]!;
      const ge = gaps[g + 1]!;
      // The gap may have been partly covered by the doubled array's reservation: re-derive pieces.
      let c = gs;
      let j = type.firstEndingAbove(gs);
      while (c < ge) {
        const nextBase = j < type.count ? type.base(j) : Infinity;
        if (nextBase <= c) {
          c = Math.min(type.end(j), ge);
          j++;
          continue;
        }
        const pe = Math.min(nextBase, ge);
        type.insertAt(j, c, pe - c, nid, flags);
        if (first < 0) first = j;
        lastIdx = j;
        j++;
        c = pe;
      }
    }
    if (first >= 0) type.mergeRegions(first, lastIdx + 1);
    return 0;
  }

  /**
   * memblock_add_range() WARN_ONs when a gap piece is inserted below an overlapping region of another node, or
   * with other flags: 6.1 warns on any flag difference; v6.16 (KHO series, "memblock: add MEMBLOCK_RSRV_KERN
   * flag") only when the new flags are not MEMBLOCK_NONE. Behaviour is unchanged; the kernel prints a splat
   * (once per pass over the array, so it can appear twice; recorded once here).
   */
  private warnOnGap(type: MemblockType, i: number, nid: number | null, flags: number): void {
    if (nid !== type.nid(i))
      this.events.push({ kind: 'warn', type: type.name, message: `nid ${nid} != region nid ${type.nid(i)}` });
    const rf = type.flags(i);
    if (flags !== rf && (this.version === 'v6.1' || flags !== 0))
      this.events.push({
        kind: 'warn',
        type: type.name,
        message: `flags 0x${flags.toString(16)} != region flags 0x${rf.toString(16)}`,
      });
  }

  /**
   * memblock_isolate_range(): split regions crossing base or end so that [base, end) is covered by whole
   * regions [start, end) of the array. Both halves keep nid and flags. Needs room for two more regions.
   */
  isolateRange(type: MemblockType, base: number, size0: number): { start: number; end: number } | null {
    const before = type.count;
    const r = this.isolate(type, base, size0);
    if (type.count !== before) type.unmerged = true;
    return r;
  }

  private isolate(type: MemblockType, base: number, size0: number): { start: number; end: number } | null {
    if (this.panicked) return null;
    const size = this.capSize(base, size0);
    if (size <= 0) return { start: 0, end: 0 };
    const end = base + size;
    while (type.cnt + 2 > type.max) if (!this.doubleArray(type, base, size)) return null;
    let startRgn = 0;
    let endRgn = 0;
    let i = type.firstEndingAbove(base);
    while (i < type.count) {
      const rb = type.base(i);
      const re = type.end(i);
      if (rb >= end) break;
      const nid = type.nid(i);
      const flags = type.flags(i);
      if (rb < base) {
        // Crosses base from below: keep the top half at i+1, insert the bottom half at i.
        type.setRegion(i, base, re - base);
        type.totalSize -= base - rb;
        type.insertAt(i, rb, base - rb, nid, flags);
        i++;
        continue;
      }
      if (re > end) {
        // Crosses end from above: keep the top half, insert the bottom half and look at it again.
        type.setRegion(i, end, re - end);
        type.totalSize -= end - rb;
        type.insertAt(i, rb, end - rb, nid, flags);
        continue;
      }
      if (endRgn === 0) startRgn = i;
      endRgn = i + 1;
      i++;
    }
    return { start: startRgn, end: endRgn };
  }

  /** memblock_remove_range(). */
  removeRange(type: MemblockType, base: number, size: number): number {
    const r = this.isolate(type, base, size);
    if (r === null) return ENOMEM;
    for (let i = r.end - 1; i >= r.start; i--) type.removeAt(i);
    return 0;
  }

  /** memblock_setclr_flag(type, base, size, set, flag). */
  setclrFlag(type: MemblockType, base: number, size: number, set: boolean, flag: number): number {
    this.checkFlags(flag);
    const r = this.isolate(type, base, size);
    if (r === null) return ENOMEM;
    for (let i = r.start; i < r.end; i++)
      type.setFlags(i, set ? type.flags(i) | flag : type.flags(i) & ~flag);
    type.mergeRegions(r.start, r.end);
    return 0;
  }

  // ---- public API, kernel names --------------------------------------------------------------------

  /** memblock_add(base, size): memory, no node, flags 0. */
  add(base: number, size: number): number {
    return this.addRange(this.memory, base, size, null, 0);
  }
  /** memblock_add_node(base, size, nid, flags). */
  addNode(base: number, size: number, nid: number | null, flags = 0): number {
    return this.addRange(this.memory, base, size, nid, flags);
  }
  /** memblock_remove(base, size). */
  remove(base: number, size: number): number {
    return this.removeRange(this.memory, base, size);
  }
  /** memblock_reserve(base, size): reserved, no node, flags 0. */
  reserve(base: number, size: number): number {
    return this.addRange(this.reserved, base, size, null, 0);
  }
  /** __memblock_reserve(base, size, nid, flags) ([MB-N]). */
  reserveNode(base: number, size: number, nid: number | null, flags: number): number {
    return this.addRange(this.reserved, base, size, nid, flags);
  }
  /** memblock_reserve_kern() ([MB-N], v6.16): reserved with MEMBLOCK_RSRV_KERN. */
  reserveKern(base: number, size: number): number {
    return this.addRange(this.reserved, base, size, null, F.MEMBLOCK_RSRV_KERN);
  }
  /** memblock_phys_free(base, size) (and memblock_free(ptr, size) on the physical address). */
  physFree(base: number, size: number): number {
    return this.removeRange(this.reserved, base, size);
  }
  markHotplug(base: number, size: number): number {
    return this.setclrFlag(this.memory, base, size, true, F.MEMBLOCK_HOTPLUG);
  }
  clearHotplug(base: number, size: number): number {
    return this.setclrFlag(this.memory, base, size, false, F.MEMBLOCK_HOTPLUG);
  }
  /** memblock_mark_mirror(): [MB-N] does nothing unless kernelcore=mirror; sets system_has_some_mirror. */
  markMirror(base: number, size: number): number {
    if (!this.mirroredKernelcore) return 0;
    this.hasMirror = true;
    return this.setclrFlag(this.memory, base, size, true, F.MEMBLOCK_MIRROR);
  }
  markNomap(base: number, size: number): number {
    return this.setclrFlag(this.memory, base, size, true, F.MEMBLOCK_NOMAP);
  }
  clearNomap(base: number, size: number): number {
    return this.setclrFlag(this.memory, base, size, false, F.MEMBLOCK_NOMAP);
  }
  markKhoScratch(base: number, size: number): number {
    return this.setclrFlag(this.memory, base, size, true, F.MEMBLOCK_KHO_SCRATCH);
  }
  clearKhoScratch(base: number, size: number): number {
    return this.setclrFlag(this.memory, base, size, false, F.MEMBLOCK_KHO_SCRATCH);
  }
  /** memblock_reserved_mark_noinit() (v6.7+): on the reserved type. */
  reservedMarkNoinit(base: number, size: number): number {
    return this.setclrFlag(this.reserved, base, size, true, F.MEMBLOCK_RSRV_NOINIT);
  }
  /** memblock_set_kho_scratch_only() / memblock_clear_kho_scratch_only() ([MB-N]). */
  setKhoScratchOnly(on: boolean): void {
    if (this.version === 'v6.1') throw new Error('KHO scratch-only mode does not exist in v6.1');
    this.khoScratchOnly = on;
  }

  /** memblock_set_node(base, size, type, nid): isolate, set nid, merge. */
  setNode(base: number, size: number, type: MemblockType, nid: number | null): number {
    const r = this.isolate(type, base, size);
    if (r === null) return ENOMEM;
    for (let i = r.start; i < r.end; i++) type.setNid(i, nid);
    type.mergeRegions(r.start, r.end);
    return 0;
  }

  // ---- column operations: one kernel operation over each range of a sorted batch, in one sweep ----------------

  /**
   * memblock_reserve(base, size) for each range of the batch (linux v7.3-rc7 mm/memblock.c memblock_reserve:
   * NUMA_NO_NODE, flags 0), each then flagged `mark` (memblock_reserved_mark_noinit() when it is
   * MEMBLOCK_RSRV_NOINIT), as kho_preserved_memory_reserve() does per preserved block. Returns ENOMEM after a
   * modelled panic, like the one-range operations.
   */
  reserveRanges(batch: RangeBatch, mark = 0): number {
    if (this.panicked) return ENOMEM;
    this.checkFlags(mark);
    applyBatch(this.reserved, batch, { add: true, addNid: -1, set: mark, clear: 0, setNid: false });
    return 0;
  }

  /** memblock_setclr_flag(type, base, size, set, flag) for each range of the batch. */
  markRanges(type: MemblockType, batch: RangeBatch, set: boolean, flag: number): number {
    if (this.panicked) return ENOMEM;
    this.checkFlags(flag);
    applyBatch(type, batch, {
      add: false,
      addNid: -1,
      set: set ? flag : 0,
      clear: set ? 0 : flag,
      setNid: false,
    });
    return 0;
  }

  /**
   * memblock_set_node(base, size, type, nid) for each range of the batch: `nid` one node for all (null:
   * NUMA_NO_NODE), or the batch's own `nid` column, one node per range (ranges must not overlap then).
   */
  setNodeRanges(type: MemblockType, batch: RangeBatch, nid: number | null | 'per-range'): number {
    if (this.panicked) return ENOMEM;
    if (nid === 'per-range' && !batch.nid) throw new Error('setNodeRanges: the batch has no nid column');
    const one = nid === 'per-range' || nid === null ? -1 : nid;
    const b = nid === 'per-range' ? batch : { start: batch.start, end: batch.end, n: batch.n };
    applyBatch(type, b, { add: false, addNid: one, set: 0, clear: 0, setNid: true });
    return 0;
  }

  /** memblock_allow_resize(). */
  allowResize(): void {
    this.canResize = true;
  }

  /**
   * __find_max_addr(limit) (mm/memblock.c, v6.1): the address at which memory, counted region by region from the
   * bottom, reaches `limit` bytes; null (the kernel's PHYS_ADDR_MAX) when there is less memory than that.
   */
  private findMaxAddr(limit: number): number | null {
    let left = limit;
    for (let i = 0; i < this.memory.count; i++) {
      if (left <= this.memory.size(i)) return this.memory.base(i) + left;
      left -= this.memory.size(i);
    }
    return null;
  }

  /** memblock_enforce_memory_limit(limit) (`mem=`): cut memory and reserved at the address where memory reaches limit. */
  enforceMemoryLimit(limit: number): void {
    if (limit <= 0) return;
    const maxAddr = this.findMaxAddr(limit);
    if (maxAddr === null) return; // the limit is above the total memory: nothing to cut
    const rest = MEMBLOCK_LIMITS.PHYS_ADDR_MAX - maxAddr;
    this.removeRange(this.memory, maxAddr, rest);
    this.removeRange(this.reserved, maxAddr, rest);
  }

  /** memblock_cap_memory_range(base, size): drop memory outside except NOMAP regions; cut reserved to it. */
  capMemoryRange(base: number, size: number): void {
    if (size === 0 || this.memory.totalSize === 0) return;
    const r = this.isolate(this.memory, base, size);
    if (r === null) return;
    // Kept NOMAP regions split at base or end stay split: nothing merges them until the next insert (6.1).
    this.memory.unmerged = true;
    for (let i = this.memory.count - 1; i >= r.end; i--)
      if ((this.memory.flags(i) & F.MEMBLOCK_NOMAP) === 0) this.memory.removeAt(i);
    for (let i = r.start - 1; i >= 0; i--)
      if ((this.memory.flags(i) & F.MEMBLOCK_NOMAP) === 0) this.memory.removeAt(i);
    this.removeRange(this.reserved, 0, base);
    this.removeRange(this.reserved, base + size, MEMBLOCK_LIMITS.PHYS_ADDR_MAX - (base + size));
  }

  /** memblock_mem_limit_remove_map(limit): like enforce_memory_limit but keeps NOMAP (cap_memory_range). */
  memLimitRemoveMap(limit: number): void {
    if (limit <= 0) return;
    const maxAddr = this.findMaxAddr(limit);
    if (maxAddr === null) return; // the limit is above the total memory: nothing to cut
    this.capMemoryRange(0, maxAddr);
  }

  /**
   * memblock_trim_memory(align): shrink each memory region inward to `align`, drop the ones that vanish.
   * Like the kernel, a shrunk region does not update total_size (only removed regions do).
   */
  trimMemory(align: number): void {
    for (let i = 0; i < this.memory.count; i++) {
      const ob = this.memory.base(i);
      const oe = this.memory.end(i);
      const s = roundUp(ob, align);
      const e = roundDown(oe, align);
      if (s === ob && e === oe) continue;
      if (s < e) this.memory.setRegion(i, s, e - s);
      else {
        this.memory.removeAt(i);
        i--;
      }
    }
  }

  // ---- iterators ---------------------------------------------------------------------------------

  /**
   * for_each_mem_pfn_range(i, nid, ...) (linux v7.3-rc7 mm/memblock.c __next_mem_pfn_range): memory regions in
   * order as PFN_UP(base)..PFN_DOWN(end), regions without a whole page skipped, flags not looked at; nid
   * null/undefined = all nodes. `defaultNid` answers for a region without a node (see FreeRangeQuery).
   */
  forEachMemPfnRange(
    nid: number | null | undefined,
    cb: RangeCallback,
    defaultNid: number | null = null,
  ): void {
    const m = this.memory;
    const B = m.baseColumn;
    const S = m.sizeColumn;
    const N = m.nidColumn;
    const F = m.flagsColumn;
    const ps = this.pageSize;
    for (let i = 0; i < m.count; i++) {
      const s = Math.ceil(B[i]! / ps);
      const e = Math.floor((B[i]! + S[i]!) / ps);
      if (s >= e) continue;
      const rn = N[i]! < 0 ? defaultNid : N[i]!;
      if (nid !== undefined && nid !== null && rn !== nid) continue;
      cb(s, e, rn, F[i]!);
    }
  }

  /** for_each_mem_pfn_range() as a list. */
  memPfnRanges(nid?: number | null): MemblockPfnRange[] {
    const out: MemblockPfnRange[] = [];
    this.forEachMemPfnRange(nid, (startPfn, endPfn, rn) => out.push({ startPfn, endPfn, nid: rn }));
    return out;
  }

  /** for_each_mem_region(): every memory region, bytes [base, base + size), its node (null: none) and flags. */
  forEachMemRegion(cb: RangeCallback): void {
    forEachRegion(this.memory, cb);
  }

  /** for_each_reserved_mem_region() (include/linux/memblock.h): every reserved region, whatever its flags. */
  forEachReservedMemRegion(cb: RangeCallback, skipFlags = 0): void {
    forEachRegion(this.reserved, cb, skipFlags);
  }

  /**
   * for_each_reserved_mem_region() after the first loop of memmap_init_reserved_pages() (linux v7.3-rc7
   * mm/memblock.c memmap_init_reserved_pages): memblock_set_node(region->base, region->size, &memblock.reserved,
   * nid) for each memory region in order splits a reserved region crossing a memory region's boundary there, each
   * part inside memory taking that memory's node (`defaultNid` for memory without one: the replay's 0, x86
   * dummy_numa_init) and each part outside keeping the region's own. The parts come in address order, computed in
   * one sweep over both arrays and never stored: at a million reserved regions a changed copy of the array would
   * cost 24 bytes a region for nothing a later phase reads. memblock_set_node()'s merge of touching parts of equal
   * node and flags is left out: it changes no page's node (a part outside memory without a node asks
   * early_pfn_to_nid() of a pfn outside memory, first_online_node, merged or not). With the size rule the replay
   * stores the loop's array instead, doublings included, up to 20,000 reserved regions (memblock_free_all.ts
   * reservedSetNodeLoop), and walks that; this sweep gives the same parts and nodes. Memory regions
   * a hand-made trace printed overlapping are done the kernel's way, one memblock_set_node() after the other (the
   * later region's node wins), on a copy.
   *
   * `setNodeSize` 'end': the kernels from 61167ad5fecd (v6.5) to 06eaa824fd23 ("mm/memblock: pass size instead of
   * end to memblock_set_node()", v6.15; 6.6.90, 6.12.28, 6.14.6) passed the region's end where memblock_set_node()
   * takes a size, so each call set the node on [base, base + end) = [base, 2 * base + size). Memory regions come in
   * address order and a later call overwrites an earlier one's reach, so the node an address ends up with is the
   * one of the last memory region at or below it, if that region's reach (2 * base + size) is above the address:
   * inside memory nothing changes, and a reserved part in the hole above a memory region takes that region's node
   * for as far as the region's base (a region at 0 reaches no further than its own end). No earlier region can
   * reach further: base_i + size_i <= base_k gives 2 * base_i + size_i < 2 * base_k + size_k.
   *
   * Regions with a flag of `skipFlags` give no call (memmap_init_reserved_pages() skips MEMBLOCK_RSRV_NOINIT ones).
   */
  forEachReservedMemRegionByNode(
    defaultNid: number | null,
    cb: RangeCallback,
    setNodeSize: 'size' | 'end' = 'size',
    skipFlags = 0,
  ): void {
    const { baseColumn: MB, sizeColumn: MS, nidColumn: MN, count: nm } = this.memory;
    const endAsSize = setNodeSize === 'end';
    for (let k = 1; k < nm; k++)
      if (MB[k]! < MB[k - 1]! + MS[k - 1]!) {
        const copy = this.clone();
        for (let i = 0; i < nm; i++) {
          const nid = MN[i]! < 0 ? defaultNid : MN[i]!;
          copy.setNode(MB[i]!, endAsSize ? MB[i]! + MS[i]! : MS[i]!, copy.reserved, nid);
        }
        return forEachRegion(copy.reserved, cb, skipFlags);
      }
    const { baseColumn: RB, sizeColumn: RS, nidColumn: RN, flagsColumn: RF, count: nr } = this.reserved;
    // a part [g0, g1) outside memory, above memory region p (-1: none below): the reach of p's call, then its own
    const gap = (g0: number, g1: number, p: number, own: number | null, f: number): void => {
      if (endAsSize && p >= 0) {
        const reach = 2 * MB[p]! + MS[p]!;
        if (reach > g0) {
          const e = reach < g1 ? reach : g1;
          cb(g0, e, MN[p]! < 0 ? defaultNid : MN[p]!, f);
          g0 = e;
        }
      }
      if (g0 < g1) cb(g0, g1, own, f);
    };
    let j = 0;
    for (let i = 0; i < nr; i++) {
      const f = RF[i]!;
      if (f & skipFlags) continue;
      const rs = RB[i]!;
      const re = rs + RS[i]!;
      const own = RN[i]! < 0 ? null : RN[i]!;
      while (j < nm && MB[j]! + MS[j]! <= rs) j++;
      let cur = rs;
      let below = j - 1;
      for (let k = j; k < nm && MB[k]! < re; k++) {
        const ms = MB[k]!;
        if (ms > cur) {
          gap(cur, ms, below, own, f);
          cur = ms;
        }
        const me = ms + MS[k]!;
        const e = me < re ? me : re;
        if (e > cur) {
          cb(cur, e, MN[k]! < 0 ? defaultNid : MN[k]!, f);
          cur = e;
        }
        below = k;
      }
      if (cur < re) gap(cur, re, below, own, f);
    }
  }

  /**
   * What memmap_init_reserved_pages()' memblock_set_node(region->base, region->size, &memblock.reserved, nid) loop
   * over the memory regions (the size rule, linux v7.3-rc7 mm/memblock.c memmap_init_reserved_pages) does to the shape
   * of the reserved array, read only, in one pass over it: `boundaries`, the memory region edges that fall strictly
   * inside a reserved region (each memblock_isolate_range() splits there: an upper bound of what the loop adds before
   * any merge, so cnt + 2 > max cannot happen while count + boundaries + 2 <= max); `splits`, those edges where the two
   * parts end with different nodes (memory's node on either side, the region's own in a hole: the split stays);
   * `merges`, touching regions of equal flags whose nodes become equal with at least one in memory (memblock_set_node's
   * memblock_merge_regions() window takes them). Memory regions must not overlap (`null` when they do). The count
   * after the loop is count + splits - merges. setNodeBoundaries(): the first number alone (a binary search per memory
   * edge), null when memory regions overlap.
   */
  setNodeBoundaries(): number | null {
    const { baseColumn: MB, sizeColumn: MS, count: nm } = this.memory;
    for (let k = 1; k < nm; k++) if (MB[k]! < MB[k - 1]! + MS[k - 1]!) return null;
    const r = this.reserved;
    let boundaries = 0;
    for (let k = 0; k < nm; k++)
      for (const x of [MB[k]!, MB[k]! + MS[k]!]) {
        const i = r.search(x);
        if (i >= 0 && r.baseColumn[i]! < x) boundaries++;
      }
    return boundaries;
  }

  /** setNodeBoundaries() with what the loop leaves: the splits that stay and the merges (see above). */
  setNodeShape(defaultNid: number): { boundaries: number; splits: number; merges: number } | null {
    const { baseColumn: MB, sizeColumn: MS, nidColumn: MN, count: nm } = this.memory;
    for (let k = 1; k < nm; k++) if (MB[k]! < MB[k - 1]! + MS[k - 1]!) return null;
    const r = this.reserved;
    const { baseColumn: RB, sizeColumn: RS, nidColumn: RN, flagsColumn: RF, count: nr } = r;
    // the memory region holding byte a, or -1
    const memAt = (a: number): number => {
      const k = this.memory.search(a);
      return k;
    };
    const nidAt = (a: number, own: number): number => {
      const k = memAt(a);
      return k < 0 ? own : MN[k]! < 0 ? defaultNid : MN[k]!;
    };
    let boundaries = 0;
    let splits = 0;
    let lastSplit = NaN;
    for (let k = 0; k < nm; k++) {
      for (const x of [MB[k]!, MB[k]! + MS[k]!]) {
        const i = r.search(x);
        if (i < 0 || RB[i]! >= x) continue;
        boundaries++;
        if (x === lastSplit) continue;
        lastSplit = x;
        if (nidAt(x - 1, RN[i]!) !== nidAt(x, RN[i]!)) splits++;
      }
    }
    let merges = 0;
    for (let i = 0; i + 1 < nr; i++) {
      const x = RB[i]! + RS[i]!;
      if (x !== RB[i + 1] || RF[i] !== RF[i + 1]) continue;
      const inL = memAt(x - 1) >= 0;
      const inR = memAt(x) >= 0;
      if ((inL || inR) && nidAt(x - 1, RN[i]!) === nidAt(x, RN[i + 1]!)) merges++;
    }
    return { boundaries, splits, merges };
  }

  /** for_each_reserved_mem_region() as a list of regions. */
  reservedRegions(): MemblockRegion[] {
    return this.reserved.regions();
  }

  /**
   * should_skip_region() for the memory type (linux v7.3-rc7 mm/memblock.c should_skip_region; 6.1 has no
   * KHO_SCRATCH test). After memblock_discard() the kernel's memblock_memory pointer is NULL and nothing is
   * skipped; we keep that quirk. `rnid` is the region's node after defaultNid.
   */
  private skipMemoryRegion(rnid: number | null, mflags: number, nid: number | null, flags: number): boolean {
    if (this.discarded) return false;
    if (nid !== null && nid !== rnid) return true;
    if (this.movableNode && (mflags & F.MEMBLOCK_HOTPLUG) !== 0 && (flags & F.MEMBLOCK_HOTPLUG) === 0)
      return true;
    if ((flags & F.MEMBLOCK_MIRROR) !== 0 && (mflags & F.MEMBLOCK_MIRROR) === 0) return true;
    if ((flags & F.MEMBLOCK_NOMAP) === 0 && (mflags & F.MEMBLOCK_NOMAP) !== 0) return true;
    if ((flags & F.MEMBLOCK_DRIVER_MANAGED) === 0 && (mflags & F.MEMBLOCK_DRIVER_MANAGED) !== 0) return true;
    if (
      this.version !== 'v6.1' &&
      (flags & F.MEMBLOCK_KHO_SCRATCH) !== 0 &&
      (mflags & F.MEMBLOCK_KHO_SCRATCH) === 0
    )
      return true;
    return false;
  }

  /**
   * for_each_mem_range(i, nid, flags, ...) (__next_mem_range with no type_b): memory regions that
   * should_skip_region() keeps, bytes.
   */
  forEachMemRange(q: FreeRangeQuery, cb: RangeCallback): void {
    const nid = q.nid ?? null;
    const flags = q.flags ?? F.MEMBLOCK_NONE;
    const dn = q.defaultNid ?? null;
    const m = this.memory;
    for (let i = 0; i < m.count; i++) {
      const n = m.nidColumn[i]!;
      const rn = n < 0 ? dn : n;
      const mf = m.flagsColumn[i]!;
      if (this.skipMemoryRegion(rn, mf, nid, flags)) continue;
      cb(m.baseColumn[i]!, m.baseColumn[i]! + m.sizeColumn[i]!, rn, mf);
    }
  }

  /**
   * for_each_free_mem_range(i, nid, flags, ...) (linux v7.3-rc7 mm/memblock.c __next_mem_range over memory and
   * reserved): memory that should_skip_region() keeps (NOMAP and DRIVER_MANAGED unless asked for, HOTPLUG with
   * movable_node, non-MIRROR when MIRROR is asked, non-KHO_SCRATCH when KHO_SCRATCH is asked) minus every
   * reserved region whatever its flags (RSRV_NOINIT, RSRV_KERN only matter to memmap_init_reserved_pages and the
   * reserved-size counters), in address order, bytes. The kernel can yield an empty range between two touching
   * reserved regions; it is left out here. Reserved regions of a hand-made trace may overlap: the sweep takes
   * their union.
   */
  forEachFreeMemRange(q: FreeRangeQuery, cb: RangeCallback): void {
    const nid = q.nid ?? null;
    const flags = q.flags ?? F.MEMBLOCK_NONE;
    const dn = q.defaultNid ?? null;
    const m = this.memory;
    const MB = m.baseColumn;
    const MS = m.sizeColumn;
    const MN = m.nidColumn;
    const MF = m.flagsColumn;
    const r = this.reserved;
    const RB = r.baseColumn;
    const RS = r.sizeColumn;
    const nres = r.count;
    let j = 0;
    for (let i = 0; i < m.count; i++) {
      const n = MN[i]!;
      const rn = n < 0 ? dn : n;
      const mf = MF[i]!;
      if (this.skipMemoryRegion(rn, mf, nid, flags)) continue;
      const ms = MB[i]!;
      const me = ms + MS[i]!;
      while (j < nres && RB[j]! + RS[j]! <= ms) j++;
      let cur = ms;
      for (let k = j; k < nres; k++) {
        const rs = RB[k]!;
        if (rs >= me) break;
        const re = rs + RS[k]!;
        if (re <= rs) continue;
        if (rs > cur) cb(cur, rs, rn, mf);
        if (re > cur) cur = re;
        if (cur >= me) break;
      }
      if (cur < me) cb(cur, me, rn, mf);
    }
  }

  /** for_each_free_mem_range() as a list of byte ranges. */
  freeMemRanges(q: FreeRangeQuery = {}): MemblockRange[] {
    const out: MemblockRange[] = [];
    this.forEachFreeMemRange(q, (start, end, nid) => out.push({ start, end, nid }));
    return out;
  }

  /** for_each_free_mem_range_reverse(): the same ranges, highest first. */
  freeMemRangesReverse(q: FreeRangeQuery = {}): MemblockRange[] {
    return this.freeMemRanges(q).reverse();
  }

  /**
   * The free ranges in whole pages, rounded inward as __free_memory_core() and the deferred-init iterators do
   * (PFN_UP(start)..PFN_DOWN(end), mm/memblock.c and mm/mm_init.c), empty ones dropped, in columns: a million
   * preserved blocks leave a million gaps, no object each.
   */
  freePfnColumns(q: FreeRangeQuery): FreePfnColumns {
    // the walk over every node: room for every range at once, a memory region yields at most one more range than the
    // reserved regions in it (doubling from a small start copied 8M ranges' columns twice over and held both copies
    // at the peak); one node's walk starts small and grows (a node has a part of the ranges)
    const cap = q.nid === undefined || q.nid === null ? this.memory.count + this.reserved.count + 1 : 1024;
    const buf = new GrowableColumns([new Float64Array(cap), new Float64Array(cap), new Float64Array(cap)]);
    const ps = this.pageSize;
    this.forEachFreeMemRange(q, (s0, e0, node) => {
      const s = Math.ceil(s0 / ps);
      const e = Math.floor(e0 / ps);
      if (s >= e) return;
      const i = buf.row();
      const c = buf.cols;
      c[0][i] = s;
      c[1][i] = e;
      c[2][i] = node ?? -1;
    });
    return { start: buf.used(0), end: buf.used(1), nid: buf.used(2), n: buf.n };
  }

  // ---- allocation -------------------------------------------------------------------------------

  /** choose_memblock_flags(): KHO_SCRATCH in scratch-only mode ([MB-N]), MIRROR if any mirror, else NONE. */
  chooseFlags(): number {
    if (this.khoScratchOnly) return F.MEMBLOCK_KHO_SCRATCH;
    return this.hasMirror ? F.MEMBLOCK_MIRROR : F.MEMBLOCK_NONE;
  }

  /** memblock_find_in_range_node(): a free, aligned address or 0 (never page 0). */
  findInRangeNode(
    size: number,
    align: number,
    start0: number,
    end0: number,
    nid: number | null,
    flags: number,
  ): number {
    // MEMBLOCK_ALLOC_ACCESSIBLE (0) and, newer, MEMBLOCK_ALLOC_NOLEAKTRACE (1) mean "up to current_limit".
    const accessible =
      end0 === MEMBLOCK_LIMITS.MEMBLOCK_ALLOC_ACCESSIBLE || (this.version !== 'v6.1' && end0 === 1);
    let end = accessible ? this.currentLimit : end0;
    const start = Math.max(start0, this.pageSize);
    end = Math.max(start, end);
    const ranges = this.freeMemRanges({ nid, flags });
    if (this.bottomUp) {
      for (const fr of ranges) {
        const s = Math.min(Math.max(fr.start, start), end);
        const e = Math.min(Math.max(fr.end, start), end);
        const cand = roundUp(s, align);
        if (cand < e && e - cand >= size) return cand;
      }
      return 0;
    }
    for (let i = ranges.length - 1; i >= 0; i--) {
      const fr = ranges[i]!;
      const s = Math.min(Math.max(fr.start, start), end);
      const e = Math.min(Math.max(fr.end, start), end);
      if (e < size) continue;
      const cand = roundDown(e - size, align);
      if (cand >= s) return cand;
    }
    return 0;
  }

  /** memblock_find_in_range(): any node, MIRROR retried without it. */
  findInRange(start: number, end: number, size: number, align: number): number {
    let flags = this.chooseFlags();
    for (;;) {
      const ret = this.findInRangeNode(size, align, start, end, null, flags);
      if (ret === 0 && (flags & F.MEMBLOCK_MIRROR) !== 0) {
        flags &= ~F.MEMBLOCK_MIRROR;
        continue;
      }
      return ret;
    }
  }

  /**
   * memblock_alloc_range_nid(): find and reserve. 6.1 reserves with memblock_reserve (no node, flags 0);
   * [MB-N] (v6.16 KHO series) reserves with the requested nid and MEMBLOCK_RSRV_KERN, and the any-node
   * fallback with memblock_reserve_kern. Returns the address or 0.
   */
  allocRangeNid(req: AllocRequest): number {
    let flags = this.chooseFlags();
    const nid = req.nid ?? null;
    const start = req.start ?? 0;
    const end = req.end ?? MEMBLOCK_LIMITS.MEMBLOCK_ALLOC_ACCESSIBLE;
    const align = req.align > 0 ? req.align : 64; // !align: dump_stack and SMP_CACHE_BYTES
    const kern = this.version !== 'v6.1';
    for (;;) {
      let found = this.findInRangeNode(req.size, align, start, end, nid, flags);
      if (found !== 0) {
        const rc = kern
          ? this.reserveNode(found, req.size, nid, F.MEMBLOCK_RSRV_KERN)
          : this.reserve(found, req.size);
        if (rc === 0) return found;
      }
      if (nid !== null && !req.exactNid) {
        found = this.findInRangeNode(req.size, align, start, end, null, flags);
        if (found !== 0) {
          const rc = kern ? this.reserveKern(found, req.size) : this.reserve(found, req.size);
          if (rc === 0) return found;
        }
      }
      if ((flags & F.MEMBLOCK_MIRROR) !== 0) {
        flags &= ~F.MEMBLOCK_MIRROR;
        continue;
      }
      this.events.push({ kind: 'alloc-failed', size: req.size, nid });
      return 0;
    }
  }

  /**
   * memblock_alloc_internal() (memblock_alloc_try_nid and friends): max_addr is capped at current_limit, and a
   * failure with a lower limit is retried from 0.
   */
  allocInternal(req: AllocRequest): number {
    let end = req.end ?? 0;
    if (end > this.currentLimit) end = this.currentLimit;
    let got = this.allocRangeNid({ ...req, end });
    if (got === 0 && (req.start ?? 0) !== 0) got = this.allocRangeNid({ ...req, start: 0, end });
    return got;
  }

  // ---- node lookup and discard ------------------------------------------------------------------

  /**
   * early_pfn_to_nid(pfn) (mm/mm_init.c; 6.1 mm/page_alloc.c): one-entry cache, then binary search of memory
   * (memblock_search_pfn_nid), else first_online_node. A region without a node answers null (the kernel
   * returns MAX_NUMNODES then). After memblock_discard() the arrays are freed __initdata: recorded as an event.
   */
  earlyPfnToNid(pfn: number): number | null {
    const nid = this.pfnNid.lookup(pfn);
    if (this.discarded) this.events.push({ kind: 'early_pfn_to_nid-after-discard', pfn, nid });
    return nid;
  }

  /**
   * memblock_discard() (!CONFIG_ARCH_KEEP_MEMBLOCK): frees doubled arrays late (to the buddy, not via memblock)
   * and clears memblock_memory. The region contents are left as they were, for inspection.
   */
  discard(): void {
    this.discarded = true;
    this.events.push({ kind: 'discard' });
  }

  /**
   * Take `t` as memblock.reserved (a copy's reserved array after operations done on the copy, e.g. with its memory
   * flagged KHO_SCRATCH for the search): the regions, max and the array's address.
   */
  adoptReserved(t: MemblockType): void {
    (this as unknown as { reserved: MemblockType }).reserved = t;
  }

  /** A deep copy (snapshots of a replay); `reserveDoubledArrays` overrides the copy's option. */
  clone(opts: { readonly reserveDoubledArrays?: boolean } = {}): Memblock {
    const m = new Memblock({
      version: this.version,
      pageShift: Math.log2(this.pageSize),
      reserveDoubledArrays: opts.reserveDoubledArrays ?? this.reserveDoubledArrays,
      movableNode: this.movableNode,
      mirroredKernelcore: this.mirroredKernelcore,
      firstOnlineNode: this.firstOnlineNode,
    });
    const copy = m as unknown as { memory: MemblockType; reserved: MemblockType };
    copy.memory = this.memory.clone();
    copy.reserved = this.reserved.clone();
    m.bottomUp = this.bottomUp;
    m.currentLimit = this.currentLimit;
    m.canResize = this.canResize;
    m.slabAvailable = this.slabAvailable;
    m.hasMirror = this.hasMirror;
    m.khoScratchOnly = this.khoScratchOnly;
    m.discarded = this.discarded;
    m.panicked = this.panicked;
    m.events.push(...this.events);
    return m;
  }
}
