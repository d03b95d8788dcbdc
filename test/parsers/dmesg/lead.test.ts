// MEMORY_LEAD is a prefilter: on every line of every real log, a line that any single-line shape of
// patterns.ts matches must pass it, or parseDmesg would silently skip a memory line.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as P from '../../../parsers/dmesg/patterns.js';
import { splitPrefix } from '../../../parsers/dmesg/index.js';

// Body lines of blocks are matched inside their block, before the prefilter (parse-dmesg.ts handleBlockLine).
const BLOCK_ONLY = new Set([
  'MOVABLE_NODE',
  'MOVABLE_PFN_NODE',
  'EARLY_NODE_MAP',
  'ZONE_PFN',
  'MMINIT_MEMMAP',
  'MEMORY_LEAD',
]);
const SHAPES = Object.entries(P).filter(
  (e): e is [string, RegExp] => e[1] instanceof RegExp && !BLOCK_ONLY.has(e[0]),
);

function logs(): string[] {
  const root = new URL('../../../traces/', import.meta.url);
  const out: string[] = [];
  const walk = (dir: URL): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(new URL(`${e.name}/`, dir));
      else if (/dmesg|console|deferred-timings|memblock-debug/.test(e.name))
        out.push(new URL(e.name, dir).pathname);
    }
  };
  walk(root);
  return out;
}

describe('MEMORY_LEAD', () => {
  it('covers 20+ logs', () => expect(logs().length).toBeGreaterThan(20));
  it('accepts every line that a memory shape matches, in every real log', () => {
    let matched = 0;
    for (const file of logs()) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const msg = line.slice(splitPrefix(line).msgStart);
        for (const [name, re] of SHAPES) {
          if (re.test(msg) || re.test(msg.trimStart())) {
            matched++;
            expect(P.MEMORY_LEAD.test(msg), `${name} matches but MEMORY_LEAD rejects: ${msg}`).toBe(true);
          }
        }
      }
    }
    expect(matched).toBeGreaterThan(5000);
  });
  it('accepts a sample of every shape from the kernel format strings', () => {
    const samples = [
      'Linux version 6.1.0',
      'Command line: x',
      'Kernel command line: x',
      'BIOS-e820: [mem 0x0-0x1] usable',
      ' BIOS-e820: 0000000000000000 - 000000000009c400 (usable)',
      'user: [mem 0x0-0x1] usable',
      'reserve setup_data: [mem 0x0-0x1] usable',
      'e820: update [mem 0x0-0x1] usable ==> reserved',
      'e820 update range: 0 - 1000 (usable) ==> (reserved)',
      'efi: mem00: [Conventional|] range=[0x0-0x1] (0MB)',
      'efi: Remove mem12: MMIO range=[0x0-0x1] (0MB) from e820 map',
      'ACPI: SRAT: Node 0 PXM 0 [mem 0x0-0x1]',
      'NUMA: Node 0 [mem 0x0-0x1] + [mem 0x2-0x3] -> [mem 0x0-0x3]',
      'NODE_DATA(0) allocated [mem 0x0-0x1]',
      'NUMA: NODE_DATA [mem 0x0-0x1]',
      'Faking a node at 0000000000000000-0000000440000000',
      'Zone ranges:',
      'Zone PFN ranges:',
      '  HighMem  empty',
      'early_node_map[3] active PFN ranges',
      'Initmem setup node 2 as memoryless',
      'On node 0 totalpages: 5',
      'node 0 initialised, 1 pages in 1ms',
      'kswapd 0 initialised deferred memory in 1ms',
      'Memory: 1k/2k available',
      'mminit::memmap_init Initialising map node 0 zone 0 pfns 1 -> 2',
      '__memblock_free_late: [0x0-0x1] x',
      ' memory size = 0x0 reserved size = 0x0',
      ' physmem[0x0]\t[0x0-0x1], 0x2 bytes flags: 0x0',
      'OF: reserved mem: 0x0..0x1 (4 KiB) nomap non-reusable x',
      'cma: CMA: reserved 64 MiB at 3b800000',
      'Reserved memory: created CMA memory pool at 0x0, size 1 MiB',
      'crashkernel reserved: 0x0 - 0x1 (0 MB)',
      'Reserving 130MB of memory at 48MB for crashkernel (System RAM: 1MB)',
      'Zeroed struct page in unavailable ranges: 1 pages',
      'kexec_core: Starting new kernel',
      'KHO: found kexec handover data.',
      "Revived memory reservation 'x' from KHO",
    ];
    for (const s of samples) expect(P.MEMORY_LEAD.test(s), s).toBe(true);
  });
});
