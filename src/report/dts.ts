// An Fdt as DTS source text, printed the way dtc 1.6 prints a blob (scripts/dtc/treesource.c, dt_to_source() and
// write_propval(): the string / <cells> / [bytes] guess), so that `dtc -I dts -O dtb` compiles it back to the same
// tree. Two deliberate differences: a string list prints as "a", "b" (dtc 1.6 prints "a\0b"; same bytes), and
// properties named by `u64Props` print as their bytes with the u64 value in a comment.
import type { Fdt, FdtNode, FdtProp } from '../../parsers/fdt/index.js';

export interface DtsOptions {
  /**
   * Properties that hold native-endian u64 values, as KHO writes them (kho-abi.md 2.3): `preserved-memory-map`,
   * a subtree's `fdt` / `preserved-data` / `blob-size`, memblock's `start` / `size`. They print as their bytes in
   * memory order, which dtc compiles back unchanged, followed by `// u64 native-endian (le): 0x...`. dtc itself
   * would show such a value as two byte-swapped cells, and `/bits/ 64 <...>` would compile to big-endian bytes.
   */
  u64Props?: (nodePath: string, propName: string) => boolean;
  /** Byte order of those values: 'le' for x86-64 and arm64 (default), 'be' for big-endian hosts. */
  u64Endian?: 'le' | 'be';
  /** Print the header fields as comments after `/dts-v1/;`, the way fdtdump does. */
  header?: boolean;
}

// treesource.c isstring(): printable ASCII, NUL, or one of \a \b \t \n \v \f \r.
const isStringByte = (b: number): boolean => (b >= 0x20 && b < 0x7f) || b === 0 || (b >= 7 && b <= 13);

const ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/** `0x%02x`, as dtc 1.6 prints a cell. */
const cellHex = (v: number): string => `0x${hex2(v)}`;

/** Exact hex of a u64 from its two 32-bit halves (no bigint; values above 2^53 stay exact). */
function u64Hex(hi: number, lo: number): string {
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}

/** Names from an untrusted blob must not break the DTS text: anything outside dtc's name characters is \xNN. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9,._+*#?@-]/g, (c) => `\\x${hex2(c.charCodeAt(0) & 0xff)}`);
}

function stringList(v: Uint8Array): string {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (b === 0) {
      parts.push(`"${cur}"`);
      cur = '';
    } else {
      cur += ESCAPES[b] ?? String.fromCharCode(b);
    }
  }
  return parts.join(', ');
}

/** The value after ` = `, chosen as treesource.c write_propval() chooses it. */
function formatValue(v: Uint8Array): string {
  let nul = 0;
  let notString = 0;
  for (const b of v) {
    if (b === 0) nul++;
    if (!isStringByte(b)) notString++;
  }
  if (v[v.length - 1] === 0 && notString === 0 && nul <= v.length - nul) return stringList(v);
  if (v.length % 4 === 0) {
    const view = new DataView(v.buffer, v.byteOffset, v.length);
    const cells: string[] = [];
    for (let at = 0; at < v.length; at += 4) cells.push(cellHex(view.getUint32(at, false)));
    return `<${cells.join(' ')}>`;
  }
  return `[${Array.from(v, hex2).join(' ')}]`;
}

function formatProp(node: FdtNode, p: FdtProp, options: DtsOptions): string {
  const name = safeName(p.name);
  const v = p.value;
  if (options.u64Props?.(node.path, p.name)) {
    const endian = options.u64Endian ?? 'le';
    if (v.length > 0 && v.length % 8 === 0) {
      const view = new DataView(v.buffer, v.byteOffset, v.length);
      const le = endian === 'le';
      const values: string[] = [];
      for (let at = 0; at < v.length; at += 8) {
        values.push(u64Hex(view.getUint32(at + (le ? 4 : 0), le), view.getUint32(at + (le ? 0 : 4), le)));
      }
      return `${name} = [${Array.from(v, hex2).join(' ')}]; // u64 native-endian (${endian}): ${values.join(', ')}`;
    }
    const shown = v.length === 0 ? `${name};` : `${name} = ${formatValue(v)};`;
    return `${shown} // expected a native-endian u64 (8 bytes), found ${v.length} bytes`;
  }
  return v.length === 0 ? `${name};` : `${name} = ${formatValue(v)};`;
}

function renderNode(node: FdtNode, level: number, options: DtsOptions, out: string[]): void {
  const indent = '\t'.repeat(level);
  out.push(`${indent}${level === 0 ? '/' : safeName(node.name)} {`);
  for (const p of node.props) out.push(`${indent}\t${formatProp(node, p, options)}`);
  for (const child of node.children) {
    out.push('');
    renderNode(child, level + 1, options, out);
  }
  out.push(`${indent}};`);
}

/** `0x%016llx`, as dt_to_source() prints /memreserve/ entries. */
const pa = (n: number): string => `0x${n.toString(16).padStart(16, '0')}`;

/** Render `fdt` as DTS text ending with a newline. Pure: no I/O, same output for the same input. */
export function renderDts(fdt: Fdt, options: DtsOptions = {}): string {
  const out: string[] = ['/dts-v1/;'];
  if (options.header) {
    const h = fdt.header;
    out.push(
      `// magic:\t\t0x${h.magic.toString(16)}`,
      `// totalsize:\t\t0x${h.totalsize.toString(16)} (${h.totalsize})`,
      `// off_dt_struct:\t0x${h.off_dt_struct.toString(16)}`,
      `// off_dt_strings:\t0x${h.off_dt_strings.toString(16)}`,
      `// off_mem_rsvmap:\t0x${h.off_mem_rsvmap.toString(16)}`,
      `// version:\t\t${h.version}`,
      `// last_comp_version:\t${h.last_comp_version}`,
      `// boot_cpuid_phys:\t0x${h.boot_cpuid_phys.toString(16)}`,
      `// size_dt_strings:\t0x${h.size_dt_strings.toString(16)}`,
      `// size_dt_struct:\t0x${h.size_dt_struct.toString(16)}`,
    );
  }
  out.push('');
  for (const r of fdt.reservations) out.push(`/memreserve/\t${pa(r.address)} ${pa(r.size)};`);
  renderNode(fdt.root, 0, options, out);
  return out.join('\n') + '\n';
}
