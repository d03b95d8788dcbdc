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
import { decodeVmalloc, readVmallocContents } from './vmalloc.js';

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
  const arr = readVmallocContents(area, mem, need, ctx.pageShift);
  const av = viewOf(arr);
  const le = ctx.endian === 'le';
  const folioLabel = `${ctx.label} folio`;
  let folios = 0;
  let any = 0;
  let all = 0xfff;
  let ascending = true;
  let lastIndex = -1;
  const pfns = new Float64Array(nrFolios);
  let claimed = 0;
  // A little-endian array on a little-endian machine, 4-byte aligned (readVmallocContents' own buffer is): the u32
  // halves straight from a Uint32Array instead of four DataView reads per folio.
  const words =
    le && LITTLE_ENDIAN_HOST && arr.byteOffset % 4 === 0
      ? new Uint32Array(arr.buffer, arr.byteOffset, arr.byteLength >>> 2)
      : null;
  const perFolio = MEMFD_LUO.MEMFD_LUO_FOLIO_SER_SIZE / 4;
  for (let i = 0; i < nrFolios; i++) {
    const o = i * MEMFD_LUO.MEMFD_LUO_FOLIO_SER_SIZE;
    const w = i * perFolio;
    // u64 pfn:52, flags:12 (bitfields from bit 0 on the little-endian ABI the kernel builds)
    const lo = words ? words[w]! : av.getUint32(o + (le ? 0 : 4), le);
    const hi = words ? words[w + 1]! : av.getUint32(o + (le ? 4 : 0), le);
    const pfn = lo + (hi & 0xfffff) * 0x1_0000_0000;
    const fl = hi >>> 20;
    // u64 index as two u32 reads: the same correctly rounded number as Number(getBigUint64), no BigInt per folio
    const ilo = words ? words[w + 2]! : av.getUint32(o + (le ? 8 : 12), le);
    const ihi = words ? words[w + 3]! : av.getUint32(o + (le ? 12 : 8), le);
    if (pfn === 0) continue;
    folios++;
    any |= fl;
    all &= fl;
    const idx = ihi * 0x1_0000_0000 + ilo;
    if (idx <= lastIndex) ascending = false;
    lastIndex = idx;
    pfns[claimed++] = pfn;
  }
  // the folios' pages claimed in folio order, as one call each would (OwnerAttributor.claimPages)
  let folioBytes = 0;
  if (ctx.claimPages)
    folioBytes = ctx.claimPages(pfns, claimed, pageSize, KHO_OWNER.MEMFD_FOLIO, ctx.fileIdx, folioLabel);
  else
    for (let k = 0; k < claimed; k++) {
      const at = pfns[k]! * pageSize;
      folioBytes += ctx.claim(at, at + pageSize, KHO_OWNER.MEMFD_FOLIO, ctx.fileIdx, folioLabel, pfns[k]!);
    }
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
