// What `capture` copies off a live host besides the KHO image: the kernel log, /proc files, the kernel config,
// uname, the firmware memory map, node sysfs and memory blocks, memblock debugfs. Each file keeps the name the
// bundle loader knows it by (DESIGN.md, The trace bundle; src/trace/classify-files.ts). `root` is the file
// system root ('/' on a host; a fake tree in tests).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import type { OutDir } from './out-dir.js';

export interface CaptureNote {
  readonly level: 'info' | 'warning';
  readonly text: string;
}

export class CaptureLog {
  readonly notes: CaptureNote[] = [];
  /** Files that could not be read: source path -> why. */
  readonly missing = new Map<string, string>();
  info(text: string): void {
    this.notes.push({ level: 'info', text });
  }
  warn(text: string): void {
    this.notes.push({ level: 'warning', text });
  }
  miss(src: string, why: string): void {
    this.missing.set(src, why);
  }
}

/** Why a read failed, in words a user can act on. */
export function whyUnreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  switch (code) {
    case 'ENOENT':
      return 'does not exist on this kernel';
    case 'EACCES':
      return 'permission denied (run capture as root)';
    case 'EPERM':
      return 'operation not permitted (kernel lockdown or a security module forbids it)';
    case 'EINVAL':
      return 'the kernel refused the read (EINVAL)';
    default:
      return code || String(e);
  }
}

export class HostReader {
  constructor(
    readonly root: string,
    readonly log: CaptureLog,
  ) {}

  at(p: string): string {
    return path.join(this.root, p);
  }

  exists(p: string): boolean {
    try {
      fs.statSync(this.at(p));
      return true;
    } catch {
      return false;
    }
  }

  /** Read a whole file (procfs and sysfs files report size 0: read until EOF). Null (and noted) when unreadable. */
  read(p: string, note = true): Uint8Array | null {
    let fd: number;
    try {
      fd = fs.openSync(this.at(p), 'r');
    } catch (e) {
      if (note) this.log.miss(p, whyUnreadable(e));
      return null;
    }
    try {
      const parts: Buffer[] = [];
      let total = 0;
      for (;;) {
        const buf = Buffer.alloc(1 << 20);
        let n: number;
        try {
          n = fs.readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          if (note) this.log.miss(p, whyUnreadable(e));
          return null;
        }
        if (n === 0) break;
        parts.push(buf.subarray(0, n));
        total += n;
        if (total > 512 * 2 ** 20) break; // host text files are small; never slurp a device
      }
      return new Uint8Array(Buffer.concat(parts));
    } finally {
      fs.closeSync(fd);
    }
  }

  readText(p: string, note = true): string | null {
    const b = this.read(p, note);
    return b === null ? null : Buffer.from(b).toString('utf8');
  }

  list(p: string): string[] {
    try {
      return fs.readdirSync(this.at(p)).sort();
    } catch {
      return [];
    }
  }
}

/** /dev/kmsg records ("pri,seq,usec,flags;text" + " KEY=value" continuation lines) as dmesg prints them. */
export function kmsgToDmesg(raw: string): string {
  const out: string[] = [];
  for (const line of raw.split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const semi = line.indexOf(';');
    if (semi < 0) continue;
    const f = line.slice(0, semi).split(',');
    const usec = Number(f[2]);
    if (!Number.isFinite(usec)) continue;
    const sec = Math.floor(usec / 1e6);
    const frac = String(usec % 1e6).padStart(6, '0');
    // /dev/kmsg escapes unprintable bytes and the backslash as \xNN (kernel/printk/printk.c msg_add_ext_text);
    // dmesg(1) prints them back as the bytes: the memblock dump's tabs are \x09 here
    const text = line
      .slice(semi + 1)
      .replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    out.push(`[${String(sec).padStart(5)}.${frac}] ${text}`);
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

/** Read every record /dev/kmsg holds now, without blocking (each read returns one record; EAGAIN ends). */
function readKmsg(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  const parts: string[] = [];
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 10_000_000; i++) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records overwritten while reading: the next read resumes
        if (code === 'EAGAIN') break;
        return parts.length ? parts.join('') : null;
      }
      if (n === 0) break;
      parts.push(buf.toString('utf8', 0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return parts.join('');
}

/** Copy the host files into `out`. Returns the kernel release and command line it saw. */
export function captureHostFiles(
  r: HostReader,
  out: OutDir,
): { release: string | null; cmdline: string | null } {
  const log = r.log;
  // kernel log: /dev/kmsg (records of the whole ring), else `dmesg` on a live root
  let dmesg: string | null = null;
  const kmsg = readKmsg(r.at('/dev/kmsg'));
  if (kmsg) dmesg = kmsgToDmesg(kmsg);
  else if (r.root === '/') {
    try {
      dmesg = execFileSync('dmesg', [], {
        encoding: 'utf8',
        maxBuffer: 512 * 2 ** 20,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      dmesg = null;
    }
  }
  if (dmesg) out.write('dmesg.txt', dmesg);
  else
    log.miss(
      '/dev/kmsg',
      'no kernel log: /dev/kmsg and dmesg unreadable (root needed when dmesg_restrict=1)',
    );

  const cmdline = r.readText('/proc/cmdline');
  if (cmdline !== null) {
    out.write('cmdline.txt', cmdline);
    if (!/(^|\s)memblock=debug(\s|$)/.test(cmdline))
      log.info(
        'the kernel log has no memblock=debug lines: boot with memblock=debug to record every memblock call',
      );
  }
  const procFiles: [string, string][] = [
    ['/proc/iomem', 'iomem.txt'],
    ['/proc/zoneinfo', 'zoneinfo.txt'],
    ['/proc/buddyinfo', 'buddyinfo.txt'],
    ['/proc/pagetypeinfo', 'pagetypeinfo.txt'],
    ['/proc/meminfo', 'meminfo.txt'],
    ['/proc/vmstat', 'vmstat.txt'],
    ['/proc/version', 'version.txt'],
  ];
  for (const [src, dst] of procFiles) {
    const b = r.read(src);
    if (b === null) continue;
    out.write(dst, b);
    if (src === '/proc/iomem' && /^0+-0+ : /m.test(Buffer.from(b).toString('utf8')))
      log.warn('/proc/iomem shows zero addresses: it hides them from non-root readers; run capture as root');
  }

  // uname -a, from the files it is made of
  const k = (n: string): string | null => r.readText(`/proc/sys/kernel/${n}`, false)?.trim() ?? null;
  const release = k('osrelease');
  const machine = k('arch') ?? (r.root === '/' ? os.machine() : null);
  if (release) {
    out.write(
      'uname.txt',
      `${k('ostype') ?? 'Linux'} ${k('hostname') ?? '(none)'} ${release} ${k('version') ?? ''} ${machine ?? ''} GNU/Linux\n`,
    );
  } else log.miss('/proc/sys/kernel/osrelease', 'kernel release unknown');

  // kernel config
  const gz = r.read('/proc/config.gz', false);
  let config: string | null = null;
  if (gz) {
    try {
      config = gunzipSync(gz).toString('utf8');
    } catch {
      log.warn('/proc/config.gz is not a gzip stream; not copied');
    }
  }
  if (config === null && release) config = r.readText(`/boot/config-${release}`, false);
  if (config !== null) out.write('config.txt', config);
  else
    log.miss(
      '/proc/config.gz',
      `no kernel config (/proc/config.gz needs CONFIG_IKCONFIG_PROC; /boot/config-${release ?? '$(uname -r)'} absent)`,
    );

  // firmware memory map: "N start end type", one line per entry (as the capture scripts write it)
  const fw = r
    .list('/sys/firmware/memmap')
    .filter((d) => /^\d+$/.test(d))
    .sort((a, b) => Number(a) - Number(b));
  if (fw.length) {
    const lines = fw.map((d) => {
      const f = (n: string): string => r.readText(`/sys/firmware/memmap/${d}/${n}`, false)?.trim() ?? '?';
      return `${d} ${f('start')} ${f('end')} ${f('type')}`;
    });
    out.write('firmware-memmap.txt', lines.join('\n') + '\n');
  } else log.miss('/sys/firmware/memmap', 'absent (CONFIG_FIRMWARE_MEMMAP off, or not x86)');

  // node sysfs
  const nodeDir = '/sys/devices/system/node';
  const states = ['possible', 'online', 'has_cpu', 'has_memory', 'has_normal_memory']
    .map((n) => [n, r.readText(`${nodeDir}/${n}`, false)?.trim()] as const)
    .filter(([, v]) => v !== undefined);
  if (states.length) {
    const cpu = r.readText('/sys/devices/system/cpu/online', false)?.trim();
    out.write(
      'nodes.txt',
      states.map(([n, v]) => `${n}: ${v}`).join('\n') + (cpu ? `\ncpu online: ${cpu}` : '') + '\n',
    );
  } else log.miss(nodeDir, 'absent (CONFIG_NUMA off)');
  for (const nd of r.list(nodeDir).filter((d) => /^node\d+$/.test(d))) {
    for (const f of ['meminfo', 'distance', 'cpulist', 'numastat']) {
      const b = r.read(`${nodeDir}/${nd}/${f}`, false);
      if (b) out.write(`${nd}-${f}.txt`, b);
    }
  }

  // memory blocks, in the table the loader reads (parsers/node MEMORY_BLOCK_ROW): name, phys_index, node, state,
  // online, [valid_zones], removable
  const memDir = '/sys/devices/system/memory';
  const bsb = r.readText(`${memDir}/block_size_bytes`, false)?.trim();
  if (bsb) {
    const auto = r.readText(`${memDir}/auto_online_blocks`, false)?.trim();
    const rows = [
      `block_size_bytes ${bsb}`,
      ...(auto ? [`auto_online_blocks ${auto}`] : []),
      '# name phys_index node state online valid_zones removable',
    ];
    const perNode = new Map<string, string[]>();
    const blocks = r
      .list(memDir)
      .filter((d) => /^memory\d+$/.test(d))
      .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
    for (const b of blocks) {
      const d = `${memDir}/${b}`;
      const nodeLink = r.list(d).find((x) => /^node\d+$/.test(x));
      const f = (n: string, dflt: string): string => r.readText(`${d}/${n}`, false)?.trim() || dflt;
      rows.push(
        `${b} ${f('phys_index', '0')} ${nodeLink ?? '-'} ${f('state', '-')} ${f('online', '0')} [${f('valid_zones', '')}] ${f('removable', '-')}`,
      );
      if (nodeLink) perNode.set(nodeLink, [...(perNode.get(nodeLink) ?? []), b]);
    }
    out.write('memory-blocks.txt', rows.join('\n') + '\n');
    for (const [nd, list] of perNode) out.write(`${nd}-memory-blocks.txt`, list.join('\n') + '\n');
  } else log.miss(memDir, 'absent (CONFIG_MEMORY_HOTPLUG off)');
  return { release, cmdline };
}

/** memblock debugfs: memory, reserved, physmem (ARCH_KEEP_MEMBLOCK) and reserve_mem_param (reserve_mem= in use). */
export function captureMemblockDebugfs(r: HostReader, out: OutDir): void {
  const dir = '/sys/kernel/debug/memblock';
  const names = r.list(dir);
  if (!names.length) {
    r.log.info(
      'no /sys/kernel/debug/memblock: memblock is discarded after boot on this arch (x86 without INTEL_TDX_HOST) and no reserve_mem= is in use',
    );
    return;
  }
  for (const n of ['memory', 'reserved', 'physmem', 'reserve_mem_param']) {
    if (!names.includes(n)) continue;
    const b = r.read(`${dir}/${n}`);
    if (b) out.write(`memblock-${n}.txt`, b);
  }
}
