// The CLI under fuzz (issue 13): a mutated bundle written to a temporary folder, run through the real CLI entry
// (src/cli/main.ts run(), what bin/kexec-replay.js calls), judged on its exit code and stderr: never 70 or
// anything but 0/1/3, never a stack trace, never more than three lines on stderr.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../src/cli/main.js';

export interface CliJob {
  /** Folder holding the mutated bundle. */
  readonly dir: string;
  readonly argv: readonly string[];
}

export interface CliOutcome {
  readonly kind: 'cli-ok' | 'cli-bad';
  readonly exit: number;
  readonly why?: string;
  readonly stderrHead?: string;
}

/** Judge one CLI run by the contract: exit 0/1/3, no stack, at most three stderr lines. */
export function judgeCli(exit: number, stderr: string): CliOutcome {
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  const why =
    exit === 70
      ? 'exit 70'
      : ![0, 1, 3].includes(exit)
        ? `exit ${exit}`
        : /\n\s+at /.test(stderr)
          ? 'stack trace'
          : lines.length > 3
            ? `${lines.length} stderr lines`
            : undefined;
  return why ? { kind: 'cli-bad', exit, why, stderrHead: stderr.slice(0, 500) } : { kind: 'cli-ok', exit };
}

export async function runCliInput(job: CliJob): Promise<CliOutcome> {
  let out = '';
  let err = '';
  const exit = await run([...job.argv, job.dir], {
    out: (t: string) => void (out += t.length > 0 ? '' : ''),
    err: (t: string) => void (err += t),
    interactive: false,
  } as Parameters<typeof run>[1]);
  void out;
  return judgeCli(exit, err);
}

/** Write a bundle (relative path -> bytes) to `dir`, replacing what was there. */
export function writeBundle(dir: string, files: ReadonlyMap<string, Uint8Array>): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, b] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), b);
  }
}
