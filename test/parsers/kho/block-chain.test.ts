// KHO serialization-block chains (linux v7.3-rc7 kernel/liveupdate/kho_block.c kho_block_set_restore): a chain
// decodes to its entries, and each of the kernel's refusals is a TraceError naming the chain, the block index and
// the byte offset of the field.
import { describe, expect, it } from 'vitest';
import { countPerBlock, walkBlockChain } from '../../../parsers/kho/index.js';
import { pagesMemory } from '../../builders/kho-image.js';
import { expectTraceError } from './helpers.js';

const PAGE = 4096;
const BASE = 0x1_0000_0000;
const ENTRY = 80; // struct luo_session_ser

/** Pages linked head -> ... with `counts[i]` entries each; entry j of block i holds the byte (i * 7 + j) & 0xff. */
function chain(
  counts: number[],
  link: (i: number) => number = (i) => (i + 1 < counts.length ? BASE + (i + 1) * PAGE : 0),
) {
  const pages = new Map<number, Uint8Array>();
  counts.forEach((c, i) => {
    const b = new Uint8Array(PAGE);
    const v = new DataView(b.buffer);
    const next = link(i);
    v.setUint32(0, next % 2 ** 32, true);
    v.setUint32(4, Math.floor(next / 2 ** 32), true);
    v.setUint32(8, c, true);
    for (let j = 0; j < Math.min(c, countPerBlock(12, ENTRY)); j++)
      b.fill((i * 7 + j) & 0xff, 16 + j * ENTRY, 16 + (j + 1) * ENTRY);
    pages.set(BASE + i * PAGE, b);
  });
  return pagesMemory(pages, PAGE);
}

const opts = {
  pageShift: 12,
  endian: 'le' as const,
  headSite: { field: 'luo_ser.sessions_pa', phys: 0x5000 },
};

describe('walkBlockChain', () => {
  it('count_per_block = (PAGE_SIZE - 16) / entry_size: 51 sessions, 63 files per 4 KiB block', () => {
    expect(countPerBlock(12, 80)).toBe(51);
    expect(countPerBlock(12, 64)).toBe(63);
    expect(countPerBlock(14, 64)).toBe(255);
  });

  it('reads every entry in block order; head 0 is an empty chain', () => {
    const c = walkBlockChain(chain([51, 51, 2]), BASE, ENTRY, 'LUO sessions', opts);
    expect(c.blocks.map((b) => b.count)).toEqual([51, 51, 2]);
    expect(c.entryCount).toBe(104);
    expect(c.entries[0]).toBe(0);
    expect(c.entries[51 * ENTRY]).toBe(7);
    expect(c.entries[103 * ENTRY]).toBe(15);
    expect(walkBlockChain(chain([1]), 0, ENTRY, 'x', opts).entryCount).toBe(0);
  });

  it("count == 0 and count > count_per_block: KHO_ERR_BLOCK_COUNT at the block's count field", () => {
    const e = expectTraceError(
      () => walkBlockChain(chain([51, 0]), BASE, ENTRY, 'LUO sessions', opts),
      'KHO_ERR_BLOCK_COUNT',
      /LUO sessions block\[1\]\.count @ phys 0x100001008/,
    );
    expect(e.message).toContain('1..51');
    expectTraceError(
      () => walkBlockChain(chain([52]), BASE, ENTRY, 'LUO sessions', opts),
      'KHO_ERR_BLOCK_COUNT',
      /block\[0\]\.count/,
    );
  });

  it('a cycle: KHO_ERR_CYCLE at the next that closes it, even when a count is bad too (the kernel checks cycles first)', () => {
    const mem = chain([5, 0, 5], (i) => (i < 2 ? BASE + (i + 1) * PAGE : BASE + PAGE));
    const e = expectTraceError(
      () => walkBlockChain(mem, BASE, ENTRY, 'LUO sessions', opts),
      'KHO_ERR_CYCLE',
      /LUO sessions block\[2\]\.next @ phys 0x100002000/,
    );
    expect(e.message).toContain('block[1] again');
  });

  it('next outside the dump: KHO_ERR_NOT_IN_DUMP located at that next', () => {
    const mem = chain([5, 5], (i) => (i === 0 ? BASE + PAGE : 0x7_0000_0000));
    const e = expectTraceError(
      () => walkBlockChain(mem, BASE, ENTRY, 'LUO sessions', opts),
      'KHO_ERR_NOT_IN_DUMP',
      /LUO sessions block\[1\]\.next/,
    );
    expect(e.message).toContain('block[2] at 0x700000000');
  });

  it('more than KHO_MAX_BLOCKS (10,000) blocks: KHO_ERR_BLOCK_TOO_MANY', () => {
    const counts = new Array<number>(10_001).fill(1);
    expectTraceError(
      () => walkBlockChain(chain(counts), BASE, ENTRY, 'LUO sessions', opts),
      'KHO_ERR_BLOCK_TOO_MANY',
      /block\[9999\]\.next/,
    );
    expect(walkBlockChain(chain(counts.slice(1)), BASE, ENTRY, 'LUO sessions', opts).blocks.length).toBe(
      10_000,
    );
  });
});
