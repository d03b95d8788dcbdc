export * from './parse-memblock-debugfs.js';
export { MEMBLOCK_FLAG_WORDS, RESERVE_MEM_PARAM_LINE } from './patterns.js';
export { parseReserveMemParam, type ReserveMemParam } from './reserve-mem-param.js';
