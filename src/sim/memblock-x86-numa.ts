// Models arch/x86/mm/numa.c of v6.1 (numa_init, numa_cleanup_meminfo, numa_register_memblks,
// numa_clear_kernel_node_hotplug; mm/numa_memblks.c in newer trees): the memblock_set_node calls that
// memblock=debug does not print, which give memory and reserved regions their nodes.
import type { Memblock } from './memblock.js';
import { MEMBLOCK_LIMITS } from './memblock.js';

/** struct numa_memblk: [start, end) bytes on node nid. */
export interface NumaMemblk {
  readonly nid: number;
  readonly start: number;
  readonly end: number;
}

export interface NumaMeminfoResult {
  /** numa_meminfo after numa_cleanup_meminfo(): what numa_register_memblks() applies. */
  readonly blocks: readonly NumaMemblk[];
  /** numa_reserved_meminfo: blocks without memory, and the parts above max_pfn. */
  readonly reservedBlocks: readonly NumaMemblk[];
  /** The `NUMA: Node %d [mem ..] + [mem ..] -> [mem ..]` merges, in the order the kernel prints them. */
  readonly merges: readonly { nid: number; a: NumaMemblk; b: NumaMemblk; merged: NumaMemblk }[];
  /** Non-null when the kernel gives up on this table (`NUMA: node %d [mem ..] overlaps with node %d ..`, -EINVAL). */
  readonly error: string | null;
}

/**
 * numa_cleanup_meminfo() (v6.1 arch/x86/mm/numa.c): drop blocks that overlap no memblock memory (moved to
 * numa_reserved_meminfo), clip to [0, PFN_PHYS(max_pfn)), then join blocks of one node whose span does not
 * overlap another node's block. With no SRAT blocks, dummy_numa_init() fakes node 0 over [0, max_pfn).
 */
export function x86NumaCleanupMeminfo(
  srat: readonly NumaMemblk[],
  mb: Memblock,
  maxPfn: number,
): NumaMeminfoResult {
  const high = maxPfn * mb.pageSize;
  // dummy_numa_init(): "No NUMA configuration found", "Faking a node at [mem ...]".
  const input = srat.length === 0 ? [{ nid: 0, start: 0, end: high }] : srat;
  const blk: { nid: number; start: number; end: number }[] = [];
  const reservedBlocks: NumaMemblk[] = [];
  for (const b of input) {
    if (b.start >= b.end) continue; // numa_add_memblk_to() ignores zero-length and inverted blocks
    if (!overlapsMemory(mb, b.start, b.end)) {
      reservedBlocks.push(b);
      continue;
    }
    const c = { nid: b.nid, start: Math.max(b.start, 0), end: b.end };
    if (c.end > high) {
      reservedBlocks.push({ nid: c.nid, start: high, end: c.end });
      c.end = high;
    }
    if (c.start < c.end) blk.push(c);
  }
  const merges: { nid: number; a: NumaMemblk; b: NumaMemblk; merged: NumaMemblk }[] = [];
  for (let i = 0; i < blk.length; i++) {
    const bi = blk[i]!;
    for (let j = i + 1; j < blk.length; j++) {
      const bj = blk[j]!;
      if (bi.end > bj.start && bi.start < bj.end && bi.nid !== bj.nid) {
        return {
          blocks: [],
          reservedBlocks,
          merges,
          error: `node ${bi.nid} [${bi.start}-${bi.end}) overlaps with node ${bj.nid} [${bj.start}-${bj.end})`,
        };
      }
      if (bi.nid !== bj.nid) continue;
      const start = Math.min(bi.start, bj.start);
      const end = Math.max(bi.end, bj.end);
      const blocked = blk.some((bk) => bk.nid !== bi.nid && start < bk.end && end > bk.start);
      if (blocked) continue;
      merges.push({ nid: bi.nid, a: { ...bi }, b: { ...bj }, merged: { nid: bi.nid, start, end } });
      bi.start = start;
      bi.end = end;
      blk.splice(j, 1);
      j--;
    }
  }
  return { blocks: blk, reservedBlocks, merges, error: null };
}

function overlapsMemory(mb: Memblock, start: number, end: number): boolean {
  const m = mb.memory;
  const i = m.firstEndingAbove(start);
  return i < m.count && m.base(i) < end;
}

/**
 * The memblock side of x86 numa_init() with a valid table:
 * 1. numa_init(): memblock_set_node(0, ULLONG_MAX, memory/reserved, MAX_NUMNODES), memblock_clear_hotplug
 *    (0, ULLONG_MAX) before parsing SRAT (a no-op on a fresh boot, where no node is set yet);
 * 2. numa_register_memblks(): memblock_set_node(blk, &memblock.memory, nid) for each block;
 * 3. numa_clear_kernel_node_hotplug(): memblock_set_node(blk, &memblock.reserved, nid) for each block, then
 *    memblock_clear_hotplug() on the blocks of every node that holds a reserved region.
 * The NODE_DATA allocations (alloc_node_data, memblock_phys_alloc_try_nid) come after, so they carry no node.
 * Replay applies this before the first NODE_DATA reservation.
 */
export function x86NumaInitMemblock(mb: Memblock, blocks: readonly NumaMemblk[]): void {
  const all = MEMBLOCK_LIMITS.PHYS_ADDR_MAX;
  mb.setNode(0, all, mb.memory, null);
  mb.setNode(0, all, mb.reserved, null);
  mb.clearHotplug(0, all);
  for (const b of blocks) mb.setNode(b.start, b.end - b.start, mb.memory, b.nid);
  for (const b of blocks) mb.setNode(b.start, b.end - b.start, mb.reserved, b.nid);
  const kernelNodes = new Set<number>();
  for (let i = 0; i < mb.reserved.count; i++) {
    const n = mb.reserved.nid(i);
    if (n !== null) kernelNodes.add(n);
  }
  for (const b of blocks) if (kernelNodes.has(b.nid)) mb.clearHotplug(b.start, b.end - b.start);
}
