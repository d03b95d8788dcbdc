// Cross-check with GNU readelf (binutils): the builder's cores are what readelf sees, and the reader finds
// the same PT_LOADs. Skipped when readelf is not installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../src/core/index.js';
import { openElfCore } from '../../../parsers/elf-core/index.js';
import { buildElfCore } from '../../builders/elf-core.js';
import type { ElfCoreSpec } from '../../builders/elf-core.js';

function hasReadelf(): boolean {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface ReadelfLoad {
  offset: number;
  paddr: bigint;
  filesz: number;
  memsz: number;
}

/** `LOAD 0x000100 0xffff888000100000 0x0000000000100000 0x000020 0x001000 RWE 0x1000` rows of `readelf -lW`. */
function readelfLoads(path: string): ReadelfLoad[] {
  const out = execFileSync('readelf', ['-lW', path], { encoding: 'utf8' });
  const rows: ReadelfLoad[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)/.exec(
      line,
    );
    if (m)
      rows.push({ offset: Number(m[1]), paddr: BigInt(m[3]!), filesz: Number(m[4]), memsz: Number(m[5]) });
  }
  return rows;
}

const available = hasReadelf();
const dir = available ? mkdtempSync(join(tmpdir(), 'elf-core-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const spec: ElfCoreSpec = {
  notes: [{ name: 'CORE', type: 1, desc: new Uint8Array(16) }],
  segments: [
    { vaddrOnly: true, data: { size: 0x40, fill: 0xee } },
    { paddr: 0x200000, data: { size: 0x100, fill: 1 } },
    { paddr: 0x100000, data: { size: 0x80, fill: 2 }, memSize: 0x1000 },
    { paddr: 0x1_0000_0000, data: { size: 0x10, fill: 3 } },
  ],
};

describe.skipIf(!available)('readelf -lW agrees with openElfCore', () => {
  for (const endianness of ['le', 'be'] as const) {
    for (const extendedNumbering of [false, true]) {
      it(`${endianness}, PN_XNUM ${extendedNumbering}`, () => {
        const bytes = buildElfCore({ ...spec, endianness, extendedNumbering });
        const path = join(dir, `${endianness}-${extendedNumbering}.core`);
        writeFileSync(path, bytes);
        const loads = readelfLoads(path);
        expect(loads.length).toBe(4);
        const core = openElfCore(bytesSource(path, bytes));
        const physical = loads.filter((l) => l.paddr !== 0xffffffffffffffffn);
        expect(core.ignoredSegments).toBe(loads.length - physical.length);
        const fromReadelf = physical
          .map((l) => ({
            paddr: Number(l.paddr),
            fileOffset: l.offset,
            fileSize: l.filesz,
            memSize: l.memsz,
          }))
          .sort((a, b) => a.paddr - b.paddr);
        expect(
          core.segments.map(({ paddr, fileOffset, fileSize, memSize }) => ({
            paddr,
            fileOffset,
            fileSize,
            memSize,
          })),
        ).toEqual(fromReadelf);
      });
    }
  }
});
