// Which mm profile a kernel release replays with, and what each profile changes from the one it follows: every
// field difference is a rule read in that release's source (src/sim/mm-profiles.ts names the files and commits).
import { describe, expect, it } from 'vitest';
import type { MmProfile } from '../../src/sim/mm-profiles.js';
import {
  MM_PROFILES,
  mmProfileChoice,
  mmProfileDiagnostics,
  mmProfileForRelease,
} from '../../src/sim/mm-profiles.js';
import { findProfile } from '../../src/sim/profiles.js';
import { replay } from '../../src/sim/index.js';
import { replayToJson } from '../../src/report/replay-json.js';
import { makeHost } from './build-host.js';

/** The fields two profiles disagree on (name and description aside), with both values. */
function delta(a: MmProfile, b: MmProfile): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const k of Object.keys(a) as (keyof MmProfile)[]) {
    if (k === 'name' || k === 'description') continue;
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out[k] = [a[k], b[k]];
  }
  return out;
}

describe('mmProfileForRelease', () => {
  it.each([
    ['6.1.0-56-amd64', 'linux-6.1'],
    ['6.4.6-76060406-generic', 'linux-6.1'],
    // 61167ad5fecd (memblock_set_node(start, end) on memblock.reserved, no fallback) and the MAX_ORDER deferred free
    ['6.5.0', 'linux-6.5'],
    ['6.5.3-060503-generic', 'linux-6.5'],
    ['6.6.0-rc2-nextOS-00386-g3aba70aed91f', 'linux-6.5'],
    ['6.6.10-arch1-1', 'linux-6.5'],
    ['6.6.14', 'linux-6.5'],
    // 6a9531c3a880 (early_pfn_to_nid() fallback) in 6.6.15 and 6.7.3, v6.8
    ['6.6.15', 'linux-6.6.15'],
    ['6.6.31-haos-raspi', 'linux-6.6.15'],
    ['6.6.89', 'linux-6.6.15'],
    // 06eaa824fd23 (memblock_set_node(start, size)) in 6.6.90, 6.12.28, 6.14.6, v6.15
    ['6.6.90', 'linux-6.6.90'],
    ['6.6.119-09226-gd21866c9e0f4', 'linux-6.6.90'],
    ['6.7.0', 'linux-6.7'],
    ['6.7.2', 'linux-6.7'],
    ['6.7.3', 'linux-6.8'],
    ['6.8.0-51-generic', 'linux-6.8'],
    ['6.9.0-bpi-r4', 'linux-6.8'],
    ['6.10.14', 'linux-6.8'],
    // the deferred-init threads from the node CPUs on every arch
    ['6.11.0', 'linux-6.11'],
    ['6.12.9+bpo-arm64', 'linux-6.11'],
    ['6.12.27', 'linux-6.11'],
    ['6.12.28', 'linux-6.15'],
    ['6.13.12', 'linux-6.11'],
    ['6.14.5', 'linux-6.11'],
    ['6.14.6', 'linux-6.15'],
    ['6.15.0', 'linux-6.15'],
    ['6.17.1', 'linux-6.15'],
    ['6.18.0', 'linux-6.18'],
    ['7.3.0-rc7', 'linux-7.3'],
    // no release: the current kernel's profile, as kernel-eras.ts CURRENT_ERA gives the current hole rules
    [null, 'linux-7.3'],
  ])('%s -> %s', (release, name) => {
    expect(mmProfileForRelease(release).name).toBe(name);
  });

  it('a distribution kernel hiding a sublevel where a stable backport changes the profile: the X.Y.0 one, warned', () => {
    const c = mmProfileChoice('6.12.0-55.el10.x86_64');
    expect(c.profile.name).toBe('linux-6.11');
    expect(c.uncertain).toHaveLength(1);
    expect(c.uncertain[0]).toContain('or linux-6.15 if it carries the stable backports');
    expect(mmProfileDiagnostics(c).map((d) => d.code)).toEqual(['SIM_MM_PROFILE_UNCERTAIN']);
    expect(mmProfileChoice('6.6.0-14-generic').uncertain[0]).toContain(
      'mm profile linux-6.5 (6.6.0), or linux-6.6.90',
    );
    // no stable series of 6.8 took either fix: nothing to warn about
    expect(mmProfileChoice('6.8.0-51-generic').uncertain).toEqual([]);
    expect(mmProfileChoice('6.12.9').uncertain).toEqual([]);
  });

  it('says why: the release and the file that named it, a distribution ABI read as X.Y.0, none, not understood', () => {
    expect(mmProfileChoice('6.6.31', 'b/dmesg.txt').reason).toBe('kernel release 6.6.31 (b/dmesg.txt)');
    expect(mmProfileChoice('6.1.0-56-amd64', 'b/uname.txt').reason).toBe(
      "kernel release 6.1.0-56-amd64 (b/uname.txt), a distribution's ABI number: read as 6.1.0",
    );
    expect(mmProfileChoice(null).reason).toBe(
      "no kernel release in the bundle: the current kernel's linux-7.3 assumed, as for the hole rules (--mm for an older kernel)",
    );
    const odd = mmProfileChoice('vmlinuz-custom', 'b/uname.txt');
    expect(odd.profile.name).toBe('linux-7.3');
    expect(odd.reason).toBe(
      'kernel release "vmlinuz-custom" (b/uname.txt) not understood: the current kernel\'s linux-7.3 assumed, as for the hole rules (--mm for an older kernel)',
    );
  });
});

describe('what each profile changes', () => {
  const d = (a: string, b: string) => delta(MM_PROFILES[a]!, MM_PROFILES[b]!);

  it('linux-6.1 -> linux-6.5: NOMAP first, memblock_set_node(start, end) without fallback, MAX_ORDER deferred free', () => {
    expect(d('linux-6.1', 'linux-6.5')).toEqual({
      nomapFirst: [false, true],
      reservedNid: ['per-pfn', 'set-node'],
      reservedSetNodeSize: ['size', 'end'],
      reservedNoNode: ['early-pfn-to-nid', 'max-numnodes'],
      deferredFreeOrder: ['pageblock', 'max-order'],
    });
  });

  it('the 6.6 stable series: the fallback at 6.6.15, the size at 6.6.90', () => {
    expect(d('linux-6.5', 'linux-6.6.15')).toEqual({ reservedNoNode: ['max-numnodes', 'early-pfn-to-nid'] });
    expect(d('linux-6.6.15', 'linux-6.6.90')).toEqual({ reservedSetNodeSize: ['end', 'size'] });
  });

  it('linux-6.5 -> linux-6.7: RSRV_NOINIT skipped, the defer_init() reorder', () => {
    expect(d('linux-6.5', 'linux-6.7')).toEqual({
      deferCountResetBeforeLowZoneTest: [true, false],
      rsrvNoinit: [false, true],
    });
  });

  it('linux-6.7 -> linux-6.8 -> linux-6.11 -> linux-6.15: the fallback (v6.8), threads (v6.11), the size (v6.15)', () => {
    expect(d('linux-6.7', 'linux-6.8')).toEqual({ reservedNoNode: ['max-numnodes', 'early-pfn-to-nid'] });
    expect(d('linux-6.8', 'linux-6.11')).toEqual({ threadsFromNodeCpus: ['x86_64-only', 'all'] });
    expect(d('linux-6.11', 'linux-6.15')).toEqual({ reservedSetNodeSize: ['end', 'size'] });
  });

  it('the KHO profiles of v6.16 and v6.17 run linux-6.15, whose reserved-node rules are the ones of v7.3', () => {
    expect(findProfile('v6.16').mmProfile).toBe('linux-6.15');
    expect(findProfile('v6.17').mmProfile).toBe('linux-6.15');
    const rules = (n: string) => {
      const p = MM_PROFILES[n]!;
      return [p.reservedNid, p.reservedSetNodeSize, p.reservedNoNode];
    };
    expect(rules('linux-6.15')).toEqual(rules('linux-7.3'));
  });
});

describe('a host without a kernel release', () => {
  // node 0: [1, 0x80000) + [0x100000, 0x140000), first_deferred_pfn 0x108000; reserved [0x120000, 0x120010)
  const host = {
    ...makeHost({
      memory: [
        [1, 0x80000, 0],
        [0x100000, 0x140000, 0],
      ],
      reserved: [[0x120000, 0x120010, 0]],
    }),
    kernelRelease: null,
  };

  it('replays one kernel: the current hole rules (CURRENT_ERA) and the current mm profile, and says so', () => {
    const tl = replay(host, null);
    expect(tl.era.base).toBeNull();
    expect(tl.era.holes).toBe('per-zone');
    expect(tl.mm.name).toBe('linux-7.3');
    // v7.3: memmap_init_reserved_pages() sets reserved pages up with memmap_init_reserved_range() (linux v7.3-rc7
    // mm/memblock.c memmap_init_reserved_pages); linux-6.1's reserve_bootmem_region() was the old default's
    expect(tl.memmap.stateAt(0x120000)).toMatchObject({
      reserved: true,
      initBy: 'memmap_init_reserved_range',
    });
    const j = replayToJson(tl, 'b');
    expect([j.mmProfile, j.kernelEra.base, j.mmReason]).toEqual([
      'linux-7.3',
      null,
      "no kernel release in the bundle: the current kernel's linux-7.3 assumed, as for the hole rules (--mm for an older kernel)",
    ]);
  });
});
