// Test helper: a HostTrace from one real qemu capture, built from the committed parsers, with the kernel's own
// answers (`unavailable ranges`, `deferred pages` lines, zoneinfo) kept out of the input.
// TODO(loadBundle): switch to src/trace loadBundle on a filtered copy of the bundle once it is committed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCmdline } from '../../parsers/cmdline/index.js';
import { parseDmesg } from '../../parsers/dmesg/index.js';
import { parseKconfig } from '../../parsers/kconfig/index.js';
import { parseZoneinfo } from '../../parsers/zoneinfo/index.js';
import type { HostTrace } from '../../src/trace/host-trace.js';

export const QEMU_TRACES = [
  'a-4g-1node',
  'b-16g-2node',
  'd-16g-2node-kernelcore',
  'e-128g-2node',
  'e2-128g-2node-quietconsole',
  'e2-128g-2node-quietconsole-run2',
  'e2-128g-2node-quietconsole-run3',
  'f-16g-2node-kexec/stage1-cold-boot',
  'f-16g-2node-kexec/stage2-after-kexec',
  'g-8g-2node-uefi',
] as const;

export const TRACES_DIR = new URL('../../traces/qemu/', import.meta.url).pathname;

/** Lines that carry the kernel's own results for what the simulator computes. */
export const ORACLE_LINE = /pages in unavailable ranges|deferred pages initialised/;

export function readTrace(name: string, file: string): string {
  return fs.readFileSync(path.join(TRACES_DIR, name, file), 'utf8');
}

export function hostFromQemuTrace(name: string, opts: { dropLines?: RegExp } = {}): HostTrace {
  const raw = readTrace(name, 'dmesg.txt');
  const drop = opts.dropLines ?? ORACLE_LINE;
  const text = raw
    .split('\n')
    .filter((l) => !drop.test(l))
    .join('\n');
  const log = parseDmesg(text, 'dmesg.txt');
  const cmd = parseCmdline(log.commandLine ?? readTrace(name, 'cmdline.txt'), 'cmdline.txt');
  const confFile = fs.existsSync(path.join(TRACES_DIR, name, 'kernel-config-excerpt.txt'))
    ? path.join(name, 'kernel-config-excerpt.txt')
    : path.join(path.dirname(name), 'kernel-config-excerpt.txt');
  const conf = parseKconfig(readTrace('.', confFile), 'kernel-config-excerpt.txt');
  const lastDump = log.memblockDumps[log.memblockDumps.length - 1];
  return {
    arch: 'x86_64',
    pageShift: 12,
    kernelRelease: log.kernelRelease,
    config: conf.options,
    cmdline: cmd.memory,
    memory: log.earlyNodeRanges.map((r) => ({ start: r.start, end: r.end, nid: r.nid, flags: 0 })),
    reserved: (lastDump?.reserved ?? []).map((r) => ({
      start: r.base,
      end: r.base + r.size,
      nid: r.nid,
      flags: r.flags,
    })),
    e820: log.e820,
    efi: log.efi,
    zoneRanges: log.zoneRanges,
    movableZoneStart: log.movableZoneStart,
    nodeRanges: log.earlyNodeRanges.map((r) => ({ start: r.start, end: r.end, nid: r.nid, flags: 0 })),
    zoneinfo: [],
    unavailable: log.unavailable,
    deferredInit: log.deferredInit,
    memblockCalls: log.memblockCalls,
    memblockDumps: log.memblockDumps,
    sources: {},
    diagnostics: [],
  };
}

/** The kernel's /proc/zoneinfo of a trace: populated and empty zones with start, spanned, present. */
export function zoneinfoOf(
  name: string,
): {
  nid: number;
  zone: string;
  startPfn: number | null;
  spanned: number;
  present: number;
  managed: number;
}[] {
  const z = parseZoneinfo(readTrace(name, 'zoneinfo.txt'), 'zoneinfo.txt');
  return z.zones.map((e) => ({
    nid: e.nid,
    zone: e.zone,
    startPfn: e.startPfn,
    spanned: e.spanned ?? 0,
    present: e.present ?? 0,
    managed: e.managed ?? 0,
  }));
}

/** The kernel's own printed `unavailable ranges` counts, summed per node and zone. */
export function printedUnavailable(name: string): Map<string, number> {
  const log = parseDmesg(readTrace(name, 'dmesg.txt'), 'dmesg.txt');
  const out = new Map<string, number>();
  for (const u of log.unavailable)
    out.set(`${u.nid}:${u.zone}`, (out.get(`${u.nid}:${u.zone}`) ?? 0) + u.pages);
  return out;
}

export function printedDeferredNodes(name: string): number[] {
  const log = parseDmesg(readTrace(name, 'dmesg.txt'), 'dmesg.txt');
  return log.deferredInit.map((d) => d.nid).sort((a, b) => a - b);
}
