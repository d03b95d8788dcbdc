// The root KHO FDT: kernel/liveupdate/kexec_handover.c kho_populate() and kho_retrieve_subtree() (K616 @8f4abe676eaa,
// K619 @dd03dd60e8cd, KR2 @019fc3687237, KR3 @40735a683bf8). Spec sections 3.1 and 3.3.
import type { DiagnosticSink } from '../../src/core/index.js';
import { TraceError } from '../../src/core/index.js';
import { KHO_FDT } from './constants.js';
import type { FdtNode } from '../fdt/index.js';
import { getProp } from '../fdt/index.js';
import { propU64Native } from './fdt-view.js';
import type { KhoEndian } from './phys-read.js';
import type { KhoAbi } from './types.js';
import type { KhoAbiEra } from './eras.js';
import { KHO_SUB_COMPATIBLES, khoEra, khoEraNames, splitCompatible } from './eras.js';

export interface KhoRootSubtree {
  readonly name: string;
  readonly phys: number;
  /** `blob-size` (kho-v3); null when absent. */
  readonly blobSize: number | null;
  readonly nodeOffset: number;
  /** File offset of the pointer property (`fdt` or `preserved-data`), for errors about where it leads. */
  readonly propOffset: number;
}

export interface KhoRoot {
  readonly abi: KhoAbi;
  /** The era's row (eras.ts): root properties and memory-map format. */
  readonly era: KhoAbiEra;
  readonly abiEvidence: string[];
  readonly memoryMapPhys: number;
  /** File offset of the preserved-memory-map property's value. */
  readonly memoryMapOffset: number;
  readonly subtrees: KhoRootSubtree[];
}

function compatibleStrings(root: FdtNode): string[] {
  const p = getProp(root, 'compatible');
  if (!p) return [];
  const out: string[] = [];
  let cur = '';
  for (const c of p.value) {
    if (c === 0) {
      out.push(cur);
      cur = '';
    } else cur += String.fromCharCode(c);
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Decide the ABI from the root `compatible` (fdt_node_check_compatible: any string of the list matches) and read
 * the memory map and the subtree pointers. Cross-era oddities (a v1 root with `preserved-data` children, a v3 child
 * without `blob-size`) are diagnostics; an unknown compatible or a malformed KHO property is a TraceError.
 * `endian` is the writer's byte order: KHO property values are native-endian (spec 2.3).
 */
export function decodeKhoRoot(
  root: FdtNode,
  file: string,
  diags: DiagnosticSink,
  endian: KhoEndian = 'le',
): KhoRoot {
  const compat = compatibleStrings(root);
  const compatProp = getProp(root, 'compatible');
  // fdt_node_check_compatible: any string of the list may match. Each string may be the composite `base;sub;...`
  // of the upstream RFC; its base names the era.
  let era: KhoAbiEra | undefined;
  let subs: readonly string[] = [];
  for (const c of compat) {
    const parts = splitCompatible(c);
    const e = khoEra(parts.base);
    if (e) {
      era = e;
      subs = parts.subs;
      break;
    }
  }
  if (!era) {
    const names = khoEraNames().map((n) => JSON.stringify(n));
    throw new TraceError({
      code: 'KHO_ERR_COMPATIBLE',
      location: { file, offset: compatProp?.offset ?? root.offset, field: '/:compatible' },
      expected: `compatible ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]!} (optionally followed by ";sub-component" parts)`,
      found: compat.length ? compat.map((s) => JSON.stringify(s)).join(', ') : 'no compatible property',
    });
  }
  const abi = era.name;
  for (const sub of subs) {
    if (KHO_SUB_COMPATIBLES[sub] === undefined) {
      diags.warn(
        'KHO_COMPAT_UNKNOWN_PART',
        `root compatible part ${JSON.stringify(sub)} is not known to this decoder (known: ${Object.keys(KHO_SUB_COMPATIBLES).join(', ')}); the ${abi} wire format is decoded, what that part adds is not`,
        { file, offset: compatProp?.offset ?? root.offset, field: '/:compatible' },
      );
    }
  }
  const evidence = [`root compatible = ${compat.map((s) => JSON.stringify(s)).join(', ')}`];
  if (subs.length)
    evidence.push(`composite compatible: base ${JSON.stringify(abi)}, parts ${subs.join(', ')}`);
  const mapProp = getProp(root, KHO_FDT.KHO_FDT_MEMORY_MAP_PROP_NAME);
  if (!mapProp) {
    throw new TraceError({
      code: 'KHO_ERR_NOPROP',
      location: { file, offset: root.offset, field: `/:${KHO_FDT.KHO_FDT_MEMORY_MAP_PROP_NAME}` },
      expected: 'the preserved-memory-map property (8 bytes)',
      found: 'nothing',
    });
  }
  const memoryMapPhys = propU64Native(mapProp, file, '/', endian);
  evidence.push(
    `preserved-memory-map = 0x${memoryMapPhys.toString(16)} (${era.memoryMap === 'chunk-list' ? 'first chunk of the bitmap chunk list' : 'radix tree root'})`,
  );
  for (const p of root.props) {
    if (p.name !== 'compatible' && p.name !== KHO_FDT.KHO_FDT_MEMORY_MAP_PROP_NAME) {
      diags.info('KHO_ROOT_UNKNOWN_PROP', `root property ${p.name} is not part of the ${abi} ABI; ignored`, {
        file,
        offset: p.offset,
        field: `/:${p.name}`,
      });
    }
  }

  const subtrees: KhoRootSubtree[] = [];
  let v1Style = 0;
  let v2Style = 0;
  let withSize = 0;
  for (const c of root.children) {
    const fdtProp = getProp(c, KHO_FDT.KHO_FDT_SUB_TREE_PROP_NAME_V1);
    const dataProp = getProp(c, KHO_FDT.KHO_SUB_TREE_PROP_NAME);
    const sizeProp = getProp(c, KHO_FDT.KHO_SUB_TREE_SIZE_PROP_NAME);
    if (fdtProp) v1Style++;
    if (dataProp) v2Style++;
    if (sizeProp) withSize++;
    // The reader of each era looks only for its own property name (kho_retrieve_subtree).
    const ptr = era.subtreePointerProp === 'fdt' ? fdtProp : dataProp;
    if (!ptr) {
      diags.warn(
        'KHO_SUBTREE_NO_POINTER',
        `root child ${c.path} has no "${era.subtreePointerProp}" property; the ${abi} reader would not find it`,
        { file, offset: c.offset, field: c.path },
      );
      continue;
    }
    const phys = propU64Native(ptr, file, c.path, endian);
    let blobSize: number | null = null;
    if (sizeProp) blobSize = propU64Native(sizeProp, file, c.path, endian);
    if (era.blobSize && blobSize === null) {
      diags.warn(
        'KHO_SUBTREE_NO_BLOB_SIZE',
        `${c.path} has no blob-size (${abi} debugfs skips it with a warning)`,
        { file, offset: c.offset, field: c.path },
      );
    }
    subtrees.push({ name: c.name, phys, blobSize, nodeOffset: c.offset, propOffset: ptr.offset });
  }
  if (root.children.length > 0) {
    const style = [
      `${v1Style} subtree(s) with "fdt"`,
      `${v2Style} with "preserved-data"`,
      `${withSize} with "blob-size"`,
    ].join(', ');
    evidence.push(style);
  }
  if (era.subtreePointerProp === 'fdt' && v2Style > 0) {
    diags.warn(
      'KHO_ABI_MISMATCH',
      `root says ${abi} but ${v2Style} subtree(s) use "preserved-data" (a radix-era property)`,
      { file },
    );
  }
  if (era.subtreePointerProp !== 'fdt' && v1Style > 0) {
    diags.warn(
      'KHO_ABI_MISMATCH',
      `root says ${abi} but ${v1Style} subtree(s) use "fdt" (the kho-v1 property)`,
      { file },
    );
  }
  if (era.subtreePointerProp !== 'fdt' && !era.blobSize && withSize > 0) {
    diags.warn(
      'KHO_ABI_MISMATCH',
      `root says ${abi} but ${withSize} subtree(s) carry "blob-size" (introduced with kho-v3)`,
      { file },
    );
  }
  return { abi, era, abiEvidence: evidence, memoryMapPhys, memoryMapOffset: mapProp.offset, subtrees };
}
