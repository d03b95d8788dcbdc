// Encoders of the KHO preserved-memory map and the structures around it, written the way the outgoing kernel
// lays them out, over columns (no object per block):
//  - kho-v2/v3/v4 radix tree: linux v7.3-rc7 kernel/liveupdate/kexec_handover.c kho_radix_add_page() and
//    kho_radix_encode_key(): key = (1 << (64 - PAGE_SHIFT - order)) | (phys >> (PAGE_SHIFT + order)); tables of
//    PAGE_SIZE / 8 entries, leaves of PAGE_SIZE * 8 bits; depth KHO_TREE_MAX_DEPTH
//    (include/linux/kho/abi/kexec_handover.h; kho-v2 lacks the "+ 1" inside DIV_ROUND_UP);
//  - kho-v1 chunk list: linux v6.18 kernel/kexec_handover.c kho_mem_serialize() (struct khoser_mem_chunk, one
//    chunk list per order, orders ascending, bitmap of PAGE_SIZE or 512 bytes per 2^order-page granule);
//  - struct kho_vmalloc and its chunk pages: v7.3-rc7 kexec_handover.c kho_preserve_vmalloc() (every chunk and
//    every data page is itself preserved);
//  - KHO serialization-block chains: v7.3-rc7 kernel/liveupdate/kho_block.c (struct kho_block_header_ser).
import { encodeBlockChainWith } from './luo-encode.js';
import type { PageArena } from './page-arena.js';
import { setU32le, setU64le } from './page-arena.js';

export type SynthAbi = 'kho-v1' | 'kho-v2' | 'kho-v3' | 'kho-v4';

/** Preserved blocks as growable columns: phys (bytes) and page order. */
export class BlockColumns {
  phys: Float64Array;
  order: Uint8Array;
  count = 0;

  constructor(capacity = 1024) {
    this.phys = new Float64Array(capacity);
    this.order = new Uint8Array(capacity);
  }

  push(phys: number, order: number): void {
    if (this.count === this.phys.length) {
      const p = new Float64Array(this.phys.length * 2);
      p.set(this.phys);
      const o = new Uint8Array(this.order.length * 2);
      o.set(this.order);
      this.phys = p;
      this.order = o;
    }
    this.phys[this.count] = phys;
    this.order[this.count] = order;
    this.count++;
  }
}

/**
 * Preserve [phys, phys + size) as kho_preserve_pages() does (v7.3-rc7 __kho_preserve_pages_order: the largest
 * naturally aligned power-of-two pieces).
 */
export function preserveRange(blocks: BlockColumns, phys: number, size: number, pageSize: number): void {
  let p = phys;
  const end = phys + size;
  while (p < end) {
    let order = 0;
    while (p % (pageSize * 2 ** (order + 1)) === 0 && p + pageSize * 2 ** (order + 1) <= end) order++;
    blocks.push(p, order);
    p += pageSize * 2 ** order;
  }
}

/** KHO_TREE_MAX_DEPTH and the widths behind it, for a page size. */
function radixShape(
  abi: SynthAbi,
  pageShift: number,
): { order0: number; tableLog2: number; bitmapLog2: number; depth: number } {
  const order0 = 64 - pageShift;
  const tableLog2 = pageShift - 3;
  const bitmapLog2 = pageShift + 3;
  const extra = abi === 'kho-v2' ? 0 : 1;
  return { order0, tableLog2, bitmapLog2, depth: Math.ceil((order0 - bitmapLog2 + extra) / tableLog2) + 1 };
}

/**
 * Encode a radix tree holding every block; tables and leaves come from `arena` window `w` (plain
 * get_zeroed_page() in the kernel: not themselves preserved). Returns the root's physical address.
 */
export function encodeRadix(
  blocks: BlockColumns,
  abi: SynthAbi,
  pageShift: number,
  arena: Pick<PageArena, 'allocPage'>,
  w = 0,
): { root: number; tables: number; leaves: number } {
  const g = radixShape(abi, pageShift);
  const root = arena.allocPage(w);
  let tables = 1;
  let leaves = 0;
  // nodes below the root by (key bits above the node's level) * 8 + level
  const nodes = new Map<number, Uint8Array>();
  // the last leaf of each order: guests interleave orders, and consecutive blocks of one order share leaves
  const lastLeafId = new Float64Array(64).fill(-1);
  const lastLeaf: Uint8Array[] = new Array<Uint8Array>(64).fill(root.bytes);
  for (let i = 0; i < blocks.count; i++) {
    const order = blocks.order[i]!;
    const pfnHigh = blocks.phys[i]! / 2 ** pageShift / 2 ** order;
    const marker = g.order0 - order;
    // key / 2^bitmapLog2 and key % 2^bitmapLog2 without forming the (up to 2^64) key
    const keyLow = pfnHigh % 2 ** g.bitmapLog2;
    const prefix =
      Math.floor(pfnHigh / 2 ** g.bitmapLog2) + (marker >= g.bitmapLog2 ? 2 ** (marker - g.bitmapLog2) : 0);
    const leafBitMarker = marker < g.bitmapLog2 ? 2 ** marker : 0;
    let leaf: Uint8Array;
    if (prefix === lastLeafId[order]) leaf = lastLeaf[order]!;
    else {
      let view = root.bytes;
      for (let level = g.depth - 1; level >= 1; level--) {
        const above = Math.floor(prefix / 2 ** (g.tableLog2 * (level - 1)));
        const idx = above % 2 ** g.tableLog2;
        const id = above * 8 + (level - 1);
        let child = nodes.get(id);
        if (!child) {
          const p = arena.allocPage(w);
          child = p.bytes;
          nodes.set(id, child);
          setU64le(view, idx * 8, p.phys);
          if (level === 1) leaves++;
          else tables++;
        }
        view = child;
      }
      leaf = view;
      lastLeafId[order] = prefix;
      lastLeaf[order] = leaf;
    }
    const bit = keyLow + leafBitMarker;
    leaf[bit >> 3]! |= 1 << (bit & 7);
  }
  return { root: root.phys, tables, leaves };
}

/** kho-v1: chunk lists of bitmap pointers per order. Returns the first chunk's address (0 when empty). */
export function encodeChunkList(
  blocks: BlockColumns,
  format: '512' | 'page',
  pageShift: number,
  arena: PageArena,
  w = 0,
): number {
  const pageSize = 2 ** pageShift;
  const bits = format === '512' ? 4096 : pageSize * 8;
  const byOrder = new Map<number, Map<number, Uint8Array>>();
  for (let i = 0; i < blocks.count; i++) {
    const order = blocks.order[i]!;
    const pfnHigh = blocks.phys[i]! / pageSize / 2 ** order;
    const index = Math.floor(pfnHigh / bits);
    const bit = pfnHigh % bits;
    let m = byOrder.get(order);
    if (!m) byOrder.set(order, (m = new Map()));
    let bm = m.get(index);
    if (!bm) m.set(index, (bm = new Uint8Array(bits / 8)));
    bm[bit >> 3]! |= 1 << (bit & 7);
  }
  if (byOrder.size === 0) return 0;
  // bitmaps: a page each (6.18+), or kzalloc(512) objects packed eight to a page (6.16/6.17)
  let slotPage: { phys: number; bytes: Uint8Array } | null = null;
  let slot = 0;
  const place = (bm: Uint8Array): number => {
    if (format === 'page') {
      const p = arena.allocPage(w);
      p.bytes.set(bm);
      return p.phys;
    }
    if (!slotPage || slot >= pageSize / 512) {
      slotPage = arena.allocPage(w);
      slot = 0;
    }
    slotPage.bytes.set(bm, slot * 512);
    return slotPage.phys + 512 * slot++;
  };
  const capacity = (pageSize - 16) / 16;
  let head = 0;
  let prev: Uint8Array | null = null;
  for (const order of [...byOrder.keys()].sort((a, b) => a - b)) {
    const entries = [...byOrder.get(order)!.entries()].sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < entries.length; i += capacity) {
      const chunk = arena.allocPage(w);
      const group = entries.slice(i, i + capacity);
      setU32le(chunk.bytes, 8, order);
      setU32le(chunk.bytes, 12, group.length);
      group.forEach(([index, bm], j) => {
        setU64le(chunk.bytes, 16 + j * 16, index * bits * 2 ** order * pageSize);
        setU64le(chunk.bytes, 16 + j * 16 + 8, place(bm));
      });
      if (prev) setU64le(prev, 0, chunk.phys);
      else head = chunk.phys;
      prev = chunk.bytes;
    }
  }
  return head;
}

/** sizeof(struct kho_vmalloc): u64 first; u32 total_pages; u16 flags; u16 order. KHO_VMALLOC_ALLOC = 1. */
export const KHO_VMALLOC_DESC_SIZE = 16;

/**
 * A vmalloc area of `bytes.length` bytes (order-0 pages) preserved with kho_preserve_vmalloc(): data pages and
 * chunk pages (struct kho_vmalloc_chunk: u64 next, then (PAGE_SIZE - 8) / 8 page addresses) are allocated from
 * `arena` and preserved. `fill(pageIndex, pageBytes)` writes each data page. Returns the 16-byte descriptor.
 */
export function encodeVmalloc(
  totalPages: number,
  fill: (pageIndex: number, page: Uint8Array) => void,
  arena: PageArena,
  blocks: BlockColumns,
  w = 0,
): Uint8Array {
  const desc = new Uint8Array(KHO_VMALLOC_DESC_SIZE);
  if (totalPages === 0) return desc;
  const pageSize = arena.pageSize;
  const perChunk = (pageSize - 8) / 8;
  let prev: Uint8Array | null = null;
  let chunk: { phys: number; bytes: Uint8Array } | null = null;
  let chunkView: DataView | null = null;
  let first = 0;
  for (let i = 0; i < totalPages; i++) {
    if (i % perChunk === 0) {
      chunk = arena.allocPage(w);
      blocks.push(chunk.phys, 0);
      if (prev) setU64le(prev, 0, chunk.phys);
      else first = chunk.phys;
      prev = chunk.bytes;
      chunkView = new DataView(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength);
    }
    const data = arena.allocPage(w);
    blocks.push(data.phys, 0);
    fill(i, data.bytes);
    chunkView!.setUint32(8 + (i % perChunk) * 8, data.phys % 0x1_0000_0000, true);
    chunkView!.setUint32(12 + (i % perChunk) * 8, Math.floor(data.phys / 0x1_0000_0000), true);
  }
  setU64le(desc, 0, first);
  setU32le(desc, 8, totalPages);
  new DataView(desc.buffer).setUint16(12, 1, true); // KHO_VMALLOC_ALLOC
  new DataView(desc.buffer).setUint16(14, 0, true);
  return desc;
}

/**
 * A KHO serialization-block chain of `count` fixed-size entries (luo-encode.ts encodeBlockChainWith), its blocks from
 * `arena` window `w` and preserved. Returns the first block's address (0 for no entries).
 */
export function encodeBlockChain(
  count: number,
  entrySize: number,
  write: (i: number, page: Uint8Array, offset: number) => void,
  arena: PageArena,
  blocks: BlockColumns,
  w = 0,
): number {
  const newBlock = (): { phys: number; bytes: Uint8Array } => {
    const b = arena.allocPage(w);
    blocks.push(b.phys, 0);
    return b;
  };
  return encodeBlockChainWith(count, entrySize, arena.pageSize, newBlock, write)[0] ?? 0;
}
