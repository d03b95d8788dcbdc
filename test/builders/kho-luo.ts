// LUO state as a v7.3-rc7 kernel leaves it at liveupdate_reboot(), for the kho-v4 builder (kho-image.ts spec.luo):
//
//   luo: { sessions: [{ name: 'vm0', files: [{ token: 0x100, memfd: { size: 8192, folios: 2, seals: 1 } }] }],
//          flbs: [{ name: 'liveupdate-test-flb-v0', data: 0xfeedn, count: 1 }] }
//
// Layouts from linux v7.3-rc7: struct luo_ser (include/linux/kho/abi/luo.h, a kho_alloc_preserve page, the "LUO"
// raw subtree), session and file chains of struct kho_block_header_ser pages (kernel/liveupdate/kho_block.c:
// KHO_BLOCK_SIZE = PAGE_SIZE, (PAGE_SIZE - 16) / entry_size entries per block), the FLB header page
// (luo_flb.c, LUO_FLB_PGCNT 1), and memfd-v2 records (mm/memfd_luo.c: a kho_alloc_preserve'd struct memfd_luo_ser,
// its folio array in a kho_vmalloc area, one preserved order-0 folio per page). Independent of parsers/kho: only
// the kernel's layouts are shared.

export interface KhoMemfdSpec {
  /** i_size; default folios * PAGE_SIZE. */
  readonly size?: number;
  readonly pos?: number;
  /** memfd-v2 seals (F_SEAL_*); default 0. */
  readonly seals?: number;
  readonly flags?: number;
  /** Data folios (order 0), each a preserved page; default ceil(size / PAGE_SIZE). */
  readonly folios?: number;
  /** Folio flags written in each memfd_luo_folio_ser; default DIRTY | UPTODATE (3). */
  readonly folioFlags?: number;
  /** 'memfd-v1' writes the 40-byte record without seals and flags. Default 'memfd-v2'. */
  readonly version?: 'memfd-v1' | 'memfd-v2';
}

export interface KhoLuoFileSpec {
  readonly token: number | bigint;
  /** Handler compatible; default the memfd's version, or 'memfd-v2'. */
  readonly compatible?: string;
  /** A memfd: its record and folios are laid out. Absent: `data` is written as is. */
  readonly memfd?: KhoMemfdSpec;
  readonly data?: bigint;
}

export interface KhoLuoSessionSpec {
  readonly name: string;
  readonly files?: readonly KhoLuoFileSpec[];
}

export interface KhoLuoSpec {
  /** Default 'luo-v5'. */
  readonly compatible?: string;
  /** Default 1. */
  readonly liveupdateNumber?: number;
  readonly sessions: readonly KhoLuoSessionSpec[];
  readonly flbs?: readonly { readonly name: string; readonly data: bigint; readonly count: number }[];
}

export interface BuiltLuoFile {
  readonly token: bigint;
  /** The memfd record's address (0: not a memfd) and its layout. */
  readonly serPhys: number;
  readonly memfdVersion?: 'memfd-v1' | 'memfd-v2';
  /** The memfd's folio array: its kho_vmalloc chunk pages and data pages. */
  readonly folioArray?: { readonly chunkPhys: readonly number[]; readonly blockPhys: readonly number[] };
  readonly folioPhys: number[];
}

export interface BuiltLuo {
  /** struct luo_ser's page, and the blob (the struct's bytes, blob-size long). */
  readonly serPhys: number;
  readonly blob: Uint8Array;
  readonly sessionBlocks: number[];
  /** File chain blocks, per session. */
  readonly fileBlocks: number[][];
  /** Files in session order. */
  readonly files: BuiltLuoFile[];
  readonly flbPhys: number;
}

export interface LuoAlloc {
  readonly pageSize: number;
  /** A preserved metadata page (kho_alloc_preserve): address and its bytes. */
  readonly newPage: () => [number, Uint8Array];
  /** A preserved data page whose contents are not stored (memfd folios). */
  readonly dataPage: () => number;
  /** A kho_vmalloc area of these contents (order 0); returns its 16-byte descriptor and pages. */
  readonly vmalloc: (contents: Uint8Array) => {
    desc: Uint8Array;
    chunkPhys: readonly number[];
    blockPhys: readonly number[];
  };
}

const SESSION_SER = 80;
const FILE_SER = 64;
const FLB_SER = 64;
const HDR = 16;

function put64(v: DataView, off: number, x: number | bigint): void {
  v.setBigUint64(off, BigInt(x), true);
}

function putStr(b: Uint8Array, off: number, s: string, max: number): void {
  const e = new TextEncoder().encode(s);
  b.set(e.subarray(0, max - 1), off);
}

/** A chain of kho_block_header_ser pages holding `n` entries; `write(i, page, offset)` fills entry i. */
function encodeChain(
  n: number,
  entrySize: number,
  a: LuoAlloc,
  write: (i: number, page: Uint8Array, off: number) => void,
): number[] {
  const per = Math.floor((a.pageSize - HDR) / entrySize);
  const out: number[] = [];
  let prev: DataView | null = null;
  for (let i = 0; i < n; i += per) {
    const [p, page] = a.newPage();
    const v = new DataView(page.buffer, page.byteOffset, page.byteLength);
    const count = Math.min(per, n - i);
    put64(v, 8, count);
    for (let j = 0; j < count; j++) write(i + j, page, HDR + j * entrySize);
    if (prev) put64(prev, 0, p);
    prev = v;
    out.push(p);
  }
  return out;
}

export function encodeLuo(spec: KhoLuoSpec, a: LuoAlloc): BuiltLuo {
  const compatible = spec.compatible ?? 'luo-v5';
  // luo_state_setup(): luo_ser first (late_initcall), then the FLB header page
  const [serPhys, serPage] = a.newPage();
  const [flbPhys, flbPage] = a.newPage();
  const fv = new DataView(flbPage.buffer, flbPage.byteOffset, flbPage.byteLength);
  put64(fv, 0, 1);
  put64(fv, 8, spec.flbs?.length ?? 0);
  (spec.flbs ?? []).forEach((f, i) => {
    const o = HDR + i * FLB_SER;
    putStr(flbPage, o, f.name, 48);
    put64(fv, o + 48, f.data);
    put64(fv, o + 56, f.count);
  });

  const files: BuiltLuoFile[] = [];
  const fileBlocks: number[][] = [];
  const sessionFiles: { head: number; count: number }[] = [];
  for (const s of spec.sessions) {
    const fs = s.files ?? [];
    // each file's handler data first (preserve ioctl), the file chain at reboot
    const entries = fs.map((f) => {
      let data = f.data ?? 0n;
      const built: BuiltLuoFile = { token: BigInt(f.token), serPhys: 0, folioPhys: [] };
      let compatible = f.compatible ?? 'memfd-v2';
      if (f.memfd) {
        const m = f.memfd;
        const version = m.version ?? 'memfd-v2';
        compatible = f.compatible ?? version;
        const nFolios = m.folios ?? Math.ceil((m.size ?? 0) / a.pageSize);
        const [recPhys, rec] = a.newPage();
        const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
        put64(rv, 0, m.pos ?? 0);
        put64(rv, 8, m.size ?? nFolios * a.pageSize);
        let off = 16;
        if (version === 'memfd-v2') {
          rv.setUint32(16, m.seals ?? 0, true);
          rv.setUint32(20, m.flags ?? 0, true);
          off = 24;
        }
        put64(rv, off, nFolios);
        if (nFolios > 0) {
          const arr = new Uint8Array(nFolios * 16);
          const av = new DataView(arr.buffer);
          for (let i = 0; i < nFolios; i++) {
            const p = a.dataPage();
            built.folioPhys.push(p);
            const pfn = p / a.pageSize;
            // u64 pfn:52, flags:12
            put64(av, i * 16, BigInt(pfn) | (BigInt(m.folioFlags ?? 3) << 52n));
            put64(av, i * 16 + 8, i);
          }
          const area = a.vmalloc(arr);
          rec.set(area.desc, off + 8);
          Object.assign(built, { folioArray: { chunkPhys: area.chunkPhys, blockPhys: area.blockPhys } });
        }
        data = BigInt(recPhys);
        Object.assign(built, { serPhys: recPhys, memfdVersion: version });
      }
      files.push(built);
      return { compatible, data, token: BigInt(f.token) };
    });
    const blocks = encodeChain(entries.length, FILE_SER, a, (i, page, o) => {
      const v = new DataView(page.buffer, page.byteOffset, page.byteLength);
      putStr(page, o, entries[i]!.compatible, 48);
      put64(v, o + 48, entries[i]!.data);
      put64(v, o + 56, entries[i]!.token);
    });
    fileBlocks.push(blocks);
    sessionFiles.push({ head: blocks[0] ?? 0, count: entries.length });
  }
  const sessionBlocks = encodeChain(spec.sessions.length, SESSION_SER, a, (i, page, o) => {
    const v = new DataView(page.buffer, page.byteOffset, page.byteLength);
    putStr(page, o, spec.sessions[i]!.name, 64);
    put64(v, o + 64, sessionFiles[i]!.head);
    put64(v, o + 72, sessionFiles[i]!.count);
  });

  const compatLen = Math.ceil((compatible.length + 1) / 8) * 8;
  const blob = new Uint8Array(compatLen + 24);
  putStr(blob, 0, compatible, compatLen);
  const bv = new DataView(blob.buffer);
  put64(bv, compatLen, spec.liveupdateNumber ?? 1);
  put64(bv, compatLen + 8, sessionBlocks[0] ?? 0);
  put64(bv, compatLen + 16, flbPhys);
  serPage.set(blob);
  return { serPhys, blob, sessionBlocks, fileBlocks, files, flbPhys };
}
