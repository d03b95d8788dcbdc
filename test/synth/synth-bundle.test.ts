// synth: what the generator writes decodes back, through the project's own readers, to what it says it wrote;
// the same seed gives the same bytes; the kho-v4 LUO state (luo-v5 sessions, memfd-v2 files, folio arrays in
// kho_vmalloc areas) is walked by hand against the layouts of include/linux/kho/abi/{luo,block,memfd}.h v7.3-rc7.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFdt } from '../../parsers/fdt/index.js';
import { openElfCore } from '../../parsers/elf-core/index.js';
import { loadKhoImage } from '../../src/cli/load-kho.js';
import { openFileSource } from '../../src/cli/io.js';
import { loadHostBundle } from '../../src/cli/read-bundle.js';
import { writeSynthBundle } from '../../src/cli/commands/synth.js';
import { synthesizeBundle } from '../../src/synth/index.js';
import type { SynthOptions } from '../../src/synth/index.js';

const GiB = 2 ** 30;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kr-synth-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const base: SynthOptions = {
  ramBytes: 64 * GiB,
  nodes: 2,
  blocks: 6000,
  abi: 'kho-v3',
  seed: 7,
  guestsPerNode: 2,
};

describe('synth: every era decodes back to the blocks it wrote', () => {
  const cases: [string, SynthOptions][] = [
    ['kho-v1 page bitmaps', { ...base, abi: 'kho-v1', bitmapFormat: 'page' }],
    ['kho-v1 512-byte bitmaps', { ...base, abi: 'kho-v1', bitmapFormat: '512' }],
    ['kho-v2', { ...base, abi: 'kho-v2' }],
    ['kho-v3', { ...base, abi: 'kho-v3' }],
  ];
  for (const [name, opts] of cases) {
    it(name, () => {
      const dir = path.join(tmp, name.replace(/\W+/g, '-'));
      const { summary } = writeSynthBundle(dir, opts);
      const { image } = loadKhoImage(dir);
      expect(image.abi).toBe(opts.abi);
      expect(image.preserved.count).toBe(summary.blocks);
      const byOrder: Record<number, number> = {};
      for (let i = 0; i < image.preserved.count; i++)
        byOrder[image.preserved.order[i]!] = (byOrder[image.preserved.order[i]!] ?? 0) + 1;
      expect(byOrder).toEqual(summary.blocksByOrder);
      // near the requested count: metadata is estimated up front
      expect(Math.abs(summary.blocks - opts.blocks) / opts.blocks).toBeLessThan(0.02);
      if (opts.abi === 'kho-v1') expect(image.bitmapFormat).toBe(opts.bitmapFormat);
      expect(image.scratch.length).toBe(2 + opts.nodes);
    });
  }
});

describe('synth: the host files', () => {
  it('parse reads the layout: RAM, nodes, zones, deferred init, without mismatches', () => {
    const dir = path.join(tmp, 'host');
    const { summary } = writeSynthBundle(dir, { ...base, nodes: 4, ramBytes: 128 * GiB, guestsPerNode: 1 });
    const host = loadHostBundle(dir);
    const total = host.memory.reduce((s, r) => s + (r.end - r.start), 0);
    // the e820 RAM less the kernel's first page
    expect(total).toBe(summary.ramBytes - 4096);
    expect(new Set(host.memory.map((r) => r.nid))).toEqual(new Set([0, 1, 2, 3]));
    expect(host.config['CONFIG_DEFERRED_STRUCT_PAGE_INIT']).toBe('y');
    const mismatches = (host.crossChecks ?? []).filter((c) => c.status === 'mismatch');
    expect(mismatches).toEqual([]);
  });

  it('--deferred off writes a config without deferred init and no deferred-init lines', () => {
    const b = synthesizeBundle({ ...base, deferred: false });
    expect(new TextDecoder().decode(b.files.get('config.txt'))).toContain(
      '# CONFIG_DEFERRED_STRUCT_PAGE_INIT is not set',
    );
    expect(new TextDecoder().decode(b.files.get('dmesg.txt'))).not.toContain('deferred pages initialised');
  });
});

describe('synth: deterministic from the seed', () => {
  it('same seed, same bytes; another seed, other blocks', () => {
    const a = synthesizeBundle({ ...base, abi: 'kho-v4' });
    const b = synthesizeBundle({ ...base, abi: 'kho-v4' });
    const c = synthesizeBundle({ ...base, abi: 'kho-v4', seed: 8 });
    const join = (x: typeof a): string =>
      x.coreSegments.map((s) => `${s.paddr}:${Buffer.from(s.bytes).toString('base64')}`).join();
    expect(join(a)).toBe(join(b));
    expect([...a.files.entries()].map(([k, v]) => k + Buffer.from(v).toString('hex'))).toEqual(
      [...b.files.entries()].map(([k, v]) => k + Buffer.from(v).toString('hex')),
    );
    expect(join(a)).not.toBe(join(c));
  });
});

describe('synth kho-v4: LUO sessions and memfd files', () => {
  const dir = path.join(tmp, 'v4');
  const { summary } = writeSynthBundle(dir, { ...base, abi: 'kho-v4' });

  it('root FDT says kho-v4 with LUO, memblock and kexec-metadata subtrees with blob sizes', () => {
    const fdt = parseFdt(fs.readFileSync(path.join(dir, 'kho/fdt')), 'kho/fdt');
    const compat = fdt.root.props.find((p) => p.name === 'compatible')!;
    expect(new TextDecoder().decode(compat.value)).toBe('kho-v4\0');
    expect(fdt.root.children.map((c) => c.name).sort()).toEqual(['LUO', 'kexec-metadata', 'memblock']);
    for (const c of fdt.root.children)
      expect(c.props.map((p) => p.name).sort()).toEqual(['blob-size', 'preserved-data']);
  });

  it('every memfd folio is a preserved block, and the sessions hold the files the summary counts', () => {
    // kho-v4 keeps kho-v3's radix tree (spec kernel-7x.md 1.1): decode the map with the kho-v3 reader
    const v3dir = path.join(tmp, 'v4-as-v3');
    fs.cpSync(dir, v3dir, { recursive: true });
    const fdtBytes = fs.readFileSync(path.join(v3dir, 'kho/fdt'));
    const at = Buffer.from(fdtBytes).indexOf('kho-v4');
    fdtBytes[at + 5] = 0x33; // "kho-v3"
    fs.writeFileSync(path.join(v3dir, 'kho/fdt'), fdtBytes);
    fs.rmSync(path.join(v3dir, 'kho/sub_fdts/LUO')); // a luo-v5 blob is not the FDT a kho-v3 reader expects
    const { image } = loadKhoImage(v3dir);
    expect(image.preserved.count).toBe(summary.blocks);
    const preserved = new Map<number, number>();
    for (let i = 0; i < image.preserved.count; i++)
      preserved.set(image.preserved.phys[i]!, image.preserved.order[i]!);

    const src = openFileSource(path.join(dir, 'kho/memory.core'));
    try {
      const core = openElfCore(src);
      const u64 = (pa: number): number => {
        const b = core.readPhys(pa, 8, 'u64');
        const dv = new DataView(b.buffer, b.byteOffset, 8);
        return dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
      };
      const cstr = (pa: number, n: number): string => {
        const b = core.readPhys(pa, n, 'str');
        return new TextDecoder().decode(b.subarray(0, b.indexOf(0) < 0 ? n : b.indexOf(0)));
      };
      const luo = fdtChild(dir, 'LUO');
      expect(cstr(luo, 8)).toBe('luo-v5');
      expect(preserved.get(luo)).toBe(0);
      const chain = (head: number, entry: number): number[] => {
        const out: number[] = [];
        for (let b = head; b; b = u64(b)) {
          expect(preserved.get(b)).toBe(0);
          const count = u64(b + 8);
          expect(count).toBeGreaterThan(0);
          expect(count).toBeLessThanOrEqual(Math.floor((4096 - 16) / entry));
          for (let i = 0; i < count; i++) out.push(b + 16 + i * entry);
        }
        return out;
      };
      const sessions = chain(u64(luo + 16), 80);
      expect(sessions.length).toBe(summary.sessions);
      let files = 0;
      let folios = 0;
      for (const s of sessions) {
        expect(cstr(s, 64)).toMatch(/^vm-\d{4}$/);
        const fileEntries = chain(u64(s + 64), 64);
        expect(fileEntries.length).toBe(u64(s + 72));
        for (const f of fileEntries) {
          files++;
          expect(cstr(f, 48)).toBe('memfd-v2');
          const ser = u64(f + 48);
          expect(preserved.get(ser)).toBe(0);
          const nr = u64(ser + 24);
          const size = u64(ser + 8);
          // struct kho_vmalloc: first chunk, total_pages, flags KHO_VMALLOC_ALLOC
          let chunk = u64(ser + 32);
          const pages: number[] = [];
          while (chunk) {
            expect(preserved.get(chunk)).toBe(0);
            for (let i = 0; i < 511; i++) {
              const p = u64(chunk + 8 + i * 8);
              if (!p) break;
              pages.push(p);
            }
            chunk = u64(chunk);
          }
          expect(pages.length).toBe(Math.ceil((nr * 16) / 4096));
          let index = 0;
          let bytes = 0;
          for (let i = 0; i < nr; i++) {
            const page = pages[Math.floor((i * 16) / 4096)]!;
            expect(preserved.get(page)).toBe(0);
            // u64 pfn:52, flags:12: read as two u32 (the whole word is above 2^53)
            const w = core.readPhys(page + ((i * 16) % 4096), 8, 'folio');
            const dv = new DataView(w.buffer, w.byteOffset, 8);
            const high = dv.getUint32(4, true);
            const pfn = dv.getUint32(0, true) + (high % 2 ** 20) * 2 ** 32;
            expect(high >>> 20).toBe(3); // MEMFD_LUO_FOLIO_DIRTY | MEMFD_LUO_FOLIO_UPTODATE
            expect(u64(page + ((i * 16) % 4096) + 8)).toBe(index);
            const order = preserved.get(pfn * 4096);
            expect(order).toBeDefined();
            index += 2 ** order!;
            bytes += 4096 * 2 ** order!;
            folios++;
          }
          expect(size).toBe(bytes);
        }
      }
      expect(files).toBe(summary.memfds);
      expect(folios).toBeGreaterThan(summary.blocks / 2);
    } finally {
      src.close();
    }
  });
});

function fdtChild(dir: string, name: string): number {
  const fdt = parseFdt(fs.readFileSync(path.join(dir, 'kho/fdt')), 'kho/fdt');
  const c = fdt.root.children.find((x) => x.name === name)!;
  const v = c.props.find((p) => p.name === 'preserved-data')!.value;
  const dv = new DataView(v.buffer, v.byteOffset, 8);
  return dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
}
