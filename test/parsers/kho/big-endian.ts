// Turn a built (little-endian) KHO image into what a 64-bit big-endian kernel writes: every native-endian field
// byte-swapped (spec kho-abi.md 2.3): the memory map, vmalloc chunks and their u64 arrays (kho_test folios_info,
// memfd folio arrays), the native properties of FDT subtree blobs (memblock start/size, kho_test magic, nr_folios,
// csum and its struct kho_vmalloc folios_info), the raw blobs (kexec-metadata, struct luo_ser), and the LUO pages
// (block-chain headers, session and file entries, FLB header and entries, memfd records). Strings stay as they are.
// Used by the byte-order tests of the decoders and of the CLI.
import { buildElfCore } from '../../builders/elf-core.js';
import { buildFdt } from '../../builders/fdt.js';
import type { BuiltKhoImage, KhoNodeDesc } from '../../builders/kho-image.js';
import { khoBundleFiles, toFdtSpec } from '../../builders/kho-image.js';

const PAGE = 4096;

/** Root and subtree properties that hold a native-endian u64 (spec 3.1). */
const NATIVE_U64_PROPS = new Set(['preserved-memory-map', 'fdt', 'preserved-data', 'blob-size']);

export function swap(bytes: Uint8Array, at: number, width: number): void {
  bytes.subarray(at, at + width).reverse();
}
function swapAll(bytes: Uint8Array, width: number): void {
  for (let at = 0; at + width <= bytes.length; at += width) swap(bytes, at, width);
}
const leU64 = (b: Uint8Array, at: number): number => {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  return v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;
};

function swapNode(d: KhoNodeDesc): KhoNodeDesc {
  return {
    props: d.props.map(([n, v]): [string, Uint8Array] => {
      const c = v.slice();
      if (NATIVE_U64_PROPS.has(n) && c.length === 8) swap(c, 0, 8);
      return [n, c];
    }),
    children: d.children.map(([n, c]): [string, KhoNodeDesc] => [n, swapNode(c)]),
  };
}

/** The image as a 64-bit big-endian kernel lays it out: every native-endian field byte-swapped. */
export function toBigEndian(img: BuiltKhoImage): {
  pages: Map<number, Uint8Array>;
  root: KhoNodeDesc;
  /** The subtree blobs as the big-endian kernel wrote them (debugfs sub_fdts copies). */
  blobs: Map<string, Uint8Array>;
} {
  const pages = new Map([...img.pages].map(([a, b]) => [a, b.slice()]));
  const swapped = new Set<number>();
  const swapLongs = (page: number): void => {
    if (swapped.has(page)) return;
    swapped.add(page);
    swapAll(pages.get(page)!, 8);
  };
  if (img.abi === 'kho-v1') {
    // khoser_mem_chunk: u64 next, u32 order, u32 num_elms, then num_elms x { u64 phys_start, u64 bitmap }.
    for (let c = img.memoryMapPhys; c !== 0;) {
      const orig = img.pages.get(c)!;
      const n = new DataView(orig.buffer).getUint32(12, true);
      const b = pages.get(c)!;
      swapped.add(c);
      swap(b, 0, 8);
      swap(b, 8, 4);
      swap(b, 12, 4);
      for (let i = 0; i < n; i++) {
        swap(b, 16 + i * 16, 8);
        swap(b, 24 + i * 16, 8);
        // the bitmaps are arrays of unsigned long: each long swapped (a 512-byte object shares its page)
        swapLongs(Math.floor(leU64(orig, 24 + i * 16) / PAGE) * PAGE);
      }
      c = leU64(orig, 0);
    }
  } else {
    // radix tables are u64 arrays and leaves are unsigned long bitmaps: all longs
    for (const p of img.mapPages) swapLongs(p);
  }
  // vmalloc chunks: u64 next then u64 phys[]; the areas' contents are u64 arrays in every image the builders make
  // (test_kho's folios_info: phys | order; memfd's struct memfd_luo_folio_ser: u64 pfn:52 flags:12, u64 index)
  for (const v of img.vmalloc) {
    for (const p of v.chunkPhys) swapLongs(p);
    const blockPages = 2 ** new DataView(v.desc.buffer, v.desc.byteOffset, 16).getUint16(14, true);
    for (const b of v.blockPhys) for (let k = 0; k < blockPages; k++) swapLongs(b + k * PAGE);
  }
  // subtree blobs: in memory at the subtree's address, and the debugfs copies
  const blobs = new Map<string, Uint8Array>();
  for (const [name, node] of img.root.children) {
    const blob = img.blobs.get(name);
    const ptr = node.props.find(([n]) => n === 'fdt' || n === 'preserved-data')?.[1];
    if (!blob || !ptr) continue;
    const be = swapBlob(name, blob);
    blobs.set(name, be);
    const at = leU64(ptr, 0);
    for (let off = 0; off < be.length; off += PAGE)
      pages.get(at + off)?.set(be.subarray(off, Math.min(be.length, off + PAGE)));
  }
  if (img.luo) swapLuoPages(img, pages, swapped);
  return { pages, root: swapNode(img.root), blobs };
}

/** FDT property values that are native-endian numbers or structs: name -> the widths of their fields. */
const FDT_NATIVE_FIELDS: Readonly<Record<string, readonly number[]>> = {
  // memblock reserve-mem-v1 (mm/memblock.c reserve_mem_kho_finalize)
  start: [8],
  size: [8],
  // lib/test_kho.c: u32 magic, nr_folios, csum; folios_info is struct kho_vmalloc { u64 first; u32 total_pages;
  // u16 flags; u16 order; }
  magic: [4],
  nr_folios: [4],
  csum: [4],
  folios_info: [8, 4, 2, 2],
  // the FDT forms of LUO (luo-v1, luo-v2)
  'liveupdate-number': [8],
  'luo-abi-header': [8],
};

/** A blob as the big-endian kernel wrote it (a copy). */
function swapBlob(name: string, blob: Uint8Array): Uint8Array {
  const b = blob.slice();
  const v = new DataView(b.buffer);
  if (b.length >= 40 && v.getUint32(0, false) === 0xd00dfeed) swapFdtProps(b);
  else if (name === 'kexec-metadata') {
    // struct kho_kexec_metadata { u32 version; char previous_release[65]; u32 kexec_count; } __packed
    swap(b, 0, 4);
    if (b.length >= 73) swap(b, 69, 4);
  } else if (name === 'LUO') {
    // struct luo_ser: char compatible[ALIGN(strlen + 1, 8)], u64 liveupdate_num, sessions_pa, flbs_pa
    const compatLen = Math.ceil((b.indexOf(0) + 1) / 8) * 8;
    for (let at = compatLen; at + 8 <= b.length; at += 8) swap(b, at, 8);
  }
  return b;
}

/** Swap, in place, the native-endian property values of an FDT blob (walks the structure block's tokens). */
function swapFdtProps(b: Uint8Array): void {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const structOff = v.getUint32(8, false);
  const stringsOff = v.getUint32(12, false);
  const nameAt = (o: number): string => {
    let e = stringsOff + o;
    while (b[e] !== 0) e++;
    return String.fromCharCode(...b.subarray(stringsOff + o, e));
  };
  for (let at = structOff; at + 4 <= b.length;) {
    const token = v.getUint32(at, false);
    at += 4;
    if (token === 1) {
      while (b[at] !== 0) at++;
      at = Math.ceil((at + 1) / 4) * 4;
    } else if (token === 3) {
      const len = v.getUint32(at, false);
      const widths = FDT_NATIVE_FIELDS[nameAt(v.getUint32(at + 4, false))];
      const val = at + 8;
      if (widths && widths.reduce((x, y) => x + y, 0) === len) {
        let o = val;
        for (const w of widths) {
          swap(b, o, w);
          o += w;
        }
      }
      at = Math.ceil((val + len) / 4) * 4;
    } else if (token === 9) break;
  }
}

/** The LUO pages of a kho-v4 image (kho-luo.ts layouts): every u64 and u32 swapped, strings kept. */
function swapLuoPages(img: BuiltKhoImage, pages: Map<number, Uint8Array>, swappedPages: Set<number>): void {
  const luo = img.luo!;
  const at = (phys: number): Uint8Array => pages.get(Math.floor(phys / PAGE) * PAGE)!;
  // a chain block: struct kho_block_header_ser { u64 next; u64 count; } then count entries whose last 16 bytes
  // are two u64 (luo_session_ser: name[64] + files, count; luo_file_ser: compatible[48] + data, token)
  const chain = (phys: number, entry: number): void => {
    const p = at(phys);
    const count = leU64(p, 8);
    swap(p, 0, 8);
    swap(p, 8, 8);
    for (let i = 0; i < count; i++) {
      swap(p, 16 + i * entry + entry - 16, 8);
      swap(p, 16 + i * entry + entry - 8, 8);
    }
  };
  for (const b of luo.sessionBlocks) chain(b, 80);
  for (const bs of luo.fileBlocks) for (const b of bs) chain(b, 64);
  // struct luo_flb_header_ser { u64 pgcnt; u64 count; } then luo_flb_ser { char name[48]; u64 data; u64 count; }
  const flb = at(luo.flbPhys);
  const nFlb = leU64(flb, 8);
  swap(flb, 0, 8);
  swap(flb, 8, 8);
  for (let i = 0; i < nFlb; i++) {
    swap(flb, 16 + i * 64 + 48, 8);
    swap(flb, 16 + i * 64 + 56, 8);
  }
  // memfd records: memfd-v2 { u64 pos, size; u32 seals, flags; u64 nr_folios; struct kho_vmalloc folios },
  // memfd-v1 the same without seals and flags
  const V2 = [8, 8, 4, 4, 8, 8, 4, 2, 2];
  const V1 = [8, 8, 8, 8, 4, 2, 2];
  for (const f of luo.files) {
    // the folio array: chunk pages (u64 next, u64 phys[]) and struct memfd_luo_folio_ser[] (two u64 each)
    for (const p of [...(f.folioArray?.chunkPhys ?? []), ...(f.folioArray?.blockPhys ?? [])])
      if (!swappedPages.has(p)) {
        swappedPages.add(p);
        for (let o = 0; o + 8 <= PAGE; o += 8) swap(pages.get(p)!, o, 8);
      }
    if (!f.serPhys) continue;
    const r = at(f.serPhys).subarray(f.serPhys % PAGE);
    let o = 0;
    for (const w of f.memfdVersion === 'memfd-v1' ? V1 : V2) {
      swap(r, o, w);
      o += w;
    }
  }
}

/** An ELF core of `pages` (one PT_LOAD per page) in the given byte order. */
export function buildPagesCore(pages: Map<number, Uint8Array>, endianness: 'le' | 'be'): Uint8Array {
  const segments = [...pages.keys()]
    .sort((a, b) => a - b)
    .map((paddr) => ({ paddr, data: pages.get(paddr)! }));
  return buildElfCore({ endianness, segments });
}

/** khoBundleFiles() of the big-endian image: kho/fdt with big-endian KHO values, a big-endian memory.core. */
export function bigEndianBundleFiles(img: BuiltKhoImage): Map<string, Uint8Array> {
  const be = toBigEndian(img);
  const files = khoBundleFiles(img);
  files.set('kho/fdt', buildFdt({ root: toFdtSpec(be.root) }));
  for (const [name, blob] of be.blobs) files.set(`kho/sub_fdts/${name}`, blob);
  files.set('kho/memory.core', buildPagesCore(be.pages, 'be'));
  return files;
}
