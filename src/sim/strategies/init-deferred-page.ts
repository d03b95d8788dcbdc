// init-deferred-page: the merged fix, "kho: make preserved pages compatible with deferred struct page init" (KD1 openSUSE c6073743d0c7, mm 8203a1c7950d), kho_get_preserved_page().
import type { KhoStrategy } from './strategy.js';

export const initDeferredPage: KhoStrategy = {
  name: 'init-deferred-page',
  source:
    'kernel/liveupdate/kexec_handover.c kho_get_preserved_page() in KD1 @c6073743d0c7 (merged; v1: 20251216084913.86342-1-epetron@amazon.de)',
  summary: 'at deserialize, init_deferred_page() on every page of each block, nid = early_pfn_to_nid(head)',
  deserializeInit: 'before-order-write',
  deferredOnly: true,
  deserialize(block, ctx) {
    // returns straight away when CONFIG_DEFERRED_STRUCT_PAGE_INIT is off (KD1)
    if (!ctx.deferred) return;
    const nid = ctx.earlyPfnToNid(block.startPfn);
    ctx.initDeferredPages(block.startPfn, block.endPfn, nid, 'init_deferred_page');
  },
  deserializeBlocks(blocks, ctx) {
    // deserialize() of each block in turn: kho_get_preserved_page() per block (linux v7.3-rc7
    // kernel/liveupdate/kexec_handover.c), early_pfn_to_nid() of its first pfn, init_deferred_page() on its pages
    if (!ctx.deferred) return;
    ctx.initDeferredBlocks(blocks, 'init_deferred_page');
  },
};
