// traces/malformed/codes/: one bundle per error code (issue 13). Each is rejected with its code and a location
// (exit 3, one stderr line naming the file and the byte offset, line, or field), and every code the sources can raise
// has its folder: a code added to src/ or parsers/ without one fails here. The folder is make-malformed-codes.ts's
// output; KEXEC_REPLAY_WRITE_MALFORMED=1 rewrites it instead of checking it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesSource, TraceError } from '../../src/core/index.js';
import { run } from '../../src/cli/main.js';
import { parseDmesg } from '../../parsers/dmesg/index.js';
import { openElfCore } from '../../parsers/elf-core/index.js';
import { loadKhoImage } from '../../src/cli/load-kho.js';
import { loadHostBundle } from '../../src/cli/read-bundle.js';
import { replay } from '../../src/sim/replay.js';
import { captureOutput } from '../helpers/output.js';
import { scenarioOf } from '../sim/scenario-of.js';
import type { CodeCase } from './make-malformed-codes.js';
import { codeCases, codesReadme } from './make-malformed-codes.js';

const ROOT = 'traces/malformed/codes';
const WRITE = process.env['KEXEC_REPLAY_WRITE_MALFORMED'] === '1';

/** Every error code in the sources: the string literals of the form PREFIX_ERR_NAME (the codes tables included). */
function codesInSources(): { codes: Set<string>; unconventional: string[] } {
  const codes = new Set<string>();
  const unconventional: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const src = fs.readFileSync(p, 'utf8');
        for (const m of src.matchAll(/['"`]([A-Z][A-Z0-9]*_ERR_[A-Z0-9_]+)['"`]/g)) codes.add(m[1]!);
        // A TraceError whose literal code escapes the naming rule would escape this scan too.
        for (const m of src.matchAll(/new TraceError\(\{\s*code:\s*'([A-Z0-9_]+)'/g))
          if (!m[1]!.includes('_ERR_')) unconventional.push(`${p}: ${m[1]}`);
      }
    }
  };
  walk('src');
  walk('parsers');
  return { codes, unconventional };
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The location the one line must carry, after the file's name. */
function locationRe(c: CodeCase, file: string): RegExp {
  const f = escapeRe(file);
  switch (c.where) {
    case 'offset':
      return new RegExp(`${f}: offset 0x[0-9a-f]+\\b`);
    case 'line':
      return new RegExp(`${f}:\\d+\\b`);
    case 'field':
      return new RegExp(`${f}( \\([^)]+\\)|: offset 0x[0-9a-f]+)`);
    case 'file':
      return new RegExp(`${f}( \\([^)]+\\))?: ${c.code}: `);
  }
}

function runApi(c: CodeCase, dir: string): TraceError {
  const file = path.join(dir, c.file);
  try {
    if (c.api === 'dmesg-boot-2') parseDmesg(fs.readFileSync(file, 'utf8'), file, { boot: 2 });
    else if (c.api === 'replay-16k-image') {
      const host = loadHostBundle(dir);
      const { image } = loadKhoImage(dir, { pageShift: 14 });
      replay(host, image, scenarioOf({ bundleName: dir }));
    } else {
      const core = openElfCore(bytesSource(file, new Uint8Array(fs.readFileSync(file))));
      if (c.api === 'elf-notes') core.readNotes();
      else if (c.api === 'elf-read-outside') core.readPhys(0x7f0000000, 4096, 'struct page at 0x7f0000000');
      else core.readPhys(0x100000000, 512 * 1024 * 1024, 'a 512 MiB range');
    }
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
  throw new Error(`${c.code}: the library call did not throw`);
}

function writeCase(c: CodeCase): void {
  const dir = path.join(ROOT, c.code);
  if (c.link !== undefined) {
    fs.symlinkSync(path.join('..', c.link), dir);
    return;
  }
  for (const [rel, bytes] of Object.entries(c.files ?? {})) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }
}

function listFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]))
    .sort();
}

describe('traces/malformed/codes/: one bundle per error code', () => {
  const cases = codeCases();

  if (WRITE) {
    it('writes the folder', () => {
      fs.rmSync(ROOT, { recursive: true, force: true });
      fs.mkdirSync(ROOT, { recursive: true });
      for (const c of cases) writeCase(c);
      fs.writeFileSync(path.join(ROOT, 'README.md'), codesReadme(cases));
      expect(fs.readdirSync(ROOT).length).toBe(cases.length + 1);
    });
    return;
  }

  it('every code the sources can raise has a folder named after it, and every folder a code', () => {
    const { codes, unconventional } = codesInSources();
    expect(unconventional).toEqual([]);
    expect(codes.size).toBeGreaterThan(50);
    const have = cases.map((c) => c.code).sort();
    expect(new Set(have).size).toBe(have.length);
    // a code raised in src/ or parsers/ without a case: add one to test/e2e/make-malformed-codes.ts and rewrite
    // the folder (KEXEC_REPLAY_WRITE_MALFORMED=1, see traces/malformed/codes/README.md)
    expect(have, 'each error code needs a case in test/e2e/make-malformed-codes.ts').toEqual(
      [...codes].sort(),
    );
    expect(fs.readdirSync(ROOT).sort()).toEqual(['README.md', ...have].sort());
  });

  it('holds exactly the generated files, byte for byte (links where a case already exists)', () => {
    for (const c of cases) {
      const dir = path.join(ROOT, c.code);
      if (c.link !== undefined) {
        expect(fs.lstatSync(dir).isSymbolicLink(), c.code).toBe(true);
        expect(fs.readlinkSync(dir), c.code).toBe(path.join('..', c.link));
        continue;
      }
      const files = c.files ?? {};
      expect(listFiles(dir), c.code).toEqual(Object.keys(files).sort());
      for (const [rel, bytes] of Object.entries(files))
        expect(
          Buffer.compare(new Uint8Array(fs.readFileSync(path.join(dir, rel))), bytes),
          `${c.code}/${rel}`,
        ).toBe(0);
    }
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toBe(codesReadme(cases));
  });

  for (const c of cases) {
    it(`${c.code}: ${c.api ? c.api : c.argv!.join(' ')} fails with ${c.code} and a location`, async () => {
      const dir = path.join(ROOT, c.code);
      const file = c.file === '@' ? dir : path.join(dir, c.file);
      if (c.api) {
        const e = runApi(c, dir);
        expect(e.code).toBe(c.code);
        expect(e.message).toMatch(locationRe(c, file));
        expect(e.message.split('\n')).toHaveLength(1);
        return;
      }
      const argv = c.argv!.map((a) => a.replace(/^@/, dir));
      const o = captureOutput();
      const exit = await run(argv, o);
      expect(exit, o.stderr).toBe(3);
      const lines = o.stderr.trimEnd().split('\n');
      expect(lines, o.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^kexec-replay: /);
      expect(lines[0]).toContain(`: ${c.code}: expected `);
      expect(lines[0]).toMatch(locationRe(c, file));
    });
  }
});
