// Test helper: a real bundle under traces/ loaded as the CLI does (every file, deferred-init lines kept), and the
// CPUs per node its node sysfs files give, for the replay's padata thread count.
import * as path from 'node:path';
import type { HostTrace } from '../../src/trace/host-trace.js';
import { loadBundle } from '../../src/trace/index.js';
import { readBundleFiles, TRACES_ROOT } from '../helpers/traces.js';

/** `qemu/e2-128g-2node-quietconsole`, `public/hp-dl585g7-4s-8node-1t`, ... */
export function loadTrace(name: string): HostTrace {
  const root = path.join(TRACES_ROOT, name);
  return loadBundle(readBundleFiles(root), { displayRoot: `traces/${name}` });
}

/** CPUs per node from node/nodeN-cpulist, as the replay command passes them. */
export function cpusPerNode(host: HostTrace): Record<number, number> | undefined {
  if (!host.nodes?.some((n) => n.cpus)) return undefined;
  const out: Record<number, number> = {};
  for (const n of host.nodes) if (n.cpus) out[n.nid] = n.cpus.reduce((s, r) => s + r.last - r.first + 1, 0);
  return out;
}
