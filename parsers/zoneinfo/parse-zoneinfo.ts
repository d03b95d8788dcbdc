// /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print(), 6.1; and the pre-4.8 per-zone layout): per node and zone
// the counters the replay checks (spanned, present, managed, start_pfn) and the rest as name -> value.
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink, TraceError } from '../../src/core/index.js';
import * as P from './patterns.js';

export interface ZoneinfoZone {
  readonly nid: number;
  /** Zone name as printed (`DMA`, `DMA32`, `Normal`, `HighMem`, `Movable`, `Device`). */
  readonly zone: string;
  /** 1-based line of the `Node N, zone Z` header. */
  readonly line: number;
  readonly pagesFree: number | null;
  readonly spanned: number | null;
  readonly present: number | null;
  readonly managed: number | null;
  /** `start_pfn:`; null when not printed (the kernel prints it only for populated zones). */
  readonly startPfn: number | null;
  /** boost, min, low, high, promo, scanned, cma as printed. */
  readonly fields: Readonly<Record<string, number>>;
  /** lowmem_reserve[] as printed after `protection:`. */
  readonly protection: readonly number[];
  /** Zone counters (`nr_free_pages`, `numa_hit`, ...) as printed. */
  readonly stats: Readonly<Record<string, number>>;
  /** Number of `cpu:` pageset blocks. */
  readonly pagesetCpus: number;
}

export interface Zoneinfo {
  readonly zones: readonly ZoneinfoZone[];
  /** `per-node stats` blocks (4.8+): nid -> counters. Understood, kept, not used by the replay. */
  readonly nodeStats: Readonly<Record<number, Readonly<Record<string, number>>>>;
  /** 'per-node' (4.8+, a `per-node stats` block per node) or 'per-zone' (older kernels). */
  readonly layout: 'per-node' | 'per-zone';
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  readonly diagnostics: readonly Diagnostic[];
}

interface ZoneBuild {
  nid: number;
  zone: string;
  line: number;
  pagesFree: number | null;
  startPfn: number | null;
  fields: Record<string, number>;
  protection: number[];
  stats: Record<string, number>;
  pagesetCpus: number;
}

function num(text: string, file: string, line: number, column: number, field: string): number {
  const v = Number(text);
  if (!Number.isSafeInteger(v)) {
    throw new TraceError({
      code: 'ZONEINFO_ERR_NUMBER',
      location: { file, line, column, field },
      expected: 'a count below 2^53',
      found: text,
    });
  }
  return v;
}

const REQUIRED = ['spanned', 'present', 'managed'] as const;

export function parseZoneinfo(text: string, file: string): Zoneinfo {
  const sink = new DiagnosticSink();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const zones: ZoneBuild[] = [];
  const nodeStats: Record<number, Record<string, number>> = {};
  let cur: ZoneBuild | null = null;
  let inNodeStats = false;
  let parsed = 0;
  let unknown = 0;
  const col = (raw: string, v: string): number => raw.indexOf(v) + 1;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    let m: RegExpExecArray | null;
    if ((m = P.ZONE_HEADER.exec(raw))) {
      cur = {
        nid: num(m[1]!, file, lineNo, 6, 'nid'),
        zone: m[2]!,
        line: lineNo,
        pagesFree: null,
        startPfn: null,
        fields: {},
        protection: [],
        stats: {},
        pagesetCpus: 0,
      };
      zones.push(cur);
      inNodeStats = false;
      parsed++;
      continue;
    }
    if (raw.trim() === '') {
      parsed++;
      continue;
    }
    if (cur === null) {
      unknown++;
      sink.warn('ZONEINFO_UNKNOWN_LINE', `line before the first "Node N, zone Z" header`, {
        file,
        line: lineNo,
        column: 1,
      });
      continue;
    }
    if (P.PER_NODE_STATS.test(raw)) {
      inNodeStats = true;
      nodeStats[cur.nid] ??= {};
      parsed++;
    } else if ((m = P.PAGES_FREE.exec(raw))) {
      inNodeStats = false;
      cur.pagesFree = num(m[1]!, file, lineNo, col(raw, m[1]!), 'pages free');
      parsed++;
    } else if ((m = P.ZONE_FIELD.exec(raw))) {
      cur.fields[m[1]!] = num(m[2]!, file, lineNo, col(raw, m[2]!), m[1]!);
      parsed++;
    } else if ((m = P.PROTECTION.exec(raw))) {
      const parts = m[1]!.split(',').map((s) => s.trim());
      const vals: number[] = [];
      for (const p of parts) {
        if (!/^-?\d+$/.test(p)) {
          vals.length = 0;
          break;
        }
        vals.push(num(p, file, lineNo, col(raw, p), 'protection'));
      }
      if (vals.length !== parts.length) {
        unknown++;
        sink.warn('ZONEINFO_UNKNOWN_LINE', `malformed protection list`, { file, line: lineNo, column: 1 });
        continue;
      }
      cur.protection = vals;
      parsed++;
    } else if ((m = P.STAT_LINE.exec(raw))) {
      const v = num(m[2]!, file, lineNo, col(raw, m[2]!), m[1]!);
      if (inNodeStats) nodeStats[cur.nid]![m[1]!] = v;
      else cur.stats[m[1]!] = v;
      parsed++;
    } else if (P.PAGESETS.test(raw) || P.PCP_FIELD.test(raw) || P.VM_STATS_THRESHOLD.test(raw)) {
      parsed++;
    } else if (P.PCP_CPU.test(raw)) {
      cur.pagesetCpus++;
      parsed++;
    } else if ((m = P.ZONE_TAIL.exec(raw))) {
      const v = num(m[2]!, file, lineNo, col(raw, m[2]!), m[1]!);
      if (m[1] === 'start_pfn') cur.startPfn = v;
      else cur.fields[m[1]!] = v;
      parsed++;
    } else {
      unknown++;
      sink.warn('ZONEINFO_UNKNOWN_LINE', `not a zoneinfo line: ${JSON.stringify(raw.slice(0, 80))}`, {
        file,
        line: lineNo,
        column: 1,
      });
    }
  }

  const out: ZoneinfoZone[] = zones.map((z) => {
    for (const f of REQUIRED) {
      if (z.fields[f] === undefined) {
        sink.warn(
          'ZONEINFO_FIELD_MISSING',
          `Node ${z.nid}, zone ${z.zone} has no "${f}" line (truncated file?)`,
          {
            file,
            line: z.line,
            column: 1,
          },
        );
      }
    }
    const { spanned, present, managed, ...rest } = z.fields;
    return {
      nid: z.nid,
      zone: z.zone,
      line: z.line,
      pagesFree: z.pagesFree,
      spanned: spanned ?? null,
      present: present ?? null,
      managed: managed ?? null,
      startPfn: z.startPfn,
      fields: rest,
      protection: z.protection,
      stats: z.stats,
      pagesetCpus: z.pagesetCpus,
    };
  });
  return {
    zones: out,
    nodeStats,
    layout: Object.keys(nodeStats).length > 0 ? 'per-node' : 'per-zone',
    totalLines: lines.length,
    parsedLines: parsed,
    unknownLines: unknown,
    diagnostics: sink.items,
  };
}
