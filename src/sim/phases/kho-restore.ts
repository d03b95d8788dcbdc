// kernel/liveupdate/kexec_handover.c kho_restore_folio() / kho_restore_pages() -> kho_restore_page() (K616, K618, K619, KR3; kho-abi.md §6.3), run for what the image says is used.
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import { StrategyRunner } from './kho-run.js';
import type { KhoRun } from './kho-run.js';
import type { KhoBlock } from './kho-types.js';

const PHASE = 'kho_restore';

/**
 * For each block the replay restores (by kind, --restore): the head's page->private is checked (magic and
 * order from K618, order <= MAX_PAGE_ORDER until KR3; K616 trusts a bare order), the strategy's restore-time
 * init runs, adjust_managed_page_count() reads the head's zone (page_zone), and private is cleared. Blocks of
 * other kinds, and reserve_mem ranges, are never restored.
 */
export function khoRestore(ctx: SimContext, run: KhoRun): void {
  runPhase(ctx, PHASE, () => {
    if (!run.accepted) return;
    const maxOrder = ctx.arch.MAX_PAGE_ORDER;
    const ok: KhoBlock[] = [];
    // the heads' struct pages as deserialize left them (blocks are sorted: one sweep over the memmap)
    const heads = ctx.memmap.statesAt(Float64Array.from(run.blocks, (b) => b.startPfn));
    for (let i = 0; i < run.blocks.length; i++) {
      const b = run.blocks[i]!;
      if (!run.restoreKinds.has(b.kind)) continue;
      const fn = b.kind === 'folio' || b.kind === 'subtree' ? 'kho_restore_folio' : 'kho_restore_pages';
      const st = heads[i]!;
      const fail = (reason: 'magic' | 'order-above-max' | 'wrong-order' | 'no-memmap'): void => {
        run.observations.push({ kind: 'restore-failed', phase: PHASE, fn, block: b.index, reason });
      };
      if (!st.memmap) {
        fail('no-memmap');
        continue;
      }
      // K616: order = page->private, zeroed by any init since the write; K618+: magic and order in the union
      const order = st.khoOrder < 0 ? 0 : st.khoOrder;
      if (run.profile.pageMagic && !st.khoMagic) {
        fail('magic');
        continue;
      }
      if (run.profile.restoreChecksMaxOrder && order > maxOrder) {
        fail('order-above-max');
        continue;
      }
      if (order !== b.order) fail('wrong-order');
      ok.push(b);
    }
    // private is cleared right after the check, before anything else touches the page
    ctx.memmap.clearKhoHeads(ok.map((b) => b.startPfn));
    const runner = new StrategyRunner(ctx, run, 'restore', PHASE);
    const restore = run.strategy.restore?.bind(run.strategy);
    if (restore) {
      for (const b of ok) {
        runner.current = b.index;
        restore(b, runner);
      }
    }
    runner.flush();
    // adjust_managed_page_count(page, nr) -> page_zone(head): a read of the head's struct page
    ctx.memmap.readPages(
      ok.map((b) => b.startPfn),
      { phase: PHASE, fn: 'kho_restore_page' },
    );
    for (const b of ok) run.restored.add(b.index);
  });
}
