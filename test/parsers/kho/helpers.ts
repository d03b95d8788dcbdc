// Shared helpers of the KHO decoder tests: decode a built image through the in-memory double, generate blocks,
// damage its pages.
import fc from 'fast-check';
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

/** Decode a built image: 'ok', or 'trace-error' when it throws a TraceError; anything else (a crash) is thrown. */
export function decodeOutcome(img: BuiltKhoImage, extra: Partial<KhoImageInput> = {}): 'ok' | 'trace-error' {
  try {
    decodeBuilt(img, extra);
    return 'ok';
  } catch (e) {
    if (e instanceof TraceError) return 'trace-error';
    throw e;
  }
}

/**
 * fast-check: one byte of one of `pages` (physical addresses of pages of `img`) set to any value, then decoded
 * (decodeOutcome: a TraceError or an image, never a crash); the byte is put back after each run.
 */
export function assertByteMutations(
  img: BuiltKhoImage,
  pages: readonly number[],
  opts: { numRuns: number; seed: number },
): void {
  fc.assert(
    fc.property(
      fc.nat({ max: pages.length - 1 }),
      fc.nat({ max: 4095 }),
      fc.integer({ min: 0, max: 255 }),
      (pi, off, v) => {
        const page = img.pages.get(pages[pi]!)!;
        const orig = page[off]!;
        page[off] = v;
        try {
          decodeOutcome(img);
        } finally {
          page[off] = orig;
        }
      },
    ),
    opts,
  );
}

/** Each of `pages` left out of the dump in turn: the decode throws KHO_ERR_NOT_IN_DUMP. */
export function expectEachPageMissing(img: BuiltKhoImage, pages: readonly number[]): void {
  for (const p of pages) {
    const page = img.pages.get(p)!;
    img.pages.delete(p);
    try {
      decodeBuilt(img);
      throw new Error(`decoded without page ${p.toString(16)}`);
    } catch (e) {
      expect(e).toBeInstanceOf(TraceError);
      expect((e as TraceError).code).toBe('KHO_ERR_NOT_IN_DUMP');
    }
    img.pages.set(p, page);
  }
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
