// replayEach() runs the boot up to kho_memory_init once and every strategy from a copy of it (src/sim/fork.ts);
// check() computes the strategy-independent findings once per image and layout (CheckPrep). Both must give what a
// replay of each strategy on its own gives: same timeline counts, same findings, range for range. A variant whose
// replay is an earlier one's (its strategy calls no hook in this boot, or is the same strategy, with the same restore
// kinds) is not replayed again but relabelled: it must still read as its own replay, under its own strategy.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InternalError, rangeList } from '../../src/core/index.js';
import { runKhoCells } from '../../src/check/check-runs.js';
import { compareStrategies } from '../../src/check/compare.js';
import { check } from '../../src/check/kho-findings.js';
import { capturedBoot, computeCosts } from '../../src/cost/index.js';
import type { SimContext } from '../../src/sim/context.js';
import { forkContext, HOLLOW, shareReadOnly, solidContext, SpareColumns } from '../../src/sim/fork.js';
import { MemMap } from '../../src/sim/memmap.js';
import { replay, replayEach } from '../../src/sim/replay.js';
import type { KhoBlock, KhoImageInput } from '../../src/sim/phases/kho-types.js';
import type { Scenario } from '../../src/sim/scenario.js';
import type { HostTrace } from '../../src/trace/host-trace.js';
import type { KhoStrategy, StrategyContext } from '../../src/sim/strategies/index.js';
import { findStrategy, listStrategies } from '../../src/sim/strategies/index.js';
import type { Finding } from '../../src/check/kho-findings.js';
import type { Timeline } from '../../src/sim/timeline.js';
import { scenarioOf } from '../sim/scenario-of.js';
import { hostFromQemuTrace } from '../sim/host-from-trace.js';
import { B16_CLEAN, B16_SCRATCH, imageOf } from '../sim/kho-fixtures.js';

const plain = (fs: readonly Finding[]) => fs.map((f) => ({ ...f, ranges: rangeList(f.ranges) }));
const shape = (tl: Timeline) => ({
  strategy: [tl.kho?.strategy.name, tl.kho?.run.strategy.name, tl.scenario.strategy?.name],
  restoreKinds: [...(tl.kho?.restoreKinds ?? [])],
  phases: tl.phases,
  nodes: tl.nodes,
  runs: tl.memmap.query(),
  events: tl.events.length,
  observations: tl.kho?.run.observations,
  restored: tl.kho?.run.restored.size,
});

/** What the sharing tests compare: the shared deferred-init batches taken, the state, the findings. */
const look = (tl: Timeline) => ({
  hits: tl.memmap.sharedHits,
  shape: shape(tl),
  findings: plain(check(tl)),
});

/**
 * deferred init of `ranges` three ways: copy a makes the shared record (shareDeferredInit), copy b may take it, and a
 * map that shares nothing runs it alone (the reference)
 */
function deferredInitShared(
  make: () => MemMap,
  ranges: Parameters<MemMap['initThenFreeColumns']>[0],
): { a: MemMap; b: MemMap; alone: MemMap } {
  const INIT = { phase: 'page_alloc_init_late', fn: 'deferred_init_pages' };
  const FREE = { phase: 'page_alloc_init_late', fn: 'deferred_free_pages' };
  const memmap = make();
  memmap.shareDeferredInit();
  const ctx = { memmap, pfnToNid: {} } as unknown as SimContext;
  const [a, b] = [forkContext(ctx).memmap, forkContext(ctx).memmap];
  const alone = make();
  for (const m of [a, b, alone]) m.initThenFreeColumns(ranges, INIT, FREE);
  return { a, b, alone };
}
const seenOf = (m: MemMap) => ({ runs: m.query(), census: m.census(), events: m.events });

/** deferred init's batch of [start, end) pairs, all of node 0 and zone 1 */
function batchOf(
  pairs: readonly (readonly [number, number])[],
): Parameters<MemMap['initThenFreeColumns']>[0] {
  return {
    start: Float64Array.from(pairs.map((p) => p[0])),
    end: Float64Array.from(pairs.map((p) => p[1])),
    nid: new Float64Array(pairs.length),
    zid: new Float64Array(pairs.length).fill(1),
    n: pairs.length,
  };
}

/** deferredInitShared() of the batch: copy b takes the record `hits` times (0 or 1), and every map sees as alone */
function expectSharedHits(
  make: () => MemMap,
  pairs: readonly (readonly [number, number])[],
  hits: number,
): void {
  const { a, b, alone } = deferredInitShared(make, batchOf(pairs));
  expect([a.sharedHits, b.sharedHits, alone.sharedHits]).toEqual([0, hits, 0]);
  expect(seenOf(a)).toEqual(seenOf(alone));
  expect(seenOf(b)).toEqual(seenOf(alone));
}

/** `take` of each strategy replayed by one replayEach(), with its `spare` columns and `listOrder`. */
function takeEach<T>(
  host: HostTrace,
  image: KhoImageInput,
  scenario: Scenario,
  strategies: readonly KhoStrategy[],
  take: (tl: Timeline) => T,
  spare?: SpareColumns,
  listOrder?: boolean,
): T[] {
  return replayEach(
    host,
    image,
    scenario,
    strategies.map((strategy) => ({ strategy })),
    take,
    undefined,
    spare,
    listOrder,
  );
}

/** `take` of each strategy replayed alone. */
function takeAlone<T>(
  host: HostTrace,
  image: KhoImageInput,
  scenario: Scenario,
  strategies: readonly KhoStrategy[],
  take: (tl: Timeline) => T,
): T[] {
  return strategies.map((strategy) => take(replay(host, image, { ...scenario, strategy })));
}

/** look() at each strategy replayed by one replayEach(), and at each replayed alone. */
function eachAndAlone(
  host: HostTrace,
  image: KhoImageInput,
  scenario: Scenario,
  strategies: readonly KhoStrategy[],
) {
  return {
    each: takeEach(host, image, scenario, strategies, look),
    alone: takeAlone(host, image, scenario, strategies, look),
  };
}

/** A strategy's replay as the tests of copies compare it: its shape and its findings. */
const shapeAndFindings = (tl: Timeline) => ({ shape: shape(tl), findings: plain(check(tl)) });

describe('replayEach', () => {
  const host = hostFromQemuTrace('b-16g-2node');
  // B16_SCRATCH overlaps scratch (image findings), the deferred-fix profile lets strategies differ
  for (const [name, blocks] of [
    ['clean', B16_CLEAN],
    ['scratch', B16_SCRATCH],
  ] as const)
    for (const deferred of ['on', 'off'] as const)
      it(`${name} image, --deferred ${deferred}: every strategy as its own replay gives`, () => {
        const image = imageOf(blocks);
        const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred });
        const strategies = listStrategies();
        const shared = takeEach(host, image, scenario, strategies, shapeAndFindings);
        const alone = takeAlone(host, image, scenario, strategies, shapeAndFindings);
        expect(shared).toEqual(alone);
        // with deferred init on the strategies differ, so a copy that leaked state between them would show (off,
        // every strategy finds every struct page initialised and replays alike, but for the strategy's name)
        const unnamed = alone.map((a) => JSON.stringify({ ...a, shape: { ...a.shape, strategy: null } }));
        expect(new Set(unnamed).size > 1).toBe(deferred === 'on');
      });

  // kho_restore counts its read of the heads in the pass that clears them when the strategy says its restore leaves the
  // heads alone (lazy-tail), and records it after the hook only when the hook's inits did (StrategyRunner
  // .headsLeftAlone); a strategy that says so wrongly (its restore initialises whole blocks, heads included) must get
  // the read of the heads as they are after its inits: every event, page for page, as the same strategy's without the
  // hint (the heads read again after the hook), in replayEach() and alone
  for (const deferred of ['on', 'off'] as const)
    it(`--deferred ${deferred}: a restore that leaves the heads alone, or says so wrongly, reads the heads as its own replay`, () => {
      const image = imageOf(B16_CLEAN);
      const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred });
      const lazyTail = findStrategy('lazy-tail')!;
      const zoneWalk = findStrategy('zone-walk')!;
      const liar: KhoStrategy = { ...zoneWalk, name: 'test-says-it-leaves-heads', restoreLeavesHeads: true };
      const strategies = [lazyTail, liar, zoneWalk];
      const events = (tl: Timeline) => JSON.parse(JSON.stringify(tl.events)) as unknown;
      const look = (tl: Timeline) => ({ runs: tl.memmap.query(), events: events(tl) });
      const hintless = strategies.map((s) => ({ ...s, restoreLeavesHeads: undefined }));
      const held: number[] = [];
      const shared = takeEach(host, image, scenario, strategies, (tl) => {
        held.push(tl.memmap.heldReads);
        return look(tl);
      });
      // the read counted in the clear's pass is the one recorded for lazy-tail (its hook writes only tails, with
      // deferred init on), never for the wrong claim
      expect(held).toEqual([deferred === 'on' ? 1 : 0, 0, 0]);
      const want = takeEach(host, image, scenario, hintless, look);
      expect(shared).toEqual(want);
      const alone = takeAlone(host, image, scenario, strategies, look);
      expect(alone).toEqual(takeAlone(host, image, scenario, hintless, look));
      expect(alone).toEqual(want);
    });

  // with a pool of spare columns (compare, when it keeps no timeline), a copy whose timeline has been taken hands its
  // memmap's columns to the next copies, which are written into them: every strategy must still give its replay
  // alone, and the columns must have been handed on (every column counts here: no size below which they are not)
  for (const [name, blocks] of [
    ['clean', B16_CLEAN],
    ['scratch', B16_SCRATCH],
  ] as const)
    it(`${name} image: copies written into spare columns give every strategy as its own replay`, () => {
      const image = imageOf(blocks);
      const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' });
      const spare = new SpareColumns(0);
      const strategies = listStrategies();
      const shared = takeEach(host, image, scenario, strategies, shapeAndFindings, spare);
      expect(spare.reused).toBeGreaterThan(0);
      // kho_restore's restored positions (zone-walk's, read again by lazy-tail) written into a spare column
      expect(spare.taken).toBe(1);
      expect(shared).toEqual(takeAlone(host, image, scenario, strategies, shapeAndFindings));
    });
  // the layer's id columns held as runs (src/sim/fork.ts ForkMode): the first copy of the start state takes its
  // columns (start keeps runs, written out for the last strategy that boots from it), and zone-walk's copy of none's
  // state before kho_restore waits as runs; with spare columns or without, in the list's order or twins first, every
  // strategy must still give its replay alone (the small image's columns held as runs whatever their size and runs)
  for (const [name, blocks] of [
    ['clean', B16_CLEAN],
    ['scratch', B16_SCRATCH],
  ] as const)
    for (const pool of [true, false])
      for (const listOrder of [false, true])
        it(`${name} image, spare columns ${pool}, list order ${listOrder}: layer columns held as runs give every strategy as its own replay`, () => {
          const image = imageOf(blocks);
          const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' });
          const was = { ...HOLLOW };
          Object.assign(HOLLOW, { minBlocks: 0, maxRunsPerBlock: 1, held: 0 });
          let held: number;
          let shared: ReturnType<typeof shapeAndFindings>[];
          const strategies = listStrategies();
          const spare = pool ? new SpareColumns(0) : undefined;
          try {
            shared = takeEach(host, image, scenario, strategies, shapeAndFindings, spare, listOrder);
            held = HOLLOW.held;
          } finally {
            Object.assign(HOLLOW, was);
          }
          // start's two columns taken by none's copy; zone-walk's copy of none's state waits with both as runs
          expect(held).toBe(4);
          if (spare) expect(spare.reused).toBeGreaterThan(0);
          expect(shared).toEqual(takeAlone(host, image, scenario, strategies, shapeAndFindings));
        });

  it("a map that gave its layer columns to a copy is read only once made whole, and the copy's writes are not its own", () => {
    const image = imageOf(B16_SCRATCH);
    const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' });
    const strategies = listStrategies();
    const was = { ...HOLLOW };
    Object.assign(HOLLOW, { minBlocks: 0, maxRunsPerBlock: 1 });
    try {
      // a map with its blocks in the layer and their heads written: none's after its replay
      let start: SimContext | null = null;
      replayEach(
        host,
        image,
        scenario,
        strategies.slice(0, 2).map((strategy) => ({ strategy })),
        (tl) => {
          if (!start) start = { memmap: tl.memmap, pfnToNid: {} } as unknown as SimContext;
          return 0;
        },
      );
      const ctx = start as unknown as SimContext;
      const before = { runs: ctx.memmap.query(), census: ctx.memmap.census() };
      const copy = forkContext(ctx, undefined, 'take');
      expect(ctx.memmap.hollow).toBe(true);
      expect(copy.memmap.hollow).toBe(false);
      expect(() => ctx.memmap.query()).toThrow(InternalError);
      // the copy initialises every page (every block's head and tail pages in the columns it took): the map it came
      // from does not see it
      expect(copy.memmap.layeredBlocks).toBeGreaterThan(0);
      copy.memmap.init(0, copy.memmap.limitPfn, 0, 0, { phase: 'test', fn: 'init' });
      expect(copy.memmap.census()).not.toEqual(before.census);
      const waiting = forkContext(ctx, undefined, 'wait');
      expect(waiting.memmap.hollow).toBe(true);
      for (const m of [solidContext(ctx).memmap, solidContext(waiting).memmap]) {
        expect(m.hollow).toBe(false);
        expect({ runs: m.query(), census: m.census() }).toEqual(before);
      }
    } finally {
      Object.assign(HOLLOW, was);
    }
  });

  // compare --html keeps the first strategy's timeline: no column of its memmap may be handed on then
  it("compare's first timeline, kept, is the first strategy's replay alone", () => {
    const image = imageOf(B16_SCRATCH);
    const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' });
    const was = SpareColumns.minBytes;
    SpareColumns.minBytes = 0;
    try {
      const c = compareStrategies(host, image, scenario, listStrategies(), {}, { firstTimeline: true });
      const alone = replay(host, image, { ...scenario, strategy: listStrategies()[0]! });
      expect(shape(c.firstTimeline!)).toEqual(shape(alone));
      expect(plain(check(c.firstTimeline!))).toEqual(plain(check(alone)));
    } finally {
      SpareColumns.minBytes = was;
    }
  });

  // a strategy that acts with deferred init off too (no posted strategy does): it must get a replay of its own
  const eager: KhoStrategy = {
    name: 'test-eager-head',
    source: 'test',
    summary: '__init_single_page() on each head at deserialize, deferred init or not',
    deserializeInit: 'before-order-write',
    deserialize(block, ctx) {
      const nid = ctx.earlyPfnToNid(block.startPfn);
      ctx.initSinglePages(block.startPfn, block.startPfn + 1, nid, 0, '__init_single_page');
    },
  };
  // the same with only the bulk deserialize hook, and as a class whose method (restore) is on the prototype: any hook
  // makes a strategy count
  const eagerBlocks: KhoStrategy = {
    name: 'test-eager-blocks',
    source: 'test',
    summary: '__init_single_page() on each head at deserialize, in one call',
    deserializeInit: 'before-order-write',
    deserializeBlocks(blocks, ctx) {
      for (let i = 0; i < blocks.length; i++)
        ctx.initSinglePages(blocks.startPfn[i]!, blocks.startPfn[i]! + 1, 0, 0, '__init_single_page');
    },
  };
  class EagerRestore implements KhoStrategy {
    readonly name = 'test-eager-restore';
    readonly source = 'test';
    readonly summary = '__init_single_page() on each head at restore';
    readonly deserializeInit = 'before-order-write' as const;
    restore(block: KhoBlock, ctx: StrategyContext): void {
      ctx.initSinglePages(block.startPfn, block.startPfn + 1, 0, 0, '__init_single_page');
    }
  }
  const eagerRestore = new EagerRestore();
  for (const deferred of ['on', 'off'] as const)
    it(`--deferred ${deferred}: twins (inert strategies, the same strategy twice) read as their own replays`, () => {
      const image = imageOf(B16_SCRATCH);
      const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred });
      const none = findStrategy('none');
      const lazy = findStrategy('lazy-tail');
      const variants = [
        { strategy: none },
        { strategy: eager },
        { strategy: findStrategy('init-deferred-page') },
        { strategy: eager },
        { strategy: lazy, restore: new Set<never>() },
        { strategy: lazy },
        { strategy: eagerBlocks },
        { strategy: eagerRestore },
      ];
      let takes = 0;
      const shared = replayEach(host, image, scenario, variants, (tl) => {
        takes++;
        return { shape: shape(tl), findings: plain(check(tl)) };
      });
      const alone = variants.map((v) => {
        const tl = replay(host, image, { ...scenario, ...v });
        return { shape: shape(tl), findings: plain(check(tl)) };
      });
      expect(shared).toEqual(alone);
      expect(takes).toBe(variants.length);
      // the test can tell the variants apart: the eager strategy initialises heads, --restore none restores nothing
      expect(alone[1]!.shape.phases).not.toEqual(alone[0]!.shape.phases);
      expect(alone[4]!.shape.restored).not.toEqual(alone[0]!.shape.restored);
      expect(alone[6]!.shape.phases).not.toEqual(alone[0]!.shape.phases);
      expect(alone[7]!.shape.phases).not.toEqual(alone[0]!.shape.phases);
      // with relabel, a twin's result is the earlier one's, relabelled; take runs for the variants replayed
      const ran: number[] = [];
      const named = replayEach(
        host,
        image,
        scenario,
        variants,
        (tl, i) => {
          ran.push(i);
          return tl.kho!.strategy.name;
        },
        (earlier, tl) => `${tl.kho!.strategy.name} as ${earlier}`,
      );
      expect(named).toEqual(
        deferred === 'off'
          ? [
              'none',
              eager.name,
              'init-deferred-page as none',
              `${eager.name} as ${eager.name}`,
              'lazy-tail',
              'lazy-tail as none',
              eagerBlocks.name,
              eagerRestore.name,
            ]
          : [
              'none',
              eager.name,
              'init-deferred-page',
              `${eager.name} as ${eager.name}`,
              'lazy-tail',
              'lazy-tail',
              eagerBlocks.name,
              eagerRestore.name,
            ],
      );
      // a variant that boots as an earlier one up to kho_restore (a restore-only strategy as none; with deferred init
      // off, lazy-tail as none too) is replayed right after that one
      expect(ran).toEqual(deferred === 'off' ? [0, 4, 7, 1, 6] : [0, 7, 1, 2, 4, 5, 6]);
    });

  // compare and check reuse a twin's findings and costs: each must equal its strategy's own replay, checked and costed
  const own = (
    strategy: KhoStrategy,
    scenario: ReturnType<typeof scenarioOf>,
    image: ReturnType<typeof imageOf>,
  ) => {
    const tl = replay(host, image, { ...scenario, strategy });
    const calibrateOn = capturedBoot(tl, host);
    return {
      strategy: strategy.name,
      findings: plain(check(tl)).map((f) => ({
        code: f.code,
        pages: f.pages,
        blocks: f.blocks,
        ranges: f.ranges,
      })),
      costs: computeCosts(tl, host, calibrateOn ? { calibrateOn } : {}),
      initialised: tl.phases
        .filter((p) => p.name === 'kho_memory_init' || p.name === 'kho_restore')
        .map((p) => p.initialised),
    };
  };
  for (const deferred of ['on', 'off'] as const)
    it(`--deferred ${deferred}: compare's and check's outcomes are each strategy's own`, () => {
      const image = imageOf(B16_SCRATCH);
      const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred });
      const strategies = listStrategies();
      const alone = strategies.map((s) => own(s, scenario, image));
      const c = compareStrategies(host, image, scenario, strategies);
      // told each outcome as it is taken (compare --json writes it then): the strategies replay in the list's order,
      // zone-walk (which goes on from none's boot) last, with the outcomes of the usual order
      const told: number[] = [];
      const t = compareStrategies(
        host,
        image,
        scenario,
        strategies,
        {},
        {
          onOutcome: (i, o, head) => {
            told.push(i);
            expect(head.blocks).toBe(image.preserved.count);
            expect(o.strategy).toBe(strategies[i]);
          },
        },
      );
      expect(told).toEqual(strategies.map((_, i) => i));
      const outcomeOf = (o: (typeof c.outcomes)[number]) => ({
        strategy: o.strategy.name,
        findings: o.findings.map((f) => ({ code: f.code, pages: f.pages, ranges: rangeList(f.ranges) })),
        costs: o.costs,
        initialised: [o.initAtDeserialize, o.initAtRestore],
      });
      expect(t.outcomes.map(outcomeOf)).toEqual(c.outcomes.map(outcomeOf));
      expect(
        c.outcomes.map((o) => ({
          strategy: o.strategy.name,
          findings: o.findings.map((f) => ({
            code: f.code,
            pages: f.pages,
            blocks: f.blocks,
            ranges: rangeList(f.ranges),
          })),
          costs: o.costs,
          initialised: [o.initAtDeserialize, o.initAtRestore],
        })),
      ).toEqual(alone.map((a) => ({ ...a, initialised: [a.initialised[0], a.initialised[1]] })));
      const runs = runKhoCells(
        host,
        image,
        strategies.map((s) => ({
          profile: 'kho-v3-deferred-fix',
          strategy: s.name,
          deferred,
          restore: 'all',
        })),
        {},
      );
      expect(
        runs.map((r) => ({
          strategy: r.kho!.strategy.name,
          cell: r.cell.strategy,
          timeline: r.timeline!.kho!.strategy.name,
          findings: r.findings.map((f) => ({
            code: f.code,
            pages: f.pages,
            blocks: f.blocks,
            ranges: rangeList(f.ranges),
          })),
          costs: r.costs,
        })),
      ).toEqual(
        alone.map((a) => ({
          strategy: a.strategy,
          cell: a.strategy,
          timeline: a.strategy,
          findings: a.findings,
          costs: a.costs,
        })),
      );
    });

  // forkContext copies every typed array but those over buffers declared read only (the block columns replayEach
  // shares): the block layer's bounds view the columns in every copy, the rest is each copy's own
  it('a copy shares the block columns declared read only, and copies every other typed array', () => {
    const starts = Float64Array.from([10, 20, 40]);
    const ends = Float64Array.from([12, 24, 48]);
    const memmap = new MemMap([{ start: 0, end: 100 }], 100);
    memmap.attachBlocks(starts, ends);
    const ctx = { memmap, pfnToNid: {}, col: new Float64Array(4) } as unknown as SimContext;
    const views = (o: object): [PropertyKey, ArrayBufferView][] =>
      Reflect.ownKeys(o)
        .map((k) => [k, (o as Record<PropertyKey, unknown>)[k]] as [PropertyKey, unknown])
        .filter((kv): kv is [PropertyKey, ArrayBufferView] => ArrayBuffer.isView(kv[1]));
    const sharedWith = (copy: SimContext): ArrayBufferView[] =>
      views(copy.memmap)
        .filter(([k, v]) => v === (memmap as unknown as Record<PropertyKey, unknown>)[k])
        .map(([, v]) => v);
    // not declared: nothing shared
    expect(sharedWith(forkContext(ctx))).toEqual([]);
    shareReadOnly(starts, ends);
    const copy = forkContext(ctx);
    const shared = sharedWith(copy);
    expect(shared.length).toBeGreaterThan(0);
    for (const v of shared) expect([starts.buffer, ends.buffer]).toContain(v.buffer);
    expect((copy as unknown as { col: Float64Array }).col).not.toBe(
      (ctx as unknown as { col: Float64Array }).col,
    );
  });
  // deferred_init_memmap()'s batch of a node is made once per memblock, layout, node, first_deferred_pfn and zone
  // (src/sim/phases/page_alloc_init_late.ts freeBatch): the strategies of one replayEach reach deferred init with the
  // same memblock, so their deferred_init_pages events cover the same columns, and (the test above) each replay
  // still equals the strategy replayed alone; a replay of its own makes its own batch
  it('strategies share deferred init batches, a replay of its own does not', () => {
    const image = imageOf(B16_SCRATCH);
    const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' });
    const covers = (tl: Timeline) =>
      tl.events.filter((e) => e.fn === 'deferred_init_pages').map((e) => e.cover!.start);
    const each = replayEach(
      host,
      image,
      scenario,
      listStrategies().map((strategy) => ({ strategy })),
      covers,
    );
    expect(each[0]!.length).toBeGreaterThan(0);
    for (const c of each) expect(c).toEqual(each[0]);
    for (const c of each) c.forEach((a, k) => expect(a).toBe(each[0]![k]));
    const alone = covers(replay(host, image, { ...scenario, strategy: findStrategy('none') }));
    expect(alone).toEqual(each[0]);
    alone.forEach((a, k) => expect(a).not.toBe(each[0]![k]));
  });

  // the gigantic hugetlb pages' regions of memblock.reserved are found once per memblock and page size
  // (src/sim/phases/hugetlb-bootmem.ts hugetlbRegions): the strategies of one replayEach reach page_alloc_init_late
  // with the same memblock and take the first one's walk; each still sets up the tails as the strategy replayed alone
  it('strategies share the walk for gigantic hugetlb tails, and each sets them up as its own replay does', () => {
    const P = 4096;
    // a 1 GiB page at 8 GiB on node 0 (free RAM of b-16g-2node, away from the blocks and scratch): the head reserved
    // RSRV_KERN|RSRV_HUGETLB, the tails also RSRV_NOINIT
    const giga: HostTrace = {
      ...host,
      reserved: [
        ...host.reserved,
        { start: 0x200000 * P, end: 0x200001 * P, nid: 0, flags: 0xa0 },
        { start: 0x200001 * P, end: 0x240000 * P, nid: 0, flags: 0xb0 },
      ].sort((a, b) => a.start - b.start),
    };
    const image = imageOf(B16_CLEAN);
    const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' });
    const seen = (tl: Timeline) => ({
      hugetlb: tl.events
        .filter((e) => /hugetlb|gather_bootmem/.test(e.fn))
        .map((e) => [e.phase, e.fn, e.start, e.end, e.pages, e.nid, e.zid]),
      shape: shape(tl),
      findings: plain(check(tl)),
    });
    const strategies = listStrategies();
    const each = replayEach(
      giga,
      image,
      scenario,
      strategies.map((strategy) => ({ strategy })),
      seen,
    );
    const alone = strategies.map((strategy) => seen(replay(giga, image, { ...scenario, strategy })));
    expect(each).toEqual(alone);
    for (const s of each)
      expect(s.hugetlb.map((h) => [h.at(2), h.at(3), h.at(4)])).toEqual([[0x200001, 0x240000, 0x3ffff]]);
  });

  // a helper object the memmap owns (its sweep cursor) is copied by its class's own constructor (the copy has the
  // hidden class of every instance: methods reading both stay monomorphic), with every field the original's
  it("a copy's sweep cursor is an instance of its class with the original's fields", () => {
    const memmap = new MemMap([{ start: 0, end: 100 }], 100);
    memmap.attachBlocks(Float64Array.from([10, 20]), Float64Array.from([12, 24]));
    const ctx = { memmap, pfnToNid: {} } as unknown as SimContext;
    const sw = (m: MemMap) => (m as unknown as { sw: Record<PropertyKey, unknown> }).sw;
    const copy = sw(forkContext(ctx).memmap);
    const orig = sw(memmap);
    expect(copy).not.toBe(orig);
    expect(Object.getPrototypeOf(copy)).toBe(Object.getPrototypeOf(orig));
    expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys(orig));
    for (const k of Reflect.ownKeys(orig)) expect(copy[k]).toEqual(orig[k]);
  });
  // deferred init over the gaps between the blocks is done by the first copy and taken by the others only where every
  // condition of MemMap.replayShared holds: a strategy that writes past its blocks (here the page after each block,
  // in a gap deferred init covers) changes the runs under those writes, and must replay deferred init itself
  it('deferred init is shared between strategies that leave the gaps alone, and only between them', () => {
    const image = imageOf(B16_SCRATCH);
    const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' });
    const none = findStrategy('none');
    const outside: KhoStrategy = {
      name: 'writes-outside',
      source: 'test',
      summary: 'initialises the page after each block (outside it)',
      deserializeInit: 'before-order-write',
      deserialize(block: KhoBlock, ctx: StrategyContext) {
        if (!ctx.deferred) return;
        const nid = ctx.earlyPfnToNid(block.startPfn);
        ctx.initDeferredPages(block.endPfn, block.endPfn + 1, nid, 'init_deferred_page');
      },
    };
    const { each, alone } = eachAndAlone(host, image, scenario, [
      none,
      findStrategy('init-deferred-page'),
      outside,
      findStrategy('lazy-tail'),
    ]);
    // a replay of its own shares nothing; the first copy records, the others take it, but the one writing outside
    expect(alone.map((a) => a.hits)).toEqual([0, 0, 0, 0]);
    expect(each[0]!.hits).toBe(0);
    expect(each[1]!.hits).toBeGreaterThan(0);
    expect(each[2]!.hits).toBe(0);
    expect(each[3]!.hits).toBe(each[1]!.hits);
    expect(each.map((e) => ({ ...e, hits: 0 }))).toEqual(alone.map((a) => ({ ...a, hits: 0 })));
    // writing outside changes what deferred init finds: the sharing had something to tell apart
    expect(each[2]!.shape.events).not.toEqual(each[0]!.shape.events);
  });
  // the record is taken only for ranges that meet no layer block: an operation that writes a block's columns too
  // is not in it (the copy would miss that write), so each copy runs it
  it('a copy takes deferred init from the record only when the ranges meet no layer block', () => {
    // block columns read only, as replayEach declares them: the copies' layers view the same ones
    const starts = Float64Array.from([10, 30]);
    const ends = Float64Array.from([12, 34]);
    shareReadOnly(starts, ends);
    const make = () => {
      const m = new MemMap([{ start: 0, end: 100 }], 100);
      m.attachBlocks(starts, ends);
      return m;
    };
    for (const [pairs, hits] of [
      [
        [
          [0, 10],
          [12, 30],
          [34, 60],
        ],
        1,
      ],
      [
        [
          [0, 20],
          [34, 60],
        ],
        0,
      ],
    ] as const) {
      expectSharedHits(make, pairs, hits);
    }
  });
  // whether the ranges meet a layer block is the sweep's own finding (MemMap.gapsMet: sweepGaps() stopped at a range),
  // not a look of its own before it: a copy takes the record exactly when no range meets a block in the layer (blocks
  // across the end of present memory are out of it), wherever the first range that meets one lies
  it('a copy takes deferred init from the record exactly when no range meets a layer block (any blocks and ranges)', () => {
    // blocks in [0, 160) (gaps 0-6, sizes 1-5); the ranges: the gaps between them that the mask keeps (deferred init's
    // batch), one of them (any, or none) widened by a page at its end into the block after it
    const blockPieces = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 5 })), {
      minLength: 1,
      maxLength: 24,
    });
    // both answers drawn, the first range meeting a block anywhere
    const seen = { met: 0, clear: 0, metLater: 0 };
    fc.assert(
      fc.property(
        blockPieces,
        fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
        fc.nat(30),
        (bp, keep, w) => {
          const blocks: [number, number][] = [];
          let at = 0;
          for (const [gap, len] of bp) {
            const s = at + gap;
            if (s + len > 160) break;
            blocks.push([s, s + len]);
            at = s + len;
          }
          const pairs: [number, number][] = [];
          for (let i = 0; i <= blocks.length; i++) {
            const s = i === 0 ? 0 : blocks[i - 1]![1];
            const e = i === blocks.length ? 160 : blocks[i]![0];
            if (e > s && keep[i]) pairs.push([s, e + (pairs.length === w && i < blocks.length ? 1 : 0)]);
          }
          fc.pre(blocks.length > 0 && pairs.length > 0);
          const starts = Float64Array.from(blocks.map((b) => b[0]));
          const ends = Float64Array.from(blocks.map((b) => b[1]));
          shareReadOnly(starts, ends);
          // present memory ends at 130: a block across it is out of the layer
          const make = () => {
            const m = new MemMap([{ start: 0, end: 130 }], 160);
            m.attachBlocks(starts, ends);
            return m;
          };
          const heads = (m: MemMap) => (m as unknown as { bH: Int32Array }).bH;
          const inLayer = Array.from(heads(make()).subarray(0, blocks.length), (h) => h >= 0);
          const meetAt = pairs.findIndex(([s, e]) =>
            blocks.some(([bs, be], i) => inLayer[i] && bs < e && be > s),
          );
          const meets = meetAt >= 0;
          seen[meets ? 'met' : 'clear']++;
          if (meetAt > 0) seen.metLater++;
          expectSharedHits(make, pairs, meets ? 0 : 1);
        },
      ),
      { numRuns: 300 },
    );
    // each answer drawn often enough to mean something: met ~40-60 and clear ~240-260 of the 300 runs, metLater (the
    // first meeting range not the first range) 24-43 in 15 runs; its bound was > 20 too, which a seed missed now and
    // then (about one full run in fifty): the bounds sit well below what every seed draws
    expect(seen.met).toBeGreaterThan(20);
    expect(seen.clear).toBeGreaterThan(20);
    expect(seen.metLater).toBeGreaterThan(8);
  });
  // blocks out of the layer (here one across the end of present memory) are part of the record's layer condition:
  // a copy with the same blocks out of it takes the record, and gets what its own run would give
  it('a copy takes deferred init from the record with blocks out of the layer, the same ones', () => {
    const starts = Float64Array.from([10, 30, 48, 70]);
    const ends = Float64Array.from([12, 34, 52, 72]);
    shareReadOnly(starts, ends);
    const make = () => {
      const m = new MemMap(
        [
          { start: 0, end: 50 },
          { start: 60, end: 100 },
        ],
        100,
      );
      m.attachBlocks(starts, ends);
      return m;
    };
    const ranges = {
      start: Float64Array.from([0, 12, 34, 60]),
      end: Float64Array.from([10, 30, 48, 70]),
      nid: new Float64Array(4),
      zid: new Float64Array(4).fill(1),
      n: 4,
    };
    const { a, b, alone } = deferredInitShared(make, ranges);
    expect([a.sharedHits, b.sharedHits, alone.sharedHits]).toEqual([0, 1, 0]);
    expect(seenOf(b)).toEqual(seenOf(alone));
  });
  // the record of a shared deferred init outlives the copy that made it (the later copies read it): it must hold
  // nothing of that copy's map, or every replay's memmap and events stay alive until the last strategy is done
  it('the deferred init record keeps nothing of the map that recorded it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const starts = Float64Array.from([10, 30]);
    const ends = Float64Array.from([12, 34]);
    shareReadOnly(starts, ends);
    const ranges = {
      start: Float64Array.from([0, 12, 34]),
      end: Float64Array.from([10, 30, 60]),
      nid: new Float64Array(3),
      zid: new Float64Array(3).fill(1),
      n: 3,
    };
    const INIT = { phase: 'page_alloc_init_late', fn: 'deferred_init_pages' };
    const FREE = { phase: 'page_alloc_init_late', fn: 'deferred_free_pages' };
    const memmap = new MemMap([{ start: 0, end: 100 }], 100);
    memmap.attachBlocks(starts, ends);
    memmap.shareDeferredInit();
    const ctx = { memmap, pfnToNid: {} } as unknown as SimContext;
    const later = forkContext(ctx).memmap;
    // the first copy records the operation, then is dropped
    const first = ((): WeakRef<MemMap> => {
      const m = forkContext(ctx).memmap;
      m.initThenFreeColumns(ranges, INIT, FREE);
      return new WeakRef(m);
    })();
    await new Promise((r) => setImmediate(r));
    gc();
    expect(first.deref()).toBeUndefined();
    // and the record still serves the later copy
    later.initThenFreeColumns(ranges, INIT, FREE);
    expect(later.sharedHits).toBe(1);
  });
  // a strategy whose only hook is restore() boots as one without hooks up to kho_restore (replay.ts
  // deserializeEffect): it goes on from a copy of that replay's state there, and still equals its replay alone; a
  // strategy with any other function-valued field (a hook the phases may read before the restores) boots itself
  it('restore-only strategies go on from an earlier boot up to kho_restore, and only they', () => {
    const image = imageOf(B16_SCRATCH);
    const scenario = scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' });
    const zoneWalk = findStrategy('zone-walk');
    const withHook: KhoStrategy = {
      ...zoneWalk,
      name: 'zone-walk-plus',
      summary: 'zone-walk with another hook',
    };
    (withHook as unknown as Record<string, unknown>)['laterHook'] = () => undefined;
    const { each, alone } = eachAndAlone(host, image, scenario, [
      findStrategy('none'),
      zoneWalk,
      withHook,
      findStrategy('lazy-tail'),
    ]);
    expect(each.map((e) => ({ ...e, hits: 0 }))).toEqual(alone.map((a) => ({ ...a, hits: 0 })));
    // zone-walk's state is a copy of none's before kho_restore (none took nothing from the record); the one with
    // another hook and lazy-tail booted on their own and took deferred init from the record
    expect(each[0]!.hits).toBe(0);
    expect(each[1]!.hits).toBe(0);
    expect(each[2]!.hits).toBeGreaterThan(0);
    expect(each[3]!.hits).toBe(each[2]!.hits);
  });
});
