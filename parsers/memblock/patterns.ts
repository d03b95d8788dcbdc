// Line shapes of /sys/kernel/debug/memblock/{memory,reserved,physmem} (mm/memblock.c memblock_debug_show()).

/** `%4d: %pa..%pa` then, since v6.5 (493f349e38d0, de649e7f5edb), ` %4d|%4c %s` (nid or `x`, flag word). */
export const DEBUGFS_LINE = /^ *(\d+): 0x([0-9a-f]+)\.\.0x([0-9a-f]+)(?: +(\d+|x) +([A-Z_]+))? *$/;

/**
 * The flag word names the lowest set bit only (mm/memblock.c flagname[], newest tree; RSV_NIT added by
 * "mm/memblock: add MEMBLOCK_RSRV_NOINIT into flagname[] array", 2024). Values are include/linux/memblock.h bits.
 */
export const MEMBLOCK_FLAG_WORDS = {
  NONE: 0x0,
  HOTPLUG: 0x1,
  MIRROR: 0x2,
  NOMAP: 0x4,
  DRV_MNG: 0x8,
  RSV_NIT: 0x10,
  RSV_KERN: 0x20,
  KHO_SCRATCH: 0x40,
  /** v7.4 queue: MEMBLOCK_KHO_SCRATCH renamed MEMBLOCK_KHO_NOPRSRV, same bit (kernel-7x.md 1.6 [T]). */
  KHO_NOPRSRV: 0x40,
  /** MEMBLOCK_RSRV_HUGETLB, in flagname[] since v7.3 (linux v7.3-rc7 mm/memblock.c, include/linux/memblock.h). */
  RSV_HUGETLB: 0x80,
} as const;

/**
 * /sys/kernel/debug/memblock/reserve_mem_param: one `"%s\t\t(%s)\n"` line per reserve_mem= region, name and
 * string_get_size(size, 1, STRING_UNITS_2) (linux v7.3-rc7 mm/memblock.c memblock_reserve_mem_show). The directory
 * exists on x86 too once reserve_mem= is used.
 */
export const RESERVE_MEM_PARAM_LINE = /^(\S+)\t\t\((\d+(?:\.\d+)?) ([KMGTPE]iB|B)\)$/;
