// linux v7.3-rc7 kernel/liveupdate/kexec_handover.c kho_memory_init_early() -> kho_extend_scratch() (C-SCR 14773e2aa4c5):
// the incoming tree digested into busy blocks of KHO_SCRATCH_EXT_BLKSIZE, every gap up to memblock_end_of_DRAM()
// marked MEMBLOCK_KHO_SCRATCH. Those ranges are allocatable early memory but not in kho_scratch[].
import type { Range } from '../../core/index.js';
import { intersectNormalized, normalizeRanges } from '../../core/index.js';
import type { KhoImageInput } from './kho-types.js';

/** KHO_SCRATCH_EXT_BLKSIZE = SZ_1G (linux v7.3-rc7 kernel/liveupdate/kexec_handover.c). */
export const KHO_SCRATCH_EXT = { KHO_SCRATCH_EXT_BLKSIZE: 2 ** 30 } as const;

/**
 * The extended scratch of an image on a host, in pfns: memory in the 1 GiB blocks that hold no preserved block
 * (kho_ext_walk_leaf: every block a preservation touches) and no radix table page (kho_ext_walk_node), from 0 to
 * the end of DRAM; memblock_mark_kho_scratch() flags only memory regions, so holes stay out.
 */
export function extendedScratch(image: KhoImageInput, memory: readonly Range[], pageShift: number): Range[] {
  const page = 2 ** pageShift;
  const blk = KHO_SCRATCH_EXT.KHO_SCRATCH_EXT_BLKSIZE;
  const busy = new Set<number>();
  const { count, phys, order } = image.preserved;
  // the bytes of each order (a lookup per block, not a Math.pow call), and the last 1 GiB block added: a million
  // preserved blocks fall in a few thousand of them, mostly one after the other
  const bytes = Float64Array.from({ length: 256 }, (_, o) => page * 2 ** o);
  let last = -1;
  for (let i = 0; i < count; i++) {
    const start = phys[i]!;
    const o = order[i]!;
    const end = start + (o < 256 ? bytes[o]! : page * 2 ** o);
    for (let b = Math.floor(start / blk); b * blk < end; b++)
      if (b !== last) {
        busy.add(b);
        last = b;
      }
  }
  const tables = image.radixTablePhys;
  if (tables) for (let i = 0; i < tables.length; i++) busy.add(Math.floor(tables[i]! / blk));
  const mem = normalizeRanges(memory);
  if (!mem.length) return [];
  const endPfn = mem[mem.length - 1]!.end;
  const perBlk = blk / page;
  const free: Range[] = [];
  let prev = 0;
  for (const b of [...busy].sort((x, y) => x - y)) {
    if (b * perBlk > prev) free.push({ start: prev, end: Math.min(b * perBlk, endPfn) });
    prev = Math.max(prev, (b + 1) * perBlk);
  }
  if (prev < endPfn) free.push({ start: prev, end: endPfn });
  return intersectNormalized(
    free.filter((r) => r.end > r.start),
    mem,
  );
}
