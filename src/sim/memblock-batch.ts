// Column operations of the memblock model: one kernel operation (linux v7.3-rc7 mm/memblock.c memblock_add_range,
// memblock_setclr_flag, memblock_set_node) applied to each range of a sorted batch, done as one sweep over the region columns instead
// of one isolate/insert/merge per range. kho_memory_init() reserves a million preserved blocks this way.
import { GrowableColumns, InternalError } from '../core/index.js';
import type { MemblockType } from './memblock.js';

/**
 * A batch of byte ranges [start[k] * scale, end[k] * scale) for k < n, sorted by start (they may overlap or touch).
 * `scale` (default 1) lets a caller pass page frame columns with the page size instead of a byte copy of them
 * (kho_memory_init: two 64 MB columns fewer at 8M blocks). A power of two, so every product is exact.
 */
export interface RangeBatch {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly n: number;
  readonly scale?: number;
  /**
   * A node per range (set-node batches: memblock_set_node of each range with its own nid, -1 = NUMA_NO_NODE).
   * Ranges must not overlap then (a later memblock_set_node over the same bytes would win).
   */
  readonly nid?: Int32Array;
  /**
   * The caller has checked that every range is non-empty and starts at or after the end of the one before
   * (reserveKhoBlocks: groupPass() looks at every block): applyBatch() then skips its own pass over the batch
   * (sortedDisjoint). The tests hold the two to the same regions.
   */
  readonly sortedDisjoint?: boolean;
}

/** What each range of the batch does, in the kernel's order: add the uncovered parts, then set/clear flags, then the node. */
export interface BatchOp {
  /** memblock_add_range(type, base, size, addNid, 0) first: the parts no region covers become regions. */
  readonly add: boolean;
  /** Node of the added parts (-1 = none: memblock_reserve() passes NUMA_NO_NODE). */
  readonly addNid: number;
  /** memblock_setclr_flag(type, base, size, 1, set) / (…, 0, clear) over the range. */
  readonly set: number;
  readonly clear: number;
  /** memblock_set_node(base, size, type, nid): every region part in the range takes the range's node. */
  readonly setNid: boolean;
}

/** Output pieces of a sweep (base, end, nid, flags, touched: the pieces the batch covered), in growable columns. */
class Pieces extends GrowableColumns<[Float64Array, Float64Array, Int32Array, Int32Array, Uint8Array]> {
  constructor(cap: number) {
    super([
      new Float64Array(cap),
      new Float64Array(cap),
      new Int32Array(cap),
      new Int32Array(cap),
      new Uint8Array(cap),
    ]);
  }
  push(b: number, e: number, nid: number, flags: number, touched: number): void {
    const i = this.row();
    const c = this.cols;
    c[0][i] = b;
    c[1][i] = e;
    c[2][i] = nid;
    c[3][i] = flags;
    c[4][i] = touched;
  }
}

/**
 * The type's new columns (base, size, nid, flags), written in address order with memblock_merge_regions() applied as
 * pieces come: a piece joins the last region when they touch with equal nid and flags and at least one of the two
 * lies in a batch range.
 */
class Merged extends GrowableColumns<[Float64Array, Float64Array, Int32Array, Int32Array]> {
  private lastTouched = 0;
  /** The columns' length (a field: read per row, it saves a load through the array of columns). */
  private cap: number;
  constructor(cap: number) {
    super([new Float64Array(cap), new Float64Array(cap), new Int32Array(cap), new Int32Array(cap)]);
    this.cap = cap;
  }
  push(b: number, e: number, nid: number, flags: number, touched: number): void {
    const m = this.n;
    let c = this.cols;
    if (
      m > 0 &&
      (touched || this.lastTouched) &&
      c[0][m - 1]! + c[1][m - 1]! === b &&
      c[2][m - 1] === nid &&
      c[3][m - 1] === flags
    ) {
      c[1][m - 1] = e - c[0][m - 1]!;
      this.lastTouched = 1;
      return;
    }
    if (m < this.cap) this.n = m + 1;
    else {
      this.row();
      this.cap = this.capacity;
      c = this.cols;
    }
    c[0][m] = b;
    c[1][m] = e - b;
    c[2][m] = nid;
    c[3][m] = flags;
    this.lastTouched = touched;
  }

  /**
   * pushGaps() into these columns for a batch without a node column: from union range k on, the gaps (each touched,
   * node `nid`, flags `flags`) merged as push() merges them, with the last region's base, end and match in locals
   * instead of a push() per piece (a million preserved blocks past the last region are one loop). Returns the first
   * range not done, as pushGaps().
   */
  pushGapRun(
    US: Float64Array,
    UE: Float64Array,
    nu: number,
    sc: number,
    k: number,
    covEnd: number,
    limit: number,
    nid: number,
    flags: number,
  ): number {
    let [B, Z, N, FL] = this.cols;
    let m = this.n;
    let cap = this.cap;
    // the last region: its base, its end as push() tests it (base + size) and whether its node and flags are the gaps'
    let lb = m > 0 ? B[m - 1]! : 0;
    let le = m > 0 ? lb + Z[m - 1]! : NaN;
    let same = +(m > 0 && N[m - 1] === nid && FL[m - 1] === flags);
    let pushed = false;
    while (k < nu) {
      const us = US[k]! * sc;
      if (!(us < limit)) break;
      const ue = UE[k]! * sc;
      const s = Math.max(us, covEnd);
      const e = Math.min(ue, limit);
      if (s < e) {
        pushed = true;
        if (m === cap) {
          this.n = m;
          this.row();
          [B, Z, N, FL] = this.cols;
          cap = this.cap = this.capacity;
        }
        // without a branch on whether the gap joins the last region (j = 1: touching gaps, at random): the row
        // written is the last one (base kept) or a new one (base s); s + 1 * (lb - s) is lb exactly (integers in
        // bytes, below 2^53), 0 * (lb - s) is 0 (lb and s finite)
        const j = same & +(le === s);
        const w = m - j;
        const base = s + j * (lb - s);
        const z = e - base;
        B[w] = base;
        Z[w] = z;
        N[w] = nid;
        FL[w] = flags;
        m = w + 1;
        lb = base;
        le = base + z;
        same = 1;
      }
      if (ue <= limit) k++;
      else break;
    }
    this.n = m;
    if (pushed) this.lastTouched = 1;
    return k;
  }
}

/**
 * Whether the batch's ranges are non-empty and none overlaps the one before; throws when they are not sorted by
 * start. A function of its own: V8 compiles a loop while it runs (on-stack replacement), and a small function
 * sooner than all of applyBatch().
 */
function sortedDisjoint(BS: Float64Array, BE: Float64Array, nb: number, scale: number): boolean {
  let disjoint = true;
  let prevStart = -Infinity;
  let prevEnd = -Infinity;
  for (let k = 0; k < nb; k++) {
    const s = BS[k]! * scale;
    const e = BE[k]! * scale;
    if (s < prevStart) throw new InternalError(`memblock batch not sorted: range ${k} starts at ${s}`);
    if (!(e > s) || s < prevEnd) disjoint = false;
    prevStart = s;
    if (e > prevEnd) prevEnd = e;
  }
  return disjoint;
}

/**
 * applyBatch()'s gaps below `limit`: from union range k on, the parts of the ranges [US[k] * sc, UE[k] * sc) above
 * covEnd (covered by the regions before) and below limit, pushed as added pieces (the range's node, else addNid);
 * returns the first range not done (one reaching past limit, or the first starting at or after it). A function of its
 * own, with its state in locals: a million preserved blocks past the last region are one call.
 */
function pushGaps(
  out: Pick<Pieces, 'push'>,
  US: Float64Array,
  UE: Float64Array,
  UN: Int32Array | null,
  nu: number,
  sc: number,
  k: number,
  covEnd: number,
  limit: number,
  addNid: number,
  addFlags: number,
): number {
  while (k < nu) {
    const us = US[k]! * sc;
    if (!(us < limit)) break;
    const ue = UE[k]! * sc;
    const s = Math.max(us, covEnd);
    const e = Math.min(ue, limit);
    if (s < e) out.push(s, e, UN ? UN[k]! : addNid, addFlags, 1);
    if (ue <= limit) k++;
    else break;
  }
  return k;
}

/**
 * Apply `op` to every range of `batch` on `type` in one sweep. The result is the array the kernel leaves after
 * doing the ranges one by one: memblock_add_range() inserts the uncovered parts (mm/memblock.c, linux v7.3-rc7
 * memblock_add_range), memblock_isolate_range() splits the regions crossing a range's ends and the flags or node
 * change on the parts inside (memblock_setclr_flag, memblock_set_node), and memblock_merge_regions() merges
 * touching neighbours of equal nid and flags in the window of each operation: here, a pair is merged when at
 * least one of the two lies in a batch range. On an array the kernel built (always minimal) that is the whole
 * array's merge; regions the batch does not reach are left as they were, so a trace's own unmerged regions stay.
 */
export function applyBatch(type: MemblockType, batch: RangeBatch, op: BatchOp): void {
  const { start: BS, end: BE, n: nb } = batch;
  const perNid = op.setNid ? batch.nid : undefined;
  const scale = batch.scale ?? 1;
  // a power of two: every product is then exact (the exponent moves, the digits stay)
  if (!(scale > 0) || !Number.isInteger(Math.log2(scale)))
    throw new InternalError(`memblock batch scale ${scale}`);
  // the batch's union (ranges of a set-node batch with nids stay one each: they must not overlap). A batch of
  // non-empty ranges in order, none overlapping the one before (a million preserved blocks), is its own union.
  const disjoint = batch.sortedDisjoint === true || sortedDisjoint(BS, BE, nb, scale);
  let US: Float64Array = BS;
  let UE: Float64Array = BE;
  let UN: Int32Array | null = perNid ?? null;
  let nu = nb;
  // the sweep reads the union's ranges times sc: the batch's own scale, or 1 once the union is a byte copy
  let sc = scale;
  if (!disjoint) {
    sc = 1;
    US = new Float64Array(nb);
    UE = new Float64Array(nb);
    UN = perNid ? new Int32Array(nb) : null;
    nu = 0;
    for (let k = 0; k < nb; k++) {
      const s = BS[k]! * scale;
      const e = BE[k]! * scale;
      if (!(e > s)) continue;
      if (nu > 0 && s < UE[nu - 1]!) {
        if (UN) throw new InternalError(`memblock set-node batch ranges overlap at ${s}`);
        if (e > UE[nu - 1]!) UE[nu - 1] = e;
        continue;
      }
      US[nu] = s;
      UE[nu] = e;
      if (UN) UN[nu] = perNid![k]!;
      nu++;
    }
  }
  const { set, clear } = op;
  const nidIn = (k: number, rnid: number): number => (op.setNid ? (UN ? UN[k]! : op.addNid) : rnid);
  const count = type.count;
  const RB = type.baseColumn;
  const RS = type.sizeColumn;
  const RN = type.nidColumn;
  const RF = type.flagsColumn;
  // regions the kernel built never overlap, so the pieces come in address order and merge as they come; a
  // hand-made trace's overlapping regions leave them out of order: collected, sorted, then merged
  let overlapping = false;
  for (let i = 1; i < count && !overlapping; i++) overlapping = RB[i]! < RB[i - 1]! + RS[i - 1]!;
  const merged = new Merged(count + nu + 16);
  const pieces = overlapping ? new Pieces(count + 2 * nu + 16) : null;
  const out: Pick<Pieces, 'push'> = pieces ?? merged;
  const addFlags = (0 | set) & ~clear;
  // gaps: the batch's parts no region covers (memblock_add_range), emitted in address order between regions
  let covEnd = -Infinity;
  let gu = 0;
  const gapsUpTo = (limit: number): void => {
    while (gu < nu && UE[gu]! * sc <= covEnd) gu++;
    gu =
      pieces === null && UN === null
        ? merged.pushGapRun(US, UE, nu, sc, gu, covEnd, limit, op.addNid, addFlags)
        : pushGaps(out, US, UE, UN, nu, sc, gu, covEnd, limit, op.addNid, addFlags);
  };
  let ru = 0;
  for (let i = 0; i < count; i++) {
    const rb = RB[i]!;
    const re = rb + RS[i]!;
    if (op.add) gapsUpTo(rb);
    if (re > covEnd) covEnd = re;
    const rnid = RN[i]!;
    const rf = RF[i]!;
    while (ru < nu && UE[ru]! * sc <= rb) ru++;
    let cur = rb;
    for (let k = ru; k < nu && US[k]! * sc < re; k++) {
      const us = US[k]! * sc;
      if (us > cur) out.push(cur, us, rnid, rf, 0);
      const s = Math.max(us, cur);
      const e = Math.min(UE[k]! * sc, re);
      if (s < e) out.push(s, e, nidIn(k, rnid), (rf | set) & ~clear, 1);
      if (e > cur) cur = e;
    }
    if (cur < re) out.push(cur, re, rnid, rf, 0);
  }
  if (op.add) gapsUpTo(Infinity);
  if (pieces) {
    // a stable sort by (base, end), then the merge
    const [PB, PE, PN, PF, PT] = pieces.cols;
    const idx = Array.from({ length: pieces.n }, (_, j) => j);
    idx.sort((a, b) => PB[a]! - PB[b]! || PE[a]! - PE[b]! || a - b);
    for (const i of idx) merged.push(PB[i]!, PE[i]!, PN[i]!, PF[i]!, PT[i]!);
  }
  const [base, size, nid, flags] = merged.cols;
  type.replaceColumns(base, size, nid, flags, merged.n);
}
