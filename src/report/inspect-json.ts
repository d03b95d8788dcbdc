// The `inspect --json` document (schema kexec-replay/inspect/1): a contract, new keys may be added, none removed.
// `kho.preserved` lists every block the incoming kernel would reserve, sorted by phys.
import type { Diagnostic } from '../core/index.js';
import type { KhoImage } from '../../parsers/kho/types.js';

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
    preserved: { phys: number; order: number }[];
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
  const preserved = new Array<{ phys: number; order: number }>(img.preserved.count);
  for (let i = 0; i < img.preserved.count; i++)
    preserved[i] = { phys: img.preserved.phys[i]!, order: img.preserved.order[i]! };
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
