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
