// Line shapes of the kernel log that parseDmesg extracts, each with the kernel function that prints it.
// All are matched against the message after the prefix (prefix.ts); hex is lower-case as the kernel prints it,
// but matched case-insensitively where old kernels or transcriptions differ.

/** A hex address captured as the named group `n` (named groups are numbered too: m[1] still works). */
const hx = (n: string): string => `(?<${n}>0x[0-9a-fA-F]+)`;

// ---- banner and command line ----
/** init/version.c linux_banner (all versions): `Linux version 6.1.0-56-amd64 (...) #1 SMP ...`. */
export const LINUX_VERSION = /^Linux version (?<release>\S+)/;
/** arch/x86/kernel/setup.c setup_arch (`Command line:`), init/main.c start_kernel (`Kernel command line:`). */
export const COMMAND_LINE = /^(?<which>Kernel command line|Command line): ?(?<line>.*)$/;

// ---- e820 ----
/** arch/x86/kernel/e820.c e820__print_table v6.1: `%s: [mem %#018Lx-%#018Lx] ` + type (inclusive end). */
export const E820_ENTRY = new RegExp(
  `^\\s*(?<who>BIOS-e820|user|reserve setup_data|modified|extended|BIOS-88|BIOS-e801): \\[mem ${hx('start')}-${hx('end')}\\] ?(?<type>.*)$`,
);
/** Newer e820__print_table (Ingo Molnar's 2025 rework): `BIOS-e820: [gap 0x..-0x..]` between entries. */
export const E820_GAP = new RegExp(
  `^\\s*(?<who>BIOS-e820|user|modified): \\[gap ${hx('start')}-${hx('end')}\\]`,
);
/** arch/x86/kernel/e820.c e820_print_map v2.6.32: ` %s: %016Lx - %016Lx (type)`, end exclusive. */
export const E820_ENTRY_OLD =
  /^\s*(?<who>BIOS-e820|user|modified): (?<start>[0-9a-fA-F]{8,16}) - (?<end>[0-9a-fA-F]{8,16}) \((?<type>.+)\)\s*$/;
/** e820.c e820__print_table headers v6.1 (and `e820: BIOS-provided ...` before 4.x). */
/** e820_print_type: the type word is a pr_cont; on a busy console it can arrive as its own record. */
export const E820_TYPE_ONLY =
  /^\s*(usable|reserved|soft reserved|ACPI data|ACPI NVS|unusable|persistent \(type \d+\)|type \d+|application reserved)(; crypto-capable)?\s*$/;
export const E820_HEADER =
  /^(?:e820: )?(?<table>BIOS-provided physical RAM map|user-defined physical RAM map|extended physical RAM map|modified physical RAM map):$/;
/** e820.c __e820__range_update / e820__range_remove v6.1 (KERN_DEBUG). */
export const E820_UPDATE = new RegExp(
  `^e820: update \\[mem ${hx('start')}-${hx('end')}\\] (?<from>.+?) ==> (?<to>.+)$`,
);
export const E820_REMOVE = new RegExp(`^e820: remove \\[mem ${hx('start')}-${hx('end')}\\] (?<from>.+)$`);
/** e820.c v2.6.32 e820_update_range / e820_remove_range: exclusive end, types in parentheses. */
export const E820_UPDATE_OLD =
  /^e820 update range: (?<start>[0-9a-f]+) - (?<end>[0-9a-f]+) \((?<from>.+?)\) ==> \((?<to>.+?)\)\s*$/;
export const E820_REMOVE_OLD =
  /^e820 remove range: (?<start>[0-9a-f]+) - (?<end>[0-9a-f]+) \((?<from>.+?)\)\s*$/;

// ---- EFI memory map (efi=debug) ----
/** drivers/firmware/efi/efi.c efi_md_typeattr_format via arch/x86/platform/efi/efi.c efi_print_memmap v6.1. */
export const EFI_MEM = new RegExp(
  `^efi: mem(?<index>\\d+): \\[(?<type>[^|\\]]*)[^\\]]*\\] range=\\[${hx('start')}-${hx('end')}\\] \\(\\d+MB\\)`,
);
/** arch/x86/platform/efi/efi.c efi_print_memmap v3.x-4.x: `type=7, attr=0xf, range=[0x..-0x..) (0MB)`, end exclusive. */
export const EFI_MEM_OLD = new RegExp(
  `^efi: mem(?<index>\\d+): type=(?<type>\\d+), attr=0x[0-9a-f]+, range=\\[${hx('start')}-${hx('end')}\\) \\(\\d+MB\\)`,
);

// ---- NUMA ----
/** drivers/acpi/numa/srat.c acpi_numa_memory_affinity_init v6.1: `SRAT: Node %u PXM %u [mem ..]` + ` hotplug`, ` non-volatile`. */
export const SRAT_MEM = new RegExp(
  `^(?:ACPI: )?SRAT: Node (?<nid>\\d+) PXM (?<pxm>\\d+) \\[mem ${hx('start')}-${hx('end')}\\](?<hotplug> hotplug)?(?<nonVolatile> non-volatile)?`,
);
/** arch/x86/mm/numa.c numa_cleanup_meminfo v6.1. */
export const NUMA_MERGE = new RegExp(
  `^NUMA: Node (?<nid>\\d+) \\[mem ${hx('aStart')}-${hx('aEnd')}\\] \\+ \\[mem ${hx('bStart')}-${hx('bEnd')}\\] -> \\[mem ${hx('start')}-${hx('end')}\\]`,
);
/** arch/x86/mm/numa.c alloc_node_data v6.1. */
export const NODE_DATA_X86 = new RegExp(
  `^NODE_DATA\\((?<nid>\\d+)\\) allocated \\[mem ${hx('start')}-${hx('end')}\\]`,
);
/** arch/x86/mm/numa.c alloc_node_data v6.1: `    NODE_DATA(%d) on node %d` when allocated off-node. */
export const NODE_DATA_OFFNODE = /^\s*NODE_DATA\((?<nid>\d+)\) on node (?<onNode>\d+)$/;
/** drivers/base/arch_numa.c setup_node_data v5.x-6.x (arm64, riscv): `NUMA: NODE_DATA [mem ..]` (nid on the previous line). */
export const NODE_DATA_ARCH = new RegExp(`^NUMA: NODE_DATA \\[mem ${hx('start')}-${hx('end')}\\]`);
/** arch/x86/mm/numa.c dummy_numa_init v6.1 (and arch_numa.c numa_init): no SRAT. */
export const FAKE_NODE = new RegExp(`^(?:NUMA: )?Faking a node at \\[mem ${hx('start')}-${hx('end')}\\]`);
/** arch/x86/mm/numa_64.c v2.6.32: `Faking a node at 0000000000000000-0000000440000000`, end exclusive. */
export const FAKE_NODE_OLD = /^Faking a node at (?<start>[0-9a-f]{8,16})-(?<end>[0-9a-f]{8,16})$/;

// ---- free_area_init (mm/page_alloc.c v6.1; mm/mm_init.c from 6.6) ----
export const ZONE_RANGES_HEADER = /^Zone ranges:$/;
/** free_area_init: `  %-8s [mem %#018Lx-%#018Lx]` or `  %-8s empty`. */
export const ZONE_RANGE = new RegExp(
  `^\\s*(?<zone>DMA32|DMA|Normal|HighMem|Movable|Device)\\s+(?:\\[mem ${hx('start')}-${hx('end')}\\]|(?<empty>empty))\\s*$`,
);
/** The zone name and its range are a pr_info + pr_cont pair: a split record leaves the name alone on a line. */
export const ZONE_NAME_ONLY = /^\s*(?<zone>DMA32|DMA|Normal|HighMem|Movable|Device)\s*$/;
export const ZONE_RANGE_CONT = new RegExp(
  `^\\s*(?:\\[mem ${hx('start')}-${hx('end')}\\]|(?<empty>empty))\\s*$`,
);
export const MOVABLE_HEADER = /^Movable zone start for each node$/;
/** free_area_init: `  Node %d: %#018Lx`. */
export const MOVABLE_NODE = new RegExp(`^\\s*Node (?<nid>\\d+): ${hx('start')}\\s*$`);
export const EARLY_NODE_HEADER = /^Early memory node ranges$/;
/** free_area_init: `  node %3d: [mem %#018Lx-%#018Lx]` (one per memblock.memory region). */
export const EARLY_NODE = new RegExp(`^\\s*node\\s+(?<nid>\\d+): \\[mem ${hx('start')}-${hx('end')}\\]\\s*$`);
/** free_area_init_node: `Initmem setup node %d [mem ..]`, or `as memoryless`. */
export const INITMEM = new RegExp(`^Initmem setup node (?<nid>\\d+) \\[mem ${hx('start')}-${hx('end')}\\]`);
export const INITMEM_MEMORYLESS = /^Initmem setup node (?<nid>\d+) as memoryless$/;
/** memmap_init / init_unavailable_range v6.1: printed without a newline in 6.1, so the next record can follow on the line. */
export const UNAVAILABLE =
  /^On node (?<nid>\d+), zone (?<zone>DMA32|DMA|Normal|HighMem|Movable|Device): (?<pages>\d+) pages in unavailable ranges/;
/**
 * mm/page_alloc.c deferred_init_memmap (via page_alloc_init_late) since mid-2020; before it printed
 * `node %d initialised, %lu pages in %ums`; 2015-2018 kernels the kswapd form (boot-pipeline.md 4.8).
 */
export const DEFERRED = /^node (?<nid>\d+) deferred pages initialised in (?<ms>\d+)ms$/;
export const DEFERRED_OLD = /^node (?<nid>\d+) initialised, (?<pages>\d+) pages in (?<ms>\d+)ms$/;
/** mm/page_alloc.c deferred_init_memmap, 2015-2018 kernels (boot-pipeline.md 4.8): the kswapd form. */
export const DEFERRED_KSWAPD = /^kswapd (?<nid>\d+) initialised deferred memory in (?<ms>\d+)ms$/;
/** mm_init -> mem_init_print_info v6.1 (`K`); 2.6.32 arch/x86/mm/init_64.c mem_init (`k`, with `absent`). */
export const MEMORY_AVAILABLE =
  /^Memory: (?<available>\d+)[kK]\/(?<total>\d+)[kK] available(?: \((?<detail>.*)\))?/;
/** mm/mm_init.c mminit_dprintk v6.1: `mminit::<prefix> <text>` (mminit_loglevel=). */
export const MMINIT = /^mminit::(?<tag>\S+) ?(?<text>.*)$/;
export const MMINIT_MEMMAP =
  /^Initialising map node (?<nid>\d+) zone (?<zone>\d+) pfns (?<start>\d+) -> (?<end>\d+)$/;

// ---- 2.6 forms (mm/page_alloc.c v2.6.32 free_area_init_nodes) ----
export const ZONE_PFN_HEADER = /^Zone PFN ranges:$/;
export const ZONE_PFN = new RegExp(
  `^\\s*(?<zone>DMA32|DMA|Normal|HighMem|Movable)\\s+(?:${hx('start')} -> ${hx('end')}|(?<empty>empty))\\s*$`,
);
export const MOVABLE_PFN_HEADER = /^Movable zone start PFN for each node$/;
export const MOVABLE_PFN_NODE = /^\s*Node (?<nid>\d+): (?<pfn>\d+)\s*$/;
export const EARLY_NODE_MAP_HEADER = /^early_node_map\[(?<count>\d+)\] active PFN ranges$/;
export const EARLY_NODE_MAP = new RegExp(`^\\s*(?<nid>\\d+): ${hx('start')} -> ${hx('end')}\\s*$`);
/** mm/page_alloc.c free_area_init_node v2.6-v4.x (KERN_DEBUG). */
export const NODE_TOTALPAGES = /^On node (?<nid>\d+) totalpages: (?<pages>\d+)$/;

// ---- memblock=debug (mm/memblock.c v6.1 memblock_dbg call sites; 3.x arm prints `flags %#x` before the caller) ----
/** memblock_add, memblock_add_node, memblock_remove, memblock_reserve, memblock_phys_free, __memblock_free_late, ... */
export const MEMBLOCK_RANGE = new RegExp(
  `^(?<fn>_{0,2}memblock_[a-z_]+): \\[${hx('start')}-${hx('end')}\\](?: nid=(?<nid>-?\\d+))?(?: flags(?:=| )(?:0x)?(?<flags>[0-9a-fA-F]+))? (?<caller>.+)$`,
);
/** memblock_alloc_internal/try_nid/exact_nid_raw, memblock_phys_alloc_range, memblock_virt_alloc_* (4.x). */
export const MEMBLOCK_ALLOC = new RegExp(
  `^(?<fn>_{0,2}memblock_[a-z_]+): (?<size>\\d+) bytes align=0x(?<align>[0-9a-fA-F]+)(?: nid=(?<nid>-?\\d+))? from=${hx('from')} max_addr=${hx('maxAddr')} (?<caller>.+)$`,
);
/**
 * memblock_double_array (mm/memblock.c memblock_dbg, unchanged from 3.x to v7.3-rc7): `memblock: %s is doubled to
 * %ld at [%pa-%pa]`, the new max and [addr, addr + new_size - 1] (new_size = the doubled array's bytes, before
 * PAGE_ALIGN); its pr_err when no room is found: `memblock: Failed to double %s array from %ld to %ld entries !`.
 */
export const MEMBLOCK_DOUBLED = new RegExp(
  `^memblock: (?<type>memory|reserved) is doubled to (?<max>\\d+) at \\[${hx('start')}-${hx('end')}\\]\\s*$`,
);
export const MEMBLOCK_DOUBLE_FAILED =
  /^memblock: Failed to double (?<type>memory|reserved) array from (?<from>\d+) to (?<to>\d+) entries !\s*$/;
/** memblock_dump_all -> __memblock_dump_all v6.1. */
export const DUMP_HEADER = /^MEMBLOCK configuration:$/;
export const DUMP_SIZES = new RegExp(
  `^\\s*memory size = ${hx('memory')} reserved size = ${hx('reserved')}\\s*$`,
);
export const DUMP_CNT = /^\s*(?<type>memory|reserved|physmem)\.cnt\s*= 0x(?<cnt>[0-9a-fA-F]+)\s*$/;
/** memblock_dump v6.1: ` %s[%#x]\t[%pa-%pa], %pa bytes%s flags: %#x` with `%s` = ` on node %d` for a valid nid. */
export const DUMP_REGION = new RegExp(
  `^\\s*(?<type>memory|reserved|physmem)\\[0x(?<index>[0-9a-fA-F]+)\\]\\s+\\[${hx('start')}-${hx('end')}\\], ${hx('size')} bytes(?: on node (?<nid>\\d+))?(?: flags: 0x(?<flags>[0-9a-fA-F]+))?\\s*$`,
);

// ---- reservations ----
/** drivers/of/of_reserved_mem.c fdt_reserved_mem_save_node/of_reserved_mem_save v6.12: `%pa..%pa (%lu KiB) %s %s %s`. */
export const OF_RESERVED = new RegExp(
  `^OF: reserved mem: ${hx('start')}\\.\\.${hx('end')} \\(\\d+ KiB\\) (?<map>nomap|map) (?:reusable|non-reusable) (?<name>\\S+)`,
);
/** drivers/base/dma-contiguous.c dma_contiguous_reserve_area v3.x: `CMA: reserved %ld MiB at %08lx` (pr_fmt `cma: `). */
export const CMA_RESERVED_OLD = /^cma: CMA: reserved (?<mib>\d+) MiB at (?<start>(?:0x)?[0-9a-f]+)$/;
/** mm/cma.c cma_declare_contiguous_nid v6.x: `cma: Reserved %lu MiB at %pa[ on node %d]`. */
export const CMA_RESERVED = new RegExp(`^cma: Reserved (?<mib>\\d+) MiB at ${hx('start')}`);
/** kernel/dma/contiguous.c rmem_cma_setup, kernel/dma/coherent.c rmem_dma_setup v6.x. */
export const RMEM_POOL = new RegExp(
  `^Reserved memory: created (?<kind>CMA|DMA) memory pool at ${hx('start')}, size (?<mib>\\d+) MiB`,
);
/** kernel/crash_reserve.c reserve_crashkernel_generic v6.7+: end printed exclusive. */
export const CRASHKERNEL = new RegExp(`^crashkernel reserved: ${hx('start')} - ${hx('end')} \\(\\d+ MB\\)`);
/** arch/x86/kernel/setup.c reserve_crashkernel v2.6-v6.6: `Reserving %ldMB of memory at %ldMB for crashkernel`. */
export const CRASHKERNEL_X86 =
  /^Reserving (?<mib>\d+)MB of (?:low )?memory at (?<atMib>\d+)MB for crashkernel/;
/** arch/x86/platform/efi/quirks.c efi_remove_e820_mmio v6.x: `efi: Remove mem%02u: MMIO range=[..] (..) from e820 map`. */
export const EFI_REMOVE_MMIO = new RegExp(
  `^efi: Remove mem\\d+: MMIO range=\\[${hx('start')}-${hx('end')}\\] \\(\\d+[KMG]B\\) from e820 map`,
);
/**
 * mm/page_alloc.c zero_resv_unavail / init_unavailable_mem (about v4.19-v5.11, all arches): a total without
 * node or zone, printed without "\n"; a short-lived memmap_init_zone form printed `<zone>: Zeroed ...: %lld`.
 */
/** mm/page_alloc.c zero_resv_unavail v4.15-v4.18 (a4a3ede2132a): no trailing newline either. */
export const RESERVED_UNAVAILABLE = /^Reserved but unavailable: (?<pages>\d+) pages/;
export const ZEROED_UNAVAILABLE =
  /^(?:(?<zone>DMA32|DMA|Normal|HighMem|Movable|Device): )?Zeroed struct page in unavailable ranges: (?<pages>\d+)(?: pages)?/;

// ---- KHO (kernel/kexec_handover.c, pr_fmt "KHO: "; arch/x86/kernel/setup.c; mm/memblock.c reserve_mem) ----
/** kernel/kexec_core.c kernel_kexec (all versions since 3.x). */
export const KEXEC_START = /^kexec_core: Starting new kernel$/;
export const KHO =
  /^(?:KHO: |setup: failed to memremap kho data|Passed KHO data|Revived memory reservation )/;

/**
 * Every single-line shape above starts with one of these words (after optional indentation); parseDmesg runs
 * the shapes only on lines that pass this one test, so the bulk of a log (drivers) costs one regex.
 * Block body lines (`  Node 0: 0x..`, `    0: 0x.. -> 0x..`) are matched inside their block before this.
 * test/parsers/dmesg/lead.test.ts checks on every real log that no shape matches a line this rejects.
 */
export const MEMORY_LEAD =
  /^\s*(?:Linux version |(?:Kernel c|C)ommand line:|BIOS-|user|reserve setup_data|modified|extended|e820|efi: (?:mem|Remove)|(?:ACPI: )?SRAT: Node|NUMA: |NODE_DATA\(|Faking a node|Zone |Movable zone|Early memory|early_node_map|(?:DMA32|DMA|Normal|HighMem|Movable|Device)(?:\s|: Zeroed)|node |Initmem |On node |kswapd |Memory: |mminit::|_{0,2}memblock_|memblock: (?:memory|reserved) is doubled|memblock: Failed to double|MEMBLOCK |(?:memory|reserved|physmem)(?: size|\.cnt|\[)|OF: reserved mem: |cma: |Reserved memory: created|Reserved but unavailable: |crashkernel reserved|Reserving \d+MB of|Zeroed struct page|kexec_core: Starting|KHO: |setup: failed to memremap kho|Passed KHO data|Revived memory reservation )/;

// ---- KHO details (kernel/kexec_handover.c, boot-pipeline.md 4.6) ----
export const KHO_FOUND = /^KHO: found kexec handover data/;
export const KHO_DISABLED =
  /^KHO: (?:disabling KHO revival|Failed to reserve scratch area, disabling kexec handover)/;
export const KHO_INVALID_FDT = /^KHO: setup: handover FDT \((0x[0-9a-fA-F]+)\) is invalid: (-?\d+)/;
export const KHO_SCRATCH_SCALE = /^KHO: scratch scale is (\d+)%/;
export const KHO_SCRATCH_AREAS = /^KHO: scratch areas: lowmem: (\d+)MiB global: (\d+)MiB pernode: (-?\d+)MiB/;
export const KHO_REVIVED = /^Revived memory reservation '([^']*)' from KHO/;
