// Damaged images: a byte of a chunk or tree page changed, or a page missing, gives a TraceError or an image (with
// diagnostics), never a TypeError or a hang.
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import type { KhoAbi, KhoBitmapFormat } from '../../../parsers/kho/index.js';
import type { BuiltKhoImage } from '../../builders/kho-image.js';
import { buildKhoImage } from '../../builders/kho-image.js';
import {
  assertByteMutations,
  decodeBuilt,
  decodeOutcome,
  expectEachPageMissing,
  generateBuddyBlocks,
  mulberry32,
  sameBlocks,
} from './helpers.js';

const ERAS: [KhoAbi, KhoBitmapFormat | undefined][] = [
  ['kho-v1', '512'],
  ['kho-v1', 'page'],
  ['kho-v2', undefined],
  ['kho-v3', undefined],
  ['kho-v4', undefined],
];
const RAM = [{ start: 0x80_0000_0000, end: 0x80_4000_0000 }];

/** The kho-v1 chunk pages (walking next from the head), or every radix node. */
function structurePages(img: BuiltKhoImage): { phys: number; bytes: number }[] {
  if (img.abi !== 'kho-v1') return img.mapPages.map((p) => ({ phys: p, bytes: 24 }));
  const out: { phys: number; bytes: number }[] = [];
  for (let c = img.memoryMapPhys; c !== 0;) {
    const v = new DataView(img.pages.get(c)!.buffer);
    out.push({ phys: c, bytes: 16 + 16 * v.getUint32(12, true) });
    c = v.getUint32(0, true) + v.getUint32(4, true) * 2 ** 32;
  }
  return out;
}

describe('damaged images: a TraceError, a diagnostic or other blocks; never a crash, a hang or an unnoticed change', () => {
  const blocks = generateBuddyBlocks(mulberry32(7), 400, { hugeProb: 0.01 });
  for (const [abi, bitmapFormat] of ERAS) {
    const label = `${abi}${bitmapFormat ? ` ${bitmapFormat}` : ''}`;
    const make = () => buildKhoImage({ abi, ...(bitmapFormat ? { bitmapFormat } : {}), ram: RAM, blocks });
    const proto = make();

    it(`${label}: every byte of every chunk header and entry (v1) or of the first 24 bytes (three table entries) of every tree node (v2/v3), set to 0x00, 0xff, and xor 0x01`, () => {
      const img = make();
      const clean = decodeBuilt(img);
      const cleanCodes = clean.diagnostics.map((d) => d.code).join();
      const outcomes = { 'trace-error': 0, diagnostic: 0, 'other blocks': 0, unnoticed: [] as string[] };
      for (const { phys, bytes } of structurePages(proto)) {
        const page = img.pages.get(phys)!;
        for (let off = 0; off < bytes; off++) {
          const orig = page[off]!;
          for (const v of [0x00, 0xff, orig ^ 0x01]) {
            if (v === orig) continue;
            page[off] = v;
            try {
              const d = decodeBuilt(img);
              if (d.diagnostics.map((x) => x.code).join() !== cleanCodes) outcomes.diagnostic++;
              else if (!sameBlocks(d, img.blocks)) outcomes['other blocks']++;
              else outcomes.unnoticed.push(`${phys.toString(16)}+${off}=${v}`);
            } catch (e) {
              if (!(e instanceof TraceError)) throw e;
              outcomes['trace-error']++;
            }
            page[off] = orig;
          }
        }
      }
      // Every byte of the structure matters: a change is an error, a diagnostic, or a different set of blocks.
      expect(outcomes.unnoticed).toEqual([]);
      expect(outcomes['trace-error']).toBeGreaterThan(0);
      expect(decodeOutcome(img)).toBe('ok');
    });

    it(`${label}: random single-byte mutations anywhere in the map pages`, () => {
      const img = make();
      assertByteMutations(img, img.mapPages, { numRuns: 400, seed: 42 });
    });

    it(`${label}: each map page missing from the dump gives KHO_ERR_NOT_IN_DUMP`, () => {
      expectEachPageMissing(make(), proto.mapPages);
    });
  }
});
