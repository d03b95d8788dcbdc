// traces/capture-real-kho-v7.3-rc7: what `kexec-replay capture` wrote inside a real v7.3-rc7 KHO kernel (qemu).
// The oracle is the second kernel: its memblock=debug log reserves each preserved block once
// (kho_preserved_memory_reserve), and its kho/in/fdt is the handover FDT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const T = 'traces/capture-real-kho-v7.3-rc7';
const S1 = path.join(T, 'stage1-cold-boot');
const S2 = path.join(T, 'stage2-after-kexec');

describe('capture on a real v7.3-rc7 KHO kernel', () => {
  it('stage 1: the blocks decoded from the captured core are the ones the second kernel reserved', async () => {
    const o = captureOutput();
    expect(await run(['inspect', S1, '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.kho.abi).toBe('kho-v4');
    const decoded = new Set<string>(
      doc.kho.preserved.map((b: { phys: number; order: number }) => `${b.phys}:${b.order}`),
    );
    const log = fs.readFileSync(path.join(S2, 'dmesg.txt'), 'utf8');
    const reserved = new Set<string>();
    for (const m of log.matchAll(
      /memblock_reserve: \[0x([0-9a-f]+)-0x([0-9a-f]+)\] nid=-?\d+ flags=\S+ kho_preserved_memory_reserve/g,
    )) {
      const s = parseInt(m[1]!, 16);
      const e = parseInt(m[2]!, 16) + 1;
      reserved.add(`${s}:${Math.log2((e - s) / 4096)}`);
    }
    expect(reserved.size).toBe(19);
    expect(decoded).toEqual(reserved);
    expect(log).toContain('test_kho: KHO restore succeeded');
  });

  it('stage 1: the truncated debugfs FDT was replaced by the full one, which the second kernel received', () => {
    const full = fs.readFileSync(path.join(S1, 'kho/fdt'));
    const raw = fs.readFileSync(path.join(S1, 'kho-debugfs/out/fdt'));
    expect(raw.length).toBe(233);
    expect(full.length).toBe(full.readUInt32BE(4));
    expect(full.subarray(0, 233)).toEqual(raw);
    expect(full).toEqual(fs.readFileSync(path.join(S2, 'kho-debugfs/in/fdt')));
    const setup = fs.readFileSync(path.join(S2, 'kho/setup-data-kexec-kho.txt'), 'utf8');
    const stdout = fs.readFileSync(path.join(S1, 'capture-stdout.txt'), 'utf8');
    const at = /found in memory at (0x[0-9a-f]+)/.exec(stdout)![1]!;
    expect(setup).toContain(`fdt_addr ${at}`);
  });

  it('stage 2: in/ and the setup_data scratch array; the incoming map is said to be gone, not an error', async () => {
    expect(fs.readFileSync(path.join(S2, 'kho/scratch_phys'), 'utf8')).toBe(
      fs.readFileSync(path.join(S1, 'kho/scratch_phys'), 'utf8'),
    );
    expect(fs.readFileSync(path.join(S2, 'capture-stdout.txt'), 'utf8')).toMatch(
      /could not be walked: .*a KHO-booted kernel/,
    );
    const p = captureOutput();
    expect(await run(['parse', S1], p)).toBe(0);
    expect(p.stdout).toContain('kernel 7.3.0-rc7');
  });
});
