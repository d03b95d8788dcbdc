// The bad inputs of traces/malformed/: small bundles, each broken in one way a user's copy can be broken (cut
// short, wrong file, corrupt pointer, absurd number). Binary files come from the byte builders in test/builders/,
// text files are real qemu captures damaged by hand-written rules, so every case is reproducible.
//
// traces/malformed/ holds this module's output, committed; test/e2e/malformed-files.test.ts fails when the two
// drift. To regenerate after changing a case:
//
//   KEXEC_REPLAY_WRITE_MALFORMED=1 npx vitest run test/e2e/malformed-files.test.ts
import { readFileSync } from 'node:fs';
import { buildElfCore } from '../builders/elf-core.js';
import { FDT_HEADER_OFFSET, withU32 } from '../builders/fdt.js';
import type { BuiltKhoImage } from '../builders/kho-image.js';
import {
  buildImageCore,
  buildKhoImage,
  buildRootFdt,
  mulberry32,
  toFdtSpec,
  u64leBytes,
} from '../builders/kho-image.js';
import { buildFdt } from '../builders/fdt.js';

export interface MalformedCase {
  /** Folder under traces/malformed/. */
  readonly name: string;
  /** One line for traces/malformed/README.md: what is wrong with it. */
  readonly what: string;
  /** Relative path -> contents. */
  readonly files: Readonly<Record<string, Uint8Array>>;
}

const enc = new TextEncoder();
const text = (s: string): Uint8Array => enc.encode(s);

/** A small kho-v1 image with page bitmaps: one order-0 and one order-9 block, so the chunk list has two chunks. */
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

/** A small kho-v3 image (radix tree), for the FDT, ELF and radix cases. */
function smallV3(): BuiltKhoImage {
  return buildKhoImage({
    abi: 'kho-v3',
    ram: [{ start: 0x100000000, end: 0x100400000 }],
    blocks: [{ phys: 0x100000000, order: 0 }],
  });
}

function readU64le(page: Uint8Array, off: number): number {
  const v = new DataView(page.buffer, page.byteOffset, page.byteLength);
  return v.getUint32(off + 4, true) * 0x1_0000_0000 + v.getUint32(off, true);
}

function writeU64le(page: Uint8Array, off: number, value: number): void {
  page.set(u64leBytes(value), off);
}

/** The image's pages with `edit` applied to copies (the builder's pages stay as built). */
function editedCore(img: BuiltKhoImage, edit: (pages: Map<number, Uint8Array>) => void): Uint8Array {
  const pages = new Map([...img.pages].map(([a, p]) => [a, p.slice()]));
  edit(pages);
  return buildImageCore({ ...img, pages });
}

/** The kho/ files of an image without the optional ones: the root FDT and the core. */
function khoFiles(img: BuiltKhoImage, core: Uint8Array = buildImageCore(img)): Record<string, Uint8Array> {
  return { 'kho/fdt': buildRootFdt(img), 'kho/memory.core': core };
}

/** Deterministic pseudo-random bytes. */
function randomBytes(n: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/** The real zoneinfo of traces/qemu/b-16g-2node (Linux 6.1) up to its first `managed` line, cut inside that line. */
function truncatedZoneinfo(): Uint8Array {
  const real = readFileSync('traces/qemu/b-16g-2node/zoneinfo.txt', 'utf8');
  const managed = real.indexOf('        managed  ');
  if (managed < 0) throw new Error('make-malformed: no managed line in b-16g-2node/zoneinfo.txt');
  return text(real.slice(0, managed + '        managed  '.length + 2));
}

/** A short, well-formed boot log: the release line and a two-entry e820 map (enough memory to replay). */
const goodDmesg = text(
  [
    '[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2',
    '[    0.000000] BIOS-provided physical RAM map:',
    '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
    '[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007ffdffff] usable',
    '',
  ].join('\n'),
);

/**
 * kho-v4 images whose LUO block chains break one of the kernel's rules (linux v7.3-rc7 kernel/liveupdate/kho_block.c
 * kho_block_set_restore): a cycle, a block with count 0, a count above count_per_block, a next outside the dump,
 * more than KHO_MAX_BLOCKS blocks. 52 sessions, so the session chain has two blocks (51 per 4 KiB block).
 */
function khoBlockChainCases(): MalformedCase[] {
  const img = buildKhoImage({
    abi: 'kho-v4',
    ram: [{ start: 0x100000000, end: 0x100400000 }],
    blocks: [{ phys: 0x100000000, order: 0 }],
    luo: {
      sessions: [
        { name: 'vm0', files: [{ token: 0x100, memfd: { size: 4096, seals: 1 } }] },
        ...Array.from({ length: 51 }, (_, i) => ({ name: `s${i}` })),
      ],
    },
  });
  const [s0, s1] = img.luo!.sessionBlocks as [number, number];
  const f0 = img.luo!.fileBlocks[0]![0]!;
  const chain = (
    name: string,
    what: string,
    edit: (pages: Map<number, Uint8Array>) => void,
  ): MalformedCase => ({ name, what, files: khoFiles(img, editedCore(img, edit)) });
  return [
    chain(
      'kho-block-cycle',
      'kho-v4 LUO session chain: block[1].next points back at block[0] (kho_block_set_is_cyclic)',
      (pages) => writeU64le(pages.get(s1)!, 0, s0),
    ),
    chain(
      'kho-block-zero-count',
      'kho-v4 LUO file chain of session "vm0": block[0].count is 0 ("Block contains invalid entry count")',
      (pages) => writeU64le(pages.get(f0)!, 8, 0),
    ),
    chain(
      'kho-block-overlong-count',
      'kho-v4 LUO session chain: block[0].count is 52, above count_per_block 51 (80-byte entries in a 4 KiB block)',
      (pages) => writeU64le(pages.get(s0)!, 8, 52),
    ),
    chain(
      'kho-block-outside-dump',
      'kho-v4 LUO session chain: block[0].next points to 0x7f0000000, which the core does not hold',
      (pages) => writeU64le(pages.get(s0)!, 0, 0x7f0000000),
    ),
    tooManyBlocks(img),
  ];
}

/**
 * A session chain of 10,001 one-entry blocks, one more than KHO_MAX_BLOCKS. The core stays small: every block page is
 * its own PT_LOAD, and all of them read overlapping windows of one run of 16-byte headers (page i starts at header
 * i), so 10,001 distinct physical pages cost 160 KiB of file plus their program headers.
 */
function tooManyBlocks(img: BuiltKhoImage): MalformedCase {
  const n = 10_001;
  const base = 0x200000000;
  const pages = new Map([...img.pages].map(([a, p]) => [a, p.slice()]));
  writeU64le(pages.get(img.luo!.serPhys)!, 16, base); // luo_ser.sessions_pa
  const addrs = [...pages.keys()].sort((a, b) => a - b);
  const normal = addrs.map((a) => ({ paddr: a, data: pages.get(a)! }));
  const records = new Uint8Array(n * 16 + 4096);
  for (let i = 0; i < n; i++) {
    writeU64le(records, i * 16, i + 1 < n ? base + (i + 1) * 4096 : 0);
    writeU64le(records, i * 16 + 8, 1);
  }
  const phnum = normal.length + n + 1;
  const recordsAt = 64 + phnum * 56 + normal.reduce((s, x) => s + x.data.length, 0);
  const windows = Array.from({ length: n }, (_, i) => ({
    paddr: base + i * 4096,
    memSize: 4096,
    override: { p_offset: BigInt(recordsAt + i * 16), p_filesz: 4096n },
  }));
  const core = buildElfCore({ segments: [...normal, ...windows, { paddr: 0x300000000, data: records }] });
  return {
    name: 'kho-block-too-many',
    what: 'kho-v4 LUO session chain of 10,001 blocks, one more than KHO_MAX_BLOCKS (kho_block_add: -ENOSPC)',
    files: { 'kho/fdt': buildRootFdt(img), 'kho/memory.core': core },
  };
}

export function malformedCases(): MalformedCase[] {
  const v3 = smallV3();
  const v3Fdt = buildRootFdt(v3);
  const v3Core = buildImageCore(v3);

  const v1 = smallV1();
  const chunk0 = v1.memoryMapPhys;
  const chunk1 = readU64le(v1.pages.get(chunk0)!, 0);
  if (chunk1 === 0)
    throw new Error('make-malformed: the kho-v1 image has one chunk; the cycle case needs two');

  // The radix root's first used slot leads down to the leaf; its last slot is made to point back at the root.
  const rootTable = v3.pages.get(v3.memoryMapPhys)!;
  if (readU64le(rootTable, 0) === 0 && [...rootTable].every((b) => b === 0))
    throw new Error('make-malformed: the kho-v3 radix root is empty');
  const lastSlot = rootTable.length - 8;
  if (readU64le(rootTable, lastSlot) !== 0)
    throw new Error('make-malformed: the radix root uses its last slot');

  // One PT_LOAD per page, so the program header table has several entries; the ELF64 header is 64 bytes and
  // each Elf64_Phdr 56: cut in the middle of the second one.
  const v3PerPage = buildElfCore({
    segments: [...v3.pages].sort((a, b) => a[0] - b[0]).map(([paddr, data]) => ({ paddr, data })),
  });
  const phdrCut = 64 + 56 + 20;

  return [
    {
      name: 'fdt-truncated',
      what: 'kho/fdt cut to 72 bytes: the header says totalsize is larger, the structure block is missing',
      files: { 'kho/fdt': v3Fdt.slice(0, 72), 'kho/memory.core': v3Core },
    },
    {
      name: 'fdt-bad-magic',
      what: 'kho/fdt starts with 0xdeadbeef instead of the FDT magic 0xd00dfeed',
      files: { 'kho/fdt': withU32(v3Fdt, FDT_HEADER_OFFSET.magic, 0xdeadbeef), 'kho/memory.core': v3Core },
    },
    {
      name: 'fdt-empty',
      what: 'kho/fdt is an empty file (a copy of debugfs taken after KHO was aborted)',
      files: { 'kho/fdt': new Uint8Array(0), 'kho/memory.core': v3Core },
    },
    {
      name: 'elf-truncated-phdr',
      what: `kho/memory.core (one PT_LOAD per page) cut at byte ${phdrCut}, in the middle of the second program header`,
      files: { 'kho/fdt': v3Fdt, 'kho/memory.core': v3PerPage.slice(0, phdrCut) },
    },
    {
      name: 'elf-paddr-above-2p53',
      what: 'kho/memory.core has a PT_LOAD whose p_paddr is 2^60, above what a JS number holds exactly',
      files: {
        'kho/fdt': v3Fdt,
        'kho/memory.core': buildElfCore({
          segments: [
            { paddr: 0x100000000, data: { size: 0x1000, fill: 0 } },
            { data: { size: 0x1000, fill: 0 }, override: { p_paddr: 1n << 60n } },
          ],
        }),
      },
    },
    {
      name: 'kho-map-above-2p53',
      what: 'kho/fdt preserved-memory-map is 0xfff0000000000000, an address no machine has (above 2^53)',
      files: {
        'kho/fdt': buildFdt({
          root: toFdtSpec({
            props: [
              ['compatible', text('kho-v3\0')],
              ['preserved-memory-map', new Uint8Array([0, 0, 0, 0, 0, 0, 0xf0, 0xff])],
            ],
            children: [],
          }),
        }),
        'kho/memory.core': v3Core,
      },
    },
    {
      name: 'kho-chunk-outside-dump',
      what: 'kho-v1 chunk[0].hdr.next points to 0x7f0000000, which the core does not hold',
      files: khoFiles(
        v1,
        editedCore(v1, (pages) => writeU64le(pages.get(chunk0)!, 0, 0x7f0000000)),
      ),
    },
    {
      name: 'kho-chunk-cycle',
      what: 'kho-v1 chunk[1].hdr.next points back to chunk[0]: the chunk list is a cycle',
      files: khoFiles(
        v1,
        editedCore(v1, (pages) => writeU64le(pages.get(chunk1)!, 0, chunk0)),
      ),
    },
    {
      name: 'kho-radix-cycle',
      what: `kho-v3 radix root table[${lastSlot / 8}] points back at the root table itself: the tree is a cycle`,
      files: khoFiles(
        v3,
        editedCore(v3, (pages) => writeU64le(pages.get(v3.memoryMapPhys)!, lastSlot, v3.memoryMapPhys)),
      ),
    },
    ...khoBlockChainCases(),
    {
      name: 'dmesg-binary',
      what: 'dmesg.txt is 4 KiB of random bytes (a binary copied under the wrong name)',
      files: { 'dmesg.txt': randomBytes(4096, 0x6d65) },
    },
    {
      name: 'zoneinfo-truncated-line',
      what: 'zoneinfo.txt is b-16g-2node\'s, cut inside its first managed line ("managed  38", no newline)',
      files: { 'zoneinfo.txt': truncatedZoneinfo() },
    },
    {
      name: 'iomem-start-above-end',
      what: 'iomem.txt line 3 has start 0x100000 above end 0x9ffff',
      files: {
        'iomem.txt': text(
          '00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n00100000-0009ffff : System RAM\n',
        ),
      },
    },
    {
      name: 'iomem-above-2p53',
      what: 'iomem.txt line 2 has a System RAM range at 0xfff0000000000000, above 2^53',
      files: {
        'iomem.txt': text('00001000-0009fbff : System RAM\nfff0000000000000-fff00000ffffffff : System RAM\n'),
      },
    },
    {
      name: 'dmesg-e820-above-2p53',
      what: 'dmesg.txt has a BIOS-e820 line whose range starts at 0xfff0000000000000, above 2^53',
      files: {
        'dmesg.txt': text(
          [
            '[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2',
            '[    0.000000] BIOS-provided physical RAM map:',
            '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
            '[    0.000000] BIOS-e820: [mem 0xfff0000000000000-0xfff00000ffffffff] usable',
            '',
          ].join('\n'),
        ),
      },
    },
    {
      name: 'trace-json-truncated',
      what: 'trace.json is cut after `"pageSize": ` (not valid JSON); dmesg.txt is a good two-entry e820 log',
      files: { 'trace.json': text('{"arch": "x86_64", "pageSize": '), 'dmesg.txt': goodDmesg },
    },
    {
      name: 'trace-json-bad-values',
      what: 'trace.json is valid JSON with values no kernel has: arch "sparc64", pageSize 3; dmesg.txt is good',
      files: { 'trace.json': text('{"arch": "sparc64", "pageSize": 3}\n'), 'dmesg.txt': goodDmesg },
    },
    {
      name: 'config-gz-corrupt',
      what: 'config.gz (a copy of /proc/config.gz) is not a gzip stream; dmesg.txt is good',
      files: { 'config.gz': randomBytes(256, 0x637a), 'dmesg.txt': goodDmesg },
    },
    {
      name: 'empty-files',
      what: 'dmesg.txt, iomem.txt and zoneinfo.txt are all empty (a capture that ran out of disk)',
      files: {
        'dmesg.txt': new Uint8Array(0),
        'iomem.txt': new Uint8Array(0),
        'zoneinfo.txt': new Uint8Array(0),
      },
    },
    {
      name: 'no-recognisable-file',
      what: 'no file the loader knows by name or content: notes.bin (random bytes) and todo.txt (prose)',
      files: {
        'notes.bin': randomBytes(512, 0x6e6f),
        'todo.txt': text('copy the logs off the test host before it is reimaged\n'),
      },
    },
  ];
}

/** traces/malformed/README.md: one line per case, plus the folder that must not exist. */
export function malformedReadme(cases: readonly MalformedCase[]): string {
  const lines = [
    '# traces/malformed/: bad inputs, on purpose',
    '',
    'Generated by test/e2e/make-malformed.ts (byte builders of test/builders/ and damaged qemu captures); do not edit',
    'by hand. Every command must reject each with one line naming the file, the byte offset or line:column and an',
    'error code (exit 3), or read it with counted diagnostics; never exit 70. test/e2e/cli-errors.test.ts checks it.',
    '',
    ...cases.map((c) => `- \`${c.name}/\`: ${c.what}`),
    '- `does-not-exist/`: never created: a bundle directory that does not exist (a usage error, exit 2)',
    '- `codes/`: one bundle per error code the tool can raise, named after it (codes/README.md, make-malformed-codes.ts)',
    '',
  ];
  return lines.join('\n');
}
