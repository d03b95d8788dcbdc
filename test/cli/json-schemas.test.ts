// Every --json document validates against its schema under schemas/, on the real output of every command over every
// bundle under traces/ (enumerated, so bundles that land later are covered) and over a synthetic bundle written by
// synth and read back by capture --from-vmcore. The schemas are strict (every key required that is always there,
// no key they do not list), so a dropped or an undocumented key fails here: add a new key to its schema.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';
import { traceBundles } from '../helpers/traces.js';

const SCHEMAS = [
  'parse',
  'replay',
  'inspect',
  'compare',
  'compare-profiles',
  'upgrade',
  'check',
  'capture',
  'synth',
] as const;
type SchemaName = (typeof SCHEMAS)[number];

type Json = Record<string, unknown>;
const readSchema = (name: string): Json =>
  JSON.parse(fs.readFileSync(`schemas/${name}.schema.json`, 'utf8')) as Json;

// strict: an unknown keyword or a `required` key the schema does not define is an error in the schema itself
const ajv = new Ajv({ allErrors: true, strict: true });
const validators = Object.fromEntries(SCHEMAS.map((s) => [s, ajv.compile(readSchema(s))])) as Record<
  SchemaName,
  ValidateFunction
>;

const ALL = traceBundles('traces');
const KHO = ALL.filter((d) => fs.existsSync(path.join(d, 'kho/fdt')));

const noDocument: string[] = [];
let tmp = '';
let synthDir = '';
const docs: Record<SchemaName, number> = Object.fromEntries(SCHEMAS.map((s) => [s, 0])) as Record<
  SchemaName,
  number
>;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = captureOutput();
  const code = await run(argv, o);
  return { code, out: o.stdout, err: o.stderr };
}

/**
 * Run one command with --json: a clean run or one with findings (exit 0/1) prints a document that validates; invalid
 * input (exit 3) prints nothing or a document that validates; usage errors and bugs fail the test.
 */
async function validated(schema: SchemaName, ...argv: string[]): Promise<string[]> {
  const r = await cli(...argv, '--json');
  const what = argv.join(' ');
  if (![0, 1, 3].includes(r.code)) return [`${what}: exit ${r.code}: ${r.err.slice(0, 300)}`];
  if (r.code === 3 && r.out === '') {
    // invalid input says why on stderr, in the house style
    if (!/^kexec-replay: /.test(r.err)) return [`${what}: exit 3 without a message`];
    noDocument.push(what);
    return [];
  }
  let doc: unknown;
  try {
    doc = JSON.parse(r.out);
  } catch {
    return [`${what}: exit ${r.code}, stdout is not JSON: ${r.out.slice(0, 200)}`];
  }
  docs[schema]++;
  const v = validators[schema];
  // name the key: 'must NOT have additional properties' alone does not say which
  const why = (v.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  return v(doc) ? [] : [`${what}: ${why.join('; ')} (schemas/${schema}.schema.json)`];
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kr-schemas-'));
  synthDir = path.join(tmp, 'synth');
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('every --json document validates against schemas/', () => {
  it('the schemas are valid JSON Schema (ajv strict) and each names its document', () => {
    for (const s of SCHEMAS) {
      const schema = readSchema(s);
      expect(schema['$id'], s).toBe(`kexec-replay/${s}/1`);
      expect((schema['properties'] as Json)['schema'], s).toEqual({ const: `kexec-replay/${s}/1` });
      expect(schema['additionalProperties'], s).toBe(false);
    }
  });

  it(
    'parse and replay of every bundle; inspect, compare, compare --profiles and upgrade of every KHO bundle',
    {
      timeout: 900_000,
    },
    async () => {
      expect(ALL.length).toBeGreaterThanOrEqual(40);
      const bad: string[] = [];
      for (const dir of ALL) {
        bad.push(...(await validated('parse', 'parse', dir)));
        bad.push(...(await validated('replay', 'replay', dir)));
      }
      for (const dir of KHO) {
        bad.push(...(await validated('inspect', 'inspect', dir)));
        bad.push(...(await validated('compare', 'compare', dir)));
        bad.push(...(await validated('replay', 'replay', dir, '--strategy', 'none')));
        // one profile per bundle keeps the run short; every profile on one bundle below
        bad.push(...(await validated('compare-profiles', 'compare', dir, '--profiles', 'v7.3')));
        bad.push(...(await validated('upgrade', 'upgrade', dir, '--to', 'v7.3')));
      }
      bad.push(
        ...(await validated('compare-profiles', 'compare', 'traces/kho-b-16g-2node', '--profiles', 'all')),
      );
      bad.push(...(await validated('upgrade', 'upgrade', 'traces/kho-b-16g-2node', '--to', 'v7.1')));
      expect(bad).toEqual([]);
      // the documents were there to validate (the bundles without a host or with a broken image exit 3 with none)
      expect(docs.parse).toBe(ALL.length - 3);
      // the folders the walk finds that are no host bundle: the baseline file's folder, a raw setup_data blob, .dts text
      expect(noDocument.filter((w) => w.startsWith('parse ')).sort()).toEqual([
        'parse traces',
        'parse traces/capture-real-kho-v7.3-rc7/stage2-after-kexec/kho-debugfs/setup_data/0',
        'parse traces/public/kho-fdt-upstream-doc-examples',
      ]);
      expect(docs.replay).toBeGreaterThanOrEqual(50);
      expect(docs.inspect).toBeGreaterThanOrEqual(KHO.length - 1);
      expect(docs.compare).toBeGreaterThanOrEqual(4);
      expect(docs['compare-profiles']).toBeGreaterThanOrEqual(4);
      expect(docs.upgrade).toBeGreaterThanOrEqual(4);
    },
  );

  it('check against the committed baseline', { timeout: 300_000 }, async () => {
    const bad = await validated(
      'check',
      'check',
      'traces/kho-review-b-16g-2node',
      'traces/qemu/b-16g-2node',
      '--baseline',
      'traces/check-baseline.json',
    );
    expect(bad).toEqual([]);
    expect(docs.check).toBe(1);
  });

  it(
    'synth, capture --from-vmcore of its core, and every command on the synthetic bundle',
    {
      timeout: 300_000,
    },
    async () => {
      const bad: string[] = [];
      bad.push(
        ...(await validated(
          'synth',
          'synth',
          '--out',
          synthDir,
          '--ram',
          '64G',
          '--blocks',
          '1K',
          '--guests',
          '2',
        )),
      );
      bad.push(
        ...(await validated(
          'capture',
          'capture',
          '--from-vmcore',
          path.join(synthDir, 'kho/memory.core'),
          '--out',
          path.join(tmp, 'captured'),
        )),
      );
      for (const dir of [synthDir, path.join(tmp, 'captured')])
        bad.push(...(await validated('inspect', 'inspect', dir)));
      bad.push(...(await validated('parse', 'parse', synthDir)));
      bad.push(...(await validated('replay', 'replay', synthDir)));
      bad.push(...(await validated('compare', 'compare', synthDir)));
      bad.push(...(await validated('upgrade', 'upgrade', synthDir, '--to', 'v7.4')));
      expect(bad).toEqual([]);
      expect(docs.synth).toBe(1);
      expect(docs.capture).toBe(1);
    },
  );
});

describe('the schemas catch what they are for', () => {
  // one real document per schema, changed the ways a contract breaks
  it('a dropped key, an undocumented key, a wrong type fail; the real document passes', async () => {
    const r = await cli('compare', 'traces/kho-review-b-16g-2node', '--deferred', 'on', '--json');
    const doc = JSON.parse(r.out) as Json & { strategies: (Json & { findings: Json[] })[] };
    const v = validators.compare;
    expect(v(doc), ajv.errorsText(v.errors)).toBe(true);
    const s0 = doc.strategies[0]!;
    const f0 = doc.strategies.flatMap((s) => s.findings)[0]!;
    const variants: [string, unknown][] = [
      ['strategy without verdict', { ...doc, strategies: [{ ...s0, verdict: undefined }] }],
      [
        'finding without rangeUnit',
        { ...doc, strategies: [{ ...s0, findings: [{ ...f0, rangeUnit: undefined }] }] },
      ],
      [
        'finding without kernelFunction',
        { ...doc, strategies: [{ ...s0, findings: [{ ...f0, kernelFunction: undefined }] }] },
      ],
      ['an undocumented top-level key', { ...doc, extra: 1 }],
      ['an undocumented strategy key', { ...doc, strategies: [{ ...s0, extra: 1 }] }],
      ['a verdict not in the list', { ...doc, strategies: [{ ...s0, verdict: 'PASS' }] }],
      [
        'a range of three numbers',
        { ...doc, strategies: [{ ...s0, findings: [{ ...f0, ranges: [[1, 2, 3]] }] }] },
      ],
    ];
    for (const [what, d] of variants) expect(v(JSON.parse(JSON.stringify(d))), what).toBe(false);
  });

  it('compare --json has a verdict per strategy, the same words as the text table', async () => {
    const j = await cli('compare', 'traces/kho-review-b-16g-2node', '--deferred', 'on', '--json');
    const t = await cli('compare', 'traces/kho-review-b-16g-2node', '--deferred', 'on');
    const doc = JSON.parse(j.out) as { strategies: { name: string; verdict: string; errors: number }[] };
    const row = /^verdict +(.*)$/m.exec(t.out)![1]!.trim().split(/ {2,}/);
    expect(doc.strategies.map((s) => s.verdict)).toEqual(row);
    expect(doc.strategies.every((s) => (s.verdict === 'FAIL') === s.errors > 0)).toBe(true);
  });

  it('fn/kernelFunction and message/title: the old key is deprecated and names the new one', () => {
    const deprecated: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
      else if (v && typeof v === 'object') {
        const o = v as Json;
        if (o['deprecated'] === true) {
          const name = at.slice(at.lastIndexOf('.') + 1);
          const repl = { fn: 'kernelFunction', message: 'title' }[name];
          expect(repl, `${at} is deprecated`).toBeDefined();
          expect(o['description'], at).toContain(`\`${repl}\``);
          deprecated.push(at);
        }
        for (const [k, x] of Object.entries(o)) walk(x, `${at}.${k}`);
      }
    };
    for (const s of SCHEMAS) walk(readSchema(s), s);
    // replay (KHO and plain findings) and upgrade carry both old keys
    expect(deprecated.filter((d) => d.startsWith('replay')).length).toBe(2);
    expect(deprecated.filter((d) => d.startsWith('upgrade')).length).toBe(2);
  });

  it('pfn ranges say their unit: findings carry rangeUnit pfn, padata jobs startPfn/endPfn', async () => {
    const r = await cli('replay', 'traces/kho-review-b-16g-2node', '--deferred', 'on', '--json');
    const doc = JSON.parse(r.out) as {
      findings: { rangeUnit: string; ranges: number[][] }[];
      deferredWork: { jobs: { start: number; size: number; startPfn: number; endPfn: number }[] }[];
    };
    expect(doc.findings.length).toBeGreaterThan(0);
    expect(doc.findings.every((f) => f.rangeUnit === 'pfn')).toBe(true);
    const jobs = doc.deferredWork.flatMap((w) => w.jobs);
    expect(jobs.length).toBeGreaterThan(0);
    for (const j of jobs) expect([j.startPfn, j.endPfn]).toEqual([j.start, j.start + j.size]);
  });
});
