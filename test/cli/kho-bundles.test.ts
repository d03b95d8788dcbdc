// What users copy off current hosts, on the real v7.3-rc7 debugfs copies (traces/real-kho-*/kho-debugfs and
// stage2-after-kexec/kho-debugfs): a truncated kho/out/fdt, a stale LUO blob, a plain copy of
// /sys/kernel/debug/kho with in/ and out/, the v7.4 bootmem_* names, no root FDT at all, and memblock's
// reserve_mem_param and flag words. Each problem is one line saying what is wrong and what to copy instead.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { parseMemblockDebugfs, parseReserveMemParam } from '../../parsers/memblock/index.js';
import { captureOutput } from '../helpers/output.js';

const C = 'traces/real-kho-c-8g-2node-luo-memfd';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-kho-bundles-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A bundle of `files` (bundle path -> source path in the repo; the core is linked, not copied). */
function bundle(name: string, files: Record<string, string>, text: Record<string, string> = {}): string {
  const dir = path.join(tmp, name);
  for (const [rel, src] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    if (rel.endsWith('memory.core')) fs.symlinkSync(path.resolve(src), path.join(dir, rel));
    else fs.copyFileSync(src, path.join(dir, rel));
  }
  for (const [rel, t] of Object.entries(text)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), t);
  }
  return dir;
}

async function inspect(...args: string[]) {
  const o = captureOutput();
  const code = await run(['inspect', ...args], o);
  return { code, out: o.stdout, err: o.stderr };
}

const SUBS = ['LUO', 'kexec-metadata', 'kho_test', 'memblock'];

describe('bundles from current hosts (real v7.3-rc7 debugfs copies)', () => {
  it('a truncated kho/out/fdt (v7.3-rc7 keeps the size of KHO start): exit 3, one line saying what to copy', async () => {
    const dir = bundle('truncated', {
      'kho/fdt': `${C}/kho-debugfs/out/fdt`,
      'kho/memory.core': `${C}/kho/memory.core`,
    });
    const r = await inspect(dir);
    expect(r.code).toBe(3);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain('FDT_ERR_TRUNCATED');
    expect(r.err).toContain('header says 405 bytes');
    expect(r.err).toContain('found 233 bytes');
    expect(r.err).toMatch(/kexec-replay capture|kho\/in\/fdt/);
  });

  it("a stale LUO blob (debugfs out/sub_fdts/LUO read before reboot): one warning, the dump's struct luo_ser used", async () => {
    const files: Record<string, string> = {
      'kho/fdt': `${C}/kho/fdt`,
      'kho/memory.core': `${C}/kho/memory.core`,
    };
    for (const s of SUBS) files[`kho/sub_fdts/${s}`] = `${C}/kho-debugfs/out/sub_fdts/${s}`;
    const r = await inspect(bundle('stale-luo', files), '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    const stale = doc.diagnostics.filter((d: { code: string }) => d.code === 'KHO_LUO_STALE');
    expect(stale).toHaveLength(1);
    expect(stale[0].message).toContain('before reboot()');
    expect(doc.kho.luo.sessionRecords).toHaveLength(53);
    expect(doc.kho.unattributed).toBe(0);
  });

  it('the same stale blob without a dump: an info line that the copy may predate reboot()', async () => {
    const r = await inspect(
      bundle('stale-luo-nocore', {
        'kho/fdt': `${C}/kho/fdt`,
        'kho/sub_fdts/LUO': `${C}/kho-debugfs/out/sub_fdts/LUO`,
      }),
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const d = JSON.parse(r.out).diagnostics.find((x: { code: string }) => x.code === 'KHO_LUO_NO_SESSIONS');
    expect(d.message).toContain('liveupdate_reboot()');
  });

  it('a plain copy of /sys/kernel/debug/kho from the KHO-booted kernel: in/fdt is read, and said to be the incoming handover', async () => {
    const s2 = `${C}/stage2-after-kexec/kho-debugfs`;
    const files: Record<string, string> = {
      'kho/in/fdt': `${s2}/in/fdt`,
      'kho/out/scratch_phys': `${s2}/out/scratch_phys`,
      'kho/out/scratch_len': `${s2}/out/scratch_len`,
      'kho/memory.core': `${C}/kho/memory.core`,
    };
    for (const s of SUBS) files[`kho/in/sub_fdts/${s}`] = `${s2}/in/sub_fdts/${s}`;
    const r = await inspect(bundle('debugfs-in', files), '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.diagnostics.map((d: { code: string }) => d.code)).toContain('KHO_ROOT_FROM_IN');
    expect(doc.kho.preserved).toHaveLength(17_619);
    expect(doc.kho.scratch).toHaveLength(4);
    expect(doc.kho.subtrees.every((s: { source: string }) => s.source === 'file')).toBe(true);
  });

  // luo_early_startup() frees the struct luo_ser page after restoring (kho_restore_free), and debugfs keeps serving
  // in/sub_fdts/LUO from it. Capture C's stage 2 was read before the page was reused (its in/sub_fdts/LUO still equals
  // the dump's copy), so the reused page is the real stage-2 copy with the 32 bytes such a page reads back as: zeros
  // (reallocated zeroed) or a slab object's free pointer and data (direct-map addresses).
  const slab = new Uint8Array(32);
  const sv = new DataView(slab.buffer);
  sv.setBigUint64(0, 0xffff_8881_0033_6040n, true);
  sv.setBigUint64(8, 0xffff_8881_0033_6080n, true);
  sv.setUint32(16, 0x1d, true);
  const reused = { zeros: new Uint8Array(32), slab };
  const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
  const debugfsIn = (name: string, luo: Uint8Array, extra: Record<string, string> = {}): string => {
    const s2 = `${C}/stage2-after-kexec/kho-debugfs`;
    const files: Record<string, string> = {
      'kho/in/fdt': `${s2}/in/fdt`,
      'kho/out/scratch_phys': `${s2}/out/scratch_phys`,
      'kho/out/scratch_len': `${s2}/out/scratch_len`,
      ...extra,
    };
    for (const s of SUBS.filter((x) => x !== 'LUO')) files[`kho/in/sub_fdts/${s}`] = `${s2}/in/sub_fdts/${s}`;
    const dir = bundle(name, files);
    fs.writeFileSync(path.join(dir, 'kho/in/sub_fdts/LUO'), luo);
    return dir;
  };

  it('the real stage-2 in/sub_fdts/LUO (read before the page was reused) decodes as the struct luo_ser', async () => {
    const dir = debugfsIn(
      'in-luo-real',
      fs.readFileSync(`${C}/stage2-after-kexec/kho-debugfs/in/sub_fdts/LUO`),
    );
    const doc = JSON.parse((await inspect(dir, '--json')).out);
    expect(doc.diagnostics.map((d: { code: string }) => d.code)).not.toContain('KHO_LUO_FREED');
    expect(doc.kho.luo).toMatchObject({
      compatible: 'luo-v5',
      liveupdateNumber: 1,
      sessionsPhys: 0x1812e5000,
    });
  });

  for (const [shape, bytes] of Object.entries(reused)) {
    it(`a freed LUO page served after boot (${shape}): one warning line saying what is wrong and what to capture`, async () => {
      const dir = debugfsIn(`in-luo-freed-${shape}`, bytes);
      const r = await inspect(dir);
      expect(r.code, r.err).toBe(0);
      expect(r.out.match(/KHO_LUO_FREED/g)).toHaveLength(1);
      const doc = JSON.parse((await inspect(dir, '--json')).out);
      const codes = doc.diagnostics.map((d: { code: string }) => d.code);
      const freed = doc.diagnostics.filter((d: { code: string }) => d.code === 'KHO_LUO_FREED');
      expect(freed).toHaveLength(1);
      const msg: string = freed[0].message;
      expect(msg).not.toContain('\n');
      expect(freed[0].location.file).toMatch(/kho\/in\/sub_fdts\/LUO$/);
      expect(msg).toContain('is not a struct luo_ser (starts ' + hexOf(bytes.subarray(0, 16)) + ' ...)');
      expect(msg).toContain('luo_early_startup() freed');
      expect(msg).toContain('capture on the kernel that hands over, at kexec time');
      // not reported as an unknown LUO version, and nothing decoded from the bytes
      expect(codes).not.toContain('KHO_LUO_VERSION');
      expect(doc.kho.luo).toBeNull();
      expect(doc.kho.subtrees.find((s: { name: string }) => s.name === 'LUO').compatible).toBeNull();
    });
  }

  it('the same bytes in the bundle layout of a capture on a KHO-booted kernel (kho-debugfs/in, no out/fdt)', async () => {
    const dir = debugfsIn('capture-in-freed', reused.slab);
    fs.renameSync(path.join(dir, 'kho/in'), path.join(dir, 'kho-in'));
    fs.mkdirSync(path.join(dir, 'kho-debugfs'), { recursive: true });
    fs.cpSync(path.join(dir, 'kho-in'), path.join(dir, 'kho-debugfs/in'), { recursive: true });
    fs.renameSync(path.join(dir, 'kho-in/fdt'), path.join(dir, 'kho/fdt'));
    fs.renameSync(path.join(dir, 'kho-in/sub_fdts'), path.join(dir, 'kho/sub_fdts'));
    const codes = JSON.parse((await inspect(dir, '--json')).out).diagnostics.map(
      (d: { code: string }) => d.code,
    );
    expect(codes).toContain('KHO_LUO_FREED');
    // a cold-booted host's bundle (out/): the same bytes are an unknown LUO version, not a freed page
    fs.mkdirSync(path.join(dir, 'kho-debugfs/out'));
    fs.copyFileSync(path.join(dir, 'kho/fdt'), path.join(dir, 'kho-debugfs/out/fdt'));
    const out = JSON.parse((await inspect(dir, '--json')).out).diagnostics.map(
      (d: { code: string }) => d.code,
    );
    expect(out).not.toContain('KHO_LUO_FREED');
    expect(out).toContain('KHO_LUO_VERSION');
  });

  it('a capture made on the KHO-booted kernel (real stage 2): exit 3, one line saying its incoming map is gone and what to capture', async () => {
    const r = await inspect('traces/capture-real-kho-v7.3-rc7/stage2-after-kexec');
    expect(r.code).toBe(3);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    // the kernel reused a radix table page: a level-4 entry leads outside RAM (traces/capture-real-kho-v7.3-rc7/README.md)
    expect(r.err).toContain('KHO_ERR_NOT_IN_DUMP');
    expect(r.err).toContain('at 0x7fed1000e848');
    expect(r.err).toContain('what a KHO-booted kernel received');
    expect(r.err).toContain('capture the handover on the kernel that makes it');
    // the same error on the cold-booted side has no such note
    const cold = await inspect(
      bundle('cold-radix-gone', {
        'kho/fdt': 'traces/capture-real-kho-v7.3-rc7/stage2-after-kexec/kho/fdt',
        'kho/memory.core': 'traces/capture-real-kho-v7.3-rc7/stage2-after-kexec/kho/memory.core',
      }),
    );
    expect(cold.code).toBe(3);
    expect(cold.err).toContain('KHO_ERR_NOT_IN_DUMP');
    expect(cold.err).not.toContain('KHO-booted');
  });

  it('v7.4 debugfs names bootmem_phys / bootmem_len give the scratch areas', async () => {
    const r = await inspect(
      bundle('bootmem', {
        'kho/fdt': `${C}/kho/fdt`,
        'kho/bootmem_phys': `${C}/kho/scratch_phys`,
        'kho/bootmem_len': `${C}/kho/scratch_len`,
      }),
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).kho.scratch).toHaveLength(4);
  });

  it('no root FDT: exit 3 naming out/fdt, in/fdt for a KHO-booted host, and the raw copy it found', async () => {
    const r = await inspect(bundle('nofdt', { 'kho-debugfs/out/fdt': `${C}/kho-debugfs/out/fdt` }));
    expect(r.code).toBe(3);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain('TRACE_ERR_MISSING');
    expect(r.err).toContain('in/fdt');
    expect(r.err).toContain('kho-debugfs/out/fdt is a raw debugfs copy');
  });

  it("memblock reserve_mem_param is checked against the memblock subtree's regions", async () => {
    const files: Record<string, string> = {
      'kho/fdt': `${C}/kho/fdt`,
      'kho/memory.core': `${C}/kho/memory.core`,
    };
    const r = await inspect(
      bundle('rmem', files, {
        'memblock-reserve_mem_param.txt': 'kho_rmem_c\t\t(4.00 MiB)\ntrace\t\t(64.0 MiB)\n',
      }),
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const codes = JSON.parse(r.out).diagnostics.map(
      (d: { code: string; message: string }) => `${d.code} ${d.message}`,
    );
    expect(codes.filter((c: string) => c.startsWith('KHO_RESERVE_MEM'))).toEqual([
      'KHO_RESERVE_MEM_NOT_HANDED_OVER reserve_mem region "trace" (64.0 MiB) is not in the memblock subtree: the next kernel will not revive it',
    ]);
  });
});

describe('memblock debugfs words of current kernels', () => {
  it('reserve_mem_param lines: name, printed size', () => {
    const { regions, diagnostics } = parseReserveMemParam(
      'kho_rmem_c\t\t(4.00 MiB)\nbig\t\t(1.50 GiB)\nx y\n',
      'f',
    );
    expect(regions.map((r) => [r.name, r.sizeBytes])).toEqual([
      ['kho_rmem_c', 4 * 2 ** 20],
      ['big', 1.5 * 2 ** 30],
    ]);
    expect(diagnostics.map((d) => d.code)).toEqual(['MEMBLOCK_UNKNOWN_LINE']);
  });

  it('RSV_HUGETLB (v7.3) and KHO_NOPRSRV (the v7.4 name of KHO_SCRATCH) are known flag words', () => {
    const r = parseMemblockDebugfs(
      '   0: 0x0000000100000000..0x000000013fffffff    0 RSV_HUGETLB\n   1: 0x0000000140000000..0x000000017fffffff    0 KHO_NOPRSRV\n',
      'memblock/reserved',
    );
    expect(r.regions.map((x) => x.flags)).toEqual([0x80, 0x40]);
    expect(r.diagnostics.filter((d) => d.code === 'MEMBLOCK_UNKNOWN_FLAG')).toEqual([]);
  });
});
