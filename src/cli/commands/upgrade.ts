// `kexec-replay upgrade <bundle> --to <profile> [--from <profile>] [--json]`: can the running kernel A hand over to
// kernel B on this host? A's image (the bundle's kho/) read by B: accepted or refused by B's kho_populate(), what B
// loses, the LUO and memfd versions B reads, what B's deferred init costs. Exit 0: accepted, no error finding.
// This command line and the kexec-replay/upgrade/1 keys are a contract.
import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import { checkUpgrade } from '../../check/upgrade.js';
import { renderUpgradeText } from '../../report/upgrade-text.js';
import { upgradeToJson } from '../../report/upgrade-json.js';
import { bootOptionsFromHost } from '../../sim/boot-options.js';
import { findProfile } from '../../sim/profiles.js';
import type { CliContext } from '../context.js';
import { printText } from '../text.js';
import { loadKhoBundle } from '../load-kho.js';
import { finishRun } from '../exit.js';
import { printJson } from '../json.js';
import { startProgress } from '../progress.js';
import { deferredOption, helpFooter } from '../options.js';
import { parseDeferredFlag } from '../scenario.js';

interface UpgradeFlags {
  to?: string;
  from?: string;
  deferred?: string;
  stage?: string;
  json?: boolean;
}

export function registerUpgrade(program: Command, ctx: CliContext): void {
  program
    .command('upgrade')
    .description(
      'can kernel A hand over to kernel B on this host: B reads the image A wrote (accepted or refused, what is lost)',
    )
    .argument('[bundle-dir]', 'trace bundle directory with the KHO image kernel A wrote under kho/')
    .option('--to <profile>', 'kernel B, the one kexec boots (a profile: v7.1, v7.2, v7.3, v7.4, ...)')
    .option(
      '--from <profile>',
      "kernel A, the one that wrote the image (default: from the image's ABI and the bundle's kernel release)",
    )
    .addOption(deferredOption("force B's DEFERRED_STRUCT_PAGE_INIT (default: B's profile)"))
    .option('--stage <name>', 'for a bundle with stage folders: which stage to load')
    .option('--json', 'print the kexec-replay/upgrade/1 JSON document (schemas/upgrade.schema.json)')
    .addHelpText(
      'after',
      helpFooter(
        [
          'kexec-replay upgrade traces/real-kho-a-8g-2node --to v7.3',
          'kexec-replay upgrade traces/real-kho-a-8g-2node --to v7.1 --json',
          'kexec-replay upgrade traces/kho-b-16g-2node --from v7.1 --to v7.2',
        ],
        [
          'SAFE: B accepts the root and no finding is an error; REJECTED: B refuses it (every preserved page',
          'goes to the buddy allocator, KHO_REVIVAL_DISABLED). Profiles: kexec-replay compare --profile list.',
        ],
        'B refuses the image, or a finding at error severity',
      ),
    )
    .action(async (dir: string | undefined, flags: UpgradeFlags) => {
      if (dir === undefined) throw new UsageError("missing required argument 'bundle-dir'");
      if (flags.to === undefined) throw new UsageError('upgrade needs --to <profile> (kernel B)');
      findProfile(flags.to);
      if (flags.from !== undefined && flags.from !== 'auto') findProfile(flags.from);
      const deferred = parseDeferredFlag(flags.deferred);
      const progress = startProgress(ctx.output, `upgrade ${dir}`, !flags.json);
      try {
        const b = loadKhoBundle(dir, {
          ...(flags.stage ? { stage: flags.stage } : {}),
          onProgress: progress.update,
        });
        progress.update(`replaying ${flags.to} on the image`);
        const hb = bootOptionsFromHost(b.host);
        const u = checkUpgrade(b.host, b.image, {
          to: flags.to,
          ...(flags.from ? { from: flags.from } : {}),
          ...(deferred ? { deferred } : {}),
          bundleName: dir,
          pageExt: hb.pageExt,
          ...(hb.cpusPerNode ? { cpusPerNode: hb.cpusPerNode } : {}),
        });
        progress.stop();
        if (flags.json) await printJson(ctx, upgradeToJson(u, dir));
        else printText(ctx, renderUpgradeText(u, dir, b.host.pageShift));
        // 0 only when B accepts the root and no finding is an error (a refusal always carries one)
        finishRun(ctx, {
          findings: [...u.findings.map((f) => f.severity), ...(u.accepted ? [] : ['error' as const])],
          diagnostics: [...b.host.diagnostics, ...b.diagnostics],
        });
      } finally {
        progress.stop();
      }
    });
}
