// Worker thread of the ReDoS check: runs every adversarial input against each pattern it is given and reports the
// slow ones. It runs in a worker so that a pattern that never returns (exponential backtracking cannot be
// interrupted from inside) is killed by the parent's watchdog, which names the pattern and input last announced.
import { parentPort, workerData } from 'node:worker_threads';
import { adversarialInputs, pumpedInputs } from './regex-shapes.js';

export interface RegexJob {
  readonly patterns: readonly { readonly id: string; readonly source: string; readonly flags: string }[];
  readonly length: number;
  /** Real lines (traces/): each pattern is also run on the ones it matches, pumped at token boundaries. */
  readonly samples?: readonly string[];
  /** Matching samples pumped per pattern. */
  readonly samplesPerPattern?: number;
  /** An input taking more CPU milliseconds than this (best of four, and growing faster than linear) is reported. */
  readonly boundMs: number;
}

export type RegexWorkerMessage =
  | { readonly kind: 'start'; readonly id: string; readonly label: string }
  | { readonly kind: 'slow'; readonly id: string; readonly label: string; readonly ms: number }
  | { readonly kind: 'done'; readonly inputs: number; readonly worstMs: number; readonly worst: string };

const job = workerData as RegexJob;
const port = parentPort!;
let inputs = 0;
let worstMs = 0;
let worst = '';
for (const p of job.patterns) {
  // A sticky pattern is matched at one position (the caller sets lastIndex): one exec from 0. Any other is also
  // used with split(), replace() and global scans, which try it at every position: the whole scan is timed.
  const sticky = p.flags.includes('y');
  const re = new RegExp(p.source, sticky ? p.flags : p.flags.replace(/g/g, '') + 'g');
  const probe = new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
  const matching: string[] = [];
  for (const line of job.samples ?? []) {
    if (matching.length >= (job.samplesPerPattern ?? 2)) break;
    if (probe.test(line)) matching.push(line);
  }
  const shapes = function* (length: number): Generator<[string, string]> {
    yield* adversarialInputs(p.source, length);
    for (const line of matching) yield* pumpedInputs(line, length);
  };
  // CPU time of the process (user + system), not wall time: on a shared machine (CI's 2 cores, the suite beside
  // other work) a run waits for a core for longer than the match takes, and that wait is not the pattern's. The
  // parent thread only waits for this worker's messages meanwhile.
  const time = (input: string): number => {
    const t0 = process.cpuUsage();
    re.lastIndex = 0;
    if (sticky) re.exec(input);
    else {
      let n = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(input)) !== null && n++ < 1_000_000) if (m[0] === '') re.lastIndex++;
    }
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1000;
  };
  const best = (input: string, runs: number): number => {
    let ms = Infinity;
    for (let r = 0; r < runs; r++) ms = Math.min(ms, time(input));
    return ms;
  };
  let quarter: [string, string][] | null = null;
  let k = 0;
  for (const [label, input] of shapes(job.length)) {
    port.postMessage({ kind: 'start', id: p.id, label } satisfies RegexWorkerMessage);
    let ms = time(input);
    if (ms > job.boundMs) {
      // The first run of a pattern is interpreted (V8 compiles a regexp to machine code after it has run), and
      // a collection can land in any run: the best of three more, and the best of three at a quarter of the
      // length. Linear work grows about 4x from there; quadratic 16x. Only a run over the bound in every try and
      // growing faster than 8x counts.
      ms = Math.min(ms, best(input, 3));
      quarter ??= [...shapes(job.length / 4)];
      const q = quarter[k];
      const qms = q ? Math.max(0.05, best(q[1], 3)) : 0;
      if (ms > job.boundMs && (q === undefined || ms / qms > 8)) {
        port.postMessage({ kind: 'slow', id: p.id, label, ms } satisfies RegexWorkerMessage);
      }
    }
    inputs++;
    k++;
    if (ms > worstMs) {
      worstMs = ms;
      worst = `${p.id} ${label}`;
    }
  }
}
port.postMessage({ kind: 'done', inputs, worstMs, worst } satisfies RegexWorkerMessage);
