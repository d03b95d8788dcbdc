import type { Output } from '../../src/cli/io.js';

/** An Output that records what the CLI printed. */
export function captureOutput(): Output & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    interactive: false,
    out(t: string) {
      o.stdout += t;
    },
    err(t: string) {
      o.stderr += t;
    },
  };
  return o;
}
