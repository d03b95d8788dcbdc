// `kexec-replay replay <bundle-dir> [--deferred on|off] [--json]`: load a bundle, replay its early memory init,
// print nodes, zones, the deferred boundary, per-phase struct-page counts, what each phase costs and every note.
// A bundle with a KHO image (or any KHO flag) replays the KHO boot under one strategy instead.
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../core/index.js';
import { computeCosts } from '../../cost/index.js';
import { renderReplayText } from '../../report/replay-text.js';
import { replayToJson } from '../../report/replay-json.js';
import type { ReplayOptions } from '../../sim/index.js';
import { bootOptionsFromHost } from '../../sim/boot-options.js';
import { mmProfileByName, replay } from '../../sim/index.js';
import type { ReservedSource } from '../../sim/boot-tables.js';
import type { CliContext } from '../context.js';
import { finishRun } from '../exit.js';
import { requireInputPath } from '../io.js';
import { printJson } from '../json.js';
import type { HostFlags } from '../options.js';
import {
  archOption,
  deferredOption,
  failOnOption,
  helpFooter,
  hostOptions,
  pageSizeOption,
} from '../options.js';
import { startProgress } from '../progress.js';
import { loadHostBundle, requireKnownArch } from '../read-bundle.js';
import { checkKho } from '../../check/kho-findings.js';
import { findingsToJson } from '../../report/findings-json.js';
import { renderFindingsText } from '../../report/findings-text.js';
import { replayKho } from '../../sim/phases/kho-replay.js';
import { parseRestoreKinds } from '../../sim/phases/kho-run.js';
import { findProfile } from '../../sim/profiles.js';
import { findStrategy } from '../../sim/strategies/index.js';
import { checkDeferredFlag, renderProfileList } from './compare.js';
import { hasKhoImage, loadKhoBundle } from '../load-kho.js';

interface ReplayFlags extends HostFlags {
  deferred?: string;
  json?: boolean;
  mm?: string;
  stage?: string;
  strategy?: string;
  profile?: string;
  restore?: string;
  reserved?: string;
}

/** The flags once checked: every value is known before the bundle is read, so a typo is a usage error (exit 2). */
interface CheckedFlags {
  readonly deferred: 'on' | 'off' | undefined;
  readonly reserved: ReservedSource | undefined;
}

function checkFlags(flags: ReplayFlags): CheckedFlags {
  const deferred = checkDeferredFlag(flags.deferred);
  if (flags.reserved !== undefined && flags.reserved !== 'trace' && flags.reserved !== 'memblock-log') {
    throw new UsageError(`--reserved takes trace or memblock-log, not '${flags.reserved}'`);
  }
  if (flags.mm !== undefined) mmProfileByName(flags.mm);
  if (flags.strategy !== undefined) findStrategy(flags.strategy);
  if (flags.profile !== undefined && flags.profile !== 'auto') findProfile(flags.profile);
  if (flags.restore !== undefined) parseRestoreKinds(flags.restore);
  return { deferred, reserved: flags.reserved };
}

export function registerReplay(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description(
      "replay a bundle's early memory init: nodes, zones, first_deferred_pfn, struct pages and cost per phase",
    )
    .argument('[bundle-dir]', 'trace bundle directory (or one captured file)')
    .addOption(deferredOption('force DEFERRED_STRUCT_PAGE_INIT on or off (default: from the kernel config)'))
    .option(
      '--mm <profile>',
      'mm behaviour: linux-6.1, linux-6.7, linux-6.18 (default: from the kernel release)',
    )
    .option('--stage <name>', 'for a bundle with stage folders: which stage to load')
    .addOption(
      new Option(
        '--reserved <source>',
        "reserved memory: the trace's last view (trace, default) or the replay of its memblock=debug log",
      ).choices(['trace', 'memblock-log']),
    )
    .option('--json', 'print the kexec-replay/replay/1 JSON document (schemas/replay.schema.json)')
    .option(
      '--strategy <name>',
      "KHO: struct-page strategy (none, init-deferred-page, init-page-from-nid, lazy-tail, zone-walk; default: the profile's)",
    )
    .option('--profile <name>', "KHO: kernel profile, or 'list' (default: from the image's ABI)")
    .option('--restore <all|none|kinds>', 'KHO: what is restored: all, none, or folio,pages,vmalloc,subtree')
    .addOption(archOption())
    .addOption(pageSizeOption())
    .addOption(failOnOption())
    .addHelpText(
      'after',
      helpFooter(
        [
          'kexec-replay replay traces/qemu/b-16g-2node',
          'kexec-replay replay traces/kho-b-16g-2node --strategy lazy-tail --json',
          'kexec-replay replay traces/kho-review-b-16g-2node --deferred on --restore none',
          'kexec-replay replay --profile list',
        ],
        [
          'A bundle with kho/fdt (or any KHO option) replays the KHO boot under one strategy; otherwise a plain',
          'boot. Findings and notes are explained in the report itself ("how to read").',
        ],
      ),
    )
    .action((dir: string | undefined, flags: ReplayFlags) => {
      if (flags.profile === 'list') {
        ctx.output.out(renderProfileList());
        return;
      }
      if (dir === undefined) throw new UsageError("missing required argument 'bundle-dir'");
      const checked = checkFlags(flags);
      requireInputPath(dir, 'dir-or-file');
      // KHO replay: a bundle with kho/fdt, or any KHO flag
      if (
        flags.strategy !== undefined ||
        flags.profile !== undefined ||
        flags.restore !== undefined ||
        hasKhoImage(dir)
      ) {
        replayKhoCommand(dir, flags, checked, ctx);
        return;
      }
      replayBootCommand(dir, flags, checked, ctx);
    });
}

/** A plain boot of the bundle's host (no KHO image). */
function replayBootCommand(dir: string, flags: ReplayFlags, checked: CheckedFlags, ctx: CliContext): void {
  const progress = startProgress(ctx.output, `replay ${dir}`, !flags.json);
  try {
    const host = loadHostBundle(dir, {
      ...(flags.stage !== undefined ? { stage: flags.stage } : {}),
      ...hostOptions(flags),
      onStep: progress.update,
    });
    requireKnownArch(host, dir);
    const hb = bootOptionsFromHost(host);
    const opts: ReplayOptions = {
      deferred: checked.deferred ?? 'auto',
      bundleName: dir,
      pageExt: hb.pageExt,
      ...(flags.mm ? { mmProfile: flags.mm } : {}),
      ...(hb.cpusPerNode ? { cpusPerNode: hb.cpusPerNode } : {}),
      ...(checked.reserved ? { reservedFrom: checked.reserved } : {}),
      onProgress: progress.update,
    };
    const tl = replay(host, opts);
    // the log's deferred-init lines come from this very boot: calibrate on the timeline itself
    const costs = computeCosts(tl, host);
    progress.stop();
    const pageExt = { on: hb.pageExt, reason: hb.pageExtReason };
    const input = { loaderDiagnostics: host.diagnostics, costs, pageExt };
    if (flags.json) printJson(ctx, replayToJson(tl, dir, input));
    else ctx.output.out(renderReplayText(tl, dir, input));
    finishRun(ctx, {
      findings: tl.findings.map((f) => f.severity),
      diagnostics: [...host.diagnostics, ...tl.diagnostics, ...costs.diagnostics],
      ...(flags.failOn ? { failOn: flags.failOn } : {}),
    });
  } finally {
    progress.stop();
  }
}

/** `replay --strategy/--profile/--restore`, or a bundle with a KHO image: the KHO boot under one strategy. */
function replayKhoCommand(dir: string, flags: ReplayFlags, checked: CheckedFlags, ctx: CliContext): void {
  const progress = startProgress(ctx.output, `replay ${dir}`, !flags.json);
  try {
    const b = loadKhoBundle(dir, {
      ...(flags.stage ? { stage: flags.stage } : {}),
      ...hostOptions(flags),
      onProgress: progress.update,
    });
    const hb = bootOptionsFromHost(b.host);
    const boot = {
      bundleName: dir,
      pageExt: hb.pageExt,
      ...(hb.cpusPerNode ? { cpusPerNode: hb.cpusPerNode } : {}),
      ...(checked.reserved ? { reservedFrom: checked.reserved } : {}),
    };
    const r = replayKho(b.host, b.image, {
      ...boot,
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...(flags.strategy ? { strategy: flags.strategy } : {}),
      ...(checked.deferred ? { deferred: checked.deferred } : {}),
      ...(flags.restore ? { restore: flags.restore } : {}),
      onProgress: progress.update,
    });
    const findings = checkKho(r);
    // the log's deferred-init lines come from the captured (plain) boot, which defers more pages than the KHO
    // one: calibrate on its replay and cost the KHO boot, as compare does (src/check/compare.ts)
    const calibrateOn = b.host.deferredInit.length
      ? replay(b.host, { ...boot, deferred: 'auto' })
      : undefined;
    const costs = computeCosts(r.timeline, b.host, calibrateOn ? { calibrateOn } : {});
    progress.stop();
    // the KHO findings replace the plain boot's (they cover every struct-page event of the replay)
    const tl = { ...r.timeline, deferredReason: r.deferredReason, findings: [] };
    const loaderDiagnostics = [...b.host.diagnostics, ...b.diagnostics];
    const pageExt = { on: hb.pageExt, reason: hb.pageExtReason };
    if (flags.json) {
      const doc = {
        ...replayToJson(tl, dir, { loaderDiagnostics, costs, pageExt }),
        profile: r.profile.name,
        strategy: r.strategy.name,
        restore: flags.restore ?? 'all',
        findings: findingsToJson(findings).map((f) => ({ ...f, fn: f.kernelFunction, message: f.title })),
      };
      printJson(ctx, doc);
    } else {
      const head = [
        `KHO: profile ${r.profile.name} [${r.profile.follows}], strategy ${r.strategy.name} (${r.strategy.summary})`,
        `image ${b.image.abi}: ${r.run.blocks.length} preserved blocks, ${r.run.restored.size} restored (--restore ${flags.restore ?? 'all'})`,
        '',
      ];
      const findingsLines = renderFindingsText(findings, b.host.pageShift);
      ctx.output.out(
        head.join('\n') + renderReplayText(tl, dir, { loaderDiagnostics, costs, findingsLines, pageExt }),
      );
    }
    finishRun(ctx, {
      findings: findings.map((f) => f.severity),
      diagnostics: [...loaderDiagnostics, ...r.timeline.diagnostics, ...costs.diagnostics],
      ...(flags.failOn ? { failOn: flags.failOn } : {}),
    });
  } finally {
    progress.stop();
  }
}
