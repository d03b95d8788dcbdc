// Line shapes of /proc/zoneinfo: mm/vmstat.c zoneinfo_show_print() in 6.1, and the 3.x-4.7 layout (per-zone
// stats only, `scanned`, `all_unreclaimable`, `inactive_ratio`) seen in traces/public/ubuntu-3.13-desktop-procfs.

/** `Node %d, zone %8s` */
export const ZONE_HEADER = /^Node (\d+), zone +(\S+) *$/;
/** `  per-node stats` (4.8+: printed once per node, before its first populated zone's fields). */
export const PER_NODE_STATS = /^ {2}per-node stats *$/;
export const PAGES_FREE = /^ {2}pages free +(\d+) *$/;
/** The fixed fields of the zone block; `promo` is newer (memory tiering), `scanned` is old. */
export const ZONE_FIELD = /^ {8}(boost|min|low|high|promo|scanned|spanned|present|managed|cma) +(\d+) *$/;
export const PROTECTION = /^ {8}protection: \(([-\d, ]*)\) *$/;
/** A counter line `%-12s %lu`: 6 spaces (4.8+) or 4 spaces (older). */
export const STAT_LINE = /^ {4,6}([a-z][a-z0-9_]*) +(\d+) *$/;
export const PAGESETS = /^ {2}pagesets *$/;
export const PCP_CPU = /^ {4}cpu: (\d+) *$/;
/** Per-cpu pageset fields; 6.7+ widens them and adds high_min/high_max. */
export const PCP_FIELD = /^ +(count|high|batch|high_min|high_max): +(-?\d+) *$/;
export const VM_STATS_THRESHOLD = /^ {2}vm stats threshold: (\d+) *$/;
/** The tail of a populated zone (`prev_priority` is 2.6-era): `start_pfn:` is the one the replay needs. */
export const ZONE_TAIL =
  /^ {2}(node_unreclaimable|all_unreclaimable|start_pfn|inactive_ratio|prev_priority|reserved_highatomic|free_highatomic): +(\d+) *$/;
