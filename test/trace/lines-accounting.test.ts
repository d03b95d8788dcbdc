// Nothing lost (issue 13): for every text file the tool reads in every bundle of traces/, the lines read equal the
// lines parsed plus the lines ignored with a reason plus the unknown lines, and each unknown line is a counted,
// located diagnostic. "Lines read" is counted here from the file's bytes as the CLI reads them (gunzipped), not
// taken from the parser, so a parser that skips lines without counting them fails.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleDisplayRoot, readBundleDir } from '../../src/cli/read-bundle.js';
import { loadBundle } from '../../src/trace/index.js';

const NOTES = /^(README|SOURCE|INDEX)(\.|$)|\.md$/i;

/** Every bundle under traces/ (a folder holding a file other than notes, or kho/fdt), malformed/ excluded. */
function bundles(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const isBundle =
    entries.some((e) => e.isFile() && !NOTES.test(e.name)) || fs.existsSync(path.join(dir, 'kho/fdt'));
  if (dir !== 'traces' && isBundle) out.push(dir);
  for (const e of entries)
    if (e.isDirectory() && e.name !== 'kho' && e.name !== 'malformed')
      out.push(...bundles(path.join(dir, e.name)));
  return out;
}

/** Lines in a text as every parser splits it: on LF, the empty piece after a final newline not counted. */
function linesIn(bytes: Uint8Array): number {
  const text = new TextDecoder().decode(bytes);
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Codes of the diagnostic each unknown (or malformed) line carries. */
const UNKNOWN_LINE = /_UNKNOWN_LINE$|^DMESG_BAD_VALUE$|^DMESG_LONG_LINE$/;

const ALL = bundles('traces');

describe('lines read = parsed + ignored with a reason + unknown, for every text file of traces/', () => {
  it('finds the bundles', () => {
    expect(ALL.length).toBeGreaterThan(60);
  });

  let checked = 0;
  for (const b of ALL) {
    it(b, () => {
      const { files, headOnly } = readBundleDir(b);
      const root = bundleDisplayRoot(b);
      const host = loadBundle(files, { displayRoot: root, headOnly });
      const reports = host.files ?? [];
      // every file of the bundle is accounted for: read, or not read with a reason
      expect(reports.map((f) => f.path).sort()).toEqual(Object.keys(files).sort());
      for (const f of reports) {
        if (!f.used) {
          if (f.kind !== 'unknown' && f.kind !== 'other') expect(f.note, `${b}/${f.path}`).toBeTruthy();
          continue;
        }
        if (f.kind === 'kho' || f.kind === 'binary') continue;
        const where = `${b}/${f.path} (${f.kind})`;
        expect(f.totalLines, where).toBeDefined();
        const read = linesIn(files[f.path]!);
        const ignored = f.ignoredLines ?? 0;
        const reasons = Object.entries(f.ignoredReasons ?? {});
        expect(f.totalLines, where).toBe(read);
        expect(f.parsedLines! - ignored + ignored + f.unknownLines!, where).toBe(read);
        expect(ignored, where).toBeLessThanOrEqual(f.parsedLines!);
        expect(
          reasons.reduce((s, [, n]) => s + n, 0),
          where,
        ).toBe(ignored);
        for (const [why] of reasons) expect(why, where).toMatch(/\w{3}/);
        // each unknown line is a located diagnostic (kept or counted past the sink's cap); a dmesg line holding
        // records glued together carries one per record
        const file = path.join(root, f.path);
        const unknownDiags = host.diagnostics
          .filter(
            (d) => d.location?.file === file && d.location.line !== undefined && UNKNOWN_LINE.test(d.code),
          )
          .reduce((s, d) => s + (d.count ?? 1), 0);
        if (f.kind === 'dmesg') expect(unknownDiags, where).toBeGreaterThanOrEqual(f.unknownLines!);
        else expect(unknownDiags, where).toBe(f.unknownLines);
        checked++;
      }
    });
  }

  it('checked the text files of every bundle', () => {
    expect(checked).toBeGreaterThan(400);
  });
});
