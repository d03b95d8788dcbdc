// Which mm profile a kernel release replays with, and what each profile changes from the one it follows: every
// field difference is a rule read in that release's source (src/sim/mm-profiles.ts names the files and commits).
import { describe, expect, it } from 'vitest';
import type { MmProfile } from '../../src/sim/mm-profiles.js';
import { MM_PROFILES, mmProfileForRelease } from '../../src/sim/mm-profiles.js';

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
    // 61167ad5fecd (memblock_set_node on memblock.reserved) and the MAX_ORDER deferred free are in v6.5 and v6.6
    ['6.5.0', 'linux-6.5'],
    ['6.5.3-060503-generic', 'linux-6.5'],
    ['6.6.0-rc2-nextOS-00386-g3aba70aed91f', 'linux-6.5'],
    ['6.6.10-arch1-1', 'linux-6.5'],
    ['6.6.31-haos-raspi', 'linux-6.5'],
    ['6.6.119-09226-gd21866c9e0f4', 'linux-6.5'],
    ['6.7.0', 'linux-6.7'],
    [null, 'linux-6.1'],
  ])('%s -> %s', (release, name) => {
    expect(mmProfileForRelease(release).name).toBe(name);
  });
});

describe('what linux-6.5 changes', () => {
  it('from linux-6.1: NOMAP first, reserved nodes from memblock_set_node(), MAX_ORDER deferred free', () => {
    expect(delta(MM_PROFILES['linux-6.1']!, MM_PROFILES['linux-6.5']!)).toEqual({
      nomapFirst: [false, true],
      reservedNid: ['per-pfn', 'set-node'],
      deferredFreeOrder: ['pageblock', 'max-order'],
    });
  });

  it('to linux-6.7: RSRV_NOINIT skipped, the defer_init() reorder, threads from the node CPUs on every arch', () => {
    expect(delta(MM_PROFILES['linux-6.5']!, MM_PROFILES['linux-6.7']!)).toEqual({
      deferCountResetBeforeLowZoneTest: [true, false],
      rsrvNoinit: [false, true],
      threadsFromNodeCpus: ['x86_64-only', 'all'],
    });
  });
});
