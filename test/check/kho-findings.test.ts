// Findings: every code the brief asks for exists with a severity, a kernel function and how to read it; the
// checks count pages and blocks on ranges; a node boundary inside a section is reported as info.
import { describe, expect, it } from 'vitest';
import { rangeList } from '../../src/core/index.js';
import { FINDING_CODES, FINDING_CODE_LIST } from '../../src/check/codes.js';
import { check, hasErrors } from '../../src/check/kho-findings.js';
import { replay } from '../../src/sim/replay.js';
import { scenarioOf } from '../sim/scenario-of.js';
import type { HostTrace } from '../../src/trace/host-trace.js';
import { hostFromQemuTrace } from '../sim/host-from-trace.js';
import { B16_CLEAN, imageOf } from '../sim/kho-fixtures.js';

const REQUIRED = [
  'STRUCT_PAGE_UNINIT_READ',
  'STRUCT_PAGE_DOUBLE_INIT',
  'STRUCT_PAGE_NEVER_INIT',
  'STRUCT_PAGE_WRONG_NODE',
  'STRUCT_PAGE_WRONG_ZONE',
  'KHO_ORDER_LOST',
  'KHO_BLOCK_CROSSES_NODE',
  'KHO_BLOCK_CROSSES_ZONE',
  'KHO_BLOCK_SIZE_OVERFLOW',
  'KHO_ORDER_ABOVE_MAX',
  'KHO_OVERLAPS_SCRATCH',
  'KHO_OUTSIDE_RAM',
  'KHO_OVERLAPS_RESERVED',
  'KHO_FREED_TO_BUDDY',
  'MEMBLOCK_USED_AFTER_DISCARD',
  'NODE_BOUNDARY_UNALIGNED',
];

describe('finding codes', () => {
  it('has every code of the brief, each with a severity, a kernel function and how to read it', () => {
    expect(FINDING_CODE_LIST).toEqual(expect.arrayContaining(REQUIRED));
    for (const c of FINDING_CODE_LIST) {
      const info = FINDING_CODES[c];
      expect(['error', 'warning', 'info']).toContain(info.severity);
      expect(info.kernelFunction).toMatch(/^[a-z_]+$/);
      expect(info.howToRead.length).toBeGreaterThan(40);
    }
    expect(FINDING_CODES.NODE_BOUNDARY_UNALIGNED.severity).toBe('info');
  });
});

describe('check', () => {
  const host = hostFromQemuTrace('b-16g-2node');
  it('every finding names its phase and kernel function, and its pages match its ranges', () => {
    const fs = check(
      replay(
        host,
        imageOf(B16_CLEAN),
        scenarioOf({ profile: 'kho-v3-deferred-fix', strategy: 'none', deferred: 'on' }),
      ),
    );
    expect(hasErrors(fs)).toBe(true);
    for (const f of fs) {
      expect(f.phase).not.toBe('');
      expect(f.kernelFunction).toMatch(/^[a-z_]+$/);
      const inRanges = rangeList(f.ranges).reduce((n, r) => n + r.end - r.start, 0);
      expect(f.pages).toBeLessThanOrEqual(inRanges);
      expect(f.blocks).toBeGreaterThan(0);
      for (let i = 1; i < rangeList(f.ranges).length; i++)
        expect(rangeList(f.ranges)[i]!.start).toBeGreaterThan(rangeList(f.ranges)[i - 1]!.end - 1);
    }
  });
  it('a block across the DMA/DMA32 boundary crosses a zone, not a node', () => {
    // 32 MiB at 0: DMA is [0x1, 0x1000), DMA32 starts at 0x1000 (16 MiB)
    const fs = check(replay(host, imageOf([{ pfn: 0, order: 13 }]), scenarioOf({ deferred: 'off' })));
    const codes = fs.map((f) => f.code);
    expect(codes).not.toContain('KHO_BLOCK_CROSSES_NODE');
    expect(codes).toContain('KHO_BLOCK_CROSSES_ZONE');
    // pfn 0 and the legacy hole 0x9f000-0xfffff are not RAM
    expect(rangeList(fs.find((f) => f.code === 'KHO_OUTSIDE_RAM')!.ranges)).toEqual([
      { start: 0, end: 1 },
      { start: 0x9f, end: 0x100 },
    ]);
  });
  it('reports a node boundary inside a section as info', () => {
    // b-16g-2node with the node boundary moved from 10 GiB to 10 GiB - 16 MiB (pfn 0x27f000, inside a section)
    const moved: HostTrace = {
      ...host,
      memory: host.memory.flatMap((r) =>
        r.nid === 0 && r.end === 0x280000000
          ? [{ ...r, end: 0x27f000000 }]
          : r.nid === 1
            ? [{ ...r, start: 0x27f000000 }]
            : [r],
      ),
    };
    const fs = check(replay(moved, imageOf([]), scenarioOf({ deferred: 'off' })));
    const f = fs.find((x) => x.code === 'NODE_BOUNDARY_UNALIGNED')!;
    expect(f.severity).toBe('info');
    expect(rangeList(f.ranges)).toEqual([{ start: 0x27f000, end: 0x27f001 }]);
    expect(fs.filter((x) => x.severity !== 'info')).toEqual([]);
  });
});
