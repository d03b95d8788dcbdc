// The real v7.3-rc7 captures (traces/real-kho-*): the decoder reads what a real kernel wrote, and the oracle is what
// the real second kernel did with it: one `__memblock_reserve ... kho_preserved_memory_reserve` memblock=debug line
// per preserved block in stage2-after-kexec/dmesg.txt, plus the capture scripts' independent decoder
// (kho/expected.json, shared/tools/kho-real-capture/khofmt.py).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KhoImage } from '../../../parsers/kho/index.js';
import { loadKhoImage } from '../../../src/cli/load-kho.js';
import { TRACES_ROOT } from '../../helpers/traces.js';

export const REAL_KHO = ['real-kho-a-8g-2node', 'real-kho-c-8g-2node-luo-memfd'] as const;

/** The blocks the second kernel reserved, from its memblock=debug lines, sorted by phys: [phys, order]. */
export function stage2Reserved(bundle: string): [number, number][] {
  const text = fs.readFileSync(path.join(TRACES_ROOT, bundle, 'stage2-after-kexec/dmesg.txt'), 'utf8');
  const out: [number, number][] = [];
  const re = /__memblock_reserve: \[0x([0-9a-f]+)-0x([0-9a-f]+)\] .*\bkho_preserved_memory_reserve\+/g;
  for (const m of text.matchAll(re)) {
    const start = parseInt(m[1]!, 16);
    const pages = (parseInt(m[2]!, 16) + 1 - start) / 4096;
    out.push([start, Math.log2(pages)]);
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** The parts of kho/expected.json (tools/kho-real-capture/expected.py) the tests read. */
export interface ExpectedKho {
  kho: {
    root_fdt: { compatible: string; phys: number; size: number; preserved_memory_map: number };
    scratch: { phys: number; len: number }[];
    subtrees: Record<string, { phys: number; size: number }>;
    radix: { table_pages: number; leaf_pages: number; blocks: number; pages: number };
    blocks_per_owner: Record<string, { blocks: number; pages: number; per_order: Record<string, number> }>;
    blocks: [number, number, string][];
  };
  [key: string]: unknown;
}

/** kho/expected.json (capture C has one; capture A predates expected.py and states its facts in SOURCE.txt). */
export function expectedJson(bundle: string): ExpectedKho | null {
  const f = path.join(TRACES_ROOT, bundle, 'kho/expected.json');
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as ExpectedKho) : null;
}

/** Capture A's SOURCE.txt, "What was preserved": the cut_core.py decoder's figures. */
const SOURCE_A = {
  rootFdtCompatible: 'kho-v4',
  preservedMemoryMap: 0x180186000,
  tables: 34,
  leaves: 12,
  blocks: 18,
  subtrees: { kho_test: [0x1002ec000, 240], 'kexec-metadata': [0x100f50000, 73] },
};

const loaded = new Map<string, KhoImage>();
export function realImage(bundle: string): KhoImage {
  let img = loaded.get(bundle);
  if (!img) loaded.set(bundle, (img = loadKhoImage(path.join(TRACES_ROOT, bundle)).image));
  return img;
}

function decodedPairs(img: KhoImage): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < img.preserved.count; i++) out.push([img.preserved.phys[i]!, img.preserved.order[i]!]);
  return out;
}

describe.each(REAL_KHO)('real v7.3-rc7 capture %s', (bundle) => {
  it('root: kho-v4, the memory map and subtrees the capture scripts read', () => {
    const img = realImage(bundle);
    const exp = expectedJson(bundle);
    expect(img.abi).toBe('kho-v4');
    if (!exp) {
      expect(img.memoryMapPhys).toBe(SOURCE_A.preservedMemoryMap);
      expect(Object.fromEntries(img.subtrees.map((s) => [s.name, [s.phys, s.sizeBytes]]))).toEqual(
        SOURCE_A.subtrees,
      );
      return;
    }
    expect(img.memoryMapPhys).toBe(exp.kho.root_fdt.preserved_memory_map);
    expect(Object.fromEntries(img.subtrees.map((s) => [s.name, [s.phys, s.sizeBytes]]))).toEqual(
      Object.fromEntries(Object.entries(exp.kho.subtrees).map(([n, s]) => [n, [s.phys, s.size]])),
    );
    expect(img.scratch.map((s) => [s.phys, s.sizeBytes])).toEqual(
      exp.kho.scratch.map((s) => [s.phys, s.len]),
    );
  });

  it('radix tree: table and leaf pages as walked by the independent decoder', () => {
    const img = realImage(bundle);
    const exp = expectedJson(bundle);
    expect(img.metadata.radixTables).toBe(exp ? exp.kho.radix.table_pages : SOURCE_A.tables);
    expect(img.metadata.radixLeaves).toBe(exp ? exp.kho.radix.leaf_pages : SOURCE_A.leaves);
  });

  it('decoded blocks are exactly what the second kernel reserved (kho_preserved_memory_reserve lines)', () => {
    const img = realImage(bundle);
    const reserved = stage2Reserved(bundle);
    expect(reserved.length).toBe(expectedJson(bundle)?.kho.radix.blocks ?? SOURCE_A.blocks);
    expect(reserved.length).toBeGreaterThan(0);
    expect(decodedPairs(img)).toEqual(reserved);
  });
});
