// Writing a bundle's files and a physical-address ELF core to disk: headers first, then each segment streamed
// at its offset (never the whole core in memory). Shared by synth and capture.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CoreSegment } from '../synth/index.js';
import { coalesceSegments, planElfCore } from '../synth/index.js';

/** Write `segments` as an ELF64 core at `file`; returns its size in bytes. */
export function writeElfCore(
  file: string,
  segments: readonly CoreSegment[],
  notes: Uint8Array | null = null,
): number {
  const runs = coalesceSegments(segments);
  const plan = planElfCore(
    runs.map((r) => ({ paddr: r.paddr, size: r.size })),
    notes,
  );
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, plan.header, 0, plan.header.length, 0);
    runs.forEach((r, i) => {
      let off = plan.offsets[i]!;
      for (const part of r.parts) {
        fs.writeSync(fd, part, 0, part.length, off);
        off += part.length;
      }
    });
    fs.ftruncateSync(fd, plan.fileSize);
  } finally {
    fs.closeSync(fd);
  }
  return plan.fileSize;
}

/** Write bundle-relative files under `dir` (creating folders). */
export function writeBundleFiles(dir: string, files: ReadonlyMap<string, Uint8Array>): void {
  for (const [rel, bytes] of files) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, bytes);
  }
}
