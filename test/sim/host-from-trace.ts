// Test helper: a HostTrace from one real qemu capture through loadBundle(), with the kernel's own answers
// (`unavailable ranges` and `deferred pages` lines, zoneinfo.txt) kept out of the input; plus the oracles.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDmesg } from '../../parsers/dmesg/index.js';
import { parseZoneinfo } from '../../parsers/zoneinfo/index.js';
import type { HostTrace } from '../../src/trace/host-trace.js';
import { loadBundle } from '../../src/trace/index.js';
import { listBundleFiles, QEMU_TRACES } from '../helpers/traces.js';

export { QEMU_TRACES };

export const TRACES_DIR = new URL('../../traces/qemu/', import.meta.url).pathname;

/** Lines that carry the kernel's own results for what the simulator computes. */
export const ORACLE_LINE = /pages in unavailable ranges|deferred pages initialised/;

export function readTrace(name: string, file: string): string {
  return fs.readFileSync(path.join(TRACES_DIR, name, file), 'utf8');
}

/**
 * The bundle of a qemu trace (`f-16g-2node-kexec/stage1-cold-boot` loads the f bundle at that stage) with the
 * oracle lines dropped from every dmesg-like file and zoneinfo.txt left out.
 */
export function hostFromQemuTrace(name: string, opts: { dropLines?: RegExp } = {}): HostTrace {
  const [bundle, stage] = name.includes('/') ? (name.split('/') as [string, string]) : [name, undefined];
  return hostFromBundle(path.join(TRACES_DIR, bundle), `traces/qemu/${bundle}`, stage, opts.dropLines);
}

/** Any bundle directory, loaded the same way (oracle lines dropped, zoneinfo.txt/zoneinfo left out). */
export function hostFromBundle(root: string, display: string, stage?: string, dropLines?: RegExp): HostTrace {
  const drop = dropLines ?? ORACLE_LINE;
  const files: Record<string, string> = {};
  for (const rel of listBundleFiles(root)) {
    const base = path.basename(rel);
    if (base === 'zoneinfo.txt' || base === 'zoneinfo') continue;
    const text = fs.readFileSync(path.join(root, rel), 'utf8');
    files[rel] = text
      .split('\n')
      .filter((l) => !drop.test(l))
      .join('\n');
  }
  return loadBundle(files, { displayRoot: display, ...(stage ? { stage } : {}) });
}

/** The oracle lines of any bundle: the kernel's printed unavailable counts and deferred-init nodes. */
export function oracleOf(root: string): { unavailable: Map<string, number>; deferredNodes: number[] } {
  const files: Record<string, string> = {};
  for (const rel of listBundleFiles(root)) files[rel] = fs.readFileSync(path.join(root, rel), 'utf8');
  const host = loadBundle(files);
  const unavailable = new Map<string, number>();
  for (const u of host.unavailable)
    unavailable.set(`${u.nid}:${u.zone}`, (unavailable.get(`${u.nid}:${u.zone}`) ?? 0) + u.pages);
  return {
    unavailable,
    deferredNodes: [...new Set(host.deferredInit.map((d) => d.nid))].sort((a, b) => a - b),
  };
}

/** The kernel's /proc/zoneinfo of a trace: populated and empty zones with start, spanned, present. */
export function zoneinfoOf(name: string): {
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
