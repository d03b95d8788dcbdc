// The KHO side of one replay: profile, strategy, the image's blocks classified by how they are restored, and
// what the KHO phases observed beyond struct-page events (spec kho-abi.md §4.4, §6, §7.5).
import type { MemblockCall } from '../../../parsers/dmesg/types.js';
import type { PositionsBut, Range } from '../../core/index.js';
import {
  f64Column,
  firstEndingAfter,
  gallopLowerBound,
  gallopUpperBound,
  GrowableColumns,
  lowerBound,
  pfnColumnOf,
  upperBound,
} from '../../core/index.js';
import type { SimContext } from '../context.js';
import type { Layout } from '../layout.js';
import type { KernelProfile } from '../profiles.js';
import type { BlockInitRows } from '../memmap.js';
import type { KhoStrategy, StrategyContext, StrategyPageView } from '../strategies/index.js';
import type { KhoImageInput, KhoRestoreKind } from './kho-types.js';
import { KHO_RESTORE_KINDS, KhoBlocks } from './kho-types.js';
import { forEachZonePiece, zoneStretch } from './zone-split.js';

/**
 * Zone index __init_page_from_nid() ends with when no zone of the node spans the pfn: the loop runs to
 * MAX_NR_ZONES (mm/mm_init.c; init_reserved_page in v4.x has the same loop). 4 = past Movable on 64-bit.
 */
export const ZID_PAST_END = 4;

/** Something a KHO phase saw that is not a struct-page event. */
export type KhoObservation =
  | {
      readonly kind: 'image-refused';
      readonly phase: string;
      /** The kernel function that keeps the image out, when not the phase's own (kho_fill_kimage for kdump). */
      readonly fn?: string;
      readonly reason: string;
    }
  | { readonly kind: 'bitmap-mismatch'; readonly phase: string; readonly reason: string }
  | {
      readonly kind: 'memblock-after-discard';
      readonly phase: string;
      readonly fn: string;
      readonly pfn: number;
      readonly block: number;
    }
  | {
      readonly kind: 'restore-failed';
      readonly phase: string;
      readonly fn: string;
      readonly block: number;
      readonly reason: 'magic' | 'order-above-max' | 'wrong-order' | 'no-memmap';
    };

export interface KhoRun {
  readonly profile: KernelProfile;
  readonly strategy: KhoStrategy;
  readonly image: KhoImageInput;
  /** Sorted by startPfn, in columns. */
  readonly blocks: KhoBlocks;
  /** Kinds restored by the replay (--restore). reserve-mem is revived by memblock and never restored. */
  readonly restoreKinds: ReadonlySet<KhoRestoreKind>;
  /** kho_populate() accepted the image (root compatible matches the profile's ABI). */
  accepted: boolean;
  /** Scratch areas in pfns. */
  readonly scratch: readonly Range[];
  /** v7.3 extended scratch in pfns (kho_extend_scratch), empty where the profile does not extend. */
  extendedScratch: readonly Range[];
  /**
   * The incoming kernel's memblock=debug lines of kho_memory_init(), when the bundle's log is of a KHO boot (it shows
   * kho_preserved_memory_reserve() calls): its `reserved is doubled` / `Failed to double reserved` lines in that
   * stretch, for the replay's doublings to be compared with. Null: no such log.
   */
  khoLogDoublings?: { readonly file: string; readonly lines: readonly MemblockCall[] } | null;
  readonly observations: KhoObservation[];
  /** Blocks restored successfully, by image index (KhoBlock.index). */
  readonly restored: BlockSet;
}

/**
 * A set of preserved blocks by image index in one byte column: a Set of millions of numbers is slow to fill,
 * collected entry by entry, and stops at 2^24 entries (V8). Ranges of blocks by position (addRange: kho_restore's
 * verdicts, a few ranges over millions of blocks) are kept as ranges, and written to the column only when the set is
 * read by index (has, iteration) or added to otherwise: a replay that only counts them (compare, check) never makes it.
 */
export class BlockSet {
  private marks: Uint8Array | null = null;
  private n = 0;
  /** Ranges [start, end) of positions added and not yet in marks (ascending, disjoint), mapped through `index`. */
  private rs: number[] = [];
  private index: Int32Array | null = null;
  constructor(private readonly count: number) {}
  get size(): number {
    return this.n;
  }
  /** The byte column, with the ranges added so far written into it. */
  private column(): Uint8Array {
    let m = this.marks;
    if (m === null) m = this.marks = new Uint8Array(this.count);
    const rs = this.rs;
    if (rs.length) {
      const index = this.index;
      for (let r = 0; r < rs.length; r += 2) {
        const e = rs[r + 1]!;
        if (index === null) m.fill(1, rs[r]!, e);
        else for (let i = rs[r]!; i < e; i++) m[index[i]!] = 1;
      }
      this.rs = [];
      this.index = null;
    }
    return m;
  }
  has(index: number): boolean {
    return this.column()[index] === 1;
  }
  add(index: number): void {
    const m = this.column();
    if (m[index] === 1) return;
    m[index] = 1;
    this.n++;
  }
  /**
   * add(index === null ? i : index[i]) for i = start, ..., end - 1: blocks by position (`index` a KhoBlocks index
   * column, a permutation of the image indexes; null: the identity). Kept as a range when the set is nothing but
   * ranges in ascending order through the same column so far (then no block of it is in the set yet).
   */
  addRange(start: number, end: number, index: Int32Array | null): void {
    if (end <= start) return;
    const rs = this.rs;
    const fresh =
      this.marks === null && (rs.length === 0 || (this.index === index && start >= rs[rs.length - 1]!));
    if (fresh) {
      if (rs.length === 0) this.index = index;
      rs.push(start, end);
      this.n += end - start;
      return;
    }
    for (let i = start; i < end; i++) this.add(index === null ? i : index[i]!);
  }
  *[Symbol.iterator](): IterableIterator<number> {
    const m = this.column();
    for (let i = 0; i < m.length; i++) if (m[i] === 1) yield i;
  }
}

/** `p` is inside one of the reserve_mem ranges (a loop: no closure per block). */
function inReserveMem(rm: readonly { start: number; end: number }[], p: number): boolean {
  for (let i = 0; i < rm.length; i++) if (p >= rm[i]!.start && p < rm[i]!.end) return true;
  return false;
}

/** The sorted, distinct values of a column (for membership by binary search: no Set of millions). */
function sortedColumn(values: Iterable<number>): Float64Array {
  const a = Float64Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (n === 0 || a[i] !== a[n - 1]) a[n++] = a[i]!;
  return a.subarray(0, n);
}

/**
 * From block i on (i > 0), the blocks that join a stretch of whole blocks as they stand: non-empty, starting at or
 * after the end of the block before, their start in [lo, startBelow) and their end at or below endMax. Returns the
 * first block that does not (n at the end). Typed arrays only: the per-block loops it shortens ran at ~30 ns a block.
 * E null: each block is its head page alone, [S[i], S[i] + 1) (wholeHeadsRun).
 */
export function wholeBlocksRun(
  S: Float64Array,
  E: Float64Array | null,
  i: number,
  n: number,
  lo: number,
  startBelow: number,
  endMax: number,
): number {
  if (E === null) return wholeHeadsRun(S, i, n, lo, startBelow, endMax);
  for (; i < n; i++) {
    const s = S[i]!;
    const e = E[i]!;
    if (!(s >= lo && s < startBelow && e <= endMax && e > s && s >= E[i - 1]!)) break;
  }
  return i;
}

/** wholeBlocksRun() of the blocks' head pages: block i stands for [S[i], S[i] + 1). */
function wholeHeadsRun(
  S: Float64Array,
  i: number,
  n: number,
  lo: number,
  startBelow: number,
  endMax: number,
): number {
  for (; i < n; i++) {
    const s = S[i]!;
    if (!(s >= lo && s < startBelow && s + 1 <= endMax && s >= S[i - 1]! + 1)) break;
  }
  return i;
}

/**
 * wholeBlocksRun() of blocks known sorted and disjoint (KhoBlocks.sortedDisjoint: every block non-empty and starting
 * at or after the end of the one before), with the same answer: their starts and their ends then ascend, so once
 * block i starts at or past lo every block after it does, and the stretch ends at the first block from i on that starts
 * at or past startBelow or ends past endMax: two galloping searches (a few dozen reads) instead of a look at every
 * block of a zone stretch (8M blocks: 20-30 ms a strategy). Anything else (i at 0 or past n, block i below lo, a NaN
 * bound) goes to wholeBlocksRun() itself. test/sim/strategies/whole-blocks-run.test.ts holds the two together.
 */
export function wholeBlocksRunSorted(
  S: Float64Array,
  E: Float64Array | null,
  i: number,
  n: number,
  lo: number,
  startBelow: number,
  endMax: number,
): number {
  if (!(i > 0 && i < n && S[i]! >= lo && startBelow === startBelow && endMax === endMax))
    return wholeBlocksRun(S, E, i, n, lo, startBelow, endMax);
  const k = gallopLowerBound(S, startBelow, i, n);
  // (heads, E null: S[y] + 1 > endMax exactly where S[y] > endMax - 1)
  return E === null ? gallopUpperBound(S, endMax - 1, i, k) : gallopUpperBound(E, endMax, i, k);
}

/**
 * wholeBlocksRun() of restored blocks: from j on, while at[j] is the block after at[j - 1] (b = to, to + 1, ...) and
 * block b is non-empty, starts at or after the end of block b - 1, and lies whole in [lo, hi). Returns the first j
 * that does not (n at the end).
 */
export function wholeBlocksRunAt(
  at: Int32Array,
  j: number,
  n: number,
  S: Float64Array,
  E: Float64Array,
  to: number,
  lo: number,
  hi: number,
): number {
  for (; j < n; j++, to++) {
    if (at[j] !== to) break;
    const s = S[to]!;
    const e = E[to]!;
    if (!(s >= lo && e <= hi && e > s && s >= E[to - 1]!)) break;
  }
  return j;
}

/**
 * wholeBlocksRunAt() of blocks known sorted and disjoint (KhoBlocks.sortedDisjoint), with the same answer: block b's
 * own tests then hold for every block (non-empty, at or after the end of the one before) but its bounds, and the
 * starts and ends ascend, so once block `to` starts at or past lo every block after it does, and the blocks that end
 * at or below hi are those before one galloping search's answer; at[j] - j never falls (at ascends strictly), so the
 * positions that go on from at[j0] = to one by one are those before the first j where at[j] - j rises, found by
 * galloping too. A few dozen reads instead of a look at every restored block of a zone-walk piece (zone-walk's restore
 * over 8M blocks: ~30 ms). Anything else (to at 0 or past the blocks, block `to` below lo, a NaN bound) goes to
 * wholeBlocksRunAt() itself. test/sim/strategies/whole-blocks-run.test.ts holds the two together.
 */
export function wholeBlocksRunAtSorted(
  at: Int32Array,
  j: number,
  n: number,
  S: Float64Array,
  E: Float64Array,
  to: number,
  lo: number,
  hi: number,
): number {
  const nb = S.length;
  if (!(j < n && to > 0 && to < nb && at[j] === to && S[to]! >= lo && hi === hi))
    return wholeBlocksRunAt(at, j, n, S, E, to, lo, hi);
  // the blocks from `to` on that end at or below hi, as positions from j
  const k = j + (gallopUpperBound(E, hi, to, nb) - to);
  // the first position from j whose block is not the one after the last (at[q] - q above at[j] - j)
  const c = to - j;
  let a = j;
  let step = 1;
  while (a + step < n && at[a + step]! - (a + step) === c) {
    a += step;
    step *= 2;
  }
  // at[a] - a === c; the answer is in (a, min(a + step, n)]
  let b = a + step < n ? a + step : n;
  a++;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (at[mid]! - mid === c) a = mid + 1;
    else b = mid;
  }
  return a < k ? a : k;
}

/** 2 ** order for every order a Uint8Array holds: a table lookup per block, not a Math.pow call (the loop's cost). */
const POW2 = Float64Array.from({ length: 256 }, (_, o) => 2 ** o);

const KIND = Object.fromEntries(KHO_RESTORE_KINDS.map((k, i) => [k, i])) as Record<KhoRestoreKind, number>;

/**
 * classifyBlocks()'s pass over blocks whose phys ascend (the decoder's columns): each block's end pfn and its kind by
 * order alone (pages above maxPageOrder, else folio). Returns 1 when every block is non-empty and starts at or after
 * the end of the one before (the general loop's `disjoint`), else 0; -1 at the first block not at or above the one
 * before (the general loop then does it all again). Nothing else per block: this loop's first and only call runs at
 * ~7 ns a block, against ~19 ns for the same loop also writing the start pfns and testing the order by (start, end)
 * (the 8M-block bundle: 55 against 155 ms); with every block disjoint the order holds (below), else
 * sortedByStartEnd() looks.
 */
function ascendingBlocks(
  phys: Float64Array,
  order: Uint8Array,
  count: number,
  pageSize: number,
  maxPageOrder: number,
  ends: Float64Array,
  kinds: Uint8Array,
): number {
  const PAGES = KIND.pages;
  const FOLIO = KIND.folio;
  let last = -Infinity;
  let prevE = -Infinity;
  let disjoint = 1;
  for (let i = 0; i < count; i++) {
    const p = phys[i]!;
    // (NaN too)
    if (!(p >= last)) return -1;
    last = p;
    const o = order[i]!;
    const s = Math.floor(p / pageSize);
    const e = s + POW2[o]!;
    ends[i] = e;
    kinds[i] = o > maxPageOrder ? PAGES : FOLIO;
    disjoint &= +(s >= prevE) & +(e > s);
    prevE = e;
  }
  return disjoint;
}

/** Whether blocks [0, n) are sorted by start, then end (the general loop's `sorted`). */
function sortedByStartEnd(S: Float64Array, E: Float64Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (S[i - 1]! > S[i]! || (S[i - 1] === S[i] && E[i - 1]! > E[i]!)) return false;
  return true;
}

/** kinds[i] = kind for each block whose phys (ascending) is one of `values` (ascending), galloping along phys. */
function markKinds(
  phys: Float64Array,
  count: number,
  values: Float64Array,
  kind: number,
  kinds: Uint8Array,
): void {
  let i = 0;
  for (let k = 0; k < values.length && i < count; k++) {
    i = gallopLowerBound(phys, values[k]!, i, count);
    for (; i < count && phys[i] === values[k]; i++) kinds[i] = kind;
  }
}

/**
 * Blocks in pfns, each tagged with the restore call the image says it is used through: reserve_mem ranges
 * first (revived, never restored), then vmalloc chunk and area pages, subtree blobs, orders above
 * MAX_PAGE_ORDER (only kho_preserve_pages makes them), and folios for the rest. Columns, sorted by start.
 */
export function classifyBlocks(image: KhoImageInput, pageShift: number, maxPageOrder: number): KhoBlocks {
  const pageSize = 2 ** pageShift;
  const vm = sortedColumn(
    (function* () {
      for (const a of image.vmalloc) {
        yield* a.chunkPhys;
        for (let i = 0; i < a.blockPhys.length; i++) yield a.blockPhys[i]!;
      }
    })(),
  );
  const sub = sortedColumn(image.subtrees.map((s) => s.phys));
  const rm = image.reserveMem
    .map((r) => ({ start: r.start, end: r.start + r.sizeBytes }))
    .sort((a, b) => a.start - b.start);
  const { count, phys, order } = image.preserved;
  // the decoder's pfn column when it noted one at this page shift (block-collector.ts finish: read only, as every
  // block column), not a fresh one (267 MB at 33M blocks): each of its values is the floor(p / pageSize) below
  const known = pfnColumnOf(phys, pageShift, count);
  const startPfn = known ?? new Float64Array(count);
  // (in shared memory when range columns are, as the decoder's pfn column is: check()'s never-initialised runs of the
  // `none` strategy go to compare --json's writer thread as stretches of these two columns, src/core/run-stretches.ts)
  const endPfn = f64Column(count);
  // the image's order column itself when it is one of bytes (the decoder's: read only), not a copy (8 MB at 8M blocks)
  const own = order instanceof Uint8Array && order.length === count;
  const orders = own ? order : new Uint8Array(count);
  const kinds = new Uint8Array(count);
  // a column of bytes (the decoder's, taken as it is) in address order: the blocks' own columns in one pass, then the few blocks at a
  // vmalloc, subtree or reserve_mem address found by searching phys (the general loop's kinds, without its cursors and
  // tests per block); null when a block is below the one before, and the general loop below then runs
  const ph = own && phys instanceof Float64Array ? phys : null;
  const fast = ph !== null ? ascendingBlocks(ph, orders, count, pageSize, maxPageOrder, endPfn, kinds) : -1;
  if (ph !== null && fast >= 0) {
    if (known === null) for (let i = 0; i < count; i++) startPfn[i] = Math.floor(ph[i]! / pageSize);
    markKinds(ph, count, sub, KIND.subtree, kinds);
    markKinds(ph, count, vm, KIND.vmalloc, kinds);
    for (const r of rm)
      for (let i = lowerBound(ph, r.start, 0, count); i < count && ph[i]! < r.end; i++)
        kinds[i] = KIND['reserve-mem'];
    // phys ascending, so are the start pfns; disjoint blocks (each non-empty, starting at or after the end of the one
    // before) are then sorted by start, no two with one start
    if (fast === 1 || sortedByStartEnd(startPfn, endPfn, count))
      return new KhoBlocks(startPfn, endPfn, orders, kinds, null, fast === 1, true);
  }
  // (the fast pass ran and found the blocks out of order: only the sort below is left)
  let sorted = fast < 0;
  // the reserve_mem ranges' span: most blocks are outside it
  let rmLo = Infinity;
  let rmHi = -Infinity;
  for (const r of rm) {
    if (r.start < rmLo) rmLo = r.start;
    if (r.end > rmHi) rmHi = r.end;
  }
  // the vmalloc and subtree columns by cursors stepping forward with the blocks (images list them in address order),
  // searched again for a block below the one before
  const nVm = vm.length;
  const nSub = sub.length;
  let vi = 0;
  let si = 0;
  let last = -Infinity;
  // the block before (sorted: by start then end) and whether every block so far is non-empty and starts at or after
  // the end of the one before (1/0: no branch)
  let prevS = -Infinity;
  let prevE = -Infinity;
  let disjoint = 1;
  // every block's end from its order as the order column holds it (an order past a byte is not: 1/0, no branch)
  let byOrder = 1;
  for (let i = fast < 0 ? 0 : count; i < count; i++) {
    const p = phys[i]!;
    const o = order[i]!;
    const s = Math.floor(p / pageSize);
    const e = s + (o < 256 ? POW2[o]! : 2 ** o);
    if (p < last) {
      vi = lowerBound(vm, p);
      si = lowerBound(sub, p);
    }
    last = p;
    while (vi < nVm && vm[vi]! < p) vi++;
    while (si < nSub && sub[si]! < p) si++;
    let kind: number;
    if (p >= rmLo && p < rmHi && inReserveMem(rm, p)) kind = KIND['reserve-mem'];
    else if (vi < nVm && vm[vi] === p) kind = KIND.vmalloc;
    else if (si < nSub && sub[si] === p) kind = KIND.subtree;
    else if (o > maxPageOrder) kind = KIND.pages;
    else kind = KIND.folio;
    if (known === null) startPfn[i] = s;
    endPfn[i] = e;
    if (!own) orders[i] = o;
    byOrder &= +(orders[i] === o);
    kinds[i] = kind;
    if (prevS > s || (prevS === s && prevE > e)) sorted = false;
    disjoint &= +(s >= prevE) & +(e > s);
    prevS = s;
    prevE = e;
  }
  // images list their blocks in address order: sort only when they are not (stable, by start then end); in order,
  // block i is image entry i (the index column is the identity: null, made only if asked for)
  if (sorted) return new KhoBlocks(startPfn, endPfn, orders, kinds, null, disjoint === 1, byOrder === 1);
  const idx = Array.from({ length: count }, (_, i) => i).sort(
    (x, y) => startPfn[x]! - startPfn[y]! || endPfn[x]! - endPfn[y]! || x - y,
  );
  return new KhoBlocks(
    Float64Array.from(idx, (i) => startPfn[i]!),
    Float64Array.from(idx, (i) => endPfn[i]!),
    Uint8Array.from(idx, (i) => orders[i]!),
    Uint8Array.from(idx, (i) => kinds[i]!),
    Int32Array.from(idx),
    false,
    byOrder === 1,
  );
}

/** early_pfn_to_nid() (linux v7.3-rc7 mm/mm_init.c): the boot's one lookup with its cache (mem-regions.ts). */
export function earlyPfnToNid(ctx: SimContext, pfn: number): number {
  return ctx.pfnToNid.lookup(pfn);
}

/**
 * The node and zone the pfns of [start, end) really belong to: the node of their memblock.memory region and the
 * first zone of that node spanning them (as memmap_init() sets them). Holes are left out.
 */
export function trueIdentity(
  layout: Layout,
  start: number,
  end: number,
): { start: number; end: number; nid: number; zid: number | null }[] {
  const out: { start: number; end: number; nid: number; zid: number | null }[] = [];
  const rs = layout.memRanges;
  // sorted and disjoint: the first one ending after start, by binary search
  const lo = firstEndingAfter(rs, start);
  for (let i = lo; i < rs.length; i++) {
    const r = rs[i]!;
    if (r.end <= start) continue;
    if (r.start >= end) break;
    forEachZonePiece(layout, r.nid, Math.max(r.start, start), Math.min(r.end, end), (s, e, zid) =>
      out.push({ start: s, end: e, nid: r.nid, zid }),
    );
  }
  return out;
}

/** Queued __init_single_page() ranges in columns (a million blocks queue a million ranges): start, end, nid, zid, fn. */
class InitQueue extends GrowableColumns<
  [Float64Array, Float64Array, Float64Array, Float64Array, Int32Array]
> {
  /** Index into fns. */
  readonly fns: string[] = [];

  constructor() {
    super([
      new Float64Array(1024),
      new Float64Array(1024),
      new Float64Array(1024),
      new Float64Array(1024),
      new Int32Array(1024),
    ]);
  }

  get start(): Float64Array {
    return this.cols[0];
  }
  get end(): Float64Array {
    return this.cols[1];
  }
  get nid(): Float64Array {
    return this.cols[2];
  }
  get zid(): Float64Array {
    return this.cols[3];
  }
  get fn(): Int32Array {
    return this.cols[4];
  }

  push(start: number, end: number, nid: number, zid: number, fn: string): void {
    const f = this.fnIndex(fn);
    const k = this.row();
    const c = this.cols;
    c[0][k] = start;
    c[1][k] = end;
    c[2][k] = nid;
    c[3][k] = zid;
    c[4][k] = f;
  }

  /** The index of fn in fns, numbered on first use. */
  fnIndex(fn: string): number {
    const last = this.fns.length - 1;
    if (last >= 0 && this.fns[last] === fn) return last;
    const f = this.fns.indexOf(fn);
    return f < 0 ? this.fns.push(fn) - 1 : f;
  }

  // Stretches of whole blocks queued as one row each (initDeferredBlocks: a million blocks, a few dozen stretches):
  // run j is the ranges [S[y], E[y]) of blocks y = from[j] .. to[j] - 1 of the columns runS[j]/runE[j] (runE[j] null:
  // each block's head page alone, [S[y], S[y] + 1)), in order and disjoint, each with node runNid[j], zone runZid[j]
  // and fn runFn[j]; it comes after the first runAt[j] rows.
  private readonly runS: Float64Array[] = [];
  private readonly runE: (Float64Array | null)[] = [];
  private readonly runFrom: number[] = [];
  private readonly runTo: number[] = [];
  private readonly runNid: number[] = [];
  private readonly runZid: number[] = [];
  private readonly runFn: number[] = [];
  private readonly runAt: number[] = [];

  /** Stretches queued. */
  get runs(): number {
    return this.runFrom.length;
  }

  /**
   * Queue blocks from .. to - 1 of the columns S/E whole (E null: their head pages), one range each, after the rows
   * queued so far: the caller has checked that each is non-empty and starts at or after the end of the one before.
   */
  pushBlocks(
    S: Float64Array,
    E: Float64Array | null,
    from: number,
    to: number,
    nid: number,
    zid: number,
    f: number,
  ): void {
    this.runS.push(S);
    this.runE.push(E);
    this.runFrom.push(from);
    this.runTo.push(to);
    this.runNid.push(nid);
    this.runZid.push(zid);
    this.runFn.push(f);
    this.runAt.push(this.n);
  }

  /**
   * The queue as block rows in queue order (stretches among the rows), when every range is non-empty and starts at
   * or after the end of all before it, of one fn, and the stretches index one pair of columns; else null.
   */
  blockRows(): BlockInitRows | null {
    const J = this.runFrom.length;
    if (this.fns.length !== 1 || J === 0) return null;
    const S = this.runS[0]!;
    const E = this.runE[0] as Float64Array | null;
    const R = this.n + J;
    const rows = {
      blockStart: S,
      blockEnd: E,
      from: new Int32Array(R),
      to: new Int32Array(R),
      start: new Float64Array(R),
      end: new Float64Array(R),
      nid: new Float64Array(R),
      zid: new Float64Array(R),
      n: R,
    };
    let last = -Infinity;
    let k = 0;
    let r = 0;
    for (let j = 0; j <= J; j++) {
      const upto = j < J ? this.runAt[j]! : this.n;
      for (; k < upto; k++, r++) {
        const s = this.start[k]!;
        const e = this.end[k]!;
        if (!(s >= last && e > s)) return null;
        last = e;
        rows.from[r] = -1;
        rows.start[r] = s;
        rows.end[r] = e;
        rows.nid[r] = this.nid[k]!;
        rows.zid[r] = this.zid[k]!;
      }
      if (j === J) break;
      if (this.runS[j] !== S || this.runE[j] !== E) return null;
      const from = this.runFrom[j]!;
      const to = this.runTo[j]!;
      if (!(S[from]! >= last)) return null;
      last = E === null ? S[to - 1]! + 1 : E[to - 1]!;
      rows.from[r] = from;
      rows.to[r] = to;
      rows.nid[r] = this.runNid[j]!;
      rows.zid[r] = this.runZid[j]!;
      r++;
    }
    return rows;
  }

  /** The same queue with every stretch listed block by block in its place: rows only. */
  expanded(): InitQueue {
    const q = new InitQueue();
    const J = this.runFrom.length;
    let total = this.n;
    for (let j = 0; j < J; j++) total += this.runTo[j]! - this.runFrom[j]!;
    q.room(total);
    let k = 0;
    for (let j = 0; j <= J; j++) {
      const upto = j < J ? this.runAt[j]! : this.n;
      for (; k < upto; k++)
        q.push(this.start[k]!, this.end[k]!, this.nid[k]!, this.zid[k]!, this.fns[this.fn[k]!]!);
      if (j === J) break;
      const S = this.runS[j]!;
      const E = this.runE[j] as Float64Array | null;
      const fn = this.fns[this.runFn[j]!]!;
      for (let y = this.runFrom[j]!; y < this.runTo[j]!; y++)
        q.push(S[y]!, E === null ? S[y]! + 1 : E[y]!, this.runNid[j]!, this.runZid[j]!, fn);
    }
    return q;
  }
}

/** Every queued range is non-empty and starts at or after the end of all before it (nothing to sort or clip). */
function inOrderDisjoint(q: InitQueue): boolean {
  let last = -Infinity;
  for (let k = 0; k < q.n; k++) {
    const s = q.start[k]!;
    const e = q.end[k]!;
    if (!(s >= last && e > s)) return false;
    last = e;
  }
  return true;
}

/**
 * for_each_zone() + zone_spans_pfn() answered for every pfn at once: the pfn axis cut at every spanned zone's
 * bounds into pieces, piece i [start[i], start[i + 1]) (the last to infinity) given the first zone in node then
 * zone order whose span holds it (nid[i], zid[i]; zid -1 where none does). Neighbours of one zone are joined. One
 * per layout: a few dozen zones make a few dozen pieces.
 */
export interface ZoneWalkMap {
  readonly start: Float64Array;
  readonly nid: Float64Array;
  readonly zid: Float64Array;
  readonly n: number;
}

const zoneWalkMaps = new WeakMap<Layout, ZoneWalkMap>();

export function zoneWalkMap(layout: Layout): ZoneWalkMap {
  let m = zoneWalkMaps.get(layout);
  if (m) return m;
  const zones: { nid: number; zid: number; s: number; e: number }[] = [];
  for (const n of layout.nodes)
    for (const z of n.zones)
      if (z.spannedPages && z.endPfn > z.startPfn)
        zones.push({ nid: n.nid, zid: z.zid, s: z.startPfn, e: z.endPfn });
  const cuts = [...new Set([-Infinity, ...zones.flatMap((z) => [z.s, z.e])])].sort((a, b) => a - b);
  const start: number[] = [];
  const nid: number[] = [];
  const zid: number[] = [];
  let last = -2;
  for (const c of cuts) {
    // every zone bound is a cut: a zone spans all of [c, next cut) or none of it
    const z = zones.findIndex((x) => x.s <= c && c < x.e);
    // neighbours joined only when one zone holds both (two zones of one node and index, which no real layout has,
    // stay two pieces, as the walk queues them)
    if (z === last) continue;
    last = z;
    start.push(c);
    nid.push(z >= 0 ? zones[z]!.nid : -1);
    zid.push(z >= 0 ? zones[z]!.zid : -1);
  }
  m = {
    start: Float64Array.from(start),
    nid: Float64Array.from(nid),
    zid: Float64Array.from(zid),
    n: start.length,
  };
  zoneWalkMaps.set(layout, m);
  return m;
}

/**
 * The StrategyContext of one phase: helpers queue __init_single_page() ranges, flush() applies them to the
 * memmap in one sorted batch per kernel function (blocks are disjoint, so batching keeps the per-block order).
 */
export class StrategyRunner implements StrategyContext {
  private ops = new InitQueue();
  private readonly online: ReadonlySet<number>;
  current = -1;

  constructor(
    private readonly ctx: SimContext,
    private readonly run: KhoRun,
    readonly phase: 'deserialize' | 'restore',
    private readonly phaseName: string,
  ) {
    this.online = new Set(ctx.layout.nodes.map((n) => n.nid));
  }

  get layout() {
    return this.ctx.layout;
  }
  get deferred(): boolean {
    return this.ctx.deferred;
  }

  earlyPfnToNid(pfn: number): number {
    if (this.ctx.memblockDiscarded && !this.ctx.arch.ARCH_KEEP_MEMBLOCK)
      this.run.observations.push({
        kind: 'memblock-after-discard',
        phase: this.phaseName,
        fn: 'early_pfn_to_nid',
        pfn,
        block: this.current,
      });
    return earlyPfnToNid(this.ctx, pfn);
  }

  page(pfn: number): StrategyPageView {
    const st = this.ctx.memmap.stateAt(pfn);
    return { initialised: st.initCount > 0, nid: st.nid, zid: st.zid };
  }

  initSinglePages(start: number, end: number, nid: number, zid: number, fn: string): void {
    this.settle();
    if (end > start) this.ops.push(start, end, nid, zid, fn);
  }

  /**
   * An initTailsFromHeads() call held back while it is the only op queued: flush() hands it to the memmap whole
   * (MemMap.initBlockTails, one walk of the layer's columns), or lists its ranges as initTailsFromHeads() queued them.
   * Nothing writes the map before the flush, so the heads read then read as at the call.
   */
  private tails: { blocks: KhoBlocks; at: Int32Array | PositionsBut; n: number; fn: string } | null = null;

  /** Queue the held-back tails' ranges, before any other op is queued after them. */
  private settle(): void {
    const p = this.tails;
    if (p === null) return;
    this.tails = null;
    this.queueTails(p.blocks, p.at, p.n, p.fn);
  }

  /**
   * Room in the queue for n more ranges at once (a hook called per block queues about one range a block): a
   * million-range queue grown by doubling from 1024 rows copies all its columns some ten times.
   */
  expect(n: number): void {
    this.ops.room(n);
  }

  // the zone stretch of the last block (zoneStretch): the next blocks mostly fall in it
  private zsNid = NaN;
  private zsLo = 0;
  private zsHi = -1;
  private zsZid = ZID_PAST_END;

  initPagesFromNid(start: number, end: number, nid: number, fn = '__init_page_from_nid'): void {
    if (end <= start) return;
    if (!(nid === this.zsNid && start >= this.zsLo && end <= this.zsHi)) {
      const z = zoneStretch(this.ctx.layout, nid, start);
      if (end > z.hi) {
        forEachZonePiece(this.ctx.layout, nid, start, end, (s, e, zid) =>
          this.initSinglePages(s, e, nid, zid ?? ZID_PAST_END, fn),
        );
        return;
      }
      this.zsNid = nid;
      this.zsLo = z.lo;
      this.zsHi = z.hi;
      this.zsZid = z.zid ?? ZID_PAST_END;
    }
    this.initSinglePages(start, end, nid, this.zsZid, fn);
  }

  initDeferredPages(start: number, end: number, nid: number, fn = 'init_deferred_page'): void {
    if (!this.ctx.deferred) return;
    if (!this.online.has(nid)) return; // !node_online(nid)
    const fdp = this.ctx.currentFirstDeferredPfn.get(nid);
    if (fdp === undefined || fdp === null) return;
    this.initPagesFromNid(Math.max(start, fdp), end, nid, fn);
  }

  initDeferredBlocks(blocks: KhoBlocks, fn = 'init_deferred_page'): void {
    this.initBlocksFromNid(blocks, fn, true, false);
  }

  initDeferredHeads(blocks: KhoBlocks, fn = 'init_deferred_page'): void {
    this.initBlocksFromNid(blocks, fn, true, true);
  }

  initPagesFromNidBlocks(blocks: KhoBlocks, fn = '__init_page_from_nid'): void {
    this.initBlocksFromNid(blocks, fn, false, false);
  }

  /**
   * initDeferredBlocks() (`clip`: init_deferred_page(), nothing on an offline node or below its first_deferred_pfn)
   * or initPagesFromNidBlocks() (__init_page_from_nid() on every page of each block, as initPagesFromNid()); `heads`:
   * of each block's head page alone (initDeferredHeads), queued over the start column with no end column (E null).
   */
  private initBlocksFromNid(blocks: KhoBlocks, fn: string, clip: boolean, heads: boolean): void {
    if (!this.ctx.deferred) return;
    this.settle();
    const S = blocks.startPfn;
    const E = heads ? null : blocks.endPfn;
    const n = blocks.length;
    if (n === 0) return;
    // early_pfn_to_nid() after memblock is discarded records an observation per call: the per-block path
    if (this.ctx.memblockDiscarded && !this.ctx.arch.ARCH_KEEP_MEMBLOCK) {
      // a range a block, and a few more for blocks split at a zone or node boundary: room for all of them at once (a
      // million-range queue grown for one split block would copy all of it into twice the room)
      this.ops.room(n + 1024);
      return this.initDeferredEach(blocks, E, fn, clip);
    }
    const q = this.ops;
    // the blocks sorted and disjoint as their maker saw them: a stretch's end found by searches (wholeBlocksRunSorted)
    const sorted = blocks.sortedDisjoint;
    // fn numbered at its first range, as push() does
    let f = -1;
    const look = this.ctx.pfnToNid;
    const cfdp = this.ctx.currentFirstDeferredPfn;
    const online = this.online;
    // the blocks queued whole, one range each in their zone stretch, as stretches of consecutive blocks of one node
    // and zone (pushBlocks: the block columns are the queue's, a million blocks a few dozen rows); a block cut at
    // first_deferred_pfn or at a zone boundary queues its ranges as rows, in its place. Every call in the loop below
    // is small enough to inline, so no pfn (past 2^31 at 24 TiB) is boxed into a heap number per block.
    let runFrom = -1;
    let runTo = -1;
    let runNid = NaN;
    let runZid = NaN;
    let lastNid = NaN;
    let fdp: number | null | undefined = null;
    let zsNid = this.zsNid;
    let zsLo = this.zsLo;
    let zsHi = this.zsHi;
    let zsZid = this.zsZid;
    for (let i = 0; i < n; i++) {
      const start = S[i]!;
      const nid = look.lookup(start);
      if (nid !== lastNid) {
        lastNid = nid;
        fdp = !clip ? 0 : online.has(nid) ? cfdp.get(nid) : null;
      }
      if (fdp === undefined || fdp === null) continue;
      // initDeferredPages() then initPagesFromNid(): the block from first_deferred_pfn on, in its zone stretch
      const s = start > fdp ? start : fdp;
      const e = E === null ? start + 1 : E[i]!;
      if (e <= s) continue;
      if (s === start && nid === zsNid && s >= zsLo && e <= zsHi) {
        // the whole block in the zone stretch: the open stretch of blocks goes on when it ends with the block before
        // and that ends at or before this one's start (the stretch of blocks is closed wherever the zone stretch
        // changes, below: all its blocks have its node and zone)
        if (i === runTo && s >= (E === null ? S[i - 1]! + 1 : E[i - 1]!)) runTo++;
        else {
          if (runFrom >= 0) q.pushBlocks(S, E, runFrom, runTo, runNid, runZid, f);
          if (f < 0) f = q.fnIndex(fn);
          runFrom = i;
          runTo = i + 1;
          runNid = nid;
          runZid = zsZid;
        }
        // the blocks after it that this loop would add to the stretch as they are, without a lookup each: their
        // start in early_pfn_to_nid()'s cached region of this node (the lookup a hit, answering nid and changing
        // nothing), at or past first_deferred_pfn and the zone stretch's start, their end in the zone stretch
        if (look.cacheNid === nid) {
          const lo = Math.max(zsLo, fdp, look.cacheStart);
          runTo = sorted
            ? wholeBlocksRunSorted(S, E, runTo, n, lo, look.cacheEnd, zsHi)
            : wholeBlocksRun(S, E, runTo, n, lo, look.cacheEnd, zsHi);
          i = runTo - 1;
        }
        continue;
      }
      if (runFrom >= 0) q.pushBlocks(S, E, runFrom, runTo, runNid, runZid, f);
      runFrom = runTo = -1;
      this.current = blocks.imageIndex(i);
      this.initPagesFromNid(s, e, nid, fn);
      zsNid = this.zsNid;
      zsLo = this.zsLo;
      zsHi = this.zsHi;
      zsZid = this.zsZid;
    }
    if (runFrom >= 0) q.pushBlocks(S, E, runFrom, runTo, runNid, runZid, f);
    this.current = blocks.imageIndex(n - 1);
  }

  /** initBlocksFromNid() block by block (each early_pfn_to_nid() call observed); E null: the head pages. */
  private initDeferredEach(blocks: KhoBlocks, E: Float64Array | null, fn: string, clip: boolean): void {
    const S = blocks.startPfn;
    const index = blocks.indexColumn;
    const n = blocks.length;
    // initDeferredPages()'s node_online() and first_deferred_pfn of the last node (blocks of one node come together)
    let lastNid = NaN;
    let fdp: number | null | undefined = null;
    for (let i = 0; i < n; i++) {
      this.current = index === null ? i : index[i]!;
      const start = S[i]!;
      const nid = this.earlyPfnToNid(start);
      if (nid !== lastNid) {
        lastNid = nid;
        fdp = !clip ? 0 : this.online.has(nid) ? this.ctx.currentFirstDeferredPfn.get(nid) : null;
      }
      if (fdp === undefined || fdp === null) continue;
      this.initPagesFromNid(start > fdp ? start : fdp, E === null ? start + 1 : E[i]!, nid, fn);
    }
  }

  // the piece of zoneWalkMap() the last range started in: blocks come in address order, so the next is mostly there
  private zwPiece = 0;

  initByZoneWalk(start: number, end: number, fn: string): void {
    if (!(start < end)) return;
    // the first spanning zone of every pfn, as pieces of one answer (zoneWalkMap): a cursor, not a walk per block
    const m = zoneWalkMap(this.ctx.layout);
    const S = m.start;
    const n = m.n;
    let i = this.zwPiece;
    if (i >= n || S[i]! > start) i = Math.max(0, upperBound(S, start) - 1);
    while (i + 1 < n && S[i + 1]! <= start) i++;
    this.zwPiece = i;
    // [start, end) piece by piece, in address order (the pieces are disjoint: the same pages as the walk, which
    // queues them zone by zone; flush() sorts a batch by start either way)
    for (let s = start; s < end && i < n; i++) {
      const pe = i + 1 < n ? S[i + 1]! : Infinity;
      if (pe <= s) continue;
      const e = Math.min(end, pe);
      if (m.zid[i]! >= 0) this.initSinglePages(s, e, m.nid[i]!, m.zid[i]!, fn);
      s = e;
    }
  }

  initByZoneWalkBlocks(blocks: KhoBlocks, at: Int32Array, n: number, fn: string): void {
    if (n <= 0) return;
    this.settle();
    const m = zoneWalkMap(this.ctx.layout);
    const S = m.start;
    const pN = m.n;
    const pNid = m.nid;
    const pZid = m.zid;
    const bS = blocks.startPfn;
    const bE = blocks.endPfn;
    // the blocks sorted and disjoint as their maker saw them: a stretch's end found by searches
    const sorted = blocks.sortedDisjoint;
    const q = this.ops;
    // initByZoneWalk() of each block: a block inside one piece of the walk's answer is one range of that piece's node
    // and zone, queued in a stretch of consecutive blocks of that piece (pushBlocks, as initDeferredBlocks: the
    // memmap walks them in place); a block the walk splits queues its pieces as rows, in its place
    let f = -1;
    let runFrom = -1;
    let runTo = -1;
    let runPiece = -1;
    let i = this.zwPiece;
    for (let j = 0; j < n; j++) {
      const b = at[j]!;
      const start = bS[b]!;
      const end = bE[b]!;
      if (!(start < end)) continue;
      if (i >= pN || S[i]! > start) i = Math.max(0, upperBound(S, start) - 1);
      while (i + 1 < pN && S[i + 1]! <= start) i++;
      if (end <= (i + 1 < pN ? S[i + 1]! : Infinity) && pZid[i]! >= 0) {
        // the whole block in piece i: the open stretch goes on when it is piece i's, ends with the block before and
        // that ends at or before this one's start
        if (i === runPiece && b === runTo && start >= bE[b - 1]!) runTo++;
        else {
          if (runFrom >= 0) q.pushBlocks(bS, bE, runFrom, runTo, pNid[runPiece]!, pZid[runPiece]!, f);
          if (f < 0) f = q.fnIndex(fn);
          runFrom = b;
          runTo = b + 1;
          runPiece = i;
        }
        // the restored blocks after it that this loop would add to the stretch as they are: the next ones in the
        // block columns, their start in piece i (the cursor stays) and their end in it too
        const hi = i + 1 < pN ? S[i + 1]! : Infinity;
        const k = sorted
          ? wholeBlocksRunAtSorted(at, j + 1, n, bS, bE, runTo, S[i]!, hi)
          : wholeBlocksRunAt(at, j + 1, n, bS, bE, runTo, S[i]!, hi);
        runTo += k - (j + 1);
        j = k - 1;
        continue;
      }
      if (runFrom >= 0) q.pushBlocks(bS, bE, runFrom, runTo, pNid[runPiece]!, pZid[runPiece]!, f);
      runFrom = runTo = runPiece = -1;
      for (let s = start, p = i; s < end && p < pN; p++) {
        const pe = p + 1 < pN ? S[p + 1]! : Infinity;
        if (pe <= s) continue;
        const e = end < pe ? end : pe;
        if (pZid[p]! >= 0) q.push(s, e, pNid[p]!, pZid[p]!, fn);
        s = e;
      }
    }
    if (runFrom >= 0) q.pushBlocks(bS, bE, runFrom, runTo, pNid[runPiece]!, pZid[runPiece]!, f);
    this.zwPiece = i;
  }

  initTailsFromHeads(blocks: KhoBlocks, at: Int32Array | PositionsBut, n: number, fn: string): void {
    if (n <= 0) return;
    // the only op so far: held back for the memmap's walk (flush); any op after it queues it first (settle)
    if (this.tails === null && this.ops.n === 0 && this.ops.runs === 0) {
      this.tails = { blocks, at, n, fn };
      return;
    }
    this.settle();
    this.queueTails(blocks, at, n, fn);
  }

  /** initTailsFromHeads()'s ranges queued, one a block, the heads read as they are now. */
  private queueTails(blocks: KhoBlocks, positions: Int32Array | PositionsBut, n: number, fn: string): void {
    const at = positions instanceof Int32Array ? positions : positions.column();
    const bS = blocks.startPfn;
    const bE = blocks.endPfn;
    // the heads as they are now, in one pass (at ascending: the heads too; every block: the block column itself)
    let heads: Float64Array = bS;
    if (n !== bS.length) {
      heads = new Float64Array(n);
      for (let j = 0; j < n; j++) heads[j] = bS[at[j]!]!;
    }
    // (a view of the memmap's head column when it can: read in the loop below, which writes only the queue)
    const { ids, states } = this.ctx.memmap.stateIdsAt(heads, true);
    // a range a block at most: room for all of them at once
    this.ops.room(n);
    // page_to_nid()/page_zonenum() of each state a head is in, and whether it is initialised (no object per block)
    const init = new Uint8Array(states.length);
    const nidOf = new Float64Array(states.length);
    const zidOf = new Float64Array(states.length);
    for (let id = 0; id < states.length; id++) {
      const st = states[id]!;
      init[id] = st.initCount > 0 ? 1 : 0;
      nidOf[id] = st.nid;
      zidOf[id] = st.zid;
    }
    const q = this.ops;
    let f = -1;
    let qS = q.start;
    let qE = q.end;
    let qN = q.nid;
    let qZ = q.zid;
    let qF = q.fn;
    let k = q.n;
    for (let j = 0; j < n; j++) {
      const b = at[j]!;
      const s = bS[b]! + 1;
      const e = bE[b]!;
      // a block of one page has no tail; a head never initialised gives its tails nothing to copy
      if (!(e > s)) continue;
      let id = ids[j]!;
      // (a head out of the memmap's layer: read alone)
      if (id < 0) id = this.ctx.memmap.stateIdOf(heads[j]!);
      if (init[id] === 0) continue;
      if (k < qS.length) {
        qS[k] = s;
        qE[k] = e;
        qN[k] = nidOf[id]!;
        qZ[k] = zidOf[id]!;
        qF[k] = f < 0 ? (f = q.fnIndex(fn)) : f;
        k++;
      } else {
        q.n = k;
        q.push(s, e, nidOf[id]!, zidOf[id]!, fn);
        k = q.n;
        qS = q.start;
        qE = q.end;
        qN = q.nid;
        qZ = q.zid;
        qF = q.fn;
      }
    }
    q.n = k;
  }

  /**
   * initByZoneWalk() zone by zone, as for_each_zone() + zone_spans_pfn() walk it: what is left of the range after
   * each zone took its part (the general form zoneWalkMap() answers for; test/sim/strategies/zone-walk-map.test.ts).
   */
  zoneWalkPieces(start: number, end: number, fn: string): void {
    let rest: Range[] = [{ start, end }];
    for (const n of this.ctx.layout.nodes) {
      for (const z of n.zones) {
        if (!z.spannedPages || !rest.length) continue;
        const next: Range[] = [];
        for (const r of rest) {
          const s = Math.max(r.start, z.startPfn);
          const e = Math.min(r.end, z.endPfn);
          if (s < e) {
            this.initSinglePages(s, e, n.nid, z.zid, fn);
            if (r.start < s) next.push({ start: r.start, end: s });
            if (e < r.end) next.push({ start: e, end: r.end });
          } else next.push(r);
        }
        rest = next;
      }
    }
    // pfns no zone spans are left alone: the walk finds nothing to initialise them with
  }

  /**
   * Whether the last flush() wrote no page but the tails of the layer's blocks: nothing was queued, or only the
   * held-back tails, which MemMap.initBlockTails() took (the layer's blocks disjoint, a tail holds no block's head).
   */
  private leftHeads = false;
  headsLeftAlone(): boolean {
    return this.leftHeads;
  }

  /** Apply the queued inits: one initRanges() per kernel function, sorted, overlaps clipped. */
  flush(): void {
    const p = this.tails;
    this.leftHeads = p === null && this.ops.n === 0 && this.ops.runs === 0;
    if (p !== null && this.ops.n === 0 && this.ops.runs === 0) {
      this.tails = null;
      const actor = { phase: this.phaseName, fn: p.fn };
      if (this.ctx.memmap.initBlockTails(p.blocks.startPfn, p.blocks.endPfn, p.at, p.n, actor)) {
        this.leftHeads = true;
        return;
      }
      this.queueTails(p.blocks, p.at, p.n, p.fn);
    }
    this.settle();
    let q = this.ops;
    this.ops = new InitQueue();
    if (q.runs) {
      // stretches of whole blocks (initDeferredBlocks), in order: the memmap walks the blocks themselves
      const rows = q.blockRows();
      if (rows) {
        this.ctx.memmap.initBlockRows(rows, { phase: this.phaseName, fn: q.fns[0]! });
        return;
      }
      q = q.expanded();
    }
    // fns are numbered in the order of their first op (as a Map keyed by fn would iterate them)
    if (q.fns.length === 1 && inOrderDisjoint(q)) {
      // one kernel function, ranges already sorted and disjoint: the queue's own columns are the batch
      this.ctx.memmap.initColumns(
        {
          start: q.start.subarray(0, q.n),
          end: q.end.subarray(0, q.n),
          nid: q.nid.subarray(0, q.n),
          zid: q.zid.subarray(0, q.n),
          n: q.n,
          sortedDisjoint: true,
        },
        { phase: this.phaseName, fn: q.fns[0]! },
      );
      return;
    }
    for (let f = 0; f < q.fns.length; f++) {
      // the queue positions of fn f, in queue order, in a typed column (a million blocks queue a million)
      let m = 0;
      for (let k = 0; k < q.n; k++) if (q.fn[k] === f) m++;
      let idx = new Int32Array(m);
      m = 0;
      for (let k = 0; k < q.n; k++) if (q.fn[k] === f) idx[m++] = k;
      // a stable sort by start (already in order when the blocks are)
      for (let i = 1; i < idx.length; i++) {
        if (q.start[idx[i]!]! < q.start[idx[i - 1]!]!) {
          idx = Int32Array.from(Array.from(idx).sort((a, b) => q.start[a]! - q.start[b]! || a - b));
          break;
        }
      }
      // overlaps clipped: a range starts where the ranges before it end
      const start = new Float64Array(idx.length);
      const end = new Float64Array(idx.length);
      const nid = new Float64Array(idx.length);
      const zid = new Float64Array(idx.length);
      let n = 0;
      let last = -Infinity;
      for (const k of idx) {
        const s = Math.max(q.start[k]!, last);
        if (s < q.end[k]!) {
          start[n] = s;
          end[n] = q.end[k]!;
          nid[n] = q.nid[k]!;
          zid[n] = q.zid[k]!;
          n++;
        }
        last = Math.max(last, q.end[k]!);
      }
      this.ctx.memmap.initColumns(
        {
          start: start.subarray(0, n),
          end: end.subarray(0, n),
          nid: nid.subarray(0, n),
          zid: zid.subarray(0, n),
          n,
        },
        { phase: this.phaseName, fn: q.fns[f]! },
      );
    }
  }
}
