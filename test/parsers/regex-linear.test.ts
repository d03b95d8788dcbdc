// Every regular expression in the source tree runs in linear time on hostile input (issue 13: a 50-character
// dmesg line took 41 s in the ignore list, an `efi:` line with 12 `a=0x..` pairs 10.7 s, an 8,000-digit line
// 0.23 s, runs of spaces were quadratic in three parsers). Patterns are found by reading the sources, so a pattern
// added anywhere later is checked without touching this file: each regex literal is compiled from its text, and
// each `new RegExp(...)` must be the initializer of an exported const (the test reads the value from the module).
// A worker runs the shapes of fuzz/regex-shapes.ts at 100,000 characters; a watchdog kills it when one input
// does not return, naming the pattern and the input.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { collectPatterns as collect } from '../../fuzz/collect-patterns.js';
import type { RegexJob, RegexWorkerMessage } from '../../fuzz/regex-worker.js';
import { sampleLines } from '../../fuzz/sample-lines.js';

const collectPatterns = () =>
  collect((file) => import(pathToFileURL(path.resolve(file)).href) as Promise<Record<string, unknown>>);
const LENGTH = 100_000;
/**
 * CPU ms (process.cpuUsage, not wall time: a loaded machine stretches wall time, and this failed at load 9-13). A
 * linear scan of 100k characters takes well under a millisecond once compiled; a regexp's first run is interpreted
 * and the slowest inputs take up to ~50 ms then. An input over the bound is timed again (best of four) and at a
 * quarter of its length (regex-worker.ts): it is reported only when it also grows faster than 8x from there
 * (linear: 4x, quadratic: 16x).
 */
const BOUND_MS = 200;
/** No progress for this long (wall time): the pattern is hung (exponential, or quadratic at 100k). */
const WATCHDOG_MS = 8_000;

function runWorker(
  job: RegexJob,
): Promise<{ slow: string[]; inputs: number; worst: string; worstMs: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('../../dist/fuzz/regex-worker.js', import.meta.url), { workerData: job });
    const slow: string[] = [];
    let last = '(none yet)';
    let timer: NodeJS.Timeout;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void w.terminate();
        reject(new Error(`no result within ${WATCHDOG_MS} ms (super-linear backtracking): ${last}`));
      }, WATCHDOG_MS);
    };
    arm();
    w.on('message', (m: RegexWorkerMessage) => {
      if (m.kind === 'start') {
        last = `${m.id} on ${m.label}`;
        arm();
      } else if (m.kind === 'slow') slow.push(`${m.id} on ${m.label}: ${m.ms.toFixed(0)} ms CPU`);
      else {
        clearTimeout(timer);
        void w.terminate();
        resolve({ slow, inputs: m.inputs, worst: m.worst, worstMs: m.worstMs });
      }
    });
    w.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

describe('every pattern in the sources runs in linear time', () => {
  it('finds the patterns by reading the sources; each new RegExp is an exported const', async () => {
    const { patterns, unexported } = await collectPatterns();
    expect(unexported, 'export these `new RegExp` values as consts so the ReDoS check can read them').toEqual(
      [],
    );
    // The dmesg patterns and ignore list alone are over a hundred; a collector that finds few is broken.
    expect(patterns.length).toBeGreaterThan(150);
  });

  it(`matches each adversarial shape of ${LENGTH} characters within ${BOUND_MS} ms of CPU, growing linearly`, async () => {
    const { patterns } = await collectPatterns();
    const samples = sampleLines();
    expect(samples.length).toBeGreaterThan(1000);
    const r = await runWorker({ patterns, length: LENGTH, boundMs: BOUND_MS, samples });
    expect(r.slow, `slowest: ${r.worst} ${r.worstMs.toFixed(1)} ms CPU`).toEqual([]);
    expect(r.inputs).toBeGreaterThan(patterns.length * 100);
  }, 600_000);
});
