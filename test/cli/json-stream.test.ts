// --json through a pipe (src/cli/json.ts, src/report/json-stream.ts): the built CLI writes the document in
// chunks, waits for a slow reader instead of queueing the text, and ends quietly when the reader goes away.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

const BIN = path.resolve('bin/kexec-replay.js');
// 17,619 preserved blocks: inspect --json is 2.9 MB, far more than a pipe holds
const BUNDLE = 'traces/real-kho-c-8g-2node-luo-memfd';

function spawnCli(argv: string[]): {
  child: ReturnType<typeof spawn>;
  done: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

describe('--json on a pipe', () => {
  it('a reader that stops after the first bytes (`| head`): exit as usual, nothing on stderr', async () => {
    const { child, done } = spawnCli(['inspect', BUNDLE, '--json']);
    const first = await new Promise<string>((resolve) =>
      child.stdout!.once('data', (d: Buffer) => resolve(d.toString())),
    );
    child.stdout!.destroy();
    const { code, stderr } = await done;
    expect(first.startsWith('{\n  "schema": "kexec-replay/inspect/1"')).toBe(true);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);

  it('a slow reader gets every byte, the same text as the in-process document', async () => {
    let want = '';
    await run(['inspect', BUNDLE, '--json'], { out: (t) => (want += t), err: () => {}, interactive: false });
    const { child, done } = spawnCli(['inspect', BUNDLE, '--json']);
    const parts: Buffer[] = [];
    child.stdout!.pause();
    // read in small sips with pauses, so the writer meets a full pipe many times
    await new Promise<void>((resolve) => {
      const sip = (): void => {
        let c: Buffer | null;
        while ((c = child.stdout!.read(16384) as Buffer | null) !== null) {
          parts.push(c);
          if (parts.length % 8 === 0) return void setTimeout(sip, 5);
        }
        child.stdout!.once('readable', sip);
      };
      child.stdout!.once('end', resolve);
      sip();
    });
    const { code } = await done;
    expect(code).toBe(0);
    const got = Buffer.concat(parts).toString('utf8');
    expect(got.length).toBe(want.length);
    expect(got === want).toBe(true);
    expect(JSON.parse(got).kho.preserved.length).toBe(17_619);
  }, 60_000);
});
