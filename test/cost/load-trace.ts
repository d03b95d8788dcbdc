// Test helper: a real bundle under traces/ loaded as the CLI does (every file, deferred-init lines kept), and the
// CPUs per node its node sysfs files give, for the replay's padata thread count.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostTrace } from '../../src/trace/host-trace.js';
import { loadBundle } from '../../src/trace/index.js';

const TRACES = new URL('../../traces/', import.meta.url).pathname;

function listRel(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) out.push(...listRel(dir, r));
    else out.push(r);
  }
  return out;
}

/** `qemu/e2-128g-2node-quietconsole`, `public/hp-dl585g7-4s-8node-1t`, ... */
export function loadTrace(name: string): HostTrace {
  const root = path.join(TRACES, name);
  const files: Record<string, Uint8Array> = {};
  for (const rel of listRel(root)) files[rel] = fs.readFileSync(path.join(root, rel));
  return loadBundle(files, { displayRoot: `traces/${name}` });
}

/** CPUs per node from node/nodeN-cpulist, as the replay command passes them. */
export function cpusPerNode(host: HostTrace): Record<number, number> | undefined {
  if (!host.nodes?.some((n) => n.cpus)) return undefined;
  const out: Record<number, number> = {};
  for (const n of host.nodes) if (n.cpus) out[n.nid] = n.cpus.reduce((s, r) => s + r.last - r.first + 1, 0);
  return out;
}
