export * from './parse-cmdline.js';
export * from './parse-memmap.js';
export { memparse, strtoull0 } from './memparse.js';
