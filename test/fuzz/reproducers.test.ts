// The crash reproducers of test/fixtures/fuzz/ (issue 13), each run through the CLI: rejected with one located
// line and its code (exit 3) or read with diagnostics (exit 0/1), within a time bound, never exit 70, and never a
// byte on stderr a terminal would act on. The folder is make-reproducers.ts's output, committed; this test fails
// when the two drift (KEXEC_REPLAY_WRITE_REPRODUCERS=1 rewrites it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { cpuNow } from '../helpers/cpu-time.js';
import { captureOutput } from '../helpers/output.js';
import type { ReproducerExpect } from './make-reproducers.js';
import { reproducers } from './make-reproducers.js';

const ROOT = 'test/fixtures/fuzz';
const WRITE = process.env['KEXEC_REPLAY_WRITE_REPRODUCERS'] === '1';

function listFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]))
    .sort();
}

/** Bytes a terminal acts on: C0 controls but newline, DEL, C1. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('test/fixtures/fuzz/ matches make-reproducers.ts', () => {
  const cases = reproducers();
  if (WRITE) {
    it('writes the folder', () => {
      for (const c of cases) {
        fs.rmSync(path.join(ROOT, c.name), { recursive: true, force: true });
        for (const [rel, bytes] of c.files) {
          const file = path.join(ROOT, c.name, rel);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, bytes);
        }
        fs.writeFileSync(path.join(ROOT, c.name, 'expect.json'), JSON.stringify(c.expect, null, 2) + '\n');
      }
    });
    return;
  }
  it('each generated case is on disk, byte for byte', () => {
    for (const c of cases) {
      for (const [rel, bytes] of c.files) {
        const onDisk = new Uint8Array(fs.readFileSync(path.join(ROOT, c.name, rel)));
        expect(Buffer.compare(onDisk, bytes), `${c.name}/${rel}`).toBe(0);
      }
      const want = JSON.parse(fs.readFileSync(path.join(ROOT, c.name, 'expect.json'), 'utf8')) as unknown;
      expect(want, `${c.name}/expect.json`).toEqual(JSON.parse(JSON.stringify(c.expect)));
    }
  });
});

describe('every reproducer in test/fixtures/fuzz/ ends as its expect.json says', () => {
  const dirs = fs
    .readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  it('there are reproducers (the known classes at least)', () => {
    expect(dirs.length).toBeGreaterThanOrEqual(5);
  });
  for (const name of dirs) {
    const dir = path.join(ROOT, name);
    const want = JSON.parse(fs.readFileSync(path.join(dir, 'expect.json'), 'utf8')) as ReproducerExpect;
    for (const command of want.commands) {
      it(`${name}: ${command} -> exit ${want.exit}${want.code ? ` ${want.code}` : ''}`, async () => {
        expect(listFiles(dir)).toContain('expect.json');
        const o = captureOutput();
        // CPU time of this process (the CLI runs in it; test/helpers/cpu-time.ts): wall time on a shared machine
        // is the neighbours'
        const t0 = cpuNow();
        const code = await run([...command.split(' '), dir], o);
        const ms = cpuNow() - t0;
        expect(code, o.stderr).toBe(want.exit);
        expect(ms, `${name} ${command} took ${ms.toFixed(0)} ms CPU`).toBeLessThan(want.maxMs);
        expect(o.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
        expect(RAW_CONTROL.test(o.stderr), JSON.stringify(o.stderr.slice(0, 400))).toBe(false);
        if (want.diagnostic) expect(o.stdout + o.stderr).toContain(want.diagnostic);
        if (want.exit === 3) {
          if (!want.partial) expect(o.stdout).toBe('');
          expect(o.stderr.trimEnd().split('\n'), o.stderr).toHaveLength(1);
          if (want.code) expect(o.stderr).toContain(`: ${want.code}: `);
          if (want.where === 'offset') expect(o.stderr).toMatch(/: offset 0x[0-9a-f]+/);
          if (want.where === 'line') expect(o.stderr).toMatch(/:\d+:\d+/);
        }
      });
    }
  }
});
