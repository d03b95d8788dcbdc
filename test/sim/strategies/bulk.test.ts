// A strategy's deserializeBlocks() (one call over the block columns) must do exactly what its deserialize() does
// block by block, and its restoreBlocks() what its restore() does block by block: the same replay of random
// preserved blocks on a real host (traces/qemu/b-16g-2node, both nodes, both sides of each node's
// first_deferred_pfn, holes, overlaps and blocks past the end of memory) with the bulk hook and with the same
// strategy stripped of it gives the same events, observations, census and findings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../../../src/check/kho-findings.js';
import { replay } from '../../../src/sim/replay.js';
import type { KhoStrategy } from '../../../src/sim/strategies/index.js';
import { listStrategies } from '../../../src/sim/strategies/index.js';
import type { Timeline } from '../../../src/sim/timeline.js';
import { makeHost } from '../build-host.js';
import { hostFromQemuTrace } from '../host-from-trace.js';
import { imageOf } from '../kho-fixtures.js';
import { scenarioOf } from '../scenario-of.js';

const host = hostFromQemuTrace('b-16g-2node');
const FIX = 'kho-v3-deferred-fix';
/** Past node 1's end (0x480000) by a little: blocks there have no memory region and no struct pages. */
const TOP = 0x4a0000;

const blocksArb = fc.array(
  fc.tuple(
    // mostly near each node's first_deferred_pfn (0x108000, 0x288000) and ends, anywhere otherwise
    fc.oneof(
      fc.integer({ min: 0x100000, max: 0x110000 }),
      fc.integer({ min: 0x27f000, max: 0x290000 }),
      fc.integer({ min: 0x470000, max: TOP }),
      fc.integer({ min: 1, max: TOP }),
    ),
    fc.integer({ min: 0, max: 11 }),
  ),
  { maxLength: 60 },
);

function observe(tl: Timeline): unknown {
  return {
    events: tl.events,
    observations: tl.kho?.run.observations,
    census: tl.memmap.census(),
    // every page's state, as maximal runs (an init that gives a page another zone may change no count)
    pages: tl.memmap.query(),
    runs: tl.memmap.runCount,
    findings: check(tl),
  };
}

describe('bulk strategy hooks', () => {
  const bulk = listStrategies().filter((s) => s.deserializeBlocks);

  it('some strategy has one', () => {
    expect(bulk.map((s) => s.name)).toContain('init-deferred-page');
  });

  it.each(bulk.map((s) => [s.name, s] as const))(
    '%s: deserializeBlocks() replays as deserialize() block by block',
    (_, strategy) => {
      const perBlock: KhoStrategy = { ...strategy, deserializeBlocks: undefined };
      fc.assert(
        fc.property(blocksArb, fc.constantFrom('on' as const, 'off' as const), (specs, deferred) => {
          const image = imageOf(specs.map(([pfn, order]) => ({ pfn, order })));
          const run = (s: KhoStrategy): unknown =>
            observe(replay(host, image, scenarioOf({ profile: FIX, strategy: s, deferred })));
          expect(run(strategy)).toEqual(run(perBlock));
        }),
        { numRuns: 25 },
      );
    },
  );

  // More blocks than the init queue's first room (1024 ranges), and more blocks split at node 0's end than the
  // room initDeferredBlocks() keeps for split blocks, before blocks that each queue one range: the bulk path must
  // grow its queue, not drop the ranges past its end
  const splitArb = fc.tuple(
    // across node 0's end at 0x280000 (each two ranges: its zone's part and the part past the node's end)
    fc.array(fc.integer({ min: 0x27fe01, max: 0x27ffff }), { minLength: 1030, maxLength: 1100 }),
    // past node 1's first_deferred_pfn, in node 1 (each one range)
    fc.array(fc.integer({ min: 0x290000, max: 0x470000 }), { minLength: 1000, maxLength: 1100 }),
  );

  // splitArb's images (node 0's end crossed by order-9 blocks, order-0 blocks past node 1's first_deferred_pfn)
  // replayed with deferred init on by `strategy` and by `perBlock` (the same strategy without a bulk hook): equal
  const fullQueueLikePerBlock = (strategy: KhoStrategy, perBlock: KhoStrategy): void => {
    fc.assert(
      fc.property(splitArb, ([across, inside]) => {
        const image = imageOf([
          ...inside.map((pfn) => ({ pfn, order: 0 })),
          ...across.map((pfn) => ({ pfn, order: 9 })),
        ]);
        const run = (s: KhoStrategy): unknown =>
          observe(replay(host, image, scenarioOf({ profile: FIX, strategy: s, deferred: 'on' })));
        expect(run(strategy)).toEqual(run(perBlock));
      }),
      { numRuns: 3 },
    );
  };

  it.each(bulk.map((s) => [s.name, s] as const))(
    '%s: deserializeBlocks() over a full init queue replays as deserialize() block by block',
    (_, strategy) => {
      fullQueueLikePerBlock(strategy, { ...strategy, deserializeBlocks: undefined });
    },
  );

  // whole blocks one after another that change zone and not node: node 0's last blocks (zone Normal), then blocks in
  // the struct pages past node 1's end (its last section is only half memory), which early_pfn_to_nid() gives the
  // first online node, 0, and no zone of node 0 spans (zone index MAX_NR_ZONES): the bulk path queues consecutive
  // whole blocks of one node and zone as one stretch, and must start another where the zone changes
  const halfSection = makeHost({
    memory: [
      [1, 0x280000, 0],
      [0x280000, 0x47f800, 1],
    ],
    release: '6.18.0',
  });
  const zoneChangeArb = fc.tuple(
    fc.uniqueArray(fc.integer({ min: 0x278000, max: 0x27ffff }), { minLength: 1, maxLength: 30 }),
    fc.uniqueArray(fc.integer({ min: 0x47f800, max: 0x47ffff }), { minLength: 1, maxLength: 30 }),
  );

  it.each(bulk.map((s) => [s.name, s] as const))(
    '%s: deserializeBlocks() over whole blocks that change zone within a node replays as deserialize()',
    (_, strategy) => {
      const perBlock: KhoStrategy = { ...strategy, deserializeBlocks: undefined };
      fc.assert(
        fc.property(zoneChangeArb, ([normal, past]) => {
          const image = imageOf([...normal, ...past].map((pfn) => ({ pfn, order: 0 })));
          const run = (s: KhoStrategy): unknown =>
            observe(replay(halfSection, image, scenarioOf({ profile: FIX, strategy: s, deferred: 'on' })));
          expect(run(strategy)).toEqual(run(perBlock));
        }),
        { numRuns: 5 },
      );
    },
  );

  // blocks that overlap the one before (an image may list them: nothing aligns or separates them), whole in their
  // zone stretch after a first block: the bulk path's stretch of whole blocks must stop at a block starting before
  // the end of the one before, which the queue's flush then clips as it clips any overlap
  const overlapArb = fc.array(
    fc.tuple(fc.integer({ min: 0x150000, max: 0x150400 }), fc.integer({ min: 1, max: 15 }), fc.nat(4)),
    { minLength: 1, maxLength: 20 },
  );

  it.each(bulk.map((s) => [s.name, s] as const))(
    '%s: deserializeBlocks() over overlapping whole blocks replays as deserialize() block by block',
    (_, strategy) => {
      const perBlock: KhoStrategy = { ...strategy, deserializeBlocks: undefined };
      fc.assert(
        fc.property(overlapArb, (pairs) => {
          const image = imageOf([
            { pfn: 0x140000, order: 0 },
            ...pairs.flatMap(([pfn, shift, order]) => [
              { pfn, order },
              { pfn: pfn + shift, order },
            ]),
          ]);
          const run = (s: KhoStrategy): unknown =>
            observe(replay(host, image, scenarioOf({ profile: FIX, strategy: s, deferred: 'on' })));
          expect(run(strategy)).toEqual(run(perBlock));
        }),
        { numRuns: 10 },
      );
    },
  );

  const lazyTail = listStrategies().find((s) => s.name === 'lazy-tail')!;
  // lazy-tail's restore without its deserialize: heads past first_deferred_pfn are never initialised, so the tails
  // of those blocks are left alone (lazy-tail's own heads are all initialised by the time they are restored)
  const tailsOnly: KhoStrategy = {
    ...lazyTail,
    name: 'test-tails-only',
    deserialize: undefined,
    deserializeBlocks: undefined,
  };
  const bulkRestore = [...listStrategies().filter((s) => s.restoreBlocks), tailsOnly];

  it('some strategies have a bulk restore hook', () => {
    expect(bulkRestore.map((s) => s.name)).toEqual(expect.arrayContaining(['lazy-tail', 'zone-walk']));
  });

  // restoreBlocks() gets the blocks kho_restore() restores: every kind or some (--restore), blocks refused at restore
  // (overlapping blocks lose their head's order, blocks past memory have no struct page) left out
  it.each(bulkRestore.map((s) => [s.name, s] as const))(
    '%s: restoreBlocks() replays as restore() block by block',
    (_, strategy) => {
      const perBlock: KhoStrategy = { ...strategy, restoreBlocks: undefined };
      fc.assert(
        fc.property(
          blocksArb,
          fc.constantFrom('on' as const, 'off' as const),
          fc.constantFrom('all', 'none', 'folio', 'pages'),
          (specs, deferred, restore) => {
            const image = imageOf(specs.map(([pfn, order]) => ({ pfn, order })));
            const run = (s: KhoStrategy): unknown =>
              observe(replay(host, image, scenarioOf({ profile: FIX, strategy: s, deferred, restore })));
            expect(run(strategy)).toEqual(run(perBlock));
          },
        ),
        { numRuns: 25 },
      );
    },
  );

  // more restored blocks than the init queue's first room, each queueing one range or (across node 0's end, where
  // the zone walk splits a block) two: the bulk loop must grow the queue, not drop the ranges past its end
  it.each(bulkRestore.map((s) => [s.name, s] as const))(
    '%s: restoreBlocks() over a full init queue replays as restore() block by block',
    (_, strategy) => {
      fullQueueLikePerBlock(strategy, { ...strategy, restoreBlocks: undefined });
    },
  );

  // the init queue keeps node and zone ids as given (doubles): an id past 32 bits (no real one, a strategy may
  // pass any) reaches the struct page unwrapped
  it('an init queued with an id past 32 bits keeps it', () => {
    const wide: KhoStrategy = {
      name: 'test-wide-ids',
      source: 'test',
      summary: '__init_single_page() on each head, the second with ids past 32 bits',
      deserializeInit: 'before-order-write',
      deserializeBlocks(blocks, ctx) {
        for (let i = 0; i < blocks.length; i++)
          ctx.initSinglePages(
            blocks.startPfn[i]!,
            blocks.startPfn[i]! + 1,
            i === 1 ? 2 ** 32 + 1 : 1,
            i === 1 ? 2 ** 31 : 2,
            'f',
          );
      },
    };
    const image = imageOf([
      { pfn: 0x300000, order: 0 },
      { pfn: 0x300010, order: 0 },
      { pfn: 0x300020, order: 0 },
    ]);
    const tl = replay(host, image, scenarioOf({ profile: FIX, strategy: wide, deferred: 'on' }));
    const ids = [0x300000, 0x300010, 0x300020].map((p) => [
      tl.memmap.stateAt(p).nid,
      tl.memmap.stateAt(p).zid,
    ]);
    expect(ids).toEqual([
      [1, 2],
      [2 ** 32 + 1, 2 ** 31],
      [1, 2],
    ]);
  });

  // the bulk loops take a stretch of whole blocks in one tight step (wholeBlocksRun, wholeBlocksRunAt) and must stop
  // it where the per-block loop would: at a block that crosses the end of its zone stretch (node 0's end), at a
  // block whose start leaves early_pfn_to_nid()'s cached memblock region for another node's memory (a node whose
  // memory lies on both sides of another's), and at a block kho_restore() does not restore (a kind left out)
  const runEnds: readonly {
    name: string;
    host: typeof host;
    blocks: { pfn: number; order: number }[];
    restore: string;
  }[] = [
    {
      name: 'a block across the zone end',
      host,
      blocks: [
        ...Array.from({ length: 8 }, (_, k) => ({ pfn: 0x27ff00 + k, order: 0 })),
        { pfn: 0x27fff8, order: 4 },
      ],
      restore: 'all',
    },
    {
      name: "a block in another node's memory between the node's own",
      host: makeHost({
        memory: [
          [1, 0x180000, 0],
          [0x180000, 0x200000, 1],
          [0x200000, 0x300000, 0],
          [0x300000, 0x400000, 1],
        ],
        release: '6.18.0',
      }),
      blocks: [
        ...Array.from({ length: 8 }, (_, k) => ({ pfn: 0x17fff8 + k, order: 0 })),
        ...Array.from({ length: 8 }, (_, k) => ({ pfn: 0x180000 + k, order: 0 })),
      ],
      restore: 'all',
    },
    {
      name: 'a block not restored between restored ones',
      host,
      blocks: [
        ...Array.from({ length: 4 }, (_, k) => ({ pfn: 0x150000 + k, order: 0 })),
        { pfn: 0x150800, order: 11 },
        ...Array.from({ length: 4 }, (_, k) => ({ pfn: 0x151000 + k, order: 0 })),
      ],
      restore: 'folio',
    },
  ];
  it.each(runEnds.map((c) => [c.name, c] as const))('stretches of whole blocks end at %s', (_, c) => {
    const image = imageOf(c.blocks);
    const run = (s: KhoStrategy): unknown =>
      observe(
        replay(c.host, image, scenarioOf({ profile: FIX, strategy: s, deferred: 'on', restore: c.restore })),
      );
    for (const strategy of bulk)
      expect(run(strategy)).toEqual(run({ ...strategy, deserializeBlocks: undefined }));
    for (const strategy of bulkRestore)
      expect(run(strategy)).toEqual(run({ ...strategy, restoreBlocks: undefined }));
  });
});
