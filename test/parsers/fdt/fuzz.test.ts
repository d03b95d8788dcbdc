// Bad input never crashes: every prefix and every single-byte mutation of a valid blob either parses or raises a
// TraceError with an FDT_ERR_* code and an offset inside the input; never a TypeError, RangeError or a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../../src/core/index.js';
import { parseFdt } from '../../../parsers/fdt/index.js';
import { buildFdt, str, u32, u64be, u64le, empty } from '../../builders/fdt.js';
import { fdtSpecArb } from './arbitraries.js';

const seed = buildFdt({
  root: {
    props: { compatible: str('kho-v1'), 'preserved-memory-map': u64le(0x1000), e: empty() },
    children: {
      memblock: {
        props: { compatible: str('memblock-v1') },
        children: { n1: { props: { start: u64le(0x46bc00000), size: u64le(0x4000000), reg: u64be(1, 2) } } },
      },
      c: { props: { cells: u32(1, 2, 3) } },
    },
  },
  reservations: [{ address: 0x1000, size: 0x1000 }],
  nops: true,
});

/** 'ok' when it parses, the error code when it raises a well-formed TraceError; anything else fails the test. */
function outcome(bytes: Uint8Array): string {
  try {
    parseFdt(bytes, 'fuzz.dtb');
    return 'ok';
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    expect(e.code).toMatch(/^FDT_ERR_[A-Z]+$/);
    expect(e.location.file).toBe('fuzz.dtb');
    expect(e.location.offset).toBeGreaterThanOrEqual(0);
    expect(e.location.offset).toBeLessThanOrEqual(bytes.length);
    return e.code;
  }
}

describe('parseFdt on damaged blobs', () => {
  it('every strict prefix is FDT_ERR_TRUNCATED, the whole blob parses', () => {
    expect(outcome(seed)).toBe('ok');
    for (let n = 0; n < seed.length; n++) {
      // Short of totalsize, so always an error: TRUNCATED for a cut header or a cut blob.
      expect(outcome(seed.subarray(0, n))).toBe('FDT_ERR_TRUNCATED');
    }
  });

  it('every byte set to 0x00, 0xff, and with its low and high bit flipped', () => {
    const codes = new Map<string, number>();
    for (let i = 0; i < seed.length; i++) {
      for (const f of [() => 0, () => 0xff, (b: number) => b ^ 1, (b: number) => b ^ 0x80]) {
        const m = seed.slice();
        m[i] = f(m[i]!);
        const c = outcome(m);
        codes.set(c, (codes.get(c) ?? 0) + 1);
      }
    }
    // The walk must reach every rejection class on this seed, not only the header checks.
    for (const c of [
      'ok',
      'FDT_ERR_BADMAGIC',
      'FDT_ERR_BADSTRUCTURE',
      'FDT_ERR_BADOFFSET',
      'FDT_ERR_TRUNCATED',
    ]) {
      expect(codes.get(c), c).toBeGreaterThan(0);
    }
  });

  it('random single-byte mutations of random trees (300 runs)', () => {
    fc.assert(
      fc.property(fdtSpecArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (spec, at, value) => {
        const blob = buildFdt(spec);
        blob[at % blob.length] = value;
        outcome(blob);
      }),
      { numRuns: 300 },
    );
  });

  it('random header fields (300 runs): every combination is checked before use', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 0x200 }), fc.integer({ min: 0, max: 0xffffffff })), {
          minLength: 10,
          maxLength: 10,
        }),
        fc.integer({ min: 1, max: 0x3ff }),
        (fields, which) => {
          const blob = seed.slice();
          const view = new DataView(blob.buffer);
          // Keep the magic so the checks after it run; `which` picks the fields replaced (small or any u32).
          fields.forEach((v, i) => {
            if (i > 0 && (which & (1 << (i - 1))) !== 0) view.setUint32(i * 4, v, false);
          });
          outcome(blob);
        },
      ),
      { numRuns: 300 },
    );
  });
});
