// Timing for tests that bound how long something takes, on a machine shared with other work (CI has 2 cores; the
// suite runs beside other processes). Wall time there is mostly the neighbours': a test that passes alone failed
// at load 9-13. So the bounds are on this process's CPU time (user + system, process.cpuUsage(): time spent
// waiting for a core is not in it), the best of a few runs, and, where a wrong algorithm would be quadratic, on
// how the time grows from n to 4n (linear: about 4x; quadratic: 16x), which no load changes.
// vitest runs each test file in a process of its own (vitest.config.ts pool: 'forks'), so the process's CPU time
// is this test's (and its GC threads').

/** This process's CPU time so far (user + system), in ms: a clock for `cpuNow() - t0` around awaited work. */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU milliseconds (user + system) of this process during `fn()`. */
export function cpuMs(fn: () => unknown): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

/** The least CPU ms of `runs` calls of `fn` (the first run also warms the code up). */
export function bestCpuMs(fn: () => unknown, runs = 3): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, cpuMs(fn));
  return best;
}

export interface Growth {
  /** Best CPU ms at n and at factor * n. */
  readonly small: number;
  readonly large: number;
  /** large / small, small floored at `floorMs` (a ratio of two sub-millisecond times is noise). */
  readonly ratio: number;
  /** For a failing expect: the figures. */
  readonly text: string;
}

/**
 * How the CPU time of `work(size)()` grows from `n` to `factor * n` (best of `runs` each; `work(size)` builds the
 * input, outside the timing, and returns the call to time). Linear work grows about `factor`x, quadratic
 * `factor`^2x: 4 and 16 for the default factor of 4, so a bound of 8 tells them apart on any machine.
 */
export function cpuGrowth(
  work: (size: number) => () => unknown,
  n: number,
  { factor = 4, runs = 3, floorMs = 1 }: { factor?: number; runs?: number; floorMs?: number } = {},
): Growth {
  const smallCall = work(n);
  const largeCall = work(factor * n);
  // small first, so the large runs find the code optimised
  const small = bestCpuMs(smallCall, runs);
  const large = bestCpuMs(largeCall, runs);
  const ratio = large / Math.max(small, floorMs);
  return {
    small,
    large,
    ratio,
    text: `${n}: ${small.toFixed(1)} ms CPU, ${factor * n}: ${large.toFixed(1)} ms CPU (x${ratio.toFixed(1)})`,
  };
}
