import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBundleFiles } from '../helpers/traces.js';
import { TraceError, RequestError } from '../../src/core/index.js';
import type { HostTrace } from '../../src/trace/index.js';
import { loadBundle } from '../../src/trace/index.js';

const qemu = (name: string): Record<string, Uint8Array> => readBundleFiles(`traces/qemu/${name}`);
const lines = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const checks = (h: HostTrace): Record<string, string> =>
  Object.fromEntries((h.crossChecks ?? []).map((c) => [c.id, c.status]));
const GiB = 2 ** 30;

/** Host files other than the log: every line of each must be understood (the log has its own tests). */
function expectHostFilesFullyParsed(h: HostTrace): void {
  for (const f of h.files ?? []) {
    if (f.used && f.kind !== 'dmesg')
      expect({ path: f.path, unknown: f.unknownLines ?? 0 }).toEqual({ path: f.path, unknown: 0 });
  }
}

describe('loadBundle on the qemu captures', () => {
  it('b-16g-2node: two nodes split at 10 GiB, every cross-check agrees', () => {
    const h = loadBundle(qemu('b-16g-2node'));
    expect([h.arch, h.pageShift, h.kernelRelease]).toEqual(['x86_64', 12, '6.1.0-56-amd64']);
    // Early memory node ranges, as printed
    expect(h.nodeRanges.map((r) => [r.nid, r.start, r.end])).toEqual([
      [0, 0x1000, 0x9f000],
      [0, 0x100000, 0x7ffe0000],
      [0, 0x100000000, 0x280000000],
      [1, 0x280000000, 0x480000000],
    ]);
    // memblock memory from the last MEMBLOCK configuration dump (after NUMA init: node ids printed)
    expect(h.memory.map((r) => r.nid)).toEqual([0, 0, 0, 1]);
    expect(h.sources['memory']![0]).toMatchObject({ kind: 'dmesg-memblock-dump', file: 'dmesg.txt' });
    expect(h.reserved.length).toBe(6);
    // BIOS-e820: 10 lines
    expect(h.e820.length).toBe(10);
    expect(h.e820[0]).toEqual({ start: 0, end: 0x9fc00, type: 'usable' });
    expect(h.e820[9]).toEqual({ start: 0xfd00000000, end: 0x10000000000, type: 'reserved' });
    expect(h.zoneRanges).toEqual([
      { zone: 'DMA', start: 0x1000, end: 0x1000000 },
      { zone: 'DMA32', start: 0x1000000, end: 0x100000000 },
      { zone: 'Normal', start: 0x100000000, end: 0x480000000 },
      { zone: 'Device', start: null, end: null },
    ]);
    expect(h.zoneinfo.filter((z) => z.spanned > 0)).toEqual([
      { nid: 0, zone: 'DMA', startPfn: 1, spanned: 4095, present: 3998, managed: 3840 },
      { nid: 0, zone: 'DMA32', startPfn: 4096, spanned: 1044480, present: 520160, managed: 503776 },
      { nid: 0, zone: 'Normal', startPfn: 1048576, spanned: 1572864, present: 1572864, managed: 1528668 },
      { nid: 1, zone: 'Normal', startPfn: 2621440, spanned: 2097152, present: 2097152, managed: 2063567 },
    ]);
    expect(h.deferredInit.map((d) => [d.nid, d.ms])).toEqual([
      [0, 220],
      [1, 320],
    ]);
    expect(h.memblockCalls.length).toBe(
      lines('traces/qemu/b-16g-2node/memblock-debug-calls-from-dmesg.txt').length,
    );
    expect(h.memblockDumps.length).toBe(2);
    expect(h.cmdline?.memblockDebug).toBe(true);
    expect(h.config['CONFIG_DEFERRED_STRUCT_PAGE_INIT']).toBe('y');
    expect(h.nodes?.map((n) => [n.nid, n.memTotalBytes, n.distances])).toEqual([
      [0, 8145136 * 1024, [10, 21]],
      [1, 8254268 * 1024, [21, 10]],
    ]);
    expect(h.memoryBlockSizeBytes).toBe(128 * 2 ** 20);
    expect(h.pageblockOrder).toBe(9);
    expect(h.sources['pageblockOrder']![0]!.file).toBe('pagetypeinfo.txt');
    expect(checks(h)).toEqual({
      'e820-iomem': 'ok',
      'e820-firmware-memmap': 'ok',
      'memory-iomem': 'ok',
      'memory-e820': 'ok',
      'memory-zoneinfo': 'ok',
      'nodespan-zoneinfo': 'ok',
      'zoneranges-zoneinfo': 'ok',
      'meminfo-zoneinfo': 'ok',
      'buddyinfo-zones': 'ok',
      'buddyinfo-free': 'ok',
      'pagetypeinfo-buddyinfo': 'ok',
      'pagetypeinfo-zoneinfo': 'ok',
      'memory-blocks': 'ok',
      'memory-blocks-zones': 'ok',
      'noderanges-memory': 'ok',
      'srat-memory': 'ok',
      'config-deferred': 'ok',
      'cmdline-dmesg': 'ok',
    });
    expect(h.diagnostics.filter((d) => d.severity !== 'info' && d.code !== 'DMESG_UNKNOWN_LINE')).toEqual([]);
    expectHostFilesFullyParsed(h);
    // the log is preferred over the serial console and the derived extracts, which are reported unused
    expect(h.files?.find((f) => f.path === 'serial-console.txt')).toMatchObject({
      kind: 'dmesg',
      used: false,
    });
  });

  it('d-16g-2node-kernelcore: kernelcore=6G puts a Movable zone on each node, where dmesg says it starts', () => {
    const h = loadBundle(qemu('d-16g-2node-kernelcore'));
    expect(h.cmdline?.kernelcore).toEqual({ bytes: 6 * GiB });
    expect(h.movableZoneStart).toEqual({ 0: 0x140400000, 1: 0x340000000 });
    expect(h.zoneinfo.filter((z) => z.zone === 'Movable').map((z) => z.startPfn * 4096)).toEqual([
      0x140400000, 0x340000000,
    ]);
    expect(checks(h)['movable-zoneinfo']).toBe('ok');
    // 79 [Movable] blocks in memory-blocks.txt, each inside its node's Movable zone
    expect((h.crossChecks ?? []).find((c) => c.id === 'memory-blocks-zones')?.detail).toMatch(
      /^\d+ memory block\(s\) lie in/,
    );
    expect(h.deferredInit.map((d) => d.ms)).toEqual([188, 200]);
    expect(h.memblockCalls.length).toBe(
      lines('traces/qemu/d-16g-2node-kernelcore/memblock-debug-calls-from-dmesg.txt').length,
    );
    expectHostFilesFullyParsed(h);
  });

  it('e-128g-2node: 2 GiB memory blocks, 64 GiB per node', () => {
    const h = loadBundle(qemu('e-128g-2node'));
    expect(h.memoryBlockSizeBytes).toBe(2 * GiB);
    expect(h.nodeRanges.filter((r) => r.nid === 1).map((r) => [r.start, r.end])).toEqual([
      [0x1080000000, 0x2080000000],
    ]);
    expect(h.deferredInit.map((d) => [d.nid, d.ms])).toEqual([
      [0, 2448],
      [1, 2628],
    ]);
    expect(Object.values(checks(h)).filter((s) => s === 'mismatch')).toEqual([]);
    expectHostFilesFullyParsed(h);
  });

  it('g-8g-2node-uefi: the EFI memory map and many small holes, cross-checked page by page', () => {
    const h = loadBundle(qemu('g-8g-2node-uefi'));
    expect(h.efi.length).toBeGreaterThan(100);
    expect(h.e820.length).toBe(18);
    expect(h.memory.length).toBe(9);
    expect(h.memblockCalls.length).toBe(
      lines('traces/qemu/g-8g-2node-uefi/memblock-debug-calls-from-dmesg.txt').length,
    );
    expect(Object.values(checks(h)).filter((s) => s === 'mismatch')).toEqual([]);
    expectHostFilesFullyParsed(h);
  });

  it('f-16g-2node-kexec given as the parent folder: loads the last stage, shares the top-level config', () => {
    const files = qemu('f-16g-2node-kexec');
    const h = loadBundle(files);
    expect(h.diagnostics.find((d) => d.code === 'TRACE_STAGE_CHOSEN')?.message).toContain(
      'stage2-after-kexec',
    );
    expect(h.sources['zoneinfo']![0]!.file).toBe('stage2-after-kexec/zoneinfo.txt');
    expect(h.sources['config']![0]!.file).toBe('kernel-config-excerpt.txt');
    expect(h.cmdline?.raw).toContain('capture_stage=2');
    expect(h.files?.find((f) => f.path === 'stage1-cold-boot/dmesg.txt')?.used).toBe(false);
    // the top-level serial console holds both boots: each stage's own dmesg.txt wins
    expect(h.sources['deferredInit']![0]!.file).toBe('stage2-after-kexec/dmesg.txt');
    expect(h.deferredInit.map((d) => d.ms)).toEqual([60, 84]);

    const s1 = loadBundle(files, { stage: 'stage1-cold-boot' });
    expect(s1.deferredInit.map((d) => d.ms)).toEqual([144, 168]);
    expect(s1.memblockCalls.length).toBe(
      lines('traces/qemu/f-16g-2node-kexec/stage1-cold-boot/memblock-debug-calls-from-dmesg.txt').length,
    );
    expect(() => loadBundle(files, { stage: 'stage9' })).toThrow(RequestError);
    expect(() => loadBundle(qemu('a-4g-1node'), { stage: 'stage1' })).toThrow(RequestError);
  });

  it('without a kernel log: RAM from iomem placed on nodes by the memory block table, e820 from sysfs', () => {
    const files = Object.fromEntries(
      Object.entries(qemu('b-16g-2node')).filter(([p]) => !/dmesg|serial-console/.test(p)),
    );
    const h = loadBundle(files);
    expect(h.sources['memory']!.map((s) => s.kind)).toEqual(['iomem', 'memory-block-table']);
    expect(h.memory.map((r) => [r.nid, r.start, r.end])).toEqual([
      [0, 0x1000, 0x9fc00],
      [0, 0x100000, 0x7ffe0000],
      [0, 0x100000000, 0x280000000],
      [1, 0x280000000, 0x480000000],
    ]);
    expect(h.sources['e820']![0]!.kind).toBe('firmware-memmap');
    expect(h.e820[0]).toEqual({ start: 0, end: 0x9fc00, type: 'usable' });
    // the derived layout still matches zoneinfo page for page
    expect(checks(h)['memory-zoneinfo']).toBe('ok');
    expect(checks(h)['nodespan-zoneinfo']).toBe('ok');
    expect(h.diagnostics.map((d) => d.code)).toContain('TRACE_NO_DMESG');
  });

  it('memblock debugfs (arches that keep memblock) is preferred; pre-6.5 files get node ids from the log', () => {
    const pre65 = [
      '   0: 0x0000000000001000..0x000000000009efff',
      '   1: 0x0000000000100000..0x000000007ffdffff',
      '   2: 0x0000000100000000..0x000000047fffffff',
      '',
    ].join('\n');
    const h = loadBundle({
      ...qemu('b-16g-2node'),
      'memblock/memory': pre65,
      'memblock/reserved': '   0: 0x0000000000000000..0x00000000000fffff\n',
    });
    expect(h.sources['memory']!.map((s) => s.kind)).toEqual(['memblock-debugfs', 'dmesg-early-node-ranges']);
    expect(h.memory.map((r) => [r.nid, r.start, r.end])).toEqual([
      [0, 0x1000, 0x9f000],
      [0, 0x100000, 0x7ffe0000],
      [0, 0x100000000, 0x280000000],
      [1, 0x280000000, 0x480000000],
    ]);
    expect(h.reserved).toEqual([{ start: 0, end: 0x100000, nid: null, flags: 0 }]);
    expect(checks(h)['memory-zoneinfo']).toBe('ok');

    const v65 = loadBundle({
      ...qemu('b-16g-2node'),
      'memblock-memory.txt': '   0: 0x0000000000001000..0x000000000009efff    0 NOMAP\n',
    });
    expect(v65.memory).toEqual([{ start: 0x1000, end: 0x9f000, nid: 0, flags: 0x4 }]);
    // NOMAP memory is `reserved` in iomem, so it is left out of the iomem comparison: the rest of iomem's RAM
    // is then only in iomem
    expect((v65.crossChecks ?? []).find((c) => c.id === 'memory-iomem')?.detail).toMatch(
      /^RAM only in memblock-debugfs: 0 B in 0 range\(s\); only in iomem: 16 GiB/,
    );
    expect(v65.sources['memory']!.map((s) => s.kind)).toEqual(['memblock-debugfs']);
  });

  it('renamed files are found by their content', () => {
    const b = qemu('a-4g-1node');
    const renamed = {
      'boot.txt.1': b['dmesg.txt']!,
      'proc-z': b['zoneinfo.txt']!,
      'proc-i': b['iomem.txt']!,
      'x.cfg': b['kernel-config-excerpt.txt']!,
      blocks: b['memory-blocks.txt']!,
      n0: b['node0-meminfo.txt']!,
      buddy: b['buddyinfo.txt']!,
    };
    const h = loadBundle(renamed);
    const byPath = Object.fromEntries((h.files ?? []).map((f) => [f.path, [f.kind, f.recognisedBy]]));
    expect(byPath).toEqual({
      'boot.txt.1': ['dmesg', 'content'],
      'proc-z': ['zoneinfo', 'content'],
      'proc-i': ['iomem', 'content'],
      'x.cfg': ['kconfig', 'content'],
      blocks: ['memory-block-table', 'content'],
      n0: ['node-meminfo', 'content'],
      buddy: ['buddyinfo', 'content'],
    });
    expect(h.zoneinfo.length).toBe(5);
    expect(h.deferredInit.map((d) => d.ms)).toEqual([44]);
    expect(checks(h)['memory-zoneinfo']).toBe('ok');
  });
});

describe('loadBundle on the public captures', () => {
  const pub = (name: string): HostTrace => loadBundle(readBundleFiles(`traces/public/${name}`));

  it('ubuntu 3.13 /proc snapshot: old zoneinfo, RAM from iomem, no node placement', () => {
    const h = pub('ubuntu-3.13-desktop-procfs');
    expect(h.kernelRelease).toBe('3.13.0-77-generic');
    expect(h.memory.length).toBe(5);
    expect(h.memory.every((r) => r.nid === null)).toBe(true);
    expect(h.zoneinfo.map((z) => z.zone)).toEqual(['DMA', 'DMA32', 'Normal']);
    // no uname or config: x86 legacy ROMs in iomem plus a DMA32 zone say x86_64
    expect(h.arch).toBe('x86_64');
    expect(h.sources['arch']![0]!.kind).toBe('iomem-roms+zoneinfo-dma32');
    expect(h.pageShift).toBe(12);
    expectHostFilesFullyParsed(h);
  });

  it('arm32 router: three RAM ranges and one Normal zone; nothing says the arch', () => {
    const h = pub('arm32-router-jmr540-procfs');
    expect(h.arch).toBe('unknown');
    expect(h.diagnostics.map((d) => d.code)).toEqual(
      expect.arrayContaining(['TRACE_ARCH_UNKNOWN', 'TRACE_PAGE_SIZE_ASSUMED']),
    );
    expect(h.memory.map((r) => [r.start, r.end])).toEqual([
      [0x80000000, 0x82a00000],
      [0x87500000, 0x87a00000],
      [0x88000000, 0x90000000],
    ]);
    expect(h.zoneinfo).toEqual([
      { nid: 0, zone: 'Normal', startPfn: 524288, spanned: 65536, present: 64000, managed: 41146 },
    ]);
    expectHostFilesFullyParsed(h);
  });

  it('CXL iomem snippets: hot-added kmem RAM, never boot memory', () => {
    const h = pub('cxl-soft-reserved-iomem-snippets');
    expect(h.iomem?.systemRam).toEqual([]);
    expect(h.iomem?.hotAddedRam).toEqual([{ start: 0x850000000, end: 0x2850000000 }]);
    expect(h.memory).toEqual([]);
    // ignore list: the four `# [n]` labels added when transcribing the mail (SOURCE.txt)
    expect(h.files?.find((f) => f.path === 'iomem-snippets.txt')?.unknownLines).toBe(4);
  });

  it('8-node HP DL585: node ranges and eight deferred-init times from the log', () => {
    const h = pub('hp-dl585g7-4s-8node-1t');
    expect(new Set(h.nodeRanges.map((r) => r.nid)).size).toBe(8);
    expect(h.deferredInit.length).toBe(8);
    expect(h.arch).toBe('x86_64');
  });

  it('Genoa 2S 1.5 TiB: two nodes, 172 and 178 ms', () => {
    const h = pub('supermicro-h13dsg-genoa-2s-1.5t');
    expect(h.deferredInit.map((d) => [d.nid, d.ms])).toEqual([
      [1, 172],
      [0, 178],
    ]);
    expect(new Set(h.nodeRanges.map((r) => r.nid))).toEqual(new Set([0, 1]));
  });

  it('memmap=8G!8G: the user-defined map is what RAM is checked against', () => {
    const h = pub('supermicro-x8sie-memmap-pmem');
    expect(h.sources['e820']!.map((s) => s.kind)).toEqual(['dmesg', 'dmesg-user-e820']);
    expect(h.cmdline?.memmapEntries).toEqual([
      { op: 'add', startBytes: 8 * GiB, sizeBytes: 8 * GiB, e820Type: 12 },
    ]);
    expect(checks(h)['memory-e820']).toBe('ok');
  });

  it('Ampere Altra failed boot: SRAT gives node 1 256 GiB, memblock kept 3 GiB (SOURCE.txt)', () => {
    const h = pub('arm64-ampere-altra-mtjade-2s-512g-failboot');
    const c = (h.crossChecks ?? []).find((x) => x.id === 'srat-memory');
    expect(c?.status).toBe('mismatch');
    expect(c?.detail).toContain('node 1: SRAT memory missing from memblock');
    expect(c?.detail).toContain('[mem 0x0000400100000000-0x0000403fffffffff]');
    expect(h.diagnostics.find((d) => d.code === 'XCHECK_SRAT_MEMORY')?.severity).toBe('warning');
    // a healthy 2-socket server: SRAT and memblock agree once the e820 holes are left out
    expect(checks(pub('supermicro-h13dsg-genoa-2s-1.5t'))['srat-memory']).toBe('ok');
  });

  it('2.6.32: memory from early_node_map PFN ranges', () => {
    const h = pub('nec-express5800-rhel6-2.6.32');
    expect(h.sources['memory']![0]!.kind).toBe('dmesg-early-node-map');
    expect(h.memory.length).toBeGreaterThan(0);
    expect(h.zoneRanges.length).toBeGreaterThan(0);
  });

  it('every public folder loads without throwing; arch is found where the log says it', () => {
    const arch: Record<string, string> = {};
    for (const name of readdirSync('traces/public')) {
      if (!statSync(`traces/public/${name}`).isDirectory()) continue;
      arch[name] = pub(name).arch;
    }
    expect(arch).toMatchObject({
      'arm64-radxa-orion-o6-cix-p1-32g': 'arm64',
      'arm64-huawei-taishan200-kunpeng920-4node-256g': 'arm64',
      'riscv-spacemit-k3-32g': 'riscv64',
      'x86-huananzhi-x99-qd4-xeon-32g': 'x86_64',
      'amd-5700u-proxmox-truncated-head': 'x86_64',
    });
  });
});

describe('loadBundle on malformed bundles', () => {
  it('binary garbage under a host file name is an error diagnostic with its offset; the rest still loads', () => {
    const files = { ...qemu('a-4g-1node') };
    files['zoneinfo.txt'] = new Uint8Array([0x4e, 0x6f, 0x00, 0xff, 0x13, 0x37]);
    const h = loadBundle(files, { displayRoot: 'bundle' });
    expect(h.diagnostics.find((d) => d.code === 'TRACE_BINARY_TEXT')).toMatchObject({
      severity: 'error',
      location: { file: 'bundle/zoneinfo.txt', offset: 2 },
    });
    expect(h.zoneinfo).toEqual([]);
    expect(h.memory.length).toBe(3);
  });

  it('start above end in iomem is a TraceError located in the bundle file', () => {
    const files = {
      ...qemu('a-4g-1node'),
      'iomem.txt': '00001000-0009fbff : System RAM\n00200000-00100000 : System RAM\n',
    };
    try {
      loadBundle(files, { displayRoot: 'traces/qemu/a-4g-1node' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TraceError);
      expect((e as TraceError).message).toMatch(/^traces\/qemu\/a-4g-1node\/iomem\.txt:2:1: IOMEM_ERR_RANGE/);
    }
  });

  it('iomem read as non-root: zeroed, no RAM from it, its checks skipped', () => {
    const files: Record<string, Uint8Array | string> = { ...qemu('a-4g-1node') };
    files['iomem.txt'] = '00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n';
    const h = loadBundle(files);
    expect(h.iomem?.zeroed).toBe(true);
    expect(checks(h)['e820-iomem']).toBe('skipped');
    expect(h.diagnostics.map((d) => d.code)).toContain('IOMEM_ZEROED');
  });

  it('a file handed over by its head only (too large) is recognised but not parsed', () => {
    const files = { ...qemu('a-4g-1node') };
    const h = loadBundle(files, { headOnly: new Set(['zoneinfo.txt']) });
    expect(h.zoneinfo).toEqual([]);
    expect(h.files?.find((f) => f.path === 'zoneinfo.txt')).toMatchObject({ kind: 'zoneinfo', used: false });
    expect(h.diagnostics.map((d) => d.code)).toContain('TRACE_FILE_TOO_LARGE');
  });

  it('buddyinfo without a row for a populated zone, or far off its free pages, is a cross-check finding', () => {
    const files: Record<string, Uint8Array | string> = { ...qemu('b-16g-2node') };
    files['buddyinfo.txt'] =
      'Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      2      2 \n' +
      'Node 0, zone    DMA32      1      0      0      0      1      0      1      1      1      0      9 \n';
    const h = loadBundle(files);
    expect(checks(h)['buddyinfo-zones']).toBe('mismatch');
    expect(h.diagnostics.find((d) => d.code === 'XCHECK_BUDDYINFO_ZONES')?.message).toContain(
      '0:Normal 1:Normal',
    );
    expect(checks(h)['buddyinfo-free']).toBe('mismatch');
  });

  it('a last line without a newline (a cut file) is an info diagnostic at that line; the value is read as is', () => {
    const z = new TextDecoder()
      .decode(qemu('a-4g-1node')['zoneinfo.txt']!)
      .split('\n')
      .slice(0, 53)
      .join('\n');
    const h = loadBundle({ 'zoneinfo.txt': z.replace(/managed {2}3840$/m, 'managed  38') });
    expect(h.diagnostics.find((d) => d.code === 'TRACE_UNTERMINATED_LAST_LINE')).toMatchObject({
      severity: 'info',
      location: { file: 'zoneinfo.txt', line: 53 },
    });
    expect(h.zoneinfo[0]?.managed).toBe(38);
  });

  it('trace.json values the model cannot use are warnings naming the field, not silently dropped', () => {
    const h = loadBundle({ 'trace.json': '{"arch": "sparc64", "pageSize": 3, "kernelRelease": 6}\n' });
    expect(
      h.diagnostics
        .filter((d) => d.code === 'TRACE_JSON_BAD_VALUE')
        .map((d) => [d.location?.file, d.location?.field]),
    ).toEqual([
      ['trace.json', 'arch'],
      ['trace.json', 'pageSize'],
      ['trace.json', 'kernelRelease'],
    ]);
    const ok = loadBundle({
      'trace.json': '{"arch": "arm64", "pageSize": 65536, "kernelRelease": "6.12.0"}',
    });
    expect([ok.arch, ok.pageShift, ok.kernelRelease]).toEqual(['arm64', 16, '6.12.0']);
    expect(ok.sources['pageShift']![0]!.kind).toBe('trace-json');
  });

  it('an empty host file is named in a warning and still counted as read', () => {
    const h = loadBundle({ 'dmesg.txt': '', 'iomem.txt': '\n', 'zoneinfo.txt': '' });
    expect(h.diagnostics.filter((d) => d.code === 'TRACE_EMPTY_FILE').map((d) => d.location?.file)).toEqual([
      'dmesg.txt',
      'iomem.txt',
      'zoneinfo.txt',
    ]);
    expect(h.files?.filter((f) => f.used).length).toBe(3);
  });

  it('absurd numbers: a zone beyond 2^53 bytes is dropped with a warning; a MemTotal beyond 2^53 bytes is a TraceError', () => {
    const zone =
      'Node 0, zone   Normal\n  pages free 1\n        spanned  5\n        present  5\n        managed  5\n  start_pfn:  9007199254740000\n';
    const h = loadBundle({ 'zoneinfo.txt': zone });
    expect(h.zoneinfo).toEqual([]);
    expect(h.diagnostics.find((d) => d.code === 'ZONEINFO_ABSURD_PFN')?.location).toMatchObject({ line: 1 });
    expect(() => loadBundle({ 'node0-meminfo.txt': 'Node 0 MemTotal:  9007199254740000 kB\n' })).toThrow(
      /node0-meminfo\.txt:1:1 \(MemTotal\): NODE_ERR_NUMBER/,
    );
  });

  it('a memory block whose valid_zones disagrees with zoneinfo is a cross-check warning', () => {
    const files: Record<string, Uint8Array | string> = { ...qemu('d-16g-2node-kernelcore') };
    files['memory-blocks.txt'] = new TextDecoder()
      .decode(files['memory-blocks.txt'] as Uint8Array)
      .replace(
        'memory104 00000068 node1 online 1 [Movable] 1',
        'memory104 00000068 node1 online 1 [Normal] 1',
      );
    const h = loadBundle(files);
    expect(checks(h)['memory-blocks-zones']).toBe('mismatch');
    expect(h.diagnostics.find((d) => d.code === 'XCHECK_MEMORY_BLOCKS_ZONES')?.message).toContain(
      'memory104 [mem 0x0000000340000000-0x0000000347ffffff] says Normal on node 1',
    );
  });

  it('an empty bundle says what is missing', () => {
    const h = loadBundle({});
    expect(h.diagnostics.map((d) => d.code)).toEqual(
      expect.arrayContaining([
        'TRACE_NO_DMESG',
        'TRACE_NO_ZONEINFO',
        'TRACE_NO_MEMORY',
        'TRACE_ARCH_UNKNOWN',
      ]),
    );
  });

  it('a zoneinfo that disagrees with memblock is a cross-check warning', () => {
    const files: Record<string, Uint8Array | string> = { ...qemu('b-16g-2node') };
    files['zoneinfo.txt'] = new TextDecoder()
      .decode(files['zoneinfo.txt'] as Uint8Array)
      .replace('present  2097152', 'present  2097000');
    const h = loadBundle(files);
    expect(checks(h)['memory-zoneinfo']).toBe('mismatch');
    expect(h.diagnostics.find((d) => d.code === 'XCHECK_MEMORY_ZONEINFO')).toMatchObject({
      severity: 'warning',
      message: expect.stringContaining('node 1: memory 2097152 pages, zoneinfo present 2097000'),
    });
  });
});
