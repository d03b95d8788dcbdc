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

/** A small deterministic PRNG (mulberry32) for large generated images. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` naturally aligned, non-overlapping blocks from `startPfn` upward, sorted, with random gaps. Orders are
 * drawn from `orders` (uniformly over the list, so repeat an order to weight it).
 */
export function generateBlocks(
  rand: () => number,
  count: number,
  orders: readonly number[],
  startPfn = 0x100000,
  maxGapPages = 64,
): KhoBlockSpec[] {
  const out: KhoBlockSpec[] = [];
  let pfn = startPfn;
  for (let i = 0; i < count; i++) {
    const order = orders[Math.floor(rand() * orders.length)]!;
    const size = 2 ** order;
    pfn = Math.ceil(pfn / size) * size;
    out.push({ phys: pfn * 4096, order });
    pfn += size + Math.floor(rand() * maxGapPages);
  }
  return out;
}

/**
 * `count` blocks the way a buddy allocator hands them out: superblocks of 2^maxOrder pages split in halves at random,
 * each piece kept whole (probability `keep`), left free (`free`), or split further; now and then a huge block
 * (order maxOrder+1 .. hugeMaxOrder, as kho_preserve_pages makes). Sorted, naturally aligned, non-overlapping, dense.
 */
export function generateBuddyBlocks(
  rand: () => number,
  count: number,
  opts: {
    maxOrder?: number;
    hugeMaxOrder?: number;
    keep?: number;
    free?: number;
    hugeProb?: number;
    startPfn?: number;
  } = {},
): KhoBlockSpec[] {
  const maxOrder = opts.maxOrder ?? 10;
  const hugeMax = opts.hugeMaxOrder ?? 18;
  const keep = opts.keep ?? 0.35;
  const free = opts.free ?? 0.25;
  const hugeProb = opts.hugeProb ?? 0.002;
  const out: KhoBlockSpec[] = [];
  const split = (pfn: number, o: number): void => {
    if (out.length >= count) return;
    if (o === 0 || rand() < keep) {
      if (rand() >= free) out.push({ phys: pfn * 4096, order: o });
      return;
    }
    split(pfn, o - 1);
    split(pfn + 2 ** (o - 1), o - 1);
  };
  let pfn = opts.startPfn ?? 0x100000;
  while (out.length < count) {
    if (hugeMax > maxOrder && rand() < hugeProb) {
      const o = maxOrder + 1 + Math.floor(rand() * (hugeMax - maxOrder));
      pfn = Math.ceil(pfn / 2 ** o) * 2 ** o;
      out.push({ phys: pfn * 4096, order: o });
      pfn += 2 ** o;
      continue;
    }
    pfn = Math.ceil(pfn / 2 ** maxOrder) * 2 ** maxOrder;
    split(pfn, maxOrder);
    pfn += 2 ** maxOrder;
  }
  return out;
}
