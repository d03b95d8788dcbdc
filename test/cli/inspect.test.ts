// `kexec-replay inspect` in-process on the generated KHO bundles (traces/kho-*): text, the inspect/1 JSON contract,
// --dts, and malformed inputs (exit 3, one line with the file and byte offset; never exit 70).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { bytesSource, TraceError } from '../../src/core/index.js';
import { openElfCore } from '../../parsers/elf-core/index.js';
import { parseFdt } from '../../parsers/fdt/index.js';
import { decodeKhoImage } from '../../parsers/kho/index.js';
import { buildKhoImage, khoBundleFiles } from '../builders/kho-image.js';
import { bigEndianBundleFiles } from '../parsers/kho/big-endian.js';
import { b16gScenario } from '../../bench/kho-scenario.js';
import { captureOutput } from '../helpers/output.js';
import { dtcCompile } from '../parsers/fdt/dtc-tools.js';

const MAIN = 'traces/kho-b-16g-2node';
const ERAS = [
  { dir: 'traces/kho-era-v1-512', abi: 'kho-v1', bitmapFormat: '512', evidence: 'bitmap-pointer-unaligned' },
  { dir: 'traces/kho-era-v1-page', abi: 'kho-v1', bitmapFormat: 'page', evidence: 'bits-beyond-512-bytes' },
  { dir: 'traces/kho-era-v2', abi: 'kho-v2', bitmapFormat: null, evidence: 'not-applicable' },
  { dir: 'traces/kho-era-v3', abi: 'kho-v3', bitmapFormat: null, evidence: 'not-applicable' },
] as const;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-inspect-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function copyBundle(from: string, name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

/** The phys and order of each `kho.preserved` entry (entries carry more keys: owner, session, token). */
function physOrder(entries: { phys: number; order: number }[]): { phys: number; order: number }[] {
  return entries.map((e) => ({ phys: e.phys, order: e.order }));
}

async function inspect(...args: string[]) {
  const o = captureOutput();
  const code = await run(['inspect', ...args], o);
  return { code, out: o.stdout, err: o.stderr };
}

describe('kexec-replay inspect on the bundled traces', () => {
  it('summarises traces/kho-b-16g-2node: era, evidence, subtrees, scratch, blocks by order and size', async () => {
    const r = await inspect(MAIN);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('  ABI:          kho-v3, radix tree with blob sizes');
    expect(r.out).toContain('decided by:   root compatible = "kho-v3"');
    expect(r.out).toMatch(
      /memblock reserve_mem "trace": \[mem 0x00000003f0000000-0x00000003f3ffffff\] \(64 MiB\)/,
    );
    expect(r.out).toContain('kexec-metadata: previous release 6.1.0-56-amd64, kexec count 1');
    expect(r.out).toContain('Scratch areas (4)');
    expect(r.out).toMatch(/Preserved blocks: 4,026 block\(s\)/);
    expect(r.out).toContain('above MAX_PAGE_ORDER (orders 11+)');
  });

  for (const era of ERAS) {
    it(`${era.dir}: --json lists exactly the blocks the builder preserved, sorted by phys`, async () => {
      const r = await inspect(era.dir, '--json');
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.out);
      expect(doc.schema).toBe('kexec-replay/inspect/1');
      expect(doc.kho).toMatchObject({ abi: era.abi, bitmapFormat: era.bitmapFormat });
      expect(doc.kho.bitmapEvidence.kind).toBe(era.evidence);
      expect(typeof doc.kho.memoryMapPhys).toBe('number');
      expect(Object.keys(doc.kho.subtrees[0]).sort()).toEqual([
        'compatible',
        'name',
        'phys',
        'sizeBytes',
        'source',
      ]);
      expect(doc.kho.scratch).toHaveLength(4);
      // The committed bundle is the builder's deterministic output: regenerate the description and compare.
      const img = buildKhoImage(
        b16gScenario({
          abi: era.abi,
          ...(era.bitmapFormat ? { bitmapFormat: era.bitmapFormat } : {}),
          blocks: 150,
          seed: 7,
        }),
      );
      expect(physOrder(doc.kho.preserved)).toEqual(img.blocks.map((b) => ({ phys: b.phys, order: b.order })));
      // inspect/1 adds an owner to each entry (issue 8); the keys of before stay
      expect(doc.kho.preserved.every((e: { owner?: unknown }) => typeof e.owner === 'string')).toBe(true);
      expect(Array.isArray(doc.diagnostics)).toBe(true);
    });
  }

  it('--bitmap-format forces the size; reading page bitmaps as 512 bytes drops the bits past 4096', async () => {
    const forced = JSON.parse(
      (await inspect('traces/kho-era-v1-page', '--json', '--bitmap-format', '512')).out,
    );
    const normal = JSON.parse((await inspect('traces/kho-era-v1-page', '--json')).out);
    expect(forced.kho.bitmapEvidence.kind).toBe('forced');
    expect(forced.kho.preserved.length).toBeLessThan(normal.kho.preserved.length);
    expect((await inspect('traces/kho-era-v1-page', '--bitmap-format', '1k')).code).toBe(2);
  });

  it('--dts prints the root with the KHO u64 properties as numbers', async () => {
    const r = await inspect('--dts', `${MAIN}/kho/fdt`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/compatible = "kho-v3";/);
    expect(r.out).toMatch(
      /preserved-memory-map = \[[0-9a-f ]+\]; \/\/ u64 native-endian \(le\): 0x[0-9a-f]+/,
    );
    expect(r.out).toMatch(/blob-size = \[49 00 00 00 00 00 00 00\]; \/\/ u64 native-endian \(le\): 0x49/);
    const sub = await inspect('--dts', `${MAIN}/kho/sub_fdts/memblock`);
    expect(sub.out).toMatch(
      /start = \[00 00 00 f0 03 00 00 00\]; \/\/ u64 native-endian \(le\): 0x3f0000000/,
    );
  });
});

describe('kexec-replay inspect on malformed input', () => {
  it('a root FDT with a bad magic: exit 3, one line with the file and offset 0', async () => {
    const dir = copyBundle(MAIN, 'badmagic');
    const fdt = fs.readFileSync(path.join(dir, 'kho/fdt'));
    fdt[0] = 0;
    fs.writeFileSync(path.join(dir, 'kho/fdt'), fdt);
    const r = await inspect(dir);
    expect(r.code).toBe(3);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`${path.join(dir, 'kho/fdt')}: offset 0x0`);
  });

  it('a radix root outside the dump: exit 3 at the pointer (kho/fdt offset of preserved-memory-map), naming memory.core', async () => {
    const dir = copyBundle('traces/kho-era-v2', 'radix');
    const fdtPath = path.join(dir, 'kho/fdt');
    const blob = fs.readFileSync(fdtPath);
    const doc = JSON.parse((await inspect('traces/kho-era-v2', '--json')).out);
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(BigInt(doc.kho.memoryMapPhys));
    const at = blob.indexOf(le);
    expect(at).toBeGreaterThan(0);
    blob.writeBigUInt64LE(0x5000n, at);
    fs.writeFileSync(fdtPath, blob);
    const r = await inspect(dir);
    expect(r.code).toBe(3);
    expect(r.err).toContain(
      `${fdtPath}: offset 0x${at.toString(16)} (/:preserved-memory-map): KHO_ERR_NOT_IN_DUMP: expected radix level 5 (key prefix 0x0) at 0x5000 of ${dir}/kho/memory.core: 4096 bytes`,
    );
  });

  it('a corrupted chunk header: exit 3 with the core file offset of the field', async () => {
    const dir = copyBundle('traces/kho-era-v1-page', 'chunk');
    const doc = JSON.parse((await inspect(dir, '--json')).out);
    const core = fs.readFileSync(path.join(dir, 'kho/memory.core'));
    const elf = openElfCore(bytesSource('c', new Uint8Array(core)));
    const off = elf.fileOffsetOf(doc.kho.memoryMapPhys)!;
    core.writeUInt32LE(9999, off + 12); // chunk[0].hdr.num_elms
    fs.writeFileSync(path.join(dir, 'kho/memory.core'), core);
    const r = await inspect(dir);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`memory.core: offset 0x${(off + 12).toString(16)} (chunk[0].hdr.num_elms @ phys`);
    expect(r.err).toContain('KHO_ERR_BADCOUNT: expected at most 255, found 9999');
  });

  it('no kho/fdt: exit 3; no such directory: exit 3; no directory given: exit 2', async () => {
    const r = await inspect('traces/qemu/b-16g-2node');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/kho\/fdt: TRACE_ERR_MISSING/);
    expect((await inspect('traces/nope')).code).toBe(3);
    expect((await inspect()).code).toBe(2);
  });

  it('every prefix of the root FDT is a TraceError, and every page-sized prefix of the core is a TraceError or an image', () => {
    const fdt = new Uint8Array(fs.readFileSync(`${MAIN}/kho/fdt`));
    const core = new Uint8Array(fs.readFileSync(`${MAIN}/kho/memory.core`));
    const decode = (f: Uint8Array, c: Uint8Array) =>
      decodeKhoImage({
        root: parseFdt(f, 'fdt').root,
        rootFile: 'fdt',
        mem: openElfCore(bytesSource('core', c)),
      });
    expect(decode(fdt, core).preserved.count).toBe(4026);
    for (let n = 0; n < fdt.length; n++) expect(() => decode(fdt.subarray(0, n), core)).toThrow(TraceError);
    let errors = 0;
    for (let n = 0; n < core.length; n += 4096) {
      try {
        decode(fdt, core.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(TraceError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});

describe('kexec-replay inspect --dts on an ordinary device tree', () => {
  it('leaves big-endian cells alone when the blob is not a KHO blob', async () => {
    const blob = dtcCompile('/dts-v1/;\n/ { compatible = "acme,board"; node { size = <0x0 0x1000>; }; };\n');
    const file = path.join(tmp, 'board.dtb');
    fs.writeFileSync(file, blob);
    const r = await inspect('--dts', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain('size = <0x00 0x1000>;');
    expect(r.out).not.toContain('u64 native-endian');
  });
});

describe('kexec-replay inspect without a memory dump', () => {
  it('describes the root, subtrees and scratch, and says the blocks are unknown', async () => {
    const dir = copyBundle('traces/kho-era-v3', 'nocore');
    fs.rmSync(path.join(dir, 'kho/memory.core'));
    const r = await inspect(dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/memory map: {3}0x[0-9a-f]+ \(not decoded: the bundle has no kho\/memory\.core\)/);
    expect(r.out).toContain('Preserved blocks: unknown (no memory dump to read the map from)');
    expect(r.out).toContain('KHO_NO_MEMORY_DUMP');
    const doc = JSON.parse((await inspect(dir, '--json')).out);
    expect(doc.kho).toMatchObject({ memoryMapDecoded: false, preserved: [] });
    expect(doc.kho.subtrees.map((s: { compatible: string | null }) => s.compatible)).toEqual([
      'memblock-v1',
      'kho-test-v1',
      null,
    ]);
  });
});

describe('kexec-replay inspect: sub_fdts copy against the memory dump', () => {
  it('a sub_fdts file that differs from the preserved blob in memory is a KHO_SUBTREE_MISMATCH warning', async () => {
    const dir = copyBundle('traces/kho-era-v2', 'stale');
    const f = path.join(dir, 'kho/sub_fdts/memblock');
    const blob = fs.readFileSync(f);
    const start = Buffer.alloc(8);
    start.writeBigUInt64LE(0x3_f000_0000n); // memblock's reserve_mem "trace" start
    const at = blob.indexOf(start);
    expect(at).toBeGreaterThan(0);
    blob.writeBigUInt64LE(0x3_e000_0000n, at);
    fs.writeFileSync(f, blob);
    const clean = JSON.parse((await inspect('traces/kho-era-v2', '--json')).out);
    expect(clean.diagnostics.map((d: { code: string }) => d.code)).not.toContain('KHO_SUBTREE_MISMATCH');
    const doc = JSON.parse((await inspect(dir, '--json')).out);
    expect(doc.diagnostics.map((d: { code: string }) => d.code)).toContain('KHO_SUBTREE_MISMATCH');
    expect(doc.kho.reserveMem).toEqual([{ name: 'trace', start: 0x3_e000_0000, sizeBytes: 0x400_0000 }]);
  });
});

describe('kexec-replay inspect on a big-endian host (memory.core is ELFDATA2MSB)', () => {
  // KHO values are native-endian (spec kho-abi.md 2.3): the loader hands the core to the decoders, which take its
  // byte order, so a big-endian bundle (memory map, subtree blobs, kho_test folios_info, LUO pages, memfd records all
  // written big endian) decodes to exactly what its little-endian twin does.
  const write = (name: string, files: Map<string, Uint8Array>): string => {
    const dir = path.join(tmp, name);
    for (const [rel, bytes] of files) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), bytes);
    }
    return dir;
  };
  const images = {
    'kho-v1': () => buildKhoImage(b16gScenario({ abi: 'kho-v1', bitmapFormat: 'page', blocks: 40, seed: 3 })),
    'kho-v3': () => buildKhoImage(b16gScenario({ abi: 'kho-v3', blocks: 40, seed: 3 })),
    'kho-v4 with LUO and memfd': () =>
      buildKhoImage({
        abi: 'kho-v4',
        ram: [{ start: 0x1_0000_0000, end: 0x1_4000_0000 }],
        blocks: [{ phys: 0x1_0020_0000, order: 9 }],
        luo: {
          liveupdateNumber: 7,
          sessions: [
            {
              name: 'vm0',
              files: [
                { token: 0x100, memfd: { size: 3 * 4096, pos: 4096, seals: 0x1f, flags: 2 } },
                { token: 0x101, memfd: { size: 4096, version: 'memfd-v1' } },
                { token: 0x102, memfd: { size: 0 } },
              ],
            },
            {
              name: 'many',
              files: Array.from({ length: 70 }, (_, i) => ({ token: i, memfd: { size: 4096 } })),
            },
            ...Array.from({ length: 51 }, (_, i) => ({ name: `empty-${i}` })),
          ],
          flbs: [{ name: 'liveupdate-test-flb-v0', data: 0xfeedf00dcafebee0n, count: 72 }],
        },
      }),
  };
  for (const [what, make] of Object.entries(images)) {
    it(`${what}: exit 0 and --json decodes the same image as the little-endian bundle`, async () => {
      const img = make();
      const slug = what.replace(/\W+/g, '-');
      const le = await inspect(write(`le-${slug}`, khoBundleFiles(img)), '--json');
      const be = await inspect(write(`be-${slug}`, bigEndianBundleFiles(img)), '--json');
      expect(le.code, le.err).toBe(0);
      expect(be.code, be.err).toBe(0);
      const leDoc = JSON.parse(le.out);
      const beDoc = JSON.parse(be.out);
      expect(physOrder(beDoc.kho.preserved)).toEqual(
        img.blocks.map((b) => ({ phys: b.phys, order: b.order })),
      );
      expect(beDoc.kho.memoryMapPhys).toBe(img.memoryMapPhys);
      // everything decoded is equal: owners, subtrees, kho_test, reserve_mem, kexec-metadata, LUO and memfd records
      expect(beDoc.kho).toEqual(leDoc.kho);
      expect(beDoc.diagnostics.map((d: { code: string }) => d.code)).toEqual(
        leDoc.diagnostics.map((d: { code: string }) => d.code),
      );
      if (img.luo) expect(beDoc.kho.luo.files).toHaveLength(73);
      else expect(beDoc.kho.khoTest.nrFolios).toBeGreaterThan(0);
    });
  }
});
