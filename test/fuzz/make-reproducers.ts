// Reproducers of the crash classes issue 13 found (and of each crash a fuzz run finds later), one bundle per
// folder of test/fixtures/fuzz/, each with an expect.json saying what the CLI must do with it. The binary ones come
// from the byte builders of test/builders/, so each is reproducible; test/fuzz/reproducers.test.ts checks the
// committed folder matches this module and runs every bundle through the CLI. To regenerate after a change:
//
//   KEXEC_REPLAY_WRITE_REPRODUCERS=1 npx vitest run test/fuzz/reproducers.test.ts
//
// A crash written by `npm run fuzz` (fuzz-out/crashes/<name>/) is promoted by copying its folder here and adding
// it to FOUND below with the outcome the fix gives it.
import { buildFdt } from '../builders/fdt.js';
import {
  buildImageCore,
  buildKhoImage,
  buildRootFdt,
  khoBundleFiles,
  strBytes,
  toFdtSpec,
  u32leBytes,
  u64leBytes,
} from '../builders/kho-image.js';
import type { KhoNodeDesc } from '../builders/kho-image.js';

/** What running the CLI on a reproducer must give. */
export interface ReproducerExpect {
  /** Commands run on the bundle (`inspect`, `parse`, `replay`). */
  readonly commands: readonly string[];
  /** Exit code: 3 for a rejected trace, 0/1 for one read with diagnostics. */
  readonly exit: 0 | 1 | 3;
  /** For exit 3: the TraceError code on the one stderr line. */
  readonly code?: string;
  /** For exit 3: how the location is given. */
  readonly where?: 'offset' | 'line' | 'field';
  /** Exit 3 for a part of the input (a note at error severity): the report is printed, stderr has the one line. */
  readonly partial?: boolean;
  /** A code the output must name (a subtree error is reported as a diagnostic). */
  readonly diagnostic?: string;
  /** Wall-clock bound for one command, generous for a loaded machine (the crash took seconds to forever). */
  readonly maxMs: number;
  /** What the bundle did before the fix. */
  readonly before: string;
}

export interface Reproducer {
  readonly name: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly expect: ReproducerExpect;
}

const enc = new TextEncoder();
const RAM = [{ start: 0x1_0000_0000, end: 0x1_0400_0000 }];

function writeU64le(b: Uint8Array, off: number, v: number): void {
  b.set(u64leBytes(v), off);
}

/** kho_test with nr_folios = 0xffffffff: readVmallocContents sized new Uint8Array(34359738360). */
function khoTestNrFoliosHuge(): Reproducer {
  const folios = [0x1_0010_0000, 0x1_0020_0000, 0x1_0030_0000];
  const contents = new Uint8Array(folios.length * 8);
  folios.forEach((p, i) => contents.set(u64leBytes(p), i * 8));
  const testFdt = (desc: Uint8Array): Uint8Array => {
    const tree: KhoNodeDesc = {
      props: [
        ['compatible', strBytes('kho-test-v1')],
        ['magic', u32leBytes(0x4b484f21)],
      ],
      children: [
        [
          'data',
          {
            props: [
              ['nr_folios', u32leBytes(0xffffffff)],
              ['folios_info', desc],
              ['csum', u32leBytes(0)],
            ],
            children: [],
          },
        ],
      ],
    };
    return buildFdt({ root: toFdtSpec(tree) });
  };
  const img = buildKhoImage({
    abi: 'kho-v3',
    ram: RAM,
    blocks: folios.map((phys) => ({ phys, order: 0 })),
    vmalloc: [{ order: 0, contents }],
    subtrees: [{ name: 'kho_test', phys: 0x1_0300_0000, blobSize: 8192, blob: (v) => testFdt(v[0]!.desc) }],
  });
  return {
    name: 'kho-test-nr-folios-huge',
    files: khoBundleFiles(img),
    expect: {
      // A subtree that does not decode is reported and the rest of the image still read (decode-image.ts): a
      // note at error severity, so exit 3 with the report (src/cli/exit.ts finishRun).
      commands: ['inspect', 'inspect --json'],
      exit: 3,
      code: 'KHO_SUBTREE_INVALID',
      where: 'offset',
      partial: true,
      diagnostic: 'KHO_ERR_BADCOUNT',
      maxMs: 10_000,
      before:
        'RangeError from new Uint8Array(34359738360) in readVmallocContents: exit 70, 13 lines of stack',
    },
  };
}

/** kho-v1 (page bitmaps): three chunks of 255 entries whose bitmap pointers all name one all-ones page. */
function khoV1BitmapsAliased(): Reproducer {
  const img = buildKhoImage({
    abi: 'kho-v1',
    bitmapFormat: 'page',
    ram: RAM,
    blocks: [
      { phys: 0x1_0000_0000, order: 0 },
      { phys: 0x1_0020_0000, order: 9 },
      { phys: 0x1_0040_0000, order: 10 },
    ],
  });
  const pages = new Map([...img.pages].map(([a, p]) => [a, p.slice()]));
  // The chunk list as built: follow next from the map's head.
  const chunks: number[] = [];
  for (let c = img.memoryMapPhys; c !== 0;) {
    chunks.push(c);
    const v = new DataView(pages.get(c)!.buffer);
    c = v.getUint32(4, true) * 2 ** 32 + v.getUint32(0, true);
  }
  const firstChunk = new DataView(pages.get(chunks[0]!)!.buffer);
  const shared = firstChunk.getUint32(16 + 12, true) * 2 ** 32 + firstChunk.getUint32(16 + 8, true);
  pages.get(shared)!.fill(0xff);
  const capacity = (img.pageSize - 16) / 16;
  chunks.forEach((c, ci) => {
    const page = pages.get(c)!;
    const v = new DataView(page.buffer);
    const order = v.getUint32(8, true);
    v.setUint32(12, capacity, true);
    for (let i = 0; i < capacity; i++) {
      // Distinct phys_start per entry (as the kernel's xarray index would give), one bitmap for all.
      writeU64le(page, 16 + i * 16, (ci * capacity + i) * 2 ** (order + 12 + 15));
      writeU64le(page, 16 + i * 16 + 8, shared);
    }
  });
  const files = khoBundleFiles(img);
  files.set('kho/memory.core', buildImageCore({ ...img, pages }));
  return {
    name: 'kho-v1-bitmaps-aliased',
    files,
    expect: {
      commands: ['inspect', 'inspect --json'],
      exit: 3,
      code: 'KHO_ERR_ALIAS',
      where: 'offset',
      maxMs: 10_000,
      before: `${chunks.length} chunks x ${capacity} entries on one all-ones page: ${chunks.length * capacity * 32768} blocks; inspect 14.6 s and 482 MB, inspect --json "Invalid string length" (exit 70)`,
    },
  };
}

/** kho-v3 radix: the root's slots point at 512 offsets inside one all-ones page (unaligned, overlapping leaves). */
function khoRadixLeavesOverlap(): Reproducer {
  const img = buildKhoImage({ abi: 'kho-v3', ram: RAM, blocks: [{ phys: 0x1_0000_0000, order: 0 }] });
  const pages = new Map([...img.pages].map(([a, p]) => [a, p.slice()]));
  // Walk down slot by slot to the level-1 table (the one whose slots name leaves).
  const depth = Math.ceil((64 - 12 - 15 + 1) / 9) + 1;
  let table = img.memoryMapPhys;
  for (let level = depth - 1; level > 1; level--) {
    const t = new DataView(pages.get(table)!.buffer);
    let next = 0;
    for (let i = 0; i < 512 && next === 0; i++)
      next = t.getUint32(i * 8 + 4, true) * 2 ** 32 + t.getUint32(i * 8, true);
    table = next;
  }
  const t = pages.get(table)!;
  const tv = new DataView(t.buffer);
  let leaf = 0;
  for (let i = 0; i < 512 && leaf === 0; i++)
    leaf = tv.getUint32(i * 8 + 4, true) * 2 ** 32 + tv.getUint32(i * 8, true);
  if (leaf === 0) throw new Error('make-reproducers: the radix tree has no leaf');
  // Two all-ones pages no structure uses, so each unaligned leaf reads a whole page of set bits from the dump.
  const ones = 0x1_0380_0000;
  pages.set(ones, new Uint8Array(img.pageSize).fill(0xff));
  pages.set(ones + img.pageSize, new Uint8Array(img.pageSize).fill(0xff));
  for (let i = 0; i < 512; i++) writeU64le(t, i * 8, ones + i * 8);
  return {
    name: 'kho-radix-leaves-overlap',
    files: new Map([
      ['kho/fdt', buildRootFdt(img)],
      ['kho/memory.core', buildImageCore({ ...img, pages })],
    ]),
    expect: {
      commands: ['inspect'],
      exit: 3,
      code: 'KHO_ERR_ALIAS',
      where: 'offset',
      maxMs: 10_000,
      before: '512 unaligned leaves inside one all-ones page: 16M blocks from two pages of dump',
    },
  };
}

/** A root FDT whose subtree node name carries terminal controls, with a bad property so an error names it. */
function fdtNodeNameTerminal(): Reproducer {
  const name = 'memblock\u001b]0;pwned\u0007\u001b[2K\rkexec-replay: all good\nsecond line';
  const root: KhoNodeDesc = {
    props: [
      ['compatible', strBytes('kho-v3')],
      ['preserved-memory-map', u64leBytes(0)],
    ],
    children: [[name, { props: [['preserved-data', new Uint8Array([1, 2, 3])]], children: [] }]],
  };
  return {
    name: 'fdt-node-name-terminal',
    files: new Map([['kho/fdt', buildFdt({ root: toFdtSpec(root) })]]),
    expect: {
      commands: ['inspect'],
      exit: 3,
      where: 'offset',
      maxMs: 10_000,
      before:
        'the node name reached the terminal byte for byte: title set, line rewritten as "kexec-replay: all good", a second stderr line',
    },
  };
}

/** Kernel-log and /proc lines that took seconds to forever in the patterns (each shape from issue 13). */
function textReDoS(): Reproducer {
  const ts = '[    0.000000] ';
  const efiPairs = Array.from({ length: 12 }, (_, i) => `T${i}=0x${(0xbfb7e000 + i).toString(16)}`).join(' ');
  const dmesg = [
    `${ts}Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2`,
    `${ts}BIOS-provided physical RAM map:`,
    `${ts}BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable`,
    `${ts}BIOS-e820: [mem 0x0000000000100000-0x000000007ffdffff] usable`,
    // 50 characters: the sd/nvme partition line with a run of spaces and no end (exponential: 41 s, doubling).
    `${ts}sda: sda1 sda2 sda3 sda4 sda5                  !`,
    `${ts}nvme0n1: p1 p2 p3${' '.repeat(40)}\u0001`,
    // efi: config tables with 12 a=0x.. pairs, then junk (10.7 s).
    `${ts}efi: ${efiPairs} ~`,
    `${ts}efi: ${efiPairs}${' a=0x1'.repeat(40)}~`,
    // A line of 8,000 digits (0.23 s each, quadratic in the MTRR shape) and of 100,000.
    `${ts}${'7'.repeat(8000)}`,
    `${ts}${'7'.repeat(100_000)}x`,
    `${ts}Memory: 1K/2K available (${'9'.repeat(100_000)}x)`,
    '',
  ].join('\n');
  const spaces = ' '.repeat(100_000);
  const firmware = `0 0x0 0x9fbff System${spaces}RAM\n1 0x100000 0x7ffdffff System RAM${spaces}\u0001\n`;
  const pagetypeinfo = `Page block order: 9\nPages per block:  512\n\nNumber of blocks type     Unmovable${spaces}x\n`;
  return {
    name: 'text-redos-lines',
    files: new Map([
      ['dmesg.txt', enc.encode(dmesg)],
      ['firmware-memmap.txt', enc.encode(firmware)],
      ['pagetypeinfo.txt', enc.encode(pagetypeinfo)],
    ]),
    expect: {
      commands: ['parse', 'parse --json'],
      exit: 0,
      maxMs: 10_000,
      before:
        'sda line 41 s (doubling per character), efi line 10.7 s, digit runs quadratic, space runs quadratic',
    },
  };
}

/**
 * The fuzzer's nodes.txt hang (seed 2, `spaces` then `long` on stage1-cold-boot/nodes.txt): a node state line with a
 * long run of spaces before a list that does not end the line. NODE_STATE_LINE's `: *(\S*) *$` let the two space
 * runs share the spaces before an empty list: 11 s per 100k spaces, quadratic.
 */
function textNodeStateSpaces(): Reproducer {
  const spaces = ' '.repeat(100_000);
  const nodes = `possible: 0-1\nonline:${spaces}0x1 0x1\nhas_memory:${spaces}\u0001 \u0001\nhas_cpu: 0-1\n`;
  return {
    name: 'text-node-state-spaces',
    files: new Map([['nodes.txt', enc.encode(nodes)]]),
    expect: {
      commands: ['parse', 'parse --json'],
      exit: 0,
      maxMs: 5_000,
      before:
        'NODE_STATE_LINE quadratic on a run of spaces: 11 s per 100k-space line (22 s per command here)',
    },
  };
}

export function reproducers(): Reproducer[] {
  return [
    khoTestNrFoliosHuge(),
    khoV1BitmapsAliased(),
    khoRadixLeavesOverlap(),
    fdtNodeNameTerminal(),
    textReDoS(),
    textNodeStateSpaces(),
  ];
}
