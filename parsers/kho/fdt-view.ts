// KHO's reads of decoded FDT nodes (parsers/fdt FdtNode/FdtProp, from parseFdt or hand-made in tests). Lookups are
// parsers/fdt's (getProp, findNode). The typed reads below stay here because KHO reads differ from DT ones: a KHO
// value is a raw native-endian integer of an exact length, and a bad one is a KHO_ERR_* (the FDT container is fine),
// while parsers/fdt's propU32/propU64 accept longer values, read cells, and throw FDT_ERR_BADVALUE.
import type { FdtNode, FdtProp } from '../fdt/index.js';
import { TraceError, hex } from '../../src/core/index.js';
import { readU64 } from '../_shared/index.js';
import type { KhoEndian } from './phys-read.js';

/** @deprecated parsers/fdt's FdtNode; the alias keeps test/builders/kho-image.ts compiling. */
export type KhoFdtNode = FdtNode;
/** @deprecated parsers/fdt's FdtProp. */
export type KhoFdtProp = FdtProp;

/**
 * First string of a string(-list) property, or null when it is absent or not NUL-terminated printable text: a bad
 * `compatible` is a diagnostic for the KHO decoders, not an error (parsers/fdt propString throws).
 */
export function propFirstString(p: FdtProp | undefined): string | null {
  if (!p || p.value.length === 0) return null;
  const end = p.value.indexOf(0);
  if (end < 0) return null;
  let s = '';
  for (let i = 0; i < end; i++) {
    const c = p.value[i]!;
    if (c < 0x20 || c > 0x7e) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * A KHO property value: a raw native-endian u64, not an FDT cell (spec 2.3; readers use get_unaligned((u64 *)prop)
 * and require exactly 8 bytes, kernel/liveupdate/kexec_handover.c kho_populate, K619).
 */
export function propU64Native(
  p: FdtProp,
  file: string,
  nodePath: string,
  endian: KhoEndian,
  code = 'KHO_ERR_BADPROP',
): number {
  if (p.value.length !== 8) {
    throw new TraceError({
      code,
      location: { file, offset: p.offset, field: `${nodePath}:${p.name}` },
      expected: '8 bytes (native-endian u64)',
      found: `${p.value.length} bytes`,
    });
  }
  const view = new DataView(p.value.buffer, p.value.byteOffset, 8);
  return readU64(view, 0, endian === 'le', file, p.offset, `${nodePath}:${p.name}`, code);
}

/** A native-endian u32 property of exactly 4 bytes (lib/test_kho.c writes `magic`, `nr_folios`, `csum` so). */
export function propU32Native(p: FdtProp, file: string, nodePath: string, endian: KhoEndian): number {
  if (p.value.length !== 4) {
    throw new TraceError({
      code: 'KHO_ERR_BADPROP',
      location: { file, offset: p.offset, field: `${nodePath}:${p.name}` },
      expected: '4 bytes (native-endian u32)',
      found: `${p.value.length} bytes`,
    });
  }
  return new DataView(p.value.buffer, p.value.byteOffset, 4).getUint32(0, endian === 'le');
}

/** A 4-byte big-endian FDT cell (ordinary DT property) of exactly 4 bytes, or a located KHO error. */
export function propU32Cell(p: FdtProp, file: string, nodePath: string, code = 'KHO_ERR_BADPROP'): number {
  if (p.value.length !== 4) {
    throw new TraceError({
      code,
      location: { file, offset: p.offset, field: `${nodePath}:${p.name}` },
      expected: '4 bytes (u32 cell)',
      found: `${p.value.length} bytes`,
    });
  }
  return new DataView(p.value.buffer, p.value.byteOffset, 4).getUint32(0, false);
}

/** Read `cells` big-endian u32 cells at `index` of a property as one number (address/size cells), bounded. */
export function cellsToNumber(
  p: FdtProp,
  cellIndex: number,
  cells: number,
  file: string,
  field: string,
  code = 'KHO_ERR_BADPROP',
): number {
  const view = new DataView(p.value.buffer, p.value.byteOffset, p.value.length);
  let v = 0;
  for (let i = 0; i < cells; i++) {
    const off = (cellIndex + i) * 4;
    if (off + 4 > p.value.length) {
      throw new TraceError({
        code,
        location: { file, offset: p.offset, field },
        expected: `${cellIndex + cells} cells`,
        found: `${p.value.length} bytes`,
      });
    }
    v = v * 0x1_0000_0000 + view.getUint32(off, false);
    if (v > Number.MAX_SAFE_INTEGER) {
      throw new TraceError({
        code,
        location: { file, offset: p.offset, field },
        expected: 'a value below 2^53',
        found: `more than ${hex(Number.MAX_SAFE_INTEGER)}`,
      });
    }
  }
  return v;
}
