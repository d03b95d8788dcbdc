// The one place that catches, prints and chooses the exit code (DESIGN.md, Errors and exit codes):
// 0 clean, 1 error findings, 2 usage, 3 unreadable or invalid trace, 70 internal error (src/cli/exit.ts).
// Every error is one line in one style: `kexec-replay: <what>: <why>`.
import { CommanderError } from 'commander';
import { RequestError, TraceError, UsageError, escapeTerminalText } from '../core/index.js';
import type { Output } from './io.js';
import { processOutput } from './io.js';
import { buildProgram, VERSION } from './program.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit.js';
import { cutLong, formatError, usageMessage } from './errors.js';

export { EXIT };

/** Run the CLI on `argv` (without node and script) and return the exit code. Never throws. */
export async function run(argv: readonly string[], output: Output = processOutput): Promise<number> {
  const ctx: CliContext = { output, exitCode: EXIT.OK };
  try {
    const program = buildProgram(ctx);
    // `help <name>` for a command that does not exist is a mistake, not a request for the whole help
    if (argv[0] === 'help' && argv[1] !== undefined && !program.commands.some((c) => c.name() === argv[1])) {
      throw new UsageError(
        `${formatError(`help ${cutLong(argv[1])}`, `no such command (commands: ${program.commands.map((c) => c.name()).join(', ')})`)}`,
      );
    }
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0 through commander; everything else it raises is a usage error, whose message
      // commander handed to outputError (suppressed) and which is printed here in the house style
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version')
        return EXIT.OK;
      output.err(usageMessage(e.code, e.message) + '\n');
      return EXIT.USAGE;
    }
    // the engine's RequestError (an unknown profile or strategy named by a flag) is the command line's misuse here
    if (e instanceof UsageError || e instanceof RequestError) {
      output.err(`${e.message.startsWith('kexec-replay: ') ? '' : 'kexec-replay: '}${cutLong(e.message)}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof TraceError) {
      output.err(`kexec-replay: ${cutLong(e.message)}\n`);
      return EXIT.TRACE;
    }
    // The stack's message can quote input: escaped, its own newlines kept.
    const detail = escapeTerminalText(e instanceof Error ? (e.stack ?? e.message) : String(e));
    output.err(
      `kexec-replay ${VERSION}: internal error (this is a bug in kexec-replay, not in your trace).\n` +
        `Please report it with this message, the command line and the bundle attached.\n${detail}\n`,
    );
    return EXIT.INTERNAL;
  }
}
