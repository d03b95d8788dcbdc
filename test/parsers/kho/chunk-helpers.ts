// Re-exports for tests that drive the chunk-list decoder directly.
export { BlockCollector, decodeChunkList } from '../../../parsers/kho/index.js';
export { DiagnosticSink as DiagnosticSinkFor } from '../../../src/core/index.js';
