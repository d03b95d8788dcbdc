// Reading untrusted physical pointers: every pointer is checked against the dump before it is followed, and every
// failure names the structure (`chunk[3].hdr.next`, `radix level 2 table[17]`), its physical address and, when the
// dump can tell, the byte offset in the core file. Values are read in the dump's byte order: KHO structures and
// property values are native-endian (spec kho-abi.md 2.3), so a big-endian host's dump holds big-endian ones.
import type { PhysMemory, SourceLocation } from '../../src/core/index.js';
import { TraceError, hex } from '../../src/core/index.js';
import type { ElfCore } from '../elf-core/index.js';

/** Byte order of the machine that wrote the handover (ElfCore.endianness spelling). */
export type KhoEndian = 'le' | 'be';

/**
 * A dump as the KHO decoders read it: PhysMemory, plus what an ELF core adds when it is one (ElfCore's byte order
 * and its file offsets, found by one binary search over the PT_LOADs with the overlap winner's bytes).
 */
export type KhoMemory = PhysMemory & Partial<Pick<ElfCore, 'endianness' | 'fileOffsetOf' | 'presentRanges'>>;

/** The dump's byte order when it says (an ELF core's EI_DATA), else little endian (x86_64, arm64). */
export function dumpEndianness(mem: PhysMemory | null): KhoEndian {
  const e = (mem as KhoMemory | null)?.endianness;
  return e === 'be' ? 'be' : 'le';
}

/**
 * Where a pointer was read from, for errors about where it leads: a slot in the dump (its physical address), or a
 * place in another file (an FDT property: `kho/fdt` offset 0x60, `/:preserved-memory-map`).
 */
export type PointerSite =
  | { readonly field: string; readonly phys: number }
  | { readonly field: string; readonly location: SourceLocation };

/** File offset holding physical address `addr` when the dump can tell (ELF cores can); null otherwise. */
function fileOffsetOf(mem: KhoMemory, addr: number): number | null {
  return typeof mem.fileOffsetOf === 'function' ? mem.fileOffsetOf(addr) : null;
}

/** Location of a physical address in a dump: the core file, its file offset when known, and the field. */
export function physLocation(mem: PhysMemory, addr: number, field: string): SourceLocation {
  const off = fileOffsetOf(mem, addr);
  const f = `${field} @ phys ${hex(addr)}`;
  return off === null ? { file: mem.name, field: f } : { file: mem.name, offset: off, field: f };
}

function siteLocation(mem: PhysMemory, site: PointerSite): SourceLocation {
  return 'phys' in site ? physLocation(mem, site.phys, site.field) : site.location;
}

export function khoError(
  mem: PhysMemory,
  addr: number,
  field: string,
  code: string,
  expected: string,
  found: string,
): TraceError {
  return new TraceError({ code, location: physLocation(mem, addr, field), expected, found });
}

/** An error about a pointer's value (a cycle, a target outside the dump), located at the pointer itself. */
export function pointerError(
  mem: PhysMemory,
  site: PointerSite,
  code: string,
  expected: string,
  found: string,
): TraceError {
  return new TraceError({ code, location: siteLocation(mem, site), expected, found });
}

/**
 * Read [addr, addr+length) or throw KHO_ERR_NOT_IN_DUMP naming `what` (the structure wanted). With `site`, the
 * error is located at the pointer that led here (which is in a file, so it has an offset); without, at `addr`.
 */
export function readPhysChecked(
  mem: PhysMemory,
  addr: number,
  length: number,
  what: string,
  site?: PointerSite,
): Uint8Array {
  // A pointer in another file (an FDT property) names the dump it should lead into.
  const dump = site && !('phys' in site) ? ` of ${mem.name}` : '';
  const fail = (expected: string, found: string): TraceError =>
    site
      ? pointerError(mem, site, 'KHO_ERR_NOT_IN_DUMP', `${what} at ${hex(addr)}${dump}: ${expected}`, found)
      : khoError(mem, addr, what, 'KHO_ERR_NOT_IN_DUMP', expected, found);
  if (
    !Number.isSafeInteger(addr) ||
    addr < 0 ||
    !Number.isSafeInteger(addr + length) ||
    !mem.hasPhys(addr, length)
  ) {
    throw fail(`${length} bytes present in the dump`, 'memory not in the dump');
  }
  const b = mem.readPhys(addr, length, what);
  if (b.length !== length) throw fail(`${length} bytes`, `${b.length} bytes`);
  return b;
}

/**
 * readPhysChecked(mem, addr, out.length, what, site) into `out`, with its errors: through the dump's readPhysInto
 * when it has one (no new buffer per read), else a copy of what readPhysChecked returns.
 */
export function readPhysCheckedInto(
  mem: PhysMemory,
  addr: number,
  out: Uint8Array,
  what: string,
  site?: PointerSite,
): void {
  const length = out.length;
  if (
    mem.readPhysInto === undefined ||
    !Number.isSafeInteger(addr) ||
    addr < 0 ||
    !Number.isSafeInteger(addr + length) ||
    !mem.hasPhys(addr, length)
  ) {
    out.set(readPhysChecked(mem, addr, length, what, site));
    return;
  }
  mem.readPhysInto(addr, out, what);
}

/** A DataView over bytes (which may be a subarray). */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** u32 at `off` in the dump's byte order. */
export function u32At(view: DataView, off: number, endian: KhoEndian): number {
  return view.getUint32(off, endian === 'le');
}

/**
 * u64 at `off` of a structure read from memory at `baseAddr`, in the dump's byte order, as a safe number or
 * KHO_ERR_RANGE naming the field.
 */
export function u64At(
  mem: PhysMemory,
  view: DataView,
  off: number,
  baseAddr: number,
  field: string,
  endian: KhoEndian,
): number {
  const le = endian === 'le';
  const lo = view.getUint32(off + (le ? 0 : 4), le);
  const hi = view.getUint32(off + (le ? 4 : 0), le);
  const v = hi * 0x1_0000_0000 + lo;
  if (v > Number.MAX_SAFE_INTEGER) {
    throw khoError(
      mem,
      baseAddr + off,
      field,
      'KHO_ERR_RANGE',
      'a value below 2^53',
      `0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`,
    );
  }
  return v;
}

// Linux bitmaps are arrays of unsigned long (64 bits on every KHO platform): bit b is bit b % 64 of long b / 64
// (include/linux/bits.h BIT_WORD/BIT_MASK). On little endian that is byte b / 8; on big endian the long's bytes
// are reversed, so its low 32 bits are at +4 and bit b's byte is (b / 8) ^ 7.

/** Bits [32 * (w / 4), 32 * (w / 4) + 32) of a bitmap as one u32 (`w` a multiple of 4, bitmap size of 8). */
export function bitmapWord(view: DataView, w: number, endian: KhoEndian): number {
  return endian === 'le' ? view.getUint32(w, true) : view.getUint32(w ^ 4, false);
}

/** Byte offset of bit `b` in a bitmap, for error locations. */
export function bitmapByteOf(b: number, endian: KhoEndian): number {
  return endian === 'le' ? b >> 3 : (b >> 3) ^ 7;
}
