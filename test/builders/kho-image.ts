// Builds KHO handover images from a readable description, the way the outgoing kernel lays them out:
//
//   const img = buildKhoImage({
//     abi: 'kho-v1', bitmapFormat: '512',
//     ram: [{ start: 0x100000000, end: 0x480000000 }],
//     blocks: [{ phys: 0x123456000, order: 0 }, { phys: 0x140000000, order: 9 }],
//     subtrees: [{ name: 'memblock', phys: 0x7000000 }],
//   });
//   img.memoryMapPhys, img.pages (page address -> bytes), img.root (root FDT description)
//
// Metadata (kho-v1 chunks and bitmaps, radix tables and leaves, vmalloc chunks) is placed top-down in `ram`, never
// on a block. Encodings follow the kernel: kho_mem_serialize()/ __kho_preserve_order() (K616, K618) and
// kho_radix_add_page()/kho_radix_encode_key() (KR1..KR3); see spec/kho-abi.md section 4.
import type { PhysMemory, Range } from '../../src/core/index.js';
import { TraceError, hex } from '../../src/core/index.js';
import type { KhoAbi, KhoBitmapFormat, KhoFdtNode, KhoScratchArea } from '../../parsers/kho/index.js';
import { khoEra } from '../../parsers/kho/index.js';
import { BlockColumns, encodeRadix as encodeSynthRadix } from '../../src/synth/index.js';
import { buildElfCore } from './elf-core.js';
import type { BuiltLuo, KhoLuoSpec } from './kho-luo.js';
import { encodeLuo } from './kho-luo.js';
import type { FdtNodeSpec } from './fdt.js';
import { buildFdt } from './fdt.js';

export interface KhoBlockSpec {
  readonly phys: number;
  readonly order: number;
}

export interface KhoSubtreeSpec {
  readonly name: string;
  readonly phys: number;
  /** Written as `blob-size` in kho-v3 (default: the blob's length, else one page). */
  readonly blobSize?: number;
  /**
   * The blob's bytes, placed in memory at `phys` when given. A function is called once the vmalloc areas are built
   * (a kho_test FDT holds its folios_info descriptor); its result must fit in `blobSize` bytes, reserved up front.
   */
  readonly blob?: Uint8Array | ((vmalloc: readonly BuiltVmalloc[]) => Uint8Array);
}

export interface KhoVmallocSpec {
  /** Page order of every block. */
  readonly order: number;
  /** Contents, split over blocks of PAGE_SIZE << order; blocks are allocated and added to the preserved blocks. */
  readonly contents: Uint8Array;
  /** KHO_VMALLOC_ALLOC by default. */
  readonly flags?: number;
}

export interface KhoImageSpec {
  readonly abi: KhoAbi;
  /** kho-v1 only; default 'page'. */
  readonly bitmapFormat?: KhoBitmapFormat;
  readonly blocks: readonly KhoBlockSpec[];
  /** Physical byte ranges the metadata may use (usable RAM). */
  readonly ram: readonly Range[];
  readonly scratch?: readonly KhoScratchArea[];
  readonly subtrees?: readonly KhoSubtreeSpec[];
  /** vmalloc areas (kho_preserve_vmalloc): their chunk pages and blocks are allocated and preserved. */
  readonly vmalloc?: readonly KhoVmallocSpec[];
  /** Default 12. */
  readonly pageShift?: number;
  /** kho-v4: LUO sessions, files (memfd) and FLBs, laid out as v7.3-rc7 does (kho-luo.ts). */
  readonly luo?: KhoLuoSpec;
  /** The root `compatible` written (default: the era name), e.g. the composite `kho-v4;radix-v1`. */
  readonly compatible?: string;
  /** '512' format: slot (0..7) of the first 512-byte bitmap in its page; default 1, so pointers are unaligned. */
  readonly firstBitmapSlot?: number;
}

export interface BuiltVmalloc {
  /** The 16-byte struct kho_vmalloc. */
  readonly desc: Uint8Array;
  readonly first: number;
  readonly chunkPhys: number[];
  readonly blockPhys: number[];
}

/** A neutral node description: becomes a hand-made KhoFdtNode (toFdtNode) or a blob (with the FDT builder). */
export interface KhoNodeDesc {
  readonly props: [string, Uint8Array][];
  readonly children: [string, KhoNodeDesc][];
}

export interface BuiltKhoImage {
  readonly abi: KhoAbi;
  readonly pageSize: number;
  readonly memoryMapPhys: number;
  /** Every block the image preserves (the spec's, plus vmalloc chunks and blocks), sorted by phys then order. */
  readonly blocks: KhoBlockSpec[];
  /** Memory contents: page-aligned address -> one page. Metadata pages and blob pages. */
  readonly pages: Map<number, Uint8Array>;
  /** Addresses of the memory map's own pages (chunks + bitmap pages, or radix nodes), in allocation order. */
  readonly mapPages: number[];
  readonly vmalloc: BuiltVmalloc[];
  readonly root: KhoNodeDesc;
  readonly scratch: readonly KhoScratchArea[];
  /** Each subtree's blob bytes (functions evaluated), by name. */
  readonly blobs: Map<string, Uint8Array>;
  /** Where the LUO structures were placed (spec.luo). */
  readonly luo?: BuiltLuo;
}

const enc = new TextEncoder();
export function strBytes(s: string): Uint8Array {
  const b = enc.encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}
export function u64leBytes(v: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, v % 0x1_0000_0000, true);
  view.setUint32(4, Math.floor(v / 0x1_0000_0000), true);
  return out;
}
export function u32leBytes(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0, true);
  return out;
}

function setU64(view: DataView, off: number, v: number): void {
  view.setUint32(off, v % 0x1_0000_0000, true);
  view.setUint32(off + 4, Math.floor(v / 0x1_0000_0000), true);
}

/** Top-down page allocator over `ram`, skipping blocks and pages already taken. */
export class PageAllocator {
  private readonly busy: Range[];
  private rangeIdx: number;
  private cursor: number;
  readonly taken = new Set<number>();

  constructor(
    private readonly ram: readonly Range[],
    blocks: readonly KhoBlockSpec[],
    private readonly pageSize: number,
    extraBusy: readonly Range[] = [],
  ) {
    const rs = blocks
      .map((b) => ({ start: b.phys, end: b.phys + pageSize * 2 ** b.order }))
      .concat(extraBusy);
    rs.sort((a, b) => a.start - b.start);
    const merged: Range[] = [];
    for (const r of rs) {
      const last = merged[merged.length - 1];
      if (last && r.start <= last.end)
        merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
      else merged.push(r);
    }
    this.busy = merged;
    this.ram = [...ram].sort((a, b) => a.start - b.start);
    this.rangeIdx = this.ram.length - 1;
    this.cursor = this.rangeIdx >= 0 ? Math.floor(this.ram[this.rangeIdx]!.end / pageSize) * pageSize : 0;
  }

  private busyAt(p: number): Range | null {
    let lo = 0;
    let hi = this.busy.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.busy[mid]!.end <= p) lo = mid + 1;
      else hi = mid;
    }
    const r = this.busy[lo];
    return r && r.start <= p ? r : null;
  }

  alloc(): number {
    for (;;) {
      if (this.rangeIdx < 0) throw new Error('kho-image builder: RAM ranges exhausted for metadata');
      const r = this.ram[this.rangeIdx]!;
      const p = this.cursor - this.pageSize;
      if (p < r.start) {
        this.rangeIdx--;
        if (this.rangeIdx >= 0)
          this.cursor = Math.floor(this.ram[this.rangeIdx]!.end / this.pageSize) * this.pageSize;
        continue;
      }
      const b = this.busyAt(p);
      if (b) {
        this.cursor = Math.floor(b.start / this.pageSize) * this.pageSize;
        continue;
      }
      this.cursor = p;
      if (this.taken.has(p)) continue;
      this.taken.add(p);
      return p;
    }
  }
}

/** Build the image. Blocks must be naturally aligned (phys a multiple of PAGE_SIZE << order). */
export function buildKhoImage(spec: KhoImageSpec): BuiltKhoImage {
  const pageShift = spec.pageShift ?? 12;
  const pageSize = 2 ** pageShift;
  const pages = new Map<number, Uint8Array>();
  const blobLength = (st: KhoSubtreeSpec): number => {
    if (st.blob instanceof Uint8Array) return st.blob.length;
    if (st.blobSize === undefined)
      throw new Error(`kho-image builder: subtree ${st.name} has a blob function but no blobSize`);
    return st.blobSize;
  };
  const blobRanges = (spec.subtrees ?? [])
    .filter((s) => s.blob)
    .map((s) => ({ start: s.phys, end: s.phys + Math.ceil(blobLength(s) / pageSize) * pageSize }));
  const allocator = new PageAllocator(spec.ram, spec.blocks, pageSize, blobRanges);
  const blocks: KhoBlockSpec[] = [...spec.blocks];
  const newPage = (): [number, Uint8Array] => {
    const p = allocator.alloc();
    const b = new Uint8Array(pageSize);
    pages.set(p, b);
    return [p, b];
  };

  // vmalloc areas first: their pages become preserved blocks (kho_preserve_vmalloc).
  const vmalloc: BuiltVmalloc[] = [];
  const buildVmalloc = (v: KhoVmallocSpec): BuiltVmalloc => {
    const blockBytes = pageSize * 2 ** v.order;
    const nblocks = Math.max(1, Math.ceil(v.contents.length / blockBytes));
    const blockPhys: number[] = [];
    for (let i = 0; i < nblocks; i++) {
      // Order > 0 blocks need natural alignment: take single pages until an aligned run is found.
      const first = allocAligned(allocator, pageSize, 2 ** v.order);
      blockPhys.push(first);
      blocks.push({ phys: first, order: v.order });
      for (let off = 0; off < blockBytes; off += pageSize) {
        const page = new Uint8Array(pageSize);
        const src = i * blockBytes + off;
        if (src < v.contents.length)
          page.set(v.contents.subarray(src, Math.min(v.contents.length, src + pageSize)));
        pages.set(first + off, page);
      }
    }
    const perChunk = (pageSize - 8) / 8;
    const chunkPhys: number[] = [];
    let prev: DataView | null = null;
    for (let i = 0; i < blockPhys.length; i += perChunk) {
      const [p, bytes] = newPage();
      chunkPhys.push(p);
      blocks.push({ phys: p, order: 0 });
      const view = new DataView(bytes.buffer);
      blockPhys.slice(i, i + perChunk).forEach((b, j) => setU64(view, 8 + j * 8, b));
      if (prev) setU64(prev, 0, p);
      prev = view;
    }
    const desc = new Uint8Array(16);
    const dv = new DataView(desc.buffer);
    setU64(dv, 0, chunkPhys[0] ?? 0);
    dv.setUint32(8, blockPhys.length * 2 ** v.order, true);
    dv.setUint16(12, v.flags ?? 1, true);
    dv.setUint16(14, v.order, true);
    return { desc, first: chunkPhys[0] ?? 0, chunkPhys, blockPhys };
  };
  for (const v of spec.vmalloc ?? []) vmalloc.push(buildVmalloc(v));

  // LUO (kho-v4): its pages and blocks, and the raw struct luo_ser as the "LUO" subtree.
  const subtreeSpecs: KhoSubtreeSpec[] = [...(spec.subtrees ?? [])];
  let luo: BuiltLuo | undefined;
  if (spec.luo) {
    luo = encodeLuo(spec.luo, {
      pageSize,
      newPage: () => {
        const pb = newPage();
        blocks.push({ phys: pb[0], order: 0 });
        return pb;
      },
      dataPage: () => {
        const p = allocator.alloc();
        blocks.push({ phys: p, order: 0 });
        return p;
      },
      vmalloc: (contents) => buildVmalloc({ order: 0, contents }),
    });
    subtreeSpecs.push({ name: 'LUO', phys: luo.serPhys, blob: luo.blob });
  }

  const blobs = new Map<string, Uint8Array>();
  for (const st of subtreeSpecs) {
    if (!st.blob) continue;
    const blob = st.blob instanceof Uint8Array ? st.blob : st.blob(vmalloc);
    if (blob.length > blobLength(st))
      throw new Error(`kho-image builder: subtree ${st.name} blob exceeds blobSize`);
    blobs.set(st.name, blob);
    for (let off = 0; off < blob.length; off += pageSize) {
      const page = new Uint8Array(pageSize);
      page.set(blob.subarray(off, Math.min(blob.length, off + pageSize)));
      pages.set(st.phys + off, page);
    }
  }

  for (const b of blocks) {
    if (b.phys % (pageSize * 2 ** b.order) !== 0)
      throw new Error(`kho-image builder: block ${hex(b.phys)} order ${b.order} is not naturally aligned`);
  }
  const before = new Set(pages.keys());
  const memoryMapPhys =
    spec.abi === 'kho-v1'
      ? encodeChunkList(
          blocks,
          spec.bitmapFormat ?? 'page',
          pageShift,
          newPage,
          allocator,
          pages,
          spec.firstBitmapSlot ?? 1,
        )
      : encodeRadix(blocks, spec.abi, pageShift, newPage);
  const mapPages = [...pages.keys()].filter((p) => !before.has(p));

  const era = khoEra(spec.abi)!;
  const subProp = era.subtreePointerProp;
  const root: KhoNodeDesc = {
    props: [
      ['compatible', strBytes(spec.compatible ?? spec.abi)],
      ['preserved-memory-map', u64leBytes(memoryMapPhys)],
    ],
    children: subtreeSpecs.map((st): [string, KhoNodeDesc] => {
      const props: [string, Uint8Array][] = [[subProp, u64leBytes(st.phys)]];
      if (era.blobSize)
        props.push(['blob-size', u64leBytes(blobs.get(st.name)?.length ?? st.blobSize ?? pageSize)]);
      return [st.name, { props, children: [] }];
    }),
  };
  blocks.sort((a, b) => a.phys - b.phys || a.order - b.order);
  return {
    abi: spec.abi,
    pageSize,
    memoryMapPhys,
    blocks,
    pages,
    mapPages,
    vmalloc,
    root,
    scratch: spec.scratch ?? [],
    blobs,
    ...(luo ? { luo } : {}),
  };
}

function allocAligned(allocator: PageAllocator, pageSize: number, npages: number): number {
  if (npages === 1) return allocator.alloc();
  // Collect consecutive pages top-down until an aligned run of npages appears (builder only: small orders).
  const run: number[] = [];
  for (let tries = 0; tries < 1 << 20; tries++) {
    const p = allocator.alloc();
    if (run.length && run[run.length - 1]! - pageSize !== p) run.length = 0;
    run.push(p);
    if (run.length >= npages && p % (pageSize * npages) === 0) return p;
  }
  throw new Error('kho-image builder: no aligned run for a vmalloc block');
}

/** kho-v1: chunks of (PAGE_SIZE - 16) / 16 bitmap pointers per order, orders ascending, indices ascending. */
function encodeChunkList(
  blocks: readonly KhoBlockSpec[],
  format: KhoBitmapFormat,
  pageShift: number,
  newPage: () => [number, Uint8Array],
  allocator: PageAllocator,
  pages: Map<number, Uint8Array>,
  firstSlot: number,
): number {
  const pageSize = 2 ** pageShift;
  const bits = format === '512' ? 4096 : pageSize * 8;
  const byOrder = new Map<number, Map<number, Uint8Array>>();
  for (const b of blocks) {
    const pfnHigh = b.phys / pageSize / 2 ** b.order;
    const index = Math.floor(pfnHigh / bits);
    const bit = pfnHigh % bits;
    let m = byOrder.get(b.order);
    if (!m) byOrder.set(b.order, (m = new Map()));
    let bm = m.get(index);
    if (!bm) m.set(index, (bm = new Uint8Array(bits / 8)));
    bm[bit >> 3]! |= 1 << (bit & 7);
  }
  if (byOrder.size === 0) return 0;
  // Place bitmaps: whole pages (6.18+) or 512-byte kzalloc objects packed 8 to a page (6.16).
  let slotPage = 0;
  let slot = 8;
  let firstObj = true;
  const place = (bm: Uint8Array): number => {
    if (format === 'page') {
      const [p, bytes] = newPage();
      bytes.set(bm);
      return p;
    }
    if (slot >= pageSize / 512) {
      slotPage = allocator.alloc();
      pages.set(slotPage, new Uint8Array(pageSize));
      slot = firstObj ? firstSlot : 0;
      firstObj = false;
    }
    const addr = slotPage + slot * 512;
    pages.get(slotPage)!.set(bm, slot * 512);
    slot++;
    return addr;
  };
  const capacity = (pageSize - 16) / 16;
  let head = 0;
  let prev: DataView | null = null;
  for (const order of [...byOrder.keys()].sort((a, b) => a - b)) {
    const entries = [...byOrder.get(order)!.entries()].sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < entries.length; i += capacity) {
      const [p, bytes] = newPage();
      const view = new DataView(bytes.buffer);
      const group = entries.slice(i, i + capacity);
      view.setUint32(8, order, true);
      view.setUint32(12, group.length, true);
      group.forEach(([index, bm], j) => {
        setU64(view, 16 + j * 16, index * bits * 2 ** order * pageSize);
        setU64(view, 16 + j * 16 + 8, place(bm));
      });
      if (prev) setU64(prev, 0, p);
      else head = p;
      prev = view;
    }
  }
  return head;
}

/**
 * kho-v2/v3/v4 radix tree: src/synth encodeRadix (the kernel's kho_radix_add_page() and key encoding, over columns)
 * with its tables and leaves from the builder's allocator, in the order the blocks are given.
 */
function encodeRadix(
  blocks: readonly KhoBlockSpec[],
  abi: KhoAbi,
  pageShift: number,
  newPage: () => [number, Uint8Array],
): number {
  const cols = new BlockColumns(Math.max(1, blocks.length));
  for (const b of blocks) cols.push(b.phys, b.order);
  const allocPage = (): { phys: number; bytes: Uint8Array } => {
    const [phys, bytes] = newPage();
    return { phys, bytes };
  };
  return encodeSynthRadix(cols, abi, pageShift, { allocPage }).root;
}

/** PhysMemory over the image's pages (a test double for an ELF core). */
export function pagesMemory(
  pages: Map<number, Uint8Array>,
  pageSize: number,
  name = 'memory.core',
): PhysMemory {
  const has = (addr: number, length: number): boolean => {
    if (!Number.isSafeInteger(addr) || addr < 0 || length < 0) return false;
    for (let p = Math.floor(addr / pageSize) * pageSize; p < addr + length; p += pageSize)
      if (!pages.has(p)) return false;
    return true;
  };
  return {
    name,
    hasPhys: has,
    readPhys(addr: number, length: number, what: string): Uint8Array {
      if (!has(addr, length)) {
        throw new TraceError({
          code: 'ELF_ERR_NOT_IN_DUMP',
          location: { file: name, field: what },
          expected: `${length} bytes at ${hex(addr)}`,
          found: 'absent',
        });
      }
      const base = Math.floor(addr / pageSize) * pageSize;
      if (addr + length <= base + pageSize)
        return pages.get(base)!.subarray(addr - base, addr - base + length);
      const out = new Uint8Array(length);
      for (let done = 0; done < length;) {
        const a = addr + done;
        const pb = Math.floor(a / pageSize) * pageSize;
        const n = Math.min(length - done, pb + pageSize - a);
        out.set(pages.get(pb)!.subarray(a - pb, a - pb + n), done);
        done += n;
      }
      return out;
    },
  };
}

/** A hand-made decoded FDT node from a description (test double for parsers/fdt output; offsets are synthetic). */
export function toFdtNode(desc: KhoNodeDesc, name = '', path = '/', counter = { offset: 0x40 }): KhoFdtNode {
  const offset = counter.offset;
  counter.offset += 8;
  const props = desc.props.map(([n, value]) => {
    const p = { name: n, value, offset: counter.offset };
    counter.offset += 12 + value.length;
    return p;
  });
  const children = desc.children.map(([n, d]) =>
    toFdtNode(d, n, path === '/' ? `/${n}` : `${path}/${n}`, counter),
  );
  return { name, path, offset, props, children };
}

/** A node description as the FDT builder's spec (array forms keep order and repeated names). */
export function toFdtSpec(desc: KhoNodeDesc): FdtNodeSpec {
  return {
    props: desc.props,
    children: desc.children.map(([n, d]): [string, FdtNodeSpec] => [n, toFdtSpec(d)]),
  };
}

/** The root FDT blob, as /sys/kernel/debug/kho/out/fdt holds it. */
export function buildRootFdt(img: BuiltKhoImage): Uint8Array {
  return buildFdt({ root: toFdtSpec(img.root) });
}

/** An ELF core holding the image's pages, consecutive pages coalesced into one PT_LOAD each. */
export function buildImageCore(img: BuiltKhoImage): Uint8Array {
  const addrs = [...img.pages.keys()].sort((a, b) => a - b);
  const segments: { paddr: number; data: Uint8Array }[] = [];
  for (let i = 0; i < addrs.length;) {
    let j = i + 1;
    while (j < addrs.length && addrs[j] === addrs[j - 1]! + img.pageSize) j++;
    const data = new Uint8Array((j - i) * img.pageSize);
    for (let k = i; k < j; k++) data.set(img.pages.get(addrs[k]!)!, (k - i) * img.pageSize);
    segments.push({ paddr: addrs[i]!, data });
    i = j;
  }
  return buildElfCore({ segments });
}

/**
 * The `kho/` files of a trace bundle (DESIGN.md, The trace bundle), relative paths to bytes: `kho/fdt`,
 * `kho/sub_fdts/<name>` for every blob, `kho/scratch_phys` and `kho/scratch_len` ("0x%llx\n" per area, as debugfs
 * prints them), `kho/memory.core`.
 */
export function khoBundleFiles(img: BuiltKhoImage): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  files.set('kho/fdt', buildRootFdt(img));
  for (const [name, blob] of img.blobs) files.set(`kho/sub_fdts/${name}`, blob);
  files.set('kho/scratch_phys', text(img.scratch.map((s) => `0x${s.phys.toString(16)}\n`).join('')));
  files.set('kho/scratch_len', text(img.scratch.map((s) => `0x${s.sizeBytes.toString(16)}\n`).join('')));
  files.set('kho/memory.core', buildImageCore(img));
  return files;
}

/** A small deterministic PRNG (mulberry32), for generated images that must be reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` blocks the way a buddy allocator hands them out: superblocks of 2^maxOrder pages split in halves at random,
 * each piece kept whole (probability `keep`), left free (`free`), or split further; now and then a huge block
 * (order maxOrder+1 .. hugeMaxOrder, as kho_preserve_pages makes). Sorted, naturally aligned, non-overlapping, dense.
 * Stops at `count` blocks or at `endPfn`.
 */
export function generateBuddyBlocks(
  rand: () => number,
  count: number,
  opts: {
    maxOrder?: number;
    hugeMaxOrder?: number;
    keep?: number;
    free?: number;
    hugeProb?: number;
    startPfn?: number;
    endPfn?: number;
  } = {},
): KhoBlockSpec[] {
  const maxOrder = opts.maxOrder ?? 10;
  const hugeMax = opts.hugeMaxOrder ?? 18;
  const keep = opts.keep ?? 0.35;
  const free = opts.free ?? 0.25;
  const hugeProb = opts.hugeProb ?? 0.002;
  const endPfn = opts.endPfn ?? Infinity;
  const out: KhoBlockSpec[] = [];
  const split = (pfn: number, o: number): void => {
    if (out.length >= count) return;
    if (o === 0 || rand() < keep) {
      if (rand() >= free) out.push({ phys: pfn * 4096, order: o });
      return;
    }
    split(pfn, o - 1);
    split(pfn + 2 ** (o - 1), o - 1);
  };
  let pfn = opts.startPfn ?? 0x100000;
  while (out.length < count) {
    if (hugeMax > maxOrder && rand() < hugeProb) {
      const o = maxOrder + 1 + Math.floor(rand() * (hugeMax - maxOrder));
      const at = Math.ceil(pfn / 2 ** o) * 2 ** o;
      if (at + 2 ** o > endPfn) continue;
      out.push({ phys: at * 4096, order: o });
      pfn = at + 2 ** o;
      continue;
    }
    pfn = Math.ceil(pfn / 2 ** maxOrder) * 2 ** maxOrder;
    if (pfn + 2 ** maxOrder > endPfn) break;
    split(pfn, maxOrder);
    pfn += 2 ** maxOrder;
  }
  return out;
}
