// One million blocks of orders 0..18, laid out the way a buddy allocator hands them out: the decoder returns
// exactly the blocks that built them (decoding alone is timed by bench/kho-decode.ts).
import { describe, expect, it } from 'vitest';
import type { KhoAbi, KhoBitmapFormat } from '../../../parsers/kho/index.js';
import { buildKhoImage } from '../../builders/kho-image.js';
import { decodeBuilt, generateBuddyBlocks, mulberry32, sameBlocks } from './helpers.js';

const ERAS: [KhoAbi, KhoBitmapFormat | undefined][] = [
  ['kho-v1', '512'],
  ['kho-v1', 'page'],
];

describe('round trip: 1,000,000 blocks', () => {
  const blocks = generateBuddyBlocks(mulberry32(2026), 1_000_000);
  const top = blocks[blocks.length - 1]!.phys + 2 ** 31;
  for (const [abi, bitmapFormat] of ERAS) {
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
