// traces/malformed/ is test/e2e/make-malformed.ts's output, committed so users can try the CLI on it by hand. This
// test fails when the two drift; KEXEC_REPLAY_WRITE_MALFORMED=1 rewrites the folder instead (see make-malformed.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { malformedCases, malformedReadme } from './make-malformed.js';

const ROOT = 'traces/malformed';
const WRITE = process.env['KEXEC_REPLAY_WRITE_MALFORMED'] === '1';

// codes/ (one bundle per error code) is make-malformed-codes.ts's, checked by malformed-codes.test.ts
const CODES = 'codes';

function listFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .filter((e) => rel !== '' || e.name !== CODES)
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]))
    .sort();
}

describe('traces/malformed/ matches make-malformed.ts', () => {
  const cases = malformedCases();

  if (WRITE) {
    it('writes the folder', () => {
      for (const e of fs.existsSync(ROOT) ? fs.readdirSync(ROOT) : [])
        if (e !== CODES) fs.rmSync(path.join(ROOT, e), { recursive: true, force: true });
      for (const c of cases) {
        for (const [rel, bytes] of Object.entries(c.files)) {
          const file = path.join(ROOT, c.name, rel);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, bytes);
        }
      }
      fs.writeFileSync(path.join(ROOT, 'README.md'), malformedReadme(cases));
      expect(listFiles(ROOT).length).toBeGreaterThan(cases.length);
    });
    return;
  }

  it('has exactly the generated files, byte for byte, and a README line per case', () => {
    const expected = cases.flatMap((c) => Object.keys(c.files).map((rel) => path.join(c.name, rel)));
    expect(listFiles(ROOT)).toEqual(['README.md', ...expected].sort());
    for (const c of cases) {
      for (const [rel, bytes] of Object.entries(c.files)) {
        const onDisk = new Uint8Array(fs.readFileSync(path.join(ROOT, c.name, rel)));
        expect(Buffer.compare(onDisk, bytes), `${c.name}/${rel}`).toBe(0);
      }
    }
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toBe(malformedReadme(cases));
  });

  it('never creates the folder that stands for a missing bundle', () => {
    expect(fs.existsSync(path.join(ROOT, 'does-not-exist'))).toBe(false);
  });
});
