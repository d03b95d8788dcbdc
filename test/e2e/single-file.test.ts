// The single-file build (scripts/build-single.mjs): one ESM file, copied alone into an empty folder (no
// node_modules anywhere above it), runs the CLI on Node 20+: --version, parse and inspect of a committed bundle,
// synth, and capture on a fake root, with the exit codes of the in-process CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-single-'));
const file = path.join(tmp, 'kexec-replay.mjs');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [file, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: '' },
  });

describe('single-file CLI', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(repo, 'scripts/build-single.mjs'), '--outfile', file], {
      cwd: repo,
    });
  }, 60_000);

  it('is one file with a shebang, and needs no node_modules', () => {
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(fs.readdirSync(tmp)).toEqual(['kexec-replay.mjs']);
    // no import of a bare package name survives bundling (only node: built-ins)
    expect(text.match(/^import .* from "(?!node:)[^".][^"]*";$/m)).toBeNull();
    const v = cli('--version');
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(
      JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version,
    );
  });

  it('parse and inspect a committed bundle, exit 3 on a damaged one', () => {
    const p = cli('parse', path.join(repo, 'traces/kho-b-16g-2node'));
    expect(p.status).toBe(0);
    expect(p.stdout).toContain('x86_64, 4 KiB pages, kernel 6.1.0-56-amd64');
    const i = cli('inspect', path.join(repo, 'traces/kho-b-16g-2node'), '--json');
    expect(i.status).toBe(0);
    expect(JSON.parse(i.stdout).kho.abi).toBe('kho-v3');
    const bad = cli('inspect', path.join(repo, 'traces/malformed/fdt-bad-magic'));
    expect(bad.status).toBe(3);
  });

  it('synth, then capture on a fake root made of the synth output', () => {
    const s = cli(
      'synth',
      '--ram',
      '16G',
      '--nodes',
      '1',
      '--blocks',
      '2K',
      '--guests',
      '1',
      '--out',
      path.join(tmp, 's'),
    );
    expect(s.status).toBe(0);
    const root = path.join(tmp, 'root');
    fs.mkdirSync(path.join(root, 'proc/sys/kernel'), { recursive: true });
    fs.writeFileSync(path.join(root, 'proc/cmdline'), 'kho=on\n');
    fs.writeFileSync(path.join(root, 'proc/sys/kernel/osrelease'), '7.3.0-synth\n');
    const c = cli('capture', '--root', root, '--out', path.join(tmp, 'c'));
    expect(c.status).toBe(0);
    expect(c.stdout).toContain('KHO: no handover image captured');
    expect(cli('capture', '--out', path.join(tmp, 'c')).status).toBe(2); // not empty
  });
});
