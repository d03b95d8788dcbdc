import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const tmp = mkdtempSync(join(tmpdir(), 'kexec-replay-synth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kexec-replay synth', () => {
  it('writes a bundle that replay reads (kho-v3, 7.1 profile)', async () => {
    const out = join(tmp, 'a');
    const o = captureOutput();
    expect(
      await run(
        [
          'synth',
          '--ram',
          '32G',
          '--nodes',
          '2',
          '--blocks',
          '4K',
          '--abi',
          'kho-v3',
          '--seed',
          '5',
          '--guests',
          '2',
          '--out',
          out,
        ],
        o,
      ),
    ).toBe(0);
    expect(o.stdout).toMatch(/synthetic kho-v3 bundle written to .*\n {2}host: 31\.\d GiB RAM on 2 nodes/);
    expect(o.stdout).toContain(`next: kexec-replay inspect ${out}`);
    expect(readdirSync(join(out, 'kho')).sort()).toEqual([
      'fdt',
      'memory.core',
      'scratch_len',
      'scratch_phys',
      'sub_fdts',
    ]);
    const r = captureOutput();
    const code = await run(['replay', out, '--json'], r);
    expect([0, 1]).toContain(code);
    const doc = JSON.parse(r.stdout);
    expect(JSON.stringify(doc)).toContain('kho-v3');
  });

  it("kho-v4: inspect (this project's luo-v5 / memfd-v2 decoders) attributes every block but the 1 GiB hugetlb folios", async () => {
    const out = join(tmp, 'v4');
    expect(
      await run(
        ['synth', '--ram', '64G', '--nodes', '2', '--blocks', '8K', '--guests', '2', '--out', out],
        captureOutput(),
      ),
    ).toBe(0);
    const o = captureOutput();
    expect(await run(['inspect', out, '--json'], o)).toBe(0);
    const k = JSON.parse(o.stdout).kho;
    expect(k.abi).toBe('kho-v4');
    expect(k.luo.sessions[0].names).toEqual(['vm-0000', 'vm-0001', 'vm-0002', 'vm-0003']);
    const owners = Object.fromEntries(
      k.owners.map((x: { owner: string; blocks: number; orders: { order: number }[] }) => [x.owner, x]),
    );
    expect(owners['unattributed'].orders.map((x: { order: number }) => x.order)).toEqual([18]);
    expect(owners['memfd:ser'].blocks).toBe(12);
    expect(owners['memfd:folio'].blocks).toBeGreaterThan(4000);
    expect(owners['reserve_mem:trace']).toBeDefined();
  });

  it('--json summary; usage errors exit 2', async () => {
    const o = captureOutput();
    expect(
      await run(
        [
          'synth',
          '--ram',
          '16G',
          '--nodes',
          '1',
          '--blocks',
          '1000',
          '--guests',
          '1',
          '--json',
          '--out',
          join(tmp, 'b'),
        ],
        o,
      ),
    ).toBe(0);
    const s = JSON.parse(o.stdout);
    expect(s.abi).toBe('kho-v4');
    expect(s.sessions).toBe(1);
    expect(s.memfds).toBe(3);
    for (const bad of [
      ['--abi', 'kho-v9'],
      ['--ram', 'lots'],
      ['--ram', '4G'],
      ['--deferred', 'maybe'],
    ]) {
      const e = captureOutput();
      expect(await run(['synth', '--out', join(tmp, 'c'), ...bad], e)).toBe(2);
      expect(e.stderr).toMatch(/kexec-replay: /);
    }
    writeFileSync(join(tmp, 'b', 'extra'), 'x');
    const e = captureOutput();
    expect(await run(['synth', '--out', join(tmp, 'b')], e)).toBe(2);
    expect(e.stderr).toContain('not empty');
  });
});
