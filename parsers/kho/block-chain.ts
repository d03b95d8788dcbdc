// KHO serialization blocks (kho-v4): linux v7.3-rc7 include/linux/kho/abi/block.h (struct kho_block_header_ser,
// KHO_BLOCK_SIZE = PAGE_SIZE) and kernel/liveupdate/kho_block.c (kho_block_set_restore, kho_block_set_is_cyclic,
// kho_block_add, kho_block_set_it_read_entry). Each block is one preserved page: a 16-byte header
// { u64 next; u64 count; } and `count` fixed-size entries; `next == 0` ends the chain.
//
// The incoming kernel's checks, in its order: first the whole chain for a cycle (Floyd, giving up as corrupted past
// KHO_MAX_BLOCKS steps), then block by block `count == 0 || count > count_per_block` ("Block contains invalid entry
// count") and more than KHO_MAX_BLOCKS blocks (-ENOSPC from kho_block_add). The walker checks the same things in the
// same order, plus what the kernel cannot see (a `next` outside the dump), and every error names the chain, the
// block index and the byte offset of the field in the dump.
import type { PhysMemory } from '../../src/core/index.js';
import { hex } from '../../src/core/index.js';
import { KHO_BLOCK } from './constants.js';
import type { KhoEndian, PointerSite } from './phys-read.js';
import { khoError, pointerError, readPhysChecked, u64At, viewOf } from './phys-read.js';

/** One block of a chain, as read. */
export interface KhoChainBlock {
  readonly phys: number;
  readonly next: number;
  readonly count: number;
}

/** A walked chain: its blocks in order and every entry's bytes, concatenated (entry i at i * entrySize). */
export interface KhoBlockChain {
  /** What the chain holds, for messages: `LUO sessions`, `LUO session "vm0" files`. */
  readonly name: string;
  readonly entrySize: number;
  /** (KHO_BLOCK_SIZE - sizeof(struct kho_block_header_ser)) / entry_size (kho_block_set_init). */
  readonly countPerBlock: number;
  readonly blocks: readonly KhoChainBlock[];
  readonly entryCount: number;
  readonly entries: Uint8Array;
}

export interface BlockChainOptions {
  readonly pageShift: number;
  readonly endian: KhoEndian;
  /** Where the head pointer was read (`luo_ser.sessions_pa`, `luo_session_ser[3].file_set_ser.files`). */
  readonly headSite: PointerSite;
}

/** count_per_block of a block set (kho_block_set_init / KHO_BLOCK_SET_INIT). */
export function countPerBlock(pageShift: number, entrySize: number): number {
  return Math.floor((2 ** pageShift - KHO_BLOCK.HEADER_SIZE) / entrySize);
}

/**
 * Walk the chain at `headPa` (0: an empty chain) and return its entries. Throws TraceError:
 *  - KHO_ERR_CYCLE: a `next` leads back to an earlier block (kho_block_set_is_cyclic);
 *  - KHO_ERR_BLOCK_TOO_MANY: more than KHO_MAX_BLOCKS blocks (kho_block_add: -ENOSPC);
 *  - KHO_ERR_BLOCK_COUNT: `count == 0` or above count_per_block (kho_block_set_restore);
 *  - KHO_ERR_NOT_IN_DUMP: a block outside the dump (located at the pointer that leads to it).
 */
export function walkBlockChain(
  mem: PhysMemory,
  headPa: number,
  entrySize: number,
  name: string,
  opts: BlockChainOptions,
): KhoBlockChain {
  const pageSize = 2 ** opts.pageShift;
  const perBlock = countPerBlock(opts.pageShift, entrySize);
  const empty = {
    name,
    entrySize,
    countPerBlock: perBlock,
    blocks: [],
    entryCount: 0,
    entries: new Uint8Array(0),
  };
  if (headPa === 0) return empty;

  // Pass 1: the `next` links only (the kernel's cycle check runs over the whole chain before any count is read).
  const seen = new Map<number, number>();
  const pages: Uint8Array[] = [];
  const blocks: KhoChainBlock[] = [];
  let site: PointerSite = opts.headSite;
  for (let pa = headPa; pa !== 0;) {
    const i = blocks.length;
    const prev = seen.get(pa);
    if (prev !== undefined) {
      throw pointerError(
        mem,
        site,
        'KHO_ERR_CYCLE',
        `${name}: block[${i}] not visited before (kho_block_set_is_cyclic)`,
        `block[${prev}] again, at ${hex(pa)}`,
      );
    }
    if (i >= KHO_BLOCK.KHO_MAX_BLOCKS) {
      throw pointerError(
        mem,
        site,
        'KHO_ERR_BLOCK_TOO_MANY',
        `${name}: at most KHO_MAX_BLOCKS = ${KHO_BLOCK.KHO_MAX_BLOCKS} blocks (kho_block_add: -ENOSPC)`,
        `block[${i}] at ${hex(pa)}`,
      );
    }
    seen.set(pa, i);
    const page = readPhysChecked(mem, pa, pageSize, `${name} block[${i}]`, site);
    const view = viewOf(page);
    const next = u64At(mem, view, 0, pa, `${name} block[${i}].next`, opts.endian);
    const count = u64At(mem, view, 8, pa, `${name} block[${i}].count`, opts.endian);
    pages.push(page);
    blocks.push({ phys: pa, next, count });
    site = { field: `${name} block[${i}].next`, phys: pa };
    pa = next;
  }

  // Pass 2: counts (kho_block_set_restore), then the entries (kho_block_set_it_read_entry: `count` per block).
  let total = 0;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.count === 0 || b.count > perBlock) {
      throw khoError(
        mem,
        b.phys + 8,
        `${name} block[${i}].count`,
        'KHO_ERR_BLOCK_COUNT',
        `1..${perBlock} entries of ${entrySize} bytes (kho_block_set_restore: "Block contains invalid entry count")`,
        `${b.count}`,
      );
    }
    total += b.count;
  }
  const entries = new Uint8Array(total * entrySize);
  let at = 0;
  for (let i = 0; i < blocks.length; i++) {
    const n = blocks[i]!.count * entrySize;
    entries.set(pages[i]!.subarray(KHO_BLOCK.HEADER_SIZE, KHO_BLOCK.HEADER_SIZE + n), at);
    at += n;
  }
  return { name, entrySize, countPerBlock: perBlock, blocks, entryCount: total, entries };
}

/** Physical address of entry `i` of a walked chain (for locations and owners). */
export function chainEntryPhys(chain: KhoBlockChain, i: number): number {
  let left = i;
  for (const b of chain.blocks) {
    if (left < b.count) return b.phys + KHO_BLOCK.HEADER_SIZE + left * chain.entrySize;
    left -= b.count;
  }
  return 0;
}
