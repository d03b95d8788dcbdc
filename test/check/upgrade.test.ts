// The live-update check (src/check/upgrade.ts) on the real qemu host b-16g-2node with the fixture image: A's image
// read by B. Expect: across the kho-v3 -> kho-v4 bump B refuses the root and every preserved byte is lost; between
// kho-v4 kernels, and between one kernel and itself, B takes it and the struct-page verdicts are B's own.
import { describe, expect, it } from 'vitest';
import type { KhoLuo } from '../../parsers/kho/index.js';
import { checkUpgrade } from '../../src/check/upgrade.js';
import { loadKhoBundle } from '../../src/cli/load-kho.js';
import { RequestError } from '../../src/core/index.js';
import { renderUpgradeText } from '../../src/report/upgrade-text.js';
import { hostFromQemuTrace } from '../sim/host-from-trace.js';
import { B16_CLEAN, PAGE, imageOf } from '../sim/kho-fixtures.js';

const host = hostFromQemuTrace('b-16g-2node');
const PRESERVED = B16_CLEAN.reduce((n, b) => n + 2 ** b.order, 0) * PAGE;
const errors = (u: ReturnType<typeof checkUpgrade>): string[] =>
  [...new Set(u.findings.filter((f) => f.severity === 'error').map((f) => f.code))].sort();

describe('upgrade', () => {
  it('v7.1 -> v7.2: rejected (kho-v3 root, kho-v4 kernel), all preserved memory lost', () => {
    const u = checkUpgrade(host, imageOf(B16_CLEAN, { abi: 'kho-v3' }), { from: 'v7.1', to: 'v7.2' });
    expect([u.from.profile.name, u.to.name, u.accepted]).toEqual(['v7.1', 'v7.2', false]);
    expect(u.rejectReason).toBe('root compatible "kho-v3" is not the profile\'s "kho-v4"');
    expect(u.lostBytes).toBe(PRESERVED);
    expect(u.preservedBytes).toBe(PRESERVED);
    expect(errors(u)).toEqual(['KHO_FREED_TO_BUDDY', 'KHO_REVIVAL_DISABLED']);
    expect(u.findings.find((f) => f.code === 'KHO_REVIVAL_DISABLED')!.pages * PAGE).toBe(PRESERVED);
  });
  it('v7.2 -> v7.3: accepted, nothing lost, clean', () => {
    const u = checkUpgrade(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { from: 'v7.2', to: 'v7.3' });
    expect([u.accepted, u.lostBytes, errors(u)]).toEqual([true, 0, []]);
    expect(u.timeline.mm.name).toBe('linux-7.3');
    // B's deferred init runs on both nodes, costed
    expect(u.costs.parallelMs).toBeGreaterThan(0);
  });
  it('same version (v7.3 -> v7.3, A from the image ABI): accepted', () => {
    const u = checkUpgrade(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { to: 'v7.3' });
    expect(u.from.profile.name).toBe('v7.3');
    expect(u.from.reason).toContain('image ABI kho-v4');
    expect([u.accepted, u.lostBytes, errors(u)]).toEqual([true, 0, []]);
  });
  it('v7.1 -> v7.1 with deferral forced on: accepted, but the pre-fix kernel loses scratch CMA and preserved pages', () => {
    const u = checkUpgrade(host, imageOf(B16_CLEAN, { abi: 'kho-v3' }), { to: 'v7.1', deferred: 'on' });
    expect(u.accepted).toBe(true);
    expect(errors(u)).toContain('KHO_SCRATCH_NOT_CMA');
    expect(errors(u)).toContain('STRUCT_PAGE_NEVER_INIT');
  });
  it('--from relabels a radix image as the writer would have encoded it; a kho-v1 writer cannot be', () => {
    const u = checkUpgrade(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { from: 'v7.1', to: 'v7.2' });
    expect([u.abi, u.accepted]).toEqual(['kho-v3', false]);
    expect(u.relabelled).toContain('relabelled kho-v3');
    expect(() =>
      checkUpgrade(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { from: 'v6.18', to: 'v7.3' }),
    ).toThrow(RequestError);
  });
  it('a LUO version B does not read is an error; the one it reads is not', () => {
    const withLuo = (compatible: string) => ({
      ...imageOf(B16_CLEAN, { abi: 'kho-v4' }),
      subtrees: [{ name: 'LUO', phys: 0x104000 * PAGE, sizeBytes: 32 }],
      luo: { compatible, liveupdateNumber: 1, sessions: [] },
    });
    const bad = checkUpgrade(host, withLuo('luo-v4'), { to: 'v7.3' });
    expect([bad.accepted, bad.luo.accepted, bad.lostBytes]).toEqual([true, false, 0]);
    expect(errors(bad)).toEqual(['LUO_VERSION_REJECTED']);
    const ok = checkUpgrade(host, withLuo('luo-v5'), { to: 'v7.3' });
    expect([ok.luo.accepted, errors(ok)]).toEqual([true, []]);
  });
});

// The real v7.3-rc7 capture C (traces/real-kho-c-8g-2node-luo-memfd): its LUO subtree decoded by parsers/kho into
// image.luo (struct luo_ser "luo-v5", 77 memfd files "memfd-v2"), read by each kernel B.
describe('upgrade on the real capture C: the LUO and memfd versions B accepts', () => {
  const c = loadKhoBundle('traces/real-kho-c-8g-2node-luo-memfd');
  const luo = c.image.luo as KhoLuo;
  it('the image as decoded: luo-v5 and memfd-v2 files', () => {
    expect(luo.compatible).toBe('luo-v5');
    expect(new Set(luo.files!.map((f) => f.compatible))).toEqual(new Set(['memfd-v2']));
    expect(luo.files!.length).toBeGreaterThan(0);
  });
  it('v7.3 -> v7.3: both read (luo_early_startup strncmp, luo_file_deserialize_one strcmp)', () => {
    const u = checkUpgrade(c.host, c.image, { to: 'v7.3' });
    expect([u.accepted, u.lostBytes, errors(u)]).toEqual([true, 0, []]);
    expect(u.luo).toEqual({ present: true, image: ['luo-v5'], accepts: 'luo-v5', accepted: true });
    expect(u.memfd).toEqual({ present: true, image: ['memfd-v2'], accepts: 'memfd-v2', accepted: true });
  });
  it('a B with another memfd handler restores no file: LUO_VERSION_REJECTED, memory kept reserved (not lost)', () => {
    const u = checkUpgrade(
      c.host,
      { ...c.image, luo: { ...luo, files: luo.files!.map((f) => ({ ...f, compatible: 'memfd-v1' })) } },
      { to: 'v7.3' },
    );
    expect([u.accepted, u.memfd.accepted, u.lostBytes]).toEqual([true, false, 0]);
    expect(errors(u)).toEqual(['LUO_VERSION_REJECTED']);
  });
  it('v7.3 -> v7.1: the root is refused first, so neither LUO nor memfd is read', () => {
    const u = checkUpgrade(c.host, c.image, { to: 'v7.1' });
    expect([u.accepted, u.luo.accepted, u.memfd.accepted, u.lostBytes]).toEqual([
      false,
      false,
      false,
      u.preservedBytes,
    ]);
  });
});

describe('upgrade into a kdump kernel', () => {
  const kdump = {
    ...host,
    cmdline: {
      ...(host.cmdline ?? { memmap: [], movableNode: false, memblockDebug: false, earlyPageExt: false }),
      raw: 'root=/dev/sda elfcorehdr=0x2b000000',
    },
  };
  it('is never handed the image on any 7.x (kho_fill_kimage skips kexec -p images); v7.4 also disables KHO in it', () => {
    for (const to of ['v7.2', 'v7.3', 'v7.4']) {
      const u = checkUpgrade(kdump, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { from: 'v7.3', to });
      expect([u.accepted, u.rejectedBy, u.lostBytes]).toEqual([false, 'kho_fill_kimage', PRESERVED]);
      expect(u.rejectReason!.includes('disabled in the kdump kernel')).toBe(to === 'v7.4');
      expect(renderUpgradeText(u, 'b16', 12)).toContain('B is a kdump kernel, never handed the image');
    }
    const plain = checkUpgrade(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { from: 'v7.3', to: 'v7.4' });
    expect([plain.accepted, plain.rejectedBy]).toEqual([true, null]);
    const refused = checkUpgrade(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }), { from: 'v7.3', to: 'v7.1' });
    expect(refused.rejectedBy).toBe('kho_populate');
    expect(renderUpgradeText(refused, 'b16', 12)).toContain('"disabling KHO revival"');
  });
});
