// zone-walk: Yadav's idea as tried by Clapinski, "[PATCH v2] kho: add support for deferred struct page init" (lkml 2602.1/02833, 2026-02-10): kho_init_page() with for_each_zone + zone_spans_pfn at restore.
import type { KhoStrategy } from './strategy.js';

export const zoneWalk: KhoStrategy = {
  name: 'zone-walk',
  source:
    '"[PATCH v2] kho: add support for deferred struct page init", Michal Clapinski, 2026-02-10 (lkml.iu.edu 2602.1/02833)',
  summary:
    'at restore, per page: first zone whose span holds the pfn, then __init_single_page() with its node',
  deserializeInit: 'before-order-write',
  deferredOnly: true,
  restore(block, ctx) {
    if (!ctx.deferred) return;
    ctx.initByZoneWalk(block.startPfn, block.endPfn, '__init_single_page');
  },
  restoreBlocks(blocks, at, n, ctx) {
    // restore() of each block in turn: kho_init_page() per restored block (the zone walk of each of its pages)
    if (!ctx.deferred) return;
    ctx.initByZoneWalkBlocks(blocks, at.column(), n, '__init_single_page');
  },
};
