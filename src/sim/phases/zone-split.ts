// splitByZone() of src/sim/context.ts (the zone_spans_pfn loop of mm/mm_init.c __init_page_from_nid and
// init_reserved_page, v6.1) and splitByNode() of src/sim/mem-regions.ts (early_pfn_to_nid per pfn) for ranges by
// the million: a range inside one zone span or one memory region costs a binary search and a callback instead of
// a Set, a sort and arrays per call.
import { firstEndingAfter, upperBound } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { splitByZone } from '../context.js';
import type { Layout } from '../layout.js';
import type { PfnRegion } from '../mem-regions.js';
import { splitByNode } from '../mem-regions.js';

interface NodeZones {
  /** Spanned zones in index order (the first one spanning a pfn wins). */
  readonly zones: readonly { readonly zid: number; readonly startPfn: number; readonly endPfn: number }[];
  /** Every spanned zone's start and end, sorted. */
  readonly cuts: Float64Array;
}

const cache = new WeakMap<Layout, Map<number, NodeZones | null>>();

function nodeZones(layout: Layout, nid: number): NodeZones | null {
  let byNid = cache.get(layout);
  if (!byNid) {
    byNid = new Map();
    cache.set(layout, byNid);
  }
  let nz = byNid.get(nid);
  if (nz === undefined) {
    const node = layout.nodes.find((n) => n.nid === nid);
    if (!node) nz = null;
    else {
      const zones = node.zones.filter((z) => z.spannedPages);
      const cuts = Float64Array.from(zones.flatMap((z) => [z.startPfn, z.endPfn])).sort();
      nz = { zones, cuts };
    }
    byNid.set(nid, nz);
  }
  return nz;
}

/**
 * splitByZone(ctx, nid, start, end) as a callback per piece: (start, end, zid or null when no zone of the node
 * spans the piece). Same pieces, same order.
 */
export function forEachZonePiece(
  layout: Layout,
  nid: number,
  start: number,
  end: number,
  cb: (s: number, e: number, zid: number | null) => void,
): void {
  if (start < end) {
    const nz = nodeZones(layout, nid);
    if (!nz) return cb(start, end, null);
    // the first cut above start: when it is at or past end, no zone starts or ends inside the range
    const c = nz.cuts;
    const lo = upperBound(c, start);
    if (lo === c.length || c[lo]! >= end) {
      for (const z of nz.zones) if (start >= z.startPfn && start < z.endPfn) return cb(start, end, z.zid);
      return cb(start, end, null);
    }
  }
  for (const p of splitByZone({ layout } as SimContext, nid, start, end)) cb(p.start, p.end, p.zid);
}

/**
 * The stretch [lo, hi) around pfn between two neighbouring zone starts or ends of node nid (unbounded past the
 * first or last), with the zone forEachZonePiece() gives any range inside it as one piece (null: no zone of the node
 * spans it, or no such node): a caller splitting a million blocks that mostly fall in one zone asks once per stretch.
 */
export function zoneStretch(
  layout: Layout,
  nid: number,
  pfn: number,
): { lo: number; hi: number; zid: number | null } {
  const nz = nodeZones(layout, nid);
  if (!nz) return { lo: -Infinity, hi: Infinity, zid: null };
  const c = nz.cuts;
  const lo = upperBound(c, pfn);
  let zid: number | null = null;
  for (const z of nz.zones) {
    if (pfn >= z.startPfn && pfn < z.endPfn) {
      zid = z.zid;
      break;
    }
  }
  return { lo: lo > 0 ? c[lo - 1]! : -Infinity, hi: lo < c.length ? c[lo]! : Infinity, zid };
}

/** splitByNode(pfnRanges, start, end, fallbackNid) as a callback per piece: same pieces, same order. */
export function forEachNodePiece(
  pfnRanges: readonly PfnRegion[],
  start: number,
  end: number,
  fallbackNid: number,
  cb: (s: number, e: number, nid: number) => void,
): void {
  // sorted and disjoint: the first one ending after start, by binary search
  const lo = firstEndingAfter(pfnRanges, start);
  const r = pfnRanges[lo];
  if (start < end && r && r.start <= start && r.end >= end) return cb(start, end, r.nid);
  for (const p of splitByNode(pfnRanges, start, end, fallbackNid)) cb(p.start, p.end, p.nid);
}
