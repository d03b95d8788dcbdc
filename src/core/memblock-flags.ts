// The one table of memblock region flags: the bits the simulator and the cross-checks test, and the words
// /sys/kernel/debug/memblock/* prints for them, which the parsers read back.

/**
 * enum memblock_flags, kernel spelling (linux v7.3-rc7 include/linux/memblock.h). A v6.1 kernel stops at
 * MEMBLOCK_DRIVER_MANAGED; the later bits name the release that added them.
 */
export const MEMBLOCK_FLAGS = {
  MEMBLOCK_NONE: 0x0,
  MEMBLOCK_HOTPLUG: 0x1,
  MEMBLOCK_MIRROR: 0x2,
  MEMBLOCK_NOMAP: 0x4,
  MEMBLOCK_DRIVER_MANAGED: 0x8,
  /** v6.7, 77e6c43e137c: reserved type only, struct pages are not initialised. */
  MEMBLOCK_RSRV_NOINIT: 0x10,
  /** v6.16 (KHO series): reserved type only, set by every memblock allocation. */
  MEMBLOCK_RSRV_KERN: 0x20,
  /** v6.16 (KHO series): memory type, KHO scratch (MEMBLOCK_KHO_NOPRSRV in the v7.4 queue, the same bit). */
  MEMBLOCK_KHO_SCRATCH: 0x40,
  /** v7.3: memory reserved for hugetlb pages. */
  MEMBLOCK_RSRV_HUGETLB: 0x80,
} as const;

/**
 * mm/memblock.c flagname[] (linux v7.3-rc7), indexed by bit: the word memblock_debug_show() prints for a region,
 * that of its lowest set bit (`NONE` for no flag, `UNKNOWN` past the table). RSV_NIT came with "mm/memblock: add
 * MEMBLOCK_RSRV_NOINIT into flagname[] array" (2024).
 */
export const MEMBLOCK_FLAG_NAMES = [
  'HOTPLUG',
  'MIRROR',
  'NOMAP',
  'DRV_MNG',
  'RSV_NIT',
  'RSV_KERN',
  'KHO_SCRATCH',
  'RSV_HUGETLB',
] as const;

/** The words debugfs prints and the bit each stands for (read back by parsers/memblock). */
export const MEMBLOCK_FLAG_WORDS: Readonly<Record<string, number>> = {
  NONE: MEMBLOCK_FLAGS.MEMBLOCK_NONE,
  ...Object.fromEntries(MEMBLOCK_FLAG_NAMES.map((name, bit) => [name, 2 ** bit])),
  /** The v7.4 queue renames MEMBLOCK_KHO_SCRATCH to MEMBLOCK_KHO_NOPRSRV (kernel-7x.md 1.6 [T]), same bit. */
  KHO_NOPRSRV: MEMBLOCK_FLAGS.MEMBLOCK_KHO_SCRATCH,
};
