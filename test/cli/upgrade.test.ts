// `kexec-replay upgrade` in-process on the real v7.3-rc7 capture traces/real-kho-a-8g-2node: the command line, the
// kexec-replay/upgrade/1 keys (a contract) and the exit codes.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const A = 'traces/real-kho-a-8g-2node';
/** Bytes of the 18 blocks the second kernel reserved (its kho_preserved_memory_reserve memblock=debug lines). */
const PRESERVED_BYTES = [
  ...fs
    .readFileSync(`${A}/stage2-after-kexec/dmesg.txt`, 'utf8')
    .matchAll(/__memblock_reserve: \[(0x[0-9a-f]+)-(0x[0-9a-f]+)\] \S+ \S+ kho_preserved_memory_reserve/g),
].reduce((n, m) => n + Number.parseInt(m[2]!, 16) + 1 - Number.parseInt(m[1]!, 16), 0);

interface UpgradeDoc {
  schema: string;
  from: string;
  to: string;
  accepted: boolean;
  lostBytes: number;
  preservedBytes: number;
  fromReason: string;
  findings: { code: string; severity: string; fn: string; ranges: [number, number][] }[];
}

async function upgrade(...argv: string[]): Promise<{ code: number; doc: UpgradeDoc }> {
  const o = captureOutput();
  const code = await run(['upgrade', A, '--json', ...argv], o);
  return { code, doc: JSON.parse(o.stdout) as UpgradeDoc };
}

describe('kexec-replay upgrade', () => {
  it('v7.3 -> v7.3 on the real capture: accepted, nothing lost, exit 0', async () => {
    const { code, doc } = await upgrade('--to', 'v7.3');
    expect(code).toBe(0);
    expect(doc.schema).toBe('kexec-replay/upgrade/1');
    expect([doc.from, doc.to, doc.accepted, doc.lostBytes, doc.findings]).toEqual([
      'v7.3',
      'v7.3',
      true,
      0,
      [],
    ]);
    expect(doc.preservedBytes).toBe(PRESERVED_BYTES);
    expect(doc.fromReason).toContain('7.3.0-rc7');
  });
  it('v7.3 -> v7.1: v7.1 refuses kho-v4, every preserved byte is lost, exit 1', async () => {
    const { code, doc } = await upgrade('--to', 'v7.1');
    expect(code).toBe(1);
    expect([doc.accepted, doc.lostBytes]).toEqual([false, PRESERVED_BYTES]);
    const off = doc.findings.find((f) => f.code === 'KHO_REVIVAL_DISABLED')!;
    expect([off.severity, off.fn]).toEqual(['error', 'kho_populate']);
  });
  it('--from v7.2 --to v7.3 and the text form', async () => {
    expect((await upgrade('--from', 'v7.2', '--to', 'v7.3')).doc.from).toBe('v7.2');
    const o = captureOutput();
    expect(await run(['upgrade', A, '--to', 'v7.3'], o)).toBe(0);
    expect(o.stdout).toMatch(/^traces\/real-kho-a-8g-2node: live update v7\.3 -> v7\.3: SAFE$/m);
    expect(o.stdout).toContain('lost to the buddy allocator: 0 B');
  });
  it('usage errors exit 2', async () => {
    expect(await run(['upgrade', A], captureOutput())).toBe(2);
    expect(await run(['upgrade', A, '--to', 'v9.9'], captureOutput())).toBe(2);
    expect(await run(['upgrade', A, '--to', 'v7.3', '--from', 'nope'], captureOutput())).toBe(2);
    expect(await run(['upgrade', '--to', 'v7.3'], captureOutput())).toBe(2);
  });
});

describe('kexec-replay compare --profiles', () => {
  it('puts every profile x every strategy in one table; only kho-v4 kernels accept the real image', async () => {
    const o = captureOutput();
    // v7.1's rows refuse the image (error findings): exit 1, as compare does for a FAIL verdict
    expect(await run(['compare', A, '--profiles', 'v7.1,v7.2,v7.3', '--json'], o)).toBe(1);
    const doc = JSON.parse(o.stdout) as {
      schema: string;
      rows: {
        profile: string;
        strategy: string;
        accepted: boolean;
        errors: number;
        profileStrategy: boolean;
      }[];
    };
    expect(doc.schema).toBe('kexec-replay/compare-profiles/1');
    expect(doc.rows).toHaveLength(15);
    const own = doc.rows
      .filter((r) => r.profileStrategy)
      .map((r) => [r.profile, r.strategy, r.accepted, r.errors]);
    expect(own).toEqual([
      ['v7.1', 'none', false, 2],
      ['v7.2', 'init-deferred-page', true, 0],
      ['v7.3', 'init-deferred-page', true, 0],
    ]);
    expect(await run(['compare', A, '--profiles', 'all', '--profile', 'v7.3'], captureOutput())).toBe(2);
  });
});
