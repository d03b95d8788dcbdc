export * from './types.js';
export * from './constants.js';
export * from './fdt-view.js';
export { BlockCollector } from './block-collector.js';
export { decodeChunkList, type ChunkListOptions, type ChunkListResult } from './chunk-list.js';
export {
  decodeRadixTree,
  radixGeometry,
  type RadixGeometry,
  type RadixOptions,
  type RadixResult,
} from './radix-tree.js';
export { dumpEndianness, type KhoEndian, type KhoMemory, type PointerSite } from './phys-read.js';
export { decodeVmalloc, readVmallocContents } from './vmalloc.js';
export * from './scratch.js';
export * from './subtrees.js';
export * from './eras.js';
export * from './owners.js';
export {
  walkBlockChain,
  countPerBlock,
  chainEntryPhys,
  type KhoBlockChain,
  type KhoChainBlock,
} from './block-chain.js';
export { decodeLuo, LUO_VERSIONS, cString, type KhoClaim, type KhoClaimPages } from './luo.js';
export { decodeMemfd } from './memfd.js';
export { decodeKhoRoot, type KhoRoot, type KhoRootSubtree } from './root.js';
export { decodeKhoImage, maxPreservedBlocks, type KhoFdtReader, type KhoImageInput } from './decode-image.js';
