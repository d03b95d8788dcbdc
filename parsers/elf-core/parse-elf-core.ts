// ELF64 core files as physical memory: kdump /proc/vmcore, /proc/kcore copies, qemu dump-guest-memory.
// Only Elf64_Ehdr and the program header table are read when the core is opened; segment bytes are read
// through the ByteSource when asked for. Physical memory is addressed by p_paddr.
//
// Choices (README.md says the same for users; test/parsers/elf-core tests each):
// - ELF64 only (ELF_ERR_BADCLASS for ELFCLASS32): the KHO hosts this tool serves are x86_64 and arm64
//   (ARCH_SUPPORTS_KEXEC_HANDOVER in arch/{x86,arm64}/Kconfig, v6.16).
// - e_type must be ET_CORE, as fs/proc/vmcore.c parse_crash_elf64_headers (v6.x) requires; an ET_EXEC
//   vmlinux also has PT_LOADs with p_paddr, and reading it as a dump would be silently wrong.
// - PT_LOADs with p_paddr == 0xffffffffffffffff are skipped and counted: /proc/kcore gives vmalloc and
//   module areas that way (fs/proc/kcore.c read_kcore_iter, v6.x: `(elf_addr_t)-1` unless KCORE_RAM,
//   KCORE_REMAP or KCORE_TEXT). They are not validated: a copy of kcore need not contain their bytes.
// - p_filesz < p_memsz: the tail is present and zero (ELF gABI, "Program Header": the extra bytes "are
//   defined to hold the value 0"), unless the caller passes zeroFill: false. Either way a diagnostic counts them.
//   Caveat: qemu dump-guest-memory with a begin/length filter cuts p_filesz to what it stored (dump/dump.c
//   get_offset_range), so there the tail was not captured; such users pass zeroFill: false.
// - p_offset -1 with p_filesz 0 is qemu's "not stored" marker (same function): absent, never zeros.
// - p_offset is only checked when p_filesz > 0: without file bytes it means nothing.
// - Overlapping PT_LOADs: the first in program-header order wins (see phys-map.ts).
// - e_phnum == PN_XNUM: the count is section header 0's sh_info (fs/binfmt_elf.c fill_extnum_info, v6.x).
import type { ByteSource, Diagnostic, Range } from '../../src/core/index.js';
import {
  DiagnosticSink,
  LIMITS,
  TraceError,
  U64_MAX_SAFE,
  formatMemRange,
  hex,
} from '../../src/core/index.js';
import { parseStruct, u64FromHalves } from '../_shared/index.js';
import { ELF_DIAG, ELF_ERR } from './codes.js';
import type { RawElf64Ehdr, RawElf64Phdr, RawElf64Shdr } from './layout.js';
import { EHDR_OFFSETS, ELF, ELF64_LAYOUTS, ELF64_SIZES, PHDR_OFFSETS, SHDR_OFFSETS } from './layout.js';
import { readElfNotes, type NoteSegment } from './notes.js';
import { PhysMap } from './phys-map.js';
import type { ElfCore, ElfNote, ElfSegment, OpenElfCoreOptions } from './types.js';

const ALL_ONES = 0xffff_ffff;
/**
 * Largest single readPhys: decoders read chunks, bitmaps and radix nodes of a few pages; a length beyond
 * this came from a corrupt structure and would otherwise fail as an allocation error (a crash, not a finding).
 */
export const READ_MAX_BYTES = 256 * 1024 * 1024;
/** The largest high half of a u64 below 2^53. */
const SAFE_HI = 0x1f_ffff;
/** How many examples a summarising diagnostic names. */
const EXAMPLES = 3;

/** Read exactly `length` bytes at `offset` or throw ELF_ERR_TRUNCATED naming `field`. */
/** `field` names what was read, for the error; a function when the name is costly and only wanted on failure. */
export function readExact(
  src: ByteSource,
  offset: number,
  length: number,
  field: string | (() => string),
): Uint8Array {
  const b = offset <= src.size ? src.read(offset, length) : new Uint8Array(0);
  if (b.length < length) {
    throw new TraceError({
      code: ELF_ERR.TRUNCATED,
      location: { file: src.name, offset, field: typeof field === 'string' ? field : field() },
      expected: `${length} bytes`,
      found: `${b.length} bytes before the end of the file (${src.size} bytes)`,
    });
  }
  return b;
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function describeType(t: number): string {
  const names: Record<number, string> = {
    0: 'ET_NONE',
    1: 'ET_REL',
    2: 'ET_EXEC',
    3: 'ET_DYN',
    4: 'ET_CORE',
  };
  return names[t] !== undefined ? `${names[t]} (${t})` : `${t}`;
}

interface Ident {
  endianness: 'le' | 'be';
}

/**
 * Dump formats users confuse with ELF cores, by their leading signature (makedumpfile's KDUMP_SIGNATURE,
 * DISK_DUMP_SIGNATURE and the flattened-format MAKEDUMPFILE_SIGNATURE, as drgn libdrgn/linux_kernel.h lists them).
 */
const OTHER_DUMPS: readonly { signature: string; what: string }[] = [
  {
    signature: 'KDUMP   ',
    what: 'a kdump-compressed dump (makedumpfile -c/-l/-p/-z); save it as ELF with makedumpfile -E',
  },
  { signature: 'DISKDUMP', what: 'a diskdump-format dump; save it as ELF with makedumpfile -E' },
  {
    signature: 'makedumpfile',
    what: 'flattened makedumpfile output; rearrange it with makedumpfile -R, or save as ELF with -E',
  },
];

function startsWith(b: Uint8Array, sig: string): boolean {
  if (b.length < sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[i] !== sig.charCodeAt(i)) return false;
  return true;
}

/** Check e_ident: magic, class, data encoding. Each failure is located at its byte. */
function checkIdent(src: ByteSource, head: Uint8Array): Ident {
  const file = src.name;
  const magicLen = Math.min(ELF.ELFMAG.length, head.length);
  for (let i = 0; i < magicLen; i++) {
    if (head[i] !== ELF.ELFMAG[i]) {
      const other = OTHER_DUMPS.find((d) => startsWith(head, d.signature));
      throw new TraceError({
        code: ELF_ERR.BADMAGIC,
        location: { file, offset: 0, field: 'e_ident[EI_MAG0..EI_MAG3]' },
        expected: `7f 45 4c 46 ("\\x7fELF"): an ELF core`,
        found: other
          ? `${JSON.stringify(other.signature)}: ${other.what}`
          : hexBytes(head.subarray(0, ELF.ELFMAG.length)),
      });
    }
  }
  if (head.length <= ELF.EI_DATA) {
    throw new TraceError({
      code: ELF_ERR.TRUNCATED,
      location: { file, offset: 0, field: 'e_ident' },
      expected: `at least ${ELF.EI_DATA + 1} bytes of e_ident`,
      found: `a file of ${head.length} bytes`,
    });
  }
  const cls = head[ELF.EI_CLASS]!;
  if (cls !== ELF.ELFCLASS64) {
    throw new TraceError({
      code: ELF_ERR.BADCLASS,
      location: { file, offset: ELF.EI_CLASS, field: 'e_ident[EI_CLASS]' },
      expected: `ELFCLASS64 (2)`,
      found: cls === ELF.ELFCLASS32 ? 'ELFCLASS32 (1): 32-bit cores are not supported' : `${cls}`,
    });
  }
  const data = head[ELF.EI_DATA]!;
  if (data !== ELF.ELFDATA2LSB && data !== ELF.ELFDATA2MSB) {
    throw new TraceError({
      code: ELF_ERR.BADDATA,
      location: { file, offset: ELF.EI_DATA, field: 'e_ident[EI_DATA]' },
      expected: 'ELFDATA2LSB (1) or ELFDATA2MSB (2)',
      found: `${data}`,
    });
  }
  return { endianness: data === ELF.ELFDATA2LSB ? 'le' : 'be' };
}

/**
 * The program header count, following PN_XNUM to section header 0 when needed; `at` locates where the
 * count was read (for the LIMITS error).
 */
function readPhnum(
  src: ByteSource,
  ehdr: RawElf64Ehdr,
  endianness: 'le' | 'be',
): { phnum: number; offset: number; field: string } {
  if (ehdr.e_phnum !== ELF.PN_XNUM) {
    return { phnum: ehdr.e_phnum, offset: EHDR_OFFSETS.e_phnum, field: 'Elf64_Ehdr.e_phnum' };
  }
  const file = src.name;
  const shoff = u64FromHalves(
    ehdr.e_shoff_hi,
    ehdr.e_shoff_lo,
    file,
    EHDR_OFFSETS.e_shoff,
    'Elf64_Ehdr.e_shoff',
    ELF_ERR.BADHDR,
  );
  if (shoff === 0) {
    throw new TraceError({
      code: ELF_ERR.BADHDR,
      location: { file, offset: EHDR_OFFSETS.e_shoff, field: 'Elf64_Ehdr.e_shoff' },
      expected: 'section header 0 holding the program header count (e_phnum is PN_XNUM)',
      found: 'e_shoff 0',
    });
  }
  const bytes = readExact(src, shoff, ELF64_SIZES.Elf64_Shdr, 'Elf64_Shdr[0]');
  const shdr = parseStruct<RawElf64Shdr>(
    ELF64_LAYOUTS[endianness].Elf64_Shdr,
    bytes,
    0,
    ELF64_SIZES.Elf64_Shdr,
    {
      file,
      field: 'Elf64_Shdr[0]',
      truncatedCode: ELF_ERR.TRUNCATED,
    },
  );
  return { phnum: shdr.sh_info, offset: shoff + SHDR_OFFSETS.sh_info, field: 'Elf64_Shdr[0].sh_info' };
}

class ElfCoreReader implements ElfCore {
  readonly name: string;
  readonly presentRanges: readonly Range[];
  /** Σ min(p_filesz, p_memsz) over the PT_LOADs: an upper bound on the distinct bytes the dump holds. */
  readonly heldBytes: number;
  private readonly map: PhysMap;

  constructor(
    private readonly src: ByteSource,
    readonly endianness: 'le' | 'be',
    readonly machine: number,
    readonly phnum: number,
    readonly segments: readonly ElfSegment[],
    readonly ignoredSegments: number,
    readonly diagnostics: Diagnostic[],
    private readonly noteSegments: readonly NoteSegment[],
    zeroFill: boolean,
  ) {
    this.name = src.name;
    this.heldBytes = segments.reduce((n, s) => n + Math.min(s.fileSize, s.memSize), 0);
    this.map = new PhysMap(segments, (s) => (zeroFill ? s.memSize : s.fileSize));
    this.presentRanges = this.map.ranges();
  }

  /** Pieces of the map, for the overlap diagnostic; null when no segments overlap. */
  get overlapPieces(): PhysMap['pieces'] | null {
    return this.map.overlapping ? this.map.pieces : null;
  }

  private static valid(addr: number, length: number): boolean {
    return (
      Number.isSafeInteger(addr) &&
      Number.isSafeInteger(length) &&
      addr >= 0 &&
      length >= 0 &&
      addr + length <= U64_MAX_SAFE
    );
  }

  hasPhys(addr: number, length: number): boolean {
    if (!ElfCoreReader.valid(addr, length)) return false;
    return length === 0 || this.map.firstMissing(addr, length) < 0;
  }

  readPhys(addr: number, length: number, what: string): Uint8Array {
    if (!ElfCoreReader.valid(addr, length)) {
      throw new TraceError({
        code: ELF_ERR.NOT_IN_DUMP,
        location: { file: this.name, field: what },
        expected: 'a physical range [addr, addr + length) with integers below 2^53',
        found: `addr ${addr}, length ${length}`,
      });
    }
    if (length === 0) return new Uint8Array(0);
    if (length > READ_MAX_BYTES) {
      throw new TraceError({
        code: ELF_ERR.READ_LIMIT,
        location: { file: this.name, field: what },
        expected: `a read of at most ${READ_MAX_BYTES} bytes`,
        found: `${length} bytes at ${hex(addr)}`,
      });
    }
    const missing = this.map.firstMissing(addr, length);
    if (missing >= 0) {
      throw new TraceError({
        code: ELF_ERR.NOT_IN_DUMP,
        location: { file: this.name, field: what },
        expected: `physical memory ${formatMemRange(addr, addr + length)} in the dump`,
        found: `no PT_LOAD covers ${hex(missing)}${this.nearest(missing)}`,
      });
    }
    let k = this.map.find(addr);
    const end = addr + length;
    const first = this.map.pieces[k]!;
    // Fast path: one piece, all bytes in the file part of its segment: hand out the source's bytes.
    if (end <= first.end && end - first.segment.paddr <= first.segment.fileSize) {
      return this.readFile(first.segment, addr, length);
    }
    const out = new Uint8Array(length);
    let cur = addr;
    while (cur < end) {
      const p = this.map.pieces[k++]!;
      const stop = Math.min(end, p.end);
      const s = p.segment;
      // Bytes past p_filesz stay zero (the gABI zero fill).
      const fileStop = Math.min(stop, s.paddr + s.fileSize);
      if (fileStop > cur) out.set(this.readFile(s, cur, fileStop - cur), cur - addr);
      cur = stop;
    }
    return out;
  }

  readPhysInto(addr: number, out: Uint8Array, what: string): void {
    const length = out.length;
    const readInto = this.src.readInto;
    // The fast path of readPhys (one piece, every byte in the file part of its segment) read into `out`; anything
    // else, a failure included, is readPhys itself, so the errors are its own.
    if (
      readInto !== undefined &&
      length > 0 &&
      length <= READ_MAX_BYTES &&
      ElfCoreReader.valid(addr, length) &&
      this.map.firstMissing(addr, length) < 0
    ) {
      const first = this.map.pieces[this.map.find(addr)]!;
      const end = addr + length;
      if (end <= first.end && end - first.segment.paddr <= first.segment.fileSize) {
        const s = first.segment;
        const offset = s.fileOffset + (addr - s.paddr);
        if (offset <= this.src.size && readInto.call(this.src, offset, out) === length) return;
      }
    }
    out.set(this.readPhys(addr, length, what));
  }

  fileOffsetOf(addr: number): number | null {
    if (!Number.isSafeInteger(addr) || addr < 0) return null;
    const k = this.map.find(addr);
    if (k < 0) return null;
    const s = this.map.pieces[k]!.segment;
    const off = addr - s.paddr;
    return off < s.fileSize ? s.fileOffset + off : null;
  }

  readNotes(): ElfNote[] {
    return readElfNotes(this.src, this.noteSegments, this.endianness);
  }

  private readFile(s: ElfSegment, addr: number, length: number): Uint8Array {
    const offset = s.fileOffset + (addr - s.paddr);
    // the name only on failure: a memfd's folio array is read page by page, tens of thousands of reads
    return readExact(
      this.src,
      offset,
      length,
      () => `phdr[${s.index}] data for ${formatMemRange(addr, addr + length)}`,
    );
  }

  /** ` (nearest below ends at 0x..., nearest above starts at 0x...)`, to help a user see the hole. */
  private nearest(addr: number): string {
    const r = this.presentRanges;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]!.start <= addr) lo = mid + 1;
      else hi = mid;
    }
    const below = r[lo - 1];
    const above = r[lo];
    const parts: string[] = [];
    if (below) parts.push(`dump below ends at ${hex(below.end)}`);
    if (above) parts.push(`dump above starts at ${hex(above.start)}`);
    if (parts.length === 0) parts.push('the dump holds no physical memory');
    return ` (${parts.join(', ')})`;
  }
}

/**
 * Open an ELF64 core as physical memory. Reads Elf64_Ehdr and the program header table eagerly (and
 * section header 0 under PN_XNUM), nothing else. Throws a located TraceError for anything that makes the
 * core unusable; returns diagnostics for what the user should know.
 */
export function openElfCore(src: ByteSource, options: OpenElfCoreOptions = {}): ElfCore {
  const zeroFill = options.zeroFill ?? true;
  const file = src.name;
  const sink = new DiagnosticSink();
  const head = src.read(0, ELF64_SIZES.Elf64_Ehdr);
  const { endianness } = checkIdent(src, head);
  const layouts = ELF64_LAYOUTS[endianness];
  const ehdr = parseStruct<RawElf64Ehdr>(layouts.Elf64_Ehdr, head, 0, ELF64_SIZES.Elf64_Ehdr, {
    file,
    field: 'Elf64_Ehdr',
    truncatedCode: ELF_ERR.TRUNCATED,
  });

  if (ehdr.e_ident[ELF.EI_VERSION] !== ELF.EV_CURRENT || ehdr.e_version !== ELF.EV_CURRENT) {
    sink.warn(
      ELF_DIAG.VERSION,
      `EI_VERSION ${ehdr.e_ident[ELF.EI_VERSION]}, e_version ${ehdr.e_version}: expected EV_CURRENT (1); read as version 1`,
      { file, offset: EHDR_OFFSETS.e_version, field: 'Elf64_Ehdr.e_version' },
    );
  }
  if (ehdr.e_type !== ELF.ET_CORE) {
    throw new TraceError({
      code: ELF_ERR.BADTYPE,
      location: { file, offset: EHDR_OFFSETS.e_type, field: 'Elf64_Ehdr.e_type' },
      expected: 'ET_CORE (4): a vmcore, /proc/kcore copy or qemu dump',
      found: describeType(ehdr.e_type),
    });
  }

  const { phnum, offset: phnumAt, field: phnumField } = readPhnum(src, ehdr, endianness);
  if (phnum > LIMITS.ELF_MAX_PHDRS) {
    throw new TraceError({
      code: ELF_ERR.BADPHNUM,
      location: { file, offset: phnumAt, field: phnumField },
      expected: `at most ${LIMITS.ELF_MAX_PHDRS} program headers`,
      found: `${phnum}`,
    });
  }
  const phentsize = ehdr.e_phentsize;
  if (phnum > 0 && phentsize < ELF64_SIZES.Elf64_Phdr) {
    throw new TraceError({
      code: ELF_ERR.BADHDR,
      location: { file, offset: EHDR_OFFSETS.e_phentsize, field: 'Elf64_Ehdr.e_phentsize' },
      expected: `at least sizeof(Elf64_Phdr) = ${ELF64_SIZES.Elf64_Phdr}`,
      found: `${phentsize}`,
    });
  }
  if (phnum > 0 && phentsize > ELF64_SIZES.Elf64_Phdr) {
    sink.warn(
      ELF_DIAG.PHENTSIZE,
      `e_phentsize ${phentsize} is larger than sizeof(Elf64_Phdr) = ${ELF64_SIZES.Elf64_Phdr}; extra bytes skipped`,
      { file, offset: EHDR_OFFSETS.e_phentsize, field: 'Elf64_Ehdr.e_phentsize' },
    );
  }
  const phoff = u64FromHalves(
    ehdr.e_phoff_hi,
    ehdr.e_phoff_lo,
    file,
    EHDR_OFFSETS.e_phoff,
    'Elf64_Ehdr.e_phoff',
    ELF_ERR.BADHDR,
  );
  const tableSize = phnum * phentsize;
  if (phnum > 0 && phoff + tableSize > src.size) {
    throw new TraceError({
      code: ELF_ERR.TRUNCATED,
      location: { file, offset: EHDR_OFFSETS.e_phoff, field: 'Elf64_Ehdr.e_phoff' },
      expected: `${phnum} program headers at file bytes [${hex(phoff)}, ${hex(phoff + tableSize)})`,
      found: `a file of ${src.size} bytes (${hex(src.size)})`,
    });
  }
  const table = phnum > 0 ? readExact(src, phoff, tableSize, 'Elf64_Phdr table') : new Uint8Array(0);

  const segments: ElfSegment[] = [];
  const notes: NoteSegment[] = [];
  let ignored = 0;
  const ignoredExamples: number[] = [];
  const empty: number[] = [];
  const zeroFilled: ElfSegment[] = [];
  const other: { index: number; type: number }[] = [];
  const notCaptured: number[] = [];
  const farOffset: number[] = [];

  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    // Field names are built only when an error needs them: a core may have a million program headers.
    const p = parseStruct<RawElf64Phdr>(layouts.Elf64_Phdr, table, i * phentsize, ELF64_SIZES.Elf64_Phdr, {
      file,
      get field() {
        return `phdr[${i}]`;
      },
      truncatedCode: ELF_ERR.TRUNCATED,
    });
    const u64 = (hi: number, lo: number, f: keyof typeof PHDR_OFFSETS): number =>
      hi <= SAFE_HI
        ? hi * 0x1_0000_0000 + lo
        : u64FromHalves(hi, lo, file, at + PHDR_OFFSETS[f], `phdr[${i}].${f}`, ELF_ERR.BADPHDR);

    if (p.p_type === ELF.PT_NOTE) {
      notes.push({
        index: i,
        at,
        p_offset: [p.p_offset_hi, p.p_offset_lo],
        p_filesz: [p.p_filesz_hi, p.p_filesz_lo],
      });
      continue;
    }
    if (p.p_type === ELF.PT_NULL) continue;
    if (p.p_type !== ELF.PT_LOAD) {
      other.push({ index: i, type: p.p_type });
      continue;
    }
    if (p.p_paddr_hi === ALL_ONES && p.p_paddr_lo === ALL_ONES) {
      ignored++;
      if (ignoredExamples.length < EXAMPLES) ignoredExamples.push(i);
      continue;
    }
    const paddr = u64(p.p_paddr_hi, p.p_paddr_lo, 'p_paddr');
    const fileSize = u64(p.p_filesz_hi, p.p_filesz_lo, 'p_filesz');
    const memSize = u64(p.p_memsz_hi, p.p_memsz_lo, 'p_memsz');
    // qemu marks guest memory it did not store with p_offset -1 and p_filesz 0 (dump/dump.c get_offset_range:
    // "When the memory is not stored into vmcore, offset will be -1"): absent, not zeros.
    if (fileSize === 0 && p.p_offset_hi === ALL_ONES && p.p_offset_lo === ALL_ONES) {
      if (memSize > 0) notCaptured.push(i);
      continue;
    }
    // /proc/kcore's KCORE_TEXT segment has a physical address (__pa_symbol(_text)) but a file offset that follows
    // the kernel virtual address (fs/proc/kcore.c kc_vaddr_to_offset, v6.x/v7.3-rc7): above 2^53. Its bytes are
    // also in a KCORE_RAM segment; skip it (counted) rather than refuse the whole file.
    if (fileSize > 0 && p.p_offset_hi >= 0x20_0000) {
      farOffset.push(i);
      continue;
    }
    // p_offset means nothing when no byte is in the file.
    const fileOffset = fileSize > 0 ? u64(p.p_offset_hi, p.p_offset_lo, 'p_offset') : 0;
    if (fileSize > memSize) {
      throw new TraceError({
        code: ELF_ERR.BADPHDR,
        location: { file, offset: at + PHDR_OFFSETS.p_filesz, field: `phdr[${i}].p_filesz` },
        expected: `p_filesz <= p_memsz (${hex(memSize)})`,
        found: hex(fileSize),
      });
    }
    if (memSize === 0) {
      empty.push(i);
      continue;
    }
    if (paddr + memSize > U64_MAX_SAFE) {
      throw new TraceError({
        code: ELF_ERR.BADPHDR,
        location: { file, offset: at + PHDR_OFFSETS.p_memsz, field: `phdr[${i}].p_memsz` },
        expected: 'p_paddr + p_memsz below 2^53',
        found: `p_paddr ${hex(paddr)} + p_memsz ${hex(memSize)}`,
      });
    }
    if (fileSize > 0 && fileOffset + fileSize > src.size) {
      throw new TraceError({
        code: ELF_ERR.TRUNCATED,
        location: { file, offset: at + PHDR_OFFSETS.p_filesz, field: `phdr[${i}].p_filesz` },
        expected: `segment bytes [${hex(fileOffset)}, ${hex(fileOffset + fileSize)}) (p_offset + p_filesz) in the file`,
        found: `a file of ${src.size} bytes (${hex(src.size)})`,
      });
    }
    const seg: ElfSegment = { paddr, fileOffset, fileSize, memSize, index: i };
    if (fileSize < memSize) zeroFilled.push(seg);
    segments.push(seg);
  }

  // kdump and qemu write PT_LOADs in address order already; sort only when they are not.
  const inOrder = segments.every((g, k) => k === 0 || segments[k - 1]!.paddr <= g.paddr);
  if (!inOrder) segments.sort((a, b) => a.paddr - b.paddr || a.index - b.index);
  const reader = new ElfCoreReader(
    src,
    endianness,
    ehdr.e_machine,
    phnum,
    segments,
    ignored,
    sink.items,
    notes,
    zeroFill,
  );
  summarise(sink, file, phoff, phentsize, {
    segments,
    pieces: reader.overlapPieces,
    ignored,
    ignoredExamples,
    empty,
    zeroFilled,
    zeroFill,
    other,
    notCaptured,
    farOffset,
  });
  return reader;
}

interface Summary {
  segments: readonly ElfSegment[];
  pieces: ElfCoreReader['overlapPieces'];
  ignored: number;
  ignoredExamples: number[];
  empty: number[];
  zeroFilled: ElfSegment[];
  zeroFill: boolean;
  other: { index: number; type: number }[];
  notCaptured: number[];
  farOffset: number[];
}

/** One diagnostic per kind, with a count and the first few phdr indexes: never one per segment. */
function summarise(sink: DiagnosticSink, file: string, phoff: number, phentsize: number, s: Summary): void {
  const loc = (i: number | undefined) =>
    i === undefined ? { file } : { file, offset: phoff + i * phentsize, field: `phdr[${i}]` };
  const list = (xs: readonly number[]) =>
    xs
      .slice(0, EXAMPLES)
      .map((i) => `phdr[${i}]`)
      .join(', ') + (xs.length > EXAMPLES ? ', ...' : '');

  if (s.segments.length === 0) {
    sink.warn(
      ELF_DIAG.NO_LOAD,
      'no PT_LOAD with a physical address: the core holds no readable physical memory',
      {
        file,
      },
    );
  }
  if (s.ignored > 0) {
    sink.info(
      ELF_DIAG.VADDR_ONLY,
      `${s.ignored} PT_LOAD(s) with p_paddr 0xffffffffffffffff skipped (virtual-only areas, as /proc/kcore ` +
        `gives vmalloc and modules): ${list(s.ignoredExamples)}`,
      loc(s.ignoredExamples[0]),
    );
  }
  if (s.notCaptured.length > 0) {
    sink.info(
      ELF_DIAG.NOT_CAPTURED,
      `${s.notCaptured.length} PT_LOAD(s) with p_offset -1 and p_filesz 0 (memory the dumper did not store, ` +
        `as qemu dump-guest-memory writes) treated as absent: ${list(s.notCaptured)}`,
      loc(s.notCaptured[0]),
    );
  }
  if (s.farOffset.length > 0) {
    sink.info(
      ELF_DIAG.FAR_OFFSET,
      `${s.farOffset.length} PT_LOAD(s) with p_offset above 2^53 skipped (the /proc/kcore kernel-text segment, whose ` +
        `offset follows its virtual address; the same bytes are in a RAM segment): ${list(s.farOffset)}`,
      loc(s.farOffset[0]),
    );
  }
  if (s.empty.length > 0) {
    sink.info(
      ELF_DIAG.EMPTY_LOAD,
      `${s.empty.length} PT_LOAD(s) with p_memsz 0 skipped: ${list(s.empty)}`,
      loc(s.empty[0]),
    );
  }
  if (s.other.length > 0) {
    const types = [...new Set(s.other.map((o) => hex(o.type)))].slice(0, EXAMPLES).join(', ');
    sink.info(
      ELF_DIAG.OTHER_PHDR,
      `${s.other.length} program header(s) of other types (${types}) skipped: ${list(s.other.map((o) => o.index))}`,
      loc(s.other[0]?.index),
    );
  }
  if (s.zeroFilled.length > 0) {
    const bytes = s.zeroFilled.reduce((n, g) => n + (g.memSize - g.fileSize), 0);
    sink.info(
      ELF_DIAG.ZERO_FILL,
      `${s.zeroFilled.length} PT_LOAD(s) with p_filesz < p_memsz (${bytes} bytes past p_filesz) ` +
        (s.zeroFill ? 'read as zeros (ELF gABI)' : 'treated as absent (zeroFill: false)') +
        `: ${list(s.zeroFilled.map((g) => g.index))}`,
      loc(s.zeroFilled[0]?.index),
    );
  }
  // A segment is shadowed when the pieces it owns are fewer bytes than it covers.
  const owned = new Map<ElfSegment, number>();
  for (const p of s.pieces ?? []) owned.set(p.segment, (owned.get(p.segment) ?? 0) + (p.end - p.start));
  const shadowed = (s.pieces ? s.segments : [])
    .filter((g) => (owned.get(g) ?? 0) < (s.zeroFill ? g.memSize : g.fileSize))
    .map((g) => g.index)
    .sort((a, b) => a - b);
  if (shadowed.length > 0) {
    sink.info(
      ELF_DIAG.OVERLAP,
      `${shadowed.length} PT_LOAD(s) overlap earlier ones in physical memory; the first in program-header ` +
        `order wins: ${list(shadowed)}`,
      loc(shadowed[0]),
    );
  }
  const atZero = s.segments.filter((g) => g.paddr === 0).map((g) => g.index);
  if (atZero.length > 1) {
    sink.warn(
      ELF_DIAG.PADDR_ZERO,
      `${atZero.length} PT_LOADs at p_paddr 0 (${list(atZero)}): old /proc/kcore left p_paddr 0 for every ` +
        'segment, so physical addresses in this core are not trustworthy',
      loc(atZero[0]),
    );
  }
}
