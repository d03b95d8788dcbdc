// One memblock flags table (src/core/memblock-flags.ts): the debugfs words name the kernel's bits, and no other
// file keeps its own copy of the bits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MEMBLOCK_FLAG_NAMES, MEMBLOCK_FLAG_WORDS, MEMBLOCK_FLAGS } from '../../src/core/index.js';

describe('memblock flags', () => {
  it('flagname[] is indexed by ilog2 of each enum memblock_flags bit (linux v7.3-rc7 mm/memblock.c)', () => {
    const byWord: Record<string, number> = {
      HOTPLUG: MEMBLOCK_FLAGS.MEMBLOCK_HOTPLUG,
      MIRROR: MEMBLOCK_FLAGS.MEMBLOCK_MIRROR,
      NOMAP: MEMBLOCK_FLAGS.MEMBLOCK_NOMAP,
      DRV_MNG: MEMBLOCK_FLAGS.MEMBLOCK_DRIVER_MANAGED,
      RSV_NIT: MEMBLOCK_FLAGS.MEMBLOCK_RSRV_NOINIT,
      RSV_KERN: MEMBLOCK_FLAGS.MEMBLOCK_RSRV_KERN,
      KHO_SCRATCH: MEMBLOCK_FLAGS.MEMBLOCK_KHO_SCRATCH,
      RSV_HUGETLB: MEMBLOCK_FLAGS.MEMBLOCK_RSRV_HUGETLB,
    };
    MEMBLOCK_FLAG_NAMES.forEach((word, bit) => expect(byWord[word]).toBe(2 ** bit));
    for (const [word, bit] of Object.entries(byWord)) expect(MEMBLOCK_FLAG_WORDS[word]).toBe(bit);
    expect(MEMBLOCK_FLAG_WORDS['NONE']).toBe(0);
    expect(MEMBLOCK_FLAG_WORDS['KHO_NOPRSRV']).toBe(MEMBLOCK_FLAGS.MEMBLOCK_KHO_SCRATCH);
  });

  it('no file under src/ or parsers/ defines the bits again', () => {
    const copies: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && p !== path.join('src', 'core', 'memblock-flags.ts')) {
          const text = fs.readFileSync(p, 'utf8');
          // a table entry or a constant: `NOMAP: 0x4`, `MEMBLOCK_NOMAP = 0x4`, `RSRV_KERN: 0x20`, ...
          if (
            /\b(MEMBLOCK_)?(HOTPLUG|NOMAP|RSRV_NOINIT|RSRV_KERN|RSV_KERN|KHO_SCRATCH|DRIVER_MANAGED)\s*[:=]\s*0x/.test(
              text,
            )
          )
            copies.push(p);
        }
      }
    };
    walk('src');
    walk('parsers');
    expect(copies).toEqual([]);
  });
});
