// findNode / getProp and the typed value reads: what they return, and the located errors for wrong shapes.
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import {
  findNode,
  getProp,
  parseFdt,
  propString,
  propStrings,
  propU32,
  propU32s,
  propU64,
  type FdtProp,
} from '../../../parsers/fdt/index.js';
import { buildFdt, empty, raw, str, u32, u64be, u64le } from '../../builders/fdt.js';

const fdt = parseFdt(
  buildFdt({
    root: {
      props: { compatible: str('kho-v1', 'other'), 'preserved-memory-map': u64le(0x116be4000) },
      children: {
        memblock: {
          props: { compatible: str('memblock-v1') },
          children: [
            ['reserve-mem@1000', { props: { start: u64le(0x1000) } }],
            ['reserve-mem', { props: { start: u64le(0x2000) } }],
            [
              'n1',
              { props: { start: u64le(2n ** 60n), odd: raw(1, 2, 3), e: empty(), bad: raw(0x61, 0x62) } },
            ],
          ],
        },
        utf: { props: { s: str('é') } },
      },
    },
  }),
  'kho/fdt',
);
const prop = (path: string, name: string): FdtProp => getProp(findNode(fdt.root, path)!, name)!;

function errorOf(fn: () => unknown): TraceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
  throw new Error('expected a TraceError');
}

describe('findNode', () => {
  it('walks absolute paths; / and empty give the root', () => {
    expect(findNode(fdt.root, '/')).toBe(fdt.root);
    expect(findNode(fdt.root, '')).toBe(fdt.root);
    expect(findNode(fdt.root, '/memblock/n1')?.path).toBe('/memblock/n1');
    expect(findNode(fdt.root, '/memblock/n2')).toBeUndefined();
    expect(findNode(fdt.root, '/nope/n1')).toBeUndefined();
  });

  it('prefers the exact name, else matches name@unit when the component has no unit (libfdt fdt_nodename_eq_)', () => {
    expect(findNode(fdt.root, '/memblock/reserve-mem')?.path).toBe('/memblock/reserve-mem');
    expect(findNode(fdt.root, '/memblock/reserve-mem@1000')?.path).toBe('/memblock/reserve-mem@1000');
    expect(findNode(fdt.root, '/memblock/reserve-mem@2000')).toBeUndefined();
    expect(findNode(fdt.root, '/memblock/reserve')).toBeUndefined();
  });
});

describe('typed reads', () => {
  it('strings and string lists', () => {
    expect(propString(prop('/', 'compatible'))).toBe('kho-v1');
    expect(propStrings(prop('/', 'compatible'))).toEqual(['kho-v1', 'other']);
    expect(propStrings(prop('/memblock/n1', 'e'))).toEqual([]);
    expect(propString(prop('/utf', 's'))).toBe('é');
  });

  it('a string without NUL is FDT_ERR_BADVALUE at the value, naming node and prop', () => {
    const p = prop('/memblock/n1', 'bad');
    expect(errorOf(() => propString(p))).toMatchObject({
      code: 'FDT_ERR_BADVALUE',
      location: { file: 'kho/fdt', offset: p.offset, field: "node /memblock/n1 prop 'bad'" },
    });
    expect(errorOf(() => propStrings(p)).code).toBe('FDT_ERR_BADVALUE');
    expect(errorOf(() => propString(prop('/memblock/n1', 'e'))).found).toBe('an empty value');
  });

  it('u32 cells', () => {
    const p: FdtProp = { name: 'c', value: u32(1, 0xdeadbeef), offset: 0 };
    expect(propU32(p)).toBe(1);
    expect(propU32(p, 1)).toBe(0xdeadbeef);
    expect(propU32s(p)).toEqual([1, 0xdeadbeef]);
    expect(errorOf(() => propU32(p, 2))).toMatchObject({ code: 'FDT_ERR_BADVALUE', found: '8 bytes' });
    expect(errorOf(() => propU32s(prop('/memblock/n1', 'odd'))).code).toBe('FDT_ERR_BADVALUE');
  });

  it('u64: native little-endian KHO values, big-endian cells, exact length, below 2^53', () => {
    expect(propU64(prop('/', 'preserved-memory-map'), 'le')).toBe(0x116be4000);
    expect(propU64({ name: 'r', value: u64be(0x123456789ab), offset: 0 }, 'be')).toBe(0x123456789ab);
    expect(errorOf(() => propU64(prop('/memblock/n1', 'odd'), 'le'))).toMatchObject({
      code: 'FDT_ERR_BADVALUE',
      expected: 'exactly 8 bytes (a u64)',
      found: '3 bytes',
    });
    const big = prop('/memblock/n1', 'start');
    expect(errorOf(() => propU64(big, 'le'))).toMatchObject({
      code: 'FDT_ERR_BADVALUE',
      location: { offset: big.offset, field: "node /memblock/n1 prop 'start'" },
      found: '0x1000000000000000',
    });
  });
});
