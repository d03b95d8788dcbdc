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

export function crossCheck(input: CheckInput, sink: DiagnosticSink): CrossCheck[] {
  const checks: CrossCheck[] = [];
  const shift = input.pageShift;
  const add = (
    id: string,
    between: string[],
    status: CrossCheck['status'],
    detail: string,
    severity: 'info' | 'warning' = 'warning',
    file?: string,
  ): void => {
    checks.push({ id, between, status, detail });
    if (status === 'mismatch') {
      sink.add(
        `XCHECK_${id.toUpperCase().replace(/-/g, '_')}`,
        severity,
        detail,
        file ? { file } : undefined,
      );
    }
  };

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
  const memory = normalizeRanges(input.memory);
  // NOMAP memory is named `reserved`, not `System RAM`, in iomem (arch/arm64/kernel/setup.c
  // request_standard_resources(), arch/riscv/kernel/setup.c init_resources())
  const mappedMemory = normalizeRanges(
    input.memory.filter((r) => (r.flags & MEMBLOCK_FLAGS.MEMBLOCK_NOMAP) === 0),
  );
  const iomemRam = input.iomem && !input.iomem.zeroed ? input.iomem.systemRam : null;

  const label = (name: string): string => (name === 'e820' ? e820Kind : kindOf(input, name));
  const compareRam = (
    id: string,
    aName: string,
    a: Range[],
    bName: string,
    b: Range[],
    file?: string,
  ): void => {
    const onlyA = subtractRanges(a, b);
    const onlyB = subtractRanges(b, a);
    const between = [label(aName), label(bName)];
    if (onlyA.length === 0 && onlyB.length === 0) {
      add(id, between, 'ok', `${between[0]} and ${between[1]} RAM agree (${describe(a)})`);
      return;
    }
    const bytes = [...onlyA, ...onlyB].reduce((n, r) => n + r.end - r.start, 0);
    add(
      id,
      between,
      'mismatch',
      `RAM only in ${between[0]}: ${describe(onlyA)}; only in ${between[1]}: ${describe(onlyB)}`,
      bytes < SMALL_DIFF_BYTES ? 'info' : 'warning',
      file,
    );
  };

  // 1. firmware map vs iomem: iomem is e820 after the kernel's edits (page 0, setup_data), so small differences are normal.
  if (e820Ram.length && iomemRam) {
    compareRam('e820-iomem', 'e820', e820Ram, 'iomem', [...iomemRam], fileOf(input, 'iomem'));
  } else add('e820-iomem', ['e820', 'iomem'], 'skipped', 'needs both an e820 map and a readable iomem');

  // 1b. the log's BIOS-e820 table vs /sys/firmware/memmap (drivers/firmware/memmap.c keeps the map the kernel
  // was given, before its own edits): the same entries, same types.
  if (input.firmwareMemmap.length && input.e820.length && kindOf(input, 'e820') === 'dmesg') {
    const key = (e: E820Entry): string => `${formatMemRange(e.start, e.end)} ${e.type}`;
    const a = new Set(input.e820.map(key));
    const b = new Set(input.firmwareMemmap.map(key));
    const onlyLog = [...a].filter((k) => !b.has(k));
    const onlySys = [...b].filter((k) => !a.has(k));
    add(
      'e820-firmware-memmap',
      ['dmesg', 'firmware-memmap'],
      onlyLog.length || onlySys.length ? 'mismatch' : 'ok',
      onlyLog.length || onlySys.length
        ? `only in the log: ${onlyLog.join(', ') || 'none'}; only in firmware memmap: ${onlySys.join(', ') || 'none'}`
        : `the ${a.size} BIOS-e820 entries equal /sys/firmware/memmap`,
      'warning',
      fileOf(input, 'e820'),
    );
  }

  // 2./3. memblock memory vs iomem and e820, in whole pages (memblock keeps partial pages; the pfn walks drop them).
  const memFromIomem = kindOf(input, 'memory') === 'iomem';
  if (memory.length && iomemRam && !memFromIomem) {
    compareRam(
      'memory-iomem',
      'memory',
      pageRanges(mappedMemory, shift),
      'iomem',
      pageRanges(iomemRam, shift),
      fileOf(input, 'memory'),
    );
  } else
    add(
      'memory-iomem',
      ['memory', 'iomem'],
      'skipped',
      memFromIomem ? 'memory was derived from iomem' : 'needs memblock memory and a readable iomem',
    );
  if (memory.length && e820Ram.length && !memFromIomem) {
    compareRam(
      'memory-e820',
      'memory',
      pageRanges(memory, shift),
      'e820',
      pageRanges(e820Ram, shift),
      fileOf(input, 'memory'),
    );
  } else
    add(
      'memory-e820',
      ['memory', 'e820'],
      'skipped',
      memFromIomem ? 'memory was derived from iomem' : 'needs memblock memory and an e820 map',
    );

  // 4./5. per node: present pages and span from memblock memory vs /proc/zoneinfo (calculate_node_totalpages()).
  const nids = [...new Set(input.memory.map((r) => r.nid).filter((n): n is number => n !== null))].sort(
    (a, b) => a - b,
  );
  if (nids.length && input.zoneinfo.length) {
    const present: string[] = [];
    const span: string[] = [];
    for (const nid of nids) {
      const regions = input.memory.filter((r) => r.nid === nid);
      const memPages = regions.reduce((n, r) => n + pagesIn(r, shift), 0);
      const zones = input.zoneinfo.filter((z) => z.nid === nid && z.spanned > 0);
      const ziPresent = zones.reduce((n, z) => n + z.present, 0);
      if (memPages !== ziPresent)
        present.push(`node ${nid}: memory ${memPages} pages, zoneinfo present ${ziPresent}`);
      if (zones.length) {
        const size = 2 ** shift;
        const memStart = Math.min(...regions.map((r) => Math.ceil(r.start / size)));
        const memEnd = Math.max(...regions.map((r) => Math.floor(r.end / size)));
        const ziStart = Math.min(...zones.map((z) => z.startPfn));
        const ziEnd = Math.max(...zones.map((z) => z.startPfn + z.spanned));
        if (memStart !== ziStart || memEnd !== ziEnd) {
          span.push(`node ${nid}: memory pfns [${memStart}, ${memEnd}), zones [${ziStart}, ${ziEnd})`);
        }
      }
    }
    const between = [kindOf(input, 'memory'), 'zoneinfo'];
    add(
      'memory-zoneinfo',
      between,
      present.length ? 'mismatch' : 'ok',
      present.length ? present.join('; ') : `present pages agree on ${nids.length} node(s)`,
      'warning',
      fileOf(input, 'zoneinfo'),
    );
    add(
      'nodespan-zoneinfo',
      between,
      span.length ? 'mismatch' : 'ok',
      span.length ? span.join('; ') : `node spans agree with the zone spans on ${nids.length} node(s)`,
      'warning',
      fileOf(input, 'zoneinfo'),
    );
  } else {
    add('memory-zoneinfo', ['memory', 'zoneinfo'], 'skipped', 'needs memory with node ids and zoneinfo');
    add('nodespan-zoneinfo', ['memory', 'zoneinfo'], 'skipped', 'needs memory with node ids and zoneinfo');
  }

  // 6. zones as printed at boot (`Zone ranges:`) must hold each zoneinfo zone's span; Movable is printed apart.
  if (input.zoneRanges.length && input.zoneinfo.length) {
    const bad: string[] = [];
    for (const z of input.zoneinfo) {
      if (z.spanned === 0 || z.zone === 'Movable') continue;
      const pr = input.zoneRanges.find((r) => r.zone === z.zone);
      const s = z.startPfn * 2 ** shift;
      const e = (z.startPfn + z.spanned) * 2 ** shift;
      if (!pr || pr.start === null || pr.end === null || s < pr.start || e > pr.end) {
        bad.push(`node ${z.nid} ${z.zone} ${formatMemRange(s, e)} is outside the printed ${z.zone} range`);
      }
    }
    add(
      'zoneranges-zoneinfo',
      ['dmesg', 'zoneinfo'],
      bad.length ? 'mismatch' : 'ok',
      bad.length ? bad.join('; ') : 'every populated zone lies in its printed zone range',
      'warning',
      fileOf(input, 'zoneinfo'),
    );
  } else
    add(
      'zoneranges-zoneinfo',
      ['dmesg', 'zoneinfo'],
      'skipped',
      'needs `Zone ranges:` from dmesg and zoneinfo',
    );

  // 7. `Movable zone start for each node` vs the Movable zone's start_pfn.
  const movable = input.zoneinfo.filter((z) => z.zone === 'Movable' && z.spanned > 0);
  if (Object.keys(input.movableZoneStart).length || (movable.length && input.zoneRanges.length)) {
    const bad: string[] = [];
    for (const z of movable) {
      const printed = input.movableZoneStart[z.nid];
      const s = z.startPfn * 2 ** shift;
      if (printed !== s)
        bad.push(
          `node ${z.nid}: zoneinfo Movable starts at ${s.toString(16)}, dmesg says ${printed === undefined ? 'nothing' : printed.toString(16)}`,
        );
    }
    add(
      'movable-zoneinfo',
      ['dmesg', 'zoneinfo'],
      bad.length ? 'mismatch' : 'ok',
      bad.length ? bad.join('; ') : `Movable starts agree on ${movable.length} node(s)`,
      'warning',
      fileOf(input, 'zoneinfo'),
    );
  }

  // 8. nodeN/meminfo MemTotal is the node's managed pages (si_meminfo_node()); both are read late, after boot.
  const withTotal = input.nodes.filter((n) => n.memTotalBytes !== undefined);
  if (withTotal.length && input.zoneinfo.length) {
    const bad: string[] = [];
    for (const n of withTotal) {
      const managed =
        input.zoneinfo.filter((z) => z.nid === n.nid).reduce((s, z) => s + z.managed, 0) * 2 ** shift;
      if (managed !== n.memTotalBytes)
        bad.push(
          `node ${n.nid}: MemTotal ${formatBytes(n.memTotalBytes!)}, zoneinfo managed ${formatBytes(managed)}`,
        );
    }
    // the two files are read moments apart and managed pages move (balloon, hotplug, freed initmem): info only
    add(
      'meminfo-zoneinfo',
      ['node-meminfo', 'zoneinfo'],
      bad.length ? 'mismatch' : 'ok',
      bad.length ? bad.join('; ') : `MemTotal equals managed pages on ${withTotal.length} node(s)`,
      'info',
    );
  }

  // 8b. /proc/buddyinfo lists exactly the populated zones (mm/vmstat.c walk_zones_in_node(), populated_zone():
  // present_pages != 0), and its free blocks add up to zoneinfo's `pages free` (NR_FREE_PAGES) up to what
  // moved between the two reads.
  if (input.buddyinfo.length && input.zoneFree.length) {
    const key = (x: { nid: number; zone: string }): string => `${x.nid}:${x.zone}`;
    const populated = input.zoneFree.filter((z) => (z.present ?? 0) > 0).map(key);
    const listed = input.buddyinfo.map(key);
    const missing = populated.filter((k) => !listed.includes(k));
    const extra = listed.filter((k) => !populated.includes(k));
    add(
      'buddyinfo-zones',
      ['buddyinfo', 'zoneinfo'],
      missing.length || extra.length ? 'mismatch' : 'ok',
      missing.length || extra.length
        ? `populated zones without a buddyinfo row: ${missing.join(' ') || 'none'}; buddyinfo rows for unpopulated zones: ${extra.join(' ') || 'none'}`
        : `buddyinfo has a row for each of the ${listed.length} populated zones`,
      'warning',
      fileOf(input, 'buddyinfo'),
    );
    // pages move between the per-cpu lists and the buddy lists in batches while the two files are read:
    // a drift below FREE_DRIFT_PAGES (or 1%) is that, not a disagreement
    const diffs: string[] = [];
    const drift: string[] = [];
    for (const b of input.buddyinfo) {
      const z = input.zoneFree.find((x) => x.nid === b.nid && x.zone === b.zone);
      if (!z || z.pagesFree === null || z.pagesFree === b.freePages) continue;
      const d = `node ${b.nid} ${b.zone}: buddyinfo ${b.freePages} free pages, zoneinfo ${z.pagesFree}`;
      if (Math.abs(z.pagesFree - b.freePages) <= Math.max(FREE_DRIFT_PAGES, z.pagesFree / 100)) drift.push(d);
      else diffs.push(d);
    }
    add(
      'buddyinfo-free',
      ['buddyinfo', 'zoneinfo'],
      diffs.length ? 'mismatch' : 'ok',
      diffs.length
        ? `${diffs.join('; ')} (read moments apart)`
        : drift.length
          ? `free pages agree up to drift between the reads (${drift.join('; ')})`
          : 'free pages per zone agree',
      'info',
    );
  }

  // 8c. pagetypeinfo: its free counts summed over migrate types are buddyinfo's (same free_area[], read moments
  // apart; counts capped at 100000 are skipped), and each zone's pageblocks cover its present pages
  // (pagetypeinfo_showblockcount_print() counts the pageblocks that have an online page of the zone).
  const pti = input.pagetypeinfo;
  if (pti && pti.free.length && input.buddyinfo.length) {
    const bad: string[] = [];
    for (const b of input.buddyinfo) {
      const rows = pti.free.filter((r) => r.nid === b.nid && r.zone === b.zone);
      if (!rows.length || rows.some((r) => r.capped.some(Boolean))) continue;
      let pages = 0;
      for (const r of rows) r.freeBlocks.forEach((n, order) => (pages += n * 2 ** order));
      if (Math.abs(pages - b.freePages) > Math.max(FREE_DRIFT_PAGES, b.freePages / 100)) {
        bad.push(`node ${b.nid} ${b.zone}: pagetypeinfo ${pages} free pages, buddyinfo ${b.freePages}`);
      }
    }
    add(
      'pagetypeinfo-buddyinfo',
      ['pagetypeinfo', 'buddyinfo'],
      bad.length ? 'mismatch' : 'ok',
      bad.length ? bad.join('; ') : 'free pages per zone agree',
      'info',
    );
  }
  if (pti && pti.pagesPerBlock && pti.blocks.length && input.zoneinfo.length) {
    const bad: string[] = [];
    const per = pti.pagesPerBlock;
    for (const r of pti.blocks.filter((x) => x.table === 'blocks')) {
      const z = input.zoneinfo.find((x) => x.nid === r.nid && x.zone === r.zone);
      if (!z) continue;
      const covered = Object.values(r.blocks).reduce((n, v) => n + v, 0) * per;
      // at least the present pages, at most the span rounded out to whole pageblocks at both ends
      if (covered < z.present || covered > Math.ceil(z.spanned / per) * per + per) {
        bad.push(`node ${r.nid} ${r.zone}: ${covered / per} pageblocks for ${z.present} present pages`);
      }
    }
    add(
      'pagetypeinfo-zoneinfo',
      ['pagetypeinfo', 'zoneinfo'],
      bad.length ? 'mismatch' : 'ok',
      bad.length ? bad.join('; ') : 'pageblocks per zone cover the present pages',
      'warning',
      fileOf(input, 'pageblockOrder'),
    );
  }

  // 9. memory block nodes (sysfs) vs the node ids of memblock memory.
  if (input.blockRuns && nids.length && kindOf(input, 'memory') !== 'iomem') {
    const bad: string[] = [];
    for (const r of input.memory) {
      if (r.nid === null) continue;
      for (const run of input.blockRuns) {
        if (run.start < r.end && r.start < run.end && run.nid !== null && run.nid !== r.nid) {
          bad.push(
            `${formatMemRange(Math.max(r.start, run.start), Math.min(r.end, run.end))}: memory says node ${r.nid}, memory blocks node ${run.nid}`,
          );
        }
      }
    }
    add(
      'memory-blocks',
      [kindOf(input, 'memory'), 'memory-block-table'],
      bad.length ? 'mismatch' : 'ok',
      bad.length ? bad.slice(0, 5).join('; ') : 'memory block nodes agree with memblock node ids',
      'warning',
    );
  }

  // 9b. an online memory block's valid_zones names the one zone it lies in (drivers/base/memory.c
  // valid_zones_show(); `none` when it spans zones), which must agree with that zone's span in zoneinfo.
  const zoned = input.blocks.filter((b) => b.validZones.length === 1 && b.validZones[0] !== 'none');
  if (zoned.length && input.zoneinfo.length) {
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
    add(
      'memory-blocks-zones',
      ['memory-block-table', 'zoneinfo'],
      bad.length ? 'mismatch' : 'ok',
      bad.length
        ? `${bad.length} block(s) outside the zone they name: ${bad.slice(0, 4).join('; ')}${bad.length > 4 ? '; ...' : ''}`
        : `${zoned.length} memory block(s) lie in the zone their valid_zones names`,
      'warning',
      fileOf(input, 'zoneinfo'),
    );
  }

  // 10. `Early memory node ranges` (for_each_mem_pfn_range() in free_area_init()) vs the memory regions taken
  // from another source: same ranges, same nodes, in whole pages.
  const memKind = kindOf(input, 'memory');
  if (
    input.nodeRanges.length &&
    memory.length &&
    memKind !== 'dmesg-early-node-ranges' &&
    memKind !== 'iomem'
  ) {
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
      if (onlyA.length || onlyB.length) {
        bad.push(
          `node ${nid ?? '?'}: only in node ranges ${describe(onlyA)}; only in ${memKind} ${describe(onlyB)}`,
        );
      }
    }
    add(
      'noderanges-memory',
      ['dmesg', memKind],
      bad.length ? 'mismatch' : 'ok',
      bad.length ? bad.join('; ') : `node ranges and ${memKind} agree`,
      'warning',
      fileOf(input, 'nodeRanges'),
    );
  }

  // 11. ACPI SRAT (firmware's node affinity) vs memblock memory per node: RAM on a node SRAT does not give it,
  // or SRAT RAM that never reached memblock. SRAT ranges span firmware holes, so only SRAT inside the e820 RAM
  // counts when there is an e820 map; without one (arm64, riscv) small holes are expected and only a loss of
  // SRAT_MISSING_BYTES or more is reported.
  if (input.srat.length && nids.length) {
    const bad: string[] = [];
    let holes = 0;
    for (const nid of [...new Set([...nids, ...input.srat.map((r) => r.nid)])].sort((a, b) => a - b)) {
      let srat = normalizeRanges(input.srat.filter((r) => r.nid === nid));
      if (e820Ram.length) srat = intersectRanges(srat, e820Ram);
      const mem = normalizeRanges(input.memory.filter((r) => r.nid === nid));
      const notInSrat = pageRanges(
        subtractRanges(mem, normalizeRanges(input.srat.filter((r) => r.nid === nid))),
        shift,
      );
      const notInMem = pageRanges(subtractRanges(srat, mem), shift);
      if (notInSrat.length)
        bad.push(`node ${nid}: memblock memory outside its SRAT ranges, ${describe(notInSrat)}`);
      const bytes = notInMem.reduce((n, r) => n + r.end - r.start, 0);
      if (bytes >= SRAT_MISSING_BYTES) {
        bad.push(
          `node ${nid}: SRAT memory missing from memblock (dropped at boot, or hot-pluggable), ${describe(notInMem)}`,
        );
      } else holes += bytes;
    }
    add(
      'srat-memory',
      ['dmesg-srat', memKind],
      bad.length ? 'mismatch' : 'ok',
      bad.length
        ? bad.join('; ')
        : `memblock memory matches SRAT on ${nids.length} node(s)${holes ? ` (${formatBytes(holes)} of SRAT ranges are firmware holes)` : ''}`,
      'warning',
      fileOf(input, 'memory'),
    );
  }

  // 12. DEFERRED_STRUCT_PAGE_INIT vs `node N deferred pages initialised` lines.
  const deferredCfg = input.config['CONFIG_DEFERRED_STRUCT_PAGE_INIT'];
  if (deferredCfg !== undefined && input.deferredInitLines !== null) {
    const on = deferredCfg === 'y';
    const ok = on === input.deferredInitLines > 0;
    add(
      'config-deferred',
      ['kconfig', 'dmesg'],
      ok ? 'ok' : 'mismatch',
      ok
        ? `CONFIG_DEFERRED_STRUCT_PAGE_INIT=${deferredCfg} and ${input.deferredInitLines} deferred-init line(s)`
        : `CONFIG_DEFERRED_STRUCT_PAGE_INIT=${deferredCfg} but ${input.deferredInitLines} deferred-init line(s) in the log`,
      on ? 'info' : 'warning',
    );
  }

  // 13. /proc/cmdline vs `Kernel command line:` (boot loaders may append initrd= or BOOT_IMAGE=).
  if (input.cmdlineFile !== null && input.cmdlineDmesg !== null) {
    const a = input.cmdlineFile.trim().split(/\s+/).join(' ');
    const b = input.cmdlineDmesg.trim().split(/\s+/).join(' ');
    add(
      'cmdline-dmesg',
      ['cmdline', 'dmesg'],
      a === b ? 'ok' : 'mismatch',
      a === b ? 'the command lines agree' : `/proc/cmdline "${a}" but the log says "${b}"`,
      'info',
    );
  }
  return checks;
}
