// Every command's text report over every bundle under traces/ fits 100 columns (the width when stdout is not a
// terminal), and a narrower terminal's width is honoured. The bundles are enumerated, not listed, so bundles that
// land later are covered: any folder under traces/ holding a file (other than its kho/ folder, the deliberately
// broken inputs of traces/malformed/, and notes) is run through parse and replay, and every one with kho/fdt
// through inspect, compare, compare --profiles and upgrade too; check, synth and capture run once each.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';
import { traceBundles } from '../helpers/traces.js';

const ALL = traceBundles('traces');
const KHO = ALL.filter((d) => fs.existsSync(path.join(d, 'kho/fdt')));

async function text(width: number | undefined, ...argv: string[]): Promise<{ code: number; out: string }> {
  const o = { ...captureOutput(), ...(width !== undefined ? { width } : {}) };
  const cap = captureOutput();
  const code = await run(argv, {
    ...o,
    out: (t) => cap.out(t),
    err: (t) => cap.err(t),
  });
  return { code, out: cap.stdout };
}

function overWide(out: string, width: number): string[] {
  return out.split('\n').filter((l) => [...l].length > width);
}

describe('text reports fit 100 columns', () => {
  it('traces/ holds the bundles this walks (qemu boots, public logs, KHO bundles)', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(40);
    expect(KHO).toContain('traces/kho-b-16g-2node');
    expect(ALL).toContain('traces/qemu/f-16g-2node-kexec/stage2-after-kexec');
  });

  it('parse and replay of every bundle', { timeout: 600_000 }, async () => {
    const wide: string[] = [];
    for (const dir of ALL) {
      for (const cmd of ['parse', 'replay']) {
        const r = await text(undefined, cmd, dir);
        expect(r.code, `${cmd} ${dir}`).not.toBe(70);
        for (const l of overWide(r.out, 100)) wide.push(`${cmd} ${dir}: ${l.length}: ${l}`);
      }
    }
    expect(wide).toEqual([]);
  });

  it(
    'inspect, compare, compare --profiles and upgrade of every KHO bundle',
    { timeout: 600_000 },
    async () => {
      const wide: string[] = [];
      for (const dir of KHO) {
        for (const argv of [
          ['inspect', dir],
          ['compare', dir],
          ['replay', dir, '--strategy', 'none'],
          ['compare', dir, '--profiles', 'v7.1,v7.3'],
          ['upgrade', dir, '--to', 'v7.3'],
        ]) {
          const r = await text(undefined, ...argv);
          expect(r.code, argv.join(' ')).not.toBe(70);
          for (const l of overWide(r.out, 100)) wide.push(`${argv.join(' ')}: ${l.length}: ${l}`);
        }
      }
      expect(wide).toEqual([]);
    },
  );

  it(
    'check against the committed baseline; synth and capture of a synthetic host',
    { timeout: 300_000 },
    async () => {
      const wide: string[] = [];
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kr-width-'));
      try {
        for (const argv of [
          [
            'check',
            'traces/kho-review-b-16g-2node',
            'traces/qemu/b-16g-2node',
            '--baseline',
            'traces/check-baseline.json',
          ],
          ['synth', '--out', path.join(tmp, 's'), '--ram', '64G', '--blocks', '1K', '--guests', '2'],
          ['capture', '--from-vmcore', path.join(tmp, 's/kho/memory.core'), '--out', path.join(tmp, 'c')],
        ]) {
          const r = await text(undefined, ...argv);
          expect(r.code, argv.join(' ')).toBe(0);
          expect(r.out.length, argv.join(' ')).toBeGreaterThan(0);
          for (const l of overWide(r.out, 100)) wide.push(`${argv.join(' ')}: ${l.length}: ${l}`);
        }
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
      expect(wide).toEqual([]);
    },
  );

  it('a terminal 72 columns wide: compare and replay wrap to it, the table keeps its columns', async () => {
    const c = await text(72, 'compare', 'traces/kho-review-b-16g-2node', '--deferred', 'on');
    expect(overWide(c.out, 72)).toEqual([]);
    expect(c.out).toMatch(/^verdict +FAIL +FAIL +FAIL +FAIL +FAIL$/m);
    const r = await text(72, 'replay', 'traces/qemu/b-16g-2node');
    expect(overWide(r.out, 72)).toEqual([]);
  });

  it('a source label in a report is explained in it (KD1, KD2 in the profile line of compare)', async () => {
    const c = await text(undefined, 'compare', 'traces/kho-b-16g-2node', '--profile', 'kho-v3-deferred-fix');
    expect(c.out).toMatch(/profile kho-v3-deferred-fix \(KD2 /);
    expect(c.out).toMatch(/^source labels:$/m);
    expect(c.out).toMatch(/^ {2}KD1: "kho: make preserved pages compatible with deferred struct page init"/m);
    expect(c.out).toMatch(/^ {2}KD2: "kho: fix deferred initialization of scratch areas"/m);
  });
});
