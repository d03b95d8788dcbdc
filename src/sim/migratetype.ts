// Pageblock migratetypes over a replay (include/linux/mmzone.h enum migratetype; linux v7.3-rc7 mm/mm_init.c
// memmap_init_range, __init_deferred_page, deferred_free_pages, pageblock_migratetype_init_range): an interval map
// over pageblocks, replayed from the struct-page events in their order, each pageblock remembering the kernel
// function that typed it last. sparse_init() allocates the usemap zeroed, so a pageblock nobody types stays
// MIGRATE_UNMOVABLE (0): the DMA pageblock at pfn 0 of an x86 host, whose first pfn is not memory, is one.
import type { Range } from '../core/index.js';
import { GrowableColumns, lowerBound, sortedDisjointCols, upperBound } from '../core/index.js';
import type { MmProfile } from './mm-profiles.js';
import type { BlockInitRows, PageEvent, RangeColumns } from './memmap.js';
import { coverBlockRows, coverSortedDisjoint, rowBlockEnd } from './memmap.js';
import type { ScratchMigratetypeRule } from './profiles.js';
import type { Timeline } from './timeline.js';

/** enum migratetype (include/linux/mmzone.h, v7.x with CONFIG_CMA and CONFIG_MEMORY_ISOLATION). */
export const MIGRATE = {
  MIGRATE_UNMOVABLE: 0,
  MIGRATE_MOVABLE: 1,
  MIGRATE_RECLAIMABLE: 2,
  MIGRATE_HIGHATOMIC: 3,
  MIGRATE_CMA: 4,
  MIGRATE_ISOLATE: 5,
} as const;
export type Migratetype = (typeof MIGRATE)[keyof typeof MIGRATE];

/** The names /proc/pagetypeinfo prints (mm/vmstat.c migratetype_names), by value. */
export const MIGRATETYPE_NAMES = [
  'Unmovable',
  'Movable',
  'Reclaimable',
  'HighAtomic',
  'CMA',
  'Isolate',
] as const;

/** No usemap: the pageblock has no valid pfn (no present section). */
const NONE = -1;

/** One run of pageblocks [start, end) (pageblock indices) with one type, and who set it. */
export interface PageblockRun {
  readonly start: number;
  readonly end: number;
  /** A MIGRATE value, or -1 where there is no struct page. */
  readonly mt: number;
  /** Kernel function that set it last ('sparse_init' for the zeroed usemap). */
  readonly by: string;
}

/**
 * An interval map over pageblock indices: runs kept maximal, changed by sorted batches. Typed columns (run start,
 * type, setter as an index into the setter names): a KHO init over a million blocks types a million pageblock
 * ranges, no object per run.
 */
export class PageblockMap {
  private starts = new Float64Array(16);
  private mts = new Int8Array(16);
  private bys = new Int32Array(16);
  private n = 0;
  /** Setter names by index (0: '', none), and their indices. */
  private readonly names: string[] = [''];
  private readonly nameIds = new Map<string, number>([['', 0]]);

  /** Pageblocks holding a valid pfn start MIGRATE_UNMOVABLE (zeroed usemap); the rest have none. */
  constructor(
    readonly pageblockPages: number,
    readonly total: number,
    present: readonly Range[],
  ) {
    const sparse = this.nameId('sparse_init');
    let cur = 0;
    for (const r of present) {
      const s = Math.max(cur, Math.floor(r.start / pageblockPages));
      const e = Math.min(total, Math.ceil(r.end / pageblockPages));
      if (e <= s) continue;
      if (s > cur) this.push(cur, NONE, 0);
      this.push(s, MIGRATE.MIGRATE_UNMOVABLE, sparse);
      cur = e;
    }
    if (cur < total) this.push(cur, NONE, 0);
  }

  private nameId(by: string): number {
    let id = this.nameIds.get(by);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(by);
      this.nameIds.set(by, id);
    }
    return id;
  }

  private reserve(need: number): void {
    if (need <= this.starts.length) return;
    const cap = Math.max(need, this.starts.length * 2);
    const starts = new Float64Array(cap);
    const mts = new Int8Array(cap);
    const bys = new Int32Array(cap);
    starts.set(this.starts.subarray(0, this.n));
    mts.set(this.mts.subarray(0, this.n));
    bys.set(this.bys.subarray(0, this.n));
    this.starts = starts;
    this.mts = mts;
    this.bys = bys;
  }

  private push(start: number, mt: number, by: number): void {
    const n = this.n;
    if (n && this.mts[n - 1] === mt && this.bys[n - 1] === by) return;
    if (n === this.starts.length) this.reserve(n + 1);
    this.starts[n] = start;
    this.mts[n] = mt;
    this.bys[n] = by;
    this.n = n + 1;
  }

  private end(i: number): number {
    return i + 1 < this.n ? this.starts[i + 1]! : this.total;
  }

  /** The run holding pageblock b. */
  private runAt(b: number): number {
    // the last run starting at or below b (run 0 when none does)
    const i = upperBound(this.starts, b, 0, this.n) - 1;
    return i > 0 ? i : 0;
  }

  /**
   * init_pageblock_migratetype() on pageblocks: batch k sets [s[k], e[k]) to mt[k]. Batches are sorted by start
   * and disjoint; pageblocks without a struct page are left alone. One merge sweep over the runs the batches meet
   * (O(batches + runs met)); the runs before and after are copied as they are.
   */
  assign(
    s: ArrayLike<number>,
    e: ArrayLike<number>,
    mt: ArrayLike<number>,
    by: string,
    count = s.length,
  ): void {
    if (!count) return;
    const byId = this.nameId(by);
    const starts = this.starts;
    const mts = this.mts;
    const bys = this.bys;
    const nOld = this.n;
    const total = this.total;
    const runEnd = (i: number): number => (i + 1 < nOld ? starts[i + 1]! : total);
    // the runs before the first batch are kept as they are; the sweep starts at the run holding it
    const first = this.runAt(Math.max(0, s[0]!));
    const cap = nOld + 2 * count + 1;
    this.starts = new Float64Array(cap);
    this.mts = new Int8Array(cap);
    this.bys = new Int32Array(cap);
    this.starts.set(starts.subarray(0, first));
    this.mts.set(mts.subarray(0, first));
    this.bys.set(bys.subarray(0, first));
    this.n = first;
    let pos = first < nOld ? starts[first]! : total;
    let ri = first;
    let qi = 0;
    while (pos < total) {
      while (runEnd(ri) <= pos) ri++;
      while (qi < count && e[qi]! <= pos) qi++;
      if (qi >= count) {
        // past the last batch: the rest of this run, then the runs after it as they are
        this.push(pos, mts[ri]!, bys[ri]!);
        const k = this.n;
        const rest = nOld - (ri + 1);
        this.starts.set(starts.subarray(ri + 1, nOld), k);
        this.mts.set(mts.subarray(ri + 1, nOld), k);
        this.bys.set(bys.subarray(ri + 1, nOld), k);
        // (no merge at the seam: the last run pushed has run ri's type and setter, which run ri + 1 has not)
        this.n = k + rest;
        break;
      }
      const re = runEnd(ri);
      if (s[qi]! <= pos) {
        const end = Math.min(e[qi]!, re);
        if (mts[ri] === NONE) this.push(pos, NONE, 0);
        else this.push(pos, mt[qi]!, byId);
        pos = end;
      } else {
        const end = Math.min(re, s[qi]!);
        this.push(pos, mts[ri]!, bys[ri]!);
        pos = end;
      }
    }
  }

  /** Number of runs; run i is [runStart(i), runEnd(i)) with type runMt(i), set by runBy(i). */
  get runCount(): number {
    return this.n;
  }
  runStart(i: number): number {
    return this.starts[i]!;
  }
  runEnd(i: number): number {
    return this.end(i);
  }
  runMt(i: number): number {
    return this.mts[i]!;
  }
  runBy(i: number): string {
    return this.names[this.bys[i]!]!;
  }

  runs(): PageblockRun[] {
    const out: PageblockRun[] = [];
    for (let i = 0; i < this.n; i++)
      out.push({ start: this.starts[i]!, end: this.end(i), mt: this.mts[i]!, by: this.runBy(i) });
    return out;
  }

  /** The type of pageblock b (-1 when it has no struct page). */
  at(b: number): number {
    return this.mts[this.runAt(b)]!;
  }
}

/** What the KHO boot adds to the typing rules: none on a cold boot or when kho_populate() refused the image. */
export interface KhoMigratetypeInput {
  readonly rule: ScratchMigratetypeRule;
  /** kho_scratch[] in pfns. */
  readonly scratch: readonly Range[];
  /** Extended scratch (v7.3 kho_extend_scratch): scratch-flagged memblock memory outside kho_scratch[]. */
  readonly extended: readonly Range[];
}

/** The setters of one replay, in kernel order: who typed which pageblocks. */
export interface MigratetypeReplay {
  readonly map: PageblockMap;
  /** Phase of each setter function, for findings. */
  readonly phaseOf: ReadonlyMap<string, string>;
}

/** Sorted, merged pageblock ranges [floor(s/P), ceil(e/P)) of pfn ranges (every pageblock they overlap). */
export function pageblocksOverlapping(rs: readonly Range[], P: number): Range[] {
  const out: { start: number; end: number }[] = [];
  for (const r of [...rs].sort((a, b) => a.start - b.start)) {
    const s = Math.floor(r.start / P);
    const e = Math.ceil(r.end / P);
    const last = out[out.length - 1];
    if (last && s <= last.end) last.end = Math.max(last.end, e);
    else if (e > s) out.push({ start: s, end: e });
  }
  return out;
}

/** Pageblocks whose first pfn lies in one of the pfn ranges: [ceil(s/P), ceil(e/P)). */
function alignedStartsIn(rs: readonly Range[], P: number): Range[] {
  const out: { start: number; end: number }[] = [];
  for (const r of [...rs].sort((a, b) => a.start - b.start)) {
    const s = Math.ceil(r.start / P);
    const e = Math.ceil(r.end / P);
    const last = out[out.length - 1];
    if (last && s <= last.end) last.end = Math.max(last.end, e);
    else if (e > s) out.push({ start: s, end: e });
  }
  return out;
}

/** Batches for assign(): [b0, b1) split by a sorted CMA set into CMA and MOVABLE pieces. */
function splitBy(b0: number, b1: number, cma: readonly Range[], out: Batch): void {
  let cur = b0;
  // cma is short (a few scratch areas, or extended blocks): a linear scan is fine
  for (const c of cma) {
    if (c.end <= cur) continue;
    if (c.start >= b1) break;
    if (c.start > cur) out.add(cur, c.start, MIGRATE.MIGRATE_MOVABLE);
    const e = Math.min(c.end, b1);
    out.add(Math.max(cur, c.start), e, MIGRATE.MIGRATE_CMA);
    cur = e;
  }
  if (cur < b1) out.add(cur, b1, MIGRATE.MIGRATE_MOVABLE);
}

/** assign() batches in growable typed columns (an init over a million blocks adds a million pieces): s, e, mt. */
class Batch extends GrowableColumns<[Float64Array, Float64Array, Int8Array]> {
  constructor() {
    super([new Float64Array(16), new Float64Array(16), new Int8Array(16)]);
  }
  get s(): Float64Array {
    return this.cols[0];
  }
  get e(): Float64Array {
    return this.cols[1];
  }
  get mt(): Int8Array {
    return this.cols[2];
  }
  /** Later pieces win over earlier ones in the same pageblock (the kernel types them in this order). */
  add(s: number, e: number, mt: number): void {
    const [S, E, M] = this.cols;
    // a piece starting at or before the last one's start replaces it (and maybe the ones before)
    while (this.n && s < E[this.n - 1]! && s <= S[this.n - 1]!) this.n--;
    const n = this.n;
    if (n && s < E[n - 1]!) E[n - 1] = s;
    if (e <= s) return;
    if (n && M[n - 1] === mt && E[n - 1] === s) {
      E[n - 1] = e;
      return;
    }
    const k = this.row();
    const c = this.cols;
    c[0][k] = s;
    c[1][k] = e;
    c[2][k] = mt;
  }
}

/** Functions whose init runs init_deferred_page() (or the __init_page_from_nid() it wrapped) per pfn. */
const INIT_DEFERRED_FNS = new Set([
  'init_deferred_page',
  '__init_page_from_nid',
  'memmap_init_kho_scratch_pages',
  'reserve_bootmem_region',
  'memmap_init_reserved_range',
]);

/**
 * Replay the pageblock types of a finished replay, in event order:
 *  - memmap_init_range(): every pageblock-aligned pfn it initialises, kho_scratch_migratetype(pfn, MOVABLE);
 *  - init_deferred_page() (reserved regions in the deferred part, KHO's per-page init, the pre-fix
 *    memmap_init_kho_scratch_pages()): the same at aligned pfns, where the mm profile's init sets a type;
 *  - deferred_free_pages(): aligned pfns it frees (before v7.2) or every pageblock from pageblock_align(start)
 *    (pageblock_migratetype_init_range, v7.2 on), the type taken per free range (memblock rule) or per pageblock;
 *  - kho_release_scratch() (before the v7.2 scratch fix): every pageblock overlapping scratch becomes CMA, in
 *    kho_memory_init() after memmap_init_kho_scratch_pages() and before the memory map is walked.
 * init_unavailable_range(), deferred_init_pages() and the restore-time inits set no type.
 */
export function replayMigratetypes(
  tl: Pick<Timeline, 'arch' | 'mm' | 'layout' | 'events' | 'phases' | 'memmap'>,
  kho: KhoMigratetypeInput | null,
  opts: { readonly only?: readonly Range[] } = {},
): MigratetypeReplay {
  const P = tl.arch.pageblock_nr_pages;
  const total = Math.ceil(tl.memmap.limitPfn / P);
  const map = new PageblockMap(P, total, tl.layout.presentSections);
  const mm: MmProfile = tl.mm;
  const phaseOf = new Map<string, string>([['sparse_init', 'sparse_init']]);
  const rule = kho?.rule ?? null;
  // the pageblocks kho_scratch_migratetype() calls CMA, by how it decides
  const flagged = kho ? [...kho.scratch, ...kho.extended] : [];
  const cmaByOverlap = kho ? pageblocksOverlapping(kho.scratch, P) : [];
  const cmaByAlignedStart = kho ? alignedStartsIn(flagged, P) : [];
  const flaggedSorted = [...flagged].sort((a, b) => a.start - b.start);
  const isFlagged = (pfn: number): boolean => flaggedSorted.some((r) => pfn >= r.start && pfn < r.end);

  /** The per-pageblock rule at aligned pfns: CMA where kho_scratch_migratetype() says so. */
  const perPageblock = (b0: number, b1: number, out: Batch): void => {
    if (rule === 'scratch-array') splitBy(b0, b1, cmaByOverlap, out);
    else if (rule === 'memblock-flag') splitBy(b0, b1, cmaByAlignedStart, out);
    else out.add(b0, b1, MIGRATE.MIGRATE_MOVABLE);
  };

  // the phases in the order they ran, to place kho_release_scratch() among the events
  let seqAtKhoInit = -1;
  {
    let seq = 0;
    for (const p of tl.phases) {
      if (p.name === 'kho_memory_init') seqAtKhoInit = seq;
      seq += p.events;
    }
  }
  let released = false;
  const release = (): void => {
    if (released || !kho || rule !== 'release-at-init' || seqAtKhoInit < 0) return;
    released = true;
    const out = new Batch();
    for (const r of cmaByOverlap) out.add(r.start, r.end, MIGRATE.MIGRATE_CMA);
    map.assign(out.s, out.e, out.mt, 'kho_release_scratch', out.n);
    phaseOf.set('kho_release_scratch', 'kho_memory_init');
  };

  const events: readonly PageEvent[] = tl.events;
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    // kho_release_scratch() runs after memmap_init_kho_scratch_pages() and before anything else KHO does
    if (seqAtKhoInit >= 0 && ev.seq >= seqAtKhoInit && ev.fn !== 'memmap_init_kho_scratch_pages') release();
    const whole = ev.cover;
    if (!whole || !whole.n) continue;
    // only the events that type pageblocks read their cover
    if (
      !(ev.kind === 'init' && (ev.fn === 'memmap_init_range' || INIT_DEFERRED_FNS.has(ev.fn))) &&
      !(ev.kind === 'free' && ev.fn === 'deferred_free_pages')
    )
      continue;
    const out = new Batch();
    // the cover ranges to visit, as pairs [ka, kb): all, or (`only`) those near the pageblocks asked for (of the
    // cover, or of a list of those ranges alone)
    const near = opts.only ? coverSpansNear(whole, opts.only, P) : null;
    const c = near ? near.cover : whole;
    const spans = near ? near.spans : null;
    const all = spans === null ? [0, c.n] : spans;
    // whether the event types a pageblock only where a range holds an aligned pfn (else: any range types one)
    let alignedOnly = true;
    // a range holding no pageblock-aligned pfn types nothing (most preserved blocks: smaller than a pageblock), and
    // skipping it changes no batch: the cover is sorted and disjoint, so the pieces before end at or before it
    if (ev.kind === 'init' && ev.fn === 'memmap_init_range') {
      for (let q = 0; q < all.length; q += 2)
        for (let k = all[q]!; k < all[q + 1]!; k++) {
          const b0 = Math.ceil(c.start[k]! / P);
          const b1 = Math.ceil(c.end[k]! / P);
          if (b1 > b0) perPageblock(b0, b1, out);
        }
    } else if (ev.kind === 'init' && INIT_DEFERRED_FNS.has(ev.fn)) {
      if (!mm.initDeferredPageSetsMigratetype) continue;
      // before the fix __init_page_from_nid() typed MOVABLE whatever the scratch rule
      for (let q = 0; q < all.length; q += 2)
        for (let k = all[q]!; k < all[q + 1]!; k++) {
          const b0 = Math.ceil(c.start[k]! / P);
          const b1 = Math.ceil(c.end[k]! / P);
          if (b1 <= b0) continue;
          if (rule === 'release-at-init' || rule === null) out.add(b0, b1, MIGRATE.MIGRATE_MOVABLE);
          else perPageblock(b0, b1, out);
        }
    } else if (ev.kind === 'free' && ev.fn === 'deferred_free_pages') {
      alignedOnly = mm.deferredFreeMigratetype === 'aligned-pfns';
      for (let q = 0; q < all.length; q += 2)
        for (let k = all[q]!; k < all[q + 1]!; k++) {
          const s = c.start[k]!;
          const e = c.end[k]!;
          if (mm.deferredFreeMigratetype === 'aligned-pfns') {
            const b0 = Math.ceil(s / P);
            const b1 = Math.ceil(e / P);
            if (b1 <= b0) continue;
            if (rule === 'scratch-array' || rule === 'memblock-flag') perPageblock(b0, b1, out);
            else out.add(b0, b1, MIGRATE.MIGRATE_MOVABLE);
          } else if (rule === 'memblock-flag') {
            // one type per free range, decided at its first pfn: for_each_free_mem_range() splits at every memblock
            // region, so at every scratch-flagged boundary
            const cuts = [s, e];
            for (const r of flaggedSorted) {
              if (r.start > s && r.start < e) cuts.push(r.start);
              if (r.end > s && r.end < e) cuts.push(r.end);
            }
            cuts.sort((a, b) => a - b);
            for (let j = 0; j + 1 < cuts.length; j++) {
              const ps = cuts[j]!;
              const pe = cuts[j + 1]!;
              if (pe <= ps) continue;
              const mt = isFlagged(ps) ? MIGRATE.MIGRATE_CMA : MIGRATE.MIGRATE_MOVABLE;
              out.add(Math.floor(ps / P), Math.ceil(pe / P), mt);
            }
          } else if (rule === 'scratch-array') perPageblock(Math.floor(s / P), Math.ceil(e / P), out);
          else out.add(Math.floor(s / P), Math.ceil(e / P), MIGRATE.MIGRATE_MOVABLE);
        }
    } else continue;
    if (out.n) map.assign(out.s, out.e, out.mt, ev.fn, out.n);
    // the phase of the first event of a function that types a pageblock, here or not (spans: the ranges are
    // non-empty, so each types one, or under aligned pfns those holding one)
    if (!phaseOf.has(ev.fn) && (out.n || (spans !== null && (!alignedOnly || holdsAlignedPfn(whole, P)))))
      phaseOf.set(ev.fn, ev.phase);
  }
  release();
  return { map, phaseOf };
}

/**
 * The cover ranges whose pageblocks may meet `only` (sorted, merged pageblock ranges) or the pageblock either side of
 * it, as pairs [ka, kb) ascending of `cover`; null (visit all) unless the cover is sorted, non-empty and disjoint in
 * Float64 columns (its ends ascend: a binary search finds the first range ending past a pfn). A range left out types
 * only pageblocks more than one away from `only`; the pieces of a batch come in address order and a piece changes the
 * pieces before it only from its own first pageblock on, so what lies in `only` is what the whole batch gives. The
 * cover of an init over block rows (coverBlockRows: a million blocks in a few rows) is searched row by row in the
 * block columns, and the ranges found come as a cover of their own (the ranges in the same order), so the million
 * blocks' ranges are never listed.
 */
function coverSpansNear(
  c: RangeColumns,
  only: readonly Range[],
  P: number,
): { cover: RangeColumns; spans: number[] } | null {
  const rows = coverBlockRows(c);
  if (rows) return rowSpansNear(rows, only, P);
  const S = c.start;
  const E = c.end;
  if (!(S instanceof Float64Array && E instanceof Float64Array)) return null;
  if (!coverSortedDisjoint(c) && !sortedDisjointCols(S, E, c.n)) return null;
  const spans: number[] = [];
  let k = 0;
  for (const w of only) {
    const a = upperBound(E, (w.start - 1) * P, k, c.n);
    const b = lowerBound(S, (w.end + 1) * P, a, c.n);
    if (b > a) {
      if (spans.length && spans[spans.length - 1] === a) spans[spans.length - 1] = b;
      else spans.push(a, b);
    }
    k = b > k ? b : k;
  }
  return { cover: c, spans };
}

/**
 * coverSpansNear() of the ranges of block rows (sorted, disjoint, non-empty: a block row's blocks y in [from, to) each
 * [blockStart[y], blockEnd[y]) or, blockEnd null, [blockStart[y], blockStart[y] + 1), a range row its [start, end)):
 * the same ranges, in order, from a cursor (row r, block y) that only moves forward, as the binary searches' lower
 * limit k does there.
 */
function rowSpansNear(
  rows: BlockInitRows,
  only: readonly Range[],
  P: number,
): { cover: RangeColumns; spans: number[] } {
  const { from, to, blockStart: BS, blockEnd: BE, n: R } = rows;
  const os: number[] = [];
  const oe: number[] = [];
  let r = 0;
  let y = R > 0 ? from[0]! : 0;
  for (const w of only) {
    const lo = (w.start - 1) * P;
    const hi = (w.end + 1) * P;
    // the first range ending after lo
    while (r < R) {
      if (from[r]! >= 0) {
        if (rowBlockEnd(rows, to[r]! - 1) > lo) {
          // (heads: blockStart[y] + 1 > lo exactly where blockStart[y] > lo - 1)
          y = BE === null ? upperBound(BS, lo - 1, y, to[r]!) : upperBound(BE, lo, y, to[r]!);
          break;
        }
      } else if (rows.end[r]! > lo) break;
      r++;
      if (r < R) y = from[r]!;
    }
    // then every range starting before hi
    while (r < R) {
      if (from[r]! >= 0) {
        const y1 = lowerBound(BS, hi, y, to[r]!);
        for (; y < y1; y++) {
          os.push(BS[y]!);
          oe.push(rowBlockEnd(rows, y));
        }
        if (y1 < to[r]!) break;
      } else {
        if (rows.start[r]! >= hi) break;
        os.push(rows.start[r]!);
        oe.push(rows.end[r]!);
      }
      r++;
      if (r < R) y = from[r]!;
    }
  }
  const n = os.length;
  return { cover: { start: Float64Array.from(os), end: Float64Array.from(oe), n }, spans: n ? [0, n] : [] };
}

/** Some range of the cover holds a pageblock-aligned pfn (ceil(e/P) > ceil(s/P)): an init or aligned free types it. */
function holdsAlignedPfn(c: RangeColumns, P: number): boolean {
  const rows = coverBlockRows(c);
  if (rows)
    for (let r = 0; r < rows.n; r++) {
      const f = rows.from[r]!;
      if (f < 0) {
        if (Math.ceil(rows.end[r]! / P) > Math.ceil(rows.start[r]! / P)) return true;
        continue;
      }
      for (let y = f; y < rows.to[r]!; y++)
        if (Math.ceil(rowBlockEnd(rows, y) / P) > Math.ceil(rows.blockStart[y]! / P)) return true;
    }
  else for (let k = 0; k < c.n; k++) if (Math.ceil(c.end[k]! / P) > Math.ceil(c.start[k]! / P)) return true;
  return false;
}

/** Pageblocks per type of one populated zone, as /proc/pagetypeinfo counts them ("Number of blocks type"). */
export interface ZonePageblocks {
  readonly nid: number;
  readonly zone: string;
  /** Indexed by MIGRATE value. */
  readonly counts: readonly number[];
}

/**
 * pagetypeinfo_showblockcount_print() (mm/vmstat.c): from zone_start_pfn in steps of pageblock_nr_pages, each pfn
 * whose struct page is valid and belongs to the zone counts its pageblock's type once.
 */
export function pageblockCensus(
  tl: Pick<Timeline, 'arch' | 'nodes' | 'memmap'>,
  map: PageblockMap,
): ZonePageblocks[] {
  const P = tl.arch.pageblock_nr_pages;
  const out: ZonePageblocks[] = [];
  for (const n of tl.nodes) {
    for (const z of n.zones) {
      if (!z.presentPages) continue;
      const counts = MIGRATETYPE_NAMES.map(() => 0);
      for (let pfn = z.startPfn; pfn < z.endPfn; pfn += P) {
        // runs of one struct-page state: skip whole stretches outside the zone
        const st = tl.memmap.stateAt(pfn);
        if (!st.memmap || st.initCount === 0 || st.nid !== n.nid || st.zid !== z.zid) continue;
        const mt = map.at(Math.floor(pfn / P));
        if (mt >= 0) counts[mt]!++;
      }
      out.push({ nid: n.nid, zone: z.name, counts });
    }
  }
  return out;
}
