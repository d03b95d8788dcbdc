// PT_NOTE segments of an ELF64 core, decoded on demand: Elf64_Nhdr, then the name and the desc, each
// padded to 4 bytes, and a note with n_namesz 0 ends the segment (fs/proc/vmcore.c
// update_note_header_size_elf64, v6.x: kdump pads each CPU's note buffer with zeros).
import type { ByteSource } from '../../src/core/index.js';
import { TraceError, hex } from '../../src/core/index.js';
import { parseStruct, u64FromHalves } from '../_shared/index.js';
import { ELF_ERR } from './codes.js';
import type { RawElf64Nhdr } from './layout.js';
import { ELF64_LAYOUTS, ELF64_SIZES, PHDR_OFFSETS } from './layout.js';
import type { ElfNote } from './types.js';

/** A PT_NOTE program header as read at open time; its u64s are checked only when notes are read. */
export interface NoteSegment {
  /** Position in the program header table. */
  readonly index: number;
  /** File offset of the program header. */
  readonly at: number;
  /** [hi, lo] halves. */
  readonly p_offset: readonly [number, number];
  readonly p_filesz: readonly [number, number];
}

/** Note segments are a few KiB (prstatus per CPU, VMCOREINFO); anything bigger is garbage. */
export const NOTES_MAX_BYTES = 64 * 1024 * 1024;

const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

function ascii(b: Uint8Array): string {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export function readElfNotes(
  src: ByteSource,
  segments: readonly NoteSegment[],
  endianness: 'le' | 'be',
): ElfNote[] {
  const file = src.name;
  const out: ElfNote[] = [];
  for (const seg of segments) {
    const f = (name: 'p_offset' | 'p_filesz') =>
      u64FromHalves(
        seg[name][0],
        seg[name][1],
        file,
        seg.at + PHDR_OFFSETS[name],
        `phdr[${seg.index}].${name}`,
        ELF_ERR.BADNOTE,
      );
    const offset = f('p_offset');
    const size = f('p_filesz');
    if (size > NOTES_MAX_BYTES) {
      throw new TraceError({
        code: ELF_ERR.BADNOTE,
        location: { file, offset: seg.at + PHDR_OFFSETS.p_filesz, field: `phdr[${seg.index}].p_filesz` },
        expected: `a note segment of at most ${NOTES_MAX_BYTES} bytes`,
        found: `${size} bytes`,
      });
    }
    if (offset + size > src.size) {
      throw new TraceError({
        code: ELF_ERR.TRUNCATED,
        location: { file, offset: seg.at + PHDR_OFFSETS.p_filesz, field: `phdr[${seg.index}].p_filesz` },
        expected: `note bytes [${hex(offset)}, ${hex(offset + size)}) in the file`,
        found: `a file of ${src.size} bytes (${hex(src.size)})`,
      });
    }
    const bytes = src.read(offset, size);
    let pos = 0;
    for (let k = 0; pos + ELF64_SIZES.Elf64_Nhdr <= bytes.length; k++) {
      const field = `phdr[${seg.index}].note[${k}]`;
      const n = parseStruct<RawElf64Nhdr>(
        ELF64_LAYOUTS[endianness].Elf64_Nhdr,
        bytes,
        pos,
        ELF64_SIZES.Elf64_Nhdr,
        {
          file,
          field,
          truncatedCode: ELF_ERR.BADNOTE,
        },
      );
      if (n.n_namesz === 0) break;
      const nameAt = pos + ELF64_SIZES.Elf64_Nhdr;
      const descAt = nameAt + pad4(n.n_namesz);
      const next = descAt + pad4(n.n_descsz);
      if (next > bytes.length) {
        throw new TraceError({
          code: ELF_ERR.BADNOTE,
          location: { file, offset: offset + pos, field: `${field}.n_descsz` },
          expected: `n_namesz ${n.n_namesz} + n_descsz ${n.n_descsz} (padded to 4) within the ${size}-byte segment`,
          found: `${next - pos} bytes from ${hex(offset + pos)}, ${bytes.length - pos} left`,
        });
      }
      out.push({
        name: ascii(bytes.subarray(nameAt, nameAt + n.n_namesz)),
        type: n.n_type,
        desc: bytes.subarray(descAt, descAt + n.n_descsz),
        offset: offset + pos,
        descOffset: offset + descAt,
      });
      pos = next;
    }
  }
  return out;
}
