// The ignore list is reviewed, not a catch-all: every entry has a reason and is used by a real log (or, for
// shapes known from kernel source only, by test/fixtures/dmesg/ignored-shapes.txt), and no entry hides a line
// that a memory shape of patterns.ts reads.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IGNORED, IGNORED_TAGS, findIgnored, parseDmesg, splitPrefix } from '../../../parsers/dmesg/index.js';
import * as P from '../../../parsers/dmesg/patterns.js';

function realLogs(): string[] {
  const out: string[] = [];
  const walk = (dir: URL): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(new URL(`${e.name}/`, dir));
      else if (/dmesg|console|deferred-timings|memblock-debug/.test(e.name))
        out.push(new URL(e.name, dir).pathname);
    }
  };
  walk(new URL('../../../traces/', import.meta.url));
  return out;
}

function messages(): string[] {
  const lines: string[] = [];
  for (const f of realLogs()) lines.push(...readFileSync(f, 'utf8').split('\n'));
  const fixture = readFileSync(new URL('../../fixtures/dmesg/ignored-shapes.txt', import.meta.url), 'utf8');
  lines.push(...fixture.split('\n').filter((l) => !l.startsWith('#')));
  return lines.map((l) => l.slice(splitPrefix(l).msgStart));
}

describe('ignore list', () => {
  const msgs = messages();
  const hits = new Map<string, number>();
  for (const m of msgs) {
    const f = findIgnored(m);
    if (!f) continue;
    const key = 'tag' in f.entry ? `tag:${f.entry.tag}` : `shape:${f.entry.shape}`;
    hits.set(key, (hits.get(key) ?? 0) + 1);
  }

  it('every entry has a reason', () => {
    for (const [reason, tags] of IGNORED_TAGS) {
      expect(reason.length).toBeGreaterThan(10);
      expect(tags.length).toBeGreaterThan(0);
    }
    for (const s of IGNORED) expect(s.reason.length).toBeGreaterThan(10);
  });

  it('every tag is used by a real log', () => {
    const unused = IGNORED_TAGS.flatMap(([, tags]) => tags).filter((t) => !hits.has(`tag:${t}`));
    expect(unused).toEqual([]);
  });

  it('every shape is used by a real log or the fixture', () => {
    const unused = IGNORED.map((s, i) => [i, s.reason] as const).filter(([i]) => !hits.has(`shape:${i}`));
    expect(unused).toEqual([]);
  });

  it('no line that a memory shape reads is counted ignored', () => {
    const shapes = Object.values(P).filter((v): v is RegExp => v instanceof RegExp && v !== P.MEMORY_LEAD);
    // Lines on both sides are fine only if parseDmesg reads them as memory lines (shapes run first).
    const both = msgs.filter(
      (m) => findIgnored(m) && shapes.some((re) => re.test(m) || re.test(m.trimStart())),
    );
    const hidden = both.filter((m) => parseDmesg(m, 'x').ignoredLines > 0);
    expect(hidden).toEqual([]);
  });
});
