// The single-line shapes of a kernel log that parseDmesg extracts: one table, tried in order (the first match
// wins), each entry naming the kernel function that prints the line and the DmesgLog field it sets. The
// patterns live in patterns.ts with named groups; an entry reads its groups by name. Multi-line tables (zone
// ranges, MEMBLOCK dumps, ...) are opened here and read by parse-dmesg.ts handleBlockLine.
import * as P from './patterns.js';
import type {
  DeferredInitTime,
  E820Edit,
  E820Entry,
  KhoLine,
  MemblockCall,
  MemblockCallKind,
  MemmapInitLine,
  MemoryAvailable,
  MminitLine,
  NodeDataAlloc,
  NodeRange,
  NumaMerge,
  ReservedMemLine,
  UnavailableLine,
  ZoneName,
} from './types.js';
import { BadValue, decValue, exclusiveRange, hexValue, inclusiveRange } from './values.js';

export type Outcome = 'parsed' | 'ignored' | 'unknown' | 'malformed';

/** Multi-line tables whose body lines are only meaningful after their header. */
export type Block = 'zone' | 'movable' | 'early' | 'zonepfn' | 'movablepfn' | 'nodemappfn' | 'dump' | null;

export interface Rec {
  readonly lineNo: number;
  /** 1-based column of the message start in the line. */
  readonly column: number;
  readonly time?: number;
  /** How many glued records precede this one on the same captured line (bounded by MAX_GLUED). */
  readonly depth?: number;
}

/** What the shapes write into: the parser's builder (parse-dmesg.ts DmesgBuilder). */
export interface ShapeTarget {
  kernelRelease: string | null;
  cmdlineKernel: string | null;
  cmdlineArch: string | null;
  fakeNode: { start: number; end: number } | null;
  zeroedUnavailablePages: number | null;
  reservedUnavailablePages: number | null;
  sawBanner: boolean;
  readonly efi: E820Entry[];
  readonly e820Edits: E820Edit[];
  readonly srat: NodeRange[];
  readonly numaMerges: NumaMerge[];
  readonly nodeData: NodeDataAlloc[];
  readonly earlyNodeRanges: NodeRange[];
  readonly initmemSetup: NodeRange[];
  readonly memorylessNodes: number[];
  readonly unavailable: UnavailableLine[];
  readonly deferredInit: DeferredInitTime[];
  readonly memoryAvailable: MemoryAvailable[];
  readonly memmapInit: MemmapInitLine[];
  readonly mminit: MminitLine[];
  readonly memblockCalls: MemblockCall[];
  readonly nodeTotalPages: Record<number, number>;
  readonly kho: KhoLine[];
  readonly kexecMarkers: KhoLine[];
  readonly bootLines: number[];
  /** A `Linux version` banner after the first (parse-dmesg.ts says so once). */
  banner(rec: Rec): void;
  /** A memory line before any banner: the log's head is cut off. */
  memoryLine(): void;
  openDump(rec: Rec): void;
  open(b: Block): Outcome;
  zoneRange(zone: ZoneName, g: Groups): Outcome;
  e820Entry(who: string, r: { start: number; end: number }, printed: string, rec: Rec): void;
  reserve(
    kind: ReservedMemLine['kind'],
    r: { start: number; end: number },
    name: string,
    nomap: boolean,
    rec: Rec,
  ): void;
  khoDetail(msg: string): void;
  /** The record glued after `consumed` characters of a line printed without "\n". */
  restOfLine(msg: string, consumed: number, rec: Rec): Outcome;
}

export type Groups = Readonly<Record<string, string | undefined>>;

export interface LineShape {
  /** Stable name of the shape (tests and diagnostics may quote it). */
  readonly id: string;
  readonly re: RegExp;
  /** The kernel function (and version) that prints the line. */
  readonly printedBy: string;
  /** The DmesgLog field(s) it fills. */
  readonly sets: string;
  /** When given, the shape is only tried on messages starting with one of these characters (a fast filter). */
  readonly first?: string;
  readonly apply: (b: ShapeTarget, g: Groups, m: RegExpExecArray, rec: Rec, msg: string) => Outcome;
}

/** Add `time` to a record just built (no copy: this runs once per memblock line of a debug log). */
export function stamp<T extends object>(o: T, time: number | undefined): T {
  if (time !== undefined) (o as { time?: number }).time = time;
  return o;
}

const str = (g: Groups, k: string): string => g[k] as string;
const dec = (g: Groups, k: string): number => decValue(str(g, k));
const hexv = (g: Groups, k: string): number => hexValue(str(g, k));
const incl = (g: Groups): { start: number; end: number } => inclusiveRange(str(g, 'start'), str(g, 'end'));
const excl = (g: Groups): { start: number; end: number } => exclusiveRange(str(g, 'start'), str(g, 'end'));

const MEMBLOCK_KIND: Readonly<Record<string, MemblockCallKind>> = {
  memblock_add: 'memblock_add',
  memblock_add_node: 'memblock_add_node',
  memblock_remove: 'memblock_remove',
  memblock_reserve: 'memblock_reserve',
  // mm/memblock.c of the KHO era (MEMBLOCK_RSRV_KERN): memblock_reserve and memblock_reserve_kern call
  // __memblock_reserve(base, size, nid, flags), which prints its own name with `nid=%d flags=%x`.
  __memblock_reserve: 'memblock_reserve',
  memblock_free: 'memblock_free',
  memblock_phys_free: 'memblock_phys_free',
};

const parsed = (): Outcome => 'parsed';

function e820Edit(op: 'update' | 'remove', inclusive: boolean): LineShape['apply'] {
  return (b, g, _m, rec) => {
    const r = inclusive ? incl(g) : excl(g);
    b.e820Edits.push({
      op,
      ...r,
      fromType: op === 'update' ? str(g, 'from') : str(g, 'from').trimEnd(),
      toType: op === 'update' ? str(g, 'to').trimEnd() : null,
      line: rec.lineNo,
    });
    return 'parsed';
  };
}

function deferred(b: ShapeTarget, g: Groups, rec: Rec): Outcome {
  b.deferredInit.push(stamp({ nid: dec(g, 'nid'), ms: dec(g, 'ms'), line: rec.lineNo }, rec.time));
  return 'parsed';
}

function cma(b: ShapeTarget, g: Groups, rec: Rec): Outcome {
  const start = hexv(g, 'start');
  b.reserve('cma', { start, end: start + dec(g, 'mib') * 0x100000 }, 'cma', false, rec);
  return 'parsed';
}

function dumpOutsideBlock(_b: ShapeTarget, _g: Groups, _m: RegExpExecArray, _r: Rec, msg: string): Outcome {
  throw new BadValue(msg.trim().slice(0, 40), 'a MEMBLOCK configuration: header before this dump line');
}

// Unanchored: the lookbehind starts a number only at its first digit, so a long digit run costs one scan, not one
// per digit (issue 13).
const KIB = {
  reserved: /(?<!\d)(\d+)[kK] reserved/,
  cmaReserved: /(?<!\d)(\d+)[kK] cma-reserved/,
  absent: /(?<!\d)(\d+)[kK] absent/,
} as const;

/** Every single-line shape, in the order parseDmesg tries them (memblock=debug first: the bulk of a debug log). */
export const LINE_SHAPES: readonly LineShape[] = [
  {
    id: 'memblock-range',
    re: P.MEMBLOCK_RANGE,
    first: 'm_',
    printedBy:
      'mm/memblock.c memblock_add/_node, memblock_remove, memblock_reserve, __memblock_reserve, memblock_phys_free (memblock_dbg) v6.1+',
    sets: 'memblockCalls',
    apply: (b, g, _m, rec) => {
      const fn = str(g, 'fn');
      const r = incl(g);
      b.memoryLine();
      b.memblockCalls.push(
        stamp(
          {
            fn,
            kind: MEMBLOCK_KIND[fn] ?? 'other',
            base: r.start,
            end: r.end,
            ...(g['nid'] !== undefined && { nid: decValue(g['nid']) }),
            ...(g['flags'] !== undefined && { flags: hexValue(g['flags']) }),
            caller: str(g, 'caller'),
            line: rec.lineNo,
          },
          rec.time,
        ),
      );
      return 'parsed';
    },
  },
  {
    id: 'memblock-doubled',
    re: P.MEMBLOCK_DOUBLED,
    first: 'm',
    printedBy: 'mm/memblock.c memblock_double_array (memblock_dbg) 3.x .. v7.3-rc7',
    sets: 'memblockCalls',
    apply: (b, g, _m, rec) => {
      const r = incl(g);
      b.memoryLine();
      b.memblockCalls.push(
        stamp(
          {
            fn: 'memblock_double_array',
            kind: 'memblock_double_array' as const,
            base: r.start,
            end: r.end,
            arrayType: str(g, 'type') as 'memory' | 'reserved',
            newMax: dec(g, 'max'),
            caller: 'memblock_double_array',
            line: rec.lineNo,
          },
          rec.time,
        ),
      );
      return 'parsed';
    },
  },
  {
    id: 'memblock-double-failed',
    re: P.MEMBLOCK_DOUBLE_FAILED,
    first: 'm',
    printedBy: 'mm/memblock.c memblock_double_array (pr_err) 3.x .. v7.3-rc7',
    sets: 'memblockCalls',
    apply: (b, g, _m, rec) => {
      b.memoryLine();
      b.memblockCalls.push(
        stamp(
          {
            fn: 'memblock_double_array',
            kind: 'memblock_double_failed' as const,
            base: 0,
            end: 0,
            arrayType: str(g, 'type') as 'memory' | 'reserved',
            newMax: dec(g, 'to'),
            caller: 'memblock_double_array',
            line: rec.lineNo,
          },
          rec.time,
        ),
      );
      return 'parsed';
    },
  },
  {
    id: 'memblock-alloc',
    re: P.MEMBLOCK_ALLOC,
    first: 'm_',
    printedBy:
      'mm/memblock.c memblock_alloc_internal / memblock_alloc_try_nid / memblock_phys_alloc_range v6.1',
    sets: 'memblockCalls (kind memblock_alloc)',
    apply: (b, g, _m, rec) => {
      b.memoryLine();
      b.memblockCalls.push(
        stamp(
          {
            fn: str(g, 'fn'),
            kind: 'memblock_alloc' as const,
            base: 0,
            end: dec(g, 'size'),
            align: hexv(g, 'align'),
            ...(g['nid'] !== undefined && { nid: decValue(g['nid']) }),
            from: hexv(g, 'from'),
            maxAddr: hexv(g, 'maxAddr'),
            caller: str(g, 'caller'),
            line: rec.lineNo,
          },
          rec.time,
        ),
      );
      return 'parsed';
    },
  },
  {
    id: 'mminit',
    re: P.MMINIT,
    first: 'm_',
    printedBy: 'mm/mm_init.c mminit_dprintk v6.1 (mminit_loglevel=)',
    sets: 'memmapInit (memmap_init lines), mminit (the others)',
    apply: (b, g, _m, rec) => {
      const tag = str(g, 'tag');
      const text = str(g, 'text');
      const mm = tag === 'memmap_init' ? P.MMINIT_MEMMAP.exec(text) : null;
      if (mm) {
        const q = mm.groups as Groups;
        b.memmapInit.push({
          nid: dec(q, 'nid'),
          zoneIndex: dec(q, 'zone'),
          startPfn: dec(q, 'start'),
          endPfn: dec(q, 'end'),
          line: rec.lineNo,
        });
      } else {
        b.mminit.push({ tag, text, line: rec.lineNo });
      }
      return 'parsed';
    },
  },
  {
    id: 'memblock-dump-header',
    re: P.DUMP_HEADER,
    printedBy: 'mm/memblock.c __memblock_dump_all v6.1',
    sets: 'memblockDumps (opens the dump block)',
    apply: (b, _g, _m, rec) => {
      b.memoryLine();
      b.openDump(rec);
      return 'parsed';
    },
  },
  {
    id: 'memblock-dump-region-outside',
    re: P.DUMP_REGION,
    printedBy: 'mm/memblock.c memblock_dump v6.1 (outside a dump: malformed)',
    sets: 'nothing (DMESG_BAD_VALUE)',
    apply: dumpOutsideBlock,
  },
  {
    id: 'memblock-dump-cnt-outside',
    re: P.DUMP_CNT,
    printedBy: 'mm/memblock.c memblock_dump v6.1 (outside a dump: malformed)',
    sets: 'nothing (DMESG_BAD_VALUE)',
    apply: dumpOutsideBlock,
  },
  {
    id: 'memblock-dump-sizes-outside',
    re: P.DUMP_SIZES,
    printedBy: 'mm/memblock.c __memblock_dump_all v6.1 (outside a dump: malformed)',
    sets: 'nothing (DMESG_BAD_VALUE)',
    apply: dumpOutsideBlock,
  },
  {
    id: 'early-node-range',
    re: P.EARLY_NODE,
    printedBy: 'mm/mm_init.c free_area_init v6.6 (mm/page_alloc.c before): `  node %3d: [mem ..]`',
    sets: 'earlyNodeRanges',
    apply: (b, g) => {
      const r = incl(g);
      b.memoryLine();
      b.earlyNodeRanges.push({ nid: dec(g, 'nid'), start: r.start, end: r.end });
      return 'parsed';
    },
  },
  {
    id: 'e820-entry',
    re: P.E820_ENTRY,
    printedBy: 'arch/x86/kernel/e820.c e820__print_table v6.1',
    sets: 'e820, userE820, setupDataE820, modifiedE820 (by prefix)',
    apply: (b, g, _m, rec) => {
      b.memoryLine();
      b.e820Entry(str(g, 'who'), incl(g), str(g, 'type').trimEnd(), rec);
      return 'parsed';
    },
  },
  {
    id: 'e820-entry-2.6',
    re: P.E820_ENTRY_OLD,
    printedBy: 'arch/x86/kernel/e820.c e820_print_map v2.6.32',
    sets: 'e820, userE820, modifiedE820',
    apply: (b, g, _m, rec) => {
      b.memoryLine();
      b.e820Entry(str(g, 'who'), excl(g), str(g, 'type'), rec);
      return 'parsed';
    },
  },
  {
    id: 'e820-gap',
    re: P.E820_GAP,
    printedBy: 'arch/x86/kernel/e820.c e820__print_table (2025 rework)',
    sets: 'nothing (derivable from the entries)',
    apply: parsed,
  },
  {
    id: 'e820-header',
    re: P.E820_HEADER,
    printedBy: 'arch/x86/kernel/e820.c e820__memory_setup / e820__finish_early_params v6.1',
    sets: 'nothing (the entries carry the table name)',
    apply: parsed,
  },
  {
    id: 'e820-update',
    re: P.E820_UPDATE,
    printedBy: 'arch/x86/kernel/e820.c __e820__range_update v6.1 (KERN_DEBUG)',
    sets: 'e820Edits',
    apply: e820Edit('update', true),
  },
  {
    id: 'e820-update-2.6',
    re: P.E820_UPDATE_OLD,
    printedBy: 'arch/x86/kernel/e820.c e820_update_range v2.6.32',
    sets: 'e820Edits',
    apply: e820Edit('update', false),
  },
  {
    id: 'e820-remove',
    re: P.E820_REMOVE,
    printedBy: 'arch/x86/kernel/e820.c e820__range_remove v6.1 (KERN_DEBUG)',
    sets: 'e820Edits',
    apply: e820Edit('remove', true),
  },
  {
    id: 'e820-remove-2.6',
    re: P.E820_REMOVE_OLD,
    printedBy: 'arch/x86/kernel/e820.c e820_remove_range v2.6.32',
    sets: 'e820Edits',
    apply: e820Edit('remove', false),
  },
  {
    id: 'efi-mem',
    re: P.EFI_MEM,
    printedBy: 'arch/x86/platform/efi/efi.c efi_print_memmap v6.1 (efi=debug)',
    sets: 'efi',
    apply: (b, g) => {
      const r = incl(g);
      b.efi.push({ start: r.start, end: r.end, type: str(g, 'type').trim() });
      return 'parsed';
    },
  },
  {
    id: 'efi-mem-4.x',
    re: P.EFI_MEM_OLD,
    printedBy: 'arch/x86/platform/efi/efi.c efi_print_memmap v3.x-4.x',
    sets: 'efi',
    apply: (b, g) => {
      const r = excl(g);
      b.efi.push({ start: r.start, end: r.end, type: `type ${str(g, 'type')}` });
      return 'parsed';
    },
  },
  {
    id: 'srat-memory',
    re: P.SRAT_MEM,
    printedBy: 'drivers/acpi/numa/srat.c acpi_numa_memory_affinity_init v6.1',
    sets: 'srat',
    apply: (b, g) => {
      const r = incl(g);
      b.srat.push({
        nid: dec(g, 'nid'),
        start: r.start,
        end: r.end,
        ...(g['hotplug'] !== undefined && { hotplug: true as const }),
        ...(g['nonVolatile'] !== undefined && { nonVolatile: true as const }),
      });
      return 'parsed';
    },
  },
  {
    id: 'numa-merge',
    re: P.NUMA_MERGE,
    printedBy: 'arch/x86/mm/numa.c numa_cleanup_meminfo v6.1',
    sets: 'numaMerges',
    apply: (b, g, _m, rec) => {
      b.numaMerges.push({
        nid: dec(g, 'nid'),
        a: inclusiveRange(str(g, 'aStart'), str(g, 'aEnd')),
        b: inclusiveRange(str(g, 'bStart'), str(g, 'bEnd')),
        merged: incl(g),
        line: rec.lineNo,
      });
      return 'parsed';
    },
  },
  {
    id: 'node-data-x86',
    re: P.NODE_DATA_X86,
    printedBy: 'arch/x86/mm/numa.c alloc_node_data v6.1',
    sets: 'nodeData',
    apply: (b, g, _m, rec) => {
      b.nodeData.push({ nid: dec(g, 'nid'), ...incl(g), line: rec.lineNo });
      return 'parsed';
    },
  },
  {
    id: 'node-data-off-node',
    re: P.NODE_DATA_OFFNODE,
    printedBy: 'arch/x86/mm/numa.c alloc_node_data v6.1 (`    NODE_DATA(%d) on node %d`)',
    sets: 'nodeData (onNode of the last entry)',
    apply: (b, g, _m, _rec, msg) => {
      const nid = dec(g, 'nid');
      const last = b.nodeData[b.nodeData.length - 1];
      if (!last || last.nid !== nid)
        throw new BadValue(msg.trim(), `a NODE_DATA(${nid}) allocated line before it`);
      b.nodeData[b.nodeData.length - 1] = { ...last, onNode: dec(g, 'onNode') };
      return 'parsed';
    },
  },
  {
    id: 'node-data-arch',
    re: P.NODE_DATA_ARCH,
    printedBy: 'drivers/base/arch_numa.c setup_node_data v5.x-6.x (arm64, riscv)',
    sets: 'nodeData (nid null)',
    apply: (b, g, _m, rec) => {
      b.nodeData.push({ nid: null, ...incl(g), line: rec.lineNo });
      return 'parsed';
    },
  },
  {
    id: 'fake-node',
    re: P.FAKE_NODE,
    printedBy: 'arch/x86/mm/numa.c dummy_numa_init v6.1, drivers/base/arch_numa.c numa_init',
    sets: 'fakeNode',
    apply: (b, g) => {
      b.fakeNode = incl(g);
      return 'parsed';
    },
  },
  {
    id: 'fake-node-2.6',
    re: P.FAKE_NODE_OLD,
    printedBy: 'arch/x86/mm/numa_64.c v2.6.32',
    sets: 'fakeNode',
    apply: (b, g) => {
      b.fakeNode = excl(g);
      return 'parsed';
    },
  },
  ...(
    [
      ['zone-ranges-header', P.ZONE_RANGES_HEADER, 'zone'],
      ['movable-zone-header', P.MOVABLE_HEADER, 'movable'],
      ['early-node-header', P.EARLY_NODE_HEADER, 'early'],
      ['zone-pfn-header-2.6', P.ZONE_PFN_HEADER, 'zonepfn'],
      ['movable-pfn-header-2.6', P.MOVABLE_PFN_HEADER, 'movablepfn'],
      ['early-node-map-header-2.6', P.EARLY_NODE_MAP_HEADER, 'nodemappfn'],
    ] as const
  ).map(([id, re, block]): LineShape => ({
    id,
    re,
    printedBy: 'mm/mm_init.c free_area_init v6.6 (mm/page_alloc.c free_area_init(_nodes) before)',
    sets: `the ${block} block (its body lines are read by handleBlockLine)`,
    apply: (b) => b.open(block),
  })),
  {
    // a zone line outside its table (a log cut inside `Zone ranges:`) is still unambiguous
    id: 'zone-range',
    re: P.ZONE_RANGE,
    printedBy: 'mm/mm_init.c free_area_init v6.6: `  %-8s [mem ..]` or `empty`',
    sets: 'zoneRanges',
    apply: (b, g) => b.zoneRange(str(g, 'zone') as ZoneName, g),
  },
  {
    id: 'initmem-setup',
    re: P.INITMEM,
    printedBy: 'mm/mm_init.c free_area_init_node v6.6',
    sets: 'initmemSetup',
    apply: (b, g) => {
      const r = incl(g);
      b.memoryLine();
      b.initmemSetup.push({ nid: dec(g, 'nid'), start: r.start, end: r.end });
      return 'parsed';
    },
  },
  {
    id: 'initmem-memoryless',
    re: P.INITMEM_MEMORYLESS,
    printedBy: 'mm/mm_init.c free_area_init_node v6.6',
    sets: 'memorylessNodes',
    apply: (b, g) => {
      b.memorylessNodes.push(dec(g, 'nid'));
      return 'parsed';
    },
  },
  {
    id: 'unavailable-ranges',
    re: P.UNAVAILABLE,
    printedBy: 'mm/mm_init.c init_unavailable_range via memmap_init v5.12+ (0740a50b9baa)',
    sets: 'unavailable',
    apply: (b, g, m, rec, msg) => {
      b.memoryLine();
      b.unavailable.push(
        stamp(
          { nid: dec(g, 'nid'), zone: str(g, 'zone') as ZoneName, pages: dec(g, 'pages'), line: rec.lineNo },
          rec.time,
        ),
      );
      // 6.1 prints this line without "\n"; the next record can follow it on the same captured line.
      return b.restOfLine(msg, m[0].length, rec);
    },
  },
  {
    id: 'deferred-init',
    re: P.DEFERRED,
    printedBy: 'mm/mm_init.c deferred_init_memmap v5.9+ (mm/page_alloc.c before 6.6)',
    sets: 'deferredInit',
    apply: (b, g, _m, rec) => deferred(b, g, rec),
  },
  {
    id: 'deferred-init-2018',
    re: P.DEFERRED_OLD,
    printedBy: 'mm/page_alloc.c deferred_init_memmap v4.19-v5.8',
    sets: 'deferredInit',
    apply: (b, g, _m, rec) => deferred(b, g, rec),
  },
  {
    id: 'deferred-init-kswapd',
    re: P.DEFERRED_KSWAPD,
    printedBy: 'mm/page_alloc.c deferred_init_memmap v4.2-v4.18 (kswapd form)',
    sets: 'deferredInit',
    apply: (b, g, _m, rec) => deferred(b, g, rec),
  },
  {
    id: 'memory-available',
    re: P.MEMORY_AVAILABLE,
    printedBy:
      'mm/mm_init.c mem_init_print_info v6.6 (mm/page_alloc.c before); 2.6.32 arch/x86/mm/init_64.c mem_init',
    sets: 'memoryAvailable',
    apply: (b, g, _m, rec) => {
      const detail = g['detail'] ?? '';
      const kib = (re: RegExp): number | null => {
        const x = re.exec(detail);
        return x ? decValue(x[1] as string) : null;
      };
      b.memoryAvailable.push(
        stamp(
          {
            availableKiB: dec(g, 'available'),
            totalKiB: dec(g, 'total'),
            reservedKiB: kib(KIB.reserved),
            cmaReservedKiB: kib(KIB.cmaReserved),
            absentKiB: kib(KIB.absent),
            line: rec.lineNo,
          },
          rec.time,
        ),
      );
      return 'parsed';
    },
  },
  {
    id: 'node-totalpages',
    re: P.NODE_TOTALPAGES,
    printedBy: 'mm/page_alloc.c free_area_init_node v2.6-v4.x (KERN_DEBUG)',
    sets: 'nodeTotalPages',
    apply: (b, g) => {
      b.nodeTotalPages[dec(g, 'nid')] = dec(g, 'pages');
      return 'parsed';
    },
  },
  {
    id: 'linux-version',
    re: P.LINUX_VERSION,
    printedBy: 'init/version.c linux_banner via start_kernel (all versions)',
    sets: 'kernelRelease, bootLines',
    apply: (b, g, _m, rec) => {
      b.sawBanner = true;
      b.kernelRelease ??= str(g, 'release');
      b.bootLines.push(rec.lineNo);
      b.banner(rec);
      return 'parsed';
    },
  },
  {
    id: 'command-line',
    re: P.COMMAND_LINE,
    printedBy:
      'init/main.c start_kernel (`Kernel command line:`), arch/x86/kernel/setup.c setup_arch (`Command line:`)',
    sets: 'commandLine',
    apply: (b, g) => {
      if (g['which'] === 'Kernel command line') b.cmdlineKernel ??= str(g, 'line');
      else b.cmdlineArch ??= str(g, 'line');
      return 'parsed';
    },
  },
  {
    id: 'of-reserved-mem',
    re: P.OF_RESERVED,
    printedBy: 'drivers/of/of_reserved_mem.c fdt_reserved_mem_save_node v6.12',
    sets: 'reservedMem (of-reserved-mem)',
    apply: (b, g, _m, rec) => {
      b.reserve('of-reserved-mem', incl(g), str(g, 'name'), g['map'] === 'nomap', rec);
      return 'parsed';
    },
  },
  {
    id: 'cma-reserved-3.x',
    re: P.CMA_RESERVED_OLD,
    printedBy: 'drivers/base/dma-contiguous.c dma_contiguous_reserve_area v3.x',
    sets: 'reservedMem (cma)',
    apply: (b, g, _m, rec) => cma(b, g, rec),
  },
  {
    id: 'kexec-start',
    re: P.KEXEC_START,
    printedBy: 'kernel/kexec_core.c kernel_kexec (all versions since 3.x)',
    sets: 'kexecMarkers',
    apply: (b, _g, _m, rec, msg) => {
      b.kexecMarkers.push(stamp({ text: msg, line: rec.lineNo }, rec.time));
      return 'parsed';
    },
  },
  {
    id: 'cma-reserved',
    re: P.CMA_RESERVED,
    printedBy: 'mm/cma.c cma_declare_contiguous_nid v6.x',
    sets: 'reservedMem (cma)',
    apply: (b, g, _m, rec) => cma(b, g, rec),
  },
  {
    id: 'reserved-memory-pool',
    re: P.RMEM_POOL,
    printedBy: 'kernel/dma/contiguous.c rmem_cma_setup, kernel/dma/coherent.c rmem_dma_setup v6.x',
    sets: 'reservedMem (cma, dma-pool)',
    apply: (b, g, _m, rec) => {
      const start = hexv(g, 'start');
      const kind = g['kind'] === 'CMA' ? 'cma' : 'dma-pool';
      b.reserve(kind, { start, end: start + dec(g, 'mib') * 0x100000 }, str(g, 'kind'), false, rec);
      return 'parsed';
    },
  },
  {
    id: 'crashkernel',
    re: P.CRASHKERNEL,
    printedBy: 'kernel/crash_reserve.c reserve_crashkernel_generic v6.7+',
    sets: 'reservedMem (crashkernel)',
    apply: (b, g, _m, rec) => {
      b.reserve('crashkernel', excl(g), 'crashkernel', false, rec);
      return 'parsed';
    },
  },
  {
    id: 'crashkernel-x86',
    re: P.CRASHKERNEL_X86,
    printedBy: 'arch/x86/kernel/setup.c reserve_crashkernel v2.6-v6.6',
    sets: 'reservedMem (crashkernel)',
    apply: (b, g, _m, rec) => {
      const start = dec(g, 'atMib') * 0x100000;
      const end = start + dec(g, 'mib') * 0x100000;
      b.reserve('crashkernel', { start, end }, 'crashkernel', false, rec);
      return 'parsed';
    },
  },
  {
    id: 'efi-remove-mmio',
    re: P.EFI_REMOVE_MMIO,
    printedBy: 'arch/x86/platform/efi/quirks.c efi_remove_e820_mmio v6.x',
    sets: 'e820Edits (remove, EFI MMIO)',
    apply: (b, g, _m, rec) => {
      b.e820Edits.push({ op: 'remove', ...incl(g), fromType: 'EFI MMIO', toType: null, line: rec.lineNo });
      return 'parsed';
    },
  },
  {
    id: 'zeroed-unavailable',
    re: P.ZEROED_UNAVAILABLE,
    printedBy: 'mm/page_alloc.c zero_resv_unavail v4.19-v5.4 (907ec5fca3dc), init_unavailable_mem v5.5-v5.11',
    sets: 'zeroedUnavailablePages',
    apply: (b, g, m, rec, msg) => {
      b.zeroedUnavailablePages = (b.zeroedUnavailablePages ?? 0) + dec(g, 'pages');
      // Printed without "\n" as well.
      return b.restOfLine(msg, m[0].length, rec);
    },
  },
  {
    id: 'reserved-unavailable',
    re: P.RESERVED_UNAVAILABLE,
    printedBy: 'mm/page_alloc.c zero_resv_unavail v4.15-v4.18 (a4a3ede2132a)',
    sets: 'reservedUnavailablePages',
    apply: (b, g, m, rec, msg) => {
      b.reservedUnavailablePages = (b.reservedUnavailablePages ?? 0) + dec(g, 'pages');
      return b.restOfLine(msg, m[0].length, rec);
    },
  },
  {
    id: 'kho',
    re: P.KHO,
    printedBy: 'kernel/kexec_handover.c (pr_fmt `KHO: `), arch/x86/kernel/setup.c, mm/memblock.c reserve_mem',
    sets: 'kho, khoLines, khoSummary',
    apply: (b, _g, _m, rec, msg) => {
      b.kho.push(stamp({ text: msg.trimEnd(), line: rec.lineNo }, rec.time));
      b.khoDetail(msg);
      return 'parsed';
    },
  },
];

const FIRST_CHARS = LINE_SHAPES.map((s) => (s.first === undefined ? null : new Set(s.first)));

/** The first shape matching `msg`, applied; null when none does. */
export function applyLineShapes(b: ShapeTarget, msg: string, rec: Rec): Outcome | null {
  const c0 = msg.charAt(0);
  for (let i = 0; i < LINE_SHAPES.length; i++) {
    const first = FIRST_CHARS[i];
    if (first && !first.has(c0)) continue;
    const s = LINE_SHAPES[i]!;
    const m = s.re.exec(msg);
    if (m) return s.apply(b, m.groups ?? {}, m, rec, msg);
  }
  return null;
}
