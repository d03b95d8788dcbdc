// mm/page_alloc.c free_area_init + calculate_node_totalpages + find_zone_movable_pfns_for_nodes, v6.1
// (the same rules in mm/mm_init.c of newer kernels, boot-pipeline.md §2.2, §2.4); arch zone limits from
// arch/x86/mm/init.c zone_sizes_init and arch/arm64/mm/init.c zone_sizes_init/max_zone_phys, v6.1.
import type { Diagnostic, Range } from '../core/index.js';
import { MEMBLOCK_FLAGS, normalizeRanges, roundDown, roundUp } from '../core/index.js';
import type { HostTrace, MemRegion } from '../trace/host-trace.js';
import type { ArchProfile, SimZoneName } from './arch.js';
import {
  MAX_NR_ZONES,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_MOVABLE,
  ZONE_NAMES,
  ZONE_NORMAL,
  pfnDown,
} from './arch.js';
import type { PfnRegion } from './mem-regions.js';
import type { Memblock } from './memblock.js';

export interface ZoneLayout {
  readonly nid: number;
  readonly zid: number;
  readonly name: SimZoneName;
  /** zone_start_pfn: 0 when nothing is spanned (as the kernel stores it). */
  readonly startPfn: number;
  readonly endPfn: number;
  readonly spannedPages: number;
  readonly presentPages: number;
  readonly absentPages: number;
}

export interface NodeLayout {
  readonly nid: number;
  readonly startPfn: number;
  readonly endPfn: number;
  readonly spannedPages: number;
  readonly presentPages: number;
  /** Every zone index 0..MAX_NR_ZONES-1, empty ones included. */
  readonly zones: readonly ZoneLayout[];
  /** This node's for_each_mem_pfn_range(nid) ranges. */
  readonly memRanges: readonly PfnRegion[];
}

export interface ZoneLimit {
  readonly zid: number;
  readonly name: SimZoneName;
  /** arch_zone_lowest_possible_pfn / arch_zone_highest_possible_pfn. */
  readonly lowPfn: number;
  readonly highPfn: number;
}

export type LayoutSource = 'dmesg' | 'arch-rule' | 'cmdline' | 'none';

export interface Layout {
  readonly arch: ArchProfile;
  /** for_each_mem_pfn_range over all nodes, address order. */
  readonly memRanges: readonly PfnRegion[];
  readonly zoneLimits: readonly ZoneLimit[];
  readonly zoneLimitsFrom: LayoutSource;
  /** The zone ZONE_MOVABLE takes its pages from (find_usable_zone_for_movable). */
  readonly movableZone: number;
  /** zone_movable_pfn[nid], 0 = no Movable zone on that node. */
  readonly zoneMovablePfn: ReadonlyMap<number, number>;
  readonly zoneMovableFrom: LayoutSource;
  readonly mirroredKernelcore: boolean;
  readonly nodes: readonly NodeLayout[];
  /** Pfn ranges of present SPARSEMEM sections (memory_present over memblock memory): where memmap exists. */
  readonly presentSections: readonly Range[];
  readonly maxPfn: number;
  readonly firstOnlineNode: number;
}

export interface LayoutInput {
  readonly host: HostTrace;
  readonly arch: ArchProfile;
  readonly memblock: Memblock;
  /** Ignore the printed `Zone ranges:` / `Movable zone start` lines and compute from the arch rules and cmdline. */
  readonly ignorePrinted?: boolean;
  /** arm64 zone_dma_bits when the trace does not print the zone ranges (DT dma-ranges / IORT): default 32. */
  readonly zoneDmaBits?: number;
}

function zoneLimitsFromPrinted(host: HostTrace, a: ArchProfile): ZoneLimit[] | null {
  if (!host.zoneRanges.some((z) => (ZONE_NAMES as readonly string[]).includes(z.zone))) return null;
  const out: ZoneLimit[] = [];
  let prevEnd: number | null = null;
  for (let zid = 0; zid < ZONE_MOVABLE; zid++) {
    const name = ZONE_NAMES[zid]!;
    const p = host.zoneRanges.find((z) => z.zone === name);
    // a zone the kernel was built without (no `DMA32` line with CONFIG_ZONE_DMA32=n) holds nothing
    if (!p || p.start === null || p.end === null) {
      // `empty`: lowest == highest == where the previous zone ended
      const at = prevEnd ?? 0;
      out.push({ zid, name, lowPfn: at, highPfn: at });
    } else {
      out.push({ zid, name, lowPfn: pfnDown(p.start, a), highPfn: pfnDown(p.end, a) });
      prevEnd = pfnDown(p.end, a);
    }
  }
  // an `empty` zone has lowest == highest, so its position never changes a span (always 0 pages)
  out.push({ zid: ZONE_MOVABLE, name: 'Movable', lowPfn: 0, highPfn: 0 });
  return out;
}

/** free_area_init(max_zone_pfn) step 1 over the arch's max_zone_pfns (zone_sizes_init), v6.1. */
function zoneLimitsFromArch(
  a: ArchProfile,
  memRanges: readonly PfnRegion[],
  zoneDmaBits: number,
): ZoneLimit[] {
  const startOfDram = memRanges.length ? memRanges[0]!.start : 0;
  const maxPfn = memRanges.reduce((m, r) => Math.max(m, r.end), 0);
  const maxZone: number[] = [0, 0, 0];
  if (a.arch === 'x86_64') {
    // arch/x86/mm/init.c zone_sizes_init: max_low_pfn == max_pfn on 64-bit after setup_arch
    maxZone[ZONE_DMA] = Math.min(a.MAX_DMA_PFN!, maxPfn);
    maxZone[ZONE_DMA32] = Math.min(a.MAX_DMA32_PFN!, maxPfn);
    maxZone[ZONE_NORMAL] = maxPfn;
  } else {
    // arch/arm64/mm/init.c max_zone_phys(zone_bits), in pfns
    const pageSize = 2 ** a.PAGE_SHIFT;
    const startAddr = startOfDram * pageSize;
    const endAddr = maxPfn * pageSize;
    const maxZonePhys = (bits: number): number => {
      let mask = 2 ** bits - 1;
      if (startAddr > 2 ** 32 - 1) mask = Number.MAX_SAFE_INTEGER;
      else if (startAddr > mask) mask = 2 ** 32 - 1;
      return Math.min(mask, endAddr - 1) + 1;
    };
    maxZone[ZONE_DMA] = pfnDown(maxZonePhys(zoneDmaBits), a);
    maxZone[ZONE_DMA32] = pfnDown(maxZonePhys(32), a);
    maxZone[ZONE_NORMAL] = maxPfn;
  }
  const out: ZoneLimit[] = [];
  let start = startOfDram;
  for (let zid = 0; zid < ZONE_MOVABLE; zid++) {
    const end = Math.max(maxZone[zid]!, start);
    out.push({ zid, name: ZONE_NAMES[zid]!, lowPfn: start, highPfn: end });
    start = end;
  }
  out.push({ zid: ZONE_MOVABLE, name: 'Movable', lowPfn: 0, highPfn: 0 });
  return out;
}

/** find_usable_zone_for_movable(), v6.1: the highest non-Movable zone with a non-empty arch range. */
function usableZoneForMovable(limits: readonly ZoneLimit[]): number {
  for (let zid = MAX_NR_ZONES - 1; zid >= 0; zid--) {
    if (zid === ZONE_MOVABLE) continue;
    const z = limits[zid]!;
    if (z.highPfn > z.lowPfn) return zid;
  }
  return ZONE_DMA;
}

interface MovableResult {
  readonly pfns: Map<number, number>;
  readonly mirrored: boolean;
}

/**
 * find_zone_movable_pfns_for_nodes(), mm/page_alloc.c v6.1: movable_node, kernelcore=mirror,
 * kernelcore=/movablecore= (bytes or percent), spread evenly over N_MEMORY nodes, rounded up to
 * MAX_ORDER_NR_PAGES; a start at or past the node end means no Movable zone there.
 */
export function findZoneMovablePfnsForNodes(
  host: HostTrace,
  a: ArchProfile,
  memblock: Memblock,
  memRanges: readonly PfnRegion[],
  nodeSpans: ReadonlyMap<number, { start: number; end: number }>,
  usableStartPfn: number,
  diags: Diagnostic[],
): MovableResult {
  const pfns = new Map<number, number>();
  for (const nid of nodeSpans.keys()) pfns.set(nid, 0);
  const cmd = host.cmdline;
  let mirrored = false;
  const finish = (): MovableResult => {
    for (const [nid, span] of nodeSpans) {
      let v = roundUp(pfns.get(nid) ?? 0, a.MAX_ORDER_NR_PAGES);
      if (v >= span.end) v = 0;
      pfns.set(nid, v);
    }
    return { pfns, mirrored };
  };
  if (!cmd) return { pfns, mirrored };

  if (cmd.movableNode) {
    // movable_node: each node's Movable starts at its lowest hotpluggable memory region
    let any = false;
    memblock.forEachMemRegion((start, _end, rnid, flags) => {
      if (!(flags & MEMBLOCK_FLAGS.MEMBLOCK_HOTPLUG)) return;
      const nid = rnid ?? 0;
      const s = pfnDown(start, a);
      const cur = pfns.get(nid) ?? 0;
      pfns.set(nid, cur ? Math.min(s, cur) : s);
      any = true;
    });
    if (!any)
      diags.push(info('SIM_MOVABLE_NODE_NO_HOTPLUG', 'movable_node given but no memory region is HOTPLUG'));
    return finish();
  }
  if (cmd.kernelcore === 'mirror') {
    let anyMirror = false;
    memblock.forEachMemRegion((_s, _e, _n, flags) => {
      if (flags & MEMBLOCK_FLAGS.MEMBLOCK_MIRROR) anyMirror = true;
    });
    if (!anyMirror) {
      diags.push(
        info('SIM_KERNELCORE_MIRROR_IGNORED', 'kernelcore=mirror but no memory is mirrored: ignored'),
      );
      return { pfns, mirrored };
    }
    mirrored = true;
    const fourG = 2 ** 32 / 2 ** a.PAGE_SHIFT;
    memblock.forEachMemRegion((start, _end, rnid, flags) => {
      if (flags & MEMBLOCK_FLAGS.MEMBLOCK_MIRROR) return;
      const s = pfnDown(start, a);
      if (s < fourG) return; // "This configuration results in unmirrored kernel memory." warning
      const nid = rnid ?? 0;
      const cur = pfns.get(nid) ?? 0;
      pfns.set(nid, cur ? Math.min(s, cur) : s);
    });
    return finish();
  }

  // early_calculate_totalpages(): every memory pfn range; N_MEMORY = nodes with pages
  let totalpages = 0;
  for (const r of memRanges) totalpages += r.end - r.start;
  let requiredKernelcore = 0;
  let requiredMovablecore = 0;
  const k = cmd.kernelcore;
  if (k && typeof k === 'object') {
    requiredKernelcore =
      'percent' in k
        ? Math.floor((totalpages * 100 * k.percent) / 10000)
        : Math.floor(k.bytes / 2 ** a.PAGE_SHIFT);
  }
  const m = cmd.movablecore;
  if (m) {
    requiredMovablecore =
      'percent' in m
        ? Math.floor((totalpages * 100 * m.percent) / 10000)
        : Math.floor(m.bytes / 2 ** a.PAGE_SHIFT);
  }
  if (requiredMovablecore) {
    requiredMovablecore = Math.min(totalpages, roundUp(requiredMovablecore, a.MAX_ORDER_NR_PAGES));
    requiredKernelcore = Math.max(requiredKernelcore, totalpages - requiredMovablecore);
  }
  if (!requiredKernelcore || requiredKernelcore >= totalpages) return { pfns, mirrored };

  const nids = [...nodeSpans.keys()].sort((x, y) => x - y);
  let usableNodes = nids.length;
  for (;;) {
    let kernelcoreNode = Math.floor(requiredKernelcore / usableNodes);
    for (const nid of nids) {
      if (requiredKernelcore < kernelcoreNode) kernelcoreNode = Math.floor(requiredKernelcore / usableNodes);
      let kernelcoreRemaining = kernelcoreNode;
      for (const r of memRanges) {
        if (r.nid !== nid) continue;
        let startPfn = Math.max(r.start, pfns.get(nid) ?? 0);
        const endPfn = r.end;
        if (startPfn >= endPfn) continue;
        if (startPfn < usableStartPfn) {
          const kernelPages = Math.min(endPfn, usableStartPfn) - startPfn;
          kernelcoreRemaining -= Math.min(kernelPages, kernelcoreRemaining);
          requiredKernelcore -= Math.min(kernelPages, requiredKernelcore);
          if (endPfn <= usableStartPfn) {
            pfns.set(nid, endPfn);
            continue;
          }
          startPfn = usableStartPfn;
        }
        let sizePages = endPfn - startPfn;
        if (sizePages > kernelcoreRemaining) sizePages = kernelcoreRemaining;
        pfns.set(nid, startPfn + sizePages);
        requiredKernelcore -= Math.min(requiredKernelcore, sizePages);
        kernelcoreRemaining -= sizePages;
        if (!kernelcoreRemaining) break;
      }
    }
    usableNodes--;
    if (!(usableNodes && requiredKernelcore > usableNodes)) break;
  }
  return finish();
}

function info(code: string, message: string): Diagnostic {
  return { code, severity: 'info', message };
}

/** Pages of [start, end) not covered by `ranges` (__absent_pages_in_range over one node's ranges). */
function absentPages(ranges: readonly PfnRegion[], start: number, end: number): number {
  if (end <= start) return 0;
  let covered = 0;
  for (const r of ranges) {
    const s = Math.max(r.start, start);
    const e = Math.min(r.end, end);
    if (s < e) covered += e - s;
  }
  return end - start - covered;
}

/** Build the node and zone layout. Pure; diagnostics say where each fact came from. */
export function computeLayout(input: LayoutInput, diags: Diagnostic[] = []): Layout {
  const { host, arch: a, memblock } = input;
  // for_each_mem_pfn_range(): a region without a node is node 0 (x86 dummy_numa_init() with no NUMA information)
  const memRanges: PfnRegion[] = [];
  memblock.forEachMemPfnRange(
    null,
    (start, end, nid, flags) => memRanges.push({ start, end, nid: nid!, flags }),
    0,
  );
  const nodeSpans = new Map<number, { start: number; end: number }>();
  for (const r of memRanges) {
    const s = nodeSpans.get(r.nid);
    if (!s) nodeSpans.set(r.nid, { start: r.start, end: r.end });
    else nodeSpans.set(r.nid, { start: Math.min(s.start, r.start), end: Math.max(s.end, r.end) });
  }
  const maxPfn = memRanges.reduce((mx, r) => Math.max(mx, r.end), 0);

  let limits = input.ignorePrinted ? null : zoneLimitsFromPrinted(host, a);
  let zoneLimitsFrom: LayoutSource = 'dmesg';
  const fromArch = zoneLimitsFromArch(a, memRanges, input.zoneDmaBits ?? 32);
  if (!limits) {
    limits = fromArch;
    zoneLimitsFrom = 'arch-rule';
  } else {
    for (let zid = 0; zid < ZONE_MOVABLE; zid++) {
      const p = limits[zid]!;
      const c = fromArch[zid]!;
      const bothEmpty = p.lowPfn === p.highPfn && c.lowPfn === c.highPfn;
      if (!bothEmpty && (p.lowPfn !== c.lowPfn || p.highPfn !== c.highPfn)) {
        diags.push(
          info(
            'SIM_ZONE_RANGE_DIFFERS',
            `zone ${p.name}: printed pfns [${p.lowPfn}, ${p.highPfn}), arch rule gives [${c.lowPfn}, ${c.highPfn}); using the printed range`,
          ),
        );
      }
    }
  }
  const movableZone = usableZoneForMovable(limits);
  const usableStartPfn = limits[movableZone]!.lowPfn;

  const computed = findZoneMovablePfnsForNodes(
    host,
    a,
    memblock,
    memRanges,
    nodeSpans,
    usableStartPfn,
    diags,
  );
  let zoneMovablePfn: Map<number, number> = computed.pfns;
  let zoneMovableFrom: LayoutSource = 'cmdline';
  const printed = host.movableZoneStart;
  const printedNids = Object.keys(printed).map(Number);
  if (!input.ignorePrinted && printedNids.length > 0) {
    const fromLog = new Map<number, number>();
    for (const nid of nodeSpans.keys())
      fromLog.set(nid, printed[nid] !== undefined ? pfnDown(printed[nid]!, a) : 0);
    const same = [...fromLog].every(([nid, v]) => (computed.pfns.get(nid) ?? 0) === v);
    if (!same) {
      diags.push(
        info(
          'SIM_MOVABLE_START_DIFFERS',
          `printed Movable zone starts differ from the ones computed from the command line; using the printed ones`,
        ),
      );
    }
    zoneMovablePfn = fromLog;
    zoneMovableFrom = 'dmesg';
  } else if (![...computed.pfns.values()].some((v) => v !== 0)) {
    zoneMovableFrom = 'none';
  }

  const nodes: NodeLayout[] = [];
  for (const nid of [...nodeSpans.keys()].sort((x, y) => x - y)) {
    const span = nodeSpans.get(nid)!;
    const ranges = memRanges.filter((r) => r.nid === nid);
    const zmp = zoneMovablePfn.get(nid) ?? 0;
    const zones: ZoneLayout[] = [];
    for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
      const lim = limits[zid]!;
      let zs = Math.min(Math.max(span.start, lim.lowPfn), lim.highPfn);
      let ze = Math.min(Math.max(span.end, lim.lowPfn), lim.highPfn);
      // adjust_zone_range_for_zone_movable()
      if (zmp) {
        if (zid === ZONE_MOVABLE) {
          zs = zmp;
          ze = Math.min(span.end, limits[movableZone]!.highPfn);
        } else if (!computed.mirrored && zs < zmp && ze > zmp) {
          ze = zmp;
        } else if (zs >= zmp) {
          zs = ze;
        }
      }
      let absent = absentPages(ranges, zs, ze);
      // kernelcore=mirror: non-mirror pages in Normal and mirror pages in Movable count as absent
      if (computed.mirrored && zmp) {
        memblock.forEachMemRegion((start, end, _nid, flags) => {
          const rs = Math.min(Math.max(pfnDown(start, a), zs), ze);
          const re = Math.min(Math.max(pfnDown(end, a), zs), ze);
          const mirror = (flags & MEMBLOCK_FLAGS.MEMBLOCK_MIRROR) !== 0;
          if ((zid === ZONE_MOVABLE && mirror) || (zid === ZONE_NORMAL && !mirror)) absent += re - rs;
        });
      }
      let spanned = 0;
      if (!(span.start === 0 && span.end === 0) && !(ze < span.start || zs > span.end)) {
        ze = Math.min(ze, span.end);
        zs = Math.max(zs, span.start);
        spanned = Math.max(0, ze - zs);
      }
      if (!spanned) absent = 0;
      zones.push({
        nid,
        zid,
        name: ZONE_NAMES[zid]!,
        startPfn: spanned ? zs : 0,
        endPfn: spanned ? ze : 0,
        spannedPages: spanned,
        presentPages: spanned - absent,
        absentPages: absent,
      });
    }
    nodes.push({
      nid,
      startPfn: span.start,
      endPfn: span.end,
      spannedPages: span.end - span.start,
      presentPages: zones.reduce((n, z) => n + z.presentPages, 0),
      zones,
      memRanges: ranges,
    });
  }

  const presentSections = normalizeRanges(
    memRanges.map((r) => ({
      start: roundDown(r.start, a.PAGES_PER_SECTION),
      end: roundUp(r.end, a.PAGES_PER_SECTION),
    })),
  );
  return {
    arch: a,
    memRanges,
    zoneLimits: limits,
    zoneLimitsFrom,
    movableZone,
    zoneMovablePfn,
    zoneMovableFrom,
    mirroredKernelcore: computed.mirrored,
    nodes,
    presentSections,
    maxPfn,
    firstOnlineNode: nodes.length ? nodes[0]!.nid : 0,
  };
}

/** Memory regions for the layout when the trace has no memblock view: `Early memory node ranges`, then e820. */
export function memoryFromHost(host: HostTrace): { memory: MemRegion[]; from: string } {
  if (host.memory.length) return { memory: [...host.memory], from: 'memory' };
  if (host.nodeRanges.length) return { memory: [...host.nodeRanges], from: 'nodeRanges' };
  const usable = host.e820.filter((e) => e.type === 'usable');
  return {
    memory: usable.map((e) => ({ start: e.start, end: e.end, nid: null, flags: 0 })),
    from: 'e820',
  };
}
