// `kexec-replay compare <bundle-dir>`: every KHO strategy side by side on the same host and handover image:
// findings per code (pages affected), errors and warnings, struct pages each strategy initialises and when.
// The bundle is read by src/cli/load-kho.ts loadKhoBundle(), as `replay --strategy` does.
import type { Command } from 'commander';
import { shareColumns, UsageError } from '../../core/index.js';
import { compareStrategies } from '../../check/compare.js';
import { listStrategies } from '../../sim/strategies/index.js';
import { compareProfiles, parseProfileList } from '../../check/compare-profiles.js';
import { profileMatrixToJson, renderProfileMatrixText } from '../../report/compare-profiles.js';
import { compareHeadJson, compareToJson, strategyToJson } from '../../report/compare-json.js';
import { renderCompareText } from '../../report/compare-text.js';
import { renderProfileList } from '../../report/profile-list.js';
import type { CliContext } from '../context.js';
import { finishRun } from '../exit.js';
import { printJson } from '../json.js';
import { loadKhoBundle } from '../load-kho.js';
import type { HostFlags } from '../options.js';
import {
  archOption,
  bitmapFormatOption,
  deferredOption,
  failOnOption,
  helpFooter,
  hostOptions,
  pageSizeOption,
} from '../options.js';
import { startProgress } from '../progress.js';
import { writeText } from '../io.js';
import { renderCompareHtml } from '../../report/html.js';
import { printText, reportWidth } from '../text.js';
import { bootOptionsFromHost } from '../../sim/boot-options.js';
import { parseBitmapFlag, parseScenarioFlags, withHostBoot } from '../scenario.js';

interface CompareFlags extends HostFlags {
  profiles?: string;
  profile?: string;
  deferred?: string;
  restore?: string;
  stage?: string;
  bitmapFormat?: string;
  json?: boolean;
  html?: string;
}

export function registerCompare(program: Command, ctx: CliContext): void {
  program
    .command('compare')
    .description('replay a KHO bundle under every strategy and compare the findings side by side')
    .argument('[bundle-dir]', 'trace bundle directory with a KHO image under kho/')
    .option('--profile <name>', "kernel profile, or 'list' (default: from the image's ABI)")
    .option('--profiles <all|list>', 'every profile (all) or the named ones x every strategy, one table')
    .addOption(deferredOption("force DEFERRED_STRUCT_PAGE_INIT (default: the profile's)"))
    .option(
      '--restore <all|none|kinds>',
      'what is restored: all, none, or folio,pages,vmalloc,subtree',
      'all',
    )
    .option('--stage <name>', 'for a bundle with stage folders: which stage to load')
    .addOption(bitmapFormatOption())
    .addOption(archOption())
    .addOption(pageSizeOption())
    .addOption(failOnOption())
    .option(
      '--json',
      'print the kexec-replay/compare/1 JSON document (schemas/compare.schema.json; with --profiles: compare-profiles/1)',
    )
    .option(
      '--html <file>',
      'also write a self-contained HTML report (strategies x findings, memory map per node)',
    )
    .addHelpText(
      'after',
      helpFooter(
        [
          'kexec-replay compare traces/kho-b-16g-2node',
          'kexec-replay compare traces/kho-review-b-16g-2node --deferred on --json',
          'kexec-replay compare --profile list',
        ],
        [
          'Each strategy gets a verdict: FAIL (an error finding), "ok, warnings", or ok. The run exits 1 when',
          'any strategy has a finding at or above --fail-on.',
        ],
      ),
    )
    .action(async (dir: string | undefined, flags: CompareFlags) => {
      if (flags.profile === 'list') {
        printText(ctx, renderProfileList());
        return;
      }
      if (dir === undefined) throw new UsageError('compare needs a bundle directory (or --profile list)');
      if (flags.profiles !== undefined && flags.profile !== undefined)
        throw new UsageError('--profile and --profiles exclude each other');
      const matrixOf = flags.profiles !== undefined ? parseProfileList(flags.profiles) : null;
      const parsed = parseScenarioFlags(flags, dir);
      const bitmapFormat = parseBitmapFlag(flags.bitmapFormat);
      const progress = startProgress(ctx.output, `compare ${dir}`, !flags.json);
      // --json: a thread of its own writes the document, each strategy as soon as it is replayed, while the ones
      // after it replay (src/cli/json-thread.ts); started now, so that its start overlaps reading the bundle
      const later = flags.json && !matrixOf ? (ctx.output.laterJson?.() ?? null) : null;
      let written = false;
      // its range columns in shared memory, so that a strategy's findings go to the writer without a copy (each
      // ~10M ranges on the 8M bench bundle; src/core/columns.ts shareColumns)
      const sharedBefore = later ? shareColumns(true) : null;
      try {
        const b = loadKhoBundle(dir, {
          ...(flags.stage ? { stage: flags.stage } : {}),
          ...(bitmapFormat ? { bitmapFormat } : {}),
          ...hostOptions(flags),
          onProgress: progress.update,
        });
        const hb = bootOptionsFromHost(b.host);
        if (matrixOf) {
          // every profile x every strategy (src/check/compare-profiles.ts)
          const m = compareProfiles(b.host, b.image, matrixOf, {
            ...withHostBoot(parsed.scenario, hb),
            onProgress: progress.update,
          });
          progress.stop();
          if (flags.json) await printJson(ctx, profileMatrixToJson(m, dir));
          else printText(ctx, renderProfileMatrixText(m, dir, { width: reportWidth(ctx) }));
          // as for one profile: 1 when any row has a finding at or above --fail-on
          finishRun(ctx, {
            findings: m.rows.flatMap((c) => c.outcomes.flatMap((o) => o.findings.map((f) => f.severity))),
            diagnostics: [...b.host.diagnostics, ...b.diagnostics],
            ...(flags.failOn ? { failOn: flags.failOn } : {}),
          });
          return;
        }
        // --html draws the first strategy's memory map: its timeline is kept, the others are dropped
        const strategies = listStrategies();
        const c = compareStrategies(
          b.host,
          b.image,
          { ...withHostBoot(parsed.scenario, hb), onProgress: progress.update },
          strategies,
          undefined,
          {
            firstTimeline: flags.html !== undefined,
            ...(later && {
              onOutcome: (i, o, head) => {
                if (!later.started) later.start(compareHeadJson(head, dir), 'strategies', strategies.length);
                if (!later.closed) later.put(i, strategyToJson(o));
              },
            }),
          },
        );
        progress.stop();
        if (later) {
          await later.finish();
          written = true;
        } else if (flags.json) await printJson(ctx, compareToJson(c, dir));
        else printText(ctx, renderCompareText(c, dir, b.host.pageShift, { width: reportWidth(ctx) }));
        const tl = c.firstTimeline;
        if (flags.html && tl) {
          writeText(
            flags.html,
            renderCompareHtml({
              bundle: dir,
              lines: [
                `profile ${c.profile.name} (${c.profile.follows})`,
                `deferred struct page init ${c.deferred.on ? 'on' : 'off'} (${c.deferred.reason})`,
                `image ${b.image.abi}: ${c.blocks.toLocaleString('en-US')} preserved blocks, ${c.preservedPages.toLocaleString('en-US')} pages`,
              ],
              outcomes: c.outcomes.map((o) => ({
                strategy: o.strategy.name,
                summary: o.strategy.summary,
                findings: o.findings,
                errors: o.errors,
                warnings: o.warnings,
                costs: o.costs,
              })),
              map: { timeline: tl, kho: tl.kho!.run, reservedBytes: tl.kho!.reservedBefore },
            }),
          );
        }
        finishRun(ctx, {
          findings: c.outcomes.flatMap((o) => o.findings.map((f) => f.severity)),
          diagnostics: [...b.host.diagnostics, ...b.diagnostics],
          ...(flags.failOn ? { failOn: flags.failOn } : {}),
        });
      } finally {
        progress.stop();
        if (sharedBefore !== null) shareColumns(sharedBefore);
        if (later && !written) later.abort();
      }
    });
}
