// init-page-from-nid: Rapoport's review of v1, "we need to use __init_page_from_nid() here" (lkml 2512.2/08438, 2025-12-16).
import type { KhoStrategy } from './strategy.js';

export const initPageFromNid: KhoStrategy = {
  name: 'init-page-from-nid',
  source:
    'review of "[PATCH] kho: add support for deferred struct page init" v1 by Mike Rapoport, 2025-12-16 (lkml.iu.edu 2512.2/08438)',
  summary: 'at deserialize, __init_page_from_nid() on every page of each block, unconditionally',
  // the suggestion replaces the call inside kho_get_preserved_page(), which runs before page->private is written
  deserializeInit: 'before-order-write',
  deferredOnly: true,
  deserialize(block, ctx) {
    if (!ctx.deferred) return;
    const nid = ctx.earlyPfnToNid(block.startPfn);
    ctx.initPagesFromNid(block.startPfn, block.endPfn, nid, '__init_page_from_nid');
  },
  deserializeBlocks(blocks, ctx) {
    // deserialize() of each block in turn: early_pfn_to_nid() of its first pfn, __init_page_from_nid() on its pages
    if (!ctx.deferred) return;
    ctx.initPagesFromNidBlocks(blocks, '__init_page_from_nid');
  },
};
