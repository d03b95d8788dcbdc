// The preserved-block collector is bounded by what the dump can hold before it sizes anything (issue 13): every
// block is one set bit of a bitmap in the dump, so at most 8 per byte the dump holds, and LIMITS.KHO_MAX_BLOCKS.
import { describe, expect, it } from 'vitest';
import type { PhysMemory } from '../../../src/core/index.js';
import { bytesSource, LIMITS, TraceError } from '../../../src/core/index.js';
import { parseFdt } from '../../../parsers/fdt/index.js';
import { openElfCore } from '../../../parsers/elf-core/index.js';
import { BlockCollector, decodeKhoImage, maxPreservedBlocks } from '../../../parsers/kho/index.js';
import { buildImageCore, buildKhoImage, buildRootFdt } from '../../builders/kho-image.js';

const img = buildKhoImage({
  abi: 'kho-v3',
  ram: [{ start: 0x100000000, end: 0x100800000 }],
  blocks: Array.from({ length: 64 }, (_, i) => ({ phys: 0x100000000 + i * 0x1000, order: 0 })),
});
const core = openElfCore(bytesSource('memory.core', buildImageCore(img)));

function decode(mem: PhysMemory) {
  return decodeKhoImage({ root: parseFdt(buildRootFdt(img), 'kho/fdt').root, rootFile: 'kho/fdt', mem });
}

describe('preserved blocks bounded by the dump', () => {
  it('the ELF reader says how many bytes it holds; the bound is 8 blocks per byte', () => {
    const held = core.segments.reduce((n, s) => n + s.fileSize, 0);
    expect(core.heldBytes).toBe(held);
    expect(maxPreservedBlocks(core)).toBe(held * 8);
    expect(maxPreservedBlocks(null)).toBe(LIMITS.KHO_MAX_BLOCKS);
    expect(decode(core).preserved.count).toBe(64);
  });

  it('a dump that says it holds 4 bytes cannot carry 64 blocks: KHO_ERR_BADCOUNT, located, before more are kept', () => {
    const small: PhysMemory = {
      name: core.name,
      hasPhys: (a, n) => core.hasPhys(a, n),
      readPhys: (a, n, w) => core.readPhys(a, n, w),
      heldBytes: 4,
    };
    let err: unknown;
    try {
      decode(small);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceError);
    expect((err as TraceError).code).toBe('KHO_ERR_BADCOUNT');
    expect((err as TraceError).message).toContain('memory.core (preserved blocks)');
    expect((err as TraceError).message).toContain(
      'at most 32 blocks (one set bit each in the 4 bytes the dump holds)',
    );
  });

  it('the collector never takes more than its bound', () => {
    const c = new BlockCollector(12, 3, () => new Error('too many'));
    for (let i = 0; i < 3; i++) c.addPfn(i, 0);
    expect(() => c.addPfn(3, 0)).toThrow('too many');
    expect(c.count).toBe(3);
    const none = new BlockCollector(12, 0, () => new Error('none'));
    expect(() => none.addPfn(0, 0)).toThrow('none');
  });
});
