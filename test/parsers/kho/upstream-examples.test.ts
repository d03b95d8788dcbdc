// The upstream documentation's KHO FDT examples (traces/public/kho-fdt-upstream-doc-examples, copied from
// Documentation/core-api/kho/fdt.rst), compiled by the real dtc: KHO values are native-endian u64, so the doc's
// `<0x40be16 0x1000000>` is the bytes 00 40 be 16 01 00 00 00, i.e. 0x116be4000 on a little-endian host.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from '../../../src/core/index.js';
import { parseFdt } from '../../../parsers/fdt/index.js';
import { decodeKhoRoot, decodeMemblockSubtree } from '../../../parsers/kho/index.js';
import { dtcCompile } from '../fdt/dtc-tools.js';

const DIR = 'traces/public/kho-fdt-upstream-doc-examples';

describe('upstream fdt.rst examples through dtc', () => {
  it('the kho-v1 root: memory map 0x116be4000, subtree memblock at 0x117150000', () => {
    const blob = dtcCompile(fs.readFileSync(`${DIR}/fdt-rst.kho-root.dts`, 'utf8'));
    const d = new DiagnosticSink();
    const root = decodeKhoRoot(parseFdt(blob, 'kho-root.dtb').root, 'kho-root.dtb', d);
    expect(root.abi).toBe('kho-v1');
    expect(root.memoryMapPhys).toBe(0x1_16be_4000);
    expect(root.subtrees.map((s) => [s.name, s.phys])).toEqual([['memblock', 0x1_1715_0000]]);
    expect(d.items).toEqual([]);
  });

  it('the memblock sub-FDT: two reserve_mem regions of 64 MiB', () => {
    const blob = dtcCompile(fs.readFileSync(`${DIR}/fdt-rst.memblock-subfdt.dts`, 'utf8'));
    const d = new DiagnosticSink();
    expect(decodeMemblockSubtree(parseFdt(blob, 'memblock.dtb').root, 'memblock.dtb', d)).toEqual([
      { name: 'n1', start: 0x4_6bc0_0000, sizeBytes: 0x400_0000 },
      { name: 'n2', start: 0x4_67c0_0000, sizeBytes: 0x400_0000 },
    ]);
    expect(d.items).toEqual([]);
  });
});
