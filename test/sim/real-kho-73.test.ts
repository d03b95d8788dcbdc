// The real v7.3-rc7 handovers (traces/real-kho-*): the replay of the second kernel, under the profile the bundle
// picks by itself (v7.3, from the image's kexec-metadata release), against what that kernel printed in
// stage2-after-kexec/: zone ranges, `pages in unavailable ranges`, the nodes that ran deferred init, one
// `__memblock_reserve ... kho_preserved_memory_reserve` per preserved block, `test_kho: KHO restore succeeded`,
// and /proc/pagetypeinfo's CMA pageblocks (the scratch areas, and nothing else).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePagetypeinfo } from '../../parsers/buddyinfo/parse-pagetypeinfo.js';
import { migratetypesOf } from '../../src/check/migratetype-findings.js';
import { loadKhoBundle } from '../../src/cli/load-kho.js';
import { MIGRATE, MIGRATETYPE_NAMES, pageblockCensus } from '../../src/sim/migratetype.js';
import { checkKho, replayKho } from './kho-replay-helper.js';

const BUNDLES = ['traces/real-kho-a-8g-2node', 'traces/real-kho-c-8g-2node-luo-memfd'] as const;

describe.each(BUNDLES)('%s: the second kernel as replayed and as it printed', (dir) => {
  const stage2 = (f: string): string => fs.readFileSync(path.join(dir, 'stage2-after-kexec', f), 'utf8');
  const dmesg = stage2('dmesg.txt');
  const b = loadKhoBundle(dir);
  const r = replayKho(b.host, b.image, { bundleName: dir });
  const tl = r.timeline;
  const hex = (s: string): number => Number.parseInt(s, 16);

  it('picks v7.3 from the release the image records (kexec-metadata 7.3.0-rc7)', () => {
    expect(r.kho.profile.name).toBe('v7.3');
    expect(r.kho.profileReason).toBe(
      "kernel release 7.3.0-rc7 (the image's kexec-metadata) is v7.3, which writes kho-v4",
    );
    expect([r.timeline.mm.name, r.deferred, r.kho.strategy.name]).toEqual([
      'linux-7.3',
      true,
      'init-deferred-page',
    ]);
  });

  it('has the zones it printed', () => {
    const printed = [...dmesg.matchAll(/^\[[ \d.]+\] {3}(\w+) +\[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]$/gm)].map(
      (m) => [m[1], hex(m[2]!) / 4096, (hex(m[3]!) + 1) / 4096],
    );
    expect(printed).toEqual([
      ['DMA', 0x1, 0x1000],
      ['DMA32', 0x1000, 0x100000],
      ['Normal', 0x100000, 0x280000],
    ]);
    const zones = tl.nodes.flatMap((n) =>
      n.zones.filter((z) => z.presentPages).map((z) => [n.nid, z.name, z.startPfn]),
    );
    expect(zones).toEqual([
      [0, 'DMA', 0x1],
      [0, 'DMA32', 0x1000],
      [0, 'Normal', 0x100000],
      [1, 'Normal', 0x180000],
    ]);
  });

  it('reports the unavailable ranges it printed, in its order', () => {
    const printed = [...dmesg.matchAll(/On node (\d+), zone (\w+): (\d+) pages in unavailable ranges/g)].map(
      (m) => [Number(m[1]), m[2], Number(m[3])],
    );
    expect(printed).toEqual([
      [0, 'DMA', 1],
      [0, 'DMA', 97],
      [0, 'Normal', 32],
    ]);
    expect(tl.unavailable.map((u) => [u.nid, u.zone, u.pages])).toEqual(printed);
  });

  it('defers the nodes whose pgdatinit thread printed', () => {
    const printed = [...dmesg.matchAll(/node (\d+) deferred pages initialised in \d+ms/g)].map((m) =>
      Number(m[1]),
    );
    expect(tl.nodes.filter((n) => n.firstDeferredPfn !== null).map((n) => n.nid)).toEqual(
      [...printed].sort((x, y) => x - y),
    );
    // the pgdatinit threads that ran: no deferred_grow_zone() moved first_deferred_pfn to ULONG_MAX (the v7.2+ end
    // rule) or past a node end (BUG_ON), and each did work
    expect(tl.deferredWork.map((w) => w.nid)).toEqual([...printed].sort((x, y) => x - y));
    expect(tl.deferredWork.every((w) => w.pages > 0)).toBe(true);
    expect(tl.deferredInitBugs).toEqual([]);
  });

  it('has no gigantic hugetlb pages to set up (booted without hugepages=), so hugetlb_bootmem_struct_page_init() does nothing', () => {
    expect(stage2('cmdline.txt')).not.toMatch(/hugepages=/);
    expect(r.timeline.mm.hugetlbBootmemStructPageInit).toBe(true);
    expect(tl.events.some((e) => e.fn === 'hugetlb_bootmem_struct_page_init')).toBe(false);
  });

  it('reserves exactly the blocks kho_preserved_memory_reserve() reserved', () => {
    const printed = [
      ...dmesg.matchAll(
        /__memblock_reserve: \[(0x[0-9a-f]+)-(0x[0-9a-f]+)\] \S+ \S+ kho_preserved_memory_reserve/g,
      ),
    ]
      .map((m) => [hex(m[1]!) / 4096, (hex(m[2]!) + 1) / 4096] as const)
      .sort((x, y) => x[0] - y[0]);
    expect(printed.length).toBe(b.image.preserved.count);
    expect([...r.kho.run.blocks].map((x) => [x.startPfn, x.endPfn])).toEqual(printed);
  });

  it('is clean where the kernel restored every folio and checked it', () => {
    expect(dmesg).toContain('test_kho: KHO restore succeeded');
    expect(r.kho.run.accepted).toBe(true);
    const findings = checkKho(r);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    // every block the replay restores was restored: magic and order found on its head
    const restorable = [...r.kho.run.blocks].filter((x) => r.kho.run.restoreKinds.has(x.kind));
    expect(r.kho.run.restored.size).toBe(restorable.length);
  });

  it('prints the KHO and LUO restore messages the replay predicts: handover found, revived reservations, exec from, LUO number', () => {
    // kho_populate() took the root: "KHO: found kexec handover data." (linux v7.3-rc7 kexec_handover.c kho_populate)
    expect(r.kho.run.accepted).toBe(true);
    expect(dmesg).toContain('KHO: found kexec handover data.');
    expect(dmesg).not.toContain('disabling KHO revival');
    // kho_in_kexec_metadata(): "exec from: <release> (count <n>)" from the image's kexec-metadata subtree
    const md = b.image.kexecMetadata!;
    expect(dmesg).toContain(`KHO: exec from: ${md.previousRelease} (count ${md.kexecCount})`);
    // reserve_mem_kho_revive() prints one line per reserve_mem= region of the memblock subtree
    const revived = [...dmesg.matchAll(/Revived memory reservation '([^']+)' from KHO/g)].map((m) => m[1]);
    expect(revived).toEqual(b.image.reserveMem.map((m) => m.name));
    expect([...r.kho.run.blocks].filter((x) => x.kind === 'reserve-mem').length > 0).toBe(revived.length > 0);
    // luo_early_startup() took struct luo_ser (its compatible is v7.3's) and prints its liveupdate number
    const luo = b.image.luo as { compatible: string; liveupdateNumber: number } | null;
    const printedLuo = /luo: Retrieved live update data, liveupdate number: (\d+)/.exec(dmesg);
    if (luo) {
      expect(luo.compatible).toBe(r.kho.profile.luoAbi);
      expect(Number(printedLuo![1])).toBe(luo.liveupdateNumber);
    } else expect(printedLuo).toBeNull();
  });

  it("types the scratch pageblocks CMA, as the kernel's /proc/pagetypeinfo counts them", () => {
    const pti = parsePagetypeinfo(stage2('pagetypeinfo.txt'), 'pagetypeinfo.txt');
    expect(pti.pageblockOrder).toBe(tl.arch.pageblock_order);
    const census = pageblockCensus(tl, migratetypesOf(r.timeline).map);
    const printed = pti.blocks.filter((x) => x.table === 'blocks');
    expect(census.map((z) => [z.nid, z.zone])).toEqual(printed.map((x) => [x.nid, x.zone]));
    for (const z of census) {
      const row = printed.find((x) => x.nid === z.nid && x.zone === z.zone)!;
      // CMA is only set at boot; the other types move at run time (steals), so compare their sum
      expect([z.zone, z.counts[MIGRATE.MIGRATE_CMA]]).toEqual([z.zone, row.blocks['CMA']]);
      const total = MIGRATETYPE_NAMES.reduce((n, t) => n + (row.blocks[t] ?? 0), 0);
      expect(z.counts.reduce((n, c) => n + c, 0)).toBe(total);
    }
    // DMA's first pageblock starts at pfn 0, not memory: memmap_init never types it, it stays Unmovable
    const dma = census.find((z) => z.zone === 'DMA')!;
    expect(dma.counts.slice(0, 2)).toEqual([1, 3]);
  });
});
