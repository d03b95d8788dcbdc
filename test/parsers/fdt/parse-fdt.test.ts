// parseFdt on builder blobs: the tree, the header, the reservation block, and one case per rejection rule.
import { describe, expect, it } from 'vitest';
import { DiagnosticSink, LIMITS, TraceError } from '../../../src/core/index.js';
import { FDT_TOKEN, parseFdt, type Fdt } from '../../../parsers/fdt/index.js';
import {
  FDT_HEADER_OFFSET,
  buildFdt,
  concat,
  empty,
  raw,
  readU32,
  str,
  u32,
  u64be,
  u64le,
  withHeaderField,
  withU32,
  type FdtNodeSpec,
  type FdtSpec,
} from '../../builders/fdt.js';
import { plainFromFdt, plainFromSpec } from './dtc-tools.js';

const khoRoot: FdtSpec = {
  root: {
    props: { compatible: str('kho-v1'), 'preserved-memory-map': u64le(0x116be4000) },
    children: {
      memblock: { props: { fdt: u64le(0x1000) } },
      'reserve-mem@1000': {
        props: { reg: u64be(0x1000, 0x2000), flags: u32(1, 2, 3), e: empty(), b: raw(1, 2, 3) },
      },
    },
  },
  reservations: [
    { address: 0x1000, size: 0x2000 },
    { address: 0x10_0000_0000, size: 0x4000_0000 },
  ],
};

/** The TraceError that `fn` throws (fails the test if it returns or throws anything else). */
function traceErrorOf(fn: () => unknown): TraceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
  throw new Error('expected a TraceError, got a result');
}

function parse(blob: Uint8Array, diag?: DiagnosticSink): Fdt {
  return parseFdt(blob, 'kho/fdt', diag);
}

/** File offset of the first token `token` in the structure block (blob built without nops). */
function tokenOffset(blob: Uint8Array, token: number, nth = 0): number {
  const start = readU32(blob, FDT_HEADER_OFFSET.off_dt_struct);
  const end = start + readU32(blob, FDT_HEADER_OFFSET.size_dt_struct);
  let seen = 0;
  for (let at = start; at < end; at += 4) {
    if (readU32(blob, at) === token && seen++ === nth) return at;
  }
  throw new Error(`token ${token} #${nth} not found`);
}

describe('parseFdt: valid blobs', () => {
  it('reads the tree, header and reservations the builder wrote (v17)', () => {
    const blob = buildFdt(khoRoot);
    const fdt = parse(blob);
    expect(plainFromFdt(fdt.root)).toEqual(plainFromSpec('', khoRoot.root));
    expect(fdt.reservations).toEqual([
      { address: 0x1000, size: 0x2000 },
      { address: 0x10_0000_0000, size: 0x4000_0000 },
    ]);
    expect(fdt.header).toMatchObject({
      magic: 0xd00dfeed,
      totalsize: blob.length,
      off_mem_rsvmap: 0x28,
      off_dt_struct: 0x28 + 3 * 16,
      version: 17,
      last_comp_version: 16,
    });
    expect(fdt.header.off_dt_strings).toBe(fdt.header.off_dt_struct + fdt.header.size_dt_struct);
  });

  it('gives paths, node offsets at FDT_BEGIN_NODE and prop offsets at the value', () => {
    const blob = buildFdt(khoRoot);
    const fdt = parse(blob);
    const mem = fdt.root.children[1]!;
    expect(fdt.root.path).toBe('/');
    expect(fdt.root.name).toBe('');
    expect(mem.path).toBe('/reserve-mem@1000');
    expect(readU32(blob, mem.offset)).toBe(FDT_TOKEN.FDT_BEGIN_NODE);
    const reg = mem.props[0]!;
    expect(Array.from(blob.subarray(reg.offset, reg.offset + 16))).toEqual(Array.from(u64be(0x1000, 0x2000)));
    expect(reg.nodePath).toBe('/reserve-mem@1000');
    expect(reg.file).toBe('kho/fdt');
  });

  it('reads a v16 blob (no size_dt_struct) to the same tree', () => {
    const v16 = parse(buildFdt({ ...khoRoot, version: 16 }));
    expect(v16.header.version).toBe(16);
    expect(v16.header.size_dt_struct).toBe(0);
    expect(plainFromFdt(v16.root)).toEqual(plainFromSpec('', khoRoot.root));
  });

  it('skips FDT_NOP anywhere after the root token, and padding after the strings', () => {
    const fdt = parse(buildFdt({ ...khoRoot, nops: true, padding: 64 }));
    expect(plainFromFdt(fdt.root)).toEqual(plainFromSpec('', khoRoot.root));
  });

  it('reads an empty root with no reservations', () => {
    const fdt = parse(buildFdt({ root: {} }));
    expect(fdt.root).toMatchObject({ name: '', path: '/', props: [], children: [] });
    expect(fdt.reservations).toEqual([]);
  });

  it('accepts nesting up to LIMITS.FDT_MAX_DEPTH', () => {
    let spec: FdtNodeSpec = { props: { leaf: u32(1) } };
    for (let d = 1; d < LIMITS.FDT_MAX_DEPTH; d++) spec = { children: { n: spec } };
    let node = parse(buildFdt({ root: spec })).root;
    let depth = 1;
    while (node.children[0]) {
      node = node.children[0];
      depth++;
    }
    expect(depth).toBe(LIMITS.FDT_MAX_DEPTH);
    expect(node.path).toBe('/n'.repeat(LIMITS.FDT_MAX_DEPTH - 1));
  });

  it('reports readable oddities as diagnostics, not errors', () => {
    const diag = new DiagnosticSink();
    const blob = concat(
      buildFdt({
        version: 18,
        lastCompVersion: 16,
        root: {
          children: [
            [
              'a',
              {
                props: [
                  ['p', u32(1)],
                  ['p', u32(2)],
                ],
                children: { x: {} },
              },
            ],
            ['a', {}],
          ],
        },
      }),
      raw(0, 0, 0),
    );
    parse(blob, diag);
    expect(diag.items.map((d) => d.code).sort()).toEqual([
      'FDT_DUPLICATE_NODE',
      'FDT_DUPLICATE_PROP',
      'FDT_TRAILING_BYTES',
      'FDT_VERSION_NEWER',
    ]);
    const dup = diag.items.find((d) => d.code === 'FDT_DUPLICATE_PROP')!;
    expect(dup.location).toMatchObject({ file: 'kho/fdt', field: "node /a prop 'p'" });
    expect(readU32(blob, dup.location!.offset!)).toBe(FDT_TOKEN.FDT_PROP);
    const dupNode = diag.items.find((d) => d.code === 'FDT_DUPLICATE_NODE')!;
    expect(readU32(blob, dupNode.location!.offset!)).toBe(FDT_TOKEN.FDT_BEGIN_NODE);
  });

  it('reads wide nodes (16k children, 16k properties) without duplicate diagnostics', () => {
    const wide = (n: number): Uint8Array => {
      const children: [string, FdtNodeSpec][] = [];
      const props: [string, Uint8Array][] = [];
      for (let i = 0; i < n; i++) {
        children.push([`n${i}`, { props: [[`p${i % 7}`, u32(i)]] }]);
        props.push([`q${i}`, u32(i)]);
      }
      return buildFdt({ root: { props, children } });
    };
    const big = wide(16_000);
    const fdt = parse(big);
    expect(fdt.root.children).toHaveLength(16_000);
    expect(fdt.root.props).toHaveLength(16_000);
    expect(fdt.root.children[15_999]!.props[0]!.value).toEqual(u32(15_999));
    // Duplicate checks run once per closed node with a Set (reportDuplicates), not per token over siblings.
    const diag = new DiagnosticSink();
    parse(big, diag);
    expect(diag.items).toEqual([]);
  });

  it('warns about a reservation block off the 8-byte grid, and reads it', () => {
    const blob = buildFdt(khoRoot);
    // Four bytes inserted after the header: every block moves by 4, the reservation block to 0x2c.
    let moved = concat(blob.subarray(0, 40), raw(0, 0, 0, 0), blob.subarray(40));
    for (const f of ['totalsize', 'off_mem_rsvmap', 'off_dt_struct', 'off_dt_strings'] as const) {
      moved = withHeaderField(moved, f, readU32(blob, FDT_HEADER_OFFSET[f]) + 4);
    }
    const diag = new DiagnosticSink();
    const fdt = parse(moved, diag);
    expect(fdt.reservations).toEqual(khoRoot.reservations);
    expect(plainFromFdt(fdt.root)).toEqual(plainFromSpec('', khoRoot.root));
    expect(diag.items).toMatchObject([
      { code: 'FDT_RSVMAP_UNALIGNED', location: { offset: 16, field: 'fdt_header.off_mem_rsvmap' } },
    ]);
  });

  it('warns about a named root', () => {
    const diag = new DiagnosticSink();
    const fdt = parse(buildFdt({ rootName: 'weird', root: { children: { c: {} } } }), diag);
    expect(fdt.root.name).toBe('');
    expect(fdt.root.children[0]!.path).toBe('/c');
    expect(diag.items.map((d) => d.code)).toEqual(['FDT_ROOT_NAME']);
  });

  it('warns about a property after a subnode, and keeps it', () => {
    // Root struct: BEGIN '' | PROP len nameoff <1> (16 bytes) | BEGIN 'c' END_NODE (12 bytes) | END_NODE END.
    // Swapping the two pieces puts the property after the subnode.
    const blob = buildFdt({ root: { props: { p: u32(1) }, children: { c: {} } } });
    const start = readU32(blob, FDT_HEADER_OFFSET.off_dt_struct) + 8;
    const swapped = blob.slice();
    swapped.set(blob.subarray(start + 16, start + 28), start);
    swapped.set(blob.subarray(start, start + 16), start + 12);
    const diag = new DiagnosticSink();
    const fdt = parse(swapped, diag);
    expect(plainFromFdt(fdt.root)).toEqual(plainFromSpec('', { props: { p: u32(1) }, children: { c: {} } }));
    expect(diag.items).toMatchObject([
      { code: 'FDT_PROP_AFTER_SUBNODE', location: { offset: start + 12, field: "node / prop 'p'" } },
    ]);
  });
});

describe('parseFdt: rejections name the code, the offset and the field', () => {
  const good = buildFdt(khoRoot);

  it('bad magic', () => {
    const e = traceErrorOf(() => parse(withHeaderField(good, 'magic', 0x7f454c46)));
    expect(e).toMatchObject({ code: 'FDT_ERR_BADMAGIC', location: { offset: 0, field: 'fdt_header.magic' } });
    expect(e.message).toBe(
      'kho/fdt: offset 0x0 (fdt_header.magic): FDT_ERR_BADMAGIC: expected 0xd00dfeed, found 0x7f454c46',
    );
  });

  it('input shorter than the header', () => {
    expect(traceErrorOf(() => parse(good.subarray(0, 20)))).toMatchObject({
      code: 'FDT_ERR_TRUNCATED',
      location: { offset: 0, field: 'fdt_header' },
    });
    expect(traceErrorOf(() => parse(good.subarray(0, 2))).code).toBe('FDT_ERR_TRUNCATED');
  });

  it('input shorter than totalsize', () => {
    const e = traceErrorOf(() => parse(good.subarray(0, good.length - 1)));
    expect(e).toMatchObject({
      code: 'FDT_ERR_TRUNCATED',
      location: { offset: 4, field: 'fdt_header.totalsize' },
    });
  });

  it('versions other than 16 and 17, or an incompatible last_comp_version', () => {
    expect(traceErrorOf(() => parse(withHeaderField(good, 'version', 3)))).toMatchObject({
      code: 'FDT_ERR_BADVERSION',
      location: { offset: 20, field: 'fdt_header.version' },
    });
    expect(traceErrorOf(() => parse(withHeaderField(good, 'last_comp_version', 18)))).toMatchObject({
      code: 'FDT_ERR_BADVERSION',
      location: { offset: 24, field: 'fdt_header.last_comp_version' },
    });
    const v16Comp17 = withHeaderField(buildFdt({ ...khoRoot, version: 16 }), 'last_comp_version', 17);
    expect(traceErrorOf(() => parse(v16Comp17)).code).toBe('FDT_ERR_BADVERSION');
  });

  it('totalsize smaller than the header or above the limit', () => {
    expect(traceErrorOf(() => parse(withHeaderField(good, 'totalsize', 39)))).toMatchObject({
      code: 'FDT_ERR_BADLAYOUT',
      location: { field: 'fdt_header.totalsize' },
    });
    expect(traceErrorOf(() => parse(withHeaderField(good, 'totalsize', LIMITS.FDT_MAX_BYTES + 1))).code).toBe(
      'FDT_ERR_BADLAYOUT',
    );
  });

  it('blocks inside the header, past totalsize, or overlapping', () => {
    expect(traceErrorOf(() => parse(withHeaderField(good, 'off_dt_struct', 8)))).toMatchObject({
      code: 'FDT_ERR_BADLAYOUT',
      location: { offset: 8, field: 'fdt_header.off_dt_struct' },
    });
    expect(traceErrorOf(() => parse(withHeaderField(good, 'size_dt_strings', good.length)))).toMatchObject({
      code: 'FDT_ERR_BADLAYOUT',
      location: { offset: 32, field: 'fdt_header.size_dt_strings' },
    });
    expect(traceErrorOf(() => parse(withHeaderField(good, 'off_mem_rsvmap', good.length + 8)))).toMatchObject(
      {
        code: 'FDT_ERR_BADLAYOUT',
        location: { field: 'fdt_header.off_mem_rsvmap' },
      },
    );
  });

  it('overlapping strings and structure blocks with valid names are BADLAYOUT', () => {
    // Point the strings block at the start of the structure block's strings region moved down by 4:
    // the names still resolve (shifted by one byte per the nameoff), but the blocks overlap.
    const offStruct = readU32(good, FDT_HEADER_OFFSET.off_dt_struct);
    const sizeStruct = readU32(good, FDT_HEADER_OFFSET.size_dt_struct);
    const offStrings = readU32(good, FDT_HEADER_OFFSET.off_dt_strings);
    expect(offStrings).toBe(offStruct + sizeStruct);
    const bad = withHeaderField(good, 'size_dt_struct', sizeStruct + 4);
    const e = traceErrorOf(() => parse(bad));
    expect(e).toMatchObject({ code: 'FDT_ERR_BADLAYOUT', location: { field: 'fdt_header.off_dt_strings' } });
    expect(e.found).toContain('off_dt_struct');
  });

  it('a structure block off the 4-byte grid', () => {
    const e = traceErrorOf(() => parse(withHeaderField(good, 'off_dt_struct', readU32(good, 8) + 2)));
    expect(e).toMatchObject({
      code: 'FDT_ERR_ALIGNMENT',
      location: { offset: 8, field: 'fdt_header.off_dt_struct' },
    });
  });

  it('a reservation block without its terminator, or above 2^53', () => {
    const noTerm = withHeaderField(good, 'off_mem_rsvmap', good.length - 8);
    expect(traceErrorOf(() => parse(noTerm))).toMatchObject({ code: 'FDT_ERR_TRUNCATED' });
    const huge = buildFdt({ ...khoRoot, reservations: [{ address: 2n ** 60n, size: 0x1000 }] });
    expect(traceErrorOf(() => parse(huge))).toMatchObject({
      code: 'FDT_ERR_BADVALUE',
      location: { offset: 0x28, field: 'fdt_reserve_entry[0].address' },
    });
  });

  it('an unknown token', () => {
    const at = tokenOffset(good, FDT_TOKEN.FDT_PROP, 2);
    const e = traceErrorOf(() => parse(withU32(good, at, 0x5)));
    expect(e).toMatchObject({
      code: 'FDT_ERR_BADSTRUCTURE',
      location: { offset: at, field: 'node /memblock' },
      found: '0x5',
    });
  });

  it('a structure block that does not start with FDT_BEGIN_NODE', () => {
    const at = readU32(good, FDT_HEADER_OFFSET.off_dt_struct);
    expect(traceErrorOf(() => parse(withU32(good, at, FDT_TOKEN.FDT_NOP)))).toMatchObject({
      code: 'FDT_ERR_BADSTRUCTURE',
      location: { offset: at },
    });
  });

  it('an FDT_END inside an open node, and an FDT_END_NODE too many', () => {
    const endMemblock = tokenOffset(good, FDT_TOKEN.FDT_END_NODE, 0);
    const e = traceErrorOf(() => parse(withU32(good, endMemblock, FDT_TOKEN.FDT_END)));
    expect(e).toMatchObject({
      code: 'FDT_ERR_BADSTRUCTURE',
      location: { field: 'node /memblock' },
      found: 'FDT_END',
    });
    const end = tokenOffset(good, FDT_TOKEN.FDT_END);
    expect(traceErrorOf(() => parse(withU32(good, end, FDT_TOKEN.FDT_END_NODE))).code).toBe(
      'FDT_ERR_BADSTRUCTURE',
    );
  });

  it('a second root node after the first', () => {
    // { root: { a {} } } is BEGIN '' | BEGIN 'a' | END_NODE | END_NODE | END; rewrite it as
    // BEGIN '' | END_NODE | BEGIN 'a' | END_NODE | END.
    const blob = buildFdt({ root: { children: { a: {} } } });
    const start = readU32(blob, FDT_HEADER_OFFSET.off_dt_struct);
    const bad = concat(
      blob.subarray(0, start + 8),
      u32(FDT_TOKEN.FDT_END_NODE, FDT_TOKEN.FDT_BEGIN_NODE),
      raw(0x61, 0, 0, 0),
      u32(FDT_TOKEN.FDT_END_NODE, FDT_TOKEN.FDT_END),
      blob.subarray(start + 28),
    );
    expect(bad.length).toBe(blob.length);
    expect(traceErrorOf(() => parse(bad))).toMatchObject({
      code: 'FDT_ERR_BADSTRUCTURE',
      location: { offset: start + 12, field: 'node /a' },
      found: 'a second root node',
    });
  });

  it('a structure block that ends before FDT_END (v17 size_dt_struct)', () => {
    const size = readU32(good, FDT_HEADER_OFFSET.size_dt_struct);
    const e = traceErrorOf(() => parse(withHeaderField(good, 'size_dt_struct', size - 4)));
    expect(e).toMatchObject({ code: 'FDT_ERR_TRUNCATED', location: { field: 'structure block' } });
  });

  it('a property name offset outside the strings block', () => {
    const prop = tokenOffset(good, FDT_TOKEN.FDT_PROP, 0);
    const e = traceErrorOf(() => parse(withU32(good, prop + 8, 0x1000)));
    expect(e).toMatchObject({
      code: 'FDT_ERR_BADOFFSET',
      location: { offset: prop + 8, field: 'node /: fdt_property.nameoff' },
      found: '0x1000',
    });
  });

  it('a property name without NUL inside the strings block', () => {
    const sizeStrings = readU32(good, FDT_HEADER_OFFSET.size_dt_strings);
    const e = traceErrorOf(() => parse(withHeaderField(good, 'size_dt_strings', sizeStrings - 1)));
    expect(e.code).toBe('FDT_ERR_TRUNCATED');
    expect(e.location.field).toMatch(/fdt_property.nameoff name$/);
  });

  it('a property length past the structure block', () => {
    const prop = tokenOffset(good, FDT_TOKEN.FDT_PROP, 1);
    const e = traceErrorOf(() => parse(withU32(good, prop + 4, 0x10000)));
    expect(e).toMatchObject({
      code: 'FDT_ERR_TRUNCATED',
      location: { offset: prop + 4, field: "node / prop 'preserved-memory-map'.len" },
    });
  });

  it('a node name without NUL before the end of the structure block', () => {
    const blob = buildFdt({ root: {} });
    // Root name '' padded to 4 zero bytes; fill them and the following tokens with 'a'.
    const start = readU32(blob, FDT_HEADER_OFFSET.off_dt_struct);
    const size = readU32(blob, FDT_HEADER_OFFSET.size_dt_struct);
    const bad = blob.slice();
    bad.fill(0x61, start + 4, start + size);
    expect(traceErrorOf(() => parse(bad))).toMatchObject({
      code: 'FDT_ERR_TRUNCATED',
      location: { offset: start + 4, field: 'structure block: FDT_BEGIN_NODE name' },
    });
  });

  it('nesting deeper than LIMITS.FDT_MAX_DEPTH', () => {
    let spec: FdtNodeSpec = {};
    for (let d = 0; d < LIMITS.FDT_MAX_DEPTH; d++) spec = { children: { n: spec } };
    const e = traceErrorOf(() => parse(buildFdt({ root: spec })));
    expect(e).toMatchObject({ code: 'FDT_ERR_BADSTRUCTURE', found: `depth ${LIMITS.FDT_MAX_DEPTH + 1}` });
  });
});
