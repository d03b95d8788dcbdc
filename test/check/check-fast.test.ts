// check()'s fast paths against its general ones (issue 10): on random KHO images over b-16g-2node (blocks that touch,
// overlap, straddle a zone, node or memory boundary, sit in a hole, over scratch or past the end of memory, of every
// order up to 2^16 pages), under random profiles, strategies and deferred init, check(tl) gives exactly the findings of
// check(tl, { general: true }): codes, order, phases, kernel functions, pages, blocks and every range. The general
// paths are the per-block loop of imageAgainstLayout(), the merged preserved ranges, identityPieces() and one
// PageReader range per preserved range; the fast ones skip blocks inside one window of the layout, read the memmap's
// block layer block by block (MemMap.markedRuns) and sweep the blocks between two boundaries with one node and zone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Range } from '../../src/core/index.js';
import { runStretchesOf } from '../../src/core/index.js';
import type { Finding } from '../../src/check/kho-findings.js';
import type { PageState } from '../../src/sim/memmap.js';
import { MemMap } from '../../src/sim/memmap.js';
import { check } from '../../src/check/kho-findings.js';
import { isNormalized, normalizeCols, RangeBuffer } from '../../src/check/range-buffer.js';
import { migratetypesOf } from '../../src/check/migratetype-findings.js';
import type { MigratetypeReplay } from '../../src/sim/migratetype.js';
import { pageblocksOverlapping, replayMigratetypes } from '../../src/sim/migratetype.js';
import { replay, replayEach } from '../../src/sim/replay.js';
import { findStrategy } from '../../src/sim/strategies/index.js';
import { hostFromQemuTrace } from '../sim/host-from-trace.js';
import type { BlockSpec } from '../sim/kho-fixtures.js';
import { B16_SCRATCH, imageOf } from '../sim/kho-fixtures.js';
import { scenarioOf } from '../sim/scenario-of.js';
import { withShapes } from '../sim/block-shapes.js';

/** Pfns where b-16g-2node's layout changes: DMA/DMA32, the legacy hole, 4 GiB, scratch, the node boundary, the end. */
const POINTS = [
  0, 0x9f, 0x100, 0x1000, 0x4000, 0xbffe0, 0x100000, 0x180000, 0x190000, 0x280000, 0x400000, 0x480000,
];

/** Runs of blocks from a point: each next block starts where the one before ends, or a gap or overlap later. */
const runArb = fc
  .tuple(
    fc.constantFrom(...POINTS),
    fc.integer({ min: -700, max: 700 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -2, max: 3 })), {
      minLength: 1,
      maxLength: 12,
    }),
  )
  .map(([at, off, steps]) => {
    const out: BlockSpec[] = [];
    let pfn = Math.max(0, at + off);
    for (const [o, gap] of steps) {
      // mostly small orders (up to 2^20 pages: an int shift overflows at order 19); a gap of 0 touches the block
      // before, a negative one overlaps it
      const order = o > 12 ? o : o % 7;
      out.push({ pfn, order });
      pfn = Math.max(0, pfn + 2 ** order + (gap > 0 ? gap * 7 : gap < 0 ? -1 : 0));
    }
    return out;
  });

/** Blocks one after the other from pfn `at`: each of its order, the next `gap` pages past its end. */
function chainAt(at: number, steps: readonly (readonly [order: number, gap: number])[]): BlockSpec[] {
  let pfn = at;
  return steps.map(([order, gap]) => {
    const b = { pfn, order };
    pfn += 2 ** order + gap;
    return b;
  });
}

/** The blocks sorted, and without those that overlap one before them unless `overlap` (most images: disjoint). */
function imageBlocks(runs: readonly BlockSpec[][], overlap: boolean): BlockSpec[] {
  const sorted = runs.flat().sort((a, b) => a.pfn - b.pfn || a.order - b.order);
  if (overlap) return sorted;
  const out: BlockSpec[] = [];
  let end = -1;
  for (const b of sorted)
    if (b.pfn >= end) {
      out.push(b);
      end = b.pfn + 2 ** b.order;
    }
  return out;
}

/** b-16g-2node's scratch, or with one more area (of 2^9 to 2^14 pages, aligned to a pageblock or not). */
const scratchArb = fc.option(
  fc.tuple(fc.constantFrom(...POINTS), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 9, max: 14 })),
  { freq: 2 },
);

/** The type and setter of pageblock b in a replay's map (null past the map). */
function typeAt(mt: MigratetypeReplay, b: number): [number, string] | null {
  const r = mt.map.runs().find((x) => x.start <= b && b < x.end);
  return r ? [r.mt, r.by] : null;
}

const ranges = (f: Finding) => [Array.from(f.ranges.starts), Array.from(f.ranges.ends)];
const shape = (fs: readonly Finding[]) => fs.map((f) => ({ ...f, ranges: ranges(f) }));

describe('check() fast paths', () => {
  const host = hostFromQemuTrace('b-16g-2node');
  /** A kho-v3 image of the chains `specs`, replayed with deferred init on under `strategy`: check() as its general path. */
  const expectGeneralKhoFindings = (
    specs: BlockSpec[][],
    strategy: 'none' | 'lazy-tail' | 'zone-walk',
  ): void => {
    const image = imageOf(imageBlocks(specs, false), { abi: 'kho-v3', scratch: B16_SCRATCH });
    const tl = replay(host, image, scenarioOf({ profile: 'kho-v3-deferred-fix', strategy, deferred: 'on' }));
    expect(shape(check(tl))).toEqual(shape(check(tl, { general: true })));
  };
  it('give the findings of the general paths, in the same order, on random images', () => {
    fc.assert(
      fc.property(
        fc.array(runArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('kho-v3', 'kho-v3-deferred-fix', 'v7.3', 'v7.2', 'v7.3-memblock-mt', 'v6.18'),
        fc.constantFrom('none', 'init-deferred-page', 'init-page-from-nid', 'lazy-tail', 'zone-walk'),
        fc.constantFrom('on' as const, 'off' as const),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 5 }),
        scratchArb,
        (runs, profile, strategy, deferred, overlap, other, extra) => {
          const blocks = imageBlocks(runs, overlap === 0);
          // the profile's ABI, or another one (an image the profile refuses: its blocks go to the buddy)
          const own = profile === 'v6.18' ? 'kho-v1' : profile.startsWith('v7') ? 'kho-v4' : 'kho-v3';
          const abi = other < 3 ? own : (['kho-v1', 'kho-v3', 'kho-v4'] as const)[other - 3]!;
          const scratch = extra
            ? [...B16_SCRATCH, { pfn: extra[0] + extra[1], order: extra[2] }]
            : B16_SCRATCH;
          const image = imageOf(blocks, { abi, scratch });
          // some images list their blocks out of address order (the replay sorts them: image index != position)
          const p = image.preserved;
          const listed =
            other % 2
              ? {
                  ...image,
                  preserved: {
                    ...p,
                    phys: Float64Array.from(p.phys).reverse(),
                    order: Uint8Array.from(p.order).reverse(),
                  },
                }
              : image;
          const tl = replay(host, listed, scenarioOf({ profile, strategy, deferred }));
          const general = shape(check(tl, { general: true }));
          expect(shape(check(tl))).toEqual(general);
          // the pageblock replay near scratch only: every pageblock there typed as by the replay of all, by the
          // same function, of the same phase
          const run = tl.kho!.run;
          const P = tl.arch.pageblock_nr_pages;
          const only = pageblocksOverlapping([...run.scratch, ...run.extendedScratch], P);
          const full = migratetypesOf(tl);
          const near = migratetypesOf(tl, { only });
          for (const w of only)
            for (let b = w.start; b < w.end; b++) {
              const t = typeAt(full, b);
              expect(typeAt(near, b)).toEqual(t);
              if (t) expect(near.phaseOf.get(t[1])).toBe(full.phaseOf.get(t[1]));
            }
          if (process.env.CHK_LOG)
            console.log(overlap === 0, general.map((f) => `${f.code}:${f.kernelFunction}`).join(' '));
        },
      ),
      { numRuns: Number(process.env.CHK_RUNS ?? 60) },
    );
  });

  // the never-initialised runs of the end sweep (STRUCT_PAGE_NEVER_INIT), collected in a room sized by the blocks'
  // stretches of touching blocks and kept in it (most of the room used: strategies that leave the blocks above
  // first_deferred_pfn uninitialised) or copied out of it (a few runs): the findings of the general path either way
  it('give the general findings where the end sweep finds many never-initialised runs or few', () => {
    fc.assert(
      fc.property(
        // long runs of small blocks from a point, each next one touching the one before or a page or two after it
        fc.array(
          fc.tuple(
            fc.constantFrom(...POINTS),
            fc.array(fc.tuple(fc.nat(3), fc.nat(2)), { minLength: 1, maxLength: 60 }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        fc.constantFrom('none', 'lazy-tail', 'zone-walk'),
        (runs, strategy) => {
          expectGeneralKhoFindings(
            runs.map(([at, steps]) => chainAt(at, steps)),
            strategy,
          );
        },
      ),
      {
        numRuns: Number(process.env.CHK_RUNS ?? 60),
        // 40 blocks a page apart above node 1's first_deferred_pfn: 40 never-initialised runs under none, in the room
        // (41) kept; 100 more below node 0's (initialised by memmap_init): 20 runs above in a room of 141, copied out
        examples: [
          [[[0x400000, Array.from({ length: 40 }, () => [0, 1] as [number, number])]], 'none'],
          [
            [
              [0x100000, Array.from({ length: 100 }, () => [0, 1] as [number, number])],
              [0x400000, Array.from({ length: 20 }, () => [0, 1] as [number, number])],
            ],
            'none',
          ],
        ],
      },
    );
  });

  // none's never-initialised runs where every page of the block layer is never initialised (the blocks above node 1's
  // first_deferred_pfn): the sweep hands the blocks as stretches of their columns (MemMap.markedRuns' RunSink.stretch),
  // kept so in the finding (src/core/run-stretches.ts), and the finding is the general path's, ranges and pages
  it('give the general findings where the never-initialised runs of none are kept as stretches of the blocks', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 0x60000 }),
            fc.array(fc.tuple(fc.nat(4), fc.nat(2)), { minLength: 3, maxLength: 60 }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (runs) => {
          const image = imageOf(
            imageBlocks(
              runs.map(([off, steps]) => chainAt(0x400000 + off, steps)),
              false,
            ),
            { abi: 'kho-v3', scratch: B16_SCRATCH },
          );
          const tl = replay(
            host,
            image,
            scenarioOf({ profile: 'kho-v3-deferred-fix', strategy: 'none', deferred: 'on' }),
          );
          const fast = check(tl);
          // (a stretch is the blocks after the first one the sweep takes and before the last, which opens the run
          // that goes on: three blocks or more)
          const never = fast.find((f) => f.code === 'STRUCT_PAGE_NEVER_INIT')!;
          if (tl.kho!.run.blocks.length >= 3) expect(runStretchesOf(never.ranges)).toBeDefined();
          expect(shape(fast)).toEqual(shape(check(tl, { general: true })));
        },
      ),
      { numRuns: Number(process.env.CHK_RUNS ?? 40) },
    );
  });

  // imageAgainstLayout() over blocks their maker saw sorted and disjoint, none of an order at or past the int-shift
  // limit (orders read four a word): a window's blocks found by a search over their ends (firstOutsideAscending). A
  // block that starts where a window ends (here the start of a scratch area) is outside it; a block of order 19 at
  // any place of a word of orders (the first to the fourth, or past the last whole word) makes the fast loop read
  // every block, and is reported
  it('give the general findings over blocks known sorted and disjoint: a block at a window end, an order at the limit', () => {
    const at = 0x102000;
    const cases: [BlockSpec[], readonly BlockSpec[], string][] = [
      // six blocks up to the scratch area's start, one at it, one after it
      [
        [0, 1, 2, 3, 4, 5]
          .map((k) => ({ pfn: at - 6 + k, order: 0 }))
          .concat([
            { pfn: at, order: 0 },
            { pfn: at + 0x400, order: 0 },
          ]),
        [...B16_SCRATCH, { pfn: at, order: 9 }],
        'KHO_OVERLAPS_SCRATCH',
      ],
      // an order-19 block (2 GiB, at 0x300000, inside one window with the blocks before it: node 1 below its scratch)
      // with 0 to 8 order-0 blocks before it, and one after it or none
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17].map(
        (x): [BlockSpec[], readonly BlockSpec[], string] => [
          [
            ...Array.from({ length: x >> 1 }, (_, k) => ({ pfn: 0x2a0000 + 2 * k, order: 0 })),
            { pfn: 0x300000, order: 19 },
            // (or the last block)
            ...(x & 1 ? [] : [{ pfn: 0x390000, order: 0 }]),
          ],
          B16_SCRATCH,
          'KHO_BLOCK_SIZE_OVERFLOW',
        ],
      ),
    ];
    for (const [blocks, scratch, code] of cases)
      for (const strategy of ['none', 'lazy-tail'] as const) {
        const image = imageOf(blocks, { abi: 'kho-v3', scratch });
        const tl = replay(host, image, scenarioOf({ profile: 'kho-v3', strategy, deferred: 'on' }));
        expect(tl.kho!.run.blocks.sortedDisjoint).toBe(true);
        const fast = shape(check(tl));
        expect(fast).toEqual(shape(check(tl, { general: true })));
        expect(fast.map((f) => f.code)).toContain(code);
      }
  });

  // set_zone_contiguous' reads of lazy-tail's uninitialised tails, a read per zone: the blocks they meet counted by the
  // sweeps that wrote them (MemMap readBlocksMetAll), summed over the zones; the general path counts them over the
  // merged ranges (a block met by two zones' reads: test/sim/memmap-layer.test.ts, consecutive windows)
  it('give the general findings where blocks with uninitialised tails run across zone boundaries', () => {
    fc.assert(
      fc.property(
        // runs of blocks of a pageblock or more (their tails hold pattern pfns) through a zone or node boundary
        fc.array(
          fc.tuple(
            fc.constantFrom(0x1000, 0x100000, 0x280000, 0x400000),
            fc.integer({ min: -3000, max: 1000 }),
            fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }), fc.nat(2)), { minLength: 1, maxLength: 12 }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        fc.constantFrom('lazy-tail', 'lazy-tail', 'none', 'zone-walk'),
        (runs, strategy) => {
          expectGeneralKhoFindings(
            runs.map(([at, off, steps]) => chainAt(at + off, steps)),
            strategy,
          );
        },
      ),
      {
        numRuns: Number(process.env.CHK_RUNS ?? 60),
        // three blocks of 2^10 pages touching across the node boundary, the middle one in both nodes
        examples: [
          [
            [
              [
                0x280000,
                -1536,
                [
                  [10, 0],
                  [10, 0],
                  [10, 0],
                ],
              ],
            ],
            'lazy-tail',
          ],
        ],
      },
    );
  });

  // zone-walk goes on from a copy of none's state before kho_restore (replayEach): its check() takes the findings of
  // the events it holds from none's (set_zone_contiguous' reads) as none's check() built them, and they are what its
  // general path finds
  it('give the general findings in a replay that goes on from another one', () => {
    fc.assert(
      fc.property(fc.array(runArb, { minLength: 1, maxLength: 6 }), (runs) => {
        const image = imageOf(imageBlocks(runs, false), { abi: 'kho-v3', scratch: B16_SCRATCH });
        const variants = ['none', 'zone-walk'].map((n) => ({ strategy: findStrategy(n) }));
        const sc = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' });
        // the fast checks of both replays first (a general check in between would make the prep again), then the
        // general ones of the same replays made again
        const fast = replayEach(host, image, sc, variants, (tl) => shape(check(tl)));
        const general = replayEach(host, image, sc, variants, (tl) => shape(check(tl, { general: true })));
        expect(fast).toEqual(general);
      }),
      {
        numRuns: Number(process.env.CHK_RUNS ?? 40),
        // blocks over pageblock ends above node 1's first_deferred_pfn: none's set_zone_contiguous() reads them
        // uninitialised, and zone-walk's check() takes that finding as none's built it
        examples: [
          [
            [
              [
                { pfn: 0x400000, order: 10 },
                { pfn: 0x400400, order: 0 },
                { pfn: 0x400800, order: 9 },
              ],
            ],
          ],
        ],
      },
    );
  });
});

/** A small map: two present ranges, blocks attached, then inits, frees, reserves and head writes over them. */
/**
 * A map of 400 present pfns with blocks of these sizes from pfn 0 on, each touching the next, in its block layer (with
 * the columns' shape when `shaped`).
 */
function layeredBlocks(
  sizes: readonly number[],
  shaped: boolean,
): { m: MemMap; blocks: Range[]; starts: Float64Array; ends: Float64Array } {
  const limit = 400;
  const m = new MemMap([{ start: 0, end: limit }], limit);
  const blocks: Range[] = [];
  let pfn = 0;
  for (const len of sizes) {
    blocks.push({ start: pfn, end: pfn + len });
    pfn += len;
  }
  const starts = Float64Array.from(blocks, (b) => b.start);
  const ends = Float64Array.from(blocks, (b) => b.end);
  m.attachBlocks(starts, ends);
  if (shaped) withShapes(() => m.noteBlockShape());
  return { m, blocks, starts, ends };
}

const LIMIT = 120;
const PRESENT = [
  { start: 0, end: 50 },
  { start: 60, end: 110 },
];
const A = { phase: 'test', fn: 'f' };
const B = { phase: 'test', fn: 'g' };

/** Sorted, non-empty, disjoint blocks, some touching the one before, some past the map. */
const blocksArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 8 })), { maxLength: 24 })
  .map((steps) => {
    const out: Range[] = [];
    let pfn = 0;
    for (const [gap, len] of steps) {
      pfn += gap;
      out.push({ start: pfn, end: pfn + len });
      pfn += len;
    }
    return out;
  });

const opsArb = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 5 }),
    fc.integer({ min: 0, max: LIMIT }),
    fc.integer({ min: 1, max: 30 }),
    fc.integer({ min: 0, max: 5 }),
  ),
  { maxLength: 10 },
);

const PREDS: ((st: PageState) => boolean)[] = [
  (st) => (st.memmap && st.initCount === 0) || st.buddy,
  (st) => st.memmap && st.initCount > 0 && (st.nid !== 1 || st.zid !== 2),
  (st) => st.khoOrder >= 0,
  (st) => st.reserved,
  (st) => st.memmap,
];

/** Which of the marked states markedRuns() joins (all, none, the never-initialised ones, some). */
const JOINS: ((st: PageState) => boolean)[] = [
  () => true,
  () => false,
  (st) => st.memmap && st.initCount === 0 && !st.buddy,
  (st) => st.khoOrder >= 0 || st.initCount > 1,
];

/** What markedRuns() counts (`counted`) besides the joined states, or instead of them (then it may count none: -1). */
const COUNTS: ((st: PageState) => boolean)[] = [
  (st) => st.memmap && st.initCount === 0,
  () => true,
  () => false,
  (st) => st.buddy,
];

/**
 * markedRuns()' count with `counted` (cnt): the ranges of rs holding a page (below the map's limit) that pred marks and
 * cnt counts, or -1 when cnt leaves out a state that join joins (among the map's states).
 */
function rangesCounted(
  m: MemMap,
  rs: { start: Float64Array; end: Float64Array; n: number },
  pred: (st: PageState) => boolean,
  cnt: (st: PageState) => boolean,
  join: (st: PageState) => boolean,
): number {
  const jn = m.reader().mark(join);
  const cm = m.reader().mark(cnt);
  if (jn.some((v, id) => v === 1 && cm[id] !== 1)) return -1;
  let n = 0;
  for (let k = 0; k < rs.n; k++) {
    for (let p = rs.start[k]!; p < Math.min(rs.end[k]!, m.limitPfn); p++) {
      const st = m.stateAt(p);
      if (pred(st) && cnt(st)) {
        n++;
        break;
      }
    }
  }
  return n;
}

/**
 * The marked runs page by page: each maximal run of one state pred marks, within the union of the ranges; with
 * `join`, a run of states join holds, continued by one of another state join holds, is one run with the first state.
 */
function pageByPage(
  m: MemMap,
  ranges: readonly Range[],
  pred: (st: PageState) => boolean,
  join: (st: PageState) => boolean = () => false,
): unknown[] {
  const inside = new Set<number>();
  for (const r of ranges) for (let p = r.start; p < Math.min(r.end, m.limitPfn); p++) inside.add(p);
  const out: [number, number, PageState][] = [];
  for (const p of [...inside].sort((a, b) => a - b)) {
    const st = m.stateAt(p);
    if (!pred(st)) continue;
    const last = out[out.length - 1];
    if (last && last[1] === p && (last[2] === st || (join(last[2]) && join(st)))) last[1] = p + 1;
    else out.push([p, p + 1, st]);
  }
  return out;
}

describe('MemMap.markedRuns', () => {
  // the look for the next marked block over a long stretch of blocks in one head state, their tails in one state (as
  // after a strategy's init of every block): each block a few pages or one, and a few of them set apart, their head or
  // their tail initialised on another node, or a one-page block's head only; marked: pages initialised on node 1. With
  // the block columns' shape (a copy per strategy) or without, the runs are those of a page-by-page walk
  it('finds the few marked blocks of a long stretch of blocks alike, with the columns shape or without', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 90 }),
        fc.array(fc.tuple(fc.nat(89), fc.nat(2)), { maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        (sizes, apart, shaped, heads) => {
          const { m, blocks, starts, ends } = layeredBlocks(sizes, shaped);
          // every block on node 0 (or only the tails: the heads never initialised)
          m.initRanges(
            blocks
              .map((b) => (heads ? { ...b } : { start: b.start + 1, end: b.end }))
              .filter((r) => r.end > r.start)
              .map((r) => ({ ...r, nid: 0, zid: 1 })),
            A,
          );
          for (const [i, what] of apart) {
            const b = blocks[i % blocks.length]!;
            // the head (0), the tail (1, none for a one-page block), or the whole block (2) on node 1
            const r =
              what === 0
                ? { start: b.start, end: b.start + 1 }
                : what === 1
                  ? { start: b.start + 1, end: b.end }
                  : b;
            if (r.end > r.start) m.initRanges([{ ...r, nid: 1, zid: 1 }], B);
          }
          const pred = (st: PageState): boolean => st.memmap && st.initCount > 0 && st.nid === 1;
          const marks = m.reader().mark(pred);
          const got: unknown[] = [];
          m.markedRuns({ start: starts, end: ends, n: blocks.length }, marks, (s, e, st) =>
            got.push([s, e, st]),
          );
          expect(got).toEqual(pageByPage(m, blocks, pred));
        },
      ),
      { numRuns: Number(process.env.CHK_RUNS ?? 300) },
    );
  });

  // firstMarkedBlock() is primed before its first look (every path, with the columns' shape and without) and, over a
  // layer of 65536 blocks or more, primed hot (compiled ahead by V8): the priming stops where its blocks say, and a look
  // over such a layer after it finds the runs of a page-by-page walk
  it('primes its look over blocks, hot over a large layer, and finds the same runs after it', () => {
    expect(MemMap.markedLookWarm().primeStops()).toEqual([
      [16, 17, 18, 21],
      [16, 17, 18, 21],
    ]);
    const blocks: Range[] = [];
    let pfn = 0;
    for (let k = 0; k < 70000; k++) {
      const len = 1 + ((k * 7) % 3);
      blocks.push({ start: pfn, end: pfn + len });
      pfn += len;
    }
    const m = new MemMap([{ start: 0, end: pfn }], pfn);
    const starts = Float64Array.from(blocks, (b) => b.start);
    const ends = Float64Array.from(blocks, (b) => b.end);
    m.attachBlocks(starts, ends);
    m.initRanges(
      blocks.map((b) => ({ ...b, nid: 0, zid: 1 })),
      A,
    );
    // a block whole, a head, a tail, two touching blocks and the last one on node 1
    const b = (i: number): Range => blocks[i]!;
    const apart = [
      b(5),
      { start: b(30001).start, end: b(30001).start + 1 },
      b(50002),
      b(69990),
      b(69991),
      b(69999),
    ];
    apart.push({ start: b(40003).start + 1, end: b(40003).end });
    for (const r of apart) m.initRanges([{ ...r, nid: 1, zid: 1 }], B);
    const pred = (st: PageState): boolean => st.memmap && st.initCount > 0 && st.nid === 1;
    const got: unknown[] = [];
    m.markedRuns({ start: starts, end: ends, n: blocks.length }, m.reader().mark(pred), (s, e, st) =>
      got.push([s, e, st]),
    );
    expect(MemMap.markedLookWarm().hot).toBe(true);
    expect(got.length).toBe(6);
    expect(got).toEqual(pageByPage(m, blocks, pred));
  });

  // check()'s two sweeps looked at in one pass (MemMap.markedStops(): lazy-tail's and zone-walk's 8.36M blocks, a few
  // that stop): the end state's sweep over every block and the identities' over pieces of them, each under its own
  // marks, give with the stops found the runs they give without
  it('gives the same runs with the stops markedStops() found for two sweeps as without', () => {
    let used = 0;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 90 }),
        fc.array(fc.tuple(fc.nat(89), fc.nat(3), fc.nat(2)), { maxLength: 6 }),
        fc.uniqueArray(fc.nat(90), { maxLength: 6 }),
        fc.boolean(),
        (sizes, apart, cuts, shaped) => {
          const { m, blocks, starts, ends } = layeredBlocks(sizes, shaped);
          const n = blocks.length;
          // every block on node 0, then a few heads, tails, whole blocks or single pages set apart: on node 1 or 2, or
          // left never initialised (one page, the state of no init)
          m.initRanges(
            blocks.map((b) => ({ ...b, nid: 0, zid: 1 })),
            A,
          );
          for (const [i, what, nid] of apart) {
            const b = blocks[i % n]!;
            const r =
              what === 0
                ? { start: b.start, end: b.start + 1 }
                : what === 1
                  ? { start: b.start + 1, end: b.end }
                  : what === 2
                    ? b
                    : { start: b.end - 1, end: b.end };
            if (r.end > r.start) m.initRanges([{ ...r, nid: nid === 0 ? 1 : nid, zid: 1 }], B);
          }
          const rs = { start: starts, end: ends, n };
          const reader = m.reader();
          const endMarks = reader.mark((st) => st.memmap && (st.initCount === 0 || st.nid === 2));
          // pieces from the cuts (ascending, disjoint, a gap where two cuts are one apart), node 0 or 1 each
          const at = [...new Set([0, ...cuts.filter((c) => c < n), n])].sort((a, b) => a - b);
          const pieces: { marks: Uint8Array; k0: number; k1: number; nid: number }[] = [];
          for (let k = 0; k + 1 < at.length; k++) {
            if (at[k + 1]! - at[k]! === 1 && k % 2 === 1) continue;
            const nid = k % 2;
            pieces.push({
              marks: reader.mark((st) => st.memmap && st.initCount > 0 && st.nid !== nid),
              k0: at[k]!,
              k1: at[k + 1]!,
              nid,
            });
          }
          const runs = (stops: { all: Int32Array; pieces: Int32Array } | null): unknown[] => {
            const got: unknown[] = [];
            m.markedRuns(
              rs,
              endMarks,
              (s, e, st) => got.push(['end', s, e, st]),
              0,
              n,
              null,
              null,
              null,
              stops?.all,
            );
            for (const p of pieces)
              m.markedRuns(
                rs,
                p.marks,
                (s, e, st) => got.push([p.nid, s, e, st]),
                p.k0,
                p.k1,
                null,
                null,
                null,
                stops?.pieces,
              );
            return got;
          };
          const stops = m.markedStops(rs, endMarks, pieces);
          if (stops) used++;
          expect(runs(stops)).toEqual(runs(null));
        },
      ),
      { numRuns: Number(process.env.CHK_RUNS ?? 300) },
    );
    expect(used).toBeGreaterThan(50);
  });

  it('gives the maximal runs of marked pages over blocks, layered or not, as a page-by-page walk does', () => {
    fc.assert(
      fc.property(
        blocksArb,
        opsArb,
        fc.nat(PREDS.length - 1),
        fc.nat(2),
        fc.nat(JOINS.length - 1),
        fc.nat(5),
        fc.nat(COUNTS.length - 1),
        fc.boolean(),
        (blocks, ops, which, view, j, x0, c, shaped) => {
          const m = new MemMap(PRESENT, LIMIT);
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          m.attachBlocks(starts, ends);
          // or with the block columns' shape made (a copy per strategy): the look for a marked block reads no bound
          if (shaped) withShapes(() => m.noteBlockShape());
          for (const [kind, at, len, x] of ops) {
            const r = [{ start: at, end: Math.min(at + len, LIMIT) }].filter((q) => q.end > q.start);
            if (kind === 0)
              m.initRanges(
                r.map((q) => ({ ...q, nid: x % 2, zid: x % 3 })),
                x % 2 ? A : B,
              );
            else if (kind === 1) m.free(r, A);
            else if (kind === 2) m.reserve(r, B);
            else if (kind === 3) {
              // whole blocks (they stay in the layer), heads written over some
              const some = blocks.filter((_, i) => (i + x) % 3 === 0 && blocks[i]!.end <= LIMIT);
              m.initRanges(
                some.map((q) => ({ ...q, nid: x % 2, zid: 2 })),
                A,
              );
              m.writeKhoHeadColumns(
                some.map((q) => q.start),
                some.map(() => x),
                true,
                A,
              );
            } else if (kind === 4) {
              // the tails of some blocks (the blocks stay in the layer, head and tail apart)
              const some = blocks.filter(
                (q, i) => (i + x) % 2 === 0 && q.end <= LIMIT && q.end - q.start > 1,
              );
              m.initRanges(
                some.map((q) => ({ start: q.start + 1, end: q.end, nid: x % 2, zid: x % 3 })),
                B,
              );
            } else m.clearKhoHeads(blocks.filter((_, i) => i % (x + 1) === 0).map((q) => q.start));
          }
          const pred = PREDS[which]!;
          const marks = m.reader().mark(pred);
          // the columns attached (the layer's own), a copy of them (found by search), or the blocks merged
          const merged: { start: number; end: number }[] = [];
          for (const b of blocks) {
            const last = merged[merged.length - 1];
            if (last && last.end === b.start) last.end = b.end;
            else merged.push({ ...b });
          }
          const rs =
            view === 0
              ? { start: starts, end: ends, n: blocks.length }
              : view === 1
                ? { start: starts.slice(), end: ends.slice(), n: blocks.length }
                : {
                    start: Float64Array.from(merged, (b) => b.start),
                    end: Float64Array.from(merged, (b) => b.end),
                    n: merged.length,
                  };
          const got: unknown[] = [];
          m.markedRuns(rs, marks, (s, e, st) => got.push([s, e, st]));
          expect(got).toEqual(pageByPage(m, blocks, pred));
          // what it counts with `counted` (the joined states and COUNTS[c]'s, or COUNTS[c]'s alone), joined or not
          const join = (st: PageState): boolean => pred(st) && JOINS[j]!(st);
          for (const [jp, cnt] of [
            [() => false, COUNTS[c]!],
            [join, (st: PageState) => join(st) || COUNTS[c]!(st)],
            [join, COUNTS[c]!],
          ] as const) {
            const counted = m.markedRuns(
              rs,
              marks,
              () => undefined,
              0,
              rs.n,
              m.reader().mark(jp),
              null,
              m.reader().mark(cnt),
            );
            expect(counted).toBe(rangesCounted(m, rs, pred, cnt, jp));
          }
          expect(m.markedRuns(rs, marks, () => undefined)).toBe(-1);
          // a part of the ranges: the runs of those ranges alone
          const k0 = Math.min(1, rs.n);
          const part: unknown[] = [];
          m.markedRuns(rs, marks, (s, e, st) => part.push([s, e, st]), k0, rs.n);
          const partRanges = Array.from({ length: rs.n - k0 }, (_, i) => ({
            start: rs.start[k0 + i]!,
            end: rs.end[k0 + i]!,
          }));
          expect(part).toEqual(pageByPage(m, partRanges, pred));
          // runs of states alike joined (check()'s never-initialised pages): one run where they touch
          const joined: unknown[] = [];
          m.markedRuns(rs, marks, (s, e, st) => joined.push([s, e, st]), 0, rs.n, m.reader().mark(join));
          expect(joined).toEqual(pageByPage(m, blocks, pred, join));
          // with a sink (check()'s never-initialised runs): the joined runs pushed to it, the rest to cb, as the
          // runs above give them; the sink of a little room (it fills and grows on the way), a row there before
          for (const cap of [1, 2, 16]) {
            const pre =
              x0 % 3 === 0
                ? null
                : x0 % 3 === 1
                  ? [0, 1]
                  : [rs.n ? rs.start[0]! - 1 : 0, rs.n ? rs.start[0]! : 1];
            const sink = new RangeBuffer(cap, true);
            const want = new RangeBuffer(cap, true);
            if (pre) for (const b of [sink, want]) b.push(pre[0]!, pre[1]!);
            const rest: unknown[] = [];
            const wantRest: unknown[] = [];
            for (const r of joined as [number, number, PageState][])
              if (join(r[2])) want.push(r[0], r[1]);
              else wantRest.push(r);
            // counting the joined states and COUNTS[c]'s (check()'s never-initialised blocks), which changes no run
            const cnt = (st: PageState): boolean => join(st) || COUNTS[c]!(st);
            const counted = m.markedRuns(
              rs,
              marks,
              (s, e, st) => rest.push([s, e, st]),
              0,
              rs.n,
              m.reader().mark(join),
              sink,
              m.reader().mark(cnt),
            );
            expect(counted).toBe(rangesCounted(m, rs, pred, cnt, join));
            expect(rest).toEqual(wantRest);
            expect([sink.n, sink.sorted]).toEqual([want.n, want.sorted]);
            expect([...sink.start.subarray(0, sink.n)]).toEqual([...want.start.subarray(0, want.n)]);
            expect([...sink.end.subarray(0, sink.n)]).toEqual([...want.end.subarray(0, want.n)]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** Sorted, disjoint (maybe touching), non-empty pfn ranges for an event's cover, up to pfn 4000. */
const coverArb = fc
  .integer({ min: 30, max: 700 })
  .chain((maxLen) =>
    // short ranges (often no pageblock-aligned pfn in them) or long ones
    fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: maxLen })), {
      minLength: 1,
      maxLength: maxLen < 100 ? 3 : 12,
    }),
  )
  .map((steps) => {
    const start: number[] = [];
    const end: number[] = [];
    let pfn = 0;
    for (const [gap, len] of steps) {
      pfn += gap;
      start.push(pfn);
      end.push(pfn + len);
      pfn += len;
    }
    return { start: Float64Array.from(start), end: Float64Array.from(end), n: start.length };
  });

const FNS = ['memmap_init_range', 'init_deferred_page', 'deferred_free_pages', 'reserve_bootmem_region'];
const eventArb = fc.tuple(fc.nat(FNS.length - 1), fc.nat(1), coverArb).map(([f, ph, cover]) => ({
  fn: FNS[f]!,
  kind: FNS[f] === 'deferred_free_pages' ? 'free' : 'init',
  phase: ph ? 'page_alloc_init_late' : 'mm_core_init',
  cover,
}));
const pfnRangesArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 4200 }), fc.integer({ min: 1, max: 300 })), { maxLength: 3 })
  .map((rs) => rs.map(([s, n]) => ({ start: s, end: s + n })));

describe('replayMigratetypes() near some pageblocks only', () => {
  it('types those pageblocks as the replay of all does, by the same functions of the same phases', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 8 }),
        pfnRangesArb,
        pfnRangesArb,
        fc.constantFrom('release-at-init' as const, 'memblock-flag' as const, 'scratch-array' as const),
        fc.constantFrom('aligned-pfns' as const, 'pageblock-range' as const),
        fc.boolean(),
        (events, scratch, extended, rule, deferredFree, setsMt) => {
          const P = 64;
          const tl = {
            arch: { pageblock_nr_pages: P },
            mm: { deferredFreeMigratetype: deferredFree, initDeferredPageSetsMigratetype: setsMt },
            layout: { presentSections: [{ start: 0, end: 3000 }] },
            events: events.map((e, seq) => ({ ...e, seq })),
            phases: [{ name: 'kho_memory_init', events: 2 }],
            memmap: { limitPfn: 4300 },
          } as unknown as Parameters<typeof replayMigratetypes>[0];
          const kho = { rule, scratch, extended };
          const only = pageblocksOverlapping([...scratch, ...extended], P);
          const full = replayMigratetypes(tl, kho);
          const near = replayMigratetypes(tl, kho, { only });
          for (const w of only)
            for (let b = w.start; b < Math.min(w.end, full.map.total); b++) {
              const t = typeAt(full, b);
              expect(typeAt(near, b)).toEqual(t);
              expect(near.phaseOf.get(t![1])).toBe(full.phaseOf.get(t![1]));
            }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// check() takes a joining buffer of runs that stayed sorted (its never-initialised runs) as normalized, with no
// isNormalized() pass (kho-findings.ts normalizedRuns): what push() with `join` guarantees for non-empty ranges
describe('RangeBuffer with join', () => {
  it('holds normalized ranges while every pushed range starts at or after the one before', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -3, max: 6 }), fc.integer({ min: 1, max: 6 })), {
          maxLength: 40,
        }),
        fc.nat(3),
        (steps, cap) => {
          const buf = new RangeBuffer(cap + 1, true);
          let at = 0;
          const pushed: [number, number][] = [];
          for (const [d, len] of steps) {
            at = Math.max(0, at + d);
            buf.push(at, at + len);
            pushed.push([at, at + len]);
          }
          if (buf.sorted) expect(isNormalized(buf.start, buf.end, buf.n)).toBe(true);
          const want = normalizeCols(
            Float64Array.from(pushed, (p) => p[0]),
            Float64Array.from(pushed, (p) => p[1]),
            pushed.length,
          );
          const got = buf.normalized();
          expect([...got.start.subarray(0, got.n)]).toEqual([...want.start]);
          expect([...got.end.subarray(0, got.n)]).toEqual([...want.end]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
