// Physical pages the synthetic outgoing kernel wrote metadata into (radix tables and leaves, chunk lists and
// bitmaps, vmalloc chunks and pages, serialization blocks, blobs). Pages are handed out bottom-up from windows
// of physical memory and stored in 1 MiB chunks, so a core of millions of blocks is a few large segments,
// never an object per page.

/** Pages per storage chunk (1 MiB at 4 KiB pages). */
const CHUNK_PAGES = 256;

export interface CoreSegment {
  /** Physical byte address of the first byte (p_paddr). */
  readonly paddr: number;
  readonly bytes: Uint8Array;
}

interface Window {
  readonly start: number;
  readonly end: number;
  next: number;
  readonly chunks: Uint8Array[];
}

export class PageArena {
  private readonly windows: Window[] = [];
  /** Every page handed out, in order: the preserved ones are also listed by the caller as blocks. */
  allocated = 0;

  constructor(readonly pageSize: number) {}

  /** Add a window [start, end) of free physical memory; returns its index for allocPage(window). */
  addWindow(start: number, end: number): number {
    const s = Math.ceil(start / this.pageSize) * this.pageSize;
    this.windows.push({ start: s, end, next: s, chunks: [] });
    return this.windows.length - 1;
  }

  /** One zeroed page from window `w`: its physical address and its bytes (a view into the chunk). */
  allocPage(w = 0): { phys: number; bytes: Uint8Array } {
    const win = this.windows[w];
    if (!win) throw new Error(`synth: no metadata window ${w}`);
    if (win.next + this.pageSize > win.end)
      throw new Error(`synth: metadata window ${w} at 0x${win.start.toString(16)} is full`);
    const idx = (win.next - win.start) / this.pageSize;
    const chunk = Math.floor(idx / CHUNK_PAGES);
    if (chunk === win.chunks.length) win.chunks.push(new Uint8Array(CHUNK_PAGES * this.pageSize));
    const off = (idx % CHUNK_PAGES) * this.pageSize;
    const phys = win.next;
    win.next += this.pageSize;
    this.allocated++;
    return { phys, bytes: win.chunks[chunk]!.subarray(off, off + this.pageSize) };
  }

  /** `n` physically contiguous zeroed pages from window `w` (a blob of more than a page). */
  allocRun(n: number, w = 0): { phys: number; pages: Uint8Array[] } {
    const pages: Uint8Array[] = [];
    let phys = -1;
    for (let i = 0; i < n; i++) {
      const p = this.allocPage(w);
      if (i === 0) phys = p.phys;
      pages.push(p.bytes);
    }
    return { phys, pages };
  }

  /** The used pages as segments in physical order: one per chunk, trimmed to what was handed out. */
  segments(): CoreSegment[] {
    const out: CoreSegment[] = [];
    for (const win of this.windows) {
      const used = (win.next - win.start) / this.pageSize;
      win.chunks.forEach((c, i) => {
        const pages = Math.min(CHUNK_PAGES, used - i * CHUNK_PAGES);
        if (pages > 0)
          out.push({
            paddr: win.start + i * CHUNK_PAGES * this.pageSize,
            bytes: c.subarray(0, pages * this.pageSize),
          });
      });
    }
    return out.sort((a, b) => a.paddr - b.paddr);
  }
}

export function setU64le(bytes: Uint8Array, off: number, v: number): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  dv.setUint32(off, v % 0x1_0000_0000, true);
  dv.setUint32(off + 4, Math.floor(v / 0x1_0000_0000), true);
}

export function setU32le(bytes: Uint8Array, off: number, v: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(off, v >>> 0, true);
}

/** A NUL-padded fixed-size char array (kernel `char name[N]`). */
export function setCString(bytes: Uint8Array, off: number, s: string, size: number): void {
  const b = new TextEncoder().encode(s);
  bytes.set(b.subarray(0, size - 1), off);
}
