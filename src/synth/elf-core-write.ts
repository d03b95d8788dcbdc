// The header of a small ELF64 core addressed by physical address, as kdump's vmcores and qemu's
// dump-guest-memory write them: Elf64_Ehdr (ET_CORE), one PT_LOAD per segment with p_paddr set and p_vaddr in
// the x86_64 direct map, segment bytes after the headers in order. Only the header is built here; the caller
// streams each segment's bytes at its p_offset, so a core of any size is never held whole.

export interface CoreSegmentPlan {
  readonly paddr: number;
  readonly size: number;
}

/** ELF constants, include/uapi/linux/elf.h spelling. */
export const ELF_WRITE = {
  ET_CORE: 4,
  EM_X86_64: 62,
  PT_LOAD: 1,
  PT_NOTE: 4,
  PF_R: 4,
  PF_W: 2,
  PF_X: 1,
  EHDR_SIZE: 64,
  PHDR_SIZE: 56,
} as const;

/** x86_64 page_offset_base without KASLR (Documentation/arch/x86/x86_64/mm.rst), the dumps' p_vaddr. */
const DIRECT_MAP = 0xffff888000000000n;

export interface CoreHeaderPlan {
  readonly header: Uint8Array;
  /** File offset of each segment's bytes. */
  readonly offsets: number[];
  readonly fileSize: number;
}

/**
 * Headers for `segments` (sorted or not: written in the given order) and an optional PT_NOTE of `notes` bytes
 * placed right after the program headers. Segment data is page-aligned in the file.
 */
export function planElfCore(
  segments: readonly CoreSegmentPlan[],
  notes: Uint8Array | null = null,
  machine: number = ELF_WRITE.EM_X86_64,
): CoreHeaderPlan {
  const phnum = segments.length + (notes ? 1 : 0);
  const phEnd = ELF_WRITE.EHDR_SIZE + phnum * ELF_WRITE.PHDR_SIZE;
  const noteOff = phEnd;
  const dataStart = Math.ceil((phEnd + (notes?.length ?? 0)) / 4096) * 4096;
  const header = new Uint8Array(phEnd + (notes?.length ?? 0));
  const dv = new DataView(header.buffer);
  header.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELFCLASS64, ELFDATA2LSB, EV_CURRENT
  dv.setUint16(16, ELF_WRITE.ET_CORE, true);
  dv.setUint16(18, machine, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(32, BigInt(ELF_WRITE.EHDR_SIZE), true); // e_phoff
  dv.setUint16(52, ELF_WRITE.EHDR_SIZE, true);
  dv.setUint16(54, ELF_WRITE.PHDR_SIZE, true);
  if (phnum >= 0xffff) throw new Error(`synth: ${phnum} program headers need PN_XNUM, not written`);
  dv.setUint16(56, phnum, true);
  let ph = ELF_WRITE.EHDR_SIZE;
  if (notes) {
    dv.setUint32(ph, ELF_WRITE.PT_NOTE, true);
    dv.setBigUint64(ph + 8, BigInt(noteOff), true);
    dv.setBigUint64(ph + 32, BigInt(notes.length), true);
    dv.setBigUint64(ph + 40, BigInt(notes.length), true);
    header.set(notes, noteOff);
    ph += ELF_WRITE.PHDR_SIZE;
  }
  const offsets: number[] = [];
  let off = dataStart;
  for (const s of segments) {
    offsets.push(off);
    dv.setUint32(ph, ELF_WRITE.PT_LOAD, true);
    dv.setUint32(ph + 4, ELF_WRITE.PF_R | ELF_WRITE.PF_W | ELF_WRITE.PF_X, true);
    dv.setBigUint64(ph + 8, BigInt(off), true);
    dv.setBigUint64(ph + 16, DIRECT_MAP + BigInt(s.paddr), true);
    dv.setBigUint64(ph + 24, BigInt(s.paddr), true);
    dv.setBigUint64(ph + 32, BigInt(s.size), true);
    dv.setBigUint64(ph + 40, BigInt(s.size), true);
    dv.setBigUint64(ph + 48, 4096n, true);
    ph += ELF_WRITE.PHDR_SIZE;
    off += Math.ceil(s.size / 4096) * 4096;
  }
  return { header, offsets, fileSize: off };
}

/** Merge physically adjacent segments (one PT_LOAD per contiguous run). */
export function coalesceSegments<T extends { readonly paddr: number; readonly bytes: Uint8Array }>(
  segs: readonly T[],
): { paddr: number; parts: Uint8Array[]; size: number }[] {
  const out: { paddr: number; parts: Uint8Array[]; size: number }[] = [];
  for (const s of [...segs].sort((a, b) => a.paddr - b.paddr)) {
    const last = out[out.length - 1];
    if (last && last.paddr + last.size === s.paddr) {
      last.parts.push(s.bytes);
      last.size += s.bytes.length;
    } else out.push({ paddr: s.paddr, parts: [s.bytes], size: s.bytes.length });
  }
  return out;
}
