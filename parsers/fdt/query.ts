// Lookups and typed reads over a parsed tree. Path matching follows libfdt fdt_ro.c fdt_nodename_eq_()
// (a component without '@' also matches `name@unit`); value checks follow the kernel's of_property_read_*().
import { TraceError } from '../../src/core/index.js';
import { readU64 } from '../_shared/index.js';
import { FDT_ERR, decodeLatin1, fdtPropField } from './parse-fdt.js';
import type { FdtNode, FdtProp } from './types.js';

function nameMatches(nodeName: string, component: string): boolean {
  if (nodeName === component) return true;
  return !component.includes('@') && nodeName.startsWith(component) && nodeName[component.length] === '@';
}

/**
 * Node at an absolute path below `root`: '/', '/memblock', '/memblock/reserve-mem'. A component without a unit
 * address matches the first child named `component@...` when no child has the exact name.
 */
export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  let node: FdtNode | undefined = root;
  for (const component of path.split('/')) {
    if (component === '') continue;
    const children: FdtNode[] = node.children;
    node = children.find((c) => c.name === component) ?? children.find((c) => nameMatches(c.name, component));
    if (node === undefined) return undefined;
  }
  return node;
}

/** The first property named `name` (a blob with duplicates gets a diagnostic from parseFdt). */
export function getProp(node: FdtNode, name: string): FdtProp | undefined {
  return node.props.find((p) => p.name === name);
}

function badValue(p: FdtProp, offset: number, expected: string, found: string): TraceError {
  return new TraceError({
    code: FDT_ERR.BADVALUE,
    location: { file: p.file ?? '<fdt>', offset, field: fdtPropField(p.nodePath ?? '?', p.name) },
    expected,
    found,
  });
}

/** All strings of a string-list property (`compatible = "a", "b"`). The value must end with a NUL. */
export function propStrings(p: FdtProp): string[] {
  const v = p.value;
  if (v.length === 0) return [];
  if (v[v.length - 1] !== 0) {
    throw badValue(p, p.offset, 'a NUL-terminated string list', `${v.length} bytes without a final NUL`);
  }
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0) {
      out.push(decodeUtf8(v, start, i));
      start = i + 1;
    }
  }
  return out;
}

/** The first string of a string property (`compatible = "kho-v1"` gives 'kho-v1'). */
export function propString(p: FdtProp): string {
  const nul = p.value.indexOf(0);
  if (nul < 0) {
    throw badValue(
      p,
      p.offset,
      'a NUL-terminated string',
      p.value.length === 0 ? 'an empty value' : 'no NUL',
    );
  }
  return decodeUtf8(p.value, 0, nul);
}

/** Big-endian cell `index` (0-based) of a `<u32 ...>` property. */
export function propU32(p: FdtProp, index = 0): number {
  const at = index * 4;
  if (!Number.isInteger(index) || index < 0 || at + 4 > p.value.length) {
    throw badValue(
      p,
      p.offset,
      `at least ${(index + 1) * 4} bytes (cell ${index})`,
      `${p.value.length} bytes`,
    );
  }
  return new DataView(p.value.buffer, p.value.byteOffset, p.value.length).getUint32(at, false);
}

/** Every big-endian cell of a property whose length is a multiple of 4. */
export function propU32s(p: FdtProp): number[] {
  if (p.value.length % 4 !== 0)
    throw badValue(p, p.offset, 'a multiple of 4 bytes', `${p.value.length} bytes`);
  const view = new DataView(p.value.buffer, p.value.byteOffset, p.value.length);
  const out: number[] = [];
  for (let at = 0; at < p.value.length; at += 4) out.push(view.getUint32(at, false));
  return out;
}

/**
 * A property that is exactly one u64, as a safe number. `endian` 'le' reads KHO's native-endian properties on
 * x86-64/arm64 (kho-abi.md 2.3: the kernel checks that the length is exactly 8); 'be' reads a `/bits/ 64` cell.
 */
export function propU64(p: FdtProp, endian: 'le' | 'be'): number {
  if (p.value.length !== 8) throw badValue(p, p.offset, 'exactly 8 bytes (a u64)', `${p.value.length} bytes`);
  const view = new DataView(p.value.buffer, p.value.byteOffset, 8);
  return readU64(
    view,
    0,
    endian === 'le',
    p.file ?? '<fdt>',
    p.offset,
    fdtPropField(p.nodePath ?? '?', p.name),
    FDT_ERR.BADVALUE,
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function decodeUtf8(v: Uint8Array, start: number, end: number): string {
  // ASCII is the common case (compatible strings, names); keep it off the TextDecoder path.
  for (let i = start; i < end; i++) if (v[i]! >= 0x80) return utf8.decode(v.subarray(start, end));
  return decodeLatin1(v, start, end);
}
