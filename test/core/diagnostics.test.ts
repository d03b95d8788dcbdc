// DiagnosticSink keeps the first LIMITS.DIAGNOSTICS_KEPT_PER_CODE diagnostics of a code and counts the rest in one
// entry (issue 13: a file of 3M junk lines kept one object a line, 590 MB; 60 MB of them ran V8 out of memory).
import { describe, expect, it } from 'vitest';
import {
  DiagnosticSink,
  LIMITS,
  countDiagnostics,
  formatDiagnostic,
  totalDiagnostics,
} from '../../src/core/index.js';

const CAP = LIMITS.DIAGNOSTICS_KEPT_PER_CODE;

describe('DiagnosticSink: counted past a cap', () => {
  it('keeps every diagnostic below the cap, in order', () => {
    const s = new DiagnosticSink();
    s.warn('A', 'one', { file: 'f', line: 1 });
    s.info('B', 'two');
    expect(s.items).toEqual([
      { code: 'A', severity: 'warning', message: 'one', location: { file: 'f', line: 1 } },
      { code: 'B', severity: 'info', message: 'two' },
    ]);
    expect(totalDiagnostics(s.items)).toBe(2);
  });

  it('folds a code past the cap into one entry whose count makes the totals exact', () => {
    const s = new DiagnosticSink();
    const n = CAP * 3 + 7;
    for (let i = 0; i < n; i++) s.info('JUNK', `line ${i}`, { file: 'f', line: i + 1 });
    s.warn('OTHER', 'kept');
    expect(s.items).toHaveLength(CAP + 2);
    const folded = s.items[CAP]!;
    expect(folded.code).toBe('JUNK');
    expect(folded.count).toBe(n - CAP);
    expect(formatDiagnostic(folded)).toContain(`(${n - CAP} of them)`);
    expect(countDiagnostics(s.items)).toEqual({ JUNK: n, OTHER: 1 });
    expect(totalDiagnostics(s.items)).toBe(n + 1);
  });

  it('items is live: a caller holding it sees diagnostics added later (parsers hand it out before they finish)', () => {
    const s = new DiagnosticSink();
    const held = s.items;
    for (let i = 0; i < CAP + 5; i++) s.info('X', 'x');
    expect(held).toBe(s.items);
    expect(totalDiagnostics(held)).toBe(CAP + 5);
  });

  it('three million diagnostics cost a count, not three million objects', () => {
    const s = new DiagnosticSink();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 3_000_000; i++)
      s.info('DMESG_UNKNOWN_LINE', 'junk', { file: 'dmesg.txt', line: i + 1 });
    const grown = process.memoryUsage().heapUsed - before;
    expect(s.items).toHaveLength(CAP + 1);
    expect(totalDiagnostics(s.items)).toBe(3_000_000);
    // One object a line was ~200 bytes each (590 MB for 3M); the cap keeps it to the kept few.
    expect(grown).toBeLessThan(50 * 1024 * 1024);
  });
});
