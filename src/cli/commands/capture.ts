// `kexec-replay capture --out DIR` on a live Linux host (as root), or `capture --from-vmcore FILE --out DIR` on a
// workstation: gather a trace bundle (host files, the KHO debugfs tree, kho/memory.core with only the pages the
// KHO map reaches) and say what could not be read and why. A hidden `--root` reads another file-system root
// (tests run on a fake tree).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { TraceError } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { printJson } from '../json.js';
import { helpFooter } from '../options.js';
import { printText } from '../text.js';
import { VERSION } from '../program.js';
import { CaptureLog, HostReader, captureHostFiles, captureMemblockDebugfs } from '../capture/host-files.js';
import type { KhoCaptureResult } from '../capture/kho-capture.js';
import { captureKho, openPhysCore } from '../capture/kho-capture.js';
import { OutDir } from '../capture/out-dir.js';

interface CaptureFlags {
  out: string;
  root?: string;
  fromVmcore?: string;
  withPayload?: boolean;
  force?: boolean;
  json?: boolean;
}

const MACHINE_ARCH: Record<string, string> = {
  x86_64: 'x86_64',
  aarch64: 'arm64',
  arm64: 'arm64',
  riscv64: 'riscv64',
  ppc64le: 'ppc64',
  ppc64: 'ppc64',
};

export const CAPTURE_SCHEMA = 'kexec-replay/capture/1';

/** Top-level System RAM ranges of /proc/iomem (root sees real addresses), for kcores without p_paddr. */
function systemRam(r: HostReader): { start: number; end: number }[] {
  const text = r.readText('/proc/iomem', false) ?? '';
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(/^([0-9a-f]+)-([0-9a-f]+) : System RAM$/gm)) {
    const s = parseInt(m[1]!, 16);
    const e = parseInt(m[2]!, 16) + 1;
    if (e > s) out.push({ start: s, end: e });
  }
  return out;
}

export function registerCapture(program: Command, ctx: CliContext): void {
  program
    .command('capture')
    .description(
      'gather a trace bundle on this host (as root), or the KHO image of a kdump vmcore / qemu dump',
    )
    .requiredOption('--out <dir>', 'bundle directory to write (created; must be empty unless --force)')
    .option('--from-vmcore <file>', 'read physical memory from this ELF core instead of the live host')
    .option('--with-payload', 'also keep the preserved memory itself in kho/memory.core (large)')
    .option('--force', 'write into a non-empty --out')
    .option('--json', 'print the kexec-replay/capture/1 JSON summary (schemas/capture.schema.json)')
    .addOption(new Option('--root <dir>', 'file-system root to read (tests)').hideHelp())
    .addHelpText(
      'after',
      helpFooter(
        [
          'sudo kexec-replay capture --out host-before-kexec',
          'sudo kexec-replay capture --out host-bundle --with-payload --json',
          'kexec-replay capture --from-vmcore /var/crash/vmcore --out from-kdump',
        ],
        [
          'Writes the host files (dmesg, iomem, zoneinfo, ...), the KHO debugfs blobs and kho/memory.core (the',
          'preserved-memory metadata pages read through /proc/kcore), then trace.json; what could not be read is',
          'listed with why. Next: kexec-replay parse / inspect / replay <dir>.',
        ],
        null,
      ),
    )
    .action(async (flags: CaptureFlags) => {
      const out = new OutDir(flags.out, flags.force ?? false);
      const log = new CaptureLog();
      let release: string | null = null;
      let kho: KhoCaptureResult;
      let arch: string | null = null;
      let pageSize: number | null = null;
      if (flags.fromVmcore) {
        // a dump that is not there, or cannot be read, is bad input (exit 3), said as every command says it
        const elf = 'a readable ELF core (kdump /proc/vmcore, makedumpfile -E, qemu dump-guest-memory)';
        if (!fs.existsSync(flags.fromVmcore))
          throw new TraceError({
            code: 'TRACE_ERR_NOT_FOUND',
            location: { file: flags.fromVmcore },
            expected: elf,
            found: 'no such file or directory',
          });
        const core = openPhysCore(flags.fromVmcore, log, 'the vmcore');
        if (!core)
          throw new TraceError({
            code: 'TRACE_ERR_UNREADABLE',
            location: { file: flags.fromVmcore },
            expected: elf,
            found: log.missing.get(flags.fromVmcore) ?? 'unreadable',
          });
        try {
          const info = core.vmcoreinfo();
          release = info.get('OSRELEASE') ?? null;
          pageSize = Number(info.get('PAGESIZE')) || null;
          kho = captureKho(null, out, log, { withPayload: flags.withPayload ?? false, core });
        } finally {
          core.close();
        }
      } else {
        const root = path.resolve(flags.root ?? '/');
        if (root === '/' && typeof process.getuid === 'function' && process.getuid() !== 0)
          log.warn(
            'not root: /proc/kcore, /sys/kernel/debug and the kernel log need root; run sudo kexec-replay capture',
          );
        const r = new HostReader(root, log);
        const host = captureHostFiles(r, out);
        release = host.release;
        const m =
          r.readText('/proc/sys/kernel/arch', false)?.trim() ??
          (root === '/'
            ? process.arch === 'x64'
              ? 'x86_64'
              : process.arch === 'arm64'
                ? 'arm64'
                : null
            : null);
        arch = m ? (MACHINE_ARCH[m] ?? null) : null;
        captureMemblockDebugfs(r, out);
        const wantsKho = r.exists('/sys/kernel/debug/kho');
        const core = wantsKho ? openPhysCore(r.at('/proc/kcore'), log, '/proc/kcore', systemRam(r)) : null;
        try {
          if (core) pageSize = Number(core.vmcoreinfo().get('PAGESIZE')) || null;
          kho = captureKho(r, out, log, { withPayload: flags.withPayload ?? false, core });
        } finally {
          core?.close();
        }
      }
      const traceJson = {
        ...(arch ? { arch } : {}),
        ...(pageSize ? { pageSize } : {}),
        ...(release ? { kernelRelease: release } : {}),
        description: flags.fromVmcore
          ? `KHO image extracted from ${path.basename(flags.fromVmcore)}`
          : 'captured live by kexec-replay capture',
        provenance: {
          tool: `kexec-replay ${VERSION} capture`,
          date: new Date().toISOString(),
          ...(flags.fromVmcore ? { vmcore: flags.fromVmcore } : {}),
          withPayload: flags.withPayload ?? false,
          khoSource: kho.source,
          truncatedDebugfsFdt: kho.truncatedFdt,
          notes: log.notes.map((n) => `${n.level}: ${n.text}`),
          notRead: Object.fromEntries(log.missing),
        },
      };
      out.write('trace.json', JSON.stringify(traceJson, null, 2) + '\n');

      if (flags.json) {
        await printJson(ctx, {
          // added after the first version of this document; schemas/capture.schema.json
          schema: CAPTURE_SCHEMA,
          out: out.root,
          files: out.written,
          kho,
          notes: log.notes,
          notRead: Object.fromEntries(log.missing),
        });
        return;
      }
      const lines: string[] = [`bundle written to ${out.root}`];
      const total = out.written.reduce((s, f) => s + f.bytes, 0);
      lines.push(`  ${out.written.length} files, ${(total / 2 ** 20).toFixed(1)} MiB`);
      if (kho.abi) {
        lines.push(
          `  KHO: ${kho.abi} from ${kho.source === 'memory' ? 'memory' : kho.source === 'setup_data' ? 'setup_data' : `debugfs kho/${kho.source}`}, ${kho.blocks} preserved blocks; kho/memory.core ${kho.corePages} pages (${(kho.coreBytes / 2 ** 20).toFixed(1)} MiB)${kho.payloadBytes ? `, payload ${(kho.payloadBytes / 2 ** 20).toFixed(1)} MiB` : ', no payload'}`,
        );
      } else lines.push('  KHO: no handover image captured');
      for (const n of log.notes) lines.push(`  ${n.level}: ${n.text}`);
      if (log.missing.size) {
        lines.push('  not read:');
        for (const [f, why] of log.missing) lines.push(`    ${f}: ${why}`);
      }
      lines.push(`next: kexec-replay parse ${flags.out}`);
      if (kho.abi)
        lines.push(`      kexec-replay inspect ${flags.out}`, `      kexec-replay replay ${flags.out}`);
      printText(ctx, lines.join('\n') + '\n');
    });
}
