// LUO state as a v7.3-rc7 kernel leaves it at liveupdate_reboot(), for the kho-v4 builder (kho-image.ts spec.luo):
//
//   luo: { sessions: [{ name: 'vm0', files: [{ token: 0x100, memfd: { size: 8192, folios: 2, seals: 1 } }] }],
//          flbs: [{ name: 'liveupdate-test-flb-v0', data: 0xfeedn, count: 1 }] }
//
// Layouts from linux v7.3-rc7: struct luo_ser (include/linux/kho/abi/luo.h, a kho_alloc_preserve page, the "LUO"
// raw subtree), session and file chains of struct kho_block_header_ser pages (kernel/liveupdate/kho_block.c:
// KHO_BLOCK_SIZE = PAGE_SIZE, (PAGE_SIZE - 16) / entry_size entries per block), the FLB header page
// (luo_flb.c, LUO_FLB_PGCNT 1), and memfd-v2 records (mm/memfd_luo.c: a kho_alloc_preserve'd struct memfd_luo_ser,
// its folio array in a kho_vmalloc area, one preserved order-0 folio per page). Each struct's bytes come from
// src/synth/luo-encode.ts (the writers synth uses too); the allocation order and the choices are this builder's.
// Independent of parsers/kho.
import {
  LUO_LAYOUT,
  encodeBlockChainWith,
  encodeLuoSer,
  writeLuoFileSer,
  writeLuoFlbPage,
  writeLuoSessionSer,
  writeMemfdFolioSer,
  writeMemfdLuoSer,
} from '../../src/synth/index.js';

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

/** encodeBlockChainWith over the builder's allocator; returns the blocks' addresses. */
function encodeChain(
  n: number,
  entrySize: number,
  a: LuoAlloc,
  write: (i: number, page: Uint8Array, off: number) => void,
): number[] {
  return encodeBlockChainWith(
    n,
    entrySize,
    a.pageSize,
    () => {
      const [phys, bytes] = a.newPage();
      return { phys, bytes };
    },
    write,
  );
}

export function encodeLuo(spec: KhoLuoSpec, a: LuoAlloc): BuiltLuo {
  const compatible = spec.compatible ?? LUO_LAYOUT.LUO_ABI_COMPATIBLE;
  // luo_state_setup(): luo_ser first (late_initcall), then the FLB header page
  const [serPhys, serPage] = a.newPage();
  const [flbPhys, flbPage] = a.newPage();
  writeLuoFlbPage(flbPage, spec.flbs ?? []);

  const files: BuiltLuoFile[] = [];
  const fileBlocks: number[][] = [];
  const sessionFiles: { head: number; count: number }[] = [];
  for (const s of spec.sessions) {
    const fs = s.files ?? [];
    // each file's handler data first (preserve ioctl), the file chain at reboot
    const entries = fs.map((f) => {
      let data = f.data ?? 0n;
      const built: BuiltLuoFile = { token: BigInt(f.token), serPhys: 0, folioPhys: [] };
      let compatible = f.compatible ?? LUO_LAYOUT.MEMFD_LUO_FH_COMPATIBLE;
      if (f.memfd) {
        const m = f.memfd;
        const version = m.version ?? 'memfd-v2';
        compatible = f.compatible ?? version;
        const nFolios = m.folios ?? Math.ceil((m.size ?? 0) / a.pageSize);
        const [recPhys, rec] = a.newPage();
        let desc: Uint8Array = new Uint8Array(16);
        if (nFolios > 0) {
          const arr = new Uint8Array(nFolios * LUO_LAYOUT.MEMFD_LUO_FOLIO_SER_SIZE);
          for (let i = 0; i < nFolios; i++) {
            const p = a.dataPage();
            built.folioPhys.push(p);
            writeMemfdFolioSer(arr, i * 16, p / a.pageSize, m.folioFlags ?? 3, i);
          }
          const area = a.vmalloc(arr);
          desc = area.desc;
          Object.assign(built, { folioArray: { chunkPhys: area.chunkPhys, blockPhys: area.blockPhys } });
        }
        writeMemfdLuoSer(rec, 0, {
          version,
          pos: m.pos ?? 0,
          size: m.size ?? nFolios * a.pageSize,
          seals: m.seals ?? 0,
          flags: m.flags ?? 0,
          nrFolios: nFolios,
          folios: desc,
        });
        data = BigInt(recPhys);
        Object.assign(built, { serPhys: recPhys, memfdVersion: version });
      }
      files.push(built);
      return { compatible, data, token: BigInt(f.token) };
    });
    const blocks = encodeChain(entries.length, LUO_LAYOUT.LUO_FILE_SER_SIZE, a, (i, page, o) =>
      writeLuoFileSer(page, o, entries[i]!.compatible, entries[i]!.data, entries[i]!.token),
    );
    fileBlocks.push(blocks);
    sessionFiles.push({ head: blocks[0] ?? 0, count: entries.length });
  }
  const sessionBlocks = encodeChain(spec.sessions.length, LUO_LAYOUT.LUO_SESSION_SER_SIZE, a, (i, page, o) =>
    writeLuoSessionSer(page, o, spec.sessions[i]!.name, sessionFiles[i]!.head, sessionFiles[i]!.count),
  );

  const blob = encodeLuoSer(compatible, spec.liveupdateNumber ?? 1, sessionBlocks[0] ?? 0, flbPhys);
  serPage.set(blob);
  return { serPhys, blob, sessionBlocks, fileBlocks, files, flbPhys };
}
