// `kexec-replay synth --ram 24T --nodes 16 --blocks 8M --abi kho-v4 --seed 1 --out DIR`: write a synthetic
// hypervisor-host bundle (src/synth synthesizeBundle) to DIR. writeSynthBundle() is what the benchmarks call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import { memparse } from '../../../parsers/cmdline/memparse.js';
import type { SynthAbi, SynthOptions, SynthSummary } from '../../synth/index.js';
import { synthesizeBundle } from '../../synth/index.js';
import type { CliContext } from '../context.js';
import { printJson } from '../json.js';
import { helpFooter } from '../options.js';
import { printText } from '../text.js';
import { writeBundleFiles, writeElfCore } from '../write-core.js';

export interface SynthWriteResult {
  readonly summary: SynthSummary;
  readonly coreBytes: number;
  readonly generateMs: number;
  readonly writeMs: number;
}

/** Generate and write a synthetic bundle to `dir` (created; must be empty or absent). */
export function writeSynthBundle(dir: string, opts: SynthOptions): SynthWriteResult {
  const t0 = performance.now();
  const bundle = synthesizeBundle(opts);
  const t1 = performance.now();
  fs.mkdirSync(dir, { recursive: true });
  writeBundleFiles(dir, bundle.files);
  const coreBytes = writeElfCore(path.join(dir, 'kho/memory.core'), bundle.coreSegments);
  return { summary: bundle.summary, coreBytes, generateMs: t1 - t0, writeMs: performance.now() - t1 };
}

/** 24T, 512G, 8M (a count: 8 * 2^20), 100000: memparse suffixes K/M/G/T/P. */
function parseSize(text: string, what: string): number {
  const { bytes, rest } = memparse(text.trim());
  if (bytes === null || rest !== '' || bytes <= 0)
    throw new UsageError(
      `--${what} ${JSON.stringify(text)}: expected a number with an optional K/M/G/T suffix`,
    );
  return bytes;
}

export const SYNTH_SCHEMA = 'kexec-replay/synth/1';

const ABIS: readonly SynthAbi[] = ['kho-v1', 'kho-v2', 'kho-v3', 'kho-v4'];

interface SynthFlags {
  ram: string;
  nodes: string;
  blocks: string;
  abi: string;
  bitmap?: string;
  seed: string;
  deferred: string;
  guests?: string;
  out: string;
  force?: boolean;
  json?: boolean;
}

export function registerSynth(program: Command, ctx: CliContext): void {
  program
    .command('synth')
    .description('write a realistic synthetic host and KHO image of any size (deterministic from --seed)')
    .requiredOption('--out <dir>', 'bundle directory to write (must not exist or be empty, unless --force)')
    .option('--ram <size>', 'total RAM (K/M/G/T suffixes)', '64G')
    .option('--nodes <n>', 'NUMA nodes', '2')
    .option('--blocks <n>', 'preserved blocks (K/M suffixes count in 1024s)', '100K')
    .option('--abi <abi>', `KHO ABI: ${ABIS.join(', ')}`, 'kho-v4')
    .option('--bitmap <format>', 'kho-v1 bitmap size: page (6.18/6.19) or 512 (6.16/6.17)', 'page')
    .option('--seed <n>', 'PRNG seed', '1')
    .option('--deferred <on|off>', 'CONFIG_DEFERRED_STRUCT_PAGE_INIT of the synthetic kernel', 'on')
    .option('--guests <n>', 'guests (LUO sessions) per node', '8')
    .option('--force', 'write into a non-empty --out')
    .option('--json', 'print the kexec-replay/synth/1 JSON summary (schemas/synth.schema.json)')
    .addHelpText(
      'after',
      helpFooter(
        [
          'kexec-replay synth --out /tmp/h64g',
          'kexec-replay synth --ram 24T --nodes 16 --blocks 8M --abi kho-v4 --seed 1 --out /tmp/h24t',
          'kexec-replay synth --ram 64G --abi kho-v1 --bitmap 512 --out /tmp/v1 --json',
        ],
        [
          'Sizes take K/M/G/T suffixes (powers of 1024). The same options and --seed write the same bytes.',
          'Next: kexec-replay inspect / replay / compare <dir>.',
        ],
        null,
      ),
    )
    .action(async (flags: SynthFlags) => {
      if (!ABIS.includes(flags.abi as SynthAbi))
        throw new UsageError(`--abi ${flags.abi}: expected one of ${ABIS.join(', ')}`);
      if (flags.bitmap !== 'page' && flags.bitmap !== '512')
        throw new UsageError(`--bitmap ${flags.bitmap}: expected page or 512`);
      if (flags.deferred !== 'on' && flags.deferred !== 'off')
        throw new UsageError(`--deferred ${flags.deferred}: expected on or off`);
      const int = (v: string, what: string, min: number, max: number): number => {
        const n = parseSize(v, what);
        if (!Number.isInteger(n) || n < min || n > max)
          throw new UsageError(`--${what} ${v}: expected an integer from ${min} to ${max}`);
        return n;
      };
      const opts: SynthOptions = {
        ramBytes: parseSize(flags.ram, 'ram'),
        nodes: int(flags.nodes, 'nodes', 1, 1024),
        blocks: int(flags.blocks, 'blocks', 64, 64 * 2 ** 20),
        abi: flags.abi as SynthAbi,
        bitmapFormat: flags.bitmap,
        seed: int(flags.seed, 'seed', 0, 2 ** 32 - 1),
        deferred: flags.deferred === 'on',
        guestsPerNode: int(flags.guests ?? '8', 'guests', 1, 4096),
      };
      if (opts.ramBytes / opts.nodes < 8 * 2 ** 30) throw new UsageError('--ram: at least 8 GiB per node');
      if (fs.existsSync(flags.out) && fs.readdirSync(flags.out).length && !flags.force)
        throw new UsageError(`${flags.out} exists and is not empty (use --force to write into it)`);
      let result: SynthWriteResult;
      try {
        result = writeSynthBundle(flags.out, opts);
      } catch (e) {
        if (e instanceof Error && e.message.startsWith('synth:')) throw new UsageError(e.message.slice(7));
        throw e;
      }
      const s = result.summary;
      if (flags.json) {
        await printJson(ctx, {
          // added after the first version of this document; schemas/synth.schema.json
          schema: SYNTH_SCHEMA,
          out: flags.out,
          ...s,
          coreBytes: result.coreBytes,
          generateMs: Math.round(result.generateMs),
          writeMs: Math.round(result.writeMs),
        });
        return;
      }
      const gib = (b: number): string => (b / 2 ** 30).toFixed(1) + ' GiB';
      printText(
        ctx,
        [
          `synthetic ${s.abi} bundle written to ${flags.out}`,
          `  host: ${gib(s.ramBytes)} RAM on ${s.nodes} nodes, kernel ${s.kernelRelease}`,
          `  preserved: ${s.blocks} blocks, ${gib(s.preservedBytes)}; ${s.sessions} LUO sessions, ${s.memfds} memfds`,
          `  kho/memory.core: ${s.metadataPages} metadata pages, ${(result.coreBytes / 2 ** 20).toFixed(1)} MiB`,
          `  generated in ${(result.generateMs / 1000).toFixed(2)} s, written in ${(result.writeMs / 1000).toFixed(2)} s`,
          `next: kexec-replay inspect ${flags.out}`,
          '',
        ].join('\n'),
      );
    });
}
