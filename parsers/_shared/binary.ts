// The one wrapper around binary-parser's parse(): bounds first, then decode, and every failure becomes a
// located TraceError instead of a RangeError from deep inside the library.
import type { Parser } from 'binary-parser';
import { TraceError, U64_MAX_SAFE } from '../../src/core/index.js';

export interface StructAt {
  /** Display name of the input. */
  readonly file: string;
  /** Field path named in errors, kernel spelling: `fdt_header`, `chunk[3].hdr`. */
  readonly field: string;
  /** Error code used when the bytes are too short. */
  readonly truncatedCode: string;
}

/**
 * Decode `size` bytes at `offset` of `bytes` with a binary-parser declaration. `size` is the declared struct
 * size (the caller knows it from layout.ts); fewer available bytes raise `truncatedCode` at `offset`.
 */
export function parseStruct<T>(
  parser: Parser,
  bytes: Uint8Array,
  offset: number,
  size: number,
  at: StructAt,
): T {
  if (offset < 0 || offset + size > bytes.length) {
    throw new TraceError({
      code: at.truncatedCode,
      location: { file: at.file, offset: Math.max(0, offset), field: at.field },
      expected: `${size} bytes`,
      found: `${Math.max(0, bytes.length - offset)} bytes before end of input`,
    });
  }
  try {
    return parser.parse(bytes.subarray(offset, offset + size)) as T;
  } catch (e) {
    throw new TraceError({
      code: at.truncatedCode,
      location: { file: at.file, offset, field: at.field },
      expected: `a decodable ${at.field}`,
      found: e instanceof Error ? e.message : String(e),
    });
  }
}

/** Combine two u32 halves into a number, rejecting values above 2^53 - 1 with a located error. */
export function u64FromHalves(
  hi: number,
  lo: number,
  file: string,
  offset: number,
  field: string,
  code: string,
): number {
  const v = hi * 0x1_0000_0000 + lo;
  if (v > U64_MAX_SAFE) {
    throw new TraceError({
      code,
      location: { file, offset, field },
      expected: `a value below 2^53`,
      found: `0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`,
    });
  }
  return v;
}

/** Read a u64 from a DataView at `offset` (little endian when `le`), as a safe number or a located error. */
export function readU64(
  view: DataView,
  offset: number,
  le: boolean,
  file: string,
  fileOffset: number,
  field: string,
  code: string,
): number {
  const lo = view.getUint32(offset + (le ? 0 : 4), le);
  const hi = view.getUint32(offset + (le ? 4 : 0), le);
  return u64FromHalves(hi, lo, file, fileOffset, field, code);
}
