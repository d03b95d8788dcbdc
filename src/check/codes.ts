// The finding codes (DESIGN.md, Findings and costs; spec kho-abi.md §7.5): stable code, severity, the kernel
// function each concerns, and one sentence on how to read it. Messages are data; report/ formats them.
import type { Severity } from '../core/index.js';

export interface FindingCodeInfo {
  readonly severity: Severity;
  readonly title: string;
  /** The kernel function that is responsible, when one function is. */
  readonly kernelFunction: string;
  readonly howToRead: string;
}

export const FINDING_CODES = {
  STRUCT_PAGE_UNINIT_READ: {
    severity: 'error',
    title: 'struct page read before it was initialised',
    kernelFunction: 'set_zone_contiguous',
    howToRead:
      'A kernel function read struct pages nobody had run __init_single_page() on, so the node, zone and flags it saw are whatever was in the memmap (poison under DEBUG_VM); pages counts the pages read, ranges are the uninitialised runs they lie in (set_zone_contiguous() reads the first and last page of each pageblock, page_ext_init() each section start).',
  },
  STRUCT_PAGE_DOUBLE_INIT: {
    severity: 'warning',
    title: 'struct page initialised twice',
    kernelFunction: '__init_single_page',
    howToRead:
      'These struct pages were zeroed and set up a second time: anything written to them in between (KHO order, PG_reserved, a CMA pageblock type) is gone, and the work was done twice.',
  },
  STRUCT_PAGE_NEVER_INIT: {
    severity: 'error',
    title: 'preserved struct page never initialised',
    kernelFunction: 'memmap_init_reserved_pages',
    howToRead:
      'At the end of the replay these preserved pages still have uninitialised struct pages: memmap_init() stopped at first_deferred_pfn, memmap_init_reserved_pages() skips MEMBLOCK_RSRV_NOINIT and deferred init walks free ranges only.',
  },
  STRUCT_PAGE_WRONG_NODE: {
    severity: 'error',
    title: 'struct page initialised with the wrong node',
    kernelFunction: 'init_deferred_page',
    howToRead:
      "page_to_nid() of these pages names a node other than the one whose memory they are: the initialiser took the node from the block's head (or a zone span) instead of the page.",
  },
  STRUCT_PAGE_WRONG_ZONE: {
    severity: 'error',
    title: 'struct page initialised with the wrong zone',
    kernelFunction: '__init_page_from_nid',
    howToRead:
      'page_zone() of these pages is not the zone that spans them on their own node (a zone index past the last zone means no zone of the node the initialiser used spans the pfn: __init_page_from_nid() ran off the end of node_zones[]).',
  },
  KHO_ORDER_LOST: {
    severity: 'error',
    title: 'KHO order lost before restore',
    kernelFunction: '__init_single_page',
    howToRead:
      "The head page's page->private (order, and KHO_PAGE_MAGIC from 6.18) was zeroed by an init after kho_memory_init() wrote it, or restore found no magic: kho_restore_page() WARNs and returns NULL (6.18+), or 6.16 restores an order-0 folio.",
  },
  KHO_BLOCK_CROSSES_NODE: {
    severity: 'warning',
    title: 'preserved block crosses a NUMA node boundary',
    kernelFunction: 'kho_preserve_pages',
    howToRead:
      'One preserved block spans memory of two nodes (a kho_preserve_pages()/kho_preserve_phys() piece from a producer before the node split of KR3/KD1): any rule that takes one node for the whole block is wrong for part of it.',
  },
  KHO_BLOCK_CROSSES_ZONE: {
    severity: 'warning',
    title: 'preserved block crosses a zone boundary',
    kernelFunction: 'kho_preserve_pages',
    howToRead:
      'One preserved block spans two zones: restored as one folio its pages report the head zone; per-page init picks the right zone only if it looks the zone up per pfn.',
  },
  KHO_BLOCK_SIZE_OVERFLOW: {
    severity: 'error',
    title: 'preserved block of 2 GiB or more: int shift overflows',
    kernelFunction: 'kho_preserved_memory_reserve',
    howToRead:
      "sz = 1 << (order + PAGE_SHIFT) is an int shift: from 2 GiB it is negative or undefined, so memblock_reserve() and mark_noinit() get a wrong size and the block's memory is not (or wrongly) reserved.",
  },
  KHO_ORDER_ABOVE_MAX: {
    severity: 'error',
    title: 'restore refuses an order above MAX_PAGE_ORDER',
    kernelFunction: 'kho_restore_page',
    howToRead:
      'Until KR3 the restore side checks order <= MAX_PAGE_ORDER, so a kho_preserve_pages() piece larger than that (legal on the preserve side) cannot be restored: the consumer gets NULL.',
  },
  KHO_OVERLAPS_SCRATCH: {
    severity: 'error',
    title: 'preserved memory overlaps a scratch area',
    kernelFunction: 'memblock_set_kho_scratch_only',
    howToRead:
      'The incoming kernel allocates all early memory (page tables, memmap, per-cpu areas) from scratch before it reserves preserved blocks, so preserved data inside scratch can be overwritten.',
  },
  KHO_OUTSIDE_RAM: {
    severity: 'error',
    title: 'preserved memory outside RAM',
    kernelFunction: 'memblock_reserve',
    howToRead:
      'These preserved pages are not in memblock.memory of this host: the image does not belong to this layout, or firmware changed the memory map; their struct pages may not exist.',
  },
  KHO_OVERLAPS_RESERVED: {
    severity: 'warning',
    title: 'preserved memory overlaps memory reserved at boot',
    kernelFunction: 'memblock_reserve',
    howToRead:
      "The host's boot reserved these pages before KHO did (firmware, kernel image, or an allocation of the captured boot, which a KHO boot would make from scratch instead): check they are not the incoming kernel's.",
  },
  KHO_FREED_TO_BUDDY: {
    severity: 'error',
    title: 'preserved memory freed to the buddy allocator',
    kernelFunction: 'memblock_free_all',
    howToRead:
      'These preserved pages were handed to the page allocator, so their contents will be reused: the incoming kernel did not reserve them.',
  },
  KHO_REVIVAL_DISABLED: {
    severity: 'error',
    title: 'the incoming kernel refuses the handover image',
    kernelFunction: 'kho_populate',
    howToRead:
      'kho_populate() does not accept the root FDT (compatible of another KHO ABI), prints "disabling KHO revival", and none of the preserved memory is reserved.',
  },
  KHO_BITMAP_FORMAT_MISMATCH: {
    severity: 'error',
    title: 'kho-v1 bitmap size of the image is not the one the kernel reads',
    kernelFunction: 'deserialize_bitmap',
    howToRead:
      'Both formats say "kho-v1", but 6.16/6.17 use 512-byte bitmaps and 6.18/6.19 page-sized ones: the incoming kernel reads the wrong bits, so the preserved blocks are not the ones it reserves (replayed as not reserved at all).',
  },
  KHO_SCRATCH_NOT_CMA: {
    severity: 'error',
    title: 'scratch pageblocks end the boot without MIGRATE_CMA',
    kernelFunction: 'kho_scratch_migratetype',
    howToRead:
      'Scratch must stay movable-only (MIGRATE_CMA) so the next kexec finds it free of kernel data; these pageblocks of a kho_scratch[] area were typed again by a later init (the function named) and end the boot with another type, so unmovable allocations, and later preservations, can land in scratch. The v7.2 scratch fix (bf480c613346, kho_scratch_migratetype) repaired this for deferred init.',
  },
  KHO_CMA_OUTSIDE_SCRATCH: {
    severity: 'error',
    title: 'memory outside kho_scratch[] ends the boot as MIGRATE_CMA',
    kernelFunction: 'kho_scratch_migratetype',
    howToRead:
      'These pageblocks are not in a kho_scratch[] area (extended scratch or ordinary memory) but were typed MIGRATE_CMA, so the page allocator serves only movable allocations from them: with extended scratch most of memory would be CMA. v7.3 takes the type from kho_scratch[] (kho_scratch_overlap), not from the memblock scratch flag.',
  },
  LUO_VERSION_REJECTED: {
    severity: 'error',
    title: 'the incoming kernel does not accept the LUO or memfd version of the image',
    kernelFunction: 'luo_early_startup',
    howToRead:
      'The LUO subtree (or a memfd file handler) carries a compatible string the incoming kernel does not know: its sessions and files are not restored. KHO still reserves their pages at boot (they stay reserved, never reused), so the data is lost to userspace but the memory is not freed.',
  },
  MEMBLOCK_USED_AFTER_DISCARD: {
    severity: 'error',
    title: 'early_pfn_to_nid() after memblock_discard()',
    kernelFunction: 'early_pfn_to_nid',
    howToRead:
      'memblock data is freed by page_alloc_init_late() on arches without ARCH_KEEP_MEMBLOCK (x86_64), so a node looked up through memblock at restore time reads freed memory.',
  },
  DEFERRED_INIT_PAST_NODE_END: {
    severity: 'error',
    title: 'first_deferred_pfn past the node end: deferred_init_memmap() BUG_ON',
    kernelFunction: 'deferred_init_memmap',
    howToRead:
      'A deferred_grow_zone() ran to the end of the node\'s last zone and, under the v6.18 .. v7.1 rule first_deferred_pfn = nr_pages ? spfn : ULONG_MAX, left first_deferred_pfn at the next section boundary, past a node end that is not section-aligned; the pgdatinit thread then hits BUG_ON(pgdat->first_deferred_pfn > pgdat_end_pfn(pgdat)) and the boot stops. v7.2 sets ULONG_MAX when the loop passed the zone end (linux v7.3-rc7 mm/mm_init.c deferred_grow_zone). The range is [node end, first_deferred_pfn).',
  },
  DEFERRED_ZONE_GROWN: {
    severity: 'info',
    title: 'deferred_grow_zone() initialised sections before the pgdatinit thread',
    kernelFunction: 'deferred_grow_zone',
    howToRead:
      'An allocation short of initialised pages grew the node\'s last zone section by section before page_alloc_init_late(); the ranges are the free pages it initialised and freed. When it reached the zone end, v7.2 on sets first_deferred_pfn to ULONG_MAX and the node prints no `deferred pages initialised` line; v6.18 .. v7.1 keep spfn, so the thread still runs (and prints) over nothing.',
  },
  NODE_BOUNDARY_UNALIGNED: {
    severity: 'info',
    title: 'node boundary not section-aligned',
    kernelFunction: 'free_area_init',
    howToRead:
      'A node starts or ends inside a memory section, so the review argument "node boundaries are SECTION_SIZE aligned, a block cannot span nodes" does not hold on this host.',
  },
} as const satisfies Record<string, FindingCodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

export const FINDING_CODE_LIST = Object.keys(FINDING_CODES) as FindingCode[];
