// Scratch areas in each form a user has them (spec 2.1, 2.2, 8.1): debugfs files, x86 kho_data, DT /chosen, the array.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiagnosticSink, TraceError } from '../../../src/core/index.js';
import type { FdtNode } from '../../../parsers/fdt/index.js';
import {
  decodeChosenKho,
  decodeKhoData,
  decodeScratchArray,
  parseScratchFiles,
} from '../../../parsers/kho/index.js';
import { pagesMemory, toFdtNode, u64leBytes } from '../../builders/kho-image.js';

function catchTrace(f: () => unknown): TraceError {
  try {
    f();
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
  throw new Error('expected a TraceError');
}

describe('debugfs scratch_phys / scratch_len', () => {
  it('reads one 0x%llx line per area, in order (lowmem, global, per node)', () => {
    const areas = parseScratchFiles(
      '0x7000000\n0x100000000\n0x280000000\n',
      'kho/scratch_phys',
      '0x1000000\n0x8000000\n0x4000000\n',
      'kho/scratch_len',
    );
    expect(areas).toEqual([
      { phys: 0x7000000, sizeBytes: 0x1000000 },
      { phys: 0x100000000, sizeBytes: 0x8000000 },
      { phys: 0x280000000, sizeBytes: 0x4000000 },
    ]);
  });

  it('a bad line is located by line and column', () => {
    const e = catchTrace(() =>
      parseScratchFiles('0x1000\n  0xzz\n', 'kho/scratch_phys', '0x1\n0x2\n', 'kho/scratch_len'),
    );
    expect(e.code).toBe('KHO_ERR_SCRATCH_SYNTAX');
    expect(e.location).toMatchObject({ file: 'kho/scratch_phys', line: 2, column: 3 });
    expect(e.message).toBe(
      'kho/scratch_phys:2:3: KHO_ERR_SCRATCH_SYNTAX: expected one 0x%llx value per line, found "0xzz"',
    );
  });

  it('files of different lengths: KHO_ERR_SCRATCH_COUNT at the first missing line', () => {
    const e = catchTrace(() => parseScratchFiles('0x1000\n0x2000\n', 'p', '0x1000\n', 'l'));
    expect(e.code).toBe('KHO_ERR_SCRATCH_COUNT');
    expect(e.location).toMatchObject({ file: 'l', line: 2 });
  });

  it('every prefix of the files gives areas or a located TraceError, never anything else', () => {
    const phys = fs.readFileSync('traces/kho-b-16g-2node/kho/scratch_phys', 'utf8');
    const len = fs.readFileSync('traces/kho-b-16g-2node/kho/scratch_len', 'utf8');
    expect(parseScratchFiles(phys, 'p', len, 'l')).toHaveLength(4);
    let errors = 0;
    let warned = 0;
    for (let n = 0; n < phys.length; n++) {
      const d = new DiagnosticSink();
      try {
        parseScratchFiles(phys.slice(0, n), 'p', len, 'l', d);
        expect(d.items.map((x) => x.code)).toEqual(['KHO_SCRATCH_TRUNCATED']);
        warned++;
      } catch (e) {
        expect(e).toBeInstanceOf(TraceError);
        expect((e as TraceError).location.line).toBeGreaterThan(0);
        errors++;
      }
    }
    // Cut after "0x<digit>" inside the last line: four values, the last one short, and a warning; else an error.
    const lastLine = phys.lastIndexOf('\n', phys.length - 2) + 1;
    expect(warned).toBe(phys.length - lastLine - 3);
    expect(errors + warned).toBe(phys.length);
  });

  it('a value above 2^53 is refused; overlapping areas are a diagnostic', () => {
    expect(catchTrace(() => parseScratchFiles('0xffffffffffffffff\n', 'p', '0x1\n', 'l')).code).toBe(
      'KHO_ERR_RANGE',
    );
    const d = new DiagnosticSink();
    parseScratchFiles('0x1000\n0x1800\n', 'p', '0x1000\n0x1000\n', 'l', d);
    expect(d.items.map((x) => x.code)).toEqual(['KHO_SCRATCH_OVERLAP']);
  });
});

describe('x86 kho_data (setup_data SETUP_KEXEC_KHO) and the scratch array', () => {
  const kd = new Uint8Array(32);
  kd.set(u64leBytes(0x1_2000_0000), 0);
  kd.set(u64leBytes(0x1000), 8);
  kd.set(u64leBytes(0x1_3000_0000), 16);
  kd.set(u64leBytes(48), 24);

  it('decodes fdt_addr, fdt_size, scratch_addr, scratch_size', () => {
    expect(decodeKhoData(kd, 'setup_data')).toEqual({
      fdtPhys: 0x1_2000_0000,
      fdtSize: 0x1000,
      scratchPhys: 0x1_3000_0000,
      scratchSize: 48,
    });
    const e = catchTrace(() => decodeKhoData(kd.subarray(0, 20), 'setup_data'));
    expect(e.code).toBe('KHO_ERR_TRUNCATED');
  });

  it('reads scratch_size / 16 struct kho_scratch entries from memory', () => {
    const page = new Uint8Array(4096);
    [0x7000000, 0x1000000, 0x1_0000_0000, 0x800_0000, 0x2_8000_0000, 0x400_0000].forEach((v, i) =>
      page.set(u64leBytes(v), i * 8),
    );
    const mem = pagesMemory(new Map([[0x1_3000_0000, page]]), 4096);
    const d = new DiagnosticSink();
    expect(decodeScratchArray(mem, decodeKhoData(kd, 'setup_data'), d)).toEqual([
      { phys: 0x7000000, sizeBytes: 0x1000000 },
      { phys: 0x1_0000_0000, sizeBytes: 0x800_0000 },
      { phys: 0x2_8000_0000, sizeBytes: 0x400_0000 },
    ]);
    const e = catchTrace(() =>
      decodeScratchArray(mem, { fdtPhys: 0, fdtSize: 0, scratchPhys: 0x5000, scratchSize: 32 }, d),
    );
    expect(e.code).toBe('KHO_ERR_NOT_IN_DUMP');
  });
});

describe('DT /chosen linux,kho-fdt and linux,kho-scratch', () => {
  const be = (...cells: number[]) => {
    const b = new Uint8Array(cells.length * 4);
    cells.forEach((c, i) => new DataView(b.buffer).setUint32(i * 4, c, false));
    return b;
  };
  const tree = (chosenProps: [string, Uint8Array][]): FdtNode =>
    toFdtNode({
      props: [
        ['#address-cells', be(2)],
        ['#size-cells', be(2)],
      ],
      children: [['chosen', { props: chosenProps, children: [] }]],
    });

  it('reads <address size> pairs in the root cell sizes (big-endian cells)', () => {
    const root = tree([
      ['linux,kho-fdt', be(0x1, 0x2000_0000, 0, 0x1000)],
      ['linux,kho-scratch', be(0x1, 0x3000_0000, 0, 0x30)],
    ]);
    expect(decodeChosenKho(root, 'board.dtb')).toEqual({
      fdtPhys: 0x1_2000_0000,
      fdtSize: 0x1000,
      scratchPhys: 0x1_3000_0000,
      scratchSize: 0x30,
    });
  });

  it('no KHO properties: null; one without the other or a wrong length: located errors', () => {
    expect(decodeChosenKho(tree([]), 'b')).toBeNull();
    expect(catchTrace(() => decodeChosenKho(tree([['linux,kho-fdt', be(0, 1, 0, 1)]]), 'b')).code).toBe(
      'KHO_ERR_NOPROP',
    );
    const e = catchTrace(() =>
      decodeChosenKho(
        tree([
          ['linux,kho-fdt', be(0, 1, 0)],
          ['linux,kho-scratch', be(0, 1, 0, 1)],
        ]),
        'b',
      ),
    );
    expect(e.code).toBe('KHO_ERR_BADPROP');
    expect(e.location.field).toBe('/chosen:linux,kho-fdt');
  });
});
