export * from './types.js';
export * from './layout.js';
export * from './parse-fdt.js';
export * from './query.js';
