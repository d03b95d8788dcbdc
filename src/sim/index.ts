// The boot simulator's public surface.
export * from './arch.js';
export * from './mm-profiles.js';
export * from './mem-regions.js';
export * from './layout.js';
export * from './memmap.js';
export * from './context.js';
export * from './timeline.js';
export * from './scenario.js';
export * from './boot.js';
export * from './replay.js';
export { memmapInit } from './phases/memmap_init.js';
export {
  memblockFreeAll,
  memmapInitReservedPages,
  reserveBootmemRegion,
} from './phases/memblock_free_all.js';
export {
  deferredInitMemmap,
  padataSplit,
  pageAllocInitLate,
  pageExtInit,
  setZoneContiguous,
} from './phases/page_alloc_init_late.js';
export type { ReservePlan } from './phases/memblock_free_all.js';
export * from './boot-tables.js';
