// classifyBlocks() (src/sim/phases/kho-run.ts) tags each preserved block with the restore call the image says it is
// used through, walking the vmalloc and subtree columns with cursors beside the blocks: the same kinds, in the same
// order, as a block-by-block lookup in sets, whether the image lists its blocks in address order or not; and each
// block's image index, read without the index column (imageIndex(), the cursor, at(); none is made when the image is
// in address order) as from it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockCollector } from '../../parsers/kho/index.js';
import { DiagnosticSink, pfnColumnOf } from '../../src/core/index.js';
import { classifyBlocks } from '../../src/sim/phases/kho-run.js';
import type { KhoImageInput } from '../../src/sim/phases/kho-types.js';
import { KHO_RESTORE_KINDS, KhoBlockCursor } from '../../src/sim/phases/kho-types.js';

const PAGE = 4096;
const MAX_ORDER = 10;

/** The rules of classifyBlocks() one block at a time, with sets: reserve_mem, vmalloc, subtree, order, folio. */
function reference(image: KhoImageInput): { phys: number; order: number; kind: string; index: number }[] {
  const vm = new Set<number>();
  for (const a of image.vmalloc) {
    for (const p of a.chunkPhys) vm.add(p);
    for (let i = 0; i < a.blockPhys.length; i++) vm.add(a.blockPhys[i]!);
  }
  const sub = new Set(image.subtrees.map((s) => s.phys));
  const out = [];
  for (let i = 0; i < image.preserved.count; i++) {
    const p = image.preserved.phys[i]!;
    const o = image.preserved.order[i]!;
    const kind = image.reserveMem.some((r) => p >= r.start && p < r.start + r.sizeBytes)
      ? 'reserve-mem'
      : vm.has(p)
        ? 'vmalloc'
        : sub.has(p)
          ? 'subtree'
          : o > MAX_ORDER
            ? 'pages'
            : 'folio';
    out.push({ phys: p, order: o, kind, index: i });
  }
  // stable by start pfn, then end
  return out
    .map((b, i) => ({ b, i }))
    .sort((x, y) => x.b.phys - y.b.phys || x.b.order - y.b.order || x.i - y.i)
    .map((x) => x.b);
}

const pageArb = fc.integer({ min: 0, max: 400 }).map((p) => p * PAGE);

/** The columns classifyBlocks() gives, as plain arrays to compare. */
const cols = (b: ReturnType<typeof classifyBlocks>) => ({
  start: Array.from(b.startPfn),
  end: Array.from(b.endPfn),
  order: Array.from(b.order),
  kind: Array.from(b.kindCode),
  index: Array.from(b.index),
  sortedDisjoint: b.sortedDisjoint,
});

describe('classifyBlocks', () => {
  it('gives each block the kind a lookup block by block gives, in address order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(pageArb, fc.integer({ min: 0, max: 12 })), { maxLength: 60 }),
        fc.boolean(),
        fc.array(pageArb, { maxLength: 12 }),
        fc.array(pageArb, { maxLength: 12 }),
        fc.array(pageArb, { maxLength: 4 }),
        fc.array(fc.tuple(pageArb, fc.integer({ min: 1, max: 40 })), { maxLength: 3 }),
        // the order column of bytes (the decoder's, taken as it is) or of numbers (copied)
        fc.boolean(),
        (blocks, sortFirst, chunks, vmBlocks, subs, rms, bytes) => {
          const bs = sortFirst ? [...blocks].sort((a, b) => a[0] - b[0]) : blocks;
          const image = {
            preserved: {
              count: bs.length,
              phys: Float64Array.from(bs, (b) => b[0]),
              order: bytes ? Uint8Array.from(bs, (b) => b[1]) : bs.map((b) => b[1]),
            },
            vmalloc: [{ owner: 'x', order: 0, chunkPhys: chunks, blockPhys: Float64Array.from(vmBlocks) }],
            subtrees: subs.map((phys, i) => ({ name: `s${i}`, phys, sizeBytes: null })),
            reserveMem: rms.map(([start, pages], i) => ({ name: `r${i}`, start, sizeBytes: pages * PAGE })),
          } as unknown as KhoImageInput;
          const got = classifyBlocks(image, 12, MAX_ORDER);
          const want = reference(image);
          const cursor = new KhoBlockCursor(got);
          expect(
            Array.from({ length: got.length }, (_, i) => ({
              phys: got.startPfn[i]! * PAGE,
              order: got.order[i]!,
              kind: KHO_RESTORE_KINDS[got.kindCode[i]!],
              index: got.imageIndex(i),
            })),
          ).toEqual(want);
          expect(Array.from({ length: got.length }, (_, i) => [cursor.at(i).index, got.at(i).index])).toEqual(
            want.map((w) => [w.index, w.index]),
          );
          // no index column made for an image in address order (block i is entry i), one for any other
          expect(got.indexColumn === null).toBe(want.every((w, i) => w.index === i));
          // the column itself (made here when it was the identity), and the column the loops read when there is one
          expect(Array.from(got.index)).toEqual(want.map((w) => w.index));
          expect(got.indexColumn).toBe(got.index);
          // every block's pages are 2^order as its order column holds it (sizedByOrder: a map's block shape is then
          // made from that column, MemMap.noteBlockShape)
          expect(got.sizedByOrder).toBe(true);
          for (let i = 0; i < got.length; i++)
            expect(got.endPfn[i]).toBe(got.startPfn[i]! + 2 ** got.order[i]!);
          // sortedDisjoint: only an image in address order whose blocks each start at or after the one before ends
          expect(got.sortedDisjoint).toBe(
            want.every((w, i) => w.index === i) &&
              Array.from({ length: got.length }, (_, i) => i).every(
                (i) => i === 0 || got.startPfn[i]! >= got.endPfn[i - 1]!,
              ),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('says sizedByOrder only when every order fits the byte column the blocks keep', () => {
    const image = (orders: number[]) =>
      ({
        preserved: {
          count: orders.length,
          phys: Float64Array.from(orders, (_, i) => i * 2 ** 20),
          order: orders,
        },
        vmalloc: [],
        subtrees: [],
        reserveMem: [],
      }) as unknown as KhoImageInput;
    expect(classifyBlocks(image([0, 3, 9]), 12, MAX_ORDER).sizedByOrder).toBe(true);
    // an order past a byte: the order column (bytes) does not hold it, the end does
    const big = classifyBlocks(image([0, 256, 1]), 12, MAX_ORDER);
    expect(big.endPfn[1]).toBe(big.startPfn[1]! + 2 ** 256);
    expect(big.sizedByOrder).toBe(false);
  });

  it("reads the decoder's pfn column as its start pfns (same columns as a copy of phys, which has none) only at its page shift", () => {
    fc.assert(
      fc.property(
        // a radix walk's shape (ascending pfns per order, merged by the collector) or any order (sorted by it)
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 22 }), fc.integer({ min: 0, max: 12 })), {
          maxLength: 80,
        }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 2 ** 22 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 200 }),
        (blocks, byOrder, subPfns, extra) => {
          const bs = byOrder ? [...blocks].sort((a, b) => a[1] - b[1] || a[0] - b[0]) : blocks;
          const c = new BlockCollector(12, bs.length + extra, () => new Error('too many'), bs.length + extra);
          for (const [p, o] of bs) c.addPfn(p, o);
          const preserved = c.finish(new DiagnosticSink(), 'memory.core');
          const imageOf = (phys: Float64Array) =>
            ({
              preserved: { count: preserved.count, phys, order: preserved.order },
              vmalloc: [],
              subtrees: subPfns.map((p, i) => ({ name: `s${i}`, phys: p * PAGE, sizeBytes: null })),
              reserveMem: [],
            }) as unknown as KhoImageInput;
          const phys = preserved.phys as Float64Array;
          const known = pfnColumnOf(phys, 12, preserved.count);
          expect(known).not.toBeNull();
          const got = classifyBlocks(imageOf(phys), 12, MAX_ORDER);
          const copy = classifyBlocks(imageOf(Float64Array.from(phys)), 12, MAX_ORDER);
          expect(cols(got)).toEqual(cols(copy));
          // the fast path taken: a sorted image's start pfns are the decoder's column itself
          if (got.indexColumn === null) expect(got.startPfn).toBe(known);
          // another page shift: the column is not the one asked for
          expect(pfnColumnOf(phys, 13, preserved.count)).toBeNull();
          expect(cols(classifyBlocks(imageOf(phys), 13, MAX_ORDER))).toEqual(
            cols(classifyBlocks(imageOf(Float64Array.from(phys)), 13, MAX_ORDER)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes a byte order column in address order in one pass (ascendingBlocks) with the columns the general loop gives', () => {
    // the general loop runs for an order column of numbers (copied), the fast pass for one of bytes; both over the
    // same phys: blocks in address order (ties of one address with any orders: overlapping, or out of order by end),
    // runs of touching blocks, vmalloc, subtree and reserve_mem addresses on blocks, some not ascending at all
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 13 })), {
          maxLength: 50,
        }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 64 })), { maxLength: 3 }),
        fc.option(fc.nat(), { nil: undefined }),
        (steps, shape, vmAt, subAt, rmAt, swapAt) => {
          // each block `gap` pages after the end of the one before (0: touching), `gap` 6: at the same address
          const phys: number[] = [];
          let end = 0;
          let prev = 0;
          for (const [gap, o] of steps) {
            const start = gap === 6 ? prev : end + (shape === 0 ? 0 : gap);
            phys.push(start * PAGE);
            prev = start;
            end = Math.max(end, start + 2 ** o);
          }
          const orders = steps.map((s) => s[1]);
          // one pair swapped: not in address order (the general loop, and the sort)
          if (swapAt !== undefined && phys.length > 1) {
            const k = swapAt % (phys.length - 1);
            [phys[k], phys[k + 1]] = [phys[k + 1]!, phys[k]!];
          }
          const on = (at: number[]) => (phys.length ? at.map((a) => phys[a % phys.length]!) : []);
          const imageOf = (order: ArrayLike<number>) =>
            ({
              preserved: { count: phys.length, phys: Float64Array.from(phys), order },
              vmalloc: [{ owner: 'x', order: 0, chunkPhys: on(vmAt), blockPhys: new Float64Array(0) }],
              subtrees: on(subAt).map((p, i) => ({ name: `s${i}`, phys: p, sizeBytes: null })),
              reserveMem: rmAt.map(([a, pages], i) => ({
                name: `r${i}`,
                start: phys.length ? phys[a % phys.length]! : 0,
                sizeBytes: pages * PAGE,
              })),
            }) as unknown as KhoImageInput;
          const fast = classifyBlocks(imageOf(Uint8Array.from(orders)), 12, MAX_ORDER);
          const general = classifyBlocks(imageOf(orders), 12, MAX_ORDER);
          expect(cols(fast)).toEqual(cols(general));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('says sortedDisjoint for blocks in address order that touch or leave gaps, not for overlapping or unsorted ones', () => {
    const of = (blocks: [number, number][]) =>
      classifyBlocks(
        {
          preserved: {
            count: blocks.length,
            phys: Float64Array.from(blocks, (b) => b[0] * PAGE),
            order: Uint8Array.from(blocks, (b) => b[1]),
          },
          vmalloc: [],
          subtrees: [],
          reserveMem: [],
        } as unknown as KhoImageInput,
        12,
        MAX_ORDER,
      ).sortedDisjoint;
    expect(of([])).toBe(true);
    expect(
      of([
        [0, 1],
        [2, 0],
        [3, 2],
        [9, 0],
      ]),
    ).toBe(true);
    expect(
      of([
        [0, 1],
        [1, 0],
      ]),
    ).toBe(false);
    expect(
      of([
        [4, 0],
        [0, 2],
      ]),
    ).toBe(false);
    expect(
      of([
        [4, 0],
        [4, 0],
      ]),
    ).toBe(false);
  });
});
