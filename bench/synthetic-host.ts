// A synthetic large host for the benchmarks: N nodes of equal size (default 16 x 1 TiB = 16 TiB), x86_64,
// with the low-memory holes of a PC, a PCI hole below 4 GiB, optional small holes per node (UEFI-style
// fragmentation) and reserved regions spread over each node (kernel image, memmap, NODE_DATA, crashkernel-like).
import type { HostTrace, MemRegion } from '../src/trace/host-trace.js';
import { describedHost } from '../src/trace/host-trace.js';

export interface SyntheticHostSpec {
  readonly nodes: number;
  readonly bytesPerNode: number;
  /** Extra holes cut into each node's memory (each 1 MiB), spread evenly. */
  readonly holesPerNode: number;
  /** Reserved regions per node (each 2 MiB), spread evenly. */
  readonly reservedPerNode: number;
}

export const DEFAULT_SYNTHETIC: SyntheticHostSpec = {
  nodes: 16,
  bytesPerNode: 2 ** 40,
  holesPerNode: 0,
  reservedPerNode: 8,
};

const MiB = 2 ** 20;
const GiB = 2 ** 30;

export function syntheticHost(spec: SyntheticHostSpec = DEFAULT_SYNTHETIC): HostTrace {
  const memory: MemRegion[] = [];
  const reserved: MemRegion[] = [];
  // node 0 carries the PC low memory: [4K, 640K), [1M, 3G), then RAM from 4 GiB; the PCI hole moves the rest up
  for (let nid = 0; nid < spec.nodes; nid++) {
    const base = nid === 0 ? 0 : 4 * GiB + nid * spec.bytesPerNode - 3 * GiB;
    const end = 4 * GiB + (nid + 1) * spec.bytesPerNode - 3 * GiB;
    const pieces: { start: number; end: number }[] = [];
    if (nid === 0) {
      pieces.push({ start: 4096, end: 640 * 1024 }, { start: MiB, end: 3 * GiB }, { start: 4 * GiB, end });
    } else pieces.push({ start: base, end });
    // cut holes evenly in the last piece
    const last = pieces.pop()!;
    const step = Math.floor((last.end - last.start) / (spec.holesPerNode + 1) / (2 * MiB)) * 2 * MiB;
    let cur = last.start;
    for (let h = 1; h <= spec.holesPerNode; h++) {
      const at = last.start + h * step;
      pieces.push({ start: cur, end: at });
      cur = at + MiB;
    }
    pieces.push({ start: cur, end: last.end });
    for (const p of pieces) memory.push({ start: p.start, end: p.end, nid, flags: 0 });
    const span = end - (nid === 0 ? 4 * GiB : base);
    const rstep = Math.floor(span / (spec.reservedPerNode + 1) / (2 * MiB)) * 2 * MiB;
    for (let r = 1; r <= spec.reservedPerNode; r++) {
      const at = (nid === 0 ? 4 * GiB : base) + r * rstep + MiB; // inside memory, away from the holes
      reserved.push({ start: at, end: at + 2 * MiB, nid, flags: 0 });
    }
  }
  reserved.push({ start: 0, end: MiB, nid: 0, flags: 0 });
  reserved.sort((a, b) => a.start - b.start);
  return describedHost({
    kernelRelease: '6.1.0-synthetic',
    config: { CONFIG_DEFERRED_STRUCT_PAGE_INIT: 'y' },
    cmdline: { raw: '', movableNode: false, memblockDebug: false, earlyPageExt: false, memmap: [] },
    memory,
    reserved,
    sources: { memory: [{ file: 'bench/synthetic-host.ts', kind: 'synthetic' }] },
  });
}
