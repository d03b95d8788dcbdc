// The v7.1 .. v7.4 profiles (kernel-7x.md), each on an image made by the KHO builder and decoded by parsers/kho,
// in the RAM of the real host traces/qemu/b-16g-2node: the one behaviour each profile differs by.
import { describe, expect, it } from 'vitest';
import type { KhoImage } from '../../parsers/kho/index.js';
import { decodeKhoImage } from '../../parsers/kho/index.js';
import type { Finding } from '../../src/check/kho-findings.js';
import { MM_PROFILES } from '../../src/sim/mm-profiles.js';
import { checkKho, replayKho } from './kho-replay-helper.js';
import { PROFILES, chooseProfile, findProfile } from '../../src/sim/profiles.js';
import type { HostTrace } from '../../src/trace/host-trace.js';
import { buildKhoImage, pagesMemory, toFdtNode } from '../builders/kho-image.js';
import { hostFromQemuTrace } from './host-from-trace.js';
import { B16_CLEAN, B16_SCRATCH, PAGE } from './kho-fixtures.js';

const host = hostFromQemuTrace('b-16g-2node');
const RAM = [{ start: 0x1b0000000, end: 0x1f0000000 }];

function built(abi: 'kho-v3' | 'kho-v4', blocks: readonly { pfn: number; order: number }[]): KhoImage {
  const img = buildKhoImage({
    abi,
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
const codes = (fs: readonly Finding[], severity = 'error'): string[] =>
  [...new Set(fs.filter((f) => f.severity === severity).map((f) => f.code))].sort();

const v3 = built('kho-v3', B16_CLEAN);
const v4 = built('kho-v4', B16_CLEAN);
// a 2 GiB kho_preserve_pages() piece (order 19) inside node 0's Normal zone: [0x200000, 0x280000)
const big3 = built('kho-v3', [{ pfn: 0x200000, order: 19 }]);
const big4 = built('kho-v4', [{ pfn: 0x200000, order: 19 }]);

describe('v7.1: kho-v3, KHO excluded with deferred init, int shift', () => {
  it('reads kho-v3 and refuses kho-v4 (kho_populate: fdt_node_check_compatible)', () => {
    const ok = replayKho(host, v3, { profile: 'v7.1' });
    expect([ok.kho.run.accepted, ok.deferred, ok.kho.strategy.name]).toEqual([true, false, 'none']);
    const fs = checkKho(replayKho(host, v4, { profile: 'v7.1' }));
    expect(codes(fs)).toEqual(['KHO_FREED_TO_BUDDY', 'KHO_REVIVAL_DISABLED']);
  });
  it('a 2 GiB block overflows `1 << (order + PAGE_SHIFT)`', () => {
    expect(codes(checkKho(replayKho(host, big3, { profile: 'v7.1' })))).toEqual(['KHO_BLOCK_SIZE_OVERFLOW']);
  });
});

describe('v7.2: kho-v4, the merged deferred fix, 1UL shift, scratch CMA through the memblock flag', () => {
  it('refuses kho-v3: kexec across v7.1 -> v7.2 loses KHO', () => {
    const fs = checkKho(replayKho(host, v3, { profile: 'v7.2' }));
    expect(fs.find((f) => f.code === 'KHO_REVIVAL_DISABLED')!.blocks).toBe(B16_CLEAN.length);
  });
  it('replays kho-v4 clean with deferral on by default, the reserved ranges through memmap_init_reserved_range', () => {
    const r = replayKho(host, v4, { profile: 'v7.2' });
    expect([r.deferred, r.kho.strategy.name, r.timeline.mm.name]).toEqual([
      true,
      'init-deferred-page',
      'linux-7.2',
    ]);
    expect(codes(checkKho(r))).toEqual([]);
    expect(r.timeline.events.some((e) => e.fn === 'memmap_init_reserved_range')).toBe(true);
    expect(r.timeline.events.some((e) => e.fn === 'reserve_bootmem_region')).toBe(false);
  });
  it('the same 2 GiB block is no finding (1UL << ...)', () => {
    const fs = checkKho(replayKho(host, big4, { profile: 'v7.2' }));
    expect(fs.map((f) => f.code)).not.toContain('KHO_BLOCK_SIZE_OVERFLOW');
    expect(codes(fs)).toEqual([]);
  });
});

describe('v7.3: kho_memory_init_early first, extended scratch not CMA', () => {
  it('runs kho_memory_init_early before free_area_init and extends scratch', () => {
    const r = replayKho(host, v4, { profile: 'v7.3' });
    expect(MM_PROFILES['linux-7.3']!.earlyOrder.slice(0, 2)).toEqual([
      'kho_memory_init_early',
      'free_area_init',
    ]);
    expect(r.timeline.mm.name).toBe('linux-7.3');
    expect(r.kho.run.extendedScratch.length).toBeGreaterThan(0);
    expect(replayKho(host, v4, { profile: 'v7.2' }).kho.run.extendedScratch).toEqual([]);
    expect(codes(checkKho(r))).toEqual([]);
  });
});

describe('v7.4: the bootmem rename, KHO off in a kdump kernel', () => {
  const kdumpHost: HostTrace = {
    ...host,
    cmdline: {
      ...(host.cmdline ?? { memmap: [], movableNode: false, memblockDebug: false, earlyPageExt: false }),
      raw: 'root=/dev/sda elfcorehdr=0x2b000000',
    },
  };
  it('names scratch bootmem (KHO_NOPRSRV, kho_bootmem=, bootmem_phys)', () => {
    const p = findProfile('v7.4');
    expect(p.scratchNames).toEqual({
      memblockFlag: 'MEMBLOCK_KHO_NOPRSRV',
      cmdline: 'kho_bootmem=',
      debugfs: ['bootmem_phys', 'bootmem_len'],
    });
    expect(findProfile('v7.3').scratchNames.cmdline).toBe('kho_scratch=');
  });
  it('a kdump kernel is never handed the image (kho_fill_kimage skips crash images): nothing revived on any 7.x', () => {
    for (const name of ['v7.2', 'v7.3', 'v7.4']) {
      const r = replayKho(kdumpHost, v4, { profile: name });
      expect(r.kho.run.accepted).toBe(false);
      const off = checkKho(r).find((f) => f.code === 'KHO_REVIVAL_DISABLED')!;
      expect([off.kernelFunction, off.phase, off.blocks]).toEqual([
        'kho_fill_kimage',
        'kho_populate',
        B16_CLEAN.length,
      ]);
    }
    const reason = (name: string): string =>
      replayKho(kdumpHost, v4, { profile: name }).kho.run.observations.find(
        (o) => o.kind === 'image-refused',
      )!.reason;
    // v7.4 also turns KHO off inside the kdump kernel: no scratch, nothing handed on
    expect(reason('v7.4')).toContain('kho_enable = false in it ("disabled in the kdump kernel")');
    expect(reason('v7.3')).not.toContain('disabled in the kdump kernel');
    expect(findProfile('v7.4').kdumpDisablesKho).toBe(true);
    expect(findProfile('v7.3').kdumpDisablesKho).toBe(false);
    // the same image on the same host is revived by every 7.x kernel that is not a kdump kernel
    for (const name of ['v7.2', 'v7.3', 'v7.4'])
      expect(codes(checkKho(replayKho(host, v4, { profile: name })))).toEqual([]);
    // Scenario.kdump overrides the command line both ways
    expect(replayKho(host, v4, { profile: 'v7.4', kdump: true }).kho.run.accepted).toBe(false);
    expect(replayKho(kdumpHost, v4, { profile: 'v7.4', kdump: false }).kho.run.accepted).toBe(true);
  });
});

describe('profile choice', () => {
  it('takes the released kernel the release names when it writes the ABI, else the newest that does', () => {
    const pick = (abi: 'kho-v3' | 'kho-v4', release: string | null) =>
      chooseProfile(abi, null, false, [{ release, from: 'uname.txt' }]);
    expect(pick('kho-v4', '7.2.5-generic').profile.name).toBe('v7.2');
    expect(pick('kho-v4', '7.3.0-rc7').reason).toBe(
      'kernel release 7.3.0-rc7 (uname.txt) is v7.3, which writes kho-v4',
    );
    expect(pick('kho-v4', '7.4.0-rc2').profile.name).toBe('v7.4');
    // 7.1 writes kho-v3, so a kho-v4 image is not its: the ABI decides
    const other = pick('kho-v4', '7.1.3');
    expect(other.profile.name).toBe('v7.3');
    expect(other.reason).toContain('does not write kho-v4');
    expect(pick('kho-v3', null).profile.name).toBe('v7.1');
  });
  it("prefers the image's kexec-metadata release (the writer) over the bundle's", () => {
    const img = { ...v4, kexecMetadata: { version: 1, previousRelease: '7.2.1', kexecCount: 1 } };
    const r = replayKho({ ...host, kernelRelease: '7.3.0' }, img);
    expect(r.kho.profile.name).toBe('v7.2');
    expect(r.kho.profileReason).toContain("the image's kexec-metadata");
  });
  it('marks what never shipped, in status and description', () => {
    for (const p of PROFILES.filter((x) => x.status === 'never-shipped'))
      expect(p.description).toMatch(/^Never shipped/);
    expect(PROFILES.filter((p) => p.status === 'never-shipped').map((p) => p.name)).toEqual([
      'kho-v2',
      'kho-v3-deferred-fix',
      'v7.3-memblock-mt',
    ]);
  });
});
