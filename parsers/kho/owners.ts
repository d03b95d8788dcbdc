// Who owns each preserved block: the decoders that find a structure (a subtree blob, a vmalloc area, a LUO block
// chain, a memfd's folios) claim the physical ranges it lives in, and every preserved block overlapping a claim
// gets the claim's owner. Owners are two typed columns parallel to KhoImage.preserved (a kind and a reference into
// that kind's table), never an object per block: an image can hold millions of blocks.
import type { DiagnosticSink } from '../../src/core/index.js';
import { hex, lowerBound } from '../../src/core/index.js';
import type { KhoImage, KhoOwnerColumns, KhoPreservedBlocks } from './types.js';

/** Owner kinds, stored in KhoOwnerColumns.kind. `ref` says which entry of the kind's table. */
export const KHO_OWNER = {
  UNATTRIBUTED: 0,
  /** The root KHO FDT page (kho_init preserves it; found by content: the bytes of kho/fdt). */
  ROOT_FDT: 1,
  /** A radix tree table or leaf page (the kernel does not preserve them; an image that does is odd). */
  RADIX_TABLE: 2,
  /** A subtree blob at its preserved-data/fdt pointer; ref = index in KhoImage.subtrees. */
  SUBTREE: 3,
  /** A reserve_mem region handed over by the memblock subtree; ref = index in KhoImage.reserveMem. */
  RESERVE_MEM: 4,
  /** A lib/test_kho.c folio listed in folios_info. */
  KHO_TEST_FOLIO: 5,
  /** A struct kho_vmalloc_chunk page; ref = index in KhoImage.vmalloc. */
  VMALLOC_CHUNK: 6,
  /** A page (or block) of a vmalloc area's contents; ref = index in KhoImage.vmalloc. */
  VMALLOC_DATA: 7,
  /** A KHO block of the LUO session chain (luo-v4 on), or the luo-v3 session array. */
  LUO_SESSION_BLOCK: 8,
  /** A KHO block of a session's file chain (luo-v5), or its file array (v3/v4); ref = session index. */
  LUO_FILE_BLOCK: 9,
  /** The FLB header page (struct luo_flb_header_ser and its luo_flb_ser array). */
  LUO_FLB: 10,
  /** A struct memfd_luo_ser page; ref = index in KhoLuo.files. */
  MEMFD_SER: 11,
  /** A memfd data folio; ref = index in KhoLuo.files. */
  MEMFD_FOLIO: 12,
} as const;
export type KhoOwnerKind = (typeof KHO_OWNER)[keyof typeof KHO_OWNER];

const KIND_NAME: Record<number, string> = {
  [KHO_OWNER.UNATTRIBUTED]: 'unattributed',
  [KHO_OWNER.ROOT_FDT]: 'kho:root-fdt',
  [KHO_OWNER.RADIX_TABLE]: 'kho:radix-table',
  [KHO_OWNER.SUBTREE]: 'subtree',
  [KHO_OWNER.RESERVE_MEM]: 'reserve_mem',
  [KHO_OWNER.KHO_TEST_FOLIO]: 'test_kho:data-folio',
  [KHO_OWNER.VMALLOC_CHUNK]: 'vmalloc-chunk',
  [KHO_OWNER.VMALLOC_DATA]: 'vmalloc-data',
  [KHO_OWNER.LUO_SESSION_BLOCK]: 'luo:session-block',
  [KHO_OWNER.LUO_FILE_BLOCK]: 'luo:file-block',
  [KHO_OWNER.LUO_FLB]: 'luo:flb-header',
  [KHO_OWNER.MEMFD_SER]: 'memfd:ser',
  [KHO_OWNER.MEMFD_FOLIO]: 'memfd:folio',
};

/**
 * Marks blocks as claimed. Claims arrive in any order; each finds its first block by a search over the sorted phys
 * column that starts from where the last claim ended (claims mostly come in ascending order: a memfd's folios, a
 * vmalloc area's pages), so a claim costs O(1) after the last one, O(log n) anywhere else, plus the blocks it covers.
 */
export class OwnerAttributor {
  readonly kind: Uint8Array;
  /**
   * Each block's ref plus one (0: none, the ref -1), so the column is never filled: its pages are mapped only where
   * a claim writes (33M blocks, 6 claimed: 134 MB of -1 a replay never read). finish() gives it as the ref column.
   */
  private readonly refPlus1: Int32Array;
  /** Block size by order: no pow() and no size column per block. */
  private readonly sizeOf = new Float64Array(256); // orders are a u8 column
  /** Where the last claim's search ended (a block index). */
  private cursor = 0;
  /** Claims that found no preserved block, by kind: what the kernel's restore would not find. */
  readonly missing = new Map<number, { count: number; example: string }>();
  /** Blocks given an owner so far (finish() counts the rest without a pass over the kind column). */
  private claimed = 0;
  /** Blocks claimed twice by different owners (the first claim stays). */
  conflicts = 0;
  conflictExample = '';

  constructor(
    private readonly blocks: KhoPreservedBlocks,
    pageSize: number,
  ) {
    this.kind = new Uint8Array(blocks.count);
    this.refPlus1 = new Int32Array(blocks.count);
    for (let o = 0; o < 256; o++) this.sizeOf[o] = pageSize * 2 ** o;
  }

  /** First block index whose phys is >= p: galloping forward from the cursor, else a binary search below it. */
  private lowerBound(p: number): number {
    const phys = this.blocks.phys;
    const n = this.blocks.count;
    const c = this.cursor;
    let lo = 0;
    let hi = n;
    if (c > 0 && c <= n && phys[c - 1]! >= p) hi = c - 1;
    else if (c <= n) {
      // phys[lo - 1] < p throughout; the answer is in [lo, min(bound, n)]
      lo = c;
      let bound = c;
      let step = 1;
      while (bound < n && phys[bound]! < p) {
        lo = bound + 1;
        bound = lo + step;
        step *= 2;
      }
      hi = bound < n ? bound : n;
    }
    lo = lowerBound(phys, p, lo, hi);
    this.cursor = lo;
    return lo;
  }

  /**
   * Give every block overlapping [start, end) to (kind, ref). Returns the bytes of the blocks it covered. `what`
   * (and ` pfn 0x...` of `whatPfn`) names the claim in a message, built only when one is written: a memfd with
   * millions of folios claims each, and a hex string per folio was most of the decode's time.
   */
  claim(start: number, end: number, kind: KhoOwnerKind, ref = -1, what = '', whatPfn?: number): number {
    const { phys, order, count } = this.blocks;
    const sizeOf = this.sizeOf;
    let i = this.lowerBound(start);
    // The block before may begin below `start` and reach into the claim (a blob inside a larger block).
    if (i > 0 && phys[i - 1]! + sizeOf[order[i - 1]!]! > start) i--;
    let n = 0;
    let bytes = 0;
    for (; i < count && phys[i]! < end; i++) {
      const size = sizeOf[order[i]!]!;
      if (phys[i]! + size <= start) continue;
      n++;
      bytes += size;
      const k = this.kind[i]!;
      if (k === KHO_OWNER.UNATTRIBUTED) {
        this.kind[i] = kind;
        this.refPlus1[i] = ref + 1;
        if (kind !== KHO_OWNER.UNATTRIBUTED) this.claimed++;
      } else if (k !== kind || this.refPlus1[i] !== ref + 1) {
        this.conflicts++;
        if (!this.conflictExample)
          this.conflictExample = `block ${hex(phys[i]!)} claimed by ${KIND_NAME[k]} and by ${KIND_NAME[kind]}${what ? ` (${named(what, whatPfn)})` : ''}`;
      }
    }
    // the next claim most likely starts at or after the first block this one did not reach
    this.cursor = i;
    if (n === 0) {
      const m = this.missing.get(kind);
      if (m) m.count++;
      else
        this.missing.set(kind, {
          count: 1,
          example: what ? named(what, whatPfn) : `${hex(start)}-${hex(end)}`,
        });
    }
    return bytes;
  }

  /**
   * claim() of one page at each of `pfns[0..n)` in turn, to (kind, ref): a memfd's folios. Returns the bytes the
   * claims covered, as the sum of claim()'s answers. A page that is exactly one unclaimed block (the usual case) is
   * given to the owner here; any other goes through claim() itself, so conflicts, missing pages and their messages
   * are claim()'s.
   */
  claimPages(
    pfns: Float64Array,
    n: number,
    pageSize: number,
    kind: KhoOwnerKind,
    ref: number,
    what: string,
  ): number {
    const { phys, order, count } = this.blocks;
    const sizeOf = this.sizeOf;
    const kinds = this.kind;
    const refs = this.refPlus1;
    const stored = ref + 1;
    // in a local: the single-file CLI (esbuild) turns top-level consts into vars, loaded again at each use
    const none = KHO_OWNER.UNATTRIBUTED;
    const counted = kind !== none ? 1 : 0;
    let bytes = 0;
    // the block after the last page claimed: the next page's block when the pages ascend through neighbouring blocks
    let i = this.cursor;
    let k = 0;
    while (k < n) {
      let start = pfns[k]! * pageSize;
      let end = start + pageSize;
      // lowerBound(start) is i itself when block i starts at the page and the one before starts below it
      if (!(i < count && phys[i] === start && (i === 0 || phys[i - 1]! < start))) {
        this.cursor = i;
        i = this.lowerBound(start);
      }
      if (
        i < count &&
        phys[i] === start &&
        kinds[i] === none &&
        (i === 0 || phys[i - 1]! + sizeOf[order[i - 1]!]! <= start) &&
        (i + 1 >= count || phys[i + 1]! >= end)
      ) {
        // This page and the ones after it while each is exactly the next block, unclaimed (8M memfd folios: all of
        // them, 384 stretches): the block before the next page is the one just claimed, so its end is known
        // (prevEnd <= start: it ends before the page, and starts below it, so lowerBound(start) is i), and the
        // checks left are the next block's.
        const from = i;
        let prevEnd = 0;
        for (;;) {
          kinds[i] = kind;
          refs[i] = stored;
          const size = sizeOf[order[i]!]!;
          bytes += size;
          prevEnd = start + size;
          i++;
          if (++k >= n) break;
          start = pfns[k]! * pageSize;
          end = start + pageSize;
          if (!(
            prevEnd <= start &&
            i < count &&
            phys[i] === start &&
            kinds[i] === none &&
            (i >= count - 1 || phys[i + 1]! >= end)
          ))
            break;
        }
        // per stretch, not per page; inside the outer loop, which has no statement after it but the return (V8
        // compiles a loop while it runs, before the code after it has run, and such code deoptimised the function
        // on every call: f545eba)
        this.claimed += counted * (i - from);
        this.cursor = i;
      } else {
        this.cursor = i;
        bytes += this.claim(start, end, kind, ref, what, pfns[k]!);
        i = this.cursor;
        k++;
      }
    }
    return bytes;
  }

  /**
   * The first unclaimed block, in phys order, whose start lies in [start, end) and for which `match(index)` holds;
   * -1 when none does. Searched from the block at `start`, not from the first block.
   */
  findUnclaimed(start: number, end: number, match: (i: number) => boolean): number {
    const { phys, count } = this.blocks;
    for (let i = this.lowerBound(start); i < count && phys[i]! < end; i++)
      if (this.kind[i] === KHO_OWNER.UNATTRIBUTED && match(i)) return i;
    return -1;
  }

  /**
   * The columns, after reporting conflicts and claims that found no block. `ref` is made on first read (a report's:
   * the replay reads no owner), from the stored ref + 1 in place, once; the attributor is done with it then.
   */
  finish(diags: DiagnosticSink, file: string): KhoOwnerColumns {
    if (this.conflicts > 0) {
      diags.warn(
        'KHO_OWNER_CONFLICT',
        `${this.conflicts} preserved block(s) are claimed by two owners (first: ${this.conflictExample}); the first owner is kept`,
        { file },
      );
    }
    for (const [kind, m] of this.missing) {
      diags.warn(
        'KHO_OWNER_NOT_PRESERVED',
        `${m.count} ${KIND_NAME[kind]} range(s) are not preserved blocks (first: ${m.example}); the incoming kernel's restore of them would fail`,
        { file },
      );
    }
    const stored = this.refPlus1;
    let ref: Int32Array | null = null;
    return {
      kind: this.kind,
      get ref(): Int32Array {
        if (ref === null) {
          for (let i = 0; i < stored.length; i++) stored[i] = stored[i]! - 1;
          ref = stored;
        }
        return ref;
      },
      unattributed: this.blocks.count - this.claimed,
    };
  }
}

function named(what: string, pfn: number | undefined): string {
  return pfn === undefined ? what : `${what} pfn ${hex(pfn)}`;
}

/** Columns for an image whose owners were not worked out (no dump): every block unattributed. */
export function noOwners(count: number): KhoOwnerColumns {
  return { kind: new Uint8Array(count), ref: new Int32Array(count).fill(-1), unattributed: count };
}

/**
 * The owner's name, coarse enough to group by: `subtree:LUO`, `reserve_mem:trace`, `memfd:folio`,
 * `memfd:folios-chunk`, `test_kho:folios_info-data`, `luo:file-block`, `unattributed`.
 */
export function ownerName(
  img: Pick<KhoImage, 'subtrees' | 'reserveMem' | 'vmalloc'>,
  kind: number,
  ref: number,
): string {
  switch (kind) {
    case KHO_OWNER.SUBTREE:
      return `subtree:${img.subtrees[ref]?.name ?? '?'}`;
    case KHO_OWNER.RESERVE_MEM:
      return `reserve_mem:${img.reserveMem[ref]?.name ?? '?'}`;
    case KHO_OWNER.VMALLOC_CHUNK:
      return `${img.vmalloc[ref]?.group ?? 'vmalloc'}-chunk`;
    case KHO_OWNER.VMALLOC_DATA:
      return `${img.vmalloc[ref]?.group ?? 'vmalloc'}-data`;
    default:
      return KIND_NAME[kind] ?? 'unattributed';
  }
}

/** One row of the per-owner summary. */
export interface KhoOwnerSummaryRow {
  readonly owner: string;
  readonly blocks: number;
  readonly pages: number;
  readonly bytes: number;
  /** Blocks per order, orders ascending. */
  readonly orders: { readonly order: number; readonly blocks: number }[];
}

/** Blocks, pages, bytes and orders per owner name, largest byte count first (ties by name). */
export function ownerSummary(img: KhoImage): KhoOwnerSummaryRow[] {
  const { kind, ref } = img.owners;
  const order = img.preserved.order;
  // Group by (kind, ref) numerically first: one Map entry per owner, not per block, looked up only where the owner
  // changes from one block to the next; blocks per order counted in a typed array.
  const groups = new Map<number, { kind: number; ref: number; perOrder: Float64Array }>();
  let lastKind = -1;
  let lastRef = -2;
  let perOrder: Float64Array = new Float64Array(0);
  for (let i = 0; i < img.preserved.count; i++) {
    const k = kind[i]!;
    const r = ref[i]!;
    if (k !== lastKind || r !== lastRef) {
      const key = k * 2 ** 32 + (r + 1);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { kind: k, ref: r, perOrder: new Float64Array(256) }));
      perOrder = g.perOrder;
      lastKind = k;
      lastRef = r;
    }
    perOrder[order[i]!]!++;
  }
  return ownerSummaryOf(img, groups.values());
}

/** Blocks per order of an owner (kind, ref), counted by whoever walked the blocks. */
export interface KhoOwnerCounts {
  readonly kind: number;
  readonly ref: number;
  /** Blocks per order, indexed by order (256 slots: orders are a u8 column). */
  readonly perOrder: Float64Array;
}

/** The per-owner summary (ownerSummary) from counts already made per (kind, ref), each pair at most once. */
export function ownerSummaryOf(
  img: Pick<KhoImage, 'subtrees' | 'reserveMem' | 'vmalloc' | 'pageSize'>,
  groups: Iterable<KhoOwnerCounts>,
): KhoOwnerSummaryRow[] {
  const byName = new Map<string, Float64Array>();
  for (const gr of groups) {
    const name = ownerName(img, gr.kind, gr.ref);
    let m = byName.get(name);
    if (!m) byName.set(name, (m = new Float64Array(256)));
    for (let o = 0; o < 256; o++) m[o]! += gr.perOrder[o]!;
  }
  const rows: KhoOwnerSummaryRow[] = [];
  for (const [owner, m] of byName) {
    const orders: { order: number; blocks: number }[] = [];
    for (let o = 0; o < 256; o++) if (m[o]! > 0) orders.push({ order: o, blocks: m[o]! });
    const blocks = orders.reduce((s, o) => s + o.blocks, 0);
    const pages = orders.reduce((s, o) => s + o.blocks * 2 ** o.order, 0);
    rows.push({ owner, blocks, pages, bytes: pages * img.pageSize, orders });
  }
  return rows.sort((a, b) => b.bytes - a.bytes || (a.owner < b.owner ? -1 : 1));
}
