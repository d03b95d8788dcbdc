// The oracle test of issue 4: on every real qemu capture, with the kernel's own `unavailable ranges` and
// `deferred pages` lines removed from the input and zoneinfo not read, the simulated zones equal the kernel's
// /proc/zoneinfo and the computed unavailable counts equal what the kernel printed, node by node, zone by zone.
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/sim/index.js';
import { QEMU_TRACES, hostFromQemuTrace, printedUnavailable, zoneinfoOf } from './host-from-trace.js';

describe.each(QEMU_TRACES)('replay of traces/qemu/%s', (name) => {
  const host = hostFromQemuTrace(name);
  const tl = replay(host, null);

  it('has none of the oracle lines in its input', () => {
    expect(host.unavailable).toEqual([]);
    expect(host.deferredInit).toEqual([]);
    expect(host.zoneinfo).toEqual([]);
  });

  it('matches /proc/zoneinfo: zone start, spanned and present pages', () => {
    const kernel = zoneinfoOf(name).filter((z) => z.zone !== 'Device');
    const sim = tl.nodes.flatMap((n) =>
      n.zones.map((z) => ({
        nid: n.nid,
        zone: z.name,
        startPfn: z.spannedPages ? z.startPfn : null,
        spanned: z.spannedPages,
        present: z.presentPages,
      })),
    );
    expect(sim).toEqual(
      kernel.map(({ nid, zone, startPfn, spanned, present }) => ({ nid, zone, startPfn, spanned, present })),
    );
  });

  it("matches the kernel's printed unavailable-range counts", () => {
    const printed = printedUnavailable(name);
    const computed = new Map<string, number>();
    for (const n of tl.nodes)
      for (const z of n.zones) if (z.unavailablePages) computed.set(`${n.nid}:${z.name}`, z.unavailablePages);
    expect(Object.fromEntries(computed)).toEqual(Object.fromEntries(printed));
    expect(printed.size).toBeGreaterThan(0);
  });
});

describe('zone layout from the arch rules and the command line alone', () => {
  it.each(QEMU_TRACES)(
    '%s: printed Zone ranges and Movable starts ignored, zoneinfo still matches',
    (name) => {
      const tl = replay(hostFromQemuTrace(name), null, { ignorePrinted: true });
      expect(tl.layout.zoneLimitsFrom).toBe('arch-rule');
      const kernel = zoneinfoOf(name).filter((z) => z.zone !== 'Device');
      const sim = tl.nodes.flatMap((n) =>
        n.zones.map((z) => ({
          nid: n.nid,
          zone: z.name,
          startPfn: z.spannedPages ? z.startPfn : null,
          spanned: z.spannedPages,
          present: z.presentPages,
        })),
      );
      expect(sim).toEqual(
        kernel.map(({ nid, zone, startPfn, spanned, present }) => ({
          nid,
          zone,
          startPfn,
          spanned,
          present,
        })),
      );
    },
  );

  it('d: kernelcore=6G gives the printed Movable starts (0x140400000, 0x340000000)', () => {
    const tl = replay(hostFromQemuTrace('d-16g-2node-kernelcore'), null, { ignorePrinted: true });
    expect(tl.layout.zoneMovableFrom).toBe('cmdline');
    expect(Object.fromEntries(tl.layout.zoneMovablePfn)).toEqual({
      0: 0x140400000 / 4096,
      1: 0x340000000 / 4096,
    });
  });
});

describe('managed pages with reserved memory from the replayed memblock=debug log', () => {
  // Cross-check of memblock_free_all + deferred init freeing: with the reserved array memblock_free_all really
  // saw (the memblock model's replay of the log), each zone's pages freed to the buddy at boot equal the
  // kernel's `managed` in zoneinfo, or fall short by what the kernel frees after boot (free_initmem: ~8 MiB of
  // __init text/data in the zone holding the kernel image, the initrd), never more than 12 MiB.
  it.each(QEMU_TRACES)('%s', (name) => {
    const tl = replay(hostFromQemuTrace(name), null, { reservedFrom: 'memblock-log' });
    const kernel = zoneinfoOf(name);
    let exact = 0;
    for (const n of tl.nodes) {
      for (const z of n.zones) {
        if (!z.spannedPages) continue;
        const k = kernel.find((q) => q.nid === n.nid && q.zone === z.name)!;
        const gap = k.managed - z.managedPages;
        expect(gap).toBeGreaterThanOrEqual(0);
        expect(gap).toBeLessThanOrEqual(3 * 1024);
        if (gap === 0) exact++;
      }
    }
    expect(exact).toBeGreaterThanOrEqual(1);
  });
});
