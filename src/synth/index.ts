export * from './synth-bundle.js';
export * from './elf-core-write.js';
export {
  BlockColumns,
  encodeRadix,
  encodeChunkList,
  encodeVmalloc,
  encodeBlockChain,
  preserveRange,
} from './kho-encode.js';
export { PageArena } from './page-arena.js';
export { writeFdt, fdtString, fdtU64le, fdtU32le, type FdtWriteNode } from './fdt-write.js';
export {
  LUO_LAYOUT,
  encodeBlockChainWith,
  encodeLuoSer,
  writeLuoFileSer,
  writeLuoFlbPage,
  writeLuoSessionSer,
  writeMemfdFolioSer,
  writeMemfdLuoSer,
  type MemfdRecord,
} from './luo-encode.js';
