// kernel/liveupdate/kexec_handover.c kho_restore_folio() / kho_restore_pages() -> kho_restore_page() (K616, K618, K619, KR3; kho-abi.md §6.3), run for what the image says is used.
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import { StrategyRunner } from './kho-run.js';
import type { KhoRun } from './kho-run.js';

type RestoreFailure = 'magic' | 'order-above-max' | 'wrong-order' | 'no-memmap';

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
    const blocks = run.blocks;
    // the heads' struct pages as deserialize left them (blocks are sorted: one sweep over the memmap)
    const headPfns = new Float64Array(blocks.length);
    for (let i = 0; i < blocks.length; i++) headPfns[i] = blocks[i]!.startPfn;
    const heads = ctx.memmap.statesAt(headPfns);
    // the blocks that pass, by position in `blocks`, and their heads in a column (no array of objects)
    const okAt = new Int32Array(blocks.length);
    const okHeads = new Float64Array(blocks.length);
    let nOk = 0;
    const checkMagic = run.profile.pageMagic;
    const checkMax = run.profile.restoreChecksMaxOrder;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      if (!run.restoreKinds.has(b.kind)) continue;
      const st = heads[i]!;
      let reason: RestoreFailure | null = null;
      // K616: order = page->private, zeroed by any init since the write; K618+: magic and order in the union
      const order = st.khoOrder < 0 ? 0 : st.khoOrder;
      if (!st.memmap) reason = 'no-memmap';
      else if (checkMagic && !st.khoMagic) reason = 'magic';
      else if (checkMax && order > maxOrder) reason = 'order-above-max';
      else if (order !== b.order) reason = 'wrong-order';
      if (reason !== null) {
        const fn = b.kind === 'folio' || b.kind === 'subtree' ? 'kho_restore_folio' : 'kho_restore_pages';
        run.observations.push({ kind: 'restore-failed', phase: PHASE, fn, block: b.index, reason });
        // a wrong order is restored anyway (as the order the head says); the others are refused
        if (reason !== 'wrong-order') continue;
      }
      okAt[nOk] = i;
      okHeads[nOk++] = b.startPfn;
    }
    const okPfns = okHeads.subarray(0, nOk);
    // private is cleared right after the check, before anything else touches the page
    ctx.memmap.clearKhoHeads(okPfns);
    const runner = new StrategyRunner(ctx, run, 'restore', PHASE);
    const restore = run.strategy.restore?.bind(run.strategy);
    if (restore) {
      for (let k = 0; k < nOk; k++) {
        const b = blocks[okAt[k]!]!;
        runner.current = b.index;
        restore(b, runner);
      }
    }
    runner.flush();
    // adjust_managed_page_count(page, nr) -> page_zone(head): a read of the head's struct page
    ctx.memmap.readPages(okPfns, { phase: PHASE, fn: 'kho_restore_page' });
    for (let k = 0; k < nOk; k++) run.restored.add(blocks[okAt[k]!]!.index);
  });
}
