// Exit codes and the one rule that turns a command's result into one (README "exit" table, DESIGN.md Errors):
// every command, present and future, ends through exitCodeFor() so that "exit 1" and "exit 3" mean the same thing
// whichever command printed the report.
import { Option } from 'commander';
import type { Diagnostic, Severity } from '../core/index.js';
import { formatLocation } from '../core/index.js';
import type { CliContext } from './context.js';
import { cutLong } from './errors.js';

export const EXIT = {
  OK: 0,
  /** A finding at or above --fail-on (default: error), a FAIL verdict, a failed regression check. */
  FINDINGS: 1,
  USAGE: 2,
  /** Unreadable or invalid input: a TraceError, or a note at error severity (part of the input was rejected). */
  TRACE: 3,
  INTERNAL: 70,
  /** 128 + the signal number, as a shell reports a process ended by SIGINT / SIGTERM. */
  SIGINT: 130,
  SIGTERM: 143,
} as const;

export const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** `--fail-on <severity>`, the same option on every command that reports findings. */
export function failOnOption(): Option {
  return new Option(
    '--fail-on <severity>',
    'exit 1 when a finding is at or above this severity (never: only invalid input fails)',
  )
    .choices(FAIL_ON)
    .default('error');
}

/** Whether a finding of this severity fails the run under --fail-on. */
export function fails(severity: Severity, failOn: FailOn = 'error'): boolean {
  return failOn !== 'never' && RANK[severity] >= RANK[failOn];
}

export interface RunOutcome {
  /** Severities of the findings (or of the failing verdicts, as 'error'). */
  readonly findings?: readonly Severity[];
  /** Every note of the run: the loader's, the decoder's, the replay's. */
  readonly diagnostics?: readonly Diagnostic[];
  readonly failOn?: FailOn;
}

/**
 * 3 when a note is at error severity (a file was binary, a value above 2^53, a subtree could not be read: the
 * report is printed, but it rests on input that was partly rejected, so it is not a clean run), else 1 when a
 * finding is at or above --fail-on, else 0.
 */
export function exitCodeFor(r: RunOutcome): number {
  if (r.diagnostics?.some((d) => d.severity === 'error')) return EXIT.TRACE;
  if (r.findings?.some((s) => fails(s, r.failOn))) return EXIT.FINDINGS;
  return EXIT.OK;
}

/**
 * Set the command's exit code (exitCodeFor) and, when a note at error severity makes it 3, say so on stderr in the
 * house style, one line, so that a run under --json or in CI shows why it failed.
 */
export function finishRun(ctx: CliContext, r: RunOutcome): void {
  ctx.exitCode = exitCodeFor(r);
  if (ctx.exitCode !== EXIT.TRACE) return;
  const errors = (r.diagnostics ?? []).filter((d) => d.severity === 'error');
  const d = errors[0]!;
  const where = d.location ? `${formatLocation(d.location)}: ` : '';
  const more = errors.length > 1 ? `; ${errors.length - 1} more error note(s)` : '';
  ctx.output.err(
    `kexec-replay: ${cutLong(`${where}${d.code}: ${d.message}`)} (input partly rejected: the report covers the rest${more})\n`,
  );
}

/** The README's exit table, for each command's --help; `one` is what exit 1 means for the command. */
export function exitCodesHelp(
  one: string | null = 'a finding at or above --fail-on (default error), or a FAIL verdict',
): string {
  return [
    'Exit codes:',
    '  0    clean',
    ...(one ? [`  1    ${one}`] : []),
    '  2    usage error',
    '  3    unreadable or invalid input (also: a note at error severity)',
    '  70   internal error (a bug in kexec-replay)',
    '  130  interrupted (SIGINT, Ctrl-C); 143 terminated (SIGTERM)',
  ].join('\n');
}

export const EXIT_CODES_HELP = exitCodesHelp();
