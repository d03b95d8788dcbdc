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

/**
 * A report with the lines printText wrapped at 100 columns joined again: a line indented deeper than the one before,
 * whose first word would not have fitted on it, continues it. So a change is matched whole wherever the lengths of
 * the temporary paths put the breaks.
 */
export function unwrap(text: string): string {
  const out: string[] = [];
  const indent = (l: string): number => l.length - l.trimStart().length;
  for (const l of text.split('\n')) {
    const prev = out[out.length - 1];
    const word = l.trimStart().split(' ')[0]!;
    if (prev !== undefined && l.trim() && indent(l) > indent(prev) && prev.length + 1 + word.length > 100)
      out[out.length - 1] = `${prev} ${l.trimStart()}`;
    else out.push(l);
  }
  return out.join('\n');
}
