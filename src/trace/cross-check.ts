// Cross-checks between the sources of a bundle: each compares two views of the same fact (RAM from e820,
// memblock and iomem; node and zone spans from memblock, sysfs and zoneinfo) and says where they differ.
import type { Range } from '../core/index.js';
import {
  MEMBLOCK_FLAGS,
  DiagnosticSink,
  formatMemRange,
  formatBytes,
  intersectRanges,
  normalizeRanges,
  subtractRanges,
} from '../core/index.js';
import type {
  CrossCheck,
  E820Entry,
  FactSource,
  IomemSummary,
  MemRegion,
  NodeSysfs,
  ZoneInfoEntry,
  ZoneRangePrinted,
} from './host-trace.js';
import type { Pagetypeinfo } from '../../parsers/buddyinfo/index.js';
import type { NodeRun } from './node-layout.js';
import { pagesIn } from './node-layout.js';

export interface CheckInput {
  readonly pageShift: number;
  readonly memory: readonly MemRegion[];
  /** `Early memory node ranges` as printed (empty without a log). */
  readonly nodeRanges: readonly MemRegion[];
  /** ACPI SRAT memory affinity ranges from the log, [start, end) with node ids. */
  readonly srat: readonly { nid: number; start: number; end: number }[];
  readonly e820: readonly E820Entry[];
  /** The kernel's own edits printed after the map (`e820: update ... usable ==> reserved`, `e820: remove`). */
  /** /sys/firmware/memmap when captured alongside a log's e820 (else empty). */
  readonly firmwareMemmap: readonly E820Entry[];
  readonly e820Edits: readonly { start: number; end: number; fromType: string; toType: string | null }[];
  readonly iomem: IomemSummary | undefined;
  readonly zoneinfo: readonly ZoneInfoEntry[];
  readonly zoneRanges: readonly ZoneRangePrinted[];
  readonly movableZoneStart: Readonly<Record<number, number>>;
  readonly nodes: readonly NodeSysfs[];
  /** /proc/buddyinfo rows (populated zones) and zoneinfo's `pages free` per zone, when both were captured. */
  readonly buddyinfo: readonly { nid: number; zone: string; freePages: number }[];
  readonly pagetypeinfo: Pagetypeinfo | null;
  readonly zoneFree: readonly {
    nid: number;
    zone: string;
    pagesFree: number | null;
    present: number | null;
  }[];
  readonly blockRuns: readonly NodeRun[] | null;
  /** Memory blocks with their printed zone (valid_zones of an online block is the zone it is in). */
  readonly blocks: readonly {
    id: number;
    start: number;
    end: number;
    nid: number | null;
    validZones: readonly string[];
  }[];
  readonly config: Readonly<Record<string, string>>;
  readonly deferredInitLines: number | null;
  readonly cmdlineFile: string | null;
  readonly cmdlineDmesg: string | null;
  readonly sources: Readonly<Record<string, FactSource[]>>;
}

/** SRAT RAM missing from memblock by at least this much is reported (smaller gaps are firmware holes). */
const SRAT_MISSING_BYTES = 64 * 1024 * 1024;

/** Free-page drift between reading buddyinfo and zoneinfo that is only pcp batching (a few batches). */
const FREE_DRIFT_PAGES = 1024;

/** Differences smaller than this are the kernel's own edits (page 0, setup_data, trimmed partial pages). */
const SMALL_DIFF_BYTES = 1024 * 1024;

function fileOf(input: CheckInput, field: string): string | undefined {
  return input.sources[field]?.[0]?.file;
}

function kindOf(input: CheckInput, field: string): string {
  return input.sources[field]?.[0]?.kind ?? field;
}

function describe(ranges: readonly Range[]): string {
  const total = ranges.reduce((n, r) => n + r.end - r.start, 0);
  const ex = ranges
    .slice(0, 3)
    .map((r) => formatMemRange(r.start, r.end))
    .join(', ');
  return `${formatBytes(total)} in ${ranges.length} range(s)${ranges.length ? `: ${ex}${ranges.length > 3 ? ', ...' : ''}` : ''}`;
}

/** RAM as whole pages: each range shrunk to PFN_UP(start)..PFN_DOWN(end), back in bytes. */
function pageRanges(ranges: readonly Range[], shift: number): Range[] {
  const size = 2 ** shift;
  return normalizeRanges(
    ranges.map((r) => ({ start: Math.ceil(r.start / size) * size, end: Math.floor(r.end / size) * size })),
  );
}

/** What every check reads: the input and the views derived from it once. */
interface CheckContext {
  readonly input: CheckInput;
  readonly shift: number;
  /** RAM by the firmware map after the kernel's own edits. */
  readonly e820Ram: Range[];
  readonly memory: Range[];
  /** memblock memory without NOMAP regions (iomem names those `reserved`). */
  readonly mappedMemory: Range[];
  readonly iomemRam: readonly Range[] | null;
  /** Node ids of memblock memory, ascending. */
  readonly nids: number[];
  readonly memKind: string;
  readonly memFromIomem: boolean;
  /** The source kind a fact came from, for `between` (e820 says `+edits` when the kernel's edits were applied). */
  readonly label: (name: string) => string;
}

/** One check's result: recorded in HostTrace.crossChecks, and a diagnostic when it is a mismatch. */
interface CheckOutcome {
  readonly between: string[];
  readonly status: CrossCheck['status'];
  readonly detail: string;
  /** Of the mismatch diagnostic (default warning). */
  readonly severity?: 'info' | 'warning';
  /** Where the mismatch diagnostic points. */
  readonly file?: string | undefined;
}

export interface CrossCheckDef {
  /** Stable id, in HostTrace.crossChecks and reports: `e820-iomem`, `memory-zoneinfo`, ... */
  readonly id: string;
  /** The diagnostic code of a mismatch: `XCHECK_` and the id in capitals (grep for it). */
  readonly code: `XCHECK_${string}`;
  /** The two views compared and why they must agree. */
  readonly compares: string;
  /** The outcome; null when the check does not apply to the bundle (nothing recorded). */
  readonly run: (c: CheckContext) => CheckOutcome | null;
}

/** RAM of two sources compared in whole ranges: ok, or a mismatch that is info only when under a MiB. */
function compareRam(
  c: CheckContext,
  aName: string,
  a: readonly Range[],
  bName: string,
  b: readonly Range[],
  file?: string,
): CheckOutcome {
  const onlyA = subtractRanges(a, b);
  const onlyB = subtractRanges(b, a);
  const between = [c.label(aName), c.label(bName)];
  if (onlyA.length === 0 && onlyB.length === 0)
    return { between, status: 'ok', detail: `${between[0]} and ${between[1]} RAM agree (${describe(a)})` };
  const bytes = [...onlyA, ...onlyB].reduce((n, r) => n + r.end - r.start, 0);
  return {
    between,
    status: 'mismatch',
    detail: `RAM only in ${between[0]}: ${describe(onlyA)}; only in ${between[1]}: ${describe(onlyB)}`,
    severity: bytes < SMALL_DIFF_BYTES ? 'info' : 'warning',
    file,
  };
}

/** ok with `good`, or a mismatch listing `bad`. */
function verdict(
  between: string[],
  bad: readonly string[],
  badDetail: string,
  good: string,
  severity: 'info' | 'warning',
  file?: string,
): CheckOutcome {
  return bad.length
    ? { between, status: 'mismatch', detail: badDetail, severity, file }
    : { between, status: 'ok', detail: good, severity, file };
}

/** memory-zoneinfo and nodespan-zoneinfo: one of nodeVsZoneinfo()'s two lists, skipped without node ids or zoneinfo. */
function nodeVsZoneinfoCheck(c: CheckContext, key: 'present' | 'span', good: string): CheckOutcome {
  if (!(c.nids.length && c.input.zoneinfo.length))
    return {
      between: ['memory', 'zoneinfo'],
      status: 'skipped',
      detail: 'needs memory with node ids and zoneinfo',
    };
  const bad = nodeVsZoneinfo(c)[key];
  return verdict(
    [kindOf(c.input, 'memory'), 'zoneinfo'],
    bad,
    bad.join('; '),
    good,
    'warning',
    fileOf(c.input, 'zoneinfo'),
  );
}

/** Per node: memblock memory's present pages and pfn span against the zoneinfo zones of the node. */
const nodeVsZoneinfoDone = new WeakMap<CheckContext, { present: string[]; span: string[] }>();

/**
 * Present pages and pfn span per node, memblock memory against /proc/zoneinfo: computed once per context for the
 * two checks that report it (memory-zoneinfo, nodespan-zoneinfo). Loops instead of Math.min(...spread), which
 * throws past ~100k regions.
 */
function nodeVsZoneinfo(c: CheckContext): { present: string[]; span: string[] } {
  const done = nodeVsZoneinfoDone.get(c);
  if (done) return done;
  const { input, shift } = c;
  const present: string[] = [];
  const span: string[] = [];
  const size = 2 ** shift;
  for (const nid of c.nids) {
    const regions = input.memory.filter((r) => r.nid === nid);
    const memPages = regions.reduce((n, r) => n + pagesIn(r, shift), 0);
    const zones = input.zoneinfo.filter((z) => z.nid === nid && z.spanned > 0);
    const ziPresent = zones.reduce((n, z) => n + z.present, 0);
    if (memPages !== ziPresent)
      present.push(`node ${nid}: memory ${memPages} pages, zoneinfo present ${ziPresent}`);
    if (zones.length) {
      let memStart = Infinity;
      let memEnd = -Infinity;
      for (const r of regions) {
        memStart = Math.min(memStart, Math.ceil(r.start / size));
        memEnd = Math.max(memEnd, Math.floor(r.end / size));
      }
      let ziStart = Infinity;
      let ziEnd = -Infinity;
      for (const z of zones) {
        ziStart = Math.min(ziStart, z.startPfn);
        ziEnd = Math.max(ziEnd, z.startPfn + z.spanned);
      }
      if (memStart !== ziStart || memEnd !== ziEnd)
        span.push(`node ${nid}: memory pfns [${memStart}, ${memEnd}), zones [${ziStart}, ${ziEnd})`);
    }
  }
  const out = { present, span };
  nodeVsZoneinfoDone.set(c, out);
  return out;
}

/**
 * Every cross-check, in the order they run and are reported. Each compares two views of one fact; a mismatch is
 * a diagnostic with the check's code.
 */
export const CROSS_CHECKS: readonly CrossCheckDef[] = [
  {
    id: 'e820-iomem',
    code: 'XCHECK_E820_IOMEM',
    // iomem is e820 after the kernel's edits (page 0, setup_data), so small differences are normal
    compares: 'RAM of the firmware map (after the printed edits) and of /proc/iomem',
    run: (c) =>
      c.e820Ram.length && c.iomemRam
        ? compareRam(c, 'e820', c.e820Ram, 'iomem', [...c.iomemRam], fileOf(c.input, 'iomem'))
        : {
            between: ['e820', 'iomem'],
            status: 'skipped',
            detail: 'needs both an e820 map and a readable iomem',
          },
  },
  {
    id: 'e820-firmware-memmap',
    code: 'XCHECK_E820_FIRMWARE_MEMMAP',
    // drivers/firmware/memmap.c keeps the map the kernel was given, before its own edits: same entries and types
    compares: "the log's BIOS-e820 table and /sys/firmware/memmap",
    run: ({ input }) => {
      if (!(input.firmwareMemmap.length && input.e820.length && kindOf(input, 'e820') === 'dmesg'))
        return null;
      const key = (e: E820Entry): string => `${formatMemRange(e.start, e.end)} ${e.type}`;
      const a = new Set(input.e820.map(key));
      const b = new Set(input.firmwareMemmap.map(key));
      const onlyLog = [...a].filter((k) => !b.has(k));
      const onlySys = [...b].filter((k) => !a.has(k));
      return verdict(
        ['dmesg', 'firmware-memmap'],
        [...onlyLog, ...onlySys],
        `only in the log: ${onlyLog.join(', ') || 'none'}; only in firmware memmap: ${onlySys.join(', ') || 'none'}`,
        `the ${a.size} BIOS-e820 entries equal /sys/firmware/memmap`,
        'warning',
        fileOf(input, 'e820'),
      );
    },
  },
  {
    id: 'memory-iomem',
    code: 'XCHECK_MEMORY_IOMEM',
    // in whole pages: memblock keeps partial pages, the pfn walks drop them
    compares: 'memblock memory (NOMAP left out) and /proc/iomem System RAM',
    run: (c) =>
      c.memory.length && c.iomemRam && !c.memFromIomem
        ? compareRam(
            c,
            'memory',
            pageRanges(c.mappedMemory, c.shift),
            'iomem',
            pageRanges(c.iomemRam, c.shift),
            fileOf(c.input, 'memory'),
          )
        : {
            between: ['memory', 'iomem'],
            status: 'skipped',
            detail: c.memFromIomem
              ? 'memory was derived from iomem'
              : 'needs memblock memory and a readable iomem',
          },
  },
  {
    id: 'memory-e820',
    code: 'XCHECK_MEMORY_E820',
    compares: 'memblock memory and the RAM of the firmware map, in whole pages',
    run: (c) =>
      c.memory.length && c.e820Ram.length && !c.memFromIomem
        ? compareRam(
            c,
            'memory',
            pageRanges(c.memory, c.shift),
            'e820',
            pageRanges(c.e820Ram, c.shift),
            fileOf(c.input, 'memory'),
          )
        : {
            between: ['memory', 'e820'],
            status: 'skipped',
            detail: c.memFromIomem
              ? 'memory was derived from iomem'
              : 'needs memblock memory and an e820 map',
          },
  },
  {
    id: 'memory-zoneinfo',
    code: 'XCHECK_MEMORY_ZONEINFO',
    // calculate_node_totalpages(): a node's present pages are its memblock memory
    compares: 'present pages per node: memblock memory and /proc/zoneinfo',
    run: (c) => nodeVsZoneinfoCheck(c, 'present', `present pages agree on ${c.nids.length} node(s)`),
  },
  {
    id: 'nodespan-zoneinfo',
    code: 'XCHECK_NODESPAN_ZONEINFO',
    compares: 'the pfn span per node: memblock memory and the zones of /proc/zoneinfo',
    run: (c) =>
      nodeVsZoneinfoCheck(c, 'span', `node spans agree with the zone spans on ${c.nids.length} node(s)`),
  },
  {
    id: 'zoneranges-zoneinfo',
    code: 'XCHECK_ZONERANGES_ZONEINFO',
    // Movable is printed apart (`Movable zone start for each node`)
    compares: '`Zone ranges:` as printed at boot hold each zoneinfo zone span',
    run: ({ input, shift }) => {
      if (!(input.zoneRanges.length && input.zoneinfo.length))
        return {
          between: ['dmesg', 'zoneinfo'],
          status: 'skipped',
          detail: 'needs `Zone ranges:` from dmesg and zoneinfo',
        };
      const bad: string[] = [];
      for (const z of input.zoneinfo) {
        if (z.spanned === 0 || z.zone === 'Movable') continue;
        const pr = input.zoneRanges.find((r) => r.zone === z.zone);
        const s = z.startPfn * 2 ** shift;
        const e = (z.startPfn + z.spanned) * 2 ** shift;
        if (!pr || pr.start === null || pr.end === null || s < pr.start || e > pr.end)
          bad.push(`node ${z.nid} ${z.zone} ${formatMemRange(s, e)} is outside the printed ${z.zone} range`);
      }
      return verdict(
        ['dmesg', 'zoneinfo'],
        bad,
        bad.join('; '),
        'every populated zone lies in its printed zone range',
        'warning',
        fileOf(input, 'zoneinfo'),
      );
    },
  },
  {
    id: 'movable-zoneinfo',
    code: 'XCHECK_MOVABLE_ZONEINFO',
    compares: "`Movable zone start for each node` and the Movable zone's start_pfn in zoneinfo",
    run: ({ input, shift }) => {
      const movable = input.zoneinfo.filter((z) => z.zone === 'Movable' && z.spanned > 0);
      if (!(Object.keys(input.movableZoneStart).length || (movable.length && input.zoneRanges.length)))
        return null;
      const bad: string[] = [];
      for (const z of movable) {
        const printed = input.movableZoneStart[z.nid];
        const s = z.startPfn * 2 ** shift;
        if (printed !== s)
          bad.push(
            `node ${z.nid}: zoneinfo Movable starts at ${s.toString(16)}, dmesg says ${printed === undefined ? 'nothing' : printed.toString(16)}`,
          );
      }
      return verdict(
        ['dmesg', 'zoneinfo'],
        bad,
        bad.join('; '),
        `Movable starts agree on ${movable.length} node(s)`,
        'warning',
        fileOf(input, 'zoneinfo'),
      );
    },
  },
  {
    id: 'meminfo-zoneinfo',
    code: 'XCHECK_MEMINFO_ZONEINFO',
    // si_meminfo_node(): MemTotal is the node's managed pages; both files are read late and managed pages move
    // (balloon, hotplug, freed initmem): info only
    compares: 'nodeN/meminfo MemTotal and the managed pages of the node in zoneinfo',
    run: ({ input, shift }) => {
      const withTotal = input.nodes.filter((n) => n.memTotalBytes !== undefined);
      if (!(withTotal.length && input.zoneinfo.length)) return null;
      const bad: string[] = [];
      for (const n of withTotal) {
        const managed =
          input.zoneinfo.filter((z) => z.nid === n.nid).reduce((s, z) => s + z.managed, 0) * 2 ** shift;
        if (managed !== n.memTotalBytes)
          bad.push(
            `node ${n.nid}: MemTotal ${formatBytes(n.memTotalBytes!)}, zoneinfo managed ${formatBytes(managed)}`,
          );
      }
      return verdict(
        ['node-meminfo', 'zoneinfo'],
        bad,
        bad.join('; '),
        `MemTotal equals managed pages on ${withTotal.length} node(s)`,
        'info',
      );
    },
  },
  {
    id: 'buddyinfo-zones',
    code: 'XCHECK_BUDDYINFO_ZONES',
    // mm/vmstat.c walk_zones_in_node(), populated_zone(): present_pages != 0
    compares: '/proc/buddyinfo rows and the populated zones of zoneinfo',
    run: ({ input }) => {
      if (!(input.buddyinfo.length && input.zoneFree.length)) return null;
      const key = (x: { nid: number; zone: string }): string => `${x.nid}:${x.zone}`;
      const populated = input.zoneFree.filter((z) => (z.present ?? 0) > 0).map(key);
      const listed = input.buddyinfo.map(key);
      const missing = populated.filter((k) => !listed.includes(k));
      const extra = listed.filter((k) => !populated.includes(k));
      return verdict(
        ['buddyinfo', 'zoneinfo'],
        [...missing, ...extra],
        `populated zones without a buddyinfo row: ${missing.join(' ') || 'none'}; buddyinfo rows for unpopulated zones: ${extra.join(' ') || 'none'}`,
        `buddyinfo has a row for each of the ${listed.length} populated zones`,
        'warning',
        fileOf(input, 'buddyinfo'),
      );
    },
  },
  {
    id: 'buddyinfo-free',
    code: 'XCHECK_BUDDYINFO_FREE',
    // pages move between the per-cpu lists and the buddy lists in batches while the two files are read: a drift
    // below FREE_DRIFT_PAGES (or 1%) is that, not a disagreement
    compares: "buddyinfo's free blocks and zoneinfo's `pages free` (NR_FREE_PAGES) per zone",
    run: ({ input }) => {
      if (!(input.buddyinfo.length && input.zoneFree.length)) return null;
      const diffs: string[] = [];
      const drift: string[] = [];
      for (const b of input.buddyinfo) {
        const z = input.zoneFree.find((x) => x.nid === b.nid && x.zone === b.zone);
        if (!z || z.pagesFree === null || z.pagesFree === b.freePages) continue;
        const d = `node ${b.nid} ${b.zone}: buddyinfo ${b.freePages} free pages, zoneinfo ${z.pagesFree}`;
        if (Math.abs(z.pagesFree - b.freePages) <= Math.max(FREE_DRIFT_PAGES, z.pagesFree / 100))
          drift.push(d);
        else diffs.push(d);
      }
      return verdict(
        ['buddyinfo', 'zoneinfo'],
        diffs,
        `${diffs.join('; ')} (read moments apart)`,
        drift.length
          ? `free pages agree up to drift between the reads (${drift.join('; ')})`
          : 'free pages per zone agree',
        'info',
      );
    },
  },
  {
    id: 'pagetypeinfo-buddyinfo',
    code: 'XCHECK_PAGETYPEINFO_BUDDYINFO',
    // the same free_area[], read moments apart; counts capped at 100000 are skipped
    compares: "pagetypeinfo's free counts summed over migrate types and buddyinfo's",
    run: ({ input }) => {
      const pti = input.pagetypeinfo;
      if (!(pti && pti.free.length && input.buddyinfo.length)) return null;
      const bad: string[] = [];
      for (const b of input.buddyinfo) {
        const rows = pti.free.filter((r) => r.nid === b.nid && r.zone === b.zone);
        if (!rows.length || rows.some((r) => r.capped.some(Boolean))) continue;
        let pages = 0;
        for (const r of rows) r.freeBlocks.forEach((n, order) => (pages += n * 2 ** order));
        if (Math.abs(pages - b.freePages) > Math.max(FREE_DRIFT_PAGES, b.freePages / 100))
          bad.push(`node ${b.nid} ${b.zone}: pagetypeinfo ${pages} free pages, buddyinfo ${b.freePages}`);
      }
      return verdict(['pagetypeinfo', 'buddyinfo'], bad, bad.join('; '), 'free pages per zone agree', 'info');
    },
  },
  {
    id: 'pagetypeinfo-zoneinfo',
    code: 'XCHECK_PAGETYPEINFO_ZONEINFO',
    // pagetypeinfo_showblockcount_print() counts the pageblocks that have an online page of the zone
    compares: "pagetypeinfo's pageblocks per zone and the zone's present pages",
    run: ({ input }) => {
      const pti = input.pagetypeinfo;
      if (!(pti && pti.pagesPerBlock && pti.blocks.length && input.zoneinfo.length)) return null;
      const bad: string[] = [];
      const per = pti.pagesPerBlock;
      for (const r of pti.blocks.filter((x) => x.table === 'blocks')) {
        const z = input.zoneinfo.find((x) => x.nid === r.nid && x.zone === r.zone);
        if (!z) continue;
        const covered = Object.values(r.blocks).reduce((n, v) => n + v, 0) * per;
        // at least the present pages, at most the span rounded out to whole pageblocks at both ends
        if (covered < z.present || covered > Math.ceil(z.spanned / per) * per + per)
          bad.push(`node ${r.nid} ${r.zone}: ${covered / per} pageblocks for ${z.present} present pages`);
      }
      return verdict(
        ['pagetypeinfo', 'zoneinfo'],
        bad,
        bad.join('; '),
        'pageblocks per zone cover the present pages',
        'warning',
        fileOf(input, 'pageblockOrder'),
      );
    },
  },
  {
    id: 'memory-blocks',
    code: 'XCHECK_MEMORY_BLOCKS',
    compares: 'the node of each sysfs memory block and the node ids of memblock memory',
    run: (c) => {
      const { input } = c;
      if (!(input.blockRuns && c.nids.length && kindOf(input, 'memory') !== 'iomem')) return null;
      const bad: string[] = [];
      for (const r of input.memory) {
        if (r.nid === null) continue;
        for (const run of input.blockRuns) {
          if (run.start < r.end && r.start < run.end && run.nid !== null && run.nid !== r.nid)
            bad.push(
              `${formatMemRange(Math.max(r.start, run.start), Math.min(r.end, run.end))}: memory says node ${r.nid}, memory blocks node ${run.nid}`,
            );
        }
      }
      return verdict(
        [kindOf(input, 'memory'), 'memory-block-table'],
        bad,
        bad.slice(0, 5).join('; '),
        'memory block nodes agree with memblock node ids',
        'warning',
      );
    },
  },
  {
    id: 'memory-blocks-zones',
    code: 'XCHECK_MEMORY_BLOCKS_ZONES',
    // drivers/base/memory.c valid_zones_show(): the one zone an online block lies in (`none` when it spans zones)
    compares: "an online memory block's valid_zones and that zone's span in zoneinfo",
    run: ({ input, shift }) => {
      const zoned = input.blocks.filter((b) => b.validZones.length === 1 && b.validZones[0] !== 'none');
      if (!(zoned.length && input.zoneinfo.length)) return null;
      const bad: string[] = [];
      const page = 2 ** shift;
      for (const b of zoned) {
        const z = input.zoneinfo.find((x) => x.nid === b.nid && x.zone === b.validZones[0] && x.spanned > 0);
        const inside = z && b.start >= z.startPfn * page && b.end <= (z.startPfn + z.spanned) * page;
        if (!inside)
          bad.push(
            `memory${b.id} ${formatMemRange(b.start, b.end)} says ${b.validZones[0]} on node ${b.nid ?? '?'}`,
          );
      }
      return verdict(
        ['memory-block-table', 'zoneinfo'],
        bad,
        `${bad.length} block(s) outside the zone they name: ${bad.slice(0, 4).join('; ')}${bad.length > 4 ? '; ...' : ''}`,
        `${zoned.length} memory block(s) lie in the zone their valid_zones names`,
        'warning',
        fileOf(input, 'zoneinfo'),
      );
    },
  },
  {
    id: 'noderanges-memory',
    code: 'XCHECK_NODERANGES_MEMORY',
    // for_each_mem_pfn_range() in free_area_init() prints `Early memory node ranges`
    compares: '`Early memory node ranges` and memory taken from another source, per node in whole pages',
    run: (c) => {
      const { input, shift, memKind } = c;
      if (!(
        input.nodeRanges.length &&
        c.memory.length &&
        memKind !== 'dmesg-early-node-ranges' &&
        memKind !== 'iomem'
      ))
        return null;
      const bad: string[] = [];
      const nodeIds = new Set([...input.nodeRanges.map((r) => r.nid), ...input.memory.map((r) => r.nid)]);
      for (const nid of [...nodeIds].sort((a, b) => (a ?? -1) - (b ?? -1))) {
        const a = pageRanges(
          input.nodeRanges.filter((r) => r.nid === nid),
          shift,
        );
        const b = pageRanges(
          input.memory.filter((r) => r.nid === nid),
          shift,
        );
        const onlyA = subtractRanges(a, b);
        const onlyB = subtractRanges(b, a);
        if (onlyA.length || onlyB.length)
          bad.push(
            `node ${nid ?? '?'}: only in node ranges ${describe(onlyA)}; only in ${memKind} ${describe(onlyB)}`,
          );
      }
      return verdict(
        ['dmesg', memKind],
        bad,
        bad.join('; '),
        `node ranges and ${memKind} agree`,
        'warning',
        fileOf(input, 'nodeRanges'),
      );
    },
  },
  {
    id: 'srat-memory',
    code: 'XCHECK_SRAT_MEMORY',
    // SRAT ranges span firmware holes, so only SRAT inside the e820 RAM counts when there is an e820 map; without
    // one (arm64, riscv) small holes are expected and only a loss of SRAT_MISSING_BYTES or more is reported
    compares: "ACPI SRAT's node affinity and memblock memory per node",
    run: (c) => {
      const { input, shift } = c;
      if (!(input.srat.length && c.nids.length)) return null;
      const bad: string[] = [];
      let holes = 0;
      for (const nid of [...new Set([...c.nids, ...input.srat.map((r) => r.nid)])].sort((a, b) => a - b)) {
        let srat = normalizeRanges(input.srat.filter((r) => r.nid === nid));
        if (c.e820Ram.length) srat = intersectRanges(srat, c.e820Ram);
        const mem = normalizeRanges(input.memory.filter((r) => r.nid === nid));
        const notInSrat = pageRanges(
          subtractRanges(mem, normalizeRanges(input.srat.filter((r) => r.nid === nid))),
          shift,
        );
        const notInMem = pageRanges(subtractRanges(srat, mem), shift);
        if (notInSrat.length)
          bad.push(`node ${nid}: memblock memory outside its SRAT ranges, ${describe(notInSrat)}`);
        const bytes = notInMem.reduce((n, r) => n + r.end - r.start, 0);
        if (bytes >= SRAT_MISSING_BYTES)
          bad.push(
            `node ${nid}: SRAT memory missing from memblock (dropped at boot, or hot-pluggable), ${describe(notInMem)}`,
          );
        else holes += bytes;
      }
      return verdict(
        ['dmesg-srat', c.memKind],
        bad,
        bad.join('; '),
        `memblock memory matches SRAT on ${c.nids.length} node(s)${holes ? ` (${formatBytes(holes)} of SRAT ranges are firmware holes)` : ''}`,
        'warning',
        fileOf(input, 'memory'),
      );
    },
  },
  {
    id: 'config-deferred',
    code: 'XCHECK_CONFIG_DEFERRED',
    compares: 'CONFIG_DEFERRED_STRUCT_PAGE_INIT and the `node N deferred pages initialised` lines',
    run: ({ input }) => {
      const deferredCfg = input.config['CONFIG_DEFERRED_STRUCT_PAGE_INIT'];
      if (deferredCfg === undefined || input.deferredInitLines === null) return null;
      const on = deferredCfg === 'y';
      const ok = on === input.deferredInitLines > 0;
      return {
        between: ['kconfig', 'dmesg'],
        status: ok ? 'ok' : 'mismatch',
        detail: ok
          ? `CONFIG_DEFERRED_STRUCT_PAGE_INIT=${deferredCfg} and ${input.deferredInitLines} deferred-init line(s)`
          : `CONFIG_DEFERRED_STRUCT_PAGE_INIT=${deferredCfg} but ${input.deferredInitLines} deferred-init line(s) in the log`,
        severity: on ? 'info' : 'warning',
      };
    },
  },
  {
    id: 'cmdline-dmesg',
    code: 'XCHECK_CMDLINE_DMESG',
    // boot loaders may append initrd= or BOOT_IMAGE=
    compares: '/proc/cmdline and `Kernel command line:`',
    run: ({ input }) => {
      if (input.cmdlineFile === null || input.cmdlineDmesg === null) return null;
      const a = input.cmdlineFile.trim().split(/\s+/).join(' ');
      const b = input.cmdlineDmesg.trim().split(/\s+/).join(' ');
      return {
        between: ['cmdline', 'dmesg'],
        status: a === b ? 'ok' : 'mismatch',
        detail: a === b ? 'the command lines agree' : `/proc/cmdline "${a}" but the log says "${b}"`,
        severity: 'info',
      };
    },
  },
];

function checkContext(input: CheckInput): CheckContext {
  // RAM by the firmware map after the kernel's own edits (arch/x86/kernel/e820.c e820__range_update/remove):
  // the page-0 reservation and legacy-hole removal explain most differences with iomem and memblock.
  const edited = input.e820Edits.length > 0;
  let e820Ram: Range[] = normalizeRanges(input.e820.filter((e) => e.type === 'usable'));
  if (e820Ram.length) {
    for (const ed of input.e820Edits) {
      if (ed.fromType === 'usable' && ed.toType !== 'usable') e820Ram = subtractRanges(e820Ram, [ed]);
      else if (ed.toType === 'usable') e820Ram = normalizeRanges([...e820Ram, ed]);
    }
  }
  const e820Kind = edited ? `${kindOf(input, 'e820')}+edits` : kindOf(input, 'e820');
  const memKind = kindOf(input, 'memory');
  return {
    input,
    shift: input.pageShift,
    e820Ram,
    memory: normalizeRanges(input.memory),
    // NOMAP memory is named `reserved`, not `System RAM`, in iomem (arch/arm64/kernel/setup.c
    // request_standard_resources(), arch/riscv/kernel/setup.c init_resources())
    mappedMemory: normalizeRanges(
      input.memory.filter((r) => (r.flags & MEMBLOCK_FLAGS.MEMBLOCK_NOMAP) === 0),
    ),
    iomemRam: input.iomem && !input.iomem.zeroed ? input.iomem.systemRam : null,
    nids: [...new Set(input.memory.map((r) => r.nid).filter((n): n is number => n !== null))].sort(
      (a, b) => a - b,
    ),
    memKind,
    memFromIomem: memKind === 'iomem',
    label: (name) => (name === 'e820' ? e820Kind : kindOf(input, name)),
  };
}

/** Run every check of CROSS_CHECKS in order: each outcome is recorded, each mismatch is a diagnostic with its code. */
export function crossCheck(input: CheckInput, sink: DiagnosticSink): CrossCheck[] {
  const c = checkContext(input);
  const checks: CrossCheck[] = [];
  for (const def of CROSS_CHECKS) {
    const o = def.run(c);
    if (!o) continue;
    checks.push({ id: def.id, between: o.between, status: o.status, detail: o.detail });
    if (o.status === 'mismatch')
      sink.add(def.code, o.severity ?? 'warning', o.detail, o.file ? { file: o.file } : undefined);
  }
  return checks;
}
