// kernel/liveupdate/kexec_handover.c kho_restore_folio() / kho_restore_pages() -> kho_restore_page() (K616, K618, K619, KR3; kho-abi.md §6.3), run for what the image says is used.
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import { StrategyRunner } from './kho-run.js';
import type { KhoRun } from './kho-run.js';
import { KHO_RESTORE_KINDS, KhoBlockCursor } from './kho-types.js';

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
    const headPfns = blocks.startPfn;
    const kinds = blocks.kindCode;
    const orders = blocks.order;
    const indexes = blocks.index;
    // the kinds restored, by kind code
    const restoring = KHO_RESTORE_KINDS.map((k) => run.restoreKinds.has(k));
    // the blocks that pass, by position in `blocks`, and their heads in a column (no array of objects)
    const okAt = new Int32Array(blocks.length);
    const okHeads = new Float64Array(blocks.length);
    let nOk = 0;
    const checkMagic = run.profile.pageMagic;
    const checkMax = run.profile.restoreChecksMaxOrder;
    // the heads' struct pages as deserialize left them (heads ascending: one pass over the memmap)
    const heads = ctx.memmap.stateIdsAt(headPfns);
    const headIds = heads.ids;
    const states = heads.states;
    for (let i = 0; i < blocks.length; i++) {
      if (!restoring[kinds[i]!]) continue;
      const st = states[headIds[i]!]!;
      let reason: RestoreFailure | null = null;
      // K616: order = page->private, zeroed by any init since the write; K618+: magic and order in the union
      const order = st.khoOrder < 0 ? 0 : st.khoOrder;
      if (!st.memmap) reason = 'no-memmap';
      else if (checkMagic && !st.khoMagic) reason = 'magic';
      else if (checkMax && order > maxOrder) reason = 'order-above-max';
      else if (order !== orders[i]) reason = 'wrong-order';
      if (reason !== null) {
        const kind = blocks.kind(i);
        const fn = kind === 'folio' || kind === 'subtree' ? 'kho_restore_folio' : 'kho_restore_pages';
        run.observations.push({ kind: 'restore-failed', phase: PHASE, fn, block: blocks.index[i]!, reason });
        // a wrong order is restored anyway (as the order the head says); the others are refused
        if (reason !== 'wrong-order') continue;
      }
      okAt[nOk] = i;
      okHeads[nOk++] = headPfns[i]!;
    }
    const okPfns = okHeads.subarray(0, nOk);
    // private is cleared right after the check, before anything else touches the page
    ctx.memmap.clearKhoHeads(okPfns);
    const runner = new StrategyRunner(ctx, run, 'restore', PHASE);
    const restore =
      run.strategy.deferredOnly && !ctx.deferred ? undefined : run.strategy.restore?.bind(run.strategy);
    if (restore) {
      const b = new KhoBlockCursor(blocks);
      for (let k = 0; k < nOk; k++) {
        b.at(okAt[k]!);
        runner.current = b.index;
        restore(b, runner);
      }
    }
    runner.flush();
    // adjust_managed_page_count(page, nr) -> page_zone(head): a read of the head's struct page
    ctx.memmap.readPages(okPfns, { phase: PHASE, fn: 'kho_restore_page' });
    for (let k = 0; k < nOk; k++) run.restored.add(indexes[okAt[k]!]!);
  });
}
