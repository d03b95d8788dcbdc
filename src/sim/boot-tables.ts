// The memblock the boot phases start from (the simulator context's one memblock model, memory and reserved):
// the trace's own memory and reserved arrays, or the reserved array at the end of a replayed memblock=debug log
// (the state memblock_free_all sees: every reservation and allocation made after the last MEMBLOCK dump included).
import type { Diagnostic } from '../core/index.js';
import type { HostTrace } from '../trace/host-trace.js';
import { memoryFromHost } from './layout.js';
import { MEMBLOCK_FLAGS as F } from '../core/memblock-flags.js';
import { parseKernelRelease } from './kernel-eras.js';
import type { MemblockVersion } from './memblock.js';
import { Memblock } from './memblock.js';
import { replayMemblockLog } from './memblock-replay.js';

export type ReservedSource = 'trace' | 'memblock-log';

/**
 * The memblock of a replay. Memory is the trace's regions with their node ids, loaded as the host printed them.
 * With 'memblock-log' and a memblock=debug log in the trace, reserved is the array the log replay ends with
 * (src/sim/memblock-replay.ts, under the log's kernel's model: memblockModelFor); otherwise reserved is the
 * trace's own array, loaded as printed. The boot's memblock itself has the newest rules: it is the replayed
 * kernel's (the phases' iterators, should_skip_region's KHO_SCRATCH test, kho_memory_init's RSRV_NOINIT), whose
 * era-dependent steps are the mm profile's to decide (memblock_free_all skips RSRV_NOINIT from v6.7 only).
 */
export function bootMemblock(
  host: HostTrace,
  reservedFrom: ReservedSource,
  diags: Diagnostic[],
  /** PAGE_SHIFT of the replayed arch: the model's PFN_UP/PFN_DOWN. */
  pageShift: number = host.pageShift,
): { memblock: Memblock; reservedFrom: ReservedSource } {
  const mem = memoryFromHost(host);
  if (mem.from !== 'memory') {
    diags.push({
      code: 'SIM_MEMORY_FROM_' + mem.from.toUpperCase(),
      severity: 'info',
      message: `no memblock memory in the trace: memory taken from ${mem.from}`,
    });
  }
  if (reservedFrom === 'memblock-log' && host.memblockCalls.length > 0) {
    const model = memblockModelFor(host);
    if (model.note) diags.push(model.note);
    const r = replayMemblockLog(host.memblockCalls, host.memblockDumps, {
      pageShift: host.pageShift,
      version: model.version,
    });
    diags.push(...r.diagnostics);
    const mb = new Memblock({ version: 'newest', pageShift });
    mb.memory.load(mem.memory);
    mb.reserved.load(
      r.final.reserved
        .regions()
        .map((x) => ({ start: x.base, end: x.base + x.size, nid: x.nid, flags: x.flags })),
    );
    return { memblock: mb, reservedFrom: 'memblock-log' };
  }
  if (reservedFrom === 'memblock-log') {
    diags.push({
      code: 'SIM_NO_MEMBLOCK_LOG',
      severity: 'info',
      message: 'no memblock=debug calls in the trace: reserved regions are the last ones the trace shows',
    });
  }
  const mb = new Memblock({ version: 'newest', pageShift });
  mb.memory.load(mem.memory);
  mb.reserved.load(host.reserved);
  return { memblock: mb, reservedFrom: 'trace' };
}

/** The flags every kernel of the v6.1 model has (include/linux/memblock.h, v6.1 enum memblock_flags). */
const FLAGS_V61 = F.MEMBLOCK_HOTPLUG | F.MEMBLOCK_MIRROR | F.MEMBLOCK_NOMAP | F.MEMBLOCK_DRIVER_MANAGED;

/**
 * Which of the memblock model's two kernels replays this host's log: v6.1 ([D61]) or the newest tree ([MB-N]).
 * The newest model's differences (MEMBLOCK_RSRV_KERN on every allocation, nid-exact reserves, KHO scratch-only
 * allocation) came with the KHO series merged for v6.16, so a release from v6.16 on takes it. A log that prints
 * flags the v6.1 enum does not have (RSRV_NOINIT v6.7, RSRV_KERN and KHO_SCRATCH v6.16, RSRV_HUGETLB v7.3) was
 * written by a newer kernel whatever the release says: the newest model, with a note when the release disagrees.
 */
export function memblockModelFor(host: HostTrace): { version: MemblockVersion; note: Diagnostic | null } {
  let newFlags = 0;
  for (const d of host.memblockDumps)
    for (const r of [...d.memory, ...d.reserved]) newFlags |= r.flags & ~FLAGS_V61;
  for (const c of host.memblockCalls) newFlags |= (c.flags ?? 0) & ~FLAGS_V61;
  const v = parseKernelRelease(host.kernelRelease);
  const newest = v !== null && (v.major > 6 || (v.major === 6 && v.minor >= 16));
  if (newest || (v === null && newFlags !== 0)) return { version: 'newest', note: null };
  if (newFlags === 0) return { version: 'v6.1', note: null };
  return {
    version: 'newest',
    note: {
      code: 'SIM_MEMBLOCK_MODEL_FROM_FLAGS',
      severity: 'warning',
      message: `kernel ${host.kernelRelease ?? '(unknown)'} predates v6.16 but its memblock=debug log prints flags 0x${newFlags.toString(16)} that v6.1 does not have: replayed with the newest memblock model`,
    },
  };
}
