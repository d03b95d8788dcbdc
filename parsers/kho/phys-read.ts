// Reading untrusted physical pointers: every pointer is checked against the dump before it is followed, and every
// failure names the structure (`chunk[3].hdr.next`, `radix level 2 table[17]`) and the physical address.
import type { PhysMemory, SourceLocation } from '../../src/core/index.js';
import { TraceError, hex } from '../../src/core/index.js';

/** What an ELF core adds to PhysMemory (parsers/elf-core ElfCore.fileOffsetOf), read structurally. */
interface FileOffsetAware {
  fileOffsetOf?(addr: number): number | null;
}

/** File offset holding physical address `addr` when the dump can tell (ELF cores can); null otherwise. */
function fileOffsetOf(mem: PhysMemory, addr: number): number | null {
  const f = (mem as PhysMemory & FileOffsetAware).fileOffsetOf;
  return typeof f === 'function' ? f.call(mem, addr) : null;
}

/** Location of a physical address in a dump: the core file, its file offset when known, and the field. */
export function physLocation(mem: PhysMemory, addr: number, field: string): SourceLocation {
  const off = fileOffsetOf(mem, addr);
  const f = `${field} @ phys ${hex(addr)}`;
  return off === null ? { file: mem.name, field: f } : { file: mem.name, offset: off, field: f };
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

/** Read [addr, addr+length) or throw KHO_ERR_NOT_IN_DUMP naming `what` (the pointer that led here). */
export function readPhysChecked(mem: PhysMemory, addr: number, length: number, what: string): Uint8Array {
  if (
    !Number.isSafeInteger(addr) ||
    addr < 0 ||
    !Number.isSafeInteger(addr + length) ||
    !mem.hasPhys(addr, length)
  ) {
    throw khoError(
      mem,
      addr,
      what,
      'KHO_ERR_NOT_IN_DUMP',
      `${length} bytes present in the dump`,
      'memory not in the dump',
    );
  }
  const b = mem.readPhys(addr, length, what);
  if (b.length !== length) {
    throw khoError(mem, addr, what, 'KHO_ERR_NOT_IN_DUMP', `${length} bytes`, `${b.length} bytes`);
  }
  return b;
}

/** A DataView over bytes (which may be a subarray). */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** u64 at `off` of a little-endian structure read from memory, as a safe number or KHO_ERR_RANGE naming the field. */
export function u64At(mem: PhysMemory, view: DataView, off: number, baseAddr: number, field: string): number {
  const lo = view.getUint32(off, true);
  const hi = view.getUint32(off + 4, true);
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
