// Every output the README shows is what the tool prints: each fenced block that starts with
// `$ kexec-replay <args>` (or `$ node bin/kexec-replay.js <args>`) is run through the CLI as a user's pipe would
// run it (100 columns, no colour) and compared line for line. A block may leave lines out, saying so:
//   - a line holding `[README: ...]` stands for the lines up to the one that follows it in the block;
//   - a last line `...` ends the block early.
// After a change to a report: `README_WRITE=1 npx vitest run test/docs/readme-outputs.test.ts` rewrites the blocks
// from the tool (keeping the cuts), then read the diff.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const README = 'README.md';
const PROMPT = /^\$ (?:kexec-replay|node bin\/kexec-replay\.js) (.*)$/;
const CUT = /\[README: [^\]]*\]/;

interface Block {
  /** Line index of the `$ ...` line; the block's output is lines (start, end). */
  start: number;
  end: number;
  argv: string[];
}

function blocks(lines: readonly string[]): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```/.test(lines[i]!)) continue;
    const m = PROMPT.exec(lines[i + 1] ?? '');
    let end = i + 1;
    while (end < lines.length && !/^```/.test(lines[end]!)) end++;
    if (m) out.push({ start: i + 1, end, argv: m[1]!.trim().split(/\s+/) });
    i = end;
  }
  return out;
}

async function printed(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const o = captureOutput();
  const code = await run(argv, o);
  return { code, lines: o.stdout.replace(/\n$/, '').split('\n') };
}

/**
 * The README's lines for a block against the tool's, honouring the cuts: null when they agree, else the first
 * difference; `rewrite` is the block regenerated from the tool with the same cuts.
 */
function match(
  shown: readonly string[],
  actual: readonly string[],
): { diff: string | null; rewrite: string[] } {
  const rewrite: string[] = [];
  let a = 0;
  for (let s = 0; s < shown.length; s++) {
    const line = shown[s]!;
    if (s === shown.length - 1 && line === '...') {
      rewrite.push('...');
      return { diff: null, rewrite };
    }
    if (CUT.test(line)) {
      rewrite.push(line);
      const next = shown[s + 1];
      // the lines left out run up to the one the README shows next (to the end when nothing follows)
      const at = next === undefined ? actual.length : actual.indexOf(next, a);
      if (at < 0) return { diff: `after the cut at README line ${s + 1}: "${next}" not printed`, rewrite };
      a = at;
      continue;
    }
    rewrite.push(actual[a] ?? '');
    if (actual[a] !== line)
      return {
        diff: `line ${s + 1} of the output:\n  README: ${JSON.stringify(line)}\n  tool:   ${JSON.stringify(actual[a] ?? '(end of output)')}`,
        rewrite: [...rewrite.slice(0, -1), ...actual.slice(a)],
      };
    a++;
  }
  if (a < actual.length)
    return {
      diff: `the tool prints ${actual.length - a} more line(s): ${JSON.stringify(actual[a])}`,
      rewrite: [...rewrite, ...actual.slice(a)],
    };
  return { diff: null, rewrite };
}

describe('README outputs are what the tool prints', () => {
  it('every `$ kexec-replay ...` block, run through the CLI', { timeout: 300_000 }, async () => {
    const lines = fs.readFileSync(README, 'utf8').split('\n');
    const found = blocks(lines);
    expect(found.length).toBeGreaterThanOrEqual(6);
    const diffs: string[] = [];
    // rewrite from the last block up, so earlier line numbers stay valid
    for (const b of [...found].reverse()) {
      const shown = lines.slice(b.start + 1, b.end);
      const r = await printed(b.argv);
      expect([0, 1], `${b.argv.join(' ')}: exit ${r.code}`).toContain(r.code);
      const m = match(shown, r.lines);
      if (m.diff) diffs.push(`README.md:${b.start + 1} $ kexec-replay ${b.argv.join(' ')}: ${m.diff}`);
      if (process.env['README_WRITE'] === '1') lines.splice(b.start + 1, b.end - b.start - 1, ...m.rewrite);
    }
    if (process.env['README_WRITE'] === '1') fs.writeFileSync(README, lines.join('\n'));
    else expect(diffs.reverse()).toEqual([]);
  });

  it('the matcher honours cuts and reports the first difference', () => {
    expect(match(['a', 'b'], ['a', 'b']).diff).toBeNull();
    expect(match(['a', '...'], ['a', 'b', 'c']).diff).toBeNull();
    expect(match(['a', '  [README: 2 rows cut here]', 'd'], ['a', 'b', 'c', 'd']).diff).toBeNull();
    expect(match(['a', 'x'], ['a', 'b']).diff).toMatch(/line 2/);
    expect(match(['a'], ['a', 'b']).diff).toMatch(/1 more line/);
    expect(match(['a', '[README: cut]', 'z'], ['a', 'b']).diff).toMatch(/"z" not printed/);
  });
});
