// kho-v1 chunk lists (spec 4.1): encoding checked by hand against the spec's worked example, the bitmap-size
// evidence of 4.1.4, and every located error.
import { describe, expect, it } from 'vitest';
import { hex } from '../../../src/core/index.js';
import { buildKhoImage, pagesMemory } from '../../builders/kho-image.js';
import { BlockCollector, DiagnosticSinkFor, decodeChunkList } from './chunk-helpers.js';
import { RAM, U64, decodeBuilt, expectTraceError, pairs } from './helpers.js';

describe('kho-v1 encoding: spec 4.1.4 worked example (pfn 0x123456, order 0)', () => {
  it('page-sized bitmaps: index 0x24, bit 0x3456, phys_start 0x1_2000_0000', () => {
    const img = buildKhoImage({
      abi: 'kho-v1',
      bitmapFormat: 'page',
      ram: RAM,
      blocks: [{ phys: 0x1_2345_6000, order: 0 }],
    });
    const chunk = new DataView(img.pages.get(img.memoryMapPhys)!.buffer);
    expect(U64(chunk, 0)).toBe(0); // next
    expect(chunk.getUint32(8, true)).toBe(0); // order
    expect(chunk.getUint32(12, true)).toBe(1); // num_elms
    expect(U64(chunk, 16)).toBe(0x1_2000_0000); // phys_start
    const bitmap = img.pages.get(U64(chunk, 24))!;
    expect(bitmap[0x3456 >> 3]).toBe(1 << (0x3456 & 7));
    const d = decodeBuilt(img);
    expect(pairs(d)).toEqual([[0x1_2345_6000, 0]]);
  });

  it('512-byte bitmaps: index 0x123, bit 0x456, phys_start 0x1_2300_0000', () => {
    const img = buildKhoImage({
      abi: 'kho-v1',
      bitmapFormat: '512',
      ram: RAM,
      blocks: [{ phys: 0x1_2345_6000, order: 0 }],
    });
    const chunk = new DataView(img.pages.get(img.memoryMapPhys)!.buffer);
    expect(U64(chunk, 16)).toBe(0x1_2300_0000);
    const ptr = U64(chunk, 24);
    expect(ptr % 4096).toBe(512); // slot 1 of a kmalloc-512 page
    const page = img.pages.get(ptr - 512)!;
    expect(page[512 + (0x456 >> 3)]).toBe(1 << (0x456 & 7));
    const d = decodeBuilt(img);
    expect(d.bitmapFormat).toBe('512');
    expect(pairs(d)).toEqual([[0x1_2345_6000, 0]]);
  });

  it('orders ascend across chunks and each order opens a chunk; 255 entries per chunk', () => {
    // 300 order-0 bitmaps (one block per 128 MiB) force two chunks for order 0, then one for order 3.
    const blocks = Array.from({ length: 300 }, (_, i) => ({
      phys: 0x1_0000_0000 + i * 0x800_0000,
      order: 0,
    }));
    blocks.push({ phys: 0x2_0000_0000, order: 3 });
    const img = buildKhoImage({
      abi: 'kho-v1',
      ram: [{ start: 0x10_0000_0000, end: 0x10_1000_0000 }],
      blocks,
    });
    const seen: [number, number][] = [];
    let c = img.memoryMapPhys;
    while (c) {
      const v = new DataView(img.pages.get(c)!.buffer);
      seen.push([v.getUint32(8, true), v.getUint32(12, true)]);
      c = U64(v, 0);
    }
    expect(seen).toEqual([
      [0, 255],
      [0, 45],
      [3, 1],
    ]);
    const d = decodeBuilt(img);
    expect(d.preserved.count).toBe(301);
    expect(d.metadata).toMatchObject({ chunks: 3, bitmaps: 301 });
  });
});

describe('kho-v1 bitmap size evidence (spec 4.1.4)', () => {
  it('an unaligned bitmap pointer proves 512-byte bitmaps', () => {
    const img = buildKhoImage({
      abi: 'kho-v1',
      bitmapFormat: '512',
      ram: RAM,
      blocks: [{ phys: 0x1_0000_0000, order: 0 }],
    });
    const d = decodeBuilt(img);
    expect(d.bitmapEvidence.kind).toBe('bitmap-pointer-unaligned');
    expect(d.bitmapEvidence.proof).toBe(true);
    expect(d.diagnostics.find((x) => x.code === 'KHO_BITMAP_FORMAT')?.message).toMatch(
      /512-byte bitmaps.*chunk\[0\]\.bitmaps\[0\]\.bitmap/,
    );
  });

  it('a phys_start aligned to 16 MiB but not 128 MiB proves 512-byte bitmaps even with page-aligned pointers', () => {
    const img = buildKhoImage({
      abi: 'kho-v1',
      bitmapFormat: '512',
      firstBitmapSlot: 0,
      ram: RAM,
      blocks: [{ phys: 0x1_0100_0000, order: 0 }],
    });
    const d = decodeBuilt(img);
    expect(d.bitmapEvidence).toMatchObject({ kind: 'phys-start-alignment', proof: true });
    expect(d.bitmapEvidence.detail).toMatch(/phys_start = 0x101000000/);
    expect(pairs(d)).toEqual([[0x1_0100_0000, 0]]);
  });

  it('nothing decides: page-sized is assumed with a warning, and forcing 512 decodes the 512 image', () => {
    // One 512-byte bitmap at the start of its page, phys_start 0x1_0000_0000 (a multiple of 128 MiB): ambiguous.
    const img = buildKhoImage({
      abi: 'kho-v1',
      bitmapFormat: '512',
      firstBitmapSlot: 0,
      ram: RAM,
      blocks: [{ phys: 0x1_0000_1000, order: 0 }],
    });
    const d = decodeBuilt(img);
    expect(d.bitmapFormat).toBe('page');
    expect(d.bitmapEvidence.kind).toBe('default-page');
    expect(d.diagnostics.map((x) => x.code)).toContain('KHO_BITMAP_FORMAT_AMBIGUOUS');
    // Read as page-sized, the one bit still means the same block: the formats agree on bits below 4096.
    expect(pairs(d)).toEqual([[0x1_0000_1000, 0]]);
    const forced = decodeBuilt(img, { bitmapFormat: '512' });
    expect(forced.bitmapEvidence.kind).toBe('forced');
    expect(pairs(forced)).toEqual([[0x1_0000_1000, 0]]);
  });

  it('bits set past byte 512 of a page-aligned bitmap support page-sized bitmaps', () => {
    const img = buildKhoImage({
      abi: 'kho-v1',
      bitmapFormat: 'page',
      ram: RAM,
      blocks: [{ phys: 0x1_0000_0000 + 5000 * 4096, order: 0 }],
    });
    const d = decodeBuilt(img);
    expect(d.bitmapEvidence).toMatchObject({ kind: 'bits-beyond-512-bytes', proof: false });
  });

  it("reading a 512-format image as page-sized would read the neighbouring objects' bytes: rejected as aliasing", () => {
    const blocks = [
      { phys: 0x1_0000_0000, order: 0 },
      { phys: 0x1_0100_0000, order: 0 },
    ];
    const img = buildKhoImage({ abi: 'kho-v1', bitmapFormat: '512', firstBitmapSlot: 0, ram: RAM, blocks });
    expect(pairs(decodeBuilt(img))).toEqual(blocks.map((b) => [b.phys, b.order]));
    // Page-sized, the two 512-byte objects of one page overlap: one bitmap would be read as part of the other.
    expect(() => decodeBuilt(img, { bitmapFormat: 'page' })).toThrow(/KHO_ERR_ALIAS/);
  });
});

describe('kho-v1 malformed chunk lists', () => {
  const base = () =>
    buildKhoImage({
      abi: 'kho-v1',
      ram: RAM,
      blocks: [
        { phys: 0x1_0000_0000, order: 0 },
        { phys: 0x1_0020_0000, order: 9 },
      ],
    });
  const run = (img: ReturnType<typeof base>) => () => decodeBuilt(img);

  it('a chunk whose next points back to the first chunk: KHO_ERR_CYCLE naming the pointer', () => {
    const img = base();
    let c = img.memoryMapPhys;
    let v = new DataView(img.pages.get(c)!.buffer);
    while (U64(v, 0)) {
      c = U64(v, 0);
      v = new DataView(img.pages.get(c)!.buffer);
    }
    v.setUint32(0, img.memoryMapPhys % 2 ** 32, true);
    v.setUint32(4, Math.floor(img.memoryMapPhys / 2 ** 32), true);
    // Located at the pointer that closes the loop (in the last chunk), not at the chunk it points to.
    const e = expectTraceError(run(img), 'KHO_ERR_CYCLE', /chunk\[1\]\.hdr\.next/);
    expect(e.location.field).toBe(`chunk[1].hdr.next @ phys ${hex(c)}`);
    expect(e.found).toBe(`chunk[0] again, at ${hex(img.memoryMapPhys)}`);
  });

  it('num_elms above 255: KHO_ERR_BADCOUNT', () => {
    const img = base();
    new DataView(img.pages.get(img.memoryMapPhys)!.buffer).setUint32(12, 256, true);
    expectTraceError(run(img), 'KHO_ERR_BADCOUNT', /chunk\[0\]\.hdr\.num_elms/);
  });

  it('an order no block can have: KHO_ERR_BADORDER', () => {
    const img = base();
    new DataView(img.pages.get(img.memoryMapPhys)!.buffer).setUint32(8, 41, true);
    expectTraceError(run(img), 'KHO_ERR_BADORDER', /chunk\[0\]\.hdr\.order/);
  });

  it('next pointing outside the dump: KHO_ERR_NOT_IN_DUMP naming the pointer', () => {
    const img = base();
    const v = new DataView(img.pages.get(img.memoryMapPhys)!.buffer);
    v.setUint32(0, 0x5000, true);
    v.setUint32(4, 0, true);
    // Located at the pointer (which is in the dump), the absent target in `expected`.
    const e = expectTraceError(run(img), 'KHO_ERR_NOT_IN_DUMP');
    expect(e.location.field).toBe(`chunk[0].hdr.next @ phys ${hex(img.memoryMapPhys)}`);
    expect(e.expected).toMatch(/^chunk\[1\] at 0x5000: 4096 bytes/);
  });

  it('a bitmap pointer outside the dump and a u64 above 2^53', () => {
    const img = base();
    const v = new DataView(img.pages.get(img.memoryMapPhys)!.buffer);
    v.setUint32(24, 0x7000, true);
    v.setUint32(28, 0, true);
    const e = expectTraceError(run(img), 'KHO_ERR_NOT_IN_DUMP', /chunk\[0\]\.bitmaps\[0\]\.bitmap/);
    expect(e.location.field).toBe(`chunk[0].bitmaps[0].bitmap @ phys ${hex(img.memoryMapPhys + 24)}`);
    v.setUint32(28, 0xffffffff, true);
    expectTraceError(run(img), 'KHO_ERR_RANGE', /chunk\[0\]\.bitmaps\[0\]\.bitmap/);
  });

  it('a phys_start that is not page-aligned: KHO_ERR_BADADDR', () => {
    const img = base();
    new DataView(img.pages.get(img.memoryMapPhys)!.buffer).setUint32(16, 0x123, true);
    expectTraceError(run(img), 'KHO_ERR_BADADDR', /phys_start/);
  });

  it('the number of decoded blocks is bounded (the collector refuses past its limit)', () => {
    const img = base();
    const mem = pagesMemory(img.pages, 4096);
    const sink = new DiagnosticSinkFor();
    const out = new BlockCollector(12, 1, () => new Error('too many'));
    // Only one block is allowed: the decoder stops with the collector's error instead of growing without bound.
    expect(() => decodeChunkList(mem, img.memoryMapPhys, out, sink, { pageShift: 12 })).toThrow('too many');
  });

  it('a zero memory map is empty with a warning (6.19 rejects it at kho_populate)', () => {
    const img = buildKhoImage({ abi: 'kho-v1', ram: RAM, blocks: [] });
    expect(img.memoryMapPhys).toBe(0);
    const d = decodeBuilt(img);
    expect(d.preserved.count).toBe(0);
    expect(d.bitmapFormat).toBeNull();
    expect(d.diagnostics.map((x) => x.code)).toContain('KHO_MEMORY_MAP_EMPTY');
  });
});
