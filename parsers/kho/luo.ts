// The LUO subtree ("LUO") in each form the kernel has written, and the files its sessions hold.
//
// Versions (LUO_ABI_COMPATIBLE / LUO_FDT_COMPATIBLE), dated from the patch series that changed them:
//  - luo-v1: an FDT with luo-session / luo-flb nodes (linux 6.19 to 7.1; include/linux/kho/abi/luo.h @0153094d03df).
//  - luo-v2: an FDT whose `luo-abi-header` points at struct luo_ser { liveupdate_num, sessions_pa, flbs_pa }, the
//    sessions in one array behind struct luo_session_header_ser { u64 count } (removed in "[PATCH v6 04/13]
//    liveupdate: register luo_ser as KHO subtree", 2026-06-03).
//  - luo-v3: the raw struct luo_ser (compatible[] first) as a KHO raw subtree; sessions still one array (same patch).
//  - luo-v4: sessions in a KHO block chain ("Remove limit on the number of sessions", same series); files one array.
//  - luo-v5: files in KHO block chains too (linux v7.3-rc7 include/linux/kho/abi/luo.h, kernel/liveupdate/
//    luo_session.c luo_session_setup_incoming, luo_file.c luo_file_deserialize, luo_flb.c luo_flb_setup_incoming).
// Which of v2..v4 reached a release is not known; v7.3-rc7 writes luo-v5. An unknown version is a diagnostic.
import type { DiagnosticSink, PhysMemory, SourceLocation } from '../../src/core/index.js';
import { TraceError, hex } from '../../src/core/index.js';
import { chainEntryPhys, walkBlockChain } from './block-chain.js';
import { KHO_BOUNDS, LUO_ABI } from './constants.js';
import type { FdtNode } from '../fdt/index.js';
import { getProp } from '../fdt/index.js';
import { propFirstString, propU64Native } from './fdt-view.js';
import { decodeMemfd } from './memfd.js';
import type { KhoOwnerKind, OwnerAttributor } from './owners.js';
import { KHO_OWNER } from './owners.js';
import type { KhoEndian, PointerSite } from './phys-read.js';
import { khoError, physLocation, readPhysChecked, u64At, viewOf } from './phys-read.js';
import { decodeLuoSubtree } from './subtrees.js';
import type { KhoLuo, KhoLuoFile, KhoLuoFlb, KhoLuoSession, KhoVmallocArea } from './types.js';

type Layout = 'fdt-nodes' | 'array' | 'blocks';

interface LuoVersion {
  readonly container: 'fdt' | 'luo_ser';
  readonly sessions: Layout;
  readonly files: Layout;
  readonly kernels: string;
}

/** One row per LUO version: where its state lives and how sessions and files are laid out. */
export const LUO_VERSIONS: Readonly<Record<string, LuoVersion>> = {
  'luo-v1': { container: 'fdt', sessions: 'fdt-nodes', files: 'array', kernels: 'v6.19 - v7.1' },
  'luo-v2': {
    container: 'fdt',
    sessions: 'array',
    files: 'array',
    kernels: 'LUO series of 2026-05/06 (not dated to a release)',
  },
  'luo-v3': {
    container: 'luo_ser',
    sessions: 'array',
    files: 'array',
    kernels: 'LUO series v6, 2026-06-03 (not dated to a release)',
  },
  'luo-v4': {
    container: 'luo_ser',
    sessions: 'blocks',
    files: 'array',
    kernels: 'LUO series v6, 2026-06-03 (not dated to a release)',
  },
  'luo-v5': {
    container: 'luo_ser',
    sessions: 'blocks',
    files: 'blocks',
    kernels: 'v7.2 on (read in v7.3-rc7)',
  },
};

/** Claims a physical range for an owner (owners.ts OwnerAttributor.claim). */
export type KhoClaim = (
  start: number,
  end: number,
  kind: KhoOwnerKind,
  ref?: number,
  what?: string,
  /** A pfn the message names after `what` (` pfn 0x...`), formatted only if a message is written. */
  whatPfn?: number,
) => number;

/**
 * Claims one page at each of pfns[0..n) in turn (owners.ts OwnerAttributor.claimPages): what `claim` of each would
 * do, in one call. Returns the bytes covered.
 */
export type KhoClaimPages = OwnerAttributor['claimPages'];

export interface LuoDecodeContext {
  readonly mem: PhysMemory | null;
  readonly diags: DiagnosticSink;
  readonly pageShift: number;
  readonly endian: KhoEndian;
  readonly claim: KhoClaim;
  /** A memfd's folios claimed in one call; without it, `claim` per folio. */
  readonly claimPages?: KhoClaimPages;
  /** vmalloc areas found (memfd folio arrays) are appended here; their pages are claimed by the caller. */
  readonly vmalloc: KhoVmallocArea[];
}

/** A NUL-terminated string of at most `max` bytes, non-printable bytes escaped (\xNN). */
export function cString(b: Uint8Array, off: number, max: number): string {
  let s = '';
  for (let i = 0; i < max && off + i < b.length; i++) {
    const c = b[off + i]!;
    if (c === 0) break;
    s +=
      c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/** A u64 as exact decimal and hex strings (tokens and handler data are opaque u64s, not addresses). */
function u64Parts(view: DataView, off: number, endian: KhoEndian): bigint {
  return view.getBigUint64(off, endian === 'le');
}

function isFdt(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0xd0 && b[1] === 0x0d && b[2] === 0xfe && b[3] === 0xed;
}

/**
 * Decode the LUO blob: the raw struct luo_ser (luo-v3 on) from its bytes, or one of the FDT forms (`root` given).
 * Session and file chains are followed in `ctx.mem`; their pages, the FLB page and every memfd's record and folios
 * are claimed. Malformed chains and records are TraceErrors (the incoming LUO would refuse them); an unknown
 * version is a diagnostic and nothing behind it is read.
 */
export function decodeLuo(
  blob: { readonly bytes: Uint8Array; readonly file: string },
  root: FdtNode | null,
  ctx: LuoDecodeContext,
): KhoLuo {
  if (root) return decodeLuoFdt(root, blob.file, ctx);
  if (isFdt(blob.bytes)) {
    ctx.diags.warn('KHO_LUO_UNREAD', `${blob.file} is an FDT but could not be read as one; LUO not decoded`, {
      file: blob.file,
      offset: 0,
    });
    return { compatible: null, liveupdateNumber: null, sessions: [], format: 'fdt', versionKnown: false };
  }
  return decodeLuoSer(blob.bytes, blob.file, ctx);
}

/** luo-v1 (existing node decoder) and luo-v2 (luo-abi-header -> struct luo_ser without compatible). */
function decodeLuoFdt(root: FdtNode, file: string, ctx: LuoDecodeContext): KhoLuo {
  const compatible = propFirstString(getProp(root, 'compatible'));
  const hdr = getProp(root, LUO_ABI.LUO_FDT_ABI_HEADER);
  if (!hdr) {
    const v1 = decodeLuoSubtree(root, file, ctx.mem, ctx.diags, ctx.endian);
    if (compatible !== 'luo-v1')
      ctx.diags.warn(
        'KHO_LUO_VERSION',
        `LUO FDT compatible ${JSON.stringify(compatible)} is not known (known: luo-v1, luo-v2)`,
        {
          file,
          offset: root.offset,
        },
      );
    return {
      ...v1,
      format: 'fdt',
      versionKnown: compatible === 'luo-v1',
      versionKernels: LUO_VERSIONS['luo-v1']!.kernels,
    };
  }
  const serPhys = propU64Native(hdr, file, '/', ctx.endian);
  if (compatible !== 'luo-v2') {
    ctx.diags.warn(
      'KHO_LUO_VERSION',
      `LUO FDT with luo-abi-header has compatible ${JSON.stringify(compatible)}, not "luo-v2"`,
      {
        file,
        offset: root.offset,
      },
    );
  }
  const base: KhoLuo = {
    compatible,
    liveupdateNumber: null,
    sessions: [],
    format: 'fdt',
    versionKnown: compatible === 'luo-v2',
    serPhys,
  };
  if (!ctx.mem || serPhys === 0) return base;
  const field = `/:${LUO_ABI.LUO_FDT_ABI_HEADER}`;
  const site: PointerSite = { field, location: { file, offset: hdr.offset, field } };
  const raw = readPhysChecked(ctx.mem, serPhys, LUO_ABI.LUO_SER_FIELDS_SIZE, 'struct luo_ser', site);
  ctx.claim(
    serPhys,
    serPhys + LUO_ABI.LUO_SER_FIELDS_SIZE,
    KHO_OWNER.LUO_SESSION_BLOCK,
    -1,
    'struct luo_ser (luo-v2)',
  );
  const fields = readSerFields(raw, 0, { file: ctx.mem.name, phys: serPhys }, ctx);
  return {
    ...base,
    ...followSessions(fields, LUO_VERSIONS['luo-v2']!, 'luo-v2', ctx),
    versionKernels: LUO_VERSIONS['luo-v2']!.kernels,
  };
}

interface SerFields {
  liveupdateNumber: number;
  sessionsPa: number;
  flbsPa: number;
  /** Where each pointer was read, for errors about where it leads. */
  sessionsSite: PointerSite;
  flbsSite: PointerSite;
}

/** liveupdate_num, sessions_pa, flbs_pa at `off` of bytes read from `where` (a file offset or a phys address). */
function readSerFields(
  bytes: Uint8Array,
  off: number,
  where: { file: string; offset?: number; phys?: number },
  ctx: LuoDecodeContext,
): SerFields {
  const view = viewOf(bytes);
  const le = ctx.endian === 'le';
  const num = (o: number, name: string): number => {
    const v = view.getBigUint64(off + o, le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new TraceError({
        code: 'KHO_ERR_RANGE',
        location: locAt(where, off + o, `luo_ser.${name}`, ctx.mem),
        expected: 'a value below 2^53',
        found: `0x${v.toString(16)}`,
      });
    }
    return Number(v);
  };
  const site = (o: number, name: string): PointerSite =>
    where.phys !== undefined
      ? { field: `luo_ser.${name}`, phys: where.phys + off + o }
      : { field: `luo_ser.${name}`, location: locAt(where, off + o, `luo_ser.${name}`, ctx.mem) };
  return {
    liveupdateNumber: num(0, 'liveupdate_num'),
    sessionsPa: num(8, 'sessions_pa'),
    flbsPa: num(16, 'flbs_pa'),
    sessionsSite: site(8, 'sessions_pa'),
    flbsSite: site(16, 'flbs_pa'),
  };
}

function locAt(
  where: { file: string; offset?: number; phys?: number },
  rel: number,
  field: string,
  mem: PhysMemory | null,
): SourceLocation {
  if (where.phys !== undefined && mem) return physLocation(mem, where.phys + rel, field);
  return { file: where.file, offset: (where.offset ?? 0) + rel, field };
}

/** The raw struct luo_ser: compatible[ALIGN(strlen + 1, 8)], then liveupdate_num, sessions_pa, flbs_pa. */
function decodeLuoSer(bytes: Uint8Array, file: string, ctx: LuoDecodeContext): KhoLuo {
  const nul = bytes.indexOf(0);
  const compatible = cString(bytes, 0, nul < 0 ? Math.min(bytes.length, 64) : nul);
  const version = LUO_VERSIONS[compatible];
  if (!version || version.container !== 'luo_ser') {
    ctx.diags.warn(
      'KHO_LUO_VERSION',
      `LUO state version ${JSON.stringify(compatible)} is not known to this decoder (known: ${Object.keys(LUO_VERSIONS).join(', ')}); a kernel expecting another version refuses it ("LUO state is incompatible"), and its sessions are not decoded`,
      { file, offset: 0, field: 'luo_ser.compatible' },
    );
    return {
      compatible: compatible || null,
      liveupdateNumber: null,
      sessions: [],
      format: 'luo_ser',
      versionKnown: false,
      versionKernels: null,
    };
  }
  // LUO_ABI_COMPAT_LEN = ALIGN(sizeof(LUO_ABI_COMPATIBLE), 8)
  const compatLen = Math.ceil((compatible.length + 1) / 8) * 8;
  const need = compatLen + LUO_ABI.LUO_SER_FIELDS_SIZE;
  if (bytes.length < need) {
    throw new TraceError({
      code: 'KHO_ERR_TRUNCATED',
      location: { file, offset: 0, field: 'struct luo_ser' },
      expected: `${need} bytes (luo_early_startup: "LUO state is too small")`,
      found: `${bytes.length} bytes`,
    });
  }
  const fields = readSerFields(bytes, compatLen, { file, offset: 0 }, ctx);
  if (fields.sessionsPa === 0) {
    ctx.diags.info(
      'KHO_LUO_NO_SESSIONS',
      `luo_ser.sessions_pa is 0: no session was preserved, or this copy was read before reboot() (LUO writes its sessions only in liveupdate_reboot()); a copy from memory at kexec time has them`,
      { file, offset: compatLen + 8, field: 'luo_ser.sessions_pa' },
    );
  }
  const base: KhoLuo = {
    compatible,
    liveupdateNumber: fields.liveupdateNumber,
    sessions: [],
    format: 'luo_ser',
    versionKnown: true,
    versionKernels: version.kernels,
  };
  return { ...base, ...followSessions(fields, version, compatible, ctx) };
}

/** Sessions, their files (and memfd records), and the FLB header behind a luo_ser. */
function followSessions(
  f: SerFields,
  v: LuoVersion,
  compatible: string,
  ctx: LuoDecodeContext,
): Partial<KhoLuo> {
  const out: { -readonly [K in keyof KhoLuo]?: KhoLuo[K] } & {
    sessionRecords: KhoLuoSession[];
    files: KhoLuoFile[];
  } = {
    liveupdateNumber: f.liveupdateNumber,
    sessionsPhys: f.sessionsPa,
    flbsPhys: f.flbsPa,
    sessionBlocks: [],
    sessionRecords: [],
    files: [],
    flb: null,
  };
  const mem = ctx.mem;
  if (!mem) return out;
  const pageSize = 2 ** ctx.pageShift;

  // Sessions: one chain of struct luo_session_ser (luo-v4 on), or luo_session_header_ser + array (v2, v3).
  let sessions: { entries: Uint8Array; count: number; entryPhys: (i: number) => number } = {
    entries: new Uint8Array(0),
    count: 0,
    entryPhys: () => 0,
  };
  if (f.sessionsPa !== 0) {
    if (v.sessions === 'blocks') {
      const chain = walkBlockChain(mem, f.sessionsPa, LUO_ABI.LUO_SESSION_SER_SIZE, 'LUO sessions', {
        pageShift: ctx.pageShift,
        endian: ctx.endian,
        headSite: f.sessionsSite,
      });
      for (const b of chain.blocks)
        ctx.claim(
          b.phys,
          b.phys + pageSize,
          KHO_OWNER.LUO_SESSION_BLOCK,
          -1,
          `LUO sessions block ${hex(b.phys)}`,
        );
      out.sessionBlocks = chain.blocks;
      sessions = {
        entries: chain.entries,
        count: chain.entryCount,
        entryPhys: (i) => chainEntryPhys(chain, i),
      };
    } else {
      const head = readPhysChecked(
        mem,
        f.sessionsPa,
        LUO_ABI.LUO_SESSION_HEADER_SER_SIZE_V3,
        'luo_session_header_ser',
        f.sessionsSite,
      );
      const count = u64At(mem, viewOf(head), 0, f.sessionsPa, 'luo_session_header_ser.count', ctx.endian);
      const capacity = Math.floor(
        (LUO_ABI.LUO_SESSION_PGCNT_V3 * pageSize - LUO_ABI.LUO_SESSION_HEADER_SER_SIZE_V3) /
          LUO_ABI.LUO_SESSION_SER_SIZE,
      );
      if (count > capacity) {
        throw khoError(
          mem,
          f.sessionsPa,
          'luo_session_header_ser.count',
          'KHO_ERR_BADCOUNT',
          `at most ${capacity} sessions (LUO_SESSION_MAX)`,
          `${count}`,
        );
      }
      const base = f.sessionsPa + LUO_ABI.LUO_SESSION_HEADER_SER_SIZE_V3;
      const entries = readPhysChecked(mem, base, count * LUO_ABI.LUO_SESSION_SER_SIZE, 'luo_session_ser[]');
      ctx.claim(
        f.sessionsPa,
        f.sessionsPa + LUO_ABI.LUO_SESSION_PGCNT_V3 * pageSize,
        KHO_OWNER.LUO_SESSION_BLOCK,
        -1,
        'LUO session array',
      );
      sessions = { entries, count, entryPhys: (i) => base + i * LUO_ABI.LUO_SESSION_SER_SIZE };
    }
  }
  if (sessions.count > KHO_BOUNDS.MAX_LUO_SESSIONS) {
    throw khoError(
      mem,
      f.sessionsPa,
      'LUO sessions',
      'KHO_ERR_BADCOUNT',
      `at most ${KHO_BOUNDS.MAX_LUO_SESSIONS} sessions`,
      `${sessions.count}`,
    );
  }
  const view = viewOf(sessions.entries);
  const names: string[] = [];
  const handlersUnknown = new Map<string, number>();
  for (let s = 0; s < sessions.count; s++) {
    const off = s * LUO_ABI.LUO_SESSION_SER_SIZE;
    const name = cString(sessions.entries, off, LUO_ABI.LIVEUPDATE_SESSION_NAME_LENGTH);
    names.push(name);
    const at = sessions.entryPhys(s);
    const nameOff = LUO_ABI.LIVEUPDATE_SESSION_NAME_LENGTH;
    const filesPa = u64At(
      mem,
      view,
      off + nameOff,
      at,
      `luo_session_ser[${s}].file_set_ser.files`,
      ctx.endian,
    );
    const fileCount = u64At(
      mem,
      view,
      off + nameOff + 8,
      at,
      `luo_session_ser[${s}].file_set_ser.count`,
      ctx.endian,
    );
    const session: {
      name: string;
      filesPhys: number;
      fileCount: number;
      fileBlocks: KhoLuoSession['fileBlocks'];
      firstFile: number;
    } = {
      name,
      filesPhys: filesPa,
      fileCount,
      fileBlocks: [],
      firstFile: out.files.length,
    };
    out.sessionRecords.push(session);
    const filesSite: PointerSite = { field: `luo_session_ser[${s}].file_set_ser.files`, phys: at + nameOff };
    if (filesPa === 0) {
      // luo_file_deserialize: WARN_ON(file_set_ser->count) and nothing to restore.
      if (fileCount !== 0)
        ctx.diags.warn(
          'KHO_LUO_FILE_COUNT',
          `LUO session "${name}": no file block but file_set_ser.count = ${fileCount} (luo_file_deserialize warns)`,
          physLocation(mem, at + nameOff + 8, `luo_session_ser[${s}].file_set_ser.count`),
        );
      continue;
    }
    let fileEntries: Uint8Array;
    let nFiles: number;
    let filePhys: (i: number) => number;
    if (v.files === 'blocks') {
      const chain = walkBlockChain(mem, filesPa, LUO_ABI.LUO_FILE_SER_SIZE, `LUO session "${name}" files`, {
        pageShift: ctx.pageShift,
        endian: ctx.endian,
        headSite: filesSite,
      });
      for (const b of chain.blocks)
        ctx.claim(
          b.phys,
          b.phys + pageSize,
          KHO_OWNER.LUO_FILE_BLOCK,
          s,
          `LUO session "${name}" file block ${hex(b.phys)}`,
        );
      session.fileBlocks = chain.blocks;
      fileEntries = chain.entries;
      nFiles = chain.entryCount;
      filePhys = (i) => chainEntryPhys(chain, i);
    } else {
      if (fileCount > KHO_BOUNDS.MAX_LUO_SESSIONS * 16) {
        throw khoError(
          mem,
          at + nameOff + 8,
          `luo_session_ser[${s}].file_set_ser.count`,
          'KHO_ERR_BADCOUNT',
          'a plausible file count',
          `${fileCount}`,
        );
      }
      const bytesLen = fileCount * LUO_ABI.LUO_FILE_SER_SIZE;
      fileEntries = readPhysChecked(
        mem,
        filesPa,
        bytesLen,
        `LUO session "${name}" luo_file_ser[]`,
        filesSite,
      );
      nFiles = fileCount;
      ctx.claim(
        filesPa,
        filesPa + Math.max(pageSize, bytesLen),
        KHO_OWNER.LUO_FILE_BLOCK,
        s,
        `LUO session "${name}" file array`,
      );
      filePhys = (i) => filesPa + i * LUO_ABI.LUO_FILE_SER_SIZE;
    }
    if (nFiles !== fileCount) {
      // luo_file_deserialize: "File count mismatch: expected %llu, found %llu" -> -EINVAL
      ctx.diags.warn(
        'KHO_LUO_FILE_COUNT',
        `LUO session "${name}": ${nFiles} file(s) in its blocks, file_set_ser.count says ${fileCount} (luo_file_deserialize: "File count mismatch", the session fails to restore)`,
        physLocation(mem, at + nameOff + 8, `luo_session_ser[${s}].file_set_ser.count`),
      );
    }
    const fv = viewOf(fileEntries);
    for (let i = 0; i < nFiles; i++) {
      const fo = i * LUO_ABI.LUO_FILE_SER_SIZE;
      const handler = cString(fileEntries, fo, LUO_ABI.LIVEUPDATE_HNDL_COMPAT_LENGTH);
      const data = u64Parts(fv, fo + LUO_ABI.LIVEUPDATE_HNDL_COMPAT_LENGTH, ctx.endian);
      const token = u64Parts(fv, fo + LUO_ABI.LIVEUPDATE_HNDL_COMPAT_LENGTH + 8, ctx.endian);
      const fileIdx = out.files.length;
      let memfd = null;
      if (handler === 'memfd-v1' || handler === 'memfd-v2') {
        const entryAt = filePhys(i);
        const dataField = `LUO session "${name}" file[${i}].data`;
        if (data > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw khoError(
            mem,
            entryAt + LUO_ABI.LIVEUPDATE_HNDL_COMPAT_LENGTH,
            dataField,
            'KHO_ERR_RANGE',
            'the physical address of struct memfd_luo_ser',
            `0x${data.toString(16)}`,
          );
        }
        memfd = decodeMemfd(Number(data), handler, {
          ...ctx,
          mem,
          fileIdx,
          label: `LUO session "${name}" file token ${token}`,
          site: { field: dataField, phys: entryAt + LUO_ABI.LIVEUPDATE_HNDL_COMPAT_LENGTH },
        });
      } else {
        handlersUnknown.set(handler, (handlersUnknown.get(handler) ?? 0) + 1);
      }
      out.files.push({
        session: s,
        compatible: handler,
        token: token.toString(),
        data: `0x${data.toString(16)}`,
        memfd,
      });
    }
  }
  for (const [h, n] of handlersUnknown) {
    ctx.diags.info(
      'KHO_LUO_HANDLER',
      `${n} LUO file(s) with handler ${JSON.stringify(h)}: listed, their data not decoded (known: memfd-v1, memfd-v2)`,
      {
        file: mem.name,
      },
    );
  }
  out.sessions = [{ compatible, headerPhys: f.sessionsPa, names }];
  if (f.flbsPa !== 0) out.flb = decodeFlb(mem, f.flbsPa, f.flbsSite, ctx);
  return out;
}

/** struct luo_flb_header_ser at flbs_pa and its luo_flb_ser entries (luo_flb_setup_incoming, luo_flb_serialize). */
function decodeFlb(mem: PhysMemory, pa: number, site: PointerSite, ctx: LuoDecodeContext): KhoLuoFlb {
  const pageSize = 2 ** ctx.pageShift;
  const head = viewOf(readPhysChecked(mem, pa, LUO_ABI.LUO_FLB_HEADER_SER_SIZE, 'luo_flb_header_ser', site));
  const pgcnt = u64At(mem, head, 0, pa, 'luo_flb_header_ser.pgcnt', ctx.endian);
  let count = u64At(mem, head, 8, pa, 'luo_flb_header_ser.count', ctx.endian);
  // LUO_FLB_PGCNT is 1 in v7.3-rc7; the incoming kernel trusts pgcnt and count (no check): report what is odd.
  const pages = pgcnt >= 1 && pgcnt <= 1024 ? pgcnt : 1;
  if (pages !== pgcnt)
    ctx.diags.warn(
      'KHO_LUO_FLB',
      `luo_flb_header_ser.pgcnt is ${pgcnt}; one page assumed`,
      physLocation(mem, pa, 'luo_flb_header_ser.pgcnt'),
    );
  const max = Math.floor((pages * pageSize - LUO_ABI.LUO_FLB_HEADER_SER_SIZE) / LUO_ABI.LUO_FLB_SER_SIZE);
  if (count > max) {
    ctx.diags.warn(
      'KHO_LUO_FLB',
      `luo_flb_header_ser.count is ${count}, more than fit in ${pages} page(s) (${max}); ${max} read`,
      physLocation(mem, pa + 8, 'luo_flb_header_ser.count'),
    );
    count = max;
  }
  ctx.claim(pa, pa + pages * pageSize, KHO_OWNER.LUO_FLB, -1, `LUO FLB header ${hex(pa)}`);
  const bytes = readPhysChecked(
    mem,
    pa + LUO_ABI.LUO_FLB_HEADER_SER_SIZE,
    count * LUO_ABI.LUO_FLB_SER_SIZE,
    'luo_flb_ser[]',
  );
  const v = viewOf(bytes);
  const entries: { name: string; data: string; count: number }[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * LUO_ABI.LUO_FLB_SER_SIZE;
    const L = LUO_ABI.LIVEUPDATE_FLB_COMPAT_LENGTH;
    entries.push({
      name: cString(bytes, o, L),
      data: `0x${v.getBigUint64(o + L, ctx.endian === 'le').toString(16)}`,
      count: u64At(
        mem,
        v,
        o + L + 8,
        pa + LUO_ABI.LUO_FLB_HEADER_SER_SIZE + o,
        `luo_flb_ser[${i}].count`,
        ctx.endian,
      ),
    });
  }
  return { phys: pa, pgcnt, count, entries };
}
