// Shared helpers of the KHO decoder tests: decode a built image through the in-memory double, generate blocks.
import type { KhoImage, KhoImageInput } from '../../../parsers/kho/index.js';
import { decodeKhoImage } from '../../../parsers/kho/index.js';
import type { BuiltKhoImage, KhoBlockSpec } from '../../builders/kho-image.js';
import { pagesMemory, toFdtNode } from '../../builders/kho-image.js';

export function decodeBuilt(img: BuiltKhoImage, extra: Partial<KhoImageInput> = {}): KhoImage {
  return decodeKhoImage({
    root: toFdtNode(img.root),
    rootFile: 'kho/fdt',
    mem: pagesMemory(img.pages, img.pageSize),
    scratch: img.scratch,
    ...extra,
  });
}

/** Decoded blocks as [phys, order] pairs (small images only). */
export function pairs(img: KhoImage): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < img.preserved.count; i++) out.push([img.preserved.phys[i]!, img.preserved.order[i]!]);
  return out;
}

/** True when the decoded columns equal `blocks` (sorted by phys then order). Linear, for a million blocks. */
export function sameBlocks(img: KhoImage, blocks: readonly KhoBlockSpec[]): boolean {
  if (img.preserved.count !== blocks.length) return false;
  for (let i = 0; i < blocks.length; i++) {
    if (img.preserved.phys[i] !== blocks[i]!.phys || img.preserved.order[i] !== blocks[i]!.order)
      return false;
  }
  return true;
}

export { generateBuddyBlocks, mulberry32 } from '../../builders/kho-image.js';
