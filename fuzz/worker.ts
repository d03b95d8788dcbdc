// Fuzz worker thread: holds the seeds, applies the edits it is sent, runs the target, answers with the outcome.
// Runs under a heap limit (resourceLimits) and is killed by the parent on a timeout, so a hang or an out-of-memory
// costs one worker, not the run.
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { ByteEdit, TextEdit } from './mutate.js';
import { applyByteEdits, applyTextEdits } from './mutate.js';
import type { Seed } from './targets.js';
import { khoParts, runTarget } from './targets.js';
import { runCliInput } from './cli-target.js';
import type { CliJob } from './cli-target.js';

export type WorkerJob =
  | { readonly id: number; readonly seed: number; readonly edits: readonly ByteEdit[] | readonly TextEdit[] }
  | { readonly id: number; readonly cli: CliJob };

const seeds = (workerData as { seeds: Seed[] }).seeds;
const bytes = new Map<number, Uint8Array>();
const kho = new Map<string, ReturnType<typeof khoParts>>();
const seedBytes = (i: number): Uint8Array => {
  let b = bytes.get(i);
  if (!b) bytes.set(i, (b = new Uint8Array(fs.readFileSync(seeds[i]!.file))));
  return b;
};

parentPort!.on('message', (job: WorkerJob) => {
  if ('cli' in job) {
    void runCliInput(job.cli).then((r) => parentPort!.postMessage({ id: job.id, outcome: r }));
    return;
  }
  const seed = seeds[job.seed]!;
  const base = seedBytes(job.seed);
  const input = seed.format.startsWith('text:')
    ? new TextEncoder().encode(applyTextEdits(new TextDecoder().decode(base), job.edits as TextEdit[]))
    : applyByteEdits(base, job.edits as ByteEdit[]);
  let ctx: Parameters<typeof runTarget>[2] = { name: seed.file };
  if (seed.format === 'kho') {
    let k = kho.get(seed.bundle!);
    if (!k) kho.set(seed.bundle!, (k = khoParts(seed.bundle!)));
    ctx = { name: seed.file, kho: { ...k, part: seed.part! } };
  }
  parentPort!.postMessage({ id: job.id, outcome: runTarget(seed.format, input, ctx) });
});

// Loaded: the parent starts a job's timer only from here, so a worker's start-up never counts against an input.
parentPort!.postMessage({ ready: true });
