// `kexec-replay replay` in-process on the real bundles: text and the replay/1 JSON contract, exit codes.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const A = 'traces/qemu/a-4g-1node';
const B = 'traces/qemu/b-16g-2node';

describe('kexec-replay replay', () => {
  it('prints the replay/1 JSON with nodes, zones (empty ones left out), first_deferred_pfn and phases', async () => {
    const o = captureOutput();
    expect(await run(['replay', B, '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.schema).toBe('kexec-replay/replay/1');
    expect(
      doc.nodes.map((n: { nid: number; firstDeferredPfn: number | null }) => [n.nid, n.firstDeferredPfn]),
    ).toEqual([
      [0, 0x108000],
      [1, 0x288000],
    ]);
    expect(doc.nodes[1].zones).toEqual([
      expect.objectContaining({
        name: 'Normal',
        startPfn: 0x280000,
        spannedPages: 2097152,
        presentPages: 2097152,
        unavailablePages: 0,
      }),
    ]);
    expect(
      doc.nodes[0].zones.map((z: { name: string; unavailablePages: number }) => [z.name, z.unavailablePages]),
    ).toEqual([
      ['DMA', 98],
      ['DMA32', 0],
      ['Normal', 32],
    ]);
    expect(doc.phases.map((p: { name: string }) => p.name)).toEqual([
      'memmap_init',
      'memblock_free_all',
      'page_alloc_init_late',
    ]);
    expect(Array.isArray(doc.findings)).toBe(true);
  });

  it('--deferred off initialises everything in memmap_init', async () => {
    const o = captureOutput();
    expect(await run(['replay', A, '--json', '--deferred', 'off'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.deferred.on).toBe(false);
    expect(doc.nodes[0].firstDeferredPfn).toBeNull();
    expect(doc.phases[2].initialised).toBe(0);
  });

  it('prints a text report', async () => {
    const o = captureOutput();
    expect(await run(['replay', A], o)).toBe(0);
    expect(o.stdout).toContain('first_deferred_pfn 0x108000');
    expect(o.stdout).toMatch(/DMA\s+0x1\s+4,095\s+3,998\s+98/);
  });

  it('--reserved memblock-log takes reserved memory from the replayed memblock=debug log', async () => {
    const o = captureOutput();
    expect(await run(['replay', A, '--json', '--reserved', 'memblock-log'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    // zoneinfo says DMA managed 3840: the pages freed to the buddy at boot
    expect(doc.nodes[0].zones[0]).toMatchObject({ name: 'DMA', managedPages: 3840 });
    expect(await run(['replay', A, '--reserved', 'guess'], captureOutput())).toBe(2);
  });

  it('exits 3 with a located error on a bundle without any memory map', async () => {
    const o = captureOutput();
    expect(await run(['replay', 'traces/public/kho-fdt-upstream-doc-examples'], o)).toBe(3);
    expect(o.stderr).toContain(
      'traces/public/kho-fdt-upstream-doc-examples: TRACE_ERR_NO_MEMORY_MAP: expected a memory map',
    );
  });

  it('exits 2 on a bad --deferred value or a missing directory', async () => {
    const o = captureOutput();
    expect(await run(['replay', A, '--deferred', 'maybe'], o)).toBe(2);
    expect(await run(['replay', 'traces/no-such-bundle'], o)).toBe(2);
  });
});
