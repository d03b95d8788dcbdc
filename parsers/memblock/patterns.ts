// Line shapes of /sys/kernel/debug/memblock/{memory,reserved,physmem} (mm/memblock.c memblock_debug_show()).

/** `%4d: %pa..%pa` then, since v6.5 (493f349e38d0, de649e7f5edb), ` %4d|%4c %s` (nid or `x`, flag word). */
export const DEBUGFS_LINE = /^ *(\d+): 0x([0-9a-f]+)\.\.0x([0-9a-f]+)(?: +(\d+|x) +([A-Z_]+))? *$/;

/**
 * The flag word names the lowest set bit only (mm/memblock.c flagname[]): the words and their bits are the one
 * memblock flags table's (src/core/memblock-flags.ts).
 */
export { MEMBLOCK_FLAG_WORDS } from '../../src/core/index.js';

/**
 * /sys/kernel/debug/memblock/reserve_mem_param: one `"%s\t\t(%s)\n"` line per reserve_mem= region, name and
 * string_get_size(size, 1, STRING_UNITS_2) (linux v7.3-rc7 mm/memblock.c memblock_reserve_mem_show). The directory
 * exists on x86 too once reserve_mem= is used.
 */
export const RESERVE_MEM_PARAM_LINE = /^(\S+)\t\t\((\d+(?:\.\d+)?) ([KMGTPE]iB|B)\)$/;
