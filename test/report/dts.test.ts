// renderDts: dtc's text for each value form, the u64 notation for KHO properties, and the round trip through
// `dtc -I dts -O dtb` back to the same tree (dtc is the oracle; CI installs it).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFdt, type Fdt } from '../../parsers/fdt/index.js';
import { renderDts } from '../../src/report/dts.js';
import { buildFdt, empty, raw, str, u32, u64be, u64le, type FdtSpec } from '../builders/fdt.js';
import { fdtSpecArb } from '../parsers/fdt/arbitraries.js';
import { dtcCompile, dtcDecompile, plainFromFdt } from '../parsers/fdt/dtc-tools.js';

const parse = (blob: Uint8Array): Fdt => parseFdt(blob, 'test.dtb');

/** renderDts output compiled by dtc reads as the same tree and reservations. */
function expectRoundTrip(fdt: Fdt, text: string): void {
  const back = parse(dtcCompile(text));
  expect(plainFromFdt(back.root)).toEqual(plainFromFdt(fdt.root));
  expect(back.reservations).toEqual(fdt.reservations);
}

/** The KHO properties that hold native-endian u64 (kho-abi.md 3.1, 5.1). */
const khoU64 = (path: string, name: string): boolean =>
  (path === '/' && name === 'preserved-memory-map') ||
  ['fdt', 'preserved-data', 'blob-size'].includes(name) ||
  (path !== '/' && (name === 'start' || name === 'size'));

describe('renderDts', () => {
  it('prints every value form the way dtc does', () => {
    const fdt = parse(
      buildFdt({
        reservations: [{ address: 0x1000, size: 0x2000 }],
        root: {
          props: [
            ['compatible', str('vendor,board', 'kho-v1')],
            ['flag', empty()],
            ['cells', u32(4, 0, 0xdeadbeef)],
            ['bytes', raw(1, 2, 3)],
            ['escaped', str('tab\there "q" back\\slash\n')],
            ['one-nul', raw(0)],
            ['mostly-nul', raw(0x61, 0, 0)],
            ['high', raw(0xc3, 0xa9, 0)],
          ],
          children: { 'memory@80000000': { props: { reg: u32(0, 0x80000000) }, children: { sub: {} } } },
        },
      }),
    );
    expect(renderDts(fdt)).toBe(
      [
        '/dts-v1/;',
        '',
        '/memreserve/\t0x0000000000001000 0x0000000000002000;',
        '/ {',
        '\tcompatible = "vendor,board", "kho-v1";',
        '\tflag;',
        '\tcells = <0x04 0x00 0xdeadbeef>;',
        '\tbytes = [01 02 03];',
        '\tescaped = "tab\\there \\"q\\" back\\\\slash\\n";',
        '\tone-nul = [00];',
        '\tmostly-nul = [61 00 00];',
        '\thigh = [c3 a9 00];',
        '',
        '\tmemory@80000000 {',
        '\t\treg = <0x00 0x80000000>;',
        '',
        '\t\tsub {',
        '\t\t};',
        '\t};',
        '};',
        '',
      ].join('\n'),
    );
  });

  it('matches dtc -O dts (1.6) exactly on a tree without string lists', () => {
    const blob = buildFdt({
      reservations: [{ address: 0x80000000, size: 0x1000 }],
      root: {
        props: { compatible: str('kho-v1'), 'preserved-memory-map': u64le(0x116be4000), e: empty() },
        children: { memblock: { props: { fdt: u64le(0x117150000), b: raw(1, 2, 3) }, children: { n1: {} } } },
      },
    });
    expect(renderDts(parse(blob))).toBe(dtcDecompile(blob));
  });

  it('prints KHO u64 properties as their bytes with the value, and dtc compiles them back unchanged', () => {
    const blob = dtcCompile(
      readFileSync('traces/public/kho-fdt-upstream-doc-examples/fdt-rst.kho-root.dts', 'latin1'),
    );
    const fdt = parse(blob);
    const text = renderDts(fdt, { u64Props: khoU64 });
    expect(text).toContain(
      '\tpreserved-memory-map = [00 40 be 16 01 00 00 00]; // u64 native-endian (le): 0x116be4000\n',
    );
    expect(text).toContain('\t\tfdt = [00 00 15 17 01 00 00 00]; // u64 native-endian (le): 0x117150000\n');
    expect(text).toContain('\tcompatible = "kho-v1";\n');
    expectRoundTrip(fdt, text);
    expect(parse(dtcCompile(text)).root.props[1]!.value).toEqual(fdt.root.props[1]!.value);
  });

  it('prints u64 values above 2^53 exactly, several per property, big-endian on request, and flags wrong lengths', () => {
    const fdt = parse(
      buildFdt({
        root: {
          props: [
            ['huge', u64le(0xfedcba9876543210n)],
            ['two', u64le(0x1000, 0x2000)],
            ['be', u64be(0x123456789ab)],
            ['short', raw(1, 2, 3, 4)],
            ['none', empty()],
          ],
        },
      }),
    );
    const le = renderDts(fdt, { u64Props: (_p, n) => n !== 'be' });
    expect(le).toContain('huge = [10 32 54 76 98 ba dc fe]; // u64 native-endian (le): 0xfedcba9876543210\n');
    expect(le).toContain(
      'two = [00 10 00 00 00 00 00 00 00 20 00 00 00 00 00 00]; // u64 native-endian (le): 0x1000, 0x2000\n',
    );
    expect(le).toContain('short = <0x1020304>; // expected a native-endian u64 (8 bytes), found 4 bytes\n');
    expect(le).toContain('none; // expected a native-endian u64 (8 bytes), found 0 bytes\n');
    expect(le).toContain('\tbe = <0x123 0x456789ab>;\n');
    const be = renderDts(fdt, { u64Props: (_p, n) => n === 'be', u64Endian: 'be' });
    expect(be).toContain('be = [00 00 01 23 45 67 89 ab]; // u64 native-endian (be): 0x123456789ab\n');
    expectRoundTrip(fdt, le);
    expectRoundTrip(fdt, be);
  });

  it('prints the header as comments when asked', () => {
    const fdt = parse(buildFdt({ root: {}, version: 16 }));
    const text = renderDts(fdt, { header: true });
    expect(text).toMatch(/^\/dts-v1\/;\n\/\/ magic:\t\t0xd00dfeed\n/);
    expect(text).toContain('// version:\t\t16\n');
    expectRoundTrip(fdt, text);
  });

  it('keeps hostile names from breaking the text', () => {
    const fdt = parse(buildFdt({ root: { children: { 'a;\n};b': { props: { 'p {': u32(1) } } } } }));
    const text = renderDts(fdt);
    expect(text).toContain('\ta\\x3b\\x0a\\x7d\\x3bb {\n');
    expect(text).toContain('\t\tp\\x20\\x7b = <0x01>;\n');
    expect(text.split('\n')).toHaveLength(9);
  });

  it('round-trips random trees through dtc (25 trees)', () => {
    fc.assert(
      fc.property(fdtSpecArb, (spec: FdtSpec) => {
        const fdt = parse(buildFdt(spec));
        expectRoundTrip(fdt, renderDts(fdt, { u64Props: () => true }));
        expectRoundTrip(fdt, renderDts(fdt));
      }),
      { numRuns: 25 },
    );
  });
});
