// The CLI on a real pseudo-terminal (test/helpers/pty-run.py: its own session, the pty as controlling terminal):
// the progress line shows and moves on a terminal with a width, never on one of 0 columns, in CI or under --json;
// Ctrl-C and SIGTERM end a long replay at once (the shell's 130 / 143: death by SIGINT / SIGTERM); the terminal
// modes (ICANON, ECHO, ISIG) are never changed, while it runs or after. Runs the built binary (npm test builds it).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const HELPER = new URL('../helpers/pty-run.py', import.meta.url).pathname;
const BIN = 'bin/kexec-replay.js';
const K = 'traces/kho-b-16g-2node';
/** The review-era kernel, whose compare has FAIL verdicts (the image's own default, v7.1, has none). */
const FIX = ['--profile', 'kho-v3-deferred-fix'];
/** CSI K, erase to the end of the line, as a regular expression source. */
const ERASE = '\u001b\\[K';

interface PtyResult {
  timedOut: boolean;
  exitCode: number | null;
  signal: string | null;
  aliveAtSignal: boolean | null;
  secondsAfterSignal: number | null;
  seconds: number;
  bytes: number;
  output: string;
  modesChangedWhileRunning: boolean;
  modesRestored: boolean;
}

interface PtyOptions {
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
  timeout?: number;
  signal?: 'INT' | 'TERM';
  when?: string;
  after?: number;
}

function onPty(opts: PtyOptions, ...argv: string[]): PtyResult {
  const out = execFileSync('python3', [HELPER, JSON.stringify(opts), '--', process.execPath, BIN, ...argv], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as PtyResult;
}

/** The progress lines drawn: each starts with \r and ends with the erase-to-end-of-line escape. */
function progressLines(output: string): string[] {
  return [...output.matchAll(new RegExp(`\r([^\r\n]*?)${ERASE}`, 'g'))]
    .map((m) => m[1]!)
    .filter((l) => l !== '');
}

// a host large enough that compare runs for many seconds: Ctrl-C lands in the middle of synchronous work
let big = '';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-pty-'));
beforeAll(async () => {
  big = path.join(tmp, 'big');
  const o = captureOutput();
  const code = await run(
    [
      'synth',
      '--out',
      big,
      '--ram',
      '1T',
      '--nodes',
      '4',
      '--blocks',
      '1M',
      '--abi',
      'kho-v3',
      '--seed',
      '7',
    ],
    o,
  );
  expect(code, o.stderr).toBe(0);
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('progress on a terminal', () => {
  it('an 80-column terminal: the line moves through the phases and strategies, and is erased before the report', () => {
    const r = onPty({ cols: 80, timeout: 120 }, 'compare', K, ...FIX);
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1); // three strategies FAIL
    const lines = progressLines(r.output);
    // several distinct texts: it moves (reading files, then each of the five strategies)
    expect(new Set(lines.map((l) => l.replace(/ [\d.]+s$/, ''))).size).toBeGreaterThanOrEqual(6);
    expect(lines.some((l) => /reading files \d+\/\d+ \(\d+%\)/.test(l))).toBe(true);
    for (let i = 1; i <= 5; i++) expect(lines.some((l) => l.includes(`strategy ${i} of 5`))).toBe(true);
    for (const l of lines) expect(l.length, l).toBeLessThan(80);
    // the report follows an erased line: its first line starts clean
    expect(r.output).toContain('\r\u001b[Kcompare: traces/kho-b-16g-2node');
    expect(r.modesChangedWhileRunning).toBe(false);
    expect(r.modesRestored).toBe(true);
  });

  it('a terminal of 0 columns: no progress line, the process ends on its own with its exit code', () => {
    const r = onPty({ cols: 0, rows: 0, timeout: 120 }, 'compare', K, ...FIX);
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(progressLines(r.output)).toEqual([]);
    expect(r.output).not.toContain('\x1b[K');
    // the report and nothing else (ora wrote 500 MB of escape codes here)
    expect(r.bytes).toBeLessThan(64 * 1024);
    expect(r.modesRestored).toBe(true);
  });

  it('no progress under --json or in CI', () => {
    const json = onPty({ cols: 120, timeout: 120 }, 'compare', K, ...FIX, '--json');
    expect(json.exitCode).toBe(1);
    expect(progressLines(json.output)).toEqual([]);
    expect(json.output).toContain('"schema": "kexec-replay/compare/1"');
    const ci = onPty({ cols: 120, env: { CI: 'true' }, timeout: 120 }, 'replay', 'traces/qemu/b-16g-2node');
    expect(ci.exitCode).toBe(0);
    expect(progressLines(ci.output)).toEqual([]);
  });
});

describe('Ctrl-C and SIGTERM in the middle of a long compare', () => {
  it('Ctrl-C (typed on the terminal) ends it within a second: death by SIGINT, terminal modes untouched', () => {
    const r = onPty({ cols: 100, signal: 'INT', when: 'strategy 1 of 5', timeout: 120 }, 'compare', big);
    expect(r.aliveAtSignal).toBe(true);
    expect(r.signal, JSON.stringify({ ...r, output: r.output.slice(-500) })).toBe('SIGINT');
    expect(r.secondsAfterSignal!).toBeLessThan(1);
    expect(r.modesChangedWhileRunning).toBe(false);
    expect(r.modesRestored).toBe(true);
  });

  it('SIGTERM ends it within a second: death by SIGTERM', () => {
    const r = onPty({ cols: 100, signal: 'TERM', when: 'strategy 1 of 5', timeout: 120 }, 'compare', big);
    expect(r.aliveAtSignal).toBe(true);
    expect(r.signal).toBe('SIGTERM');
    expect(r.secondsAfterSignal!).toBeLessThan(1);
    expect(r.modesRestored).toBe(true);
  });

  it('Ctrl-C on a 0-column terminal (no progress drawn) ends it too', () => {
    const r = onPty(
      { cols: 0, rows: 0, signal: 'INT', after: 1, timeout: 120 },
      'compare',
      big,
      '--profiles',
      'all',
    );
    // nothing drawn to wait for: the signal goes 1 s in, well inside a compare of a million blocks under every
    // profile (a dozen replays: tens of seconds; a compare of the five strategies alone now ends within 2 s)
    expect(r.aliveAtSignal).toBe(true);
    expect(r.signal).toBe('SIGINT');
    expect(r.secondsAfterSignal!).toBeLessThan(1);
    expect(r.modesRestored).toBe(true);
  });
});
