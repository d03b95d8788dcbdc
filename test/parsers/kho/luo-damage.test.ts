// Damaged LUO state in kho-v4 images: every prefix of the LUO blob, every byte of the block headers, first entries
// and memfd records set to 0x00 / 0xff / xor 0x01, and random single-byte mutations of every LUO page give a
// TraceError or a decoded image (with diagnostics); never a crash or a hang. Plus one million blocks round trip
// through a memfd's folio array.
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import { KHO_OWNER } from '../../../parsers/kho/index.js';
import type { BuiltKhoImage } from '../../builders/kho-image.js';
import { buildKhoImage } from '../../builders/kho-image.js';
import {
  RAM,
  assertByteMutations,
  decodeBuilt,
  decodeOutcome,
  expectEachPageMissing,
  sameBlocks,
} from './helpers.js';

const SPEC = {
  abi: 'kho-v4' as const,
  ram: RAM,
  blocks: [{ phys: 0x1_0000_0000, order: 3 }],
  luo: {
    sessions: [
      { name: 'vm0', files: [{ token: 1, memfd: { size: 5 * 4096, seals: 0x5 } }] },
      {
        name: 'many',
        files: Array.from({ length: 65 }, (_, i) => ({ token: 0x300 + i, memfd: { size: 4096 } })),
      },
      ...Array.from({ length: 52 }, (_, i) => ({ name: `s${i}` })),
    ],
    flbs: [{ name: 'flb', data: 1n, count: 66 }],
  },
};

/** The LUO pages of a built image: session and file blocks, memfd records, the FLB page and luo_ser. */
function luoPages(img: BuiltKhoImage): number[] {
  const l = img.luo!;
  return [l.serPhys, l.flbPhys, ...l.sessionBlocks, ...l.fileBlocks.flat(), ...l.files.map((f) => f.serPhys)];
}

describe('damaged LUO state (kho-v4): a TraceError or a diagnostic, never a crash', () => {
  it('every prefix of the LUO blob (kho/sub_fdts/LUO cut short)', () => {
    const img = buildKhoImage(SPEC);
    const blob = img.blobs.get('LUO')!;
    const seen = new Set<string>();
    for (let n = 0; n < blob.length; n++) {
      const cut = { file: 'kho/sub_fdts/LUO', bytes: blob.subarray(0, n) };
      try {
        const d = decodeBuilt(img, { subBlobs: new Map([['LUO', cut]]) });
        seen.add(`diag:${d.diagnostics.map((x) => x.code).join(',')}`);
      } catch (e) {
        if (!(e instanceof TraceError)) throw e;
        expect(e.location.file).toBe('kho/sub_fdts/LUO');
        seen.add(`error:${e.code}`);
      }
    }
    expect([...seen].some((s) => s.startsWith('error:KHO_ERR_TRUNCATED'))).toBe(true);
  });

  it('every byte of a block header, its first entry and a memfd record set to 0x00, 0xff, xor 0x01', () => {
    const img = buildKhoImage(SPEC);
    const counts = { 'trace-error': 0, ok: 0 };
    // one page of each kind: luo_ser, FLB header, a session block, a file block, a memfd record with folios
    const l = img.luo!;
    for (const p of [l.serPhys, l.flbPhys, l.sessionBlocks[1]!, l.fileBlocks[1]![1]!, l.files[0]!.serPhys]) {
      const page = img.pages.get(p)!;
      for (let off = 0; off < 96; off++) {
        const orig = page[off]!;
        for (const v of [0x00, 0xff, orig ^ 0x01]) {
          if (v === orig) continue;
          page[off] = v;
          counts[decodeOutcome(img)]++;
          page[off] = orig;
        }
      }
    }
    expect(counts['trace-error']).toBeGreaterThan(0);
    expect(decodeOutcome(img)).toBe('ok');
  });

  it('random single-byte mutations anywhere in the LUO pages', () => {
    const img = buildKhoImage(SPEC);
    assertByteMutations(img, luoPages(img), { numRuns: 400, seed: 8 });
  });

  it('each LUO page missing from the dump: KHO_ERR_NOT_IN_DUMP (or, for luo_ser itself, LUO not read)', () => {
    const img = buildKhoImage(SPEC);
    expectEachPageMissing(img, luoPages(img).slice(1));
  });
});

describe('round trip: 1,000,000 blocks in a kho-v4 image with LUO', () => {
  it('a memfd of 1,000,000 folios: every block decoded, every one owned by its file', () => {
    const img = buildKhoImage({
      abi: 'kho-v4',
      ram: [{ start: 0x1_0000_0000, end: 0x3_0000_0000 }],
      blocks: [],
      luo: {
        sessions: [
          {
            name: 'guest',
            files: [
              { token: 7, memfd: { size: 1_000_000 * 4096 } },
              { token: 8, memfd: { size: 4096 } },
            ],
          },
        ],
      },
    });
    const d = decodeBuilt(img);
    expect(d.preserved.count).toBe(img.blocks.length);
    expect(d.preserved.count).toBeGreaterThan(1_000_000);
    expect(sameBlocks(d, img.blocks)).toBe(true);
    expect(d.owners.unattributed).toBe(0);
    let folios = 0;
    for (let i = 0; i < d.preserved.count; i++) if (d.owners.kind[i] === KHO_OWNER.MEMFD_FOLIO) folios++;
    expect(folios).toBe(1_000_001);
    expect(d.luo!.files![0]!.memfd!.folios).toBe(1_000_000);
  }, 60_000);
});
