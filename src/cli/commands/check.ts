// `kexec-replay check <bundle>... --baseline <file>`: the CI regression check. Each bundle is read and decoded
// once, replayed under the (profile, strategy) runs its baseline names (or the image's profile and default
// strategy), and compared with the baseline: findings new, gone, grown, shrunk, moved; verdicts; boot cost.
// Exit 1 on a new or grown error finding, a verdict turned FAIL or a boot-cost regression beyond the tolerance.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import type { Baseline, BaselineRun } from '../../check/baseline.js';
import {
  compareWithBaseline,
  parseBaseline,
  runKey,
  runRecord,
  updatedBaseline,
} from '../../check/baseline.js';
import type { CheckCell, CheckRun, DeferredOption } from '../../check/check-runs.js';
import {
  PLAIN_BOOT,
  imageProfile,
  profilesFor,
  runKhoCells,
  runPlainBoot,
  strategiesFor,
} from '../../check/check-runs.js';
import { renderBaseline } from '../../report/baseline-file.js';
import { checkToJson } from '../../report/check-json.js';
import { renderCheckJunit } from '../../report/check-junit.js';
import { renderCheckKtap } from '../../report/check-ktap.js';
import { renderCheckText } from '../../report/check-text.js';
import { bootOptionsFromHost } from '../../sim/boot-options.js';
import { findProfile } from '../../sim/profiles.js';
import { findStrategy } from '../../sim/strategies/index.js';
import type { CliContext } from '../context.js';
import { exists, readText, writeText } from '../io.js';
import type { CheckHtmlBundle } from '../../report/html.js';
import { renderCheckHtml } from '../../report/html.js';
import { hasKhoImage, loadKhoBundle } from '../load-kho.js';
import { loadHostBundle, requireKnownArch } from '../read-bundle.js';
import { startProgress } from '../progress.js';
import { printJson } from '../json.js';
import { printText } from '../text.js';
import { finishRun } from '../exit.js';
import type { Diagnostic, ProgressFn } from '../../core/index.js';
import { deferredOption, helpFooter } from '../options.js';
import { parseDeferredFlag, parseRestoreKinds } from '../scenario.js';

interface CheckFlags {
  baseline?: string;
  updateBaseline?: boolean;
  profile?: string;
  strategy?: string;
  profiles?: string;
  strategies?: string;
  deferred?: string;
  restore?: string;
  costTolerance?: string;
  json?: boolean;
  ktap?: boolean;
  junit?: string;
  html?: string;
}

/** `--cost-tolerance 10%` or `10`: a percentage either way. */
export function parseTolerance(v: string | undefined): number {
  if (v === undefined) return 0.1;
  // One way to split the blanks (before or after the %): `\s*%?\s*` was quadratic on a run of spaces (issue 13).
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:%\s*)?$/.exec(v);
  if (!m) throw new UsageError(`--cost-tolerance takes a percentage such as 10 or 10%, not '${v}'`);
  return Number(m[1]) / 100;
}

/** The bundle as the baseline names it: relative to the baseline file's folder, '/' separators. */
function bundleKey(dir: string, baselineFile: string): string {
  const rel = path.relative(path.dirname(path.resolve(baselineFile)), path.resolve(dir));
  return rel.split(path.sep).join('/') || '.';
}

/** One report per bundle given, in the order given; the same directory named twice is replayed once. */
function uniqueBundles(dirs: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of dirs) {
    let real: string;
    try {
      real = fs.realpathSync(d);
    } catch {
      real = path.resolve(d); // the loader reports it as missing
    }
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(d);
  }
  return out;
}

function dedupeCells(cells: readonly CheckCell[]): CheckCell[] {
  const m = new Map<string, CheckCell>();
  for (const c of cells) m.set(`${c.profile}\u0000${c.strategy}\u0000${c.deferred}\u0000${c.restore}`, c);
  return [...m.values()];
}

export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description(
      'CI regression check: replay bundles and compare findings and boot cost with a committed baseline',
    )
    .argument('<bundle-dir...>', 'trace bundle directories')
    .requiredOption('--baseline <file>', 'the baseline JSON (kexec-replay/baseline/1)')
    .option('--update-baseline', "write this run's results into the baseline file (and exit 0)")
    .option(
      '--profile <name>',
      'KHO: replay every bundle under this kernel profile (instead of the baseline runs)',
    )
    .option(
      '--strategy <name>',
      'KHO: replay every bundle under this strategy (instead of the baseline runs)',
    )
    .option(
      '--profiles <all|a,b>',
      'KHO: also replay under these profiles (all: every profile the image suits)',
    )
    .option('--strategies <all|a,b>', 'KHO: also replay under these strategies')
    .addOption(deferredOption('force DEFERRED_STRUCT_PAGE_INIT on or off in every replay'))
    .option('--restore <all|none|kinds>', 'KHO: what is restored, in every replay')
    .option('--cost-tolerance <percent>', 'boot-critical cost growth allowed before check fails', '10%')
    .option('--json', 'print the kexec-replay/check/1 JSON document (schemas/check.schema.json)')
    .option('--ktap', 'print KTAP version 1 (the kernel test format) instead of text')
    .option('--junit <file>', 'also write JUnit XML (one test case per bundle x profile x strategy)')
    .option('--html <file>', 'also write a self-contained HTML report (changes, a memory map per bundle)')
    .addHelpText(
      'after',
      helpFooter(
        [
          'kexec-replay check traces/kho-review-b-16g-2node traces/qemu/* --baseline traces/check-baseline.json',
          'kexec-replay check captures/*/ --baseline captures/baseline.json --junit junit.xml --ktap',
          'kexec-replay check captures/*/ --baseline captures/baseline.json --update-baseline',
        ],
        [
          'Exits 1 on a new or grown error finding, a verdict turned FAIL, or boot-critical cost above',
          '--cost-tolerance; shrunk, gone and moved findings are reported and pass.',
        ],
        'a regression against the baseline (new or grown error finding, FAIL verdict, cost)',
      ),
    )
    .action(async (dirs: string[], flags: CheckFlags) => {
      const baselineFile = flags.baseline!;
      const tolerance = parseTolerance(flags.costTolerance);
      const deferredFlag = parseDeferredFlag(flags.deferred);
      if (flags.json && flags.ktap)
        throw new UsageError('--json and --ktap both print to stdout: choose one');
      if (flags.profile !== undefined) findProfile(flags.profile);
      if (flags.strategy !== undefined) findStrategy(flags.strategy);
      if (flags.strategies !== undefined) strategiesFor(flags.strategies);
      if (flags.restore !== undefined) parseRestoreKinds(flags.restore);

      let baseline: Baseline | null = null;
      if (exists(baselineFile)) baseline = parseBaseline(readText(baselineFile), baselineFile);
      else if (!flags.updateBaseline)
        throw new UsageError(
          `no baseline file ${baselineFile}: write one with --update-baseline (then commit it)`,
        );

      const records: BaselineRun[] = [];
      const notes: Diagnostic[] = [];
      const htmlBundles: CheckHtmlBundle[] = [];
      const keys = new Set<string>();
      const progress = startProgress(ctx.output, 'check', !flags.json && !flags.ktap);
      try {
        for (const dir of uniqueBundles(dirs)) {
          const key = bundleKey(dir, baselineFile);
          keys.add(key);
          const inBase = (baseline?.runs ?? []).filter((r) => r.bundle === key);
          progress.update(`reading ${dir}`);
          const runs = replayBundle(dir, inBase, flags, deferredFlag, progress.update);
          notes.push(...runs.diagnostics);
          for (const r of runs.runs) records.push(runRecord(key, r, runs.pageShift));
          // the replays are kept for the page only when one is asked for (a timeline holds its memmap)
          if (flags.html)
            htmlBundles.push({
              bundle: key,
              reservedBytes: runs.runs[0]?.kho?.reservedBefore ?? runs.hostReserved,
              runs: runs.runs.map((r) => ({
                label: `${r.cell.profile} / ${r.cell.strategy}${r.cell.deferred !== 'default' ? ` (--deferred ${r.cell.deferred})` : ''}`,
                findings: r.findings,
                // kept: runKhoCells keeps the timelines when --html asks for the page
                timeline: r.timeline!,
                kho: r.kho?.run ?? null,
              })),
            });
        }
      } finally {
        progress.stop();
      }
      // a bundle twice under two names, or one cell asked twice: one record per key
      const unique = [...new Map(records.map((r) => [runKey(r), r])).values()];
      const result = compareWithBaseline(
        unique,
        baseline ?? { schema: 'kexec-replay/baseline/1', runs: [] },
        keys,
        tolerance,
      );

      if (flags.updateBaseline) writeText(baselineFile, renderBaseline(updatedBaseline(baseline, unique)));
      if (flags.junit) writeText(flags.junit, renderCheckJunit(result));
      if (flags.html) writeText(flags.html, renderCheckHtml(result, baselineFile, htmlBundles));
      if (flags.json) await printJson(ctx, checkToJson(result, baselineFile));
      // KTAP is a grammar (ktap.rst): printed as it is, never wrapped
      else if (flags.ktap) ctx.output.out(renderCheckKtap(result));
      else
        printText(
          ctx,
          renderCheckText(result, baselineFile, Boolean(flags.updateBaseline)) +
            (flags.updateBaseline
              ? `baseline written: ${baselineFile} (${unique.length} runs updated)\n`
              : ''),
        );
      // 1 for a failed check (a regression is an error whatever the findings' severity), 3 for a note at error
      // severity in a bundle, as every command
      finishRun(ctx, {
        findings: result.failed && !flags.updateBaseline ? ['error'] : [],
        diagnostics: notes,
      });
    });
}

/** One bundle: read and decode once, then every run. */
function replayBundle(
  dir: string,
  inBase: readonly BaselineRun[],
  flags: CheckFlags,
  deferredFlag: 'on' | 'off' | undefined,
  progress: ProgressFn,
): {
  runs: CheckRun[];
  pageShift: number;
  hostReserved: readonly { start: number; end: number }[];
  /** The loader's notes (host files, and the KHO image's): one at error severity makes the run exit 3. */
  diagnostics: readonly Diagnostic[];
} {
  const deferredOf = (d: DeferredOption | undefined): DeferredOption => deferredFlag ?? d ?? 'default';
  if (!hasKhoImage(dir)) {
    const host = loadHostBundle(dir, { onStep: progress });
    // as replay: a host whose files do not say its arch is not replayed under x86_64's rules (exit 3)
    requireKnownArch(host, dir);
    const hb = bootOptionsFromHost(host);
    const boot = {
      bundleName: dir,
      pageExt: hb.pageExt,
      ...(hb.cpusPerNode ? { cpusPerNode: hb.cpusPerNode } : {}),
    };
    const options = [
      ...new Set(inBase.filter((r) => r.strategy === PLAIN_BOOT).map((r) => deferredOf(r.deferred))),
    ];
    if (!options.length) options.push(deferredOf(undefined));
    progress(`replaying ${dir}`);
    return {
      runs: options.map((d) => runPlainBoot(host, boot, d)),
      pageShift: host.pageShift,
      hostReserved: host.reserved,
      diagnostics: host.diagnostics,
    };
  }
  const b = loadKhoBundle(dir, { onProgress: progress });
  const hb = bootOptionsFromHost(b.host);
  const boot = {
    bundleName: dir,
    pageExt: hb.pageExt,
    ...(hb.cpusPerNode ? { cpusPerNode: hb.cpusPerNode } : {}),
  };
  const auto = imageProfile(b.image);
  const restoreOf = (r: string | undefined): string => flags.restore ?? r ?? 'all';
  const cells: CheckCell[] = [];
  if (flags.profile !== undefined || flags.strategy !== undefined) {
    const p = flags.profile !== undefined ? profilesFor(b.image, flags.profile)[0]! : auto;
    cells.push({
      profile: p.name,
      strategy: flags.strategy ?? p.defaultStrategy,
      deferred: deferredOf(undefined),
      restore: restoreOf(undefined),
    });
  } else {
    for (const r of inBase)
      if (r.strategy !== PLAIN_BOOT)
        cells.push({
          profile: r.profile,
          strategy: r.strategy,
          deferred: deferredOf(r.deferred),
          restore: restoreOf(r.restore),
        });
    if (!cells.length)
      cells.push({
        profile: auto.name,
        strategy: auto.defaultStrategy,
        deferred: deferredOf(undefined),
        restore: restoreOf(undefined),
      });
  }
  if (flags.profiles !== undefined || flags.strategies !== undefined) {
    const ps = flags.profiles !== undefined ? profilesFor(b.image, flags.profiles) : [auto];
    for (const p of ps) {
      const ss = flags.strategies !== undefined ? strategiesFor(flags.strategies) : [p.defaultStrategy];
      for (const s of ss)
        cells.push({
          profile: p.name,
          strategy: s,
          deferred: deferredOf(undefined),
          restore: restoreOf(undefined),
        });
    }
  }
  progress(`replaying ${dir}`);
  return {
    runs: runKhoCells(b.host, b.image, dedupeCells(cells), boot, { keepTimelines: Boolean(flags.html) }),
    pageShift: b.host.pageShift,
    hostReserved: b.host.reserved,
    diagnostics: [...b.host.diagnostics, ...b.diagnostics],
  };
}
