// The `inspect --json` document (schema kexec-replay/inspect/1): a contract, new keys may be added, none removed.
// `kho.preserved` lists every block the incoming kernel would reserve, sorted by phys, streamed (json-stream.ts).
import type { Diagnostic } from '../core/index.js';
import type { KhoImage } from '../../parsers/kho/types.js';
import type { KhoOwnerCounts, KhoOwnerSummaryRow } from '../../parsers/kho/owners.js';
import { KHO_OWNER, ownerName, ownerSummaryOf } from '../../parsers/kho/owners.js';
import type { JsonTable } from './json-stream.js';
import { jsonTable } from './json-stream.js';
import { GrowableColumns } from '../core/columns.js';

export const INSPECT_SCHEMA = 'kexec-replay/inspect/1';

// a type, not an interface: a table row is a Record<string, JsonCell>
export type PreservedJson = {
  phys: number;
  order: number;
  owner: string;
  session?: string;
  token?: string;
};

export interface InspectJson {
  schema: typeof INSPECT_SCHEMA;
  bundle: string;
  kho: {
    abi: KhoImage['abi'];
    abiEvidence: string[];
    bitmapFormat: KhoImage['bitmapFormat'];
    bitmapEvidence: { kind: string; proof: boolean; detail: string };
    memoryMapPhys: number;
    memoryMapDecoded: boolean;
    pageSize: number;
    subtrees: {
      name: string;
      phys: number;
      sizeBytes: number | null;
      compatible: string | null;
      source: string | null;
    }[];
    scratch: { phys: number; sizeBytes: number }[];
    /**
     * Every preserved block, sorted by phys, with its owner (`memfd:folio`, `subtree:LUO`, `unattributed`, ...) and,
     * for LUO-owned blocks, the session (and the file's token for memfd pages).
     */
    preserved: JsonTable<PreservedJson>;
    /** Blocks, pages and bytes per owner, largest first. */
    owners: KhoOwnerSummaryRow[];
    /** Blocks no decoded structure claims. */
    unattributed: number;
    totals: {
      blocks: number;
      pages: number;
      bytes: number;
      byOrder: { order: number; blocks: number; bytes: number }[];
    };
    metadata: KhoImage['metadata'];
    reserveMem: { name: string; start: number; sizeBytes: number }[];
    vmalloc: {
      owner: string;
      first: number;
      totalPages: number;
      flags: number;
      order: number;
      chunks: number;
      blocks: number;
    }[];
    kexecMetadata: KhoImage['kexecMetadata'];
    khoTest: { magic: number; nrFolios: number; csum: number } | null;
    luo: KhoImage['luo'];
  };
  diagnostics: Diagnostic[];
}

/** Per-order counts of the preserved blocks (orders ascending). */
export function preservedByOrder(img: KhoImage): { order: number; blocks: number; bytes: number }[] {
  const counts = new Float64Array(256); // orders are a u8 column
  const order = img.preserved.order;
  for (let i = 0; i < img.preserved.count; i++) counts[order[i]!]!++;
  return orderRows(counts, img.pageSize);
}

/**
 * The end of the run of blocks from `i` with block i's owner (kind and ref). A small function of typed arrays, like
 * countOrders: called per run, it is optimised after a few calls, where the same loop inside inspectToJson (run
 * once) stayed in the interpreter until V8 compiled it while it ran (8M blocks: 68-75 ms of CPU, ~16 ms warm).
 */
function ownerRunEnd(kind: Uint8Array, ref: Int32Array, i: number, n: number): number {
  const k = kind[i]!;
  const r = ref[i]!;
  let j = i + 1;
  while (j < n && kind[j] === k && ref[j] === r) j++;
  return j;
}

/** Adds the blocks [from, to) of `order` to `perOrder` (blocks per order), a run of one order at a time. */
function countOrders(order: ArrayLike<number>, from: number, to: number, perOrder: Float64Array): void {
  for (let t = from; t < to;) {
    const o = order[t]!;
    let u = t + 1;
    while (u < to && order[u] === o) u++;
    perOrder[o]! += u - t;
    t = u;
  }
}

/** Rows of the orders that have blocks, from blocks per order. */
function orderRows(
  counts: Float64Array,
  pageSize: number,
): { order: number; blocks: number; bytes: number }[] {
  const out: { order: number; blocks: number; bytes: number }[] = [];
  for (let o = 0; o < counts.length; o++)
    if (counts[o]! > 0) out.push({ order: o, blocks: counts[o]!, bytes: counts[o]! * pageSize * 2 ** o });
  return out;
}

/** Per-order totals (preservedByOrder's rows) from blocks per order counted per owner. */
function ordersOf(
  counts: readonly KhoOwnerCounts[],
  pageSize: number,
): { order: number; blocks: number; bytes: number }[] {
  const total = new Float64Array(256);
  for (const c of counts) for (let o = 0; o < 256; o++) total[o]! += c.perOrder[o]!;
  return orderRows(total, pageSize);
}

export function inspectToJson(
  img: KhoImage,
  bundle: string,
  diagnostics: readonly Diagnostic[],
): InspectJson {
  // Every block's owner, session and token depend on its (kind, ref) only: one code per distinct pair, and the
  // table streams the three columns through it (8M blocks: runs of one code, no object or code per block).
  const { kind, ref } = img.owners;
  const sessions = img.luo?.sessionRecords ?? [];
  const files = img.luo?.files ?? [];
  // a memfd's folio array (vmalloc area) -> the file holding it
  const fileOfArea = new Map<number, number>();
  files.forEach((f, i) => {
    if (f.memfd?.vmalloc !== null && f.memfd?.vmalloc !== undefined) fileOfArea.set(f.memfd.vmalloc, i);
  });
  const owners: string[] = [];
  const sessionNames: (string | undefined)[] = [];
  const tokens: (string | undefined)[] = [];
  const codeOf: number[][] = [];
  const entry = (k: number, r: number): number => {
    owners.push(ownerName(img, k, r));
    let session: string | undefined;
    let token: string | undefined;
    if (k === KHO_OWNER.LUO_FILE_BLOCK && sessions[r]) session = sessions[r].name;
    else {
      const fi =
        k === KHO_OWNER.MEMFD_FOLIO || k === KHO_OWNER.MEMFD_SER
          ? r
          : k === KHO_OWNER.VMALLOC_CHUNK || k === KHO_OWNER.VMALLOC_DATA
            ? (fileOfArea.get(r) ?? -1)
            : -1;
      const f = files[fi];
      if (f) {
        session = sessions[f.session]?.name ?? '?';
        token = f.token;
      }
    }
    sessionNames.push(session);
    tokens.push(token);
    return owners.length - 1;
  };
  // The same pass counts blocks per order for each code (one code per (kind, ref)): the owner summary and the
  // per-order totals come from those counts, not from two more passes over millions of blocks. Neighbouring blocks
  // mostly have one owner (8M blocks of the kho-v4 scale bundle: 1,798 runs) and often one order (915k runs): the
  // owner column is kept as runs of one code (the table streams its three columns from them, no code per block),
  // and a run's blocks are counted a run of one order at a time (no store per block).
  const counts: KhoOwnerCounts[] = [];
  const order = img.preserved.order;
  const n = img.preserved.count;
  const runs = new GrowableColumns([new Float64Array(64), new Int32Array(64)]);
  for (let i = 0; i < n;) {
    const k = kind[i]!;
    const r = ref[i]!;
    const j = ownerRunEnd(kind, ref, i, n);
    const byRef = (codeOf[k] ??= []);
    const code = (byRef[r + 1] ??= entry(k, r)); // ref -1: no structure
    const perOrder = (counts[code] ??= { kind: k, ref: r, perOrder: new Float64Array(256) }).perOrder;
    const run = runs.row();
    runs.cols[0][run] = j;
    runs.cols[1][run] = code;
    countOrders(order, i, j, perOrder);
    i = j;
  }
  const codes = { ends: runs.used(0), codes: runs.used(1) };
  const byOrder = ordersOf(counts, img.pageSize);
  const bytes = byOrder.reduce((s, o) => s + o.bytes, 0);
  const preserved = jsonTable<PreservedJson>(img.preserved.count, {
    phys: img.preserved.phys,
    order: img.preserved.order,
    owner: { runs: codes, names: owners },
    session: { runs: codes, names: sessionNames },
    token: { runs: codes, names: tokens },
  });
  return {
    schema: INSPECT_SCHEMA,
    bundle,
    kho: {
      abi: img.abi,
      abiEvidence: [...img.abiEvidence],
      bitmapFormat: img.bitmapFormat,
      bitmapEvidence: { ...img.bitmapEvidence },
      memoryMapPhys: img.memoryMapPhys,
      memoryMapDecoded: img.memoryMapDecoded,
      pageSize: img.pageSize,
      subtrees: img.subtrees.map((s) => ({
        name: s.name,
        phys: s.phys,
        sizeBytes: s.sizeBytes,
        compatible: s.compatible,
        source: s.blobSource,
      })),
      scratch: img.scratch.map((s) => ({ phys: s.phys, sizeBytes: s.sizeBytes })),
      preserved,
      owners: ownerSummaryOf(img, counts),
      unattributed: img.owners.unattributed,
      totals: { blocks: img.preserved.count, pages: bytes / img.pageSize, bytes, byOrder },
      metadata: img.metadata,
      reserveMem: img.reserveMem.map((r) => ({ ...r })),
      vmalloc: img.vmalloc.map((v) => ({
        owner: v.owner,
        first: v.first,
        totalPages: v.totalPages,
        flags: v.flags,
        order: v.order,
        chunks: v.chunkPhys.length,
        blocks: v.blockPhys.length,
      })),
      kexecMetadata: img.kexecMetadata,
      khoTest: img.khoTest
        ? { magic: img.khoTest.magic, nrFolios: img.khoTest.nrFolios, csum: img.khoTest.csum }
        : null,
      luo: img.luo,
    },
    diagnostics: [...diagnostics],
  };
}
