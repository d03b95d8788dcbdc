// Every real trace folder through loadBundle: each host file (the kernel log has its own tests) is read to
// the last line, and the only unknown lines left are the ones on IGNORED, each with its reason.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBundleFiles } from '../helpers/traces.js';
import { loadBundle } from '../../src/trace/index.js';

const IGNORED: readonly { file: string; lines: readonly number[]; reason: string }[] = [
  {
    file: 'traces/public/cxl-soft-reserved-iomem-snippets/iomem-snippets.txt',
    lines: [1, 6, 11, 17],
    reason: 'the `# [n]` case labels were added when the mail was transcribed (SOURCE.txt); not iomem',
  },
];

const folders: { dir: string; stage?: string }[] = [];
for (const group of ['qemu', 'public']) {
  for (const name of readdirSync(`traces/${group}`).sort()) {
    const dir = `traces/${group}/${name}`;
    if (!statSync(dir).isDirectory()) continue;
    const stages = readdirSync(dir).filter((d) => /^stage\d/.test(d));
    if (stages.length) for (const stage of stages) folders.push({ dir, stage });
    else folders.push({ dir });
  }
}

describe('every real trace folder', () => {
  it('has folders to check', () => {
    expect(folders.length).toBeGreaterThanOrEqual(25);
  });

  for (const { dir, stage } of folders) {
    it(`${dir}${stage ? ` (${stage})` : ''}: host files fully understood`, () => {
      const h = loadBundle(readBundleFiles(dir), { displayRoot: dir, ...(stage ? { stage } : {}) });
      const unknown = h.diagnostics
        .filter((d) => d.code.endsWith('_UNKNOWN_LINE') && !d.code.startsWith('DMESG_'))
        .map((d) => `${d.location?.file}:${d.location?.line}`);
      const allowed = IGNORED.flatMap((i) => i.lines.map((l) => `${i.file}:${l}`));
      expect(unknown.filter((u) => !allowed.includes(u))).toEqual([]);
      for (const f of h.files ?? []) {
        if (!f.used || f.kind === 'dmesg') continue;
        const ignored = IGNORED.find((i) => i.file === `${dir}/${f.path}`);
        expect({ file: f.path, unknown: f.unknownLines ?? 0 }).toEqual({
          file: f.path,
          unknown: ignored?.lines.length ?? 0,
        });
      }
      // no error-severity diagnostic from the loader or a host parser on a real capture
      expect(h.diagnostics.filter((d) => d.severity === 'error' && !d.code.startsWith('DMESG_'))).toEqual([]);
    });
  }
});

/** Lines of a file matching a pattern, with the numbers the kernel printed in them. */
function grep(path: string, re: RegExp): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = re.exec(line);
    if (m) out.push(m);
  }
  return out;
}
const hexNum = (h: string): number => parseInt(h, 16);

describe('qemu bundles: the host model says what the files say', () => {
  for (const { dir, stage } of folders.filter((f) => f.dir.startsWith('traces/qemu/'))) {
    const at = stage ? `${dir}/${stage}` : dir;
    it(`${at}`, () => {
      const h = loadBundle(readBundleFiles(dir), stage ? { stage } : {});
      const log = `${at}/dmesg.txt`;
      expect(h.arch).toBe('x86_64');
      // nothing below passes vacuously: each of these is in every qemu capture
      for (const n of [h.e820, h.nodeRanges, h.zoneRanges, h.deferredInit, h.memblockCalls, h.zoneinfo]) {
        expect(n.length).toBeGreaterThan(0);
      }
      expect(h.e820.map((e) => [e.start, e.end, e.type])).toEqual(
        grep(log, /BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (.+)$/).map((m) => [
          hexNum(m[1]!),
          hexNum(m[2]!) + 1,
          m[3],
        ]),
      );
      expect(h.nodeRanges.map((r) => [r.nid, r.start, r.end])).toEqual(
        grep(log, /^\[[ .\d]+\]\s+node\s+(\d+): \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]$/).map((m) => [
          Number(m[1]),
          hexNum(m[2]!),
          hexNum(m[3]!) + 1,
        ]),
      );
      expect(h.zoneRanges.map((z) => z.zone)).toEqual(
        grep(log, /^\[[ .\d]+\]\s{3}(DMA|DMA32|Normal|Device)\s+(\[mem|empty)/).map((m) => m[1]),
      );
      expect(h.deferredInit.map((d) => [d.nid, d.ms])).toEqual(
        grep(log, /node (\d+) deferred pages initialised in (\d+)ms/).map((m) => [
          Number(m[1]),
          Number(m[2]),
        ]),
      );
      expect(h.memblockCalls.length).toBe(
        grep(`${at}/memblock-debug-calls-from-dmesg.txt`, /memblock/).length,
      );
      expect(h.memblockDumps.length).toBe(
        grep(`${at}/memblock-dump-from-dmesg.txt`, /MEMBLOCK configuration:/).length,
      );
      const zi = grep(`${at}/zoneinfo.txt`, /^Node (\d+), zone +(\S+)$/).map((m) => `${m[1]}:${m[2]}`);
      expect(h.zoneinfo.map((z) => `${z.nid}:${z.zone}`)).toEqual(zi);
      // every cross-check that could run agrees on these captures
      expect((h.crossChecks ?? []).filter((c) => c.status === 'mismatch')).toEqual([]);
    });
  }
});
