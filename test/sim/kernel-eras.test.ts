// Kernel eras of hole accounting (src/sim/kernel-eras.ts): the era each release gets, and on built hosts the
// effect of each rule, so that choosing the wrong era for a release changes a count these tests compare.
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/sim/index.js';
import type { HoleRule } from '../../src/sim/kernel-eras.js';
import { kernelEraFor, parseKernelRelease } from '../../src/sim/kernel-eras.js';
import { makeHost } from './build-host.js';
import { MEMBLOCK_FLAGS } from '../../src/core/index.js';

describe('the era of a release', () => {
  it.each<[string, HoleRule]>([
    ['4.4.0-21-generic', 'none'],
    ['4.14.302', 'none'],
    ['4.15.0', 'reserved-unavailable'],
    ['4.18.0-15-generic', 'reserved-unavailable'],
    ['4.19.0', 'gaps-to-max-pfn'],
    ['5.4.280', 'gaps-to-max-pfn'],
    ['5.5.0', 'gaps-to-section'],
    ['5.10.23', 'gaps-to-section'],
    ['5.10.24', 'per-zone'],
    ['5.10.110+', 'per-zone'],
    ['5.11.6', 'gaps-to-section'],
    ['5.11.7', 'per-zone'],
    ['5.12.0-rc1', 'per-zone'],
    ['6.1.0-56-amd64', 'per-zone'],
  ])('%s: %s', (release, holes) => {
    expect(kernelEraFor(release, 'x86_64').holes).toBe(holes);
  });

  it.each<[string, 'map-memory' | 'memory' | 'generic', 27 | 30]>([
    ['5.10.110+', 'map-memory', 30],
    ['5.11.22', 'map-memory', 30],
    ['5.13.19', 'map-memory', 27],
    ['5.14.21', 'memory', 27],
    ['5.15.35', 'memory', 27],
    ['5.15.36', 'generic', 27],
    ['5.16.0', 'generic', 27],
    ['6.6.31-haos-raspi', 'generic', 27],
  ])('arm64 %s: pfn_valid %s, SECTION_SIZE_BITS %d', (release, pfnValid, bits) => {
    const e = kernelEraFor(release, 'arm64');
    expect(e.arm64PfnValid).toBe(pfnValid);
    expect(e.arm64SectionSizeBits).toBe(bits);
    expect(e.uncertain).toEqual([]);
  });

  it('a distribution X.Y.0-N whose stable series changed the rule names both choices', () => {
    const e = kernelEraFor('5.10.0-20-amd64', 'x86_64');
    expect(e.holes).toBe('gaps-to-section');
    expect(e.uncertain.join()).toMatch(/'gaps-to-section'.*'per-zone'/);
    const a = kernelEraFor('5.15.0-91-generic', 'arm64');
    expect(a.arm64PfnValid).toBe('memory');
    expect(a.uncertain.join()).toMatch(/'memory', or 'generic'/);
  });

  it('RHEL-family 5.14 on arm64 takes the generic pfn_valid and names the 5.14 one', () => {
    const e = kernelEraFor('5.14.0-299.el9.aarch64', 'arm64');
    expect(e.arm64PfnValid).toBe('generic');
    expect(e.uncertain.join()).toMatch(/memblock_is_memory/);
    expect(parseKernelRelease('5.14.0-299.el9.aarch64')).toMatchObject({ vendor: 'el9', distroAbi: true });
  });

  it('no release: the current rules', () => {
    expect(kernelEraFor(null, 'x86_64')).toMatchObject({ holes: 'per-zone', arm64PfnValid: 'generic' });
  });
});

/** Per-zone counts of a replay, `nid:zone` -> pages. */
function zones(tl: ReturnType<typeof replay>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of tl.nodes)
    for (const z of n.zones) if (z.unavailablePages) out[`${n.nid}:${z.name}`] = z.unavailablePages;
  return out;
}

describe('x86_64 hole rules on one built host', () => {
  // RAM [1, 0x9f) and [0x100, 0x3f000) and [0x100000, 0x140100): pfn 0 and the BIOS hole below 1 MiB, a hole
  // below 4 GiB whose first 0x1000 pfns share a present section with RAM (the rest has no memmap), and RAM
  // ending 1 MiB into a 128 MiB section; reserved 0..0x10 (page 0 and 15 RAM pages) and
  // the 0xe0000 BIOS area outside RAM
  const spec = {
    memory: [
      [1, 0x9f, 0],
      [0x100, 0x3f000, 0],
      [0x100000, 0x140100, 0],
    ] as const,
    reserved: [
      [0, 0x10, 0],
      [0xe0, 0x100, 0],
    ] as const,
    deferredConfig: 'n' as const,
  };
  const host = (release: string) => makeHost({ ...spec, release });
  const sectionTail = 0x148000 - 0x140100;

  it('v5.12+: per zone, the tail to the section end in the last zone', () => {
    const tl = replay(host('6.1.0'), null);
    expect(tl.era.holes).toBe('per-zone');
    expect(zones(tl)).toEqual({ '0:DMA': 1 + 0x61, '0:Normal': 0x1000 + sectionTail });
    expect(tl.unavailableTotal).toBeNull();
  });

  it('v5.5-v5.11: one total, the gaps and the tail to round_up(max_pfn, PAGES_PER_SECTION)', () => {
    const tl = replay(host('5.10.23'), null);
    expect(zones(tl)).toEqual({});
    expect(tl.unavailableTotal).toMatchObject({
      line: 'Zeroed struct page in unavailable ranges',
      pages: 1 + 0x61 + 0x1000 + sectionTail,
    });
  });

  it('v4.19-v5.4: the tail stops at max_pfn', () => {
    const tl = replay(host('5.4.0'), null);
    expect(tl.unavailableTotal?.pages).toBe(1 + 0x61 + 0x1000);
  });

  it('v4.15-v4.18: only reserved pages outside memory', () => {
    const tl = replay(host('4.18.20'), null);
    expect(tl.unavailableTotal).toMatchObject({ line: 'Reserved but unavailable', pages: 1 + 0x20 });
  });

  it('v4.18 x86: e820__memblock_setup reserved every non-RAM e820 range and gap, so the e820 map gives the total', () => {
    // e820 as the kernel had it: page 0 reserved (trim_bios_range), RAM [1, 0x9f), a gap to 0xe0 and a reserved
    // BIOS area [0xe0, 0x100), RAM to 0x3f000, a reserved range [0x3f000, 0x3f800) then a gap to RAM at 4 GiB, and a
    // reserved range past the last RAM. Counted: pfn 0, [0x9f, 0x100), the part of [0x3f000, 0x40000) in the present
    // section (the rest of the hole below 4 GiB has no memmap), and, since the gap before that last reserved entry
    // is reserved too, the rest of RAM's last section [0x140100, 0x148000).
    const e820Table = [
      { start: 0, end: 0x1000, type: 'reserved' },
      { start: 0x1000, end: 0x9f000, type: 'usable' },
      { start: 0xe0000, end: 0x100000, type: 'reserved' },
      { start: 0x100000, end: 0x3f000000, type: 'usable' },
      { start: 0x3f000000, end: 0x3f800000, type: 'reserved' },
      { start: 0x100000000, end: 0x140100000, type: 'usable' },
      { start: 0x1fe000000, end: 0x200000000, type: 'reserved' },
    ];
    const withE820 = (release: string) => ({ ...host(release), e820Table });
    const v418 = replay(withE820('4.18.20'), null);
    expect(v418.era.x86E820Reserved).toBe(true);
    expect(v418.unavailableTotal).toMatchObject({
      line: 'Reserved but unavailable',
      pages: 1 + 0x61 + 0x1000 + sectionTail,
    });
    // without the reserved entry past RAM there is no gap before it: the section tail is not counted
    const noTail = replay({ ...host('4.18.20'), e820Table: e820Table.slice(0, -1) }, null);
    expect(noTail.unavailableTotal?.pages).toBe(1 + 0x61 + 0x1000);
    expect(v418.diagnostics.map((d) => d.code)).not.toContain('SIM_UNAVAILABLE_TOTAL_NO_RESERVED');
    // v4.17 had no such reservations: only the memblock.reserved list counts (page 0 and the BIOS area)
    const v417 = replay(withE820('4.17.19'), null);
    expect(v417.era.x86E820Reserved).toBe(false);
    expect(v417.unavailableTotal?.pages).toBe(1 + 0x20);
    // v4.19 reverted it and counts the memory gaps to max_pfn instead (same pfns here, another line)
    expect(replay(withE820('4.19.0'), null).unavailableTotal?.line).toBe(
      'Zeroed struct page in unavailable ranges',
    );
  });

  it('v4.15-v4.18 without memblock.reserved or an e820 map: a warning, not a silent number', () => {
    const tl = replay(makeHost({ ...spec, reserved: [], release: '4.18.20' }), null);
    expect(tl.diagnostics.map((d) => d.code)).toContain('SIM_UNAVAILABLE_TOTAL_NO_RESERVED');
  });

  it('before v4.15: nothing counted, holes left as allocated', () => {
    const tl = replay(host('4.14.302'), null);
    expect(zones(tl)).toEqual({});
    expect(tl.unavailableTotal).toBeNull();
    expect(tl.phases.find((p) => p.name === 'memmap_init')!.reserved).toBe(0);
  });
});

describe('arm64 pfn_valid and SECTION_SIZE_BITS on one built host', () => {
  // DRAM from 2 MiB (a hole of one pageblock below it), a NOMAP half pageblock before a gap, RAM ending half a
  // pageblock into a 128 MiB section
  const spec = {
    arch: 'arm64' as const,
    memory: [
      [0x200, 0x10000, 0],
      [0x10000, 0x10100, 0, MEMBLOCK_FLAGS.MEMBLOCK_NOMAP],
      [0x20100, 0x40100, 0],
    ] as const,
    deferredConfig: 'n' as const,
  };
  const host = (release: string) => makeHost({ ...spec, release });
  // the gap [0x10100, 0x20100) has a memmap in its first and last sections only (0x18000..0x20000 is absent)
  const generic = { '0:DMA': 0x200 + (0x18000 - 0x10100) + (0x20100 - 0x20000) + (0x48000 - 0x40100) };

  it('generic (v5.16+): every pfn of a present section', () => {
    expect(zones(replay(host('6.6.31'), null))).toEqual(generic);
  });

  it('v5.14 memblock_is_memory: only pageblocks whose first pfn is memory, NOMAP included', () => {
    const tl = replay(host('5.14.21'), null);
    expect(tl.era.arm64PfnValid).toBe('memory');
    // the pageblocks [0x10000, 0x10200) (NOMAP) and [0x40000, 0x40200) start in memory: their 0x100 hole pfns
    // each are counted, nothing below DRAM or past the first pageblock of a gap
    expect(zones(tl)).toEqual({ '0:DMA': 0x200 });
  });

  it('v5.10 memblock_is_map_memory and 1 GiB sections', () => {
    const tl = replay(host('5.10.110'), null);
    expect(tl.era.arm64PfnValid).toBe('map-memory');
    expect(tl.arch.SECTION_SIZE_BITS).toBe(30);
    expect(tl.arch.PAGES_PER_SECTION).toBe(0x40000);
    // NOMAP memory is not map memory: only the tail's first pageblock
    expect(zones(tl)).toEqual({ '0:DMA': 0x100 });
  });
});
