// The whole image: root FDT eras and their evidence, subtrees (memblock, kho_test with its vmalloc area,
// kexec-metadata, LUO), vmalloc chunk lists. FDT blobs are hand-made node trees here (test doubles).
import { describe, expect, it } from 'vitest';
import { DiagnosticSink, TraceError, hex } from '../../../src/core/index.js';
import type { FdtNode } from '../../../parsers/fdt/index.js';
import type { KhoFdtReader } from '../../../parsers/kho/index.js';
import {
  decodeKexecMetadata,
  decodeKhoRoot,
  decodeLuoSubtree,
  decodeMemblockSubtree,
  decodeVmalloc,
} from '../../../parsers/kho/index.js';
import type { KhoNodeDesc } from '../../builders/kho-image.js';
import {
  buildKhoImage,
  pagesMemory,
  strBytes,
  toFdtNode,
  u32leBytes,
  u64leBytes,
} from '../../builders/kho-image.js';
import { decodeBuilt, pairs } from './helpers.js';

const RAM = [{ start: 0x1_0000_0000, end: 0x4_8000_0000 }];

function catchTrace(f: () => unknown): TraceError {
  try {
    f();
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
  throw new Error('expected a TraceError');
}

/** A fake FDT reader: blobs are 64-byte stand-ins carrying the FDT magic and an id; the tree comes from a table. */
function fakeFdts(): { blob(node: KhoNodeDesc): Uint8Array; read: KhoFdtReader } {
  const table = new Map<number, FdtNode>();
  return {
    blob(node) {
      const id = table.size + 1;
      table.set(id, toFdtNode(node));
      const b = new Uint8Array(64);
      const v = new DataView(b.buffer);
      v.setUint32(0, 0xd00dfeed, false);
      v.setUint32(4, 64, false);
      v.setUint32(40, id, false);
      return b;
    },
    read(bytes) {
      const root = table.get(new DataView(bytes.buffer, bytes.byteOffset).getUint32(40, false));
      if (!root)
        throw new TraceError({
          code: 'FDT_ERR_BADMAGIC',
          location: { file: 'x', offset: 0 },
          expected: 'a known blob',
          found: 'other',
        });
      return { root, header: { totalsize: 64 } };
    },
  };
}

describe('root FDT: era and evidence (spec 3.1, 3.3)', () => {
  const root = (compat: Uint8Array, children: [string, KhoNodeDesc][] = [], map = u64leBytes(0x1000)) =>
    toFdtNode({
      props: [
        ['compatible', compat],
        ['preserved-memory-map', map],
      ],
      children,
    });

  it('each era is decided by compatible and its subtree property is read', () => {
    const d = new DiagnosticSink();
    const v1 = decodeKhoRoot(
      root(strBytes('kho-v1'), [['memblock', { props: [['fdt', u64leBytes(0x2000)]], children: [] }]]),
      'fdt',
      d,
    );
    expect(v1).toMatchObject({
      abi: 'kho-v1',
      memoryMapPhys: 0x1000,
      subtrees: [{ name: 'memblock', phys: 0x2000, blobSize: null }],
    });
    expect(v1.abiEvidence[0]).toBe('root compatible = "kho-v1"');
    const v3 = decodeKhoRoot(
      root(strBytes('kho-v3'), [
        [
          'kexec-metadata',
          {
            props: [
              ['preserved-data', u64leBytes(0x3000)],
              ['blob-size', u64leBytes(73)],
            ],
            children: [],
          },
        ],
      ]),
      'fdt',
      d,
    );
    expect(v3.subtrees).toEqual([
      {
        name: 'kexec-metadata',
        phys: 0x3000,
        blobSize: 73,
        nodeOffset: expect.any(Number),
        propOffset: expect.any(Number),
      },
    ]);
    expect(v3.abiEvidence.join('; ')).toMatch(/1 with "blob-size"/);
    expect(d.items).toEqual([]);
  });

  it('mixed-era subtrees are diagnostics; an unknown compatible and a 4-byte map are located errors', () => {
    const d = new DiagnosticSink();
    decodeKhoRoot(
      root(strBytes('kho-v1'), [['x', { props: [['preserved-data', u64leBytes(1)]], children: [] }]]),
      'fdt',
      d,
    );
    expect(d.items.map((x) => x.code)).toEqual(['KHO_SUBTREE_NO_POINTER', 'KHO_ABI_MISMATCH']);
    const e = catchTrace(() => decodeKhoRoot(root(strBytes('kho-v5')), 'kho/fdt', d));
    expect(e.code).toBe('KHO_ERR_COMPATIBLE');
    expect(e.found).toBe('"kho-v5"');
    const e2 = catchTrace(() =>
      decodeKhoRoot(root(strBytes('kho-v1'), [], u32leBytes(0x1000)), 'kho/fdt', d),
    );
    expect(e2.code).toBe('KHO_ERR_BADPROP');
    expect(e2.message).toMatch(
      /^kho\/fdt: offset 0x[0-9a-f]+ \(\/:preserved-memory-map\): KHO_ERR_BADPROP: expected 8 bytes/,
    );
  });
});

describe('subtrees', () => {
  it('memblock: reserve-mem-v1 children with native u64 start and size', () => {
    const node = toFdtNode({
      props: [['compatible', strBytes('memblock-v1')]],
      children: [
        [
          'n1',
          {
            props: [
              ['compatible', strBytes('reserve-mem-v1')],
              ['start', u64leBytes(0xc06b_0400_0000)],
              ['size', u64leBytes(0x4_0000_0000)],
            ],
            children: [],
          },
        ],
        ['odd', { props: [['compatible', strBytes('other')]], children: [] }],
      ],
    });
    const d = new DiagnosticSink();
    expect(decodeMemblockSubtree(node, 'sub_fdts/memblock', d)).toEqual([
      { name: 'n1', start: 0xc06b_0400_0000, sizeBytes: 0x4_0000_0000 },
    ]);
    expect(d.items.map((x) => x.code)).toEqual(['KHO_MEMBLOCK_UNKNOWN_NODE']);
  });

  it('kexec-metadata: version 1, previous_release[65], kexec_count', () => {
    const b = new Uint8Array(73);
    const v = new DataView(b.buffer);
    v.setUint32(0, 1, true);
    b.set(new TextEncoder().encode('6.19.0-rc1'), 4);
    v.setUint32(69, 3, true);
    expect(decodeKexecMetadata(b, 'm')).toEqual({ version: 1, previousRelease: '6.19.0-rc1', kexecCount: 3 });
    v.setUint32(0, 2, true);
    expect(catchTrace(() => decodeKexecMetadata(b, 'm')).code).toBe('KHO_ERR_VERSION');
    expect(catchTrace(() => decodeKexecMetadata(b.subarray(0, 3), 'm')).code).toBe('KHO_ERR_TRUNCATED');
  });

  it('LUO: liveupdate-number and session names read through luo-session-header', () => {
    const page = new Uint8Array(4096);
    page.set(u64leBytes(2), 0);
    page.set(new TextEncoder().encode('vm-1'), 8);
    page.set(new TextEncoder().encode('vm-2'), 8 + 80);
    const mem = pagesMemory(new Map([[0x5000, page]]), 4096);
    const node = toFdtNode({
      props: [
        ['compatible', strBytes('luo-v1')],
        ['liveupdate-number', u64leBytes(4)],
      ],
      children: [
        [
          'luo-session',
          {
            props: [
              ['compatible', strBytes('luo-session-v2')],
              ['luo-session-header', u64leBytes(0x5000)],
            ],
            children: [],
          },
        ],
      ],
    });
    expect(decodeLuoSubtree(node, 'LUO', mem, new DiagnosticSink())).toEqual({
      compatible: 'luo-v1',
      liveupdateNumber: 4,
      sessions: [{ compatible: 'luo-session-v2', headerPhys: 0x5000, names: ['vm-1', 'vm-2'] }],
    });
  });
});

describe('vmalloc areas (spec 4.3)', () => {
  const contents = new Uint8Array(3 * 4096 + 100).map((_, i) => i & 0xff);

  it('chunk pages and blocks are decoded and both are preserved in the map', () => {
    const img = buildKhoImage({ abi: 'kho-v3', ram: RAM, blocks: [], vmalloc: [{ order: 1, contents }] });
    const v = img.vmalloc[0]!;
    const area = decodeVmalloc(
      v.desc,
      { file: 'f', offset: 0, field: 'folios_info' },
      'test',
      pagesMemory(img.pages, 4096),
      new DiagnosticSink(),
      12,
    );
    expect(area).toMatchObject({ first: v.first, totalPages: 4, flags: 1, order: 1, chunkPhys: v.chunkPhys });
    expect([...area.blockPhys]).toEqual(v.blockPhys);
    const d = decodeBuilt(img);
    expect(pairs(d)).toEqual(
      [...v.blockPhys.map((p) => [p, 1]), ...v.chunkPhys.map((p) => [p, 0])].sort((a, b) => a[0]! - b[0]!),
    );
  });

  it('a chunk linked to itself is KHO_ERR_CYCLE; a wrong total_pages is a diagnostic', () => {
    const img = buildKhoImage({ abi: 'kho-v3', ram: RAM, blocks: [], vmalloc: [{ order: 0, contents }] });
    const v = img.vmalloc[0]!;
    const mem = pagesMemory(img.pages, 4096);
    const desc = v.desc.slice();
    new DataView(desc.buffer).setUint32(8, 5, true);
    const d = new DiagnosticSink();
    decodeVmalloc(desc, { file: 'f', offset: 0 }, 'test', mem, d, 12);
    expect(d.items.map((x) => x.code)).toEqual(['KHO_VMALLOC_COUNT']);
    img.pages.get(v.first)!.set(u64leBytes(v.first), 0);
    const e = catchTrace(() => decodeVmalloc(v.desc, { file: 'f', offset: 0 }, 'test', mem, d, 12));
    expect(e.code).toBe('KHO_ERR_CYCLE');
    // located at the pointer that closes the loop: chunk[0]'s own next
    expect(e.location.field).toBe(`test chunk[0].next @ phys ${hex(v.first)}`);
  });

  it('a first pointer outside the dump is located at the descriptor, in its file', () => {
    const img = buildKhoImage({ abi: 'kho-v3', ram: RAM, blocks: [], vmalloc: [{ order: 0, contents }] });
    const desc = img.vmalloc[0]!.desc.slice();
    desc.set(u64leBytes(0x7000), 0);
    const at = { file: 'sub_fdts/kho_test', offset: 0x84, field: '/data:folios_info' };
    const e = catchTrace(() =>
      decodeVmalloc(desc, at, 'test', pagesMemory(img.pages, 4096), new DiagnosticSink(), 12),
    );
    expect(e.code).toBe('KHO_ERR_NOT_IN_DUMP');
    expect(e.location).toEqual({ file: 'sub_fdts/kho_test', offset: 0x84, field: '/data:folios_info.first' });
    expect(e.expected).toMatch(/^test chunk\[0\] at 0x7000 of memory.core: 4096 bytes/);
  });
});

describe('decodeKhoImage with subtree blobs', () => {
  it('kho_test: folios_info lists the folios as phys | order, read through the vmalloc area', () => {
    const folios = [
      { phys: 0x2_0000_0000, order: 3 },
      { phys: 0x2_0040_0000, order: 10 },
      { phys: 0x2_0001_0000, order: 0 },
    ];
    const info = new Uint8Array(folios.length * 8);
    folios.forEach((f, i) => info.set(u64leBytes(f.phys + f.order), i * 8));
    const fdts = fakeFdts();
    const testFdt = fdts.blob({
      props: [
        ['compatible', strBytes('kho-test-v1')],
        ['magic', u32leBytes(0x4b484f21)],
      ],
      children: [
        [
          'data',
          {
            props: [
              ['nr_folios', u32leBytes(3)],
              ['folios_info', new Uint8Array(16)],
              ['csum', u32leBytes(0xabcd)],
            ],
            children: [],
          },
        ],
      ],
    });
    const img = buildKhoImage({
      abi: 'kho-v1',
      ram: RAM,
      blocks: folios,
      vmalloc: [{ order: 0, contents: info }],
    });
    // The stand-in tree's folios_info property must hold the real descriptor built above.
    const tree = fdts.read(testFdt, 'x').root;
    tree.children[0]!.props[1]!.value.set(img.vmalloc[0]!.desc);
    const root = toFdtNode({
      ...img.root,
      children: [['kho_test', { props: [['fdt', u64leBytes(0x3_0000_0000)]], children: [] }]],
    });
    const d = decodeBuilt(img, {
      root,
      subBlobs: new Map([['kho_test', { file: 'kho/sub_fdts/kho_test', bytes: testFdt }]]),
      readFdt: fdts.read,
    });
    expect(d.subtrees).toEqual([
      { name: 'kho_test', phys: 0x3_0000_0000, sizeBytes: 64, compatible: 'kho-test-v1', blobSource: 'file' },
    ]);
    expect(d.khoTest).toMatchObject({ magic: 0x4b484f21, nrFolios: 3, csum: 0xabcd });
    expect([...d.khoTest!.folios!.phys]).toEqual(folios.map((f) => f.phys));
    expect([...d.khoTest!.folios!.order]).toEqual(folios.map((f) => f.order));
    expect(d.vmalloc.length).toBe(1);
  });

  it('a subtree pointer outside the dump: a warning located at its property in the root FDT', () => {
    const img = buildKhoImage({
      abi: 'kho-v2',
      ram: RAM,
      blocks: [{ phys: 0x2_0000_0000, order: 2 }],
      subtrees: [{ name: 'memblock', phys: 0x3_0000_0000 }],
    });
    const root = toFdtNode(img.root);
    const prop = root.children[0]!.props.find((p) => p.name === 'preserved-data')!;
    const d = decodeBuilt(img, { root });
    expect(pairs(d)).toEqual([[0x2_0000_0000, 2]]);
    const w = d.diagnostics.find((x) => x.code === 'KHO_SUBTREE_NOT_IN_DUMP');
    expect(w?.location).toEqual({ file: 'kho/fdt', offset: prop.offset, field: '/memblock:preserved-data' });
    expect(w?.message).toMatch(/subtree memblock fdt_header at 0x300000000/);
  });

  it('a bad subtree is an error diagnostic and the memory map is still decoded', () => {
    const fdts = fakeFdts();
    const bad = fdts.blob({
      props: [['compatible', strBytes('memblock-v1')]],
      children: [
        [
          'r',
          {
            props: [
              ['compatible', strBytes('reserve-mem-v1')],
              ['start', u32leBytes(1)],
            ],
            children: [],
          },
        ],
      ],
    });
    const img = buildKhoImage({
      abi: 'kho-v2',
      ram: RAM,
      blocks: [{ phys: 0x2_0000_0000, order: 2 }],
      subtrees: [{ name: 'memblock', phys: 0x3_0000_0000 }],
    });
    const d = decodeBuilt(img, {
      subBlobs: new Map([['memblock', { file: 'sub_fdts/memblock', bytes: bad }]]),
      readFdt: fdts.read,
    });
    expect(pairs(d)).toEqual([[0x2_0000_0000, 2]]);
    expect(d.diagnostics.find((x) => x.code === 'KHO_SUBTREE_INVALID')?.message).toMatch(/\/r:start/);
  });

  it('without a memory dump the root is still described, with a warning', () => {
    const img = buildKhoImage({
      abi: 'kho-v3',
      ram: RAM,
      blocks: [{ phys: 0x2_0000_0000, order: 0 }],
      subtrees: [{ name: 'LUO', phys: 0x3_0000_0000, blobSize: 4096 }],
    });
    const d = decodeBuilt(img, { mem: null });
    expect(d.preserved.count).toBe(0);
    expect(d.subtrees).toEqual([
      { name: 'LUO', phys: 0x3_0000_0000, sizeBytes: 4096, compatible: null, blobSource: null },
    ]);
    expect(d.diagnostics.map((x) => x.code)).toContain('KHO_NO_MEMORY_DUMP');
  });
});
