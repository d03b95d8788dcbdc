// `parse --json`: the host model and its diagnostics as a versioned document (schema kexec-replay/parse/1).
import { countDiagnostics } from '../core/index.js';
import type { HostTrace } from '../trace/host-trace.js';

export const PARSE_SCHEMA = 'kexec-replay/parse/1';

export interface ParseDocument {
  readonly schema: typeof PARSE_SCHEMA;
  readonly bundle: string;
  readonly summary: {
    readonly filesRead: number;
    readonly filesNotRead: number;
    readonly unknownLines: number;
    readonly diagnostics: Readonly<Record<string, number>>;
    readonly crossChecks: Readonly<Record<'ok' | 'mismatch' | 'skipped', number>>;
  };
  /** The HostTrace exactly as loadBundle() built it (addresses in bytes, [start, end)). */
  readonly host: HostTrace;
}

export function parseToJson(host: HostTrace, bundle: string): ParseDocument {
  const files = host.files ?? [];
  const checks = { ok: 0, mismatch: 0, skipped: 0 };
  for (const c of host.crossChecks ?? []) checks[c.status]++;
  return {
    schema: PARSE_SCHEMA,
    bundle,
    summary: {
      filesRead: files.filter((f) => f.used).length,
      filesNotRead: files.filter((f) => !f.used).length,
      unknownLines: files.reduce((n, f) => n + (f.used ? (f.unknownLines ?? 0) : 0), 0),
      diagnostics: countDiagnostics(host.diagnostics),
      crossChecks: checks,
    },
    host,
  };
}
