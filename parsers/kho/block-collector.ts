// Growable columnar store for decoded blocks, sorted once at the end. Each block is packed into one float64 as
// pfn * 64 + order (pfn < 2^41 and order < 64 keep it below 2^47, exact), so ordering is a comparison of numbers.
// The memory maps arrive almost sorted: a radix walk visits the keys in index order, which is order by order (the
// order marker is the key's top bit) and ascending pfn within an order (linux v7.3-rc7
// kernel/liveupdate/kexec_handover.c __kho_radix_walk_tree), so a tree is one ascending run per order it holds;
// a chunk list is one run per chunk. The collector notes where each run starts as blocks arrive and merges the
// runs (a few passes over typed arrays, no comparator) instead of sorting; anything else (a map with very many
// runs) falls back to the native sort.
import type { DiagnosticSink } from '../../src/core/index.js';
import { f64Column, hex, notePfnColumn } from '../../src/core/index.js';
import type { KhoPreservedBlocks } from './types.js';

const ORDER_SLOTS = 64;
/**
 * Beyond this many ascending runs the native sort is used: merging k runs is log2(k) passes over the blocks, and
 * the sort is worth about 20 of them.
 */
const MAX_RUNS = 1 << 12;

export class BlockCollector {
  private packed: Float64Array;
  private n = 0;
  /** Index of the first block of each ascending run after the first; null once there are more than MAX_RUNS. */
  private runStarts: number[] | null = [];
  private last = -1;

  /**
   * `maxBlocks` bounds every allocation (decode-image.ts maxPreservedBlocks: what the dump can hold). `reserve`:
   * rows allocated at once (at most maxBlocks), the array doubling from there. A typed array's pages are mapped
   * (zero) when first written, so rows reserved and never reached cost address space, not memory: decodeKhoImage()
   * reserves maxBlocks, and the blocks are never copied into a larger array (doubling from 1024 rows writes twice
   * the memory it ends with: 528 MB of fresh pages for 33M blocks).
   */
  constructor(
    private readonly pageShift: number,
    private readonly maxBlocks: number,
    private readonly onTooMany: () => Error,
    reserve = 1024,
  ) {
    this.packed = reserveRows(Math.min(Math.max(1, reserve), maxBlocks));
  }

  get count(): number {
    return this.n;
  }

  /** Add a block by page frame number (pfn < 2^41) and order (< 64). */
  addPfn(pfn: number, order: number): void {
    if (this.n >= this.maxBlocks) throw this.onTooMany();
    if (this.n === this.packed.length) {
      const next = f64Column(Math.min(this.maxBlocks, this.n * 2));
      next.set(this.packed);
      this.packed = next;
    }
    const v = pfn * ORDER_SLOTS + order;
    if (v < this.last && this.runStarts !== null) {
      if (this.runStarts.length < MAX_RUNS) this.runStarts.push(this.n);
      else this.runStarts = null;
    }
    this.last = v;
    this.packed[this.n++] = v;
  }

  /**
   * Sort by phys (then order), unpack, and report overlapping blocks as one counted diagnostic. The blocks' pfns are
   * noted beside phys (notePfnColumn), in the collector's own buffer: call it once.
   */
  finish(diags: DiagnosticSink, file: string): KhoPreservedBlocks {
    const n = this.n;
    // (phys and the collector's buffer hold the pfn column the replay reads as its blocks' heads: in shared memory when
    // range columns are (src/core/columns.ts shareColumns), so that the `none` strategy's read of every head goes to
    // compare --json's writer thread as a view of it, src/core/point-ranges.ts)
    const phys = f64Column(n);
    const order = new Uint8Array(n);
    // the sorted packed values land in `phys` (merged into it) or stay in `packed`; unpacked in place below
    const sorted = this.sortedPacked(phys);
    // each block's pfn, for the replay (notePfnColumn), into the buffer phys is not: the sorted values themselves,
    // each replaced once read, or the collector's own, dead, when they were merged into phys. No fresh memory.
    const pfns = sorted === phys ? this.packed.subarray(0, n) : sorted;
    const pageSize = 2 ** this.pageShift;
    const sizes = new Float64Array(ORDER_SLOTS);
    for (let o = 0; o < ORDER_SLOTS; o++) sizes[o] = pageSize * 2 ** o;
    let overlaps = 0;
    let example = '';
    let prevEnd = -1;
    for (let i = 0; i < n; i++) {
      const v = sorted[i]!;
      // v / 64 is exact (a power of two), so floor() splits pfn and order without a float modulo
      const pfn = Math.floor(v / ORDER_SLOTS);
      const o = v - pfn * ORDER_SLOTS;
      const p = pfn * pageSize;
      phys[i] = p;
      pfns[i] = pfn;
      order[i] = o;
      if (p < prevEnd) {
        overlaps++;
        if (!example) example = `block at ${hex(p)} order ${o} starts before ${hex(prevEnd)}`;
      }
      const end = p + sizes[o]!;
      if (end > prevEnd) prevEnd = end;
    }
    if (overlaps > 0) {
      diags.warn(
        'KHO_BLOCK_OVERLAP',
        `${overlaps} preserved block(s) overlap an earlier block (first: ${example}); the incoming kernel would reserve each`,
        { file },
      );
    }
    notePfnColumn(phys, this.pageShift, pfns);
    return { count: n, phys, order };
  }

  /**
   * The packed values in ascending order, in `spare` (length n) or in the collector's own buffer. Runs are merged
   * pairwise, bottom up, back and forth between the two buffers.
   */
  private sortedPacked(spare: Float64Array): Float64Array {
    const n = this.n;
    let src = this.packed.subarray(0, n);
    if (this.runStarts === null) return src.sort();
    let bounds = [0, ...this.runStarts, n];
    let dst = spare;
    while (bounds.length > 2) {
      const next = [0];
      for (let r = 0; r + 1 < bounds.length; r += 2) {
        const lo = bounds[r]!;
        const mid = bounds[r + 1]!;
        const hi = r + 2 < bounds.length ? bounds[r + 2]! : mid;
        mergeInto(src, dst, lo, mid, hi);
        next.push(hi);
      }
      bounds = next;
      const t = src;
      src = dst;
      dst = t;
    }
    return src;
  }
}

/**
 * `rows` allocated at once, or 1024 (doubling as blocks arrive) when the address space for them is refused: a
 * reservation the size of what a large dump could hold (up to KHO_MAX_BLOCKS rows, 1.6 GB) must never be what stops
 * a decode, on a host with a strict overcommit policy or a `ulimit -v`.
 */
function reserveRows(rows: number): Float64Array {
  try {
    return f64Column(rows);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return f64Column(Math.min(rows, 1024));
  }
}

/** Merge the ascending runs src[lo, mid) and src[mid, hi) into dst[lo, hi). */
function mergeInto(src: Float64Array, dst: Float64Array, lo: number, mid: number, hi: number): void {
  let i = lo;
  let j = mid;
  let k = lo;
  if (i < mid && j < hi) {
    let a = src[i]!;
    let b = src[j]!;
    for (;;) {
      if (b < a) {
        dst[k++] = b;
        if (++j === hi) break;
        b = src[j]!;
      } else {
        dst[k++] = a;
        if (++i === mid) break;
        a = src[i]!;
      }
    }
  }
  if (i < mid) dst.set(src.subarray(i, mid), k);
  else if (j < hi) dst.set(src.subarray(j, hi), k);
}
