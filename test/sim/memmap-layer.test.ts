// MemMap's block layer (issue 10): preserved blocks kept in block-indexed columns over the background runs must
// be invisible. The same random operations on a map with blocks attached and on one without give the same
// events (counts and ranges), the same state at every pfn, the same runs and census, whether operations over the
// layer take its one pass (sweepOp) or tally() then applyIds(); and on a map whose blocks are only ever touched
// whole, head or tail, the runs do not grow with the blocks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PositionsBut, Range } from '../../src/core/index.js';
import { noteAscendingPositions } from '../../src/core/index.js';
import type { BlockInitRows, EventRanges, PageEvent, PageState } from '../../src/sim/index.js';
import {
  blockRowsColumns,
  MemMap,
  readBlocksMet,
  readBlocksMetAll,
  readFromPfns,
  readNormalized,
} from '../../src/sim/index.js';
import { isNormalized } from '../../src/check/range-buffer.js';
import type { SimContext } from '../../src/sim/context.js';
import { forkContext, shareReadOnly } from '../../src/sim/fork.js';
import { withShapes } from './block-shapes.js';

/** An event's range columns as Range objects. */
const rangesOf = (r: EventRanges) =>
  Array.from({ length: r.n }, (_, k) => ({ start: r.start[k], end: r.end[k] }));

const LIMIT = 160;
const PRESENT = [
  { start: 0, end: 70 },
  { start: 80, end: 150 },
];
const A = { phase: 'test', fn: 'f' };
const B = { phase: 'test', fn: 'g' };

type Op =
  | { kind: 'init'; ranges: (Range & { nid: number; zid: number })[]; fn: number }
  | { kind: 'reserve'; ranges: Range[] }
  | { kind: 'free'; ranges: Range[] }
  | { kind: 'initFree'; ranges: Range[]; nid: number }
  | { kind: 'heads'; pfns: ArrayLike<number>; orders: ArrayLike<number> }
  | { kind: 'clear'; pfns: ArrayLike<number>; except?: number[] }
  | { kind: 'read'; pfns: ArrayLike<number>; except?: number[] }
  | { kind: 'clearRead'; pfns: ArrayLike<number>; except?: number[] }
  | { kind: 'ids'; pfns: ArrayLike<number> }
  | { kind: 'pattern'; start: number; end: number; stride: number; last: boolean; points: number[] }
  | { kind: 'blockRows'; rows: BlockInitRows }
  | { kind: 'tails'; starts: Float64Array; ends: Float64Array; at: number[] }
  | { kind: 'attach' };

/** Sorted, disjoint, non-empty ranges from cut points. */
const rangesArb = fc.uniqueArray(fc.integer({ min: 0, max: LIMIT + 4 }), { maxLength: 12 }).map((pts) => {
  const s = [...pts].sort((a, b) => a - b);
  const out: Range[] = [];
  for (let i = 0; i + 1 < s.length; i += 2) out.push({ start: s[i]!, end: s[i + 1]! });
  return out;
});
const pfnsArb = fc.uniqueArray(fc.integer({ min: 0, max: LIMIT - 1 }), { maxLength: 10 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc
    .tuple(rangesArb, fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 12, maxLength: 12 }), fc.nat(1))
    .map(([ranges, ids, fn]) => ({
      kind: 'init' as const,
      ranges: ranges.map((r, k) => ({ ...r, nid: ids[k]! % 2, zid: ids[k]! % 3 })),
      fn,
    })),
  rangesArb.map((ranges) => ({ kind: 'reserve' as const, ranges })),
  rangesArb.map((ranges) => ({ kind: 'free' as const, ranges })),
  fc.tuple(rangesArb, fc.nat(1)).map(([ranges, nid]) => ({ kind: 'initFree' as const, ranges, nid })),
  fc
    .tuple(pfnsArb, fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 10, maxLength: 10 }))
    .map(([pfns, orders]) => ({ kind: 'heads' as const, pfns, orders: orders.slice(0, pfns.length) })),
  pfnsArb.map((pfns) => ({ kind: 'clear' as const, pfns })),
  pfnsArb.map((pfns) => ({ kind: 'read' as const, pfns })),
  // ascending (the one pass) or as drawn
  fc.tuple(pfnsArb, fc.boolean()).map(([pfns, sort]) => ({
    kind: 'clearRead' as const,
    pfns: sort ? [...pfns].sort((a, b) => a - b) : pfns,
  })),
  fc
    .tuple(
      fc.nat(LIMIT + 4),
      fc.nat(LIMIT),
      fc.integer({ min: 1, max: 9 }),
      fc.boolean(),
      fc.array(fc.nat(LIMIT + 4), { maxLength: 3 }),
    )
    .map(([start, len, stride, last, points]) => ({
      kind: 'pattern' as const,
      start,
      end: start + len,
      stride,
      // set_zone_contiguous() reads the first and the last page of each pageblock, plus single points
      last,
      points,
    })),
);

/** Preserved blocks: sorted by start, mostly disjoint, some overlapping or past the map. */
const blocksArb = fc
  .array(fc.tuple(fc.nat(LIMIT + 8), fc.integer({ min: 1, max: 9 })), { maxLength: 20 })
  .map((bs) => bs.map(([s, n]) => ({ start: s, end: s + n })).sort((a, b) => a.start - b.start));

/**
 * Up to `count` disjoint blocks of 1 to `maxLen` pages, each 0 to `maxGap` pages past the one before (a small gap:
 * packed, many touch), those below LIMIT.
 */
function gappedBlocksArb(maxGap: number, maxLen: number, count: number): fc.Arbitrary<Range[]> {
  return fc
    .array(fc.tuple(fc.nat(maxGap), fc.integer({ min: 1, max: maxLen })), { minLength: 1, maxLength: count })
    .map(gappedBlocks);
}

/** gappedBlocksArb()'s blocks from their (gap, length) pairs: one after the other, up to LIMIT. */
function gappedBlocks(gl: readonly (readonly [number, number])[]): Range[] {
  const out: Range[] = [];
  let at = 0;
  for (const [gap, len] of gl) {
    const start = at + gap;
    if (start + len > LIMIT) break;
    out.push({ start, end: start + len });
    at = start + len;
  }
  return out;
}

/**
 * Disjoint preserved blocks inside the map (gaps and lengths drawn), as a kernel's image gives them: every block is
 * layered, so the layer's own heads (the column attached) take their one loop.
 */
const disjointBlocksArb = gappedBlocksArb(6, 6, 24);

/** Disjoint blocks as disjointBlocksArb, some of them past the map's end (left out of the layer). */
const disjointPastEndArb = fc
  .array(fc.tuple(fc.nat(9), fc.integer({ min: 1, max: 9 })), { minLength: 1, maxLength: 24 })
  .map((gl) => {
    const out: Range[] = [];
    let at = LIMIT - 40;
    for (const [gap, len] of gl) {
      out.push({ start: at + gap, end: at + gap + len });
      at += gap + len;
    }
    return out;
  });

/** Blocks non-empty, sorted and disjoint (touching allowed): what KhoBlocks.sortedDisjoint promises attachBlocks(). */
function sortedDisjoint(bs: readonly Range[]): boolean {
  return bs.every((b, k) => b.end > b.start && (k === 0 || b.start >= bs[k - 1]!.end));
}

/**
 * With `promised`, an init whose ranges are non-empty, sorted and disjoint (checked here) goes in 32-bit columns
 * marked sortedDisjoint, as a flushed init queue does: the map skips its own look, and must answer as initRanges().
 */
function apply(m: MemMap, op: Op, promised = false): void {
  if (
    op.kind === 'init' &&
    promised &&
    op.ranges.every((r, k) => r.end > r.start && (k === 0 || r.start >= op.ranges[k - 1]!.end))
  )
    m.initColumns(
      {
        start: Float64Array.from(op.ranges, (r) => r.start),
        end: Float64Array.from(op.ranges, (r) => r.end),
        nid: Int32Array.from(op.ranges, (r) => r.nid),
        zid: Int32Array.from(op.ranges, (r) => r.zid),
        n: op.ranges.length,
        sortedDisjoint: true,
      },
      op.fn ? B : A,
    );
  else if (op.kind === 'init') m.initRanges(op.ranges, op.fn ? B : A);
  // a map with a layer walks the rows' blocks (or lists the ranges when it cannot); the plain map gets the ranges
  else if (op.kind === 'blockRows' && promised) m.initBlockRows(op.rows, B);
  else if (op.kind === 'blockRows') m.initColumns(blockRowsColumns(op.rows), B);
  else if (op.kind === 'tails') {
    // lazy-tail's restore: a map with a layer walks the blocks' tails (or declines); else the tails of the blocks at
    // `at` whose head is initialised, listed with the head's node and zone as stateAt() gives them, initialised
    const at = Int32Array.from(op.at);
    if (!(promised && m.initBlockTails(op.starts, op.ends, at, at.length, B))) {
      const ranges = op.at
        .map((i) => ({ head: m.stateAt(op.starts[i]!), start: op.starts[i]! + 1, end: op.ends[i]! }))
        .filter((r) => r.end > r.start && r.head.initCount > 0)
        .map((r) => ({ start: r.start, end: r.end, nid: r.head.nid, zid: r.head.zid }));
      if (ranges.length) m.initRanges(ranges, B);
    }
  } else if (op.kind === 'reserve') m.reserve(op.ranges, A);
  else if (op.kind === 'free') m.free(op.ranges, A);
  else if (op.kind === 'initFree') {
    const n = op.ranges.length;
    // marked sortedDisjoint when they are (checked here), as deferred init's batch of memblock's free ranges is
    const inOrder = op.ranges.every(
      (r, k) => r.end > r.start && (k === 0 || r.start >= op.ranges[k - 1]!.end),
    );
    m.initThenFreeColumns(
      {
        start: Float64Array.from(op.ranges, (r) => r.start),
        end: Float64Array.from(op.ranges, (r) => r.end),
        nid: new Float64Array(n).fill(op.nid),
        zid: new Float64Array(n).fill(2),
        n,
        ...(promised && inOrder ? { sortedDisjoint: true } : {}),
      },
      A,
      B,
    );
  } else if (op.kind === 'heads') m.writeKhoHeadColumns(op.pfns, op.orders, true, A);
  else if (op.kind === 'clear')
    m.clearKhoHeads(op.pfns, op.except ? { at: Int32Array.from(op.except), n: op.except.length } : null);
  else if (op.kind === 'read')
    m.readPages(op.pfns, A, op.except ? { at: Int32Array.from(op.except), n: op.except.length } : null);
  else if (op.kind === 'clearRead')
    m.clearKhoHeadsThenRead(
      op.pfns,
      A,
      op.except ? { at: Int32Array.from(op.except), n: op.except.length } : null,
    );
  else if (op.kind === 'ids') {
    // stateIdsAt() of the pfns gives the states stateAt() does, as a copy or (the layer's own heads) a view of the
    // head column, where a block out of the layer is read with stateIdOf()
    const want = Array.from(op.pfns, (p) => m.stateAt(p));
    for (const view of [false, true]) {
      const { ids, states } = m.stateIdsAt(op.pfns, view);
      expect(Array.from(op.pfns, (p, k) => states[ids[k]! < 0 ? m.stateIdOf(p) : ids[k]!])).toEqual(want);
    }
  } else if (op.kind === 'pattern')
    m.readPattern(
      {
        start: op.start,
        end: op.end,
        stride: op.stride,
        offsets: op.last ? [0, op.stride - 1] : [0],
        points: op.points,
      },
      A,
    );
}

/**
 * Block rows over the block columns starts/ends as a flushed initDeferredBlocks() queue makes them: stretches of
 * whole blocks of one node and zone and, in their place, ranges of a block cut at first_deferred_pfn or split at a
 * zone boundary, or of a gap; blocks skipped. In address order and disjoint, but for `c % 13 === 12`, which queues a
 * stretch wherever it is (the map must then list the ranges).
 */
function blockRowsOf(starts: Float64Array, ends: Float64Array, pick: readonly number[]): BlockInitRows {
  const from: number[] = [];
  const to: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const nid: number[] = [];
  const zid: number[] = [];
  const row = (f: number, t: number, s: number, e: number, c: number): void => {
    from.push(f);
    to.push(t);
    start.push(s);
    end.push(e);
    nid.push((c >> 2) % 2);
    zid.push((c >> 3) % 3);
  };
  let last = -Infinity;
  for (let i = 0; i < starts.length; i++) {
    const c = pick[(i * 7) % pick.length]! + i;
    const s = starts[i]!;
    const e = ends[i]!;
    const r = from.length - 1;
    const inOrder = s >= last;
    if (c % 6 === 0 || (!inOrder && c % 13 !== 12)) continue;
    if (c % 6 <= 2 || c % 13 === 12) {
      // whole: the open stretch goes on when it ends with the block before and has the same node and zone
      if (r >= 0 && to[r] === i && from[r]! >= 0 && nid[r] === (c >> 2) % 2 && zid[r] === (c >> 3) % 3)
        to[r] = i + 1;
      else row(i, i + 1, 0, 0, c);
    } else if (c % 6 === 3) {
      // split in two with different zones, or cut at a pfn past its head
      const m = s + 1 + (c % (e - s));
      row(-1, -1, s, m, c);
      if (m < e) row(-1, -1, m, e, c + 8);
    } else if (c % 6 === 4 && e > s + 1) row(-1, -1, s + 1, e, c);
    else if (i + 1 < starts.length && starts[i + 1]! > e) row(-1, -1, e, starts[i + 1]!, c);
    last = Math.max(last, e, end[end.length - 1] ?? -Infinity);
  }
  return {
    blockStart: starts,
    blockEnd: ends,
    from: Int32Array.from(from),
    to: Int32Array.from(to),
    start: Float64Array.from(start),
    end: Float64Array.from(end),
    nid: Float64Array.from(nid),
    zid: Float64Array.from(zid),
    n: from.length,
  };
}

/**
 * Block ops as the KHO phases do them: whole blocks, heads, tails; and, on `starts` (the column of block starts the
 * layer was attached from, which the memmap takes as its heads when every block is layered), kho_memory_init's
 * deferred init of the blocks (block rows over starts/ends) and head write and kho_restore's look, clear and read of
 * every head.
 */
function blockOps(
  blocks: readonly Range[],
  pick: readonly number[],
  starts: Float64Array,
  ends: Float64Array,
): Op[] {
  const disjoint = blocks.filter((b, i) => i === 0 || b.start >= blocks[i - 1]!.end);
  const heads = [...new Set(disjoint.map((b) => b.start))].filter((p) => p < LIMIT);
  return [
    { kind: 'blockRows', rows: blockRowsOf(starts, ends, pick) },
    {
      kind: 'init',
      ranges: disjoint
        .filter((_, i) => pick[i % pick.length]! % 2 === 0)
        .map((b) => ({ ...b, nid: 1, zid: 2 })),
      fn: 1,
    },
    { kind: 'heads', pfns: heads, orders: heads.map((_, i) => i % 3) },
    // tails from heads, some initialised above (some of them not in the layer)
    {
      kind: 'tails',
      starts,
      ends,
      at: Array.from(starts.keys()).filter((i) => pick[i % pick.length]! % 3 !== 0),
    },
    {
      kind: 'init',
      ranges: disjoint
        .filter((b, i) => b.end - b.start > 1 && pick[i % pick.length]! % 3 === 0)
        .map((b) => ({ start: b.start + 1, end: b.end, nid: 0, zid: 1 })),
      fn: 0,
    },
    { kind: 'clear', pfns: heads.filter((_, i) => pick[i % pick.length]! % 2 === 1) },
    { kind: 'read', pfns: heads },
    // kho_restore's clear and read of the heads it restores
    { kind: 'clearRead', pfns: heads.filter((_, i) => pick[i % pick.length]! % 3 !== 1) },
    // over heads cleared of their order and tails initialised before (a plain head beside a tail that is not)
    { kind: 'blockRows', rows: blockRowsOf(starts, ends, [...pick, 3]) },
    // over the blocks' head pages alone (a column of ends one past each start, as lazy-tail's deserialize gives)
    {
      kind: 'blockRows',
      rows: blockRowsOf(
        starts,
        starts.map((s) => s + 1),
        [...pick, 5],
      ),
    },
    { kind: 'heads', pfns: starts, orders: Float64Array.from(starts, (_, i) => (i + pick[0]!) % 4) },
    // again over initialised pages and KHO heads (double inits, lost orders, other nodes and zones)
    { kind: 'blockRows', rows: blockRowsOf(starts, ends, [...pick].reverse()) },
    // deferred init's init and free of the gaps between the blocks
    {
      kind: 'initFree',
      ranges: disjoint
        .slice(1)
        .map((b, i) => ({ start: disjoint[i]!.end, end: b.start }))
        .filter((r) => r.end > r.start),
      nid: pick[0]! % 2,
    },
    { kind: 'ids', pfns: starts },
    { kind: 'clearRead', pfns: starts },
    { kind: 'heads', pfns: starts, orders: Float64Array.from(starts, (_, i) => (i + pick[0]! + 1) % 4) },
    // kho_restore without a restore hook: the heads of the block column but the blocks left out (not restored or
    // refused), by position; those keep the orders just written
    {
      kind: 'clearRead',
      pfns: starts,
      except: Array.from(starts.keys()).filter((i) => pick[i % pick.length]! % 3 === 2 || i === pick[0]),
    },
    { kind: 'heads', pfns: starts, orders: Float64Array.from(starts, (_, i) => (i + pick[0]! + 2) % 4) },
    // kho_restore with a restore hook: the clear, the hook's inits (tails), then the read, of the same heads
    {
      kind: 'clear',
      pfns: starts,
      except: Array.from(starts.keys()).filter((i) => pick[i % pick.length]! % 4 === 1),
    },
    {
      kind: 'init',
      ranges: disjoint
        .filter((b, i) => b.end - b.start > 1 && pick[i % pick.length]! % 4 !== 1)
        .map((b) => ({ start: b.start + 1, end: b.end, nid: 1, zid: 1 })),
      fn: 1,
    },
    // lazy-tail's: the tails from the heads, of the same blocks
    {
      kind: 'tails',
      starts,
      ends,
      at: Array.from(starts.keys()).filter((i) => pick[i % pick.length]! % 4 !== 1),
    },
    {
      kind: 'read',
      pfns: starts,
      except: Array.from(starts.keys()).filter((i) => pick[i % pick.length]! % 4 === 1),
    },
  ];
}

/**
 * What a PageReader gives over [start, end): its pieces merged where neighbours share a state (it may split a run),
 * the pieces of uninitialised pages it stops at with marks, and single pfns read with at() in a descending order.
 */
/** Blocks of the given sizes one after another from pfn 2, each a gap of one page after the last, and their columns. */
function blocksOfSizes(sizes: readonly number[]): { bs: Range[]; starts: Float64Array; ends: Float64Array } {
  const bs: Range[] = [];
  let p = 2;
  for (const n of sizes) {
    bs.push({ start: p, end: p + n });
    p += n + 1;
  }
  return { bs, starts: Float64Array.from(bs, (b) => b.start), ends: Float64Array.from(bs, (b) => b.end) };
}

function readerPieces(m: MemMap, start: number, end: number): unknown {
  const r = m.reader();
  const merged: { start: number; end: number; state: unknown }[] = [];
  r.range(start, end);
  while (r.next()) {
    const last = merged[merged.length - 1];
    if (last && last.end === r.s && last.state === r.state) last.end = r.e;
    else merged.push({ start: r.s, end: r.e, state: r.state });
  }
  const uninit: number[] = [];
  const marks = r.mark((st) => st.memmap && st.initCount === 0);
  r.range(start, end);
  while (r.next(marks)) for (let p = r.s; p < r.e; p++) uninit.push(p);
  const at: unknown[] = [];
  for (let p = LIMIT + 1; p >= -1; p -= 7) at.push(r.at(p));
  // stateIdsAt over every pfn up, then a few down: the states stateAt() gives
  const pfns = [...Array.from({ length: LIMIT + 3 }, (_, p) => p - 1), 90, 12, 12, 150];
  const { ids, states } = m.stateIdsAt(pfns);
  const byIds = pfns.map((_, k) => states[ids[k]!]);
  expect(byIds).toEqual(pfns.map((p) => m.stateAt(p)));
  return { merged, uninit, at };
}

function observe(m: MemMap, blocks: readonly Range[] = []): unknown {
  const pages = [];
  for (let p = 0; p < LIMIT + 2; p++) pages.push(m.stateAt(p));
  // scanRanges() over the blocks as a check sweeps them (whole blocks, some overlapping or past the map)
  const blockScan: unknown[] = [];
  m.scanRanges(
    {
      start: Float64Array.from(blocks, (b) => b.start),
      end: Float64Array.from(blocks, (b) => b.end),
      n: blocks.length,
    },
    (s, e, st, k) => blockScan.push([s, e, st, k]),
  );
  return {
    blockScan,
    pages,
    runs: m.query(),
    census: m.census(),
    part: m.census(30, 100),
    events: m.events,
    scan: m.query(25, 120),
    reader: readerPieces(m, 25, 120),
  };
}

/**
 * The gaps before, between and after sorted disjoint blocks (to LIMIT), empty ones included: gap i + 1 follows block i,
 * so a property picks them by that index.
 */
function gapsBetween(blocks: readonly Range[]): Range[] {
  return [
    { start: 0, end: blocks[0]!.start },
    ...blocks.map((b, i) => ({ start: b.end, end: i + 1 < blocks.length ? blocks[i + 1]!.start : LIMIT })),
  ];
}

/** An op initialising the tails of the blocks `pick` names (those of more than a page), zone 2, as fn 1. */
function tailsInit(blocks: readonly Range[], pick: (i: number) => boolean): Op {
  return {
    kind: 'init',
    ranges: blocks
      .filter((b, i) => b.end - b.start > 1 && pick(i))
      .map((b) => ({ start: b.start + 1, end: b.end, nid: 0, zid: 2 })),
    fn: 1,
  };
}

/**
 * readPattern() of [start, end) at `stride` (the offsets `which` names, those below the stride) over a map with the
 * blocks in its layer and one without, both after `setup`: the same answer, and a page-by-page read's.
 */
function expectLayeredPatternRead(
  starts: Float64Array,
  ends: Float64Array,
  setup: readonly Op[],
  start: number,
  end: number,
  stride: number,
  which: 'first' | 'last' | 'both' | 'three',
): void {
  const layered = new MemMap(PRESENT, LIMIT);
  const plain = new MemMap(PRESENT, LIMIT);
  layered.attachBlocks(starts, ends, { sortedDisjoint: true });
  for (const op of setup) {
    if (op.kind === 'attach') continue;
    apply(layered, op, true);
    apply(plain, op);
  }
  const offsets = { first: [0], last: [stride - 1], both: [0, stride - 1], three: [0, 1, 2] }[which];
  const pattern = { start, end, stride, offsets: offsets.filter((o) => o < stride), points: [] };
  const ev = layered.readPattern(pattern, A);
  const got = patternRead(ev);
  expect(got).toEqual(patternRead(plain.readPattern(pattern, A)));
  expectBlocksMet(ev, starts, ends);
  expect(got).toEqual(patternByPages(layered, start, end, stride, pattern.offsets));
}

/**
 * The blocks a pattern read's ranges meet as the sweep counted them (readBlocksMet), when it did: those of the blocks
 * `starts`/`ends` (the column it names) that any of the ranges meets, a search of each range over every block, with the
 * first and last of them.
 */
function expectBlocksMet(ev: PageEvent, starts: Float64Array, ends: Float64Array): void {
  const m = readBlocksMet(ev.uninitRanges);
  if (!m) return;
  const r = ev.uninitRanges;
  const met: number[] = [];
  for (let b = 0; b < starts.length; b++) {
    let hit = false;
    for (let k = 0; k < r.n && !hit; k++) hit = starts[b]! < r.end[k]! && ends[b]! > r.start[k]!;
    if (hit) met.push(b);
  }
  expect(m.starts).toBe(starts);
  expect([m.n, m.first, m.last]).toEqual([met.length, met[0], met[met.length - 1]]);
  blocksMetSeen++;
}
let blocksMetSeen = 0;

/** The range [start, end). */
function r(start: number, end: number): Range {
  return { start, end };
}

/** What a readPattern() event tells: the pages read, uninitialised and unmapped, and the uninitialised ranges. */
function patternRead(ev: PageEvent): unknown {
  return { counts: [ev.pages, ev.uninitPages, ev.noMemmapPages], ranges: rangesOf(ev.uninitRanges) };
}

/**
 * patternRead() of what a page-by-page read of the pattern finds over [start, end): every pattern pfn read (stateAt()),
 * and the maximal runs of uninitialised pages it hits (runs as query() gives them), neighbours joined.
 */
function patternByPages(m: MemMap, start: number, end: number, stride: number, offsets: number[]): unknown {
  const inPattern = (p: number): boolean => offsets.some((o) => p % stride === o);
  let pages = 0;
  let uninit = 0;
  let noMap = 0;
  for (let p = start; p < end; p++) {
    if (!inPattern(p)) continue;
    pages++;
    const st = m.stateAt(p);
    if (!st.memmap) noMap++;
    else if (st.initCount === 0) uninit++;
  }
  const ranges: { start: number; end: number }[] = [];
  for (const r of m.query(start, Math.min(end, LIMIT))) {
    if (!r.state.memmap || r.state.initCount > 0) continue;
    let hit = false;
    for (let p = r.start; p < r.end && !hit; p++) hit = inPattern(p);
    if (!hit) continue;
    const prev = ranges[ranges.length - 1];
    if (prev && prev.end === r.start) prev.end = r.end;
    else ranges.push({ start: r.start, end: r.end });
  }
  return { counts: [pages, uninit, noMap], ranges };
}

/**
 * The never-initialised readPattern properties' map before their own ops: deferred init over the gaps between the
 * blocks (a few left out, by p), a KHO order on most heads (of a few orders: a few head ids), none on the rest; p(i)
 * is block i's draw from `pick`.
 */
function neverInitSetup(
  blocks: readonly Range[],
  pick: readonly number[],
): { starts: Float64Array; ends: Float64Array; p: (i: number) => number; setup: Op[] } {
  const starts = Float64Array.from(blocks, (b) => b.start);
  const ends = Float64Array.from(blocks, (b) => b.end);
  const p = (i: number): number => pick[i % pick.length]! + i;
  const gaps = gapsBetween(blocks).filter((r, i) => r.end > r.start && p(i) % 7 !== 6);
  const ordered = blocks.map((_, i) => i).filter((i) => p(i) % 5 !== 4);
  const setup: Op[] = [
    { kind: 'initFree', ranges: gaps, nid: 0 },
    {
      kind: 'heads',
      pfns: Float64Array.from(ordered, (i) => starts[i]!),
      orders: ordered.map((i) => (p(i) % 3 === 0 ? 0 : p(i) % 3 === 1 ? 2 : 3)),
    },
  ];
  return { starts, ends, p, setup };
}

/**
 * kho_restore's verdict on the layer heads `starts` as the restore properties ask it of a map: the states as they are
 * now, the order each state passes with (-1: refused: no struct page, or with `magic` no KHO magic), and decide() as
 * khoRestore()'s, which refuses the blocks listed in `stopAt` and records every block asked (`asked`) and left (`left`).
 */
function restoreVerdict(
  m: MemMap,
  starts: Float64Array,
  magic: boolean,
  stopAt: readonly number[],
): {
  ids: ArrayLike<number>;
  passOrder: Float64Array;
  asked: unknown[];
  left: number[];
  decide: (i: number, id: number) => boolean;
} {
  const { ids, states } = m.stateIdsAt(starts, true);
  const passOrder = Float64Array.from(states, (st) =>
    st.memmap && (!magic || st.khoMagic) ? Math.max(0, st.khoOrder) : -1,
  );
  const asked: unknown[] = [];
  const left: number[] = [];
  const decide = (i: number, id: number): boolean => {
    if (stopAt.includes(i)) {
      asked.push(['stop', i]);
      left.push(i);
      return false;
    }
    const st = states[id < 0 ? m.stateIdOf(starts[i]!) : id]!;
    asked.push([i, st]);
    if (!st.memmap || (magic && !st.khoMagic)) {
      left.push(i);
      return false;
    }
    return true;
  };
  return { ids, passOrder, asked, left, decide };
}

/**
 * initBlockTails()' cases over rows of positions: heads in stretches of eight blocks initialised on node 0 or 1, or
 * never, some tails initialised before (a double init), and positions leaving some blocks out, all drawn from `pick`.
 * prep() writes the heads and tails into a map; `expected` is what a map without the layer then shows once the tails
 * at the positions are listed one by one (those whose head was initialised, on its node).
 */
function tailRowsCase(
  bs: readonly Range[],
  pick: readonly number[],
): { at: Int32Array; prep: (m: MemMap) => void; expected: unknown } {
  const code = (i: number): number => pick[Math.floor(i / 8) % pick.length]! + Math.floor(i / 8);
  const each = (i: number, k: number): number => pick[(i * k) % pick.length]! + i;
  const heads = bs
    .filter((_, i) => code(i) % 5 !== 0)
    .map((b) => ({ start: b.start, end: b.start + 1, nid: (code(bs.indexOf(b)) >> 1) % 2, zid: 1 }));
  const tails = bs.filter((b, i) => each(i, 1) % 17 === 3 && b.end > b.start + 1);
  const at = Int32Array.from(Array.from(bs.keys()).filter((i) => each(i, 3) % 31 !== 5));
  const prep = (m: MemMap): void => {
    if (heads.length) m.initRanges(heads, A);
    if (tails.length)
      m.initRanges(
        tails.map((b) => ({ start: b.start + 1, end: b.end, nid: 0, zid: 1 })),
        A,
      );
  };
  const plain = new MemMap(PRESENT, LIMIT);
  prep(plain);
  const ranges = Array.from(at, (i) => bs[i]!)
    .map((b) => ({ head: plain.stateAt(b.start), start: b.start + 1, end: b.end }))
    .filter((r) => r.end > r.start && r.head.initCount > 0)
    .map((r) => ({ start: r.start, end: r.end, nid: r.head.nid, zid: r.head.zid }));
  if (ranges.length) plain.initRanges(ranges, B);
  return { at, prep, expected: observe(plain, bs) };
}

/**
 * A map for a tailRowsCase(): blocks starts/ends attached (`known`: what attachBlocks() is told of them; sorted and
 * disjoint by default), with `shaped` the layer's caches and the block columns' shape made (as for a copy per
 * strategy: plainTailsInRow() reads them), then the case's prep().
 */
function tailRowsMap(
  starts: Float64Array,
  ends: Float64Array,
  step: number,
  shaped: boolean,
  prep: (m: MemMap) => void,
  known: Parameters<MemMap['attachBlocks']>[2] = { sortedDisjoint: true },
): MemMap {
  const m = new MemMap(PRESENT, LIMIT, { prefixStep: step });
  m.attachBlocks(starts, ends, known);
  if (shaped)
    withShapes(() => {
      m.layerCachesForCopies();
      m.noteBlockShape();
    });
  prep(m);
  return m;
}

/** A draw of integers in [0, n) from a linear congruential sequence from `seed` (the same draws in every run). */
function lcg(seed: number): (n: number) => number {
  return (n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
}

describe('MemMap block layer', () => {
  // initBlockRows() takes a block whose head and tail states (and key) are the last plain block's without a visit: a
  // run of blocks in equal states, some with only the tails initialised before or only the heads holding an order
  // (so a visit must record a double init, an identity change or a lost order), must count and write as the ranges
  // listed one by one on a map without layer
  it('initBlockRows over runs of blocks in equal states answers as the ranges one by one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 14 }),
        fc.array(fc.nat(3), { minLength: 1, maxLength: 14 }),
        fc.nat(5),
        fc.nat(3),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (sizes, before, cut, key, headsOnly, noEnds, shaped) => {
          const { bs, starts, ends } = blocksOfSizes(sizes);
          // before: per block, nothing (0), its tail initialised (1), its head given an order (2), or both (3)
          const tails = bs.filter((b, i) => before[i % before.length]! & 1 && b.end > b.start + 1);
          const heads = bs.filter((_, i) => before[i % before.length]! & 2).map((b) => b.start);
          const prep = (m: MemMap): void => {
            if (tails.length)
              m.initRanges(
                tails.map((b) => ({ start: b.start + 1, end: b.end, nid: 0, zid: 1 })),
                A,
              );
            if (heads.length)
              m.writeKhoHeadColumns(
                heads,
                heads.map(() => 1),
                true,
                A,
              );
          };
          // one stretch of every block, or two, the second with another key, cut at block `cut`
          const c = Math.min(cut, bs.length);
          // or over the blocks' head pages alone (lazy-tail's deserialize: no end column, or a column of ends one
          // past each start)
          const headEnds = starts.map((s) => s + 1);
          const rows = {
            blockStart: starts,
            blockEnd: headsOnly ? (noEnds ? null : headEnds) : ends,
            from: Int32Array.from(c > 0 && c < bs.length ? [0, c] : [0]),
            to: Int32Array.from(c > 0 && c < bs.length ? [c, bs.length] : [bs.length]),
            start: new Float64Array(2),
            end: new Float64Array(2),
            nid: Float64Array.from([key % 2, (key + 1) % 2]),
            zid: Float64Array.from([1, 2]),
            n: c > 0 && c < bs.length ? 2 : 1,
          };
          const layered = new MemMap(PRESENT, LIMIT);
          const plain = new MemMap(PRESENT, LIMIT);
          layered.attachBlocks(starts, ends);
          // or with the layer's caches and the block columns' shape made (as for a copy per strategy): the plain loop
          // reads no bound then
          if (shaped)
            withShapes(() => {
              layered.layerCachesForCopies();
              layered.noteBlockShape();
            });
          prep(layered);
          prep(plain);
          layered.initBlockRows(rows, B);
          // the plain map from the ranges of an explicit end column
          plain.initColumns(blockRowsColumns({ ...rows, blockEnd: headsOnly ? headEnds : ends }), B);
          expect(observe(layered, bs)).toEqual(observe(plain, bs));
        },
      ),
      { numRuns: 400 },
    );
  });

  // initBlockTails() takes a block whose head and tail states are the last written block's without a visit (a run of
  // blocks in equal states): runs of blocks with heads initialised on one node or another, some never, some tails
  // initialised before (a double init to record), must count and write as the tails listed from stateAt() on a map
  // without layer
  it('initBlockTails over runs of blocks in equal states answers as the tails listed one by one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 14 }),
        fc.array(fc.nat(7), { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (sizes, before, stride, noted) => {
          const { bs, starts, ends } = blocksOfSizes(sizes);
          // before: per block, its head initialised on node 0 (1) or 1 (2) or not (0, 3), its tail initialised (4)
          const code = (i: number): number => before[Math.floor(i / stride) % before.length]!;
          const heads = bs
            .map((b, i) => ({ b, c: code(i) & 3 }))
            .filter((x) => x.c === 1 || x.c === 2)
            .map(({ b, c }) => ({ start: b.start, end: b.start + 1, nid: c - 1, zid: 1 }));
          const tails = bs.filter((b, i) => code(i) & 4 && b.end > b.start + 1);
          const prep = (m: MemMap): void => {
            if (heads.length) m.initRanges(heads, A);
            if (tails.length)
              m.initRanges(
                tails.map((b) => ({ start: b.start + 1, end: b.end, nid: 0, zid: 1 })),
                A,
              );
          };
          const layered = new MemMap(PRESENT, LIMIT);
          const plain = new MemMap(PRESENT, LIMIT);
          layered.attachBlocks(starts, ends);
          prep(layered);
          prep(plain);
          const at = Int32Array.from(bs, (_, i) => i);
          // noted ascending by its maker (as the restored positions are) or looked at
          if (noted) noteAscendingPositions(at, at.length, bs.length);
          expect(layered.initBlockTails(starts, ends, at, at.length, B)).toBe(true);
          const ranges = bs
            .map((b) => ({ head: plain.stateAt(b.start), start: b.start + 1, end: b.end }))
            .filter((r) => r.end > r.start && r.head.initCount > 0)
            .map((r) => ({ start: r.start, end: r.end, nid: r.head.nid, zid: r.head.zid }));
          if (ranges.length) plain.initRanges(ranges, B);
          expect(observe(layered, bs)).toEqual(observe(plain, bs));
        },
      ),
      { numRuns: 300 },
    );
  });

  // initBlockTails() over positions in rows of blocks (kho_restore's restored positions: every block but those it
  // leaves), with the block columns' shape and the layer's prefix sums, walks each row of 16 positions or more as
  // blocks (plainTailsInRow: no position or bound read, four blocks a step, pages from the prefix sums): runs of blocks
  // with heads initialised on one node or another or never, one-page blocks among them, some tails initialised before
  // (a double init), blocks in the map's hole, must answer as without the shape (plainTails() over the positions)
  // and as the tails listed one by one on a map without the layer
  it('initBlockTails over rows of positions, the columns shaped, answers as without the shape and as the tails listed one by one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 20, maxLength: 40 }),
        fc.array(fc.nat(40), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 5 }),
        (sizes, pick, step) => {
          const { bs, starts, ends } = blocksOfSizes(sizes);
          const { at, prep, expected } = tailRowsCase(bs, pick);
          const layered = (shaped: boolean): MemMap => {
            const m = tailRowsMap(starts, ends, step, shaped, prep);
            expect(m.initBlockTails(starts, ends, at, at.length, B)).toBe(true);
            return m;
          };
          const seen = observe(layered(true), bs);
          expect(seen).toEqual(observe(layered(false), bs));
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  // initBlockTails() over positions given by those left out (PositionsBut: kho_restore's restored positions, every
  // block but a few), with the block columns' shape and the layer's prefix sums, walks the rows between them
  // (plainTailsOfRow) and lists its cover by stepping over them: it must answer as over their column and as the tails
  // listed one by one, and ask for no column (8M positions are a 32 MB one, written into fresh pages); without the shape
  // it takes their column
  it('initBlockTails over positions given by those left out answers as over their column, and makes none when shaped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 20, maxLength: 40 }),
        fc.array(fc.nat(40), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        (sizes, pick, step, shaped) => {
          const { bs, starts, ends } = blocksOfSizes(sizes);
          const { at, prep, expected } = tailRowsCase(bs, pick);
          const left = Int32Array.from(Array.from(bs.keys()).filter((i) => !at.includes(i)));
          let asked = 0;
          const positions: PositionsBut = {
            total: bs.length,
            left,
            n: at.length,
            column: () => {
              asked++;
              return at;
            },
          };
          const layered = (p: Int32Array | PositionsBut): unknown => {
            const m = tailRowsMap(starts, ends, step, shaped, prep);
            expect(m.initBlockTails(starts, ends, p, at.length, B)).toBe(true);
            // (the events' covers read too)
            return observe(m, bs);
          };
          const seen = layered(positions);
          expect(asked).toBe(shaped ? 0 : 1);
          expect(seen).toEqual(layered(at));
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  // blocks of 2^order pages each (KhoBlocks.sizedByOrder: classifyBlocks' ends): the layer's shape is made from their
  // order column, a byte a block, instead of their bounds; initBlockTails over rows of positions (plainTailsInRow, which
  // reads the shape) must answer as with the shape made from the bounds, and as the tails listed one by one
  it('the block shape made from the orders of blocks of 2^order pages answers as the one made from their bounds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1), { minLength: 20, maxLength: 40 }),
        fc.array(fc.nat(40), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 5 }),
        (orders, pick, step) => {
          const { bs, starts, ends } = blocksOfSizes(orders.map((o) => 2 ** o));
          const order = Uint8Array.from(orders);
          const { at, prep, expected } = tailRowsCase(bs, pick);
          const layered = (byOrder: boolean): unknown => {
            // columns of their own: a shape is made once per pair of columns
            const S = starts.slice();
            const E = ends.slice();
            const m = tailRowsMap(
              S,
              E,
              step,
              true,
              prep,
              byOrder ? { sortedDisjoint: true, sizedByOrder: true, order } : { sortedDisjoint: true },
            );
            expect(m.initBlockTails(S, E, at, at.length, B)).toBe(true);
            return observe(m, bs);
          };
          const seen = layered(true);
          expect(seen).toEqual(layered(false));
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  // a write of KHO heads (kho_memory_init's, every block's head) counts the never-initialised heads it touches and
  // lists none of them (PageEvent.uninitRanges): the layer's one pass over its own heads keeps no range, the general
  // path (tally() then applyIds()) and a map without layer record the same event
  it('a head write counts its never-initialised heads and lists no range, one pass or not', () => {
    fc.assert(
      fc.property(
        disjointBlocksArb,
        fc.array(fc.nat(3), { minLength: 1, maxLength: 24 }),
        (blocks, before) => {
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          const orders = Float64Array.from(blocks, (_, i) => i % 4);
          // before: per block, its head initialised (1), given an order (2), both (3) or neither (0)
          const inits = blocks.filter((_, i) => before[i % before.length]! & 1);
          const ordered = Float64Array.from(
            blocks.filter((_, i) => before[i % before.length]! & 2),
            (b) => b.start,
          );
          const maps = [
            new MemMap(PRESENT, LIMIT),
            new MemMap(PRESENT, LIMIT),
            new MemMap(PRESENT, LIMIT, { onePass: false }),
          ];
          maps[1]!.attachBlocks(starts, ends, { sortedDisjoint: true });
          maps[2]!.attachBlocks(starts, ends);
          const evs = maps.map((m) => {
            if (inits.length)
              m.initRanges(
                inits.map((b) => ({ start: b.start, end: b.start + 1, nid: 0, zid: 1 })),
                A,
              );
            if (ordered.length)
              m.writeKhoHeadColumns(ordered, new Float64Array(ordered.length).fill(2), false, A);
            const uninit = Array.from(starts).filter((p) => {
              const st = m.stateAt(p);
              return st.memmap && st.initCount === 0;
            }).length;
            const noMap = Array.from(starts).filter((p) => !m.stateAt(p).memmap).length;
            const ev = m.writeKhoHeadColumns(starts, orders, true, B)!;
            expect([ev.uninitPages, ev.noMemmapPages, ev.uninitRanges.n]).toEqual([uninit, noMap, 0]);
            return { ev, obs: observe(m, blocks) };
          });
          expect(evs[1]).toEqual(evs[0]);
          expect(evs[2]).toEqual(evs[0]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('changes nothing observable: events, states, runs and census equal those of a map without it', () => {
    fc.assert(
      fc.property(
        fc.oneof(blocksArb, disjointBlocksArb, disjointPastEndArb),
        fc.array(opArb, { maxLength: 8 }),
        fc.array(opArb, { maxLength: 8 }),
        fc.array(fc.nat(10), { minLength: 1, maxLength: 5 }),
        (blocks, before, after, pick) => {
          // the layered map is told when the blocks are sorted and disjoint (its run-by-run attach), the general one
          // never (its pass over every block)
          const promise = { sortedDisjoint: sortedDisjoint(blocks) };
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          const ops = [
            ...before,
            { kind: 'attach' } as Op,
            ...blockOps(blocks, pick, starts, ends),
            ...after,
          ];
          const plain = new MemMap(PRESENT, LIMIT);
          // prefix sums of the layer's pages every 3 blocks (64 in a replay): a few blocks fill several entries
          const layered = new MemMap(PRESENT, LIMIT, { prefixStep: 3 });
          // the same layer without the one pass over it (tally() then applyIds() per operation)
          const general = new MemMap(PRESENT, LIMIT, { onePass: false });
          for (const op of ops) {
            // typed columns (taken as they are when every block is layered) or plain arrays (copied)
            for (const m of [layered, general]) {
              if (op.kind === 'attach' && pick[0]! % 2 === 0)
                m.attachBlocks(starts, ends, m === layered ? promise : {});
              else if (op.kind === 'attach')
                m.attachBlocks(
                  blocks.map((b) => b.start),
                  blocks.map((b) => b.end),
                );
              else apply(m, op, m === layered);
            }
            if (op.kind !== 'attach') apply(plain, op);
          }
          const seen = observe(layered, blocks);
          expect(seen).toEqual(observe(plain, blocks));
          expect(seen).toEqual(observe(general, blocks));
        },
      ),
      {
        numRuns: 400,
        // found by fast-check: overlapping blocks (so only two in the layer) and an init over ranges that overlap
        // each other, whose bookkeeping sweep must search again instead of stepping on from the last range's end
        examples: [
          [
            [
              { start: 0, end: 1 },
              { start: 1, end: 2 },
              { start: 26, end: 35 },
              { start: 27, end: 28 },
              { start: 28, end: 29 },
            ],
            [{ kind: 'heads', pfns: [34], orders: [0] }],
            [],
            [0],
          ],
        ],
      },
    );
  });

  it("a run-by-run attach makes the layer's prefix sums and its blocks out of the layer as layerPrefix() and deadBlocks() make them", () => {
    type Caches = {
      prefix: Float64Array | null;
      deadOf: { dead: readonly number[] } | null;
      blkPages: Float64Array;
      layerPrefix(): Float64Array;
      deadBlocks(): readonly number[];
    };
    fc.assert(
      fc.property(
        fc.oneof(disjointBlocksArb, disjointPastEndArb),
        fc.array(opArb, { maxLength: 8 }),
        fc.integer({ min: 1, max: 7 }),
        (blocks, before, prefixStep) => {
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          // the same map twice: attached run by run (sortedDisjoint promised) and by the general pass
          const [made, general] = [0, 1].map(() => {
            const m = new MemMap(PRESENT, LIMIT, { prefixStep });
            for (const op of before) apply(m, op, true);
            return m;
          }) as [MemMap, MemMap];
          made.attachBlocks(starts, ends, { sortedDisjoint: true });
          general.attachBlocks(starts, ends, {});
          const c = made as unknown as Caches;
          const g = general as unknown as Caches;
          // the run-by-run attach made both caches; the general pass makes them when asked (its passes over the blocks)
          expect(c.prefix).not.toBeNull();
          expect(c.deadOf).not.toBeNull();
          const prefix = Array.from(c.prefix!);
          const dead = [...c.deadOf!.dead];
          expect(g.prefix).toBeNull();
          expect(prefix).toEqual(Array.from(g.layerPrefix()));
          expect(dead).toEqual([...g.deadBlocks()]);
          // and this map's own passes, its caches dropped
          c.prefix = null;
          c.deadOf = null;
          expect(prefix).toEqual(Array.from(c.layerPrefix()));
          expect(dead).toEqual([...c.deadBlocks()]);
          // the pages of the layer per state id: as the general pass counts them
          expect(Array.from(c.blkPages)).toEqual(Array.from(g.blkPages));
        },
      ),
      { numRuns: 500 },
    );
  });

  // replayEach makes the layer's caches (prefix sums, blocks out of the layer) once before the strategies' copies
  // (layerCachesForCopies), the prefix shared read only: each copy, and the map itself after them, must answer as a
  // map that made its own caches as it went, through the same operations
  it('copies of a map whose layer caches were made before the copy answer as a map that made its own', () => {
    fc.assert(
      fc.property(
        fc.oneof(blocksArb, disjointBlocksArb, disjointPastEndArb),
        fc.array(opArb, { maxLength: 6 }),
        fc.array(opArb, { maxLength: 6 }),
        fc.array(fc.nat(10), { minLength: 1, maxLength: 5 }),
        (blocks, before, after, pick) => {
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          shareReadOnly(starts, ends);
          const make = (): MemMap => {
            const m = new MemMap(PRESENT, LIMIT, { prefixStep: 3 });
            for (const op of before) apply(m, op, true);
            m.attachBlocks(starts, ends, { sortedDisjoint: sortedDisjoint(blocks) });
            return m;
          };
          const warmed = make();
          const prefix = warmed.layerCachesForCopies();
          if (prefix) shareReadOnly(prefix);
          const ctx = { memmap: warmed, pfnToNid: {} } as unknown as SimContext;
          const copies = [forkContext(ctx).memmap, forkContext(ctx).memmap];
          const own = make();
          // each copy in turn, then the map itself: every one through the ops the strategies' boots take
          const ops = [...blockOps(blocks, pick, starts, ends), ...after];
          for (const m of [own, ...copies, warmed]) for (const op of ops) apply(m, op, true);
          // and a check's sweep of the layer's own columns for the pages never initialised (or with no struct page):
          // over a layer with none such it steps from one block out of the layer to the next (deadBlocks())
          const seen = (m: MemMap): unknown => {
            const runs: unknown[] = [];
            if (sortedDisjoint(blocks)) {
              const marks = m.reader().mark((st) => !st.memmap || st.initCount === 0);
              m.markedRuns({ start: starts, end: ends, n: blocks.length }, marks, (s, e, st) =>
                runs.push([s, e, st]),
              );
            }
            return { runs, all: observe(m, blocks) };
          };
          const want = seen(own);
          for (const m of [...copies, warmed]) expect(seen(m)).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('readPattern counts and reports what a page-by-page read of the pattern finds (runs as query() gives them)', () => {
    fc.assert(
      fc.property(
        blocksArb,
        fc.array(opArb, { maxLength: 8 }),
        fc.array(fc.nat(10), { minLength: 1, maxLength: 5 }),
        fc.nat(LIMIT),
        fc.nat(LIMIT),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.boolean(),
        (blocks, ops, pick, start, len, stride, last, fresh) => {
          const m = new MemMap(PRESENT, LIMIT);
          m.attachBlocks(
            blocks.map((b) => b.start),
            blocks.map((b) => b.end),
          );
          const starts = Float64Array.from(blocks, (b) => b.start);
          // `fresh`: the blocks left as attached mostly, with the gaps between them initialised (a head and a tail of
          // one uninitialised state, in a run of one (that the read must join with them as one stretch) or between
          // initialised ones), else after the KHO phases' block ops
          const gaps = blocks
            .slice(1)
            .map((b, i) => ({ start: blocks[i]!.end, end: b.start }))
            .filter((r) => r.end > r.start);
          for (const op of [
            ...(fresh
              ? pick[0]! % 2
                ? [{ kind: 'initFree', ranges: gaps, nid: 0 } as Op]
                : []
              : blockOps(
                  blocks,
                  pick,
                  starts,
                  Float64Array.from(blocks, (b) => b.end),
                )),
            ...ops,
          ])
            if (op.kind !== 'attach') apply(m, op);
          const end = start + len;
          const offsets = last ? [0, stride - 1] : [0];
          const ev = m.readPattern({ start, end, stride, offsets, points: [] }, A);
          expect(patternRead(ev)).toEqual(patternByPages(m, start, end, stride, offsets));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('readPattern over blocks whose heads alone are initialised (lazy-tail at set_zone_contiguous) answers as a map without the layer and a page-by-page read', () => {
    // the tails between initialised heads, in an initialised run, are taken a block at a time (PatternCount
    // isolatedTails: strides a power of two, one or two offsets, else chain() per tail)
    fc.assert(
      fc.property(
        fc.oneof(disjointBlocksArb, disjointPastEndArb),
        fc.array(fc.nat(12), { minLength: 1, maxLength: 5 }),
        fc.array(opArb, { maxLength: 3 }),
        fc.nat(LIMIT),
        fc.nat(LIMIT + 8),
        fc.constantFrom(1, 2, 4, 8, 16, 3, 6),
        fc.constantFrom('first', 'last', 'both', 'three'),
        (blocks, pick, ops, start, len, stride, which) => {
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          const p = (i: number): number => pick[i % pick.length]! + i;
          const gaps = gapsBetween(blocks).filter((r, i) => r.end > r.start && p(i) % 7 !== 6);
          const setup: Op[] = [
            // deferred init over the gaps between the blocks (a few left out)
            { kind: 'initFree', ranges: gaps, nid: 0 },
            // init_deferred_page() on the heads (a few left out, some of another node or zone)
            {
              kind: 'init',
              ranges: blocks
                .filter((_, i) => p(i) % 5 !== 4)
                .map((b, i) => ({ start: b.start, end: b.start + 1, nid: 0, zid: p(i) % 9 === 8 ? 1 : 2 })),
              fn: 0,
            },
            // a KHO order on some heads, a tail initialised here and there
            {
              kind: 'heads',
              pfns: starts.filter((_, i) => p(i) % 4 === 1),
              orders: [3, 1, 2, 0, 3, 1, 2, 0, 3, 1],
            },
            tailsInit(blocks, (i) => p(i) % 6 === 5),
            ...ops,
          ];
          expectLayeredPatternRead(starts, ends, setup, start, start + len, stride, which);
        },
      ),
      { numRuns: 600 },
    );
    // the sweep counted the blocks met (readBlocksMet) in many of the reads, and the count was checked
    expect(blocksMetSeen).toBeGreaterThan(50);
  });

  it('readPattern over blocks whose heads and tails are never initialised (none at set_zone_contiguous) answers as a map without the layer and a page-by-page read', () => {
    // the blocks with a marked head inside an initialised run are taken in one loop (PatternCount markedHeads:
    // strides a power of two, one or two offsets, else markedChains()' own steps): heads of several orders (ids),
    // some without one (as the tail's), adjacent single-page blocks joining, a head or tail initialised here and there
    const seen = blocksMetSeen;
    const packedArb = gappedBlocksArb(2, 3, 40);
    fc.assert(
      fc.property(
        fc.oneof(disjointBlocksArb, disjointPastEndArb, packedArb),
        fc.array(fc.nat(12), { minLength: 1, maxLength: 5 }),
        fc.array(opArb, { maxLength: 2 }),
        fc.nat(LIMIT),
        fc.nat(LIMIT + 8),
        fc.constantFrom(1, 2, 4, 8, 16, 3, 6),
        fc.constantFrom('first', 'last', 'both', 'three'),
        (blocks, pick, ops, start, len, stride, which) => {
          const { starts, ends, p, setup: base } = neverInitSetup(blocks, pick);
          const setup: Op[] = [
            ...base,
            // init_deferred_page() on a head here and there, a tail there
            {
              kind: 'init',
              ranges: blocks
                .filter((_, i) => p(i) % 8 === 7)
                .map((b) => ({ start: b.start, end: b.start + 1, nid: 0, zid: 2 })),
              fn: 0,
            },
            tailsInit(blocks, (i) => p(i) % 6 === 5),
            ...ops,
          ];
          expectLayeredPatternRead(starts, ends, setup, start, start + len, stride, which);
        },
      ),
      { numRuns: 800 },
    );
    // the sweep counted the blocks met (headHits(), headHitsAll(): readBlocksMet) in many of the reads, each checked
    // against a search over every block (expectBlocksMet)
    expect(blocksMetSeen - seen).toBeGreaterThan(100);
  });

  it('readPattern counts the blocks met when a stretch is open into markedHeads() between blocks, or a tail opens one after a head that joined the stretch before', () => {
    // fixed cases for headHits()' block count (cb..cl of the open stretch) that the properties draw rarely: (a) a page
    // between blocks left uninitialised, its stretch still open when the sweep reaches the blocks (cl < cb: it meets no
    // block); (b) a block's head joining the tail before it (no order: the tail's id) and its own tail, of another id
    // (reserved), opening a stretch, the head's stretch holding no pattern pfn (so it counted no block)
    // (init: ranges initialised after, so that not every layer page is marked: headHits(), not headHitsAll())
    const cases: {
      blocks: Range[];
      uninit: Range[];
      orders: number[];
      reserved: Range[];
      init: Range[];
      stride: number;
    }[] = [
      {
        blocks: [r(125, 133), r(134, 135)],
        uninit: [r(80, 81)],
        orders: [-1, -1],
        reserved: [],
        init: [],
        stride: 1,
      },
      {
        blocks: [r(125, 133), r(134, 135)],
        uninit: [r(80, 81)],
        orders: [3, 0],
        reserved: [],
        init: [],
        stride: 1,
      },
      {
        blocks: [r(90, 92), r(125, 133)],
        uninit: [r(100, 101)],
        orders: [-1, -1],
        reserved: [],
        init: [],
        stride: 1,
      },
      // (the first block's pieces hold no pattern pfn: the second block is the first met)
      {
        blocks: [r(121, 124), r(126, 130)],
        uninit: [r(96, 97)],
        orders: [-1, -1],
        reserved: [],
        init: [],
        stride: 8,
      },
      {
        blocks: [r(121, 124), r(126, 130)],
        uninit: [r(96, 97)],
        orders: [3, 0],
        reserved: [],
        init: [],
        stride: 8,
      },
      {
        blocks: [r(121, 124), r(126, 130), r(140, 143)],
        uninit: [r(96, 97)],
        orders: [-1, -1, -1],
        reserved: [],
        init: [r(141, 143)],
        stride: 8,
      },
      // (a head of another order opening a stretch after one that held no pattern pfn)
      { blocks: [r(9, 14), r(16, 20)], uninit: [], orders: [3, 0], reserved: [], init: [], stride: 8 },
      {
        blocks: [r(9, 14), r(16, 20), r(40, 43)],
        uninit: [],
        orders: [3, 0, -1],
        reserved: [],
        init: [r(41, 43)],
        stride: 8,
      },
      {
        blocks: [r(10, 14), r(14, 18)],
        uninit: [],
        orders: [-1, -1],
        reserved: [r(15, 18)],
        init: [],
        stride: 8,
      },
      {
        blocks: [r(9, 14), r(14, 18), r(20, 22)],
        uninit: [],
        orders: [-1, -1, 0],
        reserved: [r(15, 18)],
        init: [],
        stride: 8,
      },
      {
        blocks: [r(10, 14), r(14, 18), r(40, 43)],
        uninit: [],
        orders: [-1, -1, -1],
        reserved: [r(15, 18)],
        init: [r(41, 43)],
        stride: 8,
      },
      {
        blocks: [r(9, 14), r(14, 18), r(20, 22), r(40, 43)],
        uninit: [],
        orders: [-1, -1, 0, -1],
        reserved: [r(15, 18)],
        init: [r(41, 43)],
        stride: 8,
      },
    ];
    for (const c of cases) {
      const starts = Float64Array.from(c.blocks, (b) => b.start);
      const ends = Float64Array.from(c.blocks, (b) => b.end);
      // the gaps between the blocks, less the pages left uninitialised
      const gaps: Range[] = [];
      for (const g of gapsBetween(c.blocks)) {
        let at = g.start;
        for (const u of c.uninit)
          if (u.start < g.end && u.end > g.start) {
            if (u.start > at) gaps.push(r(at, u.start));
            at = u.end;
          }
        if (g.end > at) gaps.push(r(at, g.end));
      }
      const ordered = c.blocks.map((_, i) => i).filter((i) => c.orders[i]! >= 0);
      const setup: Op[] = [
        { kind: 'initFree', ranges: gaps, nid: 0 },
        {
          kind: 'heads',
          pfns: Float64Array.from(ordered, (i) => starts[i]!),
          orders: ordered.map((i) => c.orders[i]!),
        },
        { kind: 'reserve', ranges: c.reserved },
        { kind: 'init', ranges: c.init.map((x) => ({ ...x, nid: 0, zid: 2 })), fn: 0 },
      ];
      for (const which of ['first', 'both'] as const) {
        const seen = blocksMetSeen;
        expectLayeredPatternRead(starts, ends, setup, 0, LIMIT, c.stride, which);
        // the sweep noted the count (and expectBlocksMet checked it)
        expect(blocksMetSeen, JSON.stringify(c)).toBe(seen + 1);
      }
    }
  });

  it('readPattern over consecutive windows (set_zone_contiguous, a zone each): the blocks their ranges meet, counted by the sweeps, are those a search finds', () => {
    // heads initialised, tails not (lazy-tail): the tails a block at a time (tailHits), a block across two windows met
    // by both reads (readBlocksMetAll counts it once)
    let summed = 0;
    let shared = 0;
    fc.assert(
      fc.property(
        fc.oneof(disjointBlocksArb, gappedBlocksArb(2, 9, 30)),
        fc.array(fc.nat(12), { minLength: 1, maxLength: 5 }),
        fc.uniqueArray(fc.integer({ min: 1, max: LIMIT - 1 }), { maxLength: 5 }),
        fc.constantFrom(1, 2, 4, 8, 3),
        fc.constantFrom([0], [0, 1], [1]),
        (blocks, pick, cuts, stride, offsets) => {
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          const p = (i: number): number => pick[i % pick.length]! + i;
          const m = new MemMap(PRESENT, LIMIT);
          m.attachBlocks(starts, ends, { sortedDisjoint: true });
          const setup: Op[] = [
            { kind: 'initFree', ranges: gapsBetween(blocks).filter((r) => r.end > r.start), nid: 0 },
            {
              kind: 'init',
              ranges: blocks
                .filter((_, i) => p(i) % 7 !== 6)
                .map((b) => ({ start: b.start, end: b.start + 1, nid: 0, zid: 2 })),
              fn: 0,
            },
            tailsInit(blocks, (i) => p(i) % 6 === 5),
          ];
          for (const op of setup) apply(m, op, true);
          const at = [0, ...[...cuts].sort((a, b) => a - b), LIMIT];
          const views: EventRanges[] = [];
          for (let k = 0; k + 1 < at.length; k++) {
            const ev = m.readPattern(
              {
                start: at[k]!,
                end: at[k + 1]!,
                stride,
                offsets: offsets.filter((o) => o < stride),
                points: [],
              },
              A,
            );
            expectBlocksMet(ev, starts, ends);
            if (ev.uninitRanges.n) views.push(ev.uninitRanges);
          }
          const got = readBlocksMetAll(views, starts);
          if (got < 0) return;
          // every block some range of some read meets, once
          let met = 0;
          for (let b = 0; b < starts.length; b++)
            if (
              views.some((r) =>
                Array.from({ length: r.n }, (_, k) => k).some(
                  (k) => starts[b]! < r.end[k]! && ends[b]! > r.start[k]!,
                ),
              )
            )
              met++;
          expect(got).toBe(met);
          summed++;
          if (views.reduce((s, r) => s + readBlocksMet(r)!.n, 0) > met) shared++;
        },
      ),
      { numRuns: 600 },
    );
    // many answers, some with a block met by two windows' reads
    expect(summed).toBeGreaterThan(100);
    expect(shared).toBeGreaterThan(10);
  });

  it('readPattern over blocks every page of which is never initialised (none at set_zone_contiguous, the whole layer) answers as a map without the layer and a page-by-page read', () => {
    // every layer page's state marked and with a struct page: markedHeads() takes the blocks with no look at marks or
    // flags (headHitsAll()); heads of several orders (ids) or none, adjacent single-page blocks joining, the gaps
    // between blocks initialised or not
    const packedArb = gappedBlocksArb(2, 5, 60);
    fc.assert(
      fc.property(
        fc.oneof(disjointBlocksArb, disjointPastEndArb, packedArb),
        fc.array(fc.nat(12), { minLength: 1, maxLength: 5 }),
        fc.nat(LIMIT),
        fc.nat(LIMIT + 8),
        fc.constantFrom(1, 2, 4, 8, 16, 3, 6),
        fc.constantFrom('first', 'last', 'both', 'three'),
        (blocks, pick, start, len, stride, which) => {
          const { starts, ends, setup } = neverInitSetup(blocks, pick);
          expectLayeredPatternRead(starts, ends, setup, start, start + len, stride, which);
        },
      ),
      { numRuns: 800 },
    );
  });

  it('readPattern over runs of never-initialised blocks alike (a head order, a length, a multiple of the stride apart) answers as a map without the layer and a page-by-page read', () => {
    const seen = blocksMetSeen;
    // headHitsAll() takes a run of blocks with one head id and length (a multiple of the stride, at least one), each
    // touching the one before or a multiple of the stride past it, in an inner loop once a block's head and tail are
    // both written: runs touching, apart by a multiple of the stride or not, ended by another order, length or gap,
    // by the read's end, their heads on the pattern or not, some heads with no order (the tail's id)
    const runsArb = fc
      .array(
        fc.tuple(
          fc.constantFrom(0, 1, 2, 4, 8),
          fc.constantFrom(1, 2, 4, 8, 3, 5, 6, 7, 9, 12),
          fc.integer({ min: 1, max: 6 }),
          fc.array(fc.constantFrom(0, 0, 0, 2, 4, 8, 1, 3), { minLength: 1, maxLength: 4 }),
          fc.nat(4),
        ),
        { minLength: 1, maxLength: 8 },
      )
      .map((runs) => {
        const blocks: Range[] = [];
        const orders: number[] = [];
        let at = 0;
        runs.forEach(([lead, len, count, gaps, order], r) => {
          at += lead;
          for (let i = 0; i < count; i++) {
            if (i > 0) at += gaps[i % gaps.length]!;
            // inside the present memory (every layer page with a struct page: the loop's case), on to its second range
            if (at < 80 && at + len > 70) at = 80;
            if (at + len > 150) return;
            blocks.push({ start: at, end: at + len });
            // order 4: no order (the head is in its tail's state); else one per run
            orders.push(order === 4 ? -1 : (order + r) % 4);
            at += len;
          }
        });
        return { blocks, orders };
      });
    fc.assert(
      fc.property(
        runsArb,
        fc.nat(12),
        fc.integer({ min: 1, max: LIMIT + 8 }),
        fc.constantFrom(1, 2, 4, 8, 16, 3),
        fc.constantFrom('first', 'last', 'both', 'three'),
        (runs, start, len, stride, which) => {
          const { blocks, orders } = runs;
          if (!blocks.length) return;
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          const ordered = blocks.map((_, i) => i).filter((i) => orders[i]! >= 0);
          const setup: Op[] = [
            { kind: 'initFree', ranges: gapsBetween(blocks).filter((r) => r.end > r.start), nid: 0 },
            {
              kind: 'heads',
              pfns: Float64Array.from(ordered, (i) => starts[i]!),
              orders: ordered.map((i) => orders[i]!),
            },
          ];
          expectLayeredPatternRead(starts, ends, setup, start, start + len, stride, which);
        },
      ),
      { numRuns: 1500 },
    );
    // the runs' blocks met counted as they are taken (headHitsAll()), checked as above
    expect(blocksMetSeen - seen).toBeGreaterThan(100);
  });

  it('warmPatternReads() over a large layer of never-initialised blocks changes no read: readPattern answers as a map without the layer', () => {
    // MemMap.warmPatternReads() primes headHitsAll() hot (a layer of 65536 blocks or more, every page never
    // initialised): a read after it, and in runs (pageblock-sized blocks touching or a pageblock apart), as before
    const P = 512;
    const blocks: Range[] = [];
    const rnd = lcg(7);
    let at = 0;
    while (blocks.length < 70000) {
      if (rnd(3) === 0) {
        // a run of pageblocks, touching or a pageblock apart
        at = Math.ceil(at / P) * P;
        for (let k = 1 + rnd(6); k > 0; k--) {
          blocks.push({ start: at, end: at + P });
          at += P * (1 + (rnd(4) === 0 ? 1 : 0));
        }
      } else {
        const len = 1 << rnd(4);
        blocks.push({ start: at, end: at + len });
        at += len + rnd(3);
      }
    }
    const limit = at + P;
    const starts = Float64Array.from(blocks, (b) => b.start);
    const ends = Float64Array.from(blocks, (b) => b.end);
    const layered = new MemMap([{ start: 0, end: limit }], limit);
    const plain = new MemMap([{ start: 0, end: limit }], limit);
    layered.attachBlocks(starts, ends, { sortedDisjoint: true });
    const ordered = blocks.map((_, i) => i).filter((i) => i % 5 !== 4);
    const setup: Op[] = [
      { kind: 'initFree', ranges: gapsBetween(blocks).filter((r) => r.end > r.start), nid: 0 },
      {
        kind: 'heads',
        pfns: Float64Array.from(ordered, (i) => starts[i]!),
        orders: ordered.map((i) => (blocks[i]!.end - blocks[i]!.start === P ? 9 : i % 3)),
      },
    ];
    for (const op of setup) {
      apply(layered, op, true);
      apply(plain, op);
    }
    layered.warmPatternReads();
    for (const [s, e] of [
      [0, limit],
      [P * 7 + 3, Math.floor(limit / 2)],
    ] as const) {
      const pattern = { start: s, end: e, stride: P, offsets: [0, P - 1], points: [] };
      expect(patternRead(layered.readPattern(pattern, A))).toEqual(
        patternRead(plain.readPattern(pattern, A)),
      );
    }
  });

  it('warmPatternReads() over a large layer of initialised heads and never-initialised tails primes tailHits() hot and changes no read', () => {
    // lazy-tail at set_zone_contiguous: heads initialised, tails not; MemMap.warmPatternReads() primes tailHits() hot
    // (a layer of 65536 blocks or more, some layer pages initialised and some not), and reads after it answer as a
    // map without the layer does
    const P = 512;
    const blocks: Range[] = [];
    const rnd = lcg(11);
    let at = 0;
    while (blocks.length < 70000) {
      const len = rnd(4) === 0 ? P : 1 << rnd(5);
      blocks.push({ start: at, end: at + len });
      at += len + (rnd(3) === 0 ? rnd(P) : 0);
    }
    const limit = at + P;
    const starts = Float64Array.from(blocks, (b) => b.start);
    const ends = Float64Array.from(blocks, (b) => b.end);
    const layered = new MemMap([{ start: 0, end: limit }], limit);
    const plain = new MemMap([{ start: 0, end: limit }], limit);
    layered.attachBlocks(starts, ends, { sortedDisjoint: true });
    const setup: Op[] = [
      { kind: 'initFree', ranges: gapsBetween(blocks).filter((r) => r.end > r.start), nid: 0 },
      {
        kind: 'init',
        ranges: blocks
          .filter((_, i) => i % 9 !== 8)
          .map((b) => ({ start: b.start, end: b.start + 1, nid: 0, zid: 2 })),
        fn: 0,
      },
    ];
    for (const op of setup) {
      apply(layered, op, true);
      apply(plain, op);
    }
    layered.warmPatternReads();
    expect(MemMap.patternLoopsWarm().tailHits).toBe(true);
    for (const [s, e] of [
      [0, limit],
      [P * 7 + 3, Math.floor(limit / 2)],
    ] as const) {
      const pattern = { start: s, end: e, stride: P, offsets: [0, P - 1], points: [] };
      const ev = plain.readPattern(pattern, A);
      expect(ev.uninitPages).toBeGreaterThan(1000);
      expect(patternRead(layered.readPattern(pattern, A))).toEqual(patternRead(ev));
    }
  });

  /**
   * The two single-page read properties' map: the blocks (attached as the layer when `how & 1`), the ops but attach
   * applied, and the positions `ex` names (below the block count, each once, ascending) to leave out
   */
  const headReadSetup = (
    blocks: readonly { start: number; end: number }[],
    ops: readonly Parameters<typeof apply>[1][],
    how: number,
    ex: readonly number[],
  ) => {
    const starts = Float64Array.from(blocks, (b) => b.start);
    const ends = Float64Array.from(blocks, (b) => b.end);
    const m = new MemMap(PRESENT, LIMIT);
    if (how & 1) m.attachBlocks(starts, ends, { sortedDisjoint: true });
    for (const op of ops) if (op.kind !== 'attach') apply(m, op, true);
    const at = [...new Set(ex.filter((i) => i < starts.length))].sort((a, b) => a - b);
    const except = at.length ? { at: Int32Array.from(at), n: at.length } : null;
    return { starts, m, at, except };
  };
  /** The arbitraries of headReadSetup()'s blocks, ops, how and positions to leave out */
  const headReadArbs = () =>
    [
      fc.oneof(disjointBlocksArb, disjointPastEndArb),
      fc.array(opArb, { maxLength: 4 }),
      fc.nat(3),
      fc.array(fc.nat(30), { maxLength: 4 }),
    ] as const;

  it('a read of single pages names the pfn column its uninitialised ranges were read from, and every page of them is one of its pfns', () => {
    // check() counts the blocks such ranges meet as their pages when the column is the blocks' own heads
    // (BlockIndex.headPages): the pages must be pfns of the column, each once
    let named = 0;
    fc.assert(
      fc.property(...headReadArbs(), (blocks, ops, how, ex) => {
        const { starts, m, at, except } = headReadSetup(blocks, ops, how, ex);
        const ev = how & 2 ? m.clearKhoHeadsThenRead(starts, A, except) : m.readPages(starts, A, except);
        const r = ev?.uninitRanges;
        if (!r || !r.n) return;
        const from = readFromPfns(r);
        if (from === undefined) return;
        named++;
        expect(from).toBe(starts);
        const kept = new Set([...starts].filter((_, i) => !at.includes(i)));
        let pages = 0;
        for (let k = 0; k < r.n; k++)
          for (let p = r.start[k]!; p < r.end[k]!; p++) {
            expect(kept.has(p)).toBe(true);
            pages++;
          }
        expect(pages).toBe(ev!.uninitPages);
      }),
      { numRuns: 400 },
    );
    // most such reads name it (the layer's heads, kept as point ranges or not)
    expect(named).toBeGreaterThan(100);
  });

  it('a read of single pages says its uninitialised ranges are normalized only when they are', () => {
    // check() takes such ranges as they are, with no isNormalized() pass (src/check/kho-findings.ts rangesOf): the
    // blocks' own heads (all, or but some positions), any pfns (unsorted, repeated), in a map with or without the layer
    let said = 0;
    let notNormalized = 0;
    fc.assert(
      fc.property(
        ...headReadArbs(),
        fc.array(fc.nat(LIMIT + 4), { maxLength: 30 }),
        fc.boolean(),
        (blocks, ops, how, ex, pfns, clr) => {
          const { starts, m, except } = headReadSetup(blocks, ops, how, ex);
          const col = how & 2 ? Float64Array.from(how & 1 ? pfns.sort((a, b) => a - b) : pfns) : starts;
          const ex2 = how & 2 ? null : except;
          // (clearKhoHeadsThenRead() reads as readPages(), for pfns in strict order)
          const strict = col.every((p, i) => i === 0 || p > col[i - 1]!);
          const ev = clr && strict ? m.clearKhoHeadsThenRead(col, A, ex2) : m.readPages(col, A, ex2);
          const r = ev?.uninitRanges;
          if (!r || !r.n) return;
          if (readNormalized(r)) {
            said++;
            expect(isNormalized(r.start, r.end, r.n)).toBe(true);
          } else if (!isNormalized(r.start, r.end, r.n)) notNormalized++;
        },
      ),
      { numRuns: 400 },
    );
    // both drawn: ranges said normalized, and ranges that are not (repeated pfns)
    expect([said > 20, notNormalized > 0]).toEqual([true, true]);
  });

  it('next(marks) gives the pieces of the general loop when it steps over unmarked layer blocks', () => {
    // predicates a check or set_zone_contiguous() marks by, and arbitrary sets of state ids
    const preds: ((st: PageState, id: number) => boolean)[] = [
      (st) => !st.memmap || st.initCount === 0,
      (st) => !st.memmap,
      (st) => st.memmap && st.initCount > 0 && st.nid !== 1,
      (st) => st.khoOrder >= 0,
      (st) => st.reserved,
    ];
    fc.assert(
      fc.property(
        blocksArb,
        fc.array(opArb, { maxLength: 8 }),
        fc.array(fc.nat(10), { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(LIMIT + 8), fc.nat(LIMIT)), { minLength: 1, maxLength: 6 }),
        fc.oneof(fc.nat(preds.length - 1), fc.array(fc.nat(40), { maxLength: 8 })),
        (blocks, ops, pick, ranges, which) => {
          const m = new MemMap(PRESENT, LIMIT);
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          m.attachBlocks(starts, ends);
          for (const op of [...blockOps(blocks, pick, starts, ends), ...ops])
            if (op.kind !== 'attach') apply(m, op);
          const pieces = (skipLayer: boolean): number[][] => {
            const r = m.reader(skipLayer);
            const marks = r.mark(() => false);
            const out: number[][] = [];
            const byId =
              typeof which === 'number' ? null : new Set(which.map((x) => x % Math.max(1, marks.length)));
            const mk = byId
              ? Uint8Array.from(marks, (_, id) => (byId.has(id) ? 1 : 0))
              : r.mark((st) => preds[which as number]!(st, 0));
            // ranges in the order drawn (ascending or not), each read to its end or stopped early
            for (const [s, len] of ranges) {
              r.range(s, s + len);
              while (r.next(mk)) out.push([r.s, r.e, r.id]);
            }
            return out;
          };
          expect(pieces(true)).toEqual(pieces(false));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('next(marks) over a row of unmarked layer blocks stops at the one marked block wherever it is in a step of four', () => {
    // Sweep.nextSkipping()'s look over an unmarked run (firstShowingMarked(): four blocks a step): 24 blocks of 8 pages
    // (every fifth of one page), all initialised on node 0 but block p's head, tail or a page inside its tail on
    // node 1 (the last out of the layer): the pieces of node 1 as the general loop gives them
    for (const what of ['head', 'tail', 'inside'] as const)
      for (let p = 0; p < 24; p++) {
        const limit = 1024;
        const starts = Float64Array.from({ length: 24 }, (_, i) => 16 + i * 16);
        const ends = Float64Array.from(starts, (s, i) => s + (i % 5 === 3 ? 1 : 8));
        const m = new MemMap([{ start: 0, end: limit }], limit);
        m.attachBlocks(starts, ends, { sortedDisjoint: true });
        m.initRanges(
          Array.from(starts, (s, i) => ({ start: s, end: ends[i]!, nid: 0, zid: 2 })),
          A,
        );
        const s = starts[p]!;
        const e = ends[p]!;
        const odd = what === 'head' ? [s, s + 1] : what === 'tail' ? [s + 1, e] : [s + 2, s + 3];
        if (!(odd[1]! > odd[0]! && odd[1]! <= e)) continue;
        m.initRanges([{ start: odd[0]!, end: odd[1]!, nid: 1, zid: 2 }], A);
        const pieces = (skipLayer: boolean): number[][] => {
          const r = m.reader(skipLayer);
          const mk = r.mark((st) => st.memmap && st.initCount > 0 && st.nid === 1);
          const out: number[][] = [];
          r.range(0, limit);
          while (r.next(mk)) out.push([r.s, r.e]);
          return out;
        };
        expect(pieces(false), `${what} ${p}`).toEqual([odd]);
        expect(pieces(true), `${what} ${p}`).toEqual([odd]);
      }
  });

  it('keeps the runs independent of the number of blocks touched whole, head or tail', () => {
    const runsWith = (nBlocks: number): number => {
      const limit = 1 << 22;
      const m = new MemMap([{ start: 0, end: limit }], limit);
      m.initRanges([{ start: 0, end: limit / 2, nid: 0, zid: 1 }], A);
      const S = new Float64Array(nBlocks);
      const E = new Float64Array(nBlocks);
      for (let i = 0; i < nBlocks; i++) {
        S[i] = limit / 2 + i * 64;
        E[i] = S[i]! + 8;
      }
      m.attachBlocks(S, E);
      m.initColumns(
        {
          start: S,
          end: E,
          nid: new Float64Array(nBlocks),
          zid: new Float64Array(nBlocks).fill(1),
          n: nBlocks,
        },
        A,
      );
      m.writeKhoHeadColumns(S, new Float64Array(nBlocks).fill(3), true, A);
      // the free ranges between the blocks, as deferred init frees them
      const free: (Range & { nid: number; zid: number })[] = [];
      for (let i = 0; i + 1 < nBlocks; i++) free.push({ start: E[i]!, end: S[i + 1]!, nid: 0, zid: 1 });
      m.initRanges(free, B);
      m.free(free, B);
      m.clearKhoHeads(S);
      m.readPages(S, A);
      expect(m.layeredBlocks).toBe(nBlocks);
      expect(m.census().khoHeads).toBe(0);
      return m.runCount;
    };
    expect(runsWith(20_000)).toBe(runsWith(100));
  });

  // kho_memory_init's head write and kho_restore's clear over orders in bytes (the block columns' own) take the heads
  // four blocks a step from a table of the (head id, order) pairs met so far (headsByTable), not stretch by stretch:
  // long runs of blocks in a few pairs, broken by heads of other flags (initialised or not, no struct page in the map's
  // holes), orders past the table's keys, blocks the verdict refuses or restores with a wrong order
  it('a head write and a restore clear over orders in bytes answer as over the same orders in a Float64Array, and as a map without the one pass or the layer', () => {
    fc.assert(
      fc.property(
        // (long columns: the table takes a pair's blocks only once the loop has met it)
        fc
          .array(fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 2 })), { minLength: 40, maxLength: 120 })
          .map(gappedBlocks),
        fc.array(fc.nat(40), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        (blocks, pick, magic, read) => {
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          const n = starts.length;
          const at = (i: number, shift: number): number => pick[(i >> shift) % pick.length]! + (i >> shift);
          // orders in stretches of two blocks: 0, 1, 9, or (rarely) past the table's keys
          const orders = Uint8Array.from(starts, (_, i) => {
            const c = at(i, 1);
            return c % 23 === 22 ? 64 + (c % 5) : c % 3 === 0 ? 9 : c % 2;
          });
          // heads initialised before the write in stretches of eight (two nodes), some left alone; after it, the heads
          // of a few blocks initialised again (magic lost) and a few blocks' orders not the ones written
          const inits = blocks
            .filter((_, i) => at(i, 3) % 5 !== 0)
            .map((b, i) => ({ start: b.start, end: b.start + 1, nid: (at(i, 3) >> 1) % 2, zid: 1 }));
          const later = blocks
            .filter((_, i) => at(i, 0) % 11 === 5)
            .map((b) => ({ start: b.start, end: b.start + 1, nid: 1, zid: 2 }));
          const own = Uint8Array.from(orders, (o, i) => (at(i, 0) % 13 === 7 ? (o + 1) % 3 : o));
          const stopAt = Array.from(starts.keys()).filter((i) => at(i, 0) % 19 === 4);
          const run = (m: MemMap, bytes: boolean): unknown => {
            const col = (o: Uint8Array): ArrayLike<number> => (bytes ? o : Float64Array.from(o));
            if (inits.length) m.initRanges(inits, A);
            const written = m.writeKhoHeadColumns(starts, col(orders), magic, B);
            if (later.length) m.initRanges(later, A);
            const { ids, passOrder, asked, left, decide } = restoreVerdict(m, starts, magic, stopAt);
            let ev: unknown = m.clearRestoredKhoHeads(
              starts,
              {
                passOrder,
                orders: col(own) as Uint8Array,
                stops: { at: Int32Array.from(stopAt), n: stopAt.length },
                decide,
              },
              read ? A : null,
            );
            if (ev === false) {
              // (the map declines: the verdict block by block, then the clear (and read) with the blocks left out)
              for (let i = 0; i < n; i++)
                if (stopAt.includes(i) || !(ids[i]! >= 0 && passOrder[ids[i]!] === own[i]))
                  decide(i, ids[i]!);
              const except = { at: Int32Array.from(left), n: left.length };
              ev = read ? m.clearKhoHeadsThenRead(starts, A, except) : null;
              if (!read) m.clearKhoHeads(starts, except);
            }
            return {
              asked,
              seen: { written, left: left.sort((a, b) => a - b), ev: ev ?? null, after: observe(m, blocks) },
            };
          };
          const layered = (opts = {}): MemMap => {
            const m = new MemMap(PRESENT, LIMIT, opts);
            m.attachBlocks(starts, ends, { sortedDisjoint: true });
            return m;
          };
          const want = run(layered(), true) as { seen: unknown };
          expect(run(layered(), false)).toEqual(want);
          // (which blocks decide() is asked about differs between maps: one pass asks about every block out of the
          // layer, the verdict block by block only about those that do not pass as stateIdsAt() reads them)
          for (const m of [layered({ onePass: false }), new MemMap(PRESENT, LIMIT)])
            expect((run(m, true) as { seen: unknown }).seen).toEqual(want.seen);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("kho_restore's verdict taken in the clear's one pass (clearRestoredKhoHeads) answers as the verdict block by block then the clear (and read) with the blocks left out", () => {
    // the verdict as khoRestore() gives it: a block of a kind not restored (a stop) is left; a head with no struct
    // page, or (magic) without KHO_PAGE_MAGIC, is refused; one whose order is not its block's is restored all the same
    let taken = 0;
    fc.assert(
      fc.property(
        fc.oneof(disjointBlocksArb, disjointPastEndArb),
        fc.array(fc.nat(20), { minLength: 1, maxLength: 6 }),
        fc.array(opArb, { maxLength: 3 }),
        fc.array(fc.nat(11), { minLength: 1, maxLength: 7 }),
        fc.boolean(),
        fc.boolean(),
        (blocks, pick, ops, odd, magic, read) => {
          const starts = Float64Array.from(blocks, (b) => b.start);
          const ends = Float64Array.from(blocks, (b) => b.end);
          const n = starts.length;
          // the order kho_memory_init writes, and the block's own: mostly the same, some another (one past the
          // head table's keys too), and the heads of a few blocks initialised after the write (magic lost)
          const written = Float64Array.from(starts, (_, i) => (i * 7 + pick[0]!) % 5);
          const orders = Uint8Array.from(written, (o, i) => {
            const c = odd[i % odd.length]! + i;
            return c % 11 === 3 ? o + 1 : c % 11 === 7 ? 70 : o;
          });
          const stopAt = Array.from(starts.keys()).filter((i) => (pick[i % pick.length]! + i) % 9 === 4);
          const setup: Op[] = [
            ...blockOps(blocks, pick, starts, ends).slice(0, 11),
            ...ops,
            { kind: 'heads', pfns: starts, orders: written },
            {
              kind: 'init',
              ranges: blocks
                .filter((b, i) => (odd[i % odd.length]! + i) % 6 === 5 && b.start < LIMIT)
                .map((b) => ({ start: b.start, end: b.start + 1, nid: 1, zid: 2 })),
              fn: 0,
            },
          ];
          const made = (): MemMap => {
            const m = new MemMap(PRESENT, LIMIT);
            m.attachBlocks(starts, ends, { sortedDisjoint: true });
            for (const op of setup) if (op.kind !== 'attach') apply(m, op, true);
            return m;
          };
          const restore = (m: MemMap, fused: boolean): unknown => {
            const { ids, passOrder, asked, left, decide } = restoreVerdict(m, starts, magic, stopAt);
            // (false: the map declines, nothing done: the caller's verdict block by block, as khoRestore())
            let ev: unknown = fused
              ? m.clearRestoredKhoHeads(
                  starts,
                  { passOrder, orders, stops: { at: Int32Array.from(stopAt), n: stopAt.length }, decide },
                  read ? A : null,
                )
              : false;
            if (ev !== false) taken++;
            else {
              expect(asked).toEqual([]);
              for (let i = 0; i < n; i++)
                if (stopAt.includes(i) || !(ids[i]! >= 0 && passOrder[ids[i]!] === orders[i]))
                  decide(i, ids[i]!);
              const except = { at: Int32Array.from(left), n: left.length };
              ev = read ? m.clearKhoHeadsThenRead(starts, A, except) : null;
              if (!read) m.clearKhoHeads(starts, except);
            }
            return { asked, left, ev: ev ?? null, after: observe(m, blocks) };
          };
          expect(restore(made(), true)).toEqual(restore(made(), false));
        },
      ),
      { numRuns: 500 },
    );
    // (most maps take the one pass)
    expect(taken).toBeGreaterThan(250);
  });
});
