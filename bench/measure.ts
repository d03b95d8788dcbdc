// What every benchmark returns, and the timing it is built from (one place for median and max).

export interface BenchResult {
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly detail: string;
  /** A line printed as it is instead of the timing line (the scale bench's targets). */
  readonly text?: string;
}

/** Median and maximum of a list of durations in ms (the list is sorted in place). */
export function medianMax(ts: number[]): { medianMs: number; maxMs: number } {
  ts.sort((a, b) => a - b);
  return { medianMs: ts[Math.floor(ts.length / 2)]!, maxMs: ts[ts.length - 1]! };
}

/** Run `fn` `runs` times; median and maximum wall time in ms. */
export function timeRuns(fn: () => void, runs: number): { medianMs: number; maxMs: number } {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return medianMax(ts);
}
