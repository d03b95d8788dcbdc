// docs/ci/kexec-replay-check.yml, run the way the runner would: its env block, then each `run:` step in order
// with bash -e, in a folder of captures (bundles of traces/ linked in), the checkout's bin/kexec-replay.js on PATH
// in place of the install step. Passes on a baseline written by the command the workflow documents; the check
// step fails (exit 1, the job fails) when the baseline says the boot was cheaper than it now is.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unwrap } from '../helpers/output.js';

const WORKFLOW = 'docs/ci/kexec-replay-check.yml';
const text = fs.readFileSync(WORKFLOW, 'utf8');

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  if?: string;
  run?: string;
}

/** The job's env block and steps: the small subset of YAML this workflow is written in. */
function parseWorkflow(src: string): { env: Record<string, string>; steps: Step[] } {
  const lines = src.split('\n');
  const env: Record<string, string> = {};
  const steps: Step[] = [];
  let mode: 'none' | 'env' | 'steps' = 'none';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^ {4}env:$/.test(l)) mode = 'env';
    else if (/^ {4}steps:$/.test(l)) mode = 'steps';
    else if (/^ {0,4}\S/.test(l)) mode = 'none';
    else if (mode === 'env') {
      const m = /^ {6}([A-Z_]+): (.*)$/.exec(l);
      if (m) env[m[1]!] = m[2]!;
    } else if (mode === 'steps') {
      const m = /^ {6}(- | {2})(name|id|uses|if|run): ?(.*)$/.exec(l);
      if (!m) continue;
      if (m[1] === '- ') steps.push({});
      const step = steps.at(-1)!;
      const key = m[2] as keyof Step;
      if (key === 'run' && m[3] === '|') {
        const body: string[] = [];
        while (i + 1 < lines.length && (/^ {10}/.test(lines[i + 1]!) || lines[i + 1] === ''))
          body.push(lines[++i]!.slice(10));
        step.run = body.join('\n').trim() + '\n';
      } else step[key] = m[3]!;
    }
  }
  return { env, steps };
}

const wf = parseWorkflow(text);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-ci-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// the runner's view: captures/ with two hosts, and kexec-replay on PATH
fs.mkdirSync(path.join(tmp, 'captures'));
fs.symlinkSync(path.resolve('traces/kho-review-b-16g-2node'), path.join(tmp, 'captures/host-a'));
fs.symlinkSync(path.resolve('traces/qemu/a-4g-1node'), path.join(tmp, 'captures/host-b'));
const binDir = path.join(tmp, 'bin');
fs.mkdirSync(binDir);
fs.writeFileSync(
  path.join(binDir, 'kexec-replay'),
  `#!/bin/sh\nexec node ${JSON.stringify(path.resolve('bin/kexec-replay.js'))} "$@"\n`,
  { mode: 0o755 },
);
const env = { ...process.env, ...wf.env, PATH: `${binDir}:${process.env['PATH']}`, CI: 'true' };

function bash(script: string): { code: number; out: string; err: string } {
  const r = spawnSync('bash', ['-e', '-c', script], { cwd: tmp, env, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('docs/ci/kexec-replay-check.yml', () => {
  it('is a checkout, node 20, the install, the check, KTAP, and the reports kept', () => {
    expect(wf.steps.map((s) => s.uses ?? s.id)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'install',
      'check',
      'ktap',
      'actions/upload-artifact@v4',
    ]);
    expect(wf.env).toMatchObject({
      CAPTURES: 'captures',
      BASELINE: 'captures/baseline.json',
      COST_TOLERANCE: '10%',
    });
    expect(wf.steps.find((s) => s.id === 'install')!.run).toContain('npm install --global');
  });

  it('its steps pass on the baseline its comment says how to write, and fail on a contradicted one', () => {
    const update = /^# {3}(kexec-replay check .* --update-baseline)$/m.exec(text)![1]!;
    const written = bash(update);
    expect(written.code, written.err).toBe(0);
    expect(fs.existsSync(path.join(tmp, 'captures/baseline.json'))).toBe(true);

    const runSteps = wf.steps.filter((s) => s.run && s.id !== 'install');
    for (const s of runSteps) {
      const r = bash(s.run!);
      expect(r.code, `${s.name}: ${r.out}${r.err}`).toBe(0);
    }
    expect(fs.readFileSync(path.join(tmp, 'kexec-replay-junit.xml'), 'utf8')).toContain(
      '<testsuites name="kexec-replay check" tests="2" failures="0"',
    );
    expect(fs.readFileSync(path.join(tmp, 'kexec-replay-report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(fs.readFileSync(path.join(tmp, 'kexec-replay.ktap'), 'utf8')).toMatch(/^KTAP version 1\n1\.\.2\n/);

    // the baseline claims host-b booted 20% faster: the check step fails the job, and says why
    const file = path.join(tmp, 'captures/baseline.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      runs: { bundle: string; cost: { bootCriticalMs: number } }[];
    };
    doc.runs.find((r) => r.bundle === 'host-b')!.cost.bootCriticalMs /= 1.2;
    fs.writeFileSync(file, JSON.stringify(doc));
    const failed = bash(wf.steps.find((s) => s.id === 'check')!.run!);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^FAILED +host-b +linux-6\.1 \/ boot/m);
    // the report wraps at 100 columns: the change line is matched whole
    expect(unwrap(failed.out)).toMatch(/\(\+20\.0%, above the 10% tolerance\) +<- fails the check/);
    expect(fs.readFileSync(path.join(tmp, 'kexec-replay-junit.xml'), 'utf8')).toContain('failures="1"');
    // the KTAP step keeps going (its report is what it is for)
    expect(bash(wf.steps.find((s) => s.id === 'ktap')!.run!).code).toBe(0);
    expect(fs.readFileSync(path.join(tmp, 'kexec-replay.ktap'), 'utf8')).toContain('not ok 2 host-b');
  }, 60_000);
});
