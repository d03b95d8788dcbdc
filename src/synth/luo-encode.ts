// LUO and memfd structures as the outgoing kernel writes them at liveupdate_reboot(), one writer per struct, so every
// producer of kho-v4 images (synth, the test builders) lays them out the same way. Layouts: linux v7.3-rc7
// include/linux/kho/abi/luo.h (struct luo_ser: char compatible[ALIGN(sizeof(LUO_ABI_COMPATIBLE), 8)] then u64
// liveupdate_num, sessions_pa, flbs_pa; struct luo_session_ser; struct luo_file_ser; struct luo_flb_header_ser and
// luo_flb_ser), include/linux/kho/abi/memfd.h (struct memfd_luo_ser, memfd-v2; memfd-v1 lacks seals and flags:
// @ac2d8102c4b8; struct memfd_luo_folio_ser { u64 pfn:52, flags:12; u64 index; }), kernel/liveupdate/kho_block.c
// (struct kho_block_header_ser { u64 next; u64 count; } heading each one-page block). Little endian, as the kernels
// that write them (x86_64, arm64) do.
import { KHO_BLOCK, LUO_ABI, MEMFD_LUO } from '../../parsers/kho/constants.js';
import { setU32le, setU64le } from './page-arena.js';

/**
 * The sizes are the decoder's (parsers/kho/constants.ts, one table per kernel header), so writer and reader cannot
 * disagree on a layout; the compatible strings are what v7.3-rc7 writes.
 */
export const LUO_LAYOUT = {
  LUO_ABI_COMPATIBLE: 'luo-v5',
  LUO_SESSION_SER_SIZE: LUO_ABI.LUO_SESSION_SER_SIZE,
  LIVEUPDATE_SESSION_NAME_LENGTH: LUO_ABI.LIVEUPDATE_SESSION_NAME_LENGTH,
  LUO_FILE_SER_SIZE: LUO_ABI.LUO_FILE_SER_SIZE,
  LIVEUPDATE_HNDL_COMPAT_LENGTH: LUO_ABI.LIVEUPDATE_HNDL_COMPAT_LENGTH,
  LUO_FLB_HEADER_SER_SIZE: LUO_ABI.LUO_FLB_HEADER_SER_SIZE,
  LUO_FLB_SER_SIZE: LUO_ABI.LUO_FLB_SER_SIZE,
  LIVEUPDATE_FLB_COMPAT_LENGTH: LUO_ABI.LIVEUPDATE_FLB_COMPAT_LENGTH,
  /** LUO_FLB_PGCNT */
  LUO_FLB_PGCNT: 1,
  MEMFD_LUO_FH_COMPATIBLE: 'memfd-v2',
  MEMFD_LUO_SER_SIZE_V1: MEMFD_LUO.MEMFD_LUO_SER_SIZE_V1,
  MEMFD_LUO_SER_SIZE_V2: MEMFD_LUO.MEMFD_LUO_SER_SIZE_V2,
  MEMFD_LUO_FOLIO_SER_SIZE: MEMFD_LUO.MEMFD_LUO_FOLIO_SER_SIZE,
  /** MEMFD_LUO_FOLIO_DIRTY | MEMFD_LUO_FOLIO_UPTODATE */
  MEMFD_LUO_FOLIO_DIRTY_UPTODATE: MEMFD_LUO.MEMFD_LUO_FOLIO_DIRTY | MEMFD_LUO.MEMFD_LUO_FOLIO_UPTODATE,
  KHO_BLOCK_HEADER_SIZE: KHO_BLOCK.HEADER_SIZE,
} as const;

/** A u64 (number below 2^53, or bigint) little endian. */
function put64(b: Uint8Array, off: number, v: number | bigint): void {
  if (typeof v === 'bigint') new DataView(b.buffer, b.byteOffset, b.byteLength).setBigUint64(off, v, true);
  else setU64le(b, off, v);
}

/** A NUL-terminated string in a char[max] field (cut to max - 1 bytes, as strscpy does). */
function putString(b: Uint8Array, off: number, s: string, max: number): void {
  const e = new TextEncoder().encode(s);
  b.set(e.subarray(0, max - 1), off);
}

/** The struct luo_ser blob (the "LUO" raw subtree): its version string, then the three u64s. */
export function encodeLuoSer(
  compatible: string,
  liveupdateNum: number,
  sessionsPa: number,
  flbsPa: number,
): Uint8Array {
  const compatLen = Math.ceil((new TextEncoder().encode(compatible).length + 1) / 8) * 8;
  const blob = new Uint8Array(compatLen + 24);
  putString(blob, 0, compatible, compatLen);
  put64(blob, compatLen, liveupdateNum);
  put64(blob, compatLen + 8, sessionsPa);
  put64(blob, compatLen + 16, flbsPa);
  return blob;
}

/** struct luo_session_ser at `off`: name, then luo_file_set_ser { files (the first file block), count }. */
export function writeLuoSessionSer(
  page: Uint8Array,
  off: number,
  name: string,
  filesPa: number,
  count: number,
): void {
  const L = LUO_LAYOUT.LIVEUPDATE_SESSION_NAME_LENGTH;
  putString(page, off, name, L);
  put64(page, off + L, filesPa);
  put64(page, off + L + 8, count);
}

/** struct luo_file_ser at `off`: handler compatible, its opaque data (memfd: the record's address), token. */
export function writeLuoFileSer(
  page: Uint8Array,
  off: number,
  compatible: string,
  data: number | bigint,
  token: number | bigint,
): void {
  const L = LUO_LAYOUT.LIVEUPDATE_HNDL_COMPAT_LENGTH;
  putString(page, off, compatible, L);
  put64(page, off + L, data);
  put64(page, off + L + 8, token);
}

/** The FLB page: struct luo_flb_header_ser { pgcnt, count } then one luo_flb_ser per entry. */
export function writeLuoFlbPage(
  page: Uint8Array,
  entries: readonly { readonly name: string; readonly data: bigint; readonly count: number }[],
): void {
  put64(page, 0, LUO_LAYOUT.LUO_FLB_PGCNT);
  put64(page, 8, entries.length);
  entries.forEach((f, i) => {
    const o = LUO_LAYOUT.LUO_FLB_HEADER_SER_SIZE + i * LUO_LAYOUT.LUO_FLB_SER_SIZE;
    const L = LUO_LAYOUT.LIVEUPDATE_FLB_COMPAT_LENGTH;
    putString(page, o, f.name, L);
    put64(page, o + L, f.data);
    put64(page, o + L + 8, f.count);
  });
}

export interface MemfdRecord {
  readonly version: 'memfd-v1' | 'memfd-v2';
  readonly pos: number;
  readonly size: number;
  /** memfd-v2 only. */
  readonly seals: number;
  readonly flags: number;
  readonly nrFolios: number;
  /** The 16-byte struct kho_vmalloc of the folio array (zeros when nr_folios is 0). */
  readonly folios: Uint8Array;
}

/** struct memfd_luo_ser at `off` (memfd-v2: 48 bytes; memfd-v1: 40). */
export function writeMemfdLuoSer(page: Uint8Array, off: number, r: MemfdRecord): void {
  put64(page, off, r.pos);
  put64(page, off + 8, r.size);
  let at = off + 16;
  if (r.version === 'memfd-v2') {
    setU32le(page, off + 16, r.seals);
    setU32le(page, off + 20, r.flags);
    at = off + 24;
  }
  put64(page, at, r.nrFolios);
  page.set(r.folios.subarray(0, 16), at + 8);
}

/** struct memfd_luo_folio_ser at `off`: u64 pfn:52 and flags:12 (the low bits first), u64 index. */
export function writeMemfdFolioSer(
  page: Uint8Array,
  off: number,
  pfn: number,
  flags: number,
  index: number,
): void {
  // pfn < 2^52: its high word and the flags above bit 20 of it form the upper u32
  setU32le(page, off, pfn % 0x1_0000_0000);
  setU32le(page, off + 4, Math.floor(pfn / 0x1_0000_0000) + (flags & 0xfff) * 2 ** 20);
  put64(page, off + 8, index);
}

/**
 * A KHO serialization-block chain of `count` entries of `entrySize` bytes: one block (a preserved page from
 * `newBlock`) per (pageSize - 16) / entrySize entries, each headed by { next, count }. `write(i, page, offset)` writes
 * entry i. Returns the blocks' addresses in chain order (none for no entries: the head pointer is then 0).
 */
export function encodeBlockChainWith(
  count: number,
  entrySize: number,
  pageSize: number,
  newBlock: () => { phys: number; bytes: Uint8Array },
  write: (i: number, page: Uint8Array, offset: number) => void,
): number[] {
  const H = LUO_LAYOUT.KHO_BLOCK_HEADER_SIZE;
  const perBlock = Math.floor((pageSize - H) / entrySize);
  const out: number[] = [];
  let prev: Uint8Array | null = null;
  for (let i = 0; i < count; i += perBlock) {
    const b = newBlock();
    const n = Math.min(perBlock, count - i);
    put64(b.bytes, 8, n);
    for (let j = 0; j < n; j++) write(i + j, b.bytes, H + j * entrySize);
    if (prev) put64(prev, 0, b.phys);
    prev = b.bytes;
    out.push(b.phys);
  }
  return out;
}
