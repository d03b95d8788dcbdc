// Structure-aware mutators (issue 13). A mutation is a list of edits applied to a seed file, so a crash can be
// minimised by dropping edits while it still crashes, and replayed from (seed, edits) alone. Binary mutators aim
// at the fields that size, point or count (FDT header, tokens, property lengths and name offsets; ELF program
// headers; KHO pointers, counts and orders found in the dump); text mutators at what a damaged copy or a
// hand-edited file holds (lines lost or doubled, cut short, absurd numbers, reversed ranges, CRLF, binary, long
// lines).
import { openElfCore } from '../parsers/elf-core/index.js';
import { ELF64_SIZES } from '../parsers/elf-core/layout.js';
import { bytesSource } from '../src/core/index.js';
// The encoders the test builders use for the same structures (FDT header fields, big- and little-endian cells) and
// their PRNG: one definition each, so a fuzz edit writes a field the way a built image holds it.
import { FDT_HEADER_OFFSET, readU32 as readU32be, u32, u64le as u64leBytes } from '../test/builders/fdt.js';
import { mulberry32 } from '../test/builders/kho-image.js';

/** Deterministic PRNG (mulberry32, the builders' one): a fixed seed makes a run reproducible. */
export const prng: (seed: number) => () => number = mulberry32;

export type Rand = () => number;
const pick = <T>(r: Rand, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
const int = (r: Rand, n: number): number => Math.floor(r() * n);

/** One binary edit: write `data` at `off`, or cut the file to `off` bytes. */
export type ByteEdit = { readonly off: number; readonly data: readonly number[] } | { readonly cut: number };

export function applyByteEdits(seed: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let out = seed.slice();
  for (const e of edits) {
    if ('cut' in e) out = out.slice(0, Math.min(out.length, e.cut));
    else
      for (let i = 0; i < e.data.length; i++)
        if (e.off + i < out.length && e.off + i >= 0) out[e.off + i] = e.data[i]!;
  }
  return out;
}

// Edits carry plain byte lists (they are written to fuzz.json next to each crash).
const u32be = (v: number): number[] => [...u32(v)];
const u32le = (v: number): number[] => [...u32(v)].reverse();
const u64le = (v: number): number[] => [...u64leBytes(v)];
function readU64le(b: Uint8Array, o: number): number {
  const lo = (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  const hi = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
  return hi * 2 ** 32 + lo;
}

/** Values that sit on a boundary of something. */
function interesting32(r: Rand, size: number): number {
  return (
    pick(r, [
      0,
      1,
      2,
      3,
      4,
      7,
      8,
      0x10,
      0x11,
      0x7f,
      0x80,
      0xff,
      0xfff,
      0x1000,
      0xffff,
      0x7fffffff,
      0x80000000,
      0xfffffffe,
      0xffffffff,
      size,
      size - 1,
      size + 1,
      int(r, size + 64),
      int(r, 2 ** 32),
    ]) >>> 0
  );
}

function randomEdits(r: Rand, size: number, n: number): ByteEdit[] {
  const out: ByteEdit[] = [];
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.5) out.push({ off: int(r, size), data: [int(r, 256)] });
    else if (k < 0.8) out.push({ off: int(r, size), data: u32le(interesting32(r, size)) });
    else if (k < 0.95) out.push({ off: int(r, size) & ~3, data: u32be(interesting32(r, size)) });
    else out.push({ cut: int(r, size) });
  }
  return out;
}

/** FDT: header fields, structure tokens, property len/nameoff, string terminators, truncation. */
export function mutateFdt(seed: Uint8Array, r: Rand): ByteEdit[] {
  const edits: ByteEdit[] = [];
  const size = seed.length;
  const H = FDT_HEADER_OFFSET;
  const offStruct = size >= 40 ? readU32be(seed, H.off_dt_struct) : 0;
  const offStrings = size >= 40 ? readU32be(seed, H.off_dt_strings) : 0;
  const sizeStrings = size >= 40 ? readU32be(seed, H.size_dt_strings) : 0;
  // Token positions in the structure block (aligned u32s that read as a token).
  const tokens: number[] = [];
  for (let o = offStruct; o + 4 <= Math.min(size, offStrings || size); o += 4) {
    const t = readU32be(seed, o);
    if (t >= 1 && t <= 9) tokens.push(o);
  }
  const n = 1 + int(r, 3);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.25) edits.push({ off: 4 * int(r, 10), data: u32be(interesting32(r, size)) });
    else if (k < 0.5 && tokens.length) {
      const o = pick(r, tokens);
      edits.push({ off: o, data: u32be(pick(r, [1, 2, 3, 4, 9, 0, 5, 0xffffffff])) });
    } else if (k < 0.75 && tokens.length) {
      // A property's len or nameoff (the two cells after FDT_PROP).
      const props = tokens.filter((o) => readU32be(seed, o) === 3);
      if (props.length)
        edits.push({ off: pick(r, props) + 4 + 4 * int(r, 2), data: u32be(interesting32(r, size)) });
    } else if (k < 0.85 && sizeStrings > 0) {
      // Drop a string terminator: a name that runs to the end of the block.
      let o = offStrings + int(r, sizeStrings);
      while (o < size && seed[o] !== 0) o++;
      edits.push({ off: o, data: [0x41] });
    } else if (k < 0.92) edits.push({ cut: int(r, size + 1) });
    else edits.push(...randomEdits(r, size, 1));
  }
  return edits;
}

/** ELF core: e_phoff/e_phnum/e_phentsize, and each program header's p_type, p_offset, p_paddr, sizes, overlaps. */
export function mutateElf(seed: Uint8Array, r: Rand): ByteEdit[] {
  const size = seed.length;
  const phoff = readU64le(seed, 0x20);
  const phnum = seed[0x38]! | (seed[0x39]! << 8);
  const edits: ByteEdit[] = [];
  const phdr = (i: number): number => phoff + ELF64_SIZES.Elf64_Phdr * i;
  const paddrs = Array.from({ length: Math.min(phnum, 64) }, (_, i) => readU64le(seed, phdr(i) + 24));
  const n = 1 + int(r, 3);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.1) edits.push({ off: 0x38, data: [...u32le(interesting32(r, phnum + 4))].slice(0, 2) });
    else if (k < 0.15) edits.push({ off: 0x36, data: [...u32le(interesting32(r, 64))].slice(0, 2) });
    else if (k < 0.2)
      edits.push({ off: 0x20, data: u64le(pick(r, [0, size, size - 8, phoff + 1, 2 ** 53, 2 ** 32])) });
    else if (k < 0.85 && phnum > 0) {
      const p = phdr(int(r, Math.min(phnum, 64)));
      const field = pick(r, [0, 8, 24, 32, 40]);
      const v =
        field === 0
          ? pick(r, [0, 1, 4, 6, 0x6474e550, 0xffffffff])
          : field === 24
            ? pick(r, [
                0,
                2 ** 53,
                2 ** 53 - 4096,
                2 ** 64 - 1,
                pick(r, paddrs) + int(r, 3) * 4096 - 4096,
                pick(r, paddrs) + 8,
              ])
            : pick(r, [0, 1, 4095, 4096, size, size - p, size + 1, 2 ** 53, 2 ** 64 - 1, 2 ** 32 + 4096]);
      edits.push({ off: p + field, data: u64le(Math.min(v, 2 ** 64 - 2048)) });
    } else if (k < 0.93) edits.push({ cut: int(r, size + 1) });
    else edits.push(...randomEdits(r, size, 1));
  }
  return edits;
}

/** Where a core's bytes sit: file offset -> physical address, for the KHO mutator. */
export interface CoreMap {
  readonly segs: readonly { fileOffset: number; fileSize: number; paddr: number }[];
  /** File offsets of aligned u64s whose value points into the dump (chunk, bitmap, radix, chain pointers). */
  readonly pointers: readonly number[];
  /** File offsets of small aligned u32s (counts, orders, versions). */
  readonly counts: readonly number[];
  readonly lowPhys: number;
  readonly highPhys: number;
}

export function mapCore(core: Uint8Array): CoreMap {
  const elf = openElfCore(bytesSource('seed', core));
  const segs = elf.segments.map((s) => ({ fileOffset: s.fileOffset, fileSize: s.fileSize, paddr: s.paddr }));
  const lowPhys = Math.min(...segs.map((s) => s.paddr));
  const highPhys = Math.max(...segs.map((s) => s.paddr + s.fileSize));
  const inDump = (v: number): boolean => segs.some((s) => v >= s.paddr && v < s.paddr + s.fileSize);
  const pointers: number[] = [];
  const counts: number[] = [];
  for (const s of segs) {
    for (let o = s.fileOffset; o + 8 <= s.fileOffset + s.fileSize; o += 8) {
      const v = readU64le(core, o);
      if (v !== 0 && inDump(v)) pointers.push(o);
      const lo = readU64le(core, o) % 2 ** 32;
      if (lo > 0 && lo < 4096 && Math.floor(v / 2 ** 32) < 4096) counts.push(o, o + 4);
      if (pointers.length > 200_000) break;
    }
  }
  return { segs, pointers, counts: counts.slice(0, 200_000), lowPhys, highPhys };
}

/** KHO: pointers (self, aliased, unaligned, just outside the dump, above 2^53), counts and orders in the dump. */
export function mutateKhoCore(seed: Uint8Array, map: CoreMap, r: Rand): ByteEdit[] {
  const edits: ByteEdit[] = [];
  const n = 1 + int(r, 3);
  const physOf = (off: number): number => {
    const s = map.segs.find((g) => off >= g.fileOffset && off < g.fileOffset + g.fileSize);
    return s ? s.paddr + (off - s.fileOffset) : 0;
  };
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.6 && map.pointers.length) {
      const o = pick(r, map.pointers);
      const cur = readU64le(seed, o);
      const other = readU64le(seed, pick(r, map.pointers));
      const v = pick(r, [
        0,
        physOf(o) - (physOf(o) % 4096), // the page holding the pointer: a self-pointer
        other, // another structure's pointer: aliasing
        cur + 8, // unaligned, overlapping
        cur + 4096,
        cur - 4096,
        map.highPhys, // just past the dump
        map.lowPhys - 4096, // just before it
        2 ** 53,
        2 ** 64 - 4096,
      ]);
      edits.push({ off: o, data: u64le(Math.max(0, Math.min(v, 2 ** 64 - 4096))) });
    } else if (k < 0.9 && map.counts.length) {
      const o = pick(r, map.counts);
      edits.push({
        off: o,
        data: u32le(
          pick(r, [0, 1, 2, 255, 256, 511, 512, 4095, 4096, 0xffff, 0x7fffffff, 0xffffffff, 52, 63, 64, 11]),
        ),
      });
    } else if (k < 0.95) {
      // A whole page of set bits where a bitmap or leaf is: the most blocks a page can say.
      const o = pick(r, map.pointers.length ? map.pointers : [0]);
      const target = readU64le(seed, o);
      const s = map.segs.find((g) => target >= g.paddr && target < g.paddr + g.fileSize);
      if (s) {
        const fo = s.fileOffset + (target - s.paddr);
        edits.push({
          off: fo,
          data: new Array<number>(Math.min(4096, s.fileOffset + s.fileSize - fo)).fill(0xff),
        });
      }
    } else edits.push(...randomEdits(r, seed.length, 1));
  }
  return edits;
}

// ---- text ----

/** One text edit on the array of lines (applied in order). */
export type TextEdit = {
  readonly op:
    | 'delete'
    | 'dup'
    | 'cut-line'
    | 'cut-file'
    | 'crlf'
    | 'long'
    | 'binary'
    | 'number'
    | 'swap-range'
    | 'spaces'
    | 'control';
  readonly at: number;
  readonly v: number;
};

const HUGE_NUMBERS = [
  '99999999999999999999',
  '-1',
  '-9223372036854775808',
  '18446744073709551615',
  '0xfff0000000000000',
  '0x20000000000000',
  'fff0000000000000',
  '9007199254740993',
  '1e308',
  'NaN',
  '0x',
  '',
];

export function mutateText(lines: readonly string[], r: Rand): TextEdit[] {
  const ops = [
    'delete',
    'dup',
    'cut-line',
    'cut-file',
    'crlf',
    'long',
    'binary',
    'number',
    'number',
    'swap-range',
    'spaces',
    'control',
  ] as const;
  const n = 1 + int(r, 4);
  return Array.from({ length: n }, () => ({
    op: pick(r, ops),
    at: int(r, Math.max(1, lines.length)),
    v: int(r, 2 ** 31),
  }));
}

export function applyTextEdits(seed: string, edits: readonly TextEdit[]): string {
  let lines = seed.split('\n');
  let crlf = false;
  for (const e of edits) {
    const at = Math.min(e.at, Math.max(0, lines.length - 1));
    const line = lines[at] ?? '';
    switch (e.op) {
      case 'delete':
        lines.splice(at, 1);
        break;
      case 'dup':
        lines.splice(at, 0, ...new Array<string>(1 + (e.v % 50)).fill(line));
        break;
      case 'cut-line':
        lines[at] = line.slice(0, e.v % (line.length + 1));
        break;
      case 'cut-file':
        lines = lines.slice(0, at + 1);
        lines[at] = line.slice(0, e.v % (line.length + 1));
        break;
      case 'crlf':
        crlf = true;
        break;
      case 'long':
        lines[at] = line + ['7', ' ', 'a', '0x1 ', '=', '[', 'f'][e.v % 7]!.repeat(100_000 + (e.v % 1000));
        break;
      case 'binary': {
        const r = prng(e.v);
        lines.splice(
          at,
          0,
          String.fromCharCode(...Array.from({ length: 64 + (e.v % 512) }, () => Math.floor(r() * 256))),
        );
        break;
      }
      case 'number': {
        // Replace the k-th number (decimal or hex) of the line.
        const nums = [...line.matchAll(/(?<![\w.])(?:0x[0-9a-fA-F]+|\d+)/g)];
        if (nums.length) {
          const m = nums[e.v % nums.length]!;
          lines[at] =
            line.slice(0, m.index) +
            HUGE_NUMBERS[e.v % HUGE_NUMBERS.length] +
            line.slice(m.index! + m[0].length);
        }
        break;
      }
      case 'swap-range': {
        // start-end (iomem, [mem a-b]) written end-start: start above end.
        // The lookbehind keeps it linear on a long run of hex letters (this file's patterns are checked too).
        const m = /(?<![0-9a-fA-FxX])(0x)?([0-9a-fA-F]+)-(0x)?([0-9a-fA-F]+)/.exec(line);
        if (m)
          lines[at] =
            line.slice(0, m.index) +
            `${m[1] ?? ''}${m[4]}-${m[3] ?? ''}${m[2]}` +
            line.slice(m.index + m[0].length);
        break;
      }
      case 'spaces': {
        const p = e.v % (line.length + 1);
        lines[at] = line.slice(0, p) + ' '.repeat(1000 + (e.v % 100_000)) + line.slice(p);
        break;
      }
      case 'control': {
        const p = e.v % (line.length + 1);
        lines[at] =
          line.slice(0, p) +
          ['\u001b]0;x\u0007', '\r', '\u0000', '\u001b[2K', '\u009b', '\u202e'][e.v % 6] +
          line.slice(p);
        break;
      }
    }
  }
  return lines.join(crlf ? '\r\n' : '\n');
}
