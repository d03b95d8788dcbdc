export * from './parse-node.js';
