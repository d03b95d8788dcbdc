export * from './parse-iomem.js';
export * from './iomem-ranges.js';
export { IOMEM_NAMES } from './patterns.js';
