// Where RAM sits on nodes when no boot log says so: the memory block table (drivers/base/memory.c: block id =
// phys_index, block start = id * block_size_bytes) gives each block's node; iomem gives the RAM inside it.
import type { Range } from '../core/index.js';
import type { MemRegion } from './host-trace.js';

export interface NodeRun {
  readonly start: number;
  readonly end: number;
  readonly nid: number | null;
}

/** Contiguous same-node runs of memory blocks, [start, end) bytes, sorted. */
export function nodeRunsFromBlocks(
  blocks: readonly { physIndex: number; nid: number | null }[],
  blockSizeBytes: number,
): NodeRun[] {
  const sorted = [...blocks].sort((a, b) => a.physIndex - b.physIndex);
  const runs: NodeRun[] = [];
  for (const b of sorted) {
    const start = b.physIndex * blockSizeBytes;
    const end = start + blockSizeBytes;
    const last = runs[runs.length - 1];
    if (last && last.end === start && last.nid === b.nid) runs[runs.length - 1] = { ...last, end };
    else runs.push({ start, end, nid: b.nid });
  }
  return runs;
}

/**
 * Split RAM ranges by node runs. RAM outside every run keeps nid null. Linear in the inputs (both sorted).
 */
export function assignNodes(
  ram: readonly (Range & { flags?: number })[],
  runs: readonly NodeRun[],
): MemRegion[] {
  const out: MemRegion[] = [];
  let j = 0;
  for (const r of ram) {
    const flags = r.flags ?? 0;
    let cur = r.start;
    while (j < runs.length && runs[j]!.end <= cur) j++;
    let k = j;
    while (cur < r.end) {
      const run = runs[k];
      if (!run || run.start >= r.end) {
        out.push({ start: cur, end: r.end, nid: null, flags });
        break;
      }
      if (run.start > cur) {
        out.push({ start: cur, end: run.start, nid: null, flags });
        cur = run.start;
      }
      const end = Math.min(run.end, r.end);
      out.push({ start: cur, end, nid: run.nid, flags });
      cur = end;
      k++;
    }
  }
  return out;
}

/** Pages a kernel counts for [start, end) bytes: PFN_UP(start) to PFN_DOWN(end) (for_each_mem_pfn_range). */
export function pagesIn(r: Range, pageShift: number): number {
  const size = 2 ** pageShift;
  return Math.max(0, Math.floor(r.end / size) - Math.ceil(r.start / size));
}
