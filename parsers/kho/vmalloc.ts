// vmalloc preservation: kernel/kexec_handover.c kho_restore_vmalloc() (K618 @a4a508df2aa3; K619 @dd03dd60e8cd fixed
// the order > 0 mapping) and struct kho_vmalloc / kho_vmalloc_chunk (H619). Spec section 4.3.
import type { DiagnosticSink, PhysMemory, SourceLocation } from '../../src/core/index.js';
import { TraceError, hex } from '../../src/core/index.js';
import { parseStruct, u64FromHalves } from '../_shared/index.js';
import { KHO_BOUNDS, KHO_VMALLOC } from './constants.js';
import type { KhoVmallocDesc } from './layout.js';
import { KHO_VMALLOC_DESC, KHO_VMALLOC_SIZE_BYTES } from './layout.js';
import type { KhoEndian, PointerSite } from './phys-read.js';
import {
  dumpEndianness,
  khoError,
  pointerError,
  readPhysChecked,
  readPhysCheckedInto,
  u64At,
  viewOf,
} from './phys-read.js';
import type { KhoVmallocArea } from './types.js';

/**
 * Decode a 16-byte `struct kho_vmalloc` (found at `at`, usually an FDT property) and follow its chunk list in `mem`.
 * Throws KHO_ERR_* for cycles, pointers outside the dump and impossible counts; a block count that does not match
 * `total_pages` is a diagnostic (the kernel's restore would fail with it, the decoder still reports what is there).
 * `endian`: the descriptor and chunks are native-endian; default the dump's byte order.
 */
export function decodeVmalloc(
  desc: Uint8Array,
  at: SourceLocation,
  owner: string,
  mem: PhysMemory,
  diags: DiagnosticSink,
  pageShift: number,
  endian: KhoEndian = dumpEndianness(mem),
): KhoVmallocArea {
  const d = parseStruct<KhoVmallocDesc>(KHO_VMALLOC_DESC[endian], desc, 0, KHO_VMALLOC_SIZE_BYTES, {
    file: at.file,
    field: at.field ?? 'kho_vmalloc',
    truncatedCode: 'KHO_ERR_BADPROP',
  });
  if (desc.length !== KHO_VMALLOC_SIZE_BYTES) {
    throw new TraceError({
      code: 'KHO_ERR_BADPROP',
      location: at,
      expected: `${KHO_VMALLOC_SIZE_BYTES} bytes (struct kho_vmalloc)`,
      found: `${desc.length} bytes`,
    });
  }
  const first = u64FromHalves(
    d.first_hi,
    d.first_lo,
    at.file,
    at.offset ?? 0,
    `${at.field ?? 'kho_vmalloc'}.first`,
    'KHO_ERR_RANGE',
  );
  const known = KHO_VMALLOC.KHO_VMALLOC_ALLOC | KHO_VMALLOC.KHO_VMALLOC_HUGE_VMAP;
  if ((d.flags & ~known) !== 0) {
    diags.warn(
      'KHO_VMALLOC_FLAGS',
      `${owner}: unknown flags ${hex(d.flags)} (known: ALLOC 0x1, HUGE_VMAP 0x2)`,
      at,
    );
  }
  const maxOrder = 52 - pageShift;
  if (d.order > maxOrder) {
    throw new TraceError({
      code: 'KHO_ERR_BADORDER',
      location: at,
      expected: `order at most ${maxOrder}`,
      found: `${d.order}`,
    });
  }
  const pageSize = 2 ** pageShift;
  const perChunk = (pageSize - 8) / 8; // KHO_VMALLOC_SIZE
  const pagesPerBlock = 2 ** d.order;
  const maxBlocks = Math.ceil(d.total_pages / pagesPerBlock);
  const blocks: number[] = [];
  const chunkPhys: number[] = [];
  const seen = new Map<number, number>();
  let chunk = first;
  // The pointer being followed (the descriptor's `first` in its file, then each chunk's `next`): errors about where
  // it leads are located at it.
  let site: PointerSite = {
    field: `${owner}.first`,
    location: { ...at, field: `${at.field ?? owner}.first` },
  };
  while (chunk !== 0) {
    const prev = seen.get(chunk);
    if (prev !== undefined) {
      throw pointerError(
        mem,
        site,
        'KHO_ERR_CYCLE',
        'a vmalloc chunk not visited before',
        `chunk[${prev}] again, at ${hex(chunk)}`,
      );
    }
    if (chunkPhys.length >= KHO_BOUNDS.MAX_VMALLOC_CHUNKS) {
      throw pointerError(
        mem,
        site,
        'KHO_ERR_BADCOUNT',
        `at most ${KHO_BOUNDS.MAX_VMALLOC_CHUNKS} chunks`,
        'more',
      );
    }
    const name = `${owner} chunk[${chunkPhys.length}]`;
    seen.set(chunk, chunkPhys.length);
    chunkPhys.push(chunk);
    const view = viewOf(readPhysChecked(mem, chunk, pageSize, name, site));
    for (let i = 0; i < perChunk; i++) {
      const off = 8 + i * 8;
      if (view.getUint32(off, true) === 0 && view.getUint32(off + 4, true) === 0) break;
      if (blocks.length >= maxBlocks) {
        throw khoError(
          mem,
          chunk + off,
          `${name}.phys[${i}]`,
          'KHO_ERR_BADCOUNT',
          `at most ${maxBlocks} blocks (total_pages ${d.total_pages}, order ${d.order})`,
          'more',
        );
      }
      blocks.push(u64At(mem, view, off, chunk, `${name}.phys[${i}]`, endian));
    }
    site = { field: `${name}.next`, phys: chunk };
    chunk = u64At(mem, view, 0, chunk, site.field, endian);
  }
  if (blocks.length * pagesPerBlock !== d.total_pages) {
    diags.warn(
      'KHO_VMALLOC_COUNT',
      `${owner}: ${blocks.length} block(s) of order ${d.order} hold ${blocks.length * pagesPerBlock} pages, total_pages says ${d.total_pages} (kho_restore_vmalloc would fail)`,
      at,
    );
  }
  return {
    owner,
    first,
    totalPages: d.total_pages,
    flags: d.flags,
    order: d.order,
    chunkPhys,
    blockPhys: Float64Array.from(blocks),
  };
}

/** The most bytes of a vmalloc area read at once (neighbouring blocks joined into one read). */
const COALESCE_BYTES = 16 * 1024 * 1024;

/**
 * The area's block size in bytes, once `length` is known to fit its blocks: the blocks were read from the dump, so
 * what they can hold is bounded by the input, and a length from another field (nr_folios) is checked against it
 * before it sizes anything (KHO_ERR_BADCOUNT).
 */
function contentsBlockBytes(
  area: KhoVmallocArea,
  mem: PhysMemory,
  length: number,
  pageShift: number,
): number {
  const blockBytes = 2 ** (pageShift + area.order);
  const capacity = area.blockPhys.length * blockBytes;
  if (!Number.isSafeInteger(length) || length < 0 || length > capacity) {
    throw khoError(
      mem,
      area.first,
      `${area.owner}`,
      'KHO_ERR_BADCOUNT',
      `at most ${capacity} bytes of contents (${area.blockPhys.length} block(s) of order ${area.order})`,
      `${length} bytes wanted`,
    );
  }
  return blockBytes;
}

/**
 * The end (exclusive) of the blocks from `i` read as one range: those that follow each other in memory, while the
 * range is short of `left` bytes and stays within `maxBytes` (always block `i` itself).
 */
function spanEnd(
  blocks: Float64Array,
  i: number,
  blockBytes: number,
  left: number,
  maxBytes: number,
): number {
  let j = i + 1;
  while (
    j < blocks.length &&
    (j - i) * blockBytes < left &&
    (j - i + 1) * blockBytes <= maxBytes &&
    blocks[j]! === blocks[j - 1]! + blockBytes
  )
    j++;
  return j;
}

/** The error when the blocks end before `length` bytes: `done` read. */
function shortContents(area: KhoVmallocArea, mem: PhysMemory, length: number, done: number): Error {
  return khoError(
    mem,
    area.first,
    `${area.owner}`,
    'KHO_ERR_BADCOUNT',
    `${length} bytes of contents`,
    `${done} bytes in ${area.blockPhys.length} block(s)`,
  );
}

/** Read `length` bytes of the area's contents, block after block (blocks need not be contiguous). */
export function readVmallocContents(
  area: KhoVmallocArea,
  mem: PhysMemory,
  length: number,
  pageShift: number,
): Uint8Array {
  const blockBytes = contentsBlockBytes(area, mem, length, pageShift);
  // made on the first read that is not the whole contents
  let out: Uint8Array | null = null;
  const blocks = area.blockPhys;
  let done = 0;
  for (let i = 0; done < length && i < blocks.length;) {
    // Blocks that follow each other in memory (a vmalloc area's pages usually do) are read as one range, up to
    // COALESCE_BYTES: one read instead of one per page. A range that fails is read again block by block, so an
    // error names the same block and location as before.
    const j = spanEnd(blocks, i, blockBytes, length - done, COALESCE_BYTES);
    const n = Math.min((j - i) * blockBytes, length - done);
    let whole: Uint8Array | null = null;
    if (j > i + 1) {
      try {
        whole = readPhysChecked(mem, blocks[i]!, n, `${area.owner} block[${i}]`);
      } catch (e) {
        if (!(e instanceof TraceError)) throw e;
      }
    }
    // the whole contents in one read (a folio array's pages are usually contiguous): its bytes, not a copy of them
    if (whole && done === 0 && n === length) return whole;
    if (whole) {
      (out ??= new Uint8Array(length)).set(whole, done);
      done += n;
      i = j;
      continue;
    }
    const m = Math.min(blockBytes, length - done);
    const bytes = readPhysChecked(mem, blocks[i]!, m, `${area.owner} block[${i}]`);
    if (done === 0 && m === length) return bytes;
    (out ??= new Uint8Array(length)).set(bytes, done);
    done += m;
    i++;
  }
  if (done < length) throw shortContents(area, mem, length, done);
  return out ?? new Uint8Array(0);
}

/** The most bytes readVmallocSpans hands on at once: 256 KiB (in L2 when the caller reads them), into one buffer reused from call to call. */
export const VMALLOC_SPAN_BYTES = 1 << 18;

let spanBuffer = new Uint8Array(0);

/** A buffer of at least n bytes: the shared one up to VMALLOC_SPAN_BYTES, a new one past that (a single huge block). */
function spanScratch(n: number): Uint8Array {
  if (n > VMALLOC_SPAN_BYTES) return new Uint8Array(n);
  if (spanBuffer.length < n) spanBuffer = new Uint8Array(VMALLOC_SPAN_BYTES);
  return spanBuffer;
}

/**
 * readVmallocContents(area, mem, length, pageShift) handed to `each` in order, a span of at most `maxSpan` bytes
 * (or one block, when a block is larger) at a time, instead of one buffer of `length` bytes: a memfd's folio array
 * is 133 MB at 8M folios, and a new buffer that size is paged in and zeroed by the kernel before it is read into.
 * The spans are read into one buffer reused by every call (through the dump's readPhysInto when it has one): `each`
 * must be done with a span's bytes when it returns. Same bytes, same checks and the same errors as
 * readVmallocContents (a failed span is read again block by block, so the error names the block), raised when the
 * reading reaches them: the spans before a missing block have been handed on.
 */
export function readVmallocSpans(
  area: KhoVmallocArea,
  mem: PhysMemory,
  length: number,
  pageShift: number,
  each: (bytes: Uint8Array) => void,
  maxSpan = VMALLOC_SPAN_BYTES,
): void {
  const blockBytes = contentsBlockBytes(area, mem, length, pageShift);
  const blocks = area.blockPhys;
  let done = 0;
  for (let i = 0; done < length && i < blocks.length;) {
    const j = spanEnd(blocks, i, blockBytes, length - done, maxSpan);
    const n = Math.min((j - i) * blockBytes, length - done);
    if (j > i + 1) {
      const span = spanScratch(n).subarray(0, n);
      let read = true;
      try {
        readPhysCheckedInto(mem, blocks[i]!, span, `${area.owner} block[${i}]`);
      } catch (e) {
        if (!(e instanceof TraceError)) throw e;
        read = false;
      }
      if (read) {
        each(span);
        done += n;
        i = j;
        continue;
      }
    }
    const m = Math.min(blockBytes, length - done);
    const block = spanScratch(m).subarray(0, m);
    readPhysCheckedInto(mem, blocks[i]!, block, `${area.owner} block[${i}]`);
    each(block);
    done += m;
    i++;
  }
  if (done < length) throw shortContents(area, mem, length, done);
}
