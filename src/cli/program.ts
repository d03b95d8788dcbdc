// commander wiring: one Command, each subcommand registered from commands/<name>.ts.
import { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerCommands } from './commands/index.js';
import { EXIT_CODES_HELP } from './exit.js';
import { allLabels } from '../report/glossary.js';
import { DEFAULT_WIDTH } from './io.js';

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
      // commander's error text is printed by main.ts in the house style (one line, `kexec-replay: what: why`)
      outputError: () => undefined,
      getOutHelpWidth: () => ctx.output.width ?? DEFAULT_WIDTH,
      getErrHelpWidth: () => ctx.output.width ?? DEFAULT_WIDTH,
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      [
        '',
        'Run `kexec-replay <command> --help` for examples and the options of each command.',
        'A bundle is a directory of files copied off a host (dmesg.txt, iomem.txt, zoneinfo.txt, kho/fdt, ...).',
        '',
        EXIT_CODES_HELP,
        '',
        'Source labels (profiles and strategies cite the kernel trees they follow by these):',
        ...allLabels(),
        '',
      ].join('\n'),
    );
  registerCommands(program, ctx);
  // every subcommand prints its usage errors the same way (main.ts), none of them on its own
  for (const c of program.commands) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}
