// What a replay returns: the layout it computed, what each phase did to the struct pages, and the facts the
// kernel would have printed (unavailable ranges, deferred boundary), for reports, checks and costs.
import type { Diagnostic, Range, Severity } from '../core/index.js';
import type { ArchProfile } from './arch.js';
import type { DeferredWork, PhaseSummary, SimContext, UnavailableRecord } from './context.js';
import type { Layout, ZoneLayout } from './layout.js';
import type { MemMap, PageEvent } from './memmap.js';
import type { KernelEra } from './kernel-eras.js';
import type { MmProfile } from './mm-profiles.js';
import type { UnavailableTotal } from './phases/hole-accounting.js';

export interface TimelineZone extends ZoneLayout {
  /** Sum of the `On node N, zone Z: K pages in unavailable ranges` counts for this zone (computed). */
  readonly unavailablePages: number;
  /** Pages freed to the buddy at boot (memblock_free_all + deferred init). */
  readonly managedPages: number;
  /** set_zone_contiguous() verdict, null for an unpopulated zone. */
  readonly contiguous: boolean | null;
}

export interface TimelineNode {
  readonly nid: number;
  readonly startPfn: number;
  readonly endPfn: number;
  readonly spannedPages: number;
  readonly presentPages: number;
  /** first_deferred_pfn decided by memmap_init, null = ULONG_MAX (nothing deferred). */
  readonly firstDeferredPfn: number | null;
  /** All zones, empty ones included (renderers leave those out). */
  readonly zones: readonly TimelineZone[];
  /** Struct pages initialised by this node's pgdatinit thread. */
  readonly deferredPages: number;
}

/** A problem the replay saw in the struct-page state (plain boots normally have none). */
export interface SimFinding {
  readonly code: string;
  readonly severity: Severity;
  readonly phase: string;
  readonly fn: string;
  readonly pages: number;
  readonly ranges: readonly [number, number][];
  readonly message: string;
}

export interface Timeline {
  readonly arch: ArchProfile;
  readonly mm: MmProfile;
  /** The hole-accounting era the replay followed (chosen from the kernel release, kernel-eras.ts). */
  readonly era: KernelEra;
  /**
   * Before v5.12 (and 5.10.24 / 5.11.7) the kernel printed one node-less total instead of the per-zone lines
   * (`unavailable` and each zone's unavailablePages are then empty): that total, null in the other eras.
   */
  readonly unavailableTotal: UnavailableTotal | null;
  readonly deferred: boolean;
  /** Why deferral is on or off: `--deferred`, kernel config, early_page_ext, assumed. */
  readonly deferredReason: string;
  readonly layout: Layout;
  readonly nodes: readonly TimelineNode[];
  readonly phases: readonly PhaseSummary[];
  readonly events: readonly PageEvent[];
  readonly unavailable: readonly UnavailableRecord[];
  readonly deferredWork: readonly DeferredWork[];
  readonly totalramPages: number;
  readonly memblockDiscarded: boolean;
  readonly findings: readonly SimFinding[];
  readonly diagnostics: readonly Diagnostic[];
  /** The final struct-page state, for strategies and checks. */
  readonly memmap: MemMap;
}

function toPairs(rs: readonly { start: number; end: number }[]): [number, number][] {
  // sized once and filled by index: a million ranges are a million pairs, and nothing more
  const out = new Array<[number, number]>(rs.length);
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    out[i] = [r.start, r.end];
  }
  return out;
}

type Gathered = {
  phase: string;
  pages: number;
  ranges: readonly { start: number; end: number }[];
  own: boolean;
};

/** Findings of a plain replay: uninitialised reads and writes, double init, memory never initialised. */
export function collectFindings(ctx: SimContext): SimFinding[] {
  const out: SimFinding[] = [];
  const byFn = new Map<string, Gathered>();
  const add = (
    code: string,
    e: PageEvent,
    pages: number,
    ranges: readonly { start: number; end: number }[],
  ): void => {
    if (!pages) return;
    const k = `${code}\u0000${e.phase}\u0000${e.fn}`;
    const cur = byFn.get(k);
    // the first event of a key lends its list (read only); a second one copies it before appending
    if (!cur) {
      byFn.set(k, { phase: e.phase, pages, ranges, own: false });
      return;
    }
    cur.pages += pages;
    if (!cur.own) {
      cur.ranges = cur.ranges.slice();
      cur.own = true;
    }
    const into = cur.ranges as { start: number; end: number }[];
    // a loop, not push(...ranges): an event of a million preserved heads has a million ranges (call stack limit)
    for (const r of ranges) into.push(r);
  };
  for (const e of ctx.memmap.events) {
    if (e.kind === 'init') {
      add('STRUCT_PAGE_DOUBLE_INIT', e, e.doubleInitPages, e.doubleInitRanges);
      add('KHO_ORDER_LOST', e, e.khoLostPages, e.khoLostRanges);
    } else if (e.kind === 'read') add('STRUCT_PAGE_UNINIT_READ', e, e.uninitPages, e.uninitRanges);
    else add('STRUCT_PAGE_UNINIT_WRITE', e, e.uninitPages, e.uninitRanges);
  }
  // a hole page (no memblock memory) initialised twice is a known, harmless kernel pattern:
  // init_unavailable_range, then reserve_bootmem_region on a reserved region over it in the deferred part
  const inMemory = (ranges: readonly { start: number; end: number }[]): boolean =>
    ranges.some((r) => ctx.layout.memRanges.some((m) => r.start < m.end && m.start < r.end));
  for (const [k, v] of byFn) {
    const [code, phase, fn] = k.split('\u0000') as [string, string, string];
    out.push({
      code,
      severity: code === 'STRUCT_PAGE_DOUBLE_INIT' ? (inMemory(v.ranges) ? 'warning' : 'info') : 'error',
      phase,
      fn,
      pages: v.pages,
      ranges: toPairs(v.ranges),
      message: `${v.pages} struct pages (${fn} in ${phase})`,
    });
  }
  // memblock memory whose struct pages nobody initialised by the end of boot
  // one list per memory range, joined by a loop (the first one taken as it is when it is the only one)
  let never: Range[] = [];
  let pages = 0;
  for (const r of ctx.layout.memRanges) {
    const part = ctx.memmap.rangesWhere((st) => st.memmap && st.initCount === 0, r.start, r.end);
    for (let i = 0; i < part.length; i++) pages += part[i]!.end - part[i]!.start;
    if (!never.length)
      never = part; // rangesWhere() returns a fresh list
    else for (let i = 0; i < part.length; i++) never.push(part[i]!);
  }
  if (pages) {
    out.push({
      code: 'STRUCT_PAGE_NEVER_INIT',
      severity: 'error',
      phase: 'page_alloc_init_late',
      fn: 'deferred_init_memmap',
      pages,
      ranges: toPairs(never),
      message: `${pages} struct pages of memory were never initialised`,
    });
  }
  return out;
}
