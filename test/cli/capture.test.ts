// capture on a fake root: /proc/kcore is an ELF core built from a synthetic KHO image (src/synth) plus payload
// pages the capture must leave out, /sys/kernel/debug/kho holds what the kernel shows (v7.3-rc7: a truncated
// out/fdt), /dev/kmsg a few records. Also the failure cases, a KHO-booted host (in/ + setup_data), a vmcore, and
// this machine's own /proc.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { openElfCore } from '../../parsers/elf-core/index.js';
import { openFileSource } from '../../src/cli/io.js';
import { synthesizeBundle } from '../../src/synth/index.js';
import type { SynthBundle } from '../../src/synth/index.js';
import { buildElfCore } from '../builders/elf-core.js';
import { captureOutput, unwrap } from '../helpers/output.js';

const GiB = 2 ** 30;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-capture-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function put(root: string, rel: string, bytes: Uint8Array | string): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, bytes);
}

const KMSG =
  '6,0,0,-;Linux version 7.3.0-synth (root@synth) #1 SMP\n' +
  ' SUBSYSTEM=none\n' +
  '6,1,0,-;Command line: kho=on liveupdate=on\n' +
  '6,2,1234567,-;node 0 deferred pages initialised in 12ms\n' +
  '6,3,1234568,-;rcu: \\x09RCU event tracing is enabled.\n';

interface FakeHost {
  root: string;
  bundle: SynthBundle;
  payload: number[];
}

/** A fake root for a synthetic image: kcore = metadata pages + payload pages + a vmalloc-only segment. */
function fakeHost(
  name: string,
  abi: 'kho-v3' | 'kho-v4',
  opts: { truncate?: boolean; dir?: 'out' | 'in' } = {},
): FakeHost {
  const root = path.join(tmp, name);
  const bundle = synthesizeBundle({
    ramBytes: 32 * GiB,
    nodes: 2,
    blocks: 3000,
    abi,
    seed: 11,
    guestsPerNode: 1,
  });
  const meta = new Set<number>();
  for (const s of bundle.coreSegments)
    for (let a = s.paddr; a < s.paddr + s.bytes.length; a += 4096) meta.add(a);
  // payload: the first order-0 data pages of a guest (not metadata), filled with a pattern
  const payload: number[] = [];
  const fdt = bundle.files.get('kho/fdt')!;
  for (let p = 0x1_0000_0000 + 8 * GiB; payload.length < 4; p += 4096) if (!meta.has(p)) payload.push(p);
  const core = buildElfCore({
    segments: [
      { vaddrOnly: true, data: { size: 4096, fill: 0x11 } },
      // KCORE_TEXT: a physical address, but a file offset that follows the virtual address (above 2^53)
      { paddr: 0x100_0000, data: { size: 4096, fill: 0x22 }, override: { p_offset: 0x00ffffffb5e03000n } },
      ...bundle.coreSegments.map((s) => ({ paddr: s.paddr, data: s.bytes })),
      ...payload.map((p) => ({ paddr: p, data: { size: 4096, fill: 0xaa } })),
    ],
  });
  put(root, 'proc/kcore', core);
  const dir = opts.dir ?? 'out';
  put(root, `sys/kernel/debug/kho/${dir}/fdt`, opts.truncate ? fdt.subarray(0, 233) : fdt);
  for (const [rel, b] of bundle.files) {
    if (rel.startsWith('kho/sub_fdts/')) put(root, `sys/kernel/debug/kho/${dir}/${rel.slice(4)}`, b);
    if (dir === 'out' && (rel === 'kho/scratch_phys' || rel === 'kho/scratch_len'))
      put(root, `sys/kernel/debug/kho/out/${rel.slice(4)}`, b);
  }
  put(root, 'dev/kmsg', KMSG);
  put(root, 'proc/cmdline', new TextDecoder().decode(bundle.files.get('cmdline.txt')));
  put(root, 'proc/iomem', bundle.files.get('iomem.txt')!);
  put(root, 'proc/config.gz', gzipSync(bundle.files.get('config.txt')!));
  put(root, 'proc/sys/kernel/osrelease', '7.3.0-synth\n');
  put(root, 'proc/sys/kernel/arch', 'x86_64\n');
  put(root, 'proc/mounts', 'debugfs /sys/kernel/debug debugfs rw 0 0\n');
  return { root, bundle, payload };
}

function corePages(file: string): Set<number> {
  const src = openFileSource(file);
  try {
    const core = openElfCore(src);
    const out = new Set<number>();
    for (const r of core.presentRanges) for (let a = r.start; a < r.end; a += 4096) out.add(a);
    return out;
  } finally {
    src.close();
  }
}

const metaPages = (b: SynthBundle): Set<number> => {
  const s = new Set<number>();
  for (const seg of b.coreSegments)
    for (let a = seg.paddr; a < seg.paddr + seg.bytes.length; a += 4096) s.add(a);
  return s;
};

describe('capture on a fake root (synthetic /proc/kcore)', () => {
  const host = fakeHost('v4-truncated', 'kho-v4', { truncate: true });

  it('truncated kho/out/fdt: the full FDT is found in memory, and the core holds exactly the pages the map reaches', async () => {
    const out = path.join(tmp, 'out-v4');
    const o = captureOutput();
    expect(await run(['capture', '--root', host.root, '--out', out], o)).toBe(0);
    expect(unwrap(o.stdout)).toContain('kho/out/fdt is truncated (233 of');
    expect(unwrap(o.stdout)).toMatch(/the full root FDT \(\d+ bytes\) was found in memory at 0x[0-9a-f]+/);
    expect(unwrap(o.stdout)).toMatch(/KHO: kho-v4 from debugfs kho\/out, \d+ preserved blocks/);
    // the LUO state is walked by parsers/kho decodeLuo: every session and memfd file the synthetic kernel wrote
    expect(unwrap(o.stdout)).toContain(
      `LUO: ${host.bundle.summary.sessions} session(s), ${host.bundle.summary.memfds} file(s) walked`,
    );
    expect(unwrap(o.stdout)).toContain(`kexec-replay replay ${out}`);
    expect(fs.readFileSync(path.join(out, 'kho/fdt'))).toEqual(
      Buffer.from(host.bundle.files.get('kho/fdt')!),
    );
    expect(fs.readFileSync(path.join(out, 'kho-debugfs/out/fdt')).length).toBe(233);
    // radix tables and leaves, LUO blob, session and file blocks, memfd records, folio-array chunks and pages,
    // memblock and kexec-metadata blobs, the root FDT page: every metadata page, and no payload
    const pages = corePages(path.join(out, 'kho/memory.core'));
    expect([...pages].sort((a, b) => a - b)).toEqual([...metaPages(host.bundle)].sort((a, b) => a - b));
    for (const p of host.payload) expect(pages.has(p)).toBe(false);
    for (const f of [
      'dmesg.txt',
      'cmdline.txt',
      'iomem.txt',
      'config.txt',
      'uname.txt',
      'trace.json',
      'kho/scratch_phys',
      'kho/scratch_len',
      'kho/sub_fdts/LUO',
    ])
      expect(fs.existsSync(path.join(out, f))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'dmesg.txt'), 'utf8')).toBe(
      '[    0.000000] Linux version 7.3.0-synth (root@synth) #1 SMP\n[    0.000000] Command line: kho=on liveupdate=on\n[    1.234567] node 0 deferred pages initialised in 12ms\n' +
        '[    1.234568] rcu: \tRCU event tracing is enabled.\n',
    );
    const tj = JSON.parse(fs.readFileSync(path.join(out, 'trace.json'), 'utf8'));
    expect(tj).toMatchObject({
      arch: 'x86_64',
      kernelRelease: '7.3.0-synth',
      provenance: { truncatedDebugfsFdt: true, khoSource: 'out' },
    });
  });

  it('--json counts the blocks the synthetic image preserved; --with-payload keeps the payload pages', async () => {
    const out = path.join(tmp, 'out-v4-payload');
    const o = captureOutput();
    expect(await run(['capture', '--root', host.root, '--out', out, '--with-payload', '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.kho.blocks).toBe(host.bundle.summary.blocks);
    expect(doc.kho.payloadBytes).toBeGreaterThan(0);
    const pages = corePages(path.join(out, 'kho/memory.core'));
    for (const p of host.payload) expect(pages.has(p)).toBe(true);
  });

  it('kho-v3 with a whole out/fdt: inspect reads the captured bundle and finds every block', async () => {
    const h3 = fakeHost('v3', 'kho-v3');
    const out = path.join(tmp, 'out-v3');
    expect(await run(['capture', '--root', h3.root, '--out', out], captureOutput())).toBe(0);
    const o = captureOutput();
    expect(await run(['inspect', out, '--json'], o)).toBe(0);
    const doc = JSON.parse(o.stdout);
    expect(doc.kho.preserved.length).toBe(h3.bundle.summary.blocks);
    const p = captureOutput();
    expect(await run(['parse', out], p)).toBe(0);
    expect(unwrap(p.stdout)).toContain('kernel 7.3.0-synth');
  });

  it('a KHO-booted host: in/ and the SETUP_KEXEC_KHO setup_data (scratch array read from memory)', async () => {
    const h = fakeHost('booted', 'kho-v3', { dir: 'in' });
    // struct kho_data and a kho_scratch[2] array in a page of its own
    const scratchPage = 0x7000_0000;
    const arr = new Uint8Array(4096);
    const dv = new DataView(arr.buffer);
    dv.setBigUint64(0, 0x6000_0000n, true);
    dv.setBigUint64(8, 0x400_0000n, true);
    dv.setBigUint64(16, 0x8_0000_0000n, true);
    dv.setBigUint64(24, 0x800_0000n, true);
    const kcore = fs.readFileSync(path.join(h.root, 'proc/kcore'));
    const src = {
      name: 'k',
      size: kcore.length,
      read: (o: number, n: number) => new Uint8Array(kcore.subarray(o, o + n)),
    };
    const old = openElfCore(src);
    const segs = old.segments.map((s) => ({
      paddr: s.paddr,
      data: new Uint8Array(kcore.subarray(s.fileOffset, s.fileOffset + s.fileSize)),
    }));
    put(h.root, 'proc/kcore', buildElfCore({ segments: [...segs, { paddr: scratchPage, data: arr }] }));
    const kd = new Uint8Array(32);
    const kv = new DataView(kd.buffer);
    kv.setBigUint64(0, 0x1234000n, true);
    kv.setBigUint64(8, 0x1000n, true);
    kv.setBigUint64(16, BigInt(scratchPage), true);
    kv.setBigUint64(24, 32n, true);
    put(h.root, 'sys/kernel/boot_params/setup_data/1/type', '0xa\n');
    put(h.root, 'sys/kernel/boot_params/setup_data/1/data', kd);
    const out = path.join(tmp, 'out-booted');
    const o = captureOutput();
    expect(await run(['capture', '--root', h.root, '--out', out], o)).toBe(0);
    expect(unwrap(o.stdout)).toContain('no kho/out/fdt (a KHO-booted kernel has none)');
    expect(unwrap(o.stdout)).toMatch(/KHO: kho-v3 from debugfs kho\/in/);
    expect(fs.readFileSync(path.join(out, 'kho/scratch_phys'), 'utf8')).toBe('0x60000000\n0x800000000\n');
    expect(fs.readFileSync(path.join(out, 'kho/scratch_len'), 'utf8')).toBe('0x4000000\n0x8000000\n');
    expect(fs.readFileSync(path.join(out, 'kho/setup-data-kexec-kho.txt'), 'utf8')).toContain(
      'fdt_addr 0x1234000',
    );
  });

  it('a /proc/kcore without p_paddr: physical addresses from the direct map, matched against /proc/iomem', async () => {
    const h = fakeHost('directmap', 'kho-v4', { truncate: true });
    const BASE = 0xff11_0000_0000_0000n; // page_offset_base with 5-level paging: PUD-aligned
    const segs = h.bundle.coreSegments.map((s) => ({
      paddr: s.paddr,
      vaddr: BASE + BigInt(s.paddr),
      vaddrOnly: true,
      data: s.bytes,
    }));
    put(h.root, 'proc/kcore', buildElfCore({ segments: segs }));
    const ram = h.bundle.coreSegments.map(
      (s) =>
        `${s.paddr.toString(16).padStart(8, '0')}-${(s.paddr + s.bytes.length - 1).toString(16).padStart(8, '0')} : System RAM`,
    );
    put(h.root, 'proc/iomem', ram.join('\n') + '\n');
    const out = path.join(tmp, 'out-directmap');
    const o = captureOutput();
    expect(await run(['capture', '--root', h.root, '--out', out], o)).toBe(0);
    expect(unwrap(o.stdout)).toContain(
      'gives no p_paddr: physical addresses from the direct map (page_offset_base 0xff11000000000000',
    );
    const pages = corePages(path.join(out, 'kho/memory.core'));
    expect([...pages].sort((a, b) => a - b)).toEqual([...metaPages(h.bundle)].sort((a, b) => a - b));
  });

  it('--from-vmcore: the root FDT is found in the dump (kho-v4 preserves its own page)', async () => {
    const out = path.join(tmp, 'out-vmcore');
    const o = captureOutput();
    expect(await run(['capture', '--from-vmcore', path.join(host.root, 'proc/kcore'), '--out', out], o)).toBe(
      0,
    );
    expect(unwrap(o.stdout)).toMatch(/root FDT found in memory at 0x[0-9a-f]+/);
    expect(fs.readFileSync(path.join(out, 'kho/fdt'))).toEqual(
      Buffer.from(host.bundle.files.get('kho/fdt')!),
    );
    const pages = corePages(path.join(out, 'kho/memory.core'));
    expect([...pages].sort((a, b) => a - b)).toEqual([...metaPages(host.bundle)].sort((a, b) => a - b));
  });
});

describe('capture: what it cannot read, it says why', () => {
  const minimal = (name: string): string => {
    const root = path.join(tmp, name);
    put(root, 'proc/cmdline', 'root=/dev/vda memblock=debug\n');
    put(root, 'proc/sys/kernel/osrelease', '7.3.0\n');
    return root;
  };

  it('debugfs not mounted', async () => {
    const root = minimal('nodebugfs');
    fs.mkdirSync(path.join(root, 'sys/kernel/debug'), { recursive: true });
    put(root, 'proc/mounts', 'proc /proc proc rw 0 0\n');
    const o = captureOutput();
    expect(await run(['capture', '--root', root, '--out', path.join(tmp, 'o-nodebugfs')], o)).toBe(0);
    expect(unwrap(o.stdout)).toContain('debugfs is not mounted: mount -t debugfs none /sys/kernel/debug');
    expect(unwrap(o.stdout)).toContain('KHO: no handover image captured');
  });

  it('kernel without KHO, and KHO built in but not enabled', async () => {
    const root = minimal('nokho');
    put(root, 'sys/kernel/debug/memblock/reserve_mem_param', 'trace\t\t(64 MiB)\n');
    put(root, 'proc/config.gz', gzipSync('# CONFIG_KEXEC_HANDOVER is not set\n'));
    const o = captureOutput();
    expect(await run(['capture', '--root', root, '--out', path.join(tmp, 'o-nokho')], o)).toBe(0);
    expect(unwrap(o.stdout)).toContain('this kernel has no KHO');
    expect(fs.readFileSync(path.join(tmp, 'o-nokho', 'memblock-reserve_mem_param.txt'), 'utf8')).toContain(
      'trace',
    );
    put(root, 'proc/config.gz', gzipSync('CONFIG_KEXEC_HANDOVER=y\n'));
    const p = captureOutput();
    expect(await run(['capture', '--root', root, '--out', path.join(tmp, 'o-nokho2')], p)).toBe(0);
    expect(unwrap(p.stdout)).toContain(
      'KHO is built in but not enabled (no /sys/kernel/debug/kho): boot with kho=on',
    );
  });

  it('lockdown, and an unreadable /proc/kcore', async () => {
    const h = fakeHost('locked', 'kho-v3');
    put(h.root, 'sys/kernel/security/lockdown', 'none integrity [confidentiality]\n');
    fs.rmSync(path.join(h.root, 'proc/kcore'));
    fs.mkdirSync(path.join(h.root, 'proc/kcore'));
    const o = captureOutput();
    expect(await run(['capture', '--root', h.root, '--out', path.join(tmp, 'o-locked')], o)).toBe(0);
    expect(unwrap(o.stdout)).toContain('kernel lockdown is "confidentiality"');
    expect(unwrap(o.stdout)).toMatch(/proc\/kcore: \/proc\/kcore unreadable/);
    expect(unwrap(o.stdout)).toContain('kho/memory.core not written');
    expect(fs.existsSync(path.join(tmp, 'o-locked', 'kho/fdt'))).toBe(true);
  });

  it('never writes through a symbolic link: --out itself, or a folder inside it', async () => {
    const root = minimal('links');
    const elsewhere = path.join(tmp, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(tmp, 'o-link'));
    const e = captureOutput();
    expect(await run(['capture', '--root', root, '--out', path.join(tmp, 'o-link')], e)).toBe(2);
    expect(e.stderr).toContain('is a symbolic link');
    const out = path.join(tmp, 'o-inner');
    fs.mkdirSync(out);
    fs.symlinkSync(path.join(elsewhere, 'x.txt'), path.join(out, 'cmdline.txt'));
    const f = captureOutput();
    expect(await run(['capture', '--root', root, '--out', out, '--force'], f)).toBe(2);
    expect(f.stderr).toContain('symbolic link inside --out');
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

describe.runIf(process.platform === 'linux' && fs.existsSync('/proc/cmdline'))(
  "capture on this machine's own /proc",
  () => {
    it('copies what it can and names what it cannot', async () => {
      const out = path.join(tmp, 'self');
      const o = captureOutput();
      expect(await run(['capture', '--out', out], o)).toBe(0);
      expect(fs.readFileSync(path.join(out, 'cmdline.txt'), 'utf8')).toBe(
        fs.readFileSync('/proc/cmdline', 'utf8'),
      );
      expect(o.stdout).toMatch(/bundle written to .*\n {2}\d+ files/);
      expect(unwrap(o.stdout)).toMatch(/KHO: (kho-v\d|no handover image captured)/);
      const p = captureOutput();
      expect(await run(['parse', out], p)).toBe(0);
    });
  },
);
