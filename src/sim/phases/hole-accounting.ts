// The hole pages each kernel era counts (kernel-eras.ts): which pfns of a hole init_unavailable_range() and its
// ancestors touch (pfn_valid() of the pageblock's first pfn), and the node-less totals printed before v5.12.
import type { Range } from '../../core/index.js';
import { intersectNormalized, MEMBLOCK_FLAGS, normalizeRanges, roundUp } from '../../core/index.js';
import { pfnDown, pfnUp } from '../arch.js';
import type { SimContext } from '../context.js';
import { validParts } from '../context.js';

/** The pfn ranges of [start, end) that init_unavailable_range counts under the era's pfn_valid(). */
export function holeValidParts(ctx: SimContext, start: number, end: number): Range[] {
  const rule = ctx.arch.arch === 'arm64' ? ctx.era.arm64PfnValid : 'generic';
  if (rule === 'generic') return validParts(ctx, start, end);
  return intersectNormalized(arm64ValidPageblockSpans(ctx, rule), [{ start, end }]);
}

const spansCache = new WeakMap<SimContext, Range[]>();

/**
 * arm64 pfn_valid() before v5.16: a pfn is valid when its section is present and its address is memblock memory
 * (v5.14: memblock_is_memory) or mapped memblock memory (up to v5.13: memblock_is_map_memory, no NOMAP). The
 * hole loop asks it of each pageblock's first pfn, so the pfns it counts are the pageblocks whose first pfn is
 * such memory: [round_up(r.start), round_up(r.end)) for each memory range r.
 */
function arm64ValidPageblockSpans(ctx: SimContext, rule: 'map-memory' | 'memory'): Range[] {
  const hit = spansCache.get(ctx);
  if (hit) return hit;
  const pb = ctx.arch.pageblock_nr_pages;
  const spans: Range[] = [];
  ctx.memblock.forEachMemRegion((start, end, _nid, flags) => {
    if (rule === 'map-memory' && flags & MEMBLOCK_FLAGS.MEMBLOCK_NOMAP) return;
    // memblock_is_memory(addr) of a pageblock start: any byte of the region at or after it
    const s = roundUp(pfnUp(start, ctx.arch), pb);
    const e = roundUp(Math.ceil(end / 2 ** ctx.arch.PAGE_SHIFT), pb);
    if (s < e) spans.push({ start: s, end: e });
  });
  const out = intersectNormalized(normalizeRanges(spans), ctx.layout.presentSections);
  spansCache.set(ctx, out);
  return out;
}

/** A node-less total of the era before v5.12, as the kernel printed it. */
export interface UnavailableTotal {
  /** `Reserved but unavailable` (v4.15-v4.18) or `Zeroed struct page in unavailable ranges` (v4.19-v5.11). */
  readonly line: 'Reserved but unavailable' | 'Zeroed struct page in unavailable ranges';
  readonly pages: number;
  /** The pfn ranges the count walked (before the pfn_valid() filter). */
  readonly ranges: readonly Range[];
}

function countValid(ctx: SimContext, ranges: readonly Range[]): number {
  let n = 0;
  for (const r of ranges) for (const p of holeValidParts(ctx, r.start, r.end)) n += p.end - p.start;
  return n;
}

/**
 * The byte ranges v4.18's e820__memblock_setup() (arch/x86/kernel/e820.c, 124049decbb1) memblock_reserve()d: walking
 * the sanitized e820_table in order from address 0, the gap before each entry and each entry that is neither
 * E820_TYPE_RAM nor E820_TYPE_RESERVED_KERN (both print `usable`). Nothing past the last entry.
 */
export function e820Reservations(table: readonly { start: number; end: number; type: string }[]): Range[] {
  const out: Range[] = [];
  let addr = 0;
  for (const e of table) {
    if (addr < e.start) out.push({ start: addr, end: e.start });
    addr = e.end;
    if (e.type !== 'usable') out.push({ start: e.start, end: e.end });
  }
  return out;
}

/**
 * The node-less total of kernels before the per-zone line, null for the other eras.
 * - v4.15-v4.18 zero_resv_unavail(): for_each_resv_unavail_range = memblock.reserved not covered by
 *   memblock.memory, each piece [PFN_DOWN(start), PFN_UP(end)), each pfn whose pageblock's first pfn is
 *   pfn_valid(); it needs the reserved array the kernel had. On x86 v4.18 that array holds every non-RAM e820
 *   range and e820 gap (e820Reservations), so the e820 map gives the total.
 * - v4.19-v5.11 zero_resv_unavail() / init_unavailable_mem(): for_each_mem_range(memory, MEMBLOCK_NONE) skips
 *   NOMAP regions; the gaps [PFN_DOWN(prev end), PFN_UP(start)) and the tail from the last end to max_pfn
 *   (v4.19-v5.4) or round_up(max_pfn, PAGES_PER_SECTION) (v5.5-v5.11).
 */
export function unavailableTotal(ctx: SimContext): UnavailableTotal | null {
  const rule = ctx.era.holes;
  const a = ctx.arch;
  if (rule === 'reserved-unavailable') {
    const memory: Range[] = [];
    ctx.memblock.forEachMemRegion((start, end) => memory.push({ start, end }));
    const mem = normalizeRanges(memory);
    const ranges: Range[] = [];
    // for_each_reserved_mem_region(): each region as the array holds it (a trace's overlapping ones included)
    let reserved: Range[] = [];
    ctx.memblock.forEachReservedMemRegion((start, end) => reserved.push({ start, end }));
    if (ctx.era.x86E820Reserved && ctx.arch.arch === 'x86_64' && ctx.e820Table?.length) {
      // memblock_reserve() merges what it is given with what is there (mm/memblock.c memblock_add_range)
      reserved = normalizeRanges(
        [...reserved, ...e820Reservations(ctx.e820Table)].map(({ start, end }) => ({ start, end })),
      );
    }
    for (const r of reserved) {
      let cur = r.start;
      for (const m of mem) {
        if (m.end <= cur) continue;
        if (m.start >= r.end) break;
        if (m.start > cur) ranges.push({ start: pfnDown(cur, a), end: pfnUp(m.start, a) });
        cur = Math.max(cur, m.end);
        if (cur >= r.end) break;
      }
      if (cur < r.end) ranges.push({ start: pfnDown(cur, a), end: pfnUp(r.end, a) });
    }
    // pieces are counted one by one, so a pfn shared by two rounded pieces counts twice, as in the kernel
    return { line: 'Reserved but unavailable', pages: countValid(ctx, ranges), ranges };
  }
  if (rule === 'gaps-to-max-pfn' || rule === 'gaps-to-section') {
    const ranges: Range[] = [];
    let next = 0;
    ctx.memblock.forEachMemRegion((start, end, _nid, flags) => {
      if (flags & MEMBLOCK_FLAGS.MEMBLOCK_NOMAP) return;
      if (next < start) ranges.push({ start: pfnDown(next, a), end: pfnUp(start, a) });
      next = end;
    });
    const maxPfn = ctx.layout.maxPfn;
    const tail = rule === 'gaps-to-section' ? roundUp(maxPfn, a.PAGES_PER_SECTION) : maxPfn;
    if (pfnDown(next, a) < tail) ranges.push({ start: pfnDown(next, a), end: tail });
    const kept = ranges.filter((r) => r.start < r.end);
    return { line: 'Zeroed struct page in unavailable ranges', pages: countValid(ctx, kept), ranges: kept };
  }
  return null;
}
