// Turn a built (little-endian) KHO image into what a 64-bit big-endian kernel writes: every native-endian field
// byte-swapped (spec kho-abi.md 2.3). Used by the byte-order tests of the decoders and of the CLI.
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
export function toBigEndian(img: BuiltKhoImage): { pages: Map<number, Uint8Array>; root: KhoNodeDesc } {
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
  // vmalloc chunks: u64 next then u64 phys[]
  for (const v of img.vmalloc) for (const p of v.chunkPhys) swapLongs(p);
  return { pages, root: swapNode(img.root) };
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
  if (img.blobs.size > 0) throw new Error('big-endian bundles: subtree blobs are not converted');
  const be = toBigEndian(img);
  const files = khoBundleFiles(img);
  files.set('kho/fdt', buildFdt({ root: toFdtSpec(be.root) }));
  files.set('kho/memory.core', buildPagesCore(be.pages, 'be'));
  return files;
}
