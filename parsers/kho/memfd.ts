// memfd file handler data: struct memfd_luo_ser and its folio array (struct memfd_luo_folio_ser[] in a
// struct kho_vmalloc area). memfd-v1: include/linux/kho/abi/memfd.h @ac2d8102c4b8 (40 bytes: pos, size, nr_folios,
// folios); memfd-v2: linux v7.3-rc7 include/linux/kho/abi/memfd.h (48 bytes: pos, size, u32 seals, u32 flags,
// nr_folios, folios). Restore side: linux v7.3-rc7 mm/memfd_luo.c memfd_luo_retrieve() and
// memfd_luo_retrieve_folios() (kho_restore_vmalloc of the array only when nr_folios != 0; folios with pfn 0 skipped;
// each other folio through kho_restore_folio(PFN_PHYS(pfn))).
import type { DiagnosticSink, PhysMemory } from '../../src/core/index.js';
import { hex } from '../../src/core/index.js';
import { MEMFD_LUO } from './constants.js';
import type { KhoClaim, KhoClaimPages } from './luo.js';
import { KHO_OWNER } from './owners.js';
import type { KhoEndian, PointerSite } from './phys-read.js';
import { khoError, physLocation, readPhysChecked, u32At, u64At, viewOf } from './phys-read.js';
import type { KhoMemfd, KhoVmallocArea } from './types.js';
import { decodeVmalloc, readVmallocSpans } from './vmalloc.js';

export interface MemfdContext {
  readonly mem: PhysMemory;
  readonly diags: DiagnosticSink;
  readonly pageShift: number;
  readonly endian: KhoEndian;
  readonly claim: KhoClaim;
  readonly claimPages?: KhoClaimPages;
  readonly vmalloc: KhoVmallocArea[];
  /** Index of the file in KhoLuo.files (the owner reference of its pages). */
  readonly fileIdx: number;
  /** For messages: `LUO session "vm0" file token 256`. */
  readonly label: string;
  /** Where the record's address was read (luo_file_ser.data). */
  readonly site: PointerSite;
}

/** Typed arrays use the machine's byte order. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** struct memfd_luo_folio_ser as u32 words: pfn:52 + flags:12 (low half, high half), then index (low, high). */
const WORDS_PER_FOLIO = MEMFD_LUO.MEMFD_LUO_FOLIO_SER_SIZE / 4;
/** Folios claimed per batch: 32 KiB of pfns. */
const FOLIO_BATCH = 4096;

/** What scanFolios() carries from one batch of folios to the next, as slots of a Float64Array. */
const SCAN = { FOLIOS: 0, ANY: 1, ALL: 2, ASCENDING: 3, LAST_INDEX: 4, SIZE: 5 } as const;

/** Folios scanFolios() decodes between two write-backs of its state. */
const SCAN_STEP = 64;

/**
 * The folios [from, to) of a folio array (`words`: folioWords()): the pfns of those with one (pfn 0 is skipped, as
 * memfd_luo_retrieve_folios() does) into `pfns`, counts, flags and whether indices ascend into `st`. Returns how many
 * pfns it wrote. A small function of typed arrays only, so it is optimised early and stays optimised: the state is
 * read and written back every SCAN_STEP folios, inside the loop, because V8 compiles a long loop while it runs
 * (on-stack replacement) before any statement after it has run, and such a statement deoptimised the function on
 * every call (hundreds of times for 8M folios, each time finishing a batch in the interpreter).
 */
function scanFolios(
  words: Uint32Array,
  from: number,
  to: number,
  pfns: Float64Array,
  st: Float64Array,
): number {
  let n = 0;
  // module constants in locals: the single-file CLI (esbuild) turns top-level consts into vars, loaded again at
  // each use in the loop
  const wpf = WORDS_PER_FOLIO;
  const stop = to * wpf;
  for (let w = from * wpf; w < stop;) {
    let any = st[SCAN.ANY]! | 0;
    let all = st[SCAN.ALL]! | 0;
    let ascending = st[SCAN.ASCENDING] === 1;
    let lastIndex = st[SCAN.LAST_INDEX]!;
    const was = n;
    for (const step = Math.min(stop, w + SCAN_STEP * wpf); w < step; w += wpf) {
      // u64 pfn:52, flags:12 (bitfields from bit 0 on the little-endian ABI the kernel builds)
      const hi = words[w + 1]!;
      const pfn = words[w]! + (hi & 0xfffff) * 0x1_0000_0000;
      if (pfn === 0) continue;
      const fl = hi >>> 20;
      any |= fl;
      all &= fl;
      // u64 index from its halves: the same correctly rounded number as Number(getBigUint64), no BigInt per folio
      const idx = words[w + 3]! * 0x1_0000_0000 + words[w + 2]!;
      if (idx <= lastIndex) ascending = false;
      lastIndex = idx;
      pfns[n++] = pfn;
    }
    st[SCAN.FOLIOS]! += n - was;
    st[SCAN.ANY] = any;
    st[SCAN.ALL] = all;
    st[SCAN.ASCENDING] = ascending ? 1 : 0;
    st[SCAN.LAST_INDEX] = lastIndex;
  }
  return n;
}

/**
 * The first `nrFolios` records of a folio array as u32 words, each u64 as (low half, high half): the array's own
 * bytes when it is little-endian on a little-endian machine and 4-byte aligned (readVmallocSpans' buffer is),
 * else a copy made once with a DataView (a big-endian dump), so the folio loop reads words either way.
 */
function folioWords(arr: Uint8Array, nrFolios: number, endian: KhoEndian): Uint32Array {
  const n = nrFolios * WORDS_PER_FOLIO;
  if (endian === 'le' && LITTLE_ENDIAN_HOST && arr.byteOffset % 4 === 0)
    return new Uint32Array(arr.buffer, arr.byteOffset, n);
  const le = endian === 'le';
  const view = viewOf(arr);
  const out = new Uint32Array(n);
  // a big-endian u64 has its high half first
  const loAt = le ? 0 : 4;
  const hiAt = le ? 4 : 0;
  for (let w = 0; w < n; w += 2) {
    out[w] = view.getUint32(w * 4 + loAt, le);
    out[w + 1] = view.getUint32(w * 4 + hiAt, le);
  }
  return out;
}

/** Decode the memfd record at `serPhys` and its folios; claim the record page and every folio. */
export function decodeMemfd(serPhys: number, version: string, ctx: MemfdContext): KhoMemfd {
  const { mem } = ctx;
  const v2 = version === 'memfd-v2';
  const size = v2 ? MEMFD_LUO.MEMFD_LUO_SER_SIZE_V2 : MEMFD_LUO.MEMFD_LUO_SER_SIZE_V1;
  const rec = readPhysChecked(mem, serPhys, size, `${ctx.label} struct memfd_luo_ser`, ctx.site);
  const view = viewOf(rec);
  const f = (name: string): string => `${ctx.label} memfd_luo_ser.${name}`;
  const pos = u64At(mem, view, 0, serPhys, f('pos'), ctx.endian);
  const fileSize = u64At(mem, view, 8, serPhys, f('size'), ctx.endian);
  const seals = v2 ? u32At(view, 16, ctx.endian) : null;
  const flags = v2 ? u32At(view, 20, ctx.endian) : null;
  const nrOff = v2 ? 24 : 16;
  const nrFolios = u64At(mem, view, nrOff, serPhys, f('nr_folios'), ctx.endian);
  // kho_alloc_preserve(sizeof(*ser)): the record is its own preserved page.
  ctx.claim(serPhys, serPhys + size, KHO_OWNER.MEMFD_SER, ctx.fileIdx, `${ctx.label} memfd_luo_ser`);
  if (seals !== null && (seals & ~MEMFD_LUO.MEMFD_LUO_ALL_SEALS) !== 0) {
    // memfd_luo_retrieve: "Make sure the file only has seals supported by this version" -> -EOPNOTSUPP
    ctx.diags.warn(
      'KHO_MEMFD_SEALS',
      `${ctx.label}: seals ${hex(seals)} include bits outside MEMFD_LUO_ALL_SEALS (0x3f); memfd_luo_retrieve refuses the file`,
      physLocation(mem, serPhys + 16, f('seals')),
    );
  }
  const base = {
    version,
    serPhys,
    pos,
    size: fileSize,
    seals,
    flags,
    nrFolios,
    vmalloc: null,
    folios: 0,
    folioFlagsAny: 0,
    folioFlagsAll: 0,
    indicesAscending: true,
    folioBytes: 0,
  };
  if (nrFolios === 0) return base;

  const descOff = nrOff + 8;
  const area = decodeVmalloc(
    rec.subarray(descOff, descOff + 16),
    physLocation(mem, serPhys + descOff, f('folios')),
    `${ctx.label} folios`,
    mem,
    ctx.diags,
    ctx.pageShift,
    ctx.endian,
  );
  const pageSize = 2 ** ctx.pageShift;
  const need = nrFolios * MEMFD_LUO.MEMFD_LUO_FOLIO_SER_SIZE;
  const have = area.blockPhys.length * pageSize * 2 ** area.order;
  if (need > have) {
    throw khoError(
      mem,
      serPhys + nrOff,
      f('nr_folios'),
      'KHO_ERR_BADCOUNT',
      `at most ${Math.floor(have / MEMFD_LUO.MEMFD_LUO_FOLIO_SER_SIZE)} folios (the folio array holds ${have} bytes)`,
      `${nrFolios}`,
    );
  }
  const vmIdx = ctx.vmalloc.length;
  ctx.vmalloc.push({ ...area, group: 'memfd:folios' });
  const folioLabel = `${ctx.label} folio`;
  // The folios' pages are claimed in folio order, as one claim() each would (OwnerAttributor.claimPages), a batch
  // at a time: the batch's pfns stay in cache instead of 8 bytes a folio written out and read back (8M folios). The
  // array is read a span at a time into one reused buffer (readVmallocSpans), not as one buffer of its size.
  const pfns = new Float64Array(Math.min(nrFolios, FOLIO_BATCH));
  const st = new Float64Array(SCAN.SIZE);
  st[SCAN.ALL] = 0xfff;
  st[SCAN.ASCENDING] = 1;
  st[SCAN.LAST_INDEX] = -1;
  let folioBytes = 0;
  readVmallocSpans(area, mem, need, ctx.pageShift, (bytes) => {
    // a span is whole blocks (or the array's end): whole records
    const count = bytes.length / MEMFD_LUO.MEMFD_LUO_FOLIO_SER_SIZE;
    const words = folioWords(bytes, count, ctx.endian);
    for (let from = 0; from < count; from += FOLIO_BATCH) {
      const batched = scanFolios(words, from, Math.min(count, from + FOLIO_BATCH), pfns, st);
      if (ctx.claimPages)
        folioBytes += ctx.claimPages(pfns, batched, pageSize, KHO_OWNER.MEMFD_FOLIO, ctx.fileIdx, folioLabel);
      else
        for (let k = 0; k < batched; k++) {
          const at = pfns[k]! * pageSize;
          folioBytes += ctx.claim(
            at,
            at + pageSize,
            KHO_OWNER.MEMFD_FOLIO,
            ctx.fileIdx,
            folioLabel,
            pfns[k]!,
          );
        }
    }
  });
  const folios = st[SCAN.FOLIOS]!;
  const any = st[SCAN.ANY]!;
  const all = st[SCAN.ALL]!;
  const ascending = st[SCAN.ASCENDING] === 1;
  return {
    ...base,
    vmalloc: vmIdx,
    folios,
    folioFlagsAny: any,
    folioFlagsAll: folios ? all : 0,
    indicesAscending: ascending,
    folioBytes,
  };
}
