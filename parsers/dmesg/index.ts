export { parseDmesg } from './parse-dmesg.js';
export type { ParseDmesgOptions } from './parse-dmesg.js';
export { splitPrefix } from './prefix.js';
export type { LinePrefix } from './prefix.js';
export { IGNORED, IGNORED_TAGS, findIgnored, matchIgnored } from './ignored.js';
export type { IgnoredMatch, IgnoredShape } from './ignored.js';
export type * from './types.js';
