export * from './types.js';
export * from './codes.js';
export * from './layout.js';
export { openElfCore, readExact, READ_MAX_BYTES } from './parse-elf-core.js';
export { readElfNotes, NOTES_MAX_BYTES, type NoteSegment } from './notes.js';
export { PhysMap, type PhysPiece } from './phys-map.js';
export {
  parseVmcoreinfo,
  readVmcoreinfo,
  VMCOREINFO_DIAG,
  VMCOREINFO_NOTE_NAME,
  type Vmcoreinfo,
} from './vmcoreinfo.js';
