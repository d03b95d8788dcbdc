// The pages x86_64 mem_init() takes from the buddy after memblock_free_all() and before mem_init_print_info()
// prints `Memory: X/Y available` (arch/x86/mm/init_64.c mem_init, v6.1): register_page_bootmem_info() and
// kclist_add() allocate nothing; preallocate_vmalloc_pages() allocates one page-table page per top-level (PGD)
// slot of the vmalloc area that is still empty: a P4D page with 5-level paging (p4d_alloc), a PUD page with 4-level
// paging (the P4D level is folded, pud_alloc). x86_init.hyper.init_after_bootmem is a no-op outside Xen PV.
import type { HostTrace } from '../trace/host-trace.js';
import { parseKernelRelease } from './kernel-eras.js';

/** arch/x86/include/asm/pgtable_64_types.h (v6.1): the vmalloc area and the PGD slot, per paging mode. */
const X86_PAGING = {
  4: { VMALLOC_SIZE_TB: 32, PGDIR_SHIFT: 39, VMALLOC_BASE: 'ffffc90000000000' },
  5: { VMALLOC_SIZE_TB: 12800, PGDIR_SHIFT: 48, VMALLOC_BASE: 'ffa0000000000000' },
} as const;

export interface MemInitAllocation {
  /** Pages predicted: what X is below the pages memblock_free_all() freed. */
  readonly pages: number;
  /** The fewest pages the rule allows with what the trace says (equal to `pages` when exact). */
  readonly minPages: number;
  /** Page-table levels the count assumed (null: not an x86_64 kernel that preallocates). */
  readonly levels: 4 | 5 | null;
  /** How the count was reached, with the kernel source it follows. */
  readonly why: string;
  /** What the trace does not say that could change the count (empty when exact). */
  readonly uncertain: readonly string[];
}

/** 2^shift bytes in words: `512 GiB`, `256 TiB`. */
const slotSize = (shift: number): string =>
  shift >= 40 ? `${2 ** (shift - 40)} TiB` : `${2 ** (shift - 30)} GiB`;

const NONE = (why: string): MemInitAllocation => ({
  pages: 0,
  minPages: 0,
  levels: null,
  why,
  uncertain: [],
});

/**
 * preallocate_vmalloc_pages() (6eb82f994026 "x86/mm: Pre-allocate P4D/PUD pages for vmalloc area", v5.8; the
 * release is recalled, not confirmed here), v6.1: for addr from VMALLOC_START to VMEMORY_END (the whole
 * VMALLOC_SIZE_TB area; VMALLOC_END is a quarter of it only under KMSAN) one PGD slot at a time, p4d_alloc() and,
 * on 4-level paging, pud_alloc(): a page each where the slot was empty.
 *
 * The slots: VMALLOC_SIZE_TB / PGDIR_SIZE when VMALLOC_START is slot-aligned (the fixed base without KASLR), one
 * more when memory KASLR (arch/x86/mm/kaslr.c kernel_randomize_memory, CONFIG_RANDOMIZE_MEMORY, not `nokaslr`)
 * put the base at a random PUD boundary. KASLR may also put the first slot in one the direct map populated, or the
 * last in one vmemmap populated (kaslr_regions are laid out in that order): a page fewer each; the log does not
 * say where KASLR put them, so that is the uncertainty named.
 */
export function x86MemInitAllocation(host: HostTrace): MemInitAllocation {
  if (host.arch !== 'x86_64') return NONE('not x86_64: no x86 mem_init() preallocation');
  const v = parseKernelRelease(host.kernelRelease);
  if (v && v.major * 1000 + v.minor < 5008)
    return NONE(`${host.kernelRelease} is older than v5.8: no preallocate_vmalloc_pages()`);
  const uncertain: string[] = [];
  const words = (host.cmdline?.raw ?? '').split(/\s+/);
  const arg = (name: string): boolean => words.includes(name);
  // 5-level paging: CONFIG_X86_5LEVEL and a CPU with LA57 (arch/x86/boot/compressed/pgtable_64.c paging_prepare)
  const cfg5 = host.config['CONFIG_X86_5LEVEL'];
  const la57 = host.cpuFlags ? host.cpuFlags.includes('la57') : null;
  let levels: 4 | 5;
  if (cfg5 === 'y' && la57 === true && !arg('no5lvl')) levels = 5;
  else if (cfg5 === 'y' && la57 === null) {
    levels = 4;
    uncertain.push(
      'CONFIG_X86_5LEVEL=y but no cpuinfo says whether the CPU has la57: 4-level assumed (5-level: 50 or 51 P4D pages)',
    );
  } else {
    levels = 4;
    if (cfg5 === undefined && la57 !== false)
      uncertain.push(
        'no kernel config says CONFIG_X86_5LEVEL: 4-level paging assumed (5-level: 50 or 51 P4D pages)',
      );
  }
  const p = X86_PAGING[levels];
  const slots = (p.VMALLOC_SIZE_TB * 2 ** 40) / 2 ** p.PGDIR_SHIFT;
  const randomize = host.config['CONFIG_RANDOMIZE_MEMORY'];
  const kasan = host.config['CONFIG_KASAN'] === 'y';
  const kaslr = randomize !== 'n' && !arg('nokaslr') && !kasan;
  const level = levels === 5 ? 'P4D' : 'PUD';
  if (!kaslr) {
    return {
      pages: slots,
      minPages: slots,
      levels,
      why: `preallocate_vmalloc_pages (arch/x86/mm/init_64.c v6.1): ${slots} ${level} pages, one per ${slotSize(p.PGDIR_SHIFT)} PGD slot of the ${p.VMALLOC_SIZE_TB} TiB vmalloc area at its fixed base 0x${p.VMALLOC_BASE}`,
      uncertain,
    };
  }
  if (randomize === undefined)
    uncertain.push(
      'no kernel config says CONFIG_RANDOMIZE_MEMORY: memory KASLR assumed on (the distribution default)',
    );
  uncertain.push(
    `memory KASLR places the vmalloc area at a random PUD boundary: ${slots + 1} slots, one fewer for each end slot shared with the direct map or vmemmap (down to ${slots - 1}), which the log does not show`,
  );
  return {
    pages: slots + 1,
    minPages: slots - 1,
    levels,
    why: `preallocate_vmalloc_pages (arch/x86/mm/init_64.c v6.1): ${slots + 1} ${level} pages, one per ${slotSize(p.PGDIR_SHIFT)} PGD slot touched by the ${p.VMALLOC_SIZE_TB} TiB vmalloc area at a KASLR base (arch/x86/mm/kaslr.c: PUD-aligned, so ${slots} slots plus a partial one)`,
    uncertain,
  };
}
