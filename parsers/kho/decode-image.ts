// Decode a whole KHO handover image: root FDT, memory map (chunk list or radix tree), subtrees and scratch areas.
// The order of the checks follows kho_populate() then kho_memory_init() (kernel/liveupdate/kexec_handover.c, K619/KR3).
import type { PhysMemory } from '../../src/core/index.js';
import { DiagnosticSink, LIMITS, TraceError, hex } from '../../src/core/index.js';
import { BlockCollector } from './block-collector.js';
import { decodeChunkList } from './chunk-list.js';
import {
  KHO_BOUNDS,
  KHO_DEFAULT_MAX_PAGE_ORDER,
  KHO_DEFAULT_PAGE_SHIFT,
  KHO_FDT,
  KHO_SUBTREE,
} from './constants.js';
import type { FdtNode } from '../fdt/index.js';
import { getProp } from '../fdt/index.js';
import { propFirstString } from './fdt-view.js';
import type { KhoEndian, KhoMemory, PointerSite } from './phys-read.js';
import { dumpEndianness, readPhysChecked } from './phys-read.js';
import { khoEra } from './eras.js';
import { decodeRadixTree } from './radix-tree.js';
import type { KhoRootSubtree } from './root.js';
import { decodeKhoRoot } from './root.js';
import type { KhoClaimPages } from './luo.js';
import { decodeLuo } from './luo.js';
import type { KhoOwnerKind } from './owners.js';
import { KHO_OWNER, OwnerAttributor } from './owners.js';
import { decodeKexecMetadata, decodeKhoTestSubtree, decodeMemblockSubtree } from './subtrees.js';
import type {
  KhoBitmapEvidence,
  KhoBitmapFormat,
  KhoImage,
  KhoKexecMetadata,
  KhoLuo,
  KhoMetadataCounts,
  KhoReserveMem,
  KhoScratchArea,
  KhoSubtree,
  KhoTestSubtree,
  KhoVmallocArea,
} from './types.js';

/** An FDT reader (parsers/fdt parseFdt fits): bytes in, decoded root and header out, TraceError on bad input. */
export type KhoFdtReader = (
  bytes: Uint8Array,
  file: string,
) => { root: FdtNode; header: { totalsize: number } };

export interface KhoImageInput {
  /** The root KHO FDT, decoded, and the name of its file (for locations). */
  readonly root: FdtNode;
  readonly rootFile: string;
  /** Physical memory holding the memory map and blobs (an ELF core); null when the bundle has none. */
  readonly mem: PhysMemory | null;
  /** Blobs copied from debugfs `sub_fdts/<name>`, by subtree name. Preferred over memory when both exist. */
  readonly subBlobs?: ReadonlyMap<string, { readonly file: string; readonly bytes: Uint8Array }>;
  /** Scratch areas, already read (scratch.ts: debugfs files, kho_data or /chosen plus the array). */
  readonly scratch?: readonly KhoScratchArea[];
  /** Needed to read FDT subtree blobs (compatible, memblock, kho_test, LUO); without it only pointers are listed. */
  readonly readFdt?: KhoFdtReader;
  /** Default 12 (4 KiB pages). */
  readonly pageShift?: number;
  /** Default 10. Only used for the KHO_ORDER_ABOVE_MAX diagnostic. */
  readonly maxPageOrder?: number;
  /** kho-v1: skip the bitmap-size heuristics and use this one. */
  readonly bitmapFormat?: KhoBitmapFormat;
  /**
   * Byte order of the machine that wrote the handover: KHO property values and in-memory structures are
   * native-endian (spec 2.3). Default: the dump's (ElfCore.endianness), little endian when there is none.
   */
  readonly endianness?: KhoEndian;
  /** The root FDT's own bytes (kho/fdt): the preserved block holding them is the root FDT page (kho_init). */
  readonly rootBytes?: Uint8Array;
  /**
   * The image is what this host was handed at boot (debugfs kho/in, or a capture made on a KHO-booted kernel), not
   * what it hands over: blobs its consumers freed after restoring (the LUO page) may hold other bytes by now.
   */
  readonly incoming?: boolean;
}

const FDT_MAGIC = 0xd00dfeed;
const NOT_APPLICABLE: KhoBitmapEvidence = { kind: 'not-applicable', proof: false, detail: '' };

/** The most blocks the memory map can hold: 8 per byte of the dump (one bit each), at most LIMITS.KHO_MAX_BLOCKS. */
export function maxPreservedBlocks(mem: PhysMemory | null | undefined): number {
  const held = mem?.heldBytes;
  return held === undefined ? KHO_BOUNDS.MAX_BLOCKS : Math.min(KHO_BOUNDS.MAX_BLOCKS, held * 8);
}

/** Decode everything the incoming kernel would find. Throws TraceError for a malformed root or memory map. */
export function decodeKhoImage(input: KhoImageInput): KhoImage {
  const diags = new DiagnosticSink();
  const pageShift = input.pageShift ?? KHO_DEFAULT_PAGE_SHIFT;
  const pageSize = 2 ** pageShift;
  const { mem } = input;
  const endian = input.endianness ?? dumpEndianness(mem);
  const root = decodeKhoRoot(input.root, input.rootFile, diags, endian);
  const mapField = '/:preserved-memory-map';
  const mapSite: PointerSite = {
    field: mapField,
    location: { file: input.rootFile, offset: root.memoryMapOffset, field: mapField },
  };

  // 1. The memory map. Every preserved block is one set bit of a bitmap the dump holds (kho-v1 chunk bitmaps,
  // kho-v3+ radix leaves; linux v7.3-rc7 kernel/liveupdate/kexec_handover.c kho_radix_walk_leaf), and no two
  // bitmaps share bytes (KHO_ERR_ALIAS): so the dump's bytes bound the blocks, before the collector sizes anything.
  const maxBlocks = maxPreservedBlocks(mem);
  const collector = new BlockCollector(
    pageShift,
    maxBlocks,
    () =>
      new TraceError({
        code: 'KHO_ERR_BADCOUNT',
        location: { file: mem?.name ?? input.rootFile, field: 'preserved blocks' },
        expected: `at most ${maxBlocks} blocks (${
          maxBlocks < KHO_BOUNDS.MAX_BLOCKS
            ? `one set bit each in the ${mem!.heldBytes!} bytes the dump holds`
            : `LIMITS.KHO_MAX_BLOCKS`
        })`,
        found: 'more',
      }),
    // every block the dump can hold, reserved at once (no copies as they arrive: block-collector.ts); none without one
    mem ? maxBlocks : 0,
  );
  let bitmapFormat: KhoBitmapFormat | null = null;
  let bitmapEvidence = NOT_APPLICABLE;
  let radixNodes: number[] = [];
  const metadata: { -readonly [K in keyof KhoMetadataCounts]: number } = {
    chunks: 0,
    bitmaps: 0,
    radixTables: 0,
    radixLeaves: 0,
  };
  if (root.memoryMapPhys === 0) {
    diags.warn(
      'KHO_MEMORY_MAP_EMPTY',
      root.era.memoryMap === 'chunk-list'
        ? 'preserved-memory-map is 0: nothing preserved (6.16-6.18), or not finalized; a 6.19 successor disables KHO revival'
        : 'preserved-memory-map is 0: kho_populate() disables KHO revival',
      { file: input.rootFile, field: '/:preserved-memory-map' },
    );
  } else if (!mem) {
    diags.warn(
      'KHO_NO_MEMORY_DUMP',
      `no memory dump: the memory map at ${hex(root.memoryMapPhys)} cannot be decoded`,
      { file: input.rootFile },
    );
  } else if (root.era.memoryMap === 'chunk-list') {
    const r = decodeChunkList(mem, root.memoryMapPhys, collector, diags, {
      pageShift,
      endianness: endian,
      headSite: mapSite,
      ...(input.bitmapFormat ? { bitmapFormat: input.bitmapFormat } : {}),
    });
    bitmapFormat = r.format;
    bitmapEvidence = r.evidence;
    metadata.chunks = r.chunks;
    metadata.bitmaps = r.bitmaps;
    reportBitmapEvidence(diags, r.format, r.evidence, mem.name);
  } else {
    const r = decodeRadixTree(mem, root.memoryMapPhys, root.abi, collector, diags, pageShift, {
      endianness: endian,
      rootSite: mapSite,
    });
    metadata.radixTables = r.tables;
    metadata.radixLeaves = r.leaves;
    radixNodes = r.nodes;
  }
  const preserved = collector.finish(diags, mem?.name ?? input.rootFile);
  // Owners: each decoded structure claims the ranges it lives in (owners.ts); radix pages first.
  const owners = new OwnerAttributor(preserved, pageSize);
  const claim = (
    start: number,
    end: number,
    kind: KhoOwnerKind,
    ref = -1,
    what = '',
    whatPfn?: number,
  ): number => owners.claim(start, end, kind, ref, what, whatPfn);
  const claimQuiet = (start: number, end: number, kind: KhoOwnerKind, ref = -1): void => {
    // radix pages are not preserved by the kernel: a page that is not a block is expected, not a finding
    const before = owners.missing.get(kind)?.count ?? 0;
    claim(start, end, kind, ref);
    const m = owners.missing.get(kind);
    if (m && m.count > before) {
      if (before === 0) owners.missing.delete(kind);
      else m.count = before;
    }
  };
  for (const n of radixNodes) claimQuiet(n, n + pageSize, KHO_OWNER.RADIX_TABLE);
  const maxPageOrder = input.maxPageOrder ?? KHO_DEFAULT_MAX_PAGE_ORDER;
  let above = 0;
  for (let i = 0; i < preserved.count; i++) if (preserved.order[i]! > maxPageOrder) above++;
  if (above > 0) {
    diags.info(
      'KHO_ORDER_ABOVE_MAX',
      `${above} preserved block(s) have an order above MAX_PAGE_ORDER (${maxPageOrder})`,
      { file: mem?.name ?? input.rootFile },
    );
  }

  // 2. Subtrees. A bad blob is reported and skipped: it does not change what the memory map preserves.
  const subtrees: KhoSubtree[] = [];
  const vmalloc: KhoVmallocArea[] = [];
  let reserveMem: KhoReserveMem[] = [];
  let kexecMetadata: KhoKexecMetadata | null = null;
  let khoTest: KhoTestSubtree | null = null;
  let luo: KhoLuo | null = null;
  const claimPages: KhoClaimPages = (pfns, n, ps, kind, ref, what) =>
    owners.claimPages(pfns, n, ps, kind, ref, what);
  const luoCtx = { mem, diags, pageShift, endian, claim, claimPages, vmalloc };
  for (const st of root.subtrees) {
    const blob = subtreeBytes(st, input, diags, root.abi);
    let compatible: string | null = null;
    let sizeBytes = st.blobSize;
    const isLuo = st.name === KHO_SUBTREE.LUO_NAME;
    try {
      if (blob && isFdt(blob.bytes) && input.readFdt) {
        const fdt = input.readFdt(blob.bytes, blob.file);
        if (sizeBytes === null) sizeBytes = fdt.header.totalsize;
        compatible = propFirstString(getProp(fdt.root, 'compatible'));
        if (st.name === KHO_SUBTREE.MEMBLOCK_KHO_FDT)
          reserveMem = decodeMemblockSubtree(fdt.root, blob.file, diags, endian);
        else if (st.name === KHO_SUBTREE.KHO_TEST_NAME) {
          const t = decodeKhoTestSubtree(fdt.root, blob.file, mem, diags, pageShift, endian);
          khoTest = t.test;
          if (t.vmalloc) vmalloc.push({ ...t.vmalloc, group: 'test_kho:folios_info' });
        } else if (isLuo) luo = decodeLuo(blob, fdt.root, luoCtx);
      } else if (blob && st.name === KHO_SUBTREE.KEXEC_METADATA_NAME) {
        kexecMetadata = decodeKexecMetadata(blob.bytes, blob.file, endian);
      } else if (blob && isLuo && !isFdt(blob.bytes) && input.incoming && !looksLikeLuoSer(blob.bytes)) {
        // luo_early_startup() ends with kho_restore_free(luo_ser) (linux v7.3-rc7 kernel/liveupdate/luo_core.c), yet
        // debugfs keeps serving in/sub_fdts/LUO from that page: once reused it reads back as unrelated bytes
        diags.warn(
          'KHO_LUO_FREED',
          `${blob.file} is not a struct luo_ser (starts ${hexBytes(blob.bytes, 16)}): a KHO-booted kernel serves in/sub_fdts/LUO from the page luo_early_startup() freed after restoring (linux v7.3-rc7 luo_core.c), so it reads back as unrelated bytes; LUO not decoded: capture on the kernel that hands over, at kexec time (kexec-replay capture --out DIR there writes memory's copy)`,
          { file: blob.file, offset: 0, field: 'luo_ser.compatible' },
        );
      } else if (blob && isLuo && !isFdt(blob.bytes)) {
        // kho-v4: the raw struct luo_ser (luo-v3 on); its compatible is the LUO version
        luo = decodeLuo(blob, null, luoCtx);
        compatible = luo.compatible;
      } else if (blob && isFdt(blob.bytes) && sizeBytes === null) {
        sizeBytes = new DataView(blob.bytes.buffer, blob.bytes.byteOffset, 8).getUint32(4, false);
      }
    } catch (e) {
      if (!(e instanceof TraceError)) throw e;
      // A malformed LUO chain or record stops the decode: the incoming LUO refuses it, and what it owns is unknown.
      if (isLuo) throw e;
      diags.error('KHO_SUBTREE_INVALID', `subtree ${st.name}: ${e.message}`, e.location);
    }
    subtrees.push({ name: st.name, phys: st.phys, sizeBytes, compatible, blobSource: blob?.source ?? null });
  }

  // The remaining owners: subtree blobs, reserve_mem regions, kho_test folios, vmalloc areas, the root FDT page.
  subtrees.forEach((s, i) => {
    if (s.phys !== 0)
      claim(s.phys, s.phys + Math.max(1, s.sizeBytes ?? pageSize), KHO_OWNER.SUBTREE, i, `subtree ${s.name}`);
  });
  reserveMem.forEach((r, i) =>
    claim(r.start, r.start + r.sizeBytes, KHO_OWNER.RESERVE_MEM, i, `reserve_mem ${r.name}`),
  );
  const tf = (khoTest as KhoTestSubtree | null)?.folios;
  if (tf) {
    for (let i = 0; i < tf.phys.length; i++)
      claim(
        tf.phys[i]!,
        tf.phys[i]! + pageSize * 2 ** tf.order[i]!,
        KHO_OWNER.KHO_TEST_FOLIO,
        -1,
        `kho_test folio ${hex(tf.phys[i]!)}`,
      );
  }
  vmalloc.forEach((v, i) => {
    for (const c of v.chunkPhys) claim(c, c + pageSize, KHO_OWNER.VMALLOC_CHUNK, i, `${v.owner} chunk`);
    const bb = pageSize * 2 ** v.order;
    for (let j = 0; j < v.blockPhys.length; j++)
      claim(v.blockPhys[j]!, v.blockPhys[j]! + bb, KHO_OWNER.VMALLOC_DATA, i, `${v.owner} page`);
  });
  if (mem && input.rootBytes && input.rootBytes.length >= 40)
    claimRootFdt(owners, preserved, mem, input.rootBytes, pageSize);
  const ownerColumns = mem
    ? owners.finish(diags, mem.name)
    : owners.finish(new DiagnosticSink(), input.rootFile);
  if (mem && ownerColumns.unattributed > 0) {
    diags.info(
      'KHO_OWNER_UNATTRIBUTED',
      `${ownerColumns.unattributed} of ${preserved.count} preserved block(s) belong to no structure this decoder reads (a KHO user it does not know, or bytes missing from the dump)`,
      { file: mem.name },
    );
  }

  return {
    abi: root.abi,
    abiEvidence: root.abiEvidence,
    bitmapFormat,
    bitmapEvidence,
    memoryMapPhys: root.memoryMapPhys,
    memoryMapDecoded: root.memoryMapPhys === 0 || mem !== null,
    pageSize,
    subtrees,
    scratch: input.scratch ?? [],
    preserved,
    metadata,
    vmalloc,
    reserveMem,
    kexecMetadata,
    khoTest,
    luo,
    owners: ownerColumns,
    diagnostics: diags.items,
  };
}

/**
 * The root FDT page: kho_init() preserves the page the root FDT lives in, and nothing points at it (the successor
 * finds it through kho_data / the /chosen property, which the bundle does not hold). The unclaimed block whose bytes
 * begin with kho/fdt's is it; a truncated debugfs copy (v7.3-rc7 kho/out/fdt) still matches as a prefix.
 */
function claimRootFdt(
  owners: OwnerAttributor,
  preserved: KhoImage['preserved'],
  mem: KhoMemory,
  rootBytes: Uint8Array,
  pageSize: number,
): void {
  const n = Math.min(rootBytes.length, pageSize);
  const matches = (i: number): boolean => {
    const p = preserved.phys[i]!;
    if (!mem.hasPhys(p, n)) return false;
    const b = mem.readPhys(p, n, 'root FDT candidate');
    let same = b.length === n;
    for (let j = 0; j < n && same; j++) same = b[j] === rootBytes[j];
    return same;
  };
  // Only a block that starts in memory the dump holds can match: with an ELF core, the blocks of its present ranges
  // (sorted, disjoint) are searched in phys order, not all of millions of blocks.
  const ranges = mem.presentRanges ?? [{ start: 0, end: Infinity }];
  for (const r of ranges) {
    const i = owners.findUnclaimed(r.start, r.end, matches);
    if (i >= 0) {
      const p = preserved.phys[i]!;
      owners.claim(p, p + 1, KHO_OWNER.ROOT_FDT, -1, 'root FDT');
      return;
    }
  }
}

function reportBitmapEvidence(
  diags: DiagnosticSink,
  format: KhoBitmapFormat,
  ev: KhoBitmapEvidence,
  file: string,
): void {
  const what = format === '512' ? '512-byte bitmaps (6.16/6.17)' : 'page-sized bitmaps (6.18/6.19)';
  if (ev.kind === 'default-page') {
    diags.warn(
      'KHO_BITMAP_FORMAT_AMBIGUOUS',
      `nothing in the chunk list tells the bitmap size apart; assuming ${what} (producers from 6.18 on)`,
      { file },
    );
  } else {
    diags.info(
      'KHO_BITMAP_FORMAT',
      `${what}: ${ev.kind}${ev.proof ? ' (proof)' : ''}${ev.detail ? `: ${ev.detail}` : ''}`,
      { file },
    );
  }
}

/** A struct luo_ser begins with its version string, "luo-v<N>" and a NUL (LUO_ABI_COMPATIBLE, luo-v3 on). */
function looksLikeLuoSer(b: Uint8Array): boolean {
  const nul = b.indexOf(0);
  if (nul < 6 || nul > 16) return false;
  return /^luo-v[0-9]+$/.test(String.fromCharCode(...b.subarray(0, nul)));
}

/** The first `n` bytes as hex pairs, for a message. */
function hexBytes(b: Uint8Array, n: number): string {
  return (
    Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ') +
    (b.length > n ? ' ...' : '')
  );
}

function isFdt(b: Uint8Array): boolean {
  return b.length >= 40 && new DataView(b.buffer, b.byteOffset, 8).getUint32(0, false) === FDT_MAGIC;
}

/** A subtree's bytes: the debugfs copy if the bundle has one, else from memory (blob-size, or the FDT totalsize). */
function subtreeBytes(
  st: KhoRootSubtree,
  input: KhoImageInput,
  diags: DiagnosticSink,
  abi: KhoImage['abi'],
): { file: string; bytes: Uint8Array; source: 'file' | 'memory' } | null {
  const f = input.subBlobs?.get(st.name);
  if (f) {
    // The debugfs copy and the preserved folio should hold the same bytes; a difference means the copy is stale
    // (taken before the last kho_add_subtree) or the dump is from another boot.
    const m = input.mem;
    if (m && st.phys !== 0 && f.bytes.length > 0 && m.hasPhys(st.phys, f.bytes.length)) {
      const inMem = m.readPhys(st.phys, f.bytes.length, `subtree ${st.name}`);
      let same = true;
      for (let i = 0; i < inMem.length && same; i++) same = inMem[i] === f.bytes[i];
      if (!same && st.name === KHO_SUBTREE.LUO_NAME) {
        // LUO writes sessions_pa, its blocks and the final file positions only in liveupdate_reboot() (linux
        // v7.3-rc7 luo_core.c): a debugfs copy of out/sub_fdts/LUO taken before the reboot is stale, and the
        // dump (taken at kexec) holds what the next kernel reads. On a KHO-booted kernel in/sub_fdts/LUO is served
        // after luo_early_startup() freed the page, so it may hold anything.
        diags.warn(
          'KHO_LUO_STALE',
          `${f.file} differs from the struct luo_ser in the memory dump at ${hex(st.phys)} (a debugfs copy taken before reboot(), when LUO has not yet written its sessions, or a freed in/ page); the dump's bytes are used: take the LUO blob from memory at kexec time (kexec-replay capture does)`,
          { file: f.file },
        );
        return { file: `${m.name}@${hex(st.phys)}`, bytes: inMem.slice(), source: 'memory' };
      }
      if (!same) {
        diags.warn(
          'KHO_SUBTREE_MISMATCH',
          `${f.file} differs from the ${f.bytes.length} bytes at ${hex(st.phys)} in the memory dump; the file is used`,
          {
            file: f.file,
          },
        );
      }
    }
    return { file: f.file, bytes: f.bytes, source: 'file' };
  }
  const mem = input.mem;
  if (!mem || st.phys === 0) return null;
  // The pointer is the subtree's property in the root FDT: a blob outside the dump is located there.
  const ptrField = `/${st.name}:${khoEra(abi)?.subtreePointerProp ?? KHO_FDT.KHO_SUB_TREE_PROP_NAME}`;
  const site: PointerSite = {
    field: ptrField,
    location: { file: input.rootFile, offset: st.propOffset, field: ptrField },
  };
  try {
    let size = st.blobSize;
    if (size === null) {
      const head = readPhysChecked(mem, st.phys, 8, `subtree ${st.name} fdt_header`, site);
      const view = new DataView(head.buffer, head.byteOffset, 8);
      if (view.getUint32(0, false) !== FDT_MAGIC) {
        diags.warn(
          'KHO_SUBTREE_NOT_FDT',
          `subtree ${st.name} at ${hex(st.phys)} does not start with the FDT magic`,
          { file: mem.name },
        );
        return null;
      }
      size = view.getUint32(4, false);
    }
    if (size > LIMITS.FDT_MAX_BYTES) {
      diags.warn('KHO_SUBTREE_TOO_BIG', `subtree ${st.name} claims ${size} bytes; not read`, {
        file: mem.name,
      });
      return null;
    }
    const where = `${mem.name}@${hex(st.phys)}`;
    return {
      file: where,
      bytes: readPhysChecked(mem, st.phys, size, `subtree ${st.name}`, site),
      source: 'memory',
    };
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    diags.warn('KHO_SUBTREE_NOT_IN_DUMP', `subtree ${st.name}: ${e.message}`, e.location);
    return null;
  }
}
