// Physical address -> file bytes for an ELF core: the PT_LOADs flattened into disjoint pieces, so a lookup is
// one binary search whatever the number of segments (kdump cores of huge hosts have thousands).
//
// Overlaps: the first segment in program-header order wins. Real cores overlap: kdump's elfcorehdr puts a
// kernel-text PT_LOAD (p_paddr = __pa_symbol(_text)) before the RAM ranges that contain it (kernel/crash_core.c
// crash_prepare_elf64_headers, v6.x), and /proc/kcore's KCORE_TEXT segment lies inside a KCORE_RAM one
// (fs/proc/kcore.c read_kcore_iter, v6.x). Both copies are the same physical bytes; for cores whose
// overlapping segments disagree, "first wins" is at least stable and matches the dumpers' order.
import type { Range } from '../../src/core/index.js';
import { upperBound } from '../../src/core/index.js';
import type { ElfSegment } from './types.js';

/** One disjoint run of physical memory backed by a single segment. */
export interface PhysPiece {
  readonly start: number;
  readonly end: number;
  readonly segment: ElfSegment;
}

/** Min-heap of segments keyed by program-header index (the overlap winner is the smallest index). */
class IndexHeap {
  private readonly items: ElfSegment[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): ElfSegment | undefined {
    return this.items[0];
  }
  push(s: ElfSegment): void {
    const a = this.items;
    a.push(s);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.index <= a[i]!.index) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): void {
    const a = this.items;
    const last = a.pop();
    if (a.length === 0 || last === undefined) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && a[l]!.index < a[m]!.index) m = l;
      if (r < a.length && a[r]!.index < a[m]!.index) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i]!, a[m]!];
      i = m;
    }
  }
}

/**
 * Disjoint pieces of physical memory, sorted by address. Built once in O(n log n) by a sweep over segment
 * starts and ends; `find` is a binary search over the columnar starts.
 */
export class PhysMap {
  readonly pieces: readonly PhysPiece[];
  /** True when some segments overlap (then `pieces` came from the sweep). */
  readonly overlapping: boolean;
  private readonly starts: Float64Array;

  /**
   * `segments` sorted by paddr then index; `extent(s)` is how many bytes from s.paddr the segment covers
   * (p_memsz when the zero-filled tail counts as present, p_filesz otherwise).
   */
  constructor(segments: readonly ElfSegment[], extent: (s: ElfSegment) => number) {
    const live = segments.filter((s) => extent(s) > 0);
    const disjoint = PhysMap.disjoint(live, extent);
    const pieces = disjoint ?? PhysMap.sweep(live, extent);
    this.overlapping = disjoint === null;
    this.pieces = pieces;
    this.starts = Float64Array.from(pieces, (p) => p.start);
  }

  /** The common case (every kdump and qemu core): no two segments overlap, each segment is one piece. */
  private static disjoint(
    live: readonly ElfSegment[],
    extent: (s: ElfSegment) => number,
  ): PhysPiece[] | null {
    const pieces: PhysPiece[] = [];
    let prevEnd = -1;
    for (const s of live) {
      if (s.paddr < prevEnd) return null;
      prevEnd = s.paddr + extent(s);
      pieces.push({ start: s.paddr, end: prevEnd, segment: s });
    }
    return pieces;
  }

  /** Overlaps: sweep the sorted starts and ends with a heap of the segments covering the current point. */
  private static sweep(live: readonly ElfSegment[], extent: (s: ElfSegment) => number): PhysPiece[] {
    const all = new Float64Array(live.length * 2);
    live.forEach((s, i) => {
      all[2 * i] = s.paddr;
      all[2 * i + 1] = s.paddr + extent(s);
    });
    all.sort();
    const heap = new IndexHeap();
    const pieces: PhysPiece[] = [];
    let next = 0;
    for (let k = 0; k + 1 < all.length; k++) {
      const at = all[k]!;
      const end = all[k + 1]!;
      if (end === at) continue;
      while (next < live.length && live[next]!.paddr <= at) heap.push(live[next++]!);
      // Lazy deletion: a heap top that ended at or before `at` no longer covers anything.
      while (heap.size > 0 && heap.peek()!.paddr + extent(heap.peek()!) <= at) heap.pop();
      const winner = heap.peek();
      if (!winner) continue;
      const last = pieces[pieces.length - 1];
      if (last && last.segment === winner && last.end === at) pieces[pieces.length - 1] = { ...last, end };
      else pieces.push({ start: at, end, segment: winner });
    }
    return pieces;
  }

  /** Index of the piece holding `addr`, or -1. */
  find(addr: number): number {
    // the last piece starting at or below addr
    const found = upperBound(this.starts, addr) - 1;
    return found >= 0 && addr < this.pieces[found]!.end ? found : -1;
  }

  /**
   * The first address of [addr, addr + length) that no piece covers, or -1 when all of it is covered.
   * Adjacent pieces (of the same or different segments) join seamlessly.
   */
  firstMissing(addr: number, length: number): number {
    const end = addr + length;
    let k = this.find(addr);
    if (k < 0) return addr;
    let cur = this.pieces[k]!.end;
    while (cur < end) {
      k++;
      const p = this.pieces[k];
      if (!p || p.start !== cur) return cur;
      cur = p.end;
    }
    return -1;
  }

  /** Covered physical ranges, merged across adjacent pieces. */
  ranges(): Range[] {
    const out: Range[] = [];
    for (const p of this.pieces) {
      const last = out[out.length - 1];
      if (last && last.end === p.start) out[out.length - 1] = { start: last.start, end: p.end };
      else out.push({ start: p.start, end: p.end });
    }
    return out;
  }
}
