export * from './binary.js';
