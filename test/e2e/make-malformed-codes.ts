// traces/malformed/codes/<CODE>/: one bundle per error code the tool can raise (issue 13), named after the code, each
// broken in the one way that makes the tool raise it. test/e2e/malformed-codes.test.ts runs each through the CLI
// (or, for the few codes no command reaches, through the library call that does) and checks the code and the
// location; it also scans src/ and parsers/ so that a new code without a folder here fails the suite.
//
// Written by test/e2e/malformed-files.test.ts with the other malformed cases (KEXEC_REPLAY_WRITE_MALFORMED=1).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { reproducers } from '../fuzz/make-reproducers.js';
import { buildElfCore } from '../builders/elf-core.js';
import { FDT_HEADER_OFFSET, buildFdt, readU32, withHeaderField, withU32 } from '../builders/fdt.js';
import type { BuiltKhoImage } from '../builders/kho-image.js';
import {
  buildImageCore,
  buildKhoImage,
  khoBundleFiles,
  strBytes,
  toFdtSpec,
  u64leBytes,
} from '../builders/kho-image.js';

/** How the location must be given in the one stderr line. */
export type Where = 'offset' | 'line' | 'field' | 'file';

export interface CodeCase {
  readonly code: string;
  /** One README line: what is wrong with the bundle. */
  readonly what: string;
  /** Relative path -> contents, under traces/malformed/codes/<code>/. */
  readonly files?: Readonly<Record<string, Uint8Array>>;
  /**
   * Instead of files: codes/<code> is a symbolic link to this folder of traces/malformed/ (a case that already
   * raises the code, kept once), or to a folder that does not exist (TRACE_ERR_NOT_FOUND).
   */
  readonly link?: string;
  /** CLI arguments; `@` stands for the bundle directory. Absent: `api` says which library call raises it. */
  readonly argv?: readonly string[];
  /** The named file in the error (relative to the bundle, or `@` for the bundle itself). */
  readonly file: string;
  readonly where: Where;
  /** For a code no command reaches: the library call (test/e2e/malformed-codes.test.ts runs it). */
  readonly api?: 'dmesg-boot-2' | 'elf-read-outside' | 'elf-read-limit' | 'elf-notes' | 'replay-16k-image';
}

const enc = new TextEncoder();
const text = (s: string): Uint8Array => enc.encode(s);

function smallV3(): BuiltKhoImage {
  return buildKhoImage({
    abi: 'kho-v3',
    ram: [{ start: 0x100000000, end: 0x100400000 }],
    blocks: [{ phys: 0x100000000, order: 0 }],
    scratch: [{ phys: 0x100800000, sizeBytes: 0x200000 }],
  });
}

function smallV1(): BuiltKhoImage {
  return buildKhoImage({
    abi: 'kho-v1',
    bitmapFormat: 'page',
    ram: [{ start: 0x100000000, end: 0x100400000 }],
    blocks: [
      { phys: 0x100000000, order: 0 },
      { phys: 0x100200000, order: 9 },
    ],
  });
}

function filesOf(m: Map<string, Uint8Array>): Record<string, Uint8Array> {
  return Object.fromEntries(m);
}

/** The image's files with a copy of its pages edited. */
function editedKho(
  img: BuiltKhoImage,
  edit: (pages: Map<number, Uint8Array>) => void,
): Record<string, Uint8Array> {
  const pages = new Map([...img.pages].map(([a, p]) => [a, p.slice()]));
  edit(pages);
  const files = khoBundleFiles(img);
  files.set('kho/memory.core', buildImageCore({ ...img, pages }));
  return filesOf(files);
}

function setU16le(b: Uint8Array, off: number, v: number): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint16(off, v, true);
  return out;
}

function setU32le(b: Uint8Array, off: number, v: number): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint32(off, v, true);
  return out;
}

function setU64le(b: Uint8Array, off: number, v: bigint): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setBigUint64(off, v, true);
  return out;
}

/** The offset of the n-th (0-based) structure token `token` in an FDT blob. */
function tokenAt(fdt: Uint8Array, token: number, n = 0): number {
  const off = readU32(fdt, FDT_HEADER_OFFSET.off_dt_struct);
  const size = readU32(fdt, FDT_HEADER_OFFSET.size_dt_struct);
  let seen = 0;
  for (let at = off; at < off + size; at += 4) {
    if (readU32(fdt, at) === token && seen++ === n) return at;
  }
  throw new Error(`make-malformed-codes: no token ${token} #${n}`);
}

function realText(rel: string): string {
  return readFileSync(`traces/qemu/b-16g-2node/${rel}`, 'utf8');
}

/** Replace the first match of `from` in a real file. */
function editedReal(rel: string, from: RegExp, to: string): Uint8Array {
  const t = realText(rel);
  if (!from.test(t)) throw new Error(`make-malformed-codes: ${from} not in ${rel}`);
  return text(t.replace(from, to));
}

const BIG = '99999999999999999999'; // 10^20 - 1: above 2^53 (and 2^64)

export function codeCases(): CodeCase[] {
  const v3 = smallV3();
  const v3Files = filesOf(khoBundleFiles(v3));
  const v3Fdt = v3Files['kho/fdt']!;
  const v3Core = v3Files['kho/memory.core']!;
  const kho = (fdt: Uint8Array, core: Uint8Array = v3Core): Record<string, Uint8Array> => ({
    'kho/fdt': fdt,
    'kho/memory.core': core,
  });
  const rootFdt = (props: [string, Uint8Array][], children: [string, never][] = []): Uint8Array =>
    buildFdt({ root: toFdtSpec({ props, children }) });

  const v1 = smallV1();
  const chunk0 = v1.memoryMapPhys;

  const cases: CodeCase[] = [
    // ---- host text files (parse) ----
    {
      code: 'BUDDYINFO_ERR_NUMBER',
      what: `buddyinfo.txt line 1: an order-2 count of ${BIG}, above 2^53`,
      files: {
        'buddyinfo.txt': editedReal('buddyinfo.txt', /^(Node 0, zone +DMA +\d+ +\d+ +)\d+/, `$1${BIG}`),
      },
      argv: ['parse', '@'],
      file: 'buddyinfo.txt',
      where: 'line',
    },
    {
      code: 'PAGETYPEINFO_ERR_NUMBER',
      what: `pagetypeinfo.txt: the first free count of node 0 DMA Unmovable is ${BIG}, above 2^53`,
      files: {
        'pagetypeinfo.txt': editedReal('pagetypeinfo.txt', /(type +Unmovable +)\d+/, `$1${BIG}`),
      },
      argv: ['parse', '@'],
      file: 'pagetypeinfo.txt',
      where: 'line',
    },
    {
      code: 'ZONEINFO_ERR_NUMBER',
      what: `zoneinfo.txt: the first "managed" count is ${BIG}, above 2^53`,
      files: { 'zoneinfo.txt': editedReal('zoneinfo.txt', /(managed +)\d+/, `$1${BIG}`) },
      argv: ['parse', '@'],
      file: 'zoneinfo.txt',
      where: 'line',
    },
    {
      code: 'DMESG_ERR_BINARY',
      what: 'dmesg.txt: 8 KiB of log lines (what the loader sniffs), then 56 KiB of 0x01 bytes (the dmesg parser looks at 64 KiB)',
      files: { 'dmesg.txt': binaryAfterText() },
      argv: ['parse', '@'],
      file: 'dmesg.txt',
      where: 'line',
    },
    {
      code: 'DMESG_ERR_NO_SUCH_BOOT',
      what: 'dmesg.txt holds two boots; boot 2 (the third) is asked for: parseDmesg(text, file, { boot: 2 }) (no command selects a boot yet)',
      files: {
        'dmesg.txt': text(
          [
            '[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2',
            '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
            '[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2',
            '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
            '',
          ].join('\n'),
        ),
      },
      api: 'dmesg-boot-2',
      file: 'dmesg.txt',
      where: 'file',
    },
    {
      code: 'FWMEMMAP_ERR_ADDRESS',
      what: 'firmware-memmap.txt line 2: a range at 0xfff0000000000000, above 2^53',
      files: {
        'firmware-memmap.txt': text(
          '0 0x0 0x9fbff System RAM\n1 0xfff0000000000000 0xfff00000ffffffff System RAM\n',
        ),
      },
      argv: ['parse', '@'],
      file: 'firmware-memmap.txt',
      where: 'line',
    },
    {
      code: 'FWMEMMAP_ERR_RANGE',
      what: 'firmware-memmap.txt line 2: start 0x100000 above end 0x9ffff',
      files: { 'firmware-memmap.txt': text('0 0x0 0x9fbff System RAM\n1 0x100000 0x9ffff System RAM\n') },
      argv: ['parse', '@'],
      file: 'firmware-memmap.txt',
      where: 'line',
    },
    {
      code: 'IOMEM_ERR_ADDRESS',
      what: 'the same bundle as iomem-above-2p53/',
      link: 'iomem-above-2p53',
      argv: ['parse', '@'],
      file: 'iomem.txt',
      where: 'line',
    },
    {
      code: 'IOMEM_ERR_RANGE',
      what: 'the same bundle as iomem-start-above-end/',
      link: 'iomem-start-above-end',
      argv: ['parse', '@'],
      file: 'iomem.txt',
      where: 'line',
    },
    {
      code: 'MEMBLOCK_ERR_ADDRESS',
      what: 'memblock-memory.txt (debugfs memblock/memory) line 2: base 0xfff0000000000000, above 2^53',
      files: {
        'memblock-memory.txt': text(
          '   0: 0x0000000000001000..0x000000000009efff    0 NONE\n   1: 0xfff0000000000000..0xfff00000ffffffff    0 NONE\n',
        ),
      },
      argv: ['parse', '@'],
      file: 'memblock-memory.txt',
      where: 'line',
    },
    {
      code: 'MEMBLOCK_ERR_RANGE',
      what: 'memblock-memory.txt line 2: base 0x100000 above end 0x9ffff',
      files: {
        'memblock-memory.txt': text(
          '   0: 0x0000000000001000..0x000000000009efff    0 NONE\n   1: 0x0000000000100000..0x000000000009ffff    0 NONE\n',
        ),
      },
      argv: ['parse', '@'],
      file: 'memblock-memory.txt',
      where: 'line',
    },
    {
      code: 'NODE_ERR_BLOCK_SIZE',
      what: 'memory-blocks.txt: block_size_bytes 0 (sysfs memory/block_size_bytes is never 0)',
      files: {
        'memory-blocks.txt': editedReal('memory-blocks.txt', /^block_size_bytes +\S+/m, 'block_size_bytes 0'),
      },
      argv: ['parse', '@'],
      file: 'memory-blocks.txt',
      where: 'line',
    },
    {
      code: 'NODE_ERR_LIST',
      what: 'nodes.txt: has_memory is "1-0", a run whose last id is below its first',
      files: { 'nodes.txt': editedReal('nodes.txt', /^has_memory: .*$/m, 'has_memory: 1-0') },
      argv: ['parse', '@'],
      file: 'nodes.txt',
      where: 'line',
    },
    {
      code: 'NODE_ERR_NUMBER',
      what: `node0-meminfo.txt: MemTotal is ${BIG} kB, above 2^53`,
      files: { 'node0-meminfo.txt': editedReal('node0-meminfo.txt', /(MemTotal: +)\d+/, `$1${BIG}`) },
      argv: ['parse', '@'],
      file: 'node0-meminfo.txt',
      where: 'line',
    },

    // ---- the ELF core (inspect) ----
    {
      code: 'ELF_ERR_BADMAGIC',
      what: 'kho/memory.core starts with "MZ" (a PE file), not the ELF magic',
      files: kho(v3Fdt, Uint8Array.from([0x4d, 0x5a, ...v3Core.subarray(2)])),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'ELF_ERR_BADCLASS',
      what: 'kho/memory.core e_ident[EI_CLASS] is ELFCLASS32 (1)',
      files: kho(
        v3Fdt,
        Uint8Array.from(v3Core, (b, i) => (i === 4 ? 1 : b)),
      ),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'ELF_ERR_BADDATA',
      what: 'kho/memory.core e_ident[EI_DATA] is 3 (neither little nor big endian)',
      files: kho(
        v3Fdt,
        Uint8Array.from(v3Core, (b, i) => (i === 5 ? 3 : b)),
      ),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'ELF_ERR_BADTYPE',
      what: 'kho/memory.core e_type is ET_EXEC (2), not ET_CORE',
      files: kho(v3Fdt, setU16le(v3Core, 16, 2)),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'ELF_ERR_BADHDR',
      what: 'kho/memory.core e_phentsize is 32, below sizeof(Elf64_Phdr) 56',
      files: kho(v3Fdt, setU16le(v3Core, 54, 32)),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'ELF_ERR_BADPHNUM',
      what: 'kho/memory.core e_phnum is PN_XNUM and section header 0 says 2,000,000 program headers (limit 1,000,000)',
      files: kho(v3Fdt, phnumXnum(v3Core, 2_000_000)),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'ELF_ERR_BADNOTE',
      what: 'kho/memory.core has a PT_NOTE whose first note says n_namesz 0x7fffffff; openElfCore(...).readNotes() (no command reads the notes: capture has its own kcore reader)',
      files: kho(v3Fdt, badNoteCore(v3)),
      api: 'elf-notes',
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'ELF_ERR_BADPHDR',
      what: 'the same bundle as elf-paddr-above-2p53/',
      link: 'elf-paddr-above-2p53',
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'ELF_ERR_TRUNCATED',
      what: 'the same bundle as elf-truncated-phdr/',
      link: 'elf-truncated-phdr',
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },

    // ---- the FDT (inspect) ----
    {
      code: 'FDT_ERR_BADMAGIC',
      what: 'the same bundle as fdt-bad-magic/',
      link: 'fdt-bad-magic',
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'offset',
    },
    {
      code: 'FDT_ERR_TRUNCATED',
      what: 'the same bundle as fdt-truncated/',
      link: 'fdt-truncated',
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'offset',
    },
    {
      code: 'FDT_ERR_BADVERSION',
      what: 'kho/fdt header version is 3 (libfdt reads 16 and 17)',
      files: kho(withHeaderField(v3Fdt, 'version', 3)),
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'offset',
    },
    {
      code: 'FDT_ERR_BADLAYOUT',
      what: 'kho/fdt off_dt_struct is 8: the structure block starts inside the header',
      files: kho(withHeaderField(v3Fdt, 'off_dt_struct', 8)),
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'offset',
    },
    {
      code: 'FDT_ERR_ALIGNMENT',
      what: 'kho/fdt off_dt_struct moved by 2 bytes, off the 4-byte grid',
      files: kho(
        withHeaderField(v3Fdt, 'off_dt_struct', readU32(v3Fdt, FDT_HEADER_OFFSET.off_dt_struct) + 2),
      ),
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'offset',
    },
    {
      code: 'FDT_ERR_BADSTRUCTURE',
      what: 'kho/fdt: the first FDT_PROP token is 5, a token that does not exist',
      files: kho(withU32(v3Fdt, tokenAt(v3Fdt, 3), 5)),
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'offset',
    },
    {
      code: 'FDT_ERR_BADOFFSET',
      what: "kho/fdt: the first property's nameoff points past the strings block",
      files: kho(withU32(v3Fdt, tokenAt(v3Fdt, 3) + 8, 0x100000)),
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'offset',
    },
    {
      code: 'FDT_ERR_BADVALUE',
      what: 'kho/fdt has a memory reservation at 2^60, above 2^53',
      files: kho(
        buildFdt({
          root: toFdtSpec(v3.root),
          reservations: [{ address: 2n ** 60n, size: 0x1000 }],
        }),
      ),
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'offset',
    },

    // ---- the KHO image (inspect) ----
    {
      code: 'KHO_ERR_COMPATIBLE',
      what: 'kho/fdt root compatible is "kho-v99", an ABI no kernel wrote',
      files: kho(
        rootFdt([
          ['compatible', strBytes('kho-v99')],
          ['preserved-memory-map', u64leBytes(v3.memoryMapPhys)],
        ]),
      ),
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'field',
    },
    {
      code: 'KHO_ERR_NOPROP',
      what: 'kho/fdt root is kho-v3 without its preserved-memory-map property',
      files: kho(rootFdt([['compatible', strBytes('kho-v3')]])),
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'field',
    },
    {
      code: 'KHO_ERR_BADPROP',
      what: 'the same bundle as kho-map-above-2p53/',
      link: 'kho-map-above-2p53',
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'field',
    },
    {
      code: 'KHO_ERR_NOT_IN_DUMP',
      what: 'the same bundle as kho-chunk-outside-dump/',
      link: 'kho-chunk-outside-dump',
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'KHO_ERR_CYCLE',
      what: 'the same bundle as kho-chunk-cycle/',
      link: 'kho-chunk-cycle',
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'KHO_ERR_BADCOUNT',
      what: 'kho-v1 chunk[0].hdr.num_elms is 0xffffffff, more than a chunk page holds',
      files: editedKho(v1, (pages) => pages.set(chunk0, setU32le(pages.get(chunk0)!, 12, 0xffffffff))),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'KHO_ERR_BADORDER',
      what: 'kho-v1 chunk[0].hdr.order is 200, above any page order',
      files: editedKho(v1, (pages) => pages.set(chunk0, setU32le(pages.get(chunk0)!, 8, 200))),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'KHO_ERR_BADADDR',
      what: 'kho-v1 chunk[0].bitmaps[0].phys_start is 0x100000001, not on a page boundary',
      files: editedKho(v1, (pages) => pages.set(chunk0, setU64le(pages.get(chunk0)!, 16, 0x100000001n))),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'KHO_ERR_RANGE',
      what: 'kho/scratch_phys line 1 is 0xfff0000000000000, above 2^53',
      files: { ...v3Files, 'kho/scratch_phys': text('0xfff0000000000000\n') },
      argv: ['inspect', '@'],
      file: 'kho/scratch_phys',
      where: 'line',
    },
    {
      code: 'KHO_ERR_SCRATCH_SYNTAX',
      what: 'kho/scratch_len line 1 is "2 MiB", not a 0x%llx value',
      files: { ...v3Files, 'kho/scratch_len': text('2 MiB\n') },
      argv: ['inspect', '@'],
      file: 'kho/scratch_len',
      where: 'line',
    },
    {
      code: 'KHO_ERR_SCRATCH_COUNT',
      what: 'kho/scratch_phys has two lines, kho/scratch_len one',
      files: { ...v3Files, 'kho/scratch_phys': text('0x100800000\n0x100c00000\n') },
      argv: ['inspect', '@'],
      file: 'kho/scratch_len',
      where: 'line',
    },
    {
      code: 'KHO_ERR_TRUNCATED',
      what: 'kho/sub_fdts/kexec-metadata is 3 bytes, shorter than its u32 version',
      files: kexecMetadata(new Uint8Array([1, 0, 0])),
      argv: ['inspect', '@'],
      file: 'kho/sub_fdts/kexec-metadata',
      where: 'offset',
    },
    {
      code: 'KHO_ERR_VERSION',
      what: 'kho/sub_fdts/kexec-metadata says version 2 (v7.3-rc7 writes KHO_KEXEC_METADATA_VERSION 1)',
      files: kexecMetadata(metadataBlob(2)),
      argv: ['inspect', '@'],
      file: 'kho/sub_fdts/kexec-metadata',
      where: 'offset',
    },

    // ---- the bundle (parse, inspect, replay, check) ----
    {
      code: 'TRACE_ERR_GZIP',
      what: 'the same bundle as config-gz-corrupt/',
      link: 'config-gz-corrupt',
      argv: ['parse', '@'],
      file: 'config.gz',
      where: 'offset',
    },
    {
      code: 'TRACE_ERR_NOTHING_RECOGNISED',
      what: 'a folder of unrelated files: notes.md and a.csv',
      files: { 'notes.md': text('# my notes\n'), 'a.csv': text('1,2\n') },
      argv: ['parse', '@'],
      file: '@',
      where: 'file',
    },
    {
      code: 'TRACE_ERR_MISSING',
      what: 'inspect on a bundle without kho/fdt: only a host log',
      files: { 'iomem.txt': text('00001000-0009fbff : System RAM\n') },
      argv: ['inspect', '@'],
      file: 'kho/fdt',
      where: 'file',
    },
    {
      code: 'TRACE_ERR_NOT_A_BUNDLE',
      what: 'inspect is given a regular file (kho-fdt), not a bundle directory',
      files: { 'kho-fdt': v3Fdt },
      argv: ['inspect', '@/kho-fdt'],
      file: 'kho-fdt',
      where: 'file',
    },
    {
      code: 'TRACE_ERR_UNREADABLE',
      what: 'kho/memory.core is a directory, not a file',
      files: { 'kho/fdt': v3Fdt, 'kho/memory.core/README': text('a directory where the core should be\n') },
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'file',
    },
    {
      code: 'TRACE_ERR_ARCH_UNKNOWN',
      what: 'replay of a bundle with a memory map (iomem.txt) but nothing that says the architecture',
      files: { 'iomem.txt': text('00001000-0009fbff : System RAM\n00100000-7ffdffff : System RAM\n') },
      argv: ['replay', '@'],
      file: '@',
      where: 'field',
    },
    {
      code: 'TRACE_ERR_ARCH_UNSUPPORTED',
      what: 'replay of a bundle whose uname.txt says armv7l (32-bit ARM: not modelled)',
      files: {
        'uname.txt': text('Linux router 6.1.0 #1 SMP armv7l GNU/Linux\n'),
        'iomem.txt': text('40000000-7fffffff : System RAM\n'),
      },
      argv: ['replay', '@'],
      file: 'uname.txt',
      where: 'file',
    },
    {
      code: 'TRACE_ERR_NO_MEMORY_MAP',
      what: 'replay of a bundle with only cmdline.txt: no memory map to replay',
      files: {
        'cmdline.txt': text('BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet\n'),
        'uname.txt': text('Linux h 6.1.0 #1 SMP x86_64 GNU/Linux\n'),
      },
      argv: ['replay', '@'],
      file: '@',
      where: 'file',
    },
    {
      code: 'TRACE_ERR_PAGE_SIZE',
      what: 'trace.json says x86_64 with 16 KiB pages (x86_64 has only 4 KiB pages)',
      files: {
        'trace.json': text('{"arch": "x86_64", "pageSize": 16384}\n'),
        'iomem.txt': text('00001000-0009fbff : System RAM\n00100000-7ffdffff : System RAM\n'),
      },
      argv: ['replay', '@'],
      file: 'trace.json',
      where: 'field',
    },
    {
      code: 'TRACE_ERR_PAGE_SIZE_MISMATCH',
      what: 'a kho-v3 image of 16 KiB pages in a 4 KiB-page x86_64 bundle; loadKhoImage(dir, { pageShift: 14 }) then replay() (the CLI decodes with the host page size, so only a library caller meets it)',
      files: {
        ...filesOf(
          khoBundleFiles(
            buildKhoImage({
              abi: 'kho-v3',
              pageShift: 14,
              ram: [{ start: 0x100000000, end: 0x100400000 }],
              blocks: [{ phys: 0x100000000, order: 0 }],
            }),
          ),
        ),
        'trace.json': text('{"arch": "x86_64", "pageSize": 4096}\n'),
        'iomem.txt': text('00001000-0009fbff : System RAM\n00100000-1003fffff : System RAM\n'),
      },
      api: 'replay-16k-image',
      file: 'kho',
      where: 'field',
    },
    {
      code: 'CHECK_ERR_BASELINE',
      what: 'check --baseline baseline.json, whose runs is a string instead of an array',
      files: { 'baseline.json': text('{"schema": "kexec-replay/check-baseline/1", "runs": "none"}\n') },
      argv: ['check', 'traces/qemu/a-4g-1node', '--baseline', '@/baseline.json'],
      file: 'baseline.json',
      where: 'field',
    },
    {
      code: 'KHO_ERR_BLOCK_COUNT',
      what: 'the same bundle as kho-block-zero-count/',
      link: 'kho-block-zero-count',
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'KHO_ERR_BLOCK_TOO_MANY',
      what: 'the same bundle as kho-block-too-many/',
      link: 'kho-block-too-many',
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'field',
    },
    {
      code: 'KHO_ERR_ALIAS',
      what: 'kho-v1 chunks whose 255 bitmap pointers all point at one all-ones page (test/fixtures/fuzz/kho-v1-bitmaps-aliased)',
      files: Object.fromEntries(reproducers().find((r) => r.name === 'kho-v1-bitmaps-aliased')!.files),
      argv: ['inspect', '@'],
      file: 'kho/memory.core',
      where: 'offset',
    },
    {
      code: 'TRACE_ERR_NOT_FOUND',
      what: 'a link to a folder that does not exist (a bundle path with a typo)',
      link: 'does-not-exist',
      argv: ['parse', '@'],
      file: '@',
      where: 'file',
    },
    {
      code: 'DMESG_ERR_TOO_LONG',
      what: 'dmesg.txt.gz: 50,000,001 empty lines (LIMITS.TEXT_MAX_LINES is 50,000,000), 49 KiB gzipped',
      files: { 'dmesg.txt.gz': gzipSync(new Uint8Array(50_000_001).fill(10), { level: 9 }) },
      argv: ['parse', '@'],
      file: 'dmesg.txt',
      where: 'line',
    },
    {
      code: 'ELF_ERR_NOT_IN_DUMP',
      what: 'memory.core holds [0x100000000, 0x100001000); openElfCore(...).readPhys(0x7f0000000, 4096) (the KHO decoder checks hasPhys first and says KHO_ERR_NOT_IN_DUMP; capture reads unchecked)',
      files: {
        'memory.core': buildElfCore({ segments: [{ paddr: 0x100000000, data: { size: 0x1000, fill: 0 } }] }),
      },
      api: 'elf-read-outside',
      file: 'memory.core',
      where: 'field',
    },
    {
      code: 'ELF_ERR_READ_LIMIT',
      what: 'memory.core has a 1 GiB PT_LOAD (4 KiB in the file, the rest zero-filled); readPhys of 512 MiB of it, above READ_MAX_BYTES 256 MiB',
      files: {
        'memory.core': buildElfCore({
          segments: [{ paddr: 0x100000000, data: { size: 0x1000, fill: 0 }, memSize: 0x40000000 }],
        }),
      },
      api: 'elf-read-limit',
      file: 'memory.core',
      where: 'field',
    },
  ];
  return cases;
}

/** 8 KiB of log lines, then 56 KiB of 0x01: text to the loader's 8 KiB sniff, binary to the dmesg parser's 64 KiB. */
function binaryAfterText(): Uint8Array {
  const line = enc.encode('[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n');
  const out = new Uint8Array(64 * 1024).fill(1);
  for (let at = 0; at + line.length <= 8192; at += line.length) out.set(line, at);
  return out;
}

/** The v3 image with a kexec-metadata subtree whose blob is `blob`. */
function kexecMetadata(blob: Uint8Array): Record<string, Uint8Array> {
  const img = buildKhoImage({
    abi: 'kho-v3',
    ram: [{ start: 0x100000000, end: 0x100400000 }],
    blocks: [{ phys: 0x100000000, order: 0 }],
    subtrees: [{ name: 'kexec-metadata', phys: 0x100300000, blob }],
  });
  return filesOf(khoBundleFiles(img));
}

/** struct kho_kexec_metadata: u32 version, char previous_release[65], u32 kexec_count. */
function metadataBlob(version: number): Uint8Array {
  const b = new Uint8Array(73);
  const v = new DataView(b.buffer);
  v.setUint32(0, version, true);
  b.set(enc.encode('7.3.0-rc7'), 4);
  v.setUint32(69, 1, true);
  return b;
}

/** The core with e_phnum = PN_XNUM and a section header 0 (at the end of the file) whose sh_info is `n`. */
function phnumXnum(core: Uint8Array, n: number): Uint8Array {
  const shoff = core.length;
  const out = new Uint8Array(core.length + 64);
  out.set(core);
  const v = new DataView(out.buffer);
  v.setUint16(56, 0xffff, true); // e_phnum = PN_XNUM
  v.setBigUint64(40, BigInt(shoff), true); // e_shoff
  v.setUint16(58, 64, true); // e_shentsize
  v.setUint16(60, 1, true); // e_shnum
  v.setUint32(shoff + 44, n, true); // Elf64_Shdr.sh_info
  return out;
}

/** The image's pages as a core with a PT_NOTE whose first note (CORE, NT_PRSTATUS) claims a 2 GiB name. */
function badNoteCore(img: BuiltKhoImage): Uint8Array {
  const pages = [...img.pages].sort((a, b) => a[0] - b[0]).map(([paddr, data]) => ({ paddr, data }));
  const core = buildElfCore({ segments: pages, notes: [{ name: 'CORE', type: 1, desc: new Uint8Array(8) }] });
  // Elf64_Nhdr is n_namesz, n_descsz, n_type (u32 each), then the name: find "CORE\0" and patch its n_namesz.
  for (let at = 64; at + 5 <= core.length; at++) {
    if (
      core[at] === 0x43 &&
      core[at + 1] === 0x4f &&
      core[at + 2] === 0x52 &&
      core[at + 3] === 0x45 &&
      core[at + 4] === 0
    )
      return setU32le(core, at - 12, 0x7fffffff);
  }
  throw new Error('make-malformed-codes: no CORE note');
}

/** traces/malformed/codes/README.md: one line per code, with the command that raises it. */
export function codesReadme(cases: readonly CodeCase[]): string {
  const how = (c: CodeCase): string =>
    c.argv
      ? `\`kexec-replay ${c.argv.map((a) => a.replace(/^@/, `traces/malformed/codes/${c.code}`)).join(' ')}\``
      : `library call \`${c.api}\` (no command reaches it)`;
  return [
    '# traces/malformed/codes/: one bundle per error code',
    '',
    'Generated by test/e2e/make-malformed-codes.ts; do not edit by hand. Each folder is named after the error code the',
    'tool raises on it (exit 3, one stderr line naming the file and the byte offset, line:column or field). A link',
    'names a case of traces/malformed/ that already raises the code. test/e2e/malformed-codes.test.ts checks every',
    'folder and that every code in src/ and parsers/ has one. To regenerate:',
    '',
    '    KEXEC_REPLAY_WRITE_MALFORMED=1 npx vitest run test/e2e/malformed-codes.test.ts',
    '',
    ...[...cases]
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((c) => `- \`${c.code}\`${c.link ? ` (-> ${c.link})` : ''}: ${c.what}; ${how(c)}`),
    '',
  ].join('\n');
}
