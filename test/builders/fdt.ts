// Builds flattened device tree blobs from a readable description, laid out the way dtc and libfdt's
// fdt_finish() write them (scripts/dtc/libfdt/fdt_sw.c, Linux 6.x): header, memory reservation block at 0x28,
// structure block, strings block. Use it for fixtures of the FDT reader and of anything that reads FDTs (KHO).
//
//   buildFdt({
//     root: {
//       props: { compatible: str('kho-v1'), 'preserved-memory-map': u64le(0x1000) },
//       children: { memblock: { props: { fdt: u64le(0x2000) } } },
//     },
//     reservations: [{ address: 0x1000, size: 0x1000 }],
//   })
//
// Property values are bytes; the helpers below make them. FDT cells (`<...>` in DTS) are big-endian (u32, u64be);
// KHO's properties are native-endian u64 (kho-abi.md 2.3), which is little-endian on x86-64/arm64 (u64le).

/** Property values, by name, in order. Use the array form for names that look like integers or repeat. */
export type FdtPropsSpec = Record<string, Uint8Array> | [string, Uint8Array][];
/** Child nodes, by name (`name` or `name@unit`), in order. */
export type FdtChildrenSpec = Record<string, FdtNodeSpec> | [string, FdtNodeSpec][];

export interface FdtNodeSpec {
  props?: FdtPropsSpec;
  children?: FdtChildrenSpec;
}

export interface FdtSpec {
  root: FdtNodeSpec;
  /** /memreserve/ entries; the terminating {0, 0} entry is added. */
  reservations?: { address: number | bigint; size: number | bigint }[];
  /** Header version: 17 (default, with size_dt_struct) or 16 (size_dt_struct left 0, as `dtc -V 16` does). */
  version?: number;
  /** Default 16, as dtc and libfdt write. */
  lastCompVersion?: number;
  bootCpuidPhys?: number;
  /** Name in the root's FDT_BEGIN_NODE; '' as the spec says (only change it to test the reader). */
  rootName?: string;
  /** Put an FDT_NOP before every token but the first and FDT_END (libfdt leaves NOPs behind when it deletes nodes or properties). */
  nops?: boolean;
  /** Free bytes after the strings block, inside totalsize (an unpacked tree, as fdt_open_into leaves). */
  padding?: number;
}

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Header field offsets (struct fdt_header: ten big-endian u32). */
export const FDT_HEADER_OFFSET = {
  magic: 0,
  totalsize: 4,
  off_dt_struct: 8,
  off_dt_strings: 12,
  off_mem_rsvmap: 16,
  version: 20,
  last_comp_version: 24,
  boot_cpuid_phys: 28,
  size_dt_strings: 32,
  size_dt_struct: 36,
} as const;

const encoder = new TextEncoder();

/** Concatenate byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatList(parts);
}

/** Concatenate a list of byte arrays (no argument spreading, so any length works). */
export function concatList(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A string or string list, each NUL-terminated, UTF-8: str('kho-v1'), str('a', 'b'). */
export function str(...strings: string[]): Uint8Array {
  return concat(...strings.map((s) => concat(encoder.encode(s), new Uint8Array([0]))));
}

/** Big-endian 32-bit cells: u32(1, 2) is `<0x1 0x2>`. */
export function u32(...cells: number[]): Uint8Array {
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  cells.forEach((c, i) => view.setUint32(i * 4, c >>> 0, false));
  return out;
}

function u64(values: (number | bigint)[], le: boolean): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigUint64(i * 8, BigInt(v), le));
  return out;
}

/** Big-endian 64-bit values: u64be(x) is `/bits/ 64 <x>`, the FDT way to write a u64 (e.g. `reg`). */
export function u64be(...values: (number | bigint)[]): Uint8Array {
  return u64(values, false);
}

/** Native-endian (little-endian) u64 values, as KHO writes `preserved-memory-map`, `fdt`, `start`, `size`. */
export function u64le(...values: (number | bigint)[]): Uint8Array {
  return u64(values, true);
}

/** Raw bytes: raw(0x01, 0x02) or raw(someArray). */
export function raw(...bytes: (number | Uint8Array)[]): Uint8Array {
  return concat(...bytes.map((b) => (typeof b === 'number' ? new Uint8Array([b]) : b)));
}

/** An empty (boolean) property, `name;` in DTS. */
export function empty(): Uint8Array {
  return new Uint8Array(0);
}

function entries<T>(spec: Record<string, T> | [string, T][] | undefined): [string, T][] {
  if (spec === undefined) return [];
  return Array.isArray(spec) ? spec : Object.entries(spec);
}

/** Build the blob. Strings are shared between properties with the same name, as dtc does. */
export function buildFdt(spec: FdtSpec): Uint8Array {
  const version = spec.version ?? 17;
  const struct: Uint8Array[] = [];
  let structLen = 0;
  const pushBytes = (b: Uint8Array): void => {
    const padded = new Uint8Array((b.length + 3) & ~3);
    padded.set(b);
    struct.push(padded);
    structLen += padded.length;
  };
  const token = (t: number): void => {
    // Never before the root (libfdt and dtc both want FDT_BEGIN_NODE at structure offset 0) nor before FDT_END
    // (dtc's flattree.c wants it right after the root's FDT_END_NODE; libfdt would not care).
    if (spec.nops && structLen > 0 && t !== FDT_END) pushBytes(u32(FDT_NOP));
    pushBytes(u32(t));
  };

  const strOffsets = new Map<string, number>();
  const strParts: Uint8Array[] = [];
  let strLen = 0;
  const nameoff = (name: string): number => {
    let off = strOffsets.get(name);
    if (off === undefined) {
      off = strLen;
      const b = str(name);
      strParts.push(b);
      strLen += b.length;
      strOffsets.set(name, off);
    }
    return off;
  };

  const emitNode = (name: string, node: FdtNodeSpec): void => {
    token(FDT_BEGIN_NODE);
    pushBytes(str(name));
    for (const [pname, value] of entries(node.props)) {
      token(FDT_PROP);
      pushBytes(concat(u32(value.length, nameoff(pname)), value));
    }
    for (const [cname, child] of entries(node.children)) emitNode(cname, child);
    token(FDT_END_NODE);
  };
  emitNode(spec.rootName ?? '', spec.root);
  token(FDT_END);

  const rsv = concat(
    ...(spec.reservations ?? []).map((r) => u64be(r.address, r.size)),
    u64be(0, 0), // terminator
  );
  const headerSize = 40; // both versions: dtc pads the v16 header to the 8-byte aligned reservation block
  const offRsv = headerSize;
  const offStruct = offRsv + rsv.length;
  const offStrings = offStruct + structLen;
  const totalsize = offStrings + strLen + (spec.padding ?? 0);

  const out = new Uint8Array(totalsize);
  const view = new DataView(out.buffer);
  const set = (field: keyof typeof FDT_HEADER_OFFSET, v: number): void =>
    view.setUint32(FDT_HEADER_OFFSET[field], v, false);
  set('magic', FDT_MAGIC);
  set('totalsize', totalsize);
  set('off_dt_struct', offStruct);
  set('off_dt_strings', offStrings);
  set('off_mem_rsvmap', offRsv);
  set('version', version);
  set('last_comp_version', spec.lastCompVersion ?? 16);
  set('boot_cpuid_phys', spec.bootCpuidPhys ?? 0);
  set('size_dt_strings', strLen);
  if (version >= 17) set('size_dt_struct', structLen);
  out.set(rsv, offRsv);
  out.set(concatList(struct), offStruct);
  out.set(concatList(strParts), offStrings);
  return out;
}

/** A copy of `blob` with one header field replaced, to make malformed inputs. */
export function withHeaderField(
  blob: Uint8Array,
  field: keyof typeof FDT_HEADER_OFFSET,
  value: number,
): Uint8Array {
  return withU32(blob, FDT_HEADER_OFFSET[field], value);
}

/** A copy of `blob` with the big-endian u32 at `offset` replaced. */
export function withU32(blob: Uint8Array, offset: number, value: number): Uint8Array {
  const out = blob.slice();
  new DataView(out.buffer).setUint32(offset, value >>> 0, false);
  return out;
}

/** Read a big-endian u32 of `blob` (for tests that locate tokens). */
export function readU32(blob: Uint8Array, offset: number): number {
  return new DataView(blob.buffer, blob.byteOffset, blob.length).getUint32(offset, false);
}
