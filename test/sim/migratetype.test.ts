// Pageblock migratetypes (src/sim/migratetype.ts) and their findings (src/check/migratetype-findings.ts) on the
// real qemu host b-16g-2node (pageblock order 9: 2 MiB) with the fixture image of kho-fixtures.ts. Scratch:
// lowmem [0x4000, 0x8000) in DMA32 (always initialised early), global [0x180000, 0x190000) and node 0's
// [0x190000, 0x1a0000) above node 0's first_deferred_pfn 0x108000, node 1's [0x400000, 0x410000) above 0x288000.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rangeList } from '../../src/core/index.js';
import type { Finding } from '../../src/check/kho-findings.js';
import { migratetypesOf } from '../../src/check/migratetype-findings.js';
import type { MmProfile } from '../../src/sim/mm-profiles.js';
import type { PageEvent } from '../../src/sim/memmap.js';
import { coverBlockRows, MemMap } from '../../src/sim/memmap.js';
import { MIGRATE, PageblockMap, pageblockCensus, replayMigratetypes } from '../../src/sim/migratetype.js';
import { checkKho, replayKho } from './kho-replay-helper.js';
import { hostFromQemuTrace } from './host-from-trace.js';
import { B16_CLEAN, imageOf } from './kho-fixtures.js';

const host = hostFromQemuTrace('b-16g-2node');
const only = (fs: readonly Finding[], code: string): Finding[] => fs.filter((f) => f.code === code);
const hexRanges = (f: Finding): [string, string][] =>
  rangeList(f.ranges).map((r) => [r.start.toString(16), r.end.toString(16)]);

describe('PageblockMap', () => {
  it('starts UNMOVABLE where a struct page exists, types sorted batches, and leaves the rest alone', () => {
    // pageblocks 0..9, struct pages for pfns [0, 4) and [6, 10) of 1-page pageblocks
    const m = new PageblockMap(1, 10, [
      { start: 0, end: 4 },
      { start: 6, end: 10 },
    ]);
    m.assign([1, 3], [2, 8], [MIGRATE.MIGRATE_MOVABLE, MIGRATE.MIGRATE_CMA], 'memmap_init_range');
    expect(m.runs().map((r) => [r.start, r.end, r.mt, r.by])).toEqual([
      [0, 1, 0, 'sparse_init'],
      [1, 2, 1, 'memmap_init_range'],
      [2, 3, 0, 'sparse_init'],
      [3, 4, 4, 'memmap_init_range'],
      [4, 6, -1, ''], // no struct page: not typed
      [6, 8, 4, 'memmap_init_range'],
      [8, 10, 0, 'sparse_init'],
    ]);
    expect([m.at(0), m.at(3), m.at(5), m.at(9)]).toEqual([0, 4, -1, 0]);
  });

  it('assign() equals a pageblock-by-pageblock model, and keeps runs maximal (fast-check)', () => {
    const TOTAL = 40;
    const range = fc.tuple(fc.nat(TOTAL + 4), fc.nat(8)).map(([s, l]) => ({ start: s, end: s + l }));
    // a batch: sorted disjoint pieces (as Batch makes them), each with a type; a setter per batch
    const batch = fc
      .array(fc.tuple(fc.nat(6), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 })), {
        maxLength: 6,
      })
      .map((parts) => {
        const s: number[] = [];
        const e: number[] = [];
        const mt: number[] = [];
        let at = 0;
        for (const [gap, len, t] of parts) {
          s.push(at + gap);
          e.push(at + gap + len);
          mt.push(t);
          at += gap + len;
        }
        return { s, e, mt };
      });
    fc.assert(
      fc.property(
        fc.array(range, { maxLength: 5 }),
        fc.array(fc.tuple(batch, fc.constantFrom('a', 'b', 'sparse_init')), { maxLength: 8 }),
        (present, ops) => {
          const sorted = [...present].sort((a, b) => a.start - b.start);
          const m = new PageblockMap(1, TOTAL, sorted);
          // the model: a type and setter per pageblock, as the constructor's contract says
          const mt = new Array<number>(TOTAL).fill(-1);
          const by = new Array<string>(TOTAL).fill('');
          let cur = 0;
          for (const r of sorted) {
            const s = Math.max(cur, r.start);
            const e = Math.min(TOTAL, r.end);
            for (let b = s; b < e; b++) [mt[b], by[b]] = [0, 'sparse_init'];
            if (e > s) cur = e;
          }
          for (const [b, who] of ops) {
            m.assign(b.s, b.e, b.mt, who);
            for (let k = 0; k < b.s.length; k++)
              for (let p = b.s[k]!; p < Math.min(b.e[k]!, TOTAL); p++)
                if (mt[p] !== -1) [mt[p], by[p]] = [b.mt[k]!, who];
          }
          const runs = m.runs();
          const got: [number, string][] = [];
          for (const r of runs) for (let p = r.start; p < r.end; p++) got.push([r.mt, r.by]);
          expect(got).toEqual(mt.map((t, p) => [t, by[p]!]));
          for (let i = 1; i < runs.length; i++)
            expect([runs[i]!.mt, runs[i]!.by]).not.toEqual([runs[i - 1]!.mt, runs[i - 1]!.by]);
          for (let p = 0; p < TOTAL; p++) expect(m.at(p)).toBe(mt[p]);
          expect(m.runCount).toBe(runs.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('replayMigratetypes near some pageblocks', () => {
  // an init_deferred_page() over block rows (MemMap.initBlockRows) keeps its cover as the rows: the ranges near the
  // pageblocks asked for come from binary searches in the block columns, and whether any range holds an aligned pfn
  // from the rows; a replay over the same events with the covers listed as plain columns must type and name alike
  it('types and names from a block-row cover as from the same ranges listed', () => {
    const P = 4;
    const LIMIT = 200;
    const PRESENT = [
      { start: 0, end: 90 },
      { start: 100, end: 200 },
    ];
    let byRows = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.nat(3)), {
          minLength: 1,
          maxLength: 24,
        }),
        fc.array(fc.tuple(fc.nat(6), fc.integer({ min: 1, max: 5 })), { maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(LIMIT), fc.integer({ min: 1, max: 40 })), { maxLength: 4 }),
        fc.boolean(),
        (parts, near, before, headsOnly) => {
          // blocks one after another, each after a gap; a row per part kind: 0, 1 blocks (a new row when the kind
          // changes), 2 the gap before the block as a range row, 3 both
          const bs: { start: number; end: number }[] = [];
          const rowOf: { from: number; to: number; start: number; end: number }[] = [];
          let at = 0;
          let kind = -1;
          for (const [gap, len, k] of parts) {
            const s = at + gap;
            if (s + len > LIMIT) break;
            if (k >= 2) rowOf.push({ from: -1, to: -1, start: at, end: s });
            const y = bs.length;
            bs.push({ start: s, end: s + len });
            const last = rowOf[rowOf.length - 1];
            if (last && last.from >= 0 && kind === (k & 1)) last.to = y + 1;
            else rowOf.push({ from: y, to: y + 1, start: 0, end: 0 });
            kind = k & 1;
            at = s + len;
          }
          const starts = Float64Array.from(bs, (b) => b.start);
          const ends = Float64Array.from(bs, (b) => b.end);
          const m = new MemMap(PRESENT, LIMIT);
          // an earlier init typing pageblocks too, so the order of the setters shows: ranges as drawn (out of order,
          // overlapping: a cover the map did not find sorted and disjoint is searched only after a look)
          if (before.length)
            m.initRanges(
              before.map(([s, l]) => ({ start: s, end: s + l, nid: 0, zid: 1 })),
              { phase: 'a', fn: 'memmap_init_range' },
            );
          m.attachBlocks(starts, ends);
          // the blocks whole, or their head pages alone (lazy-tail's deserialize: rows with no end column)
          m.initBlockRows(
            {
              blockStart: starts,
              blockEnd: headsOnly ? null : ends,
              from: Int32Array.from(rowOf, (r) => r.from),
              to: Int32Array.from(rowOf, (r) => r.to),
              start: Float64Array.from(rowOf, (r) => r.start),
              end: Float64Array.from(rowOf, (r) => r.end),
              nid: Float64Array.from(rowOf, () => 0),
              zid: Float64Array.from(rowOf, () => 1),
              n: rowOf.length,
            },
            { phase: 'kho_memory_init', fn: 'init_deferred_page' },
          );
          const ev = m.events[m.events.length - 1]!;
          // (a map whose blocks all left the layer lists the ranges)
          if (coverBlockRows(ev.cover!)) byRows++;
          // the rows' ranges listed here, one by one (heads: each block's first page)
          const os: number[] = [];
          const oe: number[] = [];
          for (const r of rowOf)
            if (r.from < 0) {
              os.push(r.start);
              oe.push(r.end);
            } else
              for (let y = r.from; y < r.to; y++) {
                os.push(bs[y]!.start);
                oe.push(headsOnly ? bs[y]!.start + 1 : bs[y]!.end);
              }
          const listed: PageEvent[] = m.events.map((e) =>
            e === ev && coverBlockRows(ev.cover!)
              ? { ...e, cover: { start: Float64Array.from(os), end: Float64Array.from(oe), n: os.length } }
              : e.cover
                ? {
                    ...e,
                    cover: {
                      start: Float64Array.from(e.cover.start),
                      end: Float64Array.from(e.cover.end),
                      n: e.cover.n,
                    },
                  }
                : e,
          );
          const only: { start: number; end: number }[] = [];
          let b = 0;
          for (const [gap, len] of near) {
            only.push({ start: b + gap, end: b + gap + len });
            b += gap + len + 1;
          }
          const tl = {
            arch: { pageblock_nr_pages: P },
            mm: { initDeferredPageSetsMigratetype: true } as MmProfile,
            layout: { presentSections: PRESENT },
            phases: [],
            memmap: m,
          } as unknown as Parameters<typeof replayMigratetypes>[0];
          const rows = replayMigratetypes({ ...tl, events: m.events }, null, { only });
          const cols = replayMigratetypes({ ...tl, events: listed }, null, { only });
          expect(rows.map.runs()).toEqual(cols.map.runs());
          expect([...rows.phaseOf]).toEqual([...cols.phaseOf]);
        },
      ),
      { numRuns: 400 },
    );
    expect(byRows).toBeGreaterThan(200);
  });
});

describe('scratch pageblocks on a KHO boot with deferral on', () => {
  // Expect: before the v7.2 fix kho_release_scratch() makes scratch CMA, then deferred init retypes the scratch above
  // first_deferred_pfn MOVABLE; v7.2 (memblock flag) and v7.3 (kho_scratch[]) keep every scratch pageblock CMA.
  it('v7.1 (forced on): the deferred scratch ends MOVABLE, retyped by deferred_free_pages', () => {
    const fs = checkKho(replayKho(host, imageOf(B16_CLEAN), { profile: 'v7.1', deferred: 'on' }));
    const lost = only(fs, 'KHO_SCRATCH_NOT_CMA');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.kernelFunction).toBe('deferred_free_pages');
    expect(lost[0]!.phase).toBe('page_alloc_init_late');
    expect(hexRanges(lost[0]!)).toEqual([
      ['180000', '1a0000'],
      ['400000', '410000'],
    ]);
    // the lowmem area in DMA32 is below first_deferred_pfn: nobody retypes it
    expect(rangeList(lost[0]!.ranges).some((r) => r.start < 0x8000)).toBe(false);
    expect(only(fs, 'KHO_CMA_OUTSIDE_SCRATCH')).toEqual([]);
  });
  it('v7.1 with deferral off (its Kconfig): scratch stays CMA', () => {
    const fs = checkKho(replayKho(host, imageOf(B16_CLEAN), { profile: 'v7.1' }));
    expect(fs.map((f) => f.code)).not.toContain('KHO_SCRATCH_NOT_CMA');
  });
  it.each(['v7.2', 'v7.3', 'v7.4'])('%s: every scratch pageblock ends CMA, nothing else does', (profile) => {
    const r = replayKho(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { profile });
    const fs = checkKho(r);
    expect(only(fs, 'KHO_SCRATCH_NOT_CMA')).toEqual([]);
    expect(only(fs, 'KHO_CMA_OUTSIDE_SCRATCH')).toEqual([]);
    // pagetypeinfo's count: 64 MiB of DMA32 scratch, 512 MiB on node 0, 256 MiB on node 1, in 2 MiB pageblocks
    const census = pageblockCensus(r.timeline, migratetypesOf(r.timeline).map);
    const cma = census.map((z) => [z.nid, z.zone, z.counts[MIGRATE.MIGRATE_CMA]]);
    expect(cma).toEqual([
      [0, 'DMA', 0],
      [0, 'DMA32', 32],
      [0, 'Normal', 256],
      [1, 'Normal', 128],
    ]);
  });
  it('with init-page-from-nid the loss still comes from deferred init: preserved blocks are never scratch', () => {
    // a preserved block is never in scratch; what this profile's __init_page_from_nid() types is the block's
    // own pageblocks, so scratch loses CMA only through deferred init here
    const fs = checkKho(
      replayKho(host, imageOf(B16_CLEAN), {
        profile: 'v7.1',
        strategy: 'init-page-from-nid',
        deferred: 'on',
      }),
    );
    expect(only(fs, 'KHO_SCRATCH_NOT_CMA')[0]!.kernelFunction).toBe('deferred_free_pages');
  });
});

describe('extended scratch (v7.3)', () => {
  const r = replayKho(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { profile: 'v7.3' });
  it('is every 1 GiB block of memory free of preserved blocks', () => {
    // B16_CLEAN touches the 1 GiB blocks 4 (0x100000..), 5 (0x150000), 7 (0x1c0000), 10 (0x284000), 12 (0x300000),
    // 15 (0x3c0000, 0x3ff003): everything else of [0, 0x480000) that is memory is extended scratch
    const ext = r.kho.run.extendedScratch;
    expect(ext.length).toBeGreaterThan(0);
    const gib = 0x40000;
    for (const b of B16_CLEAN) {
      const blk = Math.floor(b.pfn / gib);
      expect(ext.some((x) => x.start < (blk + 1) * gib && x.end > blk * gib)).toBe(false);
    }
    expect(ext.some((x) => x.start <= 8 * gib && x.end >= 9 * gib)).toBe(true);
  });
  it('is not CMA in v7.3 (kho_scratch[] decides), but would be with the memblock-flag rule', () => {
    const mt = migratetypesOf(r.timeline);
    // 1 GiB block 8 ([0x200000, 0x240000) on node 0) holds no preserved block and no kho_scratch[] area
    expect(mt.map.at((8 * 0x40000) / 512)).toBe(MIGRATE.MIGRATE_MOVABLE);
    const whatIf = checkKho(
      replayKho(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { profile: 'v7.3-memblock-mt' }),
    );
    const cma = only(whatIf, 'KHO_CMA_OUTSIDE_SCRATCH');
    expect(cma.map((f) => f.kernelFunction).sort()).toEqual([
      'deferred_free_pages',
      'memmap_init_range',
      'memmap_init_reserved_range',
    ]);
    // almost all of the extended scratch
    const pages = cma.reduce((n, f) => n + f.pages, 0);
    expect(pages).toBeGreaterThan(0x200000);
  });
});
