// crossCheck() is one loop over CROSS_CHECKS: each entry has a stable id and the diagnostic code its mismatch
// carries, which the sources spell out so that a code found in a report can be grepped to its check.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from '../../src/core/index.js';
import type { CheckInput } from '../../src/trace/cross-check.js';
import { CROSS_CHECKS, crossCheck } from '../../src/trace/cross-check.js';

const SOURCE = fs.readFileSync(new URL('../../src/trace/cross-check.ts', import.meta.url), 'utf8');

const EMPTY: CheckInput = {
  pageShift: 12,
  memory: [],
  nodeRanges: [],
  srat: [],
  e820: [],
  firmwareMemmap: [],
  e820Edits: [],
  iomem: undefined,
  zoneinfo: [],
  zoneRanges: [],
  movableZoneStart: {},
  nodes: [],
  buddyinfo: [],
  pagetypeinfo: null,
  zoneFree: [],
  blockRuns: null,
  blocks: [],
  config: {},
  deferredInitLines: null,
  cmdlineFile: null,
  cmdlineDmesg: null,
  sources: {},
};

describe('CROSS_CHECKS', () => {
  it('ids are unique and each code is XCHECK_ and the id in capitals, written out in the source', () => {
    const ids = CROSS_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CROSS_CHECKS) {
      expect(c.code).toBe(`XCHECK_${c.id.toUpperCase().replace(/-/g, '_')}`);
      expect(SOURCE).toContain(`code: '${c.code}'`);
      expect(c.compares.length).toBeGreaterThan(10);
    }
  });

  it('an empty bundle: the checks that need two sources say skipped, the others are not recorded', () => {
    const sink = new DiagnosticSink();
    const out = crossCheck(EMPTY, sink);
    expect(out.map((c) => [c.id, c.status])).toEqual([
      ['e820-iomem', 'skipped'],
      ['memory-iomem', 'skipped'],
      ['memory-e820', 'skipped'],
      ['memory-zoneinfo', 'skipped'],
      ['nodespan-zoneinfo', 'skipped'],
      ['zoneranges-zoneinfo', 'skipped'],
    ]);
    expect(sink.items).toEqual([]);
  });

  it('a node of 200,000 memory regions: the per-node span is found without spreading them into Math.min', () => {
    // One page each with a page-sized hole between: present 200,000 pages over a span of 399,999 pfns.
    const N = 200_000;
    const memory = Array.from({ length: N }, (_, i) => ({
      start: 2 * i * 4096,
      end: (2 * i + 1) * 4096,
      nid: 0,
      flags: 0,
    }));
    const zone = { nid: 0, zone: 'Normal' as const, startPfn: 0, spanned: 2 * N - 1, present: N, managed: N };
    const sink = new DiagnosticSink();
    const out = crossCheck({ ...EMPTY, memory, zoneinfo: [zone] }, sink);
    expect(out.find((c) => c.id === 'memory-zoneinfo')?.status).toBe('ok');
    expect(out.find((c) => c.id === 'nodespan-zoneinfo')?.status).toBe('ok');
    const wider = crossCheck(
      { ...EMPTY, memory, zoneinfo: [{ ...zone, spanned: 2 * N }] },
      new DiagnosticSink(),
    );
    expect(wider.find((c) => c.id === 'nodespan-zoneinfo')?.status).toBe('mismatch');
  });

  it("a mismatch is recorded and carries its check's code", () => {
    const sink = new DiagnosticSink();
    const out = crossCheck(
      {
        ...EMPTY,
        config: { CONFIG_DEFERRED_STRUCT_PAGE_INIT: 'n' },
        deferredInitLines: 2,
        cmdlineFile: 'a b',
        cmdlineDmesg: 'a  b',
      },
      sink,
    );
    expect(out.find((c) => c.id === 'config-deferred')?.status).toBe('mismatch');
    expect(out.find((c) => c.id === 'cmdline-dmesg')?.status).toBe('ok');
    expect(sink.items.map((d) => [d.code, d.severity])).toEqual([['XCHECK_CONFIG_DEFERRED', 'warning']]);
  });
});
