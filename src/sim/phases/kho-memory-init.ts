// kernel/liveupdate/kexec_handover.c kho_memory_init() -> kho_release_scratch() and the memory-map walk (deserialize_bitmap K616/K618, kho_preserved_memory_reserve KR3/KD1; kho-abi.md §6.1 step 3).
import { MEMBLOCK_FLAGS, subtractRanges } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import type { Memblock } from '../memblock.js';
import type { RangeBatch } from '../memblock-batch.js';
import { StrategyRunner } from './kho-run.js';
import type { KhoRun } from './kho-run.js';
import type { KhoBlocks } from './kho-types.js';
import { KhoBlockCursor } from './kho-types.js';

const PHASE = 'kho_memory_init';

/** The memblock kho_memory_init() leaves for a memblock it starts from and the blocks (one per starting memblock). */
const reservedFrom = new WeakMap<Memblock, { blocks: KhoBlocks; pageSize: number; result: Memblock }>();

/**
 * kho_preserved_memory_reserve() per block: memblock_reserve() (NUMA_NO_NODE, merged with what is there) then
 * memblock_reserved_mark_noinit() of the whole block, so a region reserved before keeps its node and flags and
 * gains RSRV_NOINIT where a block covers it: one sweep over the blocks' columns, in bytes, on a copy. The strategy
 * plays no part in it: the strategies compare and check replay from one boot (src/sim/replay.ts replayEach) start
 * from the same memblock and share the result, which (as every memblock once the boot tables are built) is
 * replaced by a phase that changes memblock, never changed in place.
 */
function withBlocksReserved(from: Memblock, blocks: KhoBlocks, pageSize: number): Memblock {
  const hit = reservedFrom.get(from);
  if (hit && hit.blocks === blocks && hit.pageSize === pageSize) return hit.result;
  // the blocks' pfn columns with the page size as the batch's scale: no byte copy of them
  const batch: RangeBatch = { start: blocks.startPfn, end: blocks.endPfn, n: blocks.length, scale: pageSize };
  const result = from.clone();
  result.reserveRanges(batch, MEMBLOCK_FLAGS.MEMBLOCK_RSRV_NOINIT);
  reservedFrom.set(from, { blocks, pageSize, result });
  return result;
}

/**
 * memmap_init_kho_scratch_pages() (every version before the scratch fix KD2): init_deferred_page() on the free
 * part of each scratch area, so deferred init later initialises those pages a second time (kho-abi.md §6.5).
 */
function releaseScratch(ctx: SimContext, run: KhoRun): void {
  if (!run.profile.releasesScratchAtInit || !ctx.deferred) return;
  const reserved: { start: number; end: number }[] = [];
  ctx.memblock.forEachReservedMemRegion((start, end) =>
    reserved.push({
      start: Math.floor(start / 2 ** ctx.arch.PAGE_SHIFT),
      end: Math.ceil(end / 2 ** ctx.arch.PAGE_SHIFT),
    }),
  );
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
    const skip = run.strategy.deferredOnly && !ctx.deferred;
    const deser = skip ? undefined : run.strategy.deserialize?.bind(run.strategy);
    if (!skip && run.strategy.deserializeBlocks) run.strategy.deserializeBlocks(run.blocks, runner);
    else if (deser) {
      runner.expect(run.blocks.length + 1024);
      const b = new KhoBlockCursor(run.blocks);
      for (let i = 0; i < run.blocks.length; i++) {
        b.at(i);
        runner.current = b.index;
        deser(b, runner);
      }
    }
    if (run.strategy.deserializeInit === 'before-order-write') runner.flush();
    ctx.memblock = withBlocksReserved(ctx.memblock, run.blocks, 2 ** ctx.arch.PAGE_SHIFT);
    ctx.memmap.writeKhoHeadColumns(run.blocks.startPfn, run.blocks.order, run.profile.pageMagic, {
      phase: PHASE,
      fn: 'kho_preserved_memory_reserve',
    });
    if (run.strategy.deserializeInit === 'after-order-write') runner.flush();
  });
}
