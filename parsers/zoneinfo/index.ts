export * from './parse-zoneinfo.js';
