// `check`'s machine-readable outputs on a real failing check (the review bundle against a baseline edited to miss a
// finding and to claim a cheaper boot): --junit validates against the Jenkins xUnit plugin's JUnit schema
// (test/fixtures/junit/junit-10.xsd, see SOURCE.md there) with xmllint; --ktap follows the grammar of KTAP version 1
// (linux Documentation/dev-tools/ktap.rst); --json validates against schemas/check.schema.json.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { BaselineRun } from '../../src/check/baseline.js';
import { parseBaseline } from '../../src/check/baseline.js';
import { captureOutput } from '../helpers/output.js';

const BASELINE = 'traces/check-baseline.json';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-check-formats-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** review (failing: a new error finding, a cost regression) and a4g (passing), with a '#' and markup in a name. */
function setUp(): { bundles: string[]; file: string } {
  const committed = parseBaseline(fs.readFileSync(BASELINE, 'utf8'), BASELINE);
  const names: [string, string][] = [
    ['review <&> #1', 'kho-review-b-16g-2node'],
    ['a4g', 'qemu/a-4g-1node'],
  ];
  const runs: BaselineRun[] = [];
  for (const [name, bundle] of names) {
    fs.symlinkSync(path.resolve('traces', bundle), path.join(tmp, name));
    runs.push(
      ...committed.runs
        .filter((r) => r.bundle === bundle)
        .map((r) => ({ ...structuredClone(r), bundle: name })),
    );
  }
  const none = runs.find(
    (r) => r.bundle.startsWith('review') && r.strategy === 'none' && r.deferred === 'default',
  )!;
  none.findings = none.findings.filter((f) => f.code !== 'KHO_OVERLAPS_SCRATCH');
  none.cost.bootCriticalMs /= 2;
  const file = path.join(tmp, 'baseline.json');
  fs.writeFileSync(file, JSON.stringify({ schema: 'kexec-replay/baseline/1', runs }));
  return { bundles: names.map(([n]) => path.join(tmp, n)), file };
}

let ws: { bundles: string[]; file: string };
beforeAll(() => {
  ws = setUp();
});

async function check(...flags: string[]): Promise<{ code: number; out: string }> {
  const o = captureOutput();
  const code = await run(['check', ...ws.bundles, '--baseline', ws.file, ...flags], o);
  return { code, out: o.stdout };
}

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('--junit', () => {
  // .ci/run installs libxml2-utils; a machine without xmllint skips only this validation
  it.skipIf(!hasXmllint())('validates against the JUnit schema CI systems read (junit-10.xsd)', async () => {
    const junit = path.join(tmp, 'junit.xml');
    const r = await check('--junit', junit);
    expect(r.code).toBe(1);
    const out = execFileSync('xmllint', ['--noout', '--schema', 'test/fixtures/junit/junit-10.xsd', junit], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('');
  });

  it('one test case per bundle x profile x strategy; a failure carries the finding text', async () => {
    const junit = path.join(tmp, 'junit2.xml');
    await check('--junit', junit);
    const xml = fs.readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(11);
    expect(xml).toContain('<testsuites name="kexec-replay check" tests="11" failures="1" errors="0">');
    expect(xml).toContain('<testsuite name="review &lt;&amp;&gt; #1" tests="10" failures="1"');
    expect(xml).toMatch(
      /<failure type="regression" message="1 new error finding, boot-cost regression">FAIL new KHO_OVERLAPS_SCRATCH in memblock_set_kho_scratch_only\(\) \(kho_populate\): error, 512 pages, 1 block: preserved memory overlaps a scratch area; \[mem 0x0000000180200000-0x00000001803fffff\]/,
    );
  });
});

/**
 * KTAP version 1 (ktap.rst): a version line, an optional plan "1..N", then per test its diagnostic lines ("# ..."),
 * its subtests (indented two spaces, each block starting with its own version line) and its result line
 * "<ok|not ok> <number> [<description>][ # [<directive>] [<diagnostic data>]]", numbers from 1 up by one, as many
 * as the plan says; a description has no '#'; a test with a failed subtest fails. Returns whether the block failed.
 */
function parseKtap(lines: string[], at: { i: number }, indent: string): boolean {
  const RESULT = /^(ok|not ok) (\d+)(?: ([^#]*?))?(?: # ?(.*))?$/;
  expect(lines[at.i]).toBe(`${indent}KTAP version 1`);
  at.i++;
  let plan: number | null = null;
  const planM = /^1\.\.(\d+)$/.exec(lines[at.i]!.slice(indent.length));
  if (lines[at.i]!.startsWith(indent) && planM) {
    plan = Number(planM[1]);
    at.i++;
  }
  let n = 0;
  let anyFailed = false;
  let subFailed = false;
  while (at.i < lines.length) {
    const line = lines[at.i]!;
    if (!line.startsWith(indent) || (indent === '' && line === '')) break;
    const body = line.slice(indent.length);
    if (body.startsWith('  KTAP version 1')) {
      subFailed = parseKtap(lines, at, indent + '  ');
      continue;
    }
    if (body.startsWith('#')) {
      at.i++;
      continue;
    }
    const m = RESULT.exec(body);
    expect(m, `line ${at.i + 1}: '${line}' is no KTAP line`).not.toBeNull();
    expect(Number(m![2])).toBe(++n);
    if (subFailed) expect(m![1], `line ${at.i + 1}: a test with a failed subtest fails`).toBe('not ok');
    if (m![1] === 'not ok') anyFailed = true;
    subFailed = false;
    at.i++;
  }
  if (plan !== null) expect(n).toBe(plan);
  return anyFailed;
}

describe('--ktap', () => {
  it('is KTAP version 1 by the grammar of ktap.rst: one test per bundle, one subtest per run', async () => {
    const r = await check('--ktap');
    expect(r.code).toBe(1);
    const lines = r.out.replace(/\n$/, '').split('\n');
    const at = { i: 0 };
    expect(parseKtap(lines, at, '')).toBe(true);
    expect(at.i).toBe(lines.length);
    expect(lines[1]).toBe('1..2');
    expect(lines).toContain('not ok 1 review <&> no.1');
    expect(lines).toContain('ok 2 a4g');
    expect(lines).toContain('  not ok 7 v6.18 / none # 1 new error finding, boot-cost regression');
    expect(r.out).toMatch(/^ {2}# new KHO_OVERLAPS_SCRATCH .* \(fails\)$/m);
  });

  it('the grammar check itself rejects what ktap.rst forbids', () => {
    const bad = [
      ['KTAP version 1', '1..2', 'ok 1 a', 'ok 3 b'],
      ['KTAP version 1', '1..2', 'ok 1 a'],
      ['KTAP version 1', '1..1', '  KTAP version 1', '  1..1', '  not ok 1 x', 'ok 1 parent'],
      ['TAP version 13', '1..1', 'ok 1 a'],
    ];
    for (const b of bad) expect(() => parseKtap(b, { i: 0 }, '')).toThrow();
  });
});

describe('--json', () => {
  it('validates against schemas/check.schema.json and says what failed', async () => {
    const r = await check('--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as {
      failed: boolean;
      runs: { bundle: string; failed: boolean; changes: { kind: string; failing: boolean }[] }[];
    };
    const schema = JSON.parse(fs.readFileSync('schemas/check.schema.json', 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.failed).toBe(true);
    const failed = doc.runs.filter((x) => x.failed);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.changes.filter((c) => c.failing).map((c) => c.kind)).toEqual(['new', 'cost']);
    // and a broken document does not validate
    expect(validate({ ...doc, runs: [{ bundle: 1 }] })).toBe(false);
  });
});
