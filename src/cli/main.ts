// The one place that catches, prints and chooses the exit code (DESIGN.md, Errors and exit codes):
// 0 clean, 1 error findings, 2 usage, 3 unreadable or invalid trace, 70 internal error.
import { CommanderError } from 'commander';
import { TraceError, UsageError } from '../core/index.js';
import type { Output } from './io.js';
import { processOutput } from './io.js';
import { buildProgram, VERSION } from './program.js';
import type { CliContext } from './context.js';

export const EXIT = { OK: 0, FINDINGS: 1, USAGE: 2, TRACE: 3, INTERNAL: 70 } as const;

/** Run the CLI on `argv` (without node and script) and return the exit code. Never throws. */
export async function run(argv: readonly string[], output: Output = processOutput): Promise<number> {
  const ctx: CliContext = { output, exitCode: EXIT.OK };
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0 through commander; everything else it raises is a usage error
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof UsageError) {
      output.err(`kexec-replay: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof TraceError) {
      output.err(`kexec-replay: ${e.message}\n`);
      return EXIT.TRACE;
    }
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    output.err(
      `kexec-replay ${VERSION}: internal error (this is a bug in kexec-replay, not in your trace).\n` +
        `Please report it with this message, the command line and the bundle attached.\n${detail}\n`,
    );
    return EXIT.INTERNAL;
  }
}
