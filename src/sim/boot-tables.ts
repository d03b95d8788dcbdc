// The memblock tables the boot phases start from: the trace's own memory and reserved arrays, or the
// reserved array at the end of a replayed memblock=debug log (the state memblock_free_all sees: every
// reservation and allocation made after the last MEMBLOCK dump included).
import type { Diagnostic } from '../core/index.js';
import type { HostTrace, MemRegion } from '../trace/host-trace.js';
import { memoryFromHost } from './layout.js';
import type { MemblockTables } from './mem-regions.js';
import { makeTables } from './mem-regions.js';
import { replayMemblockLog } from './memblock-replay.js';

export type ReservedSource = 'trace' | 'memblock-log';

/**
 * Tables for a replay. With 'memblock-log' and a memblock=debug log in the trace, reserved comes from replaying
 * that log (src/sim/memblock-replay.ts); memory keeps the trace's regions with their node ids.
 */
export function bootTables(
  host: HostTrace,
  reservedFrom: ReservedSource,
  diags: Diagnostic[],
): { tables: MemblockTables; reservedFrom: ReservedSource } {
  const mem = memoryFromHost(host);
  if (mem.from !== 'memory') {
    diags.push({
      code: 'SIM_MEMORY_FROM_' + mem.from.toUpperCase(),
      severity: 'info',
      message: `no memblock memory in the trace: memory taken from ${mem.from}`,
    });
  }
  if (reservedFrom === 'memblock-log' && host.memblockCalls.length > 0) {
    const r = replayMemblockLog(host.memblockCalls, host.memblockDumps, { pageShift: host.pageShift });
    diags.push(...r.diagnostics);
    const reserved: MemRegion[] = r.final.reserved
      .regions()
      .map((x) => ({ start: x.base, end: x.base + x.size, nid: x.nid, flags: x.flags }));
    return { tables: makeTables(mem.memory, reserved), reservedFrom: 'memblock-log' };
  }
  if (reservedFrom === 'memblock-log') {
    diags.push({
      code: 'SIM_NO_MEMBLOCK_LOG',
      severity: 'info',
      message: 'no memblock=debug calls in the trace: reserved regions are the last ones the trace shows',
    });
  }
  return { tables: makeTables(mem.memory, host.reserved), reservedFrom: 'trace' };
}
