// Benchmark (issue 10): the CLI end to end on synthetic hypervisor hosts of 24 TiB / 16 nodes with 1M-8M
// preserved blocks, replayed with deferred struct page init off (v7.1, the default for kho-v3) and on
// (kho-v3-deferred-fix) (kho-v3, written by `synth`'s writeSynthBundle), 2x RAM at the same blocks, a 32M-block
// bundle, and the floor each replay is compared with: the minimal decode of the same radix tree into typed arrays
// (bench/decode-min.ts). Every case is its own process under /usr/bin/time (wall seconds and peak RSS), run one
// after the other, so ratios of cases side by side in one run are what to read on a loaded machine.
//   npm run build && node dist/bench/run.js scale [1m 2m 4m 8m 2xram 32m compare inspect]
// Bundles are generated once under $TMPDIR/kexec-replay-scale/ and reused (deterministic from the seed).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSynthBundle } from '../src/cli/commands/synth.js';
import type { BenchResult } from './measure.js';

const TIB = 2 ** 40;
const M = 2 ** 20;

interface BundleSpec {
  readonly name: string;
  readonly ramBytes: number;
  readonly blocks: number;
  /** kho-v3 unless said (kho-v4: synth's LUO sessions and memfd folios, as on current hosts). */
  readonly abi?: 'kho-v3' | 'kho-v4';
}

const BUNDLES: Record<string, BundleSpec> = {
  '1m': { name: '24t-16n-1m', ramBytes: 24 * TIB, blocks: 1 * M },
  '2xram': { name: '48t-16n-1m', ramBytes: 48 * TIB, blocks: 1 * M },
  '2m': { name: '24t-16n-2m', ramBytes: 24 * TIB, blocks: 2 * M },
  '4m': { name: '24t-16n-4m', ramBytes: 24 * TIB, blocks: 4 * M },
  '8m': { name: '24t-16n-8m', ramBytes: 24 * TIB, blocks: 8 * M },
  '32m': { name: '24t-16n-32m', ramBytes: 24 * TIB, blocks: 32 * M },
};

/** Bundles only the inspect cases read (no replay case of their own). */
const INSPECT_BUNDLES: Record<string, BundleSpec> = {
  '8m-v4': { name: '24t-16n-8m-v4', ramBytes: 24 * TIB, blocks: 8 * M, abi: 'kho-v4' },
};

function bundleDir(spec: BundleSpec): string {
  const root = path.join(os.tmpdir(), 'kexec-replay-scale');
  const dir = path.join(root, spec.name);
  const done = path.join(dir, '.complete');
  if (!fs.existsSync(done)) {
    fs.rmSync(dir, { recursive: true, force: true });
    const r = writeSynthBundle(dir, {
      ramBytes: spec.ramBytes,
      nodes: 16,
      blocks: spec.blocks,
      abi: spec.abi ?? 'kho-v3',
      seed: 1,
    });
    fs.writeFileSync(done, `${r.summary.blocks}\n`);
  }
  return dir;
}

interface Measured {
  readonly seconds: number;
  /** user + system CPU seconds: what to compare on a machine shared with other work. */
  readonly cpuSeconds: number;
  readonly maxRssMiB: number;
  readonly exit: number;
  readonly stdoutBytes: number;
}

/**
 * One process under /usr/bin/time: wall time, CPU, peak RSS; stdout counted and dropped.
 *
 * `pipe` (the default): stdout is a pipe drained by `wc -c`, as when a CI job pipes the document to a reader, so
 * what the program spends writing it (the JSON writer, the pipe, waiting for the reader) is counted and the disk is
 * not. `null`: stdout is /dev/null. Neither is a file on disk: `compare --json` with deferred init on writes a
 * 1.17 GB document at 8M blocks, and written to a file in $TMPDIR on the bench VM its page-cache writeback added
 * ~4 s of system time to the run (6.4 s wall to /dev/null, 7.3 s through a pipe, 10.6 s to a file, one machine, one
 * afternoon), which is the disk's, not the program's, and moved ratios by a third between runs.
 */
function measure(args: readonly string[], stdout: 'pipe' | 'null' = 'pipe'): Measured {
  // bash: exit with the measured program's status (PIPESTATUS), not wc's
  const script =
    stdout === 'null'
      ? '/usr/bin/time -f "%e %U %S %M" "$@" > /dev/null'
      : '/usr/bin/time -f "%e %U %S %M" "$@" | wc -c; exit ${PIPESTATUS[0]}';
  const r = spawnSync('/bin/bash', ['-c', script, 'bash', process.execPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * M,
  });
  const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
  const [sec, user, sys, kb] = last.split(' ').map(Number);
  return {
    seconds: sec ?? NaN,
    cpuSeconds: (user ?? NaN) + (sys ?? NaN),
    maxRssMiB: (kb ?? NaN) / 1024,
    exit: r.status ?? -1,
    stdoutBytes: stdout === 'null' ? NaN : Number((r.stdout ?? '').trim()),
  };
}

const CLI = path.resolve('bin/kexec-replay.js');
const DECODE_MIN = path.resolve('dist/bench/decode-min.js');

function result(name: string, m: Measured, detail: string): BenchResult {
  // each case as it ends (a full run takes many minutes on a loaded machine)
  process.stderr.write(
    `[scale] ${name}: ${m.seconds.toFixed(2)} s wall, ${m.cpuSeconds.toFixed(2)} s CPU, ${m.maxRssMiB.toFixed(0)} MiB, exit ${m.exit}\n`,
  );
  return {
    name: `scale ${name}`,
    runs: 1,
    medianMs: m.seconds * 1000,
    maxMs: m.seconds * 1000,
    detail: `${detail}; CPU ${m.cpuSeconds.toFixed(2)} s, peak RSS ${m.maxRssMiB.toFixed(0)} MiB, exit ${m.exit}, stdout ${Number.isNaN(m.stdoutBytes) ? 'not kept' : `${(m.stdoutBytes / M).toFixed(1)} MiB`}`,
  };
}

/**
 * `filter` picks cases: sizes (1m 2m 4m 8m 2xram 32m) decode those bundles and replay them with deferred init
 * off and on; `inspect` adds inspect
 * --json on the 8M bundles (kho-v3, and kho-v4 with LUO/memfd owners), each beside its minimal decode,
 * `inspect32m` the same on the 32M bundle (no replay), `compare` compare --json on the 1M bundle, deferred init off and on (`compare8m`
 * on the 8M one). Default: 1m 2xram 2m 4m 8m inspect compare (32m, inspect32m and compare8m only when asked).
 */
export function benchScale(filter: readonly string[] = []): BenchResult[] {
  const words = filter.filter((w) => w !== 'scale');
  const want = words.length ? words : ['1m', '2xram', '2m', '4m', '8m', 'inspect', 'compare'];
  const out: BenchResult[] = [];
  const replayArgs = ['--strategy', 'init-deferred-page', '--json'];
  // deferred struct page init on: a kho-v3 image replays as v7.1 (its Kconfig keeps KHO and
  // DEFERRED_STRUCT_PAGE_INIT apart, so deferred init is off); a host running both is the deferred fix on kho-v3
  // (src/sim/profiles.ts KHO_V3_DEFERRED_FIX; v7.2 on writes kho-v4), whose init-deferred-page runs
  // init_deferred_page() per preserved block and whose pgdatinit threads free the gaps between them
  const deferredArgs = [...replayArgs, '--profile', 'kho-v3-deferred-fix'];
  for (const key of Object.keys(BUNDLES)) {
    if (!want.includes(key)) continue;
    const spec = BUNDLES[key]!;
    const dir = bundleDir(spec);
    const label = `${spec.name} (${(spec.ramBytes / TIB).toFixed(0)} TiB, ${spec.blocks / M}M blocks)`;
    out.push(
      result(`decode-min ${key}`, measure([DECODE_MIN, dir]), `${label}: radix tree into typed arrays`),
    );
    out.push(
      result(
        `replay ${key}`,
        measure([CLI, 'replay', dir, ...replayArgs]),
        `${label}: replay ${replayArgs.join(' ')}`,
      ),
    );
    out.push(
      result(
        `replay-deferred ${key}`,
        measure([CLI, 'replay', dir, ...deferredArgs]),
        `${label}: replay ${deferredArgs.join(' ')}`,
      ),
    );
  }
  // inspect --json streams the document (src/report/json-stream.ts): the target is 2x the minimal decode
  for (const [word, spec] of [
    ['inspect', BUNDLES['8m']!],
    ['inspect', INSPECT_BUNDLES['8m-v4']!],
    ['inspect32m', BUNDLES['32m']!],
  ] as const) {
    if (!want.includes(word)) continue;
    const dir = bundleDir(spec);
    const label = `${spec.name} (${spec.abi ?? 'kho-v3'}, ${spec.blocks / M}M blocks)`;
    out.push(
      result(`decode-min ${spec.name}`, measure([DECODE_MIN, dir]), `${label}: radix tree into typed arrays`),
    );
    out.push(
      result(
        `inspect ${spec.name}`,
        measure([CLI, 'inspect', dir, '--json'], 'null'),
        `${label}: inspect --json to /dev/null`,
      ),
    );
  }
  for (const [word, key] of [
    ['compare', '1m'],
    ['compare8m', '8m'],
  ] as const) {
    if (!want.includes(word)) continue;
    const spec = BUNDLES[key]!;
    out.push(
      result(
        `compare ${key}`,
        measure([CLI, 'compare', bundleDir(spec), '--json']),
        `${spec.name}: compare --json (5 strategies)`,
      ),
    );
    // with deferred init off (v7.1, the default for a kho-v3 image) the posted strategies never run and replayEach
    // replays their boot once (src/sim/replay.ts strategyEffect); with it on every strategy acts, so this is the
    // case where the five replays differ
    out.push(
      result(
        `compare-deferred ${key}`,
        measure([CLI, 'compare', bundleDir(spec), '--json', '--profile', 'kho-v3-deferred-fix']),
        `${spec.name}: compare --json --profile kho-v3-deferred-fix (5 strategies, deferred init on)`,
      ),
    );
  }
  return out;
}
