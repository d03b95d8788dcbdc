// Bad input is the user's, not a bug (DESIGN.md, Errors): a TraceError carries a stable code and a location.
import { escapeTerminal } from './escape.js';

/** Where in an input a problem was found. Binary inputs use `offset` (and `field`); text inputs `line`/`column`. */
export interface SourceLocation {
  /** Display name of the input, usually the path the user gave. */
  readonly file: string;
  /** Byte offset into the file, for binary inputs. */
  readonly offset?: number;
  /** The field or structure path at that offset, kernel spelling: `chunk[3].hdr.next`, `fdt_header.magic`. */
  readonly field?: string;
  /** 1-based line, for text inputs. */
  readonly line?: number;
  /** 1-based column, for text inputs. */
  readonly column?: number;
}

/** Render a location the way the CLI prints it: `file: offset 0x1f8 (chunk[3].hdr.next)` or `file:14:1`. */
export function formatLocation(loc: SourceLocation): string {
  // File names and fields (FDT node paths, property names) come from the input: escaped, one line.
  return escapeTerminal(formatLocationRaw(loc));
}

function formatLocationRaw(loc: SourceLocation): string {
  if (loc.line !== undefined) {
    const col = loc.column !== undefined ? `:${loc.column}` : '';
    const field = loc.field !== undefined ? ` (${loc.field})` : '';
    return `${loc.file}:${loc.line}${col}${field}`;
  }
  if (loc.offset !== undefined) {
    const field = loc.field !== undefined ? ` (${loc.field})` : '';
    return `${loc.file}: offset 0x${loc.offset.toString(16)}${field}`;
  }
  return loc.field !== undefined ? `${loc.file} (${loc.field})` : loc.file;
}

export interface TraceErrorInit {
  readonly code: string;
  readonly location: SourceLocation;
  readonly expected: string;
  readonly found: string;
}

/**
 * An unreadable or invalid trace. The CLI prints `message` as one line and exits 3.
 * Codes are stable, upper snake case, prefixed by the format: FDT_ERR_*, ELF_ERR_*, KHO_ERR_*, TRACE_ERR_*.
 */
export class TraceError extends Error {
  override readonly name = 'TraceError';
  readonly code: string;
  readonly location: SourceLocation;
  readonly expected: string;
  readonly found: string;

  constructor(init: TraceErrorInit) {
    // `found` quotes the input (a node name, a line): the message is escaped so it prints as one line.
    super(
      escapeTerminal(
        `${formatLocation(init.location)}: ${init.code}: expected ${init.expected}, found ${init.found}`,
      ),
    );
    this.code = init.code;
    this.location = init.location;
    this.expected = init.expected;
    this.found = init.found;
  }
}

/**
 * A command-line misuse (exit 2): missing bundle directory, conflicting flags, a name no flag accepts. Raised only
 * in src/cli; the engine raises RequestError, which the CLI turns into this.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The engine was asked for something it does not have or cannot do: an unknown kernel profile, strategy or mm
 * profile, a stage the bundle has no folder for, a cost rate that is no rate. The caller's request is wrong, not
 * the input (TraceError) and not the engine (InternalError). src/sim, src/trace, src/check and src/cost raise it;
 * src/cli/main.ts prints it as the usage error it is there (exit 2).
 */
export class RequestError extends Error {
  override readonly name = 'RequestError';
}

export function isTraceError(e: unknown): e is TraceError {
  return e instanceof TraceError;
}

/**
 * An engine invariant broke (a phase ran out of order, a column lost its sort): a bug in kexec-replay, never the
 * user's input. The CLI prints it as a bug with what to attach and exits 70.
 */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}
