// `kexec-replay check` in-process: the committed baseline (traces/check-baseline.json) passes on the bundles of
// traces/, and each way of failing exits 1 with a line that says what changed. A failure is made by editing a copy
// of the baseline the way a regression would look from the other side (the baseline had fewer pages, no such
// finding, a better verdict, a cheaper boot): the replay itself is the real one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Baseline, BaselineRun } from '../../src/check/baseline.js';
import { parseBaseline } from '../../src/check/baseline.js';
import { captureOutput, unwrap } from '../helpers/output.js';

const TRACES = 'traces';
const BASELINE = path.join(TRACES, 'check-baseline.json');
const committed = parseBaseline(fs.readFileSync(BASELINE, 'utf8'), BASELINE);
const bundlesOf = (b: Baseline): string[] => [...new Set(b.runs.map((r) => r.bundle))];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-check-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function check(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = captureOutput();
  const code = await run(['check', ...args], o);
  return { code, out: unwrap(o.stdout), err: o.stderr };
}

/** A folder with `name` linked to a bundle of traces/ and a baseline holding that bundle's committed runs. */
function workspace(
  name: string,
  bundle: string,
  edit: (runs: BaselineRun[]) => void,
): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  fs.symlinkSync(path.resolve(TRACES, bundle), path.join(dir, name));
  const runs = structuredClone(committed.runs.filter((r) => r.bundle === bundle)).map((r) => ({
    ...r,
    bundle: name,
  }));
  edit(runs);
  const file = path.join(dir, 'baseline.json');
  fs.writeFileSync(file, JSON.stringify({ schema: 'kexec-replay/baseline/1', runs }));
  return { dir, file };
}

const REVIEW = 'kho-review-b-16g-2node';
const KHO_B = 'kho-b-16g-2node';
const runOf = (runs: BaselineRun[], strategy: string, deferred = 'default'): BaselineRun =>
  runs.find((r) => r.strategy === strategy && r.deferred === deferred)!;

describe('the committed baseline', () => {
  it('covers every bundle of traces/ that replays, and check exits 0 on them with nothing changed', async () => {
    const bundles = bundlesOf(committed);
    const r = await check([...bundles.map((b) => path.join(TRACES, b)), '--baseline', BASELINE]);
    // a change of results that check does not call a regression (shrunk, gone, moved, cost within 10%) passes
    // too; rewrite the baseline when results change on purpose (traces/README.md, check-baseline.json)
    expect(
      r.code,
      `${r.out}${r.err}\nif meant: rewrite traces/check-baseline.json as traces/README.md says`,
    ).toBe(0);
    expect(r.out).toContain('check passed');
    expect(r.out.split('\n').filter((l) => /^(same|changed|FAILED) /.test(l))).toHaveLength(
      committed.runs.length,
    );
    // both KHO bundles under every strategy, the review bundle with deferral forced on too
    expect(committed.runs.filter((x) => x.bundle === REVIEW).map((x) => x.strategy)).toHaveLength(10);
    expect(committed.runs.filter((x) => x.bundle === KHO_B)).toHaveLength(5);
  });

  it('leaves out only the bundles replay itself rejects as invalid input (exit 3)', async () => {
    // every folder of traces/ is a bundle, except the groups (whose folders are) and malformed/ (inputs that
    // must fail, tested on their own)
    const GROUPS = ['qemu', 'public', 'public-logs'];
    const top = fs
      .readdirSync(TRACES, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'malformed')
      .map((e) => e.name);
    const dirs = top.flatMap((d) =>
      GROUPS.includes(d)
        ? fs
            .readdirSync(path.join(TRACES, d), { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => `${d}/${e.name}`)
        : [d],
    );
    const inBaseline = new Set(bundlesOf(committed));
    const left = dirs.filter((d) => !inBaseline.has(d));
    expect(left.length).toBeLessThan(dirs.length / 3);
    for (const d of left) {
      const o = captureOutput();
      const code = await run(['replay', path.join(TRACES, d)], o);
      expect(code, `${d} replays now: add it to traces/check-baseline.json (traces/README.md says how)`).toBe(
        3,
      );
    }
  });

  it('is what --update-baseline writes: rewriting it changes no byte, one line per finding', async () => {
    const copy = path.join(tmp, 'rewrite');
    fs.mkdirSync(copy);
    for (const b of [REVIEW, 'qemu']) fs.symlinkSync(path.resolve(TRACES, b), path.join(copy, b));
    const runs = committed.runs.filter((r) => r.bundle === REVIEW || r.bundle.startsWith('qemu/a-'));
    const file = path.join(copy, 'baseline.json');
    fs.writeFileSync(file, JSON.stringify({ schema: 'kexec-replay/baseline/1', runs }));
    const r = await check([
      path.join(copy, REVIEW),
      path.join(copy, 'qemu/a-4g-1node'),
      '--baseline',
      file,
      '--update-baseline',
    ]);
    expect(r.code, r.err).toBe(0);
    const written = fs.readFileSync(file, 'utf8');
    const original = fs.readFileSync(BASELINE, 'utf8');
    // every finding line of the rewritten file is a line of the committed one
    const findingLines = written.split('\n').filter((l) => l.trimStart().startsWith('{"code":'));
    expect(findingLines.length).toBe(runs.reduce((n, x) => n + x.findings.length, 0));
    for (const l of findingLines) expect(original).toContain(l.trim().replace(/,$/, ''));
    const again = await check([
      path.join(copy, REVIEW),
      path.join(copy, 'qemu/a-4g-1node'),
      '--baseline',
      file,
      '--update-baseline',
    ]);
    expect(again.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(written);
  });
});

describe('each way of failing exits 1 with a readable diff', () => {
  it('a new error finding', async () => {
    const w = workspace('review', REVIEW, (runs) => {
      const r = runOf(runs, 'none');
      r.findings = r.findings.filter((f) => f.code !== 'KHO_OVERLAPS_SCRATCH');
      r.errors--;
    });
    const r = await check([path.join(w.dir, 'review'), '--baseline', w.file]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(
      '+ new KHO_OVERLAPS_SCRATCH in memblock_set_kho_scratch_only() (kho_populate): error, 512 pages, 1 block: preserved memory overlaps a scratch area; [mem 0x0000000180200000-0x00000001803fffff] pfn 0x180200-0x1803ff   <- fails the check',
    );
    expect(r.out).toMatch(/^FAILED +review +v6\.18 \/ none: FAIL -> FAIL/m);
    expect(r.out).toContain('check FAILED: 1 run regressed');
  });

  it('a grown error finding (more pages, more blocks)', async () => {
    const w = workspace('review', REVIEW, (runs) => {
      const f = runOf(runs, 'init-deferred-page', 'on').findings.find(
        (x) => x.code === 'STRUCT_PAGE_WRONG_NODE',
      )!;
      f.pages = 262144;
    });
    const r = await check([path.join(w.dir, 'review'), '--baseline', w.file]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(
      '> grown STRUCT_PAGE_WRONG_NODE in init_deferred_page() (kho_memory_init) (error): pages 262,144 -> 524,288 (+262,144), blocks 1 -> 1 (+0), ranges 1 -> 1',
    );
    expect(r.out).toMatch(/grown .*<- fails the check/);
  });

  it('a verdict turned FAIL', async () => {
    // the baseline said lazy-tail was clean on kho-b-16g-2node (as init-deferred-page is); the replay finds errors.
    // Under the review-era kernel (kho-v3 with the deferred fix): the image's own default, v7.1, has deferral off
    // and no FAIL, so that kernel's runs are written first and then edited
    const FIX = ['--profiles', 'kho-v3-deferred-fix', '--strategies', 'all'];
    const w = workspace('kho-b', KHO_B, (runs) => runs.splice(0));
    expect(
      (await check([path.join(w.dir, 'kho-b'), ...FIX, '--baseline', w.file, '--update-baseline'])).code,
    ).toBe(0);
    const written = parseBaseline(fs.readFileSync(w.file, 'utf8'), w.file);
    const fixRuns = (written.runs as BaselineRun[]).filter((x) => x.profile === 'kho-v3-deferred-fix');
    const good = runOf(fixRuns, 'init-deferred-page');
    const lazy = runOf(fixRuns, 'lazy-tail');
    Object.assign(lazy, { verdict: good.verdict, errors: 0, warnings: 0, findings: [] });
    fs.writeFileSync(w.file, JSON.stringify(written));
    const r = await check([path.join(w.dir, 'kho-b'), ...FIX, '--baseline', w.file]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/^FAILED +kho-b +kho-v3-deferred-fix \/ lazy-tail: ok -> FAIL/m);
    expect(r.out).toContain('! verdict ok -> FAIL   <- fails the check');
    expect(r.out).toMatch(/\+ new STRUCT_PAGE_NEVER_INIT in .*: error, 16,383 pages/);
    // the other four strategies are unchanged (and so are the image's own v7.1 runs)
    expect(
      r.out.split('\n').filter((l) => l.startsWith('same ') && l.includes('kho-v3-deferred-fix')),
    ).toHaveLength(4);
  });

  it('a boot-cost regression beyond --cost-tolerance, and none within it', async () => {
    const w = workspace('a4g', 'qemu/a-4g-1node', (runs) => {
      runs[0]!.cost.bootCriticalMs = runs[0]!.cost.bootCriticalMs / 1.2;
    });
    const r = await check([path.join(w.dir, 'a4g'), '--baseline', w.file]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(
      /\$ boot-critical cost 117\.2 -> 140\.6 ms \(\+20\.0%, above the 10% tolerance\) {3}<- fails the check/,
    );
    const loose = await check([path.join(w.dir, 'a4g'), '--baseline', w.file, '--cost-tolerance', '25%']);
    expect(loose.code, loose.out).toBe(0);
    expect(loose.out).toMatch(/\$ boot-critical cost 117\.2 -> 140\.6 ms \(\+20\.0%\)$/m);
  });

  it('gone, shrunk and a new warning are reported and do not fail', async () => {
    const w = workspace('review', REVIEW, (runs) => {
      const r = runOf(runs, 'none');
      r.findings.find((f) => f.code === 'KHO_OVERLAPS_SCRATCH')!.pages = 1024;
      r.findings = r.findings.filter((f) => f.code !== 'KHO_OVERLAPS_RESERVED');
      r.findings.push({ ...r.findings[0]!, code: 'KHO_BLOCK_CROSSES_ZONE', severity: 'warning' });
    });
    const r = await check([path.join(w.dir, 'review'), '--baseline', w.file]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/< shrunk KHO_OVERLAPS_SCRATCH .*pages 1,024 -> 512 \(-512\)/);
    expect(r.out).toMatch(/\+ new KHO_OVERLAPS_RESERVED .*: warning, 43 pages/);
    expect(r.out).toMatch(/- gone KHO_BLOCK_CROSSES_ZONE .*: was warning/);
    expect(r.out).not.toContain('<- fails');
  });

  it('a run the baseline does not have: its error findings are new', async () => {
    const w = workspace('review', REVIEW, (runs) => runs.splice(0));
    const r = await check([path.join(w.dir, 'review'), '--baseline', w.file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('v6.18 / none: FAIL (not in the baseline)');
  });
});

describe('options and errors', () => {
  it('--strategy and --profile replace the baseline runs; --strategies widens them', async () => {
    const w = workspace('review', REVIEW, () => undefined);
    const one = await check([
      path.join(w.dir, 'review'),
      '--baseline',
      w.file,
      '--strategy',
      'zone-walk',
      '--json',
    ]);
    const doc = JSON.parse(one.out) as { runs: { label: string; inBaseline: boolean }[]; notRun: unknown[] };
    expect(doc.runs.map((r) => r.label)).toEqual(['v6.18 / zone-walk']);
    expect(doc.runs[0]!.inBaseline).toBe(true);
    expect(doc.notRun).toHaveLength(9);
  });

  it('--strategies widens the baseline runs', async () => {
    const w = workspace('review', REVIEW, (runs) => runs.splice(0, runs.length, runOf(runs, 'none')));
    const r = await check([
      path.join(w.dir, 'review'),
      '--baseline',
      w.file,
      '--strategies',
      'lazy-tail,zone-walk',
      '--json',
    ]);
    const doc = JSON.parse(r.out) as { runs: { label: string; inBaseline: boolean }[] };
    expect(doc.runs.map((x) => `${x.label} ${x.inBaseline}`)).toEqual([
      'v6.18 / none true',
      'v6.18 / lazy-tail false',
      'v6.18 / zone-walk false',
    ]);
  });

  it('the same bundle named twice is replayed once', async () => {
    const w = workspace('review', REVIEW, () => undefined);
    const b = path.join(w.dir, 'review');
    const r = await check([b, b + '/', '--baseline', w.file, '--json']);
    const doc = JSON.parse(r.out) as { runs: unknown[] };
    expect(doc.runs).toHaveLength(10);
  });

  it('a missing baseline is a usage error naming --update-baseline; a broken one exit 3 at the field', async () => {
    const missing = await check([path.join(TRACES, REVIEW), '--baseline', path.join(tmp, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--update-baseline');
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ schema: 'kexec-replay/baseline/1', runs: [{ bundle: 'x' }] }));
    const broken = await check([path.join(TRACES, REVIEW), '--baseline', bad]);
    expect(broken.code).toBe(3);
    expect(broken.err).toContain('(runs[0].cost): CHECK_ERR_BASELINE: expected an object, found nothing');
    const tol = await check([path.join(TRACES, REVIEW), '--baseline', BASELINE, '--cost-tolerance', 'ten']);
    expect(tol.code).toBe(2);
  });
});
