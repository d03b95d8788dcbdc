// The replay on twenty boot logs of real machines (traces/public-logs, kernels 4.4 to 6.9, x86_64 and arm64):
// with the kernel's own unavailable-range lines (per zone, or the older node-less total) and deferred-init lines
// removed from the input, the replay follows the log's kernel era and computes what the kernel printed; the
// present pages equal the `Memory: X/Y available` line's Y. Unknown-line counts are asserted per log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDmesg } from '../../parsers/dmesg/index.js';
import { replay } from '../../src/sim/index.js';
import type { HoleRule } from '../../src/sim/kernel-eras.js';
import { hostFromBundle } from './host-from-trace.js';

const ROOT = new URL('../../traces/public-logs/', import.meta.url).pathname;

/** Every line that carries the kernel's own answer for what the replay computes. */
const ORACLE =
  /pages in unavailable ranges|Zeroed struct page in unavailable ranges|Reserved but unavailable: \d|deferred pages initialised/;

interface Case {
  readonly name: string;
  /** The era's hole rule chosen from the release. */
  readonly holes: HoleRule;
  /** arm64 only: the pfn_valid() rule chosen. */
  readonly pfnValid?: 'map-memory' | 'memory' | 'generic';
  /** Unknown lines of the whole log (driver messages nobody reviewed; not memory lines). */
  readonly unknown: number;
  /** The choice is a vendor kernel's (a warning names the alternative). */
  readonly uncertain?: boolean;
  /** The mm profile the release picks (src/sim/mm-profiles.ts); linux-6.1 when not given. */
  readonly mm?: string;
}

const CASES: readonly Case[] = [
  {
    name: 'arm64-anbernic-rg353v-6.6rc2',
    mm: 'linux-6.5',
    holes: 'per-zone',
    pfnValid: 'generic',
    unknown: 92,
  },
  {
    name: 'arm64-bananapi-bpi-r4-6.9',
    mm: 'linux-6.8',
    holes: 'per-zone',
    pfnValid: 'generic',
    unknown: 317,
  },
  {
    name: 'arm64-marvell-crb106-centos9-5.14',
    holes: 'per-zone',
    pfnValid: 'generic',
    unknown: 63,
    uncertain: true,
  },
  // 5.10.110: the per-zone line (5.10.24 backport) with arm64's memblock_is_map_memory() pfn_valid(): the
  // 2 MiB below DRAM is one pageblock whose first pfn is not memory, so nothing is counted or printed
  { name: 'arm64-orangepi5-rk3588-5.10', holes: 'per-zone', pfnValid: 'map-memory', unknown: 700 },
  {
    name: 'arm64-rpi4-homeassistant-6.6',
    mm: 'linux-6.6.15',
    holes: 'per-zone',
    pfnValid: 'generic',
    unknown: 190,
  },
  { name: 'x86-acer-nitro-an517-54-6.8', mm: 'linux-6.8', holes: 'per-zone', unknown: 76 },
  {
    name: 'x86-asrock-b450-gaming-itx-crashkernel-5.3',
    holes: 'gaps-to-max-pfn',
    unknown: 130,
    uncertain: false,
  },
  { name: 'x86-asus-z10pe-d16-2s-2node-160g-4.9', holes: 'none', unknown: 61 },
  { name: 'x86-crosvm-arcvm-guest-5.10', holes: 'per-zone', unknown: 340 },
  { name: 'x86-gigabyte-990xa-ud3-gentoo-4.12', holes: 'none', unknown: 22 },
  {
    name: 'x86-google-craask-chromebook-6.6-chromeos-syslog',
    mm: 'linux-6.6.90',
    holes: 'per-zone',
    unknown: 160,
  },
  { name: 'x86-hp-250-g3-4.18', holes: 'reserved-unavailable', unknown: 162 },
  { name: 'x86-hp-laptop-15-dy2xxx-zen-6.0', holes: 'per-zone', unknown: 77 },
  { name: 'x86-huawei-wrtd-wxx9-6.1rc4', holes: 'per-zone', unknown: 383 },
  { name: 'x86-lenovo-ideapad-320-gentoo-5.15-deferred', holes: 'per-zone', unknown: 34 },
  { name: 'x86-lenovo-thinkpad-20kg-arch-6.0', holes: 'per-zone', unknown: 58 },
  { name: 'x86-microsoft-surface-book-4.4', holes: 'none', unknown: 15 },
  { name: 'x86-msi-z270-gaming-pro-carbon-6.4', holes: 'per-zone', unknown: 47 },
  { name: 'x86-n100dc-itx-sophos-4.14', holes: 'none', unknown: 79 },
  { name: 'x86-virtualbox-arch-6.6', mm: 'linux-6.5', holes: 'per-zone', unknown: 86 },
];

it('covers every folder of traces/public-logs', () => {
  const dirs = fs
    .readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  expect(CASES.map((c) => c.name).sort()).toEqual(dirs.sort());
});

describe.each(CASES)('traces/public-logs/$name', (c) => {
  const root = path.join(ROOT, c.name);
  const text = fs.readFileSync(path.join(root, 'dmesg.txt'), 'utf8');
  const log = parseDmesg(text, 'dmesg.txt');
  const host = hostFromBundle(root, `traces/public-logs/${c.name}`, undefined, ORACLE);
  const tl = replay(host, null);
  const printedZones: Record<string, number> = {};
  for (const u of log.unavailable)
    printedZones[`${u.nid}:${u.zone}`] = (printedZones[`${u.nid}:${u.zone}`] ?? 0) + u.pages;
  const simZones: Record<string, number> = {};
  for (const n of tl.nodes)
    for (const z of n.zones) if (z.unavailablePages) simZones[`${n.nid}:${z.name}`] = z.unavailablePages;

  it(`parses with ${c.unknown} unknown lines, none of them a memory line`, () => {
    expect(log.unknownLines).toBe(c.unknown);
    expect(log.parsedLines + log.unknownLines).toBe(log.totalLines);
    expect(host.unavailable).toEqual([]);
    expect(host.deferredInit).toEqual([]);
  });

  it(`follows the era of ${log.kernelRelease}: ${c.holes}${c.pfnValid ? `, arm64 pfn_valid ${c.pfnValid}` : ''}`, () => {
    expect(tl.era.holes).toBe(c.holes);
    if (c.pfnValid) expect(tl.era.arm64PfnValid).toBe(c.pfnValid);
    const warned = tl.diagnostics.some((d) => d.code === 'SIM_KERNEL_ERA_UNCERTAIN');
    expect(warned).toBe(c.uncertain ?? false);
  });

  it(`replays ${log.kernelRelease} with the mm profile ${c.mm ?? 'linux-6.1'}`, () => {
    expect(tl.mm.name).toBe(c.mm ?? 'linux-6.1');
    // and says why: the release of its `Linux version` line, from the file that printed it
    expect(tl.mmReason).toContain(`kernel release ${log.kernelRelease}`);
    expect(tl.mmReason).toMatch(/\((traces\/public-logs\/[^)]*)\)/);
  });

  it('computes the unavailable pages the kernel printed', () => {
    if (c.holes === 'per-zone') {
      expect(simZones).toEqual(printedZones);
      expect(tl.unavailableTotal).toBeNull();
    } else if (c.holes === 'none') {
      // nothing printed, nothing counted
      expect(log.unavailable).toEqual([]);
      expect(log.zeroedUnavailablePages).toBeNull();
      expect(log.reservedUnavailablePages).toBeNull();
      expect(simZones).toEqual({});
      expect(tl.unavailableTotal).toBeNull();
    } else if (c.holes === 'reserved-unavailable') {
      // v4.18: zero_resv_unavail() walks memblock.reserved outside memory, which e820__memblock_setup() filled
      // with every non-RAM e820 range and e820 gap (124049decbb1): the e820 map gives the total, no warning
      expect(tl.era.x86E820Reserved).toBe(true);
      expect(simZones).toEqual({});
      expect(tl.unavailableTotal?.line).toBe('Reserved but unavailable');
      expect(tl.unavailableTotal?.pages).toBe(log.reservedUnavailablePages);
      expect(log.reservedUnavailablePages).toBeGreaterThan(0);
      expect(tl.diagnostics.map((d) => d.code)).not.toContain('SIM_UNAVAILABLE_TOTAL_NO_RESERVED');
    } else {
      expect(simZones).toEqual({});
      expect(tl.unavailableTotal?.line).toBe('Zeroed struct page in unavailable ranges');
      expect(tl.unavailableTotal?.pages).toBe(log.zeroedUnavailablePages);
      expect(log.zeroedUnavailablePages).toBeGreaterThan(0);
    }
  });

  it("present pages equal the `Memory:` line's Y", () => {
    const y = log.memoryAvailable[0]!.totalKiB;
    const present = tl.nodes.reduce((s, n) => s + n.presentPages, 0);
    expect(present * 2 ** (tl.arch.PAGE_SHIFT - 10)).toBe(y);
  });
});
