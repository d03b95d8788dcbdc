// The scale bench's rounds and its issue 10 target lines (bench/scale.ts): ratios taken within a round, their median
// and range, the rounds that meet each limit, the peak RSS at 8M blocks. No process is run: measurements are given.
import { describe, expect, it } from 'vitest';
import { roundsOf, targetLines, type Measured } from '../../bench/scale.js';

const m = (seconds: number, maxRssMiB = 100): Measured => ({
  seconds,
  cpuSeconds: seconds,
  maxRssMiB,
  exit: 0,
  stdoutBytes: 0,
});

describe('scale bench rounds', () => {
  it('reads rounds=N, 1 when not given, and refuses what is not a count', () => {
    expect(roundsOf(['scale', '8m'])).toBe(1);
    expect(roundsOf(['8m', 'rounds=7', 'compare8m'])).toBe(7);
    for (const w of ['rounds=0', 'rounds=1.5', 'rounds=x', 'rounds=', 'rounds=100'])
      expect(() => roundsOf([w])).toThrow(/rounds must be a whole number from 1 to 99/);
  });

  it('takes each ratio within a round, and gives its median, range and the rounds that meet the limit', () => {
    // round by round: compare 3.6/1.8 = 2.0x (met: <= 2), 3.9/1.8 = 2.17x, 3.3/1.8 = 1.83x; had the ratio been taken
    // across rounds (median compare 3.6 over median replay 1.8), the per-round spread would not show
    const runs = new Map<string, Measured[]>([
      ['replay-deferred 8m', [m(1.8), m(1.8), m(1.8)]],
      ['compare-deferred 8m', [m(3.6), m(3.9), m(3.3)]],
    ]);
    const lines = targetLines(runs);
    const line = lines.find((l) => l.includes('compare-deferred 8m / replay-def.'));
    expect(line).toMatch(/median 2\.00x \(1\.83x-2\.17x\), limit <= 2x: met \(2 of 3 rounds\)$/);
    // only targets whose two cases ran are listed
    expect(lines.some((l) => l.includes('compare 8m / replay'))).toBe(false);
  });

  it('pairs the cases of one round, not their sorted times', () => {
    // the slow compare is in the slow round: per round 2.0x, 2.0x, 2.0x (met in all three)
    const runs = new Map<string, Measured[]>([
      ['replay-deferred 8m', [m(1), m(2), m(1.5)]],
      ['compare-deferred 8m', [m(2), m(4), m(3)]],
    ]);
    expect(targetLines(runs)[0]).toMatch(/median 2\.00x \(2\.00x-2\.00x\).*: met \(3 of 3 rounds\)/);
  });

  it('a strict limit is not met at the limit itself (2x RAM < 1.1x)', () => {
    const runs = new Map<string, Measured[]>([
      ['replay 1m', [m(1)]],
      ['replay 2xram', [m(1.1)]],
    ]);
    expect(targetLines(runs)[0]).toMatch(
      /replay 2x RAM \/ 1m .*median 1\.10x.*limit < 1\.1x: NOT met \(0 of 1 rounds\)/,
    );
  });

  it('gives the largest peak RSS of the 8M replays and compares against 1.5 GiB', () => {
    const runs = new Map<string, Measured[]>([
      ['decode-min 8m', [m(0.7, 3000)]],
      ['replay 8m', [m(1.7, 470)]],
      ['compare-deferred 8m', [m(3.4, 850), m(3.5, 1600)]],
      ['replay 32m', [m(6, 1900)]],
    ]);
    const rss = targetLines(runs).find((l) => l.startsWith('target peak RSS'));
    expect(rss).toBe(
      'target peak RSS at 8M blocks: 1600 MiB (compare-deferred 8m), limit <= 1536 MiB: NOT met',
    );
  });
});
