// pageblock_order of the replayed kernel: what /proc/pagetypeinfo printed ("Page block order:"), else the kernel
// configuration's rule (include/linux/pageblock-flags.h since v6.16, "mm: add CONFIG_PAGE_BLOCK_ORDER to select
// page block order": min(HUGETLB_PAGE_ORDER, PAGE_BLOCK_MAX_ORDER) with HUGETLB_PAGE, min(HPAGE_PMD_ORDER,
// PAGE_BLOCK_MAX_ORDER) with TRANSPARENT_HUGEPAGE, else PAGE_BLOCK_MAX_ORDER). The real v7.3-rc7 captures (no
// hugetlbfs, no THP, PAGE_BLOCK_MAX_ORDER=10) print "Page block order: 10"; the arch default is the huge-page order.
import type { HostTrace } from '../trace/host-trace.js';
import type { ArchProfile } from './arch.js';

/**
 * The arch profile with the host's pageblock order. Only a printed order or a configuration that names
 * CONFIG_PAGE_BLOCK_MAX_ORDER (a full 6.16+ config) changes it; otherwise the arch's huge-page order stands.
 */
export function withHostPageblockOrder(
  arch: ArchProfile,
  host: Pick<HostTrace, 'config' | 'pageblockOrder'>,
): ArchProfile {
  let order = arch.pageblock_order;
  const printed = host.pageblockOrder;
  const max = Number(host.config['CONFIG_PAGE_BLOCK_MAX_ORDER']);
  if (printed !== undefined && Number.isInteger(printed) && printed > 0) order = printed;
  else if (Number.isInteger(max) && max > 0) {
    const huge =
      host.config['CONFIG_HUGETLB_PAGE'] === 'y' || host.config['CONFIG_TRANSPARENT_HUGEPAGE'] === 'y';
    order = huge ? Math.min(arch.pageblock_order, max) : max;
  }
  order = Math.min(order, arch.MAX_PAGE_ORDER);
  if (order === arch.pageblock_order) return arch;
  return { ...arch, pageblock_order: order, pageblock_nr_pages: 2 ** order };
}
