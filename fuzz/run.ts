// npm run fuzz (issue 13): structure-aware mutation of the real files under traces/, each input run in a worker
// thread with a timeout and a heap limit, counted by outcome; each new crash or hang is minimised (edits dropped
// while it still fails) and written to <out>/crashes/. A fixed --seed makes a run reproducible.
//
//   node dist/fuzz/run.js [--binary 100000] [--text 10000] [--cli 2000] [--seed 1] [--workers 1] [--out fuzz-out]
//                         [--timeout-ms 1000] [--heap-mb 768] [--only fdt,elf,kho,text,cli] [--quiet]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CliOutcome } from './cli-target.js';
import { judgeCli, writeBundle } from './cli-target.js';
import type { ByteEdit, CoreMap, Rand, TextEdit } from './mutate.js';
import {
  applyByteEdits,
  applyTextEdits,
  mapCore,
  mutateElf,
  mutateFdt,
  mutateKhoCore,
  mutateText,
  prng,
} from './mutate.js';
import type { Outcome, Seed } from './targets.js';
import { findSeeds } from './targets.js';
import type { WorkerJob } from './worker.js';

export interface FuzzOptions {
  readonly binary: number;
  readonly text: number;
  readonly cli: number;
  readonly seed: number;
  readonly workers: number;
  readonly out: string;
  readonly timeoutMs: number;
  readonly heapMb: number;
  readonly only: readonly string[];
  readonly quiet: boolean;
  /** Run every Nth CLI input through the real binary too (0: never). */
  readonly binaryEvery: number;
}

export interface FormatCounts {
  inputs: number;
  parsed: number;
  diagnostics: number;
  traceError: number;
  unlocated: number;
  crash: number;
  hang: number;
  /** Past the timeout once, done within ten times it on a second run (a loaded machine). */
  slow: number;
  codes: Record<string, number>;
  ms: number;
}

export interface FuzzReport {
  readonly options: FuzzOptions;
  readonly formats: Record<string, FormatCounts>;
  readonly cli: {
    inputs: number;
    ok: number;
    bad: number;
    byExit: Record<string, number>;
    binaryRuns: number;
    ms: number;
  };
  readonly failures: { format: string; kind: string; message: string; dir: string }[];
}

type AnyOutcome = Outcome | CliOutcome | { kind: 'hang' } | { kind: 'crash'; message: string };

/** A pool of workers; each job gets `timeoutMs`, after which its worker is replaced and the job is a hang. */
class Pool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private nextId = 0;
  constructor(
    private readonly seeds: Seed[],
    private readonly size: number,
    private readonly heapMb: number,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }
  /** Start a worker; it joins the idle ones once it says it is loaded (start-up is not an input's time). */
  private spawn(): void {
    const w = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { seeds: this.seeds },
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 64 },
    });
    w.once('message', () => this.give(w));
  }
  private take(): Promise<Worker> {
    const w = this.idle.pop();
    return w ? Promise.resolve(w) : new Promise((res) => this.waiting.push(res));
  }
  private give(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }
  async run(job: Omit<WorkerJob, 'id'>, timeoutMs: number): Promise<AnyOutcome> {
    const w = await this.take();
    const id = this.nextId++;
    return new Promise((resolve) => {
      let done = false;
      const finish = (o: AnyOutcome, replace: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        w.off('message', onMsg);
        w.off('error', onErr);
        if (replace) {
          void w.terminate();
          this.spawn();
        } else this.give(w);
        resolve(o);
      };
      const onMsg = (m: { id: number; outcome: AnyOutcome }): void => {
        if (m.id === id) finish(m.outcome, false);
      };
      const onErr = (e: Error): void => finish({ kind: 'crash', message: `worker: ${e.message}` }, true);
      const timer = setTimeout(() => finish({ kind: 'hang' }, true), timeoutMs);
      w.on('message', onMsg);
      w.on('error', onErr);
      w.postMessage({ ...job, id } as WorkerJob);
    });
  }
  async close(): Promise<void> {
    await Promise.all(this.idle.map((w) => w.terminate()));
  }
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const emptyCounts = (): FormatCounts => ({
  inputs: 0,
  parsed: 0,
  diagnostics: 0,
  traceError: 0,
  unlocated: 0,
  crash: 0,
  hang: 0,
  slow: 0,
  codes: {},
  ms: 0,
});

function isFailure(o: AnyOutcome): boolean {
  return (
    o.kind === 'crash' ||
    o.kind === 'hang' ||
    o.kind === 'cli-bad' ||
    (o.kind === 'trace-error' && !o.located)
  );
}

function failureKey(format: string, o: AnyOutcome): string {
  const msg = 'message' in o ? o.message : 'why' in o ? (o.why ?? '') : '';
  return `${format}|${o.kind}|${msg
    .split('\n')[0]!
    .replace(/0x[0-9a-f]+|\d+/g, 'N')
    .slice(0, 120)}`;
}

export async function fuzz(opts: FuzzOptions, log: (s: string) => void = console.log): Promise<FuzzReport> {
  const all = findSeeds();
  const byFormat = new Map<string, number[]>();
  all.forEach((s, i) => {
    const key = s.format;
    if (!byFormat.has(key)) byFormat.set(key, []);
    byFormat.get(key)!.push(i);
  });
  const pool = new Pool(all, opts.workers, opts.heapMb);
  const formats: Record<string, FormatCounts> = {};
  const failures: FuzzReport['failures'] = [];
  const seen = new Set<string>();
  const seedCache = new Map<number, Uint8Array>();
  const coreMaps = new Map<number, CoreMap>();
  const bytesOf = (i: number): Uint8Array => {
    let b = seedCache.get(i);
    if (!b) seedCache.set(i, (b = new Uint8Array(fs.readFileSync(all[i]!.file))));
    return b;
  };
  const wants = (f: string): boolean =>
    opts.only.length === 0 || opts.only.some((o) => f === o || f.startsWith(`${o}:`));

  const editsFor = (i: number, r: Rand): ByteEdit[] | TextEdit[] => {
    const s = all[i]!;
    const b = bytesOf(i);
    if (s.format === 'fdt' || (s.format === 'kho' && s.part === 'fdt')) return mutateFdt(b, r);
    if (s.format === 'elf') return mutateElf(b, r);
    if (s.format === 'kho') {
      let m = coreMaps.get(i);
      if (!m) coreMaps.set(i, (m = mapCore(b)));
      return mutateKhoCore(b, m, r);
    }
    return mutateText(new TextDecoder().decode(b).split('\n'), r);
  };

  const record = async (
    format: string,
    seedIdx: number,
    edits: ByteEdit[] | TextEdit[],
    o: AnyOutcome,
  ): Promise<void> => {
    const key = failureKey(format, o);
    if (seen.has(key)) return;
    seen.add(key);
    // Minimise: drop edits while the same failure remains.
    let cur = edits.slice() as (ByteEdit | TextEdit)[];
    for (let k = cur.length - 1; k >= 0 && cur.length > 1; k--) {
      const trial = cur.filter((_, j) => j !== k);
      const t = await pool.run({ seed: seedIdx, edits: trial as ByteEdit[] }, opts.timeoutMs);
      if (isFailure(t) && failureKey(format, t) === key) cur = trial;
    }
    const s = all[seedIdx]!;
    const dir = path.join(
      opts.out,
      'crashes',
      `${format.replace(/[^a-z0-9]+/gi, '-')}-${failures.length + 1}`,
    );
    const base = bytesOf(seedIdx);
    const input = s.format.startsWith('text:')
      ? new TextEncoder().encode(applyTextEdits(new TextDecoder().decode(base), cur as TextEdit[]))
      : applyByteEdits(base, cur as ByteEdit[]);
    const files = new Map<string, Uint8Array>();
    if (s.format === 'kho') {
      const b = s.bundle!;
      for (const rel of ['kho/fdt', 'kho/memory.core'])
        files.set(rel, new Uint8Array(fs.readFileSync(path.join(b, rel))));
      const sub = path.join(b, 'kho', 'sub_fdts');
      if (fs.existsSync(sub))
        for (const n of fs.readdirSync(sub))
          files.set(`kho/sub_fdts/${n}`, new Uint8Array(fs.readFileSync(path.join(sub, n))));
      files.set(s.part === 'fdt' ? 'kho/fdt' : 'kho/memory.core', input);
    } else if (s.format === 'fdt') files.set('kho/fdt', input);
    else if (s.format === 'elf') files.set('kho/memory.core', input);
    else files.set(s.format.slice('text:'.length), input);
    writeBundle(dir, files);
    fs.writeFileSync(
      path.join(dir, 'fuzz.json'),
      JSON.stringify({ format, seed: s.file, edits: cur, outcome: o, runSeed: opts.seed }, null, 2) + '\n',
    );
    failures.push({ format, kind: o.kind, message: 'message' in o ? o.message : o.kind, dir });
    log(`  NEW ${o.kind} in ${format}: ${('message' in o ? o.message : '').split('\n')[0]} -> ${dir}`);
  };

  // ---- formats ----
  for (const [format, idxs] of [...byFormat].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (!wants(format)) continue;
    const n = format.startsWith('text:') ? opts.text : opts.binary;
    if (n <= 0) continue;
    const c = (formats[format] = emptyCounts());
    const r = prng(opts.seed ^ hashString(format));
    // Large cores (the real 8 and 17 MB captures) take longer per input: a few percent of the KHO inputs.
    const small = idxs.filter((i) => fs.statSync(all[i]!.file).size <= 1024 * 1024);
    const t0 = performance.now();
    const inflight = new Set<Promise<void>>();
    for (let i = 0; i < n; i++) {
      const pickLarge = small.length < idxs.length && r() < 0.03;
      const pool0 = pickLarge || small.length === 0 ? idxs : small;
      const seedIdx = pool0[Math.floor(r() * pool0.length)]!;
      const edits = editsFor(seedIdx, r);
      const timeout =
        fs.statSync(all[seedIdx]!.file).size > 1024 * 1024 ? opts.timeoutMs * 5 : opts.timeoutMs;
      const p = pool.run({ seed: seedIdx, edits: edits as ByteEdit[] }, timeout).then(async (first) => {
        let o = first;
        if (o.kind === 'hang') {
          // A loaded machine (8 agents on 2 cores) can stall one input past the timeout: run it again with ten
          // times as long. Done then, it is counted as slow; still running, it is a hang.
          o = await pool.run({ seed: seedIdx, edits: edits as ByteEdit[] }, timeout * 10);
          if (o.kind !== 'hang') c.slow++;
        }
        c.inputs++;
        if (o.kind === 'parsed') c.parsed++;
        else if (o.kind === 'diagnostics') c.diagnostics++;
        else if (o.kind === 'trace-error') {
          c.traceError++;
          c.codes[o.code] = (c.codes[o.code] ?? 0) + 1;
          if (!o.located) c.unlocated++;
        } else if (o.kind === 'hang') c.hang++;
        else c.crash++;
        if (isFailure(o)) await record(format, seedIdx, edits, o);
      });
      inflight.add(p);
      void p.then(() => inflight.delete(p));
      if (inflight.size >= opts.workers * 2) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    c.ms = performance.now() - t0;
    if (!opts.quiet)
      log(
        `${format.padEnd(34)} ${String(c.inputs).padStart(7)} inputs  parsed ${c.parsed}  diagnostics ${c.diagnostics}  TraceError ${c.traceError} (unlocated ${c.unlocated})  crash ${c.crash}  hang ${c.hang}  (slow once ${c.slow})  ${(c.ms / 1000).toFixed(1)} s`,
      );
  }

  // ---- the CLI ----
  const cli = { inputs: 0, ok: 0, bad: 0, byExit: {} as Record<string, number>, binaryRuns: 0, ms: 0 };
  if (opts.cli > 0 && wants('cli')) {
    const t0 = performance.now();
    const r = prng(opts.seed ^ hashString('cli'));
    const khoBundles = all.filter(
      (s) => s.format === 'kho' && s.part === 'core' && fs.statSync(s.file).size <= 1024 * 1024,
    );
    const textSeeds = all.map((s, i) => [s, i] as const).filter(([s]) => s.format.startsWith('text:'));
    const commands = [['parse'], ['inspect'], ['replay'], ['inspect', '--json'], ['parse', '--json']];
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-fuzz-'));
    for (let i = 0; i < opts.cli; i++) {
      // A KHO bundle plus a few host files, one of its files mutated.
      const kb = khoBundles[Math.floor(r() * khoBundles.length)]!;
      const files = new Map<string, Uint8Array>();
      for (const rel of ['kho/fdt', 'kho/memory.core'])
        files.set(rel, new Uint8Array(fs.readFileSync(path.join(kb.bundle!, rel))));
      const picked = [0, 1, 2].map(() => textSeeds[Math.floor(r() * textSeeds.length)]!);
      for (const [s] of picked) files.set(s.format.slice(5), bytesOf(all.indexOf(s)));
      const k = r();
      if (k < 0.3) {
        const core = files.get('kho/memory.core')!;
        const ci = all.indexOf(kb);
        files.set('kho/memory.core', applyByteEdits(core, editsFor(ci, r) as ByteEdit[]));
      } else if (k < 0.45) {
        const fdt = files.get('kho/fdt')!;
        files.set('kho/fdt', applyByteEdits(fdt, mutateFdt(fdt, r)));
      } else {
        const [s, si] = picked[0]!;
        files.set(
          s.format.slice(5),
          new TextEncoder().encode(
            applyTextEdits(new TextDecoder().decode(bytesOf(si)), editsFor(si, r) as TextEdit[]),
          ),
        );
      }
      const dir = path.join(tmp, `b${i % (opts.workers * 2)}`);
      writeBundle(dir, files);
      const argv = commands[i % commands.length]!;
      const o = (await pool.run({ cli: { dir, argv } }, opts.timeoutMs * 20)) as
        CliOutcome | { kind: 'hang' | 'crash' };
      cli.inputs++;
      const exit = 'exit' in o ? String(o.exit) : o.kind;
      cli.byExit[exit] = (cli.byExit[exit] ?? 0) + 1;
      let bad = o.kind !== 'cli-ok';
      if (opts.binaryEvery > 0 && i % opts.binaryEvery === 0) {
        // The real binary: bin/kexec-replay.js sets process.exitCode from run().
        const p = spawnSync(process.execPath, ['bin/kexec-replay.js', ...argv, dir], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        cli.binaryRuns++;
        const j = judgeCli(p.status ?? -1, p.stderr ?? '');
        if (j.kind !== 'cli-ok') bad = true;
      }
      if (bad) {
        cli.bad++;
        const key = failureKey(`cli ${argv.join(' ')}`, o as AnyOutcome);
        if (!seen.has(key)) {
          seen.add(key);
          const out = path.join(opts.out, 'crashes', `cli-${failures.length + 1}`);
          writeBundle(out, files);
          fs.writeFileSync(path.join(out, 'fuzz.json'), JSON.stringify({ argv, outcome: o }, null, 2) + '\n');
          failures.push({ format: 'cli', kind: o.kind, message: JSON.stringify(o).slice(0, 300), dir: out });
          log(`  NEW cli failure (${argv.join(' ')}): ${JSON.stringify(o).slice(0, 200)} -> ${out}`);
        }
      } else cli.ok++;
      // a long run on a loaded machine says how far it is
      if (!opts.quiet && (i + 1) % 500 === 0 && i + 1 < opts.cli)
        log(
          `  cli ${i + 1}/${opts.cli} bundles, ${cli.bad} bad, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
        );
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    cli.ms = performance.now() - t0;
    if (!opts.quiet)
      log(
        `${'cli'.padEnd(34)} ${String(cli.inputs).padStart(7)} bundles  ok ${cli.ok}  bad ${cli.bad}  exits ${JSON.stringify(cli.byExit)}  (real binary ${cli.binaryRuns})  ${(cli.ms / 1000).toFixed(1)} s`,
      );
  }
  await pool.close();
  return { options: opts, formats, cli, failures };
}

function parseArgs(argv: readonly string[]): FuzzOptions {
  const get = (name: string, dflt: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
  };
  return {
    binary: Number(get('binary', '100000')),
    text: Number(get('text', '10000')),
    cli: Number(get('cli', '2000')),
    seed: Number(get('seed', '1')),
    workers: Number(get('workers', '1')),
    out: get('out', 'fuzz-out'),
    timeoutMs: Number(get('timeout-ms', '1000')),
    heapMb: Number(get('heap-mb', '768')),
    only: get('only', '')
      .split(',')
      .filter((s) => s.length > 0),
    quiet: argv.includes('--quiet'),
    binaryEvery: Number(get('binary-every', '20')),
  };
}

// Run when executed directly (not when a test imports fuzz()).
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  console.log(
    `kexec-replay fuzz: seed ${opts.seed}, ${opts.binary} per binary format, ${opts.text} per text format, ${opts.cli} CLI bundles, ${opts.workers} worker(s), timeout ${opts.timeoutMs} ms, heap ${opts.heapMb} MB`,
  );
  const report = await fuzz(opts);
  fs.mkdirSync(opts.out, { recursive: true });
  fs.writeFileSync(path.join(opts.out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const total = Object.values(report.formats).reduce((s, c) => s + c.inputs, 0);
  console.log(
    `total ${total} inputs + ${report.cli.inputs} CLI bundles in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${report.failures.length} distinct failure(s)${report.failures.length ? ` in ${opts.out}/crashes/` : ''}`,
  );
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}
