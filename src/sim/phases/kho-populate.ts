// kernel/liveupdate/kexec_handover.c kho_populate() (K616..KR3, kho-abi.md §3.3, boot-pipeline.md §3.11 step 1): check the root compatible, add and mark the scratch areas, limit memblock to them.
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import { profileAcceptsImage } from '../profiles.js';
import type { KhoRun } from './kho-run.js';

/**
 * The incoming kernel accepts the image only when the root `compatible` is its KHO_FDT_COMPATIBLE; otherwise it
 * prints "KHO: disabling KHO revival" and nothing is reserved, so preserved memory goes to the buddy allocator.
 * Scratch areas are memblock_add()ed and marked MEMBLOCK_KHO_SCRATCH; with memblock_set_kho_scratch_only()
 * every early allocation comes from them. Struct pages are not touched here.
 */
export function khoPopulate(ctx: SimContext, run: KhoRun): void {
  runPhase(ctx, 'kho_populate', () => {
    if (!profileAcceptsImage(run.profile, run.image.abi)) {
      run.accepted = false;
      run.observations.push({
        kind: 'image-refused',
        phase: 'kho_populate',
        reason: `root compatible "${run.image.abi}" is not the profile's "${run.profile.abi}"`,
      });
    } else if (
      run.profile.bitmapFormat &&
      run.image.bitmapFormat &&
      run.profile.bitmapFormat !== run.image.bitmapFormat
    ) {
      // both say "kho-v1", but 6.16/6.17 read 512-byte bitmaps and 6.18/6.19 page-sized ones (kho-abi.md §1):
      // deserialize_bitmap() walks the wrong bits, so what it reserves is not what was preserved
      run.accepted = false;
      run.observations.push({
        kind: 'bitmap-mismatch',
        phase: 'kho_memory_init',
        reason: `the image has ${run.image.bitmapFormat} bitmaps, ${run.profile.name} reads ${run.profile.bitmapFormat} ones`,
      });
    }
  });
}
