export * from './parse-buddyinfo.js';
