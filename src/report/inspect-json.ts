// The `inspect --json` document (schema kexec-replay/inspect/1): a contract, new keys may be added, none removed.
// `kho.preserved` lists every block the incoming kernel would reserve, sorted by phys.
import type { Diagnostic } from '../core/index.js';
import type { KhoImage } from '../../parsers/kho/types.js';
import type { KhoOwnerSummaryRow } from '../../parsers/kho/owners.js';
import { KHO_OWNER, ownerName, ownerSummary } from '../../parsers/kho/owners.js';

export const INSPECT_SCHEMA = 'kexec-replay/inspect/1';

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
    preserved: { phys: number; order: number; owner: string; session?: string; token?: string }[];
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
  const counts = new Map<number, number>();
  for (let i = 0; i < img.preserved.count; i++) {
    const o = img.preserved.order[i]!;
    counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([order, blocks]) => ({ order, blocks, bytes: blocks * img.pageSize * 2 ** order }));
}

export function inspectToJson(
  img: KhoImage,
  bundle: string,
  diagnostics: readonly Diagnostic[],
): InspectJson {
  const byOrder = preservedByOrder(img);
  const bytes = byOrder.reduce((s, o) => s + o.bytes, 0);
  const preserved = new Array<InspectJson['kho']['preserved'][number]>(img.preserved.count);
  const { kind, ref } = img.owners;
  const names = new Map<number, string>();
  const sessions = img.luo?.sessionRecords ?? [];
  const files = img.luo?.files ?? [];
  // a memfd's folio array (vmalloc area) -> the file holding it
  const fileOfArea = new Map<number, number>();
  files.forEach((f, i) => {
    if (f.memfd?.vmalloc !== null && f.memfd?.vmalloc !== undefined) fileOfArea.set(f.memfd.vmalloc, i);
  });
  for (let i = 0; i < img.preserved.count; i++) {
    const k = kind[i]!;
    const r = ref[i]!;
    const key = k * 2 ** 32 + r + 1;
    let owner = names.get(key);
    if (owner === undefined) names.set(key, (owner = ownerName(img, k, r)));
    const e: InspectJson['kho']['preserved'][number] = {
      phys: img.preserved.phys[i]!,
      order: img.preserved.order[i]!,
      owner,
    };
    if (k === KHO_OWNER.LUO_FILE_BLOCK && sessions[r]) e.session = sessions[r].name;
    else {
      const fi =
        k === KHO_OWNER.MEMFD_FOLIO || k === KHO_OWNER.MEMFD_SER
          ? r
          : k === KHO_OWNER.VMALLOC_CHUNK || k === KHO_OWNER.VMALLOC_DATA
            ? (fileOfArea.get(r) ?? -1)
            : -1;
      const f = files[fi];
      if (f) {
        e.session = sessions[f.session]?.name ?? '?';
        e.token = f.token;
      }
    }
    preserved[i] = e;
  }
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
      owners: ownerSummary(img),
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
