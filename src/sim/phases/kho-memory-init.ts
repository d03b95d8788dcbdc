// kernel/liveupdate/kexec_handover.c kho_memory_init() -> kho_release_scratch() and the memory-map walk (deserialize_bitmap K616/K618, kho_preserved_memory_reserve KR3/KD1; kho-abi.md §6.1 step 3).
import { normalizeRanges, subtractRanges } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import { MEMBLOCK } from '../mem-regions.js';
import { earlyPfnToNid, StrategyRunner } from './kho-run.js';
import type { KhoRun } from './kho-run.js';

const PHASE = 'kho_memory_init';

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
    releaseScratch(ctx, run);
    const runner = new StrategyRunner(ctx, run, 'deserialize', PHASE);
    const deser = run.strategy.deserialize?.bind(run.strategy);
    if (deser) {
      for (const b of run.blocks) {
        runner.current = b.index;
        deser(b, runner);
      }
    }
    if (run.strategy.deserializeInit === 'before-order-write') runner.flush();
    const pageSize = 2 ** ctx.arch.PAGE_SHIFT;
    const added = run.blocks.map((b) => ({
      start: b.startPfn * pageSize,
      end: b.endPfn * pageSize,
      nid: earlyPfnToNid(ctx, b.startPfn),
      flags: MEMBLOCK.RSRV_NOINIT,
    }));
    // memblock_reserve() merges with what is already reserved and mark_noinit() flags the whole block, so a
    // region reserved before keeps its flags only outside the preserved blocks
    const blocks = normalizeRanges(added);
    const kept: (typeof ctx.tables.reserved)[number][] = [];
    let j = 0;
    for (const r of [...ctx.tables.reserved].sort((a, b) => a.start - b.start)) {
      // blocks and regions both sorted: one forward sweep (regions may overlap each other, so j only skips
      // blocks that end before this region starts)
      while (j < blocks.length && blocks[j]!.end <= r.start) j++;
      let cur = r.start;
      for (let k = j; k < blocks.length && blocks[k]!.start < r.end; k++) {
        if (blocks[k]!.start > cur)
          kept.push({ start: cur, end: blocks[k]!.start, nid: r.nid, flags: r.flags });
        cur = Math.max(cur, blocks[k]!.end);
      }
      if (cur < r.end) kept.push({ start: cur, end: r.end, nid: r.nid, flags: r.flags });
    }
    ctx.tables = {
      memory: ctx.tables.memory,
      reserved: [...kept, ...added].sort((a, b) => a.start - b.start || a.end - b.end),
    };
    const heads = run.blocks.map((b) => ({ pfn: b.startPfn, order: b.order }));
    ctx.memmap.writeKhoHeads(heads, run.profile.pageMagic, {
      phase: PHASE,
      fn: 'kho_preserved_memory_reserve',
    });
    if (run.strategy.deserializeInit === 'after-order-write') runner.flush();
  });
}
