export * from './errors.js';
export * from './diagnostics.js';
export * from './units.js';
export * from './ranges.js';
export * from './limits.js';
export * from './bytes.js';
export * from './phys.js';
export * from './progress.js';
