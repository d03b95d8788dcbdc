// kho-v2/v3 radix tree: kernel/liveupdate/kexec_handover.c __kho_radix_walk_tree()/kho_radix_walk_leaf() and
// kho_radix_decode_key() (KR1 @3f2ad90060f6, KR2 @019fc3687237, KR3 @40735a683bf8); depth per H3. Spec section 4.2.
import type { DiagnosticSink, PhysMemory } from '../../src/core/index.js';
import { hex } from '../../src/core/index.js';
import type { BlockCollector } from './block-collector.js';
import { KHO_BOUNDS, KHO_RADIX } from './constants.js';
import type { KhoEndian, PointerSite } from './phys-read.js';
import {
  bitmapByteOf,
  bitmapWord,
  dumpEndianness,
  khoError,
  pointerError,
  readPhysChecked,
  u64At,
  viewOf,
} from './phys-read.js';
import { khoEra } from './eras.js';
import type { KhoAbi } from './types.js';

/** The tree's shape for a page size and ABI (include/linux/kho/abi/kexec_handover.h, KHO_TREE_MAX_DEPTH). */
export interface RadixGeometry {
  /** KHO_ORDER_0_LOG2 = 64 - PAGE_SHIFT: position of the order-0 marker bit. */
  readonly order0Log2: number;
  /** KHO_TABLE_SIZE_LOG2 = ilog2(PAGE_SIZE / 8). */
  readonly tableLog2: number;
  /** KHO_BITMAP_SIZE_LOG2 = PAGE_SHIFT + 3. */
  readonly bitmapLog2: number;
  /** KHO_TREE_MAX_DEPTH: levels depth-1 .. 1 are tables, level 0 is the leaf. */
  readonly depth: number;
}

export function radixGeometry(abi: KhoAbi, pageShift: number): RadixGeometry {
  const order0Log2 = 64 - pageShift;
  const tableLog2 = Math.log2(2 ** pageShift / KHO_RADIX.TABLE_ENTRY_SIZE);
  const bitmapLog2 = pageShift + 3;
  // v2: DIV_ROUND_UP(ORDER_0_LOG2 - BITMAP_LOG2, TABLE_LOG2) + 1; v3 on add 1 inside so the order-0 marker is
  // covered at 16 KiB pages (H3; linux v7.3-rc7 include/linux/kho/abi/kexec_handover.h KHO_TREE_MAX_DEPTH).
  const extra = khoEra(abi)?.radixDepthExtra ?? 1;
  const depth = Math.ceil((order0Log2 - bitmapLog2 + extra) / tableLog2) + 1;
  return { order0Log2, tableLog2, bitmapLog2, depth };
}

export interface RadixResult {
  readonly tables: number;
  readonly leaves: number;
  /** Physical address of every table and leaf page walked, in visit order. */
  readonly nodes: number[];
}

export interface RadixOptions {
  /** Byte order of the tables and leaves; default the dump's (little endian when it does not say). */
  readonly endianness?: KhoEndian;
  /** Where the root pointer was read (the root FDT's preserved-memory-map), to locate errors about it. */
  readonly rootSite?: PointerSite;
}

/** fls64 of a non-negative safe integer: 1-based position of the highest set bit, 0 for 0. */
function fls(x: number): number {
  if (x === 0) return 0;
  const hi = Math.floor(x / 0x1_0000_0000);
  return hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(x >>> 0);
}

/**
 * Walk the tree rooted at `rootPhys` and add every key's block to `out`. Keys are kept as `prefix` (the key without
 * its leaf bits, at most 45 bits at 4 KiB) and the leaf bit, so no arithmetic leaves the safe-integer range.
 */
export function decodeRadixTree(
  mem: PhysMemory,
  rootPhys: number,
  abi: KhoAbi,
  out: BlockCollector,
  diags: DiagnosticSink,
  pageShift: number,
  opts: RadixOptions = {},
): RadixResult {
  const endian = opts.endianness ?? dumpEndianness(mem);
  const g = radixGeometry(abi, pageShift);
  const pageSize = 2 ** pageShift;
  const entries = pageSize / KHO_RADIX.TABLE_ENTRY_SIZE;
  const maxOrder = 52 - pageShift;
  const maxPfn = 2 ** (53 - pageShift);
  const visited = new Map<number, string>();
  // Node start by page-sized bucket (floor(addr / PAGE_SIZE)). Two nodes starting in one bucket share bytes, so a
  // bucket holds at most one start, and a node can only overlap the nodes of its own and the two next buckets.
  const byBucket = new Map<number, number>();
  let tables = 0;
  let leaves = 0;
  let unaligned = 0;

  // `site` is the pointer that led to `node` (a table slot, or the root FDT property): errors about where it leads,
  // a cycle included, are located at it. Without one (the root, no FDT site given) they are located at `node`.
  const visit = (
    node: number,
    level: number,
    prefix: number,
    from: string,
    site: PointerSite | undefined,
  ): void => {
    const fail = (code: string, expected: string, found: string) =>
      site
        ? pointerError(mem, site, code, expected, found)
        : khoError(mem, node, from, code, expected, found);
    const prev = visited.get(node);
    if (prev !== undefined) {
      throw fail(
        'KHO_ERR_CYCLE',
        'a radix node not reached before',
        `the node of ${prev} again, at ${hex(node)}`,
      );
    }
    // Every table and leaf is a page of its own (linux v7.3-rc7 kernel/liveupdate/kexec_handover.c
    // kho_radix_alloc_node()), and the incoming walk (__kho_radix_walk_tree()) trusts that. Two slots sharing a
    // node is a cycle or a DAG (above); two nodes sharing bytes (unaligned pointers a few bytes apart into one
    // all-ones page) would multiply one page of bits into hundreds of leaves: rejected before the node is read.
    const bucket = Math.floor(node / pageSize);
    for (const b of [bucket - 1, bucket, bucket + 1]) {
      const other = byBucket.get(b);
      if (other !== undefined && other < node + pageSize && node < other + pageSize) {
        throw fail(
          'KHO_ERR_ALIAS',
          `a radix node of its own (${pageSize} bytes no other node uses: the kernel allocates a page per node)`,
          `the bytes of the node of ${visited.get(other)} at ${hex(other)} (this one at ${hex(node)})`,
        );
      }
    }
    byBucket.set(bucket, node);
    if (visited.size >= KHO_BOUNDS.MAX_RADIX_NODES) {
      throw fail('KHO_ERR_BADCOUNT', `at most ${KHO_BOUNDS.MAX_RADIX_NODES} radix nodes`, 'more');
    }
    const name =
      level === 0
        ? `radix leaf (key prefix ${hex(prefix)})`
        : `radix level ${level} (key prefix ${hex(prefix)})`;
    visited.set(node, name);
    if (node % pageSize !== 0) unaligned++;
    const bytes = readPhysChecked(mem, node, pageSize, site ? name : `${name} from ${from}`, site);
    const view = viewOf(bytes);
    if (level > 0) {
      tables++;
      const shift = 2 ** (g.tableLog2 * (level - 1));
      for (let i = 0; i < entries; i++) {
        const lo = view.getUint32(i * 8, true);
        const hi = view.getUint32(i * 8 + 4, true);
        if (lo === 0 && hi === 0) continue;
        const child = u64At(mem, view, i * 8, node, `radix level ${level}.table[${i}]`, endian);
        const slot = `radix level ${level}.table[${i}] @ ${hex(node + i * 8)}`;
        visit(child, level - 1, prefix + i * shift, slot, { field: slot, phys: node + i * 8 });
      }
      return;
    }
    leaves++;
    // With a non-zero prefix the order marker is in the prefix, so every bit of this leaf has the same order.
    const leafOrder = prefix > 0 ? g.order0Log2 - (fls(prefix) + g.bitmapLog2) + 1 : -1;
    const markerInPrefix = prefix > 0 ? prefix - 2 ** (fls(prefix) - 1) : 0;
    for (let w = 0; w < pageSize; w += 4) {
      let word = bitmapWord(view, w, endian);
      while (word !== 0) {
        const low = word & -word;
        const b = w * 8 + 31 - Math.clz32(low);
        word = (word ^ low) >>> 0;
        let order: number;
        let pfnHigh: number;
        if (prefix > 0) {
          order = leafOrder;
          pfnHigh = markerInPrefix * 2 ** g.bitmapLog2 + b;
        } else {
          const f = fls(b);
          order = g.order0Log2 - f + 1;
          pfnHigh = f === 0 ? 0 : b - 2 ** (f - 1);
        }
        if (order < 0 || order > maxOrder) {
          throw khoError(
            mem,
            node + bitmapByteOf(b, endian),
            `${name} bit ${b}`,
            'KHO_ERR_BADORDER',
            `a key whose order marker gives an order in 0..${maxOrder}`,
            order < 0 ? 'bits above the order-0 marker' : `order ${order}`,
          );
        }
        const step = 2 ** order;
        const pfn = pfnHigh * step;
        if (pfn + step > maxPfn) {
          throw khoError(
            mem,
            node + bitmapByteOf(b, endian),
            `${name} bit ${b}`,
            'KHO_ERR_RANGE',
            'a block below 2^53',
            `pfn ${hex(pfn)} order ${order}`,
          );
        }
        out.addPfn(pfn, order);
      }
    }
  };

  visit(rootPhys, g.depth - 1, 0, opts.rootSite?.field ?? 'preserved-memory-map', opts.rootSite);
  if (unaligned > 0) {
    diags.warn(
      'KHO_RADIX_NODE_UNALIGNED',
      `${unaligned} radix node(s) are not page-aligned (the kernel allocates whole pages)`,
      {
        file: mem.name,
      },
    );
  }
  return { tables, leaves, nodes: [...visited.keys()] };
}
