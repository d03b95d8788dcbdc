import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

describe('cli main', () => {
  it('exits 2 on an unknown command, 0 on --help', async () => {
    const o = captureOutput();
    expect(await run(['no-such-command'], o)).toBe(2);
    expect(await run(['--help'], o)).toBe(0);
    expect(o.stdout).toContain('kexec-replay');
  });
});

describe('--help of every command', () => {
  const COMMANDS = ['parse', 'inspect', 'replay', 'compare', 'upgrade', 'check', 'capture', 'synth'];
  /** The commands whose run can end in exit 1 (findings, a FAIL verdict, a regression, a refused image). */
  const EXITS_ONE = new Set(['replay', 'compare', 'upgrade', 'check']);

  it('has examples and the exit codes; the examples name traces/ that exist', async () => {
    const top = captureOutput();
    expect(await run(['--help'], top)).toBe(0);
    for (const cmd of COMMANDS) expect(top.stdout, cmd).toMatch(new RegExp(`^ {2}${cmd}\\b`, 'm'));
    for (const cmd of COMMANDS) {
      const o = captureOutput();
      expect(await run([cmd, '--help'], o), cmd).toBe(0);
      const examples = [...o.stdout.matchAll(/^ {2}\$ (?:sudo )?kexec-replay (\S+)(.*)$/gm)];
      expect(examples.length, `${cmd}: examples`).toBeGreaterThanOrEqual(2);
      for (const [, c, rest] of examples) {
        expect(c, cmd).toBe(cmd);
        for (const p of rest!.match(/traces\/[^\s*]+/g) ?? [])
          expect(fs.existsSync(p), `${cmd} example: ${p}`).toBe(true);
      }
      expect(o.stdout, cmd).toMatch(/^Exit codes:\n {2}0 +clean\n/m);
      for (const code of ['2', '3', '70', '130'])
        expect(o.stdout, `${cmd}: exit ${code}`).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
      expect(/^ {2}1 +\S/m.test(o.stdout), `${cmd}: exit 1 listed`).toBe(EXITS_ONE.has(cmd));
    }
  });
});
