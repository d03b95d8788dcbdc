// Byte builders for ELF64 cores, from a readable description:
//
//   buildElfCore({ endianness: 'le', segments: [{ paddr: 0x100000, data: { size: 0x2000, fill: 0xaa } },
//                                               { vaddrOnly: true, data: { size: 0x1000, fill: 0 } }] })
//
// and buildSparseElfCore() for huge images: segments declare sizes and carry only the bytes given, the file
// is virtual (a ByteSource that synthesises zeros) and counts what the reader asked for.
// Layout of what is built: Elf64_Ehdr, the program headers (a PT_NOTE first when notes are given, as kdump
// and /proc/kcore do), section header 0 under PN_XNUM, the notes, then each segment's bytes in order.
// Test code may use bigint (raw u64 fields, kernel virtual addresses); the engine never does.
import type { ByteSource } from '../../src/core/index.js';
import { ELF, ELF64_SIZES } from '../../parsers/elf-core/layout.js';

export type SegmentData = Uint8Array | { size: number; fill: number };

/** Raw u64 field values written as is, for malformed cores (values above 2^53, bad offsets). */
export interface PhdrOverride {
  p_offset?: bigint;
  p_vaddr?: bigint;
  p_paddr?: bigint;
  p_filesz?: bigint;
  p_memsz?: bigint;
}

export interface ElfSegmentSpec {
  /** p_paddr; default 0. */
  paddr?: number;
  /** p_vaddr; default paddr + 0xffff888000000000 (the x86_64 direct map). */
  vaddr?: bigint;
  /** p_paddr all ones: a /proc/kcore vmalloc or modules area. */
  vaddrOnly?: boolean;
  /** The bytes in the file (p_filesz is their size); default none. */
  data?: SegmentData;
  /** p_memsz; default the data size. Larger than the data: a zero-filled tail. */
  memSize?: number;
  /** p_type; default PT_LOAD. */
  type?: number;
  override?: PhdrOverride;
}

export interface ElfNoteSpec {
  name: string;
  type: number;
  desc: Uint8Array;
}

export interface ElfCoreSpecBase {
  endianness?: 'le' | 'be';
  /** e_machine; default EM_X86_64. */
  machine?: number;
  /** e_type; default ET_CORE. */
  type?: number;
  /** EI_CLASS; default ELFCLASS64 (only the byte: the layout stays ELF64). */
  elfClass?: number;
  /** e_version and EI_VERSION; default EV_CURRENT. */
  version?: number;
  /** e_phentsize; default 56. Entries are padded with zeros when larger. */
  phentsize?: number;
  /** Force e_phnum = PN_XNUM with the count in section header 0 (automatic from 0xffff headers). */
  extendedNumbering?: boolean;
  notes?: ElfNoteSpec[];
}

export interface ElfCoreSpec extends ElfCoreSpecBase {
  segments: ElfSegmentSpec[];
}

const DIRECT_MAP = 0xffff888000000000n;
const ALL_ONES = 0xffffffffffffffffn;

interface PlannedSegment {
  type: number;
  paddr: bigint;
  vaddr: bigint;
  fileOffset: number;
  fileSize: number;
  memSize: number;
  override: PhdrOverride;
}

interface Plan {
  header: Uint8Array;
  /** Where segment data starts. */
  dataStart: number;
  /** Total file size. */
  size: number;
  segments: PlannedSegment[];
}

function dataSize(d: SegmentData | undefined): number {
  if (d === undefined) return 0;
  return d instanceof Uint8Array ? d.length : d.size;
}

function encodeNotes(notes: readonly ElfNoteSpec[], le: boolean): Uint8Array {
  const pad4 = (n: number) => Math.ceil(n / 4) * 4;
  const parts: Uint8Array[] = [];
  for (const n of notes) {
    const name = new TextEncoder().encode(n.name + '\0');
    const buf = new Uint8Array(12 + pad4(name.length) + pad4(n.desc.length));
    const v = new DataView(buf.buffer);
    v.setUint32(0, name.length, le);
    v.setUint32(4, n.desc.length, le);
    v.setUint32(8, n.type, le);
    buf.set(name, 12);
    buf.set(n.desc, 12 + pad4(name.length));
    parts.push(buf);
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Lay out headers and notes; segment i's bytes go at plan.segments[i].fileOffset. */
function plan(
  spec: ElfCoreSpecBase,
  segs: readonly {
    type: number;
    paddr: bigint;
    vaddr: bigint;
    fileSize: number;
    memSize: number;
    override: PhdrOverride;
  }[],
): Plan {
  const le = (spec.endianness ?? 'le') === 'le';
  const phentsize = spec.phentsize ?? ELF64_SIZES.Elf64_Phdr;
  const notes = encodeNotes(spec.notes ?? [], le);
  const hasNotes = (spec.notes ?? []).length > 0;
  const phnum = segs.length + (hasNotes ? 1 : 0);
  const extended = spec.extendedNumbering === true || phnum >= ELF.PN_XNUM;
  const phoff = ELF64_SIZES.Elf64_Ehdr;
  const shoff = phoff + phnum * phentsize;
  const notesAt = shoff + (extended ? ELF64_SIZES.Elf64_Shdr : 0);
  const dataStart = notesAt + notes.length;

  const planned: PlannedSegment[] = [];
  let at = dataStart;
  for (const s of segs) {
    planned.push({ ...s, fileOffset: at });
    at += s.fileSize;
  }

  const header = new Uint8Array(dataStart);
  const v = new DataView(header.buffer);
  header.set(ELF.ELFMAG, 0);
  header[ELF.EI_CLASS] = spec.elfClass ?? ELF.ELFCLASS64;
  header[ELF.EI_DATA] = le ? ELF.ELFDATA2LSB : ELF.ELFDATA2MSB;
  header[ELF.EI_VERSION] = spec.version ?? ELF.EV_CURRENT;
  v.setUint16(16, spec.type ?? ELF.ET_CORE, le);
  v.setUint16(18, spec.machine ?? ELF.EM_X86_64, le);
  v.setUint32(20, spec.version ?? ELF.EV_CURRENT, le);
  v.setBigUint64(24, 0n, le);
  v.setBigUint64(32, BigInt(phoff), le);
  v.setBigUint64(40, extended ? BigInt(shoff) : 0n, le);
  v.setUint32(48, 0, le);
  v.setUint16(52, ELF64_SIZES.Elf64_Ehdr, le);
  v.setUint16(54, phentsize, le);
  v.setUint16(56, extended ? ELF.PN_XNUM : phnum, le);
  v.setUint16(58, extended ? ELF64_SIZES.Elf64_Shdr : 0, le);
  v.setUint16(60, extended ? 1 : 0, le);
  v.setUint16(62, 0, le);

  // Each entry is encoded whole, then its first e_phentsize bytes are kept (a short e_phentsize cuts it).
  const writePhdr = (i: number, p: PlannedSegment) => {
    const entry = new Uint8Array(ELF64_SIZES.Elf64_Phdr);
    const e = new DataView(entry.buffer);
    const o = 0;
    e.setUint32(o, p.type, le);
    e.setUint32(o + 4, 7, le); // PF_R | PF_W | PF_X, as /proc/kcore and kdump write
    e.setBigUint64(o + 8, p.override.p_offset ?? BigInt(p.fileOffset), le);
    e.setBigUint64(o + 16, p.override.p_vaddr ?? p.vaddr, le);
    e.setBigUint64(o + 24, p.override.p_paddr ?? p.paddr, le);
    e.setBigUint64(o + 32, p.override.p_filesz ?? BigInt(p.fileSize), le);
    e.setBigUint64(o + 40, p.override.p_memsz ?? BigInt(p.memSize), le);
    e.setBigUint64(o + 48, 4096n, le);
    header.set(entry.subarray(0, Math.min(phentsize, entry.length)), phoff + i * phentsize);
  };
  let i = 0;
  if (hasNotes) {
    writePhdr(i++, {
      type: ELF.PT_NOTE,
      paddr: 0n,
      vaddr: 0n,
      fileOffset: notesAt,
      fileSize: notes.length,
      memSize: 0,
      override: {},
    });
  }
  for (const p of planned) writePhdr(i++, p);
  if (extended) {
    // Section header 0 as fs/binfmt_elf.c fill_extnum_info writes it: SHT_NULL, sh_info = phnum.
    v.setUint32(shoff + 44, phnum, le);
  }
  header.set(notes, notesAt);
  return { header, dataStart, size: at, segments: planned };
}

function toPlanInput(s: ElfSegmentSpec, fileSize: number) {
  const paddr = s.vaddrOnly ? ALL_ONES : BigInt(s.paddr ?? 0);
  return {
    type: s.type ?? ELF.PT_LOAD,
    paddr,
    vaddr: s.vaddr ?? (s.vaddrOnly ? 0xffffc90000000000n : DIRECT_MAP + BigInt(s.paddr ?? 0)),
    fileSize,
    memSize: s.memSize ?? fileSize,
    override: s.override ?? {},
  };
}

/** Build a whole core in memory. */
export function buildElfCore(spec: ElfCoreSpec): Uint8Array {
  const p = plan(
    spec,
    spec.segments.map((s) => toPlanInput(s, dataSize(s.data))),
  );
  const out = new Uint8Array(p.size);
  out.set(p.header, 0);
  spec.segments.forEach((s, i) => {
    const at = p.segments[i]!.fileOffset;
    if (s.data instanceof Uint8Array) out.set(s.data, at);
    else if (s.data) out.fill(s.data.fill, at, at + s.data.size);
  });
  return out;
}

/** A ByteSource that counts what is read from it. */
export interface CountingSource extends ByteSource {
  /** Bytes returned by read() so far. */
  bytesRead: number;
  /** Calls to read() so far. */
  reads: number;
}

export function countingSource(src: ByteSource): CountingSource {
  const c: CountingSource = {
    name: src.name,
    size: src.size,
    bytesRead: 0,
    reads: 0,
    read(offset: number, length: number): Uint8Array {
      const b = src.read(offset, length);
      c.bytesRead += b.length;
      c.reads++;
      return b;
    },
  };
  return c;
}

export interface SparseSegmentSpec {
  paddr?: number;
  vaddrOnly?: boolean;
  /** p_filesz: bytes in the (virtual) file. */
  fileSize: number;
  /** p_memsz; default fileSize. */
  memSize?: number;
  /** The only non-zero bytes: offset within the segment -> bytes. */
  bytes?: Map<number, Uint8Array>;
  type?: number;
  override?: PhdrOverride;
}

export interface SparseElfCoreSpec extends ElfCoreSpecBase {
  segments: SparseSegmentSpec[];
}

export interface SparseElfCore {
  /** The virtual file: headers are real bytes, segment data is zeros except the given bytes. */
  source: CountingSource;
  /** File offset of each segment's data, in spec order. */
  fileOffsets: number[];
}

/** Build a core of any size without allocating it: for terabyte segments and thousands of phdrs. */
export function buildSparseElfCore(spec: SparseElfCoreSpec, name = 'sparse.core'): SparseElfCore {
  const p = plan(
    spec,
    spec.segments.map((s) => ({
      ...toPlanInput({ ...s, data: undefined }, s.fileSize),
      memSize: s.memSize ?? s.fileSize,
    })),
  );
  // All chunks in file order (segments are laid out in order, chunks sorted within each).
  const chunks: { at: number; bytes: Uint8Array }[] = [];
  spec.segments.forEach((s, i) => {
    const base = p.segments[i]!.fileOffset;
    for (const [off, bytes] of [...(s.bytes ?? new Map<number, Uint8Array>())].sort((a, b) => a[0] - b[0])) {
      if (off < 0 || off + bytes.length > s.fileSize)
        throw new Error(`sparse chunk at ${off} outside segment ${i}`);
      chunks.push({ at: base + off, bytes });
    }
  });
  const header = p.header;
  const size = p.size;
  const inner: ByteSource = {
    name,
    size,
    read(offset: number, length: number): Uint8Array {
      const start = Math.max(0, Math.min(offset, size));
      const end = Math.min(size, start + Math.max(0, length));
      const out = new Uint8Array(end - start);
      if (start < header.length) out.set(header.subarray(start, Math.min(end, header.length)), 0);
      // First chunk that ends after `start`.
      let lo = 0;
      let hi = chunks.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (chunks[mid]!.at + chunks[mid]!.bytes.length <= start) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < chunks.length && chunks[k]!.at < end; k++) {
        const c = chunks[k]!;
        const s = Math.max(start, c.at);
        const e = Math.min(end, c.at + c.bytes.length);
        out.set(c.bytes.subarray(s - c.at, e - c.at), s - start);
      }
      return out;
    },
  };
  return { source: countingSource(inner), fileOffsets: p.segments.map((s) => s.fileOffset) };
}
