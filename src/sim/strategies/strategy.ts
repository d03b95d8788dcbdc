// The interface a KHO struct-page strategy implements (spec kho-abi.md §7.3): which struct pages of a preserved
// block it initialises, when (deserialize or restore) and with which node and zone. Strategies only call the
// context's range helpers; the phases apply them to the struct-page map in batches, never page by page.
import type { PositionsBut } from '../../core/index.js';
import type { Layout } from '../layout.js';
import type { KhoBlock, KhoBlocks } from '../phases/kho-types.js';

/** The state of one struct page as a strategy may look at it (page_to_nid / page_zonenum of an initialised page). */
export interface StrategyPageView {
  readonly initialised: boolean;
  readonly nid: number;
  readonly zid: number;
}

export interface StrategyContext {
  readonly layout: Layout;
  /** CONFIG_DEFERRED_STRUCT_PAGE_INIT as replayed. */
  readonly deferred: boolean;
  /** 'deserialize' (kho_memory_init, memblock alive) or 'restore' (after page_alloc_init_late). */
  readonly phase: 'deserialize' | 'restore';
  /**
   * early_pfn_to_nid() (mm/mm_init.c): the node of the memblock.memory region holding pfn, or the first online
   * node when none does. Called after memblock_discard() on an arch that does not keep memblock, it is recorded
   * as MEMBLOCK_USED_AFTER_DISCARD (and answers as if memblock were still there).
   */
  earlyPfnToNid(pfn: number): number;
  /** The struct page of pfn as it is now. */
  page(pfn: number): StrategyPageView;
  /** __init_single_page(page, pfn, zid, nid) on every pfn of [start, end). */
  initSinglePages(start: number, end: number, nid: number, zid: number, fn: string): void;
  /**
   * __init_page_from_nid(pfn, nid) on every pfn of [start, end) (mm/mm_init.c, MMI @00c010e130e5): the zone is the
   * first of NODE_DATA(nid)'s zones whose span holds the pfn; when none does the loop runs off the end of
   * node_zones[] and the page gets zone index MAX_NR_ZONES.
   */
  initPagesFromNid(start: number, end: number, nid: number, fn?: string): void;
  /**
   * init_deferred_page(pfn, nid) on every pfn (mm/mm_init.c): nothing below NODE_DATA(nid)->first_deferred_pfn
   * (early_page_initialised), __init_page_from_nid() at or above it; an empty stub without deferred init.
   */
  initDeferredPages(start: number, end: number, nid: number, fn?: string): void;
  /**
   * initDeferredPages(startPfn[i], endPfn[i], earlyPfnToNid(startPfn[i]), fn) for every block i in turn, in one call:
   * the loop of a strategy whose deserialize() is just that, over a million blocks without a call per block.
   */
  initDeferredBlocks(blocks: KhoBlocks, fn?: string): void;
  /**
   * initDeferredPages(startPfn[i], startPfn[i] + 1, earlyPfnToNid(startPfn[i]), fn) for every block i in turn, in one
   * call: each block's head page alone (no column of the heads' ends made for it).
   */
  initDeferredHeads(blocks: KhoBlocks, fn?: string): void;
  /**
   * initPagesFromNid(startPfn[i], endPfn[i], earlyPfnToNid(startPfn[i]), fn) for every block i in turn, in one call.
   */
  initPagesFromNidBlocks(blocks: KhoBlocks, fn?: string): void;
  /**
   * for_each_zone() + zone_spans_pfn() + __init_single_page(): per pfn, the first zone in node then zone order
   * whose span holds it (spans, not membership: overlapping spans pick the first).
   */
  initByZoneWalk(start: number, end: number, fn: string): void;
  /**
   * initByZoneWalk(startPfn[i], endPfn[i], fn) for every block i = at[0], ..., at[n - 1] in turn, in one call (at
   * ascending): the loop of a strategy whose restore() is just that.
   */
  initByZoneWalkBlocks(blocks: KhoBlocks, at: Int32Array, n: number, fn: string): void;
  /**
   * For every block i = at[0], ..., at[n - 1] (ascending; or the n positions a PositionsBut gives) of two pages or
   * more whose head is initialised as it is now: initSinglePages(startPfn[i] + 1, endPfn[i], the head's nid, the head's zid, fn), in one call. The inits a
   * restore hook queues are applied after the last block, so every head reads as it was before the first.
   */
  initTailsFromHeads(blocks: KhoBlocks, at: Int32Array | PositionsBut, n: number, fn: string): void;
}

export interface KhoStrategy {
  readonly name: string;
  /** The merged patch or the review message it comes from. */
  readonly source: string;
  readonly summary: string;
  /**
   * Where the deserialize-time init runs relative to the head's page->private write: kho_get_preserved_page()
   * runs before it in every posted version (KD1 kho_preserved_memory_reserve, v1 deserialize_bitmap).
   */
  readonly deserializeInit: 'before-order-write' | 'after-order-write';
  /**
   * deserialize() and restore() return at once when CONFIG_DEFERRED_STRUCT_PAGE_INIT is off (every posted version
   * begins so), so the phases do not call them per block then: a million calls that do nothing.
   */
  readonly deferredOnly?: boolean;
  /**
   * restore() and restoreBlocks() write no block's head page (lazy-tail: the tails only): kho_restore counts
   * adjust_managed_page_count()'s read of the heads in the pass that clears them, and records it after the hook when
   * the hook's inits left the heads alone (StrategyRunner.headsLeftAlone; else it reads them again). A hint: it changes
   * no answer.
   */
  readonly restoreLeavesHeads?: boolean;
  /** Called for every preserved block in kho_memory_init(), after memmap_init(). */
  deserialize?(block: KhoBlock, ctx: StrategyContext): void;
  /**
   * deserialize() of every block in one call (the blocks in the memory map's order, as columns), when the strategy
   * gives it: it must do exactly what deserialize() does block by block (test/sim/strategies/bulk.test.ts).
   */
  deserializeBlocks?(blocks: KhoBlocks, ctx: StrategyContext): void;
  /** Called when a block is restored, after the head's magic/order check and before adjust_managed_page_count(). */
  restore?(block: KhoBlock, ctx: StrategyContext): void;
  /**
   * restore() of every block kho_restore() restores in one call: the blocks at the n positions `at` gives of
   * `blocks` (ascending: every position but the few left out; at.column() their column), when the strategy gives it;
   * it must do exactly what restore() does block by block (test/sim/strategies/bulk.test.ts).
   */
  restoreBlocks?(blocks: KhoBlocks, at: PositionsBut, n: number, ctx: StrategyContext): void;
}
