// `kexec-replay parse <bundle-dir> [--json] [--stage <name>]`: load a bundle and print the host model it
// gives, where each fact came from, the cross-checks and every diagnostic, before anything is replayed.
import type { Command } from 'commander';
import { parseToJson } from '../../report/parse-json.js';
import { renderParseText } from '../../report/parse-text.js';
import type { CliContext } from '../context.js';
import { finishRun } from '../exit.js';
import { printJson } from '../json.js';
import type { HostFlags } from '../options.js';
import { archOption, helpFooter, hostOptions, pageSizeOption } from '../options.js';
import { startProgress } from '../progress.js';
import { printText, reportWidth } from '../text.js';
import { loadHostBundle } from '../read-bundle.js';

interface ParseFlags extends HostFlags {
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
    .addOption(archOption())
    .addOption(pageSizeOption())
    .option('--json', 'print the kexec-replay/parse/1 JSON document (schemas/parse.schema.json)')
    .addHelpText(
      'after',
      helpFooter(
        [
          'kexec-replay parse traces/qemu/b-16g-2node',
          'kexec-replay parse traces/qemu/f-16g-2node-kexec --stage stage1-cold-boot --json',
          'kexec-replay parse /proc-copy/zoneinfo.txt      # one captured file is a bundle of one',
        ],
        [
          'Every fact says where it came from: (from <file>:<line> [<kind>]). Files: found by = its name or',
          'its content; lines / unknown = lines read and lines of no known shape (each a located note).',
          'Regions: node, [mem start-end] (bytes, end inclusive as the kernel prints), size, flags',
          '(MEMBLOCK_* bits). Zones (zoneinfo): start_pfn, spanned/present/managed pages. Cross-checks: ok,',
          'mismatch (also a warning note) or skipped (a side is missing).',
        ],
        null,
      ),
    )
    .action(async (dir: string, flags: ParseFlags) => {
      const progress = startProgress(ctx.output, `parse ${dir}`, !flags.json);
      try {
        const host = loadHostBundle(dir, {
          ...(flags.stage !== undefined ? { stage: flags.stage } : {}),
          ...hostOptions(flags),
          onStep: (what) => progress.update(what),
        });
        progress.stop();
        if (flags.json) await printJson(ctx, parseToJson(host, dir));
        else printText(ctx, renderParseText(host, dir, { width: reportWidth(ctx) }));
        finishRun(ctx, { diagnostics: host.diagnostics });
      } finally {
        progress.stop();
      }
    });
}
