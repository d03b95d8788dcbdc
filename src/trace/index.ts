export * from './host-trace.js';
export { loadBundle } from './load-bundle.js';
export type { LoadOptions } from './load-bundle.js';
export { classifyFile, sniffKind, looksLikeText } from './classify-files.js';
export type { BundleInput, ClassifiedFile, FileKind } from './classify-files.js';
export { parseFirmwareMemmap } from './firmware-memmap.js';
