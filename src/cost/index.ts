// The boot cost model's public surface: computeCosts(timeline, host, options) and its types.
export * from './compute-costs.js';
export * from './calibrate-rate.js';
export * from './rates.js';
