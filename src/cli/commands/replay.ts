// `kexec-replay replay <bundle-dir> [--deferred on|off] [--json]`: load a bundle, replay its early memory init,
// print nodes, zones, the deferred boundary and per-phase struct-page counts.
import type { Command } from 'commander';
import * as path from 'node:path';
import { UsageError } from '../../core/index.js';
import { renderReplayText } from '../../report/replay-text.js';
import { replayToJson } from '../../report/replay-json.js';
import type { ReplayOptions } from '../../sim/index.js';
import { replay } from '../../sim/index.js';
import { loadBundle } from '../../trace/index.js';
import type { HostTrace } from '../../trace/index.js';
import type { CliContext } from '../context.js';
import { isDirectory, listFiles, readBytes } from '../io.js';
import { startSpinner } from '../spinner.js';

interface ReplayFlags {
  deferred?: string;
  json?: boolean;
  mm?: string;
  stage?: string;
}

/** CPUs per node from the bundle's node sysfs files, for the deferred-init thread count. */
function cpusPerNode(host: HostTrace): Record<number, number> | undefined {
  const nodes = host.nodes;
  if (!nodes || nodes.length === 0) return undefined;
  const out: Record<number, number> = {};
  for (const n of nodes) if (n.cpus) out[n.nid] = n.cpus.reduce((s, r) => s + r.last - r.first + 1, 0);
  return out;
}

export function registerReplay(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description(
      "replay a bundle's early memory init: nodes, zones, first_deferred_pfn, struct pages per phase",
    )
    .argument('<bundle-dir>', 'trace bundle directory')
    .option(
      '--deferred <on|off>',
      'force DEFERRED_STRUCT_PAGE_INIT on or off (default: from the kernel config)',
    )
    .option(
      '--mm <profile>',
      'mm behaviour: linux-6.1, linux-6.7, linux-6.18 (default: from the kernel release)',
    )
    .option('--stage <name>', 'for a bundle with stage folders: which stage to load')
    .option('--json', 'print the kexec-replay/replay/1 JSON document')
    .action((dir: string, flags: ReplayFlags) => {
      if (flags.deferred !== undefined && flags.deferred !== 'on' && flags.deferred !== 'off') {
        throw new UsageError(`--deferred takes on or off, not '${flags.deferred}'`);
      }
      if (!isDirectory(dir)) throw new UsageError(`${dir} is not a directory (a trace bundle)`);
      const spinner = startSpinner(ctx.output, `reading ${dir}`);
      try {
        const files: Record<string, Uint8Array> = {};
        for (const f of listFiles(dir)) files[f] = readBytes(path.join(dir, f));
        spinner.update('loading the bundle');
        const host = loadBundle(files, { displayRoot: dir, ...(flags.stage ? { stage: flags.stage } : {}) });
        spinner.update('replaying');
        const cpus = cpusPerNode(host);
        const opts: ReplayOptions = {
          deferred: (flags.deferred as 'on' | 'off' | undefined) ?? 'auto',
          ...(flags.mm ? { mmProfile: flags.mm } : {}),
          ...(cpus ? { cpusPerNode: cpus } : {}),
        };
        const tl = replay(host, opts);
        spinner.stop();
        ctx.output.out(
          flags.json ? JSON.stringify(replayToJson(tl, dir), null, 2) + '\n' : renderReplayText(tl, dir),
        );
        if (tl.findings.some((f) => f.severity === 'error')) ctx.exitCode = 1;
      } finally {
        spinner.stop();
      }
    });
}
