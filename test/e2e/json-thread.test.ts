// compare --json written by its own thread (src/cli/json-thread.ts) while the later strategies replay: the built
// CLI's stdout is byte for byte the text written on the main thread after the replays (KEXEC_REPLAY_JSON_THREAD=0),
// on each kind of stdout the thread writes differently (a socket, as node's child_process gives; a pipe; a file), with
// the same exit code; and a reader that goes away mid-document stops it quietly.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const built = fs.existsSync('dist/kexec-replay.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-json-thread-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  out: string;
  err: string;
}

const env = (thread: '0' | 'trace'): NodeJS.ProcessEnv => ({
  ...process.env,
  CI: '1',
  KEXEC_REPLAY_JSON_THREAD: thread,
});

/** The CLI with stdout a socket (child_process's pipes are socket pairs). */
function viaSocket(thread: '0' | 'trace', argv: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/kexec-replay.js', ...argv],
      { env: env(thread), maxBuffer: 64 << 20 },
      (e, out, err) => resolve({ code: e ? Number(e.code ?? -1) : 0, out, err }),
    );
  });
}

/** The CLI with stdout a pipe (`| cat`) or a file (`> file`), through the shell. */
function viaShell(thread: '0' | 'trace', argv: string[], to: 'pipe' | 'file'): Promise<Run> {
  const file = path.join(tmp, `out-${thread}-${Math.random().toString(36).slice(2)}.json`);
  const cmd = `"$0" bin/kexec-replay.js "$@"${to === 'pipe' ? ' | cat; exit ${PIPESTATUS[0]}' : ` > '${file}'`}`;
  return new Promise((resolve) => {
    execFile(
      '/bin/bash',
      ['-c', cmd, process.execPath, ...argv],
      { env: env(thread), maxBuffer: 64 << 20 },
      (e, out, err) =>
        resolve({
          code: e ? Number(e.code ?? -1) : 0,
          out: to === 'file' ? fs.readFileSync(file, 'utf8') : out,
          err,
        }),
    );
  });
}

const TRACE = /^kexec-replay: JSON writer thread wrote (\d+) bytes/m;

describe.skipIf(!built)('compare --json from the writer thread', () => {
  for (const argv of [
    ['compare', '--json', 'traces/real-kho-a-8g-2node'],
    // deferred init on: the five strategies' findings differ (326 KB, more than a pipe holds)
    ['compare', '--json', '--profile', 'kho-v3-deferred-fix', 'traces/kho-b-16g-2node'],
  ]) {
    it(`${argv.join(' ')}: the main thread's text on a socket, a pipe and a file`, async () => {
      const main = await viaSocket('0', argv);
      expect(main.err).not.toMatch(TRACE);
      expect(JSON.parse(main.out).schema).toBe('kexec-replay/compare/1');
      for (const r of [
        await viaSocket('trace', argv),
        await viaShell('trace', argv, 'pipe'),
        await viaShell('trace', argv, 'file'),
      ]) {
        // the thread wrote it all: the trace counts every byte but the final newline
        expect(Number(TRACE.exec(r.err)?.[1])).toBe(Buffer.byteLength(main.out) - 1);
        expect(r.out).toBe(main.out);
        expect(r.code).toBe(main.code);
      }
    }, 60_000);
  }

  it('sending the strategies to the thread detaches no buffer: V8 keeps its ArrayBuffer-detaching protector', async () => {
    // a transfer detaches its buffers, and the first detach in a process deoptimises every optimised function that
    // reads a typed array (src/report/json-stream.ts sharedArray(): the strategy after the first one paid for it)
    const r = await new Promise<Run>((resolve) => {
      execFile(
        process.execPath,
        [
          '--trace-protector-invalidation',
          'bin/kexec-replay.js',
          'compare',
          '--json',
          '--profile',
          'kho-v3-deferred-fix',
          'traces/kho-b-16g-2node',
        ],
        { env: env('trace'), maxBuffer: 64 << 20 },
        (e, out, err) => resolve({ code: e ? Number(e.code ?? -1) : 0, out, err }),
      );
    });
    // (the thread wrote the document: V8's trace lines, if any, go to the same stdout)
    expect(r.err).toMatch(TRACE);
    expect(r.out).toContain('kexec-replay/compare/1');
    expect(r.out + r.err).not.toContain('ArrayBufferDetaching');
  }, 60_000);

  it('a reader that goes away mid-document: no stack trace, the run exit code, the thread stopped', async () => {
    const r = await new Promise<Run>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          'bin/kexec-replay.js',
          'compare',
          '--json',
          '--fail-on',
          'never',
          '--profile',
          'kho-v3-deferred-fix',
          'traces/kho-b-16g-2node',
        ],
        { env: env('trace') },
      );
      let err = '';
      let got = 0;
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      // the first 4 KB of 326 KB, then the reader is gone
      child.stdout.on('data', (b: Buffer) => {
        got += b.length;
        if (got >= 4096) child.stdout.destroy();
      });
      child.on('close', (code) => resolve({ code: code ?? -1, out: '', err }));
    });
    expect(r.err).not.toContain('EPIPE');
    expect(r.err).not.toContain('internal error');
    expect(r.err).toMatch(/JSON writer thread stopped: the reader went away after \d+ bytes/);
    expect(r.code).toBe(0);
  }, 60_000);
});
