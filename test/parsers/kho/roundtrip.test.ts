// Round trips (fast-check): random images of every era decode to exactly the blocks that built them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KhoAbi, KhoBitmapFormat } from '../../../parsers/kho/index.js';
import type { KhoBlockSpec } from '../../builders/kho-image.js';
import { buildKhoImage } from '../../builders/kho-image.js';
import { decodeBuilt, sameBlocks } from './helpers.js';

const ERAS: [KhoAbi, KhoBitmapFormat | undefined][] = [
  ['kho-v1', '512'],
  ['kho-v1', 'page'],
  ['kho-v2', undefined],
  ['kho-v3', undefined],
  ['kho-v4', undefined],
];
const RAM = [{ start: 0x80_0000_0000, end: 0x80_4000_0000 }];

/** Arbitrary non-overlapping, naturally aligned blocks below 512 GiB, orders 0..20 (skewed low). */
const blocksArb = fc
  .array(
    fc.record({
      slot: fc.integer({ min: 0, max: 2 ** 17 - 1 }),
      order: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }) },
        { weight: 3, arbitrary: fc.integer({ min: 4, max: 10 }) },
        { weight: 1, arbitrary: fc.integer({ min: 11, max: 20 }) },
      ),
    }),
    { maxLength: 300 },
  )
  .map((raw) => {
    // Each slot is a 4 MiB-aligned area of the low 512 GiB; an order above 10 takes its aligned superslot.
    const used = new Set<number>();
    const out: KhoBlockSpec[] = [];
    for (const { slot, order } of raw) {
      const slotPages = 2 ** 10;
      const span = Math.max(1, 2 ** order / slotPages);
      const first = Math.floor(slot / span) * span;
      let free = true;
      for (let s = first; s < first + span; s++) if (used.has(s)) free = false;
      if (!free) continue;
      for (let s = first; s < first + span; s++) used.add(s);
      const within = order < 10 ? (slot % 2 ** (10 - order)) * 2 ** order : 0;
      out.push({ phys: (first * slotPages + within) * 4096, order });
    }
    return out.sort((a, b) => a.phys - b.phys);
  });

describe('round trip: small random images, every era', () => {
  for (const [abi, bitmapFormat] of ERAS) {
    it(`${abi}${bitmapFormat ? ` ${bitmapFormat}` : ''}`, () => {
      fc.assert(
        fc.property(blocksArb, (blocks) => {
          const img = buildKhoImage({ abi, ...(bitmapFormat ? { bitmapFormat } : {}), ram: RAM, blocks });
          const d = decodeBuilt(img);
          expect(sameBlocks(d, img.blocks)).toBe(true);
          if (abi === 'kho-v1' && bitmapFormat === '512' && blocks.length > 0)
            expect(d.bitmapFormat).toBe('512');
        }),
        { numRuns: 60, seed: 0x6b686f },
      );
    });
  }
});
