// The KHO half of `capture`: copy /sys/kernel/debug/kho/{out,in} as is, then walk the preserved-memory map with the
// project's decoders over a page reader on physical memory (/proc/kcore by its program headers, or a vmcore) and
// keep exactly the pages they read (root FDT, radix tables and leaves or chunk lists and bitmaps, vmalloc chunks,
// subtree blobs, LUO blobs and KHO block chains, memfd records and folio arrays) in kho/memory.core. Payload (the
// preserved folios' contents) only with --with-payload.
import * as fs from 'node:fs';
import type { PhysMemory } from '../../core/index.js';
import { DiagnosticSink, TraceError, hex } from '../../core/index.js';
import type { Fdt, FdtNode } from '../../../parsers/fdt/index.js';
import { parseFdt } from '../../../parsers/fdt/index.js';
import type { KhoAbi } from '../../../parsers/kho/index.js';
import {
  BlockCollector,
  decodeChunkList,
  decodeKhoImage,
  decodeLuo,
  decodeRadixTree,
  decodeVmalloc,
  readVmallocContents,
} from '../../../parsers/kho/index.js';
import { planElfCore } from '../../synth/index.js';
import { KcoreMemory } from './kcore.js';
import type { CaptureLog, HostReader } from './host-files.js';
import { whyUnreadable } from './host-files.js';
import type { OutDir } from './out-dir.js';

const PAGE = 4096;
const FDT_MAGIC = 0xd00dfeed;
/** arch/x86/include/uapi/asm/setup_data.h: SETUP_KEXEC_KHO; struct kho_data { u64 fdt_addr, fdt_size, scratch_addr, scratch_size }. */
const SETUP_KEXEC_KHO = 10;

/** What capture needs of physical memory (KcoreMemory; a test double). */
export type PhysCore = PhysMemory & {
  readonly endianness: 'le' | 'be';
  readonly presentRanges: readonly { start: number; end: number }[];
};

/** Physical memory whose reads are remembered page by page: what the decoders reached is what the core keeps. */
export class RecordingMemory implements PhysMemory {
  readonly pages = new Set<number>();
  constructor(readonly inner: PhysCore) {}
  get name(): string {
    return this.inner.name;
  }
  get endianness(): 'le' | 'be' {
    return this.inner.endianness;
  }
  hasPhys(addr: number, length: number): boolean {
    return this.inner.hasPhys(addr, length);
  }
  readPhys(addr: number, length: number, what: string): Uint8Array {
    const b = this.inner.readPhys(addr, length, what);
    this.mark(addr, length);
    return b;
  }
  mark(addr: number, length: number): void {
    for (let p = Math.floor(addr / PAGE) * PAGE; p < addr + Math.max(1, length); p += PAGE) this.pages.add(p);
  }
}

export interface KhoCaptureResult {
  /** Which debugfs directory the bundle's kho/ came from. */
  readonly source: 'out' | 'in' | 'setup_data' | 'memory' | null;
  readonly abi: string | null;
  readonly blocks: number;
  readonly corePages: number;
  readonly coreBytes: number;
  readonly payloadBytes: number;
  readonly truncatedFdt: boolean;
}

const u64le = (b: Uint8Array, off: number): number => {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 2 ** 32;
};
const cstr = (b: Uint8Array): string => {
  const z = b.indexOf(0);
  return new TextDecoder().decode(z < 0 ? b : b.subarray(0, z));
};

/** Open a physical-memory ELF (/proc/kcore or a vmcore). Null (and noted) when unreadable. */
export function openPhysCore(
  file: string,
  log: CaptureLog,
  what: string,
  ramRanges: readonly { start: number; end: number }[] = [],
): KcoreMemory | null {
  let core: KcoreMemory;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    if (!fs.statSync(file).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    core = new KcoreMemory(file, ramRanges);
  } catch (e) {
    const why = e instanceof TraceError ? e.message : whyUnreadable(e);
    log.miss(file, `${what} unreadable: ${why}`);
    return null;
  }
  if (core.addressing === 'direct-map')
    log.info(
      `${file} gives no p_paddr: physical addresses from the direct map (page_offset_base ${hex(Number(core.directMapBase))}, matched against /proc/iomem's System RAM)`,
    );
  if (core.addressing === 'none')
    log.warn(
      `${file} has no program header with a physical address (p_paddr), and no direct-map match with /proc/iomem: pages cannot be located; kho/memory.core not written`,
    );
  return core;
}

/** Copy a debugfs tree byte for byte under `dest`; returns relative file names. */
function copyTree(r: HostReader, src: string, out: OutDir, dest: string): string[] {
  const files: string[] = [];
  const walk = (rel: string): void => {
    for (const name of r.list(`${src}/${rel}`)) {
      const p = rel ? `${rel}/${name}` : name;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(r.at(`${src}/${p}`));
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const b = r.read(`${src}/${p}`);
        if (b) {
          out.write(`${dest}/${p}`, b);
          files.push(p);
        }
      }
    }
  };
  walk('');
  return files;
}

/** The first 8-byte property of the root node in a (possibly truncated) FDT: `preserved-memory-map`. */
function firstU64Prop(b: Uint8Array): number | null {
  if (b.length < 40) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let off = dv.getUint32(8, false);
  if (off + 8 > b.length || dv.getUint32(off, false) !== 1) return null;
  off += 4;
  while (off < b.length && b[off] !== 0) off++;
  off = Math.ceil((off + 1) / 4) * 4;
  while (off + 12 <= b.length && dv.getUint32(off, false) === 3) {
    const len = dv.getUint32(off + 4, false);
    if (len === 8 && off + 20 <= b.length) return u64le(b, off + 12);
    off = Math.ceil((off + 12 + len) / 4) * 4;
  }
  return null;
}

function abiOf(fdt: Fdt): string | null {
  const p = fdt.root.props.find((x) => x.name === 'compatible');
  return p ? cstr(p.value) : null;
}

/** Decode the map for its blocks: the project's decoders; kho-v4 keeps kho-v3's radix tree (spec kernel-7x.md 1.1). */
function decodeBlocks(
  mem: PhysMemory,
  abi: string,
  mapPhys: number,
): { phys: Float64Array; order: Uint8Array; count: number } {
  const sink = new DiagnosticSink();
  const collector = new BlockCollector(12, 200_000_000, () => new Error('too many blocks'));
  if (abi === 'kho-v1') decodeChunkList(mem, mapPhys, collector, sink, { pageShift: 12 });
  else decodeRadixTree(mem, mapPhys, (abi === 'kho-v2' ? 'kho-v2' : 'kho-v3') as KhoAbi, collector, sink, 12);
  const b = collector.finish(sink, mem.name);
  return { phys: b.phys, order: b.order, count: b.count };
}

/**
 * Decode the LUO state behind its blob with the project's decoder (parsers/kho decodeLuo: struct luo_ser or the FDT
 * forms, session and file block chains, FLBs, memfd records and folio arrays), so every page it reads is recorded.
 * Its diagnostics go to the capture log (e.g. sessions_pa 0 on a live capture: LUO writes its sessions only in
 * liveupdate_reboot()). Ownership is not needed here: nothing is claimed.
 */
function walkLuo(
  mem: RecordingMemory,
  blob: Uint8Array,
  log: CaptureLog,
): { sessions: number; files: number } {
  const diags = new DiagnosticSink();
  const file = 'kho/sub_fdts/LUO';
  let root: FdtNode | null = null;
  if (blob.length >= 4 && new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0, false) === FDT_MAGIC)
    root = parseFdt(blob, file, diags).root;
  const luo = decodeLuo({ bytes: blob, file }, root, {
    mem,
    diags,
    pageShift: 12,
    endian: mem.endianness,
    claim: () => 0,
    vmalloc: [],
  });
  for (const d of diags.items) (d.severity === 'info' ? log.info : log.warn).call(log, `LUO: ${d.message}`);
  return { sessions: luo.sessionRecords?.length ?? luo.sessions.length, files: luo.files?.length ?? 0 };
}

/** The kho_test subtree's folios_info vmalloc area (lib/test_kho.c), so its chunk and data pages are recorded. */
function walkKhoTest(mem: RecordingMemory, blob: Uint8Array): void {
  try {
    const fdt = parseFdt(blob, 'kho_test');
    const data = fdt.root.children.find((c) => c.name === 'data');
    const fi = data?.props.find((p) => p.name === 'folios_info');
    if (!fi || fi.value.length < 16) return;
    const sink = new DiagnosticSink();
    const area = decodeVmalloc(
      fi.value,
      { file: 'kho_test', field: 'folios_info' },
      'kho_test',
      mem,
      sink,
      12,
    );
    readVmallocContents(area, mem, area.totalPages * PAGE, 12);
  } catch {
    // a kho_test blob that does not decode is the decoder's to report at inspect time
  }
}

/** Write the recorded pages (and payload ranges) as an ELF core, streamed from `mem`. */
function writeCore(
  out: OutDir,
  rel: string,
  mem: PhysCore,
  pages: Set<number>,
  payload: [number, number][],
): number {
  const ranges: [number, number][] = [...pages].sort((a, b) => a - b).map((p) => [p, p + PAGE]);
  ranges.push(...payload);
  ranges.sort((a, b) => a[0] - b[0]);
  const runs: [number, number][] = [];
  for (const [s, e] of ranges) {
    const last = runs[runs.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else runs.push([s, e]);
  }
  const plan = planElfCore(runs.map(([s, e]) => ({ paddr: s, size: e - s })));
  const fd = out.openForWrite(rel);
  try {
    fs.writeSync(fd, plan.header, 0, plan.header.length, 0);
    runs.forEach(([s, e], i) => {
      for (let a = s; a < e; a += 4 * 2 ** 20) {
        const n = Math.min(4 * 2 ** 20, e - a);
        const bytes = mem.hasPhys(a, n) ? mem.readPhys(a, n, 'capture') : new Uint8Array(n);
        fs.writeSync(fd, bytes, 0, bytes.length, plan.offsets[i]! + (a - s));
      }
    });
    fs.ftruncateSync(fd, plan.fileSize);
  } finally {
    fs.closeSync(fd);
  }
  out.recorded(rel, plan.fileSize);
  return plan.fileSize;
}

export interface KhoCaptureOptions {
  readonly withPayload: boolean;
  /** Physical memory: /proc/kcore of the host, or a vmcore. */
  readonly core: PhysCore | null;
}

/**
 * Capture the KHO image: debugfs copies (when `r` is given), then memory.core. With no debugfs (a vmcore), the
 * root FDT is searched in memory.
 */
export function captureKho(
  r: HostReader | null,
  out: OutDir,
  log: CaptureLog,
  opts: KhoCaptureOptions,
): KhoCaptureResult {
  let source: KhoCaptureResult['source'] = null;
  let fdtBytes: Uint8Array | null = null;
  const subBlobs = new Map<string, Uint8Array>();
  let scratchText: [string, string] | null = null;
  let khoData: { fdtAddr: number; fdtSize: number; scratchAddr: number; scratchSize: number } | null = null;

  if (r) {
    const dbg = '/sys/kernel/debug';
    let dbgEntries: string[] | null = null;
    try {
      dbgEntries = fs.readdirSync(r.at(dbg));
    } catch (e) {
      log.miss(dbg, whyUnreadable(e));
    }
    const lockdown = r.readText('/sys/kernel/security/lockdown', false);
    const locked = lockdown ? /\[(integrity|confidentiality)\]/.exec(lockdown)?.[1] : undefined;
    if (locked)
      log.warn(
        `kernel lockdown is "${locked}": debugfs is restricted${locked === 'confidentiality' ? ' and /proc/kcore is refused' : ''}; boot with lockdown=none to capture KHO`,
      );
    if (dbgEntries && dbgEntries.length === 0) {
      const mounts = r.readText('/proc/mounts', false) ?? '';
      if (!/\sdebugfs\s/.test(mounts))
        log.warn('debugfs is not mounted: mount -t debugfs none /sys/kernel/debug, then capture again');
    }
    if (dbgEntries && dbgEntries.length && !dbgEntries.includes('kho')) {
      const cfg = fs.existsSync(out.root + '/config.txt')
        ? fs.readFileSync(out.root + '/config.txt', 'utf8')
        : '';
      if (/^CONFIG_KEXEC_HANDOVER=y/m.test(cfg))
        log.warn('KHO is built in but not enabled (no /sys/kernel/debug/kho): boot with kho=on');
      else
        log.warn(
          'this kernel has no KHO (no /sys/kernel/debug/kho; CONFIG_KEXEC_HANDOVER is not set): nothing to hand over',
        );
    }
    const outFiles = r.exists(`${dbg}/kho/out`) ? copyTree(r, `${dbg}/kho/out`, out, 'kho-debugfs/out') : [];
    const inFiles = r.exists(`${dbg}/kho/in`) ? copyTree(r, `${dbg}/kho/in`, out, 'kho-debugfs/in') : [];
    const pick = (dir: 'out' | 'in', files: string[]): void => {
      source = dir;
      fdtBytes = r.read(`${dbg}/kho/${dir}/fdt`);
      for (const f of files.filter((x) => x.startsWith('sub_fdts/')))
        subBlobs.set(f.slice(9), r.read(`${dbg}/kho/${dir}/${f}`)!);
      // 7.4 renames scratch_* to bootmem_* (kernel-7x.md 1.6): the bundle keeps the loader's names
      for (const [p, l] of [
        ['scratch_phys', 'scratch_len'],
        ['bootmem_phys', 'bootmem_len'],
      ] as const) {
        const a = r.readText(`${dbg}/kho/${dir}/${p}`, false);
        const b = r.readText(`${dbg}/kho/${dir}/${l}`, false);
        if (a !== null && b !== null) {
          scratchText = [a, b];
          if (p === 'bootmem_phys')
            log.info('scratch areas read from bootmem_phys/bootmem_len (the 7.4 names)');
          break;
        }
      }
    };
    if (outFiles.includes('fdt')) pick('out', outFiles);
    else if (inFiles.includes('fdt')) {
      pick('in', inFiles);
      log.info(
        "no kho/out/fdt (a KHO-booted kernel has none): the bundle's kho/ is what this kernel received (kho/in)",
      );
    }
    // x86: the handover address the previous kernel passed in setup_data
    for (const n of r.list('/sys/kernel/boot_params/setup_data')) {
      const type = r.readText(`/sys/kernel/boot_params/setup_data/${n}/type`, false)?.trim();
      const data = r.read(`/sys/kernel/boot_params/setup_data/${n}/data`, false);
      if (!type || !data) continue;
      out.write(`kho-debugfs/setup_data/${n}/type`, type + '\n');
      out.write(`kho-debugfs/setup_data/${n}/data`, data);
      if (Number(type) === SETUP_KEXEC_KHO && data.length >= 32) {
        khoData = {
          fdtAddr: u64le(data, 0),
          fdtSize: u64le(data, 8),
          scratchAddr: u64le(data, 16),
          scratchSize: u64le(data, 24),
        };
        out.write(
          'kho/setup-data-kexec-kho.txt',
          `# struct kho_data from /sys/kernel/boot_params/setup_data/${n} (SETUP_KEXEC_KHO): the incoming handover\n` +
            `fdt_addr ${hex(khoData.fdtAddr)}\nfdt_size ${hex(khoData.fdtSize)}\nscratch_addr ${hex(khoData.scratchAddr)}\nscratch_size ${hex(khoData.scratchSize)}\n`,
        );
      }
    }
  }

  const mem = opts.core && opts.core.presentRanges.length ? new RecordingMemory(opts.core) : null;
  let truncated = false;
  let fdtPhys: number | null = null;
  let fdt: Fdt | null = null;
  if (fdtBytes !== null) {
    const b: Uint8Array = fdtBytes;
    const total = b.length >= 8 ? new DataView(b.buffer, b.byteOffset).getUint32(4, false) : 0;
    truncated =
      b.length >= 8 &&
      new DataView(b.buffer, b.byteOffset).getUint32(0, false) === FDT_MAGIC &&
      total > b.length;
    if (!truncated) {
      try {
        fdt = parseFdt(b, 'kho/fdt');
      } catch (e) {
        log.warn(
          `kho/${source}/fdt does not parse (${e instanceof Error ? e.message : String(e)}); copied as is`,
        );
      }
    }
  } else if (khoData && mem && mem.hasPhys(khoData.fdtAddr, khoData.fdtSize)) {
    fdtBytes = mem.readPhys(khoData.fdtAddr, khoData.fdtSize, 'handover FDT (setup_data)');
    fdtPhys = khoData.fdtAddr;
    source = 'setup_data';
    fdt = parseFdt(fdtBytes, 'kho/fdt');
  }

  let blocks: { phys: Float64Array; order: Uint8Array; count: number } | null = null;
  // Truncated debugfs fdt (v7.3-rc7 registers the blob with the size the FDT had at kho_init()): the header's
  // totalsize and the memory map pointer are in the bytes it does give; the full FDT is the preserved page that
  // starts with those bytes (kho_init() allocates it with kho_alloc_preserve()).
  if (truncated && fdtBytes) {
    const b: Uint8Array = fdtBytes;
    const total = new DataView(b.buffer, b.byteOffset).getUint32(4, false);
    log.warn(
      `kho/${source}/fdt is truncated (${b.length} of ${total} bytes: the kernel kept the size the FDT had when KHO started, linux v7.3-rc7 kho_init()); the raw copy is in kho-debugfs/${source}/fdt`,
    );
    const map = firstU64Prop(b);
    if (mem && map) {
      try {
        blocks = decodeBlocks(mem, 'kho-v4', map);
        for (let i = 0; i < blocks.count && fdtPhys === null; i++) {
          const p = blocks.phys[i]!;
          if (blocks.order[i] !== 0 || !mem.inner.hasPhys(p, total)) continue;
          const head = mem.inner.readPhys(p, Math.min(b.length, PAGE), 'root FDT candidate');
          if (head.every((x, k) => x === b[k])) {
            fdtPhys = p;
            fdtBytes = mem.readPhys(p, total, 'root FDT');
          }
        }
      } catch (e) {
        log.warn(
          `the memory map behind the truncated FDT could not be read: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    if (fdtPhys !== null && fdtBytes) {
      fdt = parseFdt(fdtBytes, 'kho/fdt');
      log.warn(
        `the full root FDT (${total} bytes) was found in memory at ${hex(fdtPhys)} (a preserved page starting with the debugfs bytes): kho/fdt is that copy`,
      );
    } else
      log.warn(
        'the full root FDT could not be found in memory: kho/fdt is the truncated debugfs copy, which inspect cannot read',
      );
  }

  // a vmcore (no debugfs): the root FDT is a page starting with the FDT magic whose compatible is kho-vN and whose
  // memory map lists the page itself as preserved
  if (!r && mem && !fdtBytes) {
    const found = findRootFdtInMemory(mem);
    if (found) {
      ({ fdtBytes, fdtPhys, fdt } = found);
      source = 'memory';
      log.info(`root FDT found in memory at ${hex(fdtPhys!)}`);
    } else
      log.warn('no KHO root FDT found in the dump (a page with an FDT whose compatible is kho-v1..kho-v4)');
  }

  if (fdtBytes) out.write('kho/fdt', fdtBytes);
  const abi = fdt ? abiOf(fdt) : null;
  const children = fdt?.root.children ?? [];
  if (scratchText) {
    out.write('kho/scratch_phys', scratchText[0]);
    out.write('kho/scratch_len', scratchText[1]);
  } else if (khoData && mem && mem.hasPhys(khoData.scratchAddr, khoData.scratchSize)) {
    // struct kho_scratch[] { phys_addr_t addr; phys_addr_t size; } at scratch_addr
    const arr = mem.readPhys(khoData.scratchAddr, khoData.scratchSize, 'struct kho_scratch[]');
    const n = Math.floor(arr.length / 16);
    const at = (i: number, o: number): string => `0x${u64le(arr, i * 16 + o).toString(16)}\n`;
    out.write('kho/scratch_phys', Array.from({ length: n }, (_, i) => at(i, 0)).join(''));
    out.write('kho/scratch_len', Array.from({ length: n }, (_, i) => at(i, 8)).join(''));
    log.info(
      `scratch areas read from the struct kho_scratch array at ${hex(khoData.scratchAddr)} (setup_data)`,
    );
  }

  let payloadBytes = 0;
  let coreBytes = 0;
  if (mem && fdt && abi) {
    const mapProp = fdt.root.props.find((p) => p.name === 'preserved-memory-map');
    const mapPhys = mapProp && mapProp.value.length >= 8 ? u64le(mapProp.value, 0) : 0;
    // the decoders first (everything they walk is recorded), then what they do not know yet
    try {
      decodeKhoImage({
        root: fdt.root,
        rootFile: 'kho/fdt',
        mem,
        subBlobs: new Map(),
        readFdt: (bytes, file) => parseFdt(bytes, file),
      });
    } catch {
      // an ABI the decoders do not read yet (kho-v4 before its decoder): the map is walked below
    }
    if (mapPhys) {
      try {
        blocks = decodeBlocks(mem, abi, mapPhys);
      } catch (e) {
        log.warn(
          `the preserved-memory map at ${hex(mapPhys)} could not be walked: ${e instanceof Error ? e.message : String(e)}` +
            ((source as KhoCaptureResult['source']) === 'in' || source === 'setup_data'
              ? ' (a KHO-booted kernel: the incoming radix tree pages are not themselves preserved, so the running kernel reuses them once boot is done; capture the handover on the kernel that makes it)'
              : ''),
        );
      }
    }
    for (const c of children) {
      const pd = c.props.find((p) => p.name === 'preserved-data' || p.name === 'fdt');
      if (!pd || pd.value.length < 8) continue;
      const phys = u64le(pd.value, 0);
      const bs = c.props.find((p) => p.name === 'blob-size');
      let size = bs && bs.value.length >= 8 ? u64le(bs.value, 0) : 0;
      if (!size && mem.hasPhys(phys, 8)) {
        const h = mem.readPhys(phys, 8, `${c.name} blob header`);
        size =
          new DataView(h.buffer, h.byteOffset).getUint32(0, false) === FDT_MAGIC
            ? new DataView(h.buffer, h.byteOffset).getUint32(4, false)
            : PAGE;
      }
      if (!mem.hasPhys(phys, size)) {
        log.warn(`subtree ${c.name}: blob at ${hex(phys)} is not in memory`);
        continue;
      }
      const blob = mem.readPhys(phys, size, `${c.name} blob`);
      // the blob handed over is the memory's copy: debugfs' can be stale (LUO writes its blob at kexec)
      const dbgCopy = subBlobs.get(c.name);
      if (dbgCopy && !Buffer.from(dbgCopy).equals(Buffer.from(blob)))
        log.info(
          `sub_fdts/${c.name}: the debugfs copy differs from memory; kho/sub_fdts/${c.name} is memory's (debugfs' in kho-debugfs/)`,
        );
      out.write(`kho/sub_fdts/${c.name}`, blob);
      subBlobs.delete(c.name);
      if (c.name === 'LUO') {
        try {
          const s = walkLuo(mem, blob, log);
          log.info(`LUO: ${s.sessions} session(s), ${s.files} file(s) walked`);
        } catch (e) {
          log.warn(
            `LUO state at ${hex(phys)} could not be walked: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
      if (c.name === 'kho_test') walkKhoTest(mem, blob);
    }
    if (fdtPhys !== null) mem.mark(fdtPhys, fdtBytes ? (fdtBytes as Uint8Array).length : PAGE);
    const payload: [number, number][] = [];
    if (opts.withPayload && blocks) {
      // each block's bytes as far as the memory has them (a vmcore can lack some)
      const present = mem.inner.presentRanges;
      const idx = [...Array(blocks.count).keys()].sort((a, b) => blocks!.phys[a]! - blocks!.phys[b]!);
      let j = 0;
      for (const i of idx) {
        const s = blocks.phys[i]!;
        const e = s + PAGE * 2 ** blocks.order[i]!;
        while (j < present.length && present[j]!.end <= s) j++;
        for (let k = j; k < present.length && present[k]!.start < e; k++) {
          const a = Math.max(s, present[k]!.start);
          const b = Math.min(e, present[k]!.end);
          if (a < b) {
            payload.push([a, b]);
            payloadBytes += b - a;
          }
        }
      }
    }
    coreBytes = writeCore(out, 'kho/memory.core', mem.inner, mem.pages, payload);
  } else if (fdt && !mem)
    log.warn(
      'no physical memory to read: kho/memory.core not written (the preserved blocks cannot be listed)',
    );
  for (const [name, blob] of subBlobs) out.write(`kho/sub_fdts/${name}`, blob);
  return {
    source,
    abi,
    blocks: blocks?.count ?? 0,
    corePages: mem?.pages.size ?? 0,
    coreBytes,
    payloadBytes,
    truncatedFdt: truncated,
  };
}

/** Scan a dump for the KHO root FDT (vmcore capture). Pages are read 1 MiB at a time. */
function findRootFdtInMemory(
  mem: RecordingMemory,
): { fdtBytes: Uint8Array; fdtPhys: number; fdt: Fdt } | null {
  for (const r of mem.inner.presentRanges) {
    for (let a = Math.ceil(r.start / PAGE) * PAGE; a < r.end; a += 2 ** 20) {
      const n = Math.min(2 ** 20, r.end - a);
      const chunk = mem.inner.readPhys(a, n, 'scan');
      const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let off = 0; off + 40 <= n; off += PAGE) {
        if (dv.getUint32(off, false) !== FDT_MAGIC) continue;
        const total = dv.getUint32(off + 4, false);
        if (total < 40 || total > 16 * PAGE || !mem.inner.hasPhys(a + off, total)) continue;
        const bytes = mem.inner.readPhys(a + off, total, 'root FDT candidate');
        let fdt: Fdt;
        try {
          fdt = parseFdt(bytes, 'candidate');
        } catch {
          continue;
        }
        const abi = abiOf(fdt);
        if (!abi || !/^kho-v[1-4]$/.test(abi)) continue;
        const map = fdt.root.props.find((p) => p.name === 'preserved-memory-map');
        if (!map) continue;
        try {
          const blocks = decodeBlocks(mem.inner, abi, u64le(map.value, 0));
          // kho-v4 preserves its root page (kho_alloc_preserve); older eras do not: take the first that decodes
          let self = abi !== 'kho-v4';
          for (let i = 0; i < blocks.count && !self; i++) if (blocks.phys[i] === a + off) self = true;
          if (self) {
            mem.mark(a + off, total);
            return { fdtBytes: bytes, fdtPhys: a + off, fdt };
          }
        } catch {
          continue;
        }
      }
    }
  }
  return null;
}
