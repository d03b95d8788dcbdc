// `kexec-replay parse <bundle-dir> [--json] [--stage <name>]`: load a bundle and print the host model it
// gives, where each fact came from, the cross-checks and every diagnostic, before anything is replayed.
import type { Command } from 'commander';
import { parseToJson } from '../../report/parse-json.js';
import { renderParseText } from '../../report/parse-text.js';
import type { CliContext } from '../context.js';
import { loadHostBundle } from '../read-bundle.js';
import { startSpinner } from '../spinner.js';

interface ParseFlags {
  json?: boolean;
  stage?: string;
}

export function registerParse(program: Command, ctx: CliContext): void {
  program
    .command('parse')
    .description(
      'show the host model a bundle gives: memory, nodes, zones, e820, sources, cross-checks, diagnostics',
    )
    .argument('<bundle-dir>', 'trace bundle directory (or one captured file)')
    .option('--stage <name>', 'for a bundle with stage folders: which stage to load (default: the last)')
    .option('--json', 'print the kexec-replay/parse/1 JSON document')
    .action((dir: string, flags: ParseFlags) => {
      const spinner = startSpinner(ctx.output, `reading ${dir}`);
      try {
        const host = loadHostBundle(dir, {
          ...(flags.stage !== undefined ? { stage: flags.stage } : {}),
          onStep: (what) => spinner.update(what),
        });
        spinner.stop();
        ctx.output.out(
          flags.json ? JSON.stringify(parseToJson(host, dir), null, 2) + '\n' : renderParseText(host, dir),
        );
      } finally {
        spinner.stop();
      }
    });
}
