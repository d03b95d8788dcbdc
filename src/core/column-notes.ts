// Facts about block columns noted by the code that made them (the decoder's pfn column, the restored positions): a
// fast path that would otherwise look at every entry of a million-entry column to learn what its maker knew takes the
// note instead. Each note is keyed by the column itself (a copy has none, and goes the general way); the columns
// noted are never written after.

/**
 * The page frame numbers of a column of physical addresses, where something has them already: the block decoder
 * (parsers/kho/block-collector.ts finish) computes each block's pfn as it unpacks its address, and writes it into
 * its own buffer, dead after that; the replay (src/sim/phases/kho-run.ts classifyBlocks) reads it as its start pfn
 * column instead of dividing again into a fresh one (267 MB of pages at 33M blocks). Keyed by the address column
 * itself (a copy has none), with the page shift the pfns are of. Neither column is ever written after.
 */
const pfnColumns = new WeakMap<object, { readonly pageShift: number; readonly pfn: Float64Array }>();

/** Note `pfn[i] = phys[i] / 2^pageShift` for every i (exact: the addresses are pfns times the page size). */
export function notePfnColumn(phys: Float64Array, pageShift: number, pfn: Float64Array): void {
  pfnColumns.set(phys, { pageShift, pfn });
}

/** The pfns of the first `count` addresses of `phys` at this page shift, if noted (notePfnColumn), else null. */
export function pfnColumnOf(phys: ArrayLike<number>, pageShift: number, count: number): Float64Array | null {
  const e = typeof phys === 'object' && phys !== null ? pfnColumns.get(phys) : undefined;
  return e && e.pageShift === pageShift && e.pfn.length === count && phys.length >= count ? e.pfn : null;
}

/**
 * Position columns noted by their maker as strictly ascending in their first `count` entries, each in [0, bound): the
 * restored positions (src/sim/phases/kho-restore.ts restoredPositions, once per block set, never written after).
 * MemMap.initBlockTails() takes them without its look at every position (8M positions: ~35 ms a strategy), keyed by
 * the column itself.
 */
const ascendingBelow = new WeakMap<Int32Array, { readonly count: number; readonly bound: number }>();

/** Note that at[0], ..., at[count - 1] are strictly ascending, each in [0, bound). */
export function noteAscendingPositions(at: Int32Array, count: number, bound: number): void {
  if (count <= at.length) ascendingBelow.set(at, { count, bound });
}

/**
 * Whether at[0], ..., at[n - 1] are strictly ascending, each in [0, bound): at once when the column was noted so
 * (noteAscendingPositions) for n positions or more and a bound at or below this one, else by a look at each.
 */
export function positionsAscendingBelow(at: Int32Array, n: number, bound: number): boolean {
  const e = ascendingBelow.get(at);
  if (e !== undefined && n <= e.count && e.bound <= bound) return true;
  return ascendingWithin(at, n, bound);
}

/** The look of positionsAscendingBelow() at each position (a loop of its own, kept small). */
function ascendingWithin(at: Int32Array, n: number, bound: number): boolean {
  if (n > at.length) return false;
  let last = -1;
  for (let j = 0; j < n; j++) {
    const y = at[j]!;
    if (!(y > last)) return false;
    last = y;
  }
  return n === 0 || last < bound;
}

/**
 * Positions into a block column given by what they leave out: every position in [0, total) but the `left` ones
 * (strictly ascending, each below total), n = total - left.length of them, ascending; their column (n entries, those
 * past n zero) made only when something asks for it (column()). kho_restore's restored positions
 * (src/sim/phases/kho-restore.ts restoredPositions): every block but the few whose heads it refuses, so a walk that
 * takes them row by row (MemMap.initBlockTails) reads no 32 MB column of 8M positions, and none is made (written
 * into fresh pages: ~8K first-touch page faults, ~100 ms under load) unless a reader needs one.
 */
export interface PositionsBut {
  readonly total: number;
  readonly left: Int32Array;
  readonly n: number;
  column(): Int32Array;
}

/**
 * Whether `p` is what it says (left strictly ascending and each in [0, p.total), n = total - left.length) with n
 * positions asked for and total at or below `bound`: a look at the few positions left out, not at the n taken.
 */
export function positionsButWithin(p: PositionsBut, n: number, bound: number): boolean {
  const left = p.left;
  if (!(p.total <= bound && p.n === p.total - left.length && n === p.n)) return false;
  let last = -1;
  for (let g = 0; g < left.length; g++) {
    const l = left[g]!;
    if (!(l > last && l < p.total)) return false;
    last = l;
  }
  return true;
}
