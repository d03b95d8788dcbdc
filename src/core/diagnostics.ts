// Diagnostics are data (DESIGN.md): parsers return them, reports count and print them, nothing drops them.
import type { SourceLocation } from './errors.js';
import { formatLocation } from './errors.js';

export type Severity = 'info' | 'warning' | 'error';

export interface Diagnostic {
  /** Stable code, e.g. DMESG_UNKNOWN_LINE, KHO_BITMAP_FORMAT, XCHECK_E820_MEMBLOCK. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly location?: SourceLocation;
}

/** A small collector that parsers thread through their work. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  add(code: string, severity: Severity, message: string, location?: SourceLocation): void {
    this.items.push(location ? { code, severity, message, location } : { code, severity, message });
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
  return `${where}${d.severity}: ${d.code}: ${d.message}`;
}

/** Counts per code, for summaries: `{ DMESG_UNKNOWN_LINE: 12 }`. */
export function countDiagnostics(ds: readonly Diagnostic[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of ds) out[d.code] = (out[d.code] ?? 0) + 1;
  return out;
}
