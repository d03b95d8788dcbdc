// `kexec-replay replay <bundle-dir> [--deferred on|off] [--json]`: load a bundle, replay its early memory init,
// print nodes, zones, the deferred boundary, per-phase struct-page counts, what each phase costs and every note.
// A bundle with a KHO image (or any KHO flag) replays the KHO boot under one strategy instead.
// The pipeline, top-down: flags -> scenario (cli/scenario.ts) -> read and load (cli, trace, parsers) ->
// replay (sim) -> check (check) -> costs (cost) -> document (report) -> exit code (cli/exit.ts).
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../core/index.js';
import { check } from '../../check/kho-findings.js';
import { computeCosts } from '../../cost/index.js';
import { renderReplayText } from '../../report/replay-text.js';
import { replayToJson } from '../../report/replay-json.js';
import { bootOptionsFromHost } from '../../sim/boot-options.js';
import { replay } from '../../sim/index.js';
import { MM_PROFILES } from '../../sim/mm-profiles.js';
import type { CliContext } from '../context.js';
import { finishRun } from '../exit.js';
import { requireInputPath, writeText } from '../io.js';
import { renderReplayHtml } from '../../report/html.js';
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
import { printText, reportWidth } from '../text.js';
import { loadHostBundle, requireKnownArch } from '../read-bundle.js';
import type { ScenarioFlags } from '../scenario.js';
import { parseScenarioFlags, withHostBoot } from '../scenario.js';
import { renderProfileList } from '../../report/profile-list.js';
import { hasKhoImage, loadKhoBundle } from '../load-kho.js';

interface ReplayFlags extends HostFlags, ScenarioFlags {
  json?: boolean;
  html?: string;
  stage?: string;
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
      `mm behaviour: ${Object.keys(MM_PROFILES).join(', ')} (default: from the kernel release)`,
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
    .option(
      '--grow-zone <nid:order,...>',
      'allocations that fell back to deferred_grow_zone() before deferred init, in order (default: none)',
    )
    .option('--html <file>', 'also write a self-contained HTML report (memory map per node, boot timeline)')
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
          'Zone columns (pages): spanned, present, unavailable (holes given a memmap), managed (given to the',
          'buddy allocator); contiguous = zone->contiguous after set_zone_contiguous().',
          'struct pages per phase: initialised, reserved (PG_reserved set), freed (to the buddy allocator),',
          'read (by a kernel function), uninit used (read or freed before any init), double init (set up a',
          'second time), still uninit (after the phase). Cost: serial phases hold up the boot; per node =',
          "each node's pgdatinit thread, in parallel; ns/page is the rate used and where it came from.",
        ],
      ),
    )
    .action(async (dir: string | undefined, flags: ReplayFlags) => {
      if (flags.profile === 'list') {
        printText(ctx, renderProfileList());
        return;
      }
      if (dir === undefined) throw new UsageError("missing required argument 'bundle-dir'");
      requireInputPath(dir, 'dir-or-file');
      await replayCommand(dir, flags, ctx);
    });
}

async function replayCommand(dir: string, flags: ReplayFlags, ctx: CliContext): Promise<void> {
  const parsed = parseScenarioFlags(flags, dir);
  // KHO replay: a bundle with kho/fdt, or any KHO flag
  const withImage = parsed.khoFlags || hasKhoImage(dir);
  const progress = startProgress(ctx.output, `replay ${dir}`, !flags.json);
  try {
    const stage = flags.stage !== undefined ? { stage: flags.stage } : {};
    const b = withImage
      ? loadKhoBundle(dir, { ...stage, ...hostOptions(flags), onProgress: progress.update })
      : {
          host: loadHostBundle(dir, { ...stage, ...hostOptions(flags), onStep: progress.update }),
          image: null,
          diagnostics: [],
        };
    if (!withImage) requireKnownArch(b.host, dir);
    const hb = bootOptionsFromHost(b.host);
    const scenario = { ...withHostBoot(parsed.scenario, hb), onProgress: progress.update };
    const tl = replay(b.host, b.image, scenario);
    const findings = check(tl);
    // a KHO boot is calibrated on the captured plain boot, which src/cost replays itself
    const costs = computeCosts(tl, b.host);
    progress.stop();
    const loaderDiagnostics = [...b.host.diagnostics, ...b.diagnostics];
    const input = {
      loaderDiagnostics,
      costs,
      findings,
      pageExt: { on: hb.pageExt, reason: hb.pageExtReason },
    };
    if (flags.json) await printJson(ctx, replayToJson(tl, dir, input));
    else printText(ctx, renderReplayText(tl, dir, input, { width: reportWidth(ctx) }));
    if (flags.html)
      writeText(
        flags.html,
        renderReplayHtml({
          bundle: dir,
          lines: tl.kho
            ? [
                `KHO: profile ${tl.kho.profile.name} [${tl.kho.profile.follows}], strategy ${tl.kho.strategy.name} (${tl.kho.strategy.summary})`,
                `image ${b.image?.abi ?? '?'}: ${tl.kho.run.blocks.length.toLocaleString('en-US')} preserved blocks`,
              ]
            : [`plain boot, mm profile ${tl.mm.name} (no KHO image)`],
          timeline: tl,
          costs,
          findings,
          reservedBytes: tl.kho ? tl.kho.reservedBefore : b.host.reserved,
          kho: tl.kho?.run ?? null,
        }),
      );
    finishRun(ctx, {
      findings: findings.map((f) => f.severity),
      diagnostics: [...loaderDiagnostics, ...tl.diagnostics, ...costs.diagnostics],
      ...(flags.failOn ? { failOn: flags.failOn } : {}),
    });
  } finally {
    progress.stop();
  }
}
