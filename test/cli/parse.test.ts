import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const tmp = mkdtempSync(join(tmpdir(), 'kexec-replay-parse-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kexec-replay parse', () => {
  it('text: the host model of b-16g-2node with sources, cross-checks and diagnostics', async () => {
    const o = captureOutput();
    expect(await run(['parse', 'traces/qemu/b-16g-2node'], o)).toBe(0);
    expect(o.stderr).toBe('');
    expect(o.stdout).toContain('parse of traces/qemu/b-16g-2node');
    expect(o.stdout).toContain('x86_64, 4 KiB pages, kernel 6.1.0-56-amd64');
    expect(o.stdout).toContain('pageblock order 9 (2 MiB)');
    expect(o.stdout).toMatch(/Memory: 4 region\(s\), 16 GiB .*dmesg\.txt:\d+ \[dmesg-memblock-dump\]/);
    expect(o.stdout).toMatch(/ {2}1 +\[mem 0x0000000280000000-0x000000047fffffff\] +8 GiB/);
    expect(o.stdout).toContain('node 0: 220 ms');
    expect(o.stdout).toMatch(/ok +memory-zoneinfo: present pages agree on 2 node\(s\)/);
    expect(o.stdout).toContain('not read: serial-console.txt (another dmesg file is preferred: dmesg.txt)');
  });

  it('--json: a kexec-replay/parse/1 document with the HostTrace', async () => {
    const o = captureOutput();
    expect(await run(['parse', 'traces/qemu/d-16g-2node-kernelcore', '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.schema).toBe('kexec-replay/parse/1');
    expect(doc.bundle).toBe('traces/qemu/d-16g-2node-kernelcore');
    expect(doc.host.cmdline.kernelcore).toEqual({ bytes: 6 * 2 ** 30 });
    expect(doc.host.movableZoneStart).toEqual({ '0': 0x140400000, '1': 0x340000000 });
    expect(doc.summary.crossChecks.mismatch).toBe(0);
    expect(doc.host.sources.zoneinfo[0].file).toBe('traces/qemu/d-16g-2node-kernelcore/zoneinfo.txt');
  });

  it('a stage folder picks up the kernel config its parent shares; --stage chooses in the parent', async () => {
    const o = captureOutput();
    expect(await run(['parse', 'traces/qemu/f-16g-2node-kexec/stage1-cold-boot', '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.host.config.CONFIG_DEFERRED_STRUCT_PAGE_INIT).toBe('y');
    expect(doc.host.sources.config[0].file).toBe(
      'traces/qemu/f-16g-2node-kexec/stage1-cold-boot/../kernel-config-excerpt.txt',
    );
    expect(doc.host.deferredInit.map((d: { ms: number }) => d.ms)).toEqual([144, 168]);

    const t = captureOutput();
    expect(await run(['parse', 'traces/qemu/f-16g-2node-kexec'], t)).toBe(0);
    expect(t.stdout).toMatch(/not read: \d+ file\(s\) of stage stage1-cold-boot \(choose it with --stage\)/);

    const p = captureOutput();
    expect(
      await run(['parse', 'traces/qemu/f-16g-2node-kexec', '--stage', 'stage1-cold-boot', '--json'], p),
    ).toBe(0);
    expect(JSON.parse(p.stdout).host.deferredInit.map((d: { ms: number }) => d.ms)).toEqual([144, 168]);

    const q = captureOutput();
    expect(await run(['parse', 'traces/qemu/f-16g-2node-kexec', '--stage', 'stage7'], q)).toBe(2);
    expect(q.stderr).toContain('no stage "stage7"');
  });

  it('every real trace folder parses (exit 0), as text and as JSON', async () => {
    const dirs: string[] = [];
    for (const group of ['qemu', 'public']) {
      for (const name of readdirSync(`traces/${group}`)) {
        if (statSync(`traces/${group}/${name}`).isDirectory()) dirs.push(`traces/${group}/${name}`);
      }
    }
    expect(dirs.length).toBeGreaterThanOrEqual(25);
    // the upstream documentation's KHO .dts examples are text about a handover, not files copied off a host
    const notHost = 'traces/public/kho-fdt-upstream-doc-examples';
    const n = captureOutput();
    expect(await run(['parse', notHost], n)).toBe(3);
    expect(n.stderr).toContain('TRACE_ERR_NOTHING_RECOGNISED');
    for (const d of dirs.filter((x) => x !== notHost)) {
      const o = captureOutput();
      expect([d, await run(['parse', d], o), o.stderr]).toEqual([d, 0, '']);
      const j = captureOutput();
      expect(await run(['parse', d, '--json'], j)).toBe(0);
      expect(JSON.parse(j.stdout).schema).toBe('kexec-replay/parse/1');
    }
  });

  it('one captured file on its own is a bundle of one; a missing path says so (exit 3)', async () => {
    const o = captureOutput();
    expect(await run(['parse', 'traces/public/ubuntu-3.13-desktop-procfs/zoneinfo', '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.host.zoneinfo.map((z: { zone: string }) => z.zone)).toEqual(['DMA', 'DMA32', 'Normal']);
    expect(doc.host.sources.zoneinfo[0].file).toBe('traces/public/ubuntu-3.13-desktop-procfs/zoneinfo');
    const q = captureOutput();
    expect(await run(['parse', 'traces/nope.txt'], q)).toBe(3);
    expect(q.stderr).toBe(
      'kexec-replay: traces/nope.txt: TRACE_ERR_NOT_FOUND: expected a trace bundle directory or a captured file, found no such file or directory\n',
    );
  });

  it('/proc/config.gz is gunzipped by the CLI', async () => {
    const dir = join(tmp, 'gz');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'config.gz'),
      gzipSync('CONFIG_DEFERRED_STRUCT_PAGE_INIT=y\nCONFIG_ARM64=y\nCONFIG_ARM64_64K_PAGES=y\n'),
    );
    const o = captureOutput();
    expect(await run(['parse', dir, '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect([doc.host.arch, doc.host.pageShift]).toEqual(['arm64', 16]);
  });

  it('kho/ files are only sniffed (cores are never read whole) and reported as KHO data', async () => {
    const dir = join(tmp, 'kho');
    mkdirSync(join(dir, 'kho'), { recursive: true });
    copyFileSync('traces/qemu/a-4g-1node/zoneinfo.txt', join(dir, 'zoneinfo.txt'));
    writeFileSync(join(dir, 'kho', 'memory.core'), new Uint8Array(64 * 1024).fill(0x41));
    const o = captureOutput();
    expect(await run(['parse', dir, '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.host.files.find((f: { path: string }) => f.path === 'kho/memory.core')).toMatchObject({
      kind: 'kho',
      used: false,
    });
    expect(doc.host.zoneinfo.length).toBe(5);
  });

  it('bad input: a broken gzip and an impossible iomem range exit 3 with a located message; no dir exits 2', async () => {
    const dir = join(tmp, 'bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.gz'), new Uint8Array([0x1f, 0x8b, 1, 2, 3]));
    const o = captureOutput();
    expect(await run(['parse', dir], o)).toBe(3);
    expect(o.stderr).toMatch(/config\.gz: offset 0x0: TRACE_ERR_GZIP/);

    const dir2 = join(tmp, 'bad2');
    mkdirSync(dir2, { recursive: true });
    copyFileSync('traces/qemu/a-4g-1node/zoneinfo.txt', join(dir2, 'zoneinfo.txt'));
    writeFileSync(
      join(dir2, 'iomem.txt'),
      '00001000-0009fbff : System RAM\nfffff000-00100000 : System RAM\n',
    );
    const p = captureOutput();
    expect(await run(['parse', dir2], p)).toBe(3);
    expect(p.stderr).toMatch(
      /iomem\.txt:2:1: IOMEM_ERR_RANGE: expected start <= end, found fffff000-00100000/,
    );

    const q = captureOutput();
    expect(await run(['parse', join(tmp, 'nope')], q)).toBe(3);
  });
});
