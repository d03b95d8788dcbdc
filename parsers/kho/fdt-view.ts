// The parts of a decoded FDT node that the KHO decoders read. Structurally the same as parsers/fdt's FdtNode and
// FdtProp, so their nodes are accepted as they are; tests may also hand-make trees of this shape.
import { TraceError, hex } from '../../src/core/index.js';
import { readU64 } from '../_shared/index.js';

export interface KhoFdtProp {
  readonly name: string;
  readonly value: Uint8Array;
  /** Byte offset of the property in its blob (for error locations). */
  readonly offset: number;
}

export interface KhoFdtNode {
  readonly name: string;
  readonly path: string;
  readonly offset: number;
  readonly props: readonly KhoFdtProp[];
  readonly children: readonly KhoFdtNode[];
}

export function findProp(node: KhoFdtNode, name: string): KhoFdtProp | undefined {
  return node.props.find((p) => p.name === name);
}

export function findChild(node: KhoFdtNode, name: string): KhoFdtNode | undefined {
  return node.children.find((c) => c.name === name);
}

/** First string of a string(-list) property, or null when it is not NUL-terminated printable text. */
export function propFirstString(p: KhoFdtProp | undefined): string | null {
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
 * and require exactly 8 bytes, kernel/liveupdate/kexec_handover.c kho_populate, K619). Little endian assumed.
 */
export function propU64Native(
  p: KhoFdtProp,
  file: string,
  nodePath: string,
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
  return readU64(view, 0, true, file, p.offset, `${nodePath}:${p.name}`, code);
}

/** A 4-byte big-endian FDT cell (ordinary DT property), or a located error. */
export function propU32Cell(p: KhoFdtProp, file: string, nodePath: string, code = 'KHO_ERR_BADPROP'): number {
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
  p: KhoFdtProp,
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
