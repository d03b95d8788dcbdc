// commander wiring: one Command, each subcommand registered from commands/<name>.ts.
import { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerCommands } from './commands/index.js';

export const VERSION = '0.1.0';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command();
  program
    .name('kexec-replay')
    .description(
      'Replay the Linux KHO (Kexec HandOver) restore path and early memory init offline, on captured hosts.',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.output.out(s),
      writeErr: (s) => ctx.output.err(s),
    })
    .showHelpAfterError('(run kexec-replay --help for usage)');
  registerCommands(program, ctx);
  return program;
}
