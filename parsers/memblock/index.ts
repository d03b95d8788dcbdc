export * from './parse-memblock-debugfs.js';
export { MEMBLOCK_FLAG_WORDS } from './patterns.js';
