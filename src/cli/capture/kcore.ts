// Physical memory of a live host through /proc/kcore (or of a vmcore), addressed by p_paddr. Read here rather
// than by parsers/elf-core because /proc/kcore's file offsets follow kernel virtual addresses: with 5-level paging
// and KASLR (linux v7.3-rc7 fs/proc/kcore.c, kc_vaddr_to_offset) a RAM segment's p_offset can be above 2^53, so
// offsets are kept as bigint and read with a bigint position. Where the core gives no p_paddr (kernels before
// "proc/kcore: add physical addresses", or a dumper that leaves them out), the direct-map offset is found by
// matching segments against /proc/iomem's System RAM ranges: paddr = p_vaddr - page_offset_base.
import * as fs from 'node:fs';
import type { Range } from '../../core/index.js';
import { TraceError, hex } from '../../core/index.js';

interface Seg {
  readonly paddr: number;
  readonly size: number;
  readonly offset: bigint;
}

const PT_LOAD = 1;
const PT_NOTE = 4;
const ALL_ONES = 0xffff_ffff_ffff_ffffn;
const GiB = 2n ** 30n;

export class KcoreMemory {
  readonly endianness = 'le' as const;
  readonly segments: Seg[];
  readonly presentRanges: Range[];
  /** How physical addresses were found: from p_paddr, or from the direct map. */
  readonly addressing: 'p_paddr' | 'direct-map' | 'none';
  readonly directMapBase: bigint | null;
  private readonly fd: number;

  /** `ramRanges`: System RAM from /proc/iomem (physical bytes), for the direct-map fallback. */
  constructor(
    readonly name: string,
    ramRanges: readonly Range[] = [],
  ) {
    this.fd = fs.openSync(name, 'r');
    const eh = this.readAt(0n, 64);
    if (eh[0] !== 0x7f || eh[1] !== 0x45 || eh[2] !== 0x4c || eh[3] !== 0x46 || eh[4] !== 2 || eh[5] !== 1) {
      fs.closeSync(this.fd);
      throw new TraceError({
        code: 'ELF_ERR_BADMAGIC',
        location: { file: name, offset: 0 },
        expected: 'an ELF64 little-endian core',
        found: 'other bytes',
      });
    }
    const dv = new DataView(eh.buffer, eh.byteOffset, 64);
    const phoff = dv.getBigUint64(32, true);
    const phnum = dv.getUint16(56, true);
    const table = this.readAt(phoff, phnum * 56);
    const tv = new DataView(table.buffer, table.byteOffset, table.byteLength);
    const raw: { vaddr: bigint; paddr: bigint; offset: bigint; size: bigint }[] = [];
    this.notes = [];
    for (let i = 0; i < phnum; i++) {
      const o = i * 56;
      const type = tv.getUint32(o, true);
      const offset = tv.getBigUint64(o + 8, true);
      const size = tv.getBigUint64(o + 32, true);
      if (type === PT_NOTE) this.notes.push({ offset, size });
      if (type !== PT_LOAD || size === 0n) continue;
      raw.push({ vaddr: tv.getBigUint64(o + 16, true), paddr: tv.getBigUint64(o + 24, true), offset, size });
    }
    const withPaddr = raw.filter((s) => s.paddr !== ALL_ONES && s.paddr + s.size < 2n ** 53n);
    // old kcores left p_paddr 0 in every segment: no physical addresses at all
    const usable = withPaddr.length > 1 && withPaddr.some((s) => s.paddr !== 0n) ? withPaddr : [];
    let segs: Seg[] = usable.map((s) => ({ paddr: Number(s.paddr), size: Number(s.size), offset: s.offset }));
    let base: bigint | null = null;
    if (!segs.length && ramRanges.length) {
      // page_offset_base is PUD-aligned (arch/x86/mm/kaslr.c): a candidate per segment matching a RAM range's size
      for (const s of raw) {
        for (const r of ramRanges) {
          if (BigInt(r.end - r.start) !== s.size) continue;
          const cand = s.vaddr - BigInt(r.start);
          if (cand % GiB !== 0n) continue;
          const hits = raw.filter((x) =>
            ramRanges.some((q) => x.vaddr - cand === BigInt(q.start) && x.size === BigInt(q.end - q.start)),
          );
          if (hits.length >= Math.min(2, ramRanges.length)) {
            base = cand;
            segs = hits.map((x) => ({
              paddr: Number(x.vaddr - cand),
              size: Number(x.size),
              offset: x.offset,
            }));
            break;
          }
        }
        if (base !== null) break;
      }
    }
    segs.sort((a, b) => a.paddr - b.paddr);
    this.segments = segs;
    this.directMapBase = base;
    this.addressing = usable.length ? 'p_paddr' : base !== null ? 'direct-map' : 'none';
    this.presentRanges = segs.map((s) => ({ start: s.paddr, end: s.paddr + s.size }));
  }

  readonly notes: { offset: bigint; size: bigint }[];

  private readAt(pos: bigint, n: number): Uint8Array {
    const buf = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const r = fs.readSync(this.fd, buf, done, n - done, pos + BigInt(done));
      if (r === 0) break;
      done += r;
    }
    return buf;
  }

  private find(addr: number): Seg | null {
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid]!.paddr + this.segments[mid]!.size <= addr) lo = mid + 1;
      else hi = mid;
    }
    const s = this.segments[lo];
    return s && s.paddr <= addr ? s : null;
  }

  hasPhys(addr: number, length: number): boolean {
    let a = addr;
    const end = addr + length;
    while (a < end) {
      const s = this.find(a);
      if (!s) return false;
      a = s.paddr + s.size;
    }
    return true;
  }

  readPhys(addr: number, length: number, what: string): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const a = addr + done;
      const s = this.find(a);
      if (!s)
        throw new TraceError({
          code: 'ELF_ERR_NOT_IN_DUMP',
          location: { file: this.name, field: what },
          expected: `${length} bytes at ${hex(addr)}`,
          found: `${hex(a)} absent`,
        });
      const n = Math.min(length - done, s.paddr + s.size - a);
      out.set(this.readAt(s.offset + BigInt(a - s.paddr), n), done);
      done += n;
    }
    return out;
  }

  /** KEY=VALUE lines of the VMCOREINFO note, when the core has one. */
  vmcoreinfo(): Map<string, string> {
    const out = new Map<string, string>();
    for (const n of this.notes) {
      const b = Buffer.from(this.readAt(n.offset, Number(n.size)));
      const at = b.indexOf('VMCOREINFO\0');
      if (at < 0) continue;
      for (const line of b.toString('latin1', at).split(/[\n\0]/)) {
        const eq = line.indexOf('=');
        if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
      }
    }
    return out;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
