// Tests' access to the block layer's shape (src/sim/memmap.ts BlockShape), which a map makes for columns of 64Ki
// blocks and more only: the small maps of the property tests make it too inside withShapes().
import { blockShapeOptions } from '../../src/sim/memmap.js';

/** f() with block shapes made for columns of any size (MemMap.noteBlockShape, forkContext). */
export function withShapes<T>(f: () => T): T {
  const min = blockShapeOptions.minBlocks;
  blockShapeOptions.minBlocks = 0;
  try {
    return f();
  } finally {
    blockShapeOptions.minBlocks = min;
  }
}
