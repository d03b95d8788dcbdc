// The ABI era table (parsers/kho/eras.ts) and the root compatible: every era decodes, the composite `base;sub;...`
// form of the upstream RFC is split into its parts (unknown parts are located diagnostics), unknown bases refuse.
import { describe, expect, it } from 'vitest';
import { KHO_ABI_ERAS, khoEra, splitCompatible } from '../../../parsers/kho/index.js';
import { buildKhoImage } from '../../builders/kho-image.js';
import { RAM, decodeBuilt, expectTraceError, pairs } from './helpers.js';

const BLOCKS = [
  { phys: 0x1_0000_0000, order: 0 },
  { phys: 0x1_0020_0000, order: 9 },
  { phys: 0x2_0000_0000, order: 12 },
];

describe('KHO ABI eras as data', () => {
  it('one row per root compatible, oldest first, each with a memory-map format and its root properties', () => {
    expect(KHO_ABI_ERAS.map((e) => e.name)).toEqual(['kho-v1', 'kho-v2', 'kho-v3', 'kho-v4']);
    expect(KHO_ABI_ERAS.map((e) => e.memoryMap)).toEqual(['chunk-list', 'radix', 'radix', 'radix']);
    expect(KHO_ABI_ERAS.map((e) => e.subtreePointerProp)).toEqual([
      'fdt',
      'preserved-data',
      'preserved-data',
      'preserved-data',
    ]);
    expect(KHO_ABI_ERAS.map((e) => e.blobSize)).toEqual([false, false, true, true]);
    expect(khoEra('kho-v4')!.blockChains).toBe(true);
    expect(khoEra('kho-v9')).toBeUndefined();
  });

  it.each(KHO_ABI_ERAS.map((e) => e.name))('%s: a built image decodes to its blocks', (abi) => {
    const img = buildKhoImage({ abi, ram: RAM, blocks: BLOCKS });
    const dec = decodeBuilt(img);
    expect(dec.abi).toBe(abi);
    expect(pairs(dec)).toEqual(BLOCKS.map((b) => [b.phys, b.order]));
  });
});

describe('composite root compatible (RFC "kho: granular compatibility")', () => {
  it('splits base;sub;...', () => {
    expect(splitCompatible('kho-v4;radix-v1;vmalloc-v1')).toEqual({
      base: 'kho-v4',
      subs: ['radix-v1', 'vmalloc-v1'],
    });
    expect(splitCompatible('kho-v4')).toEqual({ base: 'kho-v4', subs: [] });
  });

  it('known parts decode without a diagnostic and are named in the evidence', () => {
    const img = buildKhoImage({
      abi: 'kho-v4',
      compatible: 'kho-v4;radix-v1;vmalloc-v1',
      ram: RAM,
      blocks: BLOCKS,
    });
    const dec = decodeBuilt(img);
    expect(dec.abi).toBe('kho-v4');
    expect(pairs(dec)).toEqual(BLOCKS.map((b) => [b.phys, b.order]));
    expect(dec.diagnostics.filter((d) => d.code === 'KHO_COMPAT_UNKNOWN_PART')).toEqual([]);
    expect(dec.abiEvidence.join('; ')).toContain('parts radix-v1, vmalloc-v1');
  });

  it('an unknown part is a located warning, not a refusal', () => {
    const img = buildKhoImage({
      abi: 'kho-v4',
      compatible: 'kho-v4;radix-v2;vmalloc-v1',
      ram: RAM,
      blocks: BLOCKS,
    });
    const dec = decodeBuilt(img);
    expect(pairs(dec)).toEqual(BLOCKS.map((b) => [b.phys, b.order]));
    const d = dec.diagnostics.filter((x) => x.code === 'KHO_COMPAT_UNKNOWN_PART');
    expect(d).toHaveLength(1);
    expect(d[0]!.severity).toBe('warning');
    expect(d[0]!.message).toContain('"radix-v2"');
    expect(d[0]!.location).toMatchObject({ file: 'kho/fdt', field: '/:compatible' });
  });

  it('an unknown base is KHO_ERR_COMPATIBLE naming every known era', () => {
    const img = buildKhoImage({ abi: 'kho-v4', compatible: 'kho-v5;radix-v1', ram: RAM, blocks: BLOCKS });
    const e = expectTraceError(() => decodeBuilt(img), 'KHO_ERR_COMPATIBLE', /compatible/);
    expect(e.message).toContain('"kho-v4"');
    expect(e.message).toContain('kho-v5;radix-v1');
  });
});
