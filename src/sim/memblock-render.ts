// Renders memblock state the way the kernel prints it: mm/memblock.c __memblock_dump_all()/memblock_dump()
// (memblock=debug, 6.1 and [MB-N]) and memblock_debug_show() (debugfs, before and after v6.5, 493f349e38d0).
import { MEMBLOCK_FLAG_NAMES } from '../core/index.js';
import type { Memblock, MemblockType } from './memblock.js';

/** %pa: 0x and 16 lower-case hex digits. The 6.1 dummy entry's end (0 + 0 - 1) underflows to all ones. */
function pa(n: number): string {
  if (n < 0) return '0xffffffffffffffff';
  return `0x${n.toString(16).padStart(16, '0')}`;
}

/** The kernel's %#x / %#lx: its vsprintf prints the 0x prefix for zero too (`memory[0x0]`, `flags: 0x0`). */
function hx(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Region i of the kernel's array view: the 6.1 dummy entry of an empty array is base 0, size 0, no node. */
function kernelRegions(t: MemblockType): { base: number; size: number; nid: number | null; flags: number }[] {
  if (t.count === 0 && t.cnt === 1) return [{ base: 0, size: 0, nid: null, flags: 0 }];
  return t.regions();
}

/** memblock_dump(type): ` memory.cnt  = 0x3` then one line per region. */
export function renderMemblockType(t: MemblockType): string[] {
  const out = [` ${t.name}.cnt  = ${hx(t.cnt)}`];
  kernelRegions(t).forEach((r, i) => {
    // 6.1: " on node %d" unless nid == MAX_NUMNODES; [MB-N]: unless !numa_valid_node(nid). null covers both.
    const nidBuf = r.nid === null ? '' : ` on node ${r.nid}`;
    out.push(
      ` ${t.name}[${hx(i)}]\t[${pa(r.base)}-${pa(r.base + r.size - 1)}], ${pa(r.size)} bytes${nidBuf} flags: ${hx(r.flags)}`,
    );
  });
  return out;
}

/**
 * __memblock_dump_all(): the lines after each `[ time] ` prefix, exactly as printed (each starts with the
 * space of the format string, except the header line).
 */
export function renderMemblockDump(mb: Memblock): string[] {
  return [
    'MEMBLOCK configuration:',
    ` memory size = ${pa(mb.memory.totalSize)} reserved size = ${pa(mb.reserved.totalSize)}`,
    ...renderMemblockType(mb.memory),
    ...renderMemblockType(mb.reserved),
  ];
}

export type DebugfsFormat = 'pre-6.5' | '6.5+';

/**
 * /sys/kernel/debug/memblock/{memory,reserved}. Before v6.5: `%4d: %pa..%pa`. From v6.5: then ` %4d ` (or
 * `   x ` for no node) and the name of the lowest set flag bit, `NONE` or `UNKNOWN`.
 */
export function renderDebugfs(t: MemblockType, format: DebugfsFormat): string[] {
  return kernelRegions(t).map((r, i) => {
    const head = `${String(i).padStart(4, ' ')}: ${pa(r.base)}..${pa(r.base + r.size - 1)}`;
    if (format === 'pre-6.5') return head;
    const nid = (r.nid === null ? 'x' : String(r.nid)).padStart(4, ' ');
    let word = 'NONE';
    if (r.flags !== 0) {
      const bit = Math.log2(r.flags & -r.flags);
      word = MEMBLOCK_FLAG_NAMES[bit] ?? 'UNKNOWN'; // flagname[] of the lowest set bit
    }
    return `${head} ${nid} ${word}`;
  });
}
