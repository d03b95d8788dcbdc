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
import { checkKho, hasErrors } from '../../check/kho-findings.js';
import { findingsToJson } from '../../report/findings-json.js';
import { renderFindingsText } from '../../report/findings-text.js';
import { replayKho } from '../../sim/phases/kho-replay.js';
import { checkDeferredFlag, hasKhoImage, loadKhoBundle, renderProfileList } from './compare.js';

interface ReplayFlags {
  deferred?: string;
  json?: boolean;
  mm?: string;
  stage?: string;
  strategy?: string;
  profile?: string;
  restore?: string;
  reserved?: string;
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
    .option(
      '--reserved <trace|memblock-log>',
      "reserved memory: the trace's last view (default) or the replay of its memblock=debug log",
    )
    .option('--json', 'print the kexec-replay/replay/1 JSON document')
    .option(
      '--strategy <name>',
      "KHO: struct-page strategy (none, init-deferred-page, init-page-from-nid, lazy-tail, zone-walk; default: the profile's)",
    )
    .option('--profile <name>', "KHO: kernel profile, or 'list' (default: from the image's ABI)")
    .option('--restore <all|none|kinds>', 'KHO: what is restored: all, none, or folio,pages,vmalloc,subtree')
    .action((dir: string, flags: ReplayFlags) => {
      // KHO replay (issue 5): a bundle with kho/fdt, or any KHO flag
      if (flags.profile === 'list') {
        ctx.output.out(renderProfileList());
        return;
      }
      if (
        flags.strategy !== undefined ||
        flags.profile !== undefined ||
        flags.restore !== undefined ||
        hasKhoImage(dir)
      ) {
        replayKhoCommand(dir, flags, ctx);
        return;
      }
      if (flags.deferred !== undefined && flags.deferred !== 'on' && flags.deferred !== 'off') {
        throw new UsageError(`--deferred takes on or off, not '${flags.deferred}'`);
      }
      if (!isDirectory(dir)) throw new UsageError(`${dir} is not a directory (a trace bundle)`);
      if (flags.reserved !== undefined && flags.reserved !== 'trace' && flags.reserved !== 'memblock-log') {
        throw new UsageError(`--reserved takes trace or memblock-log, not '${flags.reserved}'`);
      }
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
          bundleName: dir,
          ...(flags.mm ? { mmProfile: flags.mm } : {}),
          ...(cpus ? { cpusPerNode: cpus } : {}),
          ...(flags.reserved ? { reservedFrom: flags.reserved as 'trace' | 'memblock-log' } : {}),
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

/** `replay --strategy/--profile/--restore`, or a bundle with a KHO image: the KHO boot under one strategy. */
function replayKhoCommand(dir: string, flags: ReplayFlags, ctx: CliContext): void {
  const deferred = checkDeferredFlag(flags.deferred);
  if (flags.reserved !== undefined && flags.reserved !== 'trace' && flags.reserved !== 'memblock-log') {
    throw new UsageError(`--reserved takes trace or memblock-log, not '${flags.reserved}'`);
  }
  const spinner = startSpinner(ctx.output, `reading ${dir}`);
  try {
    const b = loadKhoBundle(dir, flags.stage ? { stage: flags.stage } : {});
    spinner.update('replaying the KHO boot');
    const cpus = cpusPerNode(b.host);
    const r = replayKho(b.host, b.image, {
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...(flags.strategy ? { strategy: flags.strategy } : {}),
      ...(deferred ? { deferred } : {}),
      ...(flags.restore ? { restore: flags.restore } : {}),
      ...(cpus ? { cpusPerNode: cpus } : {}),
      ...(flags.reserved ? { reservedFrom: flags.reserved as 'trace' | 'memblock-log' } : {}),
    });
    const findings = checkKho(r);
    spinner.stop();
    // the KHO findings replace the plain boot's (they cover every struct-page event of the replay)
    const tl = { ...r.timeline, deferredReason: r.deferredReason, findings: [] };
    if (flags.json) {
      const doc = {
        ...replayToJson(tl, dir),
        profile: r.profile.name,
        strategy: r.strategy.name,
        restore: flags.restore ?? 'all',
        findings: findingsToJson(findings).map((f) => ({ ...f, fn: f.kernelFunction, message: f.title })),
      };
      ctx.output.out(JSON.stringify(doc, null, 2) + '\n');
    } else {
      const head = [
        `KHO: profile ${r.profile.name} [${r.profile.follows}], strategy ${r.strategy.name} (${r.strategy.summary})`,
        `image ${b.image.abi}: ${r.run.blocks.length} preserved blocks, ${r.run.restored.size} restored (--restore ${flags.restore ?? 'all'})`,
        '',
      ];
      const boot = renderReplayText(tl, dir).replace(/\nfindings: none\n/, '\n');
      ctx.output.out(
        head.join('\n') + boot + '\n' + renderFindingsText(findings, b.host.pageShift).join('\n') + '\n',
      );
    }
    if (hasErrors(findings)) ctx.exitCode = 1;
  } finally {
    spinner.stop();
  }
}
