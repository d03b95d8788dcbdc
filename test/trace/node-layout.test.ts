import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeRanges, totalLength } from '../../src/core/index.js';
import { assignNodes, nodeRunsFromBlocks, pagesIn } from '../../src/trace/node-layout.js';

const MiB = 2 ** 20;

describe('nodeRunsFromBlocks', () => {
  it('merges contiguous blocks of one node; a hole or a node change starts a run', () => {
    const runs = nodeRunsFromBlocks(
      [
        { physIndex: 2, nid: 0 },
        { physIndex: 0, nid: 0 },
        { physIndex: 1, nid: 0 },
        { physIndex: 3, nid: 1 },
        { physIndex: 5, nid: 1 },
      ],
      128 * MiB,
    );
    expect(runs).toEqual([
      { start: 0, end: 384 * MiB, nid: 0 },
      { start: 384 * MiB, end: 512 * MiB, nid: 1 },
      { start: 640 * MiB, end: 768 * MiB, nid: 1 },
    ]);
  });
});

describe('assignNodes', () => {
  it('splits RAM at node boundaries; RAM outside every run keeps nid null; flags are kept', () => {
    const runs = [
      { start: 0, end: 100, nid: 0 },
      { start: 200, end: 300, nid: 1 },
    ];
    expect(assignNodes([{ start: 50, end: 250, flags: 4 }], runs)).toEqual([
      { start: 50, end: 100, nid: 0, flags: 4 },
      { start: 100, end: 200, nid: null, flags: 4 },
      { start: 200, end: 250, nid: 1, flags: 4 },
    ]);
  });

  it('property: the pieces cover exactly the RAM, in order, each inside one run or outside all', () => {
    const rangesArb = fc
      .array(fc.tuple(fc.nat(10_000), fc.integer({ min: 1, max: 500 })), { maxLength: 20 })
      .map((xs) => normalizeRanges(xs.map(([s, l]) => ({ start: s, end: s + l }))));
    fc.assert(
      fc.property(rangesArb, rangesArb, (ram, runRanges) => {
        const runs = runRanges.map((r, i) => ({ ...r, nid: i % 3 }));
        const out = assignNodes(ram, runs);
        expect(totalLength(out)).toBe(totalLength(ram));
        for (let i = 1; i < out.length; i++) expect(out[i]!.start).toBeGreaterThanOrEqual(out[i - 1]!.end);
        for (const p of out) {
          const inRun = runs.find((r) => r.start <= p.start && p.end <= r.end);
          if (p.nid === null) expect(runs.some((r) => r.start < p.end && p.start < r.end)).toBe(false);
          else expect(inRun?.nid).toBe(p.nid);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('pagesIn', () => {
  it('counts whole pages only (PFN_UP start, PFN_DOWN end)', () => {
    expect(pagesIn({ start: 0x1000, end: 0x9fc00 }, 12)).toBe(158);
    expect(pagesIn({ start: 0x1800, end: 0x2000 }, 12)).toBe(0);
  });
});
