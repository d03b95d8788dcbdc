// `kexec-replay compare` and `replay --strategy` in-process on the generated KHO bundle traces/kho-b-16g-2node
// (the real qemu b-16g-2node host files plus a builder-made kho-v3 image in its RAM).
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const K = 'traces/kho-b-16g-2node';
/** The review thread's kernel: kho-v3 with the deferred fix (never shipped; the image's own default is v7.1). */
const FIX = ['--profile', 'kho-v3-deferred-fix'];
const STRATEGIES = ['none', 'init-deferred-page', 'init-page-from-nid', 'lazy-tail', 'zone-walk'];

interface StrategyJson {
  name: string;
  errors: number;
  pagesByCode: Record<string, number>;
  findings: { code: string; kernelFunction: string; howToRead: string; ranges: [number, number][] }[];
}

describe('kexec-replay compare', () => {
  it('puts every strategy side by side, with the kernel function and how to read each code', async () => {
    const o = captureOutput();
    expect(await run(['compare', K, ...FIX], o)).toBe(1); // three strategies FAIL
    for (const s of STRATEGIES) expect(o.stdout).toContain(s);
    expect(o.stdout).toMatch(/profile kho-v3-deferred-fix/);
    expect(o.stdout).toMatch(/STRUCT_PAGE_NEVER_INIT \(error\)/);
    expect(o.stdout).toMatch(
      /how to read \(kernel function\):\n {2}STRUCT_PAGE_UNINIT_READ \(set_zone_contiguous\)/,
    );
    expect(o.stdout).toMatch(/^verdict +FAIL +ok +ok +FAIL +FAIL$/m);
  });

  it('prints the compare/1 JSON: none never initialises the deferred pages, the merged fix is clean', async () => {
    const o = captureOutput();
    expect(await run(['compare', K, ...FIX, '--json'], o)).toBe(1); // three strategies FAIL
    const doc = JSON.parse(o.stdout) as {
      schema: string;
      image: { pages: number };
      strategies: StrategyJson[];
    };
    expect(doc.schema).toBe('kexec-replay/compare/1');
    expect(doc.strategies.map((s) => s.name)).toEqual(STRATEGIES);
    const by = new Map(doc.strategies.map((s) => [s.name, s]));
    expect(by.get('init-deferred-page')!.errors).toBe(0);
    // every block of this image lies above its node's first_deferred_pfn
    expect(by.get('none')!.pagesByCode['STRUCT_PAGE_NEVER_INIT']).toBe(doc.image.pages);
    const f = by.get('lazy-tail')!.findings.find((x) => x.code === 'STRUCT_PAGE_UNINIT_READ')!;
    expect(f.kernelFunction).toBe('set_zone_contiguous');
    expect(f.ranges.length).toBeGreaterThan(0);
  });

  it('with deferral off no strategy reports an error', async () => {
    const o = captureOutput();
    expect(await run(['compare', K, '--deferred', 'off', '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout) as { strategies: StrategyJson[] };
    expect(doc.strategies.map((s) => s.errors)).toEqual([0, 0, 0, 0, 0]);
  });

  it('--profile list describes every profile', async () => {
    const o = captureOutput();
    expect(await run(['compare', '--profile', 'list'], o)).toBe(0);
    for (const p of ['v6.16', 'v6.17', 'v6.18', 'v6.19', 'kho-v2', 'kho-v3', 'kho-v3-deferred-fix'])
      expect(o.stdout).toMatch(new RegExp(`^${p.replace('.', '\\.')} `, 'm'));
    expect(o.stdout).toContain('deferred struct page init off by default');
  });

  it('usage errors exit 2, a bundle without a KHO image exits 3', async () => {
    expect(await run(['compare', K, '--deferred', 'maybe'], captureOutput())).toBe(2);
    expect(await run(['compare', K, '--profile', 'v9'], captureOutput())).toBe(2);
    expect(await run(['compare'], captureOutput())).toBe(2);
    const o = captureOutput();
    expect(await run(['compare', 'traces/qemu/b-16g-2node'], o)).toBe(3);
    expect(o.stderr).toContain('TRACE_ERR_MISSING');
  });
});

describe('kexec-replay replay on a KHO bundle', () => {
  it('defaults to the released kernel that writes the image ABI (kho-v3: v7.1) and says why; exits 0', async () => {
    const o = captureOutput();
    expect(await run(['replay', K], o)).toBe(0);
    expect(o.stdout).toContain('KHO: profile v7.1');
    // the image's kexec-metadata names a 6.1 writer, which cannot write kho-v3: the ABI decides
    const joined = o.stdout.replace(/\n +/g, ' '); // reports wrap at 100 columns
    expect(joined).toMatch(
      /profile v7\.1 \(released\) because image ABI kho-v3 .*the newest released kernel that writes it/,
    );
    expect(joined).toContain('mm profile linux-6.18 because profile v7.1 runs linux-6.18');
    expect(o.stdout).toContain('kho_restore');
    const j = captureOutput();
    expect(await run(['replay', K, '--json'], j)).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect([doc.profile, doc.profileStatus, doc.mmProfile]).toEqual(['v7.1', 'released', 'linux-6.18']);
    expect(doc.profileReason).toContain('kho-v3');
  });

  it('--strategy none: replay/1 gains profile, strategy and findings with blocks and ranges; exit 1', async () => {
    const o = captureOutput();
    expect(await run(['replay', K, ...FIX, '--strategy', 'none', '--json'], o)).toBe(1);
    const doc = JSON.parse(o.stdout);
    expect(doc.schema).toBe('kexec-replay/replay/1');
    expect([doc.profile, doc.strategy]).toEqual(['kho-v3-deferred-fix', 'none']);
    const never = doc.findings.find((f: { code: string }) => f.code === 'STRUCT_PAGE_NEVER_INIT');
    expect(never).toMatchObject({ severity: 'error', phase: 'end of replay' });
    expect(never.blocks).toBeGreaterThan(1000);
    expect(never.ranges[0]).toHaveLength(2);
    expect(doc.phases.map((p: { name: string }) => p.name)).toEqual([
      'kho_populate',
      'memmap_init',
      'kho_memory_init',
      'memblock_free_all',
      'page_alloc_init_late',
      'kho_restore',
    ]);
  });

  it('--restore none leaves even lazy-tail tails uninitialised; an unknown strategy is a usage error', async () => {
    const o = captureOutput();
    expect(await run(['replay', K, ...FIX, '--strategy', 'lazy-tail', '--restore', 'none'], o)).toBe(1);
    expect(o.stdout).toContain('STRUCT_PAGE_NEVER_INIT');
    expect(await run(['replay', K, '--strategy', 'nope'], captureOutput())).toBe(2);
  });

  it('--reserved memblock-log applies to the KHO boot too', async () => {
    const o = captureOutput();
    expect(await run(['replay', K, ...FIX, '--reserved', 'memblock-log', '--json'], o)).toBe(0);
    expect(JSON.parse(o.stdout).strategy).toBe('init-deferred-page');
    expect(await run(['replay', K, '--reserved', 'bogus'], captureOutput())).toBe(2);
  });

  it('a plain bundle without KHO flags is still a plain boot', async () => {
    const o = captureOutput();
    expect(await run(['replay', 'traces/qemu/b-16g-2node', '--json'], o)).toBe(0);
    expect(JSON.parse(o.stdout).strategy).toBeUndefined();
  });
});
