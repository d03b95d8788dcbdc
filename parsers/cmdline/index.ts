export * from './parse-cmdline.js';
