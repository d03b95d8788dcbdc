// Shared helpers of the KHO decoder tests: decode a built image through the in-memory double, generate blocks.
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import type { KhoAbi, KhoBitmapFormat, KhoImage, KhoImageInput } from '../../../parsers/kho/index.js';
import { decodeKhoImage } from '../../../parsers/kho/index.js';
import type { BuiltKhoImage, KhoBlockSpec } from '../../builders/kho-image.js';
import {
  buildKhoImage,
  generateBuddyBlocks,
  mulberry32,
  pagesMemory,
  toFdtNode,
} from '../../builders/kho-image.js';

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

/** The RAM the small test images are placed in: [4 GiB, 18 GiB). */
export const RAM = [{ start: 0x100000000, end: 0x480000000 }];

/** A little-endian u64 of a built page. */
export const U64 = (v: DataView, off: number): number =>
  v.getUint32(off, true) + v.getUint32(off + 4, true) * 2 ** 32;

/** Run `f`, which must throw a TraceError with `code` (and a field matching `field`); return the error. */
export function expectTraceError(f: () => unknown, code: string, field?: RegExp): TraceError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TraceError);
    const te = e as TraceError;
    expect(te.code).toBe(code);
    if (field) expect(te.location.field ?? '').toMatch(field);
    return te;
  }
  throw new Error(`expected ${code}`);
}

export { generateBuddyBlocks, mulberry32 } from '../../builders/kho-image.js';

/**
 * One million blocks of orders 0..18, laid out the way a buddy allocator hands them out, built in each era and
 * decoded: exactly the blocks that built them come back. The eras are split over two files so that the two
 * large cases run in parallel workers.
 */
export function describeLargeRoundTrip(
  eras: readonly (readonly [KhoAbi, KhoBitmapFormat | undefined])[],
): void {
  describe('round trip: 1,000,000 blocks', () => {
    const blocks = generateBuddyBlocks(mulberry32(2026), 1_000_000);
    const top = blocks[blocks.length - 1]!.phys + 2 ** 31;
    for (const [abi, bitmapFormat] of eras) {
      it(`${abi}${bitmapFormat ? ` ${bitmapFormat}` : ''}`, () => {
        const img = buildKhoImage({
          abi,
          ...(bitmapFormat ? { bitmapFormat } : {}),
          ram: [{ start: top, end: top + 2 ** 30 }],
          blocks,
        });
        const d = decodeBuilt(img);
        expect(d.preserved.count).toBe(1_000_000);
        expect(new Set(d.preserved.order).size).toBe(19);
        expect(sameBlocks(d, img.blocks)).toBe(true);
        if (bitmapFormat) expect(d.bitmapFormat).toBe(bitmapFormat);
      });
    }
  });
}
