// kho-v1 preserved-memory map: kernel/kexec_handover.c kho_mem_deserialize()/deserialize_bitmap() (K616 @8f4abe676eaa
// for 512-byte bitmaps, K618 @a4a508df2aa3 and K619 @dd03dd60e8cd for page-sized ones). Spec section 4.1.
import type { DiagnosticSink, PhysMemory } from '../../src/core/index.js';
import { hex } from '../../src/core/index.js';
import { parseStruct } from '../_shared/index.js';
import type { BlockCollector } from './block-collector.js';
import { KHO_BOUNDS, KHOSER } from './constants.js';
import type { KhoserMemChunkHdr } from './layout.js';
import { KHOSER_MEM_CHUNK_HDR, KHOSER_MEM_CHUNK_HDR_SIZE } from './layout.js';
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
import type { KhoBitmapEvidence, KhoBitmapFormat } from './types.js';

export interface ChunkListOptions {
  readonly pageShift: number;
  /** Skip the heuristics and decode with this bitmap size. */
  readonly bitmapFormat?: KhoBitmapFormat;
  /** Byte order of the chunks and bitmaps; default the dump's (little endian when it does not say). */
  readonly endianness?: KhoEndian;
  /** Where the head pointer was read (the root FDT's preserved-memory-map), to locate errors about it. */
  readonly headSite?: PointerSite;
}

export interface ChunkListResult {
  readonly format: KhoBitmapFormat;
  readonly evidence: KhoBitmapEvidence;
  readonly chunks: number;
  readonly bitmaps: number;
}

/** One `struct khoser_mem_bitmap_ptr` with the chunk header's order, and where it was found. */
interface BitmapEntry {
  readonly order: number;
  readonly physStart: number;
  readonly bitmap: number;
  readonly label: string;
  /** Physical address of the entry's `bitmap` field. */
  readonly bitmapSlot: number;
}

/**
 * The list's entries, columnar: a hostile list of millions of chunks costs 26 bytes per entry, not an object each.
 * Bounded by KHO_BOUNDS.MAX_BLOCKS (the kernel only makes a bitmap for a set bit).
 */
class EntryColumns {
  length = 0;
  private physStart = new Float64Array(256);
  private bitmap = new Float64Array(256);
  private order = new Uint8Array(256);
  private chunk = new Uint32Array(256);
  private index = new Uint16Array(256);

  push(order: number, physStart: number, bitmap: number, chunk: number, index: number): void {
    if (this.length === this.physStart.length) {
      const grow = <T extends Float64Array | Uint8Array | Uint32Array | Uint16Array>(
        a: T,
        make: (n: number) => T,
      ): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.physStart = grow(this.physStart, (n) => new Float64Array(n));
      this.bitmap = grow(this.bitmap, (n) => new Float64Array(n));
      this.order = grow(this.order, (n) => new Uint8Array(n));
      this.chunk = grow(this.chunk, (n) => new Uint32Array(n));
      this.index = grow(this.index, (n) => new Uint16Array(n));
    }
    const i = this.length++;
    this.physStart[i] = physStart;
    this.bitmap[i] = bitmap;
    this.order[i] = order;
    this.chunk[i] = chunk;
    this.index[i] = index;
  }

  /** Every entry's bitmap address, in list order (a view: valid until the next push). */
  bitmapAddresses(): Float64Array {
    return this.bitmap.subarray(0, this.length);
  }

  /** Entry `i`; `chunkPhys` holds each chunk's address, by chunk number. */
  at(i: number, chunkPhys: readonly number[]): BitmapEntry {
    const c = this.chunk[i]!;
    const k = this.index[i]!;
    return {
      order: this.order[i]!,
      physStart: this.physStart[i]!,
      bitmap: this.bitmap[i]!,
      label: `chunk[${c}].bitmaps[${k}]`,
      bitmapSlot: chunkPhys[c]! + KHOSER_MEM_CHUNK_HDR_SIZE + k * KHOSER.KHOSER_BITMAP_PTR_SIZE + 8,
    };
  }
}

/** Largest order whose block still fits below 2^52 bytes (the kernel's `1 << (order + PAGE_SHIFT)` is 64-bit). */
function maxOrderFor(pageShift: number): number {
  return 52 - pageShift;
}

/**
 * Walk the chunk list at `headPhys`, decide the bitmap format (spec 4.1.4), and add every set bit's block to
 * `out`. Throws KHO_ERR_* naming the chunk and entry; soft problems go to `diags`.
 */
export function decodeChunkList(
  mem: PhysMemory,
  headPhys: number,
  out: BlockCollector,
  diags: DiagnosticSink,
  opts: ChunkListOptions,
): ChunkListResult {
  const pageSize = 2 ** opts.pageShift;
  const endian = opts.endianness ?? dumpEndianness(mem);
  const capacity = (pageSize - KHOSER_MEM_CHUNK_HDR_SIZE) / KHOSER.KHOSER_BITMAP_PTR_SIZE;
  const entries = new EntryColumns();
  const seen = new Map<number, number>();
  const chunkPhys: number[] = [];
  let chunk = headPhys;
  // The pointer being followed: errors about where it leads are located at it (a cycle is the `next` closing it).
  let site: PointerSite | undefined = opts.headSite;
  let from = opts.headSite?.field ?? 'preserved-memory-map';
  let idx = 0;
  let misalignedChunks = 0;

  // 1. The list itself: headers and bitmap pointers, with cycle and count checks before anything is followed.
  while (chunk !== 0) {
    const prev = seen.get(chunk);
    if (prev !== undefined) {
      const expected = 'a chunk not visited before';
      const found = `chunk[${prev}] again, at ${hex(chunk)}`;
      throw site
        ? pointerError(mem, site, 'KHO_ERR_CYCLE', expected, found)
        : khoError(mem, chunk, from, 'KHO_ERR_CYCLE', expected, found);
    }
    if (idx >= KHO_BOUNDS.MAX_CHUNKS) {
      const expected = `at most ${KHO_BOUNDS.MAX_CHUNKS} chunks`;
      throw site
        ? pointerError(mem, site, 'KHO_ERR_BADCOUNT', expected, 'more')
        : khoError(mem, chunk, from, 'KHO_ERR_BADCOUNT', expected, 'more');
    }
    seen.set(chunk, idx);
    chunkPhys.push(chunk);
    if (chunk % pageSize !== 0) misalignedChunks++;
    const name = `chunk[${idx}]`;
    const bytes = readPhysChecked(mem, chunk, pageSize, site ? name : `${name} (from ${from})`, site);
    const hdr = parseStruct<KhoserMemChunkHdr>(
      KHOSER_MEM_CHUNK_HDR[endian],
      bytes,
      0,
      KHOSER_MEM_CHUNK_HDR_SIZE,
      {
        file: mem.name,
        field: `${name}.hdr`,
        truncatedCode: 'KHO_ERR_NOT_IN_DUMP',
      },
    );
    const view = viewOf(bytes);
    if (hdr.num_elms > capacity) {
      throw khoError(
        mem,
        chunk + 12,
        `${name}.hdr.num_elms`,
        'KHO_ERR_BADCOUNT',
        `at most ${capacity}`,
        `${hdr.num_elms}`,
      );
    }
    if (hdr.order > maxOrderFor(opts.pageShift)) {
      throw khoError(
        mem,
        chunk + 8,
        `${name}.hdr.order`,
        'KHO_ERR_BADORDER',
        `at most ${maxOrderFor(opts.pageShift)}`,
        `${hdr.order}`,
      );
    }
    if (hdr.num_elms === 0) {
      diags.warn(
        'KHO_V1_EMPTY_CHUNK',
        `${name} at ${hex(chunk)} has num_elms = 0 (the kernel never writes one)`,
        {
          file: mem.name,
          field: `${name}.hdr.num_elms`,
        },
      );
    }
    for (let i = 0; i < hdr.num_elms; i++) {
      const off = KHOSER_MEM_CHUNK_HDR_SIZE + i * KHOSER.KHOSER_BITMAP_PTR_SIZE;
      const label = `${name}.bitmaps[${i}]`;
      const physStart = u64At(mem, view, off, chunk, `${label}.phys_start`, endian);
      const bitmap = u64At(mem, view, off + 8, chunk, `${label}.bitmap`, endian);
      if (physStart % pageSize !== 0) {
        throw khoError(
          mem,
          chunk + off,
          `${label}.phys_start`,
          'KHO_ERR_BADADDR',
          'a page-aligned address',
          hex(physStart),
        );
      }
      if (entries.length >= KHO_BOUNDS.MAX_BLOCKS) {
        throw khoError(
          mem,
          chunk + off,
          label,
          'KHO_ERR_BADCOUNT',
          `at most ${KHO_BOUNDS.MAX_BLOCKS} bitmaps`,
          'more',
        );
      }
      entries.push(hdr.order, physStart, bitmap, idx, i);
    }
    from = `${name}.hdr.next`;
    site = { field: from, phys: chunk };
    chunk = u64At(mem, view, 0, chunk, from, endian);
    idx++;
  }
  if (misalignedChunks > 0) {
    diags.warn(
      'KHO_V1_CHUNK_UNALIGNED',
      `${misalignedChunks} chunk(s) are not page-aligned (the kernel allocates whole pages)`,
      {
        file: mem.name,
      },
    );
  }

  // 2. The bitmap size (spec 4.1.4).
  let format: KhoBitmapFormat;
  let evidence: KhoBitmapEvidence;
  if (opts.bitmapFormat) {
    format = opts.bitmapFormat;
    evidence = { kind: 'forced', proof: false, detail: `bitmap format ${format} given by the caller` };
  } else {
    evidence = proveFormat512(entries, chunkPhys, opts.pageShift) ?? {
      kind: 'default-page',
      proof: false,
      detail: '',
    };
    format = evidence.kind === 'default-page' ? 'page' : '512';
  }

  // 3. No two structures share bytes, checked before any bitmap is read (issue 13: three 4 KiB chunks whose 255
  // bitmap pointers all named one all-ones page decoded to 25M blocks from a 21 KB bundle). The outgoing kernel
  // allocates each bitmap on its own, one per (order, index) of its tracker (linux v6.16..v6.19
  // kernel/kexec_handover.c xa_load_or_alloc(): kzalloc(512) in 6.16, a page from 6.18), and each chunk is a page
  // of its own (new_chunk()). The incoming kernel trusts its predecessor and checks nothing
  // (deserialize_bitmap()), so this bound is the writer's invariant: distinct bitmaps make the blocks decoded at
  // most 8 per byte of bitmap present in the dump.
  checkNoAliasing(mem, entries, chunkPhys, pageSize, format === '512' ? KHOSER.PRESERVE_BITS_512 / 8 : pageSize);

  // 4. The bitmaps: each set bit b is one block at phys_start + (b << (order + PAGE_SHIFT)).
  const bits = format === '512' ? KHOSER.PRESERVE_BITS_512 : pageSize * 8;
  const nbytes = bits / 8;
  const maxPfn = 2 ** (53 - opts.pageShift);
  let misalignedStarts = 0;
  let beyond512: string | null = null;
  for (let k = 0; k < entries.length; k++) {
    const e = entries.at(k, chunkPhys);
    const bytes = readPhysChecked(mem, e.bitmap, nbytes, 'the bitmap', {
      field: `${e.label}.bitmap`,
      phys: e.bitmapSlot,
    });
    const view = viewOf(bytes);
    const step = 2 ** e.order;
    const pfnStart = e.physStart / pageSize;
    if (pfnStart % (bits * step) !== 0) misalignedStarts++;
    for (let w = 0; w < nbytes; w += 4) {
      let word = bitmapWord(view, w, endian);
      if (word === 0) continue;
      if (w >= 512 && beyond512 === null && e.bitmap % pageSize === 0)
        beyond512 = `${e.label}.bitmap = ${hex(e.bitmap)}`;
      const base = w * 8;
      while (word !== 0) {
        const low = word & -word;
        const b = base + 31 - Math.clz32(low);
        word = (word ^ low) >>> 0;
        const pfn = pfnStart + b * step;
        if (pfn + step > maxPfn) {
          throw khoError(
            mem,
            e.bitmap + bitmapByteOf(b, endian),
            `${e.label}.bitmap bit ${b}`,
            'KHO_ERR_RANGE',
            'a block below 2^53',
            `pfn ${hex(pfn)} order ${e.order}`,
          );
        }
        out.addPfn(pfn, e.order);
      }
    }
  }
  if (misalignedStarts > 0) {
    diags.warn(
      'KHO_V1_PHYS_START_MISALIGNED',
      `${misalignedStarts} bitmap(s) have a phys_start that is not a multiple of PRESERVE_BITS << (order + PAGE_SHIFT) for the ${format} format`,
      { file: mem.name },
    );
  }
  if (evidence.kind === 'default-page' && beyond512 !== null) {
    evidence = { kind: 'bits-beyond-512-bytes', proof: false, detail: beyond512 };
  }
  return { format, evidence, chunks: idx, bitmaps: entries.length };
}

/** Index of the first sorted element whose range [a, a + size) ends after `addr`. */
function firstEndingAfter(sorted: Float64Array, size: number, addr: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! + size > addr) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Throw KHO_ERR_ALIAS when two bitmaps share a byte, or a bitmap shares a byte with a chunk, naming the later
 * entry (in list order) and where its bitmap pointer is. Sorted once: O(n log n) for n bitmaps.
 */
function checkNoAliasing(
  mem: PhysMemory,
  entries: EntryColumns,
  chunkPhys: readonly number[],
  pageSize: number,
  nbytes: number,
): void {
  const addrs = entries.bitmapAddresses();
  const sorted = Float64Array.from(addrs).sort();
  const fail = (later: number, found: string): never => {
    const e = entries.at(later, chunkPhys);
    throw pointerError(
      mem,
      { field: `${e.label}.bitmap`, phys: e.bitmapSlot },
      'KHO_ERR_ALIAS',
      `a bitmap of its own (${nbytes} bytes no other bitmap or chunk uses: the kernel allocates one per entry)`,
      found,
    );
  };
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]! < sorted[i - 1]! + nbytes) {
      // The two entries whose bitmaps overlap, in list order; the later one is the one reported.
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      let first = -1;
      let second = -1;
      for (let k = 0; k < addrs.length && second < 0; k++) {
        const v = addrs[k]!;
        if (v !== a && v !== b) continue;
        if (first < 0) first = k;
        else if (a === b || v !== addrs[first]) second = k;
      }
      const f = entries.at(first, chunkPhys);
      fail(second, `the bytes of ${f.label}.bitmap at ${hex(addrs[first]!)} (this one at ${hex(addrs[second]!)})`);
    }
  }
  for (let c = 0; c < chunkPhys.length; c++) {
    const chunk = chunkPhys[c]!;
    const i = firstEndingAfter(sorted, nbytes, chunk);
    if (i < sorted.length && sorted[i]! < chunk + pageSize) {
      const k = addrs.indexOf(sorted[i]!);
      fail(k, `the bytes of chunk[${c}] at ${hex(chunk)}`);
    }
  }
}

/** Proof of the 512-byte format, if any entry gives one (spec 4.1.4); null otherwise. */
function proveFormat512(
  entries: EntryColumns,
  chunkPhys: readonly number[],
  pageShift: number,
): KhoBitmapEvidence | null {
  const pageSize = 2 ** pageShift;
  for (let k = 0; k < entries.length; k++) {
    const e = entries.at(k, chunkPhys);
    if (e.bitmap % pageSize !== 0) {
      return {
        kind: 'bitmap-pointer-unaligned',
        proof: true,
        detail: `${e.label}.bitmap = ${hex(e.bitmap)}`,
      };
    }
  }
  const bits512Log2 = Math.log2(KHOSER.PRESERVE_BITS_512);
  const bitsPageLog2 = pageShift + 3;
  for (let k = 0; k < entries.length; k++) {
    const e = entries.at(k, chunkPhys);
    const a512 = 2 ** (bits512Log2 + e.order + pageShift);
    const aPage = 2 ** (bitsPageLog2 + e.order + pageShift);
    if (e.physStart % a512 === 0 && e.physStart % aPage !== 0) {
      return {
        kind: 'phys-start-alignment',
        proof: true,
        detail: `${e.label}.phys_start = ${hex(e.physStart)} (order ${e.order}) is a multiple of ${hex(a512)} but not of ${hex(aPage)}`,
      };
    }
  }
  return null;
}
