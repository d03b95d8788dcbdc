// The tree a flattened device tree blob decodes to. Values are views into the input bytes, not copies.

/** One property. `value` is a subarray of the blob, so it stays valid as long as the input does. */
export interface FdtProp {
  name: string;
  value: Uint8Array;
  /** File offset of the first byte of the value. */
  offset: number;
  /** Path of the node holding the property (`/memblock/n1`), for located errors; set by parseFdt. */
  nodePath?: string;
  /** Display name of the input the property came from; set by parseFdt. */
  file?: string;
}

export interface FdtNode {
  /** Node name with unit address as in the blob: `memblock`, `reserve-mem@1000`; the root is ''. */
  name: string;
  /** Absolute path: `/` for the root, `/memblock/n1` below it. */
  path: string;
  /** File offset of the node's FDT_BEGIN_NODE token. */
  offset: number;
  props: FdtProp[];
  children: FdtNode[];
}

/** struct fdt_header, field by field. `size_dt_struct` is 0 for version 16 blobs, whose header lacks it. */
export interface FdtHeader {
  magic: number;
  totalsize: number;
  off_dt_struct: number;
  off_dt_strings: number;
  off_mem_rsvmap: number;
  version: number;
  last_comp_version: number;
  boot_cpuid_phys: number;
  size_dt_strings: number;
  size_dt_struct: number;
}

/** One /memreserve/ entry of the memory reservation block, in bytes. */
export interface FdtReservation {
  address: number;
  size: number;
}

export interface Fdt {
  header: FdtHeader;
  reservations: FdtReservation[];
  root: FdtNode;
}
