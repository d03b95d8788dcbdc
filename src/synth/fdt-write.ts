// A minimal flattened-device-tree writer for the blobs the outgoing kernel hands over (root KHO FDT, memblock,
// kho_test): header, an empty memory reservation block, structure block, strings block, laid out as libfdt's
// fdt_create()/fdt_finish() do (scripts/dtc/libfdt/fdt_sw.c). Property values are bytes; KHO's numbers are
// native-endian (little-endian on x86_64 and arm64), FDT cells big-endian.

export interface FdtWriteNode {
  readonly props: readonly (readonly [string, Uint8Array])[];
  readonly children: readonly (readonly [string, FdtWriteNode])[];
}

/** Token values and header layout of include/linux/libfdt_env.h / scripts/dtc/libfdt/fdt.h. */
export const FDT_TOKEN = {
  FDT_MAGIC: 0xd00dfeed,
  FDT_BEGIN_NODE: 0x1,
  FDT_END_NODE: 0x2,
  FDT_PROP: 0x3,
  FDT_END: 0x9,
  FDT_V17_SIZE: 40,
} as const;

const encoder = new TextEncoder();

/** A NUL-terminated string property. */
export function fdtString(s: string): Uint8Array {
  const b = encoder.encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/** A native (little-endian) u64 property, as KHO writes physical addresses and sizes. */
export function fdtU64le(v: number): Uint8Array {
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, v % 0x1_0000_0000, true);
  dv.setUint32(4, Math.floor(v / 0x1_0000_0000), true);
  return out;
}

/** A native (little-endian) u32 property. */
export function fdtU32le(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0, true);
  return out;
}

/** Serialise a tree (root name ''), version 17, last_comp_version 16. `padTo` rounds totalsize up. */
export function writeFdt(root: FdtWriteNode, padTo = 1): Uint8Array {
  const structParts: number[] = [];
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const u32 = (v: number): void => {
    structParts.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  };
  const bytes = (b: Uint8Array): void => {
    for (const x of b) structParts.push(x);
    while (structParts.length % 4) structParts.push(0);
  };
  const nameOff = (name: string): number => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = strings.length;
      stringOffsets.set(name, off);
      for (const x of encoder.encode(name)) strings.push(x);
      strings.push(0);
    }
    return off;
  };
  const node = (name: string, n: FdtWriteNode): void => {
    u32(FDT_TOKEN.FDT_BEGIN_NODE);
    bytes(fdtString(name));
    for (const [pname, value] of n.props) {
      u32(FDT_TOKEN.FDT_PROP);
      u32(value.length);
      u32(nameOff(pname));
      bytes(value);
    }
    for (const [cname, child] of n.children) node(cname, child);
    u32(FDT_TOKEN.FDT_END_NODE);
  };
  node('', root);
  u32(FDT_TOKEN.FDT_END);
  const rsvOff = FDT_TOKEN.FDT_V17_SIZE;
  const structOff = rsvOff + 16; // one terminating {0, 0} reservation entry
  const stringsOff = structOff + structParts.length;
  const used = stringsOff + strings.length;
  const total = Math.ceil(used / padTo) * padTo;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const header = [
    FDT_TOKEN.FDT_MAGIC,
    total,
    structOff,
    stringsOff,
    rsvOff,
    17,
    16,
    0,
    strings.length,
    structParts.length,
  ];
  header.forEach((v, i) => dv.setUint32(i * 4, v, false));
  out.set(structParts, structOff);
  out.set(strings, stringsOff);
  return out;
}
