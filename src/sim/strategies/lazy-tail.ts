// lazy-tail: review proposal in "[PATCH] kho: add support for deferred struct page init" (kho-abi.md §7.3 variant c; Tatashin/Yadav, 2025-12-22, mail-archive msg37983): head at deserialize, tails at kho_restore_folio().
import type { KhoStrategy } from './strategy.js';

export const lazyTail: KhoStrategy = {
  name: 'lazy-tail',
  source:
    'review thread "[PATCH] kho: add support for deferred struct page init", 2025-12-22 (mail-archive.com kexec msg37983)',
  summary:
    "at deserialize, the head only (init_deferred_page, early_pfn_to_nid); tails at restore with the head's node and zone",
  deserializeInit: 'before-order-write',
  deferredOnly: true,
  restoreLeavesHeads: true,
  deserialize(block, ctx) {
    if (!ctx.deferred) return;
    const nid = ctx.earlyPfnToNid(block.startPfn);
    ctx.initDeferredPages(block.startPfn, block.startPfn + 1, nid, 'init_deferred_page');
  },
  restore(block, ctx) {
    if (!ctx.deferred || block.endPfn - block.startPfn < 2) return;
    // memblock is gone by now: the tails take page_to_nid()/page_zonenum() of the head
    const head = ctx.page(block.startPfn);
    if (!head.initialised) return;
    ctx.initSinglePages(block.startPfn + 1, block.endPfn, head.nid, head.zid, '__init_single_page');
  },
  deserializeBlocks(blocks, ctx) {
    // deserialize() of each block in turn: init_deferred_page() on its head, nid = early_pfn_to_nid(head)
    if (!ctx.deferred) return;
    ctx.initDeferredHeads(blocks, 'init_deferred_page');
  },
  restoreBlocks(blocks, at, n, ctx) {
    // restore() of each restored block in turn: its tails with the head's node and zone, when the head is initialised
    if (!ctx.deferred) return;
    ctx.initTailsFromHeads(blocks, at, n, '__init_single_page');
  },
};
