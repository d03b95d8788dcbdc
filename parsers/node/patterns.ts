// Line shapes of /sys/devices/system/node files (drivers/base/node.c, 6.1) and of the memory block listing
// (drivers/base/memory.c: memoryN/{phys_index,state,online,valid_zones,removable}, block_size_bytes).

/** `Node %d <Field>:<pad>%8lu kB`; HugePages_* have no unit. */
export const NODE_MEMINFO_LINE = /^Node (\d+) ([A-Za-z_][A-Za-z0-9_()]*): *(\d+)( kB)? *$/;
/** A cpulist/nodelist: `0-3,8,10-11`, empty for none (lib/bitmap.c bitmap_print_to_pagebuf, list form). */
export const LIST_TEXT = /^(?:\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)?$/;
/** `/sys/devices/system/node/nodeN/memoryM` entries, one name a line. */
export const MEMORY_BLOCK_NAME = /^memory(\d+) *$/;
/** The capture script's table of memory blocks: name, phys_index (hex), node, state, online, valid_zones, removable. */
export const MEMORY_BLOCK_ROW =
  /^memory(\d+) +([0-9a-f]+) +(?:node(\d+)|-) +(\S+) +(\d+) +\[([^\]]*)\] +(\d+|-) *$/;
export const BLOCK_SIZE_BYTES = /^block_size_bytes +([0-9a-f]+) *$/;
export const AUTO_ONLINE = /^auto_online_blocks +(\S+) *$/;
/**
 * `/sys/devices/system/node/{possible,online,has_cpu,...}` collected as `<name>: <list>`; the list (group 2) is absent
 * for an empty state. Written with one way to split the spaces: `: *(\S*) *$` let both runs share the spaces before
 * an empty list, quadratic on a long run of them (the fuzzer's nodes.txt hang, seed 2: 8 s on a 485 KB line).
 */
export const NODE_STATE_LINE = /^([a-z_][a-z_ ]*):(?: *(\S+))? *$/;
export const NUMASTAT_LINE = /^([a-z_]+) (\d+) *$/;
