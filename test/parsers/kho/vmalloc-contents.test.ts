// readVmallocContents reads neighbouring blocks of a vmalloc area as one range (a memfd's folio array is tens of
// thousands of pages); the bytes and, when a block is missing, the error (code, block named, location) must be what
// reading block by block gives.
import { describe, expect, it } from 'vitest';
import type { PhysMemory } from '../../../src/core/index.js';
import { readVmallocContents } from '../../../parsers/kho/index.js';
import { readVmallocSpans } from '../../../parsers/kho/vmalloc.js';
import type { KhoVmallocArea } from '../../../parsers/kho/index.js';
import { expectTraceError } from './helpers.js';

const PAGE = 4096;

/** Memory holding [start, end) ranges whose byte at address a is (a / 7) & 0xff; counts the reads. */
function memory(ranges: readonly [number, number][]): PhysMemory & { reads: number } {
  const has = (a: number, n: number) => ranges.some(([s, e]) => a >= s && a + n <= e);
  const m = {
    name: 'memory.core',
    reads: 0,
    hasPhys: has,
    readPhys(a: number, n: number, what: string): Uint8Array {
      m.reads++;
      if (!has(a, n)) throw new Error(`test memory: ${what} not held`);
      return Uint8Array.from({ length: n }, (_, k) => Math.floor((a + k) / 7) & 0xff);
    },
  };
  return m;
}

function area(blocks: number[], order = 0): KhoVmallocArea {
  return {
    owner: 'memfd folios',
    first: 0x1000,
    totalPages: blocks.length * 2 ** order,
    flags: 0,
    order,
    chunkPhys: [0x1000],
    blockPhys: Float64Array.from(blocks),
  };
}

/** The reference: block by block. */
function expected(a: KhoVmallocArea, length: number): Uint8Array {
  const bb = PAGE * 2 ** a.order;
  const out = new Uint8Array(length);
  for (let i = 0, done = 0; done < length; i++, done += bb) {
    const n = Math.min(bb, length - done);
    out.set(
      Uint8Array.from({ length: n }, (_, k) => Math.floor((a.blockPhys[i]! + k) / 7) & 0xff),
      done,
    );
  }
  return out;
}

describe('readVmallocContents', () => {
  it('neighbouring blocks in one read, others apart; the bytes of a block-by-block read', () => {
    const blocks = [0x10000, 0x11000, 0x12000, 0x20000, 0x21000, 0x5000, 0x6000];
    const mem = memory([[0, 0x100000]]);
    const a = area(blocks);
    for (const length of [1, PAGE, PAGE + 5, 3 * PAGE, 5 * PAGE - 1, 7 * PAGE]) {
      mem.reads = 0;
      expect(readVmallocContents(a, mem, length, 12)).toEqual(expected(a, length));
    }
    expect(mem.reads).toBe(3); // 7 pages: three runs
    const big = area([0x40000, 0x42000, 0x44000], 1);
    expect(readVmallocContents(big, mem, 6 * PAGE - 3, 12)).toEqual(expected(big, 6 * PAGE - 3));
  });

  it('a block missing inside a run: the same error as reading block by block (that block named)', () => {
    const blocks = [0x10000, 0x11000, 0x12000, 0x13000];
    // 0x12000 is not in the dump
    const mem = memory([
      [0, 0x12000],
      [0x13000, 0x100000],
    ]);
    const e = expectTraceError(
      () => readVmallocContents(area(blocks), mem, 4 * PAGE, 12),
      'KHO_ERR_NOT_IN_DUMP',
      /^memfd folios block\[2\] @ phys 0x12000$/,
    );
    expect(e.message).toContain('memfd folios block[2]');
  });
});

/** The memory above, also readable into a caller's buffer (as an ElfCore over a file is). */
function memoryInto(ranges: readonly [number, number][]): PhysMemory & { reads: number } {
  const m = memory(ranges);
  return Object.assign(m, {
    readPhysInto(a: number, out: Uint8Array, what: string): void {
      out.set(m.readPhys(a, out.length, what));
    },
  });
}

/** readVmallocSpans' spans, each copied (the buffer is reused) and their lengths. */
function spans(
  a: KhoVmallocArea,
  mem: PhysMemory,
  length: number,
  maxSpan?: number,
): { bytes: Uint8Array; sizes: number[] } {
  const parts: Uint8Array[] = [];
  readVmallocSpans(a, mem, length, 12, (b) => parts.push(b.slice()), maxSpan);
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, sizes: parts.map((p) => p.length) };
}

describe('readVmallocSpans', () => {
  it('the bytes of readVmallocContents, a span of neighbouring blocks (at most maxSpan, or one block) at a time', () => {
    const blocks = [0x10000, 0x11000, 0x12000, 0x13000, 0x20000, 0x21000, 0x5000, 0x6000];
    for (const mem of [memory([[0, 0x100000]]), memoryInto([[0, 0x100000]])]) {
      const a = area(blocks);
      for (const length of [0, 1, PAGE, PAGE + 5, 3 * PAGE, 5 * PAGE - 1, 8 * PAGE]) {
        for (const maxSpan of [PAGE, 2 * PAGE, 3 * PAGE, 1 << 20]) {
          const got = spans(a, mem, length, maxSpan);
          expect(got.bytes).toEqual(readVmallocContents(a, mem, length, 12));
          for (const size of got.sizes) expect(size).toBeLessThanOrEqual(maxSpan);
        }
      }
      // 8 pages, spans of at most 3 pages: 0x10000-0x12000, 0x13000, 0x20000-0x21000, 0x5000-0x6000
      expect(spans(a, mem, 8 * PAGE, 3 * PAGE).sizes).toEqual([3 * PAGE, PAGE, 2 * PAGE, 2 * PAGE]);
      // a block larger than a span is one span
      const big = area([0x40000, 0x42000, 0x44000], 1);
      const got = spans(big, mem, 6 * PAGE - 3, PAGE);
      expect(got.bytes).toEqual(expected(big, 6 * PAGE - 3));
      expect(got.sizes).toEqual([2 * PAGE, 2 * PAGE, 2 * PAGE - 3]);
    }
  });

  it("a block missing inside a span: readVmallocContents' error (that block named), after the spans before it", () => {
    const blocks = [0x10000, 0x11000, 0x12000, 0x13000];
    const ranges: [number, number][] = [
      [0, 0x12000],
      [0x13000, 0x100000],
    ];
    for (const mem of [memory(ranges), memoryInto(ranges)]) {
      const seen: number[] = [];
      const e = expectTraceError(
        () => readVmallocSpans(area(blocks), mem, 4 * PAGE, 12, (b) => seen.push(b.length)),
        'KHO_ERR_NOT_IN_DUMP',
        /^memfd folios block\[2\] @ phys 0x12000$/,
      );
      expect(e.message).toContain('memfd folios block[2]');
      expect(seen).toEqual([PAGE, PAGE]); // the span failed, then block by block up to the missing one
    }
  });

  it('more bytes than the blocks hold: the error of readVmallocContents, before any read', () => {
    const mem = memory([[0, 0x100000]]);
    const a = area([0x10000, 0x11000]);
    const want = expectTraceError(() => readVmallocContents(a, mem, 2 * PAGE + 1, 12), 'KHO_ERR_BADCOUNT');
    mem.reads = 0;
    const got = expectTraceError(
      () => readVmallocSpans(a, mem, 2 * PAGE + 1, 12, () => {}),
      'KHO_ERR_BADCOUNT',
    );
    expect(got.message).toBe(want.message);
    expect(mem.reads).toBe(0);
  });
});
