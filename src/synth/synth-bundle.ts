// `kexec-replay synth`: a realistic synthetic bundle of a large hypervisor host and the KHO image its kernel hands
// over, deterministic from a seed. Pure: returns file contents and the core's segments; src/cli writes them.
//
// Host: x86_64, 4 KiB pages; node 0 carries the PC low memory (legacy hole, firmware reservations, ACPI tables
// and NVS, the 32-bit PCI/MMCONFIG hole), every node a contiguous range from 4 GiB up, a 256 MiB MMIO hole between
// nodes and a firmware reservation at the top of each. The cold boot's KHO scratch is laid out as
// kho_reserve_scratch() does (linux v7.3-rc7 kernel/liveupdate/kexec_handover.c): [0] lowmem below 4 GiB,
// [1] global, [2 + nid] one per node, top-down, aligned to SCRATCH_ALIGNMENT_BYTES (4 MiB).
//
// Preserved memory looks like guests of a hypervisor: each guest's RAM is 1 GiB folios (hugetlb-backed, owned by
// no subtree in v7.3: the hugetlb preservation series is not merged), 2 MiB folios and small pages (order 0..3)
// in a memfd; with kho-v4 every guest is a LUO session (luo-v5) holding that memfd and two small ones
// (memfd-v2, folio arrays in kho_vmalloc areas), the kernel's reserve_mem region is handed over by the memblock
// subtree, and kexec-metadata records the outgoing release.
import type { SynthAbi } from './kho-encode.js';
import {
  BlockColumns,
  encodeBlockChain,
  encodeChunkList,
  encodeRadix,
  encodeVmalloc,
  preserveRange,
} from './kho-encode.js';
import {
  LUO_LAYOUT,
  encodeLuoSer,
  writeLuoFileSer,
  writeLuoSessionSer,
  writeMemfdFolioSer,
  writeMemfdLuoSer,
} from './luo-encode.js';
import type { CoreSegment } from './page-arena.js';
import { PageArena, setCString, setU32le } from './page-arena.js';
import type { FdtWriteNode } from './fdt-write.js';
import { fdtString, fdtU64le, writeFdt } from './fdt-write.js';

export type { SynthAbi } from './kho-encode.js';
export type { CoreSegment } from './page-arena.js';

export interface SynthOptions {
  /** Total RAM in bytes (e820 System RAM), at least 8 GiB per node. */
  readonly ramBytes: number;
  readonly nodes: number;
  /** Preserved blocks wanted in the radix tree / chunk list (metadata blocks included; within a few per mille). */
  readonly blocks: number;
  readonly abi: SynthAbi;
  /** kho-v1 only: bitmap size ('page' 6.18/6.19, '512' 6.16/6.17). Default 'page'. */
  readonly bitmapFormat?: '512' | 'page';
  readonly seed: number;
  /** CONFIG_DEFERRED_STRUCT_PAGE_INIT in config.txt and the dmesg's deferred-init lines. Default true. */
  readonly deferred?: boolean;
  /** Guests (LUO sessions) per node. Default 8. */
  readonly guestsPerNode?: number;
  /** Share of each guest's blocks that are small pages (the rest: 2 MiB and 1 GiB folios). Default 0.5. */
  readonly smallShare?: number;
  /** kernel release in dmesg/uname; default per ABI. */
  readonly kernelRelease?: string;
}

export interface SynthSummary {
  readonly abi: SynthAbi;
  readonly kernelRelease: string;
  readonly ramBytes: number;
  readonly nodes: number;
  readonly blocks: number;
  readonly blocksByOrder: Record<number, number>;
  readonly preservedBytes: number;
  readonly sessions: number;
  readonly memfds: number;
  readonly metadataPages: number;
  readonly radixTables: number;
  readonly radixLeaves: number;
  readonly scratch: readonly { phys: number; sizeBytes: number }[];
}

export interface SynthBundle {
  /** Bundle-relative path -> bytes, everything but kho/memory.core. */
  readonly files: Map<string, Uint8Array>;
  /** kho/memory.core's PT_LOAD segments (physical addresses), sorted; the caller streams them out. */
  readonly coreSegments: CoreSegment[];
  readonly summary: SynthSummary;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const PAGE_SHIFT = 12;
const PAGE = 2 ** PAGE_SHIFT;
/** linux v7.3-rc7 kexec_handover.c SCRATCH_ALIGNMENT_BYTES = PAGE_SIZE * MAX_ORDER_NR_PAGES. */
const SCRATCH_ALIGN = 4 * MiB;
/** The LUO and memfd layout (luo-encode.ts), and what the synthetic kernel puts in it. */
const LUO = {
  ...LUO_LAYOUT,
  /** MEMFD_LUO_FOLIO_DIRTY | MEMFD_LUO_FOLIO_UPTODATE, as every folio of the real kho-c capture carries. */
  FOLIO_FLAGS: LUO_LAYOUT.MEMFD_LUO_FOLIO_DIRTY_UPTODATE,
  /** F_SEAL_SEAL */
  SEALS: 0x1,
} as const;

const DEFAULT_RELEASE: Record<SynthAbi, string> = {
  'kho-v1': '6.18.0-synth',
  'kho-v2': '7.1.0-rc1-synth',
  'kho-v3': '7.1.0-synth',
  'kho-v4': '7.3.0-synth',
};

/** mulberry32: small, fast and reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const alignDown = (v: number, a: number): number => Math.floor(v / a) * a;
const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;
const hex16 = (v: number): string => '0x' + v.toString(16).padStart(16, '0');

interface E820Entry {
  readonly start: number;
  /** exclusive */
  readonly end: number;
  readonly type: 'ram' | 'reserved' | 'acpi' | 'nvs';
}

interface NodeLayout {
  readonly nid: number;
  /** SRAT range, exclusive end. */
  readonly start: number;
  readonly end: number;
  /** RAM of the node from 4 GiB up that guests may use: [guestStart, guestEnd). */
  guestStart: number;
  guestEnd: number;
  scratch: { phys: number; sizeBytes: number };
  metaWindow: number;
}

/** The e820 map and the node ranges of a host of `ramBytes` on `nodes` nodes. */
function hostLayout(
  ramBytes: number,
  nodes: number,
): { e820: E820Entry[]; nodes: NodeLayout[]; lowRamEnd: number } {
  const e820: E820Entry[] = [
    { start: 0, end: 0x9f000, type: 'ram' },
    { start: 0x9f000, end: 0xa0000, type: 'reserved' },
    { start: 0xe0000, end: 0x100000, type: 'reserved' },
    { start: 0x100000, end: 0x65a4f000, type: 'ram' },
    // firmware: EFI runtime/boot services left reserved, ACPI NVS and tables, as big servers report them
    { start: 0x65a4f000, end: 0x6c3ff000, type: 'reserved' },
    { start: 0x6c3ff000, end: 0x6e7ff000, type: 'nvs' },
    { start: 0x6e7ff000, end: 0x6efff000, type: 'acpi' },
    { start: 0x6efff000, end: 0x6f000000, type: 'ram' },
    { start: 0x6f000000, end: 0x70000000, type: 'reserved' },
    { start: 0x80000000, end: 0x90000000, type: 'reserved' }, // MMCONFIG
    { start: 0xfed00000, end: 0xfed01000, type: 'reserved' },
    { start: 0xff000000, end: 0x100000000, type: 'reserved' },
  ];
  const lowRam = e820.filter((e) => e.type === 'ram').reduce((s, e) => s + e.end - e.start, 0);
  const perNode = alignDown(ramBytes / nodes, GiB);
  const layout: NodeLayout[] = [];
  let cursor = 4 * GiB;
  for (let nid = 0; nid < nodes; nid++) {
    // node 0's high part is short by what the low memory holds; every node ends with 64 MiB of firmware reservation
    const high = nid === 0 ? perNode - alignUp(lowRam, GiB) : perNode;
    const start = cursor;
    const end = start + high;
    e820.push({ start, end: end - 64 * MiB, type: 'ram' }, { start: end - 64 * MiB, end, type: 'reserved' });
    layout.push({
      nid,
      start: nid === 0 ? 0 : start,
      end,
      guestStart: start,
      guestEnd: end - 64 * MiB,
      scratch: { phys: 0, sizeBytes: 0 },
      metaWindow: -1,
    });
    cursor = end + 256 * MiB; // MMIO hole between sockets
  }
  return { e820, nodes: layout, lowRamEnd: 0x6f000000 };
}

interface Guest {
  readonly name: string;
  readonly nid: number;
  readonly blocks1g: number[];
  /** memfd folios: phys and order, in file order (index advances by 2^order). */
  readonly memfdFolios: { phys: Float64Array; order: Uint8Array; count: number };
  readonly smallFiles: { phys: Float64Array; order: Uint8Array; count: number }[];
}

function sliceCols(
  c: BlockColumns,
  from: number,
  to: number,
): { phys: Float64Array; order: Uint8Array; count: number } {
  return { phys: c.phys.subarray(from, to), order: c.order.subarray(from, to), count: to - from };
}

/** Build the synthetic bundle. Throws Error for options that cannot be laid out (the CLI checks them first). */
export function synthesizeBundle(opts: SynthOptions): SynthBundle {
  const rand = prng(opts.seed);
  const abi = opts.abi;
  const deferred = opts.deferred ?? true;
  const release = opts.kernelRelease ?? DEFAULT_RELEASE[abi];
  const guestsPerNode = opts.guestsPerNode ?? 8;
  const smallShare = opts.smallShare ?? 0.5;
  const { e820, nodes, lowRamEnd } = hostLayout(opts.ramBytes, opts.nodes);
  const arena = new PageArena(PAGE);
  const blocks = new BlockColumns(Math.max(1024, Math.ceil(opts.blocks * 1.01)));

  // Scratch and metadata windows, top-down in each node below the firmware reservation.
  const scratch: { phys: number; sizeBytes: number }[] = [];
  const lowScratch = {
    phys: alignDown(lowRamEnd - 16 * MiB - 256 * MiB, SCRATCH_ALIGN),
    sizeBytes: 256 * MiB,
  };
  const last = nodes[nodes.length - 1]!;
  const globalScratch = { phys: alignDown(last.guestEnd - 1024 * MiB, SCRATCH_ALIGN), sizeBytes: 1024 * MiB };
  last.guestEnd = globalScratch.phys;
  for (const n of nodes) {
    const size = 512 * MiB;
    n.scratch = { phys: alignDown(n.guestEnd - 32 * MiB - size, SCRATCH_ALIGN), sizeBytes: size };
    const span = n.scratch.phys - n.guestStart;
    const meta = Math.min(4 * GiB, alignDown(span / 32, 2 * MiB));
    n.metaWindow = arena.addWindow(n.scratch.phys - meta, n.scratch.phys);
    n.guestEnd = n.scratch.phys - meta;
  }
  scratch.push(lowScratch, globalScratch, ...nodes.map((n) => n.scratch));
  // reserve_mem=256M:2M:trace takes the top of node 0's guest memory (reserve_mem_find_by_name()'s region)
  const node0 = nodes[0]!;
  node0.guestEnd -= 256 * MiB;
  const rmem = { name: 'trace', start: node0.guestEnd, size: 256 * MiB };

  // Guests: blocks per guest from the target, less what metadata will add (about one page per 256 folios).
  const guestCount = nodes.length * guestsPerNode;
  const dataBlocks = Math.max(guestCount * 8, Math.floor((opts.blocks * 256) / 257) - guestCount * 6 - 64);
  const guests: Guest[] = [];
  const data = new BlockColumns(Math.ceil(dataBlocks * 1.01) + 16);
  let preservedBytes = 0;
  for (const n of nodes) {
    const span = alignDown((n.guestEnd - n.guestStart) / guestsPerNode, GiB);
    if (span < 2 * GiB) throw new Error(`synth: node ${n.nid} is too small for ${guestsPerNode} guests`);
    for (let g = 0; g < guestsPerNode; g++) {
      const gi = n.nid * guestsPerNode + g;
      const want = Math.floor(dataBlocks / guestCount) + (gi < dataBlocks % guestCount ? 1 : 0);
      let small = Math.round(want * smallShare);
      let n2m = want - small;
      const budget = span * 0.9;
      // small pages are spread at about half density, 2 MiB folios with a tenth of the slots left free
      const smallSpan = (n: number): number => alignUp(n * PAGE * 2.4 + 2 * MiB, 2 * MiB);
      const span2m = (n: number): number => alignUp(n * 2 * MiB * 1.12 + 2 * MiB, GiB);
      while (n2m > 0 && smallSpan(small) + span2m(n2m) > budget) {
        const move = Math.max(1, Math.floor(n2m / 8));
        n2m -= move;
        small += move;
      }
      if (smallSpan(small) + span2m(n2m) > budget)
        throw new Error(
          `synth: ${opts.blocks} blocks do not fit in ${guestCount} guests of ${span / GiB} GiB`,
        );
      // what is left of the guest's budget is 1 GiB folios, each taking a block from the 2 MiB share
      let n1g = Math.floor((budget - smallSpan(small) - span2m(n2m)) / (GiB * 1.05));
      n1g = Math.min(n1g, Math.max(0, n2m - 1));
      n2m -= n1g;
      const base = n.guestStart + g * span;
      const blocks1g: number[] = [];
      let p = base;
      for (let i = 0; i < n1g; i++) {
        if (rand() < 0.04) p += GiB; // a freed 1 GiB page
        blocks1g.push(p);
        data.push(p, 18);
        preservedBytes += GiB;
        p += GiB;
      }
      const folioStart = data.count;
      p = alignUp(p, 2 * MiB);
      for (let i = 0; i < n2m; i++) {
        if (rand() < 0.1) p += 2 * MiB;
        data.push(p, 9);
        preservedBytes += 2 * MiB;
        p += 2 * MiB;
      }
      p = alignUp(p, 2 * MiB);
      for (let i = 0; i < small; i++) {
        const r = rand();
        const order = r < 0.88 ? 0 : r < 0.95 ? 1 : r < 0.985 ? 2 : 3;
        p = alignUp(p + (rand() < 0.55 ? PAGE * Math.floor(1 + rand() * 3) : 0), PAGE * 2 ** order);
        data.push(p, order);
        preservedBytes += PAGE * 2 ** order;
        p += PAGE * 2 ** order;
      }
      if (p > base + span) throw new Error(`synth: guest ${gi} overflows its ${span / GiB} GiB`);
      // the last 8 small pages are two small memfds (vCPU state, firmware variables); the rest is guest RAM
      const end = data.count;
      const tail = Math.min(8, small);
      guests.push({
        name: `vm-${String(gi).padStart(4, '0')}`,
        nid: n.nid,
        blocks1g,
        memfdFolios: sliceCols(data, folioStart, end - tail),
        smallFiles: [
          sliceCols(data, end - tail, end - Math.floor(tail / 2)),
          sliceCols(data, end - Math.floor(tail / 2), end),
        ],
      });
    }
  }
  // copy data blocks into the block list (columns were sliced as views of `data`: keep `data` alive)
  for (let i = 0; i < data.count; i++) blocks.push(data.phys[i]!, data.order[i]!);

  const w0 = node0.metaWindow;
  const subtrees: [string, number, number][] = []; // name, phys, blob size
  const subBlobs = new Map<string, Uint8Array>();
  const putBlob = (name: string, blob: Uint8Array): number => {
    const run = arena.allocRun(Math.ceil(blob.length / PAGE), w0);
    run.pages.forEach((pg, i) => pg.set(blob.subarray(i * PAGE, (i + 1) * PAGE)));
    preserveRange(blocks, run.phys, run.pages.length * PAGE, PAGE);
    subtrees.push([name, run.phys, blob.length]);
    subBlobs.set(name, blob);
    return run.phys;
  };

  // reserve_mem=256M:2M:trace, handed over by the memblock subtree (kho_preserve_pages of the region and the FDT)
  preserveRange(blocks, rmem.start, rmem.size, PAGE);
  preservedBytes += rmem.size;
  const memblockFdt = writeFdt({
    props: [['compatible', fdtString('memblock-v1')]],
    children: [
      [
        rmem.name,
        {
          props: [
            ['compatible', fdtString('reserve-mem-v1')],
            ['start', fdtU64le(rmem.start)],
            ['size', fdtU64le(rmem.size)],
          ],
          children: [],
        },
      ],
    ],
  });
  putBlob('memblock', memblockFdt);

  // LUO (kho-v4): sessions, files, memfd records and folio arrays
  let sessions = 0;
  let memfds = 0;
  if (abi === 'kho-v4') {
    interface FileRec {
      data: number;
      token: number;
    }
    const sessionFiles: { name: string; files: FileRec[] }[] = [];
    for (const [gi, g] of guests.entries()) {
      const w = nodes[g.nid]!.metaWindow;
      const files: FileRec[] = [];
      const memfd = (
        folios: { phys: Float64Array; order: Uint8Array; count: number },
        token: number,
      ): void => {
        const ser = arena.allocPage(w); // kho_alloc_preserve(sizeof(struct memfd_luo_ser))
        blocks.push(ser.phys, 0);
        let index = 0;
        let sizePages = 0;
        for (let i = 0; i < folios.count; i++) sizePages += 2 ** folios.order[i]!;
        const perPage = PAGE / LUO.MEMFD_LUO_FOLIO_SER_SIZE;
        const desc = encodeVmalloc(
          Math.ceil((folios.count * LUO.MEMFD_LUO_FOLIO_SER_SIZE) / PAGE),
          (pi, page) => {
            for (let j = 0; j < perPage; j++) {
              const i = pi * perPage + j;
              if (i >= folios.count) break;
              writeMemfdFolioSer(page, j * 16, folios.phys[i]! / PAGE, LUO.FOLIO_FLAGS, index);
              index += 2 ** folios.order[i]!;
            }
          },
          arena,
          blocks,
          w,
        );
        writeMemfdLuoSer(ser.bytes, 0, {
          version: 'memfd-v2',
          pos: 0,
          size: sizePages * PAGE,
          seals: LUO.SEALS,
          flags: 0,
          nrFolios: folios.count,
          folios: desc,
        });
        files.push({ data: ser.phys, token });
        memfds++;
      };
      memfd(g.memfdFolios, 0x100 * (gi + 1));
      g.smallFiles.forEach((f, k) => memfd(f, 0x100 * (gi + 1) + 1 + k));
      sessionFiles.push({ name: g.name, files });
    }
    const fileHeads = sessionFiles.map((s, i) =>
      encodeBlockChain(
        s.files.length,
        LUO.LUO_FILE_SER_SIZE,
        (j, page, off) =>
          writeLuoFileSer(page, off, LUO.MEMFD_LUO_FH_COMPATIBLE, s.files[j]!.data, s.files[j]!.token),
        arena,
        blocks,
        nodes[guests[i]!.nid]!.metaWindow,
      ),
    );
    const sessionsPa = encodeBlockChain(
      sessionFiles.length,
      LUO.LUO_SESSION_SER_SIZE,
      (i, page, off) =>
        writeLuoSessionSer(page, off, sessionFiles[i]!.name, fileHeads[i]!, sessionFiles[i]!.files.length),
      arena,
      blocks,
      w0,
    );
    sessions = sessionFiles.length;
    // liveupdate_num 1: the first live update of this host; no FLBs
    putBlob('LUO', encodeLuoSer(LUO.LUO_ABI_COMPATIBLE, 1, sessionsPa, 0));
  }

  if (abi === 'kho-v3' || abi === 'kho-v4') {
    // struct kho_kexec_metadata { u32 version; char previous_release[65]; u32 kexec_count; } __packed
    const meta = new Uint8Array(73);
    setU32le(meta, 0, 1);
    setCString(meta, 4, release, 65);
    setU32le(meta, 69, 0);
    putBlob('kexec-metadata', meta);
  }

  // root FDT: kho_alloc_preserve(PAGE_SIZE) in kho_init() (v4); written after the map is encoded
  const rootPage = abi === 'kho-v4' ? arena.allocPage(w0) : null;
  if (rootPage) blocks.push(rootPage.phys, 0);

  const mapPhys =
    abi === 'kho-v1'
      ? {
          root: encodeChunkList(blocks, opts.bitmapFormat ?? 'page', PAGE_SHIFT, arena, w0),
          tables: 0,
          leaves: 0,
        }
      : encodeRadix(blocks, abi, PAGE_SHIFT, arena, w0);
  const subProp = abi === 'kho-v1' ? 'fdt' : 'preserved-data';
  const root: FdtWriteNode = {
    props: [
      ['compatible', fdtString(abi)],
      ['preserved-memory-map', fdtU64le(mapPhys.root)],
    ],
    children: subtrees.map(([name, phys, size]): [string, FdtWriteNode] => [
      name,
      {
        props:
          abi === 'kho-v3' || abi === 'kho-v4'
            ? [
                [subProp, fdtU64le(phys)],
                ['blob-size', fdtU64le(size)],
              ]
            : [[subProp, fdtU64le(phys)]],
        children: [],
      },
    ]),
  };
  const rootFdt = writeFdt(root);
  if (rootPage) rootPage.bytes.set(rootFdt.subarray(0, PAGE));

  const byOrder: Record<number, number> = {};
  for (let i = 0; i < blocks.count; i++) byOrder[blocks.order[i]!] = (byOrder[blocks.order[i]!] ?? 0) + 1;

  const files = new Map<string, Uint8Array>();
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  files.set('kho/fdt', rootFdt);
  for (const [name, blob] of subBlobs) files.set(`kho/sub_fdts/${name}`, blob);
  files.set('kho/scratch_phys', text(scratch.map((s) => `0x${s.phys.toString(16)}\n`).join('')));
  files.set('kho/scratch_len', text(scratch.map((s) => `0x${s.sizeBytes.toString(16)}\n`).join('')));
  const cmdline =
    `BOOT_IMAGE=/boot/vmlinuz-${release} root=UUID=6a1c43a2-3f7e-4d55-9b1e-5d0c2f1e8a77 ro console=ttyS0,115200n8 ` +
    `kho=on${abi === 'kho-v4' ? ' liveupdate=on' : ''} reserve_mem=256M:2M:trace hugepagesz=1G hugepages=${guests.reduce((s, g) => s + g.blocks1g.length, 0)} transparent_hugepage=always`;
  files.set('cmdline.txt', text(cmdline + '\n'));
  files.set(
    'uname.txt',
    text(
      `Linux synth-host ${release} #1 SMP PREEMPT_DYNAMIC Tue Dec  1 00:00:00 UTC 2026 x86_64 GNU/Linux\n`,
    ),
  );
  files.set('config.txt', text(kconfig(abi, deferred)));
  files.set('dmesg.txt', text(dmesg(release, cmdline, e820, nodes, abi, deferred)));
  files.set('iomem.txt', text(iomem(e820)));
  const summary: SynthSummary = {
    abi,
    kernelRelease: release,
    ramBytes: e820.filter((e) => e.type === 'ram').reduce((s, e) => s + e.end - e.start, 0),
    nodes: nodes.length,
    blocks: blocks.count,
    blocksByOrder: byOrder,
    preservedBytes,
    sessions,
    memfds,
    metadataPages: arena.allocated,
    radixTables: mapPhys.tables,
    radixLeaves: mapPhys.leaves,
    scratch,
  };
  files.set('README.md', text(readme(opts, summary)));
  return { files, coreSegments: arena.segments(), summary };
}

function kconfig(abi: SynthAbi, deferred: boolean): string {
  const lines = [
    '# synthetic: the options kexec-replay reads (kexec-replay synth)',
    'CONFIG_X86_64=y',
    'CONFIG_64BIT=y',
    'CONFIG_SMP=y',
    'CONFIG_NUMA=y',
    'CONFIG_NODES_SHIFT=10',
    'CONFIG_SPARSEMEM=y',
    'CONFIG_SPARSEMEM_VMEMMAP=y',
    'CONFIG_HAVE_MEMBLOCK_PHYS_MAP=y',
    deferred ? 'CONFIG_DEFERRED_STRUCT_PAGE_INIT=y' : '# CONFIG_DEFERRED_STRUCT_PAGE_INIT is not set',
    'CONFIG_KEXEC_HANDOVER=y',
    'CONFIG_KEXEC_FILE=y',
    'CONFIG_MEMBLOCK_KHO_SCRATCH=y',
    'CONFIG_TRANSPARENT_HUGEPAGE=y',
    'CONFIG_HUGETLBFS=y',
    'CONFIG_MEMFD_CREATE=y',
  ];
  if (abi === 'kho-v4') lines.push('CONFIG_LIVEUPDATE=y', 'CONFIG_LIVEUPDATE_MEMFD=y');
  return lines.join('\n') + '\n';
}

function e820Name(t: E820Entry['type'], era7: boolean): string {
  // arch/x86/kernel/e820.c e820_print_type(): v7.3-rc7 spelling, and the v6.x one before the 2025 rework
  if (era7)
    return { ram: ' System RAM', reserved: ' device reserved', acpi: ' ACPI data', nvs: ' ACPI NVS' }[t];
  return { ram: 'usable', reserved: 'reserved', acpi: 'ACPI data', nvs: 'ACPI NVS' }[t];
}

function dmesg(
  release: string,
  cmdline: string,
  e820: readonly E820Entry[],
  nodes: readonly NodeLayout[],
  abi: SynthAbi,
  deferred: boolean,
): string {
  const out: string[] = [];
  let t = 0;
  const line = (s: string): void => {
    out.push(`[${(t / 1e6).toFixed(6).padStart(12)}] ${s}`);
  };
  const era7 = abi === 'kho-v4' || abi === 'kho-v3' || abi === 'kho-v2';
  line(
    `Linux version ${release} (root@synth) (gcc (GCC) 14.2.0, GNU ld (GNU Binutils) 2.43) #1 SMP PREEMPT_DYNAMIC Tue Dec  1 00:00:00 UTC 2026`,
  );
  line(`Command line: ${cmdline}`);
  line('BIOS-provided physical RAM map:');
  const sorted = [...e820].sort((a, b) => a.start - b.start);
  let prevEnd = 0;
  for (const e of sorted) {
    if (era7 && e.start > prevEnd) line(`BIOS-e820: [gap ${hex16(prevEnd)}-${hex16(e.start - 1)}]`);
    line(`BIOS-e820: [mem ${hex16(e.start)}-${hex16(e.end - 1)}] ${e820Name(e.type, era7)}`);
    prevEnd = e.end;
  }
  line('NX (Execute Disable) protection: active');
  line('DMI: Synthetic Hypervisor Host/KR-16S, BIOS 2.4.1 11/01/2026');
  line(
    `e820: update [mem 0x00000000-0x00000fff] ${era7 ? 'System RAM ==> device reserved' : 'usable ==> reserved'}`,
  );
  line(`e820: remove [mem 0x000a0000-0x000fffff] ${era7 ? 'System RAM' : 'usable'}`);
  const ram = sorted.filter((e) => e.type === 'ram');
  const lastEnd = ram[ram.length - 1]!.end;
  line(`last_pfn = 0x${(lastEnd / PAGE).toString(16)} max_arch_pfn = 0x10000000000`);
  const memOf = (nid: number): E820Entry[] =>
    ram.filter((e) => e.start >= nodes[nid]!.start && e.end <= nodes[nid]!.end);
  // SRAT: one memory affinity range per RAM range of the node (the firmware reservations are outside them)
  for (const n of nodes)
    for (const e of memOf(n.nid))
      line(
        `ACPI: SRAT: Node ${n.nid} PXM ${n.nid} [mem 0x${e.start.toString(16).padStart(8, '0')}-0x${(e.end - 1).toString(16).padStart(8, '0')}]`,
      );
  line(
    `NUMA: Node 0 [mem 0x00001000-0x0009ffff] + [mem 0x00100000-0x7fffffff] -> [mem 0x00001000-0x7fffffff]`,
  );
  line(
    `NUMA: Node 0 [mem 0x00001000-0x7fffffff] + [mem 0x${nodes[0]!.guestStart.toString(16)}-0x${(nodes[0]!.end - 1).toString(16)}] -> [mem 0x00001000-0x${(nodes[0]!.end - 1).toString(16)}]`,
  );
  for (const n of nodes) {
    const top = memOf(n.nid).at(-1)!.end;
    line(`NODE_DATA(${n.nid}) allocated [mem 0x${(top - 0x2280).toString(16)}-0x${(top - 1).toString(16)}]`);
  }
  line('Zone ranges:');
  line(`  DMA      [mem 0x0000000000001000-0x0000000000ffffff]`);
  line(`  DMA32    [mem 0x0000000001000000-0x00000000ffffffff]`);
  line(`  Normal   [mem 0x0000000100000000-${hex16(lastEnd - 1)}]`);
  line('Movable zone start for each node');
  line('Early memory node ranges');
  for (const n of nodes)
    for (const e of memOf(n.nid)) {
      const s = e.start === 0 ? PAGE : e.start;
      line(`  node ${String(n.nid).padStart(3)}: [mem ${hex16(s)}-${hex16(e.end - 1)}]`);
    }
  for (const n of nodes) {
    const m = memOf(n.nid);
    const s = m[0]!.start === 0 ? PAGE : m[0]!.start;
    line(`Initmem setup node ${n.nid} [mem ${hex16(s)}-${hex16(m.at(-1)!.end - 1)}]`);
  }
  line(`Kernel command line: ${cmdline}`);
  t = 1_200_000;
  if (deferred) {
    for (const n of nodes) {
      const gib = (n.end - n.start) / GiB;
      line(`node ${n.nid} deferred pages initialised in ${Math.max(1, Math.round(gib * 0.31))}ms`);
      t += 1000;
    }
  }
  return out.join('\n') + '\n';
}

function iomem(e820: readonly E820Entry[]): string {
  const name = {
    ram: 'System RAM',
    reserved: 'Reserved',
    acpi: 'ACPI Tables',
    nvs: 'ACPI Non-volatile Storage',
  };
  const rows: string[] = [];
  const hex8 = (v: number): string => v.toString(16).padStart(8, '0');
  for (const e of [...e820].sort((a, b) => a.start - b.start)) {
    if (e.start === 0) {
      rows.push(`${hex8(0)}-${hex8(0xfff)} : Reserved`, `${hex8(0x1000)}-${hex8(e.end - 1)} : System RAM`);
      continue;
    }
    rows.push(`${hex8(e.start)}-${hex8(e.end - 1)} : ${name[e.type]}`);
    if (e.start === 0x100000) {
      rows.push(
        '  01000000-01ffffff : Kernel code',
        '  02000000-027fffff : Kernel rodata',
        '  02800000-02bfffff : Kernel data',
        '  03100000-033fffff : Kernel bss',
      );
    }
  }
  return rows.join('\n') + '\n';
}

function readme(opts: SynthOptions, s: SynthSummary): string {
  const orders = Object.entries(s.blocksByOrder)
    .map(([o, n]) => `order ${o}: ${n}`)
    .join(', ');
  return `# Synthetic host (kexec-replay synth)

**Generated, not captured.** No kernel wrote these bytes: \`kexec-replay synth\` laid out a hypervisor-like x86_64
host and the KHO image its ${s.kernelRelease} kernel would hand over, following the kernel's encodings.

Command: \`kexec-replay synth --ram ${opts.ramBytes} --nodes ${opts.nodes} --blocks ${opts.blocks} --abi ${opts.abi}${opts.abi === 'kho-v1' ? ` --bitmap ${opts.bitmapFormat ?? 'page'}` : ''} --seed ${opts.seed} --deferred ${opts.deferred === false ? 'off' : 'on'}\`
(deterministic: the same command writes the same bytes).

- RAM ${s.ramBytes} bytes on ${s.nodes} nodes; ${s.blocks} preserved blocks (${orders}), ${s.preservedBytes} bytes of
  guest memory and reserve_mem preserved;
- ${s.sessions} LUO sessions (one per guest) with ${s.memfds} memfd-v2 files; 1 GiB folios are hugetlb pages owned
  by no subtree;
- kho/memory.core holds only the ${s.metadataPages} metadata pages (radix tree or chunk list, vmalloc chunks and
  folio arrays, serialization blocks, blobs), never guest memory.
`;
}
