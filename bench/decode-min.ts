// The floor a replay is measured against (issue 10): decode a bundle's KHO radix tree (kho-v2/v3) into typed arrays
// and nothing else: the root FDT parsed, the radix root found, the tree walked through the ELF core into the
// decoder's BlockCollector and sorted into the phys/order columns. No host files, no subtrees, no replay.
//   node dist/bench/decode-min.js <bundle-dir>     prints the block count
import * as path from 'node:path';
import { DiagnosticSink } from '../src/core/index.js';
import { openElfCore } from '../parsers/elf-core/index.js';
import { parseFdt } from '../parsers/fdt/index.js';
import { BlockCollector, decodeKhoRoot, dumpEndianness } from '../parsers/kho/index.js';
import { decodeRadixTree } from '../parsers/kho/radix-tree.js';
import { openFileSource, readBytes } from '../src/cli/io.js';

export function decodeMinimal(dir: string): { blocks: number; phys: Float64Array } {
  const fdtFile = path.join(dir, 'kho/fdt');
  const sink = new DiagnosticSink();
  const fdt = parseFdt(readBytes(fdtFile), fdtFile, sink);
  const src = openFileSource(path.join(dir, 'kho/memory.core'));
  try {
    const mem = openElfCore(src);
    const endian = dumpEndianness(mem);
    const root = decodeKhoRoot(fdt.root, fdtFile, sink, endian);
    if (root.abi === 'kho-v1') throw new Error('decode-min: a radix-tree bundle (kho-v2 or later) is needed');
    const collector = new BlockCollector(12, 2 ** 30, () => new Error('too many blocks'));
    decodeRadixTree(mem, root.memoryMapPhys, root.abi, collector, sink, 12);
    const preserved = collector.finish(sink, mem.name);
    return { blocks: preserved.count, phys: preserved.phys as Float64Array };
  } finally {
    src.close();
  }
}

if (process.argv[1] && path.basename(process.argv[1]) === 'decode-min.js') {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node dist/bench/decode-min.js <bundle-dir>');
  process.stdout.write(`${decodeMinimal(dir).blocks}\n`);
}
