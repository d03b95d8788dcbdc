// kernel/liveupdate/kexec_handover.c kho_memory_init() -> kho_release_scratch() and the memory-map walk (deserialize_bitmap K616/K618, kho_preserved_memory_reserve KR3/KD1; kho-abi.md §6.1 step 3).
import { MEMBLOCK_FLAGS, subtractRanges } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import type { RegionColumns } from '../mem-regions.js';
import { earlyPfnToNid, StrategyRunner } from './kho-run.js';
import type { KhoRun } from './kho-run.js';
import { KhoBlockCursor } from './kho-types.js';

const PHASE = 'kho_memory_init';

type Region = SimContext['tables']['reserved'][number];

const byStartEnd = (a: Region, b: Region): number => a.start - b.start || a.end - b.end;

/** The union of ranges [start[k], end[k]) sorted by start, as sorted disjoint columns [S[k], E[k]) for k < n. */
function normalizedColumns(
  start: Float64Array,
  end: Float64Array,
  count: number,
): { S: Float64Array; E: Float64Array; n: number } {
  const S = new Float64Array(count);
  const E = new Float64Array(count);
  let n = 0;
  for (let k = 0; k < count; k++) {
    const s = start[k]!;
    const e = end[k]!;
    if (!(e > s)) continue;
    if (n > 0 && s <= E[n - 1]!) {
      if (e > E[n - 1]!) E[n - 1] = e;
    } else {
      S[n] = s;
      E[n] = e;
      n++;
    }
  }
  return { S, E, n };
}

/**
 * memmap_init_kho_scratch_pages() (every version before the scratch fix KD2): init_deferred_page() on the free
 * part of each scratch area, so deferred init later initialises those pages a second time (kho-abi.md §6.5).
 */
function releaseScratch(ctx: SimContext, run: KhoRun): void {
  if (!run.profile.releasesScratchAtInit || !ctx.deferred) return;
  const reserved = ctx.tables.reserved.map((r) => ({
    start: Math.floor(r.start / 2 ** ctx.arch.PAGE_SHIFT),
    end: Math.ceil(r.end / 2 ** ctx.arch.PAGE_SHIFT),
  }));
  const runner = new StrategyRunner(ctx, run, 'deserialize', PHASE);
  for (const r of subtractRanges(run.scratch, reserved)) {
    for (const m of ctx.layout.memRanges) {
      const s = Math.max(r.start, m.start);
      const e = Math.min(r.end, m.end);
      if (s < e) runner.initDeferredPages(s, e, m.nid, 'memmap_init_kho_scratch_pages');
    }
  }
  runner.flush();
}

/**
 * For each preserved block, in the memory map's order: the strategy's deserialize-time init (before or after
 * the head write, as the strategy says), memblock_reserve() + memblock_reserved_mark_noinit() of the whole
 * block (reserved regions with MEMBLOCK_RSRV_NOINIT, so memmap_init_reserved_pages() skips them), and the
 * head's page->private = order (bare, K616) or {order, KHO_PAGE_MAGIC} (K618 on). The size is computed in
 * 64-bit here; the kernel's int shift is checked by KHO_BLOCK_SIZE_OVERFLOW.
 */
export function khoMemoryInit(ctx: SimContext, run: KhoRun): void {
  runPhase(ctx, PHASE, () => {
    if (!run.accepted) return;
    // the preserved blocks' struct pages from here on live in the memmap's block columns (same answers, and
    // the runs stop growing with the number of blocks)
    ctx.memmap.attachBlocks(run.blocks.startPfn, run.blocks.endPfn);
    releaseScratch(ctx, run);
    const runner = new StrategyRunner(ctx, run, 'deserialize', PHASE);
    const deser = run.strategy.deserialize?.bind(run.strategy);
    if (deser) {
      const b = new KhoBlockCursor(run.blocks);
      for (let i = 0; i < run.blocks.length; i++) {
        b.at(i);
        runner.current = b.index;
        deser(b, runner);
      }
    }
    if (run.strategy.deserializeInit === 'before-order-write') runner.flush();
    const pageSize = 2 ** ctx.arch.PAGE_SHIFT;
    const { startPfn, endPfn } = run.blocks;
    const count = run.blocks.length;
    // the blocks as memblock.reserved regions, in columns: bytes, node of the head (early_pfn_to_nid), NOINIT
    const added: RegionColumns = {
      start: new Float64Array(count),
      end: new Float64Array(count),
      nid: new Float64Array(count),
      count,
      flags: MEMBLOCK_FLAGS.MEMBLOCK_RSRV_NOINIT,
    };
    for (let i = 0; i < count; i++) {
      added.start[i] = startPfn[i]! * pageSize;
      added.end[i] = endPfn[i]! * pageSize;
      added.nid[i] = earlyPfnToNid(ctx, startPfn[i]!);
    }
    // memblock_reserve() merges with what is already reserved and mark_noinit() flags the whole block, so a
    // region reserved before keeps its flags only outside the preserved blocks
    const { S, E, n } = normalizedColumns(added.start, added.end, count);
    const kept: (typeof ctx.tables.reserved)[number][] = [];
    let j = 0;
    for (const r of [...ctx.tables.reserved].sort((a, b) => a.start - b.start)) {
      // blocks and regions both sorted: one forward sweep (regions may overlap each other, so j only skips
      // blocks that end before this region starts)
      while (j < n && E[j]! <= r.start) j++;
      let cur = r.start;
      for (let k = j; k < n && S[k]! < r.end; k++) {
        if (S[k]! > cur) kept.push({ start: cur, end: S[k]!, nid: r.nid, flags: r.flags });
        cur = Math.max(cur, E[k]!);
      }
      if (cur < r.end) kept.push({ start: cur, end: r.end, nid: r.nid, flags: r.flags });
    }
    kept.sort(byStartEnd);
    ctx.tables = { memory: ctx.tables.memory, reserved: kept, reservedColumns: added };
    ctx.memmap.writeKhoHeadColumns(run.blocks.startPfn, run.blocks.order, run.profile.pageMagic, {
      phase: PHASE,
      fn: 'kho_preserved_memory_reserve',
    });
    if (run.strategy.deserializeInit === 'after-order-write') runner.flush();
  });
}
