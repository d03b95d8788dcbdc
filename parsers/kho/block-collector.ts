// Growable columnar store for decoded blocks, sorted once at the end. Each block is packed into one float64 as
// pfn * 64 + order (pfn < 2^41 and order < 64 keep it below 2^47, exact), so sorting is a native typed-array sort
// with no comparator, and a million blocks sort in tens of milliseconds.
import type { DiagnosticSink } from '../../src/core/index.js';
import { hex } from '../../src/core/index.js';
import type { KhoPreservedBlocks } from './types.js';

const ORDER_SLOTS = 64;

export class BlockCollector {
  private packed: Float64Array;
  private n = 0;

  /** `maxBlocks` bounds every allocation (decode-image.ts maxPreservedBlocks: what the dump can hold). */
  constructor(
    private readonly pageShift: number,
    private readonly maxBlocks: number,
    private readonly onTooMany: () => Error,
  ) {
    this.packed = new Float64Array(Math.min(1024, maxBlocks));
  }

  get count(): number {
    return this.n;
  }

  /** Add a block by page frame number (pfn < 2^41) and order (< 64). */
  addPfn(pfn: number, order: number): void {
    if (this.n >= this.maxBlocks) throw this.onTooMany();
    if (this.n === this.packed.length) {
      const next = new Float64Array(Math.min(this.maxBlocks, this.n * 2));
      next.set(this.packed);
      this.packed = next;
    }
    this.packed[this.n++] = pfn * ORDER_SLOTS + order;
  }

  /** Sort by phys (then order), unpack, and report overlapping blocks as one counted diagnostic. */
  finish(diags: DiagnosticSink, file: string): KhoPreservedBlocks {
    const packed = this.packed.subarray(0, this.n);
    packed.sort();
    const phys = new Float64Array(this.n);
    const order = new Uint8Array(this.n);
    const pageSize = 2 ** this.pageShift;
    let overlaps = 0;
    let example = '';
    let prevEnd = -1;
    for (let i = 0; i < this.n; i++) {
      const v = packed[i]!;
      const o = v % ORDER_SLOTS;
      const p = ((v - o) / ORDER_SLOTS) * pageSize;
      phys[i] = p;
      order[i] = o;
      if (p < prevEnd) {
        overlaps++;
        if (!example) example = `block at ${hex(p)} order ${o} starts before ${hex(prevEnd)}`;
      }
      const end = p + pageSize * 2 ** o;
      if (end > prevEnd) prevEnd = end;
    }
    if (overlaps > 0) {
      diags.warn(
        'KHO_BLOCK_OVERLAP',
        `${overlaps} preserved block(s) overlap an earlier block (first: ${example}); the incoming kernel would reserve each`,
        { file },
      );
    }
    return { count: this.n, phys, order };
  }
}
