// BlockCollector merges the ascending runs blocks arrive in (one per order of a radix tree, one per chunk of a chunk
// list) instead of sorting; past 4096 runs it sorts. Either way the columns must be exactly what a plain sort of
// (pfn, order) gives, duplicates and overlaps counted the same.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from '../../../src/core/index.js';
import { BlockCollector } from '../../../parsers/kho/index.js';

type Block = readonly [pfn: number, order: number];

/** The reference: sort by (pfn, order), count blocks that start below the furthest end so far. */
function reference(blocks: readonly Block[]): { phys: number[]; order: number[]; overlaps: number } {
  const s = [...blocks].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let prevEnd = -1;
  let overlaps = 0;
  for (const [pfn, o] of s) {
    if (pfn * 4096 < prevEnd) overlaps++;
    prevEnd = Math.max(prevEnd, (pfn + 2 ** o) * 4096);
  }
  return { phys: s.map((b) => b[0] * 4096), order: s.map((b) => b[1]), overlaps };
}

/** `reserve`: the rows the collector allocates at once (decodeKhoImage: every block the dump can hold). */
function collect(blocks: readonly Block[], reserve?: number, maxBlocks = 1 << 30) {
  const c = new BlockCollector(12, maxBlocks, () => new Error('too many'), reserve);
  for (const [pfn, o] of blocks) c.addPfn(pfn, o);
  const sink = new DiagnosticSink();
  const r = c.finish(sink, 'memory.core');
  const warn = sink.items.find((d) => d.code === 'KHO_BLOCK_OVERLAP');
  return {
    phys: [...r.phys],
    order: [...r.order],
    overlaps: warn ? Number(/^(\d+) preserved/.exec(warn.message)![1]) : 0,
  };
}

/** A radix walk's shape: for each order present, its pfns ascending (order 0 first, as the keys run). */
function radixShaped(perOrder: readonly (readonly number[])[]): Block[] {
  const out: Block[] = [];
  perOrder.forEach((pfns, o) => {
    for (const p of [...pfns].sort((a, b) => a - b)) out.push([p << o, o]);
  });
  return out;
}

const pfn = fc.integer({ min: 0, max: 2 ** 24 });

describe('BlockCollector', () => {
  it('blocks in runs (a radix walk: ascending pfns per order) come out as a sort gives them', () => {
    fc.assert(
      fc.property(fc.array(fc.array(pfn, { maxLength: 40 }), { maxLength: 11 }), (perOrder) => {
        const blocks = radixShaped(perOrder);
        expect(collect(blocks)).toEqual(reference(blocks));
      }),
      { numRuns: 300 },
    );
  });

  it('any order of blocks, duplicates and overlaps included, comes out as a sort gives them', () => {
    const block = fc.tuple(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(fc.array(block, { maxLength: 200 }), (blocks) => {
        expect(collect(blocks)).toEqual(reference(blocks));
      }),
      { numRuns: 300 },
    );
  });

  it('a reservation the address space refuses falls back to growing from 1024 rows, with the same columns', () => {
    // 2^40 rows (8 TiB) is more than any typed array may hold: the allocation throws RangeError, as a refused one does
    const blocks: Block[] = Array.from({ length: 3000 }, (_, i): Block => [(2999 - i) * 4, i % 3]);
    expect(collect(blocks, 2 ** 40, 2 ** 41)).toEqual(collect(blocks));
  });

  it('rows reserved at once (more than the blocks), none but one (doubling from 1) and the default give the same columns', () => {
    const block = fc.tuple(fc.integer({ min: 0, max: 2 ** 20 }), fc.integer({ min: 0, max: 10 }));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(block, { maxLength: 300 }),
          fc.array(fc.array(pfn, { maxLength: 60 }), { maxLength: 11 }).map(radixShaped),
        ),
        fc.integer({ min: 0, max: 400 }),
        (blocks, extra) => {
          const want = reference(blocks);
          // maxBlocks at the blocks plus extra (decodeKhoImage: what the dump can hold), all of it reserved
          expect(collect(blocks, blocks.length + extra, blocks.length + extra)).toEqual(want);
          expect(collect(blocks, 1 << 16)).toEqual(want);
          expect(collect(blocks, 1)).toEqual(want);
          expect(collect(blocks)).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('more than 4096 runs (falls back to the sort) and exactly 4096 (merged) give the same columns', () => {
    for (const runs of [4096, 4097, 10_000]) {
      // each run: two blocks, the second above the first; every run starts below the last one's end
      const blocks: Block[] = [];
      for (let r = 0; r < runs; r++) blocks.push([runs - r, 0], [runs * 2 + r, 1]);
      expect(collect(blocks)).toEqual(reference(blocks));
    }
  });

  it('pfns up to 2^41 and orders up to 63 unpack exactly', () => {
    const blocks: Block[] = [
      [2 ** 41 - 1, 0],
      [2 ** 40, 63],
      [0, 63],
      [1, 0],
      [2 ** 41 - 2 ** 20, 20],
    ];
    expect(collect(blocks)).toEqual(reference(blocks));
  });
});
