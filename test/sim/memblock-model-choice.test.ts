// Which memblock model replays a host's memblock=debug log (src/sim/boot-tables.ts memblockModelFor): chosen from
// the kernel release and the flags the log prints. Found by running `replay --reserved memblock-log` on the real
// v7.3 KHO captures: with the v6.1 model always, their MEMBLOCK_RSRV_KERN (0x20) regions ended in exit 70.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHostBundle } from '../../src/cli/read-bundle.js';
import { replay } from '../../src/sim/replay.js';
import { memblockModelFor } from '../../src/sim/boot-tables.js';
import type { HostTrace } from '../../src/trace/host-trace.js';
import { TRACES_ROOT } from '../helpers/traces.js';
import { hostFromQemuTrace, QEMU_TRACES } from './host-from-trace.js';

const REAL_73 = ['real-kho-a-8g-2node', 'real-kho-c-8g-2node-luo-memfd', 'capture-real-kho-v7.3-rc7'];

const unavailable = (h: HostTrace, reservedFrom: 'trace' | 'memblock-log'): string[] =>
  replay(h, null, { reservedFrom }).nodes.flatMap((n) =>
    n.zones.map((z) => `${n.nid}:${z.name}:${z.unavailablePages}`),
  );

describe('memblock model for a memblock=debug log', () => {
  it.each(REAL_73)('%s (v7.3, RSRV_KERN regions) replays with the newest model', (name) => {
    const host = loadHostBundle(path.join(TRACES_ROOT, name));
    expect(host.memblockCalls.length).toBeGreaterThan(0);
    const m = memblockModelFor(host);
    expect(m).toEqual({ version: 'newest', note: null });
    // Holes do not depend on where reserved came from: both sources give the same per-zone counts.
    expect(unavailable(host, 'memblock-log')).toEqual(unavailable(host, 'trace'));
  });

  it.each(QEMU_TRACES)('%s (Debian 6.1) replays with the v6.1 model', (name) => {
    expect(memblockModelFor(hostFromQemuTrace(name))).toEqual({ version: 'v6.1', note: null });
  });

  it('a pre-6.16 release whose log prints flags v6.1 lacks takes the newest model, with a warning', () => {
    const h = hostFromQemuTrace('b-16g-2node');
    const d = h.memblockDumps[0]!;
    const kern = { ...d, reserved: d.reserved.map((r, i) => (i === 0 ? { ...r, flags: 0x20 } : r)) };
    const host: HostTrace = { ...h, memblockDumps: [kern, ...h.memblockDumps.slice(1)] };
    const m = memblockModelFor(host);
    expect(m.version).toBe('newest');
    expect(m.note?.code).toBe('SIM_MEMBLOCK_MODEL_FROM_FLAGS');
    expect(m.note?.message).toContain('0x20');
    // and the replay runs instead of failing inside the model
    expect(() => replay(host, null, { reservedFrom: 'memblock-log' })).not.toThrow();
    // without the flag, the same host stays on v6.1
    expect(memblockModelFor({ ...host, kernelRelease: null, memblockDumps: h.memblockDumps }).version).toBe(
      'v6.1',
    );
  });
});
