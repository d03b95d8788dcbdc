export * from './parse-kconfig.js';
