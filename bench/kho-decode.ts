// Benchmark: decode a 1,000,000-block KHO image of each era end to end, as `inspect` does: root FDT parsed, the
// ELF core read through a file handle (openFileSource), chunk list or radix tree walked, blocks sorted.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KhoAbi, KhoBitmapFormat } from '../parsers/kho/index.js';
import { decodeKhoImage } from '../parsers/kho/index.js';
import { openElfCore } from '../parsers/elf-core/index.js';
import { parseFdt } from '../parsers/fdt/index.js';
import { openFileSource } from '../src/cli/io.js';
import {
  buildImageCore,
  buildKhoImage,
  buildRootFdt,
  generateBuddyBlocks,
  mulberry32,
} from '../test/builders/kho-image.js';
import type { BenchResult } from './measure.js';
import { medianMax } from './measure.js';

const ERAS: [KhoAbi, KhoBitmapFormat | undefined][] = [
  ['kho-v1', '512'],
  ['kho-v1', 'page'],
  ['kho-v2', undefined],
  ['kho-v3', undefined],
];

export function benchKhoDecode(runs = 3, count = 1_000_000): BenchResult[] {
  const out: BenchResult[] = [];
  const blocks = generateBuddyBlocks(mulberry32(2026), count);
  const top = blocks[blocks.length - 1]!.phys + 2 ** 31;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kho-bench-'));
  try {
    for (const [abi, bitmapFormat] of ERAS) {
      const img = buildKhoImage({
        abi,
        ...(bitmapFormat ? { bitmapFormat } : {}),
        ram: [{ start: top, end: top + 2 ** 30 }],
        blocks,
      });
      const fdt = buildRootFdt(img);
      const corePath = path.join(tmp, `${abi}-${bitmapFormat ?? 'radix'}.core`);
      fs.writeFileSync(corePath, buildImageCore(img));
      const ts: number[] = [];
      let decoded = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const src = openFileSource(corePath);
        try {
          const res = decodeKhoImage({
            root: parseFdt(fdt, 'fdt').root,
            rootFile: 'fdt',
            mem: openElfCore(src),
          });
          decoded = res.preserved.count;
        } finally {
          src.close();
        }
        ts.push(performance.now() - t0);
      }
      if (decoded !== img.blocks.length)
        throw new Error(`kho-decode: decoded ${decoded} of ${img.blocks.length} blocks`);
      const coreBytes = fs.statSync(corePath).size;
      out.push({
        name: `kho-decode ${abi}${bitmapFormat ? ` ${bitmapFormat}` : ''}`,
        runs,
        ...medianMax(ts),
        detail: `${decoded.toLocaleString('en-US')} blocks, orders 0-18, ${img.mapPages.length} map pages, core ${(coreBytes / 2 ** 20).toFixed(1)} MiB`,
      });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}
