// Each kernel profile against the one it follows (src/sim/profiles.ts writes a row as its predecessor plus what
// changed): on images made by the KHO builder and decoded by parsers/kho, in the RAM of the real host
// traces/qemu/b-16g-2node, the one behaviour that changed shows and the predecessor does not have it. The v7.x
// rows have theirs in profiles-7x.test.ts and migratetype.test.ts; this file covers the rest of the chain and
// walks the chain itself, so a row that changes nothing, or a new row, fails here.
import { describe, expect, it } from 'vitest';
import type { KhoImage } from '../../parsers/kho/index.js';
import { decodeKhoImage } from '../../parsers/kho/index.js';
import type { Finding } from '../../src/check/kho-findings.js';
import { checkUpgrade } from '../../src/check/upgrade.js';
import { PROFILES, findProfile } from '../../src/sim/profiles.js';
import type { KhoAbi, KhoBitmapFormat } from '../../parsers/kho/index.js';
import { buildKhoImage, pagesMemory, toFdtNode } from '../builders/kho-image.js';
import type { KhoLuoSpec } from '../builders/kho-luo.js';
import { hostFromQemuTrace } from './host-from-trace.js';
import { checkKho, replayKho } from './kho-replay-helper.js';
import { B16_CLEAN, B16_SCRATCH, PAGE } from './kho-fixtures.js';

const host = hostFromQemuTrace('b-16g-2node');
const RAM = [{ start: 0x1b0000000, end: 0x1f0000000 }];

function built(
  abi: KhoAbi,
  blocks: readonly { pfn: number; order: number }[],
  o: { bitmapFormat?: KhoBitmapFormat; luo?: KhoLuoSpec } = {},
): KhoImage {
  const img = buildKhoImage({
    abi,
    ...(o.bitmapFormat ? { bitmapFormat: o.bitmapFormat } : {}),
    ...(o.luo ? { luo: o.luo } : {}),
    blocks: blocks.map((b) => ({ phys: b.pfn * PAGE, order: b.order })),
    ram: RAM,
    scratch: B16_SCRATCH.map((s) => ({ phys: s.pfn * PAGE, sizeBytes: 2 ** s.order * PAGE })),
  });
  return decodeKhoImage({
    root: toFdtNode(img.root),
    rootFile: 'kho/fdt',
    mem: pagesMemory(img.pages, PAGE),
    scratch: img.scratch,
  });
}
const errors = (fs: readonly Finding[]): string[] =>
  [...new Set(fs.filter((f) => f.severity === 'error').map((f) => f.code))].sort();

describe('the profile chain', () => {
  it('each row differs from the one it follows in a behaviour field, not only in its name and text', () => {
    const text = new Set(['name', 'follows', 'description', 'status', 'releases']);
    const chain: [string, string][] = [
      ['v6.16', 'v6.17'],
      ['v6.17', 'v6.18'],
      ['v6.18', 'v6.19'],
      ['v6.19', 'kho-v2'],
      ['kho-v2', 'kho-v3'],
      ['kho-v3', 'kho-v3-deferred-fix'],
      ['kho-v3-deferred-fix', 'v7.2'],
      ['v7.2', 'v7.3'],
      ['v7.3', 'v7.4'],
      ['v7.3', 'v7.3-memblock-mt'],
    ];
    expect(new Set(chain.flat())).toEqual(new Set(PROFILES.map((p) => p.name).filter((n) => n !== 'v7.1')));
    for (const [a, b] of chain) {
      const pa = findProfile(a) as unknown as Record<string, unknown>;
      const pb = findProfile(b) as unknown as Record<string, unknown>;
      const changed = Object.keys(pb).filter(
        (k) => !text.has(k) && JSON.stringify(pa[k]) !== JSON.stringify(pb[k]),
      );
      expect([b, changed.length > 0]).toEqual([b, true]);
    }
    // v7.1 is the kho-v3 tree state released: only its status and releases differ
    const v71 = findProfile('v7.1') as unknown as Record<string, unknown>;
    const kr3 = findProfile('kho-v3') as unknown as Record<string, unknown>;
    expect(
      Object.keys(v71).filter(
        (k) =>
          !['name', 'follows', 'description'].includes(k) &&
          JSON.stringify(v71[k]) !== JSON.stringify(kr3[k]),
      ),
    ).toEqual(['status', 'releases']);
  });
});

describe('each profile on a built image, against the one it follows', () => {
  it('v6.16 -> v6.17: Kconfig forbids deferred struct page init with KHO (8b66ed2c3f42)', () => {
    const img = built('kho-v1', B16_CLEAN, { bitmapFormat: '512' });
    expect(replayKho(host, img, { profile: 'v6.16' }).deferred).toBe(true);
    expect(replayKho(host, img, { profile: 'v6.17' }).deferred).toBe(false);
  });

  it('v6.17 -> v6.18: page-sized bitmaps, so a 512-byte-bitmap image is misread', () => {
    const img = built('kho-v1', B16_CLEAN, { bitmapFormat: '512' });
    const v617 = replayKho(host, img, { profile: 'v6.17' });
    expect(v617.kho.run.accepted).toBe(true);
    expect(errors(checkKho(v617))).not.toContain('KHO_BITMAP_FORMAT_MISMATCH');
    const v618 = replayKho(host, img, { profile: 'v6.18' });
    expect(v618.kho.run.accepted).toBe(false);
    expect(errors(checkKho(v618))).toContain('KHO_BITMAP_FORMAT_MISMATCH');
  });

  it('v6.18 -> v6.19: LUO; a kho-v1 image with a luo-v1 LUO subtree has its sessions read only by v6.19', () => {
    const img = built('kho-v1', B16_CLEAN, { bitmapFormat: 'page' });
    const withLuo = {
      ...img,
      subtrees: [...img.subtrees, { name: 'LUO', phys: 0x104000 * PAGE, sizeBytes: PAGE }],
      luo: { compatible: 'luo-v1', liveupdateNumber: 1, sessions: [] },
    };
    const v619 = checkUpgrade(host, withLuo, { from: 'v6.19', to: 'v6.19' });
    expect([v619.accepted, v619.luo.accepts, v619.luo.accepted]).toEqual([true, 'luo-v1', true]);
    const v618 = checkUpgrade(host, withLuo, { from: 'v6.19', to: 'v6.18' });
    expect([v618.accepted, v618.luo.accepts, v618.luo.accepted]).toEqual([true, null, false]);
    expect(v618.findings.map((f) => f.code)).toContain('LUO_VERSION_REJECTED');
  });

  it('v6.19 -> kho-v2: the radix memory map and its compatible; each refuses the other', () => {
    const v1 = built('kho-v1', B16_CLEAN, { bitmapFormat: 'page' });
    const v2 = built('kho-v2', B16_CLEAN);
    expect(replayKho(host, v1, { profile: 'v6.19' }).kho.run.accepted).toBe(true);
    expect(replayKho(host, v2, { profile: 'v6.19' }).kho.run.accepted).toBe(false);
    expect(replayKho(host, v2, { profile: 'kho-v2' }).kho.run.accepted).toBe(true);
    expect(replayKho(host, v1, { profile: 'kho-v2' }).kho.run.accepted).toBe(false);
  });

  it('kho-v2 -> kho-v3: no MAX_PAGE_ORDER check at restore (KR3), memfd-v2', () => {
    // an order-11 folio (8 MiB) in node 1's Normal zone
    const big = [{ pfn: 0x300000, order: 11 }];
    const v2 = replayKho(host, built('kho-v2', big), { profile: 'kho-v2', deferred: 'off' });
    expect(errors(checkKho(v2))).toEqual(['KHO_ORDER_ABOVE_MAX']);
    const v3 = replayKho(host, built('kho-v3', big), { profile: 'kho-v3', deferred: 'off' });
    expect(errors(checkKho(v3))).toEqual([]);
    expect([findProfile('kho-v2').memfdAbi, findProfile('kho-v3').memfdAbi]).toEqual([
      'memfd-v1',
      'memfd-v2',
    ]);
  });

  it('kho-v3 -> kho-v3-deferred-fix: deferral on by default, preserved pages initialised by init_deferred_page()', () => {
    const img = built('kho-v3', B16_CLEAN);
    // the tree state with deferral forced on leaves deferred preserved pages uninitialised; the fix does not
    const kr3 = checkKho(replayKho(host, img, { profile: 'kho-v3', deferred: 'on' }));
    expect(errors(kr3)).toContain('STRUCT_PAGE_NEVER_INIT');
    const fixed = replayKho(host, img, { profile: 'kho-v3-deferred-fix' });
    expect([fixed.deferred, fixed.kho.strategy.name]).toEqual([true, 'init-deferred-page']);
    expect(errors(checkKho(fixed))).toEqual([]);
  });

  it('kho-v3 -> v7.1: the same kernel behaviour, released; a kho-v3 image with no release picks v7.1', () => {
    const img = built('kho-v3', B16_CLEAN);
    const r = replayKho({ ...host, kernelRelease: null }, img);
    expect([r.kho.profile.name, r.kho.profile.status]).toEqual(['v7.1', 'released']);
    expect(errors(checkKho(r))).toEqual(errors(checkKho(replayKho(host, img, { profile: 'kho-v3' }))));
  });

  it('kho-v4 + LUO built and decoded: v7.3 reads luo-v5 sessions and memfd-v2 files, a memfd-v1 file is refused', () => {
    const luo = (version: 'memfd-v1' | 'memfd-v2'): KhoLuoSpec => ({
      sessions: [{ name: 'vm-0', files: [{ token: 7, memfd: { size: 8192, version } }] }],
    });
    const good = built('kho-v4', B16_CLEAN, { luo: luo('memfd-v2') });
    expect((good.luo as { compatible: string }).compatible).toBe('luo-v5');
    const ok = checkUpgrade(host, good, { from: 'v7.3', to: 'v7.3' });
    expect([ok.accepted, ok.luo.accepted, ok.memfd.image, ok.memfd.accepted]).toEqual([
      true,
      true,
      ['memfd-v2'],
      true,
    ]);
    expect(errors(ok.findings)).toEqual([]);
    const old = checkUpgrade(host, built('kho-v4', B16_CLEAN, { luo: luo('memfd-v1') }), {
      from: 'v7.3',
      to: 'v7.3',
    });
    expect([old.accepted, old.memfd.image, old.memfd.accepted, old.lostBytes]).toEqual([
      true,
      ['memfd-v1'],
      false,
      0,
    ]);
    expect(errors(old.findings)).toEqual(['LUO_VERSION_REJECTED']);
  });
});
