// Diagnostics are data (DESIGN.md): parsers return them, reports count and print them, nothing drops them.
import type { SourceLocation } from './errors.js';
import { formatLocation } from './errors.js';
import { escapeTerminal } from './escape.js';
import { LIMITS } from './limits.js';

export type Severity = 'info' | 'warning' | 'error';

export interface Diagnostic {
  /** Stable code, e.g. DMESG_UNKNOWN_LINE, KHO_BITMAP_FORMAT, XCHECK_E820_MEMBLOCK. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly location?: SourceLocation;
  /**
   * How many occurrences this entry stands for when more than one (a sink keeps the first
   * LIMITS.DIAGNOSTICS_KEPT_PER_CODE of a code and folds the rest into one entry with their count).
   */
  readonly count?: number;
}

/**
 * A small collector that parsers thread through their work. A file of millions of junk lines must end in a
 * count, not in one object per line (issue 13: 3M unknown lines kept 590 MB; 60 MB of them ran V8 out of
 * memory): the first LIMITS.DIAGNOSTICS_KEPT_PER_CODE diagnostics of each code are kept whole, the rest are
 * counted and appear in `items` as one entry per code carrying `count`. Nothing is dropped from the counts.
 */
export class DiagnosticSink {
  /**
   * Live: callers may hold it while the sink still grows. Kept diagnostics in order, and at the place the cap was
   * first passed for a code, that code's one folded entry, whose `count` keeps growing.
   */
  readonly items: Diagnostic[] = [];
  private readonly perCode = new Map<string, number>();
  private readonly folded = new Map<string, { count: number }>();

  add(code: string, severity: Severity, message: string, location?: SourceLocation): void {
    const n = this.perCode.get(code) ?? 0;
    this.perCode.set(code, n + 1);
    if (n < LIMITS.DIAGNOSTICS_KEPT_PER_CODE) {
      this.items.push(location ? { code, severity, message, location } : { code, severity, message });
      return;
    }
    const f = this.folded.get(code);
    if (f) {
      f.count++;
      return;
    }
    const entry = {
      code,
      severity,
      message: `more ${code} past the first ${LIMITS.DIAGNOSTICS_KEPT_PER_CODE}: counted, not listed one by one`,
      count: 1,
    };
    this.folded.set(code, entry);
    this.items.push(entry);
  }
  info(code: string, message: string, location?: SourceLocation): void {
    this.add(code, 'info', message, location);
  }
  warn(code: string, message: string, location?: SourceLocation): void {
    this.add(code, 'warning', message, location);
  }
  error(code: string, message: string, location?: SourceLocation): void {
    this.add(code, 'error', message, location);
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location ? `${formatLocation(d.location)}: ` : '';
  const times = d.count !== undefined && d.count > 1 ? ` (${d.count} of them)` : '';
  return `${where}${d.severity}: ${d.code}: ${escapeTerminal(d.message)}${times}`;
}

/** Counts per code, for summaries: `{ DMESG_UNKNOWN_LINE: 12 }`. */
export function countDiagnostics(ds: readonly Diagnostic[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of ds) out[d.code] = (out[d.code] ?? 0) + (d.count ?? 1);
  return out;
}

/** How many diagnostics `ds` stands for: folded entries count for their `count`. */
export function totalDiagnostics(ds: readonly Diagnostic[]): number {
  let n = 0;
  for (const d of ds) n += d.count ?? 1;
  return n;
}
