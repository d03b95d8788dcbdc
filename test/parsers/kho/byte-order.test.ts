// KHO values are native-endian (spec kho-abi.md 2.3): a big-endian host writes big-endian chunk headers, bitmap
// longs, radix tables, vmalloc chunks and KHO property values. Images are built little endian by the builder and
// converted field by field to what a 64-bit big-endian kernel would have written; the ELF core is big endian too,
// so the decoder takes the byte order from the dump (ElfCore.endianness). Also: error offsets in a core whose
// segments overlap come from the segment that wins (ElfCore.fileOffsetOf), not from the first one by address.
import { describe, expect, it } from 'vitest';
import { DiagnosticSink, TraceError, bytesSource } from '../../../src/core/index.js';
import type { ElfCore } from '../../../parsers/elf-core/index.js';
import { openElfCore } from '../../../parsers/elf-core/index.js';
import { parseFdt } from '../../../parsers/fdt/index.js';
import type { KhoAbi, KhoBitmapFormat, KhoImage } from '../../../parsers/kho/index.js';
import { decodeKhoImage, decodeMemblockSubtree, decodeVmalloc } from '../../../parsers/kho/index.js';
import { bitmapByteOf, bitmapWord } from '../../../parsers/kho/phys-read.js';
import { buildElfCore } from '../../builders/elf-core.js';
import { buildFdt } from '../../builders/fdt.js';
import type { BuiltKhoImage } from '../../builders/kho-image.js';
import { buildKhoImage, strBytes, toFdtNode, toFdtSpec, u64leBytes } from '../../builders/kho-image.js';
import { buildPagesCore, swap, toBigEndian } from './big-endian.js';
import { pairs } from './helpers.js';

const RAM = [{ start: 0x1_0000_0000, end: 0x1_4000_0000 }];
const PAGE = 4096;
const BLOCKS = [
  { phys: 0x1_0000_0000, order: 0 },
  { phys: 0x1_0000_3000, order: 0 },
  { phys: 0x1_0020_0000, order: 9 },
  { phys: 0x1_0800_0000, order: 10 },
  { phys: 0x1_2345_6000, order: 1 },
];
function coreOf(pages: Map<number, Uint8Array>, endianness: 'le' | 'be'): ElfCore {
  return openElfCore(bytesSource('memory.core', buildPagesCore(pages, endianness)));
}

function decodeBe(img: BuiltKhoImage, endianness?: 'le' | 'be'): KhoImage {
  const be = toBigEndian(img);
  const rootBlob = buildFdt({ root: toFdtSpec(be.root) });
  return decodeKhoImage({
    root: parseFdt(rootBlob, 'kho/fdt').root,
    rootFile: 'kho/fdt',
    mem: coreOf(be.pages, 'be'),
    ...(endianness ? { endianness } : {}),
  });
}

function catchTrace(f: () => unknown): TraceError {
  try {
    f();
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
  throw new Error('expected a TraceError');
}

describe('big-endian images: the byte order comes from the ELF core (EI_DATA)', () => {
  const eras: [KhoAbi, KhoBitmapFormat | undefined][] = [
    ['kho-v1', '512'],
    ['kho-v1', 'page'],
    ['kho-v2', undefined],
    ['kho-v3', undefined],
  ];
  for (const [abi, bitmapFormat] of eras) {
    it(`${abi}${bitmapFormat ? ` ${bitmapFormat}` : ''}: the same blocks and evidence as the little-endian image`, () => {
      const img = buildKhoImage({ abi, ram: RAM, blocks: BLOCKS, ...(bitmapFormat ? { bitmapFormat } : {}) });
      const le = decodeKhoImage({
        root: parseFdt(buildFdt({ root: toFdtSpec(img.root) }), 'kho/fdt').root,
        rootFile: 'kho/fdt',
        mem: coreOf(img.pages, 'le'),
      });
      const be = decodeBe(img);
      expect(pairs(be)).toEqual(BLOCKS.map((b) => [b.phys, b.order]));
      expect(pairs(be)).toEqual(pairs(le));
      expect(be.memoryMapPhys).toBe(img.memoryMapPhys);
      expect(be.bitmapFormat).toBe(le.bitmapFormat);
      expect(be.bitmapEvidence).toEqual(le.bitmapEvidence);
      expect(be.metadata).toEqual(le.metadata);
    });
  }

  it('read as little endian, the big-endian image is rejected (the byte order is really used)', () => {
    for (const abi of ['kho-v1', 'kho-v3'] as const) {
      const img = buildKhoImage({ abi, ram: RAM, blocks: BLOCKS });
      // preserved-memory-map itself (0x1_xxxx_x000 stored big endian), read little endian, is beyond 2^53
      const e = catchTrace(() => decodeBe(img, 'le'));
      expect(e.code).toBe('KHO_ERR_BADPROP');
      expect(e.expected).toBe('a value below 2^53');
      expect(e.location).toMatchObject({ file: 'kho/fdt', field: '/:preserved-memory-map' });
    }
  });

  it('a vmalloc area: big-endian descriptor (u64 first, u32 total_pages, u16 flags, u16 order) and chunks', () => {
    const contents = new Uint8Array(3 * PAGE * 2).fill(0x5a);
    const img = buildKhoImage({ abi: 'kho-v3', ram: RAM, blocks: BLOCKS, vmalloc: [{ order: 1, contents }] });
    const v = img.vmalloc[0]!;
    const desc = v.desc.slice();
    swap(desc, 0, 8);
    swap(desc, 8, 4);
    swap(desc, 12, 2);
    swap(desc, 14, 2);
    const mem = coreOf(toBigEndian(img).pages, 'be');
    const area = decodeVmalloc(
      desc,
      { file: 'kho_test', offset: 0x40 },
      'test',
      mem,
      new DiagnosticSink(),
      12,
    );
    expect(area).toMatchObject({ first: v.first, totalPages: 6, order: 1, chunkPhys: v.chunkPhys });
    expect([...area.blockPhys]).toEqual(v.blockPhys);
  });

  it('memblock reserve_mem: start and size are native u64 properties', () => {
    const be64 = (x: number): Uint8Array => u64leBytes(x).reverse();
    const node = toFdtNode({
      props: [['compatible', strBytes('memblock-v1')]],
      children: [
        [
          'r1',
          {
            props: [
              ['compatible', strBytes('reserve-mem-v1')],
              ['start', be64(0x1_2000_0000)],
              ['size', be64(0x20_0000)],
            ],
            children: [],
          },
        ],
      ],
    });
    const d = new DiagnosticSink();
    expect(decodeMemblockSubtree(node, 'sub_fdts/memblock', d, 'be')).toEqual([
      { name: 'r1', start: 0x1_2000_0000, sizeBytes: 0x20_0000 },
    ]);
    expect(d.items).toEqual([]);
  });

  it('bitmap bits of a big-endian long: bit b is in byte (b / 8) ^ 7, low 32 bits at +4', () => {
    const b = new Uint8Array(16);
    b[7] = 0x01; // bit 0: the least significant byte of long 0 is its last
    b[3] = 0x08; // bit 35 = bit 3 of the high word of long 0
    b[8] = 0x80; // bit 127: the most significant bit of long 1
    const view = new DataView(b.buffer);
    expect(bitmapWord(view, 0, 'be')).toBe(1);
    expect(bitmapWord(view, 4, 'be')).toBe(1 << 3);
    expect(bitmapWord(view, 12, 'be') >>> 0).toBe(0x8000_0000);
    expect([0, 35, 127].map((bit) => bitmapByteOf(bit, 'be'))).toEqual([7, 3, 8]);
    expect([0, 35, 127].map((bit) => bitmapByteOf(bit, 'le'))).toEqual([0, 4, 15]);
  });
});

describe('error offsets in a core with overlapping segments', () => {
  it("a bad chunk header is located in the winning segment's bytes (first in program-header order)", () => {
    const img = buildKhoImage({ abi: 'kho-v1', ram: RAM, blocks: BLOCKS });
    const head = img.memoryMapPhys;
    const bad = img.pages.get(head)!.slice();
    new DataView(bad.buffer).setUint32(12, 9999, true); // chunk[0].hdr.num_elms
    // phdr[0]: the chunk page alone, corrupted. phdr[1]: every page, starting lower, so it comes first by address.
    const all = [...img.pages.keys()].sort((a, b) => a - b);
    const lo = all[0]!;
    const hi = all[all.length - 1]! + PAGE;
    const whole = new Uint8Array(hi - lo);
    for (const [a, b] of img.pages) whole.set(b, a - lo);
    const mem = openElfCore(
      bytesSource(
        'memory.core',
        buildElfCore({
          segments: [
            { paddr: head, data: bad },
            { paddr: lo, data: whole },
          ],
        }),
      ),
    );
    const winner = mem.segments.find((s) => s.index === 0)!;
    const other = mem.segments.find((s) => s.index === 1)!;
    expect(other.paddr).toBeLessThan(winner.paddr);
    const e = catchTrace(() => decodeKhoImage({ root: toFdtNode(img.root), rootFile: 'kho/fdt', mem: mem }));
    expect(e.code).toBe('KHO_ERR_BADCOUNT');
    expect(e.location.offset).toBe(winner.fileOffset + 12);
    expect(e.location.offset).not.toBe(other.fileOffset + (head - lo) + 12);
  });
});
