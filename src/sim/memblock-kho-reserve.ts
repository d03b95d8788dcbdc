// linux v7.3-rc7 kernel/liveupdate/kexec_handover.c kho_mem_retrieve() -> kho_preserved_memory_reserve() per radix key, as
// memblock sees it: memblock_reserve() and memblock_reserved_mark_noinit() of each preserved block in the walk's order,
// and every memblock_double_array() of memblock.reserved they cause (mm/memblock.c memblock_add_range,
// memblock_isolate_range, memblock_double_array), in scratch-only mode (choose_memblock_flags).
import type { Range } from '../core/index.js';
import { MEMBLOCK_FLAGS } from '../core/index.js';
import type { Memblock } from './memblock.js';
import { MEMBLOCK_LIMITS } from './memblock.js';
import type { RangeBatch } from './memblock-batch.js';

const F = MEMBLOCK_FLAGS;

/** The preserved blocks as kho_memory_init() walks them: pfn columns sorted by start, with their orders. */
export interface KhoReserveBlocks {
  readonly startPfn: Float64Array;
  readonly endPfn: Float64Array;
  readonly order: ArrayLike<number>;
  readonly length: number;
}

/**
 * The order in which the incoming kernel reserves the blocks. 'order-desc': a radix tree (kho-v2 on) is walked by key,
 * and kho_encode_radix_key() puts the order bit above the shifted pfn, so the highest order comes first, ascending
 * addresses within an order (linux v7.3-rc7 kernel/liveupdate/kexec_handover.c kho_encode_radix_key,
 * __kho_radix_walk_tree). 'order-asc': kho-v1's chunk list, order 0 first, ascending within an order (kho-abi.md
 * §4.1.3 [I from the serializer's xa_for_each over orders]).
 */
export type KhoWalkOrder = 'order-desc' | 'order-asc';

/** One memblock_double_array() of memblock.reserved during the walk. */
export interface KhoReservedDoubling {
  /** The block (index in the pfn columns) whose reservation needed the room. */
  readonly block: number;
  /** memblock_add_range() (the block's memblock_reserve) or memblock_isolate_range() (its mark_noinit). */
  readonly during: 'memblock_reserve' | 'memblock_reserved_mark_noinit';
  readonly newMax: number;
  /** The new array: PAGE_ALIGN(newMax * sizeof(struct memblock_region)) bytes at addr. */
  readonly addr: number;
  readonly sizeBytes: number;
}

export interface KhoReserveResult {
  readonly doublings: readonly KhoReservedDoubling[];
  /** memblock_double_array() found no room: `Failed to double reserved array` (the reservation then fails). */
  readonly failed: { readonly block: number; readonly max: number } | null;
  /** The fast path's preconditions did not hold: the blocks were reserved one by one (why, for tests). */
  readonly general: string | null;
  /**
   * Neither path ran (the fast path's preconditions did not hold on more blocks than the block-by-block path can take
   * in reasonable time): the blocks were reserved in one batch, memblock.reserved's max grown to hold them, no array
   * placed. Why, for a diagnostic.
   */
  readonly unmodelled: string | null;
}

/**
 * The most blocks the block-by-block path takes: each step shifts the array (memblock_insert_region's memmove), so
 * its cost grows with blocks times regions. An image beyond it whose blocks overlap is reserved without its doublings.
 */
export const KHO_RESERVE_GENERAL_MAX_BLOCKS = 20_000;

/** PAGE_ALIGN(max * sizeof(struct memblock_region)) (memblock_double_array's new_alloc_size / old_alloc_size). */
function arrayBytes(max: number, pageSize: number): number {
  return Math.ceil((max * MEMBLOCK_LIMITS.MEMBLOCK_REGION_BYTES) / pageSize) * pageSize;
}

/** The block indices in walk order: a counting sort by order of the address-sorted columns (stable). */
export function walkPermutation(order: ArrayLike<number>, n: number, walk: KhoWalkOrder): Uint32Array {
  const counts = new Float64Array(257);
  for (let i = 0; i < n; i++) counts[order[i]!]!++;
  const at = new Float64Array(257);
  let pos = 0;
  for (let k = 0; k <= 256; k++) {
    const o = walk === 'order-desc' ? 256 - k : k;
    at[o] = pos;
    pos += counts[o]!;
  }
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[at[order[i]!]!++] = i;
  return perm;
}

/** The first block (address order) ending above `addr`, by binary search of the end column. */
function firstBlockEndingAbove(end: Float64Array, n: number, pfn: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (end[mid]! <= pfn) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Reserve every block on `mb` (a copy the caller owns) the way kho_preserved_memory_reserve() does, walk order and
 * array doublings included; memory allocations come only from `allocatable` (pfns: the kho_scratch[] areas, and from
 * v7.3 kho_extend_scratch()'s ranges, all MEMBLOCK_KHO_SCRATCH in the kernel; kho_scratch_only holds until
 * memblock_free_all()).
 *
 * The kernel, per block (linux v7.3-rc7 mm/memblock.c): memblock_add_range() counts the new regions and doubles while
 * cnt + nr_new > max; memblock_isolate_range() (memblock_setclr_flag of mark_noinit) doubles while cnt + 2 > max.
 * memblock_double_array(type, base, size) looks for PAGE_ALIGN(2 * max * 24) bytes top-down in [base + size,
 * current_limit), then in [0, min(base, current_limit)) (memblock_find_in_range with choose_memblock_flags(): only
 * KHO_SCRATCH memory), copies the array, frees the old one when it is not the static array (memblock_free ->
 * memblock_remove_range, slab not up) and reserves the new one with memblock_reserve_kern() (RSRV_KERN, NUMA_NO_NODE).
 *
 * Fast path, when no block overlaps another block or a reserved region (and no new array lands on a preserved block
 * the walk has not reached: a broken image's blocks in scratch are free memory to the search until then): the blocks
 * then never merge with the arrays (other flags), so the region count along the walk
 * is the count of the other regions plus, per block, +1 minus its touching neighbours already NOINIT (an earlier
 * block, or a reserved NOINIT region, both NUMA_NO_NODE); a touching plain region (flags 0, NUMA_NO_NODE) merges with
 * the block in memblock_add_range() and splits off again in the isolate, so it only lowers the count the isolate's
 * capacity test sees. The arrays' own operations run on `mb` as they come (their effect on the count read back), and
 * the blocks are reserved at the end in one batch (Memblock.reserveRanges). Otherwise (or when a doubling fails) the
 * general path does what the kernel does, block by block, on a copy whose allocatable memory is flagged KHO_SCRATCH.
 */
export function reserveKhoBlocks(
  mb: Memblock,
  blocks: KhoReserveBlocks,
  walk: KhoWalkOrder,
  allocatable: readonly Range[],
  opts: { readonly forceGeneral?: string } = {},
): KhoReserveResult {
  const n = blocks.length;
  const ps = mb.pageSize;
  const batch: RangeBatch = { start: blocks.startPfn, end: blocks.endPfn, n, scale: ps };
  const NOINIT = F.MEMBLOCK_RSRV_NOINIT;
  const res = mb.reserved;
  // no doubling can happen: after any block's memblock_add_range() at most count + n regions, and the isolate wants 2
  if (opts.forceGeneral === undefined && res.count + n + 2 <= res.max) {
    mb.reserveRanges(batch, NOINIT);
    return { doublings: [], failed: null, general: null, unmodelled: null };
  }
  const why = opts.forceGeneral ?? fastPathBlocker(mb, blocks);
  if (why !== null) return slow(mb, blocks, walk, allocatable, why);
  const { startPfn: S, endPfn: E, order: O } = blocks;
  // touching reserved regions of the blocks (found from the regions: few, against millions of blocks)
  let touch: Uint8Array | null = null;
  {
    const RB = res.baseColumn;
    const RS = res.sizeColumn;
    const RN = res.nidColumn;
    const RF = res.flagsColumn;
    for (let r = 0; r < res.count; r++) {
      if (RN[r]! !== -1) continue;
      const kind = RF[r] === NOINIT ? 1 : RF[r] === 0 ? 2 : 0;
      if (!kind) continue;
      const rb = RB[r]!;
      const re = rb + RS[r]!;
      // a block starting at the region's end (the region is its left neighbour), one ending at its base
      const mark = (i: number, bit: number): void => {
        touch ??= new Uint8Array(n);
        touch[i]! |= bit;
      };
      if (re % ps === 0) {
        const i = firstBlockEndingAbove(E, n, re / ps);
        if (i < n && S[i]! * ps === re) mark(i, kind === 1 ? TL_NOINIT : TL_PLAIN);
      }
      if (rb % ps === 0) {
        const i = firstBlockEndingAbove(E, n, rb / ps - 1);
        if (i < n && E[i]! * ps === rb) mark(i, kind === 1 ? TR_NOINIT : TR_PLAIN);
      }
    }
  }
  const free = allocatableFree(mb, allocatable);
  const limit = mb.currentLimit;
  // preserved blocks in allocatable memory: free to memblock_find_in_range() until the walk reserves them
  const inScratch = blocksInAllocatable(blocks, allocatable);
  const doublings: KhoReservedDoubling[] = [];
  const desc = walk === 'order-desc';
  // block j was reserved before block i in the walk
  const before = (j: number, i: number): boolean =>
    O[j] === O[i] ? j < i : desc ? O[j]! > O[i]! : O[j]! < O[i]!;
  let count = res.count;
  let max = res.max;
  let arrayAddr = res.arrayAddr;
  // memblock_double_array(&memblock.reserved, block's base, size): false when no room
  const double = (i: number, during: KhoReservedDoubling['during']): boolean => {
    const size = arrayBytes(max * 2, ps);
    const base = S[i]! * ps;
    const end = E[i]! * ps;
    // what is reserved in allocatable memory now: the current array, the blocks in scratch the walk reserved (and this
    // one, which both windows leave out anyway)
    const taken: number[] = [];
    if (arrayAddr !== null) taken.push(arrayAddr, arrayAddr + arrayBytes(max, ps));
    for (const j of inScratch) if (j === i || before(j, i)) taken.push(S[j]! * ps, E[j]! * ps);
    let addr = findTopDown(free, taken, end, limit, size, ps);
    if (addr === 0) addr = findTopDown(free, taken, 0, Math.min(base, limit), size, ps);
    if (addr === 0) return false;
    // the new array on a preserved block the walk has not reserved yet: that block's reservation then lands on the
    // array's region (its flags split it), which the count here does not follow: the kernel's way, block by block
    for (const j of inScratch)
      if (j !== i && !before(j, i) && S[j]! * ps < addr + size && E[j]! * ps > addr)
        throw new FastPathFailed(-2);
    const cnt0 = res.count;
    const old = arrayAddr;
    const oldBytes = arrayBytes(max, ps);
    // type->max doubles before the old array is freed and the new one reserved
    max *= 2;
    res.max = max;
    res.dynamic = true;
    res.arrayAddr = addr;
    if (old !== null) mb.physFree(old, oldBytes);
    mb.reserveKern(addr, size);
    count += res.count - cnt0;
    arrayAddr = addr;
    doublings.push({ block: i, during, newMax: max, addr, sizeBytes: size });
    mb.events.push({ kind: 'double', type: 'reserved', newMax: max, addr });
    return true;
  };
  // one pass in address order: per order (the walk takes one order after the other, ascending addresses within
  // one), the count change of its blocks and the highest count the capacity tests see inside it, relative to its
  // start: count + 1 for memblock_add_range(), count + 1 - plain + 2 for the isolate, which is never lower
  const groupRun = new Int32Array(256);
  // below any count a block sees (its marks start at the group's first block)
  const NONE = -(2 ** 30);
  const groupPeak = new Int32Array(256).fill(NONE);
  const marks: number[][] = Array.from({ length: 256 }, () => []);
  const bad = groupPass(S, E, O, n, desc, touch, groupRun, groupPeak, marks);
  if (bad >= 0)
    return slow(mb, blocks, walk, allocatable, `block ${bad} is empty or overlaps the block before`);
  // the orders in the walk's order; a group's blocks are looked at again only when a doubling falls in it, up to its
  // last doubling (then count + its peak fits)
  const at = new Float64Array(3);
  for (let k = 0; k < 256; k++) {
    const o = desc ? 255 - k : k;
    const peak = groupPeak[o]!;
    if (peak === NONE) continue;
    let from = 0;
    let r = 0;
    const mk = marks[o]!;
    while (count + peak > max) {
      // the first block whose capacity test fails has the count test value x = max - count + 1: start at the last mark
      // below x (every block before it stays below x), or where the last doubling was if that is further on
      const m = lastMarkAtOrBelow(mk, max - count + 1);
      if (m >= 0 && mk[m + 1]! > from) {
        from = mk[m + 1]!;
        r = mk[m + 2]!;
      }
      const i = nextCrossing(S, E, O, n, desc, touch, o, from, r, count, max, at);
      if (i < 0) break;
      r = at[0]!;
      const plain = at[1]!;
      while (count + r + 1 > max) if (!double(i, 'memblock_reserve')) throw new FastPathFailed(i);
      while (count + r + 1 - plain + 2 > max)
        if (!double(i, 'memblock_reserved_mark_noinit')) throw new FastPathFailed(i);
      from = i;
    }
    count += groupRun[o]!;
  }
  // groupPass() found every block non-empty and clear of the one before: the batch needs no look of its own
  mb.reserveRanges({ ...batch, sortedDisjoint: true }, NOINIT);
  // the count the walk followed is the array's: anything else is a broken assumption, redone the kernel's way
  if (res.count !== count) throw new FastPathFailed(-1);
  return { doublings, failed: null, general: null, unmodelled: null };
}

const TL_NOINIT = 1;
const TR_NOINIT = 2;
const TL_PLAIN = 4;
const TR_PLAIN = 8;

/**
 * Block i's count change when the walk reserves it: +1, minus each touching NOINIT neighbour already reserved (the
 * block below or above when walked before it: same order and lower address, or an order walked earlier; a NOINIT
 * region, `touch`). Its touching plain regions go to plainOut[1].
 */
function blockDelta(
  S: Float64Array,
  E: Float64Array,
  O: ArrayLike<number>,
  n: number,
  desc: boolean,
  touch: Uint8Array | null,
  i: number,
  out: Float64Array,
): number {
  const o = O[i]!;
  let d = 1;
  if (i > 0 && E[i - 1] === S[i]) {
    const oj = O[i - 1]!;
    if (oj === o || (desc ? oj > o : oj < o)) d--;
  }
  if (i + 1 < n && S[i + 1] === E[i]) {
    const oj = O[i + 1]!;
    if (oj !== o && (desc ? oj > o : oj < o)) d--;
  }
  let plain = 0;
  if (touch !== null) {
    const t = touch[i]!;
    if (t & TL_NOINIT) d--;
    if (t & TR_NOINIT) d--;
    plain = (t & TL_PLAIN ? 1 : 0) + (t & TR_PLAIN ? 1 : 0);
  }
  out[1] = plain;
  return d;
}

/**
 * Per order: the blocks' total count change (run) and the highest capacity-test count inside (peak), from its start,
 * with the marks of its rise (MARK_SHIFT). Returns the first block that is empty or overlaps the one before (the fast
 * path does not hold then), or -1. One pass over millions of blocks: without reserved-region neighbours (`touch`
 * null, every image but a broken one) groupPassPlain(), else blockDelta() per block.
 */
function groupPass(
  S: Float64Array,
  E: Float64Array,
  O: ArrayLike<number>,
  n: number,
  desc: boolean,
  touch: Uint8Array | null,
  run: Int32Array,
  peak: Int32Array,
  marks: number[][],
): number {
  if (touch === null) return groupPassPlain(S, E, O, n, desc, run, peak, marks);
  const out = new Float64Array(2);
  let prevEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = S[i]!;
    const e = E[i]!;
    if (!(e > s) || s < prevEnd) return i;
    const o = O[i]!;
    const d = blockDelta(S, E, O, n, desc, touch, i, out);
    const plain = out[1]!;
    const r = run[o]!;
    const v = r + 3 - plain;
    const pk = peak[o]!;
    if (v >> MARK_SHIFT > pk >> MARK_SHIFT) marks[o]!.push((v >> MARK_SHIFT) << MARK_SHIFT, i, r);
    peak[o] = v > pk ? v : pk;
    run[o] = r + d;
    prevEnd = e;
  }
  return -1;
}

/**
 * groupPass() without reserved-region neighbours, written without a look ahead and without a branch on the data
 * (random neighbours make branches mispredict): a block's own change is +1, minus 1 when it touches the block below
 * and that one is walked before it (same order, or an order walked earlier); the block below loses 1 when this block
 * touches it and is of an order walked earlier (blockDelta's upper neighbour), taken off its order here, at the next
 * block. No block of the order below is looked at in between (this block is of another order), so every count a
 * block of that order sees is the same as with the change taken at the block itself.
 */
function groupPassPlain(
  S: Float64Array,
  E: Float64Array,
  O: ArrayLike<number>,
  n: number,
  desc: boolean,
  run: Int32Array,
  peak: Int32Array,
  marks: number[][],
): number {
  // an order walked before another: higher (radix) or lower (kho-v1); sg * order compares both ways
  const sg = desc ? 1 : -1;
  let prevEnd = -Infinity;
  let prevO = 0;
  for (let i = 0; i < n; i++) {
    const s = S[i]!;
    const e = E[i]!;
    if (!(e > s) || s < prevEnd) return i;
    const o = O[i]!;
    const t = +(prevEnd === s);
    const r = run[o]!;
    const v = r + 3;
    const pk = peak[o]!;
    if (v >> MARK_SHIFT > pk >> MARK_SHIFT) marks[o]!.push((v >> MARK_SHIFT) << MARK_SHIFT, i, r);
    peak[o] = Math.max(v, pk);
    run[o] = r + 1 - (t & +(sg * prevO >= sg * o));
    run[prevO] = run[prevO]! - (t & +(sg * o > sg * prevO));
    prevEnd = e;
    prevO = o;
  }
  return -1;
}

/**
 * Marks of a group's rise (groupPass): triples (level, block, count change before it), where level is a multiple of
 * 2^MARK_SHIFT and the block is the first of the group whose test value reaches it (the group's first block for the
 * lowest level). A scan for the first block reaching x starts at the last mark with level <= x.
 */
const MARK_SHIFT = 6;

/** The index of the last mark triple whose level is at most x, or -1. */
function lastMarkAtOrBelow(marks: readonly number[], x: number): number {
  let lo = 0;
  let hi = marks.length / 3;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (marks[3 * mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? -1 : 3 * (lo - 1);
}

/**
 * From block `from` of order o on (the group's count change so far r), the next block whose memblock_add_range() or
 * isolate finds the array full at this count and max: its index, with r before it in at[0] and its plain neighbours
 * in at[1]; -1 when none. The block at `from` itself is taken as done when r says so (the caller resumes after a
 * doubling at it: from = that block, r before it).
 */
function nextCrossing(
  S: Float64Array,
  E: Float64Array,
  O: ArrayLike<number>,
  n: number,
  desc: boolean,
  touch: Uint8Array | null,
  o: number,
  from: number,
  r0: number,
  count: number,
  max: number,
  at: Float64Array,
): number {
  let r = r0;
  const out = new Float64Array(2);
  for (let i = from; i < n; i++) {
    if (O[i] !== o) continue;
    const d = blockDelta(S, E, O, n, desc, touch, i, out);
    const plain = out[1]!;
    if (count + r + 1 > max || count + r + 3 - plain > max) {
      at[0] = r;
      at[1] = plain;
      return i;
    }
    r += d;
  }
  return -1;
}

/** Why the fast path does not apply as far as the reserved regions go (the blocks' own overlaps: groupPass), or null. */
function fastPathBlocker(mb: Memblock, blocks: KhoReserveBlocks): string | null {
  const { startPfn: S, endPfn: E, length: n } = blocks;
  const ps = mb.pageSize;
  const res = mb.reserved;
  if (res.unmerged) return 'the reserved array holds touching regions that could merge';
  for (let r = 0; r < res.count; r++) {
    const i = firstBlockEndingAbove(E, n, res.baseColumn[r]! / ps);
    if (i < n && S[i]! * ps < res.end(r)) return `block ${i} overlaps a reserved region`;
  }
  return null;
}

/** The blocks that overlap allocatable memory (preserved memory in scratch, KHO_OVERLAPS_SCRATCH), in address order. */
function blocksInAllocatable(blocks: KhoReserveBlocks, allocatable: readonly Range[]): number[] {
  const { startPfn: S, endPfn: E, length: n } = blocks;
  const out: number[] = [];
  for (const a of allocatable)
    for (let i = firstBlockEndingAbove(E, n, a.start); i < n && S[i]! < a.end; i++)
      if (out[out.length - 1] !== i) out.push(i);
  return out.sort((x, y) => x - y);
}

/**
 * Free allocatable memory as memblock_find_in_range() walks it in scratch-only mode: each memory region
 * should_skip_region() keeps, minus the reserved regions (the arrays excepted: findTopDown takes the current one
 * out), cut to the allocatable ranges. Bytes, ascending; the kernel's regions split at scratch edges, so one free
 * range never spans two memory regions here either.
 */
function allocatableFree(mb: Memblock, allocatable: readonly Range[]): Float64Array {
  const ps = mb.pageSize;
  const out: number[] = [];
  let a = 0;
  mb.forEachFreeMemRange({}, (s, e) => {
    while (a < allocatable.length && allocatable[a]!.end * ps <= s) a++;
    for (let k = a; k < allocatable.length && allocatable[k]!.start * ps < e; k++) {
      const cs = Math.max(s, allocatable[k]!.start * ps);
      const ce = Math.min(e, allocatable[k]!.end * ps);
      if (cs < ce) out.push(cs, ce);
    }
  });
  return Float64Array.from(out);
}

/**
 * __memblock_find_range_top_down(start, end, size, PAGE_SIZE) over the free ranges less `taken` (byte pairs, reserved
 * now in allocatable memory): each piece clamped to [max(start, PAGE_SIZE), end), the highest aligned fit. 0: none.
 */
function findTopDown(
  free: Float64Array,
  taken: readonly number[],
  start0: number,
  end0: number,
  size: number,
  align: number,
): number {
  const start = Math.max(start0, align);
  const end = Math.max(start, end0);
  const fit = (s0: number, e0: number): number => {
    const s = Math.min(Math.max(s0, start), end);
    const e = Math.min(Math.max(e0, start), end);
    if (e < size) return 0;
    const cand = Math.floor((e - size) / align) * align;
    return cand >= s ? cand : 0;
  };
  for (let k = free.length - 2; k >= 0; k -= 2) {
    // the range less what is taken in it, from the top: cut at each taken piece (few: an array and a broken image's
    // blocks in scratch)
    let hi = free[k + 1]!;
    const lo = free[k]!;
    const cuts: number[] = [];
    for (let t = 0; t < taken.length; t += 2)
      if (taken[t]! < hi && taken[t + 1]! > lo) cuts.push(taken[t]!, taken[t + 1]!);
    if (cuts.length > 2) {
      const order = Array.from({ length: cuts.length / 2 }, (_, x) => x).sort(
        (a, b) => cuts[2 * b]! - cuts[2 * a]!,
      );
      for (const x of order) {
        const c = fit(Math.max(cuts[2 * x + 1]!, lo), hi);
        if (c) return c;
        hi = Math.min(hi, cuts[2 * x]!);
        if (hi <= lo) break;
      }
    } else if (cuts.length === 2) {
      const c = fit(Math.max(cuts[1]!, lo), hi);
      if (c) return c;
      hi = Math.min(hi, cuts[0]!);
    }
    if (hi > lo) {
      const c = fit(lo, hi);
      if (c) return c;
    }
  }
  return 0;
}

/** A doubling found no room on the fast path (or its count disagreed): the caller redoes the walk block by block. */
class FastPathFailed extends Error {
  constructor(readonly block: number) {
    super(`memblock_double_array failed at block ${block}`);
  }
}

/** The fast path does not hold: block by block, or (too many blocks for that) the batch without doublings. */
function slow(
  mb: Memblock,
  blocks: KhoReserveBlocks,
  walk: KhoWalkOrder,
  allocatable: readonly Range[],
  why: string,
): KhoReserveResult {
  if (blocks.length <= KHO_RESERVE_GENERAL_MAX_BLOCKS) return general(mb, blocks, walk, allocatable, why);
  mb.reserveRanges(
    { start: blocks.startPfn, end: blocks.endPfn, n: blocks.length, scale: mb.pageSize },
    F.MEMBLOCK_RSRV_NOINIT,
  );
  return { doublings: [], failed: null, general: null, unmodelled: why };
}

/**
 * The kernel's sequence, block by block, with the one-region operations of the model (Memblock.addRange,
 * isolate, doubleArray): on a copy with the allocatable memory flagged KHO_SCRATCH, scratch-only mode and resizing
 * on; its reserved array then replaces `mb`'s. A failed doubling leaves the block unreserved (memblock_add_range's
 * -ENOMEM) or reserved without RSRV_NOINIT (memblock_isolate_range's), as kho_preserved_memory_reserve() ignores
 * both returns.
 */
function general(
  mb: Memblock,
  blocks: KhoReserveBlocks,
  walk: KhoWalkOrder,
  allocatable: readonly Range[],
  why: string,
): KhoReserveResult {
  const ps = mb.pageSize;
  // the kernel reserves each new array (memblock_reserve_kern), whatever the copy was made for (a log replay's is not)
  const g = mb.clone({ reserveDoubledArrays: true });
  for (const a of allocatable) g.markKhoScratch(a.start * ps, (a.end - a.start) * ps);
  g.canResize = true;
  g.khoScratchOnly = true;
  const firstEvent = g.events.length;
  const perm = walkPermutation(blocks.order, blocks.length, walk);
  const doublings: KhoReservedDoubling[] = [];
  let failedAt: { block: number; max: number } | null = null;
  for (let p = 0; p < blocks.length; p++) {
    const i = perm[p]!;
    const base = blocks.startPfn[i]! * ps;
    const size = (blocks.endPfn[i]! - blocks.startPfn[i]!) * ps;
    for (const step of ['memblock_reserve', 'memblock_reserved_mark_noinit'] as const) {
      const seen = g.events.length;
      const max = g.reserved.max;
      if (step === 'memblock_reserve') g.reserve(base, size);
      else g.reservedMarkNoinit(base, size);
      for (let k = seen; k < g.events.length; k++) {
        const e = g.events[k]!;
        if (e.kind === 'double' && e.type === 'reserved' && e.addr !== null)
          doublings.push({
            block: i,
            during: step,
            newMax: e.newMax,
            addr: e.addr,
            sizeBytes: arrayBytes(e.newMax, ps),
          });
        if (e.kind === 'resize-refused' && e.type === 'reserved' && failedAt === null)
          failedAt = { block: i, max };
      }
    }
  }
  mb.adoptReserved(g.reserved);
  mb.events.push(...g.events.slice(firstEvent));
  return { doublings, failed: failedAt, general: why, unmodelled: null };
}

/**
 * reserveKhoBlocks() with a failed fast path redone by the general one (which needs the memblock as it was: the fast
 * path changes `mb` only when it succeeds, apart from the arrays' operations, so the caller passes a fresh copy).
 */
export function reserveKhoBlocksOn(
  from: Memblock,
  blocks: KhoReserveBlocks,
  walk: KhoWalkOrder,
  allocatable: readonly Range[],
): { memblock: Memblock; result: KhoReserveResult } {
  const mb = from.clone();
  try {
    return { memblock: mb, result: reserveKhoBlocks(mb, blocks, walk, allocatable) };
  } catch (e) {
    if (!(e instanceof FastPathFailed)) throw e;
    const again = from.clone();
    return {
      memblock: again,
      result: reserveKhoBlocks(again, blocks, walk, allocatable, {
        forceGeneral:
          e.block === -1
            ? "the walk's region count disagreed with the array"
            : e.block === -2
              ? 'a new array lands on a preserved block not reserved yet'
              : `a doubling found no room at block ${e.block}`,
      }),
    };
  }
}
