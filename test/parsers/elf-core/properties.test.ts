// Property tests: the reader against a byte-by-byte model, and bad input (every prefix, single-byte
// mutations) giving a TraceError, never a TypeError or RangeError. Runs are bounded to stay fast.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceError, bytesSource } from '../../../src/core/index.js';
import { openElfCore, readVmcoreinfo } from '../../../parsers/elf-core/index.js';
import type { ElfCore } from '../../../parsers/elf-core/index.js';
import { buildElfCore } from '../../builders/elf-core.js';
import type { ElfCoreSpec } from '../../builders/elf-core.js';

/** Byte `off` of the segment at spec index `i`: distinct per segment so the winner is visible. */
const byteOf = (i: number, off: number) => (i * 37 + off * 11 + 1) & 0xff;

interface SegDesc {
  paddr: number;
  fileSize: number;
  extra: number;
  vaddrOnly: boolean;
}

function specOf(endianness: 'le' | 'be', segs: readonly SegDesc[]): ElfCoreSpec {
  return {
    endianness,
    segments: segs.map((s, i) => ({
      paddr: s.paddr,
      vaddrOnly: s.vaddrOnly,
      data: Uint8Array.from({ length: s.fileSize }, (_, off) => byteOf(i, off)),
      memSize: s.fileSize + s.extra,
    })),
  };
}

/** The model: per address, the first segment in phdr order covering it; bytes past p_filesz are zero. */
function modelByte(segs: readonly SegDesc[], addr: number, zeroFill: boolean): number | undefined {
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s.vaddrOnly) continue;
    const extent = zeroFill ? s.fileSize + s.extra : s.fileSize;
    if (addr >= s.paddr && addr < s.paddr + extent) {
      const off = addr - s.paddr;
      return off < s.fileSize ? byteOf(i, off) : 0;
    }
  }
  return undefined;
}

const segArb = fc.record({
  paddr: fc.integer({ min: 0, max: 0x180 }),
  fileSize: fc.integer({ min: 0, max: 0x60 }),
  extra: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0x40 })),
  vaddrOnly: fc.oneof(
    { arbitrary: fc.constant(true), weight: 1 },
    { arbitrary: fc.constant(false), weight: 6 },
  ),
});

describe('ElfCore against a byte model', () => {
  it('hasPhys and readPhys agree with first-in-phdr-order, zero-filled tails, both endiannesses', () => {
    fc.assert(
      fc.property(
        fc.array(segArb, { minLength: 0, maxLength: 7 }),
        fc.constantFrom('le' as const, 'be' as const),
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0x200 }), fc.integer({ min: 0, max: 0x80 })), {
          minLength: 1,
          maxLength: 12,
        }),
        (segs, endianness, zeroFill, reads) => {
          const core = openElfCore(bytesSource('m.core', buildElfCore(specOf(endianness, segs))), {
            zeroFill,
          });
          for (const [addr, len] of reads) {
            const want: number[] = [];
            let present = true;
            for (let a = addr; a < addr + len; a++) {
              const b = modelByte(segs, a, zeroFill);
              if (b === undefined) present = false;
              else want.push(b);
            }
            expect(core.hasPhys(addr, len)).toBe(present);
            if (present) expect([...core.readPhys(addr, len, 'model')]).toEqual(want);
            else expect(() => core.readPhys(addr, len, 'model')).toThrow(TraceError);
          }
          // presentRanges is exactly the set of modelled addresses.
          for (let a = 0; a < 0x200; a++) {
            const inRanges = core.presentRanges.some((r) => a >= r.start && a < r.end);
            expect(inRanges).toBe(modelByte(segs, a, zeroFill) !== undefined);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

/** Open and use everything a consumer would; anything thrown must be a TraceError. */
function exercise(bytes: Uint8Array): void {
  let core: ElfCore;
  try {
    core = openElfCore(bytesSource('bad.core', bytes));
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    return;
  }
  const tryRead = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof TraceError)) throw e;
    }
  };
  tryRead(() => core.readNotes());
  tryRead(() => readVmcoreinfo(core));
  for (const r of core.presentRanges.slice(0, 8)) {
    tryRead(() => core.readPhys(r.start, Math.min(0x100, r.end - r.start), 'head'));
    tryRead(() => core.readPhys(Math.max(r.start, r.end - 0x100), Math.min(0x100, r.end - r.start), 'tail'));
    tryRead(() => core.readPhys(r.start, Math.min(0x10000, r.end - r.start), 'whole'));
  }
  for (const s of core.segments.slice(0, 8)) tryRead(() => core.readPhys(s.paddr, 16, 'seg'));
}

const sample: ElfCoreSpec = {
  notes: [
    { name: 'CORE', type: 1, desc: new Uint8Array(12).fill(3) },
    { name: 'VMCOREINFO', type: 0, desc: new TextEncoder().encode('PAGESIZE=4096\n') },
  ],
  segments: [
    { vaddrOnly: true, data: { size: 0x20, fill: 0xee } },
    { paddr: 0x1000, data: { size: 0x40, fill: 1 }, memSize: 0x80 },
    { paddr: 0x1040, data: { size: 0x40, fill: 2 } },
    { paddr: 0x3000, data: { size: 0x30, fill: 3 } },
  ],
};

describe('bad input gives TraceError, never a crash', () => {
  for (const endianness of ['le', 'be'] as const) {
    for (const extendedNumbering of [false, true]) {
      const good = buildElfCore({ ...sample, endianness, extendedNumbering });

      it(`every prefix (${endianness}, PN_XNUM ${extendedNumbering}): TraceError, and only the whole file opens`, () => {
        for (let n = 0; n < good.length; n++) {
          expect(() => openElfCore(bytesSource('p.core', good.subarray(0, n)))).toThrow(TraceError);
        }
        expect(openElfCore(bytesSource('p.core', good)).segments.length).toBe(3);
      });

      it(`single-byte mutations (${endianness}, PN_XNUM ${extendedNumbering})`, () => {
        fc.assert(
          fc.property(fc.nat({ max: good.length - 1 }), fc.nat({ max: 255 }), (at, value) => {
            const b = good.slice();
            b[at] = value;
            exercise(b);
          }),
          { numRuns: 400 },
        );
      });
    }
  }

  it('mutations of the header bytes with a prefix cut', () => {
    const good = buildElfCore(sample);
    const headerEnd = 64 + 5 * 56;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: headerEnd - 1 }), fc.nat({ max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat({ max: good.length }),
        (muts, cut) => {
          const b = good.slice(0, cut);
          for (const [at, v] of muts) if (at < b.length) b[at] = v;
          exercise(b);
        },
      ),
      { numRuns: 300 },
    );
  });
});
