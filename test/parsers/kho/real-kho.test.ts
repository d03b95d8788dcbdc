// The real v7.3-rc7 captures (traces/real-kho-*): the decoder reads what a real kernel wrote, and the oracle is what
// the real second kernel did with it: one `__memblock_reserve ... kho_preserved_memory_reserve` memblock=debug line
// per preserved block in stage2-after-kexec/dmesg.txt, plus the capture scripts' independent decoder
// (kho/expected.json, shared/tools/kho-real-capture/khofmt.py).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KhoImage } from '../../../parsers/kho/index.js';
import { KHO_OWNER, ownerSummary } from '../../../parsers/kho/index.js';
import { loadKhoImage } from '../../../src/cli/load-kho.js';
import { inspectToJson, preservedByOrder } from '../../../src/report/inspect-json.js';
import { TRACES_ROOT } from '../../helpers/traces.js';

export const REAL_KHO = ['real-kho-a-8g-2node', 'real-kho-c-8g-2node-luo-memfd'] as const;

/** The blocks the second kernel reserved, from its memblock=debug lines, sorted by phys: [phys, order]. */
export function stage2Reserved(bundle: string): [number, number][] {
  const text = fs.readFileSync(path.join(TRACES_ROOT, bundle, 'stage2-after-kexec/dmesg.txt'), 'utf8');
  const out: [number, number][] = [];
  const re = /__memblock_reserve: \[0x([0-9a-f]+)-0x([0-9a-f]+)\] .*\bkho_preserved_memory_reserve\+/g;
  for (const m of text.matchAll(re)) {
    const start = parseInt(m[1]!, 16);
    const pages = (parseInt(m[2]!, 16) + 1 - start) / 4096;
    out.push([start, Math.log2(pages)]);
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** The parts of kho/expected.json (tools/kho-real-capture/expected.py) the tests read. */
export interface ExpectedKho {
  kho: {
    root_fdt: { compatible: string; phys: number; size: number; preserved_memory_map: number };
    scratch: { phys: number; len: number }[];
    subtrees: Record<string, { phys: number; size: number }>;
    radix: { table_pages: number; leaf_pages: number; blocks: number; pages: number };
    blocks_per_owner: Record<string, { blocks: number; pages: number; per_order: Record<string, number> }>;
    blocks: [number, number, string][];
  };
  [key: string]: unknown;
}

/** kho/expected.json (capture C has one; capture A predates expected.py and states its facts in SOURCE.txt). */
export function expectedJson(bundle: string): ExpectedKho | null {
  const f = path.join(TRACES_ROOT, bundle, 'kho/expected.json');
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as ExpectedKho) : null;
}

/** Capture A's SOURCE.txt, "What was preserved": the cut_core.py decoder's figures. */
const SOURCE_A = {
  rootFdtCompatible: 'kho-v4',
  preservedMemoryMap: 0x180186000,
  tables: 34,
  leaves: 12,
  blocks: 18,
  subtrees: { kho_test: [0x1002ec000, 240], 'kexec-metadata': [0x100f50000, 73] },
};

const loaded = new Map<string, KhoImage>();
export function realImage(bundle: string): KhoImage {
  let img = loaded.get(bundle);
  if (!img) loaded.set(bundle, (img = loadKhoImage(path.join(TRACES_ROOT, bundle)).image));
  return img;
}

function decodedPairs(img: KhoImage): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < img.preserved.count; i++) out.push([img.preserved.phys[i]!, img.preserved.order[i]!]);
  return out;
}

describe.each(REAL_KHO)('real v7.3-rc7 capture %s', (bundle) => {
  it('root: kho-v4, the memory map and subtrees the capture scripts read', () => {
    const img = realImage(bundle);
    const exp = expectedJson(bundle);
    expect(img.abi).toBe('kho-v4');
    if (!exp) {
      expect(img.memoryMapPhys).toBe(SOURCE_A.preservedMemoryMap);
      expect(Object.fromEntries(img.subtrees.map((s) => [s.name, [s.phys, s.sizeBytes]]))).toEqual(
        SOURCE_A.subtrees,
      );
      return;
    }
    expect(img.memoryMapPhys).toBe(exp.kho.root_fdt.preserved_memory_map);
    expect(Object.fromEntries(img.subtrees.map((s) => [s.name, [s.phys, s.sizeBytes]]))).toEqual(
      Object.fromEntries(Object.entries(exp.kho.subtrees).map(([n, s]) => [n, [s.phys, s.size]])),
    );
    expect(img.scratch.map((s) => [s.phys, s.sizeBytes])).toEqual(
      exp.kho.scratch.map((s) => [s.phys, s.len]),
    );
  });

  it('radix tree: table and leaf pages as walked by the independent decoder', () => {
    const img = realImage(bundle);
    const exp = expectedJson(bundle);
    expect(img.metadata.radixTables).toBe(exp ? exp.kho.radix.table_pages : SOURCE_A.tables);
    expect(img.metadata.radixLeaves).toBe(exp ? exp.kho.radix.leaf_pages : SOURCE_A.leaves);
  });

  it('decoded blocks are exactly what the second kernel reserved (kho_preserved_memory_reserve lines)', () => {
    const img = realImage(bundle);
    const reserved = stage2Reserved(bundle);
    expect(reserved.length).toBe(expectedJson(bundle)?.kho.radix.blocks ?? SOURCE_A.blocks);
    expect(reserved.length).toBeGreaterThan(0);
    expect(decodedPairs(img)).toEqual(reserved);
  });
});

/** expected.json's luo section (tools/kho-real-capture/expected.py), the parts compared here. */
interface ExpectedLuo {
  luo_ser: { compatible: string; liveupdate_num: number; sessions_pa: number; flbs_pa: number };
  luo_ser_phys: number;
  flb: { pa: number; pgcnt: number; count: number; entries: { name: string; data: number; count: number }[] };
  session_blocks: { pa: number; next: number; count: number; capacity: number }[];
  sessions: {
    name: string;
    file_set_files_phys: number;
    file_set_count: number;
    file_blocks: { pa: number; next: number; count: number; capacity: number }[];
    files: {
      token: number;
      compatible: string;
      data: number;
      memfd: {
        ser_phys: number;
        pos: number;
        size: number;
        seals: number;
        flags: number;
        nr_folios: number;
        folios_vmalloc: { first: number; total_pages: number; flags: number; order: number };
        vmalloc_chunks: number[];
        vmalloc_pages: number[];
        folio_flags: number[];
        folio_indices_in_order: boolean;
        folio_pfn_runs: [number, number][];
      };
    }[];
  }[];
}

describe('real capture C: LUO (luo-v5), memfd-v2 records and the owner of every block', () => {
  const bundle = 'real-kho-c-8g-2node-luo-memfd';
  const exp = () => expectedJson(bundle)!;
  const luoExp = () => (exp() as unknown as { luo: ExpectedLuo }).luo;

  it('every block has the owner the independent decoder gives it (inspect --json owner, session, token); none unattributed', () => {
    const img = realImage(bundle);
    expect(img.owners.unattributed).toBe(0);
    const blocks = exp().kho.blocks;
    const doc = inspectToJson(img, bundle, []);
    expect(doc.kho.unattributed).toBe(0);
    // expected.py names LUO-owned blocks `owner[session/0xtoken]` (memfd pages) or `owner[session]` (file blocks)
    const got = Array.from(doc.kho.preserved, (e): [number, number, string] => [
      e.phys,
      e.order,
      e.token !== undefined
        ? `${e.owner}[${e.session}/0x${BigInt(e.token).toString(16)}]`
        : e.session !== undefined
          ? `${e.owner}[${e.session}]`
          : e.owner,
    ]);
    const want = [...blocks].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const diff = got.filter((g, i) => g.join() !== want[i]!.join());
    expect(diff).toEqual([]);
    expect(got.length).toBe(want.length);
  });

  it('owner summary == blocks_per_owner (blocks, pages, blocks per order)', () => {
    const img = realImage(bundle);
    const want = exp().kho.blocks_per_owner;
    const got = Object.fromEntries(
      ownerSummary(img).map((r) => [
        r.owner,
        {
          blocks: r.blocks,
          pages: r.pages,
          per_order: Object.fromEntries(r.orders.map((o) => [String(o.order), o.blocks])),
        },
      ]),
    );
    expect(got).toEqual(want);
    // inspect --json counts owners and orders in the pass that codes the owners: the same rows
    const doc = inspectToJson(img, bundle, []);
    expect(doc.kho.owners).toEqual(ownerSummary(img));
    expect(doc.kho.totals.byOrder).toEqual(preservedByOrder(img));
    expect(doc.kho.owners.length).toBeGreaterThan(5);
  });

  it('struct luo_ser, the session chain and the FLB header', () => {
    const luo = realImage(bundle).luo!;
    const e = luoExp();
    expect(luo.format).toBe('luo_ser');
    expect(luo.versionKnown).toBe(true);
    expect(luo.compatible).toBe(e.luo_ser.compatible);
    expect(luo.liveupdateNumber).toBe(e.luo_ser.liveupdate_num);
    expect(luo.sessionsPhys).toBe(e.luo_ser.sessions_pa);
    expect(luo.flbsPhys).toBe(e.luo_ser.flbs_pa);
    expect(realImage(bundle).subtrees.find((s) => s.name === 'LUO')!.phys).toBe(e.luo_ser_phys);
    expect(luo.sessionBlocks).toEqual(
      e.session_blocks.map((b) => ({ phys: b.pa, next: b.next, count: b.count })),
    );
    expect(luo.flb).toEqual({
      phys: e.flb.pa,
      pgcnt: e.flb.pgcnt,
      count: e.flb.count,
      entries: e.flb.entries.map((x) => ({
        name: x.name,
        data: expect.any(String),
        count: x.count,
      })),
    });
    // JSON numbers above 2^53 lose their low bits in JSON.parse: compare as the same doubles, and the exact values
    // as the capture's check lines print them
    expect(luo.flb!.entries.map((x) => Number(BigInt(x.data)))).toEqual(e.flb.entries.map((x) => x.data));
    expect(luo.flb!.entries.map((x) => x.data)).toEqual([
      '0xfeedf00dcafebee0',
      '0xfeedf00dcafebee1',
      '0xfeedf00dcafebee2',
    ]);
  });

  it('sessions in creation order with their file chains', () => {
    const luo = realImage(bundle).luo!;
    const e = luoExp();
    expect(luo.sessionRecords!.map((s) => s.name)).toEqual(e.sessions.map((s) => s.name));
    expect(luo.sessions[0]!.names).toEqual(e.sessions.map((s) => s.name));
    luo.sessionRecords!.forEach((s, i) => {
      const x = e.sessions[i]!;
      expect([s.filesPhys, s.fileCount]).toEqual([x.file_set_files_phys, x.file_set_count]);
      expect(s.fileBlocks).toEqual(x.file_blocks.map((b) => ({ phys: b.pa, next: b.next, count: b.count })));
    });
  });

  it('every file and memfd record: token, handler, data, pos, size, seals, flags, folio array, folio flags', () => {
    const img = realImage(bundle);
    const luo = img.luo!;
    const e = luoExp();
    const want = e.sessions.flatMap((s, si) => s.files.map((f) => ({ si, f })));
    expect(luo.files!.length).toBe(want.length);
    luo.files!.forEach((f, i) => {
      const { si, f: x } = want[i]!;
      expect([f.session, f.token, f.compatible, f.data]).toEqual([
        si,
        String(x.token),
        x.compatible,
        `0x${x.data.toString(16)}`,
      ]);
      const m = f.memfd!;
      const xm = x.memfd;
      expect([m.version, m.serPhys, m.pos, m.size, m.seals, m.flags, m.nrFolios]).toEqual([
        'memfd-v2',
        xm.ser_phys,
        xm.pos,
        xm.size,
        xm.seals,
        xm.flags,
        xm.nr_folios,
      ]);
      if (xm.nr_folios === 0) {
        expect(m.vmalloc).toBeNull();
        return;
      }
      const area = img.vmalloc[m.vmalloc!]!;
      expect([area.first, area.totalPages, area.flags, area.order]).toEqual([
        xm.folios_vmalloc.first,
        xm.folios_vmalloc.total_pages,
        xm.folios_vmalloc.flags,
        xm.folios_vmalloc.order,
      ]);
      expect(area.chunkPhys).toEqual(xm.vmalloc_chunks);
      expect([...area.blockPhys]).toEqual(xm.vmalloc_pages);
      expect([m.folioFlagsAny, m.folioFlagsAll]).toEqual([
        xm.folio_flags.reduce((a, b) => a | b, 0),
        xm.folio_flags.reduce((a, b) => a & b, 0xfff),
      ]);
      expect(m.indicesAscending).toBe(xm.folio_indices_in_order);
    });
  });

  it("each memfd's folios are the preserved blocks at its pfns (folio_pfn_runs), owned by that file", () => {
    const img = realImage(bundle);
    const e = luoExp();
    const files = e.sessions.flatMap((s) => s.files);
    const pfnsByFile = new Map<number, number[]>();
    for (let i = 0; i < img.preserved.count; i++) {
      if (img.owners.kind[i] !== KHO_OWNER.MEMFD_FOLIO) continue;
      const r = img.owners.ref[i]!;
      if (!pfnsByFile.has(r)) pfnsByFile.set(r, []);
      pfnsByFile.get(r)!.push(img.preserved.phys[i]! / 4096);
    }
    files.forEach((f, i) => {
      const want = f.memfd.folio_pfn_runs.flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k));
      expect((pfnsByFile.get(i) ?? []).sort((a, b) => a - b)).toEqual(want.sort((a, b) => a - b));
    });
  });
});

describe('real capture A: every block attributed (SOURCE.txt: root FDT, test_kho folios and folios_info, two blobs)', () => {
  it('owners', () => {
    const img = realImage('real-kho-a-8g-2node');
    expect(img.owners.unattributed).toBe(0);
    expect(Object.fromEntries(ownerSummary(img).map((r) => [r.owner, [r.blocks, r.pages]]))).toEqual({
      'kho:root-fdt': [1, 1],
      'subtree:kho_test': [1, 2],
      'subtree:kexec-metadata': [1, 1],
      'test_kho:data-folio': [13, 2048],
      'test_kho:folios_info-chunk': [1, 1],
      'test_kho:folios_info-data': [1, 1],
    });
    expect(img.vmalloc[0]!.chunkPhys).toEqual([0x100354000]);
    expect([...img.vmalloc[0]!.blockPhys]).toEqual([0x100353000]);
  });
});
