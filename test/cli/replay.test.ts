// `kexec-replay replay` in-process on the real bundles: text and the replay/1 JSON contract, exit codes, costs,
// the loader's notes and the bundle reader it shares with parse.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput, unwrap } from '../helpers/output.js';

const A = 'traces/qemu/a-4g-1node';
const B = 'traces/qemu/b-16g-2node';

describe('kexec-replay replay', () => {
  it('prints the replay/1 JSON with nodes, zones (empty ones left out), first_deferred_pfn and phases', async () => {
    const o = captureOutput();
    expect(await run(['replay', B, '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.schema).toBe('kexec-replay/replay/1');
    expect(
      doc.nodes.map((n: { nid: number; firstDeferredPfn: number | null }) => [n.nid, n.firstDeferredPfn]),
    ).toEqual([
      [0, 0x108000],
      [1, 0x288000],
    ]);
    expect(doc.nodes[1].zones).toEqual([
      expect.objectContaining({
        name: 'Normal',
        startPfn: 0x280000,
        spannedPages: 2097152,
        presentPages: 2097152,
        unavailablePages: 0,
      }),
    ]);
    expect(
      doc.nodes[0].zones.map((z: { name: string; unavailablePages: number }) => [z.name, z.unavailablePages]),
    ).toEqual([
      ['DMA', 98],
      ['DMA32', 0],
      ['Normal', 32],
    ]);
    expect(doc.phases.map((p: { name: string }) => p.name)).toEqual([
      'memmap_init',
      'memblock_free_all',
      'page_alloc_init_late',
    ]);
    expect(Array.isArray(doc.findings)).toBe(true);
  });

  it('says which mm behaviour it followed and why: the kernel release and its file, or --mm', async () => {
    const o = captureOutput();
    expect(await run(['replay', B, '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.mmProfile).toBe('linux-6.1');
    expect(doc.mmReason).toBe(
      `kernel release 6.1.0-56-amd64 (${B}/uname.txt), a distribution's ABI number: read as 6.1.0`,
    );
    const t = captureOutput();
    expect(await run(['replay', B, '--mm', 'linux-6.7'], t)).toBe(0);
    expect(unwrap(t.stdout)).toContain('mm profile linux-6.7 because --mm linux-6.7');
    const j = captureOutput();
    expect(await run(['replay', B, '--json', '--mm', 'linux-6.7'], j)).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ mmProfile: 'linux-6.7', mmReason: '--mm linux-6.7' });
  });

  it('--deferred off initialises everything in memmap_init', async () => {
    const o = captureOutput();
    expect(await run(['replay', A, '--json', '--deferred', 'off'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.deferred.on).toBe(false);
    expect(doc.nodes[0].firstDeferredPfn).toBeNull();
    expect(doc.phases[2].initialised).toBe(0);
  });

  it('prints a text report', async () => {
    const o = captureOutput();
    expect(await run(['replay', A], o)).toBe(0);
    expect(o.stdout).toContain('first_deferred_pfn 0x108000');
    expect(o.stdout).toMatch(/DMA\s+0x1\s+4,095\s+3,998\s+98/);
  });

  it('--reserved memblock-log takes reserved memory from the replayed memblock=debug log', async () => {
    const o = captureOutput();
    expect(await run(['replay', A, '--json', '--reserved', 'memblock-log'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    // zoneinfo says DMA managed 3840: the pages freed to the buddy at boot
    expect(doc.nodes[0].zones[0]).toMatchObject({ name: 'DMA', managedPages: 3840 });
    expect(await run(['replay', A, '--reserved', 'guess'], captureOutput())).toBe(2);
  });

  it('exits 3 with a located error on a bundle without any memory map, or with no file it knows', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-nomem-'));
    try {
      fs.copyFileSync(`${A}/cmdline.txt`, path.join(dir, 'cmdline.txt'));
      const o = captureOutput();
      expect(await run(['replay', dir], o)).toBe(3);
      expect(o.stderr).toContain(`${dir}: TRACE_ERR_NO_MEMORY_MAP: expected a memory map`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const o = captureOutput();
    expect(await run(['replay', 'traces/public/kho-fdt-upstream-doc-examples'], o)).toBe(3);
    expect(o.stderr).toContain(
      'traces/public/kho-fdt-upstream-doc-examples: TRACE_ERR_NOTHING_RECOGNISED: expected at least one host file',
    );
  });

  it('exits 2 on a bad --deferred value; 3 on a missing directory', async () => {
    const o = captureOutput();
    expect(await run(['replay', A, '--deferred', 'maybe'], o)).toBe(2);
    expect(await run(['replay', 'traces/no-such-bundle'], o)).toBe(3);
  });
});

interface CostsJson {
  ratePerPageNs: number;
  rateSource: {
    kind: string;
    detail: string;
    calibration: { nid: number; line: number; printedMs: number }[];
  };
  serialMs: number;
  parallelMs: number;
  bootCriticalMs: number;
  restoreMs: number;
  phases: {
    phase: string;
    kind: string;
    pagesInitialised: number;
    ms: number;
    perNode?: { nid: number }[];
  }[];
}

async function replayJson(...argv: string[]): Promise<{ code: number; doc: Record<string, unknown> }> {
  const o = captureOutput();
  const code = await run(['replay', '--json', ...argv], o);
  return { code, doc: JSON.parse(o.stdout) as Record<string, unknown> };
}

describe('replay costs (src/cost computeCosts over the replayed timeline)', () => {
  it('b-16g-2node: the rate is calibrated from the two `deferred pages initialised` lines of dmesg.txt', async () => {
    const { code, doc } = await replayJson(B);
    expect(code).toBe(0);
    const c = doc['costs'] as CostsJson;
    expect(c.rateSource.kind).toBe('calibrated');
    expect(c.rateSource.calibration.map((x) => [x.nid, x.line, x.printedMs])).toEqual([
      [0, 388, 220],
      [1, 389, 320],
    ]);
    expect(c.rateSource.detail).toContain(`calibrated from ${B}/dmesg.txt lines 388, 389`);
    // one cost row per replayed phase, the deferred init per node; the boot waits for serial + slowest node
    expect(c.phases.map((p) => [p.phase, p.kind])).toEqual([
      ['memmap_init', 'serial'],
      ['memblock_free_all', 'serial'],
      ['page_alloc_init_late', 'parallel'],
    ]);
    const phases = doc['phases'] as { name: string; initialised: number }[];
    expect(c.phases.map((p) => p.pagesInitialised)).toEqual(phases.map((p) => p.initialised));
    expect(c.phases[2]!.perNode!.map((n) => n.nid)).toEqual([0, 1]);
    expect(c.bootCriticalMs).toBeCloseTo(c.serialMs + c.parallelMs, 5);
    // each node calibrated on its own line costs what the log printed for it
    expect(c.parallelMs).toBeCloseTo(320, 5);
    expect(c.restoreMs).toBe(0);
  });

  it('a log without deferred-init lines: the published default rate, cited', async () => {
    const { doc } = await replayJson('traces/public/hp-compaq-8000-journal-6.1');
    const c = doc['costs'] as CostsJson;
    expect(c.rateSource.kind).toBe('default');
    expect(c.rateSource.detail).toMatch(/^default 17\.\d+ ns per page per thread .*Daniel Jordan/);
    const codes = (doc['diagnostics'] as { code: string; from: string }[]).map((d) => `${d.from}:${d.code}`);
    expect(codes).toContain('cost:COST_RATE_DEFAULT');
  });

  it('the text report has a cost section that says which rate it used', async () => {
    const o = captureOutput();
    expect(await run(['replay', B], o)).toBe(0);
    expect(o.stdout).toMatch(/\ncost: boot waits \d+ ms \(serial [\d.]+, per-node parallel 320\)/);
    // the node line is wider than 100 columns: the table wraps its last column; joined back
    expect(unwrap(o.stdout)).toMatch(
      /\n {4}node 1 +2,064,340 +320 +1 thread, [\d.]+ ns\/page \(its own line\), log says 320 ms\n/,
    );
    expect(o.stdout).toContain(`  rate: calibrated from ${B}/dmesg.txt lines 388, 389`);
  });

  it('the KHO replay is costed with the rate of the plain boot its log came from', async () => {
    const { doc } = await replayJson(
      'traces/kho-b-16g-2node',
      '--profile',
      'kho-v3-deferred-fix',
      '--strategy',
      'init-deferred-page',
    );
    const c = doc['costs'] as CostsJson;
    expect(c.phases.map((p) => [p.phase, p.kind])).toEqual([
      ['kho_populate', 'serial'],
      ['memmap_init', 'serial'],
      ['kho_memory_init', 'serial'],
      ['memblock_free_all', 'serial'],
      ['page_alloc_init_late', 'parallel'],
      ['kho_restore', 'after-boot'],
    ]);
    // the same two lines, the pages of the plain replay (the KHO boot defers fewer)
    const plain = (await replayJson('traces/qemu/b-16g-2node')).doc['costs'] as CostsJson;
    expect(c.rateSource.kind).toBe('calibrated');
    expect(c.ratePerPageNs).toBeCloseTo(plain.ratePerPageNs, 9);
    expect(c.phases[2]!.pagesInitialised).toBeGreaterThan(0); // init_deferred_page() on the preserved blocks
  });
});

describe("replay carries the loader's notes", () => {
  it('each diagnostic says where it came from: the bundle, the replay or the cost model', async () => {
    const { doc } = await replayJson('traces/public/amd-5700u-proxmox-truncated-head');
    const diags = doc['diagnostics'] as { code: string; from: string; location?: { file: string } }[];
    expect(diags.map((d) => `${d.from}:${d.code}`)).toEqual(
      expect.arrayContaining([
        'bundle:TRACE_NO_ZONEINFO',
        'replay:SIM_DEFERRED_ASSUMED',
        'cost:COST_RATE_DEFAULT',
      ]),
    );
    // the bundle's come first, in the order the loader gave them
    expect(diags[0]!.from).toBe('bundle');
    const cut = diags.find((d) => d.code === 'TRACE_UNTERMINATED_LAST_LINE');
    expect(cut?.location?.file).toMatch(/^traces\/public\/amd-5700u-proxmox-truncated-head\//);
  });

  it('the text report counts them by origin and prints the most severe first', async () => {
    const o = captureOutput();
    expect(await run(['replay', 'traces/public/arm64-ampere-altra-mtjade-2s-512g-failboot'], o)).toBe(0);
    const notes = o.stdout.slice(o.stdout.indexOf('\nnotes: '));
    expect(notes).toMatch(
      /^\nnotes: \d+ \(bundle \d+, replay \d+, cost \d+; most severe first\)\n {2}warning: /,
    );
    const sev = [...notes.matchAll(/^ {2}(error|warning|info): /gm)].map((m) => m[1]);
    expect(sev).toEqual(
      [...sev].sort(
        (a, b) => ['error', 'warning', 'info'].indexOf(a!) - ['error', 'warning', 'info'].indexOf(b!),
      ),
    );
  });
});

describe('replay reads the bundle as parse does (src/cli/read-bundle.ts)', () => {
  /** A copy of traces/kho-b-16g-2node whose kernel config is a config.gz (`bytes`, or the gzipped excerpt). */
  function khoWithConfigGz(bytes?: Uint8Array): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-kho-configgz-'));
    fs.cpSync('traces/kho-b-16g-2node', dir, { recursive: true });
    const excerpt = path.join(dir, 'kernel-config-excerpt.txt');
    const text = fs.readFileSync(excerpt, 'utf8') + 'CONFIG_HZ=1000\n';
    fs.rmSync(excerpt);
    fs.writeFileSync(path.join(dir, 'config.gz'), bytes ?? gzipSync(text));
    return dir;
  }

  it('the KHO replay and compare read config.gz too (CONFIG_HZ gives the jiffy of the printed times)', async () => {
    const dir = khoWithConfigGz();
    try {
      const { code, doc } = await replayJson(dir);
      expect(code).toBe(0);
      expect((doc['costs'] as { rateSource: { jiffyMs: number | null } }).rateSource.jiffyMs).toBe(1);
      const o = captureOutput();
      // the review-era kernel (the image's own default, v7.1, has deferral off and no FAIL)
      expect(await run(['compare', dir, '--profile', 'kho-v3-deferred-fix'], o)).toBe(1); // FAIL: none, lazy-tail, zone-walk
      expect(o.stdout.replace(/\n +/g, ' ')).toContain(
        'printed times are whole jiffies (±1 ms at CONFIG_HZ=1000)',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a corrupt config.gz stops parse, replay and compare alike: TRACE_ERR_GZIP at offset 0', async () => {
    const dir = khoWithConfigGz(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]));
    try {
      for (const cmd of ['parse', 'replay', 'compare']) {
        const o = captureOutput();
        expect(await run([cmd, dir], o), cmd).toBe(3);
        expect(o.stderr, cmd).toMatch(/config\.gz: offset 0x0: TRACE_ERR_GZIP: expected a gzip stream/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('one captured file on its own is a bundle of one', async () => {
    const { code, doc } = await replayJson(`${A}/dmesg.txt`);
    expect(code).toBe(0);
    expect(doc['bundle']).toBe(`${A}/dmesg.txt`);
    expect((doc['nodes'] as unknown[]).length).toBe(1);
  });
});

describe('replay: what the simulator cannot replay is the trace, not the command line (exit 3)', () => {
  it('an arch other than x86_64 and arm64 is located at the file that says it', async () => {
    const o = captureOutput();
    expect(await run(['replay', 'traces/public/riscv-spacemit-k3-32g'], o)).toBe(3);
    expect(o.stderr).toBe(
      'kexec-replay: traces/public/riscv-spacemit-k3-32g/dmesg.txt (arch): TRACE_ERR_ARCH_UNSUPPORTED: ' +
        'expected an x86_64 or arm64 trace (the arches the boot simulator models), found riscv64 (from dmesg-boot-lines)\n',
    );
  });

  it('a page size the arch does not have is located at the file that gives it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-pagesize-'));
    try {
      for (const f of ['dmesg.txt', 'iomem.txt']) fs.copyFileSync(path.join(A, f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'trace.json'), JSON.stringify({ arch: 'x86_64', pageSize: 65536 }));
      const o = captureOutput();
      expect(await run(['replay', dir], o)).toBe(3);
      expect(o.stderr).toContain(`${dir}/trace.json (page size): TRACE_ERR_PAGE_SIZE: expected 4 KiB pages`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a KHO bundle without a memory map names the bundle', async () => {
    const o = captureOutput();
    expect(await run(['replay', 'traces/kho-era-v2'], o)).toBe(3);
    expect(o.stderr).toContain('kexec-replay: traces/kho-era-v2: TRACE_ERR_NO_MEMORY_MAP');
  });

  it('flag values are checked before the bundle is read (a typo stays a usage error)', async () => {
    for (const argv of [
      ['--mm', 'linux-9.9'],
      ['--profile', 'nope'],
      ['--restore', 'heap'],
      ['--reserved', 'guess'],
    ]) {
      const o = captureOutput();
      expect(await run(['replay', ...argv, 'traces/public/riscv-spacemit-k3-32g'], o), argv.join(' ')).toBe(
        2,
      );
    }
    expect(await run(['replay'], captureOutput())).toBe(2);
  });
});
