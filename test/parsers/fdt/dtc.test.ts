// The reader and the builder against the device-tree-compiler tools (dtc, fdtdump; CI installs them):
// blobs dtc compiles read back as the source says, and dtc/fdtdump read our builder's blobs as we meant them.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findNode,
  getProp,
  parseFdt,
  propString,
  propStrings,
  propU32,
  propU64,
} from '../../../parsers/fdt/index.js';
import {
  buildFdt,
  empty,
  raw,
  str,
  u32,
  u64be,
  u64le,
  type FdtNodeSpec,
  type FdtSpec,
} from '../../builders/fdt.js';
import {
  dtcCompile,
  dtcDecompile,
  dtcReencode,
  fdtdump,
  parseDtsText,
  plainFromFdt,
  plainFromSpec,
} from './dtc-tools.js';
import { fdtSpecArb } from './arbitraries.js';

const DOCS = 'traces/public/kho-fdt-upstream-doc-examples';

/** Bytes that dtc writes for `<a b>`: two big-endian cells. */
const cells = (...c: number[]): Uint8Array => u32(...c);

describe('dtc-compiled upstream KHO examples read as their source says', () => {
  it('fdt.rst root: compatible, preserved-memory-map (native-endian u64), memblock/fdt', () => {
    const blob = dtcCompile(readFileSync(`${DOCS}/fdt-rst.kho-root.dts`, 'latin1'));
    const fdt = parseFdt(blob, 'fdt-rst.kho-root.dtb');
    expect(plainFromFdt(fdt.root)).toEqual(
      plainFromSpec('', {
        props: { compatible: str('kho-v1'), 'preserved-memory-map': cells(0x40be16, 0x1000000) },
        children: { memblock: { props: { fdt: cells(0x1517, 0x1000000) } } },
      }),
    );
    // SOURCE.txt: bytes 00 40 be 16 01 00 00 00 are the little-endian u64 0x116be4000.
    expect(propU64(getProp(fdt.root, 'preserved-memory-map')!, 'le')).toBe(0x1_16be_4000);
    expect(propString(getProp(fdt.root, 'compatible')!)).toBe('kho-v1');
    expect(propU64(getProp(findNode(fdt.root, '/memblock')!, 'fdt')!, 'le')).toBe(0x1_1715_0000);
    expect(fdt.header.version).toBe(17);
    expect(fdt.reservations).toEqual([]);
  });

  it('fdt.rst memblock sub-FDT: two reserve-mem-v1 regions', () => {
    const blob = dtcCompile(readFileSync(`${DOCS}/fdt-rst.memblock-subfdt.dts`, 'latin1'));
    const fdt = parseFdt(blob, 'fdt-rst.memblock-subfdt.dtb');
    const region = (start: number): FdtNodeSpec => ({
      props: { compatible: str('reserve-mem-v1'), start: cells(start, 0x4000000), size: cells(0x04, 0x00) },
    });
    expect(plainFromFdt(fdt.root)).toEqual(
      plainFromSpec('', {
        props: { compatible: str('memblock-v1') },
        children: { n1: region(0xc06b), n2: region(0xc067) },
      }),
    );
    const n1 = findNode(fdt.root, '/n1')!;
    expect(propU64(getProp(n1, 'start')!, 'le')).toBe(0x4_6bc0_0000);
    expect(propU64(getProp(n1, 'size')!, 'le')).toBe(0x400_0000);
  });

  it('kho.yaml binding example (fixed copy under test/fixtures: upstream is a bare node)', () => {
    const blob = dtcCompile(readFileSync('test/fixtures/fdt/kho-yaml-binding-example.dts', 'latin1'));
    const fdt = parseFdt(blob, 'kho-yaml-binding-example.dtb');
    expect(plainFromFdt(fdt.root)).toEqual(
      plainFromSpec('', {
        children: {
          kho: {
            props: { compatible: str('kho-v1'), 'preserved-memory-map': cells(0xf0be16, 0x1000000) },
            children: { memblock: { props: { fdt: cells(0x80cc16, 0x1000000) } } },
          },
        },
      }),
    );
  });
});

// Every value form dtc's grammar has, with reservations, unit addresses and nesting.
const RICH_DTS = `/dts-v1/;
/memreserve/ 0x1000 0x2000;
/memreserve/ 0x100000000 0x40000000;
/ {
	compatible = "vendor,board", "kho-v1";
	#address-cells = <2>;
	flag;
	cells = <0x04 0x00 0xdeadbeef>;
	bytes = [01 02 03];
	wide = /bits/ 64 <0x100000 0x123456789ab>;
	one64 = /bits/ 64 <0x123456789ab>;
	mixed = "a", <1>, [ff];
	escaped = "tab\\there \\"quoted\\" back\\\\slash";
	chosen {
		linux,kho-fdt = <0x00 0x1000 0x00 0x1000>;
	};
	memory@80000000 {
		reg = <0x00 0x80000000 0x00 0x40000000>;
		a { b { c { d = "deep"; }; }; };
	};
};
`;

const RICH_SPEC: FdtSpec = {
  reservations: [
    { address: 0x1000, size: 0x2000 },
    { address: 0x1_0000_0000, size: 0x4000_0000 },
  ],
  root: {
    props: [
      ['compatible', str('vendor,board', 'kho-v1')],
      ['#address-cells', u32(2)],
      ['flag', empty()],
      ['cells', u32(4, 0, 0xdeadbeef)],
      ['bytes', raw(1, 2, 3)],
      ['wide', u64be(0x100000, 0x123456789ab)],
      ['one64', u64be(0x123456789ab)],
      ['mixed', raw(str('a'), u32(1), raw(0xff))],
      ['escaped', str('tab\there "quoted" back\\slash')],
    ],
    children: [
      ['chosen', { props: { 'linux,kho-fdt': u32(0, 0x1000, 0, 0x1000) } }],
      [
        'memory@80000000',
        {
          props: { reg: u32(0, 0x80000000, 0, 0x40000000) },
          children: { a: { children: { b: { children: { c: { props: { d: str('deep') } } } } } } },
        },
      ],
    ],
  },
};

describe('dtc and our builder agree on every value form', () => {
  it('dtc -O dtb of the source reads as the builder spec, in v17 and v16', () => {
    const expected = plainFromSpec('', RICH_SPEC.root);
    for (const version of [17, 16]) {
      const fdt = parseFdt(dtcCompile(RICH_DTS, version), `rich-v${version}.dtb`);
      expect(fdt.header.version).toBe(version);
      expect(plainFromFdt(fdt.root)).toEqual(expected);
      expect(fdt.reservations).toEqual(RICH_SPEC.reservations);
    }
  });

  it('accessors read what the source wrote', () => {
    const root = parseFdt(dtcCompile(RICH_DTS), 'rich.dtb').root;
    expect(propStrings(getProp(root, 'compatible')!)).toEqual(['vendor,board', 'kho-v1']);
    expect(propU32(getProp(root, 'cells')!, 2)).toBe(0xdeadbeef);
    expect(propU64(getProp(root, 'one64')!, 'be')).toBe(0x123456789ab);
    expect(propString(getProp(root, 'escaped')!)).toBe('tab\there "quoted" back\\slash');
    expect(findNode(root, '/memory')?.path).toBe('/memory@80000000');
    expect(propString(getProp(findNode(root, '/memory@80000000/a/b/c')!, 'd')!)).toBe('deep');
  });

  it('the builder blob decodes the same under dtc -O dts, fdtdump and dtc re-encoding', () => {
    for (const spec of [
      RICH_SPEC,
      { ...RICH_SPEC, version: 16 },
      { ...RICH_SPEC, nops: true, padding: 100 },
    ]) {
      const blob = buildFdt(spec);
      const expected = {
        reservations: RICH_SPEC.reservations!.map((r) => [r.address, r.size]),
        root: plainFromSpec('', spec.root),
      };
      expect(parseDtsText(dtcDecompile(blob))).toEqual(expected);
      expect(parseDtsText(fdtdump(blob))).toEqual(expected);
      expect(plainFromFdt(parseFdt(dtcReencode(blob), 'reencoded.dtb').root)).toEqual(expected.root);
      expect(plainFromFdt(parseFdt(blob, 'built.dtb').root)).toEqual(expected.root);
    }
  });

  it('a KHO root and memblock subtree built with native-endian u64 props decode as dtc sees them', () => {
    const spec: FdtSpec = {
      root: {
        props: { compatible: str('kho-v1'), 'preserved-memory-map': u64le(0x116be4000) },
        children: { memblock: { props: { fdt: u64le(0x117150000) } } },
      },
    };
    // dtc shows a little-endian u64 as two byte-swapped cells, as the upstream docs print it.
    expect(dtcDecompile(buildFdt(spec))).toContain('preserved-memory-map = <0x40be16 0x1000000>;');
    expect(dtcDecompile(buildFdt(spec))).toContain('fdt = <0x1517 0x1000000>;');
  });
});

describe('random trees', () => {
  it('parseFdt(buildFdt(spec)) is the spec (200 trees)', () => {
    fc.assert(
      fc.property(fdtSpecArb, (spec) => {
        const fdt = parseFdt(buildFdt(spec), 'random.dtb');
        expect(plainFromFdt(fdt.root)).toEqual(plainFromSpec('', spec.root));
        expect(fdt.reservations).toEqual(spec.reservations);
      }),
      { numRuns: 200 },
    );
  });

  it('dtc -O dts reads our random blobs as the spec, and parseFdt reads dtc re-encodings (25 trees)', () => {
    fc.assert(
      fc.property(fdtSpecArb, (spec) => {
        const blob = buildFdt(spec);
        const expectedRoot = plainFromSpec('', spec.root);
        expect(parseDtsText(dtcDecompile(blob)).root).toEqual(expectedRoot);
        expect(plainFromFdt(parseFdt(dtcReencode(blob), 'reencoded.dtb').root)).toEqual(expectedRoot);
      }),
      { numRuns: 25 },
    );
  });
});
