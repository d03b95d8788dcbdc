// LUO (luo-v5) and memfd-v2 in built kho-v4 images: sessions and files in KHO block chains decode to what was built,
// every page the builder laid out gets its owner, and the kernel's refusals are located errors.
import { describe, expect, it } from 'vitest';
import { KHO_OWNER, ownerSummary } from '../../../parsers/kho/index.js';
import type { KhoLuoSpec } from '../../builders/kho-luo.js';
import { buildKhoImage } from '../../builders/kho-image.js';
import { RAM, decodeBuilt, expectTraceError, pairs } from './helpers.js';

const LUO: KhoLuoSpec = {
  sessions: [
    {
      name: 'vm0',
      files: [
        { token: 0x100, memfd: { size: 3 * 4096, pos: 4096, seals: 0x1 } },
        { token: 0x101, memfd: { size: 0 } },
      ],
    },
    {
      name: 'many',
      files: Array.from({ length: 70 }, (_, i) => ({ token: 0x300 + i, memfd: { size: 4096 } })),
    },
    ...Array.from({ length: 51 }, (_, i) => ({ name: `empty-${i}` })),
  ],
  flbs: [{ name: 'liveupdate-test-flb-v0', data: 0xfeedf00dcafebee0n, count: 72 }],
};
const BLOCKS = [
  { phys: 0x1_0000_0000, order: 0 },
  { phys: 0x1_0020_0000, order: 9 },
];

describe('kho-v4 images with LUO sessions, memfd files and block chains', () => {
  const img = buildKhoImage({ abi: 'kho-v4', ram: RAM, blocks: BLOCKS, luo: LUO });
  const dec = decodeBuilt(img);

  it('decodes every preserved block the builder made (LUO pages included)', () => {
    expect(pairs(dec)).toEqual(img.blocks.map((b) => [b.phys, b.order]));
  });

  it('sessions, file chains and memfd records as built', () => {
    const luo = dec.luo!;
    expect([luo.compatible, luo.format, luo.versionKnown, luo.liveupdateNumber]).toEqual([
      'luo-v5',
      'luo_ser',
      true,
      1,
    ]);
    expect(luo.sessionBlocks!.map((b) => b.phys)).toEqual(img.luo!.sessionBlocks);
    expect(luo.sessionBlocks!.map((b) => b.count)).toEqual([51, 2]);
    expect(luo.sessionRecords!.map((s) => s.name)).toEqual(LUO.sessions.map((s) => s.name));
    expect(luo.sessionRecords![1]!.fileBlocks.map((b) => b.count)).toEqual([63, 7]);
    expect(luo.files!.map((f) => f.token)).toEqual(img.luo!.files.map((f) => f.token.toString()));
    const m = luo.files![0]!.memfd!;
    expect([m.version, m.size, m.pos, m.seals, m.flags, m.nrFolios, m.folios, m.folioFlagsAll]).toEqual([
      'memfd-v2',
      3 * 4096,
      4096,
      1,
      0,
      3,
      3,
      3,
    ]);
    expect(luo.files![1]!.memfd!.vmalloc).toBeNull();
    expect(luo.flb!.entries).toEqual([
      { name: 'liveupdate-test-flb-v0', data: '0xfeedf00dcafebee0', count: 72 },
    ]);
  });

  it('every block but the anonymous ones has an owner; folios belong to their file', () => {
    expect(dec.owners.unattributed).toBe(BLOCKS.length);
    const rows = Object.fromEntries(ownerSummary(dec).map((r) => [r.owner, r.blocks]));
    expect(rows).toEqual({
      unattributed: 2,
      'memfd:folio': 3 + 70,
      'memfd:ser': 72,
      'memfd:folios-chunk': 71,
      'memfd:folios-data': 71,
      'luo:file-block': 3,
      'luo:session-block': 2,
      'luo:flb-header': 1,
      'subtree:LUO': 1,
    });
    const folio = img.luo!.files[2]!.folioPhys[0]!;
    const i = [...dec.preserved.phys].indexOf(folio);
    expect(dec.owners.kind[i]).toBe(KHO_OWNER.MEMFD_FOLIO);
    expect(dec.luo!.files![dec.owners.ref[i]!]!.token).toBe(String(0x300));
  });

  it('a memfd with more folios than one claim batch: every folio counted and claimed once, in its file', () => {
    // memfd.ts claims folios FOLIO_BATCH (4096) at a time: two whole batches and a tail
    const n = 2 * 4096 + 3;
    const big = decodeBuilt(
      buildKhoImage({
        abi: 'kho-v4',
        ram: RAM,
        blocks: [],
        luo: { sessions: [{ name: 's', files: [{ token: 7, memfd: { folios: n, folioFlags: 1 } }] }] },
      }),
    );
    const m = big.luo!.files![0]!.memfd!;
    expect([
      m.nrFolios,
      m.folios,
      m.folioBytes,
      m.folioFlagsAll,
      m.folioFlagsAny,
      m.indicesAscending,
    ]).toEqual([n, n, n * 4096, 1, 1, true]);
    const rows = Object.fromEntries(ownerSummary(big).map((r) => [r.owner, r.blocks]));
    expect(rows['memfd:folio']).toBe(n);
    expect(big.owners.unattributed).toBe(0);
  });

  it('memfd-v1 records (40 bytes, no seals) decode too', () => {
    const v1 = decodeBuilt(
      buildKhoImage({
        abi: 'kho-v4',
        ram: RAM,
        blocks: [],
        luo: { sessions: [{ name: 's', files: [{ token: 1, memfd: { size: 8192, version: 'memfd-v1' } }] }] },
      }),
    );
    const m = v1.luo!.files![0]!.memfd!;
    expect([m.version, m.size, m.seals, m.nrFolios, m.folios]).toEqual(['memfd-v1', 8192, null, 2, 2]);
    expect(v1.owners.unattributed).toBe(0);
  });

  it('an unknown LUO version is a diagnostic naming it; nothing behind it is read', () => {
    const img2 = buildKhoImage({
      abi: 'kho-v4',
      ram: RAM,
      blocks: [],
      luo: { ...LUO, compatible: 'luo-v9' },
    });
    const d = decodeBuilt(img2);
    expect(d.luo!.versionKnown).toBe(false);
    const diag = d.diagnostics.find((x) => x.code === 'KHO_LUO_VERSION')!;
    expect(diag.message).toContain('"luo-v9"');
    expect(d.luo!.sessionRecords).toBeUndefined();
  });

  it('a zero count in a file block is KHO_ERR_BLOCK_COUNT naming the session chain and block', () => {
    const bad = buildKhoImage({ abi: 'kho-v4', ram: RAM, blocks: [], luo: LUO });
    const blk = bad.luo!.fileBlocks[1]![1]!;
    bad.pages.get(blk)!.fill(0, 8, 16);
    expectTraceError(
      () => decodeBuilt(bad),
      'KHO_ERR_BLOCK_COUNT',
      /LUO session "many" files block\[1\]\.count/,
    );
  });
});
