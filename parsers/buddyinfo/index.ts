export * from './parse-buddyinfo.js';
export * from './parse-pagetypeinfo.js';
